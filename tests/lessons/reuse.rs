//! The stale connection: what a client sees when it reuses a connection
//! that a server closed (idle-close) or a load balancer forgot
//! (idle-reset) while it sat idle, and the check and the rule that recover.

use crate::support;

use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::support::{BOUND, client};
use assert_matches::assert_matches;
use reset_by_peer::exchange::Step;
use reset_by_peer::peer::{Peer, Script, ScriptTime};
use reset_by_peer::reuse::{Client, Policy, RequestError, Tally, looks_stale, may_retry};

/// The idle scripts' limit. A fresh connection's first request must reach
/// the peer within it, so it is longer than a loaded machine holds up a
/// thread (up to a few hundred milliseconds with 16 busy loops on 2 cores).
const IDLE: Duration = Duration::from_millis(250);

/// `IDLE`, as the idle scripts take it.
fn idle() -> ScriptTime {
    ScriptTime::new(250).unwrap()
}

/// An idle time no test waits out.
fn long() -> ScriptTime {
    ScriptTime::new(5_000).unwrap()
}

/// One request line and its answer on `stream`, as the idle scripts serve
/// them.
fn one_request(stream: &mut TcpStream, request: &[u8]) {
    stream.write_all(request).unwrap();
    let mut answer = vec![0u8; request.len()];
    stream.read_exact(&mut answer).unwrap();
    assert_eq!(answer, request);
}

/// Waits, without sleeping, until the server's FIN has reached `stream`: a
/// blocking peek returns 0 bytes then. A FIN is usually processed before
/// the server's `close` returns, but on a loaded machine the kernel may
/// defer that work, so a test that acts on it waits for it.
fn until_fin(stream: &TcpStream) {
    stream.set_read_timeout(Some(BOUND)).unwrap();
    assert_eq!(support::peek(stream, &mut [0u8; 1]).unwrap(), 0);
}

/// How much longer than `IDLE` a test lets a kept connection sit idle, by
/// its own clock. The peer starts counting once its answer has gone, a
/// moment after the client has it; should a loaded machine stretch that
/// moment past this, the next request is still answered, and the test
/// runs that step again (`support::unless_late`).
const PAST_IDLE: Duration = Duration::from_millis(10);

/// Lets the connection sit idle past `IDLE`, by waiting for an answer that
/// must not come: a read timeout, not a sleep, so the silence is checked
/// too.
fn sit_idle(stream: &mut TcpStream) {
    stream.set_read_timeout(Some(IDLE + PAST_IDLE)).unwrap();
    let error = support::read(stream, &mut [0u8; 8]).unwrap_err();
    assert_matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut);
    stream.set_read_timeout(Some(BOUND)).unwrap();
}

/// Lets the connection to an `idle-reset` peer sit idle past its limit,
/// checks it (nothing has arrived: the check cannot tell that the flow is
/// forgotten), sends `two` and returns what the receive fails with; again
/// while `two` was still answered (see `PAST_IDLE`).
fn two_after_idling(stream: &mut TcpStream) -> io::Error {
    let answer = support::unless_late(
        || {
            sit_idle(stream);
            assert!(!looks_stale(stream).unwrap());
            stream.write_all(b"two\n").unwrap();
            stream.read_exact(&mut [0u8; 4])
        },
        Result::is_ok,
    );
    answer.unwrap_err()
}

/// Lets the client's kept connection sit idle past `IDLE`, then makes a
/// request with `request`; again while `in_time` says the peer still
/// answered it on that connection (see `PAST_IDLE`).
fn after_idling<R>(
    client: &mut Client,
    mut request: impl FnMut(&mut Client) -> R,
    in_time: impl Fn(&R) -> bool,
) -> R {
    support::unless_late(
        || {
            // This sleep is the idleness itself.
            std::thread::sleep(IDLE + PAST_IDLE);
            request(client)
        },
        in_time,
    )
}

#[test]
fn idle_close_serves_several_requests_on_one_connection() {
    let peer = Peer::start(Script::IdleClose(long())).unwrap();
    let mut stream = client(peer.addr());
    for request in [&b"one\n"[..], b"two\n", b"three\n"] {
        one_request(&mut stream, request);
    }
    assert_eq!(peer.counts().accepted, 1);
}

