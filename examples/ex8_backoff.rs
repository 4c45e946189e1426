//! Exercise 8 (bonus): exponential backoff with a cap.
//!
//! `delays` should give the waits between attempts: the first wait, then
//! twice as long each time, but never more than `cap`. As shipped it waits
//! the same time between every attempt, as `reset_by_peer::retry` does.
//!
//! Show the problem:   cargo run --example ex8_backoff
//! Check your change:  cargo run --example ex8_backoff -- --check
//! The statement: docs/exercises.md, exercise 8.
//! A hint:             cargo run --example exercises -- --hint 8
//!
//! Your answer is the code between the two markers below: a grader takes
//! those lines, and nothing else, from your copy, so put any `use` you add
//! there too. The demonstration and the check are in
//! `examples/checks/ex8_backoff.rs`; they need no change.

#![forbid(unsafe_code)]

// The frame comes first: a macro the answer defines is in scope only
// below it, so it cannot reach the frame.
#[path = "common/mod.rs"]
mod common;

#[path = "checks/ex8_backoff.rs"]
mod check;

// >>> exercise 8: your answer begins here >>>
use crate::check::MAX_ATTEMPTS;
use std::io;
use std::time::Duration;

/// The waits between `attempts` attempts: `first`, then doubling, at most
/// `cap`. There is no wait after the last attempt, so 0 or 1 attempts need
/// none. More than MAX_ATTEMPTS attempts is refused with `InvalidInput`.
pub fn delays(attempts: u32, first: Duration, cap: Duration) -> io::Result<Vec<Duration>> {
    // TODO: double the wait each time, never exceed `cap`, and refuse more
    // than MAX_ATTEMPTS attempts.
    let _ = (cap, MAX_ATTEMPTS);
    Ok((1..attempts).map(|_| first).collect())
}
// <<< exercise 8: your answer ends here <<<

// `main` follows the answer at once, and uses no macro: an attribute left
// at the end of the answer would fall on it, and break the build.
fn main() {
    common::exercise(
        check::SOURCE,
        check::NAME,
        check::USAGE,
        || check::demo(delays),
        || check::check(delays),
    );
}
