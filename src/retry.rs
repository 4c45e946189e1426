//! The article's Strategy 2, retry, done so that it can work: a fixed number
//! of attempts, each on a new connection, retrying only what a new
//! connection could fix.
//!
//! # Why the article's loop cannot work
//!
//! The article retries `s.sendall(...)` on the same socket `s`, catching only
//! `ConnectionResetError`.
//! After a reset, the connection is gone for good, and the kernel reports the
//! reset exactly once (FACTS.md; pinned by `tests/peer.rs`):
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
//! (reproduced with CPython 3.11; [`article_loop`] reproduces it in Rust).
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
//!
//! # What is retried
//!
//! By default only failures a new connection could fix: a reset, an abort, a
//! refusal, a broken pipe, a timeout (`TimedOut`, or `WouldBlock` on Unix),
//! and an interrupted call; that is, [`Failure::worth_a_new_attempt`].
//! Anything else, such as `InvalidInput`, `PermissionDenied` or
//! `AddrNotAvailable`, is a mistake no retry will fix, and stops at once.
//! [`retry_with`] takes a predicate of your own.
//!
//! # Idempotency: retry only what is safe to repeat
//!
//! A reset during the receive does not mean the server did nothing.
//! It may have processed the request and crashed before it answered; a retry
//! then sends the request a second time.
//! For a read, that is harmless; for "charge the card", it is not.
//! Only a failure to connect proves the server never saw the request.
//! So a caller retries a request that must not be repeated only when the
//! connection was refused:
//!
//! ```
//! use std::io::ErrorKind;
//! use std::time::Duration;
//! use reset_by_peer::exchange::exchange;
//! use reset_by_peer::peer::{Peer, Script};
//! use reset_by_peer::retry::{Policy, retry_with, worth_retrying};
//!
//! fn main() -> std::io::Result<()> {
//!     let peer = Peer::start(Script::Echo)?;
//!     let policy = Policy::new(3, Duration::from_millis(200))?;
//!     let request_is_idempotent = false;
//!     let retryable = |error: &std::io::Error| {
//!         if request_is_idempotent {
//!             worth_retrying(error)
//!         } else {
//!             // Refused at connect: the request never left this machine.
//!             error.kind() == ErrorKind::ConnectionRefused
//!         }
//!     };
//!     let done = retry_with(&policy, retryable, std::thread::sleep, |_attempt| {
//!         Ok(exchange(peer.addr(), b"charge 10 EUR", Duration::from_secs(1))?)
//!     })?;
//!     println!("answered on attempt {}", done.history.len());
//!     Ok(())
//! }
//! ```

use std::error::Error;
use std::fmt;
use std::io::{self, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::except::Failure;

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
    /// `InvalidInput` if `attempts` is 0: a retry loop must try at least once.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reset_by_peer::retry::Policy;
    ///
    /// let policy = Policy::new(3, Duration::from_millis(200))?;
    /// assert_eq!(policy.to_string(), "3 attempts, 200 ms apart");
    /// assert!(Policy::new(0, Duration::ZERO).is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(attempts: u32, delay: Duration) -> io::Result<Policy> {
        if attempts == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a retry policy needs at least 1 attempt",
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
    /// assert_eq!(Policy::new(3, Duration::ZERO)?.attempts(), 3);
    /// # Ok::<(), std::io::Error>(())
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
    /// let delay = Duration::from_millis(200);
    /// assert_eq!(Policy::new(3, delay)?.delay(), delay);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn delay(&self) -> Duration {
        self.delay
    }

    /// When each try starts, relative to the first, if every try failed at
    /// once: 0, delay, 2 × delay, and so on.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reset_by_peer::retry::Policy;
    ///
    /// let ms = Duration::from_millis;
    /// let policy = Policy::new(3, ms(200))?;
    /// assert_eq!(policy.schedule(), vec![ms(0), ms(200), ms(400)]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn schedule(&self) -> Vec<Duration> {
        (0..self.attempts)
            .map(|earlier| self.delay.saturating_mul(earlier))
            .collect()
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

/// How one attempt ended.
#[derive(Debug)]
pub enum Outcome {
    /// The operation succeeded.
    Succeeded,
    /// It failed, and another attempt followed after the delay.
    Retried(io::Error),
    /// It failed, and it was the last: the error is [`GaveUp::error`].
    Last,
}

/// One attempt in a retry's history.
#[derive(Debug)]
pub struct Attempt {
    /// Counted from 1.
    pub number: u32,
    /// When it started, after the first attempt started.
    pub started: Duration,
    /// How it ended.
    pub outcome: Outcome,
}

