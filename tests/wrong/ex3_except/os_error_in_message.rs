//! Tells the kernel's ETIMEDOUT by its message, which std ends with
//! "(os error N)" when the error carries an errno: right today on every
//! platform the check runs on, but a decision by a message text, which std
//! does not promise to keep. Only the answer's code shows it.

// >>> exercise 3: your answer begins here >>>
use std::io::{self, ErrorKind};

pub fn still_usable(error: &io::Error) -> bool {
    match error.kind() {
        ErrorKind::WouldBlock | ErrorKind::Interrupted => true,
        ErrorKind::TimedOut => !error.to_string().contains("os error"),
        _ => false,
    }
}
// <<< exercise 3: your answer ends here <<<

/// This file, as the check reads it.
pub const SOURCE: &str = include_str!("os_error_in_message.rs");
