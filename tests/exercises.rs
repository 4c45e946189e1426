//! The maintainer check for the classroom exercises.
//!
//! Each exercise is an example (`examples/exN_*.rs`) with the student's
//! function, a demonstration and a `check`: the same code the student runs
//! with `-- --check`. This file holds what a check must reject:
//!
//! - the starter, as shipped, fails its own check. A student's `cargo test`
//!   must stay green whatever they have solved, so this runs only when
//!   `RESET_BY_PEER_SHIPPED` is set, as `.ci/run` sets it: CI is the one
//!   place that knows the exercises are as shipped;
//! - wrong but plausible fixes (`tests/wrong/`), each of which fails its
//!   check, and fails at the case that models its mistake.
//!
//! That every reference solution passes is checked by `tests/solutions/`,
//! a test of its own, so that a teacher can delete that folder before
//! handing the repository out and still get a green `cargo test`.

// Each exercise is a program of its own, so each declares the examples'
// shared command-line module; included side by side here, that module is
// compiled once per exercise, on purpose.
#![allow(clippy::duplicate_mod)]

// The examples' `main` and demonstration are not used from here.
#[allow(dead_code)]
#[path = "../examples/ex1_eof.rs"]
mod ex1;
#[path = "wrong/ex1_eof.rs"]
mod ex1_wrong;

// The examples' `main` and demonstration are not used from here.
#[allow(dead_code)]
#[path = "../examples/ex2_errno.rs"]
mod ex2;
#[path = "wrong/ex2_errno.rs"]
mod ex2_wrong;

// The examples' `main` and demonstration are not used from here.
#[allow(dead_code)]
#[path = "../examples/ex3_except.rs"]
mod ex3;
#[path = "wrong/ex3_except.rs"]
mod ex3_wrong;

// The examples' `main` and demonstration are not used from here.
#[allow(dead_code)]
#[path = "../examples/ex4_retry.rs"]
mod ex4;
#[path = "wrong/ex4_retry.rs"]
mod ex4_wrong;

// The examples' `main` and demonstration are not used from here.
#[allow(dead_code)]
#[path = "../examples/ex5_timeout.rs"]
mod ex5;
#[path = "wrong/ex5_timeout.rs"]
mod ex5_wrong;

// The examples' `main` and demonstration are not used from here.
#[allow(dead_code)]
#[path = "../examples/ex6_deadline.rs"]
mod ex6;
#[path = "wrong/ex6_deadline.rs"]
mod ex6_wrong;

// The examples' `main` and demonstration are not used from here.
#[allow(dead_code)]
#[path = "../examples/ex7_heartbeat.rs"]
mod ex7;
#[path = "wrong/ex7_heartbeat.rs"]
mod ex7_wrong;

// The examples' `main` and demonstration are not used from here.
#[allow(dead_code)]
#[path = "../examples/ex8_backoff.rs"]
mod ex8;
#[path = "wrong/ex8_backoff.rs"]
mod ex8_wrong;

/// Whether the exercises are as shipped, so that every starter must fail.
fn shipped() -> bool {
    std::env::var_os("RESET_BY_PEER_SHIPPED").is_some()
}

/// A starter, as shipped, must fail its check, with a message for the
/// student.
fn starter_fails(check: impl FnOnce() -> Result<(), String>) {
    if !shipped() {
        // A student's solved exercise passes; that is no failure here.
        return;
    }
    match check() {
        Err(what) => assert!(!what.is_empty()),
        Ok(()) => panic!("the starter passes its own check: there is nothing to do"),
    }
}

/// A wrong fix must fail its check, at the case that models its mistake:
/// its FAIL line contains `case`.
fn wrong_fails(result: Result<(), String>, case: &str) {
    match result {
        Err(what) => assert!(
            what.contains(case),
            "the wrong fix fails, but not at `{case}`: {what}"
        ),
        Ok(()) => panic!("the wrong fix passes the check"),
    }
}

#[test]
fn exercise_1_eof_starter_fails() {
    starter_fails(|| ex1::check(ex1::receive_all));
}

#[test]
fn exercise_1_eof_rejects_single_read() {
    wrong_fails(
        ex1::check(ex1_wrong::single_read::receive_all),
        "chunks (answers in 3 pieces",
    );
}

#[test]
fn exercise_1_eof_rejects_short_read_ends() {
    wrong_fails(
        ex1::check(ex1_wrong::short_read_ends::receive_all),
        "chunks (answers in 3 pieces",
    );
}

