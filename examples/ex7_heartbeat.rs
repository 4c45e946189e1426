//! Exercise 7: a heartbeat. Notice a peer that has gone silent.
//!
//! `ping` should send a `PING` line and say whether a `PONG` line came back
//! within `timeout`. As shipped it waits for the answer without any timeout
//! of its own, so a peer that stops answering without closing keeps it
//! waiting: nothing arrives, neither data nor FIN nor RST. (The check adds a
//! safety net so that it ends.)
//!
//! Show the problem:   cargo run --example ex7_heartbeat
//! Check your change:  cargo run --example ex7_heartbeat -- --check
//! The statement: docs/exercises.md, exercise 7.
//! A hint:             cargo run --example exercises -- --hint 7
//!
//! Your answer is the code between the two markers below: a grader takes
//! those lines, and nothing else, from your copy, so put any `use` you add
//! there too. The demonstration and the check are in
//! `examples/checks/ex7_heartbeat.rs`; they need no change.

#![forbid(unsafe_code)]

// The frame comes first: a macro the answer defines is in scope only
// below it, so it cannot reach the frame.
#[path = "common/mod.rs"]
mod common;

#[path = "checks/ex7_heartbeat.rs"]
mod check;

// >>> exercise 7: your answer begins here >>>
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Sends a `PING` line; true if a `PONG` line comes back within `timeout`.
pub fn ping(stream: &mut TcpStream, timeout: Duration) -> bool {
    // TODO: `timeout` is never used, so this waits as long as the peer
    // stays silent. Bound the wait; no answer in time means not alive.
    let _ = timeout;
    if stream.write_all(b"PING\n").is_err() {
        return false;
    }
    let mut answer = [0u8; 5];
    match stream.read_exact(&mut answer) {
        Ok(()) => &answer == b"PONG\n",
        Err(_) => false,
    }
}
// <<< exercise 7: your answer ends here <<<

// `main` follows the answer at once, and uses no macro: an attribute left
// at the end of the answer would fall on it, and break the build.
fn main() {
    common::exercise(
        check::SOURCE,
        check::NAME,
        check::USAGE,
        || check::demo(ping),
        || check::check(ping),
    );
}
