//! The article's Strategy 3, timeouts, and the four ways Rust's differ from
//! Python's `settimeout` (the second is the kernel's doing, not Rust's).
//!
//! The article sets `s.settimeout(5)` and catches `socket.timeout`.
//! Rust's `set_read_timeout` looks like the same thing and is not:
//!
//! 1. **A timeout is `WouldBlock` on Unix, not `TimedOut`.**
//!    std implements the timeout with the socket option `SO_RCVTIMEO`, and
//!    the kernel fails an expired read with EAGAIN (raw 11 on Linux).
//!    std's documentation of `set_read_timeout` says so: Unix typically
//!    returns `WouldBlock`, Windows may return `TimedOut`.
//!    Python raises `TimeoutError: timed out` with no errno.
//!    [`Failure::of_timed`] counts both as the program's own timeout.
//!    (Pinned by `tests/lessons/timeout.rs`:
//!    `on_linux_a_read_timeout_is_would_block_with_eagain_never_timed_out`.)
//! 2. **It fires late, and the longer the timeout, the later.** Linux files
//!    each timer on a level of its timer wheel chosen by how far away it
//!    is, and rounds its expiry up to that level's step when it is armed.
//!    At HZ=250, the kernel this crate is measured on, the step is 4 ms for
//!    timers up to 255 ms, 32 ms up to about 2 s and 256 ms up to about
//!    16 s (the table in the comments of `kernel/time/timer.c`; at HZ=1000
//!    the first level ends at 63 ms). So a 200 ms read timeout fires a
//!    tick or so late, a 1 s one up to 32 ms late, and a 5 s one, the
//!    article's `settimeout(5)` done as `set_read_timeout`, up to a quarter
//!    of a second late; never early. `measure` prints each
//!    (`cargo run --release --example measure`; the figures are in
//!    `docs/facts.md`). That is the kernel's doing, not Rust's.
//!    Python's `settimeout` waits with `poll` (with `select` on Windows),
//!    whose timeout is a high-resolution timer, not filed on the wheel:
//!    Linux lets it run late by 0.1% of the timeout (`fs/select.c`,
//!    `__estimate_accuracy`, at most 100 ms), a fraction of a millisecond
//!    at 200 ms and about 5 ms at 5 s.
//!    The deadline functions here wait in steps of at most 200 ms
//!    ([`read_by`]), which HZ=250 files on the finest level, so they end
//!    within a tick or two of their deadline whatever its length, never
//!    before (at HZ=1000, whose finest level ends at 63 ms, within 8 ms).
//! 3. **It bounds each call, not the whole operation.** Every `read` or
//!    `write` gets the full timeout afresh. A peer that sends one byte every
//!    150 ms keeps a 200 ms read timeout from ever firing, however long a
//!    `read_exact` takes; and a `write_all` with a 200 ms write timeout
//!    against a peer that never reads goes on well past 200 ms, because each
//!    partial write restarts the timer (`measure` prints how far past).
//!    Python's `sendall` has had a total deadline since 3.5.
//!    [`read_exact_by`] and [`write_all_by`] give Rust one.
//!    (Pinned by `tests/lessons/timeout.rs`:
//!    `a_per_call_timeout_never_fires_against_a_peer_that_drips_faster`.)
//! 4. **Zero is an error.** `set_read_timeout(Some(Duration::ZERO))` fails
//!    with `InvalidInput` and keeps the old timeout; Python's
//!    `settimeout(0)` means non-blocking. [`set_read_timeout`] and its
//!    siblings refuse zero with an error that says so, before touching the
//!    socket. (Pinned by `tests/lessons/timeout.rs`.)
//!
//! ```text
//!  per-call timeout 200 ms                    deadline 500 ms
//!  client                drip peer            client                drip peer
//!  read  ---- waits 150 ms ----> '.'          read (500 ms left) -----> '.'   150 ms
//!  read  ---- waits 150 ms ----> '.'          read (350 ms left) -----> '.'   300 ms
//!  read  ---- waits 150 ms ----> '.'          read (200 ms left) -----> '.'   450 ms
//!  ...every read restarts the 200 ms timer    read  (50 ms left) ...
//!  read_exact(8) returns Ok after 1.2 s       500 ms: Err(TimedOut), 3 of 8 bytes kept
//! ```
//!
//! # A deadline, one read at a time
//!
//! A [`Deadline`] is a moment, not a duration: [`Deadline::after`] fixes it
//! once, and [`Deadline::left`] shrinks with every call.
//! The whole technique is one step, [`read_by`]: before each read, set
//! the read timeout to the time left until the deadline.
//! [`read_exact_by`] is that step in a loop, which is the solution of
//! exercise 6; [`write_by`] and [`write_all_by`] are the same for
//! writing.
//!
//! A plain `read_exact` that times out leaves the bytes it had read in the
//! buffer, but std does not say how many there were: they are unaccounted
//! for. The deadline functions here report how many bytes were
//! transferred ([`DeadlineError::transferred`]).
//!
//! # A stop and continue is not a failure (Linux)
//!
//! On Linux, a process that is stopped and continued (Ctrl-Z, then `fg`)
//! finds its socket call that was waiting under a timeout failed with
//! EINTR, `Interrupted`, although it set no signal handler: `recv` and
//! `accept` when `SO_RCVTIMEO` is set, `send` and `connect` when
//! `SO_SNDTIMEO` is, which is how std sets a read or write timeout
//! (signal(7), "Interruption of system calls and library functions by stop
//! signals", Linux man-pages 6.03).
//! std's `read_exact`, `read_to_end` and `write_all` call again after
//! `Interrupted`, each time with the whole timeout; `read`, `peek` and
//! `write` return it.
//! Nothing happened to the connection ([`Failure::connection_usable`]), so
//! the answer is to call again, within the same bound:
//! [`again_if_interrupted`] does that for one call, with what is left of its
//! wait, and the deadline functions here do it as they go.
//! Python's `settimeout` waits in `poll`, which a stop does not cut short:
//! its `recv` times out on time (`docs/facts.md`).
//! (Pinned by `tests/lessons/timeout.rs`:
//! `on_linux_a_stop_and_continue_interrupts_a_read_and_again_if_interrupted_keeps_its_bound`.)

