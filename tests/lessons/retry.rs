//! The retry loop: its schedule, what it retries, and what it gives back;
//! and the article's same-socket loop, failing as the article's does.

use crate::support;

use std::cell::RefCell;
use std::io::{self, ErrorKind};
use std::time::Duration;

use crate::support::BOUND;
use assert_matches::assert_matches;
use reset_by_peer::exchange::{ExchangeError, Response, Step, exchange};
use reset_by_peer::peer::{Peer, Script, refused_addr};
use reset_by_peer::retry::{
    ArticleEnd, MAX_ATTEMPTS, MAX_DELAY, Policy, Reason, article_loop, retry, retry_with,
    worth_retrying,
};

const DELAY: Duration = Duration::from_millis(200);

/// A sleep that records each delay instead of waiting.
fn recorder(slept: &RefCell<Vec<Duration>>) -> impl FnMut(u32, Duration) + '_ {
    move |_failed_attempt, delay| slept.borrow_mut().push(delay)
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
            assert_eq!(done.number, k);
            let numbers: Vec<u32> = done.failed.iter().map(|a| a.number).collect();
            assert_eq!(numbers, (1..k).collect::<Vec<_>>());
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
    assert_eq!(gave_up.last.number, 4);
    assert_eq!(gave_up.last.error.to_string(), "attempt 4");
    assert_eq!(gave_up.earlier.len(), 3);
    // Every attempt keeps its own error.
    for (index, attempt) in gave_up.earlier.iter().enumerate() {
        assert_eq!(attempt.number, index as u32 + 1);
        assert_eq!(attempt.error.to_string(), format!("attempt {}", index + 1));
    }
    // Start times never go backwards.
    let mut starts: Vec<Duration> = gave_up.earlier.iter().map(|a| a.started).collect();
    starts.push(gave_up.last.started);
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
fn the_sleep_hook_gets_the_failed_attempts_number_so_backoff_is_a_plain_function() {
    let policy = Policy::new(4, Duration::from_millis(100)).unwrap();
    let slept = RefCell::new(Vec::new());
    // Exponential backoff: 100, 200, 400 ms after attempts 1, 2 and 3.
    let backoff = |failed_attempt: u32, delay: Duration| {
        slept
            .borrow_mut()
            .push(delay * 2u32.pow(failed_attempt - 1));
    };
    let _ = retry_with(&policy, worth_retrying, backoff, |attempt| {
        Err::<(), _>(reset_on(attempt))
    });
    let ms = Duration::from_millis;
    assert_eq!(*slept.borrow(), vec![ms(100), ms(200), ms(400)]);
}

