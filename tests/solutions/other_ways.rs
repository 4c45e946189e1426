//! Correct solutions written differently from the references: a check must
//! accept a right answer, not only the reference's shape.

/// std's `read_to_end` already reads until the end of the stream and
/// returns a reset as an error.
pub mod ex1 {
    use std::io::{self, Read};
    use std::net::TcpStream;

    pub fn receive_all(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
        let mut received = Vec::new();
        stream.read_to_end(&mut received)?;
        Ok(received)
    }
}

/// Looks the first number up, then asks whether the second platform gives
/// that error the second number.
pub mod ex2 {
    use reset_by_peer::errno::{Meaning, Platform, meaning};

    pub fn same_error(a: i32, on_a: Platform, b: i32, on_b: Platform) -> bool {
        if on_a == on_b {
            return a == b;
        }
        match (meaning(a, on_a), meaning(b, on_b)) {
            (Meaning::Known(errno), _) => errno.number(on_b) == Some(b),
            (Meaning::Other { name, .. }, Meaning::Other { name: other, .. }) => name == other,
            _ => false,
        }
    }
}

/// Matches the kind and the errno together, as a pair. The check reads
/// this answer's code as well, so it stands between the marker lines, and
/// `SOURCE` is this file.
pub mod ex3 {
    // >>> exercise 3: your answer begins here >>>
    use std::io::{self, ErrorKind};

    pub fn still_usable(error: &io::Error) -> bool {
        match (error.kind(), error.raw_os_error()) {
            // A timeout of the program's own, or a signal.
            (ErrorKind::WouldBlock | ErrorKind::Interrupted, _) => true,
            // A timer of the program's own: no errno.
            (ErrorKind::TimedOut, None) => true,
            _ => false,
        }
    }
    // <<< exercise 3: your answer ends here <<<

    pub const SOURCE: &str = include_str!("other_ways.rs");
}

/// Recursion instead of a loop: one attempt, then the rest; the failures
/// worth a new connection in a table.
pub mod ex4 {
    use std::io::{self, ErrorKind};
    use std::net::TcpStream;

    const FIXABLE: [ErrorKind; 13] = [
        ErrorKind::ConnectionReset,
        ErrorKind::ConnectionAborted,
        ErrorKind::BrokenPipe,
        ErrorKind::UnexpectedEof,
        ErrorKind::NotConnected,
        ErrorKind::ConnectionRefused,
        ErrorKind::HostUnreachable,
        ErrorKind::NetworkUnreachable,
        ErrorKind::NetworkDown,
        ErrorKind::AddrNotAvailable,
        ErrorKind::Interrupted,
        ErrorKind::WouldBlock,
        ErrorKind::TimedOut,
    ];

    pub fn ask_with_retries(
        attempts: u32,
        connect: &mut dyn FnMut() -> io::Result<TcpStream>,
        talk: &mut dyn FnMut(&mut TcpStream) -> io::Result<Vec<u8>>,
    ) -> io::Result<Vec<u8>> {
        if attempts == 0 {
            return Err(io::Error::other("no attempts"));
        }
        let error = match connect() {
            Ok(mut stream) => match talk(&mut stream) {
                Ok(answer) => return Ok(answer),
                Err(error) => error,
            },
            Err(error) => error,
        };
        let fixable = FIXABLE.contains(&error.kind());
        if fixable && attempts > 1 {
            ask_with_retries(attempts - 1, connect, talk)
        } else {
            Err(error)
        }
    }
}

/// Reads into a Vec and asks about the error with an `if`.
pub mod ex5 {
    use std::io::{self, ErrorKind, Read};

    use crate::ex5::Reply;

    pub fn wait_for_reply(stream: &mut dyn Read) -> io::Result<Reply> {
        let mut buf = vec![0u8; 4096];
        let n = match stream.read(&mut buf) {
            Ok(n) => n,
            Err(error) => {
                let kind = error.kind();
                if kind == ErrorKind::TimedOut || kind == ErrorKind::WouldBlock {
                    return Ok(Reply::TimedOut);
                }
                return Err(error);
            }
        };
        if n == 0 {
            return Ok(Reply::Closed);
        }
        buf.truncate(n);
        Ok(Reply::Data(buf))
    }
}

/// Walks the buffer with a slice, and reports WouldBlock, as Unix does.
pub mod ex6 {
    use std::io::{self, ErrorKind, Read};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    pub fn read_exact_within(
        stream: &mut TcpStream,
        mut buf: &mut [u8],
        budget: Duration,
    ) -> io::Result<()> {
        let started = Instant::now();
        while !buf.is_empty() {
            let Some(left) = budget
                .checked_sub(started.elapsed())
                .filter(|left| !left.is_zero())
            else {
                return Err(ErrorKind::WouldBlock.into());
            };
            stream.set_read_timeout(Some(left))?;
            match stream.read(buf) {
                Ok(0) => return Err(ErrorKind::UnexpectedEof.into()),
                Ok(n) => buf = &mut buf[n..],
                Err(error) if error.kind() == ErrorKind::WouldBlock => {}
                Err(error) if error.kind() == ErrorKind::TimedOut => {}
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }
}

/// Reads byte by byte up to the end of the line, with the read timeout set
/// before the PING goes out.
pub mod ex7 {
    use std::io::Write;
    use std::net::TcpStream;
    use std::time::Duration;

    use reset_by_peer::line::{LineBuffer, PING, PONG, with_newline};
    use reset_by_peer::timeout::{Deadline, read_by};

    /// The crate's pieces: a line reader, and reads bounded by one deadline.
    pub fn ping(stream: &mut TcpStream, timeout: Duration) -> bool {
        let deadline = Deadline::after(timeout);
        if stream.write_all(&with_newline(PING)).is_err() {
            return false;
        }
        let mut lines = LineBuffer::default();
        let mut buf = [0u8; 16];
        // Each pass reads at least one byte or ends; the deadline ends it.
        loop {
            match lines.next_line() {
                Ok(Some(line)) => return line == PONG,
                Ok(None) => {}
                Err(_) => return false,
            }
            match read_by(stream, &mut buf, deadline) {
                Ok(0) | Err(_) => return false,
                Ok(n) => {
                    if lines.push(&buf[..n]).is_err() {
                        return false;
                    }
                }
            }
        }
    }
}

/// An iterator of waits, each the double of the one before, capped.
pub mod ex8 {
    use std::io;
    use std::iter;
    use std::time::Duration;

    pub fn delays(attempts: u32, first: Duration, cap: Duration) -> io::Result<Vec<Duration>> {
        if attempts > crate::ex8::MAX_ATTEMPTS {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "too many attempts",
            ));
        }
        let waits = attempts.saturating_sub(1) as usize;
        Ok(iter::successors(Some(first.min(cap)), |wait| {
            Some(wait.saturating_mul(2).min(cap))
        })
        .take(waits)
        .collect())
    }
}

pub mod ex9 {
    use std::io::ErrorKind;

    use crate::ex9::Failed;

    /// The same rule as a sequence of questions, each answered at once.
    pub fn send_again(failed: &Failed, idempotent: bool) -> bool {
        if !failed.reused || failed.received > 0 {
            return false;
        }
        match failed.error.kind() {
            ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe
            | ErrorKind::UnexpectedEof
            | ErrorKind::NotConnected => idempotent || failed.sent == 0,
            _ => false,
        }
    }
}
