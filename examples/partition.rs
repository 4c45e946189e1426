//! A real network partition, run rather than described (Linux, root).
//!
//! The lab peer's `stall` and `silent-after` scripts play a hung
//! application: the peer's kernel still acknowledges every byte. A lost
//! network path is different, since nothing comes back at all, and one host
//! cannot lose a path to itself on loopback. So this example builds two
//! "hosts" on one machine: two network namespaces joined by a veth pair. The
//! lab peer (`heartbeat` script) runs in one, four client connections in the
//! other; then the server's end of the link goes down, and the example
//! narrates, with elapsed times, what each client sees:
//!
//! - the heartbeat's verdict, within its bound;
//! - a plain read with no timeout, which waits until the kernel stops
//!   retransmitting and fails with ETIMEDOUT;
//! - a read with a 200 ms timeout, which returns on time, says the socket is
//!   usable, and is wrong;
//! - and, once the server's host has forgotten the connections and the link
//!   is back, the RST that a connection left idle through the cut receives.
//!
//! `tcp_retries2` is set per network namespace, so the example lowers it to
//! 1 in the clients' namespace only, and the kernel gives up after 0.6 s at
//! the least (about 0.7 s here) instead of the quarter of an hour that the
//! host's default of 15 takes.
//!
//! It drives the `ip` command (iproute2) and re-runs its own binary inside
//! each namespace with `ip netns exec`, in one of three internal roles:
//! the server, the clients, and a janitor that deletes the namespaces.
//! Without Linux, root or a working `ip netns`, it says in one line what it
//! needs and exits 0.
//!
//! Run it as root with `cargo run --example partition`, or build it and run
//! `sudo target/debug/examples/partition`.

mod common;

