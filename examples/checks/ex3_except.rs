//! Exercise 3's frame, kept apart from the answer: what the exercise
//! gives (its name, its usage, the types and constants it shares with the
//! answer), the demonstration, and the check: what a right answer must do,
//! case by case, and the reason a wrong one fails. The grader compiles a
//! student's answer against this file, so nothing here depends on it.

use super::common::code::Token;
use super::common::{self, say};

use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reset_by_peer::errno::{Platform, by_name};
use reset_by_peer::peer::{Peer, Script, refused_addr};
use reset_by_peer::timeout::{Deadline, again_if_interrupted};

/// The type of `still_usable`.
pub type StillUsable = fn(&io::Error) -> bool;

/// The exercise's file, its answer included, as the compiler read it: for
/// the rules every answer keeps (`common::exercise`). It is read here, in
/// the frame, which the file declares before the answer, so that no macro
/// of the answer's can stand in for `include_str!`.
pub const SOURCE: &str = include_str!("../ex3_except.rs");

pub const NAME: &str = "ex3_except";
pub const USAGE: &str = "\
usage: cargo run --example ex3_except [-- --check]

Exercise 3 (docs/exercises.md): make still_usable say whether a connection
may be used again after an error. With no argument, shows what it does now;
--check says PASS or FAIL.
";

const BOUND: Duration = Duration::from_secs(2);

/// The read timeout of the stalled connection in the check: short, since
/// only the kind of error matters.
const SHORT: Duration = Duration::from_millis(20);

/// Real errors from the lab peer: the sends after a reset.
fn sends_after_a_reset(sends: usize) -> io::Result<Vec<io::Error>> {
    let peer = Peer::start(Script::Reset)?;
    let mut stream = TcpStream::connect_timeout(&peer.addr(), BOUND)?;
    stream.set_write_timeout(Some(BOUND))?;
    stream.write_all(b"x")?;
    // Wait until the peer has reset the connection.
    peer.wait_finished(1, BOUND)?;
    reset_by_peer::peer::wait_closed(&stream, BOUND)?;
    Ok((0..sends)
        .filter_map(|_| stream.write_all(b"hello").err())
        .collect())
}

pub fn demo(still_usable: StillUsable) -> io::Result<()> {
    say!("A handler that catches every error, as Strategy 1 does, sends 3 times after a reset:");
    for (n, error) in sends_after_a_reset(3)?.iter().enumerate() {
        let verdict = if still_usable(error) {
            "caught; still_usable says carry on with this socket"
        } else {
            "caught; still_usable says this connection is finished: open a new one"
        };
        say!("send {}: {:?}: {verdict}", n + 1, error.kind());
    }
    Ok(())
}

/// One case: an error, what it is, and the answer the check expects.
struct Case {
    error: io::Error,
    what: String,
    usable: bool,
}

fn case(error: io::Error, what: &str, usable: bool) -> Case {
    Case {
        error,
        what: what.to_string(),
        usable,
    }
}

/// Errors from real sockets: the sends after a reset, a refused connect,
/// and (on Unix) a read timeout.
fn real_cases() -> io::Result<Vec<Case>> {
    let mut cases = Vec::new();
    for (n, error) in sends_after_a_reset(2)?.into_iter().enumerate() {
        let what = format!("send {} after a reset ({:?})", n + 1, error.kind());
        cases.push(case(error, &what, false));
    }
    let refused = match TcpStream::connect_timeout(&refused_addr()?, BOUND) {
        Err(error) => error,
        Ok(_) => return Err(io::Error::other("somebody listens on the refused address")),
    };
    cases.push(case(
        refused,
        "a refused connect: there is no connection",
        false,
    ));
    // On Windows an expired read timeout is WSAETIMEDOUT, which leaves the
    // socket in an indeterminate state; the lesson here is Unix's.
    if cfg!(unix) {
        let peer = Peer::start(Script::Stall)?;
        let mut stream = TcpStream::connect_timeout(&peer.addr(), BOUND)?;
        // Read again only after a stop and continue's Interrupted (Ctrl-Z,
        // then fg, on Linux), with what is left: the timeout is the case.
        let read = again_if_interrupted(Deadline::after(SHORT), |wait| {
            stream.set_read_timeout(Some(wait))?;
            stream.read(&mut [0u8; 8])
        });
        let timeout = match read {
            Err(error) => error,
            Ok(_) => return Err(io::Error::other("the stalled peer answered")),
        };
        cases.push(case(
            timeout,
            "a read timeout that expired (WouldBlock)",
            true,
        ));
    }
    Ok(cases)
}

