//! The article's Strategy 1, try/except, in Rust: which Python exception an
//! `io::Error` is, and a `match` for each `except` clause.
//!
//! Python sorts OS errors into classes by their errno (PEP 3151); Rust sorts
//! them into [`io::ErrorKind`]s. [`PyClass`] is the bridge: built from an
//! `io::Error`, it is the class CPython would construct for the same error on
//! the same platform, and [`PyClass::is_a`] honours the hierarchy:
//!
//! ```text
//! OSError                       (socket.error is another name for it since Python 3.3)
//!  ├── ConnectionError
//!  │    ├── BrokenPipeError           EPIPE, ESHUTDOWN
//!  │    ├── ConnectionAbortedError    ECONNABORTED
//!  │    ├── ConnectionRefusedError    ECONNREFUSED
//!  │    └── ConnectionResetError      ECONNRESET
//!  ├── TimeoutError                   ETIMEDOUT
//!  ├── BlockingIOError                EAGAIN/EWOULDBLOCK, EALREADY, EINPROGRESS
//!  ├── InterruptedError               EINTR
//!  └── ChildProcessError, FileExistsError, FileNotFoundError, IsADirectoryError,
//!      NotADirectoryError, PermissionError, ProcessLookupError
//! ```
//!
//! The article's handler has two clauses: `ConnectionResetError`, then
//! `socket.error`.
//! Since Python 3.3 `socket.error` is another name for `OSError`, the base
//! of every error the operating system reports, so the second clause does
//! catch the `BrokenPipeError` that follows a reset (it does not catch
//! errors that are not OS errors, such as a `ValueError`).
//! What the handler gets wrong is what it does next: it reports the error
//! and carries on as if the socket could still be used.
//! After a reset, a read on that socket returns 0 bytes and a write fails
//! with `BrokenPipe` (on Linux: `tests/lessons/peer.rs`:
//! `recv_after_reset_is_connection_reset_then_eof`; on Windows every write
//! fails with `ConnectionReset` again, see [`crate::peer`]); only a new
//! connection helps.
//! In Rust the two clauses are two match arms, and the arm that matters is
//! the decision after them ([`crate::failure`]):
//!
//! ```
//! use std::io::{ErrorKind, Read, Write};
//! use std::net::TcpStream;
//! use reset_by_peer::except::{PyClass, PyError};
//! use reset_by_peer::failure::Failure;
//! use reset_by_peer::peer::{Peer, Script};
//!
//! fn main() -> std::io::Result<()> {
//!     let peer = Peer::start(Script::Reset)?;
//!     let mut stream = TcpStream::connect(peer.addr())?;
//!     stream.write_all(b"Hello, server!")?;
//!     let result = stream.read(&mut [0u8; 1024]);
//!     let usable = match result {
//!         Ok(_) => true,
//!         // The first clause: the reset itself.
//!         Err(e) if e.kind() == ErrorKind::ConnectionReset => {
//!             println!("the peer reset the connection: {}", PyError::of(&e));
//!             false
//!         }
//!         // The second clause: any other OS error.
//!         Err(e) => {
//!             println!("{}", PyError::of(&e));
//!             Failure::of(&e).connection_usable()
//!         }
//!     };
//!     // Whatever was caught, this socket is finished: reconnect, do not reuse.
//!     assert!(!usable);
//!     // `except ConnectionError:` would also have caught a BrokenPipeError.
//!     let broken = std::io::Error::from(ErrorKind::BrokenPipe);
//!     assert!(PyClass::of(&broken).is_a(PyClass::ConnectionError));
//!     Ok(())
//! }
//! ```
//!
//! # Timeouts: `WouldBlock` in Rust, `TimeoutError` in Python
//!
//! std implements `set_read_timeout` with the socket option `SO_RCVTIMEO`.
//! When it expires, the Unix kernel fails the read with EAGAIN, so Rust
//! reports `ErrorKind::WouldBlock` (raw 11 on Linux); std's documentation of
//! `set_read_timeout` says so, and adds that Windows may report `TimedOut`.
//! Python's `settimeout` does not use that option: it waits with `poll`
//! (`select` on Windows, which has no `poll` in CPython's
//! `Modules/socketmodule.c`, `internal_select`) and
//! raises its own `TimeoutError("timed out")`, with no errno at all.
//! So the same expired timeout is `BlockingIOError: [Errno 11]` if you ask
//! PEP 3151 what errno 11 is ([`PyError::of`]), and `TimeoutError: timed out`
//! if you ask what Python's socket would have raised.
//! The error alone cannot tell you which happened: a `WouldBlock` also comes
//! from a non-blocking socket with nothing to read.
//! The socket tells a little more: if it has a read or write timeout set
//! and is in blocking mode, a `WouldBlock` from it is that timeout expiring.
//! [`PyError::for_socket`] checks the timeout; std cannot report whether a
//! socket is non-blocking, so it assumes blocking mode, which is what
//! every socket in this crate uses.
//!
//! # Decisions
//!
//! For deciding what to do next, Python's classes are the wrong shape: a
//! reset and a broken pipe need the same response (reconnect), and
//! `TimeoutError` covers both a usable socket and a dead connection.
//! [`crate::failure::Failure`] makes those decisions; [`narrate`] prints
//! both views of an error side by side.

