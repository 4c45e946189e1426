//! The article's Strategy 2, retry, done so that it can work: a fixed number
//! of attempts, each on a new connection, retrying only what a new
//! connection could fix.
//!
//! # Why the article's loop cannot work
//!
//! The article retries `s.sendall(...)` on the same socket `s`, catching only
//! `ConnectionResetError`.
//! After a reset, the connection is gone for good, and the kernel reports the
//! reset exactly once (on Linux; pinned by `tests/lessons/peer.rs`:
//! `recv_after_reset_is_connection_reset_then_eof` and
//! `send_first_after_reset_is_connection_reset_then_broken_pipe`).
//! On Linux the loop goes like this:
//!
//! ```text
//!  article's loop, same socket                 this module, new connection each time
//!  t=0     sendall -> ECONNRESET (caught)      t=0     connect, send, recv -> ECONNRESET
//!          sleep                                       sleep 200 ms
//!  t=1s    sendall -> EPIPE                    t=200   connect, send, recv -> ECONNRESET
//!          BrokenPipeError is not                      sleep 200 ms
//!          ConnectionResetError: uncaught,     t=400   connect, send, recv -> reply
//!          the script dies
//! ```
//!
//! Its second attempt raises `BrokenPipeError`, which its
//! `except ConnectionResetError` does not catch, so the script dies
//! (reproduced with CPython 3.11; [`article_loop`] reproduces it in Rust,
//! `tests/lessons/retry.rs`: `the_articles_same_socket_loop_dies_of_broken_pipe_against_flaky_1`).
//! The loop ends differently on each platform, and never well
//! (`tests/lessons/retry.rs`: `the_articles_same_socket_loop_never_sends_on_any_platform`):
//!
//! - on Linux it catches one `ConnectionResetError`, then dies of
//!   `BrokenPipeError` (run);
//! - on macOS it dies of `BrokenPipeError` at once, since xnu's send
//!   reports "cannot send more" before the reset (from xnu's source);
//! - on Windows every send raises `ConnectionResetError` (WSAECONNRESET,
//!   10054), so it catches all three and falls out of the loop as if it had
//!   sent, with nothing sent (run under Wine).
//!
//! Even with a broader `except`, every later attempt on that socket fails:
//! a retry must open a new connection.
//!
//! # The schedule
//!
//! [`Policy`] counts *attempts*, the total number of tries, not retries:
//! `Policy::new(3, 200 ms)` tries at most three times, not four, as some
//! retry libraries' `retries(3)` would.
//! With 3 attempts 200 ms apart, the tries start at 0, 200 and 400 ms (plus
//! the time the earlier tries took), and after the third failure [`retry`]
//! gives up at once: there is no sleep after the last attempt.
//! A policy is refused if it allows more than [`MAX_ATTEMPTS`] attempts or
//! waits longer than [`MAX_DELAY`]: a retry must end, and its history must
//! fit in memory.
//!
//! # What is retried
//!
//! By default, every failure a new connection could fix, as
//! [`Failure::worth_a_new_attempt`] decides: a reset, an abort, a refusal,
//! a connection found closed, a timeout, an unreachable host or network, no
//! free local port, an interrupted call.
//! Anything else, such as `InvalidInput`, `PermissionDenied` or
//! `AddrInUse`, is something no new connection fixes, and stops at once.
//! [`retry_with`] takes a test of your own, for any error type.
//!
//! # Idempotency: retry only what is safe to repeat
//!
//! A reset during the receive does not mean the server did nothing.
//! It may have processed the request and crashed before it answered; a retry
//! then sends the request a second time.
//! For a read, that is harmless; for "charge the card", it is not.
//! Only a failure to connect proves the server never saw the request.
//! So a caller retries a request that must not be repeated only when the
//! exchange failed at the connect step, which [`ExchangeError::step`]
//! says:
//!
//! ```
//! use std::time::Duration;
//! use reset_by_peer::exchange::{ExchangeError, Step, exchange};
//! use reset_by_peer::peer::{Peer, Script};
//! use reset_by_peer::retry::{Policy, retry_with, worth_retrying};
//!
//! fn main() -> std::io::Result<()> {
//!     let peer = Peer::start(Script::Echo)?;
//!     let policy = Policy::new(3, Duration::from_millis(200))?;
//!     let request_is_idempotent = false;
//!     let retryable = |failed: &ExchangeError| {
//!         // A failed connect (refused, or timed out) means the request
//!         // never left this machine: safe to try again in any case.
//!         let never_sent = failed.step == Step::Connect;
//!         (request_is_idempotent || never_sent) && worth_retrying(&failed.error)
//!     };
//!     let sleep = |_failed_attempt, delay| std::thread::sleep(delay);
//!     let done = retry_with(&policy, retryable, sleep, |_attempt| {
//!         exchange(peer.addr(), b"charge 10 EUR", Duration::from_secs(1))
//!     })?;
//!     println!("answered on attempt {}", done.number);
//!     Ok(())
//! }
//! ```
//!
//! # Where the failure happened decides whether a retry is safe
//!
//! | where the request failed | retry on a new connection |
//! |---|---|
//! | refused at connect, or the connect failed | always safe: the server never saw the request |
//! | before any byte of the request was sent | safe, for the same reason |
//! | on a reused connection, before any byte of the answer arrived | safe if the request is idempotent: the connection was probably stale ([`crate::reuse`]) |
//! | after the request was sent on a fresh connection | only if the request is idempotent, or carries an idempotency key the server uses to recognise a repeat |
//!
//! # What retry libraries add
//!
//! This module keeps to a fixed count and a delay, so that every step can
//! be read. Libraries add more, and a production client usually wants it:
//!
//! - **jitter**, a random part in each delay, so that many clients that
//!   failed together do not all retry together (backon's
//!   `ExponentialBuilder::with_jitter` in Rust; tenacity's
//!   `wait_random_exponential` in Python; urllib3's `Retry(backoff_jitter=...)`
//!   since urllib3 2.x);
//! - **a total time budget** instead of, or beside, a count (tenacity's
//!   `stop_after_delay`; backon's `ExponentialBuilder::with_total_delay`,
//!   since backon 1.5.0, and on that builder only);
//! - **`Retry-After`**, waiting as long as an HTTP server asks (urllib3's
//!   `Retry(respect_retry_after_header=True)`, the default);
//! - **retry budgets and circuit breakers**, which stop a whole fleet of
//!   clients from retrying a server that is down into the ground; none of
//!   the three libraries above has them (gRPC's retry throttling and
//!   Envoy's retry budgets do the first; circuit breaker libraries such as
//!   resilience4j, or pybreaker in Python, the second).
//!
//! [`ExchangeError::step`]: crate::exchange::ExchangeError::step

