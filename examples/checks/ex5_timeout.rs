//! The check of exercise 5, kept apart from the exercise: what a right
//! answer must do, case by case, and the reason a wrong one fails.

use super::*;

/// Where a case's reply comes from.
#[derive(Clone, Copy)]
enum Source {
    /// The lab peer, running this script.
    Lab(Script),
    /// A reader that fails with this kind.
    Fails(ErrorKind),
}

/// Checks `wait` against a peer that answers, one that closes, one that
/// never answers, one that resets, and a timeout of either kind.
pub fn check(wait: Wait) -> Result<(), String> {
    let cases = [
        (
            Source::Lab(Script::Echo),
            "answers",
            Ok(Reply::Data(b"hello".to_vec())),
        ),
        (
            Source::Lab(Script::Close),
            "closes without answering",
            Ok(Reply::Closed),
        ),
        (
            Source::Lab(Script::Stall),
            "never answers: the read timeout expires",
            Ok(Reply::TimedOut),
        ),
        (
            Source::Fails(ErrorKind::WouldBlock),
            "a read timeout as Unix reports it",
            Ok(Reply::TimedOut),
        ),
        (
            Source::Fails(ErrorKind::TimedOut),
            "a read timeout as Windows reports it",
            Ok(Reply::TimedOut),
        ),
        (
            Source::Lab(Script::Reset),
            "resets: an error, not a timeout",
            Err(ErrorKind::ConnectionReset),
        ),
        (
            Source::Fails(ErrorKind::BrokenPipe),
            "the connection had ended: an error, not a timeout",
            Err(ErrorKind::BrokenPipe),
        ),
        (
            Source::Fails(ErrorKind::ConnectionAborted),
            "aborted on this side: an error, not a timeout",
            Err(ErrorKind::ConnectionAborted),
        ),
    ];
    for (source, what, expected) in cases {
        let name = match source {
            Source::Lab(script) => script.to_string(),
            Source::Fails(kind) => format!("a reader failing with {kind:?}"),
        };
        let limit = READ_TIMEOUT + GRACE;
        let run = || match source {
            Source::Lab(script) => {
                against(script, wait, limit).map_err(|e| format!("setting up {name}: {e}"))
            }
            Source::Fails(kind) => Ok(common::within(limit, move || wait(&mut Failing(kind)))),
        };
        let late = |ran: &Result<Option<(io::Result<Reply>, Duration)>, String>| match ran {
            Ok(Some((_, took))) => *took > limit,
            Ok(None) => true,
            Err(_) => false,
        };
        let ran = common::unless_late(run, late)?;
        let want = match &expected {
            Ok(reply) => format!("{reply:?}"),
            Err(kind) => format!("the error {kind:?}"),
        };
        let Some((got, took)) = ran else {
            return Err(format!(
                "{name} ({what}): expected {want} within the {} ms read timeout (at most {} ms on a loaded machine), but wait_for_reply had not returned after {} ms",
                READ_TIMEOUT.as_millis(),
                limit.as_millis(),
                limit.as_millis()
            ));
        };
        match (expected, got) {
            (Ok(reply), Ok(got)) if reply == got => {}
            (Err(kind), Err(got)) if kind == got.kind() => {}
            (_, Ok(got)) => return Err(format!("{name} ({what}): expected {want}, got {got:?}")),
            (_, Err(error)) => {
                return Err(format!(
                    "{name} ({what}): expected {want}, but the error {:?} escaped",
                    error.kind()
                ));
            }
        }
        if took > READ_TIMEOUT + GRACE {
            return Err(format!(
                "{name} ({what}): expected an answer within the {} ms read timeout, took {} ms",
                READ_TIMEOUT.as_millis(),
                took.as_millis()
            ));
        }
    }
    Ok(())
}
