//! The lab peer's accepting thread: it accepts each connection, gives it a
//! thread of its own (`serve`, or `relay` when there is an upstream), keeps
//! to the crowd rules of the module documentation (a cap, the `busy` line
//! beyond it, slots that give way), and joins every connection thread
//! before it returns.

use std::io::Write;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::script::Script;
use super::serve::{self, SlotFlags};
use super::{BUSY_PAUSE, Options, Shared, relay};

/// A connection being served: its thread, when it was accepted, and the
/// flags its handler shares with the accepting thread.
struct Slot {
    handler: JoinHandle<()>,
    opened: Instant,
    flags: Arc<SlotFlags>,
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
    let mut slots: Vec<Slot> = Vec::new();
    // Threads whose slot went to a newcomer; each ends within a TICK.
    let mut leaving: Vec<JoinHandle<()>> = Vec::new();
    let mut accepted: usize = 0;
    let stopping = || shared.stop.load(Ordering::SeqCst);
    // A server runs until it is told to stop or has served its limit. Each
    // pass blocks in accept() until a connection comes; `Peer::stop` makes
    // one to end the wait.
    while let Some(open) = &listener {
        // The flag goes up before the stop flag is read, so that `Peer::stop`
        // never finds it down while this thread is on its way into accept().
        shared.accepting.store(true, Ordering::SeqCst);
        if stopping() {
            break;
        }
        let result = open.accept();
        shared.accepting.store(false, Ordering::SeqCst);
        // This may be the wake-up connection from `Peer::stop`: not a client.
        if stopping() {
            break;
        }
        let stream = match result {
            Ok((stream, _)) => stream,
            // A connection aborted while queued, or the process out of
            // descriptors: passing troubles; pause and go on serving.
            Err(_) => {
                thread::sleep(BUSY_PAUSE);
                continue;
            }
        };
        // Forget threads that have finished, so a long-running peer does not
        // collect one handle per connection it ever served.
        slots.retain(|slot| !slot.handler.is_finished());
        leaving.retain(|handler| !handler.is_finished());
        if slots.len() >= options.max_clients {
            // A thread that gave way takes up to a TICK to end. Allow no more
            // than max_clients of them at once, so that a burst of newcomers
            // cannot pile up threads faster than they end.
            let share = if leaving.len() < options.max_clients {
                has_had_its_share(&slots, options.idle)
            } else {
                None
            };
            match share {
                Some(index) => {
                    let slot = slots.swap_remove(index);
                    slot.flags.give_way.store(true, Ordering::SeqCst);
                    leaving.push(slot.handler);
                }
                None => {
                    turn_away(stream, options.max_clients);
                    shared.update(|counts| counts.turned_away += 1);
                    continue;
                }
            }
        }
        accepted += 1;
        // Close the port as soon as the last allowed connection is in, and
        // before counting it: whoever sees the count then also finds the
        // port closed.
        if options.connections == Some(accepted) {
            listener = None;
        }
        shared.update(|counts| counts.accepted += 1);
        let flags = Arc::new(SlotFlags::default());
        let for_thread = (Arc::clone(shared), Arc::clone(&flags));
        let spawned = thread::Builder::new()
            .name(format!("peer {script} connection {accepted}"))
            .spawn(move || {
                let (shared, flags) = for_thread;
                let limits = serve::Limits::new(&shared.stop, &flags, options.idle);
                match options.upstream {
                    None => serve::serve(stream, script, accepted, &limits),
                    Some(upstream) => {
                        let line = relay::relay(stream, script, accepted, &limits, upstream);
                        shared.record(line);
                    }
                }
                // `serve` and `relay` owned the stream, so it is closed by
                // now, and the narration line is already there.
                shared.update(|counts| counts.finished += 1);
            });
        match spawned {
            Ok(handler) => slots.push(Slot {
                handler,
                opened: Instant::now(),
                flags,
            }),
            // The closure, and the stream in it, were dropped: the
            // connection is closed, so count it as finished.
            Err(_) => shared.update(|counts| counts.finished += 1),
        }
    }
    // Stop listening before waiting for the connections still open. The flag
    // goes down first, so that `Peer::stop`, if its wake-up is refused by
    // the closed port, knows this thread is not in accept().
    shared.accepting.store(false, Ordering::SeqCst);
    drop(listener);
    for handler in slots.into_iter().map(|slot| slot.handler).chain(leaving) {
        let _ = handler.join();
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
