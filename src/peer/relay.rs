//! The lab peer as a relay: between your own client and your own server, it
//! copies bytes both ways, and the script chooses what goes wrong.
//!
//! ```text
//!  your client            relay (script: flaky:1)              your server
//!    | -- connect ------------> |                                    |
//!    | -- request ------------> |  the first connection: the request |
//!    | <----------------- RST - |  is left unread, the server never  |
//!    |                          |  hears of it                       |
//!    | -- connect ------------> | -- connect ---------------------> |
//!    | -- request ------------> | -- request ---------------------> |
//!    | <------------ answer --- | <--------------------- answer --- |
//! ```
//!
//! Each relayed connection takes two threads: the connection's own copies
//! the answer from the upstream to the client (`downward`), and a second
//! one, joined before the first returns, copies the request from the client
//! to the upstream (`upward`). Every blocking call lasts at most a TICK,
//! and both stop when the connection is over, when the peer stops, when the
//! slot goes to a newcomer, or after the peer's idle limit.
//!
//! # Which resets are real, and why
//!
//! Std has no stable way to ask for an RST (`set_linger` is unstable,
//! rust-lang/rust#88494), and the crate has no unsafe code. The one way
//! left is the kernel's own rule: closing a socket whose received bytes are
//! still unread sends an RST instead of a FIN (RFC 1122, 4.2.2.13, and
//! Linux's `tcp_close`; `docs/facts.md`). So the relay passes on what it
//! has only *peeked* at, and reads the client's bytes out of the queue
//! later:
//!
//! - `reset`, `flaky:N` (its first N connections), `idle-reset` and
//!   `reset-after` leave a byte of the client's unread until they close,
//!   so the client always sees `ConnectionReset`, provided it has sent at
//!   least one byte. A client that never sends anything (one whose server
//!   speaks first) cannot be reset: it reads the end of the stream.
//! - The upstream's own reset is passed on as an RST when it comes within
//!   `HOLD` (200 ms) of the client's last bytes: the relay keeps the
//!   newest byte unread that long, then reads it, so that a close after a
//!   healthy exchange is a FIN. A server that crashes right after the
//!   request (the lab peer's `reset`, say) is within it; a reset that comes
//!   later reaches the client as the end of the stream, `Ok(0)`.
//! - While a byte is kept unread, the client's FIN behind it cannot be
//!   seen: the relay passes a half-close on up to `HOLD` late, and under
//!   `reset-after`, which keeps a byte for its reset, only once the
//!   upstream has closed its side (then no reset can come).

use std::io::{self, Read};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use super::script::{Millis, Script};
use super::serve::{self, CHUNK, Conn, Got, Limits, TICK};
use crate::errno::{self, Platform};
use crate::except;
use crate::failure::Failure;
use crate::timeout;

/// How long a relay waits for the upstream to accept each connection.
///
/// It is the one wait of the peer longer than a TICK: a peer dropped while
/// it is connecting to an upstream that does not answer takes up to this
/// long to stop.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How long the relay keeps the client's newest byte unread after passing
/// it on, so that an upstream that resets soon after a request is passed
/// on as an RST.
///
/// A crashing server resets within microseconds on loopback; the margin is
/// for a loaded machine, where the threads on both sides may wait their
/// turn for a CPU.
const HOLD: Duration = Duration::from_millis(200);

/// How often the upward thread looks for new bytes while it keeps one
/// unread: a peek then returns at once, so the thread sleeps between looks
/// instead of spinning.
const POLL: Duration = Duration::from_millis(10);

