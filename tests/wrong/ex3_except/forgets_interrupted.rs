//! Right about timeouts, but an interrupted call is taken for a lost
//! connection.

// >>> exercise 3: your answer begins here >>>
use std::io::{self, ErrorKind};

pub fn still_usable(error: &io::Error) -> bool {
    match error.kind() {
        ErrorKind::WouldBlock => true,
        ErrorKind::TimedOut => error.raw_os_error().is_none(),
        _ => false,
    }
}
// <<< exercise 3: your answer ends here <<<

/// This file, as the check reads it.
pub const SOURCE: &str = include_str!("forgets_interrupted.rs");
