//! The clients' role: four connections to the server, the cut, the
//! narration of what each connection sees, and the heal; and the parent's
//! side, which runs the role in the clients' namespace.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Output, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use reset_by_peer::except::narrate_for_socket;
use reset_by_peer::heartbeat::Config;
use reset_by_peer::line::{self, PING, PONG};

use crate::narrator::{Narrator, Note};
use crate::netns::{CLIENT_IP, Host, Pair};
use crate::output::{error_fields, say, tell, verdict_of};
use crate::{NAME, STEP_BOUND, common, kernel, this_binary, watchers};

/// The command-line flag of the clients' role.
pub const ROLE: &str = "--role-client";

/// `tcp_retries2` in the clients' namespace: the kernel gives up after
/// 0.6 s at the least (see [`kernel::hypothetical_timeout_ms`]).
const CLIENT_RETRIES2: u8 = 1;

/// The heartbeat of `cargo run --example heartbeat`: bound 360 ms.
const HEARTBEAT_INTERVAL: Duration = Duration::from_millis(100);
const HEARTBEAT_TIMEOUT: Duration = Duration::from_millis(50);
const HEARTBEAT_MISSES: u32 = 3;

/// Bounds on waits that end in moments when all is well; they only matter
/// when something is broken.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(100);
const CONNECT_ATTEMPTS: u32 = 20;

/// The parent's side: runs the role in the clients' namespace, with the
/// plan on its command line (read back by [`ClientPlan::from_args`]), and
/// waits for it. The clients' process narrates on our stdout; it bounds all
/// its waits.
pub fn run_in(
    pair: &Pair,
    server: SocketAddr,
    host_retries2: u8,
    machine: bool,
) -> io::Result<Output> {
    let host_netns = kernel::netns_id()?;
    let mut command = pair.client.command(this_binary());
    command.args([
        ROLE,
        &server.to_string(),
        &pair.server.ns,
        &pair.server.veth,
        &host_netns,
        &host_retries2.to_string(),
    ]);
    if machine {
        command.arg("--machine");
    }
    // Its error line, if any, becomes ours, so that a failure is one line.
    command
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .output()
}

/// What the clients' process ended with: its last error line, if it failed.
pub fn outcome(clients: &Output) -> io::Result<()> {
    if clients.status.success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&clients.stderr);
    let said = said.lines().last().unwrap_or_default();
    let said = said.strip_prefix(&format!("{NAME}: ")).unwrap_or(said);
    Err(io::Error::other(format!(
        "the clients failed ({}): {said}",
        clients.status
    )))
}

/// What the parent tells the clients' process.
pub struct ClientPlan {
    server: SocketAddr,
    /// The server's host, whose end of the link this process cuts and heals.
    server_host: Host,
    /// The parent's network namespace, which this process must not be in.
    host_netns: String,
    /// `tcp_retries2` on the host, for the summary.
    host_retries2: u8,
    machine: bool,
}

impl ClientPlan {
    /// The plan, from the role's command line as [`run_in`] writes it.
    pub fn from_args(args: &mut common::Args) -> ClientPlan {
        ClientPlan {
            server: args.addr(ROLE, 1),
            server_host: Host {
                ns: args.value(ROLE),
                veth: args.value(ROLE),
            },
            host_netns: args.value(ROLE),
            host_retries2: args.value(ROLE),
            machine: args.next().is_some_and(|arg| arg == "--machine"),
        }
    }
}

/// The role.
pub fn run(plan: &ClientPlan) -> io::Result<()> {
    let retries2 = lower_retries2(plan)?;
    let config = Config::new(HEARTBEAT_INTERVAL, HEARTBEAT_TIMEOUT, HEARTBEAT_MISSES)?;
    introduce(plan.machine, retries2, &config);
    let clients = Clients {
        beating: connect(plan.server)?,
        blocked: connect(plan.server)?,
        timed: connect(plan.server)?,
    };
    let idle = connect(plan.server)?;
    let narrator = Narrator::starting_now(plan.machine);
    let times = cut_and_watch(plan, &narrator, clients, config)?;
    heal(plan, &narrator, idle)?;
    if !plan.machine {
        summarize(&times, retries2, plan.host_retries2);
    }
    Ok(())
}

/// Sets `tcp_retries2` in this process's network namespace, which must not
/// be the host's, and returns the value read back.
fn lower_retries2(plan: &ClientPlan) -> io::Result<u8> {
    // Lowering tcp_retries2 outside the clients' namespace would change the
    // host's own setting: refuse if this process is not where it should be.
    if kernel::netns_id()? == plan.host_netns {
        return Err(io::Error::other(
            "the clients' role runs in the host's network namespace; not touching tcp_retries2",
        ));
    }
    kernel::write_retries2(CLIENT_RETRIES2)?;
    let retries2 = kernel::read_retries2()?;
    if retries2 != CLIENT_RETRIES2 {
        return Err(io::Error::other(format!(
            "tcp_retries2 reads {retries2} after writing {CLIENT_RETRIES2}"
        )));
    }
    Ok(retries2)
}

