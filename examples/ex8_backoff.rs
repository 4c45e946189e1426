//! Exercise 8 (bonus): exponential backoff with a cap.
//!
//! `delays` should give the waits between attempts: the first wait, then
//! twice as long each time, but never more than `cap`. As shipped it waits
//! the same time between every attempt, as `reset_by_peer::retry` does.
//!
//! Show the problem:   cargo run --example ex8_backoff
//! Check your change:  cargo run --example ex8_backoff -- --check
//! The statement: docs/exercises.md, exercise 8.
//! A hint:             cargo run --example exercises -- --hint 8

#[path = "common/mod.rs"]
mod common;

use common::say;

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::panic;
use std::thread;
use std::time::Duration;

use reset_by_peer::peer::{Peer, Script};

const NAME: &str = "ex8_backoff";
const USAGE: &str = "\
usage: cargo run --example ex8_backoff [-- --check]

Exercise 8, a bonus (docs/exercises.md): make delays grow exponentially up to
a cap. With no argument, retries against flaky:4 with those delays; --check
says PASS or FAIL.
";

/// The most attempts `delays` plans for: more is no retry policy, and a
/// plan for `u32::MAX` attempts would need 64 GiB.
pub const MAX_ATTEMPTS: u32 = 100;

/// The waits between `attempts` attempts: `first`, then doubling, at most
/// `cap`. There is no wait after the last attempt, so 0 or 1 attempts need
/// none. More than MAX_ATTEMPTS attempts is refused with `InvalidInput`.
pub fn delays(attempts: u32, first: Duration, cap: Duration) -> io::Result<Vec<Duration>> {
    // TODO: double the wait each time, never exceed `cap`, and refuse more
    // than MAX_ATTEMPTS attempts.
    let _ = cap;
    Ok((1..attempts).map(|_| first).collect())
}

fn demo() -> io::Result<()> {
    let planned = delays(5, Duration::from_millis(10), Duration::from_millis(50))?;
    say!("planned waits for 5 attempts, first 10 ms, cap 50 ms: {planned:?}");
    // Try against a peer that resets its first 4 connections, waiting
    // between attempts as planned.
    let peer = Peer::start(Script::Flaky(4))?;
    let mut waits = planned.iter();
    for attempt in 1..=5 {
        match say_hello(peer.addr()) {
            Ok(answer) => {
                say!("attempt {attempt}: answer {}", common::show(&answer));
                break;
            }
            Err(error) => say!("attempt {attempt}: {:?}", error.kind()),
        }
        let Some(wait) = waits.next() else {
            say!("no attempt left");
            break;
        };
        say!("  waiting {wait:?}");
        thread::sleep(*wait);
    }
    Ok(())
}

/// One attempt: a new connection, `hello`, and the answer until the peer
/// closes.
fn say_hello(addr: SocketAddr) -> io::Result<Vec<u8>> {
    let bound = Duration::from_secs(2);
    let mut stream = TcpStream::connect_timeout(&addr, bound)?;
    stream.set_read_timeout(Some(bound))?;
    stream.write_all(b"hello")?;
    // If the peer has already reset the connection, this fails with
    // NotConnected; the read below reports the reset itself.
    let _ = stream.shutdown(Shutdown::Write);
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    Ok(answer)
}

#[path = "checks/ex8_backoff.rs"]
mod check;
pub use check::check;

fn main() {
    common::exercise(NAME, USAGE, demo, || check(delays));
}
