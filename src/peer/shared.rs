//! What a [`Peer`](super::Peer) shares with its threads: its counts, and a
//! relay's events.

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

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
    /// A relay's own connections to its upstream: a client connecting from
    /// one of them is the relay itself, looping back (see
    /// `relay::loops_back`).
    upstream_sides: Mutex<Sides>,
    /// Notified when a connect to the upstream ends.
    sides_changed: Condvar,
}

/// A relay's own connections to its upstream.
#[derive(Default)]
struct Sides {
    /// The local addresses of those that are open.
    open: HashSet<SocketAddr>,
    /// The numbers of the connects under way: each one's local address is
    /// known only once its connect returns, a moment after the upstream
    /// (the relay itself, in a loop) may have accepted it.
    connecting: BTreeSet<u64>,
    /// The number of the next connect.
    next: u64,
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
    fn sides(&self) -> MutexGuard<'_, Sides> {
        // Adding or removing one entry cannot leave the sets half-updated.
        self.upstream_sides
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A connect to the upstream begins; returns its number, for
    /// [`connected`](Self::connected).
    pub(super) fn connecting(&self) -> u64 {
        let mut sides = self.sides();
        let number = sides.next;
        sides.next += 1;
        sides.connecting.insert(number);
        number
    }

    /// Connect `number` has ended: with its connection's local address
    /// `side` if it succeeded.
    pub(super) fn connected(&self, number: u64, side: Option<SocketAddr>) {
        let mut sides = self.sides();
        sides.connecting.remove(&number);
        if let Some(side) = side {
            sides.open.insert(canonical(side));
        }
        self.sides_changed.notify_all();
    }

    /// The relay's connection from `side` to its upstream has closed.
    pub(super) fn disconnected(&self, side: SocketAddr) {
        self.sides().open.remove(&canonical(side));
    }

    /// Whether `client` is one of the relay's own connections to its
    /// upstream: the upstream led back to the relay. A connect that began
    /// before this question may be that connection, its address not yet
    /// noted: the answer waits for those, at most `within`.
    pub(super) fn is_upstream_side(&self, client: SocketAddr, within: Duration) -> bool {
        let client = canonical(client);
        let deadline = Instant::now().checked_add(within);
        let mut sides = self.sides();
        let asked = sides.next;
        loop {
            if sides.open.contains(&client) {
                return true;
            }
            let earlier_under_way = sides.connecting.range(..asked).next().is_some();
            let left = deadline.map_or(Duration::ZERO, |deadline| {
                deadline.saturating_duration_since(Instant::now())
            });
            if !earlier_under_way || left.is_zero() {
                return false;
            }
            sides = self
                .sides_changed
                .wait_timeout(sides, left)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
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
