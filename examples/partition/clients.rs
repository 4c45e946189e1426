//! The clients' role: four connections to the server, the cut, the
//! narration of what each connection sees and of what the kernel counted,
//! then the heal (`heal.rs`); and the parent's side, which runs the role in
//! the clients' namespace.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::process::{Output, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use reset_by_peer::heartbeat::Config;

use crate::cleanup::end_with_parent;
use crate::heal::heal;
use crate::kernel::Rto;
use crate::narrator::{Narrator, Note};
use crate::netns::{DROP_COUNTER, Host, Net, Router};
use crate::output::{say, tell};
use crate::{HostSettings, NAME, common, kernel, this_binary, watchers};

/// The command-line flag of the clients' role.
pub const ROLE: &str = "--role-client";

/// `tcp_retries2` in the clients' namespace: at the default RTO limits the
/// kernel gives up 0.8 s after a send at the least (see [`Rto::bound_ms`]).
const CLIENT_RETRIES2: u8 = 1;

/// The heartbeat of `cargo run --example heartbeat`: bound 372 ms.
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
    net: &Net,
    server: SocketAddr,
    host: HostSettings,
    machine: bool,
) -> io::Result<Output> {
    let host_netns = kernel::netns_id()?;
    let mut command = net.client.command(this_binary());
    command.args([
        ROLE,
        &server.to_string(),
        &net.server.ns,
        &net.server.veth,
        &net.router.ns,
        &net.router.to_client,
        &net.router.to_server,
        &host_netns,
        &host.retries2.to_string(),
        &host.rto.min_us.to_string(),
        &host.rto.max_ms.to_string(),
    ]);
    if machine {
        command.arg("--machine");
    }
    // Its error line, if any, becomes ours, so that a failure is one line.
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .spawn()?;
    // The write end of its standard input stays ours until it has ended:
    // the pipe's end is its signal that this process is gone
    // (`cleanup::end_with_parent`).
    let alive = child.stdin.take();
    let output = child.wait_with_output();
    drop(alive);
    output
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
    pub(crate) server: SocketAddr,
    /// The server's host, which forgets the connections before the heal.
    pub(crate) server_host: Host,
    /// The router, which this process has stop forwarding, then forward.
    pub(crate) router: Router,
    /// The parent's network namespace, which this process must not be in.
    host_netns: String,
    /// The host's `tcp_retries2` and RTO limits, for the summary.
    host: HostSettings,
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
            router: Router {
                ns: args.value(ROLE),
                to_client: args.value(ROLE),
                to_server: args.value(ROLE),
            },
            host_netns: args.value(ROLE),
            host: HostSettings {
                retries2: args.value(ROLE),
                rto: Rto {
                    min_us: args.value(ROLE),
                    max_ms: args.value(ROLE),
                },
            },
            machine: args.next().is_some_and(|arg| arg == "--machine"),
        }
    }
}