#[test]
fn idle_close_the_check_sees_the_fin_the_send_succeeds_the_receive_is_eof() {
    let peer = Peer::start(Script::IdleClose(idle())).unwrap();
    let mut stream = client(peer.addr());
    one_request(&mut stream, b"one\n");
    // The server closes the idle connection.
    peer.wait_finished(1, BOUND).unwrap();
    until_fin(&stream);
    assert!(looks_stale(&stream).unwrap());
    // The send succeeds: the kernel takes the bytes, and only the server's
    // kernel, which has no socket for them, will answer them with an RST.
    stream.write_all(b"two\n").unwrap();
    // The receive gets the end of the stream first.
    assert_eq!(support::read(&stream, &mut [0u8; 8]).unwrap(), 0);
}

#[test]
fn idle_reset_the_check_sees_nothing_the_send_succeeds_the_receive_is_reset() {
    if support::skip_on_wine(
        "idle_reset_the_check_sees_nothing_the_send_succeeds_the_receive_is_reset",
        support::WINE_READS_RESET_AS_EOF,
    ) {
        return;
    }
    let peer = Peer::start(Script::IdleReset(idle())).unwrap();
    let mut stream = client(peer.addr());
    one_request(&mut stream, b"one\n");
    let error = two_after_idling(&mut stream);
    assert_eq!(error.kind(), ErrorKind::ConnectionReset);
}

#[test]
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn idle_reset_is_raw_errno_104_on_linux() {
    let peer = Peer::start(Script::IdleReset(idle())).unwrap();
    let mut stream = client(peer.addr());
    one_request(&mut stream, b"one\n");
    let error = two_after_idling(&mut stream);
    assert_eq!(error.raw_os_error(), Some(104));
}

#[test]
fn idle_reset_answers_a_request_that_comes_in_time() {
    let peer = Peer::start(Script::IdleReset(long())).unwrap();
    let mut stream = client(peer.addr());
    one_request(&mut stream, b"one\n");
    one_request(&mut stream, b"two\n");
}

#[test]
fn the_naive_client_fails_on_idle_close_with_unexpected_eof_on_a_reused_connection() {
    let peer = Peer::start(Script::IdleClose(idle())).unwrap();
    let mut client = Client::new(peer.addr(), BOUND);
    assert_eq!(client.naive_request(b"one").unwrap(), b"one");
    peer.wait_finished(1, BOUND).unwrap();
    until_fin(client.kept().unwrap());
    let failed = client.naive_request(b"two").unwrap_err();
    assert!(failed.reused);
    assert_eq!(failed.step, Step::Receive);
    assert!(failed.received.is_empty());
    assert_eq!(failed.error.kind(), ErrorKind::UnexpectedEof);
}

#[test]
fn the_naive_client_fails_on_idle_reset_with_connection_reset_on_a_reused_connection() {
    if support::skip_on_wine(
        "the_naive_client_fails_on_idle_reset_with_connection_reset_on_a_reused_connection",
        support::WINE_READS_RESET_AS_EOF,
    ) {
        return;
    }
    let peer = Peer::start(Script::IdleReset(idle())).unwrap();
    let mut client = Client::new(peer.addr(), BOUND);
    assert_eq!(client.naive_request(b"one").unwrap(), b"one");
    let failed = after_idling(&mut client, |c| c.naive_request(b"two"), Result::is_ok).unwrap_err();
    assert!(failed.reused);
    assert_eq!(failed.step, Step::Receive);
    assert_eq!(failed.error.kind(), ErrorKind::ConnectionReset);
}

#[test]
fn the_check_recovers_from_idle_close_without_a_retry_even_for_a_request_not_safe_to_repeat() {
    let peer = Peer::start(Script::IdleClose(idle())).unwrap();
    let mut client = Client::new(peer.addr(), BOUND);
    client.request(b"one", false).unwrap();
    peer.wait_finished(1, BOUND).unwrap();
    until_fin(client.kept().unwrap());
    assert_eq!(client.request(b"two", false).unwrap(), b"two");
    // A new connection was opened for the second request.
    assert_eq!(peer.counts().accepted, 2);
}

