//! Exercise 6's frame, kept apart from the answer: what the exercise
//! gives (its name, its usage, the types and constants it shares with the
//! answer), the demonstration, and the check: what a right answer must do,
//! case by case, and the reason a wrong one fails. The grader compiles a
//! student's answer against this file, so nothing here depends on it.

use super::common::{self, say};

use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use reset_by_peer::peer::{DRIP_BYTE, Peer, Script, ScriptTime};

/// The exercise's file, its answer included, as the compiler read it: for
/// the rules every answer keeps (`common::exercise`). It is read here, in
/// the frame, which the file declares before the answer, so that no macro
/// of the answer's can stand in for `include_str!`.
pub const SOURCE: &str = include_str!("../ex6_deadline.rs");

pub const NAME: &str = "ex6_deadline";
pub const USAGE: &str = "\
usage: cargo run --example ex6_deadline [-- --check]

Exercise 6 (docs/exercises.md): make read_exact_within keep to its budget.
With no argument, shows what it does now; --check says PASS or FAIL.
";

/// The time the whole read may take.
pub const BUDGET: Duration = Duration::from_millis(100);

/// How many bytes to read: at one byte every 20 ms, 15 bytes take at least
/// 300 ms.
pub const WANTED: usize = 15;

/// The type of `read_exact_within`.
pub type ReadWithin = fn(&mut TcpStream, &mut [u8], Duration) -> io::Result<()>;

/// The bound on every blocking call of the set-up.
const BOUND: Duration = Duration::from_secs(2);

/// How much longer than its budget a read may take before the check calls
/// it late: room for a loaded machine, well under one more read timeout.
const GRACE: Duration = Duration::from_millis(80);

/// How much sooner than its budget a read may give up: a kernel tick
/// (4 ms at HZ=250) and a little more.
const EARLY: Duration = Duration::from_millis(5);

/// How long the demonstration waits for `read_exact_within` to return.
const SAFETY_NET: Duration = Duration::from_secs(2);

/// The interval of the dripping peers.
const DRIP: Duration = Duration::from_millis(20);

/// A server for one case of the check.
#[derive(Clone, Copy)]
enum Server {
    /// The lab peer, running this script.
    Lab(Script),
    /// Sends DRIP_BYTE every DRIP this many times, then goes silent
    /// without closing.
    DripThenSilence(usize),
}

/// Drips `count` bytes, then holds the connection open until the client
/// closes it.
fn drip_then_silence(mut stream: TcpStream, count: usize) {
    let _ = stream.set_nodelay(true);
    // The drip starts at the client's "hello", just before the check's
    // clock does, rather than at the accept, which a loaded machine can
    // hold up for longer.
    let _ = stream.set_read_timeout(Some(BOUND));
    if stream.read_exact(&mut [0u8; 5]).is_err() {
        return;
    }
    for _ in 0..count {
        if stream.write_all(&[DRIP_BYTE]).is_err() {
            return;
        }
        thread::sleep(DRIP);
    }
    let _ = stream.set_read_timeout(Some(BOUND));
    let _ = stream.read_to_end(&mut Vec::new());
}

/// What one read did: its result, the bytes in the buffer, how long it
/// took, and whether the socket still waits (is in blocking mode) after it.
type Ran = (io::Result<()>, Vec<u8>, Duration, bool);

/// How long the check's own read waits, after `read_exact_within`, to see
/// whether the socket still blocks.
const PROBE: Duration = Duration::from_millis(20);

/// Whether `stream` still waits for data, as a blocking socket does: a peek
/// with a short read timeout either waits for it, or finds data (and then
/// nothing can be told: assume it does).
fn still_blocks(stream: &TcpStream) -> bool {
    if stream.set_read_timeout(Some(PROBE)).is_err() {
        return true;
    }
    let started = std::time::Instant::now();
    match stream.peek(&mut [0u8; 1]) {
        Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
            started.elapsed() >= PROBE / 2
        }
        _ => true,
    }
}

