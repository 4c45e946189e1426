//! A cause the article misses: the stale connection.
//!
//! The article's causes of a reset all strike a connection in use.
//! The one its readers meet most strikes a connection at rest.
//! A client keeps a connection open between requests (an HTTP keep-alive
//! pool, a database driver, an RPC channel); while it sits idle, the server
//! or a load balancer in between gives up on it.
//! A server closes it politely when its keep-alive timeout runs out (a
//! FIN); a load balancer may instead forget the flow, and answer the next
//! packet with an RST.
//! Either way the client finds out only when it uses the connection again:
//! the request is sent without error, and the answer is an end of stream or
//! `ConnectionReset`.
//! The lab peer plays both parts: [`Script::IdleClose`] and
//! [`Script::IdleReset`].
//!
//! What the client sees, measured on Linux (`tests/lessons/reuse.rs`):
//!
//! | the idle connection was | check before sending (non-blocking peek) | send | receive |
//! |---|---|---|---|
//! | closed (FIN) | `Ok(0)`: the check sees it | `Ok` | `Ok(0)`, the end of the stream |
//! | forgotten (RST on the next request) | `WouldBlock`: nothing to see | `Ok` | `ConnectionReset` (errno 104) |
//!
//! ```text
//!  client                      server (idle-close)     client                      load balancer (idle-reset)
//!    | --- "one" ------------> |                         | --- "one" ------------> |
//!    | <------------ "one" --- |                         | <------------ "one" --- |
//!    |     ... idle ...        |                         |     ... idle ...        |  forgets the flow
//!    | <------------- FIN ---- |  keep-alive timeout     |  peek: WouldBlock       |
//!  peek: Ok(0), stale          |                         | --- "two" ------------> |
//!    | --- "two" ------------> |  send Ok                | <------------- RST ---- |
//!  recv -> Ok(0)               |                         recv -> Err(ConnectionReset)
//! ```
//!
//! # The fix, in two parts
//!
//! 1. **Check before reuse.** Before sending on a kept connection, a pool
//!    looks at it without waiting (urllib3 does this before it reuses a
//!    connection): if it is readable, the peer has closed it (or said
//!    something nobody asked for), and a new connection is opened instead.
//!    [`looks_stale`] is that check. It sees a FIN that has arrived; it
//!    cannot see a flow that a middlebox has forgotten, because nothing
//!    arrives until the client sends.
//! 2. **Retry once, by a rule.** When a request fails on a *reused*
//!    connection before any byte of its answer arrived, the connection was
//!    probably stale rather than the request bad: send it once more on a
//!    fresh connection, if it is safe to repeat or not one byte of it went
//!    out. [`may_retry`] is the rule;
//!    Go's `net/http` Transport documents the same one. Python's pools do
//!    less: urllib3 (2.7, checked on this machine) checks a pooled
//!    connection before reusing it (`is_connection_dropped`, in
//!    `HTTPConnectionPool._get_conn`) and retries by its general `Retry`
//!    policy, which knows nothing of reused connections; requests (2.34)
//!    builds its `HTTPAdapter` with `Retry(0, read=False)`, and retries
//!    nothing unless told to.
//!    Whether a request is safe to repeat is the caller's knowledge, not
//!    the library's: [`Client::request`] takes it as an argument.
//!
//! [`crate::retry`] has the wider table of when a retry is safe.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use reset_by_peer::peer::{ScriptTime, Peer, Script};
//! use reset_by_peer::reuse::Client;
//!
//! fn main() -> std::io::Result<()> {
//!     let peer = Peer::start(Script::IdleReset(ScriptTime::new(20)?))?;
//!     let mut client = Client::new(peer.addr(), Duration::from_secs(1));
//!     assert_eq!(client.request(b"one", true)?, b"one");
//!     // The connection sits idle for longer than the load balancer keeps
//!     // a flow: this sleep is the idleness, not a wait for an event.
//!     std::thread::sleep(Duration::from_millis(50));
//!     // The reused connection is reset; the rule sends it again on a new one.
//!     assert_eq!(client.request(b"two", true)?, b"two");
//!     Ok(())
//! }
//! ```
//!
//! [`Script::IdleClose`]: crate::peer::Script::IdleClose
//! [`Script::IdleReset`]: crate::peer::Script::IdleReset

