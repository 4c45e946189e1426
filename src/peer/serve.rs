//! How the lab peer serves one connection under each script.
//!
//! Every blocking call lasts at most a TICK (see `conn`), so that a
//! connection ends within a TICK of the peer stopping, of its slot going to
//! a newcomer, or of its idle limit.

use std::io::Read;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use super::conn::{CHUNK, Conn, Got, Limits, TICK};
use super::dice::Dice;
use super::script::{Script, ScriptTime, Way};
use super::shape::{self, Shape};
use crate::line::{self, LineBuffer, PING, PONG};

/// The line `hello-reset` sends before it resets the connection.
pub const GREETING: &[u8] = b"hello\n";

/// The byte `drip` sends every interval.
pub const DRIP_BYTE: u8 = b'.';

/// Serves one connection according to `script`.
///
/// `visit` is the connection's number among those from its client's
/// address, from 1, or None if the peer had no room to count it
/// (`MAX_ADDRESSES`); `flaky:N` resets the first N from each address.
/// `dice` draws `latency`'s jitter.
pub(super) fn serve(
    stream: TcpStream,
    script: Script,
    visit: Option<u32>,
    limits: &Limits,
    dice: Dice,
) {
    let Ok(mut conn) = Conn::new(stream, limits) else {
        return;
    };
    match script {
        Script::Echo | Script::Down(_) => echo(&mut conn),
        // `@request` needs an upstream (`Peer::start_with` refuses it
        // here), so these shape the echo's answer.
        Script::Latency { .. }
        | Script::Slicer { .. }
        | Script::Truncate { .. }
        | Script::SlowClose { .. } => shaped_echo(&mut conn, Shape::of(script, Way::Answer), dice),
        // Without an upstream there is no answer to count (`Peer::start_with`
        // refuses it): reset before the first byte of one.
        Script::Reset | Script::ResetAfter(_) => {
            reset(conn);
        }
        Script::Close => close(conn),
        Script::HelloReset => answer_then_reset(conn),
        Script::Stall => stall(&mut conn),
        Script::Drip(interval) => drip(&mut conn, interval),
        Script::Flaky(_) if script.resets_visit(visit) => {
            reset(conn);
        }
        Script::Flaky(_) => echo(&mut conn),
        Script::Heartbeat => heartbeat(&mut conn, None),
        Script::SilentAfter(answers) => heartbeat(&mut conn, Some(answers)),
        Script::IdleClose(idle) => idle_then(conn, idle, false),
        Script::IdleReset(idle) => idle_then(conn, idle, true),
    }
}

/// `idle-close` and `idle-reset`: serves request lines until the
/// connection has been idle for `idle`, then closes it politely, or, with
/// `reset`, answers the next request with an RST.
fn idle_then(mut conn: Conn, idle: ScriptTime, reset_next: bool) {
    if keep_alive(&mut conn, idle) != Idle::Expired {
        return;
    }
    if reset_next {
        // The flow is forgotten: the next request is not read, and closing
        // with it unread sends the RST.
        reset(conn);
    } else {
        // A request that came too late is read and thrown away, so that
        // nothing is left unread and closing sends a FIN: the polite close
        // of a keep-alive timeout.
        conn.drain();
    }
}

fn echo(conn: &mut Conn) {
    let mut buf = [0u8; CHUNK];
    while let Got::Data(n) = conn.receive(&mut buf, None, false) {
        if !conn.send(&buf[..n]) {
            return;
        }
    }
}

