//! Exercise 7, solved: the whole answer must come within the timeout, one
//! deadline for every read. (reset_by_peer::heartbeat::watch does this
//! round after round.)

// Changed: ErrorKind, for Interrupted.
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

pub fn ping(stream: &mut TcpStream, timeout: Duration) -> bool {
    // Changed: one deadline for the whole answer, not a timeout per read.
    let deadline = Instant::now() + timeout;
    if stream.write_all(b"PING\n").is_err() {
        return false;
    }
    let mut answer = [0u8; 5];
    let mut filled = 0;
    while filled < answer.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        // Changed: no time left is no answer in time.
        if left.is_zero() {
            return false;
        }
        // Changed: each read waits only for the time that is left.
        if stream.set_read_timeout(Some(left)).is_err() {
            return false;
        }
        match stream.read(&mut answer[filled..]) {
            Ok(0) => return false,
            Ok(n) => filled += n,
            // Changed: a stop and continue (Ctrl-Z, then fg) cuts a read
            // under a timeout short on Linux; it is no news from the peer,
            // so read again with what is left.
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            // A timeout, a reset: not alive.
            Err(_) => return false,
        }
    }
    &answer == b"PONG\n"
}
