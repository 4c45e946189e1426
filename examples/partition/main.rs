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
//!
//! The parts, beside this file: `netns.rs`, the namespace harness (make,
//! link, cut, heal, clean up), which another tool can reuse; `server.rs` and
//! `clients.rs`, the roles, each with the parent's side that starts it;
//! `watchers.rs`, the three connections through the cut; `narrator.rs` and
//! `output.rs`, what is printed, for people or with `--machine`; and
//! `kernel.rs`, `tcp_retries2` and how long the kernel retransmits.

#[path = "../common/mod.rs"]
mod common;

mod clients;
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

use clients::ClientPlan;
use netns::{CLIENT_IP, Cleanup, Pair};
use output::tell;

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
        Some(netns::JANITOR_ROLE) => netns::janitor(std::iter::from_fn(|| args.next())),
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
    let pair = Pair::for_this_run();
    // The janitor starts before anything exists, so that whatever is made
    // next is deleted however this process ends.
    let mut cleanup = Cleanup::start(&pair)?;
    if let Err(error) = pair.add_first() {
        tell(
            machine,
            format!(
                "partition: skipped: this example needs `ip netns`, which failed here: {error}"
            ),
            format!("skip ip netns failed: {error}"),
        );
        return Ok(());
    }
    pair.link()?;
    let server = server::start(&pair.server, &mut cleanup)?;
    let host_retries2 = kernel::read_retries2()?;
    introduce(machine, &pair, server, host_retries2);
    let clients = clients::run_in(&pair, server, host_retries2, machine)?;
    drop(cleanup);
    report_cleanup(machine, &pair)?;
    clients::outcome(&clients)
}

fn introduce(machine: bool, pair: &Pair, server: SocketAddr, host_retries2: u8) {
    let host_timeout = kernel::hypothetical_timeout(host_retries2);
    tell(
        machine,
        format!(
            "A real partition, on Linux as root: two network namespaces joined by a veth pair.\n  \
             the server's namespace {}: the lab peer (heartbeat script) on {server}\n  \
             the clients' namespace {}: {CLIENT_IP}, four connections to the server\n\
             tcp_retries2 on this host: {host_retries2}, so a connection with data in flight across a lost path\n  \
             fails after {:.1} s at the least (the kernel's Documentation/networking/ip-sysctl.rst).",
            pair.server.ns,
            pair.client.ns,
            host_timeout.as_secs_f64()
        ),
        format!(
            "host_retries2 value={host_retries2} hypothetical_ms={}",
            host_timeout.as_millis()
        ),
    );
}

/// Says whether the namespaces are gone, and that the host's `tcp_retries2`
/// is as it was.
fn report_cleanup(machine: bool, pair: &Pair) -> io::Result<()> {
    let left = pair.leftover();
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
