//! Looks up socket errnos by number or by name, on every platform at once.
//!
//! `cargo run --example errno -- 54` explains the article's title.

mod common;

use common::say;

use std::io;

use reset_by_peer::errno::{ERRNOS, Errno, Meaning, Platform, by_name, by_number};
use reset_by_peer::except::PyClass;

const NAME: &str = "errno";
const USAGE: &str = "\
usage: cargo run --example errno [-- NUMBER | NAME]

With no argument, prints the socket errnos and their numbers on each
platform. With a NUMBER (such as 54 or 104), says what that number means on
each platform. With a NAME (such as ECONNRESET or WSAECONNRESET), gives its
numbers.

  NUMBER       an errno: a whole number from 1 to 2147483647
  NAME         an errno's name, such as ECONNRESET or WSAECONNRESET
  -h, --help   show this help
";

fn main() {
    let mut args = common::Args::from_env(NAME, USAGE);
    let query = args.next();
    if let Some(extra) = args.next() {
        args.unknown(&extra);
    }
    match query {
        None => print_table(),
        Some(flag) if flag.starts_with("--") => args.unknown(&flag),
        Some(text) if text.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+') => {
            match text.parse::<i32>() {
                Ok(number) if number >= 1 => explain_number(number),
                _ => args.fail(format!(
                    "NUMBER must be a whole number from 1 to {}, not `{text}`",
                    i32::MAX
                )),
            }
        }
        Some(text) => match by_name(&text) {
            Some(errno) => explain_name(errno),
            None => args.fail(format!("`{text}` is not a socket errno this table knows")),
        },
    }
}

fn print_table() {
    let mut header = format!("{:<14}", "name");
    for platform in Platform::ALL {
        header += &format!("{:>13}", platform.name());
    }
    say!("{header}");
    for errno in ERRNOS.iter().filter(|errno| errno.socket) {
        let mut row = format!("{:<14}", errno.name);
        for platform in Platform::ALL {
            let cell = errno
                .number(platform)
                .map_or("-".to_string(), |n| n.to_string());
            row += &format!("{cell:>13}");
        }
        say!("{row}");
    }
    say!();
    say!("Same name, different numbers: compare io::ErrorKind, not raw numbers.");
    say!("Try: cargo run --example errno -- 54");
}

fn explain_number(number: i32) {
    say!("errno {number}:");
    let meanings = by_number(number);
    for (platform, meaning) in meanings {
        let python = match (platform, meaning) {
            // Python maps other Windows error codes through its own table,
            // which this crate does not reproduce.
            (Platform::Windows, Meaning::Other { .. } | Meaning::NotInTable) => {
                "not worked out here".to_string()
            }
            _ => PyClass::for_errno(number, platform).to_string(),
        };
        say!(
            "  {:<12} {meaning}; Python class: {python}",
            platform.name()
        );
    }
    if let Some(platform) = Platform::current() {
        let kind = io::Error::from_raw_os_error(number).kind();
        say!("On this machine ({platform}), Rust's io::ErrorKind for {number} is {kind:?}.");
    }
    let is_reset =
        |meaning: &Meaning| matches!(meaning, Meaning::Known(errno) if errno.name == "ECONNRESET");
    if meanings.iter().any(|(_, meaning)| is_reset(meaning)) {
        say!();
        say!("ECONNRESET, 'Connection reset by peer', has a different number on each platform:");
        if let Some(reset) = by_name("ECONNRESET") {
            say!("  {}", numbers(reset));
        }
        say!("The number says where the program ran, not whether it was sending or");
        say!("receiving: after a reset, whichever call comes first gets it, once");
        say!("(checked on Linux: tests/lessons/peer.rs).");
    }
}

fn explain_name(errno: &Errno) {
    say!("{} ({}):", errno.name, errno.description);
    say!("  {}", numbers(errno));
    if errno.socket && errno.number(Platform::Windows).is_none() {
        // Only EPIPE: Winsock has no such error, and the two languages
        // part ways over what stands in for it.
        say!(
            "  Windows has no {}: Python calls WSAESHUTDOWN (10058) BrokenPipeError;",
            errno.name
        );
        say!("  Rust's std calls it Uncategorized, and a write after the peer's close");
        say!("  fails there with ConnectionAborted or ConnectionReset instead.");
    }
    if let Some(platform) = Platform::current() {
        if let Some(number) = errno.number(platform) {
            let kind = io::Error::from_raw_os_error(number).kind();
            let python = PyClass::for_errno(number, platform);
            say!(
                "On this machine ({platform}) it is {number}: Rust says {kind:?}, Python says {python}."
            );
        }
    }
}

/// `Linux 104, Linux mips 131, ...` for one errno.
fn numbers(errno: &Errno) -> String {
    let cells: Vec<String> = Platform::ALL
        .iter()
        .map(|&platform| match errno.number(platform) {
            Some(number) if platform == Platform::Windows => {
                format!("{} {number} ({})", platform.name(), errno.name_on(platform))
            }
            Some(number) => format!("{} {number}", platform.name()),
            None => format!("{} none", platform.name()),
        })
        .collect();
    cells.join(", ")
}
