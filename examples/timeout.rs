//! The article's Strategy 3, timeouts, and how Rust's differ from Python's:
//! a timeout that arrives as WouldBlock, a zero that is an error, and a
//! per-call timer that a slow peer never lets fire.
//!
//! Run it with `cargo run --example timeout`.

mod common;

use common::say;

use std::io::{self, Read};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use reset_by_peer::except::narrate_for_socket;
use reset_by_peer::failure::Failure;
use reset_by_peer::peer::{DEFAULT_DRIP_INTERVAL, Peer, Script};
use reset_by_peer::timeout::{Deadline, again_if_interrupted, read_exact_by, set_read_timeout};

const NAME: &str = "timeout";
const USAGE: &str = "\
usage: cargo run --example timeout [-- --addr HOST:PORT]

Shows three ways Rust's socket timeouts differ from Python's settimeout,
against the lab peer: a read timeout reported as WouldBlock (stall), a zero
timeout refused, and a per-call timeout that a dripping peer never lets
fire, beside a deadline that stops on time (drip).

  --addr HOST:PORT   only wait for this server to send something, with a
                     200 ms read timeout
                     (PORT: 1 to 65535)
  -h, --help         show this help
";

/// The per-call timeout, as in the article's `settimeout`, but shorter.
const READ_TIMEOUT: Duration = Duration::from_millis(200);

/// The bound on the whole read in the deadline demonstration.
const DEADLINE: Duration = Duration::from_millis(500);

/// How many bytes the drip demonstration asks for.
const WANTED: usize = 8;

fn main() {
    let result = match common::Args::only_addr(NAME, USAGE) {
        Some(addr) => wait_for(addr),
        None => lessons(),
    };
    common::finish(NAME, result);
}

fn lessons() -> io::Result<()> {
    say!(
        "1. A read timeout against a silent peer (stall), timeout {} ms:",
        READ_TIMEOUT.as_millis()
    );
    let peer = Peer::start(Script::Stall)?;
    wait_for(peer.addr())?;

    say!();
    say!("2. A zero timeout:");
    let stream = TcpStream::connect(peer.addr())?;
    if let Err(error) = stream.set_read_timeout(Some(Duration::ZERO)) {
        say!("   std says: {:?}, \"{error}\"", error.kind());
    }
    if let Err(error) = set_read_timeout(&stream, Duration::ZERO) {
        say!("   this crate says: {error}");
    }

    say!();
    let interval = DEFAULT_DRIP_INTERVAL.as_millis();
    say!("3. {WANTED} bytes from a peer that sends one every {interval} ms (drip):");
    let drip = Peer::start(Script::Drip(DEFAULT_DRIP_INTERVAL))?;
    per_call(drip.addr())?;
    with_deadline(drip.addr())?;
    say!("   Python's sendall has a total deadline like this one; recv and Rust's calls do not.");
    Ok(())
}

/// Waits for the server to send something, with the per-call timeout, and
/// says what came back.
fn wait_for(addr: SocketAddr) -> io::Result<()> {
    let mut stream = TcpStream::connect_timeout(&addr, READ_TIMEOUT)?;
    set_read_timeout(&stream, READ_TIMEOUT)?;
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    // On Linux a stop and continue (Ctrl-Z, then fg) fails a read under a
    // read timeout with Interrupted: read again with what is left of it.
    let result = again_if_interrupted(Deadline::after(READ_TIMEOUT), |wait| {
        set_read_timeout(&stream, wait)?;
        stream.read(&mut buf)
    });
    let waited = started.elapsed().as_millis();
    match result {
        Ok(0) => say!("   after {waited} ms the peer closed: Ok(0), no timeout"),
        Ok(n) => say!("   {n} bytes arrived after {waited} ms"),
        // This code set the timer, so it asks the classifier that knows.
        Err(error) if Failure::of_timed(&error) == Failure::TimedOut => {
            say!(
                "   after {waited} ms: {}",
                narrate_for_socket(&error, &stream)
            );
            if error.kind() == io::ErrorKind::WouldBlock {
                say!(
                    "   Rust's kind is WouldBlock (Unix), not TimedOut: Failure::of_timed counts both as our timeout."
                );
            } else {
                say!(
                    "   TimedOut with an errno, as when TCP gives up: only the code that set the timer knows it is ours (Failure::of_timed)."
                );
            }
        }
        Err(error) => say!(
            "   after {waited} ms: {}",
            narrate_for_socket(&error, &stream)
        ),
    }
    Ok(())
}

/// `read_exact` with a per-call timeout: every byte restarts the timer.
fn per_call(addr: SocketAddr) -> io::Result<()> {
    let mut stream = TcpStream::connect(addr)?;
    set_read_timeout(&stream, READ_TIMEOUT)?;
    let started = Instant::now();
    let mut buf = [0u8; WANTED];
    let result = stream.read_exact(&mut buf);
    let took = started.elapsed().as_millis();
    match result {
        Ok(()) => say!(
            "   read_exact, {} ms timeout per call: no timeout at all; it took {took} ms",
            READ_TIMEOUT.as_millis()
        ),
        Err(error) => say!("   read_exact failed after {took} ms: {error}"),
    }
    Ok(())
}

/// `read_exact_by` with a deadline: the time left shrinks with each call.
fn with_deadline(addr: SocketAddr) -> io::Result<()> {
    let mut stream = TcpStream::connect(addr)?;
    let started = Instant::now();
    let mut buf = [0u8; WANTED];
    let result = read_exact_by(&mut stream, &mut buf, Deadline::after(DEADLINE));
    let took = started.elapsed().as_millis();
    match result {
        Ok(()) => say!(
            "   read_exact_by, {} ms deadline: all {WANTED} bytes in {took} ms",
            DEADLINE.as_millis()
        ),
        Err(stopped) => say!(
            "   read_exact_by, {} ms deadline: stopped at {took} ms with {} of {WANTED} bytes kept ({:?})",
            DEADLINE.as_millis(),
            stopped.transferred,
            stopped.error.kind()
        ),
    }
    Ok(())
}
