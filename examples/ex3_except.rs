//! Exercise 3: after the `except`, is the socket still usable?
//!
//! The article's Strategy 1 catches every error: its second clause,
//! `except socket.error`, is `except OSError` in Python 3.3 and later, so a
//! `BrokenPipeError` is caught too. What goes wrong is what comes after: the
//! handler prints the error and carries on as if the socket could still be
//! used.
//!
//! `still_usable` should say whether the same connection may be used again
//! after `error`. As shipped it thinks only a reset ends a connection, so
//! after a reset the demonstration keeps sending on a dead socket.
//!
//! Show the problem:   cargo run --example ex3_except
//! Check your change:  cargo run --example ex3_except -- --check
//! The statement: docs/exercises.md, exercise 3.
//! A hint:             cargo run --example exercises -- --hint 3
//!
//! Your answer is the code between the two markers below: a grader takes
//! those lines, and nothing else, from your copy, so put any `use` you add
//! there too. The demonstration and the check are in
//! `examples/checks/ex3_except.rs`; they need no change. The check runs
//! your function and also reads your answer's code: it must decide by the
//! error's kind and whether it carries an errno, so it holds no number and
//! no string, which differ between platforms.

#![forbid(unsafe_code)]

// The frame comes first: a macro the answer defines is in scope only
// below it, so it cannot reach the frame.
#[path = "common/mod.rs"]
mod common;

#[path = "checks/ex3_except.rs"]
mod check;

// >>> exercise 3: your answer begins here >>>
use std::io::{self, ErrorKind};

/// Whether the connection that returned `error` may be used again.
pub fn still_usable(error: &io::Error) -> bool {
    // TODO: a reset is not the only error after which the connection is
    // gone, and some errors leave it as good as before. Which are which?
    error.kind() != ErrorKind::ConnectionReset
}
// <<< exercise 3: your answer ends here <<<

// `main` follows the answer at once, and uses no macro: an attribute left
// at the end of the answer would fall on it, and break the build.
fn main() {
    common::exercise(
        check::SOURCE,
        check::NAME,
        check::USAGE,
        || check::demo(still_usable),
        // This file: the check reads the answer between its markers.
        || check::check(check::SOURCE, still_usable),
    );
}
