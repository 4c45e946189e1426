//! The article's Strategy 5, heartbeats: a watch that pings the peer and
//! notices when it stops answering, closes or resets.
//!
//! Run it with `cargo run --example heartbeat`.

mod common;

use common::say;

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use reset_by_peer::heartbeat::{Config, Event, Report, watch};
use reset_by_peer::peer::{Peer, Script};

const NAME: &str = "heartbeat";
const USAGE: &str = "\
usage: cargo run --example heartbeat [-- --addr HOST:PORT]

Pings the lab peer every 100 ms, waits 50 ms for each PONG, and declares it
dead after 3 misses in a row, against three scripts: heartbeat (alive; the
watch is stopped after 5 answers), silent-after:3 (dead by silence) and
reset (dead at once).

  --addr HOST:PORT   watch this server instead (it must answer PING with PONG);
                     the watch stops after 5 answers
                     (PORT: 1 to 65535)
  -h, --help         show this help
";

/// Stop the watch of a live peer after this many answers.
const ANSWERS: u32 = 5;

fn main() {
    let result = match common::Args::only_addr(NAME, USAGE) {
        Some(addr) => narrate_watch("server", addr).map(|_| ()),
        None => lessons(),
    };
    common::finish(NAME, result);
}

fn config() -> io::Result<Config> {
    Config::new(Duration::from_millis(100), Duration::from_millis(50), 3)
}

fn lessons() -> io::Result<()> {
    let config = config()?;
    say!(
        "Ping every 100 ms, wait 50 ms for PONG, dead after 3 misses: a silent peer is noticed within {} ms.",
        config.detection_bound().as_millis()
    );
    for script in [Script::Heartbeat, Script::SilentAfter(3), Script::Reset] {
        say!();
        let peer = Peer::start(script)?;
        narrate_watch(&script.to_string(), peer.addr())?;
    }
    Ok(())
}

/// Watches one peer, printing each ping, answer and miss, then the verdict.
fn narrate_watch(label: &str, addr: SocketAddr) -> io::Result<Report> {
    say!("{label}:");
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    let (stop, stopped) = mpsc::channel();
    let mut answers = 0;
    let mut other_lines = 0;
    let report = watch(&mut stream, &config()?, &stopped, |event| match event {
        Event::Ping { number, at } => say!("  [+{:>3} ms] PING {number}", at.as_millis()),
        Event::Pong { number, at } => {
            say!("  [+{:>3} ms] PONG {number}", at.as_millis());
            // Count the answers rather than wait for the answer to a given
            // ping: on a loaded machine a late PONG is taken for the next
            // ping's, and that ping's number may never come back.
            answers += 1;
            if answers == ANSWERS {
                // Enough: ask the watch to stop, as a program shutting down would.
                let _ = stop.send(());
            }
        }
        Event::Missed {
            number,
            at,
            in_a_row,
            others: 0,
        } => {
            say!(
                "  [+{:>3} ms] no answer to PING {number} (miss {in_a_row} in a row)",
                at.as_millis()
            )
        }
        Event::Missed {
            number,
            at,
            in_a_row,
            others,
        } => {
            other_lines += others;
            say!(
                "  [+{:>3} ms] no PONG for PING {number}, only {others} other line{} (miss {in_a_row} in a row)",
                at.as_millis(),
                if *others == 1 { "" } else { "s" }
            )
        }
    })?;
    let since_answer = match report.last_pong {
        Some(last) => format!(
            ", {} ms after the last answer",
            (report.elapsed - last).as_millis()
        ),
        None => String::new(),
    };
    say!(
        "  verdict after {} ms{since_answer}: {}",
        report.elapsed.as_millis(),
        report.verdict.reason()
    );
    if other_lines > 0 {
        say!(
            "  (it did send {other_lines} lines, but never PONG: to a heartbeat, that is silence)"
        );
    }
    Ok(report)
}
