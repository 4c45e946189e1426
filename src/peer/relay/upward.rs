//! The upward direction of a relayed connection: it copies the request from
//! the client to the upstream, passing on what it peeks at and reading it
//! out of the client's queue only later, so that closing can still reset
//! the client (see the relay module's doc).

use std::io::{self, Read};
use std::net::Shutdown;
use std::time::{Duration, Instant};

use super::super::conn::{self, CHUNK, Conn, Got, TICK};
use super::super::dice::Dice;
use super::super::shape::{self, Shape};
use super::{Faults, Keep, Link};

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

/// How the upward direction ended.
pub(super) enum UpEnd {
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
pub(super) struct Up {
    pub(super) end: UpEnd,
    /// Bytes passed on to the upstream.
    pub(super) bytes: u64,
    /// Whether a byte of the client's was still unread when it returned:
    /// only then does the close reset the client.
    pub(super) kept: bool,
}

/// The upward direction of one relayed connection, as it goes.
pub(super) struct Upward<'a> {
    client: Conn<'a>,
    server: Conn<'a>,
    link: &'a Link,
    faults: Faults,
    buf: [u8; CHUNK],
    /// Bytes passed on to the upstream so far.
    bytes: u64,
    /// When the byte at the head of the client's queue, already passed on,
    /// began to be kept unread; None while nothing is kept.
    kept: Option<Instant>,
    /// Draws `latency`'s jitter, for `latency@request`.
    dice: Dice,
    /// `truncate@request` has passed its count and closed the upstream's
    /// side: the client's bytes are read and thrown away from now on.
    cut: bool,
}

impl<'a> Upward<'a> {
    pub(super) fn new(
        client: Conn<'a>,
        server: Conn<'a>,
        link: &'a Link,
        faults: Faults,
        dice: Dice,
    ) -> Self {
        Upward {
            client,
            server,
            link,
            faults,
            buf: [0u8; CHUNK],
            bytes: 0,
            kept: None,
            dice,
            cut: false,
        }
    }

    /// Copies the request up until the client closes or fails, the upstream
    /// fails, or the connection is over or done.
    pub(super) fn run(mut self) -> Up {
        // Each pass waits at most a TICK (a POLL while a byte is kept), so
        // the loop ends within a TICK of the connection being over or done,
        // which the idle limit makes true in the end.
        let end = loop {
            if self.link.is_over() {
                break UpEnd::Stopped;
            }
            if let Some(end) = self.step() {
                break end;
            }
        };
        // Unless the client is to be reset, read the kept byte, so that the
        // close is a FIN.
        if self.kept.is_some() && !self.link.resets_client() && self.read_out(1).is_ok() {
            self.kept = None;
        }
        Up {
            end,
            bytes: self.bytes,
            kept: self.kept.is_some(),
        }
    }

    /// Looks once for the client's bytes and deals with what came; the end
    /// of the direction if that was it.
    fn step(&mut self) -> Option<UpEnd> {
        match self.look() {
            Got::Data(n) => self.on_data(n),
            Got::Closed => {
                // The client's half-close, passed on (`slow-close@request`
                // late).
                if let Shape::SlowClose(delay) = self.faults.request {
                    let deadline = Instant::now().checked_add(delay.as_duration());
                    if deadline.is_none() || !shape::wait(&self.server, &self.link.over, deadline) {
                        return Some(UpEnd::Stopped);
                    }
                }
                let _ = self.server.stream.shutdown(Shutdown::Write);
                if self.faults.stalls() {
                    // A stalled connection stays open after the client's
                    // FIN, as `stall` keeps it: its slot may go to a
                    // newcomer.
                    self.client.limits().client_gone();
                }
                Some(UpEnd::ClientClosed)
            }
            Got::Broken(error) => self.client_broken(error),
            Got::Quiet => None,
            Got::Done => Some(UpEnd::Stopped),
        }
    }

