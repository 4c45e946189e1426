//! The article's Strategy 5, heartbeats: noticing a peer that has gone
//! silent, long before any error would tell you.
//!
//! The article offers heartbeats as a way to keep a server from dropping an
//! idle connection.
//! Traffic does keep idle timers (of servers, NATs and firewalls) from
//! firing, but the bigger use is the other way round: to *detect* a dead
//! connection quickly.
//! A peer whose application hangs, or that sits behind a network partition,
//! sends neither FIN nor RST, and a read with no timeout simply waits.
//! Errors do come in the end, but late: with data unacknowledged (a ping
//! included), Linux retransmits with a growing backoff and fails the socket
//! with ETIMEDOUT once a time computed from `tcp_retries2` has passed (15
//! by default, about 15 minutes; see `docs/facts.md`); with nothing in
//! flight, only keepalive would probe, and nothing happens at all without it.
//!
//! TCP's keepalive is one answer, but std has no setter for it on stable
//! Rust: `SO_KEEPALIVE` needs the libc crate with `unsafe` calls, or a crate
//! such as socket2, which sets it on stable Rust; this crate is std-only.
//! (An unstable `TcpStream::set_keepalive(bool)` is tracked in
//! rust-lang/rust#155889; it switches keepalive on with the system's timers,
//! which on this crate's Linux machine wait 7200 s before the first probe,
//! then 9 probes 75 s apart: `/proc/sys/net/ipv4/tcp_keepalive_*`.)
//! The other answer works everywhere: the application pings.
//! [`watch`] sends a `PING` line every interval, expects a `PONG` line within
//! a timeout, and declares the peer dead after a number of misses in a row.
//!
//! ```text
//!  client (interval 100 ms, timeout 50 ms, misses 3)      peer (silent-after:2)
//!    t=0    PING --------------------------------------->
//!           <--------------------------------------- PONG
//!    t=100  PING --------------------------------------->
//!           <--------------------------------------- PONG
//!    t=200  PING --------------------------------------->  (silence: no FIN, no RST)
//!    t=250  miss 1
//!    t=300  PING --------------------------------------->
//!    t=350  miss 2
//!    t=400  PING --------------------------------------->
//!    t=450  miss 3: dead by silence
//! ```
//!
//! # The detection bound
//!
//! A peer that falls silent is declared dead within
//! `interval × misses + timeout` of its last answer: the next ping goes out
//! at most one interval after that answer, `misses` pings go unanswered one
//! interval apart, and the last one's timeout runs out.
//! The wait for an answer is [`crate::timeout::read_by`], whose steps of
//! at most 200 ms Linux files on the finest level of its timer wheel at
//! HZ=100, 250 and 300, and on the second at HZ=1000; each wait ends up to
//! two steps of its level late, and never early ([`crate::timeout`],
//! lesson 2). That step is at most 10 ms: one tick at HZ=100, the
//! coarsest kernel in common use (4 ms at HZ=250, the kernel this crate is
//! measured on; 8 ms on the second level at HZ=1000). So
//! [`Config::detection_bound`] adds two such steps and 2 ms more for the
//! rest of the watch, 22 ms, to that sum; the wait for the next ping is a
//! channel's, which the wheel does not round.
//! A reset or a close is noticed at the next ping, or sooner.
//! (`cargo run --release --example measure` checks every run against the
//! bound; its figures are in `docs/facts.md`.)
//! A real partition, two network namespaces with the link between them cut
//! (Linux, root), checks it too: `tests/lessons/partition.rs`:
//! `in_a_real_partition_the_heartbeat_comes_first_then_etimedout_then_a_reset_after_healing`
//! asserts that the verdict comes before the kernel's ETIMEDOUT, and within
//! the bound plus the tests' usual slack for a loaded machine.
//!
//! The watch blocks in a read while it waits for an answer, and in a channel
//! receive while it waits for the next ping; it never spins.
//! The protocol has no sequence numbers, so an answer that arrives after
//! its ping's timeout cannot be told from an answer to the next ping.
//! Before each ping the watch therefore throws away whatever has arrived
//! since: a peer that always answers later than the timeout is dead by
//! silence, as the bound says (`tests/lessons/heartbeat.rs`:
//! `a_peer_that_always_answers_too_late_is_dead_by_silence_within_the_bound`).

use std::io::{self, Read};
use std::net::TcpStream;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::failure::Failure;
use crate::line::{self, LineBuffer, PING, PONG};
use crate::timeout::{Deadline, DeadlineError, read_by, write_all_by};

