//! Exercise 7: a heartbeat. Notice a peer that has gone silent.
//!
//! `ping` should send a `PING` line and say whether a `PONG` line came back
//! within `timeout`. As shipped it waits for the answer without any timeout
//! of its own, so a silent peer keeps it waiting: a partition sends neither
//! FIN nor RST. (The check adds a 3-second safety net so that it ends.)
//!
//! Show the problem:   cargo run --example ex7_heartbeat
//! Check your change:  cargo run --example ex7_heartbeat -- --check
//! The statement and a hint: docs/exercises.md, exercise 7.

#[path = "common/mod.rs"]
mod common;

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

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
/// late: far more than a correct `ping` needs.
const GRACE: Duration = Duration::from_millis(600);

/// How long the exercise lets a `ping` run before it gives up on it.
const SAFETY_NET: Duration = Duration::from_secs(3);

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

/// Pings a fresh lab peer running `script` on another thread; returns the
/// answer and how long it took, or None if the safety net ran out first.
fn against(
    script: Script,
    ping: fn(&mut TcpStream, Duration) -> bool,
) -> io::Result<Option<(bool, Duration)>> {
    let peer = Peer::start(script)?;
    let mut stream = TcpStream::connect_timeout(&peer.addr(), Duration::from_secs(2))?;
    // The safety net: no read in this exercise waits longer than this.
    stream.set_read_timeout(Some(SAFETY_NET))?;
    let (done, result) = mpsc::channel();
    let started = Instant::now();
    thread::spawn(move || {
        let alive = ping(&mut stream, TIMEOUT);
        let _ = done.send((alive, started.elapsed()));
    });
    // Allow a generous GRACE beyond the timeout before calling it late.
    Ok(result.recv_timeout(TIMEOUT + GRACE).ok())
}

fn demo() -> io::Result<()> {
    for script in [Script::Heartbeat, Script::SilentAfter(0), Script::Reset] {
        match against(script, ping)? {
            Some((alive, took)) => {
                println!("{script}: alive = {alive}, after {} ms", took.as_millis())
            }
            None => println!(
                "{script}: still waiting after {} ms",
                (TIMEOUT + Duration::from_secs(1)).as_millis()
            ),
        }
    }
    Ok(())
}

/// Checks `ping` against a live peer, a silent one, and one that resets.
pub fn check(ping: fn(&mut TcpStream, Duration) -> bool) -> Result<(), String> {
    let cases = [
        (Script::Heartbeat, true),
        (Script::SilentAfter(0), false),
        (Script::Reset, false),
    ];
    for (script, expected) in cases {
        match against(script, ping).map_err(|e| format!("setting up: {e}"))? {
            Some((alive, _)) if alive == expected => {}
            Some((alive, _)) => {
                return Err(format!(
                    "{script}: expected alive = {expected}, got {alive}"
                ));
            }
            None => {
                return Err(format!(
                    "{script}: ping had not returned {} ms after its {} ms timeout",
                    GRACE.as_millis(),
                    TIMEOUT.as_millis()
                ));
            }
        }
    }
    Ok(())
}

fn main() {
    common::exercise(NAME, USAGE, demo, || check(ping));
}