use std::error::Error;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::failure::Failure;

/// Refuses a zero duration, explaining why, so that callers never reach std's
/// terser error.
fn nonzero(timeout: Duration) -> io::Result<Duration> {
    if timeout.is_zero() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a zero timeout is refused: std rejects Duration::ZERO (Python's settimeout(0) \
             means non-blocking; in Rust use set_nonblocking(true), or None for no timeout)",
        ));
    }
    Ok(timeout)
}

/// Sets the read timeout, refusing zero.
///
/// # Errors
///
/// `InvalidInput` for a zero `timeout`, before the socket is touched; or
/// whatever setting the option fails with.
///
/// # Examples
///
/// ```
/// use std::net::TcpStream;
/// use std::time::Duration;
/// use reset_by_peer::peer::{Peer, Script};
/// use reset_by_peer::timeout::set_read_timeout;
///
/// fn main() -> std::io::Result<()> {
///     let peer = Peer::start(Script::Echo)?;
///     let stream = TcpStream::connect(peer.addr())?;
///     set_read_timeout(&stream, Duration::from_millis(200))?;
///     assert!(set_read_timeout(&stream, Duration::ZERO).is_err());
///     Ok(())
/// }
/// ```
pub fn set_read_timeout(stream: &TcpStream, timeout: Duration) -> io::Result<()> {
    stream.set_read_timeout(Some(nonzero(timeout)?))
}

/// Sets the write timeout, refusing zero.
///
/// # Errors
///
/// `InvalidInput` for a zero `timeout`, before the socket is touched; or
/// whatever setting the option fails with.
///
/// # Examples
///
/// ```
/// use std::net::TcpStream;
/// use std::time::Duration;
/// use reset_by_peer::peer::{Peer, Script};
/// use reset_by_peer::timeout::set_write_timeout;
///
/// fn main() -> std::io::Result<()> {
///     let peer = Peer::start(Script::Echo)?;
///     let stream = TcpStream::connect(peer.addr())?;
///     set_write_timeout(&stream, Duration::from_millis(200))?;
///     Ok(())
/// }
/// ```
pub fn set_write_timeout(stream: &TcpStream, timeout: Duration) -> io::Result<()> {
    stream.set_write_timeout(Some(nonzero(timeout)?))
}

