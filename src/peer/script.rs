//! The lab peer's scripts: what it does with each connection, and why.

use std::fmt;
use std::io;
use std::time::Duration;

/// A script's time: how often `drip` sends its byte, or how long
/// `idle-close` and `idle-reset` wait; a whole number of milliseconds from 1
/// to 60 000.
///
/// A zero interval would turn the drip into a flood, and an interval of
/// hours would look like `stall`; so the only way to build one,
/// [`ScriptTime::new`], refuses both, and every script prints as a
/// `NAME:MS` that parses back to itself.
///
/// # Examples
///
/// ```
/// use reset_by_peer::peer::{ScriptTime, Peer, Script};
///
/// fn main() -> std::io::Result<()> {
///     let interval = ScriptTime::new(20)?;
///     let peer = Peer::start(Script::Drip(interval))?;
///     assert_eq!(Script::Drip(interval).to_string(), "drip:20");
///     drop(peer);
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScriptTime {
    /// Milliseconds, from MIN_MS to MAX_MS: the constructor checks it.
    ms: u32,
}

impl ScriptTime {
    /// The shortest interval, in milliseconds.
    pub const MIN_MS: u32 = 1;
    /// The longest interval, in milliseconds: one minute.
    pub const MAX_MS: u32 = 60_000;

    /// An interval of `ms` milliseconds.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if `ms` is not from 1 to 60 000.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reset_by_peer::peer::ScriptTime;
    ///
    /// fn main() -> std::io::Result<()> {
    ///     let interval = ScriptTime::new(150)?;
    ///     assert_eq!(interval.as_duration(), Duration::from_millis(150));
    ///     assert!(ScriptTime::new(0).is_err());
    ///     Ok(())
    /// }
    /// ```
    pub fn new(ms: u64) -> io::Result<ScriptTime> {
        match u32::try_from(ms) {
            Ok(ms) if (Self::MIN_MS..=Self::MAX_MS).contains(&ms) => Ok(ScriptTime { ms }),
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "a script's time is {} to {} ms, not {ms}",
                    Self::MIN_MS,
                    Self::MAX_MS
                ),
            )),
        }
    }

    /// The time in milliseconds.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::peer::ScriptTime;
    ///
    /// fn main() -> std::io::Result<()> {
    ///     assert_eq!(ScriptTime::new(200)?.as_millis(), 200);
    ///     Ok(())
    /// }
    /// ```
    pub fn as_millis(&self) -> u64 {
        u64::from(self.ms)
    }

    /// The time as a [`Duration`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reset_by_peer::peer::ScriptTime;
    ///
    /// fn main() -> std::io::Result<()> {
    ///     assert_eq!(ScriptTime::new(200)?.as_duration(), Duration::from_millis(200));
    ///     Ok(())
    /// }
    /// ```
    pub fn as_duration(&self) -> Duration {
        Duration::from_millis(self.as_millis())
    }
}

/// The drip interval when `drip` is given without one: 150 ms.
///
/// It is shorter than a 200 ms read timeout on purpose: each byte arrives
/// before a per-call timeout can fire, so only a deadline notices the slowness.
pub const DEFAULT_DRIP_INTERVAL: ScriptTime = ScriptTime { ms: 150 };

/// How long `idle-close` and `idle-reset` let a connection sit idle when
/// given no time: 200 ms, short enough for a demonstration. Real servers and
/// load balancers wait much longer (`docs/facts.md` cites nginx, AWS ALB and
/// NLB).
pub const DEFAULT_IDLE: ScriptTime = ScriptTime { ms: 200 };

/// The shortest time between two of `drip`'s bytes or `slicer`'s pieces,
/// in milliseconds: 20.
///
/// Each piece costs the peer a wake-up and a few system calls: 64 clients
/// that never read, dripped at 1 ms, kept half a core busy (Linux,
/// measured with `/proc/PID/stat`); at 10 ms, about a tenth; at 20 ms, 6%
/// (`measure`). And a byte every millisecond is a kilobyte a second: no longer
/// the slow peer `drip` stands for.
pub const MIN_PACE_MS: u32 = 20;