/// Connects to a fresh `server`, sends `hello`, and reads `wanted` bytes
/// with `read` on another thread. Returns the result, the bytes, and how
/// long the read took, or None if it had not returned after `limit`.
fn against(
    server: Server,
    read: ReadWithin,
    wanted: usize,
    budget: Duration,
    limit: Duration,
) -> io::Result<Option<Ran>> {
    // The lab peer stops when `_peer` is dropped, after the read (or after
    // the limit, which ends a read that is still waiting).
    let (_peer, addr) = match server {
        Server::Lab(script) => {
            let peer = Peer::start(script)?;
            let addr = peer.addr();
            (Some(peer), addr)
        }
        Server::DripThenSilence(count) => (
            None,
            common::serve_once(move |stream| drip_then_silence(stream, count))?,
        ),
    };
    let mut stream = TcpStream::connect_timeout(&addr, BOUND)?;
    stream.set_write_timeout(Some(BOUND))?;
    stream.write_all(b"hello")?;
    let ran = common::within(limit, move || {
        let mut buf = vec![0u8; wanted];
        let result = read(&mut stream, &mut buf, budget);
        // Only a timeout is judged by whether the socket still blocks, so
        // only a timeout spends the probe's time.
        let blocks = !out_of_time(&result) || still_blocks(&stream);
        (result, buf, blocks)
    });
    Ok(ran.map(|((result, buf, blocks), took)| (result, buf, took, blocks)))
}

/// The lab peer's `drip` at DRIP.
fn drip() -> io::Result<Script> {
    let ms = u64::try_from(DRIP.as_millis()).unwrap_or(u64::MAX);
    Ok(Script::Drip(ScriptTime::new(ms)?))
}

pub fn demo(read_exact_within: ReadWithin) -> io::Result<()> {
    let server = Server::Lab(drip()?);
    let Some((result, _, took, _)) =
        against(server, read_exact_within, WANTED, BUDGET, SAFETY_NET)?
    else {
        say!(
            "the read had not returned after {} ms, against a budget of {} ms",
            SAFETY_NET.as_millis(),
            BUDGET.as_millis()
        );
        return Ok(());
    };
    say!(
        "drip (a byte every {} ms), {WANTED} bytes wanted: budget {} ms; the read took {} ms and returned {result:?}",
        DRIP.as_millis(),
        BUDGET.as_millis(),
        took.as_millis()
    );
    Ok(())
}

/// What a case expects `read_exact_within` to return.
#[derive(Clone, Copy)]
enum Expect {
    /// Ok, with the buffer holding these bytes.
    Filled(&'static [u8]),
    /// An error of this kind, before the budget is spent.
    Error(ErrorKind),
    /// A timeout (WouldBlock or TimedOut), once the budget is spent.
    Timeout,
}

/// Whether a read ended with a timeout (WouldBlock or TimedOut).
fn out_of_time(result: &io::Result<()>) -> bool {
    result
        .as_ref()
        .is_err_and(|error| matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut))
}

/// Whether a case expects the buffer filled.
fn wants_bytes(expected: Expect) -> bool {
    matches!(expected, Expect::Filled(_))
}