use std::fmt;
use std::io;
use std::net::TcpStream;

use crate::errno::{self, Meaning, Platform};
use crate::failure::{Failure, innermost};

/// A Python exception class that an OS error can become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PyClass {
    /// The base class of every OS error; `socket.error` is an alias of it.
    OSError,
    /// The base class of the four connection errors below.
    ConnectionError,
    /// EPIPE or ESHUTDOWN: writing to a connection the peer has closed.
    BrokenPipeError,
    /// ECONNABORTED: the connection was aborted on this side.
    ConnectionAbortedError,
    /// ECONNREFUSED: nobody listens at that address.
    ConnectionRefusedError,
    /// ECONNRESET: the peer aborted the connection with an RST.
    ConnectionResetError,
    /// ETIMEDOUT, or a socket timeout set with `settimeout`.
    TimeoutError,
    /// EAGAIN/EWOULDBLOCK, EALREADY, EINPROGRESS: the call would block.
    BlockingIOError,
    /// EINTR: a signal interrupted the call.
    InterruptedError,
    /// ECHILD.
    ChildProcessError,
    /// EEXIST.
    FileExistsError,
    /// ENOENT.
    FileNotFoundError,
    /// EISDIR.
    IsADirectoryError,
    /// ENOTDIR.
    NotADirectoryError,
    /// EACCES or EPERM.
    PermissionError,
    /// ESRCH.
    ProcessLookupError,
}

/// PEP 3151's errno-to-class table, as CPython builds it in
/// `Objects/exceptions.c` (`ADD_ERRNO`). Every errno not listed is a plain
/// `OSError`.
const PEP_3151: [(&str, PyClass); 18] = [
    ("EAGAIN", PyClass::BlockingIOError),
    ("EALREADY", PyClass::BlockingIOError),
    ("EINPROGRESS", PyClass::BlockingIOError),
    ("EPIPE", PyClass::BrokenPipeError),
    ("ESHUTDOWN", PyClass::BrokenPipeError),
    ("ECHILD", PyClass::ChildProcessError),
    ("ECONNABORTED", PyClass::ConnectionAbortedError),
    ("ECONNREFUSED", PyClass::ConnectionRefusedError),
    ("ECONNRESET", PyClass::ConnectionResetError),
    ("EEXIST", PyClass::FileExistsError),
    ("ENOENT", PyClass::FileNotFoundError),
    ("EISDIR", PyClass::IsADirectoryError),
    ("ENOTDIR", PyClass::NotADirectoryError),
    ("EINTR", PyClass::InterruptedError),
    ("EACCES", PyClass::PermissionError),
    ("EPERM", PyClass::PermissionError),
    ("ESRCH", PyClass::ProcessLookupError),
    ("ETIMEDOUT", PyClass::TimeoutError),
];