/// Connects to the first address of `addr` that accepts, waiting at most
/// `timeout` for each, and refusing a zero `timeout`.
///
/// # Errors
///
/// `InvalidInput` for a zero `timeout` (before anything is tried) or a name
/// that resolves to no address; `TimedOut` if the other side does not answer
/// in time; `ConnectionRefused` if nobody listens; whatever name resolution
/// fails with. With several addresses, the error is the last one's.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use reset_by_peer::peer::{Peer, Script};
/// use reset_by_peer::timeout::connect;
///
/// fn main() -> std::io::Result<()> {
///     let peer = Peer::start(Script::Echo)?;
///     let stream = connect(peer.addr(), Duration::from_secs(1))?;
///     assert_eq!(stream.peer_addr()?, peer.addr());
///     Ok(())
/// }
/// ```
pub fn connect(addr: impl ToSocketAddrs, timeout: Duration) -> io::Result<TcpStream> {
    let timeout = nonzero(timeout)?;
    let mut last = io::Error::new(
        io::ErrorKind::InvalidInput,
        "the name resolved to no address",
    );
    // A name can resolve to several addresses (IPv6 and IPv4, say); try each
    // in turn, as Python's socket.create_connection does.
    for candidate in addr.to_socket_addrs()? {
        match TcpStream::connect_timeout(&candidate, timeout) {
            Ok(stream) => return Ok(stream),
            Err(error) => last = error,
        }
    }
    Err(last)
}

/// The moment by which a whole read or write must be done, whatever the
/// number of calls it takes: what Python's `sendall` keeps, and what a
/// per-call timeout does not (lesson 3 above).
///
/// Every lesson that keeps a deadline keeps one of these: the reads and
/// writes here, [`crate::exchange`], [`crate::reuse`] and
/// [`crate::heartbeat`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use reset_by_peer::timeout::Deadline;
///
/// let deadline = Deadline::after(Duration::from_millis(200));
/// assert!(!deadline.passed());
/// assert!(deadline.left() <= Duration::from_millis(200));
/// assert!(Deadline::after(Duration::ZERO).passed());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Deadline(Instant);

/// The longest wait a [`Deadline`] keeps: a wait so long that now plus it
/// would overflow the clock is taken as this instead, rather than panic.
const LONGEST_DEADLINE: Duration = Duration::from_secs(365 * 24 * 60 * 60);

impl Deadline {
    /// The deadline `wait` from now. A wait longer than a year counts as a
    /// year, so that no wait can overflow the clock.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reset_by_peer::timeout::Deadline;
    ///
    /// // Even Duration::MAX is a deadline, not a panic.
    /// assert!(!Deadline::after(Duration::MAX).passed());
    /// ```
    pub fn after(wait: Duration) -> Deadline {
        let now = Instant::now();
        Deadline(now.checked_add(wait.min(LONGEST_DEADLINE)).unwrap_or(now))
    }

    /// The time left until the deadline; zero once it has passed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reset_by_peer::timeout::Deadline;
    ///
    /// assert_eq!(Deadline::after(Duration::ZERO).left(), Duration::ZERO);
    /// ```
    pub fn left(&self) -> Duration {
        self.0.saturating_duration_since(Instant::now())
    }

    /// Whether the deadline has passed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reset_by_peer::timeout::Deadline;
    ///
    /// assert!(!Deadline::after(Duration::from_secs(1)).passed());
    /// ```
    pub fn passed(&self) -> bool {
        Instant::now() >= self.0
    }
}

/// A deadline read or write that stopped early, with how far it got.
#[derive(Debug)]
pub struct DeadlineError {
    /// How many bytes were read into the buffer, or written, before it
    /// stopped.
    pub transferred: usize,
    /// Why it stopped: `TimedOut` when the deadline passed.
    pub error: io::Error,
}

impl fmt::Display for DeadlineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (after {} bytes)", self.error, self.transferred)
    }
}

impl Error for DeadlineError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.error)
    }
}

impl DeadlineError {
    /// The bare `io::Error`, without the count of bytes transferred.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{self, ErrorKind};
    /// use reset_by_peer::timeout::DeadlineError;
    ///
    /// let stopped = DeadlineError { transferred: 3, error: io::Error::from(ErrorKind::TimedOut) };
    /// assert_eq!(stopped.into_io_error().kind(), ErrorKind::TimedOut);
    /// ```
    pub fn into_io_error(self) -> io::Error {
        self.error
    }
}

/// For `?` in a function that returns `io::Result`: the `io::Error` keeps
/// the kind, and carries this error whole, bytes transferred included, as
/// its inner error (`get_ref`, `into_inner`); [`DeadlineError::into_io_error`]
/// gives the bare one.
impl From<DeadlineError> for io::Error {
    fn from(stopped: DeadlineError) -> io::Error {
        io::Error::new(stopped.error.kind(), stopped)
    }
}

