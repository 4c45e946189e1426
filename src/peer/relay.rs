//! The lab peer as a relay: between your own client and your own server, it
//! copies bytes both ways, and the script chooses what goes wrong.
//!
//! ```text
//!  your client            relay (script: flaky:1)              your server
//!    | -- connect ------------> |                                    |
//!    | -- request ------------> |  the first connection: the request |
//!    | <----------------- RST - |  is left unread, the server never  |
//!    |                          |  hears of it                       |
//!    | -- connect ------------> | -- connect ---------------------> |
//!    | -- request ------------> | -- request ---------------------> |
//!    | <------------ answer --- | <--------------------- answer --- |
//! ```
//!
//! Each relayed connection takes two threads: the connection's own copies
//! the answer from the upstream to the client (`downward`), and a second
//! one, joined before the first returns, copies the request from the client
//! to the upstream (`upward`). Every blocking call lasts at most a TICK,
//! and both stop when the connection is over, when the peer stops, when the
//! slot goes to a newcomer, or after the peer's idle limit.
//!
//! # Which resets are real, and why
//!
//! Std has no stable way to ask for an RST (`set_linger` is unstable,
//! rust-lang/rust#88494), and the crate has no unsafe code. The one way
//! left is the kernel's own rule: closing a socket whose received bytes are
//! still unread sends an RST instead of a FIN (RFC 1122, 4.2.2.13, and
//! Linux's `tcp_close`; `docs/facts.md`). So the relay passes on what it
//! has only *peeked* at, and reads the client's bytes out of the queue
//! later:
//!
//! - `reset`, `flaky:N` (the first N connections from each client
//!   address), `idle-reset` and `reset-after` leave a byte of the client's
//!   unread until they close, so the client always sees `ConnectionReset`,
//!   provided it has sent at least one byte. A client that never sends
//!   anything (one whose server speaks first) cannot be reset: it reads
//!   the end of the stream.
//! - The upstream's own reset is passed on as an RST when it comes within
//!   `HOLD` (200 ms) of the client's last bytes: the relay keeps the
//!   newest byte unread that long, then reads it, so that a close after a
//!   healthy exchange is a FIN. A server that crashes right after the
//!   request (the lab peer's `reset`, say) is within it; a reset that comes
//!   later reaches the client as the end of the stream, `Ok(0)`.
//! - While a byte is kept unread, the client's FIN behind it cannot be
//!   seen: the relay passes a half-close on up to `HOLD` late, and under
//!   `reset-after`, which keeps a byte for its reset, only once the
//!   upstream has closed its side (then no reset can come).

use std::io;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use super::conn::{Conn, Got, Limits};
use super::dice::Dice;
use super::event::{Did, Ending, Relayed, Sees};
use super::script::{Script, ScriptTime, Way};
use super::serve;
use super::shape::Shape;
use super::shared::Shared;
use crate::failure::Failure;

mod downward;
mod upward;

use downward::{DownEnd, Downward};
use upward::{Up, UpEnd, Upward};

/// How long a relay waits for the upstream to accept each connection.
///
/// It is the one wait of the peer longer than a TICK: a peer dropped while
/// it is connecting to an upstream that does not answer takes up to this
/// long to stop.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// What the script does to one relayed connection, decoded once.
#[derive(Clone, Copy)]
enum Plan {
    /// `reset`, and the first N connections from each client address under
    /// `flaky:N`: reset the client when its first bytes arrive, and never
    /// contact the upstream.
    ResetFirst,
    /// Connect to the upstream, and pass bytes both ways with these faults.
    Pass(Faults),
}

impl Plan {
    /// What `script` does to a connection that is number `visit` from its
    /// client's address (see `relay`).
    fn of(script: Script, visit: Option<u32>) -> Plan {
        match script {
            Script::Reset => return Plan::ResetFirst,
            Script::Flaky(_) if script.resets_visit(visit) => return Plan::ResetFirst,
            // `close`, `hello-reset`, `heartbeat` and `silent-after` never
            // come here: `Peer::start_with` refuses them in a relay.
            _ => {}
        }
        let idle = match script {
            Script::IdleClose(after) => Some(IdleFault {
                after,
                reset: false,
            }),
            Script::IdleReset(after) => Some(IdleFault { after, reset: true }),
            _ => None,
        };
        Plan::Pass(Faults {
            answer: Shape::of(script, Way::Answer),
            request: Shape::of(script, Way::Request),
            idle,
        })
    }
}

