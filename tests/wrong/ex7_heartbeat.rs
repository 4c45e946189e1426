//! Exercise 7: wrong but plausible fixes, each of which the check must fail.

/// A read timeout, but a fixed second instead of `timeout`.
pub mod fixed_second {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;

    pub fn ping(stream: &mut TcpStream, _timeout: Duration) -> bool {
        if stream
            .set_read_timeout(Some(Duration::from_secs(1)))
            .is_err()
        {
            return false;
        }
        if stream.write_all(b"PING\n").is_err() {
            return false;
        }
        let mut answer = [0u8; 5];
        stream.read_exact(&mut answer).is_ok() && &answer == b"PONG\n"
    }
}

/// Sets the write timeout instead of the read timeout: the wait for the
/// answer is still unbounded.
pub mod write_timeout {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;

    pub fn ping(stream: &mut TcpStream, timeout: Duration) -> bool {
        if stream.set_write_timeout(Some(timeout)).is_err() {
            return false;
        }
        if stream.write_all(b"PING\n").is_err() {
            return false;
        }
        let mut answer = [0u8; 5];
        stream.read_exact(&mut answer).is_ok() && &answer == b"PONG\n"
    }
}

/// Any answer counts as alive, whatever it says.
pub mod any_answer {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;

    pub fn ping(stream: &mut TcpStream, timeout: Duration) -> bool {
        if stream.set_read_timeout(Some(timeout)).is_err() {
            return false;
        }
        if stream.write_all(b"PING\n").is_err() {
            return false;
        }
        let mut answer = [0u8; 5];
        stream.read_exact(&mut answer).is_ok()
    }
}

/// Measures the time after a wait that has no bound: the verdict is right
/// but comes far too late.
pub mod late_verdict {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    pub fn ping(stream: &mut TcpStream, timeout: Duration) -> bool {
        let started = Instant::now();
        if stream.write_all(b"PING\n").is_err() {
            return false;
        }
        let mut answer = [0u8; 5];
        let ok = stream.read_exact(&mut answer).is_ok() && &answer == b"PONG\n";
        ok && started.elapsed() <= timeout
    }
}

/// Looks once, without waiting: a peer that answers a moment later is
/// taken for dead, and a silent one is given up on at once.
pub mod no_wait {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;

    pub fn ping(stream: &mut TcpStream, _timeout: Duration) -> bool {
        if stream.write_all(b"PING\n").is_err() {
            return false;
        }
        if stream.set_nonblocking(true).is_err() {
            return false;
        }
        let mut answer = [0u8; 5];
        let ok = stream.read_exact(&mut answer).is_ok() && &answer == b"PONG\n";
        let _ = stream.set_nonblocking(false);
        ok
    }
}

/// Bounds each read by the timeout, one byte at a time, instead of the
/// whole answer: a peer that sends its PONG slowly keeps it waiting up to
/// five timeouts, and still counts as alive.
pub mod timeout_per_byte {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;

    pub fn ping(stream: &mut TcpStream, timeout: Duration) -> bool {
        if stream.set_read_timeout(Some(timeout)).is_err() || stream.write_all(b"PING\n").is_err() {
            return false;
        }
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while line.len() < 64 {
            match stream.read(&mut byte) {
                Ok(1) if byte[0] == b'\n' => return line == b"PONG",
                Ok(1) => line.push(byte[0]),
                _ => return false,
            }
        }
        false
    }
}