/// Relays one connection to `upstream` according to `script`, and returns
/// its narration line.
///
/// `index` counts connections from 1 in the order the peer accepted them;
/// `flaky:N` uses it to reset the first N.
pub(super) fn relay(
    stream: TcpStream,
    script: Script,
    index: usize,
    limits: &Limits,
    upstream: SocketAddr,
) -> String {
    let what = match Conn::new(stream, limits) {
        Err(error) => format!(
            "the client's socket failed at once ({}); closed it",
            except::narrate(&error)
        ),
        Ok(client) => match script {
            Script::Reset => reset_before_upstream(client),
            Script::Flaky(resets) if index <= resets as usize => reset_before_upstream(client),
            // Every other script passes through, changed as it says.
            // `close`, `hello-reset`, `heartbeat` and `silent-after` never
            // come here: `Peer::start_with` refuses them in a relay.
            _ => match timeout::connect(upstream, CONNECT_TIMEOUT)
                .and_then(|stream| Conn::new(stream, limits))
            {
                Ok(server) => pass(client, server, script, limits),
                Err(error) => upstream_unreachable(client, upstream, &error),
            },
        },
    };
    format!("connection {index} ({script}): {what}")
}

/// What the client will have seen at the end of its connection.
enum Sees {
    /// An RST: `ConnectionReset`.
    Reset,
    /// A FIN: the end of the stream.
    End,
    /// No answer, and no error until the relay's idle limit.
    Silence,
    /// Nothing more: it had gone first.
    Gone,
}

impl std::fmt::Display for Sees {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Sees::Reset => write!(f, "the client sees {}", except::narrate(&reset_error())),
            Sees::End => f.write_str(
                "the client reads to the end of the stream, Ok(0): no error (in Python, recv returns b'')",
            ),
            Sees::Silence => f.write_str(
                "the client sees no answer and no error: only its own timeout ends the wait",
            ),
            Sees::Gone => f.write_str("the client had gone already"),
        }
    }
}

/// The error a reset gives the client on this platform: ECONNRESET with its
/// number here, so that the narration names it as an example would.
fn reset_error() -> io::Error {
    let here = Platform::current()
        .zip(errno::by_name("ECONNRESET"))
        .and_then(|(platform, reset)| reset.number(platform));
    match here {
        Some(number) => io::Error::from_raw_os_error(number),
        // A platform the table does not know: the kind alone.
        None => io::Error::from(io::ErrorKind::ConnectionReset),
    }
}

/// `reset` and the first N connections of `flaky:N`: the client is reset
/// when its first bytes arrive, and the upstream never hears of it.
fn reset_before_upstream(client: Conn) -> String {
    match serve::reset(client) {
        Got::Data(_) => format!(
            "reset the client when its first bytes arrived, leaving them unread; \
             the upstream was not contacted; {}",
            Sees::Reset
        ),
        Got::Closed => format!(
            "the client closed before sending anything, so nothing was left unread \
             and the close was a FIN; {}",
            Sees::End
        ),
        Got::Broken(error) => format!(
            "the client's side failed first ({}); {}",
            except::narrate(&error),
            Sees::Gone
        ),
        Got::Quiet | Got::Done => format!(
            "the client sent nothing before the peer's idle limit or its stop: closed it; {}",
            Sees::End
        ),
    }
}

/// A refused or dead upstream: the client is closed at once, and the line
/// says why.
fn upstream_unreachable(mut client: Conn, upstream: SocketAddr, error: &io::Error) -> String {
    // Out of descriptors or of local ports (EMFILE, EADDRNOTAVAIL), the
    // trouble is this peer's own and passes: the client is told, as the cap
    // tells it, instead of meeting a close it cannot explain.
    let busy = matches!(Failure::of(error), Failure::Other | Failure::NoLocalAddress);
    if busy {
        let line = format!(
            "busy: could not open a connection to the upstream ({error}); try again later\n"
        );
        client.send(line.as_bytes());
    }
    // The FIN goes first, then what the client has sent is read and thrown
    // away, so that the close adds no RST: the client reads the end of the
    // stream, as from a server that closed at once.
    let _ = client.stream.shutdown(Shutdown::Write);
    client.drain();
    format!(
        "could not connect to the upstream {upstream}: {}; {}closed the client; {}",
        except::narrate(error),
        if busy { "sent the busy line, " } else { "" },
        Sees::End
    )
}

