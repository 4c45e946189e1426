//! How the bytes of one direction go on their way: as they come, late
//! (`latency`), in slices (`slicer`, `drip`), cut short (`truncate`,
//! `reset-after`), thrown away (`stall`), or followed by a late close
//! (`slow-close`). Serving shapes the echo's answer; relaying shapes the
//! answer, or the request for a script written with `@request`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::conn::{Conn, TICK};
use super::dice::Dice;
use super::script::{Script, ScriptTime, Way};

/// What happens to the bytes of one direction.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// Passed on as they come.
    Pass,
    /// `stall`: read and thrown away; the end is not passed on either.
    Stall,
    /// `latency`: each piece waits `delay`, give or take `jitter` ms.
    Late { delay: ScriptTime, jitter: u32 },
    /// `slicer`, and `drip` (one byte): pieces of `bytes`, `gap` apart.
    Slices { bytes: u32, gap: ScriptTime },
    /// `truncate` and `reset-after`: `count` bytes pass; when more comes,
    /// the direction is closed, with a reset for `reset-after`.
    Cut { count: u64, reset: bool },
    /// `slow-close`: passed on as they come, and the close passed on late.
    SlowClose(ScriptTime),
}

impl Shape {
    /// What `script` does to the direction `way`.
    pub(super) fn of(script: Script, way: Way) -> Shape {
        let answer = way == Way::Answer;
        match script {
            Script::Stall if answer => Shape::Stall,
            Script::Drip(gap) if answer => Shape::Slices { bytes: 1, gap },
            Script::ResetAfter(count) if answer => Shape::Cut {
                count: u64::from(count),
                reset: true,
            },
            Script::Latency { delay, jitter, .. } if script.way() == Some(way) => {
                Shape::Late { delay, jitter }
            }
            Script::Slicer { bytes, gap, .. } if script.way() == Some(way) => {
                Shape::Slices { bytes, gap }
            }
            Script::Truncate { bytes, .. } if script.way() == Some(way) => Shape::Cut {
                count: u64::from(bytes),
                reset: false,
            },
            Script::SlowClose { delay, .. } if script.way() == Some(way) => Shape::SlowClose(delay),
            _ => Shape::Pass,
        }
    }

    /// How many more bytes may pass once `passed` have, under a cut.
    pub(super) fn room(&self, passed: u64) -> Option<u64> {
        match self {
            Shape::Cut { count, .. } => Some(count.saturating_sub(passed)),
            _ => None,
        }
    }
}

/// Sends `data` to `conn` as `shape` says: late, in slices, or at once.
/// Returns how many bytes it sent: fewer than all if the connection went,
/// `over` was set, or the peer was done with it first.
///
/// `arrived` is when the bytes arrived, as near as the caller can tell:
/// `latency` holds them until then plus its delay, so that bytes that
/// waited in the socket while earlier ones were held are not held again,
/// and a long answer is late by the delay, not by the delay per piece.
pub(super) fn send(
    conn: &mut Conn,
    over: &AtomicBool,
    (data, arrived): (&[u8], Instant),
    shape: Shape,
    dice: &mut Dice,
) -> usize {
    match shape {
        Shape::Late { delay, jitter } => {
            let jitter = u64::from(jitter);
            let ms = delay.as_millis().saturating_sub(jitter) + dice.up_to(2 * jitter);
            let deadline = arrived.checked_add(Duration::from_millis(ms));
            if deadline.is_some() && wait(conn, over, deadline) && conn.send(data) {
                data.len()
            } else {
                0
            }
        }
        Shape::Slices { bytes, gap } => sliced(conn, over, data, bytes, gap),
        _ if conn.send(data) => data.len(),
        _ => 0,
    }
}

/// Sends `data` in pieces of `bytes`, each after a wait of `gap`, and
/// returns how many bytes it sent.
fn sliced(conn: &mut Conn, over: &AtomicBool, data: &[u8], bytes: u32, gap: ScriptTime) -> usize {
    let piece = usize::try_from(bytes).unwrap_or(usize::MAX).max(1);
    let mut sent = 0;
    // One pass per piece of `data`, at most one CHUNK: the rest waits in
    // the socket it came from meanwhile.
    for slice in data.chunks(piece) {
        let deadline = Instant::now().checked_add(gap.as_duration());
        if deadline.is_none() || !wait(conn, over, deadline) || !conn.send(slice) {
            return sent;
        }
        sent += slice.len();
    }
    sent
}

/// Waits without reading until `deadline`, or with none until `over` is set
/// or the peer is done with the connection, in steps of at most TICK.
/// Returns false if `over` was set or the peer is done with it.
pub(super) fn wait(conn: &Conn, over: &AtomicBool, deadline: Option<Instant>) -> bool {
    // Each step sleeps at most a TICK, and the loop ends by the deadline or
    // within a TICK of the connection's end, which the idle limit makes
    // come in the end.
    loop {
        if over.load(Ordering::SeqCst) {
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
