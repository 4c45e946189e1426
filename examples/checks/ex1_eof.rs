//! Exercise 1's frame, kept apart from the answer: what the exercise
//! gives (its name, its usage, the types and constants it shares with the
//! answer), the demonstration, and the check: what a right answer must do,
//! case by case, and the reason a wrong one fails. The grader compiles a
//! student's answer against this file, so nothing here depends on it.

use super::common::{self, say};

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

use reset_by_peer::peer::{GREETING, Peer, Script};

/// The type of `receive_all`.
pub type Receive = fn(&mut TcpStream) -> io::Result<Vec<u8>>;

/// The exercise's file, its answer included, as the compiler read it: for
/// the rules every answer keeps (`common::exercise`). It is read here, in
/// the frame, which the file declares before the answer, so that no macro
/// of the answer's can stand in for `include_str!`.
pub const SOURCE: &str = include_str!("../ex1_eof.rs");

pub const NAME: &str = "ex1_eof";
pub const USAGE: &str = "\
usage: cargo run --example ex1_eof [-- --check]

Exercise 1 (docs/exercises.md): make receive_all stop at the end of the
stream. With no argument, shows what it does now; --check says PASS or FAIL.
";

/// The bound on every blocking call of the demonstration and the check.
const BOUND: Duration = Duration::from_secs(2);

/// The reply the `chunks` server sends, in three pieces.
const CHUNKS: [&[u8]; 3] = [b"Hello, ", b"world", b"!\n"];

/// How long the `chunks` server waits between its pieces: long enough that
/// the client's first read returns before the second piece arrives, and
/// before the last, unless a loaded machine holds the client up for both
/// pauses, 250 ms: a read that takes only part of the reply is caught.
const CHUNK_PAUSE: Duration = Duration::from_millis(125);

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
    stream.set_write_timeout(Some(BOUND))?;
    stream.write_all(b"hello")?;
    // If the peer has already reset the connection, this fails with
    // NotConnected; `receive` then meets the reset itself.
    let _ = stream.shutdown(Shutdown::Write);
    // The bound on the student's reads, whose servers here all close anyway.
    let _watch = common::watchdog(&stream, BOUND)?;
    receive(&mut stream)
}

pub fn demo(receive_all: Receive) -> io::Result<()> {
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

/// What a case expects `receive_all` to return.
enum Expect {
    /// These bytes, and no error.
    Bytes(Vec<u8>),
    /// The error ConnectionReset.
    Reset,
}

/// Checks `receive` against a reply in one piece, a reply in several, a
/// clean close with no reply, a reset, and a reset after some data.
pub fn check(receive: Receive) -> Result<(), String> {
    let cases = [
        (
            Server::Lab(Script::Echo),
            "echoes hello, then closes",
            Expect::Bytes(b"hello".to_vec()),
        ),
        (
            Server::Chunks,
            "answers in 3 pieces, then closes",
            Expect::Bytes(CHUNKS.concat()),
        ),
        (
            Server::Long,
            "answers 100000 bytes, then closes",
            Expect::Bytes(vec![LONG_BYTE; LONG]),
        ),
        (
            Server::Lab(Script::Close),
            "closes without answering",
            Expect::Bytes(Vec::new()),
        ),
        (Server::Lab(Script::Reset), "resets", Expect::Reset),
        (
            Server::Lab(Script::HelloReset),
            "sends a greeting, then resets",
            Expect::Reset,
        ),
    ];
    for (server, what, expected) in cases {
        let name = server.name();
        let got = against(server, receive);
        match (expected, got) {
            (Expect::Bytes(want), Ok(bytes)) if bytes == want => {}
            (Expect::Bytes(want), Ok(bytes)) => {
                return Err(format!(
                    "{name} ({what}): expected Ok({}), got Ok({})",
                    common::show(&want),
                    common::show(&bytes)
                ));
            }
            (Expect::Bytes(want), Err(error)) => {
                return Err(format!(
                    "{name} ({what}): expected Ok({}), got the error {:?}: {error}",
                    common::show(&want),
                    error.kind()
                ));
            }
            (Expect::Reset, Err(error)) if error.kind() == ErrorKind::ConnectionReset => {}
            (Expect::Reset, Err(error)) => {
                return Err(format!(
                    "{name} ({what}): expected the error ConnectionReset, got {:?}: {error}",
                    error.kind()
                ));
            }
            (Expect::Reset, Ok(bytes)) => {
                let data = if bytes == GREETING {
                    " (the data before a reset does not make the reply complete)"
                } else {
                    ""
                };
                return Err(format!(
                    "{name} ({what}): expected the error ConnectionReset, got Ok({}){data}",
                    common::show(&bytes)
                ));
            }
        }
    }
    Ok(())
}
