//! The reference solutions pass their checks, and so does a correct
//! solution written another way, as rustlings checks its solutions.
//!
//! This test is the folder `tests/solutions/` itself (cargo builds
//! `tests/NAME/main.rs` as the test NAME): a teacher who deletes the folder
//! before handing the repository out deletes this test with the answers,
//! and `cargo test` stays green.
//!
//! Each solution (`tests/solutions/exN_*.rs`) holds only the solved
//! function, with the changed lines marked `// Changed`. Exercise 3's check
//! also reads the answer's code: it gets the reference's file whole between
//! the two marker lines, where `.ci/students.py` puts it in a solved copy.

#[path = "../../examples/common/mod.rs"]
mod common;

// The frames\' names, usages and demonstrations are not used from here.
#[allow(dead_code)]
#[path = "../../examples/checks/ex1_eof.rs"]
mod ex1;
mod ex1_eof;

#[allow(dead_code)]
#[path = "../../examples/checks/ex2_errno.rs"]
mod ex2;
mod ex2_errno;

#[allow(dead_code)]
#[path = "../../examples/checks/ex3_except.rs"]
mod ex3;
mod ex3_except;

#[allow(dead_code)]
#[path = "../../examples/checks/ex4_retry.rs"]
mod ex4;
mod ex4_retry;

#[allow(dead_code)]
#[path = "../../examples/checks/ex5_timeout.rs"]
mod ex5;
mod ex5_timeout;

#[allow(dead_code)]
#[path = "../../examples/checks/ex6_deadline.rs"]
mod ex6;
mod ex6_deadline;

#[allow(dead_code)]
#[path = "../../examples/checks/ex7_heartbeat.rs"]
mod ex7;
mod ex7_heartbeat;

#[allow(dead_code)]
#[path = "../../examples/checks/ex8_backoff.rs"]
mod ex8;
mod ex8_backoff;

#[allow(dead_code)]
#[path = "../../examples/checks/ex9_reuse.rs"]
mod ex9;
mod ex9_reuse;

mod other_ways;

#[path = "../lessons/support.rs"]
mod support;

/// A solution file as exercise 3's check reads a student's copy: the whole
/// file, between that exercise's two marker lines.
fn between_markers(file: &str) -> String {
    let (begins, ends) = common::markers(3);
    format!("{begins}\n{file}{ends}\n")
}

/// A correct solution passes its check. Under Wine a run that failed at a
/// reset may be Wine reading the reset as an end of stream
/// (`support::WINE_READS_RESET_AS_EOF`): the check runs again, up to 12
/// times, and says SKIP if Wine did so every time.
///
/// A run that a stop and continue (Ctrl-Z, `fg`) disturbed runs again too:
/// on Linux a read under a timeout then fails with `Interrupted` (signal(7)),
/// and a solution that passes it on, as std's `read` does, is not wrong; and
/// a stopped process is late, which the checks call late only after three
/// late runs of a case, which a stop every few hundred milliseconds can
/// make.
fn passes(test: &str, check: impl Fn() -> Result<(), String>) {
    for _ in 0..12 {
        match check() {
            Ok(()) => return,
            Err(what) if support::wine_may_have_read_a_reset_as_eof(&what) => {}
            Err(what) if what.contains("Interrupted") => {}
            Err(what) if what.contains(" took ") || what.contains("had not returned") => {}
            Err(what) => panic!("a correct solution fails its check: {what}"),
        }
    }
    support::skip_on_wine(test, support::WINE_READS_RESET_AS_EOF);
}

#[test]
fn exercise_1_eof_reference_passes() {
    passes("exercise_1_eof_reference_passes", || {
        ex1::check(ex1_eof::receive_all)
    });
}

#[test]
fn exercise_1_eof_read_to_end_passes() {
    passes("exercise_1_eof_read_to_end_passes", || {
        ex1::check(other_ways::ex1::receive_all)
    });
}

#[test]
fn exercise_2_errno_reference_passes() {
    passes("exercise_2_errno_reference_passes", || {
        ex2::check(ex2_errno::same_error)
    });
}

#[test]
fn exercise_2_errno_other_way_passes() {
    passes("exercise_2_errno_other_way_passes", || {
        ex2::check(other_ways::ex2::same_error)
    });
}

#[test]
fn exercise_3_except_reference_passes() {
    passes("exercise_3_except_reference_passes", || {
        ex3::check(
            &between_markers(include_str!("ex3_except.rs")),
            ex3_except::still_usable,
        )
    });
}

#[test]
fn exercise_3_except_other_way_passes() {
    passes("exercise_3_except_other_way_passes", || {
        ex3::check(other_ways::ex3::SOURCE, other_ways::ex3::still_usable)
    });
}

#[test]
fn exercise_4_retry_reference_passes() {
    passes("exercise_4_retry_reference_passes", || {
        ex4::check(ex4_retry::ask_with_retries)
    });
}

#[test]
fn exercise_4_retry_other_way_passes() {
    passes("exercise_4_retry_other_way_passes", || {
        ex4::check(other_ways::ex4::ask_with_retries)
    });
}

#[test]
fn exercise_5_timeout_reference_passes() {
    passes("exercise_5_timeout_reference_passes", || {
        ex5::check(ex5_timeout::wait_for_reply)
    });
}

#[test]
fn exercise_5_timeout_other_way_passes() {
    passes("exercise_5_timeout_other_way_passes", || {
        ex5::check(other_ways::ex5::wait_for_reply)
    });
}

#[test]
fn exercise_6_deadline_reference_passes() {
    passes("exercise_6_deadline_reference_passes", || {
        ex6::check(ex6_deadline::read_exact_within)
    });
}

#[test]
fn exercise_6_deadline_other_way_passes() {
    passes("exercise_6_deadline_other_way_passes", || {
        ex6::check(other_ways::ex6::read_exact_within)
    });
}

#[test]
fn exercise_7_heartbeat_reference_passes() {
    passes("exercise_7_heartbeat_reference_passes", || {
        ex7::check(ex7_heartbeat::ping)
    });
}

#[test]
fn exercise_7_heartbeat_other_way_passes() {
    passes("exercise_7_heartbeat_other_way_passes", || {
        ex7::check(other_ways::ex7::ping)
    });
}

#[test]
fn exercise_8_backoff_reference_passes() {
    passes("exercise_8_backoff_reference_passes", || {
        ex8::check(ex8_backoff::delays)
    });
}

#[test]
fn exercise_8_backoff_other_way_passes() {
    passes("exercise_8_backoff_other_way_passes", || {
        ex8::check(other_ways::ex8::delays)
    });
}

#[test]
fn exercise_9_reuse_reference_passes() {
    passes("exercise_9_reuse_reference_passes", || {
        ex9::check(ex9_reuse::send_again)
    });
}

#[test]
fn exercise_9_reuse_other_way_passes() {
    passes("exercise_9_reuse_other_way_passes", || {
        ex9::check(other_ways::ex9::send_again)
    });
}
