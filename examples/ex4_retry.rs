//! Exercise 4: retry. The article's loop retries on the socket that was
//! reset; make it reconnect.
//!
//! `ask_with_retries` should try up to `attempts` times to get an answer to
//! `request`. As shipped it connects once and retries on that same socket, so
//! after a reset its next try fails with BrokenPipe.
//!
//! Show the problem:   cargo run --example ex4_retry
//! Check your change:  cargo run --example ex4_retry -- --check
//! The statement and a hint: docs/exercises.md, exercise 4.

#[path = "common/mod.rs"]
mod common;

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

use reset_by_peer::peer::{Peer, Script};

const NAME: &str = "ex4_retry";
const USAGE: &str = "\
usage: cargo run --example ex4_retry [-- --check]

Exercise 4 (docs/exercises.md): make ask_with_retries reconnect for each
attempt. With no argument, shows what it does now; --check says PASS or FAIL.
";

pub const BOUND: Duration = Duration::from_secs(2);

/// Sends `request` on `stream`, says it is complete, and reads the answer
/// until the peer closes. (Nothing to change here.)
pub fn ask(stream: &mut TcpStream, request: &[u8]) -> io::Result<Vec<u8>> {
    stream.write_all(request)?;
    // If the peer has already reset the connection, this fails with
    // NotConnected; the read below reports the reset itself.
    let _ = stream.shutdown(Shutdown::Write);
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    Ok(answer)
}

/// Tries up to `attempts` times to get an answer from `addr`.
pub fn ask_with_retries(addr: SocketAddr, request: &[u8], attempts: u32) -> io::Result<Vec<u8>> {
    // TODO: one connection for every attempt. After a reset, that
    // connection is dead for good.
    let mut stream = TcpStream::connect_timeout(&addr, BOUND)?;
    stream.set_read_timeout(Some(BOUND))?;
    let mut last = io::Error::other("no attempt was made");
    for attempt in 1..=attempts {
        match ask(&mut stream, request) {
            Ok(answer) => return Ok(answer),
            Err(error) if error.kind() == ErrorKind::ConnectionReset => {
                println!("  attempt {attempt}: reset, trying again");
                last = error;
            }
            Err(error) => return Err(error),
        }
    }
    Err(last)
}

fn demo() -> io::Result<()> {
    // The first two connections are reset; the third is answered.
    let peer = Peer::start(Script::Flaky(2))?;
    match ask_with_retries(peer.addr(), b"hello", 3) {
        Ok(answer) => println!("answer: {answer:?}"),
        Err(error) => println!("failed: {:?}: {error}", error.kind()),
    }
    Ok(())
}

/// Checks `ask` against a peer whose first two connections are reset.
pub fn check(ask: fn(SocketAddr, &[u8], u32) -> io::Result<Vec<u8>>) -> Result<(), String> {
    let peer = Peer::start(Script::Flaky(2)).map_err(|e| format!("setting up: {e}"))?;
    match ask(peer.addr(), b"hello", 3) {
        Ok(answer) if answer == b"hello" => {}
        Ok(answer) => {
            return Err(format!(
                "3 attempts against flaky:2: expected b\"hello\", got {answer:?}"
            ));
        }
        Err(error) => {
            return Err(format!(
                "3 attempts against flaky:2 should succeed on the third, but failed with {:?}",
                error.kind()
            ));
        }
    }
    let peer = Peer::start(Script::Flaky(2)).map_err(|e| format!("setting up: {e}"))?;
    match ask(peer.addr(), b"hello", 2) {
        Err(error) if error.kind() == ErrorKind::ConnectionReset => Ok(()),
        Err(error) => Err(format!(
            "2 attempts against flaky:2: expected the last ConnectionReset, got {:?}",
            error.kind()
        )),
        Ok(answer) => Err(format!(
            "2 attempts against flaky:2 cannot succeed, but got {answer:?}"
        )),
    }
}

fn main() {
    common::exercise(NAME, USAGE, demo, || check(ask_with_retries));
}