/// What the two directions of one relayed connection share.
#[derive(Default)]
struct Link {
    /// The connection is over: both directions stop.
    over: AtomicBool,
    /// Set before `over` when the close must reset the client: the upward
    /// thread then leaves the byte it keeps unread.
    reset_client: AtomicBool,
    /// Set when the upstream has closed before `reset-after` reached its
    /// count: no reset can come any more, so the upward thread keeps its
    /// byte only `HOLD` long, and can then see the client's FIN.
    no_reset_to_come: AtomicBool,
}

impl Link {
    /// Ends the connection, resetting the client or not.
    fn end(&self, reset_client: bool) {
        if reset_client {
            self.reset_client.store(true, Ordering::SeqCst);
        }
        self.over.store(true, Ordering::SeqCst);
    }

    fn is_over(&self) -> bool {
        self.over.load(Ordering::SeqCst)
    }

    fn resets_client(&self) -> bool {
        self.reset_client.load(Ordering::SeqCst)
    }

    /// How long the upward thread keeps a byte now.
    fn keep(&self, keep: Keep) -> Keep {
        if self.no_reset_to_come.load(Ordering::SeqCst) {
            Keep::Briefly
        } else {
            keep
        }
    }
}

/// How long the upward thread keeps the client's newest byte unread.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// For `HOLD` after it was passed on.
    Briefly,
    /// Until the connection ends (`reset-after`).
    ToTheEnd,
}

/// How the upward direction ended.
enum UpEnd {
    /// The client closed its side; the FIN was passed on upstream.
    ClientClosed,
    /// The client's side failed (it reset the connection, say).
    ClientBroken(io::Error),
    /// A send to the upstream failed: its connection is gone.
    UpstreamGone,
    /// The connection was over, or the peer was done with it.
    Stopped,
}

/// What the upward direction did.
struct Up {
    end: UpEnd,
    /// Bytes passed on to the upstream.
    bytes: u64,
    /// Whether a byte of the client's was still unread when it returned:
    /// only then does the close reset the client.
    kept: bool,
}

/// How the downward direction ended.
enum Down {
    /// The upstream closed its side (FIN), passed on to the client.
    UpstreamClosed,
    /// The upstream's side failed: its reset, say.
    UpstreamBroken(io::Error),
    /// `reset-after`: the count was passed and more of the answer came.
    CountReached,
    /// `idle-close` or `idle-reset`: nothing moved for this long.
    Idle(Millis),
    /// A send to the client failed: it has gone.
    ClientGone,
    /// The upward direction ended the connection.
    Over,
    /// The peer is done with the connection: its idle limit, its stop, or
    /// the slot given to a newcomer.
    Done,
}

/// What the downward direction moved.
#[derive(Default)]
struct Answer {
    /// Bytes of the answer passed on to the client.
    passed: u64,
    /// Bytes of the answer read and thrown away (`stall`).
    thrown: u64,
}

/// Relays one connection whose upstream is connected, and narrates it.
fn pass(mut client: Conn, mut server: Conn, script: Script, limits: &Limits) -> String {
    let (reader, writer) = (client.share(), server.share());
    let link = Link::default();
    let keep = match script {
        Script::ResetAfter(_) => Keep::ToTheEnd,
        _ => Keep::Briefly,
    };
    let stall = script == Script::Stall;
    let mut answer = Answer::default();
    thread::scope(|scope| {
        let link = &link;
        let spawned = thread::Builder::new()
            .name(format!("peer {script} upward"))
            .spawn_scoped(scope, move || {
                upward(reader, writer, link, keep, stall, limits)
            });
        let handle = match spawned {
            Ok(handle) => handle,
            Err(error) => {
                return format!(
                    "could not start the upward thread ({}); closed both; {}",
                    except::narrate(&error),
                    Sees::End
                );
            }
        };
        let down = downward(&mut server, &mut client, link, script, limits, &mut answer);
        // After the upstream's FIN, the client may still send: the upward
        // thread runs on until the client closes too. Any other end is the
        // end of both directions.
        match down {
            Down::UpstreamClosed => link.no_reset_to_come.store(true, Ordering::SeqCst),
            Down::UpstreamBroken(_) | Down::CountReached => link.end(true),
            _ => link.end(false),
        }
        // The upward thread ends within a TICK of `over`, or by the idle
        // limit. It cannot panic by design; if it did, say nothing was kept.
        let up = handle.join().unwrap_or(Up {
            end: UpEnd::Stopped,
            bytes: 0,
            kept: false,
        });
        let (did, sees) = finish(down, &up, script, client, server, &answer);
        format!(
            "relayed {} bytes up and {} down; {did}; {sees}",
            up.bytes, answer.passed
        )
    })
}

