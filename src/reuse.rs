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
//! # A third fix, and how much each one helps
//!
//! A client can also give up on a kept connection before the server does:
//! a client idle timeout, shorter than the server's, drops a connection
//! that has sat idle too long and opens a new one (undici, Node's HTTP
//! client, takes the limit a server announces in its `Keep-Alive` header,
//! less its `keepAliveTimeoutThreshold`, by its documentation: see
//! `docs/facts.md`). It works only as well as the client knows the
//! server's limit, and a TCP load balancer in between has no way to
//! announce its own.
//! [`Policy`] turns each of the three fixes on or off for one request, and
//! [`Client::tally`] counts what they cost (connections opened, requests
//! sent twice); `cargo run --example keepalive` runs each policy against
//! both scripts with the same idle gaps and prints how many requests each
//! one still failed.
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
use std::time::{Duration, Instant};

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

/// Which fixes a client applies to one request: a client idle timeout, a
/// check before reuse, and one retry on a fresh connection.
///
/// Each can be on or off, so that the same [`Client`] can run every policy
/// and each fix can be measured alone. [`Policy::NAIVE`] is
/// [`Client::naive_request`]; [`Policy::CHECK_AND_RETRY`] is
/// [`Client::request`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use reset_by_peer::peer::{Peer, Script, ScriptTime};
/// use reset_by_peer::reuse::{Client, Policy};
///
/// fn main() -> std::io::Result<()> {
///     let peer = Peer::start(Script::IdleClose(ScriptTime::new(1_000)?))?;
///     let mut client = Client::new(peer.addr(), Duration::from_secs(1));
///     // Give up on a kept connection before the server does (after 1 s),
///     // and check it before reuse; no retry.
///     let policy = Policy {
///         idle_timeout: Some(Duration::from_millis(800)),
///         check: true,
///         retry: false,
///     };
///     assert_eq!(client.request_with(policy, b"GET /", true)?, b"GET /");
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Policy {
    /// The client idle timeout: a kept connection idle for longer than this
    /// is dropped unused, and a new one opened ([`Client::drop_if_idle`]).
    /// It helps only if it is shorter than the server's, and the client
    /// must be told that. `None` keeps a connection however long it idles.
    pub idle_timeout: Option<Duration>,
    /// Check the kept connection before reusing it
    /// ([`Client::drop_if_stale`]).
    pub check: bool,
    /// Send a failed request once more, on a fresh connection, when
    /// [`may_retry`] allows it.
    pub retry: bool,
}

impl Policy {
    /// No fix at all: reuse the kept connection, however long it has idled.
    pub const NAIVE: Policy = Policy {
        idle_timeout: None,
        check: false,
        retry: false,
    };

    /// The two fixes that need no knowledge of the server: the check before
    /// reuse and the retry.
    pub const CHECK_AND_RETRY: Policy = Policy {
        idle_timeout: None,
        check: true,
        retry: true,
    };
}

/// What a [`Client`] has done so far, counted: what its fixes cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Connections opened (connects that succeeded).
    pub opened: usize,
    /// Kept connections that the check before reuse found stale, and
    /// dropped.
    pub found_stale: usize,
    /// Kept connections dropped unused because they had sat idle for
    /// longer than the client idle timeout, stale or not.
    pub expired: usize,
    /// Requests sent a second time, on a fresh connection, by the retry.
    pub retried: usize,
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
    kept: Option<Kept>,
    tally: Tally,
}

