//! The article's Strategy 2: a retry loop that reconnects, and the article's
//! own loop, which reuses a dead socket and dies of BrokenPipe (on Unix; on
//! Windows that write fails with ConnectionAborted or ConnectionReset).
//!
//! Run it with `cargo run --example retry`.

mod common;

use common::say;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use reset_by_peer::except::{PyError, narrate};
use reset_by_peer::exchange::{Response, exchange};
use reset_by_peer::peer::{Peer, Script};
use reset_by_peer::retry::{
    ArticleEnd, FailedAttempt, Policy, Stopped, Success, article_loop, retry,
};
use reset_by_peer::timeout::{Deadline, again_if_interrupted};

const NAME: &str = "retry";
const USAGE: &str = "\
usage: cargo run --example retry [-- OPTIONS]

Shows a retry loop that opens a new connection for each attempt, against a
lab peer whose first two connections are reset (flaky:2); then the article's
loop, which retries sendall on the same socket and dies of BrokenPipe
(on Unix; on Windows, of ConnectionAborted or ConnectionReset).

  --attempts N       how many tries in all: 1 to 100 (default 3)
  --delay-ms N       milliseconds to wait between tries: 0 to 60000 (default 200)
  --naive            run only the article's loop
  --addr HOST:PORT   retry against this server instead (exit 1 if it gives up)
                     (PORT: 1 to 65535)
  -h, --help         show this help
";

const REQUEST: &[u8] = b"Hello, server!";

/// The deadline for each step of one attempt's exchange (connect, send,
/// receive); the article's loop uses it as a timeout on each call.
const CALL_TIMEOUT: Duration = Duration::from_secs(2);

/// The bound on waiting for the lab peer to reset a connection.
const PEER_WAIT: Duration = Duration::from_secs(5);

struct Settings {
    attempts: u32,
    delay: Duration,
    naive: bool,
    addr: Option<SocketAddr>,
}

fn main() {
    let mut args = common::Args::from_env(NAME, USAGE);
    let mut settings = Settings {
        attempts: 3,
        delay: Duration::from_millis(200),
        naive: false,
        addr: None,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            // The same bounds as retry::Policy's: a finite history and a
            // finite wait.
            "--attempts" => settings.attempts = args.number("--attempts", 1..=100) as u32,
            "--delay-ms" => {
                settings.delay = Duration::from_millis(args.number("--delay-ms", 0..=60_000))
            }
            "--naive" => settings.naive = true,
            "--addr" => settings.addr = Some(args.addr("--addr", 1)),
            _ => args.unknown(&arg),
        }
    }
    let result = run(&settings);
    common::finish(NAME, result);
}

fn run(settings: &Settings) -> io::Result<()> {
    let policy = Policy::new(settings.attempts, settings.delay)?;
    match (settings.addr, settings.naive) {
        (Some(addr), true) => naive_against(addr, settings, None),
        (Some(addr), false) => match reconnecting(addr, &policy) {
            Ok(()) => Ok(()),
            // With a real server, giving up is the program's failure.
            Err(gave_up) => Err(io::Error::new(
                gave_up.last.error.kind(),
                gave_up.to_string(),
            )),
        },
        (None, true) => naive_lesson(settings),
        (None, false) => {
            let peer = Peer::start(Script::Flaky(2))?;
            say!(
                "A retry that reconnects, {policy}, against a peer that resets its first 2 connections:"
            );
            // Giving up is part of the lesson here (try --attempts 2), not a failure.
            let _ = reconnecting(peer.addr(), &policy);
            say!();
            naive_lesson(settings)
        }
    }
}

/// Retries the article's exchange, each attempt on a new connection, and
/// prints the timeline.
fn reconnecting(addr: SocketAddr, policy: &Policy) -> Result<(), Stopped<io::Error>> {
    let result = retry(policy, |_attempt| {
        Ok(exchange(addr, REQUEST, CALL_TIMEOUT)?)
    });
    match result {
        Ok(done) => {
            let then = format!("retrying in {} ms", policy.delay().as_millis());
            for attempt in &done.failed {
                print_failure(attempt, policy, &then);
            }
            say!("{}: answered", prefix(done.number, done.started, policy));
            let Success { value, .. } = done;
            match value {
                Response::Reply(reply) => say!("Succeeded: reply {}.", common::show(&reply)),
                Response::PeerClosed => {
                    say!("Succeeded: the peer closed cleanly without a reply.")
                }
            }
            Ok(())
        }
        Err(gave_up) => {
            let then = format!("retrying in {} ms", policy.delay().as_millis());
            for attempt in &gave_up.earlier {
                print_failure(attempt, policy, &then);
            }
            print_failure(&gave_up.last, policy, "giving up");
            say!("{gave_up}.");
            Err(gave_up)
        }
    }
}

