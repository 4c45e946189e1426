//! What a [`Peer`](super::Peer) shares with its threads: its counts, and a
//! relay's events.

use std::collections::VecDeque;
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
    /// Connections turned away with a `busy` line because the peer was full.
    pub turned_away: usize,
}

/// State shared between the [`Peer`](super::Peer) handle and its threads.
#[derive(Default)]
pub(super) struct Shared {
    /// Set by `Peer::stop`: every thread ends within a TICK.
    pub(super) stop: AtomicBool,
    /// True while the accepting thread may be blocked in accept().
    pub(super) accepting: AtomicBool,
    counts: Mutex<Counts>,
    pub(super) changed: Condvar,
    /// A relay's events, one per connection, oldest first.
    events: Mutex<VecDeque<Relayed>>,
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

    /// Keeps one relay's event, forgetting the oldest beyond MAX_EVENTS.
    pub(super) fn record(&self, event: Relayed) {
        let mut events = self.events();
        if events.len() >= MAX_EVENTS {
            events.pop_front();
        }
        events.push_back(event);
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("counts", &*self.counts())
            .finish()
    }
}