/// What goes wrong with a connection that reaches the upstream.
#[derive(Clone, Copy)]
struct Faults {
    /// What happens to the upstream's answer on its way down.
    answer: Shape,
    /// What happens to the client's request on its way up.
    request: Shape,
    /// What happens once nothing has moved for a while, if anything.
    idle: Option<IdleFault>,
}

impl Faults {
    /// How long the upward direction keeps the client's newest byte unread:
    /// to the end under `reset-after`, whose reset needs it.
    fn keep(&self) -> Keep {
        match self.answer {
            Shape::Cut { reset: true, .. } => Keep::ToTheEnd,
            _ => Keep::Briefly,
        }
    }

    fn stalls(&self) -> bool {
        self.answer == Shape::Stall
    }
}

/// `idle-close` and `idle-reset`: once nothing has moved for `after`, close
/// the client (FIN), or forget the flow and reset the client's next bytes.
#[derive(Clone, Copy)]
struct IdleFault {
    after: ScriptTime,
    reset: bool,
}

/// How long the upward thread keeps the client's newest byte unread.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// For `HOLD` after it was passed on.
    Briefly,
    /// Until the connection ends (`reset-after`).
    ToTheEnd,
}

/// What the two directions of one relayed connection share.
#[derive(Default)]
struct Link {
    /// The connection is over: both directions stop.
    over: AtomicBool,
    /// Set before `over` when the close must reset the client: the upward
    /// thread then leaves the byte it keeps unread.
    reset_client: AtomicBool,
    /// Set when the upstream has closed before `reset-after` reached its
    /// count: no reset can come any more, so the upward thread keeps its
    /// byte only `HOLD` long, and can then see the client's FIN.
    no_reset_to_come: AtomicBool,
}

impl Link {
    /// Ends the connection, resetting the client or not.
    fn end(&self, reset_client: bool) {
        if reset_client {
            self.reset_client.store(true, Ordering::SeqCst);
        }
        self.over.store(true, Ordering::SeqCst);
    }

    /// Tells the upward direction how the downward one ended. After the
    /// upstream's FIN, the client may still send: the upward thread runs on
    /// until the client closes too. Any other end is the end of both
    /// directions.
    fn down_ended(&self, down: &DownEnd) {
        match down {
            DownEnd::UpstreamClosed => self.no_reset_to_come.store(true, Ordering::SeqCst),
            DownEnd::UpstreamBroken(_) => self.end(true),
            DownEnd::Cut { reset } => self.end(*reset),
            _ => self.end(false),
        }
    }

    fn is_over(&self) -> bool {
        self.over.load(Ordering::SeqCst)
    }

    fn resets_client(&self) -> bool {
        self.reset_client.load(Ordering::SeqCst)
    }

    /// How long the upward thread keeps a byte now.
    fn keep(&self, keep: Keep) -> Keep {
        if self.no_reset_to_come.load(Ordering::SeqCst) {
            Keep::Briefly
        } else {
            keep
        }
    }
}

/// Where a relay passes its connections on, and what it keeps on the way.
#[derive(Clone, Copy)]
pub(super) struct Upstream<'a> {
    /// The upstream's address.
    pub(super) addr: SocketAddr,
    /// The peer's seed, from which `latency` draws its jitter.
    pub(super) seed: u64,
    /// The peer's shared state, where the relay notes its own connections
    /// to the upstream, to know them if they come back to it.
    pub(super) shared: &'a Shared,
}

