//! Exercise 4's frame, kept apart from the answer: what the exercise
//! gives (its name, its usage, the types and constants it shares with the
//! answer), the demonstration, and the check: what a right answer must do,
//! case by case, and the reason a wrong one fails. The grader compiles a
//! student's answer against this file, so nothing here depends on it.

use super::common::{self, say};

use std::cell::Cell;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

use reset_by_peer::errno::{Platform, by_name};
use reset_by_peer::peer::{Peer, Script, refused_addr};

/// The exercise's file, its answer included, as the compiler read it: for
/// the rules every answer keeps (`common::exercise`). It is read here, in
/// the frame, which the file declares before the answer, so that no macro
/// of the answer's can stand in for `include_str!`.
pub const SOURCE: &str = include_str!("../ex4_retry.rs");

pub const NAME: &str = "ex4_retry";
pub const USAGE: &str = "\
usage: cargo run --example ex4_retry [-- --check]

Exercise 4 (docs/exercises.md): make ask_with_retries reconnect for each
attempt. With no argument, shows what it does now; --check says PASS or FAIL.
";

/// The bound on every blocking call here.
const BOUND: Duration = Duration::from_secs(2);

/// Connects to `addr`, every call bounded.
fn connect_to(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, BOUND)?;
    stream.set_read_timeout(Some(BOUND))?;
    stream.set_write_timeout(Some(BOUND))?;
    Ok(stream)
}

/// Sends `hello` on `stream`, says it is complete, and reads the answer
/// until the peer closes: the conversation the demonstration and the check
/// have with the lab peer.
fn say_hello(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    stream.write_all(b"hello")?;
    // If the peer has already reset the connection, this fails with
    // NotConnected; the read below reports the reset itself.
    let _ = stream.shutdown(Shutdown::Write);
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    Ok(answer)
}

pub fn demo(ask_with_retries: Ask) -> io::Result<()> {
    // The first two connections are reset; the third is answered.
    let peer = Peer::start(Script::Flaky(2))?;
    say!("flaky:2 resets its first two connections; 3 attempts:");
    let connects = Cell::new(0);
    let talks = Cell::new(0);
    let result = ask_with_retries(
        3,
        &mut || {
            connects.set(connects.get() + 1);
            say!("  connect {}", connects.get());
            connect_to(peer.addr())
        },
        &mut |stream| {
            talks.set(talks.get() + 1);
            let result = say_hello(stream);
            match &result {
                Ok(answer) => {
                    say!("  attempt {}: answer {}", talks.get(), common::show(answer))
                }
                Err(error) => say!("  attempt {}: {:?}", talks.get(), error.kind()),
            }
            result
        },
    );
    match result {
        Ok(answer) => say!("ask_with_retries: answer {}", common::show(&answer)),
        Err(error) => say!("ask_with_retries failed: {:?}: {error}", error.kind()),
    }
    Ok(())
}

/// The type of `ask_with_retries`.
pub type Ask = fn(
    u32,
    &mut dyn FnMut() -> io::Result<TcpStream>,
    &mut dyn FnMut(&mut TcpStream) -> io::Result<Vec<u8>>,
) -> io::Result<Vec<u8>>;

/// What one call of `ask_with_retries` did.
struct Run {
    result: io::Result<Vec<u8>>,
    connects: usize,
    failed_connects: usize,
    talks: usize,
}