/// One read that waits at most until `deadline`: std's `read`, with the
/// read timeout set to the time left.
///
/// It reads first and looks at the clock after, so bytes that have
/// already arrived are returned even when the deadline has passed.
/// It waits in steps of at most 200 ms, filed on the finest level of
/// Linux's timer wheel at HZ=250, so it may return up to a kernel tick or
/// two after the deadline (at HZ=1000, up to 8 ms), never before. It puts the stream's read timeout back as it found it.
///
/// # Errors
///
/// `TimedOut` if nothing arrived by the deadline; `InvalidInput` if the
/// stream is in non-blocking mode (it would make every wait end at once);
/// otherwise what `read` reported, such as `ConnectionReset`.
///
/// # Examples
///
/// ```
/// use std::io::ErrorKind;
/// use std::net::TcpStream;
/// use std::time::Duration;
/// use reset_by_peer::peer::{Peer, Script};
/// use reset_by_peer::timeout::{Deadline, read_by};
///
/// fn main() -> std::io::Result<()> {
///     // A peer that never answers.
///     let peer = Peer::start(Script::Stall)?;
///     let mut stream = TcpStream::connect(peer.addr())?;
///     let deadline = Deadline::after(Duration::from_millis(20));
///     let error = read_by(&mut stream, &mut [0u8; 16], deadline).unwrap_err();
///     assert_eq!(error.kind(), ErrorKind::TimedOut);
///     // The stream's own read timeout is as it was: none.
///     assert_eq!(stream.read_timeout()?, None);
///     Ok(())
/// }
/// ```
pub fn read_by(stream: &mut TcpStream, buf: &mut [u8], deadline: Deadline) -> io::Result<usize> {
    let previous = stream.read_timeout()?;
    let result = step(deadline, |wait| {
        stream.set_read_timeout(Some(wait))?;
        stream.read(buf)
    });
    // Put the caller's timeout back; the result of the read is the news,
    // so a failure here (a socket in trouble anyway) is not reported.
    let _ = stream.set_read_timeout(previous);
    result
}

/// One write that waits at most until `deadline`: std's `write`, with the
/// write timeout set to the time left. The twin of [`read_by`].
///
/// # Errors
///
/// `TimedOut` if the socket took no byte by the deadline; `InvalidInput`
/// if the stream is in non-blocking mode; otherwise what `write` reported,
/// such as `BrokenPipe`.
///
/// # Examples
///
/// ```
/// use std::net::TcpStream;
/// use std::time::Duration;
/// use reset_by_peer::peer::{Peer, Script};
/// use reset_by_peer::timeout::{Deadline, write_by};
///
/// fn main() -> std::io::Result<()> {
///     let peer = Peer::start(Script::Echo)?;
///     let mut stream = TcpStream::connect(peer.addr())?;
///     let n = write_by(&mut stream, b"Hello, server!", Deadline::after(Duration::from_secs(1)))?;
///     assert!(n > 0);
///     Ok(())
/// }
/// ```
pub fn write_by(stream: &mut TcpStream, data: &[u8], deadline: Deadline) -> io::Result<usize> {
    let previous = stream.write_timeout()?;
    let result = step(deadline, |wait| {
        stream.set_write_timeout(Some(wait))?;
        stream.write(data)
    });
    let _ = stream.set_write_timeout(previous);
    result
}

/// The shortest wait a step (or [`again_if_interrupted`]) asks the kernel
/// for. std refuses a zero timeout, so a step with no time left waits this
/// long, which the kernel rounds up to one tick: that is how a step still
/// takes bytes that have already arrived after its deadline has passed.
const SHORTEST_WAIT: Duration = Duration::from_millis(1);

/// The longest wait a step asks the kernel for at once. Linux files a
/// timer beyond 63 ticks on a coarser level of its timer wheel, which
/// rounds it up to 8 ticks or more (32 ms at HZ=250, 256 ms beyond 2 s),
/// so a long deadline is waited for in steps of at most this.
/// 200 ms is under 64 ticks at HZ=100, 250 (this machine) and 300; at
/// HZ=1000 a step longer than 63 ms goes on the second level, rounded up
/// to 8 ms.
const LONGEST_WAIT: Duration = Duration::from_millis(200);