/// The time between two pieces under `slicer` when given none: 20 ms.
pub const DEFAULT_SLICER_GAP: ScriptTime = ScriptTime { ms: 20 };

/// What the lab peer does with each connection it accepts.
///
/// Each script stands for one of the causes listed in the article's section
/// "Why Does This Happen?", or for a healthy server to compare against.
/// Parse one from its name with [`str::parse`]; [`Script::info`] describes it.
///
/// # Examples
///
/// ```
/// use reset_by_peer::peer::Script;
///
/// fn main() -> Result<(), reset_by_peer::peer::ParseScriptError> {
///     let script: Script = "flaky:2".parse()?;
///     assert_eq!(script, Script::Flaky(2));
///     assert_eq!(script.to_string(), "flaky:2");
///     Ok(())
/// }
/// ```
///
/// Every script prints as a name that parses back to the same script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Echoes every byte until the client closes: a healthy server.
    Echo,
    /// Waits until the client's bytes have arrived, then closes without
    /// reading them, which makes the kernel send an RST: a crashed server.
    Reset,
    /// Reads the request, then closes cleanly (FIN) without answering:
    /// a server shut down politely.
    Close,
    /// Waits for the request and leaves it unread, answers with a greeting
    /// line, then closes, which the unread request makes an RST: a server
    /// that answers, then crashes.
    HelloReset,
    /// Reads and discards everything, and never answers: a hung server.
    ///
    /// The peer's kernel still acknowledges every byte, so this is not a
    /// lost network path: nothing is retransmitted and no kernel timeout
    /// fires on the client's side.
    Stall,
    /// Sends one byte every interval until the client closes: a slow peer.
    ///
    /// A per-call read timeout longer than the interval never fires; a
    /// shorter one does.
    Drip(ScriptTime),
    /// Resets the first N connections from each client address, then
    /// echoes: a restarting or overloaded server.
    ///
    /// The count is kept per address (the IP, not the port), so that one
    /// peer serves a classroom: each student's first N connections are
    /// reset, whoever came first. Clients that connect from one address
    /// share one count, students behind one NAT included: on Linux a client on the peer's own machine
    /// connects from `127.0.0.1` unless it binds another address of
    /// `127.0.0.0/8` first (`--source` in
    /// `docs/python/lab.py`; `tests/lessons/python.rs`:
    /// `thirty_clients_from_thirty_addresses_each_meet_two_resets_of_one_flaky_2_peer`).
    /// The peer remembers at most [`MAX_ADDRESSES`](super::MAX_ADDRESSES)
    /// addresses; beyond them, a connection from an address it has not
    /// seen is not counted and is served as one past N: it is echoed.
    Flaky(u32),
    /// Answers each `PING` line with a `PONG` line: a live peer.
    Heartbeat,
    /// Answers N pings, then goes silent without closing: a hung application.
    ///
    /// Its kernel still acknowledges the pings, so this is not a network
    /// partition: on a real one (Linux) the client's kernel retransmits the
    /// unacknowledged pings and, after `tcp_retries2` retransmissions, fails
    /// the socket with ETIMEDOUT.
    SilentAfter(u32),
    /// Answers each request line with the same line, on one connection,
    /// and closes cleanly (FIN) once the connection has been idle this
    /// long: a server's keep-alive timeout.
    IdleClose(ScriptTime),
    /// Answers each request line with the same line, on one connection;
    /// a request that comes after the connection has been idle this long
    /// is answered with an RST: a load balancer that has forgotten the flow.
    IdleReset(ScriptTime),
    /// Relay only: passes this many bytes of the upstream's answer to the
    /// client, then resets the client: a server or a middlebox that dies in
    /// the middle of its answer.
    ///
    /// Without an upstream there is no answer to count, so
    /// [`Peer::start_with`](super::Peer::start_with) refuses it.
    ResetAfter(u32),
    /// Holds each piece of the answer (or, `@request`, of the request) for
    /// `delay`, give or take `jitter` milliseconds: a slow or distant link.
    ///
    /// The jitter is drawn from the peer's seed ([`Options::seed`](super::Options::seed)),
    /// so a run can be repeated. Nothing fails; only a timeout shorter
    /// than the delay does.
    Latency {
        /// How long each piece waits.
        delay: ScriptTime,
        /// At most this many milliseconds more or less, from 0 to `delay`.
        jitter: u32,
        /// Which direction waits.
        way: Way,
    },
    /// Passes the answer (or the request) on in pieces of `bytes`, `gap`
    /// apart: a reader that assumes one `recv` is one message meets the
    /// pieces.
    Slicer {
        /// The size of each piece, at least 1.
        bytes: u32,
        /// The time between two pieces.
        gap: ScriptTime,
        /// Which direction is sliced.
        way: Way,
    },
    /// Passes `bytes` bytes of the answer (or the request), then closes
    /// that direction with a FIN when more comes: an answer cut short
    /// without an error, which only a reader that knows the answer's length
    /// notices.
    Truncate {
        /// The bytes passed on before the FIN.
        bytes: u32,
        /// Which direction is cut.
        way: Way,
    },
    /// Passes everything, but passes a close (FIN) on only `delay` late: a
    /// client that reads until the end of the stream waits that much
    /// longer.
    SlowClose {
        /// How late the FIN is passed on.
        delay: ScriptTime,
        /// Whose FIN is late: the server's (`Answer`) or the client's.
        way: Way,
    },
    /// Serves (or relays) its first N connections, then closes its port:
    /// a new connection is refused while those N go on, as when a server is
    /// taken down for a deploy.
    Down(u32),
}

