//! A cause the article misses: a kept-open connection that went stale while
//! it sat idle. The naive reuse fails; the check before reuse and the retry
//! rule recover.
//!
//! Run it with `cargo run --example reuse`.

mod common;

use common::say;

use std::net::SocketAddr;
use std::time::Duration;

use reset_by_peer::except::narrate;
use reset_by_peer::exchange::Step;
use reset_by_peer::peer::{DEFAULT_IDLE, Peer, Script};
use reset_by_peer::reuse::{Client, RequestError, may_retry};
use reset_by_peer::timeout::{Deadline, again_if_interrupted};

const NAME: &str = "reuse";
const USAGE: &str = "\
usage: cargo run --example reuse [-- --addr HOST:PORT [--idle-ms MS]]

Keeps one connection open for two requests with an idle time between them,
as a connection pool does, against the lab peer's idle-close (a server's
keep-alive timeout: FIN) and idle-reset (a load balancer that forgot the
flow: RST). It shows the naive reuse failing, then the check before reuse
and the retry-once rule recovering.

  --addr HOST:PORT   use this server instead: it must answer each line it
                     receives with one line (exit 1 if a request fails)
                     (PORT: 1 to 65535)
  --idle-ms MS       with --addr, how long the connection sits idle between
                     the two requests, 0 to 3600000 (default 1000)
  -h, --help         show this help
";

/// How long each step of a request (connect, send, receive) may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a lab peer's idle connection sits before it is reused: longer
/// than the peer's idle time, so the connection is stale by then.
const SIT: Duration = Duration::from_millis(300);

/// The longest `--idle-ms` this example accepts: an hour.
const MAX_IDLE_MS: u64 = 3_600_000;

fn main() {
    let mut args = common::Args::from_env(NAME, USAGE);
    let mut addr = None;
    let mut idle = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => addr = Some(args.addr("--addr", 1)),
            "--idle-ms" => {
                let ms = args.number("--idle-ms", 0..=MAX_IDLE_MS);
                idle = Some(Duration::from_millis(ms));
            }
            _ => args.unknown(&arg),
        }
    }
    let result = match (addr, idle) {
        (Some(addr), idle) => against(addr, idle.unwrap_or(Duration::from_secs(1))),
        (None, Some(_)) => args.fail("--idle-ms needs --addr"),
        (None, None) => lesson(),
    };
    common::finish(NAME, result);
}

fn lesson() -> Result<(), RequestError> {
    let idle = DEFAULT_IDLE.as_millis();
    say!("A server that closes a connection idle for {idle} ms (idle-close: FIN):");
    let peer = Peer::start(Script::IdleClose(DEFAULT_IDLE)).map_err(setup)?;
    two_requests(&peer, false)?;
    say!();
    say!("A load balancer that forgets a flow idle for {idle} ms (idle-reset: RST):");
    let peer = Peer::start(Script::IdleReset(DEFAULT_IDLE)).map_err(setup)?;
    two_requests(&peer, true)?;
    say!();
    say!("The send succeeds either way; the failure shows on the receive. A check");
    say!("before reuse sees a FIN, never a forgotten flow; so retry once, on a new");
    say!("connection, when a reused one fails before any answer, if the request is");
    say!("safe to repeat.");
    say!("How much each fix helps, measured: cargo run --example keepalive");
    Ok(())
}

/// An error starting the lab peer, reported like a failed connect.
fn setup(error: std::io::Error) -> RequestError {
    RequestError {
        reused: false,
        step: Step::Connect,
        sent: 0,
        received: Vec::new(),
        error,
    }
}

