//! Exercise 7's frame, kept apart from the answer: what the exercise
//! gives (its name, its usage, the types and constants it shares with the
//! answer), the demonstration, and the check: what a right answer must do,
//! case by case, and the reason a wrong one fails. The grader compiles a
//! student's answer against this file, so nothing here depends on it.

use super::common::{self, say};

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reset_by_peer::peer::{Peer, Script};

pub const NAME: &str = "ex7_heartbeat";
pub const USAGE: &str = "\
usage: cargo run --example ex7_heartbeat [-- --check]

Exercise 7 (docs/exercises.md): make ping notice a silent peer within its
timeout. With no argument, shows what it does now; --check says PASS or FAIL.
";

/// How long `ping` may wait for its `PONG`.
pub const TIMEOUT: Duration = Duration::from_millis(100);

/// How much longer than TIMEOUT a `ping` may take before the check calls it
/// late: room for a loaded machine, less than one more timeout.
const GRACE: Duration = Duration::from_millis(80);

/// How much sooner than TIMEOUT a `ping` may give up on a silent peer: a
/// kernel tick (4 ms at HZ=250) and a little more.
const EARLY: Duration = Duration::from_millis(5);

/// How long the exercise lets a `ping` run before it gives up on it.
const SAFETY_NET: Duration = Duration::from_millis(400);

/// The type of `ping`.
pub type Ping = fn(&mut TcpStream, Duration) -> bool;

/// A peer of one case of the check.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    /// The lab peer, running this script.
    Lab(Script),
    /// Answers each PING with PONG, one byte every SLOW_BYTE: the whole
    /// answer takes longer than TIMEOUT, though no byte keeps it waiting
    /// that long.
    SlowPong,
}

/// How far apart the `slow-pong` peer sends the bytes of its answer.
const SLOW_BYTE: Duration = Duration::from_millis(60);

/// Answers one PING line with PONG, byte by byte (the `slow-pong` peer).
fn slow_pong(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(SAFETY_NET));
    let _ = stream.set_nodelay(true);
    let mut ping = [0u8; 5];
    if stream.read_exact(&mut ping).is_err() {
        return;
    }
    for byte in b"PONG\n" {
        std::thread::sleep(SLOW_BYTE);
        if stream.write_all(&[*byte]).is_err() {
            return;
        }
    }
    // Hold the connection open until the client closes it.
    let _ = stream.read(&mut [0u8; 1]);
}

/// Pings a fresh peer on another thread; returns the answer and how long
/// the ping took, or None if it had not returned after `limit`.
fn against(target: Target, ping: Ping, limit: Duration) -> io::Result<Option<(bool, Duration)>> {
    // The lab peer stays up until `against` returns, so a silent peer stays
    // silent for the whole wait.
    let (_peer, addr) = match target {
        Target::Lab(script) => {
            let peer = Peer::start(script)?;
            let addr = peer.addr();
            (Some(peer), addr)
        }
        Target::SlowPong => (None, common::serve_once(slow_pong)?),
    };
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    // The safety net: no read in this exercise waits longer than this.
    stream.set_read_timeout(Some(SAFETY_NET))?;
    Ok(common::within(limit, move || ping(&mut stream, TIMEOUT)))
}

pub fn demo(ping: Ping) -> io::Result<()> {
    for script in [Script::Heartbeat, Script::SilentAfter(0), Script::Reset] {
        match against(Target::Lab(script), ping, SAFETY_NET + GRACE)? {
            Some((alive, took)) if took > TIMEOUT + GRACE => say!(
                "{script}: alive = {alive}, after {} ms: the exercise's {} ms safety net ended the wait, not ping's {} ms timeout",
                took.as_millis(),
                SAFETY_NET.as_millis(),
                TIMEOUT.as_millis()
            ),
            Some((alive, took)) => {
                say!("{script}: alive = {alive}, after {} ms", took.as_millis())
            }
            None => say!(
                "{script}: still waiting after {} ms",
                (SAFETY_NET + GRACE).as_millis()
            ),
        }
    }
    Ok(())
}

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
