//! The lab peer: a small TCP server that misbehaves on purpose.
//!
//! The article's section "Why Does This Happen?" lists five causes of a
//! reset: a server shutting down, network trouble, an overloaded server, a
//! client timeout, and the server closing the connection on purpose.
//! Each one becomes a [`Script`] here, so that it happens on loopback
//! whenever you ask, instead of once a week in production.
//! Two of the article's causes turn out not to be resets at all: a hung
//! server ([`Script::Stall`]) or a slow one ([`Script::Drip`]) sends no RST,
//! and only the client's own timeout or deadline ends the wait.
//! Neither is a lost network path: the peer's kernel still acknowledges
//! every byte, so the client's kernel never retransmits and never gives up.
//! A real partition differs on Linux: the client's kernel retransmits the
//! unacknowledged bytes, then fails the socket with ETIMEDOUT (`TimedOut`)
//! after `tcp_retries2` retransmissions, about 15 minutes at the default of
//! 15; and if the path heals after the far host has dropped the connection,
//! that host answers the next segment with an RST (`docs/facts.md` cites
//! the kernel's documentation and RFC 9293 for both).
//! A polite close ([`Script::Close`]) is not a reset either: the client reads
//! 0 bytes, which is the end of the stream and not an error.
//!
//! A [`Peer`] binds `127.0.0.1:0` unless told otherwise, serves each
//! connection in a thread of its own, and stops cleanly when dropped.
//! [`refused_addr`] gives an address where nobody listens.
//!
//! ```text
//!  client                         lab peer (script: reset)
//!    | --- connect -----------------> |
//!    | --- "Hello, server!" --------> |  bytes arrive; the peer leaves them unread
//!    |                                |  and closes: unread data turns close into RST
//!    | <-------------------- RST ---- |
//!  recv -> Err(ConnectionReset)       |
//!  recv -> Ok(0)     send -> Err(BrokenPipe)
//! ```
//!
//! # Examples
//!
//! ```
//! use std::io::{ErrorKind, Read, Write};
//! use std::net::TcpStream;
//! use reset_by_peer::peer::{Peer, Script};
//!
//! fn main() -> std::io::Result<()> {
//!     let peer = Peer::start(Script::Reset)?;
//!     let mut stream = TcpStream::connect(peer.addr())?;
//!     stream.write_all(b"Hello, server!")?;
//!     let mut reply = [0u8; 1024];
//!     let error = stream.read(&mut reply).unwrap_err();
//!     assert_eq!(error.kind(), ErrorKind::ConnectionReset);
//!     Ok(())
//! }
//! ```

mod script;
mod serve;

pub use script::{
    CATALOGUE, DEFAULT_DRIP_INTERVAL, DEFAULT_IDLE, ParseScriptError, Script, ScriptInfo,
};
pub use serve::{DRIP_BYTE, GREETING};

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Where the peer listens unless told otherwise: loopback, any free port.
pub const LOOPBACK: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// How long the accepting thread pauses when it cannot accept: when it
/// already serves MAX_CONCURRENT connections, or accept() failed (out of
/// descriptors, say), so that it never spins.
const BUSY_PAUSE: Duration = Duration::from_millis(5);

/// How long `drop` waits to connect to its own listener, which wakes the
/// accepting thread from accept(). On loopback this takes microseconds.
const WAKE_TIMEOUT: Duration = Duration::from_secs(1);

/// How many connections the peer serves at once; the kernel's backlog holds
/// the rest until one finishes.
const MAX_CONCURRENT: usize = 64;

/// How to start a [`Peer`] beyond its script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The address to listen on; the default is [`LOOPBACK`].
    pub listen: SocketAddr,
    /// Stop accepting after this many connections; the default is no limit.
    pub connections: Option<usize>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            listen: LOOPBACK,
            connections: None,
        }
    }
}

/// How many connections a peer has accepted, and how many it has finished
/// with (closed or reset from its side).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Connections accepted so far.
    pub accepted: usize,
    /// Connections whose handler has returned and whose socket is closed.
    pub finished: usize,
}

/// State shared between the [`Peer`] handle and its threads.
#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    /// True while the accepting thread may be blocked in accept().
    listening: AtomicBool,
    counts: Mutex<Counts>,
    changed: Condvar,
}

impl Shared {
    fn counts(&self) -> MutexGuard<'_, Counts> {
        // A panicking handler cannot leave Counts half-updated (it is two
        // integers), so a poisoned lock is still safe to use.
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn update(&self, change: impl FnOnce(&mut Counts)) {
        change(&mut self.counts());
        self.changed.notify_all();
    }
}

/// A running lab peer.
///
/// Dropping it stops it: the listener is closed, every open connection is
/// closed, and every thread is joined before `drop` returns.
#[derive(Debug)]
pub struct Peer {
    addr: SocketAddr,
    script: Script,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("counts", &*self.counts())
            .finish()
    }
}

