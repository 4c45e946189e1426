//! Tells a timer of the program's own by its message, std's "timed out":
//! right for the errors std makes from a kind alone, on this version of
//! std, but a deadline with a message of its own is taken for the kernel
//! giving up, and messages change between platforms and versions.

// >>> exercise 3: your answer begins here >>>
use std::io::{self, ErrorKind};

pub fn still_usable(error: &io::Error) -> bool {
    match error.kind() {
        ErrorKind::WouldBlock | ErrorKind::Interrupted => true,
        // std's own timer says "timed out"; the kernel's ETIMEDOUT says
        // "Connection timed out (os error 110)".
        ErrorKind::TimedOut => error.to_string() == "timed out",
        _ => false,
    }
}
// <<< exercise 3: your answer ends here <<<

/// This file, as the check reads it.
pub const SOURCE: &str = include_str!("message_text.rs");
