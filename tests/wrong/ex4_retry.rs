//! Exercise 4: wrong but plausible fixes, each of which the check must fail.

/// Retries every error on a new connection, including those no new
/// connection fixes (a bad argument, a permission).
pub mod retries_everything {
    use std::io;
    use std::net::TcpStream;

    pub fn ask_with_retries(
        attempts: u32,
        connect: &mut dyn FnMut() -> io::Result<TcpStream>,
        talk: &mut dyn FnMut(&mut TcpStream) -> io::Result<Vec<u8>>,
    ) -> io::Result<Vec<u8>> {
        let mut last = io::Error::other("no attempt was made");
        for _ in 0..attempts {
            match connect().and_then(|mut stream| talk(&mut stream)) {
                Ok(answer) => return Ok(answer),
                Err(error) => last = error,
            }
        }
        Err(last)
    }
}

/// Moves the connect into the loop with `?`: a refused connect ends the
/// whole retry instead of being retried.
pub mod connect_with_question_mark {
    use std::io::{self, ErrorKind};
    use std::net::TcpStream;

    pub fn ask_with_retries(
        attempts: u32,
        connect: &mut dyn FnMut() -> io::Result<TcpStream>,
        talk: &mut dyn FnMut(&mut TcpStream) -> io::Result<Vec<u8>>,
    ) -> io::Result<Vec<u8>> {
        let mut last = io::Error::other("no attempt was made");
        for _ in 0..attempts {
            let mut stream = connect()?;
            match talk(&mut stream) {
                Ok(answer) => return Ok(answer),
                Err(error) if error.kind() != ErrorKind::InvalidInput => last = error,
                Err(error) => return Err(error),
            }
        }
        Err(last)
    }
}

/// Retries only the "connection" errors: reset, broken pipe, refused (the
/// reference solution shipped before issue 13). A slow server's timeout is
/// not retried.
pub mod connection_errors_only {
    use std::io::{self, ErrorKind};
    use std::net::TcpStream;

    pub fn ask_with_retries(
        attempts: u32,
        connect: &mut dyn FnMut() -> io::Result<TcpStream>,
        talk: &mut dyn FnMut(&mut TcpStream) -> io::Result<Vec<u8>>,
    ) -> io::Result<Vec<u8>> {
        let mut last = io::Error::other("no attempt was made");
        for _ in 0..attempts {
            match connect().and_then(|mut stream| talk(&mut stream)) {
                Ok(answer) => return Ok(answer),
                Err(error)
                    if matches!(
                        error.kind(),
                        ErrorKind::ConnectionReset
                            | ErrorKind::BrokenPipe
                            | ErrorKind::ConnectionRefused
                    ) =>
                {
                    last = error
                }
                Err(error) => return Err(error),
            }
        }
        Err(last)
    }
}

/// Retries everything but `ErrorKind::Other` (what the crate's old
/// `worth_retrying` did): a bad argument is retried.
pub mod all_but_other {
    use std::io::{self, ErrorKind};
    use std::net::TcpStream;

    pub fn ask_with_retries(
        attempts: u32,
        connect: &mut dyn FnMut() -> io::Result<TcpStream>,
        talk: &mut dyn FnMut(&mut TcpStream) -> io::Result<Vec<u8>>,
    ) -> io::Result<Vec<u8>> {
        let mut last = io::Error::other("no attempt was made");
        for _ in 0..attempts {
            match connect().and_then(|mut stream| talk(&mut stream)) {
                Ok(answer) => return Ok(answer),
                Err(error) if error.kind() != ErrorKind::Other => last = error,
                Err(error) => return Err(error),
            }
        }
        Err(last)
    }
}

/// Reports the first error instead of the last one.
pub mod first_error {
    use std::io::{self, ErrorKind};
    use std::net::TcpStream;

    pub fn ask_with_retries(
        attempts: u32,
        connect: &mut dyn FnMut() -> io::Result<TcpStream>,
        talk: &mut dyn FnMut(&mut TcpStream) -> io::Result<Vec<u8>>,
    ) -> io::Result<Vec<u8>> {
        let mut first = None;
        for _ in 0..attempts {
            match connect().and_then(|mut stream| talk(&mut stream)) {
                Ok(answer) => return Ok(answer),
                Err(error) => {
                    let fixable = matches!(
                        error.kind(),
                        ErrorKind::ConnectionReset
                            | ErrorKind::ConnectionAborted
                            | ErrorKind::BrokenPipe
                            | ErrorKind::UnexpectedEof
                            | ErrorKind::NotConnected
                            | ErrorKind::ConnectionRefused
                            | ErrorKind::HostUnreachable
                            | ErrorKind::NetworkUnreachable
                            | ErrorKind::NetworkDown
                            | ErrorKind::AddrNotAvailable
                            | ErrorKind::WouldBlock
                            | ErrorKind::TimedOut
                            | ErrorKind::Interrupted
                    );
                    if !fixable {
                        return Err(error);
                    }
                    first.get_or_insert(error);
                }
            }
        }
        Err(first.unwrap_or_else(|| io::Error::other("no attempt was made")))
    }
}