/// Runs `ask` against `addr`: its first connects fail with `connect_errors`
/// (a `None` is a real refused connect) and its first conversations with
/// `talk_errors`; after them, each connect and each conversation with
/// `addr` is real.
fn run(
    ask: Ask,
    attempts: u32,
    addr: SocketAddr,
    connect_errors: Vec<Option<io::Error>>,
    talk_errors: Vec<io::Error>,
) -> Run {
    let connects = Cell::new(0);
    let failed_connects = Cell::new(0);
    let talks = Cell::new(0);
    let mut connect_errors = connect_errors.into_iter();
    let mut talk_errors = talk_errors.into_iter();
    let result = ask(
        attempts,
        &mut || {
            connects.set(connects.get() + 1);
            // A function that connects without counting its connects would
            // go on for ever: stop it, with an error no retry fixes.
            if connects.get() > attempts as usize + 10 {
                failed_connects.set(failed_connects.get() + 1);
                return Err(io::Error::other(
                    "the check stopped connecting: far more connects than attempts",
                ));
            }
            let result = match connect_errors.next() {
                Some(Some(error)) => Err(error),
                Some(None) => refused_addr().and_then(connect_to),
                None => connect_to(addr),
            };
            if result.is_err() {
                failed_connects.set(failed_connects.get() + 1);
            }
            result
        },
        &mut |stream| {
            talks.set(talks.get() + 1);
            match talk_errors.next() {
                Some(error) => Err(error),
                None => say_hello(stream),
            }
        },
    );
    Run {
        result,
        connects: connects.get(),
        failed_connects: failed_connects.get(),
        talks: talks.get(),
    }
}

/// The answer of the lab peer's echo to `say_hello`.
const ANSWER: &[u8] = b"hello";

/// What a case expects `ask_with_retries` to return.
enum Expect {
    /// The answer.
    Answer,
    /// An error of this kind.
    Error(ErrorKind),
    /// Some error, whatever its kind: no attempt was made.
    AnyError,
}

/// One case of the check: what happens, and what `ask_with_retries` should
/// make of it.
struct Case {
    what: String,
    attempts: u32,
    /// A lab peer of its own, or the shared echo peer.
    script: Option<Script>,
    connect_errors: Vec<Option<io::Error>>,
    talk_errors: Vec<io::Error>,
    /// What should come back.
    expected: Expect,
    /// How many connections it should open.
    connects: usize,
}

/// A case against the shared echo peer.
fn made(
    what: impl Into<String>,
    attempts: u32,
    connect_errors: Vec<Option<io::Error>>,
    talk_errors: Vec<io::Error>,
    expected: Expect,
    connects: usize,
) -> Case {
    Case {
        what: what.into(),
        attempts,
        script: None,
        connect_errors,
        talk_errors,
        expected,
        connects,
    }
}

/// The kernel's ETIMEDOUT, with its errno, where the crate knows the number.
fn kernel_timeout() -> Option<io::Error> {
    let number = by_name("ETIMEDOUT")?.number(Platform::current()?)?;
    Some(io::Error::from_raw_os_error(number))
}

