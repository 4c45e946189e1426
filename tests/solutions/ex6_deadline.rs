//! Exercise 6, solved: a deadline, and each read gets only the time left.
//! (reset_by_peer::timeout::read_exact_by does the same, and also reports
//! how many bytes arrived.)

use std::io::{self, ErrorKind, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

pub fn read_exact_within(
    stream: &mut TcpStream,
    buf: &mut [u8],
    budget: Duration,
) -> io::Result<()> {
    // Changed: one deadline for the whole read.
    let deadline = Instant::now() + budget;
    let mut filled = 0;
    while filled < buf.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(ErrorKind::TimedOut, "the budget is spent"));
        }
        // Changed: each read waits only for the time that is left.
        stream.set_read_timeout(Some(left))?;
        match stream.read(&mut buf[filled..]) {
            Ok(0) => return Err(io::Error::from(ErrorKind::UnexpectedEof)),
            Ok(n) => filled += n,
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}
