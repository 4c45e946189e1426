//! Exercise 9's frame, kept apart from the answer: what the exercise
//! gives (its name, its usage, the types and constants it shares with the
//! answer), the demonstration, and the check: what a right answer must do,
//! case by case, and the reason a wrong one fails. The grader compiles a
//! student's answer against this file, so nothing here depends on it.

use super::common::{self, say};

use std::io::{self, ErrorKind};
use std::thread;
use std::time::Duration;

use reset_by_peer::peer::{Peer, Script, ScriptTime};
use reset_by_peer::reuse::{Client, RequestError};
use reset_by_peer::timeout::{Deadline, again_if_interrupted};

/// The type of `send_again`.
pub type SendAgain = fn(&Failed, bool) -> bool;

/// The exercise's file, its answer included, as the compiler read it: for
/// the rules every answer keeps (`common::exercise`). It is read here, in
/// the frame, which the file declares before the answer, so that no macro
/// of the answer's can stand in for `include_str!`.
pub const SOURCE: &str = include_str!("../ex9_reuse.rs");

pub const NAME: &str = "ex9_reuse";
pub const USAGE: &str = "\
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
        // blocking peek returns 0 bytes then (again after a stop and
        // continue, which cuts it short on Linux).
        again_if_interrupted(Deadline::after(BOUND), |wait| {
            stream.set_read_timeout(Some(wait))?;
            stream.peek(&mut [0u8; 1])
        })?;
    }
    match client.naive_request(b"GET /b") {
        Ok(_) => Err(io::Error::other(
            "the stale connection answered; the lab peer did not go stale",
        )),
        Err(failed) => Ok(failed_from(failed)),
    }
}

pub fn demo(send_again: SendAgain) -> io::Result<()> {
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

/// One case of the check: a failure, whether the request is idempotent,
/// and the answer the check expects.
struct Case {
    what: String,
    failed: Failed,
    idempotent: bool,
    expected: bool,
}

/// A made-up failure.
fn failure(reused: bool, sent: usize, received: usize, kind: ErrorKind) -> Failed {
    Failed {
        reused,
        sent,
        received,
        error: io::Error::from(kind),
    }
}

fn case(what: &str, failed: Failed, idempotent: bool, expected: bool) -> Case {
    Case {
        what: what.to_string(),
        failed,
        idempotent,
        expected,
    }
}

fn cases() -> io::Result<Vec<Case>> {
    use ErrorKind::*;
    let idle = ScriptTime::new(IDLE_MS)?;
    // Real failures of a stale connection, from the lab peer; they spend
    // their time idle, so they run side by side.
    let scripts = [
        Script::IdleReset(idle),
        Script::IdleClose(idle),
        Script::IdleReset(idle),
    ];
    let real: Vec<io::Result<Failed>> = thread::scope(|scope| {
        let runs: Vec<_> = scripts
            .into_iter()
            .map(|script| scope.spawn(move || stale_failure(script)))
            .collect();
        runs.into_iter()
            .map(|run| {
                run.join()
                    .unwrap_or_else(|_| Err(io::Error::other("a stale connection's run panicked")))
            })
            .collect()
    });
    let mut real = real.into_iter();
    let mut next = || {
        real.next()
            .unwrap_or_else(|| Err(io::Error::other("a stale connection's run is missing")))
    };
    let mut cases = vec![
        case(
            "idle-reset (a forgotten flow: ConnectionReset on the reused connection), idempotent",
            next()?,
            true,
            true,
        ),
        case(
            "idle-close (a keep-alive timeout: the end of the stream on the reused connection), idempotent",
            next()?,
            true,
            true,
        ),
        case(
            "idle-reset, not idempotent (the request went out; the server may have acted)",
            next()?,
            false,
            false,
        ),
    ];
    // Every way a reused connection is found dead, before any answer.
    for kind in [
        ConnectionReset,
        ConnectionAborted,
        BrokenPipe,
        UnexpectedEof,
        NotConnected,
    ] {
        cases.push(case(
            &format!("{kind:?} on a reused connection, nothing of the answer, idempotent"),
            failure(true, 8, 0, kind),
            true,
            true,
        ));
    }
    cases.extend([
        case(
            "ConnectionReset on a fresh connection, idempotent (not a stale connection: the server's answer)",
            failure(false, 8, 0, ConnectionReset),
            true,
            false,
        ),
        case(
            "ConnectionReset after 3 bytes of the answer, idempotent (the server acted on it)",
            failure(true, 8, 3, ConnectionReset),
            true,
            false,
        ),
        case(
            "TimedOut on a reused connection, idempotent (no sign of a dead connection: the server may be busy)",
            failure(true, 8, 0, TimedOut),
            true,
            false,
        ),
        case(
            "WouldBlock (a read timeout) on a reused connection, idempotent",
            failure(true, 8, 0, WouldBlock),
            true,
            false,
        ),
        case(
            "InvalidInput on a reused connection, idempotent (a mistake, not a stale connection)",
            failure(true, 0, 0, InvalidInput),
            true,
            false,
        ),
    ]);
    // Failures that say nothing of a dead connection: a new one would not
    // help, the request never reached the connection, or (Interrupted) a
    // signal cut the call short.
    for kind in [
        HostUnreachable,
        NetworkDown,
        AddrNotAvailable,
        PermissionDenied,
        Interrupted,
        Other,
    ] {
        cases.push(case(
            &format!("{kind:?} on a reused connection, idempotent (no sign of a dead connection)"),
            failure(true, 8, 0, kind),
            true,
            false,
        ));
    }
    cases.extend([
        case(
            "ConnectionRefused, idempotent (nobody listens: no stale connection)",
            failure(true, 0, 0, ConnectionRefused),
            true,
            false,
        ),
        case(
            "BrokenPipe on a reused connection before one byte was sent, not idempotent (nothing went out: safe)",
            failure(true, 0, 0, BrokenPipe),
            false,
            true,
        ),
    ]);
    Ok(cases)
}

/// Checks `send_again` against real stale connections and every kind of
/// failure that separates a stale connection from the rest.
pub fn check(send_again: SendAgain) -> Result<(), String> {
    let cases = cases().map_err(|error| format!("setting up: {error}"))?;
    for case in cases {
        let got = send_again(&case.failed, case.idempotent);
        if got != case.expected {
            return Err(format!(
                "{}: expected {}, got {got}",
                case.what, case.expected
            ));
        }
    }
    Ok(())
}