impl Peer {
    /// Starts a peer running `script` on `127.0.0.1`, on a free port.
    ///
    /// # Errors
    ///
    /// Whatever binding the listener or starting its thread fails with;
    /// on loopback with port 0 that means the system is out of ports,
    /// descriptors or threads.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::peer::{Peer, Script};
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let peer = Peer::start(Script::Echo)?;
    ///     assert!(peer.addr().ip().is_loopback());
    ///     Ok(())
    /// }
    /// ```
    pub fn start(script: Script) -> io::Result<Peer> {
        Peer::start_with(script, Options::default())
    }

    /// Starts a peer running `script` with the given [`Options`].
    ///
    /// # Errors
    ///
    /// `AddrInUse` if another socket holds the address, `AddrNotAvailable`
    /// if it is not an address of this machine, `PermissionDenied` for a
    /// privileged port; or whatever starting the thread fails with.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::peer::{Options, Peer, Script};
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let options = Options { connections: Some(1), ..Options::default() };
    ///     let peer = Peer::start_with(Script::Close, options)?;
    ///     println!("serving one connection on {}", peer.addr());
    ///     Ok(())
    /// }
    /// ```
    pub fn start_with(script: Script, options: Options) -> io::Result<Peer> {
        let listener = TcpListener::bind(options.listen)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        shared.listening.store(true, Ordering::SeqCst);
        let for_thread = Arc::clone(&shared);
        let acceptor = thread::Builder::new()
            .name(format!("peer {script} acceptor"))
            .spawn(move || accept_loop(listener, script, options.connections, &for_thread))?;
        Ok(Peer {
            addr,
            script,
            shared,
            acceptor: Some(acceptor),
        })
    }

    /// The address the peer listens on, with the port the system chose.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::peer::{Peer, Script};
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let peer = Peer::start(Script::Stall)?;
    ///     assert_ne!(peer.addr().port(), 0);
    ///     Ok(())
    /// }
    /// ```
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The script this peer runs.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::peer::{Peer, Script};
    ///
    /// fn main() -> std::io::Result<()> {
    ///     assert_eq!(Peer::start(Script::Close)?.script(), Script::Close);
    ///     Ok(())
    /// }
    /// ```
    pub fn script(&self) -> Script {
        self.script
    }

    /// How many connections the peer has accepted and finished so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::peer::{Counts, Peer, Script};
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let peer = Peer::start(Script::Echo)?;
    ///     assert_eq!(peer.counts(), Counts::default());
    ///     Ok(())
    /// }
    /// ```
    pub fn counts(&self) -> Counts {
        *self.shared.counts()
    }

    /// Waits until the peer has accepted at least `count` connections.
    ///
    /// # Errors
    ///
    /// `TimedOut` if that has not happened within `timeout`;
    /// `InvalidInput` if `timeout` is too large to add to the current time.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::TcpStream;
    /// use std::time::Duration;
    /// use reset_by_peer::peer::{Peer, Script};
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let peer = Peer::start(Script::Stall)?;
    ///     let _stream = TcpStream::connect(peer.addr())?;
    ///     peer.wait_accepted(1, Duration::from_secs(5))?;
    ///     Ok(())
    /// }
    /// ```
    pub fn wait_accepted(&self, count: usize, timeout: Duration) -> io::Result<Counts> {
        self.wait_until(timeout, |counts| counts.accepted >= count)
    }

    /// Waits until the peer has finished with at least `count` connections,
    /// that is, closed or reset them from its side.
    ///
    /// This is how a test knows that a `reset` has really happened before it
    /// sends: the handler's socket is closed before it is counted.
    ///
    /// # Errors
    ///
    /// `TimedOut` if that has not happened within `timeout`;
    /// `InvalidInput` if `timeout` is too large to add to the current time.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Write};
    /// use std::net::TcpStream;
    /// use std::time::Duration;
    /// use reset_by_peer::peer::{Peer, Script};
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let peer = Peer::start(Script::Reset)?;
    ///     let mut stream = TcpStream::connect(peer.addr())?;
    ///     stream.write_all(b"x")?;
    ///     peer.wait_finished(1, Duration::from_secs(5))?;
    ///     // The RST is here: the next call, a send, is the one that reports it.
    ///     let error = stream.write_all(b"y").unwrap_err();
    ///     assert_eq!(error.kind(), ErrorKind::ConnectionReset);
    ///     Ok(())
    /// }
    /// ```
    pub fn wait_finished(&self, count: usize, timeout: Duration) -> io::Result<Counts> {
        self.wait_until(timeout, |counts| counts.finished >= count)
    }

