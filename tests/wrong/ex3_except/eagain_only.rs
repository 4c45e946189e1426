//! Knows an expired timeout by Linux's EAGAIN, 11, the habit of the
//! article's Strategy 4: the kind is what holds on every platform.

// >>> exercise 3: your answer begins here >>>
use std::io::{self, ErrorKind};

pub fn still_usable(error: &io::Error) -> bool {
    error.raw_os_error() == Some(11)
        || error.kind() == ErrorKind::Interrupted
        || (error.kind() == ErrorKind::TimedOut && error.raw_os_error().is_none())
}
// <<< exercise 3: your answer ends here <<<

/// This file, as the check reads it.
pub const SOURCE: &str = include_str!("eagain_only.rs");
