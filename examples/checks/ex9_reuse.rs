//! The check of exercise 9, kept apart from the exercise: what a right
//! answer must do, case by case, and the reason a wrong one fails.

use super::*;

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
    // help, or the request never reached the connection.
    for kind in [
        HostUnreachable,
        NetworkDown,
        AddrNotAvailable,
        PermissionDenied,
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
pub fn check(send_again: fn(&Failed, bool) -> bool) -> Result<(), String> {
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