/// What happened at the end, in words, and what the client will have seen;
/// it also does what `idle-close` and `idle-reset` do after the idle time.
fn finish(
    down: Down,
    up: &Up,
    script: Script,
    client: Conn,
    server: Conn,
    answer: &Answer,
) -> (String, Sees) {
    // The reset reaches the client only if a byte of its was left unread.
    let reset_or_end = |did: String| {
        if up.kept {
            (did, Sees::Reset)
        } else {
            (
                format!(
                    "{did}, but no byte of the client's was left unread, so the close was a FIN"
                ),
                Sees::End,
            )
        }
    };
    if let (Script::Stall, UpEnd::ClientBroken(error)) = (script, &up.end) {
        let did = format!(
            "the client's side failed first ({})",
            except::narrate(error)
        );
        return (did, Sees::Gone);
    }
    if script == Script::Stall {
        let did = format!(
            "stalled: threw away {} bytes of the answer and kept the client waiting until the peer's idle limit or its stop",
            answer.thrown
        );
        return (did, Sees::Silence);
    }
    match down {
        Down::UpstreamClosed => (
            "the upstream closed its side (FIN), and the relay passed it on".to_string(),
            Sees::End,
        ),
        Down::UpstreamBroken(error) => reset_or_end(format!(
            "the upstream's side failed ({}), passed on by resetting the client",
            except::narrate(&error)
        )),
        Down::CountReached => {
            reset_or_end(format!("reset the client after {} bytes of the answer", answer.passed))
        }
        Down::Idle(idle) => after_idle(script, idle, client, server),
        Down::ClientGone => ("a send to the client failed".to_string(), Sees::Gone),
        Down::Over => match &up.end {
            UpEnd::ClientBroken(error) => (
                format!("the client's side failed first ({})", except::narrate(error)),
                Sees::Gone,
            ),
            UpEnd::UpstreamGone => reset_or_end(
                "a send to the upstream failed (its connection is gone), passed on by resetting the client"
                    .to_string(),
            ),
            UpEnd::ClientClosed | UpEnd::Stopped => done(),
        },
        Down::Done => done(),
    }
}

/// What `idle-close` and `idle-reset` do once nothing has moved for `idle`,
/// in words, and what the client will have seen.
fn after_idle(script: Script, idle: Millis, mut client: Conn, server: Conn) -> (String, Sees) {
    if let Script::IdleReset(_) = script {
        // The flow is forgotten: the upstream is closed now, and the
        // client's next bytes are left unread, so closing resets it.
        drop(server);
        let did = format!(
            "nothing moved for {} ms: closed the upstream",
            idle.as_millis()
        );
        return match serve::reset(client) {
            Got::Data(_) => (
                format!("{did}, then reset the client when its next bytes arrived"),
                Sees::Reset,
            ),
            Got::Broken(_) => (format!("{did}; the client's side failed"), Sees::Gone),
            Got::Closed | Got::Quiet | Got::Done => (
                format!("{did}; the client sent nothing more, so it was closed (FIN)"),
                Sees::End,
            ),
        };
    }
    // A FIN, and what the client sent meanwhile read, so that the close is
    // a polite one, as a keep-alive timeout's is.
    let _ = client.stream.shutdown(Shutdown::Write);
    client.drain();
    let did = format!(
        "nothing moved for {} ms: closed the client (FIN) and the upstream",
        idle.as_millis()
    );
    (did, Sees::End)
}

/// The narration of a connection the peer was done with.
fn done() -> (String, Sees) {
    (
        "the peer's idle limit passed, or it stopped or gave the slot to a newcomer: closed both"
            .to_string(),
        Sees::End,
    )
}

