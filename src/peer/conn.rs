//! One socket of a connection the lab peer serves, and what ends it.
//!
//! Every blocking call here lasts at most [`TICK`], and every loop asks
//! [`Conn::done`] between calls, so that a connection ends within a TICK of
//! the peer stopping, of its slot going to a newcomer, or of its idle limit.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::failure::Failure;

/// The longest any one blocking call of the peer may last.
pub(super) const TICK: Duration = Duration::from_millis(50);

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

    /// The limits of the connection this socket belongs to.
    pub(super) fn limits(&self) -> &'a Limits<'a> {
        self.limits
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
            // Parked rather than asleep, so that the accepting thread can
            // wake it at once when it gives this connection's slot to a
            // newcomer (`Slots::make_room`); an early wake-up only loops.
            std::thread::park_timeout(step);
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
