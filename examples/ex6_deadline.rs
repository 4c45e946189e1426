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
//! The statement: docs/exercises.md, exercise 6.
//! A hint:             cargo run --example exercises -- --hint 6

#[path = "common/mod.rs"]
mod common;

use common::say;

use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use reset_by_peer::peer::{DRIP_BYTE, Peer, Script, ScriptTime};

const NAME: &str = "ex6_deadline";
const USAGE: &str = "\
usage: cargo run --example ex6_deadline [-- --check]

Exercise 6 (docs/exercises.md): make read_exact_within keep to its budget.
With no argument, shows what it does now; --check says PASS or FAIL.
";

/// The time the whole read may take.
pub const BUDGET: Duration = Duration::from_millis(100);

/// How many bytes to read: at one byte every 10 ms, 30 bytes take at least
/// 300 ms.
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

/// The type of `read_exact_within`.
pub type ReadWithin = fn(&mut TcpStream, &mut [u8], Duration) -> io::Result<()>;

/// The bound on every blocking call of the set-up.
const BOUND: Duration = Duration::from_secs(2);

/// How much longer than its budget a read may take before the check calls
/// it late: room for a loaded machine, well under one more read timeout.
const GRACE: Duration = Duration::from_millis(80);

/// How much sooner than its budget a read may give up: a kernel tick
/// (4 ms at HZ=250) and a little more.
const EARLY: Duration = Duration::from_millis(5);

/// How long the demonstration waits for `read_exact_within` to return.
const SAFETY_NET: Duration = Duration::from_secs(2);

/// The interval of the dripping peers.
const DRIP: Duration = Duration::from_millis(10);

/// A server for one case of the check.
#[derive(Clone, Copy)]
enum Server {
    /// The lab peer, running this script.
    Lab(Script),
    /// Sends DRIP_BYTE every DRIP this many times, then goes silent
    /// without closing.
    DripThenSilence(usize),
}

/// Drips `count` bytes, then holds the connection open until the client
/// closes it.
fn drip_then_silence(mut stream: TcpStream, count: usize) {
    let _ = stream.set_nodelay(true);
    for _ in 0..count {
        if stream.write_all(&[DRIP_BYTE]).is_err() {
            return;
        }
        thread::sleep(DRIP);
    }
    let _ = stream.set_read_timeout(Some(BOUND));
    let _ = stream.read_to_end(&mut Vec::new());
}

/// What one read did: its result, the bytes in the buffer, how long it
/// took, and whether the socket still waits (is in blocking mode) after it.
type Ran = (io::Result<()>, Vec<u8>, Duration, bool);

/// How long the check's own read waits, after `read_exact_within`, to see
/// whether the socket still blocks.
const PROBE: Duration = Duration::from_millis(20);

/// Whether `stream` still waits for data, as a blocking socket does: a peek
/// with a short read timeout either waits for it, or finds data (and then
/// nothing can be told: assume it does).
fn still_blocks(stream: &TcpStream) -> bool {
    if stream.set_read_timeout(Some(PROBE)).is_err() {
        return true;
    }
    let started = std::time::Instant::now();
    match stream.peek(&mut [0u8; 1]) {
        Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
            started.elapsed() >= PROBE / 2
        }
        _ => true,
    }
}

/// Connects to a fresh `server`, sends `hello`, and reads `wanted` bytes
/// with `read` on another thread. Returns the result, the bytes, and how
/// long the read took, or None if it had not returned after `limit`.
fn against(
    server: Server,
    read: ReadWithin,
    wanted: usize,
    budget: Duration,
    limit: Duration,
) -> io::Result<Option<Ran>> {
    // The lab peer stops when `_peer` is dropped, after the read (or after
    // the limit, which ends a read that is still waiting).
    let (_peer, addr) = match server {
        Server::Lab(script) => {
            let peer = Peer::start(script)?;
            let addr = peer.addr();
            (Some(peer), addr)
        }
        Server::DripThenSilence(count) => (
            None,
            common::serve_once(move |stream| drip_then_silence(stream, count))?,
        ),
    };
    let mut stream = TcpStream::connect_timeout(&addr, BOUND)?;
    stream.set_write_timeout(Some(BOUND))?;
    stream.write_all(b"hello")?;
    let ran = common::within(limit, move || {
        let mut buf = vec![0u8; wanted];
        let result = read(&mut stream, &mut buf, budget);
        let blocks = still_blocks(&stream);
        (result, buf, blocks)
    });
    Ok(ran.map(|((result, buf, blocks), took)| (result, buf, took, blocks)))
}

/// The lab peer's `drip` at DRIP.
fn drip() -> io::Result<Script> {
    let ms = u64::try_from(DRIP.as_millis()).unwrap_or(u64::MAX);
    Ok(Script::Drip(ScriptTime::new(ms)?))
}

fn demo() -> io::Result<()> {
    let server = Server::Lab(drip()?);
    let Some((result, _, took, _)) =
        against(server, read_exact_within, WANTED, BUDGET, SAFETY_NET)?
    else {
        say!(
            "the read had not returned after {} ms, against a budget of {} ms",
            SAFETY_NET.as_millis(),
            BUDGET.as_millis()
        );
        return Ok(());
    };
    say!(
        "drip (a byte every {} ms), {WANTED} bytes wanted: budget {} ms; the read took {} ms and returned {result:?}",
        DRIP.as_millis(),
        BUDGET.as_millis(),
        took.as_millis()
    );
    Ok(())
}

#[path = "checks/ex6_deadline.rs"]
mod check;
pub use check::check;

fn main() {
    common::exercise(NAME, USAGE, demo, || check(read_exact_within));
}