/// Copies the answer from the upstream to the client, as the script says,
/// until one side closes or fails, or the connection is over or done.
fn downward(
    server: &mut Conn,
    client: &mut Conn,
    link: &Link,
    script: Script,
    limits: &Limits,
    answer: &mut Answer,
) -> Down {
    let mut buf = [0u8; CHUNK];
    let (count, idle, drip) = match script {
        Script::ResetAfter(count) => (Some(u64::from(count)), None, None),
        Script::IdleClose(idle) | Script::IdleReset(idle) => (None, Some(idle), None),
        Script::Drip(interval) => (None, None, Some(interval)),
        _ => (None, None, None),
    };
    let stall = script == Script::Stall;
    // Each pass waits at most a TICK, so the loop ends within a TICK of the
    // connection being over or done, which the idle limit makes true in the
    // end.
    loop {
        if link.is_over() {
            return Down::Over;
        }
        let now = Instant::now();
        let Some(mut deadline) = now.checked_add(TICK) else {
            return Down::Done;
        };
        if let Some(idle) = idle {
            // Idleness counts from the last byte that moved either way.
            let Some(expires) = limits.last_moved().checked_add(idle.as_duration()) else {
                return Down::Done;
            };
            if now >= expires {
                return Down::Idle(idle);
            }
            deadline = deadline.min(expires);
        }
        // Read no more than may still pass, and at least one byte: under
        // `reset-after`, one more byte of the answer after the count is what
        // triggers the reset.
        let room = count.map(|count| count.saturating_sub(answer.passed));
        let want = room.map_or(CHUNK, |room| {
            usize::try_from(room).unwrap_or(CHUNK).clamp(1, CHUNK)
        });
        // `want` is at most CHUNK, the buffer's length, and `n` at most `want`.
        match server.receive(&mut buf[..want], Some(deadline), false) {
            Got::Data(_) if room == Some(0) => return Down::CountReached,
            Got::Data(n) if stall => answer.thrown += n as u64,
            Got::Data(n) => {
                let sent = match drip {
                    Some(interval) => drip_out(client, link, &buf[..n], interval, answer),
                    None => {
                        let sent = client.send(&buf[..n]);
                        if sent {
                            answer.passed += n as u64;
                        }
                        sent
                    }
                };
                if !sent {
                    if client.done() {
                        return Down::Done;
                    }
                    if link.is_over() {
                        return Down::Over;
                    }
                    return Down::ClientGone;
                }
            }
            // A hung server does not pass its end on: the client goes on
            // waiting, as it would for the stalled answer.
            Got::Closed | Got::Broken(_) if stall => {
                wait(client, link, None);
                return Down::Done;
            }
            Got::Closed => {
                let _ = client.stream.shutdown(Shutdown::Write);
                return Down::UpstreamClosed;
            }
            Got::Broken(error) => return Down::UpstreamBroken(error),
            Got::Quiet => {}
            Got::Done => return Down::Done,
        }
    }
}

/// Sends `bytes` to the client one per `interval`, counting each in
/// `answer` as it goes; false if the client or the connection went first.
fn drip_out(
    client: &mut Conn,
    link: &Link,
    bytes: &[u8],
    interval: Millis,
    answer: &mut Answer,
) -> bool {
    // One byte per pass, so the loop ends with `bytes`, at most one CHUNK:
    // the rest of the answer waits in the upstream's socket meanwhile.
    for byte in bytes {
        let Some(deadline) = Instant::now().checked_add(interval.as_duration()) else {
            return false;
        };
        if !wait(client, link, Some(deadline)) || !client.send(&[*byte]) {
            return false;
        }
        answer.passed += 1;
    }
    true
}

/// Waits without reading until `deadline`, or with none until the
/// connection is over or done, in steps of at most TICK.
/// Returns false if the connection is over or done.
fn wait(conn: &Conn, link: &Link, deadline: Option<Instant>) -> bool {
    // Each step sleeps at most a TICK, and the loop ends by the deadline or
    // within a TICK of the connection's end, which the idle limit makes
    // come in the end.
    loop {
        if link.is_over() {
            return false;
        }
        let Some(step) = Instant::now().checked_add(TICK) else {
            return false;
        };
        let until = deadline.map_or(step, |deadline| deadline.min(step));
        if !conn.pause(Some(until)) {
            return false;
        }
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            return true;
        }
    }
}

