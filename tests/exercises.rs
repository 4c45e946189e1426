//! The maintainer check for the classroom exercises, as rustlings does it:
//! every starter, as shipped, fails its own check, and every reference
//! solution passes it.
//!
//! Each exercise is an example (`examples/exN_*.rs`) with the student's
//! function, a demonstration and a `check`; each solution
//! (`tests/solutions/exN_*.rs`) holds only the solved function. The check
//! is the same code the student runs with `-- --check`.

// Each exercise is a program of its own, so each declares the examples'
// shared command-line module; included side by side here, that module is
// compiled once per exercise, on purpose.
#![allow(clippy::duplicate_mod)]

// The examples' `main` and demonstration are not used from here.
#[allow(dead_code)]
#[path = "../examples/ex1_eof.rs"]
mod ex1;
#[path = "solutions/ex1_eof.rs"]
mod ex1_solution;

#[allow(dead_code)]
#[path = "../examples/ex2_errno.rs"]
mod ex2;
#[path = "solutions/ex2_errno.rs"]
mod ex2_solution;

#[allow(dead_code)]
#[path = "../examples/ex3_except.rs"]
mod ex3;
#[path = "solutions/ex3_except.rs"]
mod ex3_solution;

#[allow(dead_code)]
#[path = "../examples/ex4_retry.rs"]
mod ex4;
#[path = "solutions/ex4_retry.rs"]
mod ex4_solution;

#[allow(dead_code)]
#[path = "../examples/ex5_timeout.rs"]
mod ex5;
#[path = "solutions/ex5_timeout.rs"]
mod ex5_solution;

#[allow(dead_code)]
#[path = "../examples/ex6_deadline.rs"]
mod ex6;
#[path = "solutions/ex6_deadline.rs"]
mod ex6_solution;

#[allow(dead_code)]
#[path = "../examples/ex7_heartbeat.rs"]
mod ex7;
#[path = "solutions/ex7_heartbeat.rs"]
mod ex7_solution;

#[allow(dead_code)]
#[path = "../examples/ex8_backoff.rs"]
mod ex8;
#[path = "solutions/ex8_backoff.rs"]
mod ex8_solution;

/// A starter must fail its check, with a message for the student; its
/// solution must pass.
fn starter_fails_and_solution_passes(starter: Result<(), String>, solution: Result<(), String>) {
    match starter {
        Err(what) => assert!(!what.is_empty()),
        Ok(()) => panic!("the starter passes its own check: there is nothing to do"),
    }
    if let Err(what) = solution {
        panic!("the reference solution fails its check: {what}");
    }
}

#[test]
fn exercise_1_eof() {
    starter_fails_and_solution_passes(
        ex1::check(ex1::receive_all),
        ex1::check(ex1_solution::receive_all),
    );
}

#[test]
fn exercise_2_errno() {
    starter_fails_and_solution_passes(
        ex2::check(ex2::same_error),
        ex2::check(ex2_solution::same_error),
    );
}

#[test]
fn exercise_3_except() {
    starter_fails_and_solution_passes(
        ex3::check(ex3::connection_lost),
        ex3::check(ex3_solution::connection_lost),
    );
}

#[test]
fn exercise_4_retry() {
    starter_fails_and_solution_passes(
        ex4::check(ex4::ask_with_retries),
        ex4::check(ex4_solution::ask_with_retries),
    );
}

#[test]
fn exercise_5_timeout() {
    starter_fails_and_solution_passes(
        ex5::check(ex5::wait_for_reply),
        ex5::check(ex5_solution::wait_for_reply),
    );
}

#[test]
fn exercise_6_deadline() {
    starter_fails_and_solution_passes(
        ex6::check(ex6::read_exact_within),
        ex6::check(ex6_solution::read_exact_within),
    );
}

#[test]
fn exercise_7_heartbeat() {
    starter_fails_and_solution_passes(ex7::check(ex7::ping), ex7::check(ex7_solution::ping));
}

#[test]
fn exercise_8_backoff() {
    starter_fails_and_solution_passes(ex8::check(ex8::delays), ex8::check(ex8_solution::delays));
}
