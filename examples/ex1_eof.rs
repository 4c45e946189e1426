//! Exercise 1: tell the end of the stream from a reset.
//!
//! `receive_all` should read until the peer closes the connection and return
//! every byte; a reset must come back as an error, even after some data. As
//! shipped it treats a read of 0 bytes as data, so after the peer closes it
//! spins on `Ok(0)` until its read budget runs out.
//!
//! Show the problem:   cargo run --example ex1_eof
//! Check your change:  cargo run --example ex1_eof -- --check
//! The statement: docs/exercises.md, exercise 1.
//! A hint:             cargo run --example exercises -- --hint 1

#[path = "common/mod.rs"]
mod common;

use common::say;

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

use reset_by_peer::peer::{GREETING, Peer, Script};

const NAME: &str = "ex1_eof";
const USAGE: &str = "\
usage: cargo run --example ex1_eof [-- --check]

Exercise 1 (docs/exercises.md): make receive_all stop at the end of the
stream. With no argument, shows what it does now; --check says PASS or FAIL.
";

/// More reads than any reply here needs: the budget that keeps the broken
/// loop from spinning for ever.
pub const MAX_READS: usize = 100_000;

/// Reads from `stream` until the peer closes, and returns what arrived.
pub fn receive_all(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut received = Vec::new();
    let mut chunk = [0u8; 1024];
    for _ in 0..MAX_READS {
        let n = stream.read(&mut chunk)?;
        // TODO: a read of 0 bytes is not data. What does it mean, and what
        // should happen then?
        received.extend_from_slice(&chunk[..n]);
    }
    Err(io::Error::other(format!("gave up after {MAX_READS} reads")))
}

/// The bound on every blocking call of the demonstration and the check.
const BOUND: Duration = Duration::from_secs(2);

/// The reply the `chunks` server sends, in three pieces.
const CHUNKS: [&[u8]; 3] = [b"Hello, ", b"world", b"!\n"];

/// How long the `chunks` server waits between its pieces: long enough that
/// the client's first read returns before the second piece arrives.
const CHUNK_PAUSE: Duration = Duration::from_millis(30);

/// A server for one case of the check.
#[derive(Clone, Copy)]
enum Server {
    /// The lab peer, running this script.
    Lab(Script),
    /// Reads the request to its end, then answers in the three pieces of
    /// CHUNKS, a pause apart, and closes cleanly.
    Chunks,
    /// Reads the request to its end, then answers LONG bytes, more than
    /// any one buffer a student would pick, and closes cleanly.
    Long,
}

impl Server {
    fn name(self) -> String {
        match self {
            Server::Lab(script) => script.to_string(),
            Server::Chunks => "chunks".to_string(),
            Server::Long => "long".to_string(),
        }
    }
}

/// Answers in pieces, then closes cleanly (the `chunks` server).
fn answer_in_chunks(mut stream: TcpStream) {
    // Read the whole request first: closing with unread bytes would send an
    // RST instead of the clean close this server is for.
    let _ = stream.set_read_timeout(Some(BOUND));
    let _ = stream.read_to_end(&mut Vec::new());
    let _ = stream.set_nodelay(true);
    for (n, piece) in CHUNKS.iter().enumerate() {
        if n > 0 {
            thread::sleep(CHUNK_PAUSE);
        }
        if stream.write_all(piece).is_err() {
            return;
        }
    }
}

/// How long the `long` server's answer is: longer than the 1024 bytes of
/// the article's `recv(1024)`, or than a buffer of a few KiB.
const LONG: usize = 100_000;

/// The byte the `long` server answers with.
const LONG_BYTE: u8 = b'x';

/// Answers LONG bytes, then closes cleanly (the `long` server).
fn answer_long(mut stream: TcpStream) {
    // Read the whole request first, for a clean close, as `chunks` does.
    let _ = stream.set_read_timeout(Some(BOUND));
    let _ = stream.set_write_timeout(Some(BOUND));
    let _ = stream.read_to_end(&mut Vec::new());
    let _ = stream.write_all(&[LONG_BYTE; LONG]);
}

/// Connects to a fresh `server`, sends `hello`, closes the sending side, and
/// gives the stream to `receive`.
fn against(
    server: Server,
    receive: fn(&mut TcpStream) -> io::Result<Vec<u8>>,
) -> io::Result<Vec<u8>> {
    // The lab peer stops when `_peer` is dropped, after `receive` returns.
    let (_peer, addr): (Option<Peer>, SocketAddr) = match server {
        Server::Lab(script) => {
            let peer = Peer::start(script)?;
            let addr = peer.addr();
            (Some(peer), addr)
        }
        Server::Chunks => (None, common::serve_once(answer_in_chunks)?),
        Server::Long => (None, common::serve_once(answer_long)?),
    };
    let mut stream = TcpStream::connect_timeout(&addr, BOUND)?;
    stream.set_read_timeout(Some(BOUND))?;
    stream.write_all(b"hello")?;
    // If the peer has already reset the connection, this fails with
    // NotConnected; `receive` then meets the reset itself.
    let _ = stream.shutdown(Shutdown::Write);
    receive(&mut stream)
}

fn demo() -> io::Result<()> {
    say!("The client sends \"hello\", closes its sending side, and calls receive_all:");
    let servers = [
        Script::Echo,
        Script::Close,
        Script::Reset,
        Script::HelloReset,
    ];
    for script in servers {
        match against(Server::Lab(script), receive_all) {
            Ok(bytes) => say!("{script}: received {}", common::show(&bytes)),
            Err(error) => say!("{script}: {:?}: {error}", error.kind()),
        }
    }
    Ok(())
}

#[path = "checks/ex1_eof.rs"]
mod check;
pub use check::check;

fn main() {
    common::exercise(NAME, USAGE, demo, || check(receive_all));
}
