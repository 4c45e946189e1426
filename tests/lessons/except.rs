//! Python's exception classes for real errors from the lab peer, and the
//! PEP 3151 table.

use crate::support;

use std::io::{self, ErrorKind, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::support::{BOUND, client};
use assert_matches::assert_matches;
use reset_by_peer::errno::Platform;
use reset_by_peer::except::{PyClass, PyError, narrate};
use reset_by_peer::failure::Failure;
use reset_by_peer::peer::{Peer, Script, refused_addr};

#[test]
fn a_real_reset_is_connection_reset_error() {
    if support::skip_on_wine(
        "a_real_reset_is_connection_reset_error",
        support::WINE_READS_RESET_AS_EOF,
    ) {
        return;
    }
    let peer = Peer::start(Script::Reset).unwrap();
    let mut stream = client(peer.addr());
    stream.write_all(b"Hello").unwrap();
    let error = support::read(&stream, &mut [0u8; 64]).unwrap_err();
    let python = PyError::of(&error);
    assert_eq!(python.class, PyClass::ConnectionResetError);
    assert!(python.is_a(PyClass::ConnectionError));
    assert_eq!(Failure::of(&error), Failure::Reset);
}

#[test]
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn a_real_reset_prints_as_python_prints_it_on_linux() {
    let peer = Peer::start(Script::Reset).unwrap();
    let mut stream = client(peer.addr());
    stream.write_all(b"Hello").unwrap();
    let error = support::read(&stream, &mut [0u8; 64]).unwrap_err();
    assert_eq!(
        PyError::of(&error).to_string(),
        "ConnectionResetError: [Errno 104] Connection reset by peer"
    );
    assert_eq!(
        narrate(&error),
        "ConnectionReset (errno 104, ECONNRESET on Linux); Python: ConnectionResetError: [Errno 104] Connection reset by peer"
    );
}

#[test]
#[cfg(target_os = "linux")]
fn the_send_after_a_reset_is_broken_pipe_error_which_is_a_connection_error() {
    let (_peer, mut stream) = support::reset_client(Script::Reset);
    let first = stream.write_all(b"y").unwrap_err();
    let second = stream.write_all(b"y").unwrap_err();
    assert_eq!(PyClass::of(&first), PyClass::ConnectionResetError);
    let class = PyClass::of(&second);
    assert_eq!(class, PyClass::BrokenPipeError);
    // `except ConnectionResetError` misses it; `except ConnectionError` does not.
    assert!(!class.is_a(PyClass::ConnectionResetError));
    assert!(class.is_a(PyClass::ConnectionError));
    assert_eq!(Failure::of(&second), Failure::Closed);
}

/// What every platform shares: each send after a reset raises a
/// `ConnectionError`, whichever subclass this platform gives
/// (`support::sends_after_reset`), so only `except ConnectionError` (or
/// `OSError`) catches them all.
#[test]
fn every_send_after_a_reset_is_a_connection_error_on_every_platform() {
    let (_peer, mut stream) = support::reset_client(Script::Reset);
    let (first, later) = support::sends_after_reset();
    for allowed in [first, later, later] {
        let error = stream.write_all(b"y").unwrap_err();
        assert!(allowed.contains(&error.kind()), "{error:?}");
        let class = PyClass::of(&error);
        assert!(class.is_a(PyClass::ConnectionError), "{class:?}");
    }
}

#[test]
fn a_real_refusal_is_connection_refused_error() {
    let error = TcpStream::connect_timeout(&refused_addr().unwrap(), BOUND).unwrap_err();
    assert_eq!(PyClass::of(&error), PyClass::ConnectionRefusedError);
    assert_eq!(Failure::of(&error), Failure::Refused);
    assert!(Failure::Refused.worth_a_new_attempt());
}

#[test]
fn a_read_timeout_is_blocking_io_by_errno_but_timeout_error_for_a_socket() {
    let peer = Peer::start(Script::Stall).unwrap();
    let stream = client(peer.addr());
    stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    // The error is the lesson, so the read is made again only after a stop
    // and continue's `Interrupted` (`support::read`), within its timeout.
    let error = support::read(&stream, &mut [0u8; 64]).unwrap_err();
    assert_matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut);
    // On Unix the raw errno is EAGAIN, which PEP 3151 calls BlockingIOError.
    #[cfg(unix)]
    assert_eq!(PyClass::of(&error), PyClass::BlockingIOError);
    // The socket has a timeout set, so Python's socket would say TimeoutError.
    let python = PyError::for_socket(&error, &stream);
    assert_eq!(python.to_string(), "TimeoutError: timed out");
    assert_eq!(python.errno, None);
    assert_eq!(Failure::of_timed(&error), Failure::TimedOut);
    assert!(Failure::TimedOut.connection_usable());
}

#[test]
fn a_would_block_without_a_timeout_stays_blocking_io_error() {
    let peer = Peer::start(Script::Stall).unwrap();
    let stream = TcpStream::connect_timeout(&peer.addr(), BOUND).unwrap();
    let error = io::Error::from(ErrorKind::WouldBlock);
    assert_eq!(
        PyError::for_socket(&error, &stream).class,
        PyClass::BlockingIOError
    );
}