use std::error::Error;
use std::fmt;
use std::io::{self, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::failure::Failure;

/// The most attempts a [`Policy`] allows.
pub const MAX_ATTEMPTS: u32 = 100;

/// The longest wait between attempts a [`Policy`] allows.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

/// How many times to try, and how long to wait between tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    attempts: u32,
    delay: Duration,
}

impl Policy {
    /// A policy of `attempts` tries in all, `delay` apart.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if `attempts` is 0 (a retry loop must try at least
    /// once) or more than [`MAX_ATTEMPTS`], or if `delay` is longer than
    /// [`MAX_DELAY`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reset_by_peer::retry::Policy;
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let policy = Policy::new(3, Duration::from_millis(200))?;
    ///     assert_eq!(policy.to_string(), "3 attempts, 200 ms apart");
    ///     assert!(Policy::new(0, Duration::ZERO).is_err());
    ///     assert!(Policy::new(3, Duration::MAX).is_err());
    ///     Ok(())
    /// }
    /// ```
    pub fn new(attempts: u32, delay: Duration) -> io::Result<Policy> {
        let invalid = |message: String| Err(io::Error::new(io::ErrorKind::InvalidInput, message));
        if attempts == 0 || attempts > MAX_ATTEMPTS {
            return invalid(format!(
                "a retry policy needs 1 to {MAX_ATTEMPTS} attempts, not {attempts}"
            ));
        }
        if delay > MAX_DELAY {
            return invalid(format!(
                "a retry policy waits at most {} s between attempts, not {delay:?}",
                MAX_DELAY.as_secs()
            ));
        }
        Ok(Policy { attempts, delay })
    }

