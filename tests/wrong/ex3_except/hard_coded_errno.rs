//! Tells the kernel's ETIMEDOUT by Linux's number, 110, as the statement
//! once invited (issue 23): right on Linux, where 110 is the only errno
//! that std calls TimedOut, and wrong on macOS and FreeBSD (60) and on
//! Windows (10060). Only the answer's code shows it on Linux.

// >>> exercise 3: your answer begins here >>>
use std::io::{self, ErrorKind};

pub fn still_usable(error: &io::Error) -> bool {
    match error.kind() {
        ErrorKind::WouldBlock | ErrorKind::Interrupted => true,
        ErrorKind::TimedOut => error.raw_os_error() != Some(110),
        _ => false,
    }
}
// <<< exercise 3: your answer ends here <<<

/// This file, as the check reads it.
pub const SOURCE: &str = include_str!("hard_coded_errno.rs");
