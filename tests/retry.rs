//! The retry loop: its schedule, what it retries, and what it gives back;
//! and the article's same-socket loop, failing as the article's does.

mod support;

use std::cell::RefCell;
use std::io::{self, ErrorKind, Write};
use std::net::TcpStream;
use std::time::Duration;

use assert_matches::assert_matches;
use reset_by_peer::exchange::{Response, exchange};
use reset_by_peer::peer::{Peer, Script};
use reset_by_peer::retry::{
    ArticleEnd, Outcome, Policy, Reason, article_loop, retry, retry_with, worth_retrying,
};
use support::BOUND;

const DELAY: Duration = Duration::from_millis(200);

/// A sleep that records each delay instead of waiting.
fn recorder(slept: &RefCell<Vec<Duration>>) -> impl FnMut(Duration) + '_ {
    move |delay| slept.borrow_mut().push(delay)
}

/// An error whose message names the attempt, so the test can tell which
/// attempt's error came back.
fn reset_on(attempt: u32) -> io::Error {
    io::Error::new(ErrorKind::ConnectionReset, format!("attempt {attempt}"))
}

#[test]
fn succeeds_on_attempt_k_of_n() {
    for n in 1..=5 {
        for k in 1..=n {
            let policy = Policy::new(n, DELAY).unwrap();
            let slept = RefCell::new(Vec::new());
            let result = retry_with(&policy, worth_retrying, recorder(&slept), |attempt| {
                if attempt < k {
                    Err(reset_on(attempt))
                } else {
                    Ok(attempt * 10)
                }
            });
            let done = result.unwrap();
            assert_eq!(done.value, k * 10);
            assert_eq!(done.history.len(), k as usize);
            let numbers: Vec<u32> = done.history.iter().map(|a| a.number).collect();
            assert_eq!(numbers, (1..=k).collect::<Vec<_>>());
            assert_matches!(done.history.last().unwrap().outcome, Outcome::Succeeded);
            assert_eq!(slept.borrow().len(), (k - 1) as usize);
        }
    }
}

#[test]
fn gives_up_after_n_attempts_with_the_last_error_and_a_full_history() {
    let policy = Policy::new(4, DELAY).unwrap();
    let slept = RefCell::new(Vec::new());
    let gave_up = retry_with(&policy, worth_retrying, recorder(&slept), |attempt| {
        Err::<(), _>(reset_on(attempt))
    })
    .unwrap_err();
    assert_eq!(gave_up.reason, Reason::OutOfAttempts);
    assert_eq!(gave_up.error.to_string(), "attempt 4");
    assert_eq!(gave_up.history.len(), 4);
    for (index, attempt) in gave_up.history.iter().take(3).enumerate() {
        assert_eq!(attempt.number, index as u32 + 1);
        assert_matches!(&attempt.outcome, Outcome::Retried(e) if e.to_string() == format!("attempt {}", index + 1));
    }
    assert_matches!(gave_up.history[3].outcome, Outcome::Last);
    // Start times never go backwards.
    let starts: Vec<Duration> = gave_up.history.iter().map(|a| a.started).collect();
    assert!(starts.windows(2).all(|pair| pair[0] <= pair[1]));
    let error: io::Error = gave_up.into();
    assert_eq!(error.kind(), ErrorKind::ConnectionReset);
}

#[test]
fn does_not_sleep_after_the_last_attempt() {
    for n in 1..=5 {
        let policy = Policy::new(n, DELAY).unwrap();
        let slept = RefCell::new(Vec::new());
        let _ = retry_with(&policy, worth_retrying, recorder(&slept), |attempt| {
            Err::<(), _>(reset_on(attempt))
        });
        assert_eq!(slept.borrow().len(), (n - 1) as usize, "{n} attempts");
    }
}

#[test]
fn with_an_injected_sleep_the_recorded_delays_are_exactly_the_configured_ones() {
    let delay = Duration::from_micros(123_457);
    let policy = Policy::new(6, delay).unwrap();
    let slept = RefCell::new(Vec::new());
    let _ = retry_with(&policy, worth_retrying, recorder(&slept), |attempt| {
        Err::<(), _>(reset_on(attempt))
    });
    assert_eq!(*slept.borrow(), vec![delay; 5]);
}

