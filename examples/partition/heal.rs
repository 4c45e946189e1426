//! The heal: the server forgets the connections cut off from it, the
//! router forwards again, and the clients see what a healed path brings: a
//! new connection answered, and an RST for the one left idle through the cut.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

use reset_by_peer::except::narrate_for_socket;
use reset_by_peer::line::{self, PING, PONG};

use crate::STEP_BOUND;
use crate::clients::{ClientPlan, connect};
use crate::narrator::Narrator;
use crate::netns::CLIENT_IP;
use crate::output::{error_fields, verdict_of};

/// Who narrates the steps after the heal.
const AFTER_HEAL: &str = "after heal";

/// The server's host forgets the connections while the path is cut, the
/// router forwards again, and the connection left idle through the cut is
/// tried.
pub(crate) fn heal(plan: &ClientPlan, narrator: &Narrator, idle: TcpStream) -> io::Result<()> {
    // The RSTs that `ss -K` sends are dropped at the router (checked: its
    // drop counter goes up by one per socket). `ss -K` destroys the sockets
    // at once, which is where a server that gave up on
    // them (its FIN retransmissions run out) or a rebooted host ends up.
    plan.server_host.forget_connections_to(CLIENT_IP)?;
    narrator.line(
        Instant::now(),
        "server host",
        &format!("forgets every connection from {CLIENT_IP} (ss -K), as a server that gave up does in the end"),
        "forgotten",
    );
    plan.router.heal()?;
    narrator.line(
        Instant::now(),
        "network",
        "path restored: the router forwards again",
        "healed",
    );
    let (human, fields) = try_new_connection(plan.server);
    narrator.line(Instant::now(), AFTER_HEAL, &human, &fields);
    let (human, fields) = try_idle(idle);
    narrator.line(Instant::now(), AFTER_HEAL, &human, &fields);
    Ok(())
}

/// A new connection after the heal, in words and fields.
fn try_new_connection(server: SocketAddr) -> (String, String) {
    match ping_on_new_connection(server) {
        Ok(()) => (
            "a new connection gets its PONG: the path is back".to_string(),
            "new_connection ok=true".to_string(),
        ),
        Err(error) => (
            format!("a new connection failed: {error}"),
            format!("new_connection ok=false {}", error_fields(&error)),
        ),
    }
}

/// A PING on the connection left idle through the cut, in words and fields.
fn try_idle(mut idle: TcpStream) -> (String, String) {
    let result = idle
        .set_read_timeout(Some(STEP_BOUND))
        .and_then(|()| idle.write_all(&line::with_newline(PING)))
        .and_then(|()| idle.read(&mut [0u8; 64]));
    match result {
        Err(error) => (
            format!(
                "PING on the connection left idle through the cut:\n{}\n{}: the server's host no longer knows it, and answered with an RST",
                narrate_for_socket(&error, &idle),
                verdict_of(&error)
            ),
            format!("idle {}", error_fields(&error)),
        ),
        Ok(n) => (
            format!("PING on the connection left idle through the cut: {n} bytes back, no RST"),
            format!("idle ok={n}"),
        ),
    }
}

fn ping_on_new_connection(server: SocketAddr) -> io::Result<()> {
    let mut stream = connect(server)?;
    stream.set_read_timeout(Some(STEP_BOUND))?;
    stream.write_all(&line::with_newline(PING))?;
    let mut answer = [0u8; 64];
    let n = stream.read(&mut answer)?;
    if answer[..n].starts_with(PONG) {
        Ok(())
    } else {
        Err(io::Error::other("no PONG"))
    }
}
