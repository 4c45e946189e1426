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

#[path = "checks/ex2_errno.rs"]
mod check;
pub use check::check;

fn main() {
    common::exercise(NAME, USAGE, demo, || check(same_error));
}