    fn wait_until(&self, timeout: Duration, done: impl Fn(&Counts) -> bool) -> io::Result<Counts> {
        let deadline = Instant::now()
            .checked_add(timeout)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "timeout too large"))?;
        let mut counts = self.shared.counts();
        // Each pass waits on the condition variable until the counts change or
        // the deadline passes, so the loop ends by the deadline.
        while !done(&counts) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("the peer's counts are still {counts:?} after {timeout:?}"),
                ));
            }
            counts = match self.shared.changed.wait_timeout(counts, left) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        Ok(*counts)
    }

    /// Stops the peer, as dropping it does, and returns its final counts.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::peer::{Peer, Script};
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let counts = Peer::start(Script::Echo)?.shutdown();
    ///     assert_eq!(counts.accepted, counts.finished);
    ///     Ok(())
    /// }
    /// ```
    pub fn shutdown(mut self) -> Counts {
        self.stop();
        self.counts()
    }

    fn stop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let Some(acceptor) = self.acceptor.take() else {
            return;
        };
        // The accepting thread sleeps in accept(), which nothing but a
        // connection ends: make one, so that it wakes and sees the flag.
        let woken = TcpStream::connect_timeout(&wake_addr(self.addr), WAKE_TIMEOUT).is_ok();
        // If it no longer listens, it is already on its way out.
        if woken || !self.shared.listening.load(Ordering::SeqCst) {
            // The acceptor joins every connection thread before it returns,
            // and those see the flag within a TICK. A handler cannot panic
            // by design; if one did, the peer is still stopped.
            let _ = acceptor.join();
        }
        // Otherwise the thread cannot be reached (never seen on loopback):
        // rather than hang the caller, let it go; it exits at its next
        // connection.
    }
}

/// Where to connect to wake a listener bound to `bound`: the address itself,
/// or loopback if it listens on every address.
fn wake_addr(bound: SocketAddr) -> SocketAddr {
    let ip = match bound.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, bound.port())
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Accepts connections until asked to stop or until `limit` is reached, then
/// closes the listener and joins every connection thread.
fn accept_loop(listener: TcpListener, script: Script, limit: Option<usize>, shared: &Arc<Shared>) {
    let mut listener = Some(listener);
    let mut handlers: Vec<JoinHandle<()>> = Vec::new();
    let mut accepted: usize = 0;
    let stopping = || shared.stop.load(Ordering::SeqCst);
    // A server runs until it is told to stop or has served its limit. Each
    // pass blocks in accept() until a connection comes; `Peer::stop` makes
    // one to end the wait.
    while let Some(open) = &listener {
        if stopping() {
            break;
        }
        // Forget threads that have finished, so a long-running peer does not
        // collect one handle per connection it ever served.
        handlers.retain(|handler| !handler.is_finished());
        if handlers.len() >= MAX_CONCURRENT {
            thread::sleep(BUSY_PAUSE);
            continue;
        }
        let result = open.accept();
        // This may be the wake-up connection from `Peer::stop`: not a client.
        if stopping() {
            break;
        }
        match result {
            Ok((stream, _)) => {
                accepted += 1;
                // Close the port as soon as the last allowed connection is in,
                // and before counting it: whoever sees the count then also
                // finds the port closed.
                if limit == Some(accepted) {
                    shared.listening.store(false, Ordering::SeqCst);
                    listener = None;
                }
                shared.update(|counts| counts.accepted += 1);
                let index = accepted;
                let for_thread = Arc::clone(shared);
                let spawned = thread::Builder::new()
                    .name(format!("peer {script} connection {index}"))
                    .spawn(move || {
                        serve::serve(stream, script, index, &for_thread.stop);
                        // `serve` owned the stream, so it is closed by now.
                        for_thread.update(|counts| counts.finished += 1);
                    });
                match spawned {
                    Ok(handler) => handlers.push(handler),
                    // The closure, and the stream in it, were dropped: the
                    // connection is closed, so count it as finished.
                    Err(_) => shared.update(|counts| counts.finished += 1),
                }
            }
            // A connection aborted while queued, or the process out of
            // descriptors: passing troubles; pause and go on serving.
            Err(_) => thread::sleep(BUSY_PAUSE),
        }
    }
    // Stop listening before waiting for the connections still open. The flag
    // goes first, so that a wake-up refused by the closed port is understood.
    shared.listening.store(false, Ordering::SeqCst);
    drop(listener);
    for handler in handlers {
        let _ = handler.join();
    }
}

/// An address on `127.0.0.1` where nobody listens, for `ConnectionRefused`.
///
/// It binds a listener on a free port, notes the address and closes it.
/// Another program could take the port in the moment between, but on a
/// machine running a test suite that is vanishingly rare.
///
/// # Errors
///
/// Whatever binding a loopback listener fails with.
///
/// # Examples
///
/// ```
/// use std::io::ErrorKind;
/// use std::net::TcpStream;
/// use reset_by_peer::peer::refused_addr;
///
/// fn main() -> std::io::Result<()> {
///     let error = TcpStream::connect(refused_addr()?).unwrap_err();
///     assert_eq!(error.kind(), ErrorKind::ConnectionRefused);
///     Ok(())
/// }
/// ```
pub fn refused_addr() -> io::Result<SocketAddr> {
    let listener = TcpListener::bind(LOOPBACK)?;
    listener.local_addr()
}
