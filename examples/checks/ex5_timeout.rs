//! Exercise 5's frame, kept apart from the answer: what the exercise
//! gives (its name, its usage, the types and constants it shares with the
//! answer), the demonstration, and the check: what a right answer must do,
//! case by case, and the reason a wrong one fails. The grader compiles a
//! student's answer against this file, so nothing here depends on it.

use super::common::{self, say};

use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reset_by_peer::peer::{Peer, Script, wait_closed};
use reset_by_peer::timeout::{Deadline, again_if_interrupted};

/// The exercise's file, its answer included, as the compiler read it: for
/// the rules every answer keeps (`common::exercise`). It is read here, in
/// the frame, which the file declares before the answer, so that no macro
/// of the answer's can stand in for `include_str!`.
pub const SOURCE: &str = include_str!("../ex5_timeout.rs");

pub const NAME: &str = "ex5_timeout";
pub const USAGE: &str = "\
usage: cargo run --example ex5_timeout [-- --check]

Exercise 5 (docs/exercises.md): make wait_for_reply recognise a read timeout.
With no argument, shows what it does now; --check says PASS or FAIL.
";

/// The read timeout the exercise sets.
pub const READ_TIMEOUT: Duration = Duration::from_millis(100);

/// How one wait for a reply ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply {
    /// These bytes arrived.
    Data(Vec<u8>),
    /// The peer closed the connection.
    Closed,
    /// Nothing arrived within the read timeout.
    TimedOut,
}

/// The type of `wait_for_reply`.
pub type Wait = fn(&mut dyn Read) -> io::Result<Reply>;

/// How much longer than READ_TIMEOUT a wait may take before the check calls
/// it late: room for a loaded machine, but less than a second timeout.
const GRACE: Duration = Duration::from_millis(90);

/// How long setting a case up may take: connecting, and the peer's answer.
const SETUP: Duration = Duration::from_secs(2);

/// How long the demonstration waits for `wait_for_reply` to return.
const SAFETY_NET: Duration = Duration::from_millis(400);

/// Connects to a fresh lab peer running `script`, sends "hello", and waits
/// on another thread; returns the reply and how long the wait took, or None
/// if it had not returned after `limit`.
fn against(
    script: Script,
    wait: Wait,
    limit: Duration,
) -> io::Result<Option<(io::Result<Reply>, Duration)>> {
    let peer = Peer::start(script)?;
    let mut stream = TcpStream::connect_timeout(&peer.addr(), SETUP)?;
    stream.write_all(b"hello")?;
    // Wait, unhurried, until the peer's answer is here: on a loaded machine
    // its thread may answer after READ_TIMEOUT, and a correct function would
    // then see a timeout it did not cause. `peek` sees bytes and a FIN
    // without taking them, but it would take an RST's error, so a reset is
    // awaited with `wait_closed`; `stall` never answers.
    match script {
        Script::Stall => {}
        Script::Reset => wait_closed(&stream, SETUP)?,
        // A stop and continue (Ctrl-Z, then fg) cuts a peek under a
        // timeout short on Linux: peek again with what is left of it.
        _ => {
            again_if_interrupted(Deadline::after(SETUP), |wait| {
                stream.set_read_timeout(Some(wait))?;
                stream.peek(&mut [0u8; 1])
            })?;
        }
    }
    // The peer stays up until `against` returns.
    Ok(common::within(limit, move || {
        // On Linux a stop and continue (Ctrl-Z, then fg) fails a read under
        // a timeout with Interrupted, which `wait` rightly passes on: its
        // caller, here, calls it again with what is left of the timeout.
        again_if_interrupted(Deadline::after(READ_TIMEOUT), |left| {
            stream.set_read_timeout(Some(left))?;
            wait(&mut stream)
        })
    }))
}

/// A reader that fails every read with an error of `kind`, as a socket whose
/// read timeout expired does on the platform that reports that kind.
struct Failing(ErrorKind);

impl Read for Failing {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        Err(self.0.into())
    }
}

pub fn demo(wait_for_reply: Wait) -> io::Result<()> {
    for script in [Script::Echo, Script::Close, Script::Stall] {
        match against(script, wait_for_reply, SAFETY_NET)? {
            Some((Ok(reply), _)) => say!("{script}: {reply:?}"),
            Some((Err(error), _)) => {
                say!("{script}: an error escaped: {:?}: {error}", error.kind())
            }
            None => say!(
                "{script}: still waiting after {} ms",
                SAFETY_NET.as_millis()
            ),
        }
    }
    Ok(())
}

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
