//! One classifier: what a network client should make of an `io::Error`.
//!
//! Every lesson in this crate asks the same three questions of an error:
//! is it a timeout, can the connection still be used, and could a new
//! attempt, on a new connection, succeed?
//! [`Failure::of`] answers them, here and nowhere else: [`crate::except`],
//! [`crate::retry`], [`crate::timeout`], [`crate::heartbeat`] and the lab
//! peer all ask it.
//!
//! Python's exception classes are the wrong shape for these decisions.
//! `TimeoutError` covers both a `settimeout` that ran out, after which the
//! socket is fine, and a kernel ETIMEDOUT, after which the connection is
//! dead; a reset and a broken pipe are two classes that need the same
//! response.
//!
//! | kind (and errno) | [`Failure`] | a timeout | connection usable | a new attempt could help |
//! |---|---|---|---|---|
//! | `WouldBlock` | `TimedOut` | yes | yes | yes |
//! | `TimedOut`, no errno | `TimedOut` | yes | yes | yes |
//! | `TimedOut`, raw ETIMEDOUT | `KernelGaveUp` (from [`Failure::of_timed`] on Windows: `TimedOut`) | yes | no | yes |
//! | `ConnectionReset` | `Reset` | no | no | yes |
//! | `ConnectionAborted` | `Aborted` | no | no | yes |
//! | `BrokenPipe`, `UnexpectedEof`, `NotConnected` | `Closed` | no | no | yes |
//! | `ConnectionRefused` | `Refused` | no | no connection | yes |
//! | `HostUnreachable`, `NetworkUnreachable`, `NetworkDown` | `Unreachable` | no | no | yes |
//! | `AddrNotAvailable` | `NoLocalAddress` | no | no connection | yes |
//! | `Interrupted` | `Interrupted` | no | yes | yes |
//! | `AddrInUse`, `InvalidInput`, `PermissionDenied`, any other | `Other` | no | no | no |
//!
//! Why each row is what it is:
//!
//! - **A timeout of the program's own** is `WouldBlock` on Unix (an expired
//!   `SO_RCVTIMEO` or `SO_SNDTIMEO`; std's `set_read_timeout` documents it),
//!   or a `TimedOut` that carries no errno: std's `connect_timeout` and this
//!   crate's deadlines make those.
//!   On Linux the connection, if one was made, is unharmed
//!   (`tests/lessons/timeout.rs`: `the_socket_stays_usable_after_a_read_timeout`).
//!   On a non-blocking socket `WouldBlock` means "nothing yet" instead;
//!   the error alone cannot tell the two apart, so this crate's sockets are
//!   blocking.
//! - **A raw ETIMEDOUT** (110 on Linux, 60 on macOS and FreeBSD) on a
//!   connection means TCP itself gave up: its retransmissions went
//!   unacknowledged (`tcp_retries2`), or keepalive probes went unanswered.
//!   The connection is dead; a new one may work once the path is back.
//!
//! # What an `io::Error` alone cannot tell: Windows
//!
//! Windows reports an expired `SO_RCVTIMEO` or `SO_SNDTIMEO` as
//! WSAETIMEDOUT, 10060, which std turns into `TimedOut` with that raw code:
//! the same kind and the same number as a connection the stack gave up on
//! (Microsoft's `setsockopt` documentation; the sources are in
//! `docs/facts.md`).
//! From the error alone nobody can tell the two apart there; the code that
//! set the timer can. So there are two doors:
//!
//! - [`Failure::of`] is for a call on a socket with no read or write
//!   timeout of the program's: a raw ETIMEDOUT is the kernel giving up
//!   ([`Failure::KernelGaveUp`]) on every platform.
//! - [`Failure::of_timed`] is for a read or write on a socket whose timeout
//!   the program set. On Unix it answers as [`Failure::of`] does (the
//!   timer's expiry is `WouldBlock` there, so a raw ETIMEDOUT is still the
//!   kernel); on Windows it counts `TimedOut` as the program's own timeout,
//!   [`Failure::TimedOut`], because that is the likelier cause and the one
//!   the program asked for.
//!
//! Microsoft's documentation calls a socket whose timeout expired
//! "indeterminate". This crate still reads again after one there (the
//! heartbeat does, after a missed `PONG`): a read that timed out took no
//! bytes, and the Windows run of this crate's tests under Wine, on Linux's
//! TCP, cannot show otherwise. A program that must be sure on Windows
//! opens a new connection instead.
//!
//! The other rows:
//!
//! - **Reset, aborted, closed**: the connection is over.
//!   `UnexpectedEof` is a peer that closed in the middle of a message (what
//!   [`crate::timeout::read_exact_by`] reports), and `NotConnected` a call
//!   on a connection that is already gone (a `shutdown` after a reset, on
//!   Linux). A new connection may find the server back.
//! - **Unreachable**: a route or a host that is down now may be back in a
//!   moment (a briefly unreachable server), so a later attempt is worth it.
//! - **No local address**: on Linux, a `connect` fails with
//!   EADDRNOTAVAIL when every ephemeral port is taken; ports come free as
//!   old connections leave TIME_WAIT, so a later attempt can succeed.
//! - **Interrupted**: a signal cut the call short, and nothing happened to
//!   the connection, so the same call can be made again. On Linux a stop
//!   and continue (Ctrl-Z, then `fg`) does it to a read or write waiting
//!   under a timeout, with no signal handler at all (signal(7); see
//!   [`crate::timeout::again_if_interrupted`], which calls again within
//!   the same bound). It is not a failure of the network: a new connection
//!   would help too, but is not needed.
//! - **`AddrInUse`** comes from binding an address another socket holds:
//!   it waits on someone else, not on the network, and a retry on a timer
//!   does not fix it. Nor does any retry fix `InvalidInput` or
//!   `PermissionDenied`.
//!
//! Each row is pinned by a test in `tests/lessons/failure.rs`.
//!
//! # Examples
//!
//! ```
//! use std::io::{ErrorKind, Read, Write};
//! use std::net::TcpStream;
//! use reset_by_peer::failure::Failure;
//! use reset_by_peer::peer::{Peer, Script};
//!
//! fn main() -> std::io::Result<()> {
//!     let peer = Peer::start(Script::Reset)?;
//!     let mut stream = TcpStream::connect(peer.addr())?;
//!     stream.write_all(b"Hello, server!")?;
//!     let error = stream.read(&mut [0u8; 64]).unwrap_err();
//!     let failure = Failure::of(&error);
//!     assert_eq!(failure, Failure::Reset);
//!     assert!(!failure.connection_usable());
//!     assert!(failure.worth_a_new_attempt());
//!     Ok(())
//! }
//! ```