#[test]
fn the_rule_recovers_from_idle_reset_for_an_idempotent_request() {
    if support::skip_on_wine(
        "the_rule_recovers_from_idle_reset_for_an_idempotent_request",
        support::WINE_READS_RESET_AS_EOF,
    ) {
        return;
    }
    let peer = Peer::start(Script::IdleReset(idle())).unwrap();
    let mut client = Client::new(peer.addr(), BOUND);
    client.request(b"one", true).unwrap();
    // A request still in time is answered on the kept connection, with
    // nothing retried.
    let (answer, retried) = after_idling(
        &mut client,
        |c| (c.request(b"two", true), c.tally().retried),
        |(_, retried)| *retried == 0,
    );
    assert_eq!(answer.unwrap(), b"two");
    assert_eq!(retried, 1);
    assert_eq!(peer.counts().accepted, 2);
}

#[test]
fn the_rule_does_not_repeat_a_request_that_is_not_safe_to_repeat() {
    if support::skip_on_wine(
        "the_rule_does_not_repeat_a_request_that_is_not_safe_to_repeat",
        support::WINE_READS_RESET_AS_EOF,
    ) {
        return;
    }
    let peer = Peer::start(Script::IdleReset(idle())).unwrap();
    let mut client = Client::new(peer.addr(), BOUND);
    client.request(b"one", false).unwrap();
    let failed =
        after_idling(&mut client, |c| c.request(b"charge", false), Result::is_ok).unwrap_err();
    assert_eq!(failed.error.kind(), ErrorKind::ConnectionReset);
    assert_eq!(peer.counts().accepted, 1);
}

#[test]
fn the_naive_policy_fails_on_idle_close_once_the_fin_has_come() {
    let peer = Peer::start(Script::IdleClose(idle())).unwrap();
    let mut client = Client::new(peer.addr(), BOUND);
    client.request_with(Policy::NAIVE, b"one", true).unwrap();
    // The server closes the idle connection, and its FIN reaches the
    // client: from then on, reusing the connection cannot succeed.
    peer.wait_finished(1, BOUND).unwrap();
    until_fin(client.kept().unwrap());
    let failed = client
        .request_with(Policy::NAIVE, b"two", true)
        .unwrap_err();
    assert!(failed.reused);
    // Linux reads the end of the stream (the test above pins it); what
    // every platform shares is that the connection is found dead.
    assert_matches!(
        failed.error.kind(),
        ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset
    );
    // Nothing was checked, dropped or sent again.
    let only_one = Tally {
        opened: 1,
        ..Tally::default()
    };
    assert_eq!(client.tally(), only_one);
}

/// One safe request by check and retry, made again while it fails on a
/// fresh connection (`support::unless_late`). A fresh connection fails
/// only if this thread was held up between connecting and sending for
/// longer than the peer's idle limit, which then closed it: a loaded
/// machine can, once in a while. A failure on a reused connection is the
/// policy's own, and is returned at once.
fn check_and_retry(client: &mut Client, request: &[u8]) -> Result<Vec<u8>, RequestError> {
    support::unless_late(
        || client.request_with(Policy::CHECK_AND_RETRY, request, true),
        |result| matches!(result, Err(failed) if !failed.reused),
    )
}

#[test]
fn check_and_retry_never_fail_a_safe_request_on_idle_close_whatever_the_gap() {
    // An idle limit of its own, short, so that the gaps around it stay
    // short; a fresh connection that idles out is tried again.
    let peer = Peer::start(Script::IdleClose(ScriptTime::new(60).unwrap())).unwrap();
    let mut client = Client::new(peer.addr(), BOUND);
    check_and_retry(&mut client, b"first").unwrap();
    // Gaps in tenths of the server's 60 ms, from well within it to well
    // past it, and around it, where the FIN races the request.
    for tenths in [5, 9, 10, 11, 15] {
        // This sleep is the idleness itself.
        std::thread::sleep(Duration::from_millis(6 * tenths));
        let answer = check_and_retry(&mut client, b"again").unwrap();
        assert_eq!(answer, b"again");
    }
}

