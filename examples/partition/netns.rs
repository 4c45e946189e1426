//! The namespace harness: three "hosts" on one machine, a client and a
//! server with a router between them, a path that can be cut in the middle
//! and healed, and a cleanup that holds however the process ends.
//!
//! ```text
//!  client ns               router ns                          server ns
//!  CLIENT_IP ---- veth ---- ROUTER_CLIENT_IP  ROUTER_SERVER_IP ---- veth ---- SERVER_IP
//!                           (ip_forward: 1, or 0 during the cut)
//! ```
//!
//! A host is a network namespace with its end of a veth pair; the router is
//! a namespace with two ends, one per pair, and IPv4 forwarding on. All are
//! made with the `ip` command (iproute2), which needs Linux and root; the
//! router's forwarding is set with `sysctl` run inside it. Everything here is
//! std, `ip`, `ss`, `sysctl` and `cat`, so another tool can reuse it as it
//! is, in this order:
//!
//! 1. [`missing_requirement`], to say why it cannot run rather than fail;
//! 2. [`Net::for_this_run`] for the names, then [`Cleanup::start`](crate::cleanup::Cleanup::start) before
//!    anything is made;
//! 3. [`Net::add_first`], whose failure means `ip netns` does not work
//!    here, then [`Net::link`];
//! 4. [`Host::command`] to run a program on a host, with its standard
//!    input piped, and [`Cleanup::adopt`](crate::cleanup::Cleanup::adopt)
//!    for it (a program that must run on after its parent has gone is not
//!    for this harness); [`Router::cut`], [`Router::heal`] and
//!    [`Router::dropped`] for the partition, and
//!    [`Host::forget_connections_to`] for a host that gave up;
//! 5. dropping the [`Cleanup`](crate::cleanup::Cleanup), then [`Net::leftover`] to check.
//!
//! The tool must also hand [`JANITOR_ROLE`] and the argument after it to
//! [`janitor`](crate::janitor::janitor), since the cleanup runs the tool's
//! own binary in that role; and a role of its own that runs in a namespace
//! must start with [`end_with_parent`](crate::cleanup::end_with_parent),
//! and name the run ([`Net::tag`] or a name made from it) on its command
//! line, so that the janitor finds it wherever it is.
//!
//! The cut is the router's: it stops forwarding (`ip_forward` 0). Both
//! hosts' links stay up, so the client's packets really leave it; the
//! router drops them without a word (a host that does not forward sends no
//! ICMP error) and counts each in `Ip: InAddrErrors` of its `/proc/net/snmp`.
//! Two other cuts were tried and rejected: the router's own end of its link
//! to the server set down, which removes its route there, so it answers
//! with ICMP "net unreachable" and the client's read fails with
//! ENETUNREACH instead of ETIMEDOUT; and a host's own end set down, which
//! takes the carrier off its link, so that host's packets never leave it.

use std::ffi::OsStr;
use std::io;
use std::net::Ipv4Addr;
use std::process::{self, Command, Stdio};

/// The command-line flag of the janitor's role.
pub const JANITOR_ROLE: &str = "--role-janitor";

/// Every namespace this harness makes is named with this prefix and the
/// parent's process id, so that two runs at once never collide; the
/// janitor refuses any other name.
pub const PREFIX: &str = "rbp-partition-";

/// The two links, each a /30 from the private range 10.0.0.0/8 that exists
/// only inside the namespaces, never on the host.
pub const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(10, 199, 0, 1);
pub const ROUTER_CLIENT_IP: Ipv4Addr = Ipv4Addr::new(10, 199, 0, 2);
pub const ROUTER_SERVER_IP: Ipv4Addr = Ipv4Addr::new(10, 199, 0, 5);
pub const SERVER_IP: Ipv4Addr = Ipv4Addr::new(10, 199, 0, 6);
const CLIENT_NET: Ipv4Addr = Ipv4Addr::new(10, 199, 0, 0);
const SERVER_NET: Ipv4Addr = Ipv4Addr::new(10, 199, 0, 4);
const PREFIX_LEN: u8 = 30;

/// The router's IPv4 forwarding switch, as `sysctl` names it.
const FORWARDING: &str = "net.ipv4.ip_forward";

/// The counter of the packets the router drops while it does not forward:
/// `Ip: InAddrErrors` in its `/proc/net/snmp` (the kernel's `ip_error`,
/// net/ipv4/route.c, counts there a packet it may not forward).
pub const DROP_COUNTER: &str = "Ip: InAddrErrors";

/// What this machine lacks for the harness, if anything.
pub fn missing_requirement() -> Option<String> {
    if !cfg!(target_os = "linux") {
        return Some("this is not Linux".to_string());
    }
    if effective_uid() != Some(0) {
        return Some("this process is not root".to_string());
    }
    for (program, args) in [("ip", &["-V"][..]), ("sysctl", &["-n", FORWARDING][..])] {
        match Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
        {
            Ok(status) if status.success() => {}
            Ok(status) => return Some(format!("`{program} {}` failed ({status})", args.join(" "))),
            Err(error) => return Some(format!("the `{program}` command cannot run: {error}")),
        }
    }
    None
}

