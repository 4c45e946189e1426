//! Exercise 4, solved: a new connection for each attempt, and a retry for
//! every failure a new connection could fix. (reset_by_peer's classifier
//! draws the same line.)

use std::io::{self, ErrorKind};
use std::net::TcpStream;

pub fn ask_with_retries(
    attempts: u32,
    connect: &mut dyn FnMut() -> io::Result<TcpStream>,
    talk: &mut dyn FnMut(&mut TcpStream) -> io::Result<Vec<u8>>,
) -> io::Result<Vec<u8>> {
    let mut last = io::Error::other("no attempt was made");
    for _ in 1..=attempts {
        // Changed: connect inside the loop, so that every attempt has its
        // own connection, and a failed connect is a failed attempt.
        let result = connect().and_then(|mut stream| talk(&mut stream));
        match result {
            Ok(answer) => return Ok(answer),
            // Changed: retry what a new connection could fix.
            Err(error) if fixable(&error) => last = error,
            Err(error) => return Err(error),
        }
    }
    Err(last)
}

// Changed: the failures a new connection could fix.
fn fixable(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        // The connection ended, or never began: a server restarting.
        ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe
            | ErrorKind::UnexpectedEof
            | ErrorKind::NotConnected
            | ErrorKind::ConnectionRefused
            // No route now; there may be one in a moment.
            | ErrorKind::HostUnreachable
            | ErrorKind::NetworkUnreachable
            | ErrorKind::NetworkDown
            // No free local port now; ports come free.
            | ErrorKind::AddrNotAvailable
            // A slow server, or the kernel giving up on a lost path.
            | ErrorKind::WouldBlock
            | ErrorKind::TimedOut
            // A signal cut the call short.
            | ErrorKind::Interrupted
    )
}
