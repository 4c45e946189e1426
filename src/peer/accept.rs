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
use crate::failure::Failure;

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
///
/// `spare` is a descriptor kept in reserve for when the process runs out of
/// them (`turn_away_queued`), taken before the thread starts, while there
/// are descriptors to take.
pub(super) fn accept_loop(
    listener: TcpListener,
    mut spare: Option<TcpListener>,
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
    // pass waits in accept() until a connection comes, or the stop
    // (`accept_one`).
    while let Some(open) = &listener {
        let Some(result) = accept_one(open, shared) else {
            break;
        };
        let Ok((stream, client)) = result else {
            // Out of descriptors, most likely: a connection that has had its
            // share gives its descriptors back, as it gives its slot at the
            // cap, and the next pass takes the queued client; with none, the
            // queued client hears busy now.
            slots.forget_finished();
            if !slots.give_way_one() {
                turn_away_queued(open, &mut spare, shared);
            }
            continue;
        };
        if !slots.make_room() {
            turn_away(stream, &busy_line(options.max_clients));
            shared.update(|counts| counts.turned_away += 1);
            continue;
        }
        slots.accepted += 1;
        // Close the port as soon as the last allowed connection is in, and
        // before counting it: whoever sees the count then also finds the
        // port closed. The spare is the same socket: it goes too, or the
        // port would stay open.
        if last_allowed(script, &options) == Some(slots.accepted) {
            (listener, spare) = (None, None);
        }
        slots.spawn(stream, client);
    }
    // Stop listening before waiting for the connections still open.
    drop((listener, spare));
    slots.join();
}

/// The number of the last connection the peer takes before it closes its
/// port: `Options::connections`, or `down:N`'s N if that comes first.
fn last_allowed(script: Script, options: &Options) -> Option<usize> {
    let down = match script {
        Script::Down(n) => usize::try_from(n).ok(),
        _ => None,
    };
    match (options.connections, down) {
        (Some(limit), Some(down)) => Some(limit.min(down)),
        (limit, down) => limit.or(down),
    }
}

/// Makes accept() on `listener` give up every TICK where the system allows
/// it, so that the accepting thread sees the stop flag by itself.
///
/// Std's `TcpListener` has no timeout, but the socket option behind
/// `TcpStream::set_read_timeout`, `SO_RCVTIMEO`, is the socket's own, and
/// Linux's accept() honours it (socket(7): the timeouts apply to accept(2);
/// `inet_csk_accept` waits `sock_rcvtimeo`). So the listener is seen as a
/// stream for that one call, through std's safe conversions of an owned
/// descriptor. macOS, FreeBSD and Windows ignore it for accept(): there
/// `Peer::stop` wakes the thread with a connection, and bounds its wait.
#[cfg(target_os = "linux")]
pub(super) fn ticking(listener: TcpListener) -> io::Result<TcpListener> {
    use super::conn::TICK;
    use std::os::fd::OwnedFd;
    let as_stream = TcpStream::from(OwnedFd::from(listener));
    as_stream.set_read_timeout(Some(TICK))?;
    Ok(TcpListener::from(OwnedFd::from(as_stream)))
}

/// Elsewhere the listener stays as it is (see the Linux version).
#[cfg(not(target_os = "linux"))]
pub(super) fn ticking(listener: TcpListener) -> io::Result<TcpListener> {
    Ok(listener)
}

/// Waits in accept() for the next connection and its client's address;
/// None if the peer is stopping.
fn accept_one(
    listener: &TcpListener,
    shared: &Shared,
) -> Option<io::Result<(TcpStream, SocketAddr)>> {
    let stopping = || shared.stop.load(Ordering::SeqCst);
    // On Linux each pass waits at most a TICK (`ticking`), so the loop ends
    // within a TICK of the stop; elsewhere accept() blocks until a
    // connection comes, the stop's own wake-up included.
    loop {
        if stopping() {
            return None;
        }
        match listener.accept() {
            // The TICK passed with nobody, or a stop and continue (Ctrl-Z,
            // `fg`) interrupted the wait: look at the flag and wait again.
            Err(error) if Failure::of_timed(&error).connection_usable() => continue,
            // This may be the wake-up connection from `Peer::stop`: not a
            // client.
            _ if stopping() => return None,
            result => return Some(result),
        }
    }
}

