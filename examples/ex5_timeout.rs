//! Exercise 5: a read timeout that arrives as WouldBlock.
//!
//! `wait_for_reply` should tell apart a reply, the peer's clean close, and a
//! read timeout. As shipped it looks for `ErrorKind::TimedOut` only, as a
//! Python programmer would expect; on Unix a read timeout is `WouldBlock`.
//!
//! Show the problem:   cargo run --example ex5_timeout
//! Check your change:  cargo run --example ex5_timeout -- --check
//! The statement and a hint: docs/exercises.md, exercise 5.

#[path = "common/mod.rs"]
mod common;

use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reset_by_peer::peer::{Peer, Script};

const NAME: &str = "ex5_timeout";
const USAGE: &str = "\
usage: cargo run --example ex5_timeout [-- --check]

Exercise 5 (docs/exercises.md): make wait_for_reply recognise a read timeout.
With no argument, shows what it does now; --check says PASS or FAIL.
";

/// The read timeout the exercise sets.
pub const READ_TIMEOUT: Duration = Duration::from_millis(100);

/// How one wait for a reply ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply {
    /// These bytes arrived.
    Data(Vec<u8>),
    /// The peer closed the connection.
    Closed,
    /// Nothing arrived within the read timeout.
    TimedOut,
}

/// Waits up to the stream's read timeout for a reply.
pub fn wait_for_reply(stream: &mut TcpStream) -> io::Result<Reply> {
    let mut buf = [0u8; 1024];
    match stream.read(&mut buf) {
        Ok(0) => Ok(Reply::Closed),
        Ok(n) => Ok(Reply::Data(buf[..n].to_vec())),
        // TODO: which kinds does an expired read timeout come as?
        Err(error) if error.kind() == ErrorKind::TimedOut => Ok(Reply::TimedOut),
        Err(error) => Err(error),
    }
}

/// Connects to a fresh lab peer running `script`, sends "hello", and waits.
fn against(script: Script, wait: fn(&mut TcpStream) -> io::Result<Reply>) -> io::Result<Reply> {
    let peer = Peer::start(script)?;
    let mut stream = TcpStream::connect_timeout(&peer.addr(), Duration::from_secs(2))?;
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    stream.write_all(b"hello")?;
    wait(&mut stream)
}

fn demo() -> io::Result<()> {
    for script in [Script::Echo, Script::Close, Script::Stall] {
        match against(script, wait_for_reply) {
            Ok(reply) => println!("{script}: {reply:?}"),
            Err(error) => println!("{script}: an error escaped: {:?}: {error}", error.kind()),
        }
    }
    Ok(())
}

/// Checks `wait` against a peer that answers, one that closes, one that
/// never answers.
pub fn check(wait: fn(&mut TcpStream) -> io::Result<Reply>) -> Result<(), String> {
    let cases = [
        (Script::Echo, Reply::Data(b"hello".to_vec())),
        (Script::Close, Reply::Closed),
        (Script::Stall, Reply::TimedOut),
    ];
    for (script, expected) in cases {
        match against(script, wait) {
            Ok(reply) if reply == expected => {}
            Ok(reply) => return Err(format!("{script}: expected {expected:?}, got {reply:?}")),
            Err(error) => {
                return Err(format!(
                    "{script}: expected {expected:?}, but the error {:?} escaped",
                    error.kind()
                ));
            }
        }
    }
    Ok(())
}

fn main() {
    common::exercise(NAME, USAGE, demo, || check(wait_for_reply));
}