impl PyClass {
    /// The class's Python name.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::except::PyClass;
    ///
    /// assert_eq!(PyClass::ConnectionResetError.name(), "ConnectionResetError");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            PyClass::OSError => "OSError",
            PyClass::ConnectionError => "ConnectionError",
            PyClass::BrokenPipeError => "BrokenPipeError",
            PyClass::ConnectionAbortedError => "ConnectionAbortedError",
            PyClass::ConnectionRefusedError => "ConnectionRefusedError",
            PyClass::ConnectionResetError => "ConnectionResetError",
            PyClass::TimeoutError => "TimeoutError",
            PyClass::BlockingIOError => "BlockingIOError",
            PyClass::InterruptedError => "InterruptedError",
            PyClass::ChildProcessError => "ChildProcessError",
            PyClass::FileExistsError => "FileExistsError",
            PyClass::FileNotFoundError => "FileNotFoundError",
            PyClass::IsADirectoryError => "IsADirectoryError",
            PyClass::NotADirectoryError => "NotADirectoryError",
            PyClass::PermissionError => "PermissionError",
            PyClass::ProcessLookupError => "ProcessLookupError",
        }
    }

    /// The class it inherits from; `OSError` has none here.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::except::PyClass;
    ///
    /// assert_eq!(PyClass::BrokenPipeError.parent(), Some(PyClass::ConnectionError));
    /// assert_eq!(PyClass::OSError.parent(), None);
    /// ```
    pub fn parent(self) -> Option<PyClass> {
        match self {
            PyClass::OSError => None,
            PyClass::BrokenPipeError
            | PyClass::ConnectionAbortedError
            | PyClass::ConnectionRefusedError
            | PyClass::ConnectionResetError => Some(PyClass::ConnectionError),
            _ => Some(PyClass::OSError),
        }
    }

    /// Whether an exception of this class would be caught by
    /// `except ancestor:`, that is, `issubclass(self, ancestor)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::except::PyClass;
    ///
    /// assert!(PyClass::BrokenPipeError.is_a(PyClass::ConnectionError));
    /// assert!(PyClass::BrokenPipeError.is_a(PyClass::OSError));
    /// assert!(!PyClass::BrokenPipeError.is_a(PyClass::ConnectionResetError));
    /// ```
    pub fn is_a(self, ancestor: PyClass) -> bool {
        let mut class = Some(self);
        // The hierarchy is three levels deep, so this walks at most three steps.
        while let Some(current) = class {
            if current == ancestor {
                return true;
            }
            class = current.parent();
        }
        false
    }

    /// The class CPython constructs for `OSError(number, ...)` on `platform`.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::errno::Platform;
    /// use reset_by_peer::except::PyClass;
    ///
    /// assert_eq!(PyClass::for_errno(104, Platform::Linux), PyClass::ConnectionResetError);
    /// assert_eq!(PyClass::for_errno(54, Platform::MacOs), PyClass::ConnectionResetError);
    /// // On Linux x86_64, 54 is EXFULL: a plain OSError.
    /// assert_eq!(PyClass::for_errno(54, Platform::Linux), PyClass::OSError);
    /// ```
    pub fn for_errno(number: i32, platform: Platform) -> PyClass {
        match errno::meaning(number, platform) {
            Meaning::Known(known) => PEP_3151
                .iter()
                .find(|(name, _)| *name == known.name)
                .map_or(PyClass::OSError, |(_, class)| *class),
            Meaning::Other { .. } | Meaning::NotAnErrno | Meaning::NotInTable => PyClass::OSError,
        }
    }

    /// The class for an error that carries no errno, judged by its kind.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use reset_by_peer::except::PyClass;
    ///
    /// assert_eq!(PyClass::for_kind(ErrorKind::BrokenPipe), PyClass::BrokenPipeError);
    /// assert_eq!(PyClass::for_kind(ErrorKind::InvalidInput), PyClass::OSError);
    /// ```
    pub fn for_kind(kind: io::ErrorKind) -> PyClass {
        match kind {
            io::ErrorKind::ConnectionReset => PyClass::ConnectionResetError,
            io::ErrorKind::ConnectionAborted => PyClass::ConnectionAbortedError,
            io::ErrorKind::ConnectionRefused => PyClass::ConnectionRefusedError,
            io::ErrorKind::BrokenPipe => PyClass::BrokenPipeError,
            io::ErrorKind::TimedOut => PyClass::TimeoutError,
            io::ErrorKind::WouldBlock => PyClass::BlockingIOError,
            io::ErrorKind::Interrupted => PyClass::InterruptedError,
            io::ErrorKind::NotFound => PyClass::FileNotFoundError,
            io::ErrorKind::AlreadyExists => PyClass::FileExistsError,
            io::ErrorKind::PermissionDenied => PyClass::PermissionError,
            io::ErrorKind::NotADirectory => PyClass::NotADirectoryError,
            io::ErrorKind::IsADirectory => PyClass::IsADirectoryError,
            // Every other kind, and kinds added to std later, are plain OSError.
            _ => PyClass::OSError,
        }
    }

    /// The class CPython would construct for this error on this platform.
    ///
    /// With a raw errno it follows PEP 3151 exactly; without one (an error
    /// made from a kind, or a platform this crate has no table for) it
    /// judges by the kind.
    /// On Windows only Winsock codes are in the table; other Windows codes
    /// are judged by their kind, which std derives from the code much as
    /// CPython does.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io;
    /// use reset_by_peer::except::PyClass;
    ///
    /// let reset = io::Error::from(io::ErrorKind::ConnectionReset);
    /// assert_eq!(PyClass::of(&reset), PyClass::ConnectionResetError);
    /// ```
    pub fn of(error: &io::Error) -> PyClass {
        let error = innermost(error);
        match (error.raw_os_error(), Platform::current()) {
            (Some(number), Some(Platform::Windows))
                if errno::meaning(number, Platform::Windows) == Meaning::NotInTable =>
            {
                PyClass::for_kind(error.kind())
            }
            (Some(number), Some(platform)) => PyClass::for_errno(number, platform),
            _ => PyClass::for_kind(error.kind()),
        }
    }
}