/// Which direction of a relayed connection a fault applies to.
///
/// # Examples
///
/// ```
/// use reset_by_peer::peer::{Script, Way};
///
/// fn main() -> Result<(), reset_by_peer::peer::ParseScriptError> {
///     let script: Script = "latency:200@request".parse()?;
///     assert!(matches!(script, Script::Latency { way: Way::Request, .. }));
///     // The answer is the default, and prints as nothing.
///     let answer: Script = "latency:200@answer".parse()?;
///     assert_eq!(answer.to_string(), "latency:200");
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// From the client to the server, written `@request` after the script.
    Request,
    /// From the server to the client: the default.
    Answer,
}

/// A script's entry in the peer's catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptInfo {
    /// How to name the script on a command line, e.g. `flaky:N`.
    pub usage: &'static str,
    /// What the script's argument means and its range, or `""` if it takes none.
    pub argument: &'static str,
    /// The cause from the article that the script stands for.
    pub cause: &'static str,
    /// What a client sees, as checked on Linux.
    pub client_sees: &'static str,
}

/// Every script, in the order the peer lists them.
pub const CATALOGUE: [ScriptInfo; 17] = [
    ScriptInfo {
        usage: "echo",
        argument: "",
        cause: "none: a healthy server, the one the article's code example expects",
        client_sees: "its own bytes back, then EOF once it has closed its side",
    },
    ScriptInfo {
        usage: "reset",
        argument: "",
        cause: "server shutdown: the server process dies with our request unread",
        client_sees: "ConnectionReset on the next call, once; then EOF on recv, BrokenPipe on send",
    },
    ScriptInfo {
        usage: "close",
        argument: "",
        cause: "explicit closure by the server, done politely (FIN, not RST)",
        client_sees: "Ok(0) from recv, which is no error; a later send fails with BrokenPipe",
    },
    ScriptInfo {
        usage: "hello-reset",
        argument: "",
        cause: "explicit closure by the server after it has said something",
        client_sees: "the greeting \"hello\", then ConnectionReset",
    },
    ScriptInfo {
        usage: "stall",
        argument: "",
        cause: "a hung server: it reads but never answers, and its kernel still ACKs (not a lost network path)",
        client_sees: "no error, no reset: only a read timeout ends the wait (the peer hangs up after its idle limit, 30 s by default)",
    },
    ScriptInfo {
        usage: "drip[:MS]",
        argument: "MS, milliseconds between bytes: 20 to 60000 (default 150); faster is no slow peer, and 64 clients at 1 ms cost half a core",
        cause: "a slow link or server (one byte every MS, 150 ms by default)",
        client_sees: "per-call read timeouts longer than MS never fire; only a deadline notices",
    },
    ScriptInfo {
        usage: "flaky:N",
        argument: "N, connections to reset from each client address: 0 to 4294967295",
        cause: "server overload or restart: the first N connections from each client address (IP, not port) are reset",
        client_sees: "ConnectionReset on its first N connections, then a working echo server",
    },
    ScriptInfo {
        usage: "heartbeat",
        argument: "",
        cause: "none: a live peer that answers each PING line with PONG",
        client_sees: "a PONG line for every PING line",
    },
    ScriptInfo {
        usage: "silent-after:N",
        argument: "N, pings to answer: 0 to 4294967295",
        cause: "a hung application after N pings: no FIN, no RST, and its kernel still ACKs (not a partition)",
        client_sees: "N PONGs, then silence that only a heartbeat notices",
    },
    ScriptInfo {
        usage: "idle-close[:MS]",
        argument: "MS, milliseconds of idleness before the close: 1 to 60000 (default 200)",
        cause: "not in the article: a keep-alive timeout closes an idle connection (200 ms by default)",
        client_sees: "the next request is sent without error; its answer is Ok(0), the end of the stream",
    },
    ScriptInfo {
        usage: "idle-reset[:MS]",
        argument: "MS, milliseconds of idleness before the flow is forgotten: 1 to 60000 (default 200)",
        cause: "not in the article: a load balancer forgets an idle flow (200 ms by default)",
        client_sees: "the next request is sent without error; its answer is ConnectionReset",
    },
    ScriptInfo {
        usage: "reset-after:BYTES",
        argument: "BYTES, bytes of the answer to pass on before the reset: 0 to 4294967295 (relay only: needs --upstream)",
        cause: "a server or middlebox that dies in the middle of its answer",
        client_sees: "the first BYTES bytes of the answer, then ConnectionReset",
    },
    ScriptInfo {
        usage: "latency:MS[~JITTER][@request]",
        argument: "MS, milliseconds each piece waits: 1 to 60000; JITTER, at most that many more or less: 0 to MS, drawn from --seed",
        cause: "a slow or distant link: every piece of the answer (or of the request) is late",
        client_sees: "the same bytes, each piece MS late; no error unless a read timeout is shorter",
    },
    ScriptInfo {
        usage: "slicer:BYTES[:MS][@request]",
        argument: "BYTES, the size of each piece: 1 to 4294967295; MS between pieces: 20 to 60000 (default 20), as for drip",
        cause: "a network that delivers a message in pieces: one recv is not one message",
        client_sees: "the same bytes, in pieces of BYTES, MS apart: each recv returns one piece",
    },
    ScriptInfo {
        usage: "truncate:BYTES[@request]",
        argument: "BYTES, bytes passed on before the FIN: 0 to 4294967295",
        cause: "a server or middlebox that closes politely in the middle of its answer",
        client_sees: "the first BYTES bytes of the answer, then the end of the stream, Ok(0), with no error: only a reader that knows the length notices (Python's IncompleteRead)",
    },
    ScriptInfo {
        usage: "slow-close:MS[@request]",
        argument: "MS, how late the close is passed on: 1 to 60000",
        cause: "a server whose close lags behind its answer",
        client_sees: "the whole answer at once, then the end of the stream MS later: a reader that waits for it waits that long",
    },
    ScriptInfo {
        usage: "down[:N]",
        argument: "N, connections served before the port closes: 1 to 4294967295 (default 1)",
        cause: "a server taken down for a deploy: connections already open go on, new ones are refused",
        client_sees: "its first N connections served; every later connect fails with ConnectionRefused",
    },
];

