//! Wrong but plausible answers to the classroom exercises, each of which its
//! exercise's check must reject, at the case that models its mistake.
//!
//! This test is the folder `tests/wrong/` itself (cargo builds
//! `tests/NAME/main.rs` as the test NAME), one module per exercise, one
//! module inside it per mistake, with a comment saying which mistake it
//! models. The checks come from `examples/checks/`, the same code a student
//! runs with `-- --check` and the grader compiles; nothing here includes a
//! student's answer, so a student's work never changes this test.
//! `cargo run --example exercises -- --handout DIR` leaves this folder out
//! of the students' copy, with `tests/solutions/`.
//!
//! That every starter, as shipped, fails its check is checked by `.ci/run`:
//! the board must show 0 of 9.

#[path = "../../examples/common/mod.rs"]
mod common;

#[path = "../lessons/support.rs"]
mod support;

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

/// A wrong fix: its name, its check, and the case that models its mistake.
type Wrong = (&'static str, fn() -> Result<(), String>, &'static str);

/// How many runs a wrong fix gets to show its mistake. On a loaded machine
/// a timed case can miss it by luck (a peer held up past the timeout makes
/// a wrong wait look right) or catch it at an earlier timed case; on a
/// quiet run the mistake shows every time.
const RUNS: usize = 3;

/// How many runs a wrong fix gets under Wine, where a run may also be lost
/// to a reset read as the end of the stream (`support::WINE_READS_RESET_AS_EOF`).
const WINE_RUNS: usize = 12;