/// Relays one connection to `to` according to `script`, and says what
/// happened to it.
///
/// `index` counts connections from 1 in the order the peer accepted them,
/// for the event; `visit` is the connection's number among those from its
/// client's address, from 1, or None if the peer had no room to count it
/// (`MAX_ADDRESSES`): `flaky:N` resets the first N from each address.
pub(super) fn relay(
    stream: TcpStream,
    script: Script,
    index: usize,
    visit: Option<u32>,
    limits: &Limits,
    to: Upstream,
) -> Relayed {
    let looped = stream
        .peer_addr()
        .is_ok_and(|client| might_be_own(client, &to));
    let (did, sees) = match Conn::new(stream, limits) {
        Err(error) => (Did::ClientSocketFailed(error), Sees::Gone),
        Ok(client) if looped => loops_back(client, to.addr),
        Ok(client) => match Plan::of(script, visit) {
            Plan::ResetFirst => reset_before_upstream(client),
            Plan::Pass(faults) => connect_and_pass(client, faults, (script, index), limits, to),
        },
    };
    Relayed {
        index,
        script,
        did,
        sees,
    }
}

/// Connects to the upstream and relays the connection, noting the local
/// address of the relay's side while it lasts, so that the relay knows it
/// if the upstream leads back to the relay itself.
fn connect_and_pass(
    client: Conn,
    faults: Faults,
    (script, index): (Script, usize),
    limits: &Limits,
    to: Upstream,
) -> (Did, Sees) {
    let number = to.shared.connecting();
    let connected = TcpStream::connect_timeout(&to.addr, CONNECT_TIMEOUT);
    let side = connected
        .as_ref()
        .ok()
        .and_then(|stream| stream.local_addr().ok());
    to.shared.connected(number, side);
    let stream = match connected {
        Ok(stream) => stream,
        Err(error) => return upstream_unreachable(client, to.addr, error),
    };
    let outcome = match Conn::new(stream, limits) {
        Ok(server) => {
            let dice = [1, 2].map(|way| Dice::new(to.seed, index, way));
            pass(client, server, faults, script, dice)
        }
        Err(error) => upstream_unreachable(client, to.addr, error),
    };
    if let Some(side) = side {
        to.shared.disconnected(side);
    }
    outcome
}

/// How long a client that may be the relay's own connection waits for the
/// relay's connects under way to note their addresses: on one host a
/// connect returns microseconds after the listener has its connection.
const OWN_WAIT: Duration = Duration::from_millis(100);

/// Whether `client` is the relay's own connection to its upstream, come
/// back. Only a client at the upstream's own address can be: the relay
/// connects from that address to reach one of its host's own (Linux picks
/// the destination as the source for a local address), so only such a
/// client waits for the connects under way (`Shared::is_upstream_side`).
fn might_be_own(client: SocketAddr, to: &Upstream) -> bool {
    let wait = if client.ip().to_canonical() == to.addr.ip().to_canonical() {
        OWN_WAIT
    } else {
        Duration::ZERO
    };
    to.shared.is_upstream_side(client, wait)
}

/// The client is the relay itself: its upstream led back to it, and each
/// connection would be passed to itself for ever. It is told so in one
/// line, which goes down the relay's first connection to the real client
/// (the relay passes on what its upstream says), and closed.
fn loops_back(mut client: Conn, upstream: SocketAddr) -> (Did, Sees) {
    let line = format!(
        "loop: the upstream {upstream} leads back to this relay, which would pass each connection on to itself; check --upstream\n"
    );
    client.send(line.as_bytes());
    let _ = client.stream.shutdown(Shutdown::Write);
    client.drain();
    (Did::LoopedBack { upstream }, Sees::End)
}

/// `reset`, and the first N connections from each client address under
/// `flaky:N`: the client is reset when its first bytes arrive, and the
/// upstream never hears of it.
fn reset_before_upstream(client: Conn) -> (Did, Sees) {
    match serve::reset(client) {
        Got::Data(_) => (Did::Reset, Sees::Reset),
        Got::Closed => (Did::ClosedBeforeSending, Sees::End),
        Got::Broken(error) => (Did::ClientFailed(error), Sees::Gone),
        Got::Quiet | Got::Done => (Did::SentNothing, Sees::End),
    }
}

/// How long a relay whose upstream could not be reached waits for the
/// client's first bytes, which let it answer with a reset.
const REFUSAL_WAIT: Duration = Duration::from_millis(250);

