//! The article's Strategy 3, timeouts, and the four ways Rust's differ from
//! Python's `settimeout`.
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
//!    Test for both kinds with [`is_timeout`]. (Pinned by `tests/timeout.rs`.)
//! 2. **It fires late, in ticks.** Linux counts `SO_RCVTIMEO` in whole
//!    scheduler ticks (4 ms with HZ=250) and fires on a tick, so a 200 ms
//!    timeout fires a few milliseconds late (here: 0.2 to 4.4 ms, median
//!    3.3 to 3.5 ms, over two runs of 50; FACTS.md: 2 to 5 ms); Python's, which waits with
//!    `poll`, about 0.4 ms late. (Measured by
//!    `cargo run --release --example measure`.)
//! 3. **It bounds each call, not the whole operation.** Every `read` or
//!    `write` gets the full timeout afresh. A peer that sends one byte every
//!    150 ms keeps a 200 ms read timeout from ever firing, however long a
//!    `read_exact` takes; a `write_all` with a 200 ms write timeout took
//!    816 ms against a peer that never reads, because each partial write
//!    restarts the timer (FACTS.md; this crate's benchmark measures 609 to
//!    628 ms here). Python's `sendall` has had a total deadline since 3.5.
//!    [`read_exact_by`] and [`write_all_by`] give Rust one.
//!    (Pinned by `tests/timeout.rs`, measured by the `measure` example.)
//! 4. **Zero is an error.** `set_read_timeout(Some(Duration::ZERO))` fails
//!    with `InvalidInput` and keeps the old timeout; Python's
//!    `settimeout(0)` means non-blocking. [`set_read_timeout`] and its
//!    siblings refuse zero with an error that says so, before touching the
//!    socket. (Pinned by `tests/timeout.rs`.)
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
//! A plain `read_exact` that does time out loses the bytes it had already
//! read (FACTS.md: 3 of 8 bytes, gone); the deadline functions here report
//! how many bytes were transferred, and they are in the caller's buffer.

use std::error::Error;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// The scheduler tick of the Linux kernel this crate was measured on
/// (HZ=250). See [`step`].
const KERNEL_TICK: Duration = Duration::from_millis(4);

/// The longest single wait in a deadline operation. Longer socket timeouts
/// land on a coarser level of Linux's timer wheel (beyond 64 ticks, 256 ms at
/// HZ=250, it rounds up to 8 ticks); waiting in shorter steps keeps the
/// rounding small.
const MAX_STEP: Duration = Duration::from_millis(200);

/// How many times in a row a call may be interrupted by a signal before the
/// error is passed on; std's own `read_exact` retries without a limit.
const MAX_INTERRUPTS: u32 = 16;

/// Whether an error is an expired timeout: `WouldBlock` (how Unix reports an
/// expired `SO_RCVTIMEO`/`SO_SNDTIMEO`) or `TimedOut` (Windows, and the
/// deadline functions here).
///
/// On a non-blocking socket `WouldBlock` means "nothing yet" instead; this
/// crate's sockets are blocking.
///
/// # Examples
///
/// ```
/// use std::io;
/// use reset_by_peer::timeout::is_timeout;
///
/// assert!(is_timeout(&io::Error::from(io::ErrorKind::WouldBlock)));
/// assert!(is_timeout(&io::Error::from(io::ErrorKind::TimedOut)));
/// assert!(!is_timeout(&io::Error::from(io::ErrorKind::ConnectionReset)));
/// ```
pub fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

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

/// What one [`receive`] got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// This many bytes arrived.
    Data(usize),
    /// The peer closed the connection: the read returned 0 bytes.
    Closed,
    /// The read timeout expired with nothing received.
    TimedOut,
}

/// One read that keeps apart its three outcomes: data, the peer's close, and
/// an expired timeout.
///
/// # Errors
///
/// `InvalidInput` for an empty `buf` (a read into it would return 0 and look
/// like a close); `ConnectionReset` and the other failures of `read`.
///
/// # Examples
///
/// ```
/// use std::net::TcpStream;
/// use std::time::Duration;
/// use reset_by_peer::peer::{Peer, Script};
/// use reset_by_peer::timeout::{Received, receive, set_read_timeout};
///
/// fn main() -> std::io::Result<()> {
///     let peer = Peer::start(Script::Stall)?;
///     let mut stream = TcpStream::connect(peer.addr())?;
///     set_read_timeout(&stream, Duration::from_millis(20))?;
///     assert_eq!(receive(&mut stream, &mut [0u8; 64])?, Received::TimedOut);
///     Ok(())
/// }
/// ```
pub fn receive(stream: &mut TcpStream, buf: &mut [u8]) -> io::Result<Received> {
    if buf.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "cannot receive into an empty buffer: 0 bytes read would look like a close",
        ));
    }
    let mut interrupted = 0;
    loop {
        match stream.read(buf) {
            // Zero bytes into a non-empty buffer is the peer's clean close.
            Ok(0) => return Ok(Received::Closed),
            Ok(n) => return Ok(Received::Data(n)),
            Err(error) if is_timeout(&error) => return Ok(Received::TimedOut),
            Err(error)
                if error.kind() == io::ErrorKind::Interrupted && interrupted < MAX_INTERRUPTS =>
            {
                interrupted += 1;
            }
            Err(error) => return Err(error),
        }
    }
}