/// Errors made from a kind (or a raw errno), as std and the crate make them.
fn made_cases() -> Vec<Case> {
    let kind = |kind: ErrorKind| io::Error::from(kind);
    let mut cases = vec![
        case(
            kind(ErrorKind::TimedOut),
            "TimedOut with no errno: a timer of the program's own ran out (connect_timeout, a deadline)",
            true,
        ),
        case(
            io::Error::new(ErrorKind::TimedOut, "the budget is spent"),
            "TimedOut with no errno and a message of its own: a deadline of the program's own",
            true,
        ),
        case(
            kind(ErrorKind::WouldBlock),
            "WouldBlock with no errno: an expired timeout, known by its kind and not by Linux's EAGAIN (11)",
            true,
        ),
        case(
            kind(ErrorKind::Interrupted),
            "Interrupted: a signal cut the call short; call it again",
            true,
        ),
        case(
            kind(ErrorKind::ConnectionAborted),
            "ConnectionAborted",
            false,
        ),
        case(
            kind(ErrorKind::UnexpectedEof),
            "UnexpectedEof: the peer closed in the middle of a message",
            false,
        ),
        case(
            kind(ErrorKind::NotConnected),
            "NotConnected: the connection is already gone",
            false,
        ),
        case(
            kind(ErrorKind::InvalidInput),
            "InvalidInput: trust a connection again only after the errors known to leave it intact",
            false,
        ),
        case(
            io::Error::other("something else"),
            "an error of kind Other: trust a connection again only after the errors known to leave it intact",
            false,
        ),
    ];
    // The kernel's ETIMEDOUT carries its errno: TCP gave up on the
    // connection. (On Windows the same number is also a read timeout.) It
    // goes right after the timeout of the program's own, its twin.
    let kernel = Platform::current()
        .filter(|platform| *platform != Platform::Windows)
        .and_then(|platform| by_name("ETIMEDOUT")?.number(platform));
    if let Some(number) = kernel {
        let at = cases.len().min(1);
        cases.insert(
            at,
            case(
                io::Error::from_raw_os_error(number),
                &format!(
                    "TimedOut with errno {number} (ETIMEDOUT): the kernel gave up on the connection"
                ),
                false,
            ),
        );
    }
    cases
}

/// Reads the answer's code: a number or a string in it is a decision made
/// by a number or a message text, which differ between platforms.
fn check_source(source: &str) -> Result<(), String> {
    let code =
        common::answer(source, 3).map_err(|why| format!("cannot find your answer: {why}"))?;
    let literal = common::code::tokens(code)
        .into_iter()
        .find_map(|token| match token {
            Token::Number(text) | Token::Str(text) | Token::Char(text) => Some(text),
            Token::Word(_) => None,
        });
    let Some(literal) = literal else {
        return Ok(());
    };
    let rule = "decide by the error's kind and whether it has an errno";
    if literal.starts_with('"') {
        let mut shown: String = literal.chars().take(40).collect();
        if shown.len() < literal.len() {
            shown.push_str("...");
        }
        return Err(format!(
            "your answer's code holds the string {shown}: messages differ between platforms (std's own timer says \"timed out\", Linux's ETIMEDOUT \"Connection timed out (os error 110)\", Windows another sentence); {rule}, not by a text"
        ));
    }
    if literal.starts_with('\'') {
        return Err(format!(
            "your answer's code holds the character {literal}: a character is a number too ('n' as i32 is 110), and errno numbers differ between platforms; {rule}, not by a number"
        ));
    }
    Err(format!(
        "your answer's code holds the number {literal}: errno numbers differ between platforms (ETIMEDOUT is 110 on Linux, 60 on macOS and FreeBSD, 10060 on Windows); {rule}, not by a number"
    ))
}

/// Checks the answer: `usable` gives the right answer for real errors and
/// errors made from their kinds, and then its code, read from `source`
/// (the whole file, markers included), holds no number and no string.
pub fn check(source: &str, usable: StillUsable) -> Result<(), String> {
    let mut cases = real_cases().map_err(|e| format!("setting up: {e}"))?;
    cases.extend(made_cases());
    for case in cases {
        let got = usable(&case.error);
        if got != case.usable {
            return Err(format!(
                "{}: expected still_usable = {}, got {got}",
                case.what, case.usable
            ));
        }
    }
    // On Linux no io::Error tells a comparison with ETIMEDOUT's number from
    // the right answer: only the code shows it.
    check_source(source)
}