use std::fmt::Display;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
#[cfg(unix)]
use std::os::unix::process::CommandExt;
use std::process::{self, Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

use reset_by_peer::except::narrate_for_socket;
use reset_by_peer::failure::Failure;
use reset_by_peer::heartbeat::{Config, Event, Report, Verdict, watch};
use reset_by_peer::line::{self, PING, PONG};
use reset_by_peer::peer::{Options, Peer, Script};

const NAME: &str = "partition";
const USAGE: &str = "\
usage: cargo run --example partition [-- --machine]      (Linux, as root)
   or: sudo target/debug/examples/partition [--machine]   (after a build)

Linux, root: builds two network namespaces joined by a veth pair, runs the
lab peer (heartbeat script) in one and four clients in the other, cuts the
link, and narrates what each client sees: the heartbeat's verdict, a read
with no timeout failing with ETIMEDOUT, a read with a 200 ms timeout, and
the RST after the link comes back. tcp_retries2 is lowered to 1 in the
clients' namespace only. The namespaces are deleted at the end, also on an
error or Ctrl-C. Without root or `ip netns` it says what it needs and exits 0.

  --machine    print one `NAME key=value ...` line per step, for tests
  -h, --help   show this help
";

/// The internal roles: the binary runs itself in each namespace.
const ROLE_SERVER: &str = "--role-server";
const ROLE_CLIENT: &str = "--role-client";
const ROLE_JANITOR: &str = "--role-janitor";

/// Every namespace this example makes is named with this prefix and the
/// process id, so that two runs at once never collide; the janitor refuses
/// to delete any other name.
const PREFIX: &str = "rbp-partition-";

/// The two ends of the link: a /30 from the private range 10.0.0.0/8 that
/// exists only inside the two namespaces, never on the host.
const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(10, 199, 0, 1);
const SERVER_IP: Ipv4Addr = Ipv4Addr::new(10, 199, 0, 2);
const PREFIX_LEN: u8 = 30;

/// `tcp_retries2` in the clients' namespace: the kernel gives up after
/// 0.6 s at the least (see [`hypothetical_timeout_ms`]).
const CLIENT_RETRIES2: u8 = 1;

/// The heartbeat of `cargo run --example heartbeat`: bound 360 ms.
const HEARTBEAT_INTERVAL: Duration = Duration::from_millis(100);
const HEARTBEAT_TIMEOUT: Duration = Duration::from_millis(50);
const HEARTBEAT_MISSES: u32 = 3;

/// The read timeout of the client that keeps its socket "usable".
const READ_TIMEOUT: Duration = Duration::from_millis(200);
/// How many 200 ms reads it makes before it stops waiting.
const TIMED_READS: u32 = 10;

/// Bounds on waits that end in moments when all is well; they only matter
/// when something is broken.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(100);
const CONNECT_ATTEMPTS: u32 = 20;
const STEP_BOUND: Duration = Duration::from_secs(3);

// What the kernel's documentation promises, checked when this file compiles:
// `Documentation/networking/ip-sysctl.rst`, `tcp_retries2`: "The default
// value of 15 yields a hypothetical timeout of 924.6 seconds".
const _: () = assert!(hypothetical_timeout_ms(15) == 924_600);
const _: () = assert!(hypothetical_timeout_ms(3) == 3_000);
const _: () = assert!(hypothetical_timeout_ms(1) == 600);

/// `TCP_RTO_MIN` and `TCP_RTO_MAX` in the kernel's `include/net/tcp.h`.
const RTO_MIN_MS: u64 = 200;
const RTO_MAX_MS: u64 = 120_000;

/// How long Linux retransmits unacknowledged data before it gives up, for a
/// given `tcp_retries2`: the wait before each of the `retries`
/// retransmissions and after the last, starting at the minimum RTO of
/// 200 ms, doubling each time, each wait capped at 120 s.
/// With every wait at its floor this is the "hypothetical timeout" of the
/// kernel's `ip-sysctl.rst`, which calls it a lower bound: real waits can
/// only be longer (for 1, about 0.7 s on the machine of `docs/facts.md`).
const fn hypothetical_timeout_ms(retries: u8) -> u64 {
    let mut total = 0;
    let mut wait = RTO_MIN_MS;
    // Counted in u32 so that 255 retries cannot overflow the counter.
    let mut sent: u32 = 0;
    // The first transmission, then `retries` retransmissions: one wait each.
    while sent <= retries as u32 {
        total += wait;
        wait = if wait * 2 > RTO_MAX_MS {
            RTO_MAX_MS
        } else {
            wait * 2
        };
        sent += 1;
    }
    total
}

fn hypothetical_timeout(retries: u8) -> Duration {
    Duration::from_millis(hypothetical_timeout_ms(retries))
}

fn main() {
    let mut args = common::Args::from_env(NAME, USAGE);
    let first = args.next();
    match first.as_deref() {
        Some(ROLE_SERVER) => {
            let listen = args.addr(ROLE_SERVER, 0);
            common::finish(NAME, serve(listen));
        }
        Some(ROLE_CLIENT) => {
            let plan = ClientPlan {
                server: args.addr(ROLE_CLIENT, 1),
                server_ns: args.value(ROLE_CLIENT),
                server_veth: args.value(ROLE_CLIENT),
                host_netns: args.value(ROLE_CLIENT),
                host_retries2: args.value(ROLE_CLIENT),
                machine: args.next().is_some_and(|arg| arg == "--machine"),
            };
            common::finish(NAME, clients(&plan));
        }
        Some(ROLE_JANITOR) => janitor(args),
        Some("--machine") | None => {
            let machine = first.is_some();
            if let Some(extra) = args.next() {
                args.unknown(&extra);
            }
            common::finish(NAME, run(machine));
        }
        Some(other) => args.unknown(other),
    }
}

/// One line on stdout, flushed at once (the roles share the terminal, and
/// the server's first line is read by the parent). A closed stdout is not
/// an error here: the run goes on, so that its namespaces are deleted.
fn say(text: impl Display) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// Prints the human line, or the machine line in `--machine` mode.
fn tell(machine: bool, human: impl Display, fields: impl Display) {
    if machine { say(fields) } else { say(human) }
}

// ---------------------------------------------------------------------------
// The parent: checks, namespaces, roles, cleanup.

/// The names of one run's namespaces and veth ends.
struct Names {
    client_ns: String,
    server_ns: String,
    client_veth: String,
    server_veth: String,
}

impl Names {
    fn for_this_run() -> Names {
        let pid = process::id();
        Names {
            client_ns: format!("{PREFIX}{pid}-client"),
            server_ns: format!("{PREFIX}{pid}-server"),
            // Interface names are at most 15 bytes: "rbp" + 7 digits + 1.
            client_veth: format!("rbp{pid}c"),
            server_veth: format!("rbp{pid}s"),
        }
    }
}

fn run(machine: bool) -> io::Result<()> {
    if let Some(missing) = missing_requirement() {
        tell(
            machine,
            format!(
                "partition: skipped: this example needs Linux, root and `ip netns` (iproute2); {missing}"
            ),
            format!("skip {missing}"),
        );
        return Ok(());
    }
    let names = Names::for_this_run();
    // The janitor starts before anything exists, so that whatever is made
    // next is deleted however this process ends.
    let mut cleanup = Cleanup::start(&names)?;
    if let Err(error) = ip(&["netns", "add", &names.client_ns]) {
        tell(
            machine,
            format!(
                "partition: skipped: this example needs `ip netns`, which failed here: {error}"
            ),
            format!("skip ip netns failed: {error}"),
        );
        return Ok(());
    }
    build_link(&names)?;
    let server = start_server(&names, &mut cleanup)?;

    let host_retries2 = read_retries2()?;
    let host_timeout = hypothetical_timeout(host_retries2);
    tell(
        machine,
        format!(
            "A real partition, on Linux as root: two network namespaces joined by a veth pair.\n  \
             the server's namespace {}: the lab peer (heartbeat script) on {server}\n  \
             the clients' namespace {}: {CLIENT_IP}, four connections to the server\n\
             tcp_retries2 on this host: {host_retries2}, so a connection with data in flight across a lost path\n  \
             fails after {:.1} s at the least (the kernel's Documentation/networking/ip-sysctl.rst).",
            names.server_ns,
            names.client_ns,
            host_timeout.as_secs_f64()
        ),
        format!(
            "host_retries2 value={host_retries2} hypothetical_ms={}",
            host_timeout.as_millis()
        ),
    );

    // The clients' process narrates on our stdout; it bounds all its waits.
    let host_netns = netns_id()?;
    let mut command = in_namespace(&names.client_ns);
    command.args([
        ROLE_CLIENT,
        &server.to_string(),
        &names.server_ns,
        &names.server_veth,
        &host_netns,
        &host_retries2.to_string(),
    ]);
    if machine {
        command.arg("--machine");
    }
    // Its error line, if any, becomes ours, so that a failure is one line.
    let clients = command
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .output()?;

    drop(cleanup);
    let left = leftover_namespaces(&names);
    let retries2_after = read_retries2()?;
    tell(
        machine,
        format!(
            "Namespaces deleted{}; tcp_retries2 on this host: still {retries2_after}.",
            if left == 0 {
                ""
            } else {
                " (some are still listed)"
            }
        ),
        format!("cleanup left={left} host_retries2={retries2_after}"),
    );
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

/// What this machine lacks for the demonstration, if anything.
fn missing_requirement() -> Option<String> {
    if !cfg!(target_os = "linux") {
        return Some("this is not Linux".to_string());
    }
    if effective_uid() != Some(0) {
        return Some("this process is not root".to_string());
    }
    match Command::new("ip")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(status) if status.success() => None,
        Ok(status) => Some(format!("`ip -V` failed ({status})")),
        Err(error) => Some(format!("the `ip` command cannot run: {error}")),
    }
}

/// The effective user id, from `/proc/self/status` (Linux): std has no call
/// for it.
fn effective_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("Uid:"))?;
    // "Uid:" is followed by the real, effective, saved and file-system ids.
    line.split_whitespace().nth(2)?.parse().ok()
}

