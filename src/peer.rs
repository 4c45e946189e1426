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
//! once a time computed from `tcp_retries2` has passed, about 15 minutes at
//! the default of 15; and if the path heals after the far host has dropped the connection,
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
//!  recv -> Err(ConnectionReset)       |  (Linux, macOS, Windows)
//!  recv -> Ok(0)     send -> Err(BrokenPipe)   (Linux, macOS)
//! ```
//!
//! What the client meets after the RST depends on its platform (the
//! sources are in `docs/facts.md`):
//!
//! - **Linux** (run): the first call, receive or send, reports the reset;
//!   after that a receive reads the end of the stream and a send fails with
//!   `BrokenPipe`.
//! - **macOS** (xnu's source): a receive reports the reset first, as on
//!   Linux, but a send fails with `BrokenPipe` from the first one on: xnu
//!   tests "cannot send more" before the pending error.
//! - **Windows** (run under Wine, and Microsoft's documentation): every
//!   send fails with `ConnectionReset` (WSAECONNRESET); and Windows' own TCP
//!   throws away data not yet read when the RST arrives.
//! - **FreeBSD** (its source): closing a socket with unread bytes flushes
//!   them and sends a FIN, not an RST, so the scripts that reset by closing
//!   unread ([`Script::Reset`], [`Script::HelloReset`], [`Script::Flaky`],
//!   [`Script::IdleReset`]) close cleanly there; std has no stable way to
//!   ask for an RST (`SO_LINGER` of zero). [`Script::caveat`] says so, and
//!   the `peer` example prints it when it starts.
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
//!
//! # Serving a crowd
//!
//! A classroom points many clients at one peer, and some of them misbehave.
//! The peer stays available with three rules, each set in [`Options`]:
//!
//! - It serves at most [`Options::max_clients`] connections at once (64 by
//!   default). A client beyond that gets one line, `busy: 64 connections
//!   already; try again later`, and a close, at once: it is never left
//!   waiting in the kernel's backlog.
//! - A connection on which nothing has moved either way for
//!   [`Options::idle`] (30 s by default) is closed by the peer. No lesson
//!   waits that long; `stall` is cut by it too, and still never answers.
//! - When every slot is taken, a newcomer gets the slot of the oldest
//!   connection that has had its share, instead of being turned away: one
//!   open for longer than the idle limit (a slow sender cannot keep a slot
//!   beyond that while others wait), or one whose client has already closed
//!   its side (only `stall` keeps those open, as a hung server would).
//!
//! A well-behaved client of a lesson, which stays a few seconds, never meets
//! any of these rules.
//!
//! A classroom also needs [`Script::Flaky`] to count each student apart:
//! `flaky:N` resets the first N connections *from each client address*
//! (the IP, not the port), so that every student of a class meets the
//! resets, not only the first to connect; a client alone sees what it
//! would see with one count for all. On Linux every client on the peer's
//! own machine connects from `127.0.0.1` unless it binds another address
//! first, so those clients share one count. The peer remembers at most
//! [`MAX_ADDRESSES`] (4096) addresses; once it has, a connection from an
//! address it has not seen is served as one past its N, without a reset.
//!
//! # Bring your own server
//!
//! With [`Options::upstream`], the peer is a relay: it accepts your client,
//! connects to your own server (the upstream), copies bytes both ways, and
//! the script chooses what goes wrong. `echo` passes everything through
//! faithfully, half-closes and the server's own reset included; `reset`
//! and `flaky:N` reset the client before the server hears of it; `stall`,
//! `drip`, `idle-close` and `idle-reset` do to the server's answer what
//! they do as a server; and [`Script::ResetAfter`] resets the client in the
//! middle of the answer. [`Script::Latency`], [`Script::Slicer`],
//! [`Script::Truncate`] and [`Script::SlowClose`] delay, slice, cut short
//! with a FIN, or close late the answer, or the request ([`Way`]);
//! [`Script::Down`] closes the port after N connections; and
//! [`Options::chance`] strikes only a share of the connections, drawn from
//! [`Options::seed`]. Scripts that would speak instead of your server
//! (`close`, `hello-reset`, `heartbeat`, `silent-after`) are refused.
//!
//! The relay's resets are real RSTs, made by the kernel's own rule: the
//! relay closes the client's socket with some of its bytes unread. So a
//! client that never sends a byte cannot be reset, and your server's own
//! reset reaches the client as an RST only if it comes soon (200 ms) after
//! the client's last bytes; later, the client reads the end of the stream.
//! [`Peer::take_events`] gives one [`Relayed`] per relayed connection: what
//! was forwarded, what the relay did ([`Did`]), and what the client will
//! have seen ([`Sees`]); the `peer` example puts them in words.
//!
//! ```text
//!  your client             relay (reset)               your server
//!    | --- request ---------> |  left unread                |
//!    | <-------------- RST -- |  never connected ---------- |
//!    | (flaky:1, the client's second connection)            |
//!    | --- request ---------> | --- request --------------> |
//!    | <----------- answer -- | <------------- answer ----- |
//! ```