use std::error::Error;
use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::exchange::Step;
use crate::failure::Failure;
use crate::line::{self, LineBuffer};
use crate::timeout::{self, Deadline};

/// Whether a kept connection looks stale, checked without waiting: a peek
/// that finds the end of the stream, bytes nobody asked for, or an error.
///
/// It sees a FIN that has already arrived. It cannot see a flow that a
/// load balancer has forgotten: until the client sends, nothing arrives.
/// The stream is left in blocking mode, unless switching it back fails,
/// which is then the error.
///
/// # Errors
///
/// What switching the stream to non-blocking mode and back fails with.
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use std::net::TcpStream;
/// use reset_by_peer::peer::{Peer, Script};
/// use reset_by_peer::reuse::looks_stale;
///
/// fn main() -> std::io::Result<()> {
///     let peer = Peer::start(Script::Echo)?;
///     let stream = TcpStream::connect(peer.addr())?;
///     assert!(!looks_stale(&stream)?);
///     Ok(())
/// }
/// ```
pub fn looks_stale(stream: &TcpStream) -> io::Result<bool> {
    stream.set_nonblocking(true)?;
    let peeked = stream.peek(&mut [0u8; 1]);
    stream.set_nonblocking(false)?;
    Ok(match peeked {
        // Nothing to read (or a signal came first): as far as this side can
        // tell, the connection is alive.
        Err(error) if Failure::of(&error).connection_usable() => false,
        // Ok(0) is the peer's FIN; bytes before a request are an answer to
        // nothing; an error is a reset. None of them is fit to reuse.
        Ok(_) | Err(_) => true,
    })
}

/// A request that failed, with what the retry rule needs to know.
#[derive(Debug)]
pub struct RequestError {
    /// Whether the connection had already carried a request before.
    pub reused: bool,
    /// The step that failed.
    pub step: Step,
    /// Bytes of the request that had been sent before the failure.
    pub sent: usize,
    /// Bytes of the answer that arrived before the failure.
    pub received: Vec<u8>,
    /// What the operating system reported; `UnexpectedEof` when the
    /// connection ended before the answer did.
    pub error: io::Error,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let connection = if self.reused { "reused" } else { "new" };
        write!(
            f,
            "{} failed on a {connection} connection: {}",
            self.step, self.error
        )?;
        if !self.received.is_empty() {
            write!(f, " (after {} bytes of the answer)", self.received.len())?;
        }
        Ok(())
    }
}

impl Error for RequestError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.error)
    }
}

impl RequestError {
    /// The bare `io::Error`, without the step and the bytes.
    pub fn into_io_error(self) -> io::Error {
        self.error
    }
}

/// For `?` in a function that returns `io::Result`: the `io::Error` keeps
/// the kind and carries this error whole, step and bytes included
/// (`get_ref`, `into_inner`); [`crate::failure::innermost`] finds the
/// errno inside, and `into_io_error` gives the bare error.
impl From<RequestError> for io::Error {
    fn from(failure: RequestError) -> io::Error {
        io::Error::new(failure.error.kind(), failure)
    }
}

/// The rule for retrying a failed request once, on a fresh connection:
/// only if it failed on a reused connection, before any byte of its answer
/// arrived, with an error that shows the connection had died (a reset, an
/// abort, or its end: [`Failure::Reset`], [`Failure::Aborted`] or
/// [`Failure::Closed`]), and only if the request is safe to repeat
/// (`idempotent`) or not one byte of it was sent.
///
/// A failure on a new connection is not a stale connection: it is the
/// server's answer, and [`crate::retry`] decides what to do with it.
/// Nor is a timeout: the server may be busy with the request, and a second
/// copy would only add to its work.
///
/// # Examples
///
/// ```
/// use std::io;
/// use reset_by_peer::exchange::Step;
/// use reset_by_peer::reuse::{RequestError, may_retry};
///
/// let stale = RequestError {
///     reused: true,
///     step: Step::Receive,
///     sent: 8,
///     received: Vec::new(),
///     error: io::Error::from(io::ErrorKind::ConnectionReset),
/// };
/// assert!(may_retry(&stale, true));
/// // "charge the card" may have been done before the reset: not again.
/// assert!(!may_retry(&stale, false));
/// ```
pub fn may_retry(failed: &RequestError, idempotent: bool) -> bool {
    // The evidence of a stale connection: it was found dead.
    let died = matches!(
        Failure::of(&failed.error),
        Failure::Reset | Failure::Aborted | Failure::Closed
    );
    // Not a single byte of the request went out: repeating it is safe
    // whatever it does.
    let never_sent = failed.sent == 0;
    failed.reused && failed.received.is_empty() && died && (idempotent || never_sent)
}

