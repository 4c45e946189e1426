//! The classroom exercises' board (`examples/exercises.rs`): its hints and
//! its command line. The exercises' checks are tested against wrong answers
//! in `tests/wrong/` and against right ones in `tests/solutions/`, tests of
//! their own, so that this file never includes a student's answer.

use crate::support::{BOUND, run_example};

#[test]
fn the_progress_command_prints_each_exercise_hint() {
    for number in 1..=9 {
        let ran = run_example("exercises", &["--hint", &number.to_string()], BOUND);
        assert_eq!(ran.status.code(), Some(0), "{}", ran.stderr);
        let title = format!("# Exercise {number}: hint\n");
        assert!(ran.stdout.starts_with(&title), "{}", ran.stdout);
        assert!(ran.stdout.lines().count() > 2, "{}", ran.stdout);
    }
}

#[test]
fn the_progress_command_refuses_a_hint_it_does_not_have() {
    for number in ["0", "10", "-1", "three"] {
        let ran = run_example("exercises", &["--hint", number], BOUND);
        assert_eq!(ran.status.code(), Some(2), "{}", ran.stderr);
        assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
        assert!(ran.stdout.is_empty(), "{}", ran.stdout);
    }
}
