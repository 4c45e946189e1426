//! Exercise 7, solved: the answer must come within the timeout.
//! (reset_by_peer::heartbeat::watch does this round after round.)

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

pub fn ping(stream: &mut TcpStream, timeout: Duration) -> bool {
    // Changed: bound the wait for the answer.
    if stream.set_read_timeout(Some(timeout)).is_err() {
        return false;
    }
    if stream.write_all(b"PING\n").is_err() {
        return false;
    }
    let mut answer = [0u8; 5];
    match stream.read_exact(&mut answer) {
        Ok(()) => &answer == b"PONG\n",
        // A timeout, a reset or a close: not alive.
        Err(_) => false,
    }
}