/// A client that keeps one connection open for several requests, as a
/// connection pool of size one does.
///
/// A request is one line; the lab peer's `idle-close` and `idle-reset`
/// scripts answer it with the same line.
#[derive(Debug)]
pub struct Client {
    addr: SocketAddr,
    timeout: Duration,
    /// The kept connection, and whether it has carried a request already.
    kept: Option<(TcpStream, bool)>,
}

impl Client {
    /// A client for `addr`; each step of a request (connect, send, receive)
    /// must finish within `timeout`. It connects on its first request.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reset_by_peer::peer::{ScriptTime, Peer, Script};
    /// use reset_by_peer::reuse::Client;
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let peer = Peer::start(Script::IdleClose(ScriptTime::new(1_000)?))?;
    ///     let mut client = Client::new(peer.addr(), Duration::from_secs(1));
    ///     assert_eq!(client.naive_request(b"hello")?, b"hello");
    ///     Ok(())
    /// }
    /// ```
    pub fn new(addr: SocketAddr, timeout: Duration) -> Client {
        Client {
            addr,
            timeout,
            kept: None,
        }
    }

    /// Sends one request line and reads one answer line on the kept
    /// connection, opening one if there is none: the naive reuse, with no
    /// check and no retry. After a failure the connection is dropped.
    ///
    /// # Errors
    ///
    /// A [`RequestError`]: at [`Step::Connect`], what connecting fails with
    /// (`InvalidInput` for a zero timeout); at [`Step::Send`] or
    /// [`Step::Receive`], `ConnectionReset` or `BrokenPipe` for a dead
    /// connection, `UnexpectedEof` if it ended before the answer did,
    /// `TimedOut` if a step took longer than the timeout, and `InvalidData`
    /// for an answer line longer than [`line::MAX_LINE`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use std::time::Duration;
    /// use reset_by_peer::peer::{ScriptTime, Peer, Script};
    /// use reset_by_peer::reuse::Client;
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let peer = Peer::start(Script::IdleReset(ScriptTime::new(20)?))?;
    ///     let mut client = Client::new(peer.addr(), Duration::from_secs(1));
    ///     client.naive_request(b"one")?;
    ///     // The connection sits idle past the load balancer's idle time:
    ///     // this sleep is the idleness itself.
    ///     std::thread::sleep(Duration::from_millis(50));
    ///     let failed = client.naive_request(b"two").unwrap_err();
    ///     assert!(failed.reused);
    ///     assert_eq!(failed.error.kind(), ErrorKind::ConnectionReset);
    ///     Ok(())
    /// }
    /// ```
    pub fn naive_request(&mut self, request: &[u8]) -> Result<Vec<u8>, RequestError> {
        let (mut stream, reused) = match self.kept.take() {
            Some(kept) => kept,
            None => (self.connect()?, false),
        };
        let request = line::with_newline(request);
        let fail = |step, sent, received, error| RequestError {
            reused,
            step,
            sent,
            received,
            error,
        };
        let until = Deadline::after(self.timeout);
        timeout::write_all_by(&mut stream, &request, until)
            .map_err(|stopped| fail(Step::Send, stopped.transferred, Vec::new(), stopped.error))?;
        let answer = read_line(&mut stream, Deadline::after(self.timeout))
            .map_err(|(received, error)| fail(Step::Receive, request.len(), received, error))?;
        // Only a connection that has just worked is kept.
        self.kept = Some((stream, true));
        Ok(answer)
    }

