//! Helpers shared by the integration tests.
//!
//! Every blocking call made through these helpers has a bound, so that a bug
//! fails a test instead of hanging it.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use reset_by_peer::timeout::{Deadline, again_if_interrupted};

/// The bound on any single blocking call in the tests. Generous: it only
/// matters when something is broken.
pub const BOUND: Duration = Duration::from_secs(5);

/// Generous room above a timeout or deadline: tests check that a bound
/// holds, not how tight it is (the `measure` example measures that).
pub const SLACK: Duration = Duration::from_secs(1);

/// A listen address for a peer whose port a test checks once the peer is
/// gone. Every other peer in the suite listens on `127.0.0.1`, on any free
/// port, and could take this one's the moment it is free; a connect would
/// then succeed. On Linux, where every address of `127.0.0.0/8` is this
/// machine's, the peer listens on `127.0.0.N` instead, each such test with
/// its own `n` from 4 up (`refused_addr` uses 2 and 3); where that address
/// is not configured (macOS), on `127.0.0.1`, race included.
pub fn quiet_addr(n: u8) -> SocketAddr {
    let quiet = SocketAddr::from(([127, 0, 0, n], 0));
    match std::net::TcpListener::bind(quiet) {
        Ok(_) => quiet,
        Err(_) => SocketAddr::from(([127, 0, 0, 1], 0)),
    }
}

/// Connects to `addr`, the address of a listener its program has closed,
/// until a connect fails, for at most `within`, and returns that error.
/// A closed listener can live on for a moment: a child process that another
/// test's thread is starting holds a copy of every descriptor from its fork
/// to its exec, and a connect in that moment is accepted. Each pass waits a
/// millisecond; `within` bounds the loop.
pub fn refused_within(addr: SocketAddr, within: Duration) -> io::Error {
    let started = Instant::now();
    loop {
        match TcpStream::connect_timeout(&addr, within) {
            Err(error) => return error,
            Ok(stream) if started.elapsed() >= within => {
                panic!("{addr} still accepted connections after {within:?}: {stream:?}")
            }
            Ok(_) => thread::sleep(Duration::from_millis(1)),
        }
    }
}

/// How many times [`unless_late`] runs a timed case: a loaded machine can
/// hold up one run by a few hundred milliseconds, but a case that is late
/// every time is late.
pub const TRIES_WHEN_LATE: usize = 3;

/// Runs a timed case again while `late` says it came back too late, at most
/// [`TRIES_WHEN_LATE`] times in all, and returns the last run, as the
/// exercise checks do (`unless_late` in `examples/common/exercise.rs`).
/// Only lateness earns another run: a wrong answer is the same every time.
pub fn unless_late<R>(mut run: impl FnMut() -> R, late: impl Fn(&R) -> bool) -> R {
    let mut ran = run();
    for _ in 1..TRIES_WHEN_LATE {
        if !late(&ran) {
            break;
        }
        ran = run();
    }
    ran
}

/// Connects to `addr` with every call bounded by [`BOUND`].
pub fn client(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, BOUND).unwrap();
    stream.set_read_timeout(Some(BOUND)).unwrap();
    stream.set_write_timeout(Some(BOUND)).unwrap();
    stream
}

/// One read of up to 1024 bytes, like Python's `recv(1024)`, that a stop
/// and continue does not cut short ([`read`]).
pub fn recv(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut buf = [0u8; 1024];
    let n = read(stream, &mut buf)?;
    Ok(buf[..n].to_vec())
}

/// One `read`, bounded by the stream's read timeout, that a stop and
/// continue does not cut short.
///
/// On Linux, stopping the test program and continuing it (Ctrl-Z and
/// `fg`, or a debugger's stop) fails a read waiting under a read timeout
/// with `Interrupted` (signal(7),
/// "Interruption of system calls and library functions by stop signals");
/// std's `read` and `peek` return it, where `read_exact` and
/// `read_to_end` call again. This calls again after `Interrupted`, and
/// only then, with what is left of the timeout, and puts the timeout back:
/// any other result, a timeout's `WouldBlock` included, is the read's own.
pub fn read(stream: &TcpStream, buf: &mut [u8]) -> io::Result<usize> {
    within_read_timeout(stream, |mut stream| stream.read(buf))
}