/// A connection kept for the next request. Only a connection that has
/// just answered a request is kept, so a kept connection is a reused one.
#[derive(Debug)]
struct Kept {
    stream: TcpStream,
    /// When its last answer arrived: it has sat idle since.
    idle_since: Instant,
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
            tally: Tally::default(),
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
            Some(kept) => (kept.stream, true),
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
        // Only a connection that has just worked is kept; its idle time
        // starts now.
        self.kept = Some(Kept {
            stream,
            idle_since: Instant::now(),
        });
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
        self.kept.as_ref().map(|kept| &kept.stream)
    }

    /// What this client has done so far: connections opened, connections
    /// dropped by each fix, and requests sent twice.
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
    ///     client.request(b"one", true)?;
    ///     client.request(b"two", true)?;
    ///     // Both requests went over one connection.
    ///     assert_eq!(client.tally().opened, 1);
    ///     assert_eq!(client.tally().retried, 0);
    ///     Ok(())
    /// }
    /// ```
    pub fn tally(&self) -> Tally {
        self.tally
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
        let Some(kept) = self.kept.take() else {
            return Ok(false);
        };
        if looks_stale(&kept.stream)? {
            self.tally.found_stale += 1;
            return Ok(true);
        }
        self.kept = Some(kept);
        Ok(false)
    }

    /// Drops the kept connection unused if it has sat idle for longer than
    /// `idle_timeout`, the client's own limit: the next request opens a new
    /// one. Returns whether it dropped one.
    ///
    /// It looks at the client's clock only, never at the connection, so it
    /// drops a healthy connection as readily as a stale one; and it
    /// prevents a stale connection only if `idle_timeout` is shorter than
    /// the server's limit.
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
    ///     // Just used: well within a client idle timeout of 4 s.
    ///     assert!(!client.drop_if_idle(Duration::from_secs(4)));
    ///     // This sleep is idleness: longer than a client idle timeout of 1 ms.
    ///     std::thread::sleep(Duration::from_millis(2));
    ///     assert!(client.drop_if_idle(Duration::from_millis(1)));
    ///     assert!(client.kept().is_none());
    ///     Ok(())
    /// }
    /// ```
    pub fn drop_if_idle(&mut self, idle_timeout: Duration) -> bool {
        match self.kept.take() {
            Some(kept) if kept.idle_since.elapsed() > idle_timeout => {
                self.tally.expired += 1;
                true
            }
            kept => {
                self.kept = kept;
                false
            }
        }
    }

    /// One request done right: check the kept connection before reusing
    /// it, send, and if the request fails in a way [`may_retry`] allows,
    /// send it once more on a fresh connection. It is
    /// [`Client::request_with`] and [`Policy::CHECK_AND_RETRY`].
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
        self.request_with(Policy::CHECK_AND_RETRY, request, idempotent)
    }

    /// One request, with the fixes `policy` turns on, in this order: drop
    /// the kept connection if it has idled longer than the client idle
    /// timeout, drop it if the check finds it stale, send the request, and
    /// send it once more on a fresh connection if it failed as
    /// [`may_retry`] allows.
    ///
    /// `idempotent` is the caller's promise that the request is safe to
    /// repeat; it matters only to the retry.
    ///
    /// # Errors
    ///
    /// As [`Client::naive_request`], for the last attempt; and, with
    /// `policy.check`, what the staleness check fails with, at
    /// [`Step::Send`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reset_by_peer::peer::{ScriptTime, Peer, Script};
    /// use reset_by_peer::reuse::{Client, Policy};
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let peer = Peer::start(Script::IdleReset(ScriptTime::new(20)?))?;
    ///     let mut client = Client::new(peer.addr(), Duration::from_secs(1));
    ///     let retry_only = Policy { retry: true, ..Policy::NAIVE };
    ///     client.request_with(retry_only, b"GET /a", true)?;
    ///     // This sleep is the idleness: the load balancer forgets the flow.
    ///     std::thread::sleep(Duration::from_millis(50));
    ///     // Reset on the reused connection, answered on a fresh one.
    ///     assert_eq!(client.request_with(retry_only, b"GET /b", true)?, b"GET /b");
    ///     assert_eq!(client.tally().retried, 1);
    ///     Ok(())
    /// }
    /// ```
    pub fn request_with(
        &mut self,
        policy: Policy,
        request: &[u8],
        idempotent: bool,
    ) -> Result<Vec<u8>, RequestError> {
        if let Some(idle_timeout) = policy.idle_timeout {
            self.drop_if_idle(idle_timeout);
        }
        if policy.check {
            self.drop_if_stale().map_err(|error| RequestError {
                reused: true,
                step: Step::Send,
                sent: 0,
                received: Vec::new(),
                error,
            })?;
        }
        match self.naive_request(request) {
            Err(failed) if policy.retry && may_retry(&failed, idempotent) => {
                self.tally.retried += 1;
                self.naive_request(request)
            }
            result => result,
        }
    }

    fn connect(&mut self) -> Result<TcpStream, RequestError> {
        let stream = timeout::connect(self.addr, self.timeout).map_err(|error| RequestError {
            reused: false,
            step: Step::Connect,
            sent: 0,
            received: Vec::new(),
            error,
        })?;
        self.tally.opened += 1;
        Ok(stream)
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