/// The naive reuse, then the fixed one, against one lab peer.
fn two_requests(peer: &Peer, forgets: bool) -> Result<(), RequestError> {
    // Naive: reuse the kept connection with no check and no retry.
    let mut naive = Client::new(peer.addr(), STEP_TIMEOUT);
    say!(
        "  request 1: answered {}",
        common::show(&naive.naive_request(b"GET /a")?)
    );
    sit_idle(&naive, forgets);
    match naive.naive_request(b"GET /b") {
        Ok(answer) => say!(
            "  naive reuse, request 2: answered {}",
            common::show(&answer)
        ),
        Err(failed) => say!("  naive reuse, request 2: {}", describe(&failed)),
    }

    // Fixed: check the connection before reusing it, and retry by the rule.
    let mut fixed = Client::new(peer.addr(), STEP_TIMEOUT);
    fixed.naive_request(b"GET /a")?;
    sit_idle(&fixed, forgets);
    let stale = fixed.drop_if_stale().map_err(setup)?;
    if stale {
        say!("  with the check: a non-blocking peek found the FIN; a new connection is opened");
    } else if forgets {
        say!("  with the check: the peek found nothing; a forgotten flow cannot be seen");
    }
    let answer = match fixed.naive_request(b"GET /b") {
        Ok(answer) => answer,
        Err(failed) if may_retry(&failed, true) => {
            say!(
                "  request 2 failed on the reused connection before any answer ({});",
                narrate(&failed.error)
            );
            say!("  GET is safe to repeat, so it is sent once more on a new connection:");
            fixed.naive_request(b"GET /b")?
        }
        Err(failed) => return Err(failed),
    };
    say!("  request 2: answered {}", common::show(&answer));
    if forgets {
        // A request that is not safe to repeat is reported, not repeated.
        let mut careful = Client::new(peer.addr(), STEP_TIMEOUT);
        careful.naive_request(b"GET /a")?;
        sit_idle(&careful, forgets);
        match careful.request(b"POST /charge", false) {
            Ok(answer) => say!("  POST: answered {}", common::show(&answer)),
            Err(failed) => say!(
                "  POST /charge, not safe to repeat, fails the same way and is not retried: {}",
                narrate(&failed.error)
            ),
        }
    }
    Ok(())
}

/// Lets the kept connection sit idle past the peer's idle time. Against
/// `idle-close`, also waits until the peer's FIN has reached the kept
/// connection (a blocking peek returns 0 bytes then), so that the next step
/// meets it.
fn sit_idle(client: &Client, forgets: bool) {
    std::thread::sleep(SIT);
    if let (false, Some(stream)) = (forgets, client.kept()) {
        // If the FIN is slow to come, the next step shows that instead. A
        // stop and continue (Ctrl-Z, then fg) cuts a peek under a timeout
        // short on Linux: peek again with what is left of the wait.
        let _ = again_if_interrupted(Deadline::after(STEP_TIMEOUT), |wait| {
            stream.set_read_timeout(Some(wait))?;
            stream.peek(&mut [0u8; 1])
        });
    }
    say!("  ... idle for {} ms ...", SIT.as_millis());
}

/// Two requests on one connection to a server of the user's own.
fn against(addr: SocketAddr, idle: Duration) -> Result<(), RequestError> {
    let mut client = Client::new(addr, STEP_TIMEOUT);
    say!(
        "request 1: answered {}",
        common::show(&client.naive_request(b"ping")?)
    );
    std::thread::sleep(idle);
    say!("... idle for {} ms ...", idle.as_millis());
    match client.drop_if_stale() {
        Ok(true) => say!("the check before reuse found the connection closed"),
        Ok(false) => say!("the check before reuse saw nothing wrong"),
        Err(error) => say!("the check before reuse failed: {}", narrate(&error)),
    }
    let answer = match client.naive_request(b"ping") {
        Ok(answer) => answer,
        Err(failed) if may_retry(&failed, true) => {
            say!("request 2: {}", describe(&failed));
            say!("retrying once on a new connection (the request is safe to repeat)");
            client.naive_request(b"ping")?
        }
        Err(failed) => return Err(failed),
    };
    say!("request 2: answered {}", common::show(&answer));
    Ok(())
}

/// The failure of a request, in a line: where it failed and how.
fn describe(failed: &RequestError) -> String {
    let connection = if failed.reused { "reused" } else { "new" };
    let sent = match failed.step {
        Step::Receive => "the send succeeded; ",
        Step::Connect | Step::Send => "",
    };
    // The end of the stream is no error to the socket: Python's recv
    // returns b'' and Rust's read Ok(0). It only fails the request.
    if failed.error.kind() == std::io::ErrorKind::UnexpectedEof {
        return format!(
            "{sent}the {} on the {connection} connection got the end of the stream \
             (read returned Ok(0); Python's recv returns b'')",
            failed.step
        );
    }
    format!(
        "{sent}the {} on the {connection} connection failed: {}",
        failed.step,
        narrate(&failed.error)
    )
}
