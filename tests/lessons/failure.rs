//! The one classifier: each kind of error, most of them made by real
//! sockets on loopback, and what `Failure` decides for it.

use crate::support;

use std::io::{self, ErrorKind, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use crate::support::{BOUND, client};
use assert_matches::assert_matches;
use reset_by_peer::failure::Failure;
use reset_by_peer::peer::{Peer, Script, refused_addr};
use reset_by_peer::timeout::{Deadline, read_by, read_exact_by};

/// What the three questions answer for `failure`, as a tuple:
/// (a timeout, connection usable, worth a new attempt).
fn answers(failure: Failure) -> (bool, bool, bool) {
    (
        failure.is_timeout(),
        failure.connection_usable(),
        failure.worth_a_new_attempt(),
    )
}

#[test]
fn an_expired_read_timeout_is_our_timeout_and_the_connection_is_usable() {
    let peer = Peer::start(Script::Stall).unwrap();
    let stream = client(peer.addr());
    stream
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    // Made again only after `Interrupted` (`support::read`): the error is
    // the read's own.
    let error = support::read(&stream, &mut [0u8; 16]).unwrap_err();
    assert_eq!(Failure::of_timed(&error), Failure::TimedOut);
    assert_eq!(answers(Failure::TimedOut), (true, true, true));
    // Asked of the classifier that does not know a timer was set: on Unix
    // it is WouldBlock, a timeout whoever asks; on Windows it is
    // WSAETIMEDOUT, which alone reads as the stack giving up.
    if cfg!(windows) {
        assert_eq!(error.kind(), ErrorKind::TimedOut);
        assert_eq!(error.raw_os_error(), Some(10060));
        assert_eq!(Failure::of(&error), Failure::KernelGaveUp);
    } else {
        assert_eq!(error.kind(), ErrorKind::WouldBlock);
        assert_eq!(Failure::of(&error), Failure::TimedOut);
    }
}

#[test]
fn a_deadline_that_passed_is_timed_out_with_no_errno() {
    let peer = Peer::start(Script::Stall).unwrap();
    let mut stream = client(peer.addr());
    let deadline = Deadline::after(Duration::from_millis(20));
    let error = read_by(&mut stream, &mut [0u8; 16], deadline).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TimedOut);
    assert_eq!(error.raw_os_error(), None);
    assert_eq!(Failure::of(&error), Failure::TimedOut);
}

#[test]
#[cfg(target_os = "linux")]
fn a_raw_etimedout_is_the_kernel_giving_up_and_the_connection_is_dead() {
    // 110 is ETIMEDOUT on Linux (most architectures): what a socket reports
    // when TCP's retransmissions or keepalive probes went unanswered.
    let error = io::Error::from_raw_os_error(110);
    assert_eq!(error.kind(), ErrorKind::TimedOut);
    assert_eq!(Failure::of(&error), Failure::KernelGaveUp);
    // Python calls it TimeoutError too, but the connection is gone.
    assert_eq!(answers(Failure::KernelGaveUp), (true, false, true));
}

#[test]
fn a_real_reset_is_dead_and_worth_a_new_attempt() {
    if support::skip_on_wine(
        "a_real_reset_is_dead_and_worth_a_new_attempt",
        support::WINE_READS_RESET_AS_EOF,
    ) {
        return;
    }
    let peer = Peer::start(Script::Reset).unwrap();
    let mut stream = client(peer.addr());
    stream.write_all(b"x").unwrap();
    let error = support::read(&stream, &mut [0u8; 16]).unwrap_err();
    assert_eq!(Failure::of(&error), Failure::Reset);
    assert_eq!(answers(Failure::Reset), (false, false, true));
}

/// Unix: Linux (run), macOS and FreeBSD (their send checks "cannot send
/// more" first) fail a write after a reset with EPIPE. Windows reports the
/// reset again instead (`support::sends_after_reset`).
#[test]
#[cfg(unix)]
fn a_broken_pipe_after_a_reset_is_closed() {
    let peer = Peer::start(Script::Reset).unwrap();
    let mut stream = client(peer.addr());
    stream.write_all(b"x").unwrap();
    // The reset is taken first, by a read, which waits for the RST.
    let _reset = support::read(&stream, &mut [0u8; 16]).unwrap_err();
    let error = stream.write_all(b"y").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::BrokenPipe);
    assert_eq!(Failure::of(&error), Failure::Closed);
    assert_eq!(answers(Failure::Closed), (false, false, true));
}

