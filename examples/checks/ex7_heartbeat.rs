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
use reset_by_peer::timeout::{Deadline, again_if_interrupted};

/// The exercise's file, its answer included, as the compiler read it: for
/// the rules every answer keeps (`common::exercise`). It is read here, in
/// the frame, which the file declares before the answer, so that no macro
/// of the answer's can stand in for `include_str!`.
pub const SOURCE: &str = include_str!("../ex7_heartbeat.rs");

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

/// How long the demonstration waits for `ping` to return: twice the safety
/// net, so that a stop and continue (Ctrl-Z, then `fg`) across both
/// deadlines never makes a `ping` that the safety net ended look like one
/// that never returns.
const DEMO_LIMIT: Duration = Duration::from_millis(800);

/// The type of `ping`.
pub type Ping = fn(&mut TcpStream, Duration) -> bool;

/// A peer of one case of the check.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    /// The lab peer, running this script.
    Lab(Script),
    /// A server of the check's own, which answers PING its own way.
    Own(Answers),
}

/// How a server of the check's own answers: it reads the PING line, then
/// sends `pieces`, waiting `pause` before each, and holds the connection
/// open until the client closes it.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Answers {
    /// What the FAIL line calls this server.
    name: &'static str,
    pieces: &'static [&'static [u8]],
    pause: Duration,
}

/// PONG one byte every 60 ms: the whole answer takes longer than TIMEOUT,
/// though no byte keeps the client waiting that long.
const SLOW_PONG: Answers = Answers {
    name: "slow-pong",
    pieces: &[b"P", b"O", b"N", b"G", b"\n"],
    pause: Duration::from_millis(60),
};

/// PONG in three pieces 15 ms apart, all of it well within TIMEOUT: a
/// reply that TCP delivers in pieces is still the reply.
const SPLIT_PONG: Answers = Answers {
    name: "split-pong",
    pieces: &[b"PO", b"NG", b"\n"],
    pause: Duration::from_millis(15),
};

/// PONG without its newline, then nothing: the line never ends.
const UNFINISHED_PONG: Answers = Answers {
    name: "unfinished-pong",
    pieces: &[b"PONG"],
    pause: Duration::ZERO,
};

/// A longer line that begins with PONG: another answer.
const PONG_PONG: Answers = Answers {
    name: "pong-pong",
    pieces: &[b"PONG PONG\n"],
    pause: Duration::ZERO,
};

/// Serves one connection as `answers` says.
fn answer(mut stream: TcpStream, answers: Answers) {
    let _ = stream.set_read_timeout(Some(SAFETY_NET));
    let _ = stream.set_nodelay(true);
    let mut ping = [0u8; 5];
    if stream.read_exact(&mut ping).is_err() {
        return;
    }
    for piece in answers.pieces {
        std::thread::sleep(answers.pause);
        if stream.write_all(piece).is_err() {
            return;
        }
    }
    // Hold the connection open until the client closes it, through a stop
    // and continue: a close here would be an answer of its own.
    let _ = again_if_interrupted(Deadline::after(SAFETY_NET), |left| {
        stream.set_read_timeout(Some(left))?;
        stream.read(&mut [0u8; 1])
    });
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
        Target::Own(answers) => (
            None,
            common::serve_once(move |stream| answer(stream, answers))?,
        ),
    };
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    // The safety net: no read in this exercise waits longer than this. Not
    // a read timeout, which a stop and continue would cut short with
    // Interrupted on Linux, and which `read_exact` would then start again,
    // whole (`common::watchdog`).
    let watch = common::watchdog(&stream, SAFETY_NET)?;
    Ok(common::within(limit, move || {
        let alive = ping(&mut stream, TIMEOUT);
        drop(watch);
        alive
    }))
}

pub fn demo(ping: Ping) -> io::Result<()> {
    for script in [Script::Heartbeat, Script::SilentAfter(0), Script::Reset] {
        match against(Target::Lab(script), ping, DEMO_LIMIT)? {
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
                DEMO_LIMIT.as_millis()
            ),
        }
    }
    Ok(())
}

/// What a case expects of `ping`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// true: a whole PONG line came in time.
    Alive,
    /// false, within the timeout: another answer, a close or a reset.
    Dead,
    /// false, but not before the timeout: until then a PONG line, or the
    /// rest of one, could still come.
    DeadAtTimeout,
}

/// Checks `ping` against a live peer, one whose PONG comes in pieces, a
/// silent one, ones that answer something else or never end their line,
/// one that closes, one that resets, and one too slow.
pub fn check(ping: Ping) -> Result<(), String> {
    use Expect::*;
    let cases = [
        (Target::Lab(Script::Heartbeat), "answers PONG", Alive),
        (
            Target::Own(SPLIT_PONG),
            "answers PONG in 3 pieces 15 ms apart, all within the timeout",
            Alive,
        ),
        (
            Target::Lab(Script::SilentAfter(0)),
            "never answers, never closes",
            DeadAtTimeout,
        ),
        (Target::Lab(Script::Echo), "answers PING, not PONG", Dead),
        (
            Target::Own(UNFINISHED_PONG),
            "answers PONG without its newline, then nothing: the line never ends",
            DeadAtTimeout,
        ),
        (
            Target::Own(PONG_PONG),
            "answers the line PONG PONG: a longer line that begins with PONG is another answer",
            Dead,
        ),
        (Target::Lab(Script::Close), "closes without answering", Dead),
        (Target::Lab(Script::Reset), "resets", Dead),
        (
            Target::Own(SLOW_PONG),
            "answers PONG one byte every 60 ms: the whole answer takes longer than the timeout",
            DeadAtTimeout,
        ),
    ];
    for (target, what, expect) in cases {
        let name = match target {
            Target::Lab(script) => script.to_string(),
            Target::Own(answers) => answers.name.to_string(),
        };
        let case = format!("{name} ({what})");
        let expected = expect == Alive;
        let limit = TIMEOUT + GRACE;
        let run = || against(target, ping, limit).map_err(|e| format!("setting up {case}: {e}"));
        // A peer held up by a loaded machine past the timeout makes even a
        // right `ping` say false: that too earns another run.
        let late = |ran: &Result<Option<(bool, Duration)>, String>| match ran {
            Ok(Some((alive, took))) => *took > limit || (expected && !alive && *took >= TIMEOUT),
            Ok(None) => true,
            Err(_) => false,
        };
        match common::unless_late(run, late)? {
            Some((alive, took)) => judge(&case, expect, alive, took)?,
            None => {
                return Err(format!(
                    "{case}: expected {expected} within the {} ms timeout (at most {} ms on a loaded machine), but ping had not returned after {} ms",
                    TIMEOUT.as_millis(),
                    limit.as_millis(),
                    limit.as_millis()
                ));
            }
        }
    }
    Ok(())
}

/// Judges one case's run: `ping` said `alive` after `took`.
fn judge(case: &str, expect: Expect, alive: bool, took: Duration) -> Result<(), String> {
    let expected = expect == Expect::Alive;
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
    if expect == Expect::DeadAtTimeout && took + EARLY < TIMEOUT {
        return Err(format!(
            "{case}: expected false after the {} ms timeout, but ping gave up after {ms} ms: until then, a PONG line could still have come",
            TIMEOUT.as_millis()
        ));
    }
    Ok(())
}