/// The longest interval a [`Config`] accepts: a heartbeat slower than this
/// is not a heartbeat.
const MAX_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);

/// The coarsest step of the timer-wheel level that `read_by`'s waits are
/// filed on, at any HZ in common use: one tick at HZ=100.
const FINEST_STEP: Duration = Duration::from_millis(10);

/// How much later than `interval × misses + timeout` a verdict may come:
/// the last answer's wait ends up to two steps of its level late, plus
/// 2 ms for the rest of the watch.
const TIMER_SLACK: Duration = FINEST_STEP
    .saturating_mul(2)
    .saturating_add(Duration::from_millis(2));

/// How often to ping, how long to wait for each answer, and how many missed
/// answers in a row mean the peer is dead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    interval: Duration,
    timeout: Duration,
    misses: u32,
}

impl Config {
    /// A heartbeat that pings every `interval`, waits `timeout` for each
    /// `PONG`, and gives up after `misses` misses in a row.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if `timeout` is zero or longer than `interval` (an
    /// answer is awaited before the next ping), if `interval` is longer than
    /// a day, or if `misses` is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reset_by_peer::heartbeat::Config;
    ///
    /// let ms = Duration::from_millis;
    /// let config = Config::new(ms(100), ms(50), 3)?;
    /// assert_eq!(config.detection_bound(), ms(372));
    /// assert!(Config::new(ms(100), ms(200), 3).is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(interval: Duration, timeout: Duration, misses: u32) -> io::Result<Config> {
        let invalid = |message: &str| {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                message.to_string(),
            ))
        };
        if timeout.is_zero() {
            return invalid("the heartbeat timeout must be more than zero");
        }
        if interval > MAX_INTERVAL {
            return invalid("the heartbeat interval must not be longer than a day");
        }
        if timeout > interval {
            return invalid("the heartbeat timeout must not be longer than the interval");
        }
        if misses == 0 {
            return invalid("the heartbeat needs at least 1 miss to declare a peer dead");
        }
        Ok(Config {
            interval,
            timeout,
            misses,
        })
    }

    /// The longest a silent peer goes unnoticed after its last answer:
    /// `interval × misses + timeout`, plus 22 ms for the lateness of the
    /// kernel's timers (see the [module documentation](self)).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reset_by_peer::heartbeat::Config;
    ///
    /// let config = Config::new(Duration::from_secs(1), Duration::from_millis(500), 3)?;
    /// assert_eq!(config.detection_bound(), Duration::from_millis(3522));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn detection_bound(&self) -> Duration {
        self.interval
            .saturating_mul(self.misses)
            .saturating_add(self.timeout)
            .saturating_add(TIMER_SLACK)
    }
}

/// What the watch concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The peer was still answering when the watch was asked to stop.
    Alive,
    /// The peer stopped answering, without closing: `misses` pings in a row
    /// went unanswered.
    DeadBySilence,
    /// The peer reset the connection.
    DeadByReset,
    /// The peer closed the connection, or a write found it closed.
    DeadByClose,
}

impl Verdict {
    /// Why, in a few words.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::heartbeat::Verdict;
    ///
    /// assert_eq!(Verdict::DeadByReset.reason(), "dead: the peer reset the connection");
    /// ```
    pub fn reason(self) -> &'static str {
        match self {
            Verdict::Alive => "alive: it answered until the watch was stopped",
            Verdict::DeadBySilence => "dead: it stopped answering, with no FIN and no RST",
            Verdict::DeadByReset => "dead: the peer reset the connection",
            Verdict::DeadByClose => "dead: the peer closed the connection",
        }
    }
}

/// The watch's conclusion, and how it got there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// The verdict.
    pub verdict: Verdict,
    /// From the start of the watch to the verdict.
    pub elapsed: Duration,
    /// Pings sent.
    pub pings: u32,
    /// Answers received.
    pub pongs: u32,
    /// When the last answer came, from the start of the watch.
    pub last_pong: Option<Duration>,
}

/// Something the watch did or saw, for narration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A `PING` went out.
    Ping {
        /// Counted from 1.
        number: u32,
        /// From the start of the watch.
        at: Duration,
    },
    /// Its `PONG` came back.
    Pong {
        /// The ping it answers.
        number: u32,
        /// From the start of the watch.
        at: Duration,
    },
    /// No `PONG` within the timeout.
    Missed {
        /// The ping that went unanswered.
        number: u32,
        /// From the start of the watch.
        at: Duration,
        /// Misses in a row, this one included.
        in_a_row: u32,
        /// Lines other than `PONG` that came while it waited: a server that
        /// answers, but not with `PONG` (an echo server, say), is no more
        /// alive to the heartbeat than a silent one.
        others: u32,
    },
}

