//! Exercise 6: a deadline. Make a `read_exact` against a dripping peer
//! finish on time.
//!
//! `read_exact_within` should fill `buf`, or give up once `budget` has
//! passed. As shipped it sets the budget as the read timeout, which bounds
//! each `read`, not the whole `read_exact`: a peer that sends a byte every
//! 20 ms never lets it fire.
//!
//! Show the problem:   cargo run --example ex6_deadline
//! Check your change:  cargo run --example ex6_deadline -- --check
//! The statement: docs/exercises.md, exercise 6.
//! A hint:             cargo run --example exercises -- --hint 6
//!
//! Your answer is the code between the two markers below: a grader takes
//! those lines, and nothing else, from your copy, so put any `use` you add
//! there too. The demonstration and the check are in
//! `examples/checks/ex6_deadline.rs`; they need no change.

#![forbid(unsafe_code)]

// The frame comes first: a macro the answer defines is in scope only
// below it, so it cannot reach the frame.
#[path = "common/mod.rs"]
mod common;

#[path = "checks/ex6_deadline.rs"]
mod check;

// >>> exercise 6: your answer begins here >>>
use std::io::{self, Read};
use std::net::TcpStream;
use std::time::Duration;

/// Fills `buf` from `stream`, or fails once `budget` has passed.
pub fn read_exact_within(
    stream: &mut TcpStream,
    buf: &mut [u8],
    budget: Duration,
) -> io::Result<()> {
    // TODO: this timeout restarts with every read. Keep a deadline instead,
    // and give each read only the time that is left.
    stream.set_read_timeout(Some(budget))?;
    stream.read_exact(buf)
}
// <<< exercise 6: your answer ends here <<<

// `main` follows the answer at once, and uses no macro: an attribute left
// at the end of the answer would fall on it, and break the build.
fn main() {
    common::exercise(
        check::SOURCE,
        check::NAME,
        check::USAGE,
        || check::demo(read_exact_within),
        || check::check(read_exact_within),
    );
}