/// The identity of this process's network namespace, e.g. `net:[4026531833]`.
fn netns_id() -> io::Result<String> {
    let link = std::fs::read_link("/proc/self/ns/net")?;
    Ok(link.to_string_lossy().into_owned())
}

/// `tcp_retries2` in the network namespace of this process.
fn read_retries2() -> io::Result<u8> {
    let text = std::fs::read_to_string("/proc/sys/net/ipv4/tcp_retries2")?;
    text.trim().parse().map_err(|_| {
        io::Error::other(format!(
            "unexpected tcp_retries2 `{}` (this example expects 0 to 255)",
            text.trim()
        ))
    })
}

/// Runs `ip` with these arguments; the error carries what `ip` said.
fn ip(args: &[&str]) -> io::Result<()> {
    let output = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()?;
    if output.status.success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&output.stderr);
    let said = said.lines().next().unwrap_or("no message").to_string();
    Err(io::Error::other(format!("ip {}: {said}", args.join(" "))))
}

/// Runs one `ip` command written as it would be typed in a shell; every
/// word in these commands is a name or an address, without spaces.
fn ip_line(line: &str) -> io::Result<()> {
    let words: Vec<&str> = line.split_whitespace().collect();
    ip(&words)
}

/// The second namespace, and the veth pair made directly inside the two, so
/// that no interface ever appears on the host.
fn build_link(names: &Names) -> io::Result<()> {
    let Names {
        client_ns: client,
        server_ns: server,
        client_veth: client_end,
        server_veth: server_end,
    } = names;
    for line in [
        format!("netns add {server}"),
        format!(
            "-n {client} link add {client_end} type veth peer name {server_end} netns {server}"
        ),
        format!("-n {client} addr add {CLIENT_IP}/{PREFIX_LEN} dev {client_end}"),
        format!("-n {server} addr add {SERVER_IP}/{PREFIX_LEN} dev {server_end}"),
        format!("-n {client} link set {client_end} up"),
        format!("-n {server} link set {server_end} up"),
    ] {
        ip_line(&line)?;
    }
    Ok(())
}