impl Script {
    /// What this script cannot do on this platform, if anything, in one
    /// sentence: on FreeBSD, the scripts that reset by closing a socket with
    /// unread bytes close it cleanly instead, because FreeBSD flushes the
    /// bytes and sends a FIN (`tcp_disconnect`; `docs/facts.md`). None
    /// elsewhere.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::peer::Script;
    ///
    /// assert_eq!(Script::Echo.caveat(), None);
    /// if cfg!(target_os = "linux") {
    ///     assert_eq!(Script::Reset.caveat(), None);
    /// }
    /// ```
    pub fn caveat(&self) -> Option<&'static str> {
        let resets_by_closing = matches!(
            self,
            Script::Reset | Script::HelloReset | Script::Flaky(_) | Script::IdleReset(_)
        );
        if cfg!(target_os = "freebsd") && resets_by_closing {
            Some(
                "on FreeBSD this script closes with a FIN, not an RST: FreeBSD flushes \
                 unread bytes on close, and std cannot ask for an RST",
            )
        } else {
            None
        }
    }

    /// This script's entry in [`CATALOGUE`].
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::peer::Script;
    ///
    /// assert_eq!(Script::Reset.info().usage, "reset");
    /// ```
    pub fn info(&self) -> &'static ScriptInfo {
        // Indexing a fixed-size array with a constant is checked when the
        // crate compiles, so none of these can fail at run time.
        match self {
            Script::Echo => &CATALOGUE[0],
            Script::Reset => &CATALOGUE[1],
            Script::Close => &CATALOGUE[2],
            Script::HelloReset => &CATALOGUE[3],
            Script::Stall => &CATALOGUE[4],
            Script::Drip(_) => &CATALOGUE[5],
            Script::Flaky(_) => &CATALOGUE[6],
            Script::Heartbeat => &CATALOGUE[7],
            Script::SilentAfter(_) => &CATALOGUE[8],
            Script::IdleClose(_) => &CATALOGUE[9],
            Script::IdleReset(_) => &CATALOGUE[10],
            Script::ResetAfter(_) => &CATALOGUE[11],
            Script::Latency { .. } => &CATALOGUE[12],
            Script::Slicer { .. } => &CATALOGUE[13],
            Script::Truncate { .. } => &CATALOGUE[14],
            Script::SlowClose { .. } => &CATALOGUE[15],
            Script::Down(_) => &CATALOGUE[16],
        }
    }

    /// Whether this script resets a connection that is number `visit`
    /// among those from its client's address, counted from 1: only
    /// `flaky:N`, for its first N. None stands for a connection the peer had
    /// no room to count (beyond `MAX_ADDRESSES`), which is served as one past
    /// N. Serving and relaying both decide here.
    pub(super) fn resets_visit(&self, visit: Option<u32>) -> bool {
        match (self, visit) {
            (Script::Flaky(resets), Some(visit)) => visit <= *resets,
            _ => false,
        }
    }

    /// The longest time this script lets a connection sit with nothing
    /// moving, if it has one: the peer's idle limit must be longer, or it
    /// closes the connection first.
    pub(super) fn longest_wait(&self) -> Option<Duration> {
        let ms = match *self {
            Script::Drip(time)
            | Script::IdleClose(time)
            | Script::IdleReset(time)
            | Script::Slicer { gap: time, .. }
            | Script::SlowClose { delay: time, .. } => time.as_millis(),
            Script::Latency { delay, jitter, .. } => delay.as_millis() + u64::from(jitter),
            _ => return None,
        };
        Some(Duration::from_millis(ms))
    }

    /// The direction this script shapes, if it shapes one.
    pub(super) fn way(&self) -> Option<Way> {
        match self {
            Script::Latency { way, .. }
            | Script::Slicer { way, .. }
            | Script::Truncate { way, .. }
            | Script::SlowClose { way, .. } => Some(*way),
            _ => None,
        }
    }

    /// Why this script makes no sense in a relay, or `None` if it does.
    ///
    /// A relay passes on what your own server says; a script that would
    /// speak instead of your server, or decide in its place when to close,
    /// has nothing to do there.
    pub(super) fn why_not_relayed(&self) -> Option<&'static str> {
        match self {
            Script::Close => Some(
                "close makes no sense as a relay: whether your server closes politely is for your server to decide (stop it to see that, or use idle-close)",
            ),
            Script::HelloReset => Some(
                "hello-reset makes no sense as a relay: its greeting would be the relay's words instead of your server's (use reset-after:BYTES to reset in the middle of your server's answer)",
            ),
            Script::Heartbeat => Some(
                "heartbeat makes no sense as a relay: it speaks its own PING/PONG protocol instead of your server's (use echo to pass your server's answers through)",
            ),
            Script::SilentAfter(_) => Some(
                "silent-after makes no sense as a relay: it counts PING lines of its own protocol instead of your server's (use stall for an answer that never comes)",
            ),
            _ => None,
        }
    }
}

