//! How to start a lab peer beyond its script: [`Options`], and the checks
//! that refuse a peer that would never serve anyone.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use super::script::{MIN_PACE_MS, Script, Way};

/// Where the peer listens unless told otherwise: loopback, any free port.
pub(super) const LOOPBACK: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// The most connections a peer may be told to serve at once. Each one takes
/// a thread and a descriptor (two as a relay: the client's and the
/// upstream's); 512 stays under the usual limit of 1024 descriptors per
/// process, except for a relay near its cap, which then tells each client
/// it cannot take a `busy:` line.
pub const MAX_CLIENTS: usize = 512;

/// The longest idle limit: one hour.
pub const MAX_IDLE: Duration = Duration::from_secs(3600);

/// How to start a [`Peer`](super::Peer) beyond its script.
///
/// # Listening beyond loopback
///
/// The default address is `127.0.0.1` with a free port, which only this
/// machine can reach. Any other address, such as `0.0.0.0:8080`, lets other
/// machines connect to a server that misbehaves on purpose; the peer binds it
/// because you named it, but check [`Peer::addr`](super::Peer::addr) (`ip().is_loopback()`) and
/// warn your users, as the `peer` example does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The address to listen on; the default is `127.0.0.1:0`.
    pub listen: SocketAddr,
    /// Stop accepting after this many connections; the default, `None`, is
    /// no limit. `Some(0)` is refused.
    pub connections: Option<usize>,
    /// How many connections the peer serves at once, from 1 to
    /// [`MAX_CLIENTS`]; the default is 64. A client beyond it gets a `busy`
    /// line and a close (see the module's "Serving a crowd").
    pub max_clients: usize,
    /// How long a connection may stay idle (nothing received, nothing sent)
    /// before the peer closes it, from 1 ms to [`MAX_IDLE`]; the default is
    /// 30 s. A `drip` slower than this is cut before its first byte.
    pub idle: Duration,
    /// Relay mode: the server to pass each connection on to, which may be
    /// any address; the default, `None`, is no relay (see the module's
    /// "Bring your own server").
    pub upstream: Option<SocketAddr>,
    /// The chance, in percent from 1 to 100, that a connection meets the
    /// script's fault (toxiproxy's `toxicity`); the others are served as by
    /// `echo` (relayed faithfully). The default, 100, strikes every one.
    /// Which ones are struck follows from [`Options::seed`] and each
    /// connection's number.
    pub chance: u8,
    /// The seed from which the chance and `latency`'s jitter are drawn:
    /// the same seed strikes the same connections, counted in the order
    /// the peer accepts them. The default is 0; the `peer` example draws
    /// one and prints it.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            listen: LOOPBACK,
            connections: None,
            max_clients: 64,
            idle: Duration::from_secs(30),
            upstream: None,
            chance: 100,
            seed: 0,
        }
    }
}

/// Whether connecting to `upstream` reaches a listener bound to `listen`:
/// the same address and port, IPv4-mapped IPv6 written either way; or the
/// same port where the listener takes every address and the upstream is
/// loopback, or where the upstream is the wildcard, which a connect takes
/// for this machine (Linux, macOS, FreeBSD). Another of this machine's
/// addresses cannot be told without asking the system for its interfaces,
/// which std cannot: the relay finds such a loop when the connection comes
/// back (`relay::loops_back`).
pub(super) fn reaches(upstream: SocketAddr, listen: SocketAddr) -> bool {
    let (up, at) = (upstream.ip().to_canonical(), listen.ip().to_canonical());
    let every = |ip: IpAddr| ip.is_unspecified();
    let here = |ip: IpAddr| ip.is_loopback() || ip.is_unspecified();
    upstream.port() == listen.port()
        && listen.port() != 0
        && (up == at || (every(at) && here(up)) || (every(up) && here(at)))
}

/// Why a relay refuses an upstream that leads back to its own listener.
pub(super) fn loop_message(upstream: SocketAddr) -> String {
    format!(
        "the upstream {upstream} reaches the relay's own listener: every connection would come back to the relay"
    )
}