#[test]
fn a_connection_idle_longer_than_the_client_idle_timeout_is_not_reused() {
    let peer = Peer::start(Script::IdleClose(long())).unwrap();
    let mut client = Client::new(peer.addr(), BOUND);
    // A client idle timeout that no test waits out: the connection is reused.
    let patient = Policy {
        idle_timeout: Some(BOUND),
        ..Policy::NAIVE
    };
    client.request_with(patient, b"one", true).unwrap();
    client.request_with(patient, b"two", true).unwrap();
    assert_eq!(client.tally().opened, 1);
    // This sleep is the idleness: twice a client idle timeout of 30 ms (a
    // loaded machine only makes it longer).
    let client_idle = Duration::from_millis(30);
    std::thread::sleep(client_idle * 2);
    let hasty = Policy {
        idle_timeout: Some(client_idle),
        ..Policy::NAIVE
    };
    assert_eq!(
        client.request_with(hasty, b"three", true).unwrap(),
        b"three"
    );
    let dropped_once = Tally {
        opened: 2,
        expired: 1,
        ..Tally::default()
    };
    assert_eq!(client.tally(), dropped_once);
    // The server answered on a second connection.
    assert_eq!(peer.counts().accepted, 2);
}

fn failed(reused: bool, step: Step, received: &[u8], kind: ErrorKind) -> RequestError {
    // A failure at connect sent nothing; any other sent the whole request.
    let sent = match step {
        Step::Connect => 0,
        Step::Send | Step::Receive => 8,
    };
    RequestError {
        reused,
        step,
        sent,
        received: received.to_vec(),
        error: io::Error::from(kind),
    }
}

#[test]
fn the_rule_retries_only_a_reused_connection_found_dead_before_any_answer() {
    use ErrorKind::*;
    // Reused, found dead, nothing of the answer, idempotent: retry once.
    for kind in [
        ConnectionReset,
        ConnectionAborted,
        BrokenPipe,
        UnexpectedEof,
        NotConnected,
    ] {
        assert!(
            may_retry(&failed(true, Step::Receive, b"", kind), true),
            "{kind:?}"
        );
    }
    assert!(may_retry(&failed(true, Step::Send, b"", BrokenPipe), true));
    // A new connection's failure is the server's answer, not staleness.
    assert!(!may_retry(
        &failed(false, Step::Receive, b"", ConnectionReset),
        true
    ));
    // Part of the answer came: the server did act on the request.
    assert!(!may_retry(
        &failed(true, Step::Receive, b"tw", ConnectionReset),
        true
    ));
    // Not safe to repeat, and it was sent: the server may have acted.
    assert!(!may_retry(
        &failed(true, Step::Receive, b"", ConnectionReset),
        false
    ));
    // Not one byte sent before the connection was found dead: safe
    // whatever the request does.
    let mut unsent = failed(true, Step::Send, b"", BrokenPipe);
    unsent.sent = 0;
    assert!(may_retry(&unsent, false));
    // No evidence of a dead connection: a bad argument, a refusal, or a
    // timeout (the server may be busy with the request).
    for kind in [InvalidInput, ConnectionRefused, TimedOut, WouldBlock] {
        assert!(
            !may_retry(&failed(true, Step::Receive, b"", kind), true),
            "{kind:?}"
        );
    }
}

#[test]
fn through_a_relays_idle_close_naive_reuse_fails_and_check_and_retry_succeed() {
    // The policies against the relay in front of a server of one's own (an
    // echo lab peer here, since the client speaks lines), once the relay has
    // closed the idle connection and its FIN has reached the client.
    let upstream = Peer::start(Script::Echo).unwrap();
    let options = reset_by_peer::peer::Options {
        upstream: Some(upstream.addr()),
        ..Default::default()
    };
    let relay = Peer::start_with(Script::IdleClose(idle()), options).unwrap();
    // Both policies' clients side by side, so that the idle limit is
    // waited out once.
    let mut clients = [Policy::NAIVE, Policy::CHECK_AND_RETRY]
        .map(|policy| (policy, Client::new(relay.addr(), BOUND)));
    for (policy, client) in &mut clients {
        assert_eq!(client.request_with(*policy, b"one", true).unwrap(), b"one");
    }
    relay.wait_finished(2, BOUND).unwrap();
    for (policy, mut client) in clients {
        until_fin(client.kept().unwrap());
        let second = client.request_with(policy, b"two", true);
        if policy == Policy::NAIVE {
            assert!(second.unwrap_err().reused);
        } else {
            assert_eq!(second.unwrap(), b"two");
        }
    }
}
