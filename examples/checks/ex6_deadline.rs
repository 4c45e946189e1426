//! The check of exercise 6, kept apart from the exercise: what a right
//! answer must do, case by case, and the reason a wrong one fails.

use super::*;

/// What a case expects `read_exact_within` to return.
#[derive(Clone, Copy)]
enum Expect {
    /// Ok, with the buffer holding these bytes.
    Filled(&'static [u8]),
    /// An error of this kind, before the budget is spent.
    Error(ErrorKind),
    /// A timeout (WouldBlock or TimedOut), once the budget is spent.
    Timeout,
}

/// Checks `read` against peers fast enough, too slow, silent, closing and
/// resetting.
pub fn check(read: ReadWithin) -> Result<(), String> {
    let ms = Duration::from_millis;
    let drip = drip().map_err(|error| format!("cannot start the lab peer: {error}"))?;
    let cases = [
        (
            Server::Lab(Script::Echo),
            "echo (answers at once)",
            5,
            ms(300),
            Expect::Filled(b"hello"),
        ),
        (
            Server::Lab(drip),
            "drip (a byte every 10 ms), 5 bytes in 50 ms",
            5,
            ms(300),
            Expect::Filled(&[DRIP_BYTE; 5]),
        ),
        (
            Server::Lab(Script::Close),
            "close (closes without answering)",
            5,
            ms(300),
            Expect::Error(ErrorKind::UnexpectedEof),
        ),
        (
            Server::Lab(Script::Reset),
            "reset",
            5,
            ms(300),
            Expect::Error(ErrorKind::ConnectionReset),
        ),
        (
            Server::Lab(drip),
            "drip (a byte every 10 ms), 30 bytes",
            WANTED,
            BUDGET,
            Expect::Timeout,
        ),
        // The silence starts well before the deadline, even when a loaded
        // machine slows the drip, so a read that waits a whole budget
        // runs far past it.
        (
            Server::DripThenSilence(15),
            "15 bytes in 150 ms, then silence; 30 bytes",
            WANTED,
            ms(300),
            Expect::Timeout,
        ),
    ];
    for (server, what, wanted, budget, expected) in cases {
        let case = format!("{what}, budget {} ms", budget.as_millis());
        let limit = budget + GRACE;
        let run = || {
            against(server, read, wanted, budget, limit)
                .map_err(|e| format!("setting up {case}: {e}"))
        };
        let late = |ran: &Result<Option<Ran>, String>| match ran {
            Ok(Some((_, _, took, _))) => *took > limit,
            Ok(None) => true,
            Err(_) => false,
        };
        let ran = common::unless_late(run, late)?;
        let Some((result, buf, took, blocks)) = ran else {
            return Err(format!(
                "{case}: expected read_exact_within to return within its budget (at most {} ms on a loaded machine), but it had not returned after {} ms",
                limit.as_millis(),
                limit.as_millis()
            ));
        };
        let ms = took.as_millis();
        match (expected, result) {
            (Expect::Filled(want), Ok(())) => {
                if buf != want {
                    return Err(format!(
                        "{case}: expected the buffer filled with {}, got {}",
                        common::show(want),
                        common::show(&buf)
                    ));
                }
            }
            (Expect::Filled(_), Err(error)) => {
                return Err(format!(
                    "{case}: expected Ok with the buffer filled, got {:?} after {ms} ms",
                    error.kind()
                ));
            }
            (Expect::Error(kind), Err(error)) if error.kind() == kind => {}
            (Expect::Error(kind), Err(error)) => {
                return Err(format!(
                    "{case}: expected the error {kind:?} at once, got {:?} after {ms} ms",
                    error.kind()
                ));
            }
            (Expect::Error(kind), Ok(())) => {
                return Err(format!("{case}: expected the error {kind:?}, got Ok"));
            }
            (Expect::Timeout, Ok(())) => {
                return Err(format!(
                    "{case}: expected a timeout at {} ms, but the read finished after {ms} ms",
                    budget.as_millis()
                ));
            }
            (Expect::Timeout, Err(error))
                if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
            {
                if took + EARLY < budget {
                    return Err(format!(
                        "{case}: expected a timeout at {} ms, but it gave up after {ms} ms, before the budget was spent",
                        budget.as_millis()
                    ));
                }
                if took > budget + GRACE {
                    return Err(format!(
                        "{case}: expected a timeout at {} ms (at most {} ms on a loaded machine), but it took {ms} ms",
                        budget.as_millis(),
                        (budget + GRACE).as_millis()
                    ));
                }
                if !blocks {
                    return Err(format!(
                        "{case}: the timeout came on time, but the socket no longer blocks: a read after it returned at once; wait with read timeouts, do not poll a non-blocking socket"
                    ));
                }
            }
            (Expect::Timeout, Err(error)) => {
                return Err(format!(
                    "{case}: expected a timeout (WouldBlock or TimedOut) at {} ms, got {:?} after {ms} ms: {error}",
                    budget.as_millis(),
                    error.kind()
                ));
            }
        }
    }
    Ok(())
}
