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

/// The audit's one-read ping (issue 23): one `read` is taken for the whole
/// answer, so a PONG that TCP delivers in pieces is taken for no PONG.
pub mod one_read {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;

    pub fn ping(stream: &mut TcpStream, timeout: Duration) -> bool {
        if stream.set_read_timeout(Some(timeout)).is_err() || stream.write_all(b"PING\n").is_err() {
            return false;
        }
        let mut answer = [0u8; 64];
        match stream.read(&mut answer) {
            Ok(n) => &answer[..n] == b"PONG\n",
            Err(_) => false,
        }
    }
}

/// Reads as many bytes as the crate's `PONG`, which is spelled without its
/// newline, under one deadline: a PONG whose line never ends counts.
pub mod pong_without_newline {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    use reset_by_peer::line::PONG;

    pub fn ping(stream: &mut TcpStream, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        if stream.write_all(b"PING\n").is_err() {
            return false;
        }
        let mut answer = [0u8; PONG.len()];
        let mut filled = 0;
        while filled < answer.len() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
                return false;
            }
            match stream.read(&mut answer[filled..]) {
                Ok(0) | Err(_) => return false,
                Ok(n) => filled += n,
            }
        }
        answer == PONG
    }
}

/// Reads the line with `BufRead::read_line`, ignores its error, and judges
/// what came: a timeout after `PONG` without its newline leaves "PONG" in
/// the string, and trimmed it looks like a whole PONG line.
pub mod ignores_the_read_error {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpStream;
    use std::time::Duration;

    pub fn ping(stream: &mut TcpStream, timeout: Duration) -> bool {
        if stream.set_read_timeout(Some(timeout)).is_err() || stream.write_all(b"PING\n").is_err() {
            return false;
        }
        let mut line = String::new();
        let _ = BufReader::new(stream).read_line(&mut line);
        line.trim() == "PONG"
    }
}

/// Reads the whole line under one deadline, right, but then asks only
/// whether it begins with PONG: a longer line is taken for PONG.
pub mod line_starts_with_pong {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    pub fn ping(stream: &mut TcpStream, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        if stream.write_all(b"PING\n").is_err() {
            return false;
        }
        let mut line = Vec::new();
        let mut buf = [0u8; 16];
        while !line.contains(&b'\n') && line.len() < 64 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
                return false;
            }
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => return false,
                Ok(n) => line.extend_from_slice(&buf[..n]),
            }
        }
        line.starts_with(b"PONG")
    }
}