/// How waiting for one answer ended.
enum Answer {
    Pong,
    /// No `PONG` by the deadline, after this many other lines.
    Missed {
        others: u32,
    },
    Dead(Verdict),
}

/// Pings the peer on `stream` until it is found dead or `stop` receives a
/// message (or its sender is dropped), calling `on_event` for each ping,
/// answer and miss.
///
/// Each ping and the wait for its answer share one deadline, the answer
/// timeout from the moment the ping goes out; the stream's read and write
/// timeouts are put back after each wait.
///
/// # Errors
///
/// `InvalidData` if the peer sends a line longer than the cap; any socket
/// error other than a timeout, a reset or a close (which are verdicts).
///
/// # Examples
///
/// ```
/// use std::net::TcpStream;
/// use std::sync::mpsc;
/// use std::time::Duration;
/// use reset_by_peer::heartbeat::{Config, Event, Verdict, watch};
/// use reset_by_peer::peer::{Peer, Script};
///
/// fn main() -> std::io::Result<()> {
///     let peer = Peer::start(Script::Heartbeat)?;
///     let mut stream = TcpStream::connect(peer.addr())?;
///     let config = Config::new(Duration::from_millis(100), Duration::from_millis(100), 3)?;
///     let (stop, stopped) = mpsc::channel();
///     // Stop after the first answer, whichever ping it answers.
///     let report = watch(&mut stream, &config, &stopped, |event| {
///         if let Event::Pong { .. } = event {
///             let _ = stop.send(());
///         }
///     })?;
///     assert_eq!(report.verdict, Verdict::Alive);
///     Ok(())
/// }
/// ```
pub fn watch(
    stream: &mut TcpStream,
    config: &Config,
    stop: &Receiver<()>,
    mut on_event: impl FnMut(&Event),
) -> io::Result<Report> {
    let mut tally = Tally::new();
    let mut lines = LineBuffer::default();
    // Each round ends in a verdict, or in a wait on `stop` for the next
    // ping; the watch ends when the peer is found dead or `stop` says so.
    loop {
        // An answer that came after its ping's timeout has been counted as
        // a miss: throw it away, so that it cannot pass for the answer to
        // the ping about to go out.
        if let Some(verdict) = discard_late_answers(stream, &mut lines)? {
            return Ok(tally.finish(verdict));
        }
        // Both waits start as the ping goes out.
        let answer_by = Deadline::after(config.timeout);
        let next_ping = Deadline::after(config.interval);
        let number = tally.ping();
        let answer = match send_ping(stream, answer_by)? {
            Sent::Dead(verdict) => Answer::Dead(verdict),
            sent => {
                if sent == Sent::Yes {
                    on_event(&Event::Ping {
                        number,
                        at: tally.start.elapsed(),
                    });
                }
                await_pong(stream, &mut lines, answer_by)?
            }
        };
        if let Some(verdict) = tally.count(number, answer, config.misses, &mut on_event) {
            return Ok(tally.finish(verdict));
        }
        // Wait for the next ping by blocking on the stop channel: a message,
        // or a dropped sender, ends the watch at once.
        match stop.recv_timeout(next_ping.left()) {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                return Ok(tally.finish(Verdict::Alive));
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
    }
}

/// How sending a `PING` went.
#[derive(PartialEq, Eq)]
enum Sent {
    Yes,
    /// The write timed out: a peer that does not read. The missing answer
    /// will count it.
    TimedOut,
    Dead(Verdict),
}

/// Sends one `PING`, by the deadline of its answer. (A deadline, rather
/// than `write_all` under a write timeout: `write_all` calls again after a
/// stop and continue with the whole timeout afresh.)
fn send_ping(stream: &mut TcpStream, answer_by: Deadline) -> io::Result<Sent> {
    match write_all_by(stream, &line::with_newline(PING), answer_by) {
        Ok(()) => Ok(Sent::Yes),
        Err(DeadlineError { error, .. }) => match dead_by(&error) {
            Some(verdict) => Ok(Sent::Dead(verdict)),
            None if Failure::of_timed(&error) == Failure::TimedOut => Ok(Sent::TimedOut),
            None => Err(error),
        },
    }
}

/// The watch's running count: what [`Report`] will say, and the misses in
/// a row.
struct Tally {
    start: Instant,
    report: Report,
    in_a_row: u32,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            start: Instant::now(),
            report: Report {
                verdict: Verdict::Alive,
                elapsed: Duration::ZERO,
                pings: 0,
                pongs: 0,
                last_pong: None,
            },
            in_a_row: 0,
        }
    }

    /// Counts a ping going out; its number, from 1.
    fn ping(&mut self) -> u32 {
        self.report.pings += 1;
        self.report.pings
    }

    /// Counts the answer to ping `number`, tells `on_event`, and gives the
    /// verdict if it ends the watch.
    fn count(
        &mut self,
        number: u32,
        answer: Answer,
        misses: u32,
        on_event: &mut impl FnMut(&Event),
    ) -> Option<Verdict> {
        let at = self.start.elapsed();
        match answer {
            Answer::Pong => {
                self.in_a_row = 0;
                self.report.pongs += 1;
                self.report.last_pong = Some(at);
                on_event(&Event::Pong { number, at });
                None
            }
            Answer::Missed { others } => {
                self.in_a_row += 1;
                let in_a_row = self.in_a_row;
                on_event(&Event::Missed {
                    number,
                    at,
                    in_a_row,
                    others,
                });
                (in_a_row >= misses).then_some(Verdict::DeadBySilence)
            }
            Answer::Dead(verdict) => Some(verdict),
        }
    }

    fn finish(self, verdict: Verdict) -> Report {
        Report {
            verdict,
            elapsed: self.start.elapsed(),
            ..self.report
        }
    }
}

