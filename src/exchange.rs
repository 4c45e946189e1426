//! The article's "Code Example" in Rust: connect, send everything, receive,
//! close.
//!
//! The article's client makes four calls, and the lesson is what each can
//! fail with.
//! Its section "The Difference in Detail" says that errno 54 comes from
//! sending and errno 104 from receiving.
//! That is not so: both numbers are ECONNRESET (54 on macOS and FreeBSD, 104
//! on Linux), and after the peer resets the connection, whichever call comes
//! first, send or receive, reports it, once.
//!
//! | step | Python | Rust | what can go wrong |
//! |---|---|---|---|
//! | connect | `s.connect(addr)` | [`timeout::connect`] | nobody listens: `ConnectionRefused` (`ConnectionRefusedError`); no route: `HostUnreachable`, `NetworkUnreachable`; no answer at all: `TimedOut` |
//! | send | `s.sendall(data)` | `write_all` | an RST already arrived: `ConnectionReset` the first time, `BrokenPipe` after that; the peer closed and then reset our data: `BrokenPipe` |
//! | receive | `s.recv(1024)` | `read` in a loop | an RST arrived: `ConnectionReset`, once; a silent peer: a timeout (`WouldBlock` on Unix from a bare read timeout; `TimedOut` from [`exchange`]'s deadline) |
//! | close | `s.close()` | dropping the stream | nothing to report: closing cannot fail in a way the caller can act on |
//!
//! And one outcome that is not an error at all: a receive that returns 0
//! bytes means the peer closed the connection cleanly (it sent a FIN).
//! Python returns `b''`; Rust returns `Ok(0)`.
//! A reset, in contrast, is an error in both languages.
//!
//! ```text
//!  clean close (FIN)                  abortive close (RST)
//!  client          server             client          server
//!    | <---- FIN ---- |                 | <---- RST ---- |
//!  read -> Ok(0)                      read -> Err(ConnectionReset)  (once)
//!  read -> Ok(0) ...                  read -> Ok(0) ...
//!  write -> Ok, then the server       write -> Err(BrokenPipe)
//!    answers with RST, and a
//!    later write -> Err(BrokenPipe)
//! ```
//!
//! [`exchange`] runs the whole conversation and keeps the three outcomes
//! apart: a reply, the peer's clean close, or an error that names the step
//! it came from and keeps whatever bytes had already arrived.
//! Unlike the article's single `recv(1024)`, it keeps reading until the peer
//! closes, because one receive may return only part of a reply.
//! To let the peer know the request is complete, it closes its own sending
//! side after the request (`shutdown(Write)`, a half-close); the peer can
//! still answer.

use std::error::Error;
use std::fmt;
use std::io;
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::failure::Failure;
use crate::timeout::{self, Deadline};

/// The longest reply [`exchange`] accepts.
///
/// A reply is read until the peer closes; without a cap, a peer that never
/// stops talking could make the client allocate without limit.
pub const MAX_REPLY: usize = 64 * 1024;

/// A step of the exchange, named after the Python call it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Opening the connection: `socket.connect`.
    Connect,
    /// Sending the whole request: `socket.sendall`.
    Send,
    /// Reading the reply: `socket.recv`.
    Receive,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::Connect => "connect",
            Step::Send => "send",
            Step::Receive => "receive",
        })
    }
}

/// How an exchange ended when nothing failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// The peer answered with these bytes, then closed.
    Reply(Vec<u8>),
    /// The peer closed without sending a byte: the first read returned 0.
    PeerClosed,
}

/// An exchange that failed: which step, the error, and the bytes received
/// before it.
#[derive(Debug)]
pub struct ExchangeError {
    /// The step that failed.
    pub step: Step,
    /// What the operating system reported.
    pub error: io::Error,
    /// Bytes that arrived before the error; a peer can answer and then reset.
    pub received: Vec<u8>,
}

impl fmt::Display for ExchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {}", self.step, self.error)?;
        if !self.received.is_empty() {
            write!(f, " (after receiving {} bytes)", self.received.len())?;
        }
        Ok(())
    }
}

impl Error for ExchangeError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.error)
    }
}

impl ExchangeError {
    /// The bare `io::Error`, without the step and the bytes.
    pub fn into_io_error(self) -> io::Error {
        self.error
    }
}