/// The role, which ends at once if the parent is gone.
pub fn run(plan: &ClientPlan) -> io::Result<()> {
    end_with_parent(ROLE)?;
    let retries2 = lower_retries2(plan)?;
    // The RTO limits of this namespace, which a new namespace does not
    // inherit from the host: they are its own defaults.
    let rto = Rto::read()?;
    let config = Config::new(HEARTBEAT_INTERVAL, HEARTBEAT_TIMEOUT, HEARTBEAT_MISSES)?;
    introduce(plan.machine, retries2, rto, &config);
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
        summarize(&times, retries2, rto, plan.host);
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

fn introduce(machine: bool, retries2: u8, rto: Rto, config: &Config) {
    tell(
        machine,
        format!(
            "In the clients' namespace: tcp_retries2 {retries2} (lowered here only), tcp_rto_min_us {}, tcp_rto_max_ms {}:\n  \
             the kernel's budget is {} ms from its first timed-out retransmission, so ETIMEDOUT comes\n  \
             no sooner than {} ms after a send.\n\
             The heartbeat pings every {} ms, waits {} ms for each PONG, and gives up after {} misses:\n  \
             a silent peer is noticed within {} ms of its last answer (Config::detection_bound).\n",
            rto.min_us,
            rto.max_ms,
            rto.budget_ms(retries2),
            rto.bound_ms(retries2),
            HEARTBEAT_INTERVAL.as_millis(),
            HEARTBEAT_TIMEOUT.as_millis(),
            HEARTBEAT_MISSES,
            config.detection_bound().as_millis()
        ),
        format!(
            "client_retries2 value={retries2} rto_min_us={} rto_max_ms={} budget_ms={} bound_ms={}\n\
             heartbeat_config interval_ms={} timeout_ms={} misses={}",
            rto.min_us,
            rto.max_ms,
            rto.budget_ms(retries2),
            rto.bound_ms(retries2),
            HEARTBEAT_INTERVAL.as_millis(),
            HEARTBEAT_TIMEOUT.as_millis(),
            HEARTBEAT_MISSES
        ),
    );
}

fn summarize(times: &Times, retries2: u8, rto: Rto, host: HostSettings) {
    say(format!(
        "\nAfter the cut, the heartbeat knew in {} ms; the kernel gave up in {} ms with tcp_retries2 = {retries2}\n\
         (no sooner than {} ms after a send, by kernel.rs); the clients' namespace retransmitted {} segments meanwhile,\n\
         all dropped at the router. It would take at least {:.1} s with this host's tcp_retries2 of {} and tcp_rto_max_ms of {}.",
        times
            .noticed
            .saturating_duration_since(times.cut)
            .as_millis(),
        times
            .gave_up
            .saturating_duration_since(times.cut)
            .as_millis(),
        rto.bound_ms(retries2),
        times.retrans,
        host.rto.bound(host.retries2).as_secs_f64(),
        host.retries2,
        host.rto.max_ms
    ));
}

/// The connections that live through the cut, each with its own thread.
struct Clients {
    beating: TcpStream,
    blocked: TcpStream,
    timed: TcpStream,
}

/// When the path was cut, when the heartbeat gave its verdict, when the
/// kernel gave up on the blocked read, and the segments retransmitted in
/// between.
struct Times {
    cut: Instant,
    noticed: Instant,
    gave_up: Instant,
    retrans: u64,
}

/// Starts the heartbeat, cuts the path after its first answer, starts the
/// two readers, narrates until all three are done, and says what the kernel
/// counted meanwhile.
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

    // Cut the path once the heartbeat has had an answer: its last one. The
    // counters are read first, so that only the cut's own count.
    narrator.wait_for(&received, |note| matches!(note, Note::FirstPong))?;
    let counted_before = Counted::read(&plan.router)?;
    plan.router.cut()?;
    let cut = Instant::now();
    narrator.line(
        cut,
        "network",
        "path cut: the router stops forwarding (ip_forward 0); both links stay up,\n\
         so the clients' packets leave and the router drops them, with no ICMP error",
        "cut",
    );
    {
        let notes = notes.clone();
        thread::spawn(move || watchers::blocked(blocked, notes));
    }
    thread::spawn(move || watchers::timed(timed, notes));

    let mut times = wait_for_all(narrator, &received, cut)?;
    let _ = heartbeat.join();
    let counted = Counted::read(&plan.router)?.since(counted_before);
    times.retrans = counted.retrans;
    narrator.line(
        Instant::now(),
        "kernel",
        &format!(
            "counted during the cut: the clients' namespace retransmitted {} segments\n\
             (TcpRetransSegs, tail-loss probes included); the router dropped {} packets\n\
             ({DROP_COUNTER} in its namespace), the first transmissions and the retransmissions",
            counted.retrans, counted.dropped
        ),
        &format!(
            "counted retrans={} dropped={}",
            counted.retrans, counted.dropped
        ),
    );
    Ok(times)
}

/// What the kernel counted: the segments this namespace retransmitted, and
/// the packets the router dropped.
#[derive(Clone, Copy)]
struct Counted {
    retrans: u64,
    dropped: u64,
}

impl Counted {
    fn read(router: &Router) -> io::Result<Counted> {
        Ok(Counted {
            retrans: kernel::retrans_segs()?,
            dropped: router.dropped()?,
        })
    }

    fn since(self, before: Counted) -> Counted {
        Counted {
            retrans: self.retrans.saturating_sub(before.retrans),
            dropped: self.dropped.saturating_sub(before.dropped),
        }
    }
}

/// Narrates until the three watchers are done, and notes when the heartbeat
/// and the blocked read ended.
fn wait_for_all(narrator: &Narrator, received: &Receiver<Note>, cut: Instant) -> io::Result<Times> {
    let mut waiting = vec![watchers::HEARTBEAT, watchers::BLOCKED, watchers::TIMED];
    let mut times = Times {
        cut,
        noticed: cut,
        gave_up: cut,
        retrans: 0,
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

/// Connects, trying again if a SYN was lost while the link was coming up;
/// a veth pair may drop the first packets after `ip link set up`.
pub(crate) fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let mut last = io::Error::other("no attempt");
    for _ in 1..=CONNECT_ATTEMPTS {
        match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
            Ok(stream) => return Ok(stream),
            Err(error) => last = error,
        }
    }
    Err(last)
}
