//! Exercise 9: a kept-open connection went stale. Send the request again,
//! but only when that is safe.
//!
//! A client that keeps its connection open between requests finds out that
//! the server (or a load balancer) gave up on it only when it uses it
//! again: the request goes out, and the answer is a reset or the end of the
//! stream. `send_again` decides whether to send the request once more, on a
//! fresh connection. As shipped it never does, so the demonstration fails
//! a request that a fresh connection would have answered.
//! How much such a retry helps, beside the other fixes, is measured by
//! `cargo run --example keepalive`.
//!
//! Show the problem:   cargo run --example ex9_reuse
//! Check your change:  cargo run --example ex9_reuse -- --check
//! The statement: docs/exercises.md, exercise 9.
//! A hint:             cargo run --example exercises -- --hint 9
//!
//! Your answer is the code between the two markers below: a grader takes
//! those lines, and nothing else, from your copy, so put any `use` you add
//! there too. The demonstration and the check are in
//! `examples/checks/ex9_reuse.rs`; they need no change.

#![forbid(unsafe_code)]

// The frame comes first: a macro the answer defines is in scope only
// below it, so it cannot reach the frame.
#[path = "common/mod.rs"]
mod common;

#[path = "checks/ex9_reuse.rs"]
mod check;

// >>> exercise 9: your answer begins here >>>
use crate::check::Failed;

/// Whether to send the failed request once more, on a fresh connection.
/// `idempotent` says whether the request is safe to repeat.
pub fn send_again(failed: &Failed, idempotent: bool) -> bool {
    // TODO: a stale connection is worth one more try on a fresh one; but
    // which failures show a stale connection, and when is a second copy of
    // the request safe?
    let _ = (failed, idempotent);
    false
}
// <<< exercise 9: your answer ends here <<<

// `main` follows the answer at once, and uses no macro: an attribute left
// at the end of the answer would fall on it, and break the build.
fn main() {
    common::exercise(
        check::SOURCE,
        check::NAME,
        check::USAGE,
        || check::demo(send_again),
        || check::check(send_again),
    );
}