/// One line for a failed attempt, e.g.
/// `[+0 ms] attempt 1/3: ConnectionResetError [Errno 104] (retrying in 200 ms)`.
fn print_failure(attempt: &FailedAttempt<io::Error>, policy: &Policy, then: &str) {
    say!(
        "{}: {} ({then})",
        prefix(attempt.number, attempt.started, policy),
        short(&attempt.error)
    );
}

/// `  [+200 ms] attempt 2/3`: when an attempt started, and which it was.
fn prefix(number: u32, started: Duration, policy: &Policy) -> String {
    format!(
        "  [+{} ms] attempt {number}/{}",
        started.as_millis(),
        policy.attempts()
    )
}

/// `ConnectionResetError [Errno 104]`: the Python class and errno, short
/// enough for a timeline.
fn short(error: &io::Error) -> String {
    let python = PyError::of(error);
    match python.errno {
        Some(number) => format!("{} [Errno {number}]", python.class),
        None => python.class.to_string(),
    }
}

/// The article's loop against the lab peer, after the peer has reset the
/// connection.
fn naive_lesson(settings: &Settings) -> io::Result<()> {
    let peer = Peer::start(Script::Reset)?;
    naive_against(peer.addr(), settings, Some(&peer))
}

/// Connects, sends once, lets the connection die, then runs the article's
/// loop on the same socket.
fn naive_against(addr: SocketAddr, settings: &Settings, peer: Option<&Peer>) -> io::Result<()> {
    say!(
        "The article's loop: sendall again on the same socket, catching only ConnectionResetError:"
    );
    let mut stream = TcpStream::connect_timeout(&addr, CALL_TIMEOUT)?;
    stream.set_write_timeout(Some(CALL_TIMEOUT))?;
    stream.write_all(REQUEST)?;
    match peer {
        // The lab peer tells us when it has reset the connection.
        Some(peer) => {
            peer.wait_finished(1, PEER_WAIT)?;
            reset_by_peer::peer::wait_closed(&stream, PEER_WAIT)?;
            say!("  the first request was sent, and the peer reset the connection");
        }
        // A real server: read its answer, which may be the reset itself.
        None => {
            // A stop and continue (Ctrl-Z, then fg) cuts a read under a
            // timeout short on Linux: read again with what is left of it.
            let answer = again_if_interrupted(Deadline::after(CALL_TIMEOUT), |wait| {
                stream.set_read_timeout(Some(wait))?;
                stream.read(&mut [0u8; 1024])
            });
            match answer {
                Ok(n) => say!("  the first request was sent, and the recv got {n} bytes"),
                Err(error) => say!(
                    "  the first request was sent, and the recv got {}",
                    narrate(&error)
                ),
            }
        }
    }
    let end = article_loop(
        &mut stream,
        REQUEST,
        settings.attempts,
        settings.delay,
        |attempt, error| {
            say!(
                "  retry {attempt}/{}: caught {} (sleeping {} ms)",
                settings.attempts,
                short(error),
                settings.delay.as_millis()
            );
        },
    );
    match end {
        ArticleEnd::Sent { attempt } => {
            say!("  retry {attempt}: sent (the connection was still alive)")
        }
        ArticleEnd::FellThrough => {
            // Windows reports the reset on every send (WSAECONNRESET).
            say!(
                "  every send raised ConnectionResetError and was caught: the loop \
                 falls out as if it had sent, with nothing sent"
            );
            say!("  in Python the script goes on to recv on a dead connection.");
        }
        ArticleEnd::Crashed { attempt, error } => {
            say!(
                "  retry {attempt}/{}: {} is not caught:",
                settings.attempts,
                short(&error)
            );
            say!("  in Python the script dies here with a traceback.");
            // The kind is this machine's: BrokenPipe on Unix, ConnectionAborted
            // or ConnectionReset on Windows; so the line names what came.
            say!("Why: the kernel reports a reset once; every later send on that socket");
            say!(
                "fails, here with {}. A retry needs a new connection.",
                short(&error)
            );
        }
    }
    Ok(())
}
