//! Stretches the rule for TimedOut to every kind: "an error with no errno
//! is one of ours, so the connection is fine". An expired read timeout on
//! Unix carries EAGAIN, and is taken for a lost connection; an
//! UnexpectedEof made by `read_exact` carries none, and is trusted.

// >>> exercise 3: your answer begins here >>>
use std::io;

pub fn still_usable(error: &io::Error) -> bool {
    error.raw_os_error().is_none()
}
// <<< exercise 3: your answer ends here <<<

/// This file, as the check reads it.
pub const SOURCE: &str = include_str!("no_errno_is_ours.rs");
