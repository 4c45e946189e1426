//! What a relay tells about each connection once it is over: typed values,
//! not sentences, so that a program (or a test) can ask what happened, and
//! put it in words where it likes; the `peer` example narrates them.

use std::io;
use std::net::SocketAddr;

use super::script::{Script, ScriptTime};

/// What happened to one relayed connection: which one it was, what the
/// relay did with it, and what the client will have seen.
///
/// [`Peer::take_events`](super::Peer::take_events) gives one per relayed
/// connection.
#[derive(Debug)]
pub struct Relayed {
    /// The connection's number, counted from 1 in the order the relay
    /// accepted them, from every client address together (`flaky:N` counts
    /// each address apart, so its resets need not be numbers 1 to N).
    pub index: usize,
    /// The relay's script.
    pub script: Script,
    /// What the relay did.
    pub did: Did,
    /// What the client will have seen at the end.
    pub sees: Sees,
}

/// What the client of a relayed connection will have seen at its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sees {
    /// An RST: `ConnectionReset` (in Python, `ConnectionResetError`).
    Reset,
    /// A FIN: the end of the stream, `Ok(0)`, which is no error.
    End,
    /// No answer, and no error: only the client's own timeout ends the wait.
    Silence,
    /// Nothing more: the client had gone first.
    Gone,
}

/// What a relay did with one connection.
#[derive(Debug)]
pub enum Did {
    /// Setting up the client's socket failed at once; the relay closed it.
    /// The client had gone ([`Sees::Gone`]).
    ClientSocketFailed(io::Error),
    /// `reset`, or one of the first N connections from a client address
    /// under `flaky:N`: the client was reset when its first bytes arrived,
    /// which were left unread, and the upstream was not contacted.
    Reset,
    /// As [`Did::Reset`], but the client closed before sending anything, so
    /// nothing was left unread and the close was a FIN.
    ClosedBeforeSending,
    /// As [`Did::Reset`], but the client sent nothing before the peer's idle
    /// limit or its stop; the relay closed it.
    SentNothing,
    /// The client's side failed first (it reset the connection, say), before
    /// the upstream was contacted.
    ClientFailed(io::Error),
    /// Connecting to the upstream failed; the relay closed the client, after
    /// sending it a `busy:` line if the trouble was the relay's own (out of
    /// descriptors or local ports).
    Unreachable {
        /// The upstream's address.
        upstream: SocketAddr,
        /// What connecting failed with.
        error: io::Error,
        /// Whether the client was sent the `busy:` line.
        busy: bool,
    },
    /// The client was the relay itself: its upstream led back to its own
    /// listener. The relay sent it a `loop:` line, which reaches the real
    /// client through the relay's first connection, and closed it.
    LoopedBack {
        /// The upstream's address, which leads back to the relay.
        upstream: SocketAddr,
    },
    /// The thread that copies the request upward could not start; the relay
    /// closed both connections.
    NoUpwardThread(io::Error),
    /// The upstream was connected and bytes were relayed both ways.
    Passed {
        /// Bytes passed on from the client to the upstream.
        up: u64,
        /// Bytes of the answer passed on from the upstream to the client.
        down: u64,
        /// How the connection ended.
        ending: Ending,
    },
}

/// How a connection that reached the upstream ended.
///
/// Where the relay means to reset the client ([`Ending::UpstreamFailed`],
/// [`Ending::CountReached`], [`Ending::UpstreamGone`]), the reset happens
/// only if a byte of the client's was left unread: the event's [`Sees`] is
/// then [`Sees::Reset`], and otherwise [`Sees::End`], the close a FIN.
#[derive(Debug)]
pub enum Ending {
    /// The client's side failed first (it reset the connection, say).
    ClientFailed(io::Error),
    /// `stall`: the answer was thrown away (this many bytes of it), and the
    /// client was kept waiting until the peer's idle limit or its stop.
    Stalled {
        /// Bytes of the answer read and thrown away.
        thrown: u64,
    },
    /// The upstream closed its side (FIN), and the relay passed it on.
    UpstreamClosed,
    /// The upstream's side failed (its reset, say), passed on by resetting
    /// the client.
    UpstreamFailed(io::Error),
    /// `reset-after`: the count was passed on, more of the answer came, and
    /// the relay reset the client.
    CountReached,
    /// `truncate`: the count was passed on, more of the answer came, and
    /// the relay closed the client with a FIN ([`Sees::End`]) instead of
    /// passing it on.
    Truncated,
    /// `idle-close`: nothing moved for this long, and the relay closed the
    /// client (FIN) and the upstream.
    IdleClosed(ScriptTime),
    /// `idle-reset`: nothing moved for this long, and the relay closed the
    /// upstream; then it reset the client when its next bytes arrived
    /// ([`Sees::Reset`]), or the client's side failed ([`Sees::Gone`]), or
    /// the client sent nothing more and was closed with a FIN
    /// ([`Sees::End`]).
    IdleReset(ScriptTime),
    /// A send to the client failed: it had gone.
    ClientGone,
    /// A send to the upstream failed (its connection is gone), passed on by
    /// resetting the client.
    UpstreamGone,
    /// The peer's idle limit passed, or it stopped or gave the slot to a
    /// newcomer: the relay closed both.
    Done,
}