/// This binary, in `namespace`, through `ip netns exec`.
fn in_namespace(namespace: &str) -> Command {
    let exe = std::env::current_exe().unwrap_or_else(|_| NAME.into());
    let mut command = Command::new("ip");
    command.args(["netns", "exec", namespace]).arg(exe);
    command
}

/// Starts the lab peer in the server's namespace and reads its address from
/// its first line.
fn start_server(names: &Names, cleanup: &mut Cleanup) -> io::Result<SocketAddr> {
    let listen = SocketAddr::new(IpAddr::V4(SERVER_IP), 0).to_string();
    let mut child = in_namespace(&names.server_ns)
        .args([ROLE_SERVER, &listen])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take();
    cleanup.server = Some(child);
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

/// How many of this run's namespaces `ip netns list` still shows.
fn leftover_namespaces(names: &Names) -> usize {
    let listed = Command::new("ip").args(["netns", "list"]).output();
    let listed = listed.map(|output| String::from_utf8_lossy(&output.stdout).into_owned());
    let listed = listed.unwrap_or_default();
    [&names.client_ns, &names.server_ns]
        .into_iter()
        .filter(|name| {
            listed
                .lines()
                .any(|line| line.split_whitespace().next() == Some(name))
        })
        .count()
}

/// Deletes the namespaces when dropped, and also when this process dies
/// without dropping anything (Ctrl-C, `kill -9`).
///
/// Std has no signal handling, so the cleanup lives in another process:
/// a janitor, started first, in a process group of its own so that Ctrl-C
/// in the terminal does not reach it. It waits for its standard input to
/// end, which happens when this process closes the pipe or dies, however it
/// dies; then it deletes the namespaces. The best effort stops there: if
/// the janitor itself is killed, or the machine stops, the namespaces stay
/// until `ip netns del NAME` (names start with `rbp-partition-`).
struct Cleanup {
    janitor: Child,
    server: Option<Child>,
}

impl Cleanup {
    fn start(names: &Names) -> io::Result<Cleanup> {
        let exe = std::env::current_exe()?;
        let mut command = Command::new(exe);
        command
            .args([ROLE_JANITOR, &names.client_ns, &names.server_ns])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(unix)]
        command.process_group(0);
        Ok(Cleanup {
            janitor: command.spawn()?,
            server: None,
        })
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        // The server goes first, then the namespaces it was in. Both are our
        // own children, ended by their process ids.
        if let Some(mut server) = self.server.take() {
            let _ = server.kill();
            let _ = server.wait();
        }
        // Closing the pipe is the janitor's signal; waiting for it makes the
        // deletion finished when this returns.
        drop(self.janitor.stdin.take());
        let _ = self.janitor.wait();
    }
}