use std::io;

/// The error the operating system reported, under whatever context this
/// crate's errors wrapped around it on their way through `?`.
///
/// [`crate::exchange::ExchangeError`], [`crate::reuse::RequestError`],
/// [`crate::timeout::DeadlineError`] and [`crate::retry::Stopped`] turn into
/// an `io::Error` that keeps the kind and carries them whole (the step, the
/// bytes), as walkdir's errors do; the raw errno is then inside. This looks
/// through them, so that [`Failure::of`] and [`crate::except`] judge the
/// error the kernel gave.
///
/// # Examples
///
/// ```
/// use std::io;
/// use reset_by_peer::failure::innermost;
/// use reset_by_peer::timeout::DeadlineError;
///
/// let reset = io::Error::from_raw_os_error(104);
/// let stopped = DeadlineError { transferred: 3, error: reset };
/// let wrapped = io::Error::from(stopped);
/// assert_eq!(wrapped.raw_os_error(), None);
/// assert_eq!(innermost(&wrapped).raw_os_error(), Some(104));
/// ```
pub fn innermost(error: &io::Error) -> &io::Error {
    let mut found = error;
    let mut link = wrapped(error);
    // Each pass goes one link down the chain of sources; this crate's
    // errors nest a few deep at most.
    for _ in 0..16 {
        let Some(current) = link else { break };
        link = match current.downcast_ref::<io::Error>() {
            Some(deeper) => {
                found = deeper;
                wrapped(deeper)
            }
            None => current.source(),
        };
    }
    found
}

