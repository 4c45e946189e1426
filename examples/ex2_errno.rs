//! Exercise 2: read an errno. Is errno 54 on a Mac the same error as errno
//! 104 on Linux?
//!
//! `same_error` should say whether two raw error numbers, each from its own
//! platform, are the same error. As shipped it compares the numbers, which is
//! what the article's `e.errno == 104` does.
//!
//! Show the problem:   cargo run --example ex2_errno
//! Check your change:  cargo run --example ex2_errno -- --check
//! The statement and a hint: docs/exercises.md, exercise 2.

#[path = "common/mod.rs"]
mod common;

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

/// Whether errno `a` on `on_a` is the same error as errno `b` on `on_b`.
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
            println!("A reset here, on {platform}, is errno {number}.");
            let answer = same_error(number, platform, 54, Platform::MacOs);
            println!("Is that the same error as errno 54 on macOS? same_error says: {answer}");
        }
        _ => println!("This platform reported no errno for the reset."),
    }
    println!("Try: cargo run --example errno -- 54");
    Ok(())
}

/// Checks `same` on the numbers of the article's title and their cousins.
pub fn check(same: fn(i32, Platform, i32, Platform) -> bool) -> Result<(), String> {
    use Platform::*;
    let cases = [
        (
            54,
            MacOs,
            104,
            Linux,
            true,
            "54 on macOS and 104 on Linux are both ECONNRESET",
        ),
        (
            10054,
            Windows,
            131,
            LinuxMips,
            true,
            "10054 on Windows and 131 on mips are both ECONNRESET",
        ),
        (
            54,
            Linux,
            54,
            MacOs,
            false,
            "54 on Linux is EXFULL, 54 on macOS is ECONNRESET",
        ),
        (
            104,
            Linux,
            104,
            MacOs,
            false,
            "104 on Linux is ECONNRESET, 104 on macOS is ENOTRECOVERABLE",
        ),
        (32, Linux, 32, FreeBsd, true, "32 is EPIPE on both"),
    ];
    for (a, on_a, b, on_b, expected, why) in cases {
        if same(a, on_a, b, on_b) != expected {
            return Err(format!(
                "same_error({a}, {on_a}, {b}, {on_b}) should be {expected}: {why}"
            ));
        }
    }
    Ok(())
}

fn main() {
    common::exercise(NAME, USAGE, demo, || check(same_error));
}