/// The janitor role: waits for its standard input to end, then deletes the
/// namespaces named on its command line (only this example's).
fn janitor(mut args: common::Args) {
    let _ = io::copy(&mut io::stdin(), &mut io::sink());
    while let Some(name) = args.next() {
        if name.starts_with(PREFIX) {
            // A namespace that was never made is not an error.
            let _ = ip(&["netns", "del", &name]);
        }
    }
}

// ---------------------------------------------------------------------------
// The server role: the lab peer, in the server's namespace.

fn serve(listen: SocketAddr) -> io::Result<()> {
    let options = Options {
        listen,
        ..Options::default()
    };
    let peer = Peer::start_with(Script::Heartbeat, options)?;
    say(format!("listening on {} (script: heartbeat)", peer.addr()));
    // Serve until the parent closes our standard input, or dies.
    let _ = io::copy(&mut io::stdin(), &mut io::sink());
    drop(peer);
    Ok(())
}

// ---------------------------------------------------------------------------
// The clients' role: four connections, the cut, and the narration.

/// What the parent tells the clients' process.
struct ClientPlan {
    server: SocketAddr,
    server_ns: String,
    server_veth: String,
    /// The parent's network namespace, which this process must not be in.
    host_netns: String,
    /// `tcp_retries2` on the host, for the summary.
    host_retries2: u8,
    machine: bool,
}

/// Something a client saw, sent to the narrating thread.
enum Note {
    /// A line to print, with the time it happened.
    Line {
        at: Instant,
        who: &'static str,
        human: String,
        fields: String,
    },
    /// The heartbeat's first answer: the moment to cut the link.
    FirstPong,
    /// One client is done, at this time.
    Done(&'static str, Instant),
}

fn note(notes: &Sender<Note>, who: &'static str, human: String, fields: String) {
    let _ = notes.send(Note::Line {
        at: Instant::now(),
        who,
        human,
        fields,
    });
}

/// The `key=value` fields of an error, for `--machine`.
fn error_fields(error: &io::Error) -> String {
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
fn verdict_of(error: &io::Error) -> String {
    let failure = Failure::of(error);
    let usable = if failure.connection_usable() {
        "the connection looks usable"
    } else {
        "the connection is dead"
    };
    format!("Failure::{failure:?}: {usable}")
}

/// Sets `tcp_retries2` in this process's network namespace, which must not
/// be the host's, and returns the value read back.
fn lower_retries2(plan: &ClientPlan) -> io::Result<u8> {
    // Lowering tcp_retries2 outside the clients' namespace would change the
    // host's own setting: refuse if this process is not where it should be.
    if netns_id()? == plan.host_netns {
        return Err(io::Error::other(
            "the clients' role runs in the host's network namespace; not touching tcp_retries2",
        ));
    }
    std::fs::write(
        "/proc/sys/net/ipv4/tcp_retries2",
        CLIENT_RETRIES2.to_string(),
    )?;
    let retries2 = read_retries2()?;
    if retries2 != CLIENT_RETRIES2 {
        return Err(io::Error::other(format!(
            "tcp_retries2 reads {retries2} after writing {CLIENT_RETRIES2}"
        )));
    }
    Ok(retries2)
}

/// Sets the server's end of the link down (the cut) or up (the heal).
fn set_link(plan: &ClientPlan, state: &str) -> io::Result<()> {
    ip_line(&format!(
        "-n {} link set {} {state}",
        plan.server_ns, plan.server_veth
    ))
}

fn clients(plan: &ClientPlan) -> io::Result<()> {
    let retries2 = lower_retries2(plan)?;
    let gives_up = hypothetical_timeout(retries2);
    let config = Config::new(HEARTBEAT_INTERVAL, HEARTBEAT_TIMEOUT, HEARTBEAT_MISSES)?;
    tell(
        plan.machine,
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

    let clients = Clients {
        beating: connect(plan.server)?,
        blocked: connect(plan.server)?,
        timed: connect(plan.server)?,
    };
    let idle = connect(plan.server)?;
    let narrator = Narrator {
        start: Instant::now(),
        machine: plan.machine,
    };
    let times = cut_and_watch(plan, &narrator, clients, config)?;
    heal(plan, &narrator, idle)?;
    if !plan.machine {
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
            hypothetical_timeout(plan.host_retries2).as_secs_f64(),
            plan.host_retries2
        ));
    }
    Ok(())
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
        thread::spawn(move || heartbeat_client(beating, config, stop, notes))
    };

