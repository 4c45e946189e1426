//! The article's code example (connect, send, receive, close) in Rust,
//! run against the lab peer under several scripts, with what Rust returned
//! each time.
//!
//! Run it with `cargo run --example exchange`, or point it at a server of
//! your own with `cargo run --example exchange -- --addr HOST:PORT`.

mod common;

use common::say;

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use reset_by_peer::except::narrate;
use reset_by_peer::exchange::{ExchangeError, Response, exchange};
use reset_by_peer::peer::{Peer, Script, refused_addr};

const NAME: &str = "exchange";
const USAGE: &str = "\
usage: cargo run --example exchange [-- --addr HOST:PORT]

Runs the article's code example (connect, send, receive until the peer
closes, close) and says what Rust returned at each step.

With no arguments it runs against the built-in lab peer under the scripts
echo, close, reset and hello-reset, and against an address where nobody
listens.

  --addr HOST:PORT   talk to this server instead (exit 1 if the exchange fails)
                     (PORT: 1 to 65535)
  -h, --help         show this help
";

/// What the example sends, as the article's client does.
const REQUEST: &[u8] = b"Hello, server!";

/// The deadline for each step of the exchange, as a whole: connecting,
/// sending the whole request, and receiving the whole reply.
const CALL_TIMEOUT: Duration = Duration::from_secs(2);

fn main() {
    let result = match common::Args::only_addr(NAME, USAGE) {
        Some(addr) => against_server(addr),
        None => against_lab_peer(),
    };
    common::finish(NAME, result);
}

fn against_server(addr: SocketAddr) -> io::Result<()> {
    run_one(&addr.to_string(), addr)?;
    Ok(())
}

fn against_lab_peer() -> io::Result<()> {
    say!("The article's code example, against the lab peer on loopback:");
    for script in [
        Script::Echo,
        Script::Close,
        Script::Reset,
        Script::HelloReset,
    ] {
        let peer = Peer::start(script)?;
        // Failures are the lesson here, so they are narrated, not returned.
        let _ = run_one(&script.to_string(), peer.addr());
    }
    let _ = run_one("nobody listening", refused_addr()?);
    say!();
    say!("Zero bytes is the peer's clean close; a reset is an error (on Linux, reported once).");
    Ok(())
}

/// Runs one exchange and prints one line about how it ended.
fn run_one(label: &str, addr: SocketAddr) -> Result<(), ExchangeError> {
    match exchange(addr, REQUEST, CALL_TIMEOUT) {
        Ok(Response::Reply(reply)) => {
            say!(
                "{label:>16}: reply {} ({} bytes)",
                common::show(&reply),
                reply.len()
            );
            Ok(())
        }
        Ok(Response::PeerClosed) => {
            say!("{label:>16}: the peer closed cleanly: read returned Ok(0), which is no error");
            Ok(())
        }
        Err(failure) => {
            say!("{label:>16}: {}", describe(&failure));
            Err(failure)
        }
    }
}

/// One line about a failed exchange: the step, what Rust and Python would
/// report, and what had arrived.
fn describe(failure: &ExchangeError) -> String {
    let arrived = if failure.received.is_empty() {
        "nothing had arrived".to_string()
    } else {
        format!("{} had arrived first", common::show(&failure.received))
    };
    format!(
        "{} failed: {}; {arrived}",
        failure.step,
        narrate(&failure.error)
    )
}
