//! Every lesson's tests in one program, so that their waits on sockets and
//! timers overlap: `cargo test` runs this. Each file is still a test
//! program of its own: `cargo test --test peer` runs `tests/peer.rs` alone
//! (see `Cargo.toml`).

// Each file declares the tests' shared `support` module for itself, as a
// program of its own must; included side by side, it is compiled once per
// file, on purpose.
#![allow(clippy::duplicate_mod)]

#[path = "citations.rs"]
mod citations;
#[path = "errno.rs"]
mod errno;
#[path = "examples.rs"]
mod examples;
#[path = "except.rs"]
mod except;
#[path = "exchange.rs"]
mod exchange;
#[path = "exercises.rs"]
mod exercises;
#[path = "failure.rs"]
mod failure;
#[path = "heartbeat.rs"]
mod heartbeat;
#[path = "partition.rs"]
mod partition;
#[path = "peer.rs"]
mod peer;
#[path = "python.rs"]
mod python;
#[path = "relay.rs"]
mod relay;
#[path = "retry.rs"]
mod retry;
#[path = "reuse.rs"]
mod reuse;
#[path = "timeout.rs"]
mod timeout;