/// The effective user id, from `/proc/self/status` (Linux): std has no call
/// for it.
fn effective_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("Uid:"))?;
    // "Uid:" is followed by the real, effective, saved and file-system ids.
    line.split_whitespace().nth(2)?.parse().ok()
}

/// Where `ip netns add` keeps a named namespace: a file on which the
/// namespace is mounted (iproute2's `NETNS_RUN_DIR`; `/var/run` is
/// `/run` on current Linux distributions).
pub const NETNS_DIR: &str = "/var/run/netns";

/// `program`, run in the namespace `ns` through `ip netns exec`.
pub(crate) fn command_in(ns: &str, program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new("ip");
    command.args(["netns", "exec", ns]).arg(program);
    command
}

/// One of the two hosts: a network namespace and its end of a veth pair.
pub struct Host {
    pub ns: String,
    pub veth: String,
}

impl Host {
    /// `program`, run in this host's namespace through `ip netns exec`.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        command_in(&self.ns, program)
    }

    /// `ss -K` in this host's namespace, for every TCP socket to `peer`:
    /// the host forgets those connections at once.
    pub fn forget_connections_to(&self, peer: Ipv4Addr) -> io::Result<()> {
        let status = self
            .command("ss")
            .args(["-K", "-t", "dst"])
            .arg(peer.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status()?;
        if status.success() {
            Ok(())
        } else {
            Err(io::Error::other(format!("ss -K failed ({status})")))
        }
    }
}

/// The router: a network namespace with one end of each veth pair.
pub struct Router {
    pub ns: String,
    /// Its end of the link to the client.
    pub to_client: String,
    /// Its end of the link to the server.
    pub to_server: String,
}

impl Router {
    /// Cuts the path in the middle: the router stops forwarding, and drops
    /// what it receives for the other side without an ICMP error, counting
    /// each packet in [`DROP_COUNTER`]. Both links stay up.
    pub fn cut(&self) -> io::Result<()> {
        self.forward(false)
    }

    /// Heals the path: the router forwards again.
    pub fn heal(&self) -> io::Result<()> {
        self.forward(true)
    }

    /// The command that turns the router's forwarding on or off, for a
    /// caller that runs it with its own bound (the janitor).
    pub fn forwarding(&self, on: bool) -> Command {
        let mut command = command_in(&self.ns, "sysctl");
        command.args(["-q", "-w", &forwarding_setting(on)]);
        command
    }

    fn forward(&self, on: bool) -> io::Result<()> {
        let setting = forwarding_setting(on);
        let output = self.forwarding(on).stdin(Stdio::null()).output()?;
        if output.status.success() {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "sysctl -w {setting} in {}: {}",
                self.ns,
                first_line(&output.stderr)
            )))
        }
    }

    /// [`DROP_COUNTER`], read from `/proc/net/snmp` inside the router's
    /// namespace (that file shows the counters of the reader's namespace).
    pub fn dropped(&self) -> io::Result<u64> {
        let output = command_in(&self.ns, "cat")
            .arg("/proc/net/snmp")
            .stdin(Stdio::null())
            .output()?;
        if !output.status.success() {
            return Err(io::Error::other(format!(
                "cat /proc/net/snmp in {}: {}",
                self.ns,
                first_line(&output.stderr)
            )));
        }
        let snmp = String::from_utf8_lossy(&output.stdout);
        snmp_counter(&snmp, "Ip", "InAddrErrors").ok_or_else(|| {
            io::Error::other(format!("no {DROP_COUNTER} in the router's /proc/net/snmp"))
        })
    }
}

/// `net.ipv4.ip_forward=1` or `=0`, as `sysctl -w` takes it.
fn forwarding_setting(on: bool) -> String {
    format!("{FORWARDING}={}", u8::from(on))
}

/// A counter of `/proc/net/snmp`, whose lines go in pairs: `Group: Name ...`
/// then `Group: value ...`.
pub fn snmp_counter(snmp: &str, group: &str, name: &str) -> Option<u64> {
    let prefix = format!("{group}:");
    let mut lines = snmp.lines().filter(|line| line.starts_with(&prefix));
    let names = lines.next()?;
    let values = lines.next()?;
    let at = names.split_whitespace().position(|word| word == name)?;
    values.split_whitespace().nth(at)?.parse().ok()
}

/// The names of one run's three namespaces and four veth ends, all made
/// from the run's tag.
pub struct Net {
    /// `rbp-partition-PID`, PID the parent's process id: every name of the
    /// run starts with it, and every command line of the run names it.
    pub tag: String,
    pub client: Host,
    pub router: Router,
    pub server: Host,
}

impl Net {
    /// The names of this process's run.
    pub fn for_this_run() -> Net {
        Net::for_run(process::id())
    }

    /// The names of the run tagged `tag`, as [`Net::tag`] writes it; `None`
    /// for any other text, so that the janitor touches nothing else.
    pub fn from_tag(tag: &str) -> Option<Net> {
        let run = tag.strip_prefix(PREFIX)?;
        // Digits only: `u32::from_str` would also take a leading `+`.
        if run.is_empty() || !run.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        Some(Net::for_run(run.parse().ok()?))
    }

