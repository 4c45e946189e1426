//! The check of exercise 7, kept apart from the exercise: what a right
//! answer must do, case by case, and the reason a wrong one fails.

use super::*;

/// Checks `ping` against a live peer, a silent one, one that answers
/// something else, one that closes, and one that resets.
pub fn check(ping: Ping) -> Result<(), String> {
    let cases = [
        (Target::Lab(Script::Heartbeat), "answers PONG", true),
        (
            Target::Lab(Script::SilentAfter(0)),
            "never answers, never closes",
            false,
        ),
        (Target::Lab(Script::Echo), "answers PING, not PONG", false),
        (
            Target::Lab(Script::Close),
            "closes without answering",
            false,
        ),
        (Target::Lab(Script::Reset), "resets", false),
        (
            Target::SlowPong,
            "answers PONG one byte every 60 ms: the whole answer takes longer than the timeout",
            false,
        ),
    ];
    for (target, what, expected) in cases {
        let name = match target {
            Target::Lab(script) => script.to_string(),
            Target::SlowPong => "slow-pong".to_string(),
        };
        let case = format!("{name} ({what})");
        let limit = TIMEOUT + GRACE;
        let run = || against(target, ping, limit).map_err(|e| format!("setting up {case}: {e}"));
        // A peer held up by a loaded machine past the timeout makes even a
        // right `ping` say false: that too earns another run.
        let late = |ran: &Result<Option<(bool, Duration)>, String>| match ran {
            Ok(Some((alive, took))) => *took > limit || (expected && !alive && *took >= TIMEOUT),
            Ok(None) => true,
            Err(_) => false,
        };
        let ran = common::unless_late(run, late)?;
        let Some((alive, took)) = ran else {
            return Err(format!(
                "{case}: expected {expected} within the {} ms timeout (at most {} ms on a loaded machine), but ping had not returned after {} ms",
                TIMEOUT.as_millis(),
                limit.as_millis(),
                limit.as_millis()
            ));
        };
        let ms = took.as_millis();
        if alive != expected {
            return Err(format!(
                "{case}: expected {expected}, got {alive} after {ms} ms"
            ));
        }
        if took > TIMEOUT + GRACE {
            return Err(format!(
                "{case}: expected an answer within the {} ms timeout (at most {} ms on a loaded machine), took {ms} ms",
                TIMEOUT.as_millis(),
                (TIMEOUT + GRACE).as_millis()
            ));
        }
        if !expected && target == Target::Lab(Script::SilentAfter(0)) && took + EARLY < TIMEOUT {
            return Err(format!(
                "{case}: expected false after the {} ms timeout, but ping gave up after {ms} ms",
                TIMEOUT.as_millis()
            ));
        }
    }
    Ok(())
}