    /// The total number of tries.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reset_by_peer::retry::Policy;
    ///
    /// fn main() -> std::io::Result<()> {
    ///     assert_eq!(Policy::new(3, Duration::ZERO)?.attempts(), 3);
    ///     Ok(())
    /// }
    /// ```
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The wait between one try's failure and the next try.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reset_by_peer::retry::Policy;
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let delay = Duration::from_millis(200);
    ///     assert_eq!(Policy::new(3, delay)?.delay(), delay);
    ///     Ok(())
    /// }
    /// ```
    pub fn delay(&self) -> Duration {
        self.delay
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let noun = if self.attempts == 1 {
            "attempt"
        } else {
            "attempts"
        };
        write!(
            f,
            "{} {noun}, {} ms apart",
            self.attempts,
            self.delay.as_millis()
        )
    }
}

/// One attempt that failed, with its error.
#[derive(Debug)]
pub struct FailedAttempt<E> {
    /// Counted from 1.
    pub number: u32,
    /// When it started, after the first attempt started.
    pub started: Duration,
    /// What it failed with.
    pub error: E,
}

/// A retry that succeeded: the value, and the attempts that failed first.
#[derive(Debug)]
pub struct Success<T, E> {
    /// What the successful attempt returned.
    pub value: T,
    /// The successful attempt's number, counted from 1.
    pub number: u32,
    /// When the successful attempt started, after the first one started.
    pub started: Duration,
    /// The attempts that failed before it, in order.
    pub failed: Vec<FailedAttempt<E>>,
}

/// Why a retry stopped without success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Every attempt the policy allows failed.
    OutOfAttempts,
    /// The error was not one a new attempt could fix.
    NotRetryable,
}

/// A retry that gave up: why, the last attempt, and the ones before it.
#[derive(Debug)]
pub struct Stopped<E> {
    /// Why no further attempt was made.
    pub reason: Reason,
    /// The last attempt; its error is the real one, not a summary.
    pub last: FailedAttempt<E>,
    /// The attempts that failed before it, in order.
    pub earlier: Vec<FailedAttempt<E>>,
}

impl<E: fmt::Display> fmt::Display for Stopped<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let attempts = self.last.number;
        match self.reason {
            Reason::OutOfAttempts => {
                let noun = if attempts == 1 { "attempt" } else { "attempts" };
                write!(f, "gave up after {attempts} {noun}: {}", self.last.error)
            }
            Reason::NotRetryable => write!(
                f,
                "stopped at attempt {attempts}, not worth retrying: {}",
                self.last.error
            ),
        }
    }
}

impl<E: Error + 'static> Error for Stopped<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.last.error)
    }
}

impl<E> Stopped<E> {
    /// The last attempt's error, without the attempts.
    pub fn into_last_error(self) -> E {
        self.last.error
    }
}

/// For `?` in a function that returns `io::Result`: the `io::Error` keeps
/// the kind of the last attempt's error and carries the whole story, every
/// attempt included (`get_ref`, `into_inner`); [`crate::failure::innermost`]
/// finds the errno inside, and [`Stopped::into_last_error`] gives the bare
/// error.
impl<E: Error + Send + Sync + 'static> From<Stopped<E>> for io::Error {
    fn from(stopped: Stopped<E>) -> io::Error {
        let kind = io_kind(&stopped.last.error);
        io::Error::new(kind, stopped)
    }
}