/// One `peek`, as [`read`] is one `read`.
pub fn peek(stream: &TcpStream, buf: &mut [u8]) -> io::Result<usize> {
    within_read_timeout(stream, |stream| stream.peek(buf))
}

/// Makes `call` under the stream's read timeout, again after a stop and
/// continue, with what is left (`again_if_interrupted`).
fn within_read_timeout(
    stream: &TcpStream,
    mut call: impl FnMut(&TcpStream) -> io::Result<usize>,
) -> io::Result<usize> {
    // With no read timeout, Linux does not interrupt the call.
    let Some(timeout) = stream.read_timeout()? else {
        return call(stream);
    };
    let result = again_if_interrupted(Deadline::after(timeout), |wait| {
        stream.set_read_timeout(Some(wait))?;
        call(stream)
    });
    stream.set_read_timeout(Some(timeout))?;
    result
}

/// Sends one byte at a time until a send fails, for at most `within`.
///
/// After a graceful close, the send that fails is the one after the peer's
/// RST has come back; that RST usually takes microseconds, but under load a
/// tail-loss probe can delay it by about 200 ms (`docs/facts.md`).
/// So the test keeps sending, yielding between sends, instead of asserting
/// which send fails.
pub fn send_until_error(stream: &mut TcpStream, within: Duration) -> Option<io::Error> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Err(error) = stream.write(b"x") {
            return Some(error);
        }
        thread::yield_now();
    }
    None
}

/// The path of a built example, next to the test binary's own directory.
///
/// `cargo test` builds every example before it runs the tests.
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/debug/deps/this-test -> target/debug/examples/NAME
    let dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path = dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run the whole suite with `cargo test`, which builds the examples",
        path.display()
    );
    path
}

/// What a finished example printed, and how it exited.
pub struct Ran {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Starts an example with `args`, its stdout and stderr piped to the test.
pub fn spawn_example(name: &str, args: &[&str]) -> Child {
    Command::new(example(name))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Runs an example to completion, killing it if it takes longer than `within`.
pub fn run_example(name: &str, args: &[&str], within: Duration) -> Ran {
    finish(spawn_example(name, args), within)
}

/// Collects a child's output until it closes both pipes, or kills it after
/// `within`. The pipes close when the process exits, so no polling is needed.
/// A pipe the test has already taken (to close it early, say) reads as "".
pub fn finish(mut child: Child, within: Duration) -> Ran {
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    let deadline = Instant::now() + within;
    let wait = |pipe: &Option<mpsc::Receiver<String>>| match pipe {
        None => Some(String::new()),
        Some(pipe) => {
            let left = deadline.saturating_duration_since(Instant::now());
            pipe.recv_timeout(left).ok()
        }
    };
    let (out, err) = (wait(&stdout), wait(&stderr));
    if out.is_none() || err.is_none() {
        child.kill().unwrap();
        child.wait().unwrap();
        panic!("the example did not finish within {within:?}");
    }
    Ran {
        status: child.wait().unwrap(),
        stdout: out.unwrap(),
        stderr: err.unwrap(),
    }
}

/// Reads a pipe to its end in a thread, and hands over the text.
fn drain(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        let _ = tx.send(text);
    });
    rx
}