/// Calls `transfer` with a wait of the time left (clamped to
/// [`SHORTEST_WAIT`]..[`LONGEST_WAIT`]) until it moves bytes, fails, or the
/// deadline passes. Each pass waits at least half its wait (or returns the
/// non-blocking error), so the loop ends soon after the deadline.
fn step(
    deadline: Deadline,
    mut transfer: impl FnMut(Duration) -> io::Result<usize>,
) -> io::Result<usize> {
    loop {
        let wait = deadline.left().clamp(SHORTEST_WAIT, LONGEST_WAIT);
        let started = Instant::now();
        let error = match transfer(wait) {
            Ok(n) => return Ok(n),
            Err(error) => error,
        };
        // This code set the timer, so it asks the classifier that knows.
        match Failure::of_timed(&error) {
            Failure::TimedOut if returned_too_soon(started, wait) => return Err(non_blocking()),
            // The wait ran out, or a stop and continue cut it short (see
            // `again_if_interrupted`): try again while there is time left.
            Failure::TimedOut | Failure::Interrupted if !deadline.passed() => {}
            Failure::TimedOut | Failure::Interrupted => return Err(deadline_passed()),
            // Anything else is the socket's own news.
            _ => return Err(error),
        }
    }
}

/// Whether a timeout came back before half its wait: a blocking socket's
/// timer never fires early, so the socket does not block at all, and a
/// loop around it would spin. std cannot ask a socket whether it is in
/// non-blocking mode; this is how the step finds out.
fn returned_too_soon(started: Instant, wait: Duration) -> bool {
    started.elapsed() < wait / 2
}

fn non_blocking() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "the stream is in non-blocking mode, so it cannot wait for a deadline \
         (call set_nonblocking(false) first)",
    )
}

fn deadline_passed() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "the deadline passed")
}

/// Fills `buf` completely, or stops when `deadline` passes: `read_exact`
/// with a bound on the whole operation.
///
/// # Errors
///
/// A [`DeadlineError`] with the number of bytes already in `buf`, and
/// `TimedOut` if the deadline passed, `UnexpectedEof` if the peer closed
/// first, `InvalidInput` for a non-blocking stream, or what the socket
/// reported (`ConnectionReset`, say).
///
/// # Examples
///
/// ```
/// use std::io::ErrorKind;
/// use std::net::TcpStream;
/// use std::time::Duration;
/// use reset_by_peer::peer::{ScriptTime, Peer, Script};
/// use reset_by_peer::timeout::{Deadline, read_exact_by};
///
/// fn main() -> std::io::Result<()> {
///     // One byte every 20 ms: 100 bytes would take 2 s.
///     let peer = Peer::start(Script::Drip(ScriptTime::new(20)?))?;
///     let mut stream = TcpStream::connect(peer.addr())?;
///     let mut buf = [0u8; 100];
///     let deadline = Deadline::after(Duration::from_millis(100));
///     let stopped = read_exact_by(&mut stream, &mut buf, deadline).unwrap_err();
///     assert_eq!(stopped.error.kind(), ErrorKind::TimedOut);
///     assert!(stopped.transferred < 100);
///     Ok(())
/// }
/// ```
pub fn read_exact_by(
    stream: &mut TcpStream,
    buf: &mut [u8],
    deadline: Deadline,
) -> Result<(), DeadlineError> {
    let mut filled = 0;
    while filled < buf.len() {
        // A read returns all that has arrived, so after a short one there is
        // nothing more to take without waiting: once the deadline has
        // passed, stop, rather than wait another tick for nothing.
        if filled > 0 && deadline.passed() {
            return Err(DeadlineError {
                transferred: filled,
                error: deadline_passed(),
            });
        }
        match read_by(stream, &mut buf[filled..], deadline) {
            // Zero bytes: the peer closed before the buffer was full.
            Ok(0) => {
                let error = io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the peer closed before all bytes arrived",
                );
                return Err(DeadlineError {
                    transferred: filled,
                    error,
                });
            }
            Ok(n) => filled += n,
            Err(error) => {
                return Err(DeadlineError {
                    transferred: filled,
                    error,
                });
            }
        }
    }
    Ok(())
}