impl fmt::Display for Script {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Script::Echo => f.write_str("echo"),
            Script::Reset => f.write_str("reset"),
            Script::Close => f.write_str("close"),
            Script::HelloReset => f.write_str("hello-reset"),
            Script::Stall => f.write_str("stall"),
            Script::Drip(interval) if *interval == DEFAULT_DRIP_INTERVAL => f.write_str("drip"),
            Script::Drip(interval) => write!(f, "drip:{}", interval.ms),
            Script::Flaky(n) => write!(f, "flaky:{n}"),
            Script::Heartbeat => f.write_str("heartbeat"),
            Script::SilentAfter(n) => write!(f, "silent-after:{n}"),
            Script::IdleClose(idle) if *idle == DEFAULT_IDLE => f.write_str("idle-close"),
            Script::IdleClose(idle) => write!(f, "idle-close:{}", idle.ms),
            Script::IdleReset(idle) if *idle == DEFAULT_IDLE => f.write_str("idle-reset"),
            Script::IdleReset(idle) => write!(f, "idle-reset:{}", idle.ms),
            Script::ResetAfter(n) => write!(f, "reset-after:{n}"),
            Script::Latency { .. }
            | Script::Slicer { .. }
            | Script::Truncate { .. }
            | Script::SlowClose { .. } => write_shaped(f, *self),
            Script::Down(1) => f.write_str("down"),
            Script::Down(n) => write!(f, "down:{n}"),
        }
    }
}

/// The scripts that shape one direction, as `NAME:ARGUMENTS[@request]`.
fn write_shaped(f: &mut fmt::Formatter<'_>, script: Script) -> fmt::Result {
    match script {
        Script::Latency {
            delay, jitter: 0, ..
        } => write!(f, "latency:{}", delay.ms)?,
        Script::Latency { delay, jitter, .. } => write!(f, "latency:{}~{jitter}", delay.ms)?,
        Script::Slicer { bytes, gap, .. } if gap == DEFAULT_SLICER_GAP => {
            write!(f, "slicer:{bytes}")?
        }
        Script::Slicer { bytes, gap, .. } => write!(f, "slicer:{bytes}:{}", gap.ms)?,
        Script::Truncate { bytes, .. } => write!(f, "truncate:{bytes}")?,
        Script::SlowClose { delay, .. } => write!(f, "slow-close:{}", delay.ms)?,
        _ => {}
    }
    write_way(f, script.way().unwrap_or(Way::Answer))
}

/// The direction after a script's name: nothing for the answer, the
/// default.
fn write_way(f: &mut fmt::Formatter<'_>, way: Way) -> fmt::Result {
    match way {
        Way::Answer => Ok(()),
        Way::Request => f.write_str("@request"),
    }
}
