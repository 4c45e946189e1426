//! Exercise 7: a heartbeat. Notice a peer that has gone silent.
//!
//! `ping` should send a `PING` line and say whether a `PONG` line came back
//! within `timeout`. As shipped it waits for the answer without any timeout
//! of its own, so a peer that stops answering without closing keeps it
//! waiting: nothing arrives, neither data nor FIN nor RST. (The check adds a
//! safety net so that it ends.)
//!
//! Show the problem:   cargo run --example ex7_heartbeat
//! Check your change:  cargo run --example ex7_heartbeat -- --check
//! The statement: docs/exercises.md, exercise 7.
//! A hint:             cargo run --example exercises -- --hint 7

#[path = "common/mod.rs"]
mod common;

use common::say;

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reset_by_peer::peer::{Peer, Script};

const NAME: &str = "ex7_heartbeat";
const USAGE: &str = "\
usage: cargo run --example ex7_heartbeat [-- --check]

Exercise 7 (docs/exercises.md): make ping notice a silent peer within its
timeout. With no argument, shows what it does now; --check says PASS or FAIL.
";

/// How long `ping` may wait for its `PONG`.
pub const TIMEOUT: Duration = Duration::from_millis(100);

/// How much longer than TIMEOUT a `ping` may take before the check calls it
/// late: room for a loaded machine, less than one more timeout.
const GRACE: Duration = Duration::from_millis(80);

/// How much sooner than TIMEOUT a `ping` may give up on a silent peer: a
/// kernel tick (4 ms at HZ=250) and a little more.
const EARLY: Duration = Duration::from_millis(5);

/// How long the exercise lets a `ping` run before it gives up on it.
const SAFETY_NET: Duration = Duration::from_millis(400);

/// Sends a `PING` line; true if a `PONG` line comes back within `timeout`.
pub fn ping(stream: &mut TcpStream, timeout: Duration) -> bool {
    // TODO: `timeout` is never used, so this waits as long as the peer
    // stays silent. Bound the wait; no answer in time means not alive.
    let _ = timeout;
    if stream.write_all(b"PING\n").is_err() {
        return false;
    }
    let mut answer = [0u8; 5];
    match stream.read_exact(&mut answer) {
        Ok(()) => &answer == b"PONG\n",
        Err(_) => false,
    }
}

/// The type of `ping`.
pub type Ping = fn(&mut TcpStream, Duration) -> bool;

/// A peer of one case of the check.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    /// The lab peer, running this script.
    Lab(Script),
    /// Answers each PING with PONG, one byte every SLOW_BYTE: the whole
    /// answer takes longer than TIMEOUT, though no byte keeps it waiting
    /// that long.
    SlowPong,
}

/// How far apart the `slow-pong` peer sends the bytes of its answer.
const SLOW_BYTE: Duration = Duration::from_millis(60);

/// Answers one PING line with PONG, byte by byte (the `slow-pong` peer).
fn slow_pong(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(SAFETY_NET));
    let _ = stream.set_nodelay(true);
    let mut ping = [0u8; 5];
    if stream.read_exact(&mut ping).is_err() {
        return;
    }
    for byte in b"PONG\n" {
        std::thread::sleep(SLOW_BYTE);
        if stream.write_all(&[*byte]).is_err() {
            return;
        }
    }
    // Hold the connection open until the client closes it.
    let _ = stream.read(&mut [0u8; 1]);
}

/// Pings a fresh peer on another thread; returns the answer and how long
/// the ping took, or None if it had not returned after `limit`.
fn against(target: Target, ping: Ping, limit: Duration) -> io::Result<Option<(bool, Duration)>> {
    // The lab peer stays up until `against` returns, so a silent peer stays
    // silent for the whole wait.
    let (_peer, addr) = match target {
        Target::Lab(script) => {
            let peer = Peer::start(script)?;
            let addr = peer.addr();
            (Some(peer), addr)
        }
        Target::SlowPong => (None, common::serve_once(slow_pong)?),
    };
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    // The safety net: no read in this exercise waits longer than this.
    stream.set_read_timeout(Some(SAFETY_NET))?;
    Ok(common::within(limit, move || ping(&mut stream, TIMEOUT)))
}

fn demo() -> io::Result<()> {
    for script in [Script::Heartbeat, Script::SilentAfter(0), Script::Reset] {
        match against(Target::Lab(script), ping, SAFETY_NET + GRACE)? {
            Some((alive, took)) if took > TIMEOUT + GRACE => say!(
                "{script}: alive = {alive}, after {} ms: the exercise's {} ms safety net ended the wait, not ping's {} ms timeout",
                took.as_millis(),
                SAFETY_NET.as_millis(),
                TIMEOUT.as_millis()
            ),
            Some((alive, took)) => {
                say!("{script}: alive = {alive}, after {} ms", took.as_millis())
            }
            None => say!(
                "{script}: still waiting after {} ms",
                (SAFETY_NET + GRACE).as_millis()
            ),
        }
    }
    Ok(())
}

#[path = "checks/ex7_heartbeat.rs"]
mod check;
pub use check::check;

fn main() {
    common::exercise(NAME, USAGE, demo, || check(ping));
}
