//! A real partition, run rather than described (Linux, root).
//!
//! The lab peer's `stall` and `silent-after` scripts play a hung
//! application: the peer's kernel still acknowledges every byte. A lost
//! network path is different, since nothing comes back at all, and one host
//! cannot lose a path to itself on loopback. So this example builds three
//! "hosts" on one machine: network namespaces for a client, a router and a
//! server, joined by two veth pairs. The lab peer (`heartbeat` script) runs
//! on the server, four client connections on the client; then the router
//! stops forwarding. Both hosts' links stay up: the clients' packets leave,
//! and the router drops them without an ICMP error. The example narrates,
//! with elapsed times, what each client sees:
//!
//! - the heartbeat's verdict, within its bound;
//! - a plain read with no timeout, which waits until the kernel stops
//!   retransmitting and fails with ETIMEDOUT;
//! - a read with a 200 ms timeout, which returns on time, says the socket is
//!   usable, and is wrong;
//! - what the kernel counted meanwhile: the segments the clients'
//!   namespace retransmitted (`TcpRetransSegs`) and the packets the router
//!   dropped (`Ip: InAddrErrors` in its namespace);
//! - and, once the server's host has forgotten the connections and the
//!   router forwards again, the RST that a connection left idle through the
//!   cut receives.
//!
//! `tcp_retries2` is set per network namespace, so the example lowers it to
//! 1 in the clients' namespace only. It reads `tcp_rto_min_us` and
//! `tcp_rto_max_ms` there too, and computes the earliest ETIMEDOUT with the
//! kernel's own formula (`kernel.rs`): 0.8 s at the defaults, where the
//! host's default of 15 takes 924.8 s at the least. Measured here, the
//! kernel gives up after about 1.7 s, having retransmitted three times.
//!
//! It drives the `ip` command (iproute2), `sysctl` and `cat` inside the
//! router, and re-runs its own binary in one of three internal roles: the
//! server and the clients, each inside its namespace with `ip netns exec`,
//! and a janitor. Without Linux, root or a working `ip netns`, it says in
//! one line what it needs and exits 0.
//!
//! What it guarantees, on Linux: however this process ends (a normal end,
//! an error, a panic, Ctrl-C, SIGTERM, or SIGKILL, which no process can
//! catch), nothing of its run is left a moment later, as long as the
//! janitor itself is not killed: no process of the run, no namespace, named
//! or not, and no veth. How, in `cleanup.rs`: each role reads a pipe from
//! this process and exits at once when the pipe ends, which the kernel
//! does when this process dies; the janitor reads one too, then kills
//! whatever of the run still runs, heals the router, and deletes the veths
//! and the namespaces, within a bound (`janitor.rs`).
//! `tests/lessons/partition.rs` kills a run at several moments and checks.
//!
//! Run it as root with `cargo run --example partition`, or build it and run
//! `sudo target/debug/examples/partition`.
//!
//! The parts, beside this file: `netns.rs`, the namespace harness (make,
//! link, route, cut, heal, count), which another tool can reuse;
//! `cleanup.rs` and `janitor.rs`, the cleanup that holds however the run
//! ends;
//! `server.rs` and `clients.rs`, the roles, each with the parent's side that
//! starts it; `watchers.rs`, the three connections through the cut;
//! `narrator.rs` and `output.rs`, what is printed, for people or with
//! `--machine`; and `kernel.rs`, `tcp_retries2`, the RTO limits, the
//! retransmission counter and how long the kernel retransmits.

#[path = "../common/mod.rs"]
mod common;

mod cleanup;
mod clients;
mod heal;
mod janitor;
mod kernel;
mod narrator;
mod netns;
mod output;
mod server;
mod watchers;

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use cleanup::Cleanup;
use clients::ClientPlan;
use kernel::Rto;
use netns::{CLIENT_IP, Net, ROUTER_CLIENT_IP};
use output::tell;

const NAME: &str = "partition";
const USAGE: &str = "\
usage: cargo run --example partition [-- --machine]      (Linux, as root)
   or: sudo target/debug/examples/partition [--machine]   (after a build)