mod accept;
mod conn;
mod dice;
mod event;
mod options;
mod parse;
mod relay;
mod script;
mod serve;
mod shape;
mod shared;

pub use accept::MAX_ADDRESSES;
pub use event::{Did, Ending, Relayed, Sees};
pub use options::{MAX_CLIENTS, MAX_IDLE, Options};
pub use parse::ParseScriptError;
pub use relay::CONNECT_TIMEOUT;

pub use script::{
    CATALOGUE, DEFAULT_DRIP_INTERVAL, DEFAULT_IDLE, DEFAULT_SLICER_GAP, MIN_PACE_MS, Script,
    ScriptInfo, ScriptTime, Way,
};
pub use serve::{DRIP_BYTE, GREETING};
pub use shared::{Counts, MAX_EVENTS};

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use options::LOOPBACK;
use shared::Shared;

/// How long `drop` waits for each attempt to connect to its own listener,
/// which wakes the accepting thread from accept() at once. On loopback a
/// connection takes microseconds; the wake-up only makes the stop quicker,
/// and nothing depends on it arriving.
const WAKE_TIMEOUT: Duration = Duration::from_millis(10);

/// The longest `drop` waits for the peer's threads before it lets them go:
/// a relay still connecting to an upstream that does not answer takes up
/// to [`CONNECT_TIMEOUT`], every other thread a TICK (50 ms).
pub const STOP_BOUND: Duration = Duration::from_secs(3);

