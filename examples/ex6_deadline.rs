//! Exercise 6: a deadline. Make a `read_exact` against a dripping peer
//! finish on time.
//!
//! `read_exact_within` should fill `buf`, or give up once `budget` has
//! passed. As shipped it sets the budget as the read timeout, which bounds
//! each `read`, not the whole `read_exact`: a peer that sends a byte every
//! 10 ms never lets it fire.
//!
//! Show the problem:   cargo run --example ex6_deadline
//! Check your change:  cargo run --example ex6_deadline -- --check
//! The statement and a hint: docs/exercises.md, exercise 6.

#[path = "common/mod.rs"]
mod common;

use std::io::{self, ErrorKind, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use reset_by_peer::peer::{Millis, Peer, Script};

const NAME: &str = "ex6_deadline";
const USAGE: &str = "\
usage: cargo run --example ex6_deadline [-- --check]

Exercise 6 (docs/exercises.md): make read_exact_within keep to its budget.
With no argument, shows what it does now; --check says PASS or FAIL.
";

/// The time the whole read may take.
pub const BUDGET: Duration = Duration::from_millis(100);

/// How many bytes to read: at one byte every 10 ms, 30 bytes take 300 ms.
pub const WANTED: usize = 30;

/// Fills `buf` from `stream`, or fails once `budget` has passed.
pub fn read_exact_within(
    stream: &mut TcpStream,
    buf: &mut [u8],
    budget: Duration,
) -> io::Result<()> {
    // TODO: this timeout restarts with every read. Keep a deadline instead,
    // and give each read only the time that is left.
    stream.set_read_timeout(Some(budget))?;
    stream.read_exact(buf)
}

/// Reads WANTED bytes from a fresh dripping peer with `read`; returns the
/// result and how long it took.
fn against_drip(
    read: fn(&mut TcpStream, &mut [u8], Duration) -> io::Result<()>,
) -> io::Result<(io::Result<()>, Duration)> {
    let peer = Peer::start(Script::Drip(Millis::new(10)?))?;
    let mut stream = TcpStream::connect_timeout(&peer.addr(), Duration::from_secs(2))?;
    let mut buf = [0u8; WANTED];
    let started = Instant::now();
    let result = read(&mut stream, &mut buf, BUDGET);
    Ok((result, started.elapsed()))
}

fn demo() -> io::Result<()> {
    let (result, took) = against_drip(read_exact_within)?;
    println!(
        "budget {} ms; the read took {} ms and returned {result:?}",
        BUDGET.as_millis(),
        took.as_millis()
    );
    Ok(())
}

/// Checks `read` against a peer too slow for the budget.
pub fn check(
    read: fn(&mut TcpStream, &mut [u8], Duration) -> io::Result<()>,
) -> Result<(), String> {
    let (result, took) = against_drip(read).map_err(|e| format!("setting up: {e}"))?;
    let ms = took.as_millis();
    match result {
        // 30 bytes cannot arrive in 100 ms at one per 10 ms: Ok means the
        // read ran past its budget.
        Ok(()) => Err(format!(
            "the read finished after {ms} ms: the budget was {} ms",
            BUDGET.as_millis()
        )),
        Err(error) if matches!(error.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => {
            if took < BUDGET {
                Err(format!(
                    "gave up after {ms} ms, before the budget was spent"
                ))
            } else {
                Ok(())
            }
        }
        Err(error) => Err(format!(
            "expected a timeout, got {:?}: {error}",
            error.kind()
        )),
    }
}

fn main() {
    common::exercise(NAME, USAGE, demo, || check(read_exact_within));
}