#[test]
fn the_hierarchy_has_connection_error_under_os_error() {
    use PyClass::*;
    for class in [
        BrokenPipeError,
        ConnectionAbortedError,
        ConnectionRefusedError,
        ConnectionResetError,
    ] {
        assert_eq!(class.parent(), Some(ConnectionError));
        assert!(class.is_a(ConnectionError) && class.is_a(OSError) && class.is_a(class));
    }
    for class in [
        TimeoutError,
        BlockingIOError,
        InterruptedError,
        PermissionError,
        FileNotFoundError,
    ] {
        assert_eq!(class.parent(), Some(OSError));
        assert!(!class.is_a(ConnectionError));
    }
    assert_eq!(ConnectionError.parent(), Some(OSError));
    assert!(!OSError.is_a(ConnectionError));
    assert!(!ConnectionResetError.is_a(BrokenPipeError));
}

/// CPython 3.11's classes for OSError(errno, ...) on Linux x86_64, from
/// `docs/facts.md` (PEP 3151). Every errno not listed is a plain OSError.
#[test]
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn pep_3151_mapping_holds_for_every_linux_errno_1_to_133() {
    use PyClass::*;
    let listed = [
        (1, PermissionError),
        (13, PermissionError),
        (2, FileNotFoundError),
        (3, ProcessLookupError),
        (4, InterruptedError),
        (10, ChildProcessError),
        (11, BlockingIOError),
        (114, BlockingIOError),
        (115, BlockingIOError),
        (17, FileExistsError),
        (20, NotADirectoryError),
        (21, IsADirectoryError),
        (32, BrokenPipeError),
        (108, BrokenPipeError),
        (103, ConnectionAbortedError),
        (104, ConnectionResetError),
        (111, ConnectionRefusedError),
        (110, TimeoutError),
    ];
    for errno in 1..=133 {
        let expected = listed
            .iter()
            .find(|(n, _)| *n == errno)
            .map_or(OSError, |(_, c)| *c);
        assert_eq!(
            PyClass::for_errno(errno, Platform::Linux),
            expected,
            "errno {errno}"
        );
        // The same holds for a real io::Error carrying that errno here.
        assert_eq!(
            PyClass::of(&io::Error::from_raw_os_error(errno)),
            expected,
            "errno {errno}"
        );
    }
}

#[test]
fn the_same_reset_has_the_same_class_under_each_platforms_number() {
    let numbers = [
        (Platform::Linux, 104),
        (Platform::LinuxMips, 131),
        (Platform::LinuxSparc, 54),
        (Platform::LinuxAlpha, 54),
        (Platform::MacOs, 54),
        (Platform::FreeBsd, 54),
        (Platform::Windows, 10054),
    ];
    for (platform, number) in numbers {
        assert_eq!(
            PyClass::for_errno(number, platform),
            PyClass::ConnectionResetError,
            "{platform}"
        );
    }
    assert_eq!(PyClass::for_errno(54, Platform::Linux), PyClass::OSError);
    assert_eq!(PyClass::for_errno(104, Platform::MacOs), PyClass::OSError);
}

#[test]
fn errors_without_an_errno_are_judged_by_kind() {
    let cases = [
        (
            ErrorKind::ConnectionReset,
            PyClass::ConnectionResetError,
            Failure::Reset,
        ),
        (
            ErrorKind::BrokenPipe,
            PyClass::BrokenPipeError,
            Failure::Closed,
        ),
        (
            ErrorKind::ConnectionRefused,
            PyClass::ConnectionRefusedError,
            Failure::Refused,
        ),
        (
            ErrorKind::ConnectionAborted,
            PyClass::ConnectionAbortedError,
            Failure::Aborted,
        ),
        (
            ErrorKind::TimedOut,
            PyClass::TimeoutError,
            Failure::TimedOut,
        ),
        (
            ErrorKind::WouldBlock,
            PyClass::BlockingIOError,
            Failure::TimedOut,
        ),
        (
            ErrorKind::Interrupted,
            PyClass::InterruptedError,
            Failure::Interrupted,
        ),
        (ErrorKind::InvalidInput, PyClass::OSError, Failure::Other),
        (
            ErrorKind::PermissionDenied,
            PyClass::PermissionError,
            Failure::Other,
        ),
        (
            ErrorKind::AddrNotAvailable,
            PyClass::OSError,
            Failure::NoLocalAddress,
        ),
    ];
    for (kind, class, failure) in cases {
        let error = io::Error::new(kind, "made up");
        assert_eq!(PyClass::of(&error), class, "{kind:?}");
        assert_eq!(Failure::of(&error), failure, "{kind:?}");
        assert_eq!(PyError::of(&error).to_string(), format!("{class}: made up"));
    }
}

#[test]
fn a_sweep_of_raw_codes_through_the_classifier_never_panics() {
    // Every number any table here holds (Linux's, up to mips' 1133, and
    // Winsock's 10004 to 11031), a margin around them, and the extremes.
    let codes = (-100..=1_300).chain(9_900..=11_100).chain([
        i32::MIN,
        i32::MIN + 1,
        i32::MAX - 1,
        i32::MAX,
    ]);
    for code in codes {
        let error = io::Error::from_raw_os_error(code);
        let _ = PyError::of(&error).to_string();
        let _ = narrate(&error);
        let _ = Failure::of(&error);
        for platform in Platform::ALL {
            let _ = PyClass::for_errno(code, platform);
        }
    }
}
