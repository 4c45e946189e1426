//! Exercise 1: tell the end of the stream from a reset.
//!
//! `receive_all` should read until the peer closes the connection and return
//! every byte; a reset must come back as an error. As shipped it treats a
//! read of 0 bytes as data, so after the peer closes it spins on `Ok(0)`
//! until its read budget runs out.
//!
//! Show the problem:   cargo run --example ex1_eof
//! Check your change:  cargo run --example ex1_eof -- --check
//! The statement and a hint: docs/exercises.md, exercise 1.

#[path = "common/mod.rs"]
mod common;

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use reset_by_peer::peer::{Peer, Script};

const NAME: &str = "ex1_eof";
const USAGE: &str = "\
usage: cargo run --example ex1_eof [-- --check]

Exercise 1 (docs/exercises.md): make receive_all stop at the end of the
stream. With no argument, shows what it does now; --check says PASS or FAIL.
";

/// More reads than any reply here needs: the budget that keeps the broken
/// loop from spinning for ever.
pub const MAX_READS: usize = 100_000;

/// Reads from `stream` until the peer closes, and returns what arrived.
pub fn receive_all(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut received = Vec::new();
    let mut chunk = [0u8; 1024];
    for _ in 0..MAX_READS {
        let n = stream.read(&mut chunk)?;
        // TODO: a read of 0 bytes is not data. What does it mean, and what
        // should happen then?
        received.extend_from_slice(&chunk[..n]);
    }
    Err(io::Error::other(format!("gave up after {MAX_READS} reads")))
}

/// Connects to a fresh lab peer running `script`, sends `request`, closes
/// the sending side, and gives the stream to `receive`.
fn against(
    script: Script,
    request: &[u8],
    receive: fn(&mut TcpStream) -> io::Result<Vec<u8>>,
) -> io::Result<Vec<u8>> {
    let peer = Peer::start(script)?;
    let mut stream = TcpStream::connect_timeout(&peer.addr(), Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    stream.write_all(request)?;
    // If the peer has already reset the connection, this fails with
    // NotConnected; `receive` then meets the reset itself.
    let _ = stream.shutdown(Shutdown::Write);
    receive(&mut stream)
}

fn demo() -> io::Result<()> {
    for script in [Script::Echo, Script::Close, Script::Reset] {
        match against(script, b"hello", receive_all) {
            Ok(bytes) => println!("{script}: received {:?}", String::from_utf8_lossy(&bytes)),
            Err(error) => println!("{script}: {:?}: {error}", error.kind()),
        }
    }
    Ok(())
}

/// Checks `receive` against an echoing peer, a peer that closes, and a peer
/// that resets.
pub fn check(receive: fn(&mut TcpStream) -> io::Result<Vec<u8>>) -> Result<(), String> {
    match against(Script::Echo, b"hello", receive) {
        Ok(bytes) if bytes == b"hello" => {}
        Ok(bytes) => return Err(format!("echo: expected b\"hello\", got {bytes:?}")),
        Err(error) => return Err(format!("echo: expected b\"hello\", got the error {error}")),
    }
    match against(Script::Close, b"hello", receive) {
        Ok(bytes) if bytes.is_empty() => {}
        Ok(bytes) => return Err(format!("close: expected no bytes, got {bytes:?}")),
        Err(error) => {
            return Err(format!(
                "close: a clean close is not an error, but got {error}"
            ));
        }
    }
    match against(Script::Reset, b"hello", receive) {
        Err(error) if error.kind() == ErrorKind::ConnectionReset => Ok(()),
        Err(error) => Err(format!(
            "reset: expected ConnectionReset, got {:?}",
            error.kind()
        )),
        Ok(bytes) => Err(format!("reset: a reset is an error, but got Ok({bytes:?})")),
    }
}

fn main() {
    common::exercise(NAME, USAGE, demo, || check(receive_all));
}