impl Slots<'_> {
    /// Makes room for a newcomer if every slot is taken, by giving it the
    /// slot of a connection that has had its share; false if there is none.
    fn make_room(&mut self) -> bool {
        self.forget_finished();
        if self.serving.len() < self.options.max_clients {
            return true;
        }
        self.give_way_one()
    }

    /// Forgets threads that have finished, so that a long-running peer does
    /// not collect one handle per connection it ever served.
    fn forget_finished(&mut self) {
        self.serving.retain(|slot| !slot.handler.is_finished());
        self.leaving.retain(|handler| !handler.is_finished());
    }

    /// Asks the connection that has had its share (`has_had_its_share`) to
    /// give way, and its thread to end; false if there is none.
    fn give_way_one(&mut self) -> bool {
        // A thread that gave way takes up to a TICK to end. Allow no more
        // than max_clients of them at once, so that a burst of newcomers
        // cannot pile up threads faster than they end.
        if self.leaving.len() >= self.options.max_clients {
            return false;
        }
        let Some(index) = has_had_its_share(&self.serving, self.options.idle) else {
            return false;
        };
        let slot = self.serving.swap_remove(index);
        slot.flags.give_way.store(true, Ordering::SeqCst);
        // A connection that waits in `Conn::pause` sees the flag at once,
        // and its thread ends in microseconds rather than a TICK, so a
        // burst of newcomers finds room.
        slot.handler.thread().unpark();
        self.leaving.push(slot.handler);
        true
    }

    /// Counts the connection just accepted, number `self.accepted` in all,
    /// and one more from its client's address, and serves it in a thread of
    /// its own.
    fn spawn(&mut self, stream: TcpStream, client: SocketAddr) {
        self.shared.update(|counts| counts.accepted += 1);
        // A second handle, to tell the client if no thread can be started:
        // the one given to the thread is gone with it then.
        let to_tell = stream.try_clone().ok();
        let visit = self.visits.count(client.ip());
        let flags = Arc::new(SlotFlags::default());
        let for_thread = (Arc::clone(self.shared), Arc::clone(&flags));
        let (options, index) = (self.options, self.accepted);
        let script = self.script_for(index);
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
                        let to = relay::Upstream {
                            addr: upstream,
                            seed: options.seed,
                            shared: &shared,
                        };
                        let relayed = relay::relay(stream, script, index, visit, &limits, to);
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
            // The closure, and the stream in it, were dropped: count the
            // connection as turned away, not served, and tell its client
            // why, rather than leave it a close (or a reset) that looks like
            // a lesson.
            Err(_) => {
                if let Some(stream) = to_tell {
                    turn_away(
                        stream,
                        "busy: the peer cannot start a thread; try again later\n",
                    );
                }
                self.shared.update(|counts| {
                    counts.accepted -= 1;
                    counts.turned_away += 1;
                    counts.short_of_threads += 1;
                });
            }
        }
    }

    /// The script for connection number `index`: the peer's, or, for a
    /// connection a chance below 100% spares, `echo`, which relays
    /// faithfully; the event says `echo` too.
    fn script_for(&self, index: usize) -> Script {
        if self.options.strikes(index) {
            self.script
        } else {
            Script::Echo
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

/// accept() failed. Most often the process is out of descriptors (EMFILE),
/// and the connection it could not take is still queued, where its client
/// would wait in silence: give back the spare descriptor, take the
/// connection with it, tell the client, and take the spare again (the
/// trick libev's manual gives in "The special problem of accept()ing when
/// you can't"). Otherwise (a connection aborted while queued) this pauses
/// briefly, so that the loop never spins.
fn turn_away_queued(listener: &TcpListener, spare: &mut Option<TcpListener>, shared: &Shared) {
    if spare.take().is_none() {
        thread::sleep(BUSY_PAUSE);
    } else if let Ok((stream, _)) = listener.accept() {
        turn_away(
            stream,
            "busy: the peer is out of descriptors; try again later\n",
        );
        shared.update(|counts| {
            counts.turned_away += 1;
            counts.short_of_descriptors += 1;
        });
    }
    *spare = listener.try_clone().ok();
}

/// The line a client beyond the cap of `cap` connections gets.
fn busy_line(cap: usize) -> String {
    let noun = if cap == 1 {
        "connection"
    } else {
        "connections"
    };
    format!("busy: {cap} {noun} already; try again later\n")
}

/// Tells a client that the peer cannot serve it, in one `line`, and closes.
fn turn_away(stream: TcpStream, line: &str) {
    // Without blocking: a new socket's send buffer always has room for one
    // line, and the accepting thread must never wait on a client.
    let _ = stream.set_nonblocking(true);
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
