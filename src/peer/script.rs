//! The lab peer's scripts: what it does with each connection, and why.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The drip interval when `drip` is given without one.
///
/// It is shorter than a 200 ms read timeout on purpose: each byte arrives
/// before a per-call timeout can fire, so only a deadline notices the slowness.
pub const DEFAULT_DRIP_INTERVAL: Duration = Duration::from_millis(150);

/// How long `idle-close` and `idle-reset` let a connection sit idle when
/// given no time: short enough for a demonstration. Real servers and load
/// balancers wait much longer (`docs/facts.md` cites nginx, AWS ALB and NLB).
pub const DEFAULT_IDLE: Duration = Duration::from_millis(200);

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
/// let script: Script = "flaky:2".parse()?;
/// assert_eq!(script, Script::Flaky(2));
/// assert_eq!(script.to_string(), "flaky:2");
/// # Ok::<(), reset_by_peer::peer::ParseScriptError>(())
/// ```
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
    /// Sends a greeting line, then resets as [`Script::Reset`] does.
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
    Drip(Duration),
    /// Resets the first N connections, then echoes: a restarting or
    /// overloaded server.
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
    IdleClose(Duration),
    /// Answers each request line with the same line, on one connection;
    /// a request that comes after the connection has been idle this long
    /// is answered with an RST: a load balancer that has forgotten the flow.
    IdleReset(Duration),
}

/// The longest idle time `idle-close:MS` and `idle-reset:MS` accept: a
/// minute.
const MAX_IDLE_MS: u64 = 60_000;

/// A script's entry in the peer's catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptInfo {
    /// How to name the script on a command line, e.g. `flaky:N`.
    pub usage: &'static str,
    /// The cause from the article that the script stands for.
    pub cause: &'static str,
    /// What a client sees, as checked on Linux.
    pub client_sees: &'static str,
}

/// Every script, in the order the peer lists them.
pub const CATALOGUE: [ScriptInfo; 11] = [
    ScriptInfo {
        usage: "echo",
        cause: "none: a healthy server, the one the article's code example expects",
        client_sees: "its own bytes back, then EOF once it has closed its side",
    },
    ScriptInfo {
        usage: "reset",
        cause: "server shutdown: the server process dies with our request unread",
        client_sees: "ConnectionReset on the next call, once; then EOF on recv, BrokenPipe on send",
    },
    ScriptInfo {
        usage: "close",
        cause: "explicit closure by the server, done politely (FIN, not RST)",
        client_sees: "Ok(0) from recv, which is no error; a later send fails with BrokenPipe",
    },
    ScriptInfo {
        usage: "hello-reset",
        cause: "explicit closure by the server after it has said something",
        client_sees: "the greeting \"hello\", then ConnectionReset",
    },
    ScriptInfo {
        usage: "stall",
        cause: "a hung server: it reads but never answers, and its kernel still ACKs (not a lost network path)",
        client_sees: "no error, no reset: only a read timeout ends the wait",
    },
    ScriptInfo {
        usage: "drip[:MS]",
        cause: "a slow link or server (one byte every MS, 150 ms by default)",
        client_sees: "per-call read timeouts longer than MS never fire; only a deadline notices",
    },
    ScriptInfo {
        usage: "flaky:N",
        cause: "server overload or restart: the first N connections are reset",
        client_sees: "ConnectionReset N times, then a working echo server",
    },
    ScriptInfo {
        usage: "heartbeat",
        cause: "none: a live peer that answers each PING line with PONG",
        client_sees: "a PONG line for every PING line",
    },
    ScriptInfo {
        usage: "silent-after:N",
        cause: "a hung application after N pings: no FIN, no RST, and its kernel still ACKs (not a partition)",
        client_sees: "N PONGs, then silence that only a heartbeat notices",
    },
    ScriptInfo {
        usage: "idle-close[:MS]",
        cause: "not in the article: a keep-alive timeout closes an idle connection (200 ms by default)",
        client_sees: "the next request is sent without error; its answer is Ok(0), the end of the stream",
    },
    ScriptInfo {
        usage: "idle-reset[:MS]",
        cause: "not in the article: a load balancer forgets an idle flow (200 ms by default)",
        client_sees: "the next request is sent without error; its answer is ConnectionReset",
    },
];

impl Script {
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
            Script::Drip(interval) => write!(f, "drip:{}", interval.as_millis()),
            Script::Flaky(n) => write!(f, "flaky:{n}"),
            Script::Heartbeat => f.write_str("heartbeat"),
            Script::SilentAfter(n) => write!(f, "silent-after:{n}"),
            Script::IdleClose(idle) if *idle == DEFAULT_IDLE => f.write_str("idle-close"),
            Script::IdleClose(idle) => write!(f, "idle-close:{}", idle.as_millis()),
            Script::IdleReset(idle) if *idle == DEFAULT_IDLE => f.write_str("idle-reset"),
            Script::IdleReset(idle) => write!(f, "idle-reset:{}", idle.as_millis()),
        }
    }
}

/// A script name that [`Script`]'s `FromStr` could not understand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseScriptError {
    message: String,
}

impl fmt::Display for ParseScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseScriptError {}

impl FromStr for Script {
    type Err = ParseScriptError;

    /// Parses a script name such as `reset`, `drip:20` or `flaky:2`.
    fn from_str(text: &str) -> Result<Script, ParseScriptError> {
        let (name, argument) = match text.split_once(':') {
            Some((name, argument)) => (name, Some(argument)),
            None => (text, None),
        };
        let error = |message: String| ParseScriptError { message };
        let count = |usage: &str| match argument.map(str::parse::<u32>) {
            Some(Ok(n)) => Ok(n),
            Some(Err(_)) => Err(error(format!(
                "`{text}`: the count must be a whole number, as in {usage}"
            ))),
            None => Err(error(format!("`{name}` needs a count, as in {usage}"))),
        };
        let idle = |default: Duration| match argument.map(str::parse::<u64>) {
            None => Ok(default),
            Some(Ok(ms)) if (1..=MAX_IDLE_MS).contains(&ms) => Ok(Duration::from_millis(ms)),
            Some(_) => Err(error(format!(
                "`{text}`: the idle time must be 1 to {MAX_IDLE_MS} milliseconds, as in {name}:200"
            ))),
        };
        let script = match name {
            "echo" => Script::Echo,
            "reset" => Script::Reset,
            "close" => Script::Close,
            "hello-reset" => Script::HelloReset,
            "stall" => Script::Stall,
            "heartbeat" => Script::Heartbeat,
            "flaky" => return count("flaky:2").map(Script::Flaky),
            "silent-after" => return count("silent-after:3").map(Script::SilentAfter),
            "idle-close" => return idle(DEFAULT_IDLE).map(Script::IdleClose),
            "idle-reset" => return idle(DEFAULT_IDLE).map(Script::IdleReset),
            "drip" => {
                return match argument.map(str::parse::<u64>) {
                    None => Ok(Script::Drip(DEFAULT_DRIP_INTERVAL)),
                    // A zero interval would turn the drip into a flood.
                    Some(Ok(ms)) if ms > 0 => Ok(Script::Drip(Duration::from_millis(ms))),
                    Some(_) => Err(error(format!(
                        "`{text}`: the interval must be a positive number of milliseconds, as in drip:150"
                    ))),
                };
            }
            _ => return Err(error(format!("unknown script `{text}`"))),
        };
        // Scripts that take no argument refuse one rather than ignore it.
        match argument {
            Some(_) => Err(error(format!("`{name}` takes no `:` argument"))),
            None => Ok(script),
        }
    }
}
