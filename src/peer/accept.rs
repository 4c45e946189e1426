//! The lab peer's accepting thread: it accepts each connection, gives it a
//! thread of its own (`serve`, or `relay` when there is an upstream), keeps
//! to the crowd rules of the module documentation (a cap, the `busy` line
//! beyond it, slots that give way), counts the connections from each
//! client address for `flaky:N` (`Visits`), and joins every connection
//! thread before it returns.

use std::collections::HashMap;
use std::io::{self, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::conn::{Limits, SlotFlags};
use super::options::Options;
use super::script::Script;
use super::shared::Shared;
use super::{dice, relay, serve};

/// How long the accepting thread pauses when accept() fails (the process out
/// of descriptors, say), so that it never spins.
const BUSY_PAUSE: Duration = Duration::from_millis(5);

/// How many client addresses a peer remembers, for `flaky:N`, which resets
/// the first N connections from each address.
///
/// A classroom is far below it. Once a peer has seen this many addresses, a
/// connection from an address it has not seen is not counted, and
/// `flaky:N` serves it as one past its N: it echoes (or relays) at once.
/// Addresses already remembered are counted as before. So a peer open to
/// many machines resets nobody new after its 4096th client address, and
/// what it remembers stays bounded: 4096 addresses, each with a count.
pub const MAX_ADDRESSES: usize = 4096;

/// A connection being served: its thread, when it was accepted, and the
/// flags its handler shares with the accepting thread.
struct Slot {
    handler: JoinHandle<()>,
    opened: Instant,
    flags: Arc<SlotFlags>,
}

/// What the accepting thread keeps: the connections it serves, and those
/// whose slot went to a newcomer.
struct Slots<'a> {
    script: Script,
    options: Options,
    shared: &'a Arc<Shared>,
    serving: Vec<Slot>,
    /// Threads whose slot went to a newcomer; each ends within a TICK.
    leaving: Vec<JoinHandle<()>>,
    /// Connections accepted so far, including the one being started.
    accepted: usize,
    /// Connections accepted from each client address.
    visits: Visits,
}

/// How many connections the peer has accepted from each client address, so
/// that `flaky:N` resets the first N from each one: a teacher runs one peer
/// for a whole classroom, and every student is to meet the resets, not only
/// the first to connect. Addresses, not ports: each of a client's
/// connections comes from a port of its own.
#[derive(Default)]
struct Visits {
    counts: HashMap<IpAddr, u32>,
}

impl Visits {
    /// Counts one more connection from `client`, and returns its number
    /// among the connections from that address, from 1. None when the
    /// address is new and `MAX_ADDRESSES` are remembered already: there is
    /// no room to count it (see `MAX_ADDRESSES` for what `flaky:N` does then).
    fn count(&mut self, client: IpAddr) -> Option<u32> {
        let full = self.counts.len() >= MAX_ADDRESSES;
        match self.counts.get_mut(&client) {
            // Saturating: past u32::MAX, only `flaky:4294967295` still
            // cares, and it resets every connection anyway.
            Some(count) => {
                *count = count.saturating_add(1);
                Some(*count)
            }
            None if full => None,
            None => {
                self.counts.insert(client, 1);
                Some(1)
            }
        }
    }
}

/// Accepts connections until asked to stop or until `options.connections`
/// is reached, then closes the listener and joins every connection thread.
pub(super) fn accept_loop(
    listener: TcpListener,
    script: Script,
    options: Options,
    shared: &Arc<Shared>,
) {
    let mut listener = Some(listener);
    let mut slots = Slots {
        script,
        options,
        shared,
        serving: Vec::new(),
        leaving: Vec::new(),
        accepted: 0,
        visits: Visits::default(),
    };
    // A server runs until it is told to stop or has served its limit. Each
    // pass blocks in accept() until a connection comes; `Peer::stop` makes
    // one to end the wait.
    while let Some(open) = &listener {
        let Some(result) = accept_one(open, shared) else {
            break;
        };
        let Ok((stream, client)) = result else {
            // A connection aborted while queued, or the process out of
            // descriptors: passing troubles; pause and go on serving.
            thread::sleep(BUSY_PAUSE);
            continue;
        };
        if !slots.make_room() {
            turn_away(stream, options.max_clients);
            shared.update(|counts| counts.turned_away += 1);
            continue;
        }
        slots.accepted += 1;
        // Close the port as soon as the last allowed connection is in
        // (`down:N` allows N), and before counting it: whoever sees the
        // count then also finds the port closed.
        let down_after = match script {
            Script::Down(n) => usize::try_from(n).ok(),
            _ => None,
        };
        if options.connections == Some(slots.accepted) || down_after == Some(slots.accepted) {
            listener = None;
        }
        slots.spawn(stream, client);
    }
    // Stop listening before waiting for the connections still open. The flag
    // goes down first, so that `Peer::stop`, if its wake-up is refused by
    // the closed port, knows this thread is not in accept().
    shared.accepting.store(false, Ordering::SeqCst);
    drop(listener);
    slots.join();
}

/// Waits in accept() for the next connection and its client's address;
/// None if the peer is stopping.
fn accept_one(
    listener: &TcpListener,
    shared: &Shared,
) -> Option<io::Result<(TcpStream, SocketAddr)>> {
    let stopping = || shared.stop.load(Ordering::SeqCst);
    // The flag goes up before the stop flag is read, so that `Peer::stop`
    // never finds it down while this thread is on its way into accept().
    shared.accepting.store(true, Ordering::SeqCst);
    if stopping() {
        return None;
    }
    let result = listener.accept();
    shared.accepting.store(false, Ordering::SeqCst);
    // This may be the wake-up connection from `Peer::stop`: not a client.
    if stopping() {
        return None;
    }
    Some(result)
}