impl fmt::Display for PyClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An `io::Error` as Python would show it: class, errno and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyError {
    /// The exception class.
    pub class: PyClass,
    /// The errno Python would put in `e.errno`, if any.
    pub errno: Option<i32>,
    /// The message, e.g. `Connection reset by peer`.
    pub message: String,
}

impl PyError {
    /// What CPython would construct for this error: PEP 3151 applied to its
    /// errno (see [`PyClass::of`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io;
    /// use reset_by_peer::except::PyError;
    ///
    /// let error = io::Error::from(io::ErrorKind::ConnectionReset);
    /// assert_eq!(PyError::of(&error).to_string(), "ConnectionResetError: connection reset");
    /// ```
    pub fn of(error: &io::Error) -> PyError {
        let error = innermost(error);
        PyError {
            class: PyClass::of(error),
            errno: error.raw_os_error(),
            message: message(error),
        }
    }

    /// What Python's socket would have raised for an error from `stream`.
    ///
    /// The same as [`PyError::of`], except for a timeout: if the stream has a
    /// read or write timeout set, a `WouldBlock` (Unix), a `TimedOut` with no
    /// errno, or a `TimedOut` with WSAETIMEDOUT (Windows; see
    /// [`Failure::of_timed`]) is that timeout expiring, which Python reports
    /// as `TimeoutError: timed out` with no errno.
    /// This assumes the stream is in blocking mode, as every stream in this
    /// crate is: on a non-blocking stream `WouldBlock` only means "nothing
    /// yet", and std has no way to ask which mode a stream is in.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Read;
    /// use std::net::TcpStream;
    /// use std::time::Duration;
    /// use reset_by_peer::except::{PyClass, PyError};
    /// use reset_by_peer::peer::{Peer, Script};
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let peer = Peer::start(Script::Stall)?;
    ///     let mut stream = TcpStream::connect(peer.addr())?;
    ///     stream.set_read_timeout(Some(Duration::from_millis(20)))?;
    ///     let error = stream.read(&mut [0u8; 16]).unwrap_err();
    ///     assert_eq!(PyError::for_socket(&error, &stream).to_string(), "TimeoutError: timed out");
    ///     Ok(())
    /// }
    /// ```
    pub fn for_socket(error: &io::Error, stream: &TcpStream) -> PyError {
        // If asking the socket fails, there is no evidence of a timeout.
        let has_timeout = matches!(stream.read_timeout(), Ok(Some(_)))
            || matches!(stream.write_timeout(), Ok(Some(_)));
        // Only a socket with a timer can have its timer expire: on Windows
        // that is a `TimedOut` with WSAETIMEDOUT, which without a timer
        // would be the stack giving up.
        if has_timeout && Failure::of_timed(error) == Failure::TimedOut {
            PyError {
                class: PyClass::TimeoutError,
                errno: None,
                message: "timed out".to_string(),
            }
        } else {
            PyError::of(error)
        }
    }

