//! The server's role: the lab peer (heartbeat script) in the server's
//! namespace; and the parent's side, which starts it there.

use std::io::{self, BufRead, BufReader};
use std::net::{IpAddr, SocketAddr};
use std::process::{ChildStdout, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use reset_by_peer::peer::{Options, Peer, Script};

use crate::cleanup::{Cleanup, end_with_parent};
use crate::netns::{Host, SERVER_IP};
use crate::output::say;
use crate::{STEP_BOUND, this_binary};

/// The command-line flag of the server's role.
pub const ROLE: &str = "--role-server";

/// The role: the lab peer on `listen`, which says its address first, and
/// serves until the parent is gone; then the process ends at once, the
/// peer with it (`cleanup::end_with_parent`).
pub fn serve(listen: SocketAddr) -> io::Result<()> {
    let watch = end_with_parent(ROLE)?;
    let options = Options {
        listen,
        ..Options::default()
    };
    let peer = Peer::start_with(Script::Heartbeat, options)?;
    say(format!("listening on {} (script: heartbeat)", peer.addr()));
    // The watch ends the process; it returns only if its thread panicked.
    let _ = watch.join();
    Ok(())
}

/// The parent's side: starts the lab peer on `host` and reads its address
/// from its first line. The cleanup keeps the write end of its standard
/// input, and ends it before the namespaces go.
pub fn start(host: &Host, cleanup: &mut Cleanup) -> io::Result<SocketAddr> {
    let listen = SocketAddr::new(IpAddr::V4(SERVER_IP), 0).to_string();
    // The namespace's name is not for the role: it makes the role's command
    // line name the run, for the janitor's sweep and the tests.
    let mut child = host
        .command(this_binary())
        .args([ROLE, &listen, &host.ns])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take();
    cleanup.adopt(child);
    let stdout = stdout.ok_or_else(|| io::Error::other("the server has no stdout"))?;
    let line = first_line(stdout, STEP_BOUND)?;
    // "listening on ADDR (script: heartbeat)", as the peer example prints.
    line.strip_prefix("listening on ")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|addr| addr.parse().ok())
        .ok_or_else(|| io::Error::other(format!("the server said `{line}`")))
}

/// The first line a child prints, within `bound`: a thread reads it, so
/// that a silent child cannot block the parent.
fn first_line(stdout: ChildStdout, bound: Duration) -> io::Result<String> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line).map(|_| line);
        let _ = sender.send(read);
    });
    match receiver.recv_timeout(bound) {
        Ok(line) => Ok(line?.trim_end().to_string()),
        Err(_) => Err(io::Error::other("the server did not start in time")),
    }
}