/// What an `io::Error` made with `io::Error::new` carries, if anything.
fn wrapped(error: &io::Error) -> Option<&(dyn std::error::Error + 'static)> {
    match error.get_ref() {
        Some(inner) => Some(inner),
        None => None,
    }
}

/// What a network client should make of an error: see the
/// [module documentation](self) for the table and the reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// A timeout the program set ran out: `WouldBlock` (Unix), `TimedOut`
    /// with no errno, or, from [`Failure::of_timed`] on Windows, `TimedOut`
    /// with WSAETIMEDOUT. The connection is still usable.
    TimedOut,
    /// The kernel gave up on the connection: `TimedOut` with a raw
    /// ETIMEDOUT (but see [`Failure::of_timed`] for Windows). The connection
    /// is dead.
    KernelGaveUp,
    /// The peer aborted the connection (RST): `ConnectionReset`.
    Reset,
    /// The connection was aborted on this side: `ConnectionAborted`.
    Aborted,
    /// The connection had already ended: `BrokenPipe`, `UnexpectedEof` or
    /// `NotConnected`.
    Closed,
    /// Nobody listens at the address: `ConnectionRefused`.
    Refused,
    /// No route to the host or network: `HostUnreachable`,
    /// `NetworkUnreachable` or `NetworkDown`.
    Unreachable,
    /// No local address or port to connect from: `AddrNotAvailable`.
    NoLocalAddress,
    /// A signal interrupted the call: `Interrupted`. On Linux, a stop and
    /// continue (Ctrl-Z, then `fg`) is enough, for a call waiting under a
    /// timeout. Call again.
    Interrupted,
    /// Anything else, `AddrInUse` and `InvalidInput` included.
    Other,
}

impl Failure {
    /// Sorts an error into the cases a network client decides on, for a
    /// call on a socket with no read or write timeout of the program's
    /// (a connect, or a socket left blocking for ever).
    ///
    /// A `TimedOut` with a raw code is the kernel giving up
    /// ([`Failure::KernelGaveUp`]); for a call on a socket whose timeout the
    /// program set, ask [`Failure::of_timed`] instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io;
    /// use reset_by_peer::failure::Failure;
    ///
    /// let expired = io::Error::from(io::ErrorKind::WouldBlock);
    /// assert_eq!(Failure::of(&expired), Failure::TimedOut);
    /// let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
    /// assert_eq!(Failure::of(&refused), Failure::Refused);
    /// ```
    pub fn of(error: &io::Error) -> Failure {
        let error = innermost(error);
        match error.kind() {
            // An expired SO_RCVTIMEO or SO_SNDTIMEO on Unix.
            io::ErrorKind::WouldBlock => Failure::TimedOut,
            // With an errno, the operating system timed the connection out;
            // without one, a timer in std or in this crate ran out.
            io::ErrorKind::TimedOut => match error.raw_os_error() {
                Some(_) => Failure::KernelGaveUp,
                None => Failure::TimedOut,
            },
            io::ErrorKind::ConnectionReset => Failure::Reset,
            io::ErrorKind::ConnectionAborted => Failure::Aborted,
            // Three ways of learning that the connection had already ended.
            io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof
            | io::ErrorKind::NotConnected => Failure::Closed,
            io::ErrorKind::ConnectionRefused => Failure::Refused,
            io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::NetworkDown => Failure::Unreachable,
            io::ErrorKind::AddrNotAvailable => Failure::NoLocalAddress,
            io::ErrorKind::Interrupted => Failure::Interrupted,
            // ErrorKind is non-exhaustive: kinds std adds later land here.
            // So does ESHUTDOWN, a send after our own shutdown(Write): std
            // leaves it uncategorized, and it is a mistake in the program,
            // which no new connection fixes.
            _ => Failure::Other,
        }
    }