#[test]
fn exercise_1_eof_rejects_error_is_the_end() {
    wrong_fails(
        ex1::check(ex1_wrong::error_is_the_end::receive_all),
        "reset (resets)",
    );
}

#[test]
fn exercise_1_eof_rejects_keeps_data_before_a_reset() {
    wrong_fails(
        ex1::check(ex1_wrong::keeps_data_before_a_reset::receive_all),
        "hello-reset",
    );
}

#[test]
fn exercise_2_errno_starter_fails() {
    starter_fails(|| ex2::check(ex2::same_error));
}

#[test]
fn exercise_2_errno_rejects_socket_table_only() {
    wrong_fails(
        ex2::check(ex2_wrong::socket_table_only::same_error),
        "same_error(54, Linux, 54, Linux)",
    );
}

#[test]
fn exercise_2_errno_rejects_meanings_equal() {
    wrong_fails(
        ex2::check(ex2_wrong::meanings_equal::same_error),
        "same_error(40, Linux, 41, Linux)",
    );
}

#[test]
fn exercise_2_errno_rejects_one_platform() {
    wrong_fails(
        ex2::check(ex2_wrong::one_platform::same_error),
        "same_error(54, MacOs, 104, Linux)",
    );
}

#[test]
fn exercise_2_errno_rejects_platform_spelling() {
    wrong_fails(
        ex2::check(ex2_wrong::platform_spelling::same_error),
        "same_error(10054, Windows, 131, LinuxMips)",
    );
}

#[test]
fn exercise_3_except_starter_fails() {
    starter_fails(|| ex3::check(ex3::still_usable));
}

#[test]
fn exercise_3_except_rejects_unless_connection_error() {
    wrong_fails(
        ex3::check(ex3_wrong::unless_connection_error::still_usable),
        "TimedOut with errno",
    );
}

#[test]
fn exercise_3_except_rejects_every_timeout() {
    wrong_fails(
        ex3::check(ex3_wrong::every_timeout::still_usable),
        "TimedOut with errno",
    );
}

#[test]
fn exercise_3_except_rejects_would_block_only() {
    wrong_fails(
        ex3::check(ex3_wrong::would_block_only::still_usable),
        "TimedOut with no errno",
    );
}

#[test]
fn exercise_3_except_rejects_deny_list() {
    wrong_fails(
        ex3::check(ex3_wrong::deny_list::still_usable),
        "InvalidInput",
    );
}

#[test]
fn exercise_3_except_rejects_forgets_interrupted() {
    wrong_fails(
        ex3::check(ex3_wrong::forgets_interrupted::still_usable),
        "Interrupted",
    );
}

#[test]
fn exercise_4_retry_starter_fails() {
    starter_fails(|| ex4::check(ex4::ask_with_retries));
}

#[test]
fn exercise_4_retry_rejects_retries_everything() {
    wrong_fails(
        ex4::check(ex4_wrong::retries_everything::ask_with_retries),
        "InvalidInput",
    );
}

#[test]
fn exercise_4_retry_rejects_connect_with_question_mark() {
    wrong_fails(
        ex4::check(ex4_wrong::connect_with_question_mark::ask_with_retries),
        "the first connect is refused",
    );
}

#[test]
fn exercise_4_retry_rejects_connection_errors_only() {
    wrong_fails(
        ex4::check(ex4_wrong::connection_errors_only::ask_with_retries),
        "HostUnreachable",
    );
}

#[test]
fn exercise_4_retry_rejects_all_but_other() {
    wrong_fails(
        ex4::check(ex4_wrong::all_but_other::ask_with_retries),
        "InvalidInput",
    );
}

#[test]
fn exercise_4_retry_rejects_first_error() {
    wrong_fails(
        ex4::check(ex4_wrong::first_error::ask_with_retries),
        "TimedOut, then ConnectionReset",
    );
}

#[test]
fn exercise_5_timeout_starter_fails() {
    starter_fails(|| ex5::check(ex5::wait_for_reply));
}

#[test]
fn exercise_5_timeout_rejects_would_block_only() {
    wrong_fails(
        ex5::check(ex5_wrong::would_block_only::wait_for_reply),
        "a reader failing with TimedOut",
    );
}

