//! What the examples share, by purpose: here, output and exit (`say!`,
//! `try_say`, `complain`, `fail`, `finish`, `show`); in `args.rs`, the
//! command line (`Args`); in `exercise.rs`, the classroom exercises' frame
//! and their checks' helpers.
//!
//! Every example follows the same rules: `--help` prints its usage and exits
//! 0; a bad flag or value prints one line to stderr and exits 2; a failure
//! while running prints one line and exits 1. Nothing here panics.
//!
//! Output goes through [`say!`] rather than `println!`, which panics when
//! stdout is a pipe whose reader has gone (`cargo run --example errno | head
//! -n 1`). `say!` stops the example quietly with status 0 instead, as
//! `yes | head` does.

// Each example is a program of its own that includes this module whole and
// uses only the helpers it needs; the rest would be reported as unused in
// that example's build.
#![allow(dead_code, unused_macros, unused_imports)]

mod args;
pub mod code;
mod exercise;

pub use args::Args;
pub use exercise::{answer, exercise, markers, serve_once, unless_late, watchdog, within};

use std::fmt::{self, Display};
use std::io::{self, Write};
use std::process;

/// What every example's `--help` ends with.
pub(crate) const EXIT_STATUSES: &str = "\
Exit status: 0 on success, 1 on a failure while running (including an
address that does not resolve), 2 on bad usage.
";

/// Prints one line on stdout, as `println!` does, but a closed pipe ends
/// the example quietly with status 0, the way `yes | head` ends; any other
/// failure to write is a run-time failure, status 1.
///
/// It spells out every path, because the exercises' test includes an example
/// as a module, where `common` is not at the crate's root.
macro_rules! say {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        // Stdout is line-buffered, so the newline sends the line on its way
        // now and any error shows up here rather than at exit.
        match ::std::writeln!(::std::io::stdout().lock(), $($arg)*) {
            Ok(()) => {}
            // A reader that has gone. Windows may also say so with
            // ERROR_PIPE_NOT_CONNECTED (233), which std leaves
            // uncategorized (seen under Wine with `| head -n 1`).
            Err(error)
                if error.kind() == ::std::io::ErrorKind::BrokenPipe
                    || (cfg!(windows) && error.raw_os_error() == Some(233)) =>
            {
                ::std::process::exit(0)
            }
            Err(error) => {
                let _ = ::std::writeln!(::std::io::stderr().lock(), "cannot write to stdout: {error}");
                ::std::process::exit(1)
            }
        }
    }};
}
pub(crate) use say;

/// Writes one line on stdout, and leaves it to the caller to decide what a
/// closed stdout means: a server goes on serving.
///
/// # Errors
///
/// `BrokenPipe` if the reader of a pipe has gone; whatever else writing to
/// stdout fails with (a full disk, say).
pub fn try_say(line: fmt::Arguments) -> io::Result<()> {
    writeln!(io::stdout().lock(), "{line}")
}

/// Writes one line on stderr, ignoring a failure: with stderr gone too there
/// is nobody left to tell, and `eprintln!` would panic.
pub fn complain(line: fmt::Arguments) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// Prints one line about bad usage and exits 2.
pub fn fail(name: &str, message: impl Display) -> ! {
    complain(format_args!("{name}: {message} (see --help)"));
    process::exit(2)
}

/// Prints one line about a failure at run time and exits 1.
pub fn fail_run(name: &str, message: impl Display) -> ! {
    complain(format_args!("{name}: {message}"));
    process::exit(1)
}

/// Ends the example: exit 0 on success, or one line on stderr and exit 1.
pub fn finish<E: Display>(name: &str, result: Result<(), E>) {
    if let Err(error) = result {
        fail_run(name, error);
    }
}

/// Shows bytes as a short, printable string, e.g. `"hello\n"`.
pub fn show(bytes: &[u8]) -> String {
    const LIMIT: usize = 40;
    let shown: String = bytes
        .iter()
        .take(LIMIT)
        .flat_map(|&b| std::ascii::escape_default(b))
        .map(char::from)
        .collect();
    if bytes.len() > LIMIT {
        format!("\"{shown}\"... ({} bytes)", bytes.len())
    } else {
        format!("\"{shown}\"")
    }
}

/// `text` as a JSON string: quotes, backslashes and control characters
/// escaped (RFC 8259, section 7).
pub fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