/// Writes all of `data`, or stops when `deadline` passes: `write_all` with a
/// bound on the whole operation, like Python's `sendall` with a timeout.
/// The twin of [`read_exact_by`].
///
/// # Errors
///
/// A [`DeadlineError`] with the number of bytes already written, and
/// `TimedOut` if the deadline passed, `InvalidInput` for a non-blocking
/// stream, or what the socket reported (`ConnectionReset`, `BrokenPipe`).
///
/// # Examples
///
/// ```
/// use std::net::{TcpListener, TcpStream};
/// use std::time::Duration;
/// use reset_by_peer::timeout::{Deadline, write_all_by};
///
/// fn main() -> std::io::Result<()> {
///     // A listener that never accepts: nobody reads, so the buffers fill up.
///     let listener = TcpListener::bind("127.0.0.1:0")?;
///     let mut stream = TcpStream::connect(listener.local_addr()?)?;
///     let data = vec![0u8; 64 * 1024 * 1024];
///     let deadline = Deadline::after(Duration::from_millis(100));
///     let stopped = write_all_by(&mut stream, &data, deadline).unwrap_err();
///     assert!(stopped.transferred < data.len());
///     Ok(())
/// }
/// ```
pub fn write_all_by(
    stream: &mut TcpStream,
    data: &[u8],
    deadline: Deadline,
) -> Result<(), DeadlineError> {
    let mut written = 0;
    while written < data.len() {
        // A short write means the send buffer was full: once the deadline
        // has passed, stop, rather than wait another tick for room.
        if written > 0 && deadline.passed() {
            return Err(DeadlineError {
                transferred: written,
                error: deadline_passed(),
            });
        }
        match write_by(stream, &data[written..], deadline) {
            // Zero bytes: the socket can take no more.
            Ok(0) => {
                let error = io::Error::new(io::ErrorKind::WriteZero, "the socket took no bytes");
                return Err(DeadlineError {
                    transferred: written,
                    error,
                });
            }
            Ok(n) => written += n,
            Err(error) => {
                return Err(DeadlineError {
                    transferred: written,
                    error,
                });
            }
        }
    }
    Ok(())
}

/// How many times in a row [`again_if_interrupted`] calls again: one stop
/// and continue interrupts one call, and even a stop every 5 ms for 5 s
/// is fewer.
const MOST_INTERRUPTIONS: u32 = 1000;

/// Makes a socket call that waits at most until `deadline`, and makes it
/// again, with what is left of the wait, each time a stop and continue
/// interrupts it: `call` gets the wait, sets it as the timeout, and calls.
///
/// On Linux, stopping a process and continuing it (Ctrl-Z, then `fg`)
/// fails a `read`, `peek` or `write` that was waiting under a read or
/// write timeout with `Interrupted`, even with no signal handler (signal(7),
/// "Interruption of system calls and library functions by stop signals",
/// Linux man-pages 6.03). The connection is unharmed, so the call is made
/// again; the deadline keeps counting, so the wait as a whole stays
/// within its bound. Once the deadline has passed, a call still waits a
/// millisecond (rounded up to a kernel tick), so bytes that have already
/// arrived are taken and an expired wait ends as it would have: with the
/// call's own timeout error (`WouldBlock` on Unix).
///
/// # Errors
///
/// Whatever `call` returned last: `Interrupted` only if it was interrupted
/// more than a thousand times in a row.
///
/// # Examples
///
/// ```
/// use std::io::{ErrorKind, Read};
/// use std::net::TcpStream;
/// use std::time::Duration;
/// use reset_by_peer::peer::{Peer, Script};
/// use reset_by_peer::timeout::{Deadline, again_if_interrupted};
///
/// fn main() -> std::io::Result<()> {
///     let peer = Peer::start(Script::Stall)?;
///     let mut stream = TcpStream::connect(peer.addr())?;
///     let mut buf = [0u8; 16];
///     // One read with a 50 ms timeout, which Ctrl-Z and fg do not cut short.
///     let result = again_if_interrupted(Deadline::after(Duration::from_millis(50)), |wait| {
///         stream.set_read_timeout(Some(wait))?;
///         stream.read(&mut buf)
///     });
///     // WouldBlock on Unix, TimedOut on Windows: the read timeout expired.
///     let error = result.unwrap_err();
///     assert!(matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut));
///     Ok(())
/// }
/// ```
pub fn again_if_interrupted<T>(
    deadline: Deadline,
    mut call: impl FnMut(Duration) -> io::Result<T>,
) -> io::Result<T> {
    for _ in 0..MOST_INTERRUPTIONS {
        match call(deadline.left().max(SHORTEST_WAIT)) {
            // A stop and continue cut the wait short: call again.
            Err(error) if Failure::of(&error) == Failure::Interrupted => {}
            result => return result,
        }
    }
    call(deadline.left().max(SHORTEST_WAIT))
}
