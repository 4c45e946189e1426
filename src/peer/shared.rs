//! What a [`Peer`](super::Peer) shares with its threads: its counts, and a
//! relay's events.

use std::collections::{HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::{Condvar, Mutex, MutexGuard};

use super::event::Relayed;

/// How many events a relay keeps for [`Peer::take_events`](super::Peer::take_events); beyond
/// that the oldest go, so that a relay nobody reads cannot grow without
/// bound.
pub const MAX_EVENTS: usize = 1024;

/// How many connections a peer has accepted, finished with, and turned away.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Connections accepted and served so far.
    pub accepted: usize,
    /// Served connections whose handler has returned and whose socket is
    /// closed.
    pub finished: usize,
    /// Connections turned away with a `busy` line because the peer was full,
    /// out of descriptors, or could not start a thread.
    pub turned_away: usize,
    /// Of those, the ones turned away because the process was out of
    /// descriptors, not because every slot was taken.
    pub short_of_descriptors: usize,
    /// Of those, the ones accepted but turned away because no thread could
    /// be started to serve them (out of memory, or of the process's
    /// thread limit).
    pub short_of_threads: usize,
}

/// State shared between the [`Peer`](super::Peer) handle and its threads.
#[derive(Default)]
pub(super) struct Shared {
    /// Set by `Peer::stop`: every thread ends within a TICK.
    pub(super) stop: AtomicBool,
    counts: Mutex<Counts>,
    pub(super) changed: Condvar,
    /// A relay's events, one per connection, oldest first.
    events: Mutex<VecDeque<Relayed>>,
    /// The local addresses of a relay's own connections to its upstream,
    /// while they last: a client connecting from one of them is the relay
    /// itself, looping back (see `relay::loops_back`).
    upstream_sides: Mutex<HashSet<SocketAddr>>,
}

impl Shared {
    pub(super) fn counts(&self) -> MutexGuard<'_, Counts> {
        // A panicking handler cannot leave Counts half-updated (it is three
        // integers), so a poisoned lock is still safe to use.
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn update(&self, change: impl FnOnce(&mut Counts)) {
        change(&mut self.counts());
        self.changed.notify_all();
    }

    pub(super) fn events(&self) -> MutexGuard<'_, VecDeque<Relayed>> {
        // Pushing or popping one event cannot leave the queue half-updated.
        self.events
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Notes (`open`) or forgets a local address of one of the relay's own
    /// connections to its upstream. At most one per connection served, so
    /// the set stays within `max_clients`.
    pub(super) fn upstream_side(&self, side: SocketAddr, open: bool) {
        // Adding or removing one address cannot leave the set half-updated.
        let mut sides = self
            .upstream_sides
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let side = canonical(side);
        if open {
            sides.insert(side);
        } else {
            sides.remove(&side);
        }
    }

    /// Whether `client` is one of the relay's own connections to its
    /// upstream: the upstream led back to the relay.
    pub(super) fn is_upstream_side(&self, client: SocketAddr) -> bool {
        self.upstream_sides
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .contains(&canonical(client))
    }

    /// Keeps one relay's event, forgetting the oldest beyond MAX_EVENTS.
    pub(super) fn record(&self, event: Relayed) {
        let mut events = self.events();
        if events.len() >= MAX_EVENTS {
            events.pop_front();
        }
        events.push_back(event);
    }
}

/// `addr` with an IPv4-mapped IPv6 address (`[::ffff:127.0.0.1]`) written
/// as the IPv4 address it is, so that both spellings compare equal.
pub(super) fn canonical(addr: SocketAddr) -> SocketAddr {
    SocketAddr::new(addr.ip().to_canonical(), addr.port())
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("counts", &*self.counts())
            .finish()
    }
}