/// The kind of the first `io::Error` in `error`'s chain of sources, or
/// `Other` if there is none.
fn io_kind(error: &(dyn Error + 'static)) -> io::ErrorKind {
    let mut link = Some(error);
    // Each pass goes one source down; the chain is a few links long.
    for _ in 0..16 {
        let Some(current) = link else { break };
        if let Some(io_error) = current.downcast_ref::<io::Error>() {
            return io_error.kind();
        }
        link = current.source();
    }
    io::ErrorKind::Other
}

/// The default test of what to retry: failures a new connection could fix
/// ([`Failure::worth_a_new_attempt`]).
///
/// # Examples
///
/// ```
/// use std::io;
/// use reset_by_peer::retry::worth_retrying;
///
/// assert!(worth_retrying(&io::Error::from(io::ErrorKind::ConnectionReset)));
/// assert!(worth_retrying(&io::Error::from(io::ErrorKind::HostUnreachable)));
/// assert!(!worth_retrying(&io::Error::from(io::ErrorKind::InvalidInput)));
/// ```
pub fn worth_retrying(error: &io::Error) -> bool {
    Failure::of(error).worth_a_new_attempt()
}

/// Runs `operation` until it succeeds, at most `policy.attempts()` times,
/// sleeping `policy.delay()` between failures that [`worth_retrying`] allows.
///
/// `operation` gets the attempt number (from 1) and must do the whole job,
/// connecting included, so that each attempt has a connection of its own.
///
/// # Errors
///
/// A [`Stopped`] with the last attempt's error, when the attempts run out
/// ([`Reason::OutOfAttempts`]) or an error is not worth retrying
/// ([`Reason::NotRetryable`]).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use reset_by_peer::exchange::exchange;
/// use reset_by_peer::peer::{Peer, Script};
/// use reset_by_peer::retry::{Policy, retry};
///
/// fn main() -> std::io::Result<()> {
///     // The first two connections are reset; the third is answered.
///     let peer = Peer::start(Script::Flaky(2))?;
///     let policy = Policy::new(3, Duration::from_millis(10))?;
///     let done = retry(&policy, |_attempt| {
///         Ok(exchange(peer.addr(), b"Hello, server!", Duration::from_secs(1))?)
///     })?;
///     assert_eq!(done.number, 3);
///     assert_eq!(done.failed.len(), 2);
///     Ok(())
/// }
/// ```
pub fn retry<T>(
    policy: &Policy,
    operation: impl FnMut(u32) -> io::Result<T>,
) -> Result<Success<T, io::Error>, Stopped<io::Error>> {
    let sleep = |_failed_attempt, delay| std::thread::sleep(delay);
    retry_with(policy, worth_retrying, sleep, operation)
}

/// [`retry`] for any error type, with your own test of what to retry and
/// your own way to wait.
///
/// `sleep` is called between attempts with the number of the attempt that
/// just failed and the policy's delay: it can wait that long, wait longer
/// (exponential backoff is `delay * 2^(number - 1)`), or, in a test,
/// record the call instead of waiting.
///
/// # Errors
///
/// As [`retry`].
///
/// # Examples
///
/// ```
/// use std::io;
/// use std::time::Duration;
/// use reset_by_peer::retry::{Policy, retry_with, worth_retrying};
///
/// fn main() -> io::Result<()> {
///     let policy = Policy::new(3, Duration::from_millis(200))?;
///     let mut slept = Vec::new();
///     let record = |failed_attempt, delay| slept.push((failed_attempt, delay));
///     let result = retry_with(&policy, worth_retrying, record, |_attempt| {
///         Err::<(), _>(io::Error::from(io::ErrorKind::ConnectionReset))
///     });
///     assert!(result.is_err());
///     // Two waits between three attempts; none after the last.
///     let ms = Duration::from_millis(200);
///     assert_eq!(slept, vec![(1, ms), (2, ms)]);
///     Ok(())
/// }
/// ```
pub fn retry_with<T, E>(
    policy: &Policy,
    retryable: impl Fn(&E) -> bool,
    mut sleep: impl FnMut(u32, Duration),
    mut operation: impl FnMut(u32) -> Result<T, E>,
) -> Result<Success<T, E>, Stopped<E>> {
    let first = Instant::now();
    let mut failed = Vec::new();
    let mut number = 1;
    // One attempt per pass; `stop_reason` ends it at the policy's count.
    loop {
        let started = first.elapsed();
        let error = match operation(number) {
            Ok(value) => {
                return Ok(Success {
                    value,
                    number,
                    started,
                    failed,
                });
            }
            Err(error) => error,
        };
        let reason = stop_reason(retryable(&error), number, policy.attempts);
        let attempt = FailedAttempt {
            number,
            started,
            error,
        };
        if let Some(reason) = reason {
            // No sleep here: waiting after the last attempt helps nobody.
            return Err(Stopped {
                reason,
                last: attempt,
                earlier: failed,
            });
        }
        failed.push(attempt);
        sleep(number, policy.delay);
        number += 1;
    }
}

/// Why the retry stops after attempt `number` failed, if it does.
fn stop_reason(retryable: bool, number: u32, attempts: u32) -> Option<Reason> {
    if !retryable {
        Some(Reason::NotRetryable)
    } else if number >= attempts {
        Some(Reason::OutOfAttempts)
    } else {
        None
    }
}

/// How the article's retry loop ended.
#[derive(Debug)]
pub enum ArticleEnd {
    /// A send succeeded on this attempt.
    Sent {
        /// The attempt that sent.
        attempt: u32,
    },
    /// Every attempt raised `ConnectionResetError`, which the loop caught;
    /// the loop then ends without a word and without having sent anything.
    FellThrough,
    /// An attempt raised an error the loop does not catch: in Python the
    /// script dies here with a traceback.
    Crashed {
        /// The attempt that raised it.
        attempt: u32,
        /// The uncaught error: `BrokenPipe` after a reset on Unix.
        error: io::Error,
    },
}

/// The article's retry loop, translated faithfully: `attempts` sends of
/// `request` on the same `stream`, catching only `ConnectionReset` and
/// sleeping `delay` after each one it catches.
///
/// It is here to be watched failing; use [`retry`] instead.
/// `caught` is called with each error the loop catches, as the article's
/// `print` would be.
///
/// # Examples
///
/// ```
/// use std::io::{ErrorKind, Write};
/// use std::net::TcpStream;
/// use std::time::Duration;
/// use reset_by_peer::peer::{Peer, Script};
/// use reset_by_peer::retry::{ArticleEnd, article_loop};
///
/// fn main() -> std::io::Result<()> {
///     let peer = Peer::start(Script::Reset)?;
///     let mut stream = TcpStream::connect(peer.addr())?;
///     stream.write_all(b"Hello, server!")?;
///     peer.wait_finished(1, Duration::from_secs(5))?; // the peer has reset it
///     reset_by_peer::peer::wait_closed(&stream, Duration::from_secs(5))?; // and it is here
///     let end = article_loop(&mut stream, b"Hello, server!", 3, Duration::ZERO, |_, _| {});
///     // Never sent: on Linux it dies of BrokenPipe at attempt 2, on macOS at
///     // attempt 1, and on Windows it catches three resets and falls through.
///     assert!(!matches!(end, ArticleEnd::Sent { .. }));
///     if cfg!(target_os = "linux") {
///         assert!(matches!(end, ArticleEnd::Crashed { attempt: 2, error } if error.kind() == ErrorKind::BrokenPipe));
///     }
///     Ok(())
/// }
/// ```
pub fn article_loop(
    stream: &mut TcpStream,
    request: &[u8],
    attempts: u32,
    delay: Duration,
    mut caught: impl FnMut(u32, &io::Error),
) -> ArticleEnd {
    for attempt in 1..=attempts {
        match stream.write_all(request) {
            // `break`: success, leave the loop.
            Ok(()) => return ArticleEnd::Sent { attempt },
            // `except ConnectionResetError:` print, then sleep.
            Err(error) if error.kind() == io::ErrorKind::ConnectionReset => {
                caught(attempt, &error);
                std::thread::sleep(delay);
            }
            // Nothing else is caught: in Python this is the traceback.
            Err(error) => return ArticleEnd::Crashed { attempt, error },
        }
    }
    ArticleEnd::FellThrough
}
