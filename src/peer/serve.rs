//! How the lab peer serves one connection under each script.
//!
//! Every blocking call here lasts at most [`TICK`], and every loop asks
//! [`Conn::done`] between calls, so that a connection ends within a TICK of
//! the peer stopping, of its slot going to a newcomer, or of its idle limit.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::script::{Millis, Script};
use crate::failure::Failure;
use crate::line::{self, LineBuffer, PING, PONG};

/// The longest any one blocking call of the peer may last.
pub(super) const TICK: Duration = Duration::from_millis(50);

/// The line `hello-reset` sends before it resets the connection.
pub const GREETING: &[u8] = b"hello\n";

/// The byte `drip` sends every interval.
pub const DRIP_BYTE: u8 = b'.';

/// How many bytes the peer reads at once; also the most it holds for echo.
pub(super) const CHUNK: usize = 4096;

/// How long `close` goes on reading what the client sends before it closes:
/// a bound in time, not in bytes, so that the close is a FIN whatever the
/// client sent.
const DRAIN_TIME: Duration = Duration::from_millis(100);

/// The flags one connection's handler shares with the accepting thread.
#[derive(Default)]
pub(super) struct SlotFlags {
    /// Set by the accepting thread when it gives this connection's slot to a
    /// newcomer: the handler closes the connection.
    pub(super) give_way: AtomicBool,
    /// Set by the handler when the client has closed its side but the script
    /// keeps the connection open (only `stall` does): its slot may go to a
    /// newcomer.
    pub(super) client_gone: AtomicBool,
}

/// What ends a connection besides its script: the peer stopping, the slot
/// given to a newcomer, and the idle limit.
pub(super) struct Limits<'a> {
    stop: &'a AtomicBool,
    slot: &'a SlotFlags,
    idle: Duration,
    /// When a byte last moved either way on this connection; the idle limit
    /// counts from here. A relay moves bytes on two sockets in two threads,
    /// and a byte moving on either keeps the whole connection alive, so the
    /// clock is shared rather than kept by each socket.
    last_moved: Mutex<Instant>,
}

impl<'a> Limits<'a> {
    /// The limits of a connection accepted now.
    pub(super) fn new(stop: &'a AtomicBool, slot: &'a SlotFlags, idle: Duration) -> Limits<'a> {
        Limits {
            stop,
            slot,
            idle,
            last_moved: Mutex::new(Instant::now()),
        }
    }

    /// When a byte last moved either way.
    pub(super) fn last_moved(&self) -> Instant {
        // An Instant cannot be left half-written by a panicking thread, so a
        // poisoned lock still holds a good value.
        *self
            .last_moved
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Notes that a byte has just moved.
    pub(super) fn moved(&self) {
        *self
            .last_moved
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Instant::now();
    }

    /// Notes that the client has closed its side while the script keeps the
    /// connection open, so that its slot may go to a newcomer.
    pub(super) fn client_gone(&self) {
        self.slot.client_gone.store(true, Ordering::SeqCst);
    }
}

/// What one wait for the client's bytes ended with.
pub(super) enum Got {
    /// Some bytes (this many) arrived.
    Data(usize),
    /// The client closed its side: a read returned 0 bytes (a FIN).
    Closed,
    /// The connection failed, for instance the client reset it.
    Broken(io::Error),
    /// The deadline passed with nothing received.
    Quiet,
    /// The peer is done with this connection (see [`Conn::done`]).
    Done,
}

/// One socket of an accepted connection, with what ends it: the client's,
/// or in a relay also the upstream's.
pub(super) struct Conn<'a> {
    /// Shared, not duplicated, between the two threads of a relayed
    /// connection, so that each connection costs one descriptor, not two.
    /// `&TcpStream` reads and writes, so no handle needs to be `mut`.
    pub(super) stream: Arc<TcpStream>,
    limits: &'a Limits<'a>,
}