/// Echoes every byte, shaped as `shape` says: late, in slices, cut short
/// with a FIN once `truncate`'s count has passed and more comes, or with
/// the close `slow-close` late after the client's FIN.
fn shaped_echo(conn: &mut Conn, shape: Shape, mut dice: Dice) {
    // Nothing else ends an echo early: the connection's own limits do.
    let over = AtomicBool::new(false);
    let mut buf = [0u8; CHUNK];
    let mut echoed: u64 = 0;
    // Each pass waits at most a TICK (see `conn`), and the loop ends when
    // the client goes or the peer is done with the connection.
    loop {
        let n = match conn.receive(&mut buf, None, false) {
            Got::Data(n) => n,
            Got::Closed => {
                if let Shape::SlowClose(delay) = shape {
                    let deadline = Instant::now().checked_add(delay.as_duration());
                    let _ = deadline.is_some() && shape::wait(conn, &over, deadline);
                }
                return;
            }
            Got::Broken(_) | Got::Quiet | Got::Done => return,
        };
        // No more than the count lets pass; `n` is at most CHUNK.
        let room = shape
            .room(echoed)
            .map_or(n, |room| n.min(usize::try_from(room).unwrap_or(n)));
        let sent = shape::send(
            conn,
            &over,
            (&buf[..room], Instant::now()),
            shape,
            &mut dice,
        );
        echoed += sent as u64;
        if sent < room {
            return;
        }
        if room < n {
            // More came than the count lets pass: the FIN, and what the
            // client sent read, so that the close adds no RST.
            let _ = conn.stream.shutdown(Shutdown::Write);
            conn.drain();
            return;
        }
    }
}

/// Resets the connection once the client's first bytes have arrived, and
/// returns what the wait for them ended with: only after `Got::Data` is the
/// close an RST.
pub(super) fn reset(mut conn: Conn) -> Got {
    // Wait until at least one of the client's bytes has arrived, and leave it
    // unread: peeking does not take it out of the receive queue.
    let mut probe = [0u8; 1];
    let got = conn.receive(&mut probe, None, true);
    // Closing a socket whose receive queue still holds data makes the kernel
    // abort the connection with an RST instead of a FIN: RFC 1122, 4.2.2.13,
    // says a TCP SHOULD do so "to show that data was lost". Linux does it in
    // `tcp_close`, and macOS in `tcp_disconnect`; FreeBSD flushes the data
    // and sends a FIN (`Script::caveat`; `docs/facts.md`, "Platforms").
    // That RST is what the client's next call reports as ConnectionReset.
    drop(conn);
    got
}

/// `hello-reset`, a server that answers and then resets: it waits for the
/// request and leaves it unread, answers with the greeting, and closes; the
/// unread request turns the close into an RST, which reaches the client
/// after the greeting.
fn answer_then_reset(mut conn: Conn) {
    let mut probe = [0u8; 1];
    if let Got::Data(_) = conn.receive(&mut probe, None, true) {
        conn.send(GREETING);
    }
    drop(conn);
}

fn close(mut conn: Conn) {
    let mut probe = [0u8; 1];
    if let Got::Data(_) = conn.receive(&mut probe, None, true) {
        // Read the request, so that nothing is left unread: closing with
        // unread data would be an RST, not the polite FIN this script is for.
        conn.drain();
    }
    // The FIN goes out now, whatever happens next. A client that is still
    // sending after DRAIN_TIME leaves data unread, and the close below then
    // adds an RST; but its FIN came first, so the client reads the end of
    // the stream, Ok(0), as it should.
    let _ = conn.stream.shutdown(Shutdown::Write);
    drop(conn);
}

fn stall(conn: &mut Conn) {
    // Read and throw away everything, so the client's writes never block,
    // and never answer.
    let mut scratch = [0u8; CHUNK];
    let mut end = conn.receive(&mut scratch, None, false);
    while let Got::Data(_) = end {
        end = conn.receive(&mut scratch, None, false);
    }
    // A hung server does not react to the client's FIN: the connection stays
    // open and silent, so a client that only half-closed still waits for
    // its own timeout. It stays until the idle limit, or until a newcomer
    // needs its slot: a client that has closed completely cannot tell.
    // After a reset, or once the peer is done, it closes at once.
    if let Got::Closed = end {
        conn.limits().client_gone();
        conn.pause(None);
    }
}