/// Copies the request from the client to the upstream, passing on what it
/// peeks at and reading it out of the client's queue only later, so that
/// closing can still reset the client (see the module's doc).
fn upward(
    mut client: Conn,
    mut server: Conn,
    link: &Link,
    keep: Keep,
    stall: bool,
    limits: &Limits,
) -> Up {
    let mut buf = [0u8; CHUNK];
    let mut bytes: u64 = 0;
    // When the byte at the head of the client's queue, already passed on,
    // began to be kept unread; None while nothing is kept.
    let mut kept: Option<Instant> = None;
    // Each pass waits at most a TICK (a POLL while a byte is kept), so the
    // loop ends within a TICK of the connection being over or done, which
    // the idle limit makes true in the end.
    let end = loop {
        if link.is_over() {
            break UpEnd::Stopped;
        }
        let got = if kept.is_some() {
            // The kept byte is there, so a peek returns at once. It is not a
            // new byte, so it does not count as a byte moving.
            match client.stream.peek(&mut buf) {
                Ok(0) => Got::Closed,
                Ok(n) => Got::Data(n),
                Err(error) if serve::is_wait(&error) => Got::Quiet,
                Err(error) => Got::Broken(error),
            }
        } else {
            match Instant::now().checked_add(TICK) {
                Some(deadline) => client.receive(&mut buf, Some(deadline), true),
                None => Got::Done,
            }
        };
        match got {
            Got::Data(n) => {
                let old = usize::from(kept.is_some());
                if n > old {
                    // New bytes behind the kept one; `n` is at most CHUNK,
                    // the buffer's length.
                    if !server.send(&buf[old..n]) {
                        if server.done() {
                            break UpEnd::Stopped;
                        }
                        // The bytes just peeked are still unread, so closing
                        // resets the client.
                        link.end(true);
                        return Up {
                            end: UpEnd::UpstreamGone,
                            bytes,
                            kept: true,
                        };
                    }
                    bytes += (n - old) as u64;
                    // Read out everything passed on but the newest byte,
                    // which stays in the queue. Bytes already queued are
                    // read at once.
                    if let Err(error) = (&*client.stream).read_exact(&mut buf[..n - 1]) {
                        link.end(false);
                        break UpEnd::ClientBroken(error);
                    }
                    kept = Some(Instant::now());
                } else if link.keep(keep) == Keep::Briefly
                    && kept.is_some_and(|since| since.elapsed() >= HOLD)
                {
                    // Nothing came back as a reset within HOLD: read the
                    // kept byte, so that a FIN behind it can be seen.
                    if let Err(error) = (&*client.stream).read_exact(&mut buf[..1]) {
                        link.end(false);
                        break UpEnd::ClientBroken(error);
                    }
                    kept = None;
                } else if !client.pause(Instant::now().checked_add(POLL)) {
                    break UpEnd::Stopped;
                }
            }
            Got::Closed => {
                // The client's half-close, passed on.
                let _ = server.stream.shutdown(Shutdown::Write);
                if stall {
                    // A stalled connection stays open after the client's
                    // FIN, as `stall` keeps it: its slot may go to a
                    // newcomer.
                    limits.client_gone();
                }
                break UpEnd::ClientClosed;
            }
            Got::Broken(error) => {
                link.end(false);
                break UpEnd::ClientBroken(error);
            }
            Got::Quiet => {}
            Got::Done => break UpEnd::Stopped,
        }
    };
    // Unless the client is to be reset, read the kept byte, so that the
    // close is a FIN.
    if kept.is_some()
        && !link.resets_client()
        && (&*client.stream).read_exact(&mut buf[..1]).is_ok()
    {
        kept = None;
    }
    Up {
        end,
        bytes,
        kept: kept.is_some(),
    }
}