    /// Peeks at the client's queue: at once while a byte is kept (it is not
    /// a new byte, so it does not count as a byte moving), or waiting up to
    /// a TICK for bytes.
    fn look(&mut self) -> Got {
        if self.kept.is_some() {
            return match self.client.stream.peek(&mut self.buf) {
                Ok(0) => Got::Closed,
                Ok(n) => Got::Data(n),
                Err(error) if conn::is_wait(&error) => Got::Quiet,
                Err(error) => Got::Broken(error),
            };
        }
        match Instant::now().checked_add(TICK) {
            Some(deadline) => self.client.receive(&mut self.buf, Some(deadline), true),
            None => Got::Done,
        }
    }

    /// `n` bytes are at the head of the client's queue, the first of them
    /// the kept one if a byte is kept: pass on the new ones, or read the
    /// kept one once HOLD has passed, or wait a POLL for more.
    fn on_data(&mut self, n: usize) -> Option<UpEnd> {
        let old = usize::from(self.kept.is_some());
        if self.cut || (n > old && self.faults.request.room(self.bytes) == Some(0)) {
            return self.cut_off(n);
        }
        if n > old {
            return self.pass_on(old, n);
        }
        let held = self.kept.is_some_and(|since| since.elapsed() >= HOLD);
        if self.link.keep(self.faults.keep()) == Keep::Briefly && held {
            // Nothing came back as a reset within HOLD: read the kept byte,
            // so that a FIN behind it can be seen.
            if let Err(error) = self.read_out(1) {
                return self.client_broken(error);
            }
            self.kept = None;
            None
        } else if !self.client.pause(Instant::now().checked_add(POLL)) {
            Some(UpEnd::Stopped)
        } else {
            None
        }
    }

    /// Passes on the new bytes `old..n` peeked into the buffer, then reads
    /// out all of them but the newest, which stays kept in the queue.
    fn pass_on(&mut self, old: usize, n: usize) -> Option<UpEnd> {
        // No more than `truncate@request` lets pass.
        let n = match self.faults.request.room(self.bytes) {
            Some(room) => n.min(old.saturating_add(usize::try_from(room).unwrap_or(usize::MAX))),
            None => n,
        };
        // `n` is at most CHUNK, the buffer's length.
        let (over, request) = (&self.link.over, self.faults.request);
        // A request is most often one piece: it is held from when it is
        // passed on.
        let data = (&self.buf[old..n], Instant::now());
        let sent = shape::send(&mut self.server, over, data, request, &mut self.dice);
        if sent < n - old {
            if self.server.done() || self.link.is_over() {
                return Some(UpEnd::Stopped);
            }
            // The bytes just peeked are still unread, so closing resets the
            // client.
            self.link.end(true);
            self.kept = Some(Instant::now());
            return Some(UpEnd::UpstreamGone);
        }
        self.bytes += (n - old) as u64;
        // Bytes already queued are read at once.
        if let Err(error) = self.read_out(n - 1) {
            return self.client_broken(error);
        }
        self.kept = Some(Instant::now());
        None
    }

    /// `truncate@request`: the count has passed, and `n` more bytes are at
    /// the head of the client's queue. The first time, the upstream gets a
    /// FIN; each time, the bytes are read and thrown away, so that the
    /// client can go on sending and the close adds no RST.
    fn cut_off(&mut self, n: usize) -> Option<UpEnd> {
        if !self.cut {
            let _ = self.server.stream.shutdown(Shutdown::Write);
            self.cut = true;
        }
        self.kept = None;
        match self.read_out(n) {
            Ok(()) => None,
            Err(error) => self.client_broken(error),
        }
    }

    /// Reads `len` bytes, already in the client's queue, out of it.
    fn read_out(&mut self, len: usize) -> io::Result<()> {
        (&*self.client.stream).read_exact(&mut self.buf[..len])
    }

    /// The client's side failed: the connection is over, without a reset.
    fn client_broken(&self, error: io::Error) -> Option<UpEnd> {
        self.link.end(false);
        Some(UpEnd::ClientBroken(error))
    }
}