    /// Whether `except class:` would catch this error.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io;
    /// use reset_by_peer::except::{PyClass, PyError};
    ///
    /// let error = PyError::of(&io::Error::from(io::ErrorKind::BrokenPipe));
    /// assert!(error.is_a(PyClass::ConnectionError));
    /// ```
    pub fn is_a(&self, class: PyClass) -> bool {
        self.class.is_a(class)
    }
}

impl fmt::Display for PyError {
    /// Formats the error as Python prints it, e.g.
    /// `ConnectionResetError: [Errno 104] Connection reset by peer`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Python on Windows labels a Windows error code `WinError`.
        let label = if cfg!(windows) { "WinError" } else { "Errno" };
        match self.errno {
            Some(number) => write!(f, "{}: [{label} {number}] {}", self.class, self.message),
            None => write!(f, "{}: {}", self.class, self.message),
        }
    }
}

/// The error's message without std's ` (os error N)` suffix: for an OS error
/// that is the C library's `strerror` text, which is also what Python shows.
fn message(error: &io::Error) -> String {
    let text = error.to_string();
    match error.raw_os_error() {
        Some(number) => {
            let suffix = format!(" (os error {number})");
            text.strip_suffix(&suffix).unwrap_or(&text).to_string()
        }
        None => text,
    }
}

/// One line about an error, for narration: its kind, its raw errno with that
/// number's name on this platform, and what Python would have raised.
///
/// # Examples
///
/// ```
/// use std::io;
/// use reset_by_peer::except::narrate;
///
/// let error = io::Error::from(io::ErrorKind::BrokenPipe);
/// assert_eq!(narrate(&error), "BrokenPipe (no errno); Python: BrokenPipeError: broken pipe");
/// ```
pub fn narrate(error: &io::Error) -> String {
    narrate_as(error, PyError::of(error))
}

/// Like [`narrate`], but with the exception Python's socket would have raised
/// (see [`PyError::for_socket`]).
///
/// # Examples
///
/// ```
/// use std::io;
/// use std::net::TcpStream;
/// use reset_by_peer::except::narrate_for_socket;
/// use reset_by_peer::peer::{Peer, Script};
///
/// fn main() -> io::Result<()> {
///     let peer = Peer::start(Script::Echo)?;
///     let stream = TcpStream::connect(peer.addr())?;
///     let error = io::Error::from(io::ErrorKind::ConnectionReset);
///     assert!(narrate_for_socket(&error, &stream).starts_with("ConnectionReset"));
///     Ok(())
/// }
/// ```
pub fn narrate_for_socket(error: &io::Error, stream: &TcpStream) -> String {
    narrate_as(error, PyError::for_socket(error, stream))
}

fn narrate_as(error: &io::Error, python: PyError) -> String {
    let error = innermost(error);
    let number = match error.raw_os_error() {
        None => "no errno".to_string(),
        Some(number) => match (errno::name_here(number), Platform::current()) {
            (Some(name), Some(platform)) => format!("errno {number}, {name} on {platform}"),
            _ => format!("errno {number}"),
        },
    };
    format!("{:?} ({number}); Python: {python}", error.kind())
}
