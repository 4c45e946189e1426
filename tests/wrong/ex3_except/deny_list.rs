//! A list of the errors that end a connection, and "usable" for the rest:
//! an error nobody listed is trusted.

// >>> exercise 3: your answer begins here >>>
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
// <<< exercise 3: your answer ends here <<<

/// This file, as the check reads it.
pub const SOURCE: &str = include_str!("deny_list.rs");
