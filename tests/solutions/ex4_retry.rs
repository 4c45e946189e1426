//! Exercise 4, solved: a new connection for each attempt.

use std::io::{self, ErrorKind};
use std::net::{SocketAddr, TcpStream};

use super::ex4::{BOUND, ask};

pub fn ask_with_retries(addr: SocketAddr, request: &[u8], attempts: u32) -> io::Result<Vec<u8>> {
    let mut last = io::Error::other("no attempt was made");
    for _ in 1..=attempts {
        // Changed: connect inside the loop, so every attempt has its own
        // connection; and retry what a new connection can fix.
        let result = TcpStream::connect_timeout(&addr, BOUND).and_then(|mut stream| {
            stream.set_read_timeout(Some(BOUND))?;
            ask(&mut stream, request)
        });
        match result {
            Ok(answer) => return Ok(answer),
            Err(error)
                if matches!(
                    error.kind(),
                    ErrorKind::ConnectionReset
                        | ErrorKind::BrokenPipe
                        | ErrorKind::ConnectionRefused
                ) =>
            {
                last = error;
            }
            Err(error) => return Err(error),
        }
    }
    Err(last)
}
