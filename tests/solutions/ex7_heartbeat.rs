//! Exercise 7, solved: the whole answer must come within the timeout, one
//! deadline for every read. (reset_by_peer::heartbeat::watch does this
//! round after round.)

use std::io::{Read, Write};
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
            // A timeout, a reset: not alive.
            Err(_) => return false,
        }
    }
    &answer == b"PONG\n"
}
