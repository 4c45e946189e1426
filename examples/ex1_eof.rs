//! Exercise 1: tell the end of the stream from a reset.
//!
//! `receive_all` should read until the peer closes the connection and return
//! every byte; a reset must come back as an error, even after some data. As
//! shipped it treats a read of 0 bytes as data, so after the peer closes it
//! spins on `Ok(0)` until its read budget runs out.
//!
//! Show the problem:   cargo run --example ex1_eof
//! Check your change:  cargo run --example ex1_eof -- --check
//! The statement: docs/exercises.md, exercise 1.
//! A hint:             cargo run --example exercises -- --hint 1
//!
//! Your answer is the code between the two markers below: a grader takes
//! those lines, and nothing else, from your copy, so put any `use` you add
//! there too. The demonstration and the check are in
//! `examples/checks/ex1_eof.rs`; they need no change.

#![forbid(unsafe_code)]

// The frame comes first: a macro the answer defines is in scope only
// below it, so it cannot reach the frame.
#[path = "common/mod.rs"]
mod common;

#[path = "checks/ex1_eof.rs"]
mod check;

// >>> exercise 1: your answer begins here >>>
use std::io::{self, Read};
use std::net::TcpStream;

/// More reads than any reply here needs: the budget that keeps the broken
/// loop from spinning for ever.
pub const MAX_READS: usize = 100_000;

/// Reads from `stream` until the peer closes, and returns what arrived.
pub fn receive_all(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut received = Vec::new();
    let mut chunk = [0u8; 1024];
    for _ in 0..MAX_READS {
        let n = stream.read(&mut chunk)?;
        // TODO: a read of 0 bytes is not data. What does it mean, and what
        // should happen then?
        received.extend_from_slice(&chunk[..n]);
    }
    Err(io::Error::other(format!("gave up after {MAX_READS} reads")))
}
// <<< exercise 1: your answer ends here <<<

// `main` follows the answer at once, and uses no macro: an attribute left
// at the end of the answer would fall on it, and break the build.
fn main() {
    common::exercise(
        check::SOURCE,
        check::NAME,
        check::USAGE,
        || check::demo(receive_all),
        || check::check(receive_all),
    );
}
