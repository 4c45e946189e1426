//! Exercise 5: a read timeout that arrives as WouldBlock.
//!
//! `wait_for_reply` should tell apart a reply, the peer's clean close, a
//! read timeout, and an error. As shipped it looks for `ErrorKind::TimedOut`
//! only, as a Python programmer would expect; on Unix an expired read
//! timeout is `WouldBlock`.
//!
//! Show the problem:   cargo run --example ex5_timeout
//! Check your change:  cargo run --example ex5_timeout -- --check
//! The statement: docs/exercises.md, exercise 5.
//! A hint:             cargo run --example exercises -- --hint 5
//!
//! Your answer is the code between the two markers below: a grader takes
//! those lines, and nothing else, from your copy, so put any `use` you add
//! there too. The demonstration and the check are in
//! `examples/checks/ex5_timeout.rs`; they need no change.

#![forbid(unsafe_code)]

// The frame comes first: a macro the answer defines is in scope only
// below it, so it cannot reach the frame.
#[path = "common/mod.rs"]
mod common;

#[path = "checks/ex5_timeout.rs"]
mod check;

// >>> exercise 5: your answer begins here >>>
use crate::check::Reply;
use std::io::{self, ErrorKind, Read};

/// Waits up to the stream's read timeout for a reply.
pub fn wait_for_reply(stream: &mut dyn Read) -> io::Result<Reply> {
    let mut buf = [0u8; 1024];
    match stream.read(&mut buf) {
        Ok(0) => Ok(Reply::Closed),
        Ok(n) => Ok(Reply::Data(buf[..n].to_vec())),
        // TODO: which kinds does an expired read timeout come as?
        Err(error) if error.kind() == ErrorKind::TimedOut => Ok(Reply::TimedOut),
        Err(error) => Err(error),
    }
}
// <<< exercise 5: your answer ends here <<<

// `main` follows the answer at once, and uses no macro: an attribute left
// at the end of the answer would fall on it, and break the build.
fn main() {
    common::exercise(
        check::SOURCE,
        check::NAME,
        check::USAGE,
        || check::demo(wait_for_reply),
        || check::check(wait_for_reply),
    );
}
