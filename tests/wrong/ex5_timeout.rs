//! Exercise 5: wrong but plausible fixes, each of which the check must fail.

/// Swaps one kind for the other: right on Linux, wrong on Windows.
pub mod would_block_only {
    use std::io::{self, ErrorKind, Read};

    use super::super::ex5::Reply;

    pub fn wait_for_reply(stream: &mut dyn Read) -> io::Result<Reply> {
        let mut buf = [0u8; 1024];
        match stream.read(&mut buf) {
            Ok(0) => Ok(Reply::Closed),
            Ok(n) => Ok(Reply::Data(buf[..n].to_vec())),
            Err(error) if error.kind() == ErrorKind::WouldBlock => Ok(Reply::TimedOut),
            Err(error) => Err(error),
        }
    }
}

/// Takes every error for a timeout: a reset is swallowed.
pub mod every_error {
    use std::io::{self, Read};

    use super::super::ex5::Reply;

    pub fn wait_for_reply(stream: &mut dyn Read) -> io::Result<Reply> {
        let mut buf = [0u8; 1024];
        match stream.read(&mut buf) {
            Ok(0) => Ok(Reply::Closed),
            Ok(n) => Ok(Reply::Data(buf[..n].to_vec())),
            Err(_) => Ok(Reply::TimedOut),
        }
    }
}

/// Strategy 4's habit: compares the raw errno with Linux's EAGAIN (11).
/// An error with no errno, or another platform's number, is missed.
pub mod linux_errno {
    use std::io::{self, Read};

    use super::super::ex5::Reply;

    pub fn wait_for_reply(stream: &mut dyn Read) -> io::Result<Reply> {
        let mut buf = [0u8; 1024];
        match stream.read(&mut buf) {
            Ok(0) => Ok(Reply::Closed),
            Ok(n) => Ok(Reply::Data(buf[..n].to_vec())),
            Err(error) if error.raw_os_error() == Some(11) => Ok(Reply::TimedOut),
            Err(error) => Err(error),
        }
    }
}

/// Gives a timeout two more chances before reporting it: the wait lasts
/// three read timeouts.
pub mod waits_three_times {
    use std::io::{self, ErrorKind, Read};

    use super::super::ex5::Reply;

    pub fn wait_for_reply(stream: &mut dyn Read) -> io::Result<Reply> {
        let mut buf = [0u8; 1024];
        for _ in 0..3 {
            match stream.read(&mut buf) {
                Ok(0) => return Ok(Reply::Closed),
                Ok(n) => return Ok(Reply::Data(buf[..n].to_vec())),
                Err(error)
                    if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(Reply::TimedOut)
    }
}

/// Takes a reset for the one real error, and every other error for a
/// timeout: a broken or aborted connection is waited on as if it might
/// still answer.
pub mod reset_is_the_only_error {
    use std::io::{self, ErrorKind, Read};

    use super::super::ex5::Reply;

    pub fn wait_for_reply(stream: &mut dyn Read) -> io::Result<Reply> {
        let mut buf = [0u8; 1024];
        match stream.read(&mut buf) {
            Ok(0) => Ok(Reply::Closed),
            Ok(n) => Ok(Reply::Data(buf[..n].to_vec())),
            Err(error) if error.kind() == ErrorKind::ConnectionReset => Err(error),
            Err(_) => Ok(Reply::TimedOut),
        }
    }
}

/// Takes a read of 0 bytes for "nothing arrived in time": the peer's
/// clean close is reported as a timeout.
pub mod zero_bytes_is_a_timeout {
    use std::io::{self, ErrorKind, Read};

    use super::super::ex5::Reply;

    pub fn wait_for_reply(stream: &mut dyn Read) -> io::Result<Reply> {
        let mut buf = [0u8; 1024];
        match stream.read(&mut buf) {
            Ok(0) => Ok(Reply::TimedOut),
            Ok(n) => Ok(Reply::Data(buf[..n].to_vec())),
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                Ok(Reply::TimedOut)
            }
            Err(error) => Err(error),
        }
    }
}

/// Turns both kinds into one error of kind TimedOut, as if the caller
/// wanted an error: the timeout is known, but still escapes as an error
/// instead of the reply `Reply::TimedOut`.
pub mod timeout_as_an_error {
    use std::io::{self, ErrorKind, Read};

    use super::super::ex5::Reply;

    pub fn wait_for_reply(stream: &mut dyn Read) -> io::Result<Reply> {
        let mut buf = [0u8; 1024];
        match stream.read(&mut buf) {
            Ok(0) => Ok(Reply::Closed),
            Ok(n) => Ok(Reply::Data(buf[..n].to_vec())),
            Err(error) if error.kind() == ErrorKind::WouldBlock => Err(ErrorKind::TimedOut.into()),
            Err(error) => Err(error),
        }
    }
}