#[test]
fn stops_at_once_on_an_error_not_worth_retrying() {
    for kind in [
        ErrorKind::InvalidInput,
        ErrorKind::PermissionDenied,
        ErrorKind::AddrNotAvailable,
    ] {
        let policy = Policy::new(5, DELAY).unwrap();
        let slept = RefCell::new(Vec::new());
        let calls = RefCell::new(0);
        let gave_up = retry_with(&policy, worth_retrying, recorder(&slept), |_| {
            *calls.borrow_mut() += 1;
            Err::<(), _>(io::Error::from(kind))
        })
        .unwrap_err();
        assert_eq!(gave_up.reason, Reason::NotRetryable, "{kind:?}");
        assert_eq!(*calls.borrow(), 1);
        assert_eq!(gave_up.history.len(), 1);
        assert!(slept.borrow().is_empty());
    }
}

#[test]
fn retries_every_failure_a_new_connection_could_fix() {
    let kinds = [
        ErrorKind::ConnectionReset,
        ErrorKind::ConnectionAborted,
        ErrorKind::ConnectionRefused,
        ErrorKind::BrokenPipe,
        ErrorKind::TimedOut,
        ErrorKind::WouldBlock,
        ErrorKind::Interrupted,
    ];
    for kind in kinds {
        assert!(worth_retrying(&io::Error::from(kind)), "{kind:?}");
    }
}

#[test]
fn a_custom_predicate_overrides_the_default() {
    let policy = Policy::new(3, DELAY).unwrap();
    let slept = RefCell::new(Vec::new());
    // Retry nothing at all: the first reset stops the loop.
    let gave_up = retry_with(
        &policy,
        |_| false,
        recorder(&slept),
        |attempt| Err::<(), _>(reset_on(attempt)),
    )
    .unwrap_err();
    assert_eq!(gave_up.reason, Reason::NotRetryable);
    assert_eq!(gave_up.history.len(), 1);
}

#[test]
fn zero_attempts_is_refused() {
    assert_eq!(
        Policy::new(0, DELAY).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

#[test]
fn the_articles_same_socket_loop_dies_of_broken_pipe_against_flaky_1() {
    let peer = Peer::start(Script::Flaky(1)).unwrap();
    let mut stream = TcpStream::connect_timeout(&peer.addr(), BOUND).unwrap();
    stream.set_write_timeout(Some(BOUND)).unwrap();
    stream.write_all(b"Hello, server!").unwrap();
    // The peer has reset this, its first connection, once this returns.
    peer.wait_finished(1, BOUND).unwrap();
    let mut caught = Vec::new();
    let end = article_loop(
        &mut stream,
        b"Hello, server!",
        3,
        Duration::ZERO,
        |attempt, error| {
            caught.push((attempt, error.kind()));
        },
    );
    assert_eq!(caught, vec![(1, ErrorKind::ConnectionReset)]);
    assert_matches!(end, ArticleEnd::Crashed { attempt: 2, error } if error.kind() == ErrorKind::BrokenPipe);
}

#[test]
fn the_reconnecting_loop_succeeds_against_flaky_2_with_3_attempts() {
    let peer = Peer::start(Script::Flaky(2)).unwrap();
    let policy = Policy::new(3, Duration::ZERO).unwrap();
    let done = retry(&policy, |_| Ok(exchange(peer.addr(), b"Hello", BOUND)?)).unwrap();
    assert_eq!(done.value, Response::Reply(b"Hello".to_vec()));
    assert_eq!(done.history.len(), 3);
    assert_matches!(&done.history[0].outcome, Outcome::Retried(e) if e.kind() == ErrorKind::ConnectionReset);
    assert_matches!(&done.history[1].outcome, Outcome::Retried(e) if e.kind() == ErrorKind::ConnectionReset);
}

#[test]
fn the_reconnecting_loop_gives_up_against_flaky_2_with_2_attempts() {
    let peer = Peer::start(Script::Flaky(2)).unwrap();
    let policy = Policy::new(2, Duration::ZERO).unwrap();
    let gave_up = retry(&policy, |_| Ok(exchange(peer.addr(), b"Hello", BOUND)?)).unwrap_err();
    assert_eq!(gave_up.reason, Reason::OutOfAttempts);
    assert_eq!(gave_up.error.kind(), ErrorKind::ConnectionReset);
    assert_eq!(gave_up.history.len(), 2);
}

#[test]
fn the_schedule_is_spelled_out() {
    let policy = Policy::new(3, DELAY).unwrap();
    assert_eq!(policy.to_string(), "3 attempts, 200 ms apart");
    let ms = Duration::from_millis;
    assert_eq!(policy.schedule(), vec![ms(0), ms(200), ms(400)]);
}