    // Cut the link once the heartbeat has had an answer: its last one.
    narrator.wait_for(&received, |note| matches!(note, Note::FirstPong))?;
    set_link(plan, "down")?;
    let cut = Instant::now();
    narrator.line(
        cut,
        "network",
        "link cut: the server's end of the veth pair is down; nothing comes back, not even ACKs",
        "cut",
    );
    {
        let notes = notes.clone();
        thread::spawn(move || blocked_client(blocked, notes));
    }
    thread::spawn(move || timed_client(timed, notes));

    let mut waiting = vec!["heartbeat", "blocked read", "200 ms read"];
    let mut times = Times {
        cut,
        noticed: cut,
        gave_up: cut,
    };
    while !waiting.is_empty() {
        if let Note::Done(who, at) =
            narrator.wait_for(&received, |note| matches!(note, Note::Done(..)))?
        {
            waiting.retain(|name| *name != who);
            match who {
                "heartbeat" => times.noticed = at,
                "blocked read" => times.gave_up = at,
                _ => {}
            }
        }
    }
    let _ = heartbeat.join();
    Ok(times)
}

/// The server's host forgets the connections while the link is down, the
/// link comes back, and the connection left idle through the cut is tried.
fn heal(plan: &ClientPlan, narrator: &Narrator, mut idle: TcpStream) -> io::Result<()> {
    // The server's RSTs are lost while its end is down. `ss -K` destroys the
    // sockets at once, which is where a server that gave up on them (its FIN
    // retransmissions run out) or a rebooted host ends up.
    ss_kill(&plan.server_ns)?;
    narrator.line(
        Instant::now(),
        "server host",
        &format!("forgets every connection from {CLIENT_IP} (ss -K), as a server that gave up does in the end"),
        "forgotten",
    );
    set_link(plan, "up")?;
    narrator.line(Instant::now(), "network", "link restored", "healed");
    const WHO: &str = "after heal";
    let (human, fields) = match ping_on_new_connection(plan.server) {
        Ok(()) => (
            "a new connection gets its PONG: the path is back".to_string(),
            "new_connection ok=true".to_string(),
        ),
        Err(error) => (
            format!("a new connection failed: {error}"),
            format!("new_connection ok=false {}", error_fields(&error)),
        ),
    };
    narrator.line(Instant::now(), WHO, &human, &fields);
    let result = idle
        .set_read_timeout(Some(STEP_BOUND))
        .and_then(|()| idle.write_all(&line::with_newline(PING)))
        .and_then(|()| idle.read(&mut [0u8; 64]));
    let (human, fields) = match result {
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
    };
    narrator.line(Instant::now(), WHO, &human, &fields);
    Ok(())
}