/// Every wrong fix must fail its check, at the case that models its mistake:
/// its FAIL line contains that case, in one of `RUNS` runs. The checks run
/// side by side, since they spend their time waiting on sockets.
fn wrong_fixes_fail(fixes: &[Wrong]) {
    let problems: Vec<String> = std::thread::scope(|scope| {
        let runs: Vec<_> = fixes
            .iter()
            .map(|&(name, check, case)| {
                scope.spawn(move || {
                    let mut outcome = check();
                    for run in 1..WINE_RUNS {
                        match &outcome {
                            Err(what) if what.contains(case) => break,
                            // Under Wine a reset may be read as an end of
                            // stream at an earlier case: that run shows nothing.
                            Err(what) if support::wine_may_have_read_a_reset_as_eof(what) => {}
                            // A stop and continue (Ctrl-Z, `fg`) made a read
                            // fail with Interrupted (Linux, signal(7)): that
                            // run shows nothing either.
                            Err(what) if what.contains("Interrupted") => {}
                            _ if run >= RUNS => break,
                            _ => {}
                        }
                        outcome = check();
                    }
                    (name, outcome, case)
                })
            })
            .collect();
        runs.into_iter()
            .filter_map(|run| match run.join().unwrap() {
                (_, Err(what), case) if what.contains(case) => None,
                (name, Err(what), _) if support::wine_may_have_read_a_reset_as_eof(&what) => {
                    support::skip_on_wine(name, support::WINE_READS_RESET_AS_EOF);
                    None
                }
                (name, Err(what), case) => {
                    Some(format!("{name} fails, but not at `{case}`: {what}"))
                }
                (name, Ok(()), _) => Some(format!("{name} passes the check")),
            })
            .collect()
    });
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn exercise_1_eof_rejects_wrong_fixes() {
    wrong_fixes_fail(&[
        (
            "single_read",
            || ex1::check(ex1_eof::single_read::receive_all),
            "chunks (answers in 3 pieces",
        ),
        (
            "short_read_ends",
            || ex1::check(ex1_eof::short_read_ends::receive_all),
            "chunks (answers in 3 pieces",
        ),
        (
            "error_is_the_end",
            || ex1::check(ex1_eof::error_is_the_end::receive_all),
            "reset (resets)",
        ),
        (
            "keeps_data_before_a_reset",
            || ex1::check(ex1_eof::keeps_data_before_a_reset::receive_all),
            "hello-reset",
        ),
        (
            "one_fixed_buffer",
            || ex1::check(ex1_eof::one_fixed_buffer::receive_all),
            "long (answers 100000 bytes",
        ),
        (
            "capacity_is_not_length",
            || ex1::check(ex1_eof::capacity_is_not_length::receive_all),
            "echo (echoes hello, then closes): expected Ok(\"hello\"), got Ok(\"\")",
        ),
        (
            "empty_reply_is_an_error",
            || ex1::check(ex1_eof::empty_reply_is_an_error::receive_all),
            "close (closes without answering)",
        ),
        (
            "reads_again_after_an_error",
            || ex1::check(ex1_eof::reads_again_after_an_error::receive_all),
            "reset (resets)",
        ),
        (
            "read_to_end_keeps_the_part",
            || ex1::check(ex1_eof::read_to_end_keeps_the_part::receive_all),
            "hello-reset",
        ),
    ]);
}

#[test]
fn exercise_2_errno_rejects_wrong_fixes() {
    wrong_fixes_fail(&[
        (
            "socket_table_only",
            || ex2::check(ex2_errno::socket_table_only::same_error),
            "same_error(54, Linux, 54, Linux)",
        ),
        (
            "meanings_equal",
            || ex2::check(ex2_errno::meanings_equal::same_error),
            "same_error(40, Linux, 41, Linux)",
        ),
        (
            "one_platform",
            || ex2::check(ex2_errno::one_platform::same_error),
            "same_error(54, MacOs, 104, Linux)",
        ),
        (
            "platform_spelling",
            || ex2::check(ex2_errno::platform_spelling::same_error),
            "same_error(10054, Windows, 131, LinuxMips)",
        ),
        (
            "unnamed_equal_anywhere",
            || ex2::check(ex2_errno::unnamed_equal_anywhere::same_error),
            "same_error(40, Linux, 40, MacOs)",
        ),
        (
            "equal_numbers_first",
            || ex2::check(ex2_errno::equal_numbers_first::same_error),
            "same_error(54, Linux, 54, MacOs)",
        ),
        (
            "named_here",
            || ex2::check(ex2_errno::named_here::same_error),
            "same_error(54, MacOs, 104, Linux)",
        ),
        (
            "compares_descriptions",
            || ex2::check(ex2_errno::compares_descriptions::same_error),
            "same_error(35, Linux, 11, LinuxAlpha)",
        ),
    ]);
}

#[test]
fn exercise_3_except_rejects_wrong_fixes() {
    // Each wrong answer is a file; the check reads its code, `SOURCE`, and
    // runs its function.
    wrong_fixes_fail(&[
        (
            "unless_connection_error",
            || {
                use ex3_except::unless_connection_error::{SOURCE, still_usable};
                ex3::check(SOURCE, still_usable)
            },
            // Windows has no case of the kernel's ETIMEDOUT (there, its number
            // is a read timeout's too): the next mistake shows.
            if cfg!(windows) {
                "UnexpectedEof"
            } else {
                "TimedOut with errno"
            },
        ),
        (
            "every_timeout",
            || {
                use ex3_except::every_timeout::{SOURCE, still_usable};
                ex3::check(SOURCE, still_usable)
            },
            if cfg!(windows) {
                "Interrupted"
            } else {
                "TimedOut with errno"
            },
        ),
        (
            "would_block_only",
            || {
                use ex3_except::would_block_only::{SOURCE, still_usable};
                ex3::check(SOURCE, still_usable)
            },
            "TimedOut with no errno",
        ),
        (
            "deny_list",
            || {
                use ex3_except::deny_list::{SOURCE, still_usable};
                ex3::check(SOURCE, still_usable)
            },
            "InvalidInput",
        ),
        (
            "forgets_interrupted",
            || {
                use ex3_except::forgets_interrupted::{SOURCE, still_usable};
                ex3::check(SOURCE, still_usable)
            },
            "Interrupted",
        ),
        (
            "eagain_only",
            || {
                use ex3_except::eagain_only::{SOURCE, still_usable};
                ex3::check(SOURCE, still_usable)
            },
            "WouldBlock with no errno",
        ),
        (
            "hard_coded_errno",
            || {
                use ex3_except::hard_coded_errno::{SOURCE, still_usable};
                ex3::check(SOURCE, still_usable)
            },
            // Where ETIMEDOUT is another number (macOS, FreeBSD), running
            // the function shows the mistake; on Linux and Windows, only
            // its code does.
            if cfg!(any(target_os = "linux", windows)) {
                "your answer's code holds the number 110:"
            } else {
                "TimedOut with errno"
            },
        ),
        (
            "errno_as_a_character",
            || {
                use ex3_except::errno_as_a_character::{SOURCE, still_usable};
                ex3::check(SOURCE, still_usable)
            },
            if cfg!(any(target_os = "linux", windows)) {
                "your answer's code holds the character 'n':"
            } else {
                "TimedOut with errno"
            },
        ),
        (
            "os_error_in_message",
            || {
                use ex3_except::os_error_in_message::{SOURCE, still_usable};
                ex3::check(SOURCE, still_usable)
            },
            "your answer's code holds the string \"os error\":",
        ),
        (
            "message_text",
            || {
                use ex3_except::message_text::{SOURCE, still_usable};
                ex3::check(SOURCE, still_usable)
            },
            "TimedOut with no errno and a message of its own",
        ),
        (
            "no_errno_is_ours",
            || {
                use ex3_except::no_errno_is_ours::{SOURCE, still_usable};
                ex3::check(SOURCE, still_usable)
            },
            // Windows has no real read timeout among the cases (there it is
            // TimedOut with an errno): an abort, which has no errno, shows.
            if cfg!(windows) {
                "ConnectionAborted"
            } else {
                "a read timeout that expired (WouldBlock)"
            },
        ),
    ]);
}

#[test]
fn exercise_4_retry_rejects_wrong_fixes() {
    wrong_fixes_fail(&[
        (
            "retries_everything",
            || ex4::check(ex4_retry::retries_everything::ask_with_retries),
            "InvalidInput",
        ),
        (
            "connect_with_question_mark",
            || ex4::check(ex4_retry::connect_with_question_mark::ask_with_retries),
            "the first connect is refused",
        ),
        (
            "connection_errors_only",
            || ex4::check(ex4_retry::connection_errors_only::ask_with_retries),
            "HostUnreachable",
        ),
        (
            "all_but_other",
            || ex4::check(ex4_retry::all_but_other::ask_with_retries),
            "InvalidInput",
        ),
        (
            "first_error",
            || ex4::check(ex4_retry::first_error::ask_with_retries),
            "TimedOut, then ConnectionReset",
        ),
        (
            "connects_without_counting",
            || ex4::check(ex4_retry::connects_without_counting::ask_with_retries),
            "every connect is refused",
        ),
        (
            "one_attempt_short",
            || ex4::check(ex4_retry::one_attempt_short::ask_with_retries),
            "flaky:2 (resets its first 2 connections), 3 attempts:",
        ),
        (
            "retries_only_dead_connections",
            || ex4::check(ex4_retry::retries_only_dead_connections::ask_with_retries),
            "the conversation fails with WouldBlock once",
        ),
        (
            "connect_refused_only",
            || ex4::check(ex4_retry::connect_refused_only::ask_with_retries),
            "connect fails with HostUnreachable once",
        ),
    ]);
}

#[test]
fn exercise_5_timeout_rejects_wrong_fixes() {
    wrong_fixes_fail(&[
        (
            "would_block_only",
            || ex5::check(ex5_timeout::would_block_only::wait_for_reply),
            // On Windows the real stalled read is already TimedOut.
            if cfg!(windows) {
                "stall (never answers"
            } else {
                "a reader failing with TimedOut"
            },
        ),
        (
            "every_error",
            || ex5::check(ex5_timeout::every_error::wait_for_reply),
            "reset (resets",
        ),
        (
            "linux_errno",
            || ex5::check(ex5_timeout::linux_errno::wait_for_reply),
            if cfg!(windows) {
                "stall (never answers"
            } else {
                "a reader failing with WouldBlock"
            },
        ),
        (
            "waits_three_times",
            || ex5::check(ex5_timeout::waits_three_times::wait_for_reply),
            "stall (never answers",
        ),
        (
            "reset_is_the_only_error",
            || ex5::check(ex5_timeout::reset_is_the_only_error::wait_for_reply),
            "a reader failing with BrokenPipe",
        ),
        (
            "zero_bytes_is_a_timeout",
            || ex5::check(ex5_timeout::zero_bytes_is_a_timeout::wait_for_reply),
            "close (closes without answering): expected Closed, got TimedOut",
        ),
        (
            "timeout_as_an_error",
            || ex5::check(ex5_timeout::timeout_as_an_error::wait_for_reply),
            "stall (never answers: the read timeout expires): expected TimedOut, but the error TimedOut escaped",
        ),
    ]);
}

#[test]
fn exercise_6_deadline_rejects_wrong_fixes() {
    let mut fixes: Vec<Wrong> = vec![
        (
            "late_verdict",
            || ex6::check(ex6_deadline::late_verdict::read_exact_within),
            "15 bytes, budget 100 ms",
        ),
        (
            "deadline_between_reads",
            || ex6::check(ex6_deadline::deadline_between_reads::read_exact_within),
            "then silence",
        ),
        (
            "zero_timeout",
            || ex6::check(ex6_deadline::zero_timeout::read_exact_within),
            "15 bytes, budget 100 ms: expected a timeout (WouldBlock or TimedOut)",
        ),
        (
            "zero_is_nothing_yet",
            || ex6::check(ex6_deadline::zero_is_nothing_yet::read_exact_within),
            "close (closes without answering)",
        ),
        (
            "budget_per_byte",
            || ex6::check(ex6_deadline::budget_per_byte::read_exact_within),
            // A budget per byte fails where the bytes come slower than it,
            // which on a loaded machine can be an earlier case: any FAIL.
            "",
        ),
        (
            "spins_non_blocking",
            || ex6::check(ex6_deadline::spins_non_blocking::read_exact_within),
            "no longer blocks",
        ),
        (
            "zero_is_done",
            || ex6::check(ex6_deadline::zero_is_done::read_exact_within),
            "close (closes without answering), budget 300 ms: expected the error UnexpectedEof, got Ok",
        ),
        (
            "timeout_of_kind_other",
            || ex6::check(ex6_deadline::timeout_of_kind_other::read_exact_within),
            "15 bytes, budget 100 ms: expected a timeout (WouldBlock or TimedOut) at 100 ms, got Other",
        ),
    ];
    // On Windows an expired timer is TimedOut, which ends zero_timeout's
    // loop before it can ask for a zero timeout: there it is a right answer.
    if cfg!(windows) {
        fixes.retain(|(name, _, _)| *name != "zero_timeout");
    }
    wrong_fixes_fail(&fixes);
}

#[test]
fn exercise_7_heartbeat_rejects_wrong_fixes() {
    wrong_fixes_fail(&[
        (
            "fixed_second",
            || ex7::check(ex7_heartbeat::fixed_second::ping),
            "silent-after:0",
        ),
        (
            "write_timeout",
            || ex7::check(ex7_heartbeat::write_timeout::ping),
            "silent-after:0",
        ),
        (
            "any_answer",
            || ex7::check(ex7_heartbeat::any_answer::ping),
            "echo (answers PING, not PONG)",
        ),
        (
            "late_verdict",
            || ex7::check(ex7_heartbeat::late_verdict::ping),
            "silent-after:0",
        ),
        ("no_wait", || ex7::check(ex7_heartbeat::no_wait::ping), ""),
        (
            "timeout_per_byte",
            || ex7::check(ex7_heartbeat::timeout_per_byte::ping),
            "slow-pong",
        ),
        (
            "one_read",
            || ex7::check(ex7_heartbeat::one_read::ping),
            "split-pong",
        ),
        (
            "pong_without_newline",
            || ex7::check(ex7_heartbeat::pong_without_newline::ping),
            "unfinished-pong (answers PONG without its newline, then nothing: the line never ends): expected false, got true",
        ),
        (
            "ignores_the_read_error",
            || ex7::check(ex7_heartbeat::ignores_the_read_error::ping),
            "unfinished-pong (answers PONG without its newline, then nothing: the line never ends): expected false, got true",
        ),
        (
            "line_starts_with_pong",
            || ex7::check(ex7_heartbeat::line_starts_with_pong::ping),
            "pong-pong",
        ),
    ]);
}

#[test]
fn exercise_8_backoff_rejects_wrong_fixes() {
    wrong_fixes_fail(&[
        // In a release build `0 - 1` wraps instead of panicking, and the
        // plan it makes for 4 billion attempts would exhaust memory.
        #[cfg(debug_assertions)]
        (
            "minus_one",
            || ex8::check(ex8_backoff::minus_one::delays),
            "delays(0,",
        ),
        (
            "plain_multiplication",
            || ex8::check(ex8_backoff::plain_multiplication::delays),
            "delays(100,",
        ),
        (
            "power_of_two",
            || ex8::check(ex8_backoff::power_of_two::delays),
            "delays(40,",
        ),
        (
            "first_uncapped",
            || ex8::check(ex8_backoff::first_uncapped::delays),
            "delays(4, 300ms, 200ms)",
        ),
        (
            "no_bound",
            || ex8::check(ex8_backoff::no_bound::delays),
            "delays(101,",
        ),
        (
            "wait_after_last",
            || ex8::check(ex8_backoff::wait_after_last::delays),
            "delays(5, 100ms, 500ms)",
        ),
        (
            "refuses_the_most",
            || ex8::check(ex8_backoff::refuses_the_most::delays),
            "delays(100, 1ns,",
        ),
        (
            "doubles_the_first",
            || ex8::check(ex8_backoff::doubles_the_first::delays),
            "wait 1 is 200ms, expected 100ms",
        ),
        (
            "whole_milliseconds",
            || ex8::check(ex8_backoff::whole_milliseconds::delays),
            "wait 1 is 0ns, expected 1ns",
        ),
    ]);
}

#[test]
fn exercise_9_reuse_rejects_wrong_fixes() {
    wrong_fixes_fail(&[
        (
            "whenever_idempotent",
            || ex9::check(ex9_reuse::whenever_idempotent::send_again),
            "on a fresh connection",
        ),
        (
            "ignores_idempotency",
            || ex9::check(ex9_reuse::ignores_idempotency::send_again),
            "not idempotent (the request went out",
        ),
        (
            "reset_only",
            || ex9::check(ex9_reuse::reset_only::send_again),
            "idle-close",
        ),
        (
            "timeouts_too",
            || ex9::check(ex9_reuse::timeouts_too::send_again),
            "TimedOut on a reused connection",
        ),
        (
            "any_connection",
            || ex9::check(ex9_reuse::any_connection::send_again),
            "on a fresh connection",
        ),
        (
            "never_unless_idempotent",
            || ex9::check(ex9_reuse::never_unless_idempotent::send_again),
            "before one byte was sent",
        ),
        (
            "deny_list",
            || ex9::check(ex9_reuse::deny_list::send_again),
            "HostUnreachable on a reused connection",
        ),
        (
            "after_part_of_the_answer",
            || ex9::check(ex9_reuse::after_part_of_the_answer::send_again),
            "after 3 bytes of the answer",
        ),
        (
            "interrupted_too",
            || ex9::check(ex9_reuse::interrupted_too::send_again),
            "Interrupted on a reused connection",
        ),
    ]);
}