    /// The kept connection, if there is one: for a look at it, such as a
    /// blocking `peek` that waits for the server's FIN.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reset_by_peer::peer::{ScriptTime, Peer, Script};
    /// use reset_by_peer::reuse::Client;
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let peer = Peer::start(Script::IdleClose(ScriptTime::new(20)?))?;
    ///     let mut client = Client::new(peer.addr(), Duration::from_secs(1));
    ///     assert!(client.kept().is_none());
    ///     client.naive_request(b"one")?;
    ///     if let Some(stream) = client.kept() {
    ///         // Wait for the end of the stream: the server's keep-alive timeout.
    ///         stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    ///         assert_eq!(stream.peek(&mut [0u8; 1])?, 0);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    pub fn kept(&self) -> Option<&TcpStream> {
        self.kept.as_ref().map(|(stream, _)| stream)
    }

    /// Drops the kept connection if [`looks_stale`] says so, as a pool does
    /// before it reuses one. Returns whether it dropped one.
    ///
    /// # Errors
    ///
    /// What the check fails with; the connection is dropped then too.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reset_by_peer::peer::{ScriptTime, Peer, Script};
    /// use reset_by_peer::reuse::Client;
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let peer = Peer::start(Script::IdleClose(ScriptTime::new(5_000)?))?;
    ///     let mut client = Client::new(peer.addr(), Duration::from_secs(1));
    ///     client.naive_request(b"one")?;
    ///     // Well within the idle time: the connection is fine.
    ///     assert!(!client.drop_if_stale()?);
    ///     Ok(())
    /// }
    /// ```
    pub fn drop_if_stale(&mut self) -> io::Result<bool> {
        let Some((stream, reused)) = self.kept.take() else {
            return Ok(false);
        };
        if looks_stale(&stream)? {
            return Ok(true);
        }
        self.kept = Some((stream, reused));
        Ok(false)
    }

    /// One request done right: check the kept connection before reusing
    /// it, send, and if the request fails in a way [`may_retry`] allows,
    /// send it once more on a fresh connection.
    ///
    /// `idempotent` is the caller's promise that the request is safe to
    /// repeat: a server may have acted on it before the connection failed.
    ///
    /// # Errors
    ///
    /// As [`Client::naive_request`], for the last attempt; and what the
    /// staleness check fails with, at [`Step::Send`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reset_by_peer::peer::{ScriptTime, Peer, Script};
    /// use reset_by_peer::reuse::Client;
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let peer = Peer::start(Script::IdleClose(ScriptTime::new(20)?))?;
    ///     let mut client = Client::new(peer.addr(), Duration::from_secs(1));
    ///     client.request(b"one", true)?;
    ///     // The server closes the idle connection.
    ///     peer.wait_finished(1, Duration::from_secs(5))?;
    ///     // The check sees its FIN and opens a new connection; had the FIN
    ///     // not been processed yet, the send would meet a reset, and the
    ///     // rule would send this request, which is safe to repeat, again.
    ///     assert_eq!(client.request(b"two", true)?, b"two");
    ///     Ok(())
    /// }
    /// ```
    pub fn request(&mut self, request: &[u8], idempotent: bool) -> Result<Vec<u8>, RequestError> {
        self.drop_if_stale().map_err(|error| RequestError {
            reused: true,
            step: Step::Send,
            sent: 0,
            received: Vec::new(),
            error,
        })?;
        match self.naive_request(request) {
            Err(failed) if may_retry(&failed, idempotent) => self.naive_request(request),
            result => result,
        }
    }

    fn connect(&self) -> Result<TcpStream, RequestError> {
        timeout::connect(self.addr, self.timeout).map_err(|error| RequestError {
            reused: false,
            step: Step::Connect,
            sent: 0,
            received: Vec::new(),
            error,
        })
    }
}

/// Reads one line, by `until`, and returns it without its newline; on
/// failure, the bytes that had arrived and the error.
fn read_line(stream: &mut TcpStream, until: Deadline) -> Result<Vec<u8>, (Vec<u8>, io::Error)> {
    let mut lines = LineBuffer::default();
    let mut received = Vec::new();
    let mut chunk = [0u8; 64];
    loop {
        match lines.next_line() {
            Ok(Some(answer)) => return Ok(answer),
            Ok(None) => {}
            Err(too_long) => {
                let error = io::Error::new(io::ErrorKind::InvalidData, too_long);
                return Err((received, error));
            }
        }
        let n = match timeout::read_by(stream, &mut chunk, until) {
            // The connection ended before the answer did.
            Ok(0) => {
                let error = io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the connection ended before the answer (read returned 0 bytes)",
                );
                return Err((received, error));
            }
            Ok(n) => n,
            Err(error) => return Err((received, error)),
        };
        received.extend_from_slice(&chunk[..n]);
        if let Err(too_long) = lines.push(&chunk[..n]) {
            let error = io::Error::new(io::ErrorKind::InvalidData, too_long);
            return Err((received, error));
        }
    }
}
