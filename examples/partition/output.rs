//! What the example prints: a human line, or with `--machine` one line per
//! step, `NAME key=value ...`, which the test in `tests/lessons/partition.rs`
//! parses. Every line goes through [`say`].

use std::fmt::Display;
use std::io;

use reset_by_peer::failure::Failure;

use crate::common;

/// One line on stdout, sent at once: stdout is line-buffered, so the newline
/// sends it (the roles share the terminal, and the server's first line is
/// read by the parent). A closed stdout is not an error here: the run goes
/// on, so that its namespaces are deleted. That is why this is not the other
/// examples' `say!`, which would end the process at a closed stdout.
pub fn say(text: impl Display) {
    let _ = common::try_say(format_args!("{text}"));
}

/// Prints the human line, or the machine line in `--machine` mode.
pub fn tell(machine: bool, human: impl Display, fields: impl Display) {
    if machine { say(fields) } else { say(human) }
}

/// The `key=value` fields of an error, for `--machine`.
pub fn error_fields(error: &io::Error) -> String {
    let errno = match error.raw_os_error() {
        Some(number) => number.to_string(),
        None => "none".to_string(),
    };
    format!(
        "kind={:?} errno={errno} failure={:?}",
        error.kind(),
        Failure::of(error)
    )
}

/// What the classifier makes of an error, in words.
pub fn verdict_of(error: &io::Error) -> String {
    let failure = Failure::of(error);
    let usable = if failure.connection_usable() {
        "the connection looks usable"
    } else {
        "the connection is dead"
    };
    format!("Failure::{failure:?}: {usable}")
}
