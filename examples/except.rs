//! The article's try/except snippets, rewritten in Rust and run against the
//! lab peer: what Rust saw, what Python would have raised, and which
//! `except` clause would have caught it.
//!
//! Run it with `cargo run --example except`.

mod common;

use common::say;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use reset_by_peer::except::{PyClass, PyError, narrate, narrate_for_socket};
use reset_by_peer::peer::{Peer, Script, refused_addr};
use reset_by_peer::timeout::{Deadline, again_if_interrupted};

const NAME: &str = "except";
const USAGE: &str = "\
usage: cargo run --example except [-- --addr HOST:PORT]

Runs the article's try/except snippets in Rust against the lab peer's
reset, close and stall scripts and an address where nobody listens, and
says for each what Rust saw and what Python would have raised. It ends with
the Rust twin of `except ConnectionError` catching a BrokenPipe.

  --addr HOST:PORT   run the snippet against this server instead, with a
                     2 s timeout (PORT: 1 to 65535)
  -h, --help         show this help
";

const REQUEST: &[u8] = b"Hello, server!";

/// The stall case waits this long for an answer that never comes.
const TIMEOUT: Duration = Duration::from_millis(200);

/// Every other case, and a server given with `--addr`, gets this long: an
/// answer that does come is never cut short, even on a loaded machine.
const ANSWER_WAIT: Duration = Duration::from_secs(2);

/// The bound for the few waits on the lab peer itself.
const PEER_WAIT: Duration = Duration::from_secs(5);

fn main() {
    let result = match common::Args::only_addr(NAME, USAGE) {
        Some(addr) => {
            snippet("server", addr, ANSWER_WAIT);
            Ok(())
        }
        None => against_lab_peer(),
    };
    common::finish(NAME, result);
}

fn against_lab_peer() -> io::Result<()> {
    say!("Strategy 1: try sendall and recv; except ConnectionResetError; except socket.error as e");
    for script in [Script::Reset, Script::Close, Script::Stall] {
        let peer = Peer::start(script)?;
        let wait = if script == Script::Stall {
            TIMEOUT
        } else {
            ANSWER_WAIT
        };
        snippet(&script.to_string(), peer.addr(), wait);
    }
    snippet("nobody listening", refused_addr()?, ANSWER_WAIT);
    say!();
    say!("The `except ConnectionError` twin, after a reset, sending first:");
    connection_error_twin()
}

/// The article's connect, sendall, recv, with its handlers, narrated.
fn snippet(label: &str, addr: SocketAddr, timeout: Duration) {
    let mut stream = match TcpStream::connect_timeout(&addr, timeout) {
        Ok(stream) => stream,
        Err(error) => {
            say!("{label:>16}: connect failed: {}", narrate(&error));
            say!(
                "{:>16}  caught by {}",
                "",
                article_clause(&PyError::of(&error))
            );
            return;
        }
    };
    let started = Instant::now();
    let result = stream.write_all(REQUEST).and_then(|()| {
        let mut reply = [0u8; 1024];
        // `recv` with `settimeout`: a read under a read timeout. On Linux a
        // stop and continue (Ctrl-Z, then fg) makes it fail with
        // Interrupted, which is no news about the server: read again with
        // what is left of the timeout.
        again_if_interrupted(Deadline::after(timeout), |wait| {
            stream.set_read_timeout(Some(wait))?;
            stream.read(&mut reply)
        })
    });
    match result {
        Ok(0) => say!(
            "{label:>16}: recv returned 0 bytes: a clean close; Python gets b'' and raises nothing"
        ),
        Ok(n) => say!("{label:>16}: received {n} bytes; nothing to catch"),
        Err(error) => {
            let elapsed = started.elapsed().as_millis();
            say!(
                "{label:>16}: failed after {elapsed} ms: {}",
                narrate_for_socket(&error, &stream)
            );
            let python = PyError::for_socket(&error, &stream);
            say!("{:>16}  caught by {}", "", article_clause(&python));
            if python.class == PyClass::TimeoutError {
                // Say what PEP 3151 alone would have made of the raw errno.
                say!(
                    "{:>16}  (PEP 3151 alone would call it {})",
                    "",
                    PyError::of(&error)
                );
            }
        }
    }
}

/// Which of the article's `except` clauses would catch this exception.
fn article_clause(python: &PyError) -> &'static str {
    if python.is_a(PyClass::ConnectionResetError) {
        "`except ConnectionResetError:`"
    } else if python.is_a(PyClass::TimeoutError) {
        "`except socket.timeout:` (Strategy 3; an alias of TimeoutError since Python 3.10)"
    } else {
        "`except socket.error as e:` (socket.error is OSError in Python 3)"
    }
}

/// Reset, send (ConnectionReset), send again (BrokenPipe): the second error
/// slips past `except ConnectionResetError` but not `except ConnectionError`.
fn connection_error_twin() -> io::Result<()> {
    let peer = Peer::start(Script::Reset)?;
    let mut stream = TcpStream::connect_timeout(&peer.addr(), TIMEOUT)?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    stream.write_all(b"x")?;
    // Wait until the peer has reset the connection, so the next send is
    // the first call to meet the RST.
    peer.wait_finished(1, PEER_WAIT)?;
    reset_by_peer::peer::wait_closed(&stream, PEER_WAIT)?;
    for attempt in 1..=2 {
        match stream.write_all(REQUEST) {
            Ok(()) => say!("  send {attempt}: sent (unexpected after a reset)"),
            Err(error) => {
                let class = PyClass::of(&error);
                say!("  send {attempt}: {}", narrate(&error));
                say!(
                    "          except ConnectionResetError catches it: {}; except ConnectionError catches it: {}",
                    class.is_a(PyClass::ConnectionResetError),
                    class.is_a(PyClass::ConnectionError)
                );
            }
        }
    }
    say!("In Rust: `Err(e) if PyClass::of(&e).is_a(PyClass::ConnectionError) => ...`");
    Ok(())
}