/// Checks `read` against peers fast enough, too slow, silent, closing and
/// resetting.
pub fn check(read: ReadWithin) -> Result<(), String> {
    let ms = Duration::from_millis;
    let drip = drip().map_err(|error| format!("cannot start the lab peer: {error}"))?;
    let cases = [
        (
            Server::Lab(Script::Echo),
            "echo (answers at once)",
            5,
            ms(300),
            Expect::Filled(b"hello"),
        ),
        (
            Server::Lab(drip),
            "drip (a byte every 20 ms), 5 bytes in 100 ms",
            5,
            ms(300),
            Expect::Filled(&[DRIP_BYTE; 5]),
        ),
        (
            Server::Lab(Script::Close),
            "close (closes without answering)",
            5,
            ms(300),
            Expect::Error(ErrorKind::UnexpectedEof),
        ),
        (
            Server::Lab(Script::Reset),
            "reset",
            5,
            ms(300),
            Expect::Error(ErrorKind::ConnectionReset),
        ),
        (
            Server::Lab(drip),
            "drip (a byte every 20 ms), 15 bytes",
            WANTED,
            BUDGET,
            Expect::Timeout,
        ),
        // A read that waits a whole budget after the last byte must run past
        // the budget by more than GRACE, and the silence must start before
        // the deadline, or such a read ends on time. The last byte comes
        // 140 ms after the first (more when a loaded machine slows the
        // drip), so both hold while the check's clock starts between 110 ms
        // before the first byte and 60 ms after it. (At 7 bytes and a budget
        // of 150 ms that was 30 ms before and 40 ms after, and 16 busy loops
        // beat it in 3 runs in a row, once in 5.)
        (
            Server::DripThenSilence(8),
            "8 bytes in 160 ms, then silence; 15 bytes",
            WANTED,
            ms(250),
            Expect::Timeout,
        ),
    ];
    for (server, what, wanted, budget, expected) in cases {
        let case = format!("{what}, budget {} ms", budget.as_millis());
        let limit = budget + GRACE;
        let run = || {
            against(server, read, wanted, budget, limit)
                .map_err(|e| format!("setting up {case}: {e}"))
        };
        // A read that timed out at its budget where the bytes were due
        // well before it was held up with the peer (a stopped or loaded
        // machine), as much as one that came back past its limit; and one
        // that a stop and continue cut short, as much as a late one.
        let late = |ran: &Result<Option<Ran>, String>| match ran {
            Ok(Some((result, _, took, _))) => {
                *took > limit
                    || (out_of_time(result) && wants_bytes(expected) && *took + EARLY >= budget)
                    || result
                        .as_ref()
                        .is_err_and(|error| error.kind() == ErrorKind::Interrupted)
            }
            Ok(None) => true,
            Err(_) => false,
        };
        let ran = common::unless_late(run, late)?;
        let Some((result, buf, took, blocks)) = ran else {
            return Err(format!(
                "{case}: expected read_exact_within to return within its budget (at most {} ms on a loaded machine), but it had not returned after {} ms",
                limit.as_millis(),
                limit.as_millis()
            ));
        };
        let ms = took.as_millis();
        let timed_out = out_of_time(&result);
        match (expected, result) {
            (_, Err(error)) if error.kind() == ErrorKind::Interrupted => {
                return Err(format!(
                    "{case}: got Interrupted after {ms} ms on every run: on Linux a stop and continue (Ctrl-Z, then fg) cuts a read under a timeout short; read again with what is left of the budget"
                ));
            }
            (Expect::Filled(want), Ok(())) => {
                if buf != want {
                    return Err(format!(
                        "{case}: expected the buffer filled with {}, got {}",
                        common::show(want),
                        common::show(&buf)
                    ));
                }
            }
            (Expect::Filled(_), Err(error)) if timed_out && took + EARLY >= budget => {
                return Err(format!(
                    "{case}: expected Ok with the buffer filled, got {:?} after {ms} ms, at the end of the budget, on every run: the bytes come well within it, so the read took too long for them (or the machine held the peer up every time)",
                    error.kind()
                ));
            }
            (Expect::Filled(_), Err(error)) => {
                return Err(format!(
                    "{case}: expected Ok with the buffer filled, got {:?} after {ms} ms",
                    error.kind()
                ));
            }
            (Expect::Error(kind), Err(error)) if error.kind() == kind => {}
            (Expect::Error(kind), Err(error)) => {
                return Err(format!(
                    "{case}: expected the error {kind:?} at once, got {:?} after {ms} ms",
                    error.kind()
                ));
            }
            (Expect::Error(kind), Ok(())) => {
                return Err(format!("{case}: expected the error {kind:?}, got Ok"));
            }
            (Expect::Timeout, Ok(())) => {
                return Err(format!(
                    "{case}: expected a timeout at {} ms, but the read finished after {ms} ms",
                    budget.as_millis()
                ));
            }
            (Expect::Timeout, Err(error))
                if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
            {
                if took + EARLY < budget {
                    return Err(format!(
                        "{case}: expected a timeout at {} ms, but it gave up after {ms} ms, before the budget was spent",
                        budget.as_millis()
                    ));
                }
                if took > budget + GRACE {
                    return Err(format!(
                        "{case}: expected a timeout at {} ms (at most {} ms on a loaded machine), but it took {ms} ms",
                        budget.as_millis(),
                        (budget + GRACE).as_millis()
                    ));
                }
                if !blocks {
                    return Err(format!(
                        "{case}: the timeout came on time, but the socket no longer blocks: a read after it returned at once; wait with read timeouts, do not poll a non-blocking socket"
                    ));
                }
            }
            (Expect::Timeout, Err(error)) => {
                return Err(format!(
                    "{case}: expected a timeout (WouldBlock or TimedOut) at {} ms, got {:?} after {ms} ms: {error}",
                    budget.as_millis(),
                    error.kind()
                ));
            }
        }
    }
    Ok(())
}