Linux, root: builds three network namespaces, client, router and server,
joined by two veth pairs, runs the lab peer (heartbeat script) on the server
and four clients on the client, has the router stop forwarding, and narrates
what each client sees: the heartbeat's verdict, a read with no timeout
failing with ETIMEDOUT, a read with a 200 ms timeout, what the kernel counted
(retransmissions, the router's drops), and the RST once the router forwards
again. tcp_retries2 is lowered to 1 in the clients' namespace only. The
run leaves nothing behind, no process, namespace or veth, however it ends:
at the end, on an error, Ctrl-C, SIGTERM or kill -9 (a janitor process
cleans up once this one is gone). Without root, `ip netns` or `sysctl` it
says what it needs and exits 0.

  --machine    print one `NAME key=value ...` line per step, for tests
  -h, --help   show this help
";

/// A bound on waits that end in moments when all is well (the server's
/// start, each step of the watch, a read after the heal); it only matters
/// when something is broken.
const STEP_BOUND: Duration = Duration::from_secs(3);

fn main() {
    let mut args = common::Args::from_env(NAME, USAGE);
    let first = args.next();
    // The internal roles: the binary runs itself in each namespace.
    match first.as_deref() {
        Some(server::ROLE) => {
            let listen = args.addr(server::ROLE, 0);
            common::finish(NAME, server::serve(listen));
        }
        Some(clients::ROLE) => {
            let plan = ClientPlan::from_args(&mut args);
            common::finish(NAME, clients::run(&plan));
        }
        Some(netns::JANITOR_ROLE) => janitor::janitor(args.next()),
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

/// This binary, to run again in one of its roles.
fn this_binary() -> PathBuf {
    std::env::current_exe().unwrap_or_else(|_| NAME.into())
}

/// The parent: checks, namespaces, roles, cleanup.
fn run(machine: bool) -> io::Result<()> {
    if let Some(missing) = netns::missing_requirement() {
        tell(
            machine,
            format!(
                "partition: skipped: this example needs Linux, root and `ip netns` (iproute2); {missing}"
            ),
            format!("skip {missing}"),
        );
        return Ok(());
    }
    let net = Net::for_this_run();
    // The janitor starts before anything exists, so that whatever is made
    // next is deleted however this process ends.
    let mut cleanup = Cleanup::start(&net)?;
    if let Err(error) = net.add_first() {
        tell(
            machine,
            format!(
                "partition: skipped: this example needs `ip netns`, which failed here: {error}"
            ),
            format!("skip ip netns failed: {error}"),
        );
        return Ok(());
    }
    net.link()?;
    let server = server::start(&net.server, &mut cleanup)?;
    let host = HostSettings::read()?;
    introduce(machine, &net, server, host);
    let clients = clients::run_in(&net, server, host, machine)?;
    drop(cleanup);
    report_cleanup(machine, &net)?;
    clients::outcome(&clients)
}

/// The host's own settings, read in the host's network namespace.
#[derive(Clone, Copy)]
pub struct HostSettings {
    pub retries2: u8,
    pub rto: Rto,
}

impl HostSettings {
    fn read() -> io::Result<HostSettings> {
        Ok(HostSettings {
            retries2: kernel::read_retries2()?,
            rto: Rto::read()?,
        })
    }
}

fn introduce(machine: bool, net: &Net, server: SocketAddr, host: HostSettings) {
    let HostSettings { retries2, rto } = host;
    tell(
        machine,
        format!(
            "A real partition, on Linux as root: three network namespaces, client, router and server,\n\
             joined by two veth pairs, the router forwarding between them.\n  \
             the server's namespace {}: the lab peer (heartbeat script) on {server}\n  \
             the router's namespace {}: {ROUTER_CLIENT_IP} on the clients' side\n  \
             the clients' namespace {}: {CLIENT_IP}, four connections to the server\n\
             On this host: tcp_retries2 {retries2}, tcp_rto_min_us {}, tcp_rto_max_ms {}, so a connection with\n  \
             data in flight across a lost path fails after {:.1} s at the least (kernel.rs: the kernel's\n  \
             budget of {:.1} s, tcp_model_timeout, counted from its first timed-out retransmission).",
            net.server.ns,
            net.router.ns,
            net.client.ns,
            rto.min_us,
            rto.max_ms,
            rto.bound(retries2).as_secs_f64(),
            rto.budget_ms(retries2) as f64 / 1000.0,
        ),
        format!(
            "host_retries2 value={retries2} rto_min_us={} rto_max_ms={} budget_ms={} bound_ms={}",
            rto.min_us,
            rto.max_ms,
            rto.budget_ms(retries2),
            rto.bound_ms(retries2)
        ),
    );
}

/// Says whether the namespaces are gone, and that the host's `tcp_retries2`
/// is as it was.
fn report_cleanup(machine: bool, net: &Net) -> io::Result<()> {
    let left = net.leftover();
    let retries2_after = kernel::read_retries2()?;
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
    Ok(())
}
