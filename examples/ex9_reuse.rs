//! Exercise 9: a kept-open connection went stale. Send the request again,
//! but only when that is safe.
//!
//! A client that keeps its connection open between requests finds out that
//! the server (or a load balancer) gave up on it only when it uses it
//! again: the request goes out, and the answer is a reset or the end of the
//! stream. `send_again` decides whether to send the request once more, on a
//! fresh connection. As shipped it never does, so the demonstration fails
//! a request that a fresh connection would have answered.
//!
//! Show the problem:   cargo run --example ex9_reuse
//! Check your change:  cargo run --example ex9_reuse -- --check
//! The statement: docs/exercises.md, exercise 9.
//! A hint:             cargo run --example exercises -- --hint 9

#[path = "common/mod.rs"]
mod common;

use common::say;

use std::io::{self, ErrorKind};
use std::thread;
use std::time::Duration;

use reset_by_peer::peer::{Peer, Script, ScriptTime};
use reset_by_peer::reuse::{Client, RequestError};

const NAME: &str = "ex9_reuse";
const USAGE: &str = "\
usage: cargo run --example ex9_reuse [-- --check]

Exercise 9 (docs/exercises.md): make send_again decide when a request that
failed on a kept-open connection may be sent once more on a fresh one.
With no argument, shows what it does now; --check says PASS or FAIL.
";

/// A request that failed: on which connection, how far it got, and why.
pub struct Failed {
    /// Whether the connection had carried a request before this one.
    pub reused: bool,
    /// How many bytes of the request had been sent.
    pub sent: usize,
    /// How many bytes of the answer had arrived.
    pub received: usize,
    /// What the failing call returned; a read of 0 bytes (the end of the
    /// stream) before the whole answer shows as `UnexpectedEof`.
    pub error: io::Error,
}

/// Whether to send the failed request once more, on a fresh connection.
/// `idempotent` says whether the request is safe to repeat.
pub fn send_again(failed: &Failed, idempotent: bool) -> bool {
    // TODO: a stale connection is worth one more try on a fresh one; but
    // which failures show a stale connection, and when is a second copy of
    // the request safe?
    let _ = (failed, idempotent);
    false
}

/// How long the idle scripts let a connection sit, in the demonstration and
/// the check.
const IDLE_MS: u64 = 30;

/// How long each step of a request may take.
const BOUND: Duration = Duration::from_secs(2);

/// What the library's client reported, as this exercise sees it.
fn failed_from(error: RequestError) -> Failed {
    Failed {
        reused: error.reused,
        sent: error.sent,
        received: error.received.len(),
        error: error.error,
    }
}

/// One request on a kept connection that went stale while idle: the
/// failure, as `send_again` gets it.
fn stale_failure(script: Script) -> io::Result<Failed> {
    let peer = Peer::start(script)?;
    let mut client = Client::new(peer.addr(), BOUND);
    client.naive_request(b"GET /a")?;
    // The connection sits idle for longer than the peer keeps it; the
    // peer judges by the clock, so this sleep is the idleness itself.
    thread::sleep(Duration::from_millis(IDLE_MS * 3));
    if let (Script::IdleClose(_), Some(stream)) = (script, client.kept()) {
        // Wait until the peer's FIN has reached the kept connection: a
        // blocking peek returns 0 bytes then.
        stream.set_read_timeout(Some(BOUND))?;
        stream.peek(&mut [0u8; 1])?;
    }
    match client.naive_request(b"GET /b") {
        Ok(_) => Err(io::Error::other(
            "the stale connection answered; the lab peer did not go stale",
        )),
        Err(failed) => Ok(failed_from(failed)),
    }
}

fn demo() -> io::Result<()> {
    let idle = ScriptTime::new(IDLE_MS)?;
    let peer = Peer::start(Script::IdleReset(idle))?;
    say!(
        "A kept-open connection through a load balancer that forgets it after {IDLE_MS} ms (idle-reset):"
    );
    let mut client = Client::new(peer.addr(), BOUND);
    client.naive_request(b"GET /a")?;
    say!(
        "  GET /a answered; the connection sits idle for {} ms",
        IDLE_MS * 3
    );
    thread::sleep(Duration::from_millis(IDLE_MS * 3));
    let failed = match client.naive_request(b"GET /b") {
        Ok(_) => {
            say!("  GET /b answered on the kept connection: it was not stale after all");
            return Ok(());
        }
        Err(failed) => failed_from(failed),
    };
    say!(
        "  GET /b on the reused connection: {:?} after {} of its bytes went out, {} of the answer came",
        failed.error.kind(),
        failed.sent,
        failed.received
    );
    if send_again(&failed, true) {
        match client.naive_request(b"GET /b") {
            Ok(answer) => say!(
                "  send_again said yes: answered on a fresh connection: {}",
                common::show(&answer)
            ),
            Err(error) => say!("  send_again said yes, and the fresh connection failed: {error}"),
        }
    } else {
        say!("  send_again said no: GET, which is safe to repeat, fails for good");
    }
    Ok(())
}

#[path = "checks/ex9_reuse.rs"]
mod check;
pub use check::check;

fn main() {
    common::exercise(NAME, USAGE, demo, || check(send_again));
}