/// A running lab peer.
///
/// Dropping it stops it, within about 50 ms: the listener is closed, every
/// open connection is closed, and every thread is joined before `drop`
/// returns. A relay that is still connecting to an upstream that does not
/// answer takes up to [`CONNECT_TIMEOUT`] (2 s) instead. Whatever the
/// network does, `drop` returns within [`STOP_BOUND`] (3 s): on Linux the
/// accepting thread's accept() gives up every 50 ms (`SO_RCVTIMEO`, which
/// Linux's accept honours), so it sees the stop by itself; elsewhere,
/// where accept() has no timeout, `drop` wakes it with a connection of its
/// own, and if that connection is lost (a network namespace whose link is
/// cut drops it), lets the thread go rather than wait for it for ever.
#[derive(Debug)]
#[must_use = "dropping a Peer stops it at once: keep it in a variable for as long as it should serve"]
pub struct Peer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
    /// A descriptor kept in reserve, so that `drop` can still open the
    /// connection that wakes the accepting thread when the process has run
    /// out of descriptors.
    spare: Option<UdpSocket>,
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
    /// It binds whatever address `options.listen` names, loopback or not:
    /// see [`Options`] on listening beyond loopback.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if an option is out of its range (`connections` of
    /// `Some(0)`, `max_clients` or `idle` outside the ranges [`Options`]
    /// states), or if the script makes no sense as a relay (`close`,
    /// `hello-reset`, `heartbeat`, `silent-after`) or, for `reset-after`
    /// and a script written with `@request`, without one, or if
    /// `chance` is not from 1 to 100 or below 100 for a script with no
    /// fault to give (`echo`, `heartbeat`, `flaky:N`, `down:N`), or a
    /// script's own arguments are out of range (a jitter past its delay, a
    /// slice of 0 bytes, `down:0`): the error's message says why; `AddrInUse` if another socket holds the address,
    /// `AddrNotAvailable` if it is not an address of this machine,
    /// `PermissionDenied` for a privileged port; or whatever starting the
    /// thread fails with.
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
        options.check(script)?;
        let listener = TcpListener::bind(options.listen)?;
        let addr = listener.local_addr()?;
        // On the listener's own address, which exists wherever the peer
        // listens (loopback may be down, as it is in a new network namespace).
        let spare = UdpSocket::bind(SocketAddr::new(addr.ip(), 0))?;
        // With port 0, only the bound port can show that the upstream leads
        // back here.
        if let Some(upstream) = options.upstream.filter(|&up| options::reaches(up, addr)) {
            let message = options::loop_message(upstream);
            return Err(io::Error::new(io::ErrorKind::InvalidInput, message));
        }
        let listener = accept::ticking(listener)?;
        let reserve = Some(listener.try_clone()?);
        let shared = Arc::new(Shared::default());
        let for_thread = Arc::clone(&shared);
        let acceptor = thread::Builder::new()
            .name(format!("peer {script} acceptor"))
            .spawn(move || accept::accept_loop(listener, reserve, script, options, &for_thread))?;
        Ok(Peer {
            addr,
            shared,
            acceptor: Some(acceptor),
            spare: Some(spare),
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

    /// How many connections the peer has accepted, finished and turned away
    /// so far.
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

    /// The events of the relayed connections that have ended since the last
    /// call, oldest first, one per connection: what the relay forwarded,
    /// what it did, and what the client will have seen.
    ///
    /// A peer without an upstream has none. At most [`MAX_EVENTS`] events
    /// are kept between calls. A connection's event is there by the time
    /// [`Peer::wait_finished`] counts it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{ErrorKind, Read, Write};
    /// use std::net::TcpStream;
    /// use std::time::Duration;
    /// use reset_by_peer::peer::{Did, Options, Peer, Script, Sees};
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let server = Peer::start(Script::Echo)?;
    ///     let options = Options { upstream: Some(server.addr()), ..Options::default() };
    ///     let relay = Peer::start_with(Script::Reset, options)?;
    ///     let mut stream = TcpStream::connect(relay.addr())?;
    ///     stream.write_all(b"Hello, server!")?;
    ///     let error = stream.read(&mut [0u8; 64]).unwrap_err();
    ///     assert_eq!(error.kind(), ErrorKind::ConnectionReset);
    ///     relay.wait_finished(1, Duration::from_secs(5))?;
    ///     let events = relay.take_events();
    ///     assert!(matches!(events[0].did, Did::Reset));
    ///     assert_eq!(events[0].sees, Sees::Reset);
    ///     Ok(())
    /// }
    /// ```
    pub fn take_events(&self) -> Vec<Relayed> {
        self.shared.events().drain(..).collect()
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
    /// The handler's socket is closed before it is counted, so once this
    /// returns a `reset` has sent its RST. On a loaded machine the kernel
    /// may take in that RST on the client's side a moment later:
    /// [`wait_closed`] waits for that too.
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
    ///     reset_by_peer::peer::wait_closed(&stream, Duration::from_secs(5))?;
    ///     // The RST is here: the next call, a send, is the one that reports it.
    ///     let error = stream.write_all(b"y").unwrap_err();
    ///     assert_eq!(error.kind(), ErrorKind::ConnectionReset);
    ///     Ok(())
    /// }
    /// ```
    pub fn wait_finished(&self, count: usize, timeout: Duration) -> io::Result<Counts> {
        self.wait_until(timeout, |counts| counts.finished >= count)
    }

    /// Waits until the peer's counts satisfy `done`, for at most `timeout`,
    /// and returns them: for instance until it has dealt with every
    /// connection of a burst, served or turned away.
    ///
    /// # Errors
    ///
    /// `TimedOut` if `done` is still false after `timeout`;
    /// `InvalidInput` for a timeout too large to add to the clock.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::TcpStream;
    /// use std::time::Duration;
    /// use reset_by_peer::peer::{Peer, Script};
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let peer = Peer::start(Script::Echo)?;
    ///     let _one = TcpStream::connect(peer.addr())?;
    ///     let dealt_with = |c: &reset_by_peer::peer::Counts| c.accepted + c.turned_away >= 1;
    ///     peer.wait_until(Duration::from_secs(5), dealt_with)?;
    ///     Ok(())
    /// }
    /// ```
    pub fn wait_until(
        &self,
        timeout: Duration,
        done: impl Fn(&Counts) -> bool,
    ) -> io::Result<Counts> {
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
    #[must_use = "to stop the peer without reading its counts, drop it"]
    pub fn shutdown(mut self) -> Counts {
        self.stop();
        self.counts()
    }

    fn stop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let Some(acceptor) = self.acceptor.take() else {
            return;
        };
        // Where accept() has no timeout, only a connection ends it: make
        // one. Give back the reserved descriptor first, so that the
        // connection can be opened even when the process has run out of
        // them. Whether it arrives does not matter: the wait below is
        // bounded either way.
        drop(self.spare.take());
        if !acceptor.is_finished() {
            let _ = TcpStream::connect_timeout(&wake_addr(self.addr), WAKE_TIMEOUT);
        }
        // The acceptor closes the listener and joins every connection
        // thread before it returns; those see the flag within a TICK.
        let started = Instant::now();
        // Each pass sleeps a millisecond; STOP_BOUND bounds the loop.
        while !acceptor.is_finished() && started.elapsed() < STOP_BOUND {
            thread::sleep(Duration::from_millis(1));
        }
        // A thread still running past the bound is let go, not joined: the
        // one thing `drop` must never do is hang. A handler cannot panic by
        // design; if one did, the peer is still stopped.
        if acceptor.is_finished() {
            let _ = acceptor.join();
        }
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

/// A loopback address where nobody listens, for `ConnectionRefused`.
///
/// The simple way, binding a listener on a free port, noting the address
/// and closing it, races: until it closes, the listener takes connections,
/// and another socket may take the port after. In this crate's test suite,
/// where many tests ask for such an address side by side, one test's
/// connect landed in another's short-lived listener, in about one run in
/// thirty (connected, then reset, not refused).
///
/// So on Linux, where every address of `127.0.0.0/8` is this machine's, it
/// asks for a free port on `127.0.0.3` and returns that port on
/// `127.0.0.2`, where nothing in this crate ever listens: no other call's
/// listener can take the connection, and a port free on `127.0.0.3` has no
/// listener on all addresses either. Where those addresses are not
/// configured (`AddrNotAvailable`: macOS and the BSDs by default), it falls
/// back to the simple way on `127.0.0.1`, race included.
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
    let probe = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3)), 0);
    match TcpListener::bind(probe) {
        Ok(listener) => {
            let port = listener.local_addr()?.port();
            Ok(SocketAddr::new(
                IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)),
                port,
            ))
        }
        Err(error) if error.kind() == io::ErrorKind::AddrNotAvailable => {
            TcpListener::bind(LOOPBACK)?.local_addr()
        }
        Err(error) => Err(error),
    }
}

