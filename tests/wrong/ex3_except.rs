//! Exercise 3: wrong but plausible fixes, each of which the check must fail.
//!
//! The check reads an answer's code as well as running it, so each wrong
//! answer is a file of its own, `ex3_except/NAME.rs`, with the two marker
//! lines around the answer as in a student's copy, and the comment saying
//! which mistake it models at its top. Its `SOURCE` is that file: the text
//! the check reads is the text that compiles.

pub mod deny_list;
pub mod eagain_only;
pub mod errno_as_a_character;
pub mod every_timeout;
pub mod forgets_interrupted;
pub mod hard_coded_errno;
pub mod message_text;
pub mod no_errno_is_ours;
pub mod os_error_in_message;
pub mod unless_connection_error;
pub mod would_block_only;