/// A refused or dead upstream. The relay has accepted the client already,
/// so it cannot refuse it as the server would have, and it knows nothing of
/// the client's protocol, so it cannot say so in words the client would
/// read as an error; the nearest it has is an error at the TCP level: an
/// RST, once the client has sent its first bytes (within `REFUSAL_WAIT`),
/// or else a FIN.
fn upstream_unreachable(mut client: Conn, upstream: SocketAddr, error: io::Error) -> (Did, Sees) {
    // Out of descriptors or of local ports (EMFILE, EADDRNOTAVAIL), the
    // trouble is this peer's own and passes: the client is told, as the cap
    // tells it, instead of meeting a close it cannot explain.
    let busy = matches!(
        Failure::of(&error),
        Failure::Other | Failure::NoLocalAddress
    );
    let sees = if busy {
        let line = format!(
            "busy: could not open a connection to the upstream ({error}); try again later\n"
        );
        client.send(line.as_bytes());
        fin(client)
    } else {
        let deadline = std::time::Instant::now().checked_add(REFUSAL_WAIT);
        match client.receive(&mut [0u8; 1], deadline, true) {
            // Closing with the peeked bytes unread resets the client.
            Got::Data(_) => Sees::Reset,
            Got::Broken(_) => Sees::Gone,
            Got::Closed | Got::Quiet | Got::Done => fin(client),
        }
    };
    let did = Did::Unreachable {
        upstream,
        error,
        busy,
    };
    (did, sees)
}

/// Closes the client with a FIN: the FIN goes first, then what the client
/// has sent is read and thrown away, so that the close adds no RST.
fn fin(mut client: Conn) -> Sees {
    let _ = client.stream.shutdown(Shutdown::Write);
    client.drain();
    Sees::End
}

/// Relays one connection whose upstream is connected: the request goes up
/// in a second thread, the answer comes down in this one.
/// `dice` draws the jitter of each direction, up then down.
fn pass(
    client: Conn,
    server: Conn,
    faults: Faults,
    script: Script,
    dice: [Dice; 2],
) -> (Did, Sees) {
    let link = Link::default();
    let [up_dice, down_dice] = dice;
    let upward = Upward::new(client.share(), server.share(), &link, faults, up_dice);
    thread::scope(|scope| {
        let spawned = thread::Builder::new()
            .name(format!("peer {script} upward"))
            .spawn_scoped(scope, move || upward.run());
        let handle = match spawned {
            Ok(handle) => handle,
            Err(error) => return (Did::NoUpwardThread(error), Sees::End),
        };
        let mut downward = Downward::new(client, server, &link, faults, down_dice);
        let down = downward.run();
        link.down_ended(&down);
        // The upward thread ends within a TICK of `over`, or by the idle
        // limit. It cannot panic by design; if it did, say nothing was kept.
        let up = handle.join().unwrap_or(Up {
            end: UpEnd::Stopped,
            bytes: 0,
            kept: false,
        });
        let (up_bytes, down_bytes) = (up.bytes, downward.passed);
        let (ending, sees) = ending(down, up, downward);
        let did = Did::Passed {
            up: up_bytes,
            down: down_bytes,
            ending,
        };
        (did, sees)
    })
}

/// How a passed connection ended, and what the client will have seen; it
/// also does what `idle-close` and `idle-reset` do after the idle time.
fn ending(down: DownEnd, up: Up, downward: Downward) -> (Ending, Sees) {
    // The reset reaches the client only if a byte of its was left unread.
    let reset_or_end = |ending| (ending, if up.kept { Sees::Reset } else { Sees::End });
    let Downward {
        client,
        server,
        faults,
        thrown,
        ..
    } = downward;
    if faults.stalls() {
        return match up.end {
            UpEnd::ClientBroken(error) => (Ending::ClientFailed(error), Sees::Gone),
            _ => (Ending::Stalled { thrown }, Sees::Silence),
        };
    }
    match down {
        DownEnd::UpstreamClosed => (Ending::UpstreamClosed, Sees::End),
        DownEnd::UpstreamBroken(error) => reset_or_end(Ending::UpstreamFailed(error)),
        DownEnd::Cut { reset: true } => reset_or_end(Ending::CountReached),
        DownEnd::Cut { reset: false } => truncated(client),
        DownEnd::Idle(idle) => after_idle(idle, client, server),
        DownEnd::ClientGone => (Ending::ClientGone, Sees::Gone),
        DownEnd::Over => match up.end {
            UpEnd::ClientBroken(error) => (Ending::ClientFailed(error), Sees::Gone),
            UpEnd::UpstreamGone => reset_or_end(Ending::UpstreamGone),
            UpEnd::ClientClosed | UpEnd::Stopped => (Ending::Done, Sees::End),
        },
        DownEnd::Done => (Ending::Done, Sees::End),
    }
}

