//! The downward direction of a relayed connection: it copies the answer
//! from the upstream to the client, as the script's faults say.

use std::net::Shutdown;
use std::time::Instant;

use super::super::conn::{CHUNK, Conn, Got, TICK};
use super::super::script::ScriptTime;
use super::{Answer, Faults, IdleFault, Link};

/// How the downward direction ended.
pub(super) enum DownEnd {
    /// The upstream closed its side (FIN), passed on to the client.
    UpstreamClosed,
    /// The upstream's side failed: its reset, say.
    UpstreamBroken(std::io::Error),
    /// `reset-after`: the count was passed and more of the answer came.
    CountReached,
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
    /// Bytes of the answer passed on to the client.
    pub(super) passed: u64,
    /// Bytes of the answer read and thrown away (`stall`).
    pub(super) thrown: u64,
}

impl<'a> Downward<'a> {
    pub(super) fn new(client: Conn<'a>, server: Conn<'a>, link: &'a Link, faults: Faults) -> Self {
        Downward {
            client,
            server,
            link,
            faults,
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
            let end = match self.server.receive(&mut buf[..want], Some(deadline), false) {
                Got::Data(n) => self.on_data(&buf[..n]),
                Got::Closed | Got::Broken(_) if self.faults.stalls() => {
                    // A hung server does not pass its end on: the client
                    // goes on waiting, as it would for the stalled answer.
                    wait(&self.client, self.link, None);
                    Some(DownEnd::Done)
                }
                Got::Closed => {
                    let _ = self.client.stream.shutdown(Shutdown::Write);
                    Some(DownEnd::UpstreamClosed)
                }
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

    /// How many bytes of the answer may still pass under `reset-after`.
    fn room(&self) -> Option<u64> {
        match self.faults.answer {
            Answer::CutAfter(count) => Some(count.saturating_sub(self.passed)),
            _ => None,
        }
    }

    /// How much to read: no more than may still pass, and at least one byte:
    /// under `reset-after`, one more byte of the answer after the count is
    /// what triggers the reset.
    fn want(&self) -> usize {
        self.room().map_or(CHUNK, |room| {
            usize::try_from(room).unwrap_or(CHUNK).clamp(1, CHUNK)
        })
    }

    /// Passes on (or throws away) bytes of the answer; the end of the
    /// direction if that was it.
    fn on_data(&mut self, data: &[u8]) -> Option<DownEnd> {
        if self.room() == Some(0) {
            return Some(DownEnd::CountReached);
        }
        let sent = match self.faults.answer {
            Answer::Stall => {
                self.thrown += data.len() as u64;
                return None;
            }
            Answer::Drip(interval) => {
                let sent = drip_out(&mut self.client, self.link, data, interval);
                self.passed += sent as u64;
                sent == data.len()
            }
            Answer::Pass | Answer::CutAfter(_) => {
                let sent = self.client.send(data);
                if sent {
                    self.passed += data.len() as u64;
                }
                sent
            }
        };
        if sent {
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

/// Sends `bytes` to the client one per `interval`, and returns how many it
/// sent: fewer than all if the client or the connection went first.
fn drip_out(client: &mut Conn, link: &Link, bytes: &[u8], interval: ScriptTime) -> usize {
    // One byte per pass, so the loop ends with `bytes`, at most one CHUNK:
    // the rest of the answer waits in the upstream's socket meanwhile.
    for (sent, byte) in bytes.iter().enumerate() {
        let Some(deadline) = Instant::now().checked_add(interval.as_duration()) else {
            return sent;
        };
        if !wait(client, link, Some(deadline)) || !client.send(&[*byte]) {
            return sent;
        }
    }
    bytes.len()
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
