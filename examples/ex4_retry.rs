//! Exercise 4: retry. The article's loop retries on the socket that was
//! reset; make it reconnect.
//!
//! `ask_with_retries` should try up to `attempts` times to get an answer,
//! each time on a new connection, and retry only the failures a new
//! connection could fix. As shipped it connects once and retries on that
//! same socket, so after a reset its next try fails with BrokenPipe.
//!
//! Show the problem:   cargo run --example ex4_retry
//! Check your change:  cargo run --example ex4_retry -- --check
//! The statement: docs/exercises.md, exercise 4.
//! A hint:             cargo run --example exercises -- --hint 4

#[path = "common/mod.rs"]
mod common;

use common::say;

use std::cell::Cell;
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

/// Tries up to `attempts` times to get an answer. `connect` opens a new
/// connection to the server; `talk` has the whole conversation on one
/// connection and returns the answer.
pub fn ask_with_retries(
    attempts: u32,
    connect: &mut dyn FnMut() -> io::Result<TcpStream>,
    talk: &mut dyn FnMut(&mut TcpStream) -> io::Result<Vec<u8>>,
) -> io::Result<Vec<u8>> {
    // TODO: one connection for every attempt: after a reset, that
    // connection is dead for good. And a reset is not the only failure a
    // new connection could fix.
    let mut stream = connect()?;
    let mut last = io::Error::other("no attempt was made");
    for _ in 1..=attempts {
        match talk(&mut stream) {
            Ok(answer) => return Ok(answer),
            Err(error) if error.kind() == ErrorKind::ConnectionReset => last = error,
            Err(error) => return Err(error),
        }
    }
    Err(last)
}

/// The bound on every blocking call here.
const BOUND: Duration = Duration::from_secs(2);

/// Connects to `addr`, every call bounded.
fn connect_to(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, BOUND)?;
    stream.set_read_timeout(Some(BOUND))?;
    stream.set_write_timeout(Some(BOUND))?;
    Ok(stream)
}

/// Sends `hello` on `stream`, says it is complete, and reads the answer
/// until the peer closes: the conversation the demonstration and the check
/// have with the lab peer.
fn say_hello(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    stream.write_all(b"hello")?;
    // If the peer has already reset the connection, this fails with
    // NotConnected; the read below reports the reset itself.
    let _ = stream.shutdown(Shutdown::Write);
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    Ok(answer)
}

fn demo() -> io::Result<()> {
    // The first two connections are reset; the third is answered.
    let peer = Peer::start(Script::Flaky(2))?;
    say!("flaky:2 resets its first two connections; 3 attempts:");
    let connects = Cell::new(0);
    let talks = Cell::new(0);
    let result = ask_with_retries(
        3,
        &mut || {
            connects.set(connects.get() + 1);
            say!("  connect {}", connects.get());
            connect_to(peer.addr())
        },
        &mut |stream| {
            talks.set(talks.get() + 1);
            let result = say_hello(stream);
            match &result {
                Ok(answer) => {
                    say!("  attempt {}: answer {}", talks.get(), common::show(answer))
                }
                Err(error) => say!("  attempt {}: {:?}", talks.get(), error.kind()),
            }
            result
        },
    );
    match result {
        Ok(answer) => say!("ask_with_retries: answer {}", common::show(&answer)),
        Err(error) => say!("ask_with_retries failed: {:?}: {error}", error.kind()),
    }
    Ok(())
}

#[path = "checks/ex4_retry.rs"]
mod check;
pub use check::check;

fn main() {
    common::exercise(NAME, USAGE, demo, || check(ask_with_retries));
}
