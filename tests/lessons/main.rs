//! Every lesson's tests, one file per lesson, in one program: `cargo test`
//! runs them all, and their waits on sockets and timers overlap.
//! `cargo test --test lessons peer::` runs one lesson's tests.

mod support;

mod citations;
mod errno;
mod examples;
mod except;
mod exchange;
mod exercises;
mod explain;
mod failure;
mod faults;
mod heartbeat;
mod partition;
mod peer;
mod python;
mod relay;
mod retry;
mod reuse;
mod timeout;
