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