fn introduce(machine: bool, retries2: u8, config: &Config) {
    let gives_up = kernel::hypothetical_timeout(retries2);
    tell(
        machine,
        format!(
            "tcp_retries2 in the clients' namespace only: {retries2}, so the kernel gives up after {:.1} s at the least.\n\
             The heartbeat pings every {} ms, waits {} ms for each PONG, and gives up after {} misses:\n  \
             a silent peer is noticed within {} ms of its last answer (Config::detection_bound).\n",
            gives_up.as_secs_f64(),
            HEARTBEAT_INTERVAL.as_millis(),
            HEARTBEAT_TIMEOUT.as_millis(),
            HEARTBEAT_MISSES,
            config.detection_bound().as_millis()
        ),
        format!(
            "client_retries2 value={retries2} hypothetical_ms={}\nheartbeat_config interval_ms={} timeout_ms={} misses={}",
            gives_up.as_millis(),
            HEARTBEAT_INTERVAL.as_millis(),
            HEARTBEAT_TIMEOUT.as_millis(),
            HEARTBEAT_MISSES
        ),
    );
}

fn summarize(times: &Times, retries2: u8, host_retries2: u8) {
    say(format!(
        "\nAfter the cut, the heartbeat knew in {} ms; the kernel gave up in {} ms with tcp_retries2 = {retries2},\n\
         and would take at least {:.1} s with this host's {}.",
        times
            .noticed
            .saturating_duration_since(times.cut)
            .as_millis(),
        times
            .gave_up
            .saturating_duration_since(times.cut)
            .as_millis(),
        kernel::hypothetical_timeout(host_retries2).as_secs_f64(),
        host_retries2
    ));
}

/// The connections that live through the cut, each with its own thread.
struct Clients {
    beating: TcpStream,
    blocked: TcpStream,
    timed: TcpStream,
}

/// When the link was cut, when the heartbeat gave its verdict, and when the
/// kernel gave up on the blocked read.
struct Times {
    cut: Instant,
    noticed: Instant,
    gave_up: Instant,
}

/// Starts the heartbeat, cuts the link after its first answer, starts the
/// two readers, and narrates until all three are done.
fn cut_and_watch(
    plan: &ClientPlan,
    narrator: &Narrator,
    clients: Clients,
    config: Config,
) -> io::Result<Times> {
    let Clients {
        beating,
        blocked,
        timed,
    } = clients;
    let (notes, received) = mpsc::channel();
    // The watch runs until its verdict, or until this sender is dropped.
    let (_keep_watching, stop) = mpsc::channel();
    let heartbeat = {
        let notes = notes.clone();
        thread::spawn(move || watchers::heartbeat(beating, config, stop, notes))
    };

    // Cut the link once the heartbeat has had an answer: its last one.
    narrator.wait_for(&received, |note| matches!(note, Note::FirstPong))?;
    plan.server_host.cut()?;
    let cut = Instant::now();
    narrator.line(
        cut,
        "network",
        "link cut: the server's end of the veth pair is down; nothing comes back, not even ACKs",
        "cut",
    );
    {
        let notes = notes.clone();
        thread::spawn(move || watchers::blocked(blocked, notes));
    }
    thread::spawn(move || watchers::timed(timed, notes));

    let times = wait_for_all(narrator, &received, cut)?;
    let _ = heartbeat.join();
    Ok(times)
}

/// Narrates until the three watchers are done, and notes when the heartbeat
/// and the blocked read ended.
fn wait_for_all(narrator: &Narrator, received: &Receiver<Note>, cut: Instant) -> io::Result<Times> {
    let mut waiting = vec![watchers::HEARTBEAT, watchers::BLOCKED, watchers::TIMED];
    let mut times = Times {
        cut,
        noticed: cut,
        gave_up: cut,
    };
    while !waiting.is_empty() {
        if let Note::Done(who, at) =
            narrator.wait_for(received, |note| matches!(note, Note::Done(..)))?
        {
            waiting.retain(|name| *name != who);
            match who {
                watchers::HEARTBEAT => times.noticed = at,
                watchers::BLOCKED => times.gave_up = at,
                _ => {}
            }
        }
    }
    Ok(times)
}

/// Who narrates the steps after the heal.
const AFTER_HEAL: &str = "after heal";

/// The server's host forgets the connections while the link is down, the
/// link comes back, and the connection left idle through the cut is tried.
fn heal(plan: &ClientPlan, narrator: &Narrator, idle: TcpStream) -> io::Result<()> {
    // The server's RSTs are lost while its end is down. `ss -K` destroys the
    // sockets at once, which is where a server that gave up on them (its FIN
    // retransmissions run out) or a rebooted host ends up.
    plan.server_host.forget_connections_to(CLIENT_IP)?;
    narrator.line(
        Instant::now(),
        "server host",
        &format!("forgets every connection from {CLIENT_IP} (ss -K), as a server that gave up does in the end"),
        "forgotten",
    );
    plan.server_host.heal()?;
    narrator.line(Instant::now(), "network", "link restored", "healed");
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

/// Connects, trying again if a SYN was lost while the link was coming up;
/// a veth pair may drop the first packets after `ip link set up`.
fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let mut last = io::Error::other("no attempt");
    for _ in 1..=CONNECT_ATTEMPTS {
        match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
            Ok(stream) => return Ok(stream),
            Err(error) => last = error,
        }
    }
    Err(last)
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
