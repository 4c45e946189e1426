//! # reset-by-peer
//!
//! A Rust companion to a popular article about Python's
//! `ConnectionResetError: [Errno 54]` and `socket.error: [Errno 104]`.
//! The article's outline is sound, but several of its facts are not;
//! this crate reproduces every failure it talks about on loopback, on demand,
//! and shows what Rust's standard library really reports.
//!
//! Start here:
//!
//! ```text
//! cargo run --example retry
//! cargo test
//! ```
//!
//! ## The article, section by section
//!
//! The modules follow the article's headings, in the article's order.
//!
//! | article section | module | what it teaches |
//! |---|---|---|
//! | Code Example | [`exchange`] | connect, send everything, receive, close; 0 bytes is a clean close, a reset is an error |
//! | The Difference in Detail | [`errno`] | 54 and 104 are both ECONNRESET, on different platforms; neither means "send" or "receive" |
//! | Why Does This Happen? | [`peer`] | each cause becomes a script of the lab peer, so it happens whenever you ask |
//! | Strategy 1: try/except | [`except`] | a `match` on `io::Error`, shaped like Python's exception classes |
//! | Strategy 2: retry | [`retry`] | a fixed number of attempts, each on a new connection; the article's loop reuses a dead socket |
//! | Strategy 3: timeouts | [`timeout`] | `WouldBlock` not `TimedOut` on Unix, late by the kernel's tick (4 ms on the Linux measured here, not a Rust constant), a timer per call, zero refused; deadlines for whole operations |
//! | Strategy 4: check errno | [`errno`] | `raw_os_error()`, and what each number means on each platform |
//! | Strategy 5: heartbeats | [`heartbeat`] | no keepalive in stable std: ping, count misses, and notice a silent peer |
//! | (a cause the article misses) | [`reuse`] | a kept-open connection goes stale while idle: the send succeeds, the receive fails; check before reuse, and retry once by a rule; `cargo run --example keepalive` measures how much each fix helps |
//! | (beyond the article: your own stack's message) | [`explain`] | what curl, Go, Node, Java, .NET, nginx, libpq and the rest print for the same few TCP events, and which event each text really is |
//!
//! Two shared pieces are not lessons of their own:
//! [`failure`], the one place that decides whether an error is a timeout,
//! whether the connection is dead, and whether a new attempt could help;
//! and [`line`](mod@line), the `PING`/`PONG` line protocol that the heartbeat client
//! and the lab peer both speak.
//!
//! [`companion`] opens with what the article gets wrong, in short, then
//! reads it section by section, with a Python to Rust cheat sheet.
//!
//! Every lesson's module has an example of the same name
//! (`cargo run --example NAME`) and a test file of the same name
//! (`tests/lessons/NAME.rs`) that pins the behaviour on real sockets; the shared
//! pieces have tests of their own (`tests/lessons/failure.rs`, and `line`'s unit
//! tests).
//!
//! ## What this crate has checked, and where
//!
//! The tests pin the behaviour of Linux, on loopback.
//! Where another platform behaves differently, the docs say so and cite the
//! source (a header or std's own documentation) rather than a run.
//!
//! ## Choices made for teaching
//!
//! Everything is synchronous, blocking and std-only, so that each step a
//! socket takes is one line a reader can follow.
//! A production client would add connection pooling, backoff with jitter and
//! structured logging; none of those change the lessons here.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[doc = include_str!("../docs/companion.md")]
pub mod companion {}
pub mod errno;
pub mod except;
pub mod exchange;
pub mod explain;
pub mod failure;
pub mod heartbeat;
pub mod line;
pub mod peer;
pub mod retry;
pub mod reuse;
pub mod timeout;