/// Connects until a connect works, without counting the connects that
/// failed as attempts: against a server that is down, it never gives up.
pub mod connects_without_counting {
    use std::io::{self, ErrorKind};
    use std::net::TcpStream;

    pub fn ask_with_retries(
        attempts: u32,
        connect: &mut dyn FnMut() -> io::Result<TcpStream>,
        talk: &mut dyn FnMut(&mut TcpStream) -> io::Result<Vec<u8>>,
    ) -> io::Result<Vec<u8>> {
        let mut last = io::Error::other("no attempt was made");
        for _ in 0..attempts {
            let mut stream = loop {
                match connect() {
                    Ok(stream) => break stream,
                    Err(error) if error.kind() == ErrorKind::ConnectionRefused => drop(error),
                    Err(error) => return Err(error),
                }
            };
            match talk(&mut stream) {
                Ok(answer) => return Ok(answer),
                Err(error) if error.kind() == ErrorKind::ConnectionReset => last = error,
                Err(error) => return Err(error),
            }
        }
        Err(last)
    }
}

/// Counts the attempts from 1 with `1..attempts`, one short: three
/// attempts make only two connections.
pub mod one_attempt_short {
    use std::io::{self, ErrorKind};
    use std::net::TcpStream;

    pub fn ask_with_retries(
        attempts: u32,
        connect: &mut dyn FnMut() -> io::Result<TcpStream>,
        talk: &mut dyn FnMut(&mut TcpStream) -> io::Result<Vec<u8>>,
    ) -> io::Result<Vec<u8>> {
        let mut last = io::Error::other("no attempt was made");
        for _ in 1..attempts {
            match connect().and_then(|mut stream| talk(&mut stream)) {
                Ok(answer) => return Ok(answer),
                Err(error) if error.kind() != ErrorKind::InvalidInput => last = error,
                Err(error) => return Err(error),
            }
        }
        Err(last)
    }
}

/// Mixes exercise 3 in: retries when the connection is no longer usable,
/// and gives up when it still is. A timeout or an interrupted call is the
/// very failure a new attempt is for, yet it ends the retry.
pub mod retries_only_dead_connections {
    use std::io::{self, ErrorKind};
    use std::net::TcpStream;

    pub fn ask_with_retries(
        attempts: u32,
        connect: &mut dyn FnMut() -> io::Result<TcpStream>,
        talk: &mut dyn FnMut(&mut TcpStream) -> io::Result<Vec<u8>>,
    ) -> io::Result<Vec<u8>> {
        let mut last = io::Error::other("no attempt was made");
        for _ in 1..=attempts {
            match connect().and_then(|mut stream| talk(&mut stream)) {
                Ok(answer) => return Ok(answer),
                Err(error) if still_usable(&error) => return Err(error),
                Err(error) => last = error,
            }
        }
        Err(last)
    }

    fn still_usable(error: &io::Error) -> bool {
        match error.kind() {
            ErrorKind::WouldBlock | ErrorKind::Interrupted => true,
            ErrorKind::TimedOut => error.raw_os_error().is_none(),
            _ => false,
        }
    }
}

/// Retries a failed connect only when it was refused: a route that is
/// missing for a moment, or no free local port, ends the retry.
pub mod connect_refused_only {
    use std::io::{self, ErrorKind};
    use std::net::TcpStream;

    pub fn ask_with_retries(
        attempts: u32,
        connect: &mut dyn FnMut() -> io::Result<TcpStream>,
        talk: &mut dyn FnMut(&mut TcpStream) -> io::Result<Vec<u8>>,
    ) -> io::Result<Vec<u8>> {
        let mut last = io::Error::other("no attempt was made");
        for _ in 1..=attempts {
            let mut stream = match connect() {
                Ok(stream) => stream,
                Err(error) if error.kind() == ErrorKind::ConnectionRefused => {
                    last = error;
                    continue;
                }
                Err(error) => return Err(error),
            };
            match talk(&mut stream) {
                Ok(answer) => return Ok(answer),
                Err(error) if fixable(&error) => last = error,
                Err(error) => return Err(error),
            }
        }
        Err(last)
    }

    fn fixable(error: &io::Error) -> bool {
        matches!(
            error.kind(),
            ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::BrokenPipe
                | ErrorKind::UnexpectedEof
                | ErrorKind::NotConnected
                | ErrorKind::WouldBlock
                | ErrorKind::TimedOut
                | ErrorKind::Interrupted
        )
    }
}