impl Options {
    /// Whether connection number `index` (counted from 1 in the order the
    /// peer accepts them) meets the script's fault under [`Options::chance`]
    /// and [`Options::seed`]; the others are served as by `echo`.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::peer::Options;
    ///
    /// let options = Options { chance: 50, seed: 42, ..Options::default() };
    /// let struck: Vec<usize> = (1..=10).filter(|&n| options.strikes(n)).collect();
    /// // The same seed strikes the same connections, run after run.
    /// assert_eq!(struck, (1..=10).filter(|&n| options.strikes(n)).collect::<Vec<_>>());
    /// assert!((1..=10).all(|n| Options::default().strikes(n)));
    /// ```
    pub fn strikes(&self, index: usize) -> bool {
        super::dice::strikes(self.chance, self.seed, index)
    }

    /// Refuses options that would make a peer that never serves anyone, or
    /// one whose limits never end, and a script that makes no sense with
    /// (or without) an upstream.
    pub(super) fn check(&self, script: Script) -> io::Result<()> {
        let invalid = |message: String| Err(io::Error::new(io::ErrorKind::InvalidInput, message));
        match (self.upstream, script) {
            (Some(upstream), _) if reaches(upstream, self.listen) => {
                return invalid(loop_message(upstream));
            }
            (Some(_), script) => {
                if let Some(why) = script.why_not_relayed() {
                    return invalid(why.to_string());
                }
            }
            (None, Script::ResetAfter(_)) => {
                return invalid(
                    "reset-after needs an upstream (--upstream HOST:PORT): it counts the bytes of your server's answer, and without a server there is no answer to count"
                        .to_string(),
                );
            }
            (None, _) => {}
        }
        if let Some(why) = self.shaping_trouble(script) {
            return invalid(why);
        }
        if self.connections == Some(0) {
            return invalid("connections must be at least 1 (None means no limit)".to_string());
        }
        if !(1..=MAX_CLIENTS).contains(&self.max_clients) {
            return invalid(format!(
                "max_clients must be from 1 to {MAX_CLIENTS}, not {}",
                self.max_clients
            ));
        }
        if self.idle < Duration::from_millis(1) || self.idle > MAX_IDLE {
            return invalid(format!(
                "idle must be from 1 ms to {} s, not {:?}",
                MAX_IDLE.as_secs(),
                self.idle
            ));
        }
        Ok(())
    }

    /// What is wrong with the chance, or with a script that shapes a
    /// direction, if anything.
    fn shaping_trouble(&self, script: Script) -> Option<String> {
        if let Some(why) = argument_trouble(script) {
            return Some(why);
        }
        if let Some(time) = script.longest_wait().filter(|&time| time >= self.idle) {
            return Some(format!(
                "{script} waits {} ms, and the peer closes a connection on which nothing has moved for {} ms (--idle-ms) first: raise the idle limit above the script's time",
                time.as_millis(),
                self.idle.as_millis()
            ));
        }
        if self.upstream.is_none() && script.way() == Some(Way::Request) {
            return Some(format!(
                "{script} needs an upstream (--upstream HOST:PORT): without a server the request goes nowhere; without @request it shapes the echo"
            ));
        }
        if !(1..=100).contains(&self.chance) {
            return Some(format!(
                "chance is a percentage from 1 to 100, not {}",
                self.chance
            ));
        }
        let faultless = matches!(
            script,
            Script::Echo | Script::Heartbeat | Script::Flaky(_) | Script::Down(_)
        );
        if self.chance < 100 && faultless {
            return Some(format!(
                "a chance below 100% picks the connections that meet the script's fault, and {script} has none to give each connection (flaky:N and down:N pick their own)"
            ));
        }
        None
    }
}

/// What is wrong with a script's own arguments, if anything: what the
/// parser refuses, for a script built in code.
fn argument_trouble(script: Script) -> Option<String> {
    match script {
        Script::Latency { delay, jitter, .. } if u64::from(jitter) > delay.as_millis() => {
            Some(format!("{script}: the jitter is at most the delay"))
        }
        Script::Drip(gap) | Script::Slicer { gap, .. }
            if gap.as_millis() < u64::from(MIN_PACE_MS) =>
        {
            Some(format!(
                "{script}: the time between pieces is at least {MIN_PACE_MS} ms (see MIN_PACE_MS for why)"
            ))
        }
        Script::Slicer { bytes: 0, .. } => Some(format!("{script}: a piece has at least 1 byte")),
        Script::Down(0) => {
            Some("down serves at least 1 connection before its port closes".to_string())
        }
        _ => None,
    }
}