fn drip(conn: &mut Conn, interval: ScriptTime) {
    let interval = interval.as_duration();
    let mut drained = Instant::now();
    // Runs until a send fails (the client has gone) or the peer is done with
    // the connection.
    loop {
        let Some(deadline) = Instant::now().checked_add(interval) else {
            return;
        };
        // Sleep out the interval: a sleep keeps time to a fraction of a
        // millisecond, where a socket timeout could end a kernel tick late.
        if !conn.pause(Some(deadline)) {
            return;
        }
        // Throw away what the client sent meanwhile, so that its writes
        // never block on a full buffer: once a TICK is enough for that, and
        // costs three system calls less per byte at a fast drip.
        if drained.elapsed() >= TICK {
            conn.drain();
            drained = Instant::now();
        }
        // A slow peer goes on sending after the client's half-close; if the
        // client has closed completely, the send fails and the drip ends.
        if !conn.send(&[DRIP_BYTE]) {
            return;
        }
    }
}

/// How [`keep_alive`] stopped serving requests.
#[derive(PartialEq, Eq)]
enum Idle {
    /// The connection sat idle for the whole idle time.
    Expired,
    /// The client went, or the peer is stopping.
    Over,
}

/// Answers each request line with the same line, until the connection has
/// been idle for `idle` (no byte from the client since the last answer).
///
/// Idleness is judged when the next bytes arrive, by the clock, as well as
/// by a timer: a request that comes after `idle` is never answered, even if
/// this thread was slow to notice the time.
fn keep_alive(conn: &mut Conn, idle: ScriptTime) -> Idle {
    let idle = idle.as_duration();
    let mut lines = LineBuffer::default();
    let mut buf = [0u8; 256];
    let mut last = Instant::now();
    // Each pass waits at most until the idle deadline, so the loop ends at
    // the latest when the connection has been idle that long.
    loop {
        let Some(deadline) = last.checked_add(idle) else {
            return Idle::Over;
        };
        // Peek, so that a request that comes too late stays unread.
        let n = match conn.receive(&mut buf, Some(deadline), true) {
            Got::Data(n) => n,
            Got::Quiet => return Idle::Expired,
            Got::Closed | Got::Broken(_) | Got::Done => return Idle::Over,
        };
        if Instant::now() >= deadline {
            return Idle::Expired;
        }
        // Take the bytes that were only peeked at. A read of bytes already
        // queued does not wait, and cannot return fewer than were peeked.
        if (&*conn.stream).read_exact(&mut buf[..n]).is_err() || lines.push(&buf[..n]).is_err() {
            return Idle::Over;
        }
        // Each pass answers one buffered line; the buffer is capped.
        loop {
            match lines.next_line() {
                Ok(Some(request)) => {
                    if !conn.send(&line::with_newline(&request)) {
                        return Idle::Over;
                    }
                    last = Instant::now();
                }
                Ok(None) => break,
                Err(_) => return Idle::Over,
            }
        }
    }
}

/// Answers `PING` lines with `PONG`, at most `answers` times if that is set;
/// after that it keeps reading but says nothing, like a hung application.
fn heartbeat(conn: &mut Conn, answers: Option<u32>) {
    let mut lines = LineBuffer::default();
    let mut answered: u32 = 0;
    let mut buf = [0u8; 256];
    while let Got::Data(n) = conn.receive(&mut buf, None, false) {
        // A line longer than the cap is a broken or hostile client: hang up
        // rather than buffer it.
        if lines.push(&buf[..n]).is_err() {
            return;
        }
        // Each pass takes one line out of a buffer of a few hundred bytes.
        loop {
            match lines.next_line() {
                Ok(Some(line)) => {
                    let may_answer = answers.is_none_or(|limit| answered < limit);
                    if line == PING && may_answer {
                        answered = answered.saturating_add(1);
                        if !conn.send(&line::with_newline(PONG)) {
                            return;
                        }
                    }
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
}