#[test]
fn exercise_5_timeout_rejects_every_error() {
    wrong_fails(
        ex5::check(ex5_wrong::every_error::wait_for_reply),
        "reset (resets",
    );
}

#[test]
fn exercise_5_timeout_rejects_linux_errno() {
    wrong_fails(
        ex5::check(ex5_wrong::linux_errno::wait_for_reply),
        "a reader failing with WouldBlock",
    );
}

#[test]
fn exercise_5_timeout_rejects_waits_three_times() {
    wrong_fails(
        ex5::check(ex5_wrong::waits_three_times::wait_for_reply),
        "stall (never answers",
    );
}

#[test]
fn exercise_6_deadline_starter_fails() {
    starter_fails(|| ex6::check(ex6::read_exact_within));
}

#[test]
fn exercise_6_deadline_rejects_late_verdict() {
    wrong_fails(
        ex6::check(ex6_wrong::late_verdict::read_exact_within),
        "30 bytes, budget 100 ms",
    );
}

#[test]
fn exercise_6_deadline_rejects_deadline_between_reads() {
    wrong_fails(
        ex6::check(ex6_wrong::deadline_between_reads::read_exact_within),
        "then silence",
    );
}

#[test]
fn exercise_6_deadline_rejects_zero_timeout() {
    wrong_fails(
        ex6::check(ex6_wrong::zero_timeout::read_exact_within),
        "30 bytes, budget 100 ms: expected a timeout (WouldBlock or TimedOut)",
    );
}

#[test]
fn exercise_6_deadline_rejects_zero_is_nothing_yet() {
    wrong_fails(
        ex6::check(ex6_wrong::zero_is_nothing_yet::read_exact_within),
        "close (closes without answering)",
    );
}

#[test]
fn exercise_6_deadline_rejects_budget_per_byte() {
    wrong_fails(
        ex6::check(ex6_wrong::budget_per_byte::read_exact_within),
        "before the budget was spent",
    );
}

#[test]
fn exercise_7_heartbeat_starter_fails() {
    starter_fails(|| ex7::check(ex7::ping));
}

#[test]
fn exercise_7_heartbeat_rejects_fixed_second() {
    wrong_fails(ex7::check(ex7_wrong::fixed_second::ping), "silent-after:0");
}

#[test]
fn exercise_7_heartbeat_rejects_write_timeout() {
    wrong_fails(ex7::check(ex7_wrong::write_timeout::ping), "silent-after:0");
}

#[test]
fn exercise_7_heartbeat_rejects_any_answer() {
    wrong_fails(
        ex7::check(ex7_wrong::any_answer::ping),
        "echo (answers PING, not PONG)",
    );
}

#[test]
fn exercise_7_heartbeat_rejects_late_verdict() {
    wrong_fails(ex7::check(ex7_wrong::late_verdict::ping), "silent-after:0");
}

#[test]
fn exercise_7_heartbeat_rejects_no_wait() {
    wrong_fails(ex7::check(ex7_wrong::no_wait::ping), "");
}

#[test]
fn exercise_8_backoff_starter_fails() {
    starter_fails(|| ex8::check(ex8::delays));
}

// In a release build `0 - 1` wraps instead of panicking, and the plan
// it makes for 4 billion attempts would exhaust memory.
#[test]
#[cfg(debug_assertions)]
fn exercise_8_backoff_rejects_minus_one() {
    wrong_fails(ex8::check(ex8_wrong::minus_one::delays), "delays(0,");
}

#[test]
fn exercise_8_backoff_rejects_plain_multiplication() {
    wrong_fails(
        ex8::check(ex8_wrong::plain_multiplication::delays),
        "delays(100,",
    );
}

#[test]
fn exercise_8_backoff_rejects_power_of_two() {
    wrong_fails(ex8::check(ex8_wrong::power_of_two::delays), "delays(40,");
}

#[test]
fn exercise_8_backoff_rejects_first_uncapped() {
    wrong_fails(
        ex8::check(ex8_wrong::first_uncapped::delays),
        "delays(4, 300ms, 200ms)",
    );
}

#[test]
fn exercise_8_backoff_rejects_no_bound() {
    wrong_fails(ex8::check(ex8_wrong::no_bound::delays), "delays(101,");
}

#[test]
fn exercise_8_backoff_rejects_wait_after_last() {
    wrong_fails(
        ex8::check(ex8_wrong::wait_after_last::delays),
        "delays(5, 100ms, 500ms)",
    );
}