/// Waits until this side's kernel has taken in the end of `stream`'s
/// connection, an RST from the peer, without reading anything and without
/// taking the error that the next call on `stream` will report.
///
/// The peer's RST is sent when its socket closes, but on a loaded machine
/// the kernel may process it on this side a moment later; a test that
/// sends first and expects `ConnectionReset` must wait for that. Reading
/// would take the error; asking for the peer's address does not: once the
/// connection is closed, `peer_addr` (getpeername) fails with
/// `NotConnected` (Linux; checked by `tests/lessons/peer.rs`:
/// `send_first_after_reset_is_connection_reset_then_broken_pipe`; Windows
/// under Wine; macOS's `getpeername` checks the same connected state). The
/// answer is nearly always there at the first look; after that the thread
/// looks again every millisecond, sleeping in between.
///
/// # Errors
///
/// `TimedOut` if the connection is still open after `timeout`; what
/// `peer_addr` fails with otherwise.
///
/// # Examples
///
/// ```
/// use std::io::{ErrorKind, Write};
/// use std::net::TcpStream;
/// use std::time::Duration;
/// use reset_by_peer::peer::{Peer, Script, wait_closed};
///
/// fn main() -> std::io::Result<()> {
///     let peer = Peer::start(Script::Reset)?;
///     let mut stream = TcpStream::connect(peer.addr())?;
///     stream.write_all(b"x")?;
///     peer.wait_finished(1, Duration::from_secs(5))?;
///     wait_closed(&stream, Duration::from_secs(5))?;
///     let error = stream.write_all(b"y").unwrap_err();
///     // Linux and Windows report the reset; macOS's send says BrokenPipe.
///     assert!(matches!(error.kind(), ErrorKind::ConnectionReset | ErrorKind::BrokenPipe));
///     Ok(())
/// }
/// ```
pub fn wait_closed(stream: &TcpStream, timeout: Duration) -> io::Result<()> {
    let started = Instant::now();
    // Each pass asks once and sleeps a millisecond; the timeout bounds the
    // loop.
    loop {
        match stream.peer_addr() {
            Ok(_) => {}
            Err(error) if error.kind() == io::ErrorKind::NotConnected => return Ok(()),
            Err(error) => return Err(error),
        }
        if started.elapsed() >= timeout {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the connection was still open after {timeout:?}"),
            ));
        }
        thread::sleep(Duration::from_millis(1));
    }
}