/// `truncate`: the count was passed on and more came: the client gets a
/// FIN, and what it sent meanwhile is read, so that the close adds no RST.
fn truncated(mut client: Conn) -> (Ending, Sees) {
    let _ = client.stream.shutdown(Shutdown::Write);
    client.drain();
    (Ending::Truncated, Sees::End)
}

/// What `idle-close` and `idle-reset` do once nothing has moved for
/// `idle.after`, and what the client will have seen.
fn after_idle(idle: IdleFault, mut client: Conn, server: Conn) -> (Ending, Sees) {
    if idle.reset {
        // The flow is forgotten: the upstream is closed now, and the
        // client's next bytes are left unread, so closing resets it.
        drop(server);
        let sees = match serve::reset(client) {
            Got::Data(_) => Sees::Reset,
            Got::Broken(_) => Sees::Gone,
            Got::Closed | Got::Quiet | Got::Done => Sees::End,
        };
        return (Ending::IdleReset(idle.after), sees);
    }
    // A FIN, and what the client sent meanwhile read, so that the close is
    // a polite one, as a keep-alive timeout's is.
    let _ = client.stream.shutdown(Shutdown::Write);
    client.drain();
    (Ending::IdleClosed(idle.after), Sees::End)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;
    use std::sync::atomic::AtomicBool;
    use std::time::Duration;

    use super::super::conn::SlotFlags;

    // A client whose address the relay noted as one of its own connections
    // to the upstream is the relay coming back to itself: it gets the
    // `loop:` line, and the upstream is never contacted. (The integration
    // tests cannot make such a loop on one machine without an address
    // other than loopback, which the relay refuses when it starts.)
    // In a burst, the relay may accept its own connection before the
    // connect that made it has returned and noted its address: the question
    // waits for that connect (an outside audit saw 15 of 300 looped
    // connections pass through a second time before this).
    #[test]
    fn a_connection_whose_connect_is_still_under_way_is_known_once_it_returns() {
        let shared = Shared::default();
        let side = SocketAddr::from(([127, 0, 0, 1], 40000));
        let number = shared.connecting();
        thread::scope(|scope| {
            let asked = scope.spawn(|| shared.is_upstream_side(side, Duration::from_secs(5)));
            shared.connected(number, Some(side));
            assert!(asked.join().unwrap());
        });
        // With no connect under way, a stranger is answered at once.
        let stranger = SocketAddr::from(([127, 0, 0, 1], 40001));
        let started = std::time::Instant::now();
        assert!(!shared.is_upstream_side(stranger, Duration::from_secs(5)));
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn a_connection_from_the_relays_own_upstream_side_is_told_it_loops() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut own_side = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        own_side
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let (accepted, _) = listener.accept().unwrap();
        let shared = Shared::default();
        let number = shared.connecting();
        shared.connected(number, Some(own_side.local_addr().unwrap()));
        let (stop, flags) = (AtomicBool::new(false), SlotFlags::default());
        let limits = Limits::new(&stop, &flags, Duration::from_secs(5));
        let nowhere = SocketAddr::from(([127, 0, 0, 1], 9));
        let to = Upstream {
            addr: nowhere,
            seed: 0,
            shared: &shared,
        };
        let relayed = relay(accepted, Script::Echo, 1, Some(1), &limits, to);
        assert!(matches!(relayed.did, Did::LoopedBack { upstream } if upstream == nowhere));
        let mut said = String::new();
        own_side.read_to_string(&mut said).unwrap();
        assert!(
            said.starts_with("loop: the upstream 127.0.0.1:9 leads back"),
            "{said}"
        );
    }
}