    /// Sorts an error from a read or write on a socket whose read or write
    /// timeout the program set.
    ///
    /// On Unix this is [`Failure::of`]: an expired timer is `WouldBlock`
    /// there, so a raw ETIMEDOUT is still TCP giving up. On Windows an
    /// expired timer is `TimedOut` with WSAETIMEDOUT (10060), the same as
    /// the stack giving up, and only the caller knows it set a timer: this
    /// counts it as [`Failure::TimedOut`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Read;
    /// use std::net::TcpStream;
    /// use std::time::Duration;
    /// use reset_by_peer::failure::Failure;
    /// use reset_by_peer::peer::{Peer, Script};
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let peer = Peer::start(Script::Stall)?;
    ///     let mut stream = TcpStream::connect(peer.addr())?;
    ///     stream.set_read_timeout(Some(Duration::from_millis(50)))?;
    ///     let error = stream.read(&mut [0u8; 64]).unwrap_err();
    ///     // WouldBlock on Unix, TimedOut with 10060 on Windows: ours either way.
    ///     assert_eq!(Failure::of_timed(&error), Failure::TimedOut);
    ///     assert!(Failure::of_timed(&error).connection_usable());
    ///     Ok(())
    /// }
    /// ```
    pub fn of_timed(error: &io::Error) -> Failure {
        match innermost(error).kind() {
            // Windows' expired SO_RCVTIMEO or SO_SNDTIMEO: WSAETIMEDOUT.
            io::ErrorKind::TimedOut if cfg!(windows) => Failure::TimedOut,
            _ => Failure::of(error),
        }
    }

    /// Whether a wait ran out, the question Python answers with
    /// `except TimeoutError`: true for [`Failure::TimedOut`] and for
    /// [`Failure::KernelGaveUp`] alike, although only the first leaves a usable
    /// connection.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::failure::Failure;
    ///
    /// assert!(Failure::TimedOut.is_timeout());
    /// assert!(Failure::KernelGaveUp.is_timeout());
    /// assert!(!Failure::Reset.is_timeout());
    /// ```
    pub fn is_timeout(self) -> bool {
        matches!(self, Failure::TimedOut | Failure::KernelGaveUp)
    }

    /// Whether the same connection can still be used after this error.
    ///
    /// True only after a timeout of the program's own or an interrupted
    /// call. A `read_exact` or `write_all` that was cut short may already
    /// have moved part of its bytes, so the conversation may need to start
    /// over even then.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::failure::Failure;
    ///
    /// assert!(Failure::TimedOut.connection_usable());
    /// assert!(!Failure::KernelGaveUp.connection_usable());
    /// assert!(!Failure::Reset.connection_usable());
    /// ```
    pub fn connection_usable(self) -> bool {
        matches!(self, Failure::TimedOut | Failure::Interrupted)
    }

    /// Whether a new attempt, on a new connection, could succeed.
    ///
    /// True for every failure a restarting, overloaded, slow or briefly
    /// unreachable server produces; false for [`Failure::Other`].
    /// It does not say whether repeating the request is *safe*: see
    /// [`crate::retry`] on idempotency.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::failure::Failure;
    ///
    /// assert!(Failure::Refused.worth_a_new_attempt());
    /// assert!(Failure::Unreachable.worth_a_new_attempt());
    /// assert!(!Failure::Other.worth_a_new_attempt());
    /// ```
    pub fn worth_a_new_attempt(self) -> bool {
        !matches!(self, Failure::Other)
    }
}