/// The width of the column that names the client.
const WHO_WIDTH: usize = 13;

/// Prints notes, with times from the start of the watch.
struct Narrator {
    start: Instant,
    machine: bool,
}

impl Narrator {
    fn line(&self, at: Instant, who: &str, human: &str, fields: &str) {
        let since = at.saturating_duration_since(self.start);
        let ms = since.as_millis();
        // Continuation lines of a note line up under its first line:
        // "[+1234 ms] " and the name's column.
        let human = human.replace(
            '\n',
            &format!("\n{:width$}", "", width = 11 + WHO_WIDTH + 1),
        );
        tell(
            self.machine,
            format!("[+{ms:>4} ms] {who:<WHO_WIDTH$} {human}"),
            format!("{} at_us={}", fields, since.as_micros()),
        );
    }

    fn print(&self, note: Note) {
        if let Note::Line {
            at,
            who,
            human,
            fields,
        } = note
        {
            self.line(at, who, &human, &fields);
        }
    }

    /// Prints notes until one matches, within [`STEP_BOUND`]; returns it.
    fn wait_for(&self, notes: &Receiver<Note>, wanted: impl Fn(&Note) -> bool) -> io::Result<Note> {
        let deadline = Instant::now() + STEP_BOUND;
        // Each pass takes one note or ends at the deadline.
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match notes.recv_timeout(left) {
                Ok(note) if wanted(&note) => return Ok(note),
                Ok(note) => self.print(note),
                Err(RecvTimeoutError::Timeout) => {
                    return Err(io::Error::other(format!(
                        "nothing happened within {} s: is tcp_retries2 lowered?",
                        STEP_BOUND.as_secs()
                    )));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(io::Error::other("a client thread stopped early"));
                }
            }
        }
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

/// `ss -K` in the server's namespace, for every TCP socket to the clients.
fn ss_kill(server_ns: &str) -> io::Result<()> {
    let status = Command::new("ip")
        .args(["netns", "exec", server_ns, "ss", "-K", "-t", "dst"])
        .arg(CLIENT_IP.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("ss -K failed ({status})")))
    }
}

fn heartbeat_client(
    mut stream: TcpStream,
    config: Config,
    stop: Receiver<()>,
    notes: Sender<Note>,
) {
    const WHO: &str = "heartbeat";
    let mut first = true;
    let report = watch(&mut stream, &config, &stop, |event| {
        let (human, fields) = match event {
            Event::Ping { number, .. } => {
                (format!("PING {number}"), format!("ping number={number}"))
            }
            Event::Pong { number, .. } => {
                (format!("PONG {number}"), format!("pong number={number}"))
            }
            Event::Missed {
                number, in_a_row, ..
            } => (
                format!("no answer to PING {number} (miss {in_a_row} in a row)"),
                format!("miss number={number} in_a_row={in_a_row}"),
            ),
        };
        note(&notes, WHO, human, fields);
        if first && matches!(event, Event::Pong { .. }) {
            first = false;
            let _ = notes.send(Note::FirstPong);
        }
    });
    let (human, fields) = match report {
        Ok(report) => describe_report(&report, &config),
        Err(error) => (
            format!("the watch failed: {error}"),
            format!("heartbeat verdict=Error {}", error_fields(&error)),
        ),
    };
    note(&notes, WHO, human, fields);
    let _ = notes.send(Note::Done(WHO, Instant::now()));
}

fn describe_report(report: &Report, config: &Config) -> (String, String) {
    let silent_for = report
        .elapsed
        .saturating_sub(report.last_pong.unwrap_or_default());
    let bound = config.detection_bound();
    let within = if silent_for <= bound {
        "within"
    } else {
        "NOT within"
    };
    let human = format!(
        "verdict: {}\n{} ms after the last answer, {within} the bound of {} ms",
        report.verdict.reason(),
        silent_for.as_millis(),
        bound.as_millis()
    );
    let verdict = match report.verdict {
        Verdict::Alive => "Alive",
        Verdict::DeadBySilence => "DeadBySilence",
        Verdict::DeadByReset => "DeadByReset",
        Verdict::DeadByClose => "DeadByClose",
    };
    let fields = format!(
        "heartbeat verdict={verdict} silent_for_us={} bound_us={}",
        silent_for.as_micros(),
        bound.as_micros()
    );
    (human, fields)
}

