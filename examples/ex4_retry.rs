//! Exercise 4: retry. The article's loop retries on the socket that was
//! reset; make it reconnect.
//!
//! `ask_with_retries` should try up to `attempts` times to get an answer,
//! each time on a new connection, and retry only the failures a new
//! connection could fix. As shipped it connects once and retries on that
//! same socket, so after a reset its next try fails with BrokenPipe.
//!
//! Show the problem:   cargo run --example ex4_retry
//! Check your change:  cargo run --example ex4_retry -- --check
//! The statement: docs/exercises.md, exercise 4.
//! A hint:             cargo run --example exercises -- --hint 4
//!
//! Your answer is the code between the two markers below: a grader takes
//! those lines, and nothing else, from your copy, so put any `use` you add
//! there too. The demonstration and the check are in
//! `examples/checks/ex4_retry.rs`; they need no change.

#![forbid(unsafe_code)]

// The frame comes first: a macro the answer defines is in scope only
// below it, so it cannot reach the frame.
#[path = "common/mod.rs"]
mod common;

#[path = "checks/ex4_retry.rs"]
mod check;

// >>> exercise 4: your answer begins here >>>
use std::io::{self, ErrorKind};
use std::net::TcpStream;

/// Tries up to `attempts` times to get an answer. `connect` opens a new
/// connection to the server; `talk` has the whole conversation on one
/// connection and returns the answer.
pub fn ask_with_retries(
    attempts: u32,
    connect: &mut dyn FnMut() -> io::Result<TcpStream>,
    talk: &mut dyn FnMut(&mut TcpStream) -> io::Result<Vec<u8>>,
) -> io::Result<Vec<u8>> {
    // TODO: one connection for every attempt: after a reset, that
    // connection is dead for good. And a reset is not the only failure a
    // new connection could fix.
    let mut stream = connect()?;
    let mut last = io::Error::other("no attempt was made");
    for _ in 1..=attempts {
        match talk(&mut stream) {
            Ok(answer) => return Ok(answer),
            Err(error) if error.kind() == ErrorKind::ConnectionReset => last = error,
            Err(error) => return Err(error),
        }
    }
    Err(last)
}
// <<< exercise 4: your answer ends here <<<

// `main` follows the answer at once, and uses no macro: an attribute left
// at the end of the answer would fall on it, and break the build.
fn main() {
    common::exercise(
        check::SOURCE,
        check::NAME,
        check::USAGE,
        || check::demo(ask_with_retries),
        || check::check(ask_with_retries),
    );
}