/// For `?` in a function that returns `io::Result`: the `io::Error` keeps
/// the kind and carries this error whole, step and bytes included
/// (`get_ref`, `into_inner`); [`crate::failure::innermost`] finds the
/// errno inside, and `into_io_error` gives the bare error.
impl From<ExchangeError> for io::Error {
    fn from(failure: ExchangeError) -> io::Error {
        io::Error::new(failure.error.kind(), failure)
    }
}

/// Connects to `addr`, sends `request`, reads the reply until the peer
/// closes, and closes.
///
/// Each step, connect, send and receive, must finish within `timeout` as a
/// whole: a deadline, not a bound per call (see [`crate::timeout`] for why a
/// per-call timeout lets a slow peer keep a client waiting for ever).
///
/// # Errors
///
/// An [`ExchangeError`] naming the step that failed, with the bytes
/// received before it. The usual kinds:
/// - [`Step::Connect`]: `ConnectionRefused`, `TimedOut`, or `InvalidInput`
///   for a zero `timeout` or one too large to add to the clock;
/// - [`Step::Send`]: `ConnectionReset` or `BrokenPipe` if the peer is gone,
///   `TimedOut` if it would not take the request in time;
/// - [`Step::Receive`]: `ConnectionReset` if the peer aborted the connection,
///   `TimedOut` if the reply did not end within `timeout`, and `InvalidData`
///   for a reply longer than [`MAX_REPLY`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use reset_by_peer::exchange::{exchange, Response};
/// use reset_by_peer::peer::{Peer, Script};
///
/// fn main() -> std::io::Result<()> {
///     let peer = Peer::start(Script::Echo)?;
///     let response = exchange(peer.addr(), b"Hello, server!", Duration::from_secs(1))?;
///     assert_eq!(response, Response::Reply(b"Hello, server!".to_vec()));
///     Ok(())
/// }
/// ```
pub fn exchange(
    addr: impl ToSocketAddrs,
    request: &[u8],
    timeout: Duration,
) -> Result<Response, ExchangeError> {
    let fail = |step, error, received| ExchangeError {
        step,
        error,
        received,
    };
    if Instant::now().checked_add(timeout).is_none() {
        let error = io::Error::new(io::ErrorKind::InvalidInput, "the timeout is too large");
        return Err(fail(Step::Connect, error, Vec::new()));
    }
    let mut stream =
        timeout::connect(addr, timeout).map_err(|error| fail(Step::Connect, error, Vec::new()))?;

    // Like Python's `sendall`, this loops over partial writes until every
    // byte is sent, within one deadline for the lot.
    timeout::write_all_by(&mut stream, request, Deadline::after(timeout))
        .map_err(|stopped| fail(Step::Send, stopped.error, Vec::new()))?;
    // Tell the peer the request is complete. If the peer has already reset
    // the connection this fails with NotConnected; the read below then
    // reports the reset itself, which is the error worth showing.
    let _ = stream.shutdown(Shutdown::Write);

    let received = receive_reply(&mut stream, timeout)
        .map_err(|(received, error)| fail(Step::Receive, error, received))?;
    // Dropping the stream closes it, like Python's `s.close()`.
    drop(stream);
    if received.is_empty() {
        // Zero bytes before the end of the stream: the peer closed cleanly
        // without answering. That is an outcome, not an error.
        Ok(Response::PeerClosed)
    } else {
        Ok(Response::Reply(received))
    }
}

/// Reads until the peer closes, by one deadline `timeout` from now: one
/// receive may return only part of the reply. On failure, what had arrived
/// is returned with the error.
fn receive_reply(
    stream: &mut TcpStream,
    timeout: Duration,
) -> Result<Vec<u8>, (Vec<u8>, io::Error)> {
    let until = Deadline::after(timeout);
    let mut received = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let error = match timeout::read_by(stream, &mut chunk, until) {
            // Zero bytes: the peer has closed, and the reply is complete.
            Ok(0) => return Ok(received),
            Ok(n) => {
                received.extend_from_slice(&chunk[..n]);
                if received.len() <= MAX_REPLY {
                    continue;
                }
                let message = format!("the reply is longer than {MAX_REPLY} bytes");
                io::Error::new(io::ErrorKind::InvalidData, message)
            }
            // Our own deadline, not the kernel's ETIMEDOUT, which keeps its errno.
            Err(error) if Failure::of(&error) == Failure::TimedOut => {
                let message = format!("the reply did not end within {timeout:?}");
                io::Error::new(io::ErrorKind::TimedOut, message)
            }
            Err(error) => error,
        };
        return Err((received, error));
    }
}