impl<'a> Conn<'a> {
    /// Sets `stream` up for the peer: blocking, with every send bounded by
    /// TICK, and small writes sent at once.
    ///
    /// # Errors
    ///
    /// Whatever setting the socket's options fails with: the socket is
    /// already broken.
    pub(super) fn new(stream: TcpStream, limits: &'a Limits<'a>) -> io::Result<Conn<'a>> {
        // On macOS and the BSDs an accepted socket inherits the listener's
        // non-blocking mode; Linux does not. Make the mode explicit everywhere.
        stream.set_nonblocking(false)?;
        stream.set_write_timeout(Some(TICK))?;
        // Small writes (a greeting, a PONG, one dripped byte) go out at once
        // instead of waiting for Nagle's algorithm to batch them.
        let _ = stream.set_nodelay(true);
        Ok(Conn {
            stream: Arc::new(stream),
            limits,
        })
    }

    /// A second handle on the same socket, for another thread; the socket
    /// closes when the last handle is dropped. It shares the socket rather
    /// than duplicating its descriptor (`try_clone`), which could fail.
    pub(super) fn share(&self) -> Conn<'a> {
        Conn {
            stream: Arc::clone(&self.stream),
            limits: self.limits,
        }
    }

    /// Whether the peer is done with this connection: it is stopping, it gave
    /// the slot to a newcomer, or nothing has moved for the idle limit.
    pub(super) fn done(&self) -> bool {
        self.limits.stop.load(Ordering::SeqCst)
            || self.limits.slot.give_way.load(Ordering::SeqCst)
            || self.limits.last_moved().elapsed() >= self.limits.idle
    }

    /// How long the next blocking call may last: a TICK, or less if the idle
    /// limit comes sooner.
    fn next_wait(&self) -> Duration {
        let idle_left = self
            .limits
            .idle
            .saturating_sub(self.limits.last_moved().elapsed());
        // std refuses a zero timeout (InvalidInput): wait at least 1 ms.
        idle_left.clamp(Duration::from_millis(1), TICK)
    }

    /// Waits for bytes from the other end, reading them (or only peeking at
    /// them) into `buf`, until `deadline` if there is one.
    pub(super) fn receive(&mut self, buf: &mut [u8], deadline: Option<Instant>, peek: bool) -> Got {
        // Each pass blocks for at most TICK, so the loop ends within a TICK
        // of the deadline or of a request to stop.
        loop {
            if self.done() {
                return Got::Done;
            }
            let wait = match deadline {
                None => self.next_wait(),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Got::Quiet;
                    }
                    // A socket timeout fires up to a kernel tick late (4 ms
                    // on Linux at HZ=250), so `drip` may drip a few
                    // milliseconds slower than its interval; no lesson
                    // depends on more precision than that.
                    left.min(self.next_wait())
                }
            };
            if let Err(error) = self.stream.set_read_timeout(Some(wait)) {
                return Got::Broken(error);
            }
            let result = if peek {
                self.stream.peek(buf)
            } else {
                (&*self.stream).read(buf)
            };
            match result {
                // Zero bytes is the client's clean close (FIN).
                Ok(0) => return Got::Closed,
                Ok(n) => {
                    self.limits.moved();
                    return Got::Data(n);
                }
                Err(error) if is_wait(&error) => continue,
                Err(error) => return Got::Broken(error),
            }
        }
    }

    /// Waits without reading until `deadline`, or with none until the peer
    /// is done with the connection, in steps of at most TICK.
    /// Returns false if the peer is done with the connection.
    pub(super) fn pause(&self, deadline: Option<Instant>) -> bool {
        // Each step sleeps at most TICK; the loop ends by the deadline, or
        // within a TICK of `done`, which the idle limit makes true in the end.
        loop {
            if self.done() {
                return false;
            }
            let step = match deadline {
                None => self.next_wait(),
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => left.min(self.next_wait()),
                    _ => return true,
                },
            };
            std::thread::sleep(step);
        }
    }

    /// Sends all of `data`, giving up if the connection fails or the peer stops.
    pub(super) fn send(&mut self, mut data: &[u8]) -> bool {
        // Each write lasts at most TICK (the write timeout), and each
        // successful one shortens `data`.
        while !data.is_empty() {
            if self.done() {
                return false;
            }
            match (&*self.stream).write(data) {
                Ok(0) => return false,
                Ok(n) => {
                    self.limits.moved();
                    // `write` took `n` of the bytes, so the slice is in range.
                    data = &data[n..];
                }
                Err(error) if is_wait(&error) => continue,
                Err(_) => return false,
            }
        }
        true
    }

    /// Reads and discards what the client sends, for at most DRAIN_TIME,
    /// and stops early once nothing more is waiting.
    pub(super) fn drain(&mut self) {
        if self.stream.set_nonblocking(true).is_err() {
            return;
        }
        let mut scratch = [0u8; CHUNK];
        let started = Instant::now();
        // Each pass reads what is already there or ends; DRAIN_TIME bounds
        // the whole loop whatever the client sends.
        while started.elapsed() < DRAIN_TIME {
            match (&*self.stream).read(&mut scratch) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
        // Back to blocking mode, with the write timeout still bounding sends.
        let _ = self.stream.set_nonblocking(false);
    }
}

