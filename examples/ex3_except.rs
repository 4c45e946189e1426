//! Exercise 3: try/except. After a reset, the next send is a BrokenPipe,
//! which a handler for ConnectionReset alone does not catch.
//!
//! `connection_lost` should be true for every error that means the
//! connection is gone, as Python's `except ConnectionError:` is. As shipped
//! it only knows `ConnectionReset`, like the article's handler.
//!
//! Show the problem:   cargo run --example ex3_except
//! Check your change:  cargo run --example ex3_except -- --check
//! The statement and a hint: docs/exercises.md, exercise 3.

#[path = "common/mod.rs"]
mod common;

use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reset_by_peer::peer::{Peer, Script, refused_addr};

const NAME: &str = "ex3_except";
const USAGE: &str = "\
usage: cargo run --example ex3_except [-- --check]

Exercise 3 (docs/exercises.md): make connection_lost catch what
`except ConnectionError:` catches. With no argument, shows what it does now;
--check says PASS or FAIL.
";

const BOUND: Duration = Duration::from_secs(2);

/// Whether `error` means the connection is gone: the twin of Python's
/// `except ConnectionError:`.
pub fn connection_lost(error: &io::Error) -> bool {
    // TODO: this is `except ConnectionResetError:` only. What else is a
    // ConnectionError? (reset_by_peer::except may help.)
    error.kind() == ErrorKind::ConnectionReset
}

/// Real errors from the lab peer: the two sends after a reset.
fn sends_after_a_reset() -> io::Result<Vec<io::Error>> {
    let peer = Peer::start(Script::Reset)?;
    let mut stream = TcpStream::connect_timeout(&peer.addr(), BOUND)?;
    stream.set_write_timeout(Some(BOUND))?;
    stream.write_all(b"x")?;
    // Wait until the peer has reset the connection.
    peer.wait_finished(1, BOUND)?;
    Ok((0..2)
        .filter_map(|_| stream.write_all(b"hello").err())
        .collect())
}

fn demo() -> io::Result<()> {
    for (n, error) in sends_after_a_reset()?.iter().enumerate() {
        let verdict = if connection_lost(error) {
            "caught"
        } else {
            "NOT caught: in Python the script dies here"
        };
        println!(
            "send {} after the reset: {:?}: {verdict}",
            n + 1,
            error.kind()
        );
    }
    Ok(())
}

/// Checks `lost` against real errors and against two that are not
/// connection errors.
pub fn check(lost: fn(&io::Error) -> bool) -> Result<(), String> {
    let mut errors = sends_after_a_reset().map_err(|e| format!("setting up: {e}"))?;
    let refused = refused_addr()
        .and_then(|addr| TcpStream::connect_timeout(&addr, BOUND))
        .err()
        .ok_or("setting up: somebody listens on the refused address")?;
    errors.push(refused);
    for error in &errors {
        if !lost(error) {
            return Err(format!(
                "{:?} is a ConnectionError, but connection_lost says false",
                error.kind()
            ));
        }
    }
    // A read timeout is not a lost connection: the socket is still usable.
    let peer = Peer::start(Script::Stall).map_err(|e| format!("setting up: {e}"))?;
    let mut stream =
        TcpStream::connect_timeout(&peer.addr(), BOUND).map_err(|e| format!("setting up: {e}"))?;
    let _ = stream.set_read_timeout(Some(Duration::from_millis(20)));
    let timeout = stream
        .read(&mut [0u8; 8])
        .err()
        .ok_or("setting up: the stalled peer answered")?;
    for error in [timeout, io::Error::from(ErrorKind::InvalidInput)] {
        if lost(&error) {
            return Err(format!(
                "{:?} is not a ConnectionError, but connection_lost says true",
                error.kind()
            ));
        }
    }
    Ok(())
}

fn main() {
    common::exercise(NAME, USAGE, demo, || check(connection_lost));
}