/// A deadline read or write that stopped early, with how far it got.
#[derive(Debug)]
pub struct DeadlineError {
    /// Bytes already read into the buffer, or already written, before the
    /// error: they are not lost.
    pub transferred: usize,
    /// `TimedOut` when the deadline passed; otherwise what the socket
    /// reported (`UnexpectedEof` if the peer closed before a read was done).
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

impl From<DeadlineError> for io::Error {
    fn from(failure: DeadlineError) -> io::Error {
        failure.error
    }
}

/// The socket timeout to ask for when `left` remains before a deadline.
///
/// Measured on this crate's Linux machine (HZ=250, 4 ms ticks), a socket
/// timeout of `t` fires after ⌈t / 4 ms⌉ + 1 ticks: a 50 ms timeout after
/// 56 ms, a 1 ms timeout after 8 ms. Asking for two ticks less than the time
/// left makes the wait end up to a tick *before* the deadline; the last
/// stretch is then slept, which is precise (see [`transfer_by`]). The loop
/// checks the clock itself, so on a kernel that fires sooner this only costs
/// one more short wait; it never stops early.
pub(crate) fn step(left: Duration) -> Duration {
    left.min(MAX_STEP).saturating_sub(KERNEL_TICK * 2)
}

/// Below this much time left, a socket timeout is too coarse to use: even
/// the shortest costs two ticks, and [`step`] would ask for almost nothing.
pub(crate) const FINE_WAIT: Duration = Duration::from_millis(12);

/// Which way a deadline operation moves bytes.
#[derive(Clone, Copy)]
pub(crate) enum Direction {
    /// Reading from the socket.
    Read,
    /// Writing to the socket.
    Write,
}

/// One `transfer` call bounded by `deadline`: it returns `Some(n)` as soon as
/// the call moves `n` bytes (0 meaning the end of the stream), or `None` once
/// the deadline has passed with nothing moved.
///
/// It waits in socket timeouts sized by [`step`] while there is time, and
/// for the last few milliseconds sleeps (which is precise) and then tries
/// once without blocking. It changes the socket's timeout for `direction`;
/// the caller restores it if it cares.
pub(crate) fn transfer_by(
    stream: &mut TcpStream,
    direction: Direction,
    deadline: Instant,
    mut transfer: impl FnMut(&mut TcpStream) -> io::Result<usize>,
) -> io::Result<Option<usize>> {
    let mut interrupted = 0;
    // Each pass ends in a result, or waits at most until the deadline (give
    // or take a tick), or retries an interrupted call at most MAX_INTERRUPTS
    // times; so the loop ends soon after the deadline.
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(None);
        }
        if left <= FINE_WAIT {
            std::thread::sleep(left);
            return try_now(stream, &mut transfer);
        }
        match direction {
            Direction::Read => stream.set_read_timeout(Some(step(left)))?,
            Direction::Write => stream.set_write_timeout(Some(step(left)))?,
        }
        match transfer(stream) {
            Ok(n) => return Ok(Some(n)),
            // The per-call timeout ran out; the clock decides what is next.
            Err(error) if is_timeout(&error) => {}
            Err(error)
                if error.kind() == io::ErrorKind::Interrupted && interrupted < MAX_INTERRUPTS =>
            {
                interrupted += 1;
            }
            Err(error) => return Err(error),
        }
    }
}

/// One call without blocking: `Some(n)` if it moved bytes, `None` if it
/// would have had to wait.
fn try_now(
    stream: &mut TcpStream,
    transfer: &mut impl FnMut(&mut TcpStream) -> io::Result<usize>,
) -> io::Result<Option<usize>> {
    stream.set_nonblocking(true)?;
    let result = transfer(stream);
    // Back to blocking before anything else, whatever the call did.
    stream.set_nonblocking(false)?;
    match result {
        Ok(n) => Ok(Some(n)),
        Err(error) if error.kind() == io::ErrorKind::WouldBlock => Ok(None),
        Err(error) => Err(error),
    }
}