    fn for_run(pid: u32) -> Net {
        // Interface names are at most 15 bytes: "rbp" + 7 digits + 2.
        Net {
            tag: format!("{PREFIX}{pid}"),
            client: Host {
                ns: format!("{PREFIX}{pid}-client"),
                veth: format!("rbp{pid}c"),
            },
            router: Router {
                ns: format!("{PREFIX}{pid}-router"),
                to_client: format!("rbp{pid}rc"),
                to_server: format!("rbp{pid}rs"),
            },
            server: Host {
                ns: format!("{PREFIX}{pid}-server"),
                veth: format!("rbp{pid}s"),
            },
        }
    }

    /// Whether `word`, one word of a command line, names this run: the tag
    /// itself, or a name made from it.
    pub fn owns_name(&self, word: &str) -> bool {
        word.strip_prefix(self.tag.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
    }

    /// The names of the three namespaces.
    pub fn namespaces(&self) -> [&str; 3] {
        [&self.client.ns, &self.router.ns, &self.server.ns]
    }

    /// The four veth ends, each with the namespace it is in.
    pub fn veths(&self) -> [(&str, &str); 4] {
        [
            (&self.client.ns, &self.client.veth),
            (&self.router.ns, &self.router.to_client),
            (&self.router.ns, &self.router.to_server),
            (&self.server.ns, &self.server.veth),
        ]
    }

    /// The clients' namespace: the first `ip netns` command of a run, so its
    /// failure says that `ip netns` does not work on this machine.
    pub fn add_first(&self) -> io::Result<()> {
        ip(&["netns", "add", &self.client.ns])
    }

    /// The router's and the server's namespaces, the two veth pairs made
    /// directly inside them, so that no interface ever appears on the host,
    /// the addresses, the links and loopback up, the routes through the
    /// router, and its forwarding.
    pub fn link(&self) -> io::Result<()> {
        let (client, router, server) = (&self.client.ns, &self.router.ns, &self.server.ns);
        let (client_end, server_end) = (&self.client.veth, &self.server.veth);
        let (router_client, router_server) = (&self.router.to_client, &self.router.to_server);
        for line in [
            format!("netns add {router}"),
            format!("netns add {server}"),
            format!(
                "-n {client} link add {client_end} type veth peer name {router_client} netns {router}"
            ),
            format!(
                "-n {router} link add {router_server} type veth peer name {server_end} netns {server}"
            ),
            format!("-n {client} addr add {CLIENT_IP}/{PREFIX_LEN} dev {client_end}"),
            format!("-n {router} addr add {ROUTER_CLIENT_IP}/{PREFIX_LEN} dev {router_client}"),
            format!("-n {router} addr add {ROUTER_SERVER_IP}/{PREFIX_LEN} dev {router_server}"),
            format!("-n {server} addr add {SERVER_IP}/{PREFIX_LEN} dev {server_end}"),
            // Loopback too, as on any host: the lab peer, when it stops,
            // wakes its own accept() by connecting to its own address.
            format!("-n {client} link set lo up"),
            format!("-n {router} link set lo up"),
            format!("-n {server} link set lo up"),
            format!("-n {client} link set {client_end} up"),
            format!("-n {router} link set {router_client} up"),
            format!("-n {router} link set {router_server} up"),
            format!("-n {server} link set {server_end} up"),
            format!("-n {client} route add {SERVER_NET}/{PREFIX_LEN} via {ROUTER_CLIENT_IP}"),
            format!("-n {server} route add {CLIENT_NET}/{PREFIX_LEN} via {ROUTER_SERVER_IP}"),
        ] {
            ip_line(&line)?;
        }
        self.router.heal()
    }

    /// How many of this run's namespaces `ip netns list` still shows.
    pub fn leftover(&self) -> usize {
        let listed = Command::new("ip").args(["netns", "list"]).output();
        let listed = listed.map(|output| String::from_utf8_lossy(&output.stdout).into_owned());
        let listed = listed.unwrap_or_default();
        self.namespaces()
            .into_iter()
            .filter(|name| {
                listed
                    .lines()
                    .any(|line| line.split_whitespace().next() == Some(name))
            })
            .count()
    }
}

/// The first line of what a command said, for an error message.
fn first_line(said: &[u8]) -> String {
    let said = String::from_utf8_lossy(said);
    said.lines().next().unwrap_or("no message").to_string()
}

/// Runs `ip` with these arguments; the error carries what `ip` said.
pub(crate) fn ip(args: &[&str]) -> io::Result<()> {
    let output = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()?;
    if output.status.success() {
        return Ok(());
    }
    Err(io::Error::other(format!(
        "ip {}: {}",
        args.join(" "),
        first_line(&output.stderr)
    )))
}

/// Runs one `ip` command written as it would be typed in a shell; every
/// word in these commands is a name or an address, without spaces.
fn ip_line(line: &str) -> io::Result<()> {
    let words: Vec<&str> = line.split_whitespace().collect();
    ip(&words)
}
