//! The namespace harness: two "hosts" on one machine, a link between them
//! that can be cut and healed, and a cleanup that holds however the process
//! ends.
//!
//! A host is a network namespace with its end of a veth pair; both are made
//! with the `ip` command (iproute2), which needs Linux and root. Everything
//! here is std, `ip` and `ss`, so another tool can reuse it as it is, in
//! this order:
//!
//! 1. [`missing_requirement`], to say why it cannot run rather than fail;
//! 2. [`Pair::for_this_run`] for the names, then [`Cleanup::start`] before
//!    anything is made;
//! 3. [`Pair::add_first`], whose failure means `ip netns` does not work
//!    here, then [`Pair::link`];
//! 4. [`Host::command`] to run a program on a host, [`Cleanup::adopt`] for
//!    one that must end before its namespace goes, [`Host::cut`],
//!    [`Host::heal`] and [`Host::forget_connections_to`] for the partition;
//! 5. dropping the [`Cleanup`], then [`Pair::leftover`] to check.
//!
//! The tool must also hand [`JANITOR_ROLE`] on its command line to
//! [`janitor`]: the cleanup runs the tool's own binary in that role.

use std::ffi::OsStr;
use std::io;
use std::net::Ipv4Addr;
#[cfg(unix)]
use std::os::unix::process::CommandExt;
use std::process::{self, Child, Command, Stdio};

/// The command-line flag of the janitor's role.
pub const JANITOR_ROLE: &str = "--role-janitor";

/// Every namespace this harness makes is named with this prefix and the
/// process id, so that two runs at once never collide; the janitor refuses
/// to delete any other name.
pub const PREFIX: &str = "rbp-partition-";

/// The two ends of the link: a /30 from the private range 10.0.0.0/8 that
/// exists only inside the two namespaces, never on the host.
pub const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(10, 199, 0, 1);
pub const SERVER_IP: Ipv4Addr = Ipv4Addr::new(10, 199, 0, 2);
const PREFIX_LEN: u8 = 30;

/// What this machine lacks for the harness, if anything.
pub fn missing_requirement() -> Option<String> {
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

/// One of the two hosts: a network namespace and its end of the veth pair.
pub struct Host {
    pub ns: String,
    pub veth: String,
}

impl Host {
    /// `program`, run in this host's namespace through `ip netns exec`.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.ns]).arg(program);
        command
    }

    /// Sets this host's end of the link down: from now on nothing crosses
    /// the link, not even ACKs.
    pub fn cut(&self) -> io::Result<()> {
        self.set_link("down")
    }

    /// Sets this host's end of the link up again.
    pub fn heal(&self) -> io::Result<()> {
        self.set_link("up")
    }

    fn set_link(&self, state: &str) -> io::Result<()> {
        ip_line(&format!("-n {} link set {} {state}", self.ns, self.veth))
    }

    /// `ss -K` in this host's namespace, for every TCP socket to `peer`:
    /// the host forgets those connections at once.
    pub fn forget_connections_to(&self, peer: Ipv4Addr) -> io::Result<()> {
        let status = Command::new("ip")
            .args(["netns", "exec", &self.ns, "ss", "-K", "-t", "dst"])
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

/// The names of one run's two hosts.
pub struct Pair {
    pub client: Host,
    pub server: Host,
}

impl Pair {
    pub fn for_this_run() -> Pair {
        let pid = process::id();
        Pair {
            client: Host {
                ns: format!("{PREFIX}{pid}-client"),
                // Interface names are at most 15 bytes: "rbp" + 7 digits + 1.
                veth: format!("rbp{pid}c"),
            },
            server: Host {
                ns: format!("{PREFIX}{pid}-server"),
                veth: format!("rbp{pid}s"),
            },
        }
    }

    /// The clients' namespace: the first `ip netns` command of a run, so its
    /// failure says that `ip netns` does not work on this machine.
    pub fn add_first(&self) -> io::Result<()> {
        ip(&["netns", "add", &self.client.ns])
    }

    /// The second namespace, and the veth pair made directly inside the two,
    /// so that no interface ever appears on the host.
    pub fn link(&self) -> io::Result<()> {
        let (client, server) = (&self.client.ns, &self.server.ns);
        let (client_end, server_end) = (&self.client.veth, &self.server.veth);
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

    /// How many of this run's namespaces `ip netns list` still shows.
    pub fn leftover(&self) -> usize {
        let listed = Command::new("ip").args(["netns", "list"]).output();
        let listed = listed.map(|output| String::from_utf8_lossy(&output.stdout).into_owned());
        let listed = listed.unwrap_or_default();
        [&self.client.ns, &self.server.ns]
            .into_iter()
            .filter(|name| {
                listed
                    .lines()
                    .any(|line| line.split_whitespace().next() == Some(name))
            })
            .count()
    }
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
pub struct Cleanup {
    janitor: Child,
    children: Vec<Child>,
}

impl Cleanup {
    /// Starts the janitor: this binary again, in [`JANITOR_ROLE`].
    pub fn start(pair: &Pair) -> io::Result<Cleanup> {
        let exe = std::env::current_exe()?;
        let mut command = Command::new(exe);
        command
            .args([JANITOR_ROLE, &pair.client.ns, &pair.server.ns])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(unix)]
        command.process_group(0);
        Ok(Cleanup {
            janitor: command.spawn()?,
            children: Vec::new(),
        })
    }

    /// A child that runs in one of the namespaces: it is ended before they
    /// are deleted.
    pub fn adopt(&mut self, child: Child) {
        self.children.push(child);
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        // The children go first, then the namespaces they were in. All are
        // our own children, ended by their process ids.
        for mut child in self.children.drain(..) {
            let _ = child.kill();
            let _ = child.wait();
        }
        // Closing the pipe is the janitor's signal; waiting for it makes the
        // deletion finished when this returns.
        drop(self.janitor.stdin.take());
        let _ = self.janitor.wait();
    }
}

/// The janitor role: waits for its standard input to end, then deletes the
/// namespaces named on its command line (only this harness's).
pub fn janitor(names: impl IntoIterator<Item = String>) {
    let _ = io::copy(&mut io::stdin(), &mut io::sink());
    for name in names {
        if name.starts_with(PREFIX) {
            // A namespace that was never made is not an error.
            let _ = ip(&["netns", "del", &name]);
        }
    }
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