impl Slots<'_> {
    /// Makes room for a newcomer if every slot is taken, by giving it the
    /// slot of a connection that has had its share; false if there is none.
    fn make_room(&mut self) -> bool {
        // Forget threads that have finished, so a long-running peer does not
        // collect one handle per connection it ever served.
        self.serving.retain(|slot| !slot.handler.is_finished());
        self.leaving.retain(|handler| !handler.is_finished());
        let cap = self.options.max_clients;
        if self.serving.len() < cap {
            return true;
        }
        // A thread that gave way takes up to a TICK to end. Allow no more
        // than max_clients of them at once, so that a burst of newcomers
        // cannot pile up threads faster than they end.
        if self.leaving.len() >= cap {
            return false;
        }
        let Some(index) = has_had_its_share(&self.serving, self.options.idle) else {
            return false;
        };
        let slot = self.serving.swap_remove(index);
        slot.flags.give_way.store(true, Ordering::SeqCst);
        self.leaving.push(slot.handler);
        true
    }

    /// Counts the connection just accepted, number `self.accepted` in all,
    /// and one more from its client's address, and serves it in a thread of
    /// its own.
    fn spawn(&mut self, stream: TcpStream, client: SocketAddr) {
        self.shared.update(|counts| counts.accepted += 1);
        let visit = self.visits.count(client.ip());
        let flags = Arc::new(SlotFlags::default());
        let for_thread = (Arc::clone(self.shared), Arc::clone(&flags));
        let (options, index) = (self.options, self.accepted);
        // Under a chance below 100%, a connection it spares is served as
        // by `echo`, relayed faithfully; the event says `echo` too.
        let script = if dice::strikes(options.chance, options.seed, index) {
            self.script
        } else {
            Script::Echo
        };
        let spawned = thread::Builder::new()
            .name(format!("peer {script} connection {index}"))
            .spawn(move || {
                let (shared, flags) = for_thread;
                let limits = Limits::new(&shared.stop, &flags, options.idle);
                match options.upstream {
                    None => {
                        let dice = dice::Dice::new(options.seed, index, 2);
                        serve::serve(stream, script, visit, &limits, dice);
                    }
                    Some(upstream) => {
                        let seed = options.seed;
                        let relayed =
                            relay::relay(stream, script, index, visit, &limits, upstream, seed);
                        shared.record(relayed);
                    }
                }
                // `serve` and `relay` owned the stream, so it is closed by
                // now, and the relay's event is already there.
                shared.update(|counts| counts.finished += 1);
            });
        match spawned {
            Ok(handler) => self.serving.push(Slot {
                handler,
                opened: Instant::now(),
                flags,
            }),
            // The closure, and the stream in it, were dropped: the
            // connection is closed, so count it as finished.
            Err(_) => self.shared.update(|counts| counts.finished += 1),
        }
    }

    /// Joins every connection thread, those serving and those leaving.
    fn join(self) {
        let serving = self.serving.into_iter().map(|slot| slot.handler);
        for handler in serving.chain(self.leaving) {
            let _ = handler.join();
        }
    }
}

/// The slot to give a newcomer when every slot is taken: the oldest
/// connection whose client has closed its side, or that has been open longer
/// than the idle limit. None if every connection is younger and still in use.
fn has_had_its_share(slots: &[Slot], idle: Duration) -> Option<usize> {
    slots
        .iter()
        .enumerate()
        .filter(|(_, slot)| {
            slot.flags.client_gone.load(Ordering::SeqCst) || slot.opened.elapsed() >= idle
        })
        .min_by_key(|(_, slot)| slot.opened)
        .map(|(index, _)| index)
}

/// Tells a client beyond the cap that the peer is full, and closes.
fn turn_away(stream: TcpStream, cap: usize) {
    // Without blocking: a new socket's send buffer always has room for one
    // line, and the accepting thread must never wait on a client.
    let _ = stream.set_nonblocking(true);
    let noun = if cap == 1 {
        "connection"
    } else {
        "connections"
    };
    let line = format!("busy: {cap} {noun} already; try again later\n");
    let _ = (&stream).write(line.as_bytes());
    // The FIN follows the line at once. If the client had already sent
    // something, closing with it unread adds an RST after the FIN; the client
    // still reads the line and then the end of the stream.
    let _ = stream.shutdown(Shutdown::Write);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn loopback(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
    }

    // Std cannot choose the address a TcpStream connects from (it has no
    // bind before connect), so the count is pinned here on addresses, and on
    // real sockets by the Python test that binds them (`--source`).
    #[test]
    fn flaky_one_resets_the_first_connection_from_each_address() {
        let mut visits = Visits::default();
        let flaky = Script::Flaky(1);
        let (first, second) = (loopback(2), loopback(3));
        assert!(flaky.resets_visit(visits.count(first)));
        assert!(flaky.resets_visit(visits.count(second)));
        assert!(!flaky.resets_visit(visits.count(first)));
        assert!(!flaky.resets_visit(visits.count(second)));
        assert_eq!(visits.count(first), Some(3));
    }

    #[test]
    fn a_new_address_beyond_max_addresses_is_served_as_past_its_n() {
        let mut visits = Visits::default();
        for n in 0..MAX_ADDRESSES {
            let address = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n as u32));
            assert_eq!(visits.count(address), Some(1));
        }
        let known = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 0));
        assert_eq!(visits.count(loopback(2)), None);
        assert!(!Script::Flaky(1).resets_visit(None));
        // An address already remembered is still counted.
        assert_eq!(visits.count(known), Some(2));
        assert_eq!(visits.counts.len(), MAX_ADDRESSES);
    }
}
