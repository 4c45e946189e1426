//! Exercise 5: a read timeout that arrives as WouldBlock.
//!
//! `wait_for_reply` should tell apart a reply, the peer's clean close, a
//! read timeout, and an error. As shipped it looks for `ErrorKind::TimedOut`
//! only, as a Python programmer would expect; on Unix an expired read
//! timeout is `WouldBlock`.
//!
//! Show the problem:   cargo run --example ex5_timeout
//! Check your change:  cargo run --example ex5_timeout -- --check
//! The statement: docs/exercises.md, exercise 5.
//! A hint:             cargo run --example exercises -- --hint 5

#[path = "common/mod.rs"]
mod common;

use common::say;

use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reset_by_peer::peer::{Peer, Script, wait_closed};

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
pub fn wait_for_reply(stream: &mut dyn Read) -> io::Result<Reply> {
    let mut buf = [0u8; 1024];
    match stream.read(&mut buf) {
        Ok(0) => Ok(Reply::Closed),
        Ok(n) => Ok(Reply::Data(buf[..n].to_vec())),
        // TODO: which kinds does an expired read timeout come as?
        Err(error) if error.kind() == ErrorKind::TimedOut => Ok(Reply::TimedOut),
        Err(error) => Err(error),
    }
}

/// The type of `wait_for_reply`.
pub type Wait = fn(&mut dyn Read) -> io::Result<Reply>;

/// How much longer than READ_TIMEOUT a wait may take before the check calls
/// it late: room for a loaded machine, but less than a second timeout.
const GRACE: Duration = Duration::from_millis(90);

/// How long setting a case up may take: connecting, and the peer's answer.
const SETUP: Duration = Duration::from_secs(2);

/// How long the demonstration waits for `wait_for_reply` to return.
const SAFETY_NET: Duration = Duration::from_millis(400);

/// Connects to a fresh lab peer running `script`, sends "hello", and waits
/// on another thread; returns the reply and how long the wait took, or None
/// if it had not returned after `limit`.
fn against(
    script: Script,
    wait: Wait,
    limit: Duration,
) -> io::Result<Option<(io::Result<Reply>, Duration)>> {
    let peer = Peer::start(script)?;
    let mut stream = TcpStream::connect_timeout(&peer.addr(), SETUP)?;
    stream.write_all(b"hello")?;
    // Wait, unhurried, until the peer's answer is here: on a loaded machine
    // its thread may answer after READ_TIMEOUT, and a correct function would
    // then see a timeout it did not cause. `peek` sees bytes and a FIN
    // without taking them, but it would take an RST's error, so a reset is
    // awaited with `wait_closed`; `stall` never answers.
    match script {
        Script::Stall => {}
        Script::Reset => wait_closed(&stream, SETUP)?,
        _ => {
            stream.set_read_timeout(Some(SETUP))?;
            stream.peek(&mut [0u8; 1])?;
        }
    }
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    // The peer stays up until `against` returns.
    Ok(common::within(limit, move || wait(&mut stream)))
}

/// A reader that fails every read with an error of `kind`, as a socket whose
/// read timeout expired does on the platform that reports that kind.
struct Failing(ErrorKind);

impl Read for Failing {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        Err(self.0.into())
    }
}

fn demo() -> io::Result<()> {
    for script in [Script::Echo, Script::Close, Script::Stall] {
        match against(script, wait_for_reply, SAFETY_NET)? {
            Some((Ok(reply), _)) => say!("{script}: {reply:?}"),
            Some((Err(error), _)) => {
                say!("{script}: an error escaped: {:?}: {error}", error.kind())
            }
            None => say!(
                "{script}: still waiting after {} ms",
                SAFETY_NET.as_millis()
            ),
        }
    }
    Ok(())
}

#[path = "checks/ex5_timeout.rs"]
mod check;
pub use check::check;

fn main() {
    common::exercise(NAME, USAGE, demo, || check(wait_for_reply));
}
