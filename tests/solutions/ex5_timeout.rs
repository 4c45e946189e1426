//! Exercise 5, solved: a timeout is WouldBlock on Unix, TimedOut on Windows.

use std::io::{self, ErrorKind, Read};

use crate::ex5::Reply;

pub fn wait_for_reply(stream: &mut dyn Read) -> io::Result<Reply> {
    let mut buf = [0u8; 1024];
    match stream.read(&mut buf) {
        Ok(0) => Ok(Reply::Closed),
        Ok(n) => Ok(Reply::Data(buf[..n].to_vec())),
        // Changed: accept both kinds (reset_by_peer::failure::Failure::of_timed counts both as our timeout).
        Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
            Ok(Reply::TimedOut)
        }
        Err(error) => Err(error),
    }
}
