//! Exercise 2: read an errno. Is errno 54 on a Mac the same error as errno
//! 104 on Linux?
//!
//! `same_error` should say whether two raw error numbers, each from its own
//! platform, are the same error. As shipped it compares the numbers, which is
//! what the article's `e.errno == 104` does.
//!
//! Show the problem:   cargo run --example ex2_errno
//! Check your change:  cargo run --example ex2_errno -- --check
//! The statement: docs/exercises.md, exercise 2.
//! A hint:             cargo run --example exercises -- --hint 2
//!
//! Your answer is the code between the two markers below: a grader takes
//! those lines, and nothing else, from your copy, so put any `use` you add
//! there too. The demonstration and the check are in
//! `examples/checks/ex2_errno.rs`; they need no change.

#![forbid(unsafe_code)]

// The frame comes first: a macro the answer defines is in scope only
// below it, so it cannot reach the frame.
#[path = "common/mod.rs"]
mod common;

#[path = "checks/ex2_errno.rs"]
mod check;

// >>> exercise 2: your answer begins here >>>
use reset_by_peer::errno::Platform;

/// Whether errno `a` on `on_a` is the same error as errno `b` on `on_b`:
/// true when they are the same number on the same platform, or when
/// `reset_by_peer::errno` names both and the names are equal. A number the
/// crate cannot name is the same error only as itself.
pub fn same_error(a: i32, on_a: Platform, b: i32, on_b: Platform) -> bool {
    // TODO: the same number can mean different errors on different
    // platforms, and the same error has different numbers. Look the numbers
    // up (see reset_by_peer::errno) instead of comparing them.
    let _ = (on_a, on_b);
    a == b
}
// <<< exercise 2: your answer ends here <<<

// `main` follows the answer at once, and uses no macro: an attribute left
// at the end of the answer would fall on it, and break the build.
fn main() {
    common::exercise(
        check::SOURCE,
        check::NAME,
        check::USAGE,
        || check::demo(same_error),
        || check::check(same_error),
    );
}