#[test]
fn stops_at_once_on_an_error_not_worth_retrying() {
    for kind in [
        ErrorKind::InvalidInput,
        ErrorKind::PermissionDenied,
        ErrorKind::AddrInUse,
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
        assert_eq!(gave_up.last.number, 1);
        assert!(gave_up.earlier.is_empty());
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
        ErrorKind::UnexpectedEof,
        ErrorKind::NotConnected,
        ErrorKind::HostUnreachable,
        ErrorKind::NetworkUnreachable,
        ErrorKind::NetworkDown,
        ErrorKind::AddrNotAvailable,
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
    assert_eq!(gave_up.last.number, 1);
}

#[test]
fn a_non_idempotent_request_is_retried_only_when_it_failed_at_connect() {
    if support::skip_on_wine(
        "a_non_idempotent_request_is_retried_only_when_it_failed_at_connect",
        support::WINE_READS_RESET_AS_EOF,
    ) {
        return;
    }
    let policy = Policy::new(3, Duration::ZERO).unwrap();
    let only_at_connect =
        |failed: &ExchangeError| failed.step == Step::Connect && worth_retrying(&failed.error);
    // Refused at connect: the request never left, so every attempt is made.
    let refused = refused_addr().unwrap();
    let gave_up = retry_with(
        &policy,
        only_at_connect,
        |_, _| {},
        |_| exchange(refused, b"charge 10 EUR", BOUND),
    )
    .unwrap_err();
    assert_eq!(gave_up.reason, Reason::OutOfAttempts);
    assert_eq!(gave_up.last.number, 3);
    // Reset after the request was sent: the server may have acted; stop.
    let peer = Peer::start(Script::Flaky(2)).unwrap();
    let gave_up = retry_with(
        &policy,
        only_at_connect,
        |_, _| {},
        |_| exchange(peer.addr(), b"charge 10 EUR", BOUND),
    )
    .unwrap_err();
    assert_eq!(gave_up.reason, Reason::NotRetryable);
    assert_eq!(gave_up.last.error.step, Step::Receive);
    assert_eq!(gave_up.last.error.error.kind(), ErrorKind::ConnectionReset);
}

#[test]
fn zero_attempts_is_refused() {
    assert_eq!(
        Policy::new(0, DELAY).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

#[test]
fn attempts_and_delays_beyond_their_bounds_are_refused_with_the_bound_in_the_message() {
    let too_many = Policy::new(MAX_ATTEMPTS + 1, DELAY).unwrap_err();
    assert_eq!(too_many.kind(), ErrorKind::InvalidInput);
    assert!(
        too_many.to_string().contains("1 to 100 attempts"),
        "{too_many}"
    );
    assert!(Policy::new(u32::MAX, DELAY).is_err());
    let too_long = Policy::new(3, MAX_DELAY + Duration::from_nanos(1)).unwrap_err();
    assert_eq!(too_long.kind(), ErrorKind::InvalidInput);
    assert!(too_long.to_string().contains("60 s"), "{too_long}");
    assert!(Policy::new(3, Duration::MAX).is_err());
    // The bounds themselves are allowed.
    assert!(Policy::new(MAX_ATTEMPTS, MAX_DELAY).is_ok());
}

#[test]
#[cfg(target_os = "linux")]
fn the_articles_same_socket_loop_dies_of_broken_pipe_against_flaky_1() {
    // flaky:1 resets its first connection, this one.
    let (_peer, mut stream) = support::reset_client(Script::Flaky(1));
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

/// On every platform the loop never sends: it catches the resets this
/// platform reports (`support::sends_after_reset`), and either dies of the
/// first error that is not one (Unix: `BrokenPipe`) or runs out of
/// attempts with nothing sent (Windows, where every send is a reset).
#[test]
fn the_articles_same_socket_loop_never_sends_on_any_platform() {
    // flaky:1 resets its first connection, this one.
    let (_peer, mut stream) = support::reset_client(Script::Flaky(1));
    let mut caught = Vec::new();
    let end = article_loop(&mut stream, b"Hello", 3, Duration::ZERO, |_, error| {
        caught.push(error.kind());
    });
    let (first, later) = support::sends_after_reset();
    // Every error the loop met is one this platform gives after a reset.
    for (index, kind) in caught.iter().enumerate() {
        let allowed = if index == 0 { first } else { later };
        assert!(allowed.contains(kind), "{caught:?}");
    }
    assert_matches!(&end, ArticleEnd::FellThrough | ArticleEnd::Crashed { .. });
    match end {
        ArticleEnd::Sent { .. } => {}
        ArticleEnd::FellThrough => assert_eq!(caught.len(), 3),
        ArticleEnd::Crashed { attempt, error } => {
            assert_eq!(attempt as usize, caught.len() + 1);
            assert_ne!(error.kind(), ErrorKind::ConnectionReset);
            let allowed = if caught.is_empty() { first } else { later };
            assert!(allowed.contains(&error.kind()), "{error:?}");
        }
    }
}

#[test]
fn the_reconnecting_loop_succeeds_against_flaky_2_with_3_attempts() {
    if support::skip_on_wine(
        "the_reconnecting_loop_succeeds_against_flaky_2_with_3_attempts",
        support::WINE_READS_RESET_AS_EOF,
    ) {
        return;
    }
    let peer = Peer::start(Script::Flaky(2)).unwrap();
    let policy = Policy::new(3, Duration::ZERO).unwrap();
    let done = retry(&policy, |_| Ok(exchange(peer.addr(), b"Hello", BOUND)?)).unwrap();
    assert_eq!(done.value, Response::Reply(b"Hello".to_vec()));
    assert_eq!(done.number, 3);
    assert_eq!(done.failed.len(), 2);
    for failed in &done.failed {
        assert_eq!(failed.error.kind(), ErrorKind::ConnectionReset);
    }
}

#[test]
fn the_reconnecting_loop_gives_up_against_flaky_2_with_2_attempts() {
    if support::skip_on_wine(
        "the_reconnecting_loop_gives_up_against_flaky_2_with_2_attempts",
        support::WINE_READS_RESET_AS_EOF,
    ) {
        return;
    }
    let peer = Peer::start(Script::Flaky(2)).unwrap();
    let policy = Policy::new(2, Duration::ZERO).unwrap();
    let gave_up = retry(&policy, |_| Ok(exchange(peer.addr(), b"Hello", BOUND)?)).unwrap_err();
    assert_eq!(gave_up.reason, Reason::OutOfAttempts);
    assert_eq!(gave_up.last.error.kind(), ErrorKind::ConnectionReset);
    assert_eq!(gave_up.last.number, 2);
    assert_eq!(gave_up.earlier.len(), 1);
}

#[test]
fn the_policy_is_spelled_out() {
    let policy = Policy::new(3, DELAY).unwrap();
    assert_eq!(policy.to_string(), "3 attempts, 200 ms apart");
    assert_eq!(
        Policy::new(1, DELAY).unwrap().to_string(),
        "1 attempt, 200 ms apart"
    );
}