#[test]
fn a_peer_that_closes_mid_message_is_unexpected_eof_which_is_closed() {
    let peer = Peer::start(Script::Close).unwrap();
    let mut stream = client(peer.addr());
    stream.write_all(b"Hello, server!").unwrap();
    let deadline = Deadline::after(BOUND);
    let stopped = read_exact_by(&mut stream, &mut [0u8; 8], deadline).unwrap_err();
    assert_eq!(stopped.error.kind(), ErrorKind::UnexpectedEof);
    assert_eq!(Failure::of(&stopped.error), Failure::Closed);
}

#[test]
#[cfg(target_os = "linux")]
fn a_shutdown_after_a_reset_is_not_connected_which_is_closed() {
    use std::net::Shutdown;
    let peer = Peer::start(Script::Reset).unwrap();
    let mut stream = client(peer.addr());
    stream.write_all(b"x").unwrap();
    let _reset = support::read(&stream, &mut [0u8; 16]).unwrap_err();
    // The connection is gone, so there is nothing to shut down.
    let error = stream.shutdown(Shutdown::Write).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotConnected);
    assert_eq!(Failure::of(&error), Failure::Closed);
}

#[test]
fn a_refused_connect_is_worth_a_new_attempt_but_has_no_connection() {
    let error = TcpStream::connect_timeout(&refused_addr().unwrap(), BOUND).unwrap_err();
    assert_eq!(Failure::of(&error), Failure::Refused);
    assert_eq!(answers(Failure::Refused), (false, false, true));
}

#[test]
fn an_aborted_connection_is_dead_and_worth_a_new_attempt() {
    // ECONNABORTED cannot be made on demand with std alone on Linux.
    let error = io::Error::from(ErrorKind::ConnectionAborted);
    assert_eq!(Failure::of(&error), Failure::Aborted);
    assert_eq!(answers(Failure::Aborted), (false, false, true));
}

#[test]
fn host_unreachable_is_unreachable_and_worth_a_new_attempt() {
    let error = io::Error::from(ErrorKind::HostUnreachable);
    assert_eq!(Failure::of(&error), Failure::Unreachable);
    assert_eq!(answers(Failure::Unreachable), (false, false, true));
}

#[test]
fn network_unreachable_is_unreachable_and_worth_a_new_attempt() {
    let error = io::Error::from(ErrorKind::NetworkUnreachable);
    assert_eq!(Failure::of(&error), Failure::Unreachable);
}

#[test]
fn network_down_is_unreachable_and_worth_a_new_attempt() {
    let error = io::Error::from(ErrorKind::NetworkDown);
    assert_eq!(Failure::of(&error), Failure::Unreachable);
}

#[test]
#[cfg(target_os = "linux")]
fn the_raw_unreachable_errnos_of_linux_are_unreachable() {
    // EHOSTUNREACH 113, ENETUNREACH 101, ENETDOWN 100 on Linux.
    for number in [113, 101, 100] {
        let error = io::Error::from_raw_os_error(number);
        assert_eq!(Failure::of(&error), Failure::Unreachable, "errno {number}");
    }
}

#[test]
fn an_address_that_is_not_ours_is_addr_not_available_which_a_retry_may_fix() {
    // 192.0.2.1 is reserved for documentation (RFC 5737): no machine has it.
    let error = TcpListener::bind("192.0.2.1:0").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::AddrNotAvailable);
    assert_eq!(Failure::of(&error), Failure::NoLocalAddress);
    // On Linux a connect reports the same kind when the ephemeral ports have
    // run out, which passes as old connections leave TIME_WAIT.
    assert_eq!(answers(Failure::NoLocalAddress), (false, false, true));
}

#[test]
fn an_address_in_use_is_other_and_not_retried() {
    let first = TcpListener::bind("127.0.0.1:0").unwrap();
    let error = TcpListener::bind(first.local_addr().unwrap()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::AddrInUse);
    assert_eq!(Failure::of(&error), Failure::Other);
    assert_eq!(answers(Failure::Other), (false, false, false));
}

#[test]
fn an_interrupted_call_leaves_the_connection_usable() {
    let error = io::Error::from(ErrorKind::Interrupted);
    assert_eq!(Failure::of(&error), Failure::Interrupted);
    assert_eq!(answers(Failure::Interrupted), (false, true, true));
}

#[test]
fn invalid_input_from_std_is_other_and_not_retried() {
    let peer = Peer::start(Script::Echo).unwrap();
    let stream = client(peer.addr());
    let error = stream.set_read_timeout(Some(Duration::ZERO)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(Failure::of(&error), Failure::Other);
}

#[test]
fn permission_denied_and_kinds_the_classifier_does_not_know_are_other() {
    for kind in [
        ErrorKind::PermissionDenied,
        ErrorKind::InvalidData,
        ErrorKind::Other,
    ] {
        assert_matches!(Failure::of(&io::Error::from(kind)), Failure::Other);
    }
}
