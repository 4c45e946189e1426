//! Exercise 3: wrong but plausible fixes, each of which the check must fail.

/// Python's hierarchy: usable unless the error is a `ConnectionError`
/// (reset, aborted, refused, broken pipe). An end of stream in the middle of
/// a message, a call on a connection already gone, and the kernel's
/// ETIMEDOUT are not ConnectionErrors, yet the connection is gone.
pub mod unless_connection_error {
    use std::io::{self, ErrorKind};

    pub fn still_usable(error: &io::Error) -> bool {
        !matches!(
            error.kind(),
            ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::ConnectionRefused
                | ErrorKind::BrokenPipe
        )
    }
}

/// Every timeout leaves the connection usable: the kernel's ETIMEDOUT too,
/// and an interrupted call is forgotten.
pub mod every_timeout {
    use std::io::{self, ErrorKind};

    pub fn still_usable(error: &io::Error) -> bool {
        matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
    }
}

/// Only Unix's WouldBlock counts as a timeout of the program's own.
pub mod would_block_only {
    use std::io::{self, ErrorKind};

    pub fn still_usable(error: &io::Error) -> bool {
        matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted)
    }
}

/// A list of the errors that end a connection, and "usable" for the rest:
/// an error nobody listed is trusted.
pub mod deny_list {
    use std::io::{self, ErrorKind};

    pub fn still_usable(error: &io::Error) -> bool {
        let own_timeout = error.kind() == ErrorKind::TimedOut && error.raw_os_error().is_none();
        if error.kind() == ErrorKind::TimedOut {
            return own_timeout;
        }
        !matches!(
            error.kind(),
            ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::ConnectionRefused
                | ErrorKind::BrokenPipe
                | ErrorKind::UnexpectedEof
                | ErrorKind::NotConnected
        )
    }
}

/// Right about timeouts, but an interrupted call is taken for a lost
/// connection.
pub mod forgets_interrupted {
    use std::io::{self, ErrorKind};

    pub fn still_usable(error: &io::Error) -> bool {
        match error.kind() {
            ErrorKind::WouldBlock => true,
            ErrorKind::TimedOut => error.raw_os_error().is_none(),
            _ => false,
        }
    }
}

/// Knows an expired timeout by Linux's EAGAIN, 11, the habit of the
/// article's Strategy 4: the kind is what holds on every platform.
pub mod eagain_only {
    use std::io::{self, ErrorKind};

    pub fn still_usable(error: &io::Error) -> bool {
        error.raw_os_error() == Some(11)
            || error.kind() == ErrorKind::Interrupted
            || (error.kind() == ErrorKind::TimedOut && error.raw_os_error().is_none())
    }
}
