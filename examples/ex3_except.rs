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

#[path = "common/mod.rs"]
mod common;

use common::say;

use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reset_by_peer::errno::{Platform, by_name};
use reset_by_peer::peer::{Peer, Script, refused_addr};

const NAME: &str = "ex3_except";
const USAGE: &str = "\
usage: cargo run --example ex3_except [-- --check]

Exercise 3 (docs/exercises.md): make still_usable say whether a connection
may be used again after an error. With no argument, shows what it does now;
--check says PASS or FAIL.
";

/// Whether the connection that returned `error` may be used again.
pub fn still_usable(error: &io::Error) -> bool {
    // TODO: a reset is not the only error after which the connection is
    // gone, and some errors leave it as good as before. Which are which?
    error.kind() != ErrorKind::ConnectionReset
}

const BOUND: Duration = Duration::from_secs(2);

/// The read timeout of the stalled connection in the check: short, since
/// only the kind of error matters.
const SHORT: Duration = Duration::from_millis(20);

/// Real errors from the lab peer: the sends after a reset.
fn sends_after_a_reset(sends: usize) -> io::Result<Vec<io::Error>> {
    let peer = Peer::start(Script::Reset)?;
    let mut stream = TcpStream::connect_timeout(&peer.addr(), BOUND)?;
    stream.set_write_timeout(Some(BOUND))?;
    stream.write_all(b"x")?;
    // Wait until the peer has reset the connection.
    peer.wait_finished(1, BOUND)?;
    reset_by_peer::peer::wait_closed(&stream, BOUND)?;
    Ok((0..sends)
        .filter_map(|_| stream.write_all(b"hello").err())
        .collect())
}

fn demo() -> io::Result<()> {
    say!("A handler that catches every error, as Strategy 1 does, sends 3 times after a reset:");
    for (n, error) in sends_after_a_reset(3)?.iter().enumerate() {
        let verdict = if still_usable(error) {
            "caught; still_usable says carry on with this socket"
        } else {
            "caught; still_usable says this connection is finished: open a new one"
        };
        say!("send {}: {:?}: {verdict}", n + 1, error.kind());
    }
    Ok(())
}

#[path = "checks/ex3_except.rs"]
mod check;
pub use check::check;

fn main() {
    common::exercise(NAME, USAGE, demo, || check(still_usable));
}