/// A plain read with no timeout: only the kernel can end it.
fn blocked_client(mut stream: TcpStream, notes: Sender<Note>) {
    const WHO: &str = "blocked read";
    let sent = Instant::now();
    if let Err(error) = stream.write_all(&line::with_newline(PING)) {
        note(
            &notes,
            WHO,
            format!("send failed: {error}"),
            error_fields(&error),
        );
    } else {
        note(
            &notes,
            WHO,
            "sent PING; reading with no timeout".to_string(),
            "blocked_sent".to_string(),
        );
        let result = stream.read(&mut [0u8; 64]);
        let waited = sent.elapsed();
        let (human, fields) = match result {
            Err(error) => (
                format!(
                    "{}\n{}, after {} ms of retransmissions",
                    narrate_for_socket(&error, &stream),
                    verdict_of(&error),
                    waited.as_millis()
                ),
                format!(
                    "blocked {} waited_us={}",
                    error_fields(&error),
                    waited.as_micros()
                ),
            ),
            Ok(n) => (
                format!("read {n} bytes: the link was not cut"),
                format!("blocked ok={n}"),
            ),
        };
        note(&notes, WHO, human, fields);
    }
    let _ = notes.send(Note::Done(WHO, Instant::now()));
}

/// Reads with a 200 ms timeout, again and again, as a polling loop would.
fn timed_client(mut stream: TcpStream, notes: Sender<Note>) {
    const WHO: &str = "200 ms read";
    let sent = Instant::now();
    let result = stream
        .set_read_timeout(Some(READ_TIMEOUT))
        .and_then(|()| stream.write_all(&line::with_newline(PING)));
    match result {
        Err(error) => note(
            &notes,
            WHO,
            format!("send failed: {error}"),
            error_fields(&error),
        ),
        Ok(()) => {
            note(
                &notes,
                WHO,
                "sent PING; reading with a 200 ms timeout".to_string(),
                "timed_sent".to_string(),
            );
            for attempt in 1..=TIMED_READS {
                let result = stream.read(&mut [0u8; 64]);
                let waited = sent.elapsed();
                match result {
                    Err(error) => {
                        let again =
                            Failure::of_timed(&error) == Failure::TimedOut && attempt < TIMED_READS;
                        let human = format!(
                            "{}\n{}{}",
                            narrate_for_socket(&error, &stream),
                            verdict_of(&error),
                            if again { "; reading again" } else { "" }
                        );
                        let fields = format!(
                            "timed attempt={attempt} {} usable={} waited_us={}",
                            error_fields(&error),
                            Failure::of_timed(&error).connection_usable(),
                            waited.as_micros()
                        );
                        note(&notes, WHO, human, fields);
                        if !again {
                            break;
                        }
                    }
                    Ok(n) => {
                        note(
                            &notes,
                            WHO,
                            format!("read {n} bytes: the link was not cut"),
                            format!("timed ok={n}"),
                        );
                        break;
                    }
                }
            }
        }
    }
    let _ = notes.send(Note::Done(WHO, Instant::now()));
}

fn ping_on_new_connection(server: SocketAddr) -> io::Result<()> {
    let mut stream = connect(server)?;
    stream.set_read_timeout(Some(STEP_BOUND))?;
    stream.write_all(&line::with_newline(PING))?;
    let mut answer = [0u8; 64];
    let n = stream.read(&mut answer)?;
    // `read` returned `n`, so the slice is in range.
    if answer[..n].starts_with(PONG) {
        Ok(())
    } else {
        Err(io::Error::other("no PONG"))
    }
}