/// What a send fails with once the peer's RST has arrived, on this
/// platform: the kinds the first send may fail with, and the kinds every
/// send after it may fail with. `docs/facts.md` gives the sources.
///
/// - Linux (run): the first send reports the reset, `ConnectionReset`; TCP
///   reports an error once, so the sends after it find the connection shut,
///   `BrokenPipe` (EPIPE).
/// - macOS (xnu's `sosendcheck`) and FreeBSD (`sosend_generic`), read in
///   their source, not run: `BrokenPipe` from the first send on, because
///   "cannot send more" is tested before the pending error; the reset is
///   left for the next receive.
/// - Windows (run under Wine, which reports Windows' codes on Linux's TCP):
///   `ConnectionReset`, WSAECONNRESET, every time; Microsoft's `send` page
///   also allows WSAECONNABORTED for a connection the stack dropped.
pub fn sends_after_reset() -> (&'static [ErrorKind], &'static [ErrorKind]) {
    if cfg!(windows) {
        (
            &[ErrorKind::ConnectionReset, ErrorKind::ConnectionAborted],
            &[ErrorKind::ConnectionReset, ErrorKind::ConnectionAborted],
        )
    } else if cfg!(any(target_os = "macos", target_os = "freebsd")) {
        (&[ErrorKind::BrokenPipe], &[ErrorKind::BrokenPipe])
    } else {
        (&[ErrorKind::ConnectionReset], &[ErrorKind::BrokenPipe])
    }
}

/// Whether this Windows build runs under Wine, which sets `WINELOADER` in
/// every process it starts.
pub fn under_wine() -> bool {
    cfg!(windows) && std::env::var_os("WINELOADER").is_some()
}

/// Under Wine, prints `SKIP (Wine: why)` and returns true: the test pins
/// what Windows' own TCP does, and Wine reports Windows' error codes but
/// runs on Linux's TCP. The line goes straight to stderr, past the test
/// harness's capture, so that every run shows it.
pub fn skip_on_wine(test: &str, why: &str) -> bool {
    if !under_wine() {
        return false;
    }
    let _ = writeln!(io::stderr(), "{test}: SKIP (Wine: {why})");
    true
}

/// Why the tests that read a reset skip under Wine: wineserver takes a
/// failed socket's pending error with `getsockopt(SO_ERROR)`, which clears
/// it on Linux (seen with `strace -f` on wineserver: `SO_ERROR,
/// [ECONNRESET]`), so the program's receive may read the end of the stream
/// instead. Windows' own `recv` fails with WSAECONNRESET (Microsoft's
/// `recv` page); sends after the reset are unaffected and run under Wine.
pub const WINE_READS_RESET_AS_EOF: &str = "wineserver reads the socket's pending ECONNRESET with getsockopt(SO_ERROR), which clears it on Linux, so a receive may read the end of the stream; Windows' own recv fails with WSAECONNRESET";

/// Why a test whose send blocks on a full buffer until the peer's RST
/// skips under Wine: the same taking of the pending error leaves the
/// blocked send waiting for its write timeout (`TimedOut` after 5 s, in 5
/// of 7 runs on a loaded machine), where Windows' own `send` fails with
/// WSAECONNRESET.
pub const WINE_BLOCKED_SEND_MISSES_RESET: &str = "a send blocked on a full buffer is not woken by the RST under Wine (wineserver takes the pending error with getsockopt(SO_ERROR)) and waits for its write timeout; Windows' own send fails with WSAECONNRESET";

/// Whether a check's FAIL line, under Wine, may be Wine reading a reset as
/// the end of the stream (see [`WINE_READS_RESET_AS_EOF`]): a case about a
/// reset that met something else.
pub fn wine_may_have_read_a_reset_as_eof(what: &str) -> bool {
    under_wine() && (what.contains("reset") || what.contains("flaky:"))
}

/// A client whose connection a peer with `script` (`reset`, or `flaky:N`
/// for its first connections) has reset, and whose kernel has taken the RST
/// in; the peer comes too, to be kept alive.
pub fn reset_client(script: reset_by_peer::peer::Script) -> (reset_by_peer::peer::Peer, TcpStream) {
    let peer = reset_by_peer::peer::Peer::start(script).unwrap();
    let mut stream = client(peer.addr());
    stream.write_all(b"x").unwrap();
    // The peer counts a connection as finished only after its socket is
    // closed, so once this returns the RST has been sent.
    peer.wait_finished(1, BOUND).unwrap();
    // And this side's kernel has taken it in (asking does not consume it).
    reset_by_peer::peer::wait_closed(&stream, BOUND).unwrap();
    (peer, stream)
}

/// A child process that is killed when the test ends, pass or fail.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