/// Whether an error only means "nothing yet": one of the peer's own
/// timeouts ran out, or a signal interrupted the call. Anything else means
/// the connection is no longer worth serving.
pub(super) fn is_wait(error: &io::Error) -> bool {
    Failure::of_timed(error).connection_usable()
}

/// Serves one connection according to `script`.
///
/// `index` counts connections from 1 in the order the peer accepted them;
/// `flaky:N` uses it to reset the first N.
pub(super) fn serve(stream: TcpStream, script: Script, index: usize, limits: &Limits) {
    let Ok(mut conn) = Conn::new(stream, limits) else {
        return;
    };
    match script {
        Script::Echo => echo(&mut conn),
        // Without an upstream there is no answer to count (`Peer::start_with`
        // refuses it): reset before the first byte of one.
        Script::Reset | Script::ResetAfter(_) => {
            reset(conn);
        }
        Script::Close => close(conn),
        Script::HelloReset => {
            if conn.send(GREETING) {
                reset(conn);
            }
        }
        Script::Stall => stall(&mut conn),
        Script::Drip(interval) => drip(&mut conn, interval),
        Script::Flaky(resets) if index <= resets as usize => {
            reset(conn);
        }
        Script::Flaky(_) => echo(&mut conn),
        Script::Heartbeat => heartbeat(&mut conn, None),
        Script::SilentAfter(answers) => heartbeat(&mut conn, Some(answers)),
        Script::IdleClose(idle) => {
            if keep_alive(&mut conn, idle) == Idle::Expired {
                // A request that came too late is read and thrown away, so
                // that nothing is left unread and closing sends a FIN: the
                // polite close of a keep-alive timeout.
                conn.drain();
                drop(conn);
            }
        }
        Script::IdleReset(idle) => {
            if keep_alive(&mut conn, idle) == Idle::Expired {
                // The flow is forgotten: the next request is not read, and
                // closing with it unread sends the RST.
                reset(conn);
            }
        }
    }
}

fn echo(conn: &mut Conn) {
    let mut buf = [0u8; CHUNK];
    while let Got::Data(n) = conn.receive(&mut buf, None, false) {
        // `read` returned `n`, so the slice is in range.
        if !conn.send(&buf[..n]) {
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
    // says a TCP SHOULD do so "to show that data was lost", and Linux does.
    // That RST is what the client's next call reports as ConnectionReset.
    drop(conn);
    got
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
        conn.limits.client_gone();
        conn.pause(None);
    }
}

fn drip(conn: &mut Conn, interval: Millis) {
    let interval = interval.as_duration();
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
        // never block on a full buffer.
        conn.drain();
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
fn keep_alive(conn: &mut Conn, idle: Millis) -> Idle {
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
        // `read` returned `n`, so the slice is in range.
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
