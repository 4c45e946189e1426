//! Exercise 2's frame, kept apart from the answer: what the exercise
//! gives (its name, its usage, the types and constants it shares with the
//! answer), the demonstration, and the check: what a right answer must do,
//! case by case, and the reason a wrong one fails. The grader compiles a
//! student's answer against this file, so nothing here depends on it.

use super::common::say;

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reset_by_peer::errno::Platform;
use reset_by_peer::peer::{Peer, Script};
use reset_by_peer::timeout::{Deadline, again_if_interrupted};

/// The type of `same_error`.
pub type SameError = fn(i32, Platform, i32, Platform) -> bool;

/// The exercise's file, its answer included, as the compiler read it: for
/// the rules every answer keeps (`common::exercise`). It is read here, in
/// the frame, which the file declares before the answer, so that no macro
/// of the answer's can stand in for `include_str!`.
pub const SOURCE: &str = include_str!("../ex2_errno.rs");

pub const NAME: &str = "ex2_errno";
pub const USAGE: &str = "\
usage: cargo run --example ex2_errno [-- --check]

Exercise 2 (docs/exercises.md): make same_error compare errors, not numbers.
With no argument, shows what it says now; --check says PASS or FAIL.
";

pub fn demo(same_error: SameError) -> io::Result<()> {
    // A real reset from the lab peer gives this machine's number.
    let peer = Peer::start(Script::Reset)?;
    let mut stream = TcpStream::connect_timeout(&peer.addr(), Duration::from_secs(2))?;
    stream.write_all(b"hello")?;
    // A stop and continue (Ctrl-Z, then fg) cuts a read under a timeout
    // short on Linux: read again with what is left of it.
    let read = again_if_interrupted(Deadline::after(Duration::from_secs(2)), |wait| {
        stream.set_read_timeout(Some(wait))?;
        stream.read(&mut [0u8; 16])
    });
    let here = match read {
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
pub fn check(same: SameError) -> Result<(), String> {
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
        (
            35,
            Linux,
            11,
            LinuxAlpha,
            true,
            "both are EDEADLK, though the C libraries describe it in other words",
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