/// A retry that succeeded: the value, and every attempt it took.
#[derive(Debug)]
pub struct Success<T> {
    /// What the successful attempt returned.
    pub value: T,
    /// Every attempt, the successful one last.
    pub history: Vec<Attempt>,
}

/// Why a retry stopped without success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Every attempt the policy allows failed.
    OutOfAttempts,
    /// The error was not one a new attempt could fix.
    NotRetryable,
}

/// A retry that gave up: the last error, why, and every attempt.
#[derive(Debug)]
pub struct GaveUp {
    /// The last attempt's error: the real one, not a summary.
    pub error: io::Error,
    /// Why no further attempt was made.
    pub reason: Reason,
    /// Every attempt; the last one's outcome is [`Outcome::Last`].
    pub history: Vec<Attempt>,
}

impl fmt::Display for GaveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let attempts = self.history.len();
        match self.reason {
            Reason::OutOfAttempts => write!(f, "gave up after {attempts} attempts: {}", self.error),
            Reason::NotRetryable => {
                write!(
                    f,
                    "stopped at attempt {attempts}, not worth retrying: {}",
                    self.error
                )
            }
        }
    }
}

impl Error for GaveUp {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.error)
    }
}

impl From<GaveUp> for io::Error {
    /// Keeps the last error, so that its kind and errno survive `?`.
    fn from(gave_up: GaveUp) -> io::Error {
        gave_up.error
    }
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
/// A [`GaveUp`] with the last attempt's error, when the attempts run out
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
///     assert_eq!(done.history.len(), 3);
///     Ok(())
/// }
/// ```
pub fn retry<T>(
    policy: &Policy,
    operation: impl FnMut(u32) -> io::Result<T>,
) -> Result<Success<T>, GaveUp> {
    retry_with(policy, worth_retrying, std::thread::sleep, operation)
}

/// [`retry`] with your own test of what to retry, and your own way to sleep.
///
/// Tests pass a `sleep` that records the delay instead of waiting, so that
/// they run in no time and can check the schedule exactly.
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
/// let policy = Policy::new(3, Duration::from_millis(200))?;
/// let mut slept = Vec::new();
/// let result = retry_with(&policy, worth_retrying, |d| slept.push(d), |_attempt| {
///     Err::<(), _>(io::Error::from(io::ErrorKind::ConnectionReset))
/// });
/// assert!(result.is_err());
/// // Two waits between three attempts; none after the last.
/// assert_eq!(slept, vec![Duration::from_millis(200); 2]);
/// # Ok::<(), io::Error>(())
/// ```
pub fn retry_with<T>(
    policy: &Policy,
    retryable: impl Fn(&io::Error) -> bool,
    mut sleep: impl FnMut(Duration),
    mut operation: impl FnMut(u32) -> io::Result<T>,
) -> Result<Success<T>, GaveUp> {
    let first = Instant::now();
    let mut history = Vec::new();
    // `number` runs from 1 to the policy's count: the loop is bounded by it.
    for number in 1..=policy.attempts {
        let started = first.elapsed();
        let error = match operation(number) {
            Ok(value) => {
                let outcome = Outcome::Succeeded;
                history.push(Attempt {
                    number,
                    started,
                    outcome,
                });
                return Ok(Success { value, history });
            }
            Err(error) => error,
        };
        let reason = if !retryable(&error) {
            Some(Reason::NotRetryable)
        } else if number == policy.attempts {
            Some(Reason::OutOfAttempts)
        } else {
            None
        };
        if let Some(reason) = reason {
            // No sleep here: waiting after the last attempt helps nobody.
            history.push(Attempt {
                number,
                started,
                outcome: Outcome::Last,
            });
            return Err(GaveUp {
                error,
                reason,
                history,
            });
        }
        history.push(Attempt {
            number,
            started,
            outcome: Outcome::Retried(error),
        });
        sleep(policy.delay);
    }
    // Only reachable if the policy allowed no attempt, which `Policy::new`
    // refuses; report it as the caller's mistake rather than panic.
    Err(GaveUp {
        error: io::Error::new(io::ErrorKind::InvalidInput, "the policy allowed no attempt"),
        reason: Reason::NotRetryable,
        history,
    })
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
        /// The uncaught error, `BrokenPipe` after a reset.
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
///     let end = article_loop(&mut stream, b"Hello, server!", 3, Duration::ZERO, |_, _| {});
///     assert!(matches!(end, ArticleEnd::Crashed { attempt: 2, error } if error.kind() == ErrorKind::BrokenPipe));
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
