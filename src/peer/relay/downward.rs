//! The downward direction of a relayed connection: it copies the answer
//! from the upstream to the client, as the script's faults say.

use std::net::Shutdown;
use std::time::{Duration, Instant};

use super::super::conn::{CHUNK, Conn, Got, TICK};
use super::super::dice::Dice;
use super::super::shape::{self, Shape};
use super::{Faults, IdleFault, Link};

/// A read that returns sooner than this found its bytes waiting: they
/// arrived with the piece before them, while it was being held.
const ARRIVED_AT_ONCE: Duration = Duration::from_millis(1);

/// How the downward direction ended.
pub(super) enum DownEnd {
    /// The upstream closed its side (FIN), passed on to the client.
    UpstreamClosed,
    /// The upstream's side failed: its reset, say.
    UpstreamBroken(std::io::Error),
    /// `reset-after` (`reset`) or `truncate`: the count was passed and more
    /// of the answer came.
    Cut { reset: bool },
    /// `idle-close` or `idle-reset`: nothing moved for its time.
    Idle(IdleFault),
    /// A send to the client failed: it has gone.
    ClientGone,
    /// The upward direction ended the connection.
    Over,
    /// The peer is done with the connection: its idle limit, its stop, or
    /// the slot given to a newcomer.
    Done,
}

/// The downward direction of one relayed connection: it owns the
/// connection's first handles on both sockets, and counts the answer.
pub(super) struct Downward<'a> {
    pub(super) client: Conn<'a>,
    pub(super) server: Conn<'a>,
    link: &'a Link,
    pub(super) faults: Faults,
    /// Draws `latency`'s jitter.
    dice: Dice,
    /// When the answer's bytes being passed on arrived, as near as a read
    /// can tell: when the last read that had to wait returned.
    arrived: Instant,
    /// Bytes of the answer passed on to the client.
    pub(super) passed: u64,
    /// Bytes of the answer read and thrown away (`stall`).
    pub(super) thrown: u64,
}

impl<'a> Downward<'a> {
    pub(super) fn new(
        client: Conn<'a>,
        server: Conn<'a>,
        link: &'a Link,
        faults: Faults,
        dice: Dice,
    ) -> Self {
        Downward {
            client,
            server,
            link,
            faults,
            dice,
            arrived: Instant::now(),
            passed: 0,
            thrown: 0,
        }
    }

    /// Copies the answer until one side closes or fails, or the connection
    /// is over or done.
    pub(super) fn run(&mut self) -> DownEnd {
        let mut buf = [0u8; CHUNK];
        // Each pass waits at most a TICK, so the loop ends within a TICK of
        // the connection being over or done, which the idle limit makes true
        // in the end.
        loop {
            if self.link.is_over() {
                return DownEnd::Over;
            }
            let deadline = match self.deadline() {
                Ok(deadline) => deadline,
                Err(end) => return end,
            };
            // `want` is at most CHUNK, the buffer's length, and `n` at most
            // `want`.
            let want = self.want();
            let asked = Instant::now();
            let got = self.server.receive(&mut buf[..want], Some(deadline), false);
            // Bytes that were waiting already arrived with the piece before
            // them; bytes the read had to wait for arrived now.
            if asked.elapsed() > ARRIVED_AT_ONCE {
                self.arrived = Instant::now();
            }
            let end = match got {
                Got::Data(n) => self.on_data(&buf[..n]),
                Got::Closed | Got::Broken(_) if self.faults.stalls() => {
                    // A hung server does not pass its end on: the client
                    // goes on waiting, as it would for the stalled answer.
                    shape::wait(&self.client, &self.link.over, None);
                    Some(DownEnd::Done)
                }
                Got::Closed => Some(self.pass_close()),
                Got::Broken(error) => Some(DownEnd::UpstreamBroken(error)),
                Got::Quiet => None,
                Got::Done => Some(DownEnd::Done),
            };
            if let Some(end) = end {
                return end;
            }
        }
    }

    /// How long the next read may wait: a TICK, or less if the script's idle
    /// time comes sooner; the end instead if it has come.
    fn deadline(&self) -> Result<Instant, DownEnd> {
        let now = Instant::now();
        let Some(tick) = now.checked_add(TICK) else {
            return Err(DownEnd::Done);
        };
        let Some(idle) = self.faults.idle else {
            return Ok(tick);
        };
        // Idleness counts from the last byte that moved either way.
        let last_moved = self.server.limits().last_moved();
        let Some(expires) = last_moved.checked_add(idle.after.as_duration()) else {
            return Err(DownEnd::Done);
        };
        if now >= expires {
            return Err(DownEnd::Idle(idle));
        }
        Ok(tick.min(expires))
    }

    /// The upstream closed its side: pass the FIN on, `slow-close` late.
    fn pass_close(&mut self) -> DownEnd {
        if let Shape::SlowClose(delay) = self.faults.answer {
            let deadline = Instant::now().checked_add(delay.as_duration());
            if deadline.is_none() || !shape::wait(&self.client, &self.link.over, deadline) {
                return DownEnd::Done;
            }
        }
        let _ = self.client.stream.shutdown(Shutdown::Write);
        DownEnd::UpstreamClosed
    }

    /// How many bytes of the answer may still pass under a cut.
    fn room(&self) -> Option<u64> {
        self.faults.answer.room(self.passed)
    }

    /// How much to read: no more than may still pass, and at least one byte:
    /// under a cut, one more byte of the answer after the count is what
    /// triggers the reset or the FIN.
    fn want(&self) -> usize {
        self.room().map_or(CHUNK, |room| {
            usize::try_from(room).unwrap_or(CHUNK).clamp(1, CHUNK)
        })
    }

    /// Passes on (or throws away) bytes of the answer; the end of the
    /// direction if that was it.
    fn on_data(&mut self, data: &[u8]) -> Option<DownEnd> {
        let answer = self.faults.answer;
        match answer {
            Shape::Cut { reset, .. } if self.room() == Some(0) => {
                return Some(DownEnd::Cut { reset });
            }
            Shape::Stall => {
                self.thrown += data.len() as u64;
                return None;
            }
            _ => {}
        }
        let over = &self.link.over;
        let piece = (data, self.arrived);
        let sent = shape::send(&mut self.client, over, piece, answer, &mut self.dice);
        self.passed += sent as u64;
        if sent == data.len() {
            None
        } else if self.client.done() {
            Some(DownEnd::Done)
        } else if self.link.is_over() {
            Some(DownEnd::Over)
        } else {
            Some(DownEnd::ClientGone)
        }
    }
}
