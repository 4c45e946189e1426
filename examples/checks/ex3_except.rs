//! The check of exercise 3, kept apart from the exercise: what a right
//! answer must do, case by case, and the reason a wrong one fails.

use super::*;

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
        stream.set_read_timeout(Some(SHORT))?;
        let timeout = match stream.read(&mut [0u8; 8]) {
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

/// Checks `usable` against real errors and errors made from their kinds.
pub fn check(usable: fn(&io::Error) -> bool) -> Result<(), String> {
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
    Ok(())
}
