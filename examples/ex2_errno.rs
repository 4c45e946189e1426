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

#[path = "common/mod.rs"]
mod common;

use common::say;

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reset_by_peer::errno::Platform;
use reset_by_peer::peer::{Peer, Script};

const NAME: &str = "ex2_errno";
const USAGE: &str = "\
usage: cargo run --example ex2_errno [-- --check]

Exercise 2 (docs/exercises.md): make same_error compare errors, not numbers.
With no argument, shows what it says now; --check says PASS or FAIL.
";

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

fn demo() -> io::Result<()> {
    // A real reset from the lab peer gives this machine's number.
    let peer = Peer::start(Script::Reset)?;
    let mut stream = TcpStream::connect_timeout(&peer.addr(), Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    stream.write_all(b"hello")?;
    let here = match stream.read(&mut [0u8; 16]) {
        Err(error) => error.raw_os_error(),
        Ok(_) => None,
    };
    match (here, Platform::current()) {
        (Some(number), Some(platform)) => {
            say!("A reset here, on {platform}, is errno {number}.");
            let answer = same_error(number, platform, 54, Platform::MacOs);
            say!("Is that the same error as errno 54 on macOS? same_error says: {answer}");
        }
        _ => say!("This platform reported no errno for the reset."),
    }
    say!("Try: cargo run --example errno -- 54");
    Ok(())
}

/// Checks `same` on the numbers of the article's title, their cousins, and
/// numbers the crate's table does not name.
pub fn check(same: fn(i32, Platform, i32, Platform) -> bool) -> Result<(), String> {
    use Platform::*;
    let cases = [
        (54, MacOs, 104, Linux, true, "both are ECONNRESET"),
        (10054, Windows, 131, LinuxMips, true, "both are ECONNRESET"),
        (
            54,
            Linux,
            54,
            MacOs,
            false,
            "EXFULL on Linux, ECONNRESET on macOS",
        ),
        (
            104,
            Linux,
            104,
            MacOs,
            false,
            "ECONNRESET on Linux, ENOTRECOVERABLE on macOS",
        ),
        (32, Linux, 32, FreeBsd, true, "EPIPE on both"),
        (11, Linux, 35, MacOs, true, "both are EAGAIN"),
        (
            54,
            Linux,
            54,
            Linux,
            true,
            "a number is the same error as itself: EXFULL",
        ),
        (
            54,
            Linux,
            104,
            LinuxSparc,
            true,
            "both are EXFULL, an errno outside the socket table",
        ),
        (
            40,
            Linux,
            40,
            Linux,
            true,
            "a number the crate cannot name is still the same error as itself",
        ),
        (
            40,
            Linux,
            41,
            Linux,
            false,
            "two numbers the crate cannot name cannot be shown to be the same",
        ),
        (
            11,
            Linux,
            11,
            MacOs,
            false,
            "EAGAIN on Linux; on macOS 11 is another error",
        ),
        (
            0,
            Linux,
            -1,
            Linux,
            false,
            "neither number is an error at all",
        ),
        (
            99999,
            Linux,
            99999,
            MacOs,
            false,
            "no error has this number on either platform",
        ),
        (
            40,
            Linux,
            40,
            MacOs,
            false,
            "a number the crate cannot name is the same only as itself, on its own platform",
        ),
        (
            0,
            Linux,
            0,
            Linux,
            true,
            "a number on one platform is the same as itself, even one that is no error",
        ),
    ];
    for (a, on_a, b, on_b, expected, why) in cases {
        let got = same(a, on_a, b, on_b);
        if got != expected {
            return Err(format!(
                "same_error({a}, {on_a:?}, {b}, {on_b:?}): expected {expected}, got {got}: {why}"
            ));
        }
    }
    Ok(())
}

fn main() {
    common::exercise(NAME, USAGE, demo, || check(same_error));
}