fn cases() -> Vec<Case> {
    let flaky = |what: &str, attempts, expected, connects| Case {
        script: Some(Script::Flaky(2)),
        ..made(what, attempts, vec![], vec![], expected, connects)
    };
    let mut cases = vec![
        flaky(
            "flaky:2 (resets its first 2 connections), 3 attempts",
            3,
            Expect::Answer,
            3,
        ),
        flaky(
            "flaky:2 (resets its first 2 connections), 2 attempts: the last error",
            2,
            Expect::Error(ErrorKind::ConnectionReset),
            2,
        ),
        made(
            "the first connect is refused, 3 attempts",
            3,
            vec![None],
            vec![],
            Expect::Answer,
            2,
        ),
        made(
            "every connect is refused, 3 attempts: a failed connect is a failed attempt",
            3,
            vec![None, None, None, None, None, None],
            vec![],
            Expect::Error(ErrorKind::ConnectionRefused),
            3,
        ),
    ];
    // Failures a new connection could fix, once each, then an answer.
    let mut fixable: Vec<(String, Option<io::Error>, Option<io::Error>)> = Vec::new();
    for kind in [
        ErrorKind::HostUnreachable,
        ErrorKind::NetworkUnreachable,
        ErrorKind::NetworkDown,
        ErrorKind::AddrNotAvailable,
    ] {
        fixable.push((
            format!("connect fails with {kind:?}"),
            Some(kind.into()),
            None,
        ));
    }
    for kind in [
        ErrorKind::WouldBlock,
        ErrorKind::TimedOut,
        ErrorKind::ConnectionAborted,
        ErrorKind::BrokenPipe,
        ErrorKind::UnexpectedEof,
        ErrorKind::NotConnected,
        ErrorKind::Interrupted,
    ] {
        fixable.push((
            format!("the conversation fails with {kind:?}"),
            None,
            Some(kind.into()),
        ));
    }
    if let Some(error) = kernel_timeout() {
        fixable.push((
            "the conversation fails with the kernel's ETIMEDOUT".to_string(),
            None,
            Some(error),
        ));
    }
    for (what, connect_error, talk_error) in fixable {
        let connect_errors: Vec<_> = connect_error.into_iter().map(Some).collect();
        let talk_errors: Vec<_> = talk_error.into_iter().collect();
        cases.push(made(
            format!("{what} once (a new connection could fix it), 2 attempts"),
            2,
            connect_errors,
            talk_errors,
            Expect::Answer,
            2,
        ));
    }
    // Failures no new connection fixes: give up at once.
    for kind in [
        ErrorKind::InvalidInput,
        ErrorKind::PermissionDenied,
        ErrorKind::InvalidData,
        ErrorKind::Other,
    ] {
        cases.push(made(
            format!(
                "the conversation fails with {kind:?} (no new connection fixes that), 3 attempts"
            ),
            3,
            vec![],
            vec![kind.into()],
            Expect::Error(kind),
            1,
        ));
    }
    cases.push(made(
        "connect fails with AddrInUse (no new connection fixes that), 3 attempts",
        3,
        vec![Some(ErrorKind::AddrInUse.into())],
        vec![],
        Expect::Error(ErrorKind::AddrInUse),
        1,
    ));
    cases.push(made(
        "TimedOut, then ConnectionReset, 2 attempts: the last error",
        2,
        vec![],
        vec![
            ErrorKind::TimedOut.into(),
            ErrorKind::ConnectionReset.into(),
        ],
        Expect::Error(ErrorKind::ConnectionReset),
        2,
    ));
    cases.push(made(
        "an answer at once, 3 attempts",
        3,
        vec![],
        vec![],
        Expect::Answer,
        1,
    ));
    cases.push(made("0 attempts", 0, vec![], vec![], Expect::AnyError, 0));
    cases
}

/// Says what a result is, for a FAIL line.
fn describe(result: &io::Result<Vec<u8>>) -> String {
    match result {
        Ok(answer) => format!("Ok({})", common::show(answer)),
        Err(error) => format!("Err({:?})", error.kind()),
    }
}

/// Checks `ask` against a peer that resets its first connections, and
/// against each kind of failure, fixable or not.
pub fn check(ask: Ask) -> Result<(), String> {
    let echo = Peer::start(Script::Echo).map_err(|e| format!("setting up: {e}"))?;
    for case in cases() {
        // A case with a script of its own gets a fresh lab peer, stopped
        // when `_own` is dropped at the end of the case.
        let _own;
        let addr = match case.script {
            Some(script) => {
                let peer = Peer::start(script).map_err(|e| format!("setting up: {e}"))?;
                let addr = peer.addr();
                _own = peer;
                addr
            }
            None => echo.addr(),
        };
        let ran = run(
            ask,
            case.attempts,
            addr,
            case.connect_errors,
            case.talk_errors,
        );
        let right_result = match (&case.expected, &ran.result) {
            (Expect::Answer, Ok(got)) => got == ANSWER,
            (Expect::Error(want), Err(got)) => *want == got.kind(),
            (Expect::AnyError, Err(_)) => true,
            _ => false,
        };
        let expected = match case.expected {
            Expect::Answer => format!("Ok({})", common::show(ANSWER)),
            Expect::Error(kind) => format!("Err({kind:?})"),
            Expect::AnyError => "an error".to_string(),
        };
        if !right_result || ran.connects != case.connects {
            return Err(format!(
                "{}: expected {expected} after {} connection(s), got {} after {}",
                case.what,
                case.connects,
                describe(&ran.result),
                ran.connects
            ));
        }
        // Each conversation needs a connection of its own.
        let opened = ran.connects - ran.failed_connects;
        if ran.talks != opened {
            return Err(format!(
                "{}: expected one conversation on each of the {opened} connection(s) opened, got {} conversation(s)",
                case.what, ran.talks
            ));
        }
    }
    Ok(())
}