/// Runs `transfer` until `total` bytes have moved or `deadline` passes, each
/// call bounded by the time left ([`transfer_by`]), so that the whole
/// operation, not each call, is bounded. Restores the socket's timeout after.
fn until_deadline(
    stream: &mut TcpStream,
    direction: Direction,
    total: usize,
    deadline: Instant,
    mut transfer: impl FnMut(&mut TcpStream, usize) -> io::Result<usize>,
) -> Result<(), DeadlineError> {
    let previous = match direction {
        Direction::Read => stream.read_timeout(),
        Direction::Write => stream.write_timeout(),
    };
    let previous = previous.map_err(|error| DeadlineError {
        transferred: 0,
        error,
    })?;
    let mut done = 0;
    // Each pass moves at least one byte or ends the operation.
    let result = loop {
        if done >= total {
            break Ok(());
        }
        match transfer_by(stream, direction, deadline, |stream| transfer(stream, done)) {
            Ok(Some(0)) => {
                let (kind, message) = match direction {
                    Direction::Read => (
                        io::ErrorKind::UnexpectedEof,
                        "the peer closed before all bytes arrived",
                    ),
                    Direction::Write => (io::ErrorKind::WriteZero, "the socket accepted no bytes"),
                };
                break Err(io::Error::new(kind, message));
            }
            Ok(Some(n)) => done += n,
            Ok(None) => {
                let message = format!("deadline passed after {done} of {total} bytes");
                break Err(io::Error::new(io::ErrorKind::TimedOut, message));
            }
            Err(error) => break Err(error),
        }
    };
    // Put the caller's own timeout back; if that fails, the socket is in
    // trouble anyway and the operation's own result is the news.
    let _ = match direction {
        Direction::Read => stream.set_read_timeout(previous),
        Direction::Write => stream.set_write_timeout(previous),
    };
    result.map_err(|error| DeadlineError {
        transferred: done,
        error,
    })
}

/// Fills `buf` completely, or stops when `deadline` passes: `read_exact`
/// with a bound on the whole operation.
///
/// # Errors
///
/// A [`DeadlineError`] with the number of bytes already in `buf`, and
/// `TimedOut` if the deadline passed, `UnexpectedEof` if the peer closed
/// first, or what the socket reported (`ConnectionReset`, say).
///
/// # Examples
///
/// ```
/// use std::io::ErrorKind;
/// use std::net::TcpStream;
/// use std::time::{Duration, Instant};
/// use reset_by_peer::peer::{DripInterval, Peer, Script};
/// use reset_by_peer::timeout::read_exact_by;
///
/// fn main() -> std::io::Result<()> {
///     // One byte every 20 ms: 100 bytes would take 2 s.
///     let peer = Peer::start(Script::Drip(DripInterval::from_millis(20)?))?;
///     let mut stream = TcpStream::connect(peer.addr())?;
///     let mut buf = [0u8; 100];
///     let deadline = Instant::now() + Duration::from_millis(100);
///     let stopped = read_exact_by(&mut stream, &mut buf, deadline).unwrap_err();
///     assert_eq!(stopped.error.kind(), ErrorKind::TimedOut);
///     assert!(stopped.transferred < 100);
///     Ok(())
/// }
/// ```
pub fn read_exact_by(
    stream: &mut TcpStream,
    buf: &mut [u8],
    deadline: Instant,
) -> Result<(), DeadlineError> {
    let total = buf.len();
    until_deadline(stream, Direction::Read, total, deadline, |stream, done| {
        // `done` never exceeds the length, so the slice is never out of range.
        stream.read(buf.get_mut(done..).unwrap_or_default())
    })
}

/// Writes all of `data`, or stops when `deadline` passes: `write_all` with a
/// bound on the whole operation, like Python's `sendall` with a timeout.
///
/// # Errors
///
/// A [`DeadlineError`] with the number of bytes already written, and
/// `TimedOut` if the deadline passed, or what the socket reported
/// (`ConnectionReset`, `BrokenPipe`).
///
/// # Examples
///
/// ```
/// use std::net::{TcpListener, TcpStream};
/// use std::time::{Duration, Instant};
/// use reset_by_peer::timeout::write_all_by;
///
/// fn main() -> std::io::Result<()> {
///     // A listener that never accepts: nobody reads, so the buffers fill up.
///     let listener = TcpListener::bind("127.0.0.1:0")?;
///     let mut stream = TcpStream::connect(listener.local_addr()?)?;
///     let data = vec![0u8; 64 * 1024 * 1024];
///     let deadline = Instant::now() + Duration::from_millis(100);
///     let stopped = write_all_by(&mut stream, &data, deadline).unwrap_err();
///     assert!(stopped.transferred < data.len());
///     Ok(())
/// }
/// ```
pub fn write_all_by(
    stream: &mut TcpStream,
    data: &[u8],
    deadline: Instant,
) -> Result<(), DeadlineError> {
    until_deadline(
        stream,
        Direction::Write,
        data.len(),
        deadline,
        |stream, done| stream.write(data.get(done..).unwrap_or_default()),
    )
}