/// The verdict an error amounts to, if it means the peer is gone.
fn dead_by(error: &io::Error) -> Option<Verdict> {
    match Failure::of_timed(error) {
        Failure::Reset | Failure::Aborted => Some(Verdict::DeadByReset),
        Failure::Closed => Some(Verdict::DeadByClose),
        // The kernel gave up on the peer (its retransmissions went
        // unanswered): the same silence, noticed by TCP itself.
        Failure::KernelGaveUp => Some(Verdict::DeadBySilence),
        // Timeouts of our own are misses, decided by the caller; the rest
        // are errors.
        _ => None,
    }
}

/// How many reads [`discard_late_answers`] makes at most: what a live peer
/// sends between two pings fits in a few.
const MAX_DISCARDS: usize = 64;

/// Throws away what has arrived since the last answer was awaited, without
/// waiting for more; a verdict if that finds the connection over.
fn discard_late_answers(
    stream: &mut TcpStream,
    lines: &mut LineBuffer,
) -> io::Result<Option<Verdict>> {
    lines.clear();
    let mut buf = [0u8; 64];
    // Only what has already arrived is read: the stream does not block.
    stream.set_nonblocking(true)?;
    let mut verdict = None;
    for _ in 0..MAX_DISCARDS {
        match stream.read(&mut buf) {
            // Zero bytes: the peer closed the connection.
            Ok(0) => {
                verdict = Some(Verdict::DeadByClose);
                break;
            }
            Ok(_) => {}
            // Nothing more has arrived (or a signal came): done.
            Err(error) if Failure::of_timed(&error).connection_usable() => break,
            Err(error) => match dead_by(&error) {
                Some(dead) => {
                    verdict = Some(dead);
                    break;
                }
                None => {
                    stream.set_nonblocking(false)?;
                    return Err(error);
                }
            },
        }
    }
    stream.set_nonblocking(false)?;
    Ok(verdict)
}

/// Reads lines until a `PONG`, the deadline, or the end of the connection.
fn await_pong(
    stream: &mut TcpStream,
    lines: &mut LineBuffer,
    deadline: Deadline,
) -> io::Result<Answer> {
    let mut buf = [0u8; 64];
    let mut others = 0;
    loop {
        match lines.next_line() {
            Ok(Some(line)) if line == PONG => return Ok(Answer::Pong),
            // Any other line is not an answer; count it and keep waiting.
            Ok(Some(_)) => {
                others += 1;
                continue;
            }
            Ok(None) => {}
            Err(_) => return Err(too_long()),
        }
        match read_by(stream, &mut buf, deadline) {
            // Zero bytes: the peer closed the connection.
            Ok(0) => return Ok(Answer::Dead(Verdict::DeadByClose)),
            Ok(n) => lines.push(&buf[..n]).map_err(|_| too_long())?,
            Err(error) => match dead_by(&error) {
                Some(verdict) => return Ok(Answer::Dead(verdict)),
                None if Failure::of_timed(&error) == Failure::TimedOut => {
                    return Ok(Answer::Missed { others });
                }
                None => return Err(error),
            },
        }
    }
}

fn too_long() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "the peer sent a line longer than the heartbeat allows",
    )
}
