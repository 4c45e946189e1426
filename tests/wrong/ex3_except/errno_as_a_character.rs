//! Hides Linux's ETIMEDOUT, 110, in a character: `'n' as i32` is 110. The
//! same mistake as `hard_coded_errno`, written so that no digit shows: a
//! character is a number too, and the check says so.

// >>> exercise 3: your answer begins here >>>
use std::io::{self, ErrorKind};

pub fn still_usable(error: &io::Error) -> bool {
    match error.kind() {
        ErrorKind::WouldBlock | ErrorKind::Interrupted => true,
        ErrorKind::TimedOut => error.raw_os_error() != Some('n' as i32),
        _ => false,
    }
}
// <<< exercise 3: your answer ends here <<<

/// This file, as the check reads it.
pub const SOURCE: &str = include_str!("errno_as_a_character.rs");
