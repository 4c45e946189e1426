//! Exercise 6: wrong but plausible fixes, each of which the check must fail.

/// A plain `read_exact`, then "timed out" if the time ran out: the read
/// itself still runs as long as the peer keeps dripping.
pub mod late_verdict {
    use std::io::{self, ErrorKind, Read};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    pub fn read_exact_within(
        stream: &mut TcpStream,
        buf: &mut [u8],
        budget: Duration,
    ) -> io::Result<()> {
        let started = Instant::now();
        stream.set_read_timeout(Some(budget))?;
        let result = stream.read_exact(buf);
        if started.elapsed() > budget {
            return Err(io::Error::new(ErrorKind::TimedOut, "too late"));
        }
        result
    }
}

/// A deadline checked between reads, but each read may still wait the
/// whole budget: against a peer that falls silent, it overruns.
pub mod deadline_between_reads {
    use std::io::{self, ErrorKind, Read};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    pub fn read_exact_within(
        stream: &mut TcpStream,
        buf: &mut [u8],
        budget: Duration,
    ) -> io::Result<()> {
        let deadline = Instant::now() + budget;
        stream.set_read_timeout(Some(budget))?;
        let mut filled = 0;
        while filled < buf.len() {
            if Instant::now() >= deadline {
                return Err(io::Error::new(ErrorKind::TimedOut, "deadline"));
            }
            match stream.read(&mut buf[filled..]) {
                Ok(0) => return Err(ErrorKind::UnexpectedEof.into()),
                Ok(n) => filled += n,
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }
}

/// Sets the time left as the read timeout, even when none is left: std
/// refuses a zero timeout with InvalidInput.
pub mod zero_timeout {
    use std::io::{self, ErrorKind, Read};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    pub fn read_exact_within(
        stream: &mut TcpStream,
        buf: &mut [u8],
        budget: Duration,
    ) -> io::Result<()> {
        let deadline = Instant::now() + budget;
        let mut filled = 0;
        while filled < buf.len() {
            stream.set_read_timeout(Some(deadline.saturating_duration_since(Instant::now())))?;
            match stream.read(&mut buf[filled..]) {
                Ok(0) => return Err(ErrorKind::UnexpectedEof.into()),
                Ok(n) => filled += n,
                Err(error) if error.kind() == ErrorKind::WouldBlock => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }
}

/// Treats a read of 0 bytes as "nothing yet": a peer that closed is
/// reported as a timeout, once the budget is spent.
pub mod zero_is_nothing_yet {
    use std::io::{self, ErrorKind, Read};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    pub fn read_exact_within(
        stream: &mut TcpStream,
        buf: &mut [u8],
        budget: Duration,
    ) -> io::Result<()> {
        let deadline = Instant::now() + budget;
        let mut filled = 0;
        while filled < buf.len() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::Error::new(ErrorKind::TimedOut, "deadline"));
            }
            stream.set_read_timeout(Some(left))?;
            match stream.read(&mut buf[filled..]) {
                Ok(n) => filled += n,
                Err(error) if error.kind() == ErrorKind::WouldBlock => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }
}

/// Shares the budget out evenly among the bytes: each read may wait only
/// budget / len, so a peer a little slower than that is given up on early.
pub mod budget_per_byte {
    use std::io::{self, Read};
    use std::net::TcpStream;
    use std::time::Duration;

    pub fn read_exact_within(
        stream: &mut TcpStream,
        buf: &mut [u8],
        budget: Duration,
    ) -> io::Result<()> {
        let per_read = budget / buf.len().max(1) as u32;
        stream.set_read_timeout(Some(per_read.max(Duration::from_millis(1))))?;
        stream.read_exact(buf)
    }
}

/// Polls a non-blocking socket until the deadline: it keeps time, but it
/// spins a CPU the whole while, and leaves the socket non-blocking.
pub mod spins_non_blocking {
    use std::io::{self, ErrorKind, Read};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    pub fn read_exact_within(
        stream: &mut TcpStream,
        buf: &mut [u8],
        budget: Duration,
    ) -> io::Result<()> {
        let started = Instant::now();
        stream.set_nonblocking(true)?;
        let mut filled = 0;
        while filled < buf.len() {
            match stream.read(&mut buf[filled..]) {
                Ok(0) => return Err(ErrorKind::UnexpectedEof.into()),
                Ok(n) => filled += n,
                Err(error) if error.kind() == ErrorKind::WouldBlock => {
                    if started.elapsed() >= budget {
                        return Err(ErrorKind::TimedOut.into());
                    }
                }
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }
}

/// Takes a read of 0 bytes for "done": a peer that closes before the
/// buffer is full passes for one that filled it.
pub mod zero_is_done {
    use std::io::{self, ErrorKind, Read};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    pub fn read_exact_within(
        stream: &mut TcpStream,
        buf: &mut [u8],
        budget: Duration,
    ) -> io::Result<()> {
        let deadline = Instant::now() + budget;
        let mut filled = 0;
        while filled < buf.len() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ErrorKind::TimedOut.into());
            }
            stream.set_read_timeout(Some(left))?;
            match stream.read(&mut buf[filled..]) {
                Ok(0) => return Ok(()),
                Ok(n) => filled += n,
                Err(error)
                    if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }
}

/// Keeps time right, but reports the spent budget as an error of its own
/// kind, `Other`: a caller that asks "was it a timeout?" is told no.
pub mod timeout_of_kind_other {
    use std::io::{self, ErrorKind, Read};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    pub fn read_exact_within(
        stream: &mut TcpStream,
        buf: &mut [u8],
        budget: Duration,
    ) -> io::Result<()> {
        let deadline = Instant::now() + budget;
        let mut filled = 0;
        while filled < buf.len() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::Error::other("the budget is spent"));
            }
            stream.set_read_timeout(Some(left))?;
            match stream.read(&mut buf[filled..]) {
                Ok(0) => return Err(ErrorKind::UnexpectedEof.into()),
                Ok(n) => filled += n,
                Err(error)
                    if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }
}
