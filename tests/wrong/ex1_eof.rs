//! Exercise 1: wrong but plausible fixes, each of which the check must fail.

/// The read budget of the starter, which these answers keep.
const MAX_READS: usize = 100_000;

/// The article's `recv(1024)`: one read is taken for the whole reply.
pub mod single_read {
    use std::io::{self, Read};
    use std::net::TcpStream;

    pub fn receive_all(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
        let mut chunk = [0u8; 1024];
        let n = stream.read(&mut chunk)?;
        Ok(chunk[..n].to_vec())
    }
}

/// A read that does not fill the buffer is taken for the last one.
pub mod short_read_ends {
    use std::io::{self, Read};
    use std::net::TcpStream;

    pub fn receive_all(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
        let mut received = Vec::new();
        let mut chunk = [0u8; 1024];
        for _ in 0..super::MAX_READS {
            let n = stream.read(&mut chunk)?;
            received.extend_from_slice(&chunk[..n]);
            if n < chunk.len() {
                return Ok(received);
            }
        }
        Err(io::Error::other("gave up"))
    }
}

/// Every error is taken for the end of the stream: a reset is swallowed.
pub mod error_is_the_end {
    use std::io::{self, Read};
    use std::net::TcpStream;

    pub fn receive_all(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
        let mut received = Vec::new();
        let mut chunk = [0u8; 1024];
        for _ in 0..super::MAX_READS {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return Ok(received),
                Ok(n) => received.extend_from_slice(&chunk[..n]),
            }
        }
        Err(io::Error::other("gave up"))
    }
}

/// A reset after some data is swallowed: "we got an answer, keep it".
pub mod keeps_data_before_a_reset {
    use std::io::{self, Read};
    use std::net::TcpStream;

    pub fn receive_all(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
        let mut received = Vec::new();
        let mut chunk = [0u8; 1024];
        for _ in 0..super::MAX_READS {
            match stream.read(&mut chunk) {
                Ok(0) => return Ok(received),
                Ok(n) => received.extend_from_slice(&chunk[..n]),
                Err(_) if !received.is_empty() => return Ok(received),
                Err(error) => return Err(error),
            }
        }
        Err(io::Error::other("gave up"))
    }
}

/// The article's `recv(1024)` in a loop, into one 1024-byte buffer: past
/// 1024 bytes, a read into the empty rest of the buffer returns 0, which
/// looks like the end, and the reply is cut short without an error.
pub mod one_fixed_buffer {
    use std::io::{self, Read};
    use std::net::TcpStream;

    pub fn receive_all(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
        let mut buf = [0u8; 1024];
        let mut filled = 0;
        loop {
            let n = stream.read(&mut buf[filled..])?;
            if n == 0 {
                return Ok(buf[..filled].to_vec());
            }
            filled += n;
        }
    }
}

/// Reads into `Vec::with_capacity`, whose length is 0: `read` fills the
/// slice it is given, an empty one, and returns 0 at once, which looks
/// like the end of the stream before anything was read.
pub mod capacity_is_not_length {
    use std::io::{self, Read};
    use std::net::TcpStream;

    pub fn receive_all(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
        let mut received = Vec::new();
        let mut chunk = Vec::with_capacity(1024);
        for _ in 0..super::MAX_READS {
            let n = stream.read(&mut chunk)?;
            if n == 0 {
                return Ok(received);
            }
            received.extend_from_slice(&chunk[..n]);
        }
        Err(io::Error::other("gave up"))
    }
}

/// Takes a clean close with nothing received for a failure: "no answer"
/// becomes an UnexpectedEof, though the peer ended the stream as it may.
pub mod empty_reply_is_an_error {
    use std::io::{self, ErrorKind, Read};
    use std::net::TcpStream;

    pub fn receive_all(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
        let mut received = Vec::new();
        stream.read_to_end(&mut received)?;
        if received.is_empty() {
            return Err(ErrorKind::UnexpectedEof.into());
        }
        Ok(received)
    }
}

/// Tries the read again after an error, as one does after `Interrupted`:
/// after a reset the next read returns 0, and the reset is taken for a
/// clean end.
pub mod reads_again_after_an_error {
    use std::io::{self, Read};
    use std::net::TcpStream;

    pub fn receive_all(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
        let mut received = Vec::new();
        let mut chunk = [0u8; 1024];
        for _ in 0..super::MAX_READS {
            match stream.read(&mut chunk) {
                Ok(0) => return Ok(received),
                Ok(n) => received.extend_from_slice(&chunk[..n]),
                Err(_) => continue,
            }
        }
        Err(io::Error::other("gave up"))
    }
}

/// `read_to_end` into a Vec, and what it gathered kept when it fails:
/// the part of a reply that came before a reset passes for the reply.
pub mod read_to_end_keeps_the_part {
    use std::io::{self, Read};
    use std::net::TcpStream;

    pub fn receive_all(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
        let mut received = Vec::new();
        match stream.read_to_end(&mut received) {
            Ok(_) => Ok(received),
            Err(_) if !received.is_empty() => Ok(received),
            Err(error) => Err(error),
        }
    }
}
