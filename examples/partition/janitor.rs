//! The janitor's role (Linux): once the parent is gone, nothing of its run
//! is left, named or not.
//!
//! It waits for its standard input, a pipe from the parent, to end, which
//! happens when the parent closes it or dies, however it dies
//! (`cleanup.rs`). Then it sweeps, pass after pass, until a pass finds
//! nothing or its bound runs out. Each pass:
//!
//! 1. notes the identity (nsfs device and inode) of each of the run's
//!    namespaces that still has a name, so that it knows them after their
//!    names are gone;
//! 2. kills (SIGKILL) every process of the run: any process in one of
//!    those namespaces, and any `ip` or role of this binary whose command
//!    line names the run, wherever it is, such as an `ip netns add` the
//!    parent had started when it died, which would otherwise make a
//!    namespace after this pass;
//! 3. heals the router, so that whatever could not be killed is not left
//!    behind a cut (after the kills, so that nothing cuts it again);
//! 4. deletes the veths, then the names.
//!
//! A namespace with neither a name nor a process in it is freed by the
//! kernel, its veths with it. Processes are found by reading `/proc`, and
//! killed with the `kill` command: std can signal only its own children.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::Path;
use std::process::{self, Command, Stdio};
use std::thread;
use std::time::Duration;

use reset_by_peer::timeout::Deadline;

use crate::common;
use crate::netns::{JANITOR_ROLE, NETNS_DIR, Net};

/// How long the janitor sweeps at most, once the parent is gone.
const SWEEP_BOUND: Duration = Duration::from_secs(5);
/// How many passes at most; a pass that finds nothing ends the sweep.
const PASSES: u32 = 40;
/// The pause between passes: time for killed processes to exit.
const PASS_PAUSE: Duration = Duration::from_millis(20);
/// How long one command (`ip`, `kill`) may take before it is killed.
const COMMAND_BOUND: Duration = Duration::from_secs(1);
/// How often a running command is asked whether it has ended.
const COMMAND_POLL: Duration = Duration::from_millis(2);

/// The role: waits for the parent to be gone, then sweeps the run tagged
/// `tag` (made by [`Net::tag`]; it refuses anything else) and exits 0.
pub fn janitor(tag: Option<String>) -> ! {
    let Some(net) = tag.as_deref().and_then(Net::from_tag) else {
        common::fail(
            crate::NAME,
            format!("{JANITOR_ROLE} needs a run's tag, rbp-partition-PID"),
        );
    };
    // The one wait without a bound: the parent's whole run.
    let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
    let deadline = Deadline::after(SWEEP_BOUND);
    let mut known = HashSet::new();
    for pass in 1..=PASSES {
        if sweep(&net, &mut known) == 0 || deadline.passed() {
            break;
        }
        if pass < PASSES {
            thread::sleep(PASS_PAUSE);
        }
    }
    process::exit(0)
}

/// One pass; returns how many processes it killed and names it deleted.
fn sweep(net: &Net, known: &mut HashSet<(u64, u64)>) -> usize {
    let named: Vec<&str> = net
        .namespaces()
        .into_iter()
        .filter(|ns| Path::new(NETNS_DIR).join(ns).exists())
        .collect();
    known.extend(
        named
            .iter()
            .filter_map(|ns| ns_identity(&Path::new(NETNS_DIR).join(ns))),
    );
    let doomed = processes_of(net, known);
    if !doomed.is_empty() {
        let mut kill = Command::new("kill");
        kill.arg("-KILL").args(doomed.iter().map(u32::to_string));
        run_bounded(kill);
    }
    if named.contains(&net.router.ns.as_str()) {
        run_bounded(net.router.forwarding(true));
    }
    for (ns, veth) in net.veths() {
        if named.contains(&ns) {
            // Deleting one end deletes its peer too: a failure here is
            // usually that, and not an error.
            run_bounded(ip(&["-n", ns, "link", "del", veth]));
        }
    }
    for ns in &named {
        run_bounded(ip(&["netns", "del", ns]));
    }
    doomed.len() + named.len()
}

fn ip(args: &[&str]) -> Command {
    let mut command = Command::new("ip");
    command.args(args);
    command
}

/// The processes of the run alive now, this one aside: those in a network
/// namespace in `known`, and the `ip` commands and roles of this binary
/// whose command lines name the run.
fn processes_of(net: &Net, known: &HashSet<(u64, u64)>) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    let this = process::id();
    let ours = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.file_name().map(|name| name.to_os_string()));
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        if pid == this {
            continue;
        }
        let dir = entry.path();
        let in_known = ns_identity(&dir.join("ns/net")).is_some_and(|ns| known.contains(&ns));
        if in_known || names_the_run(&dir, net, ours.as_deref()) {
            found.push(pid);
        }
    }
    found
}

/// Whether the process in `dir` (`/proc/PID`) is `ip` or this binary, with
/// a word of its command line naming the run. A process that has exited
/// (a zombie) has an empty command line, and is not counted.
fn names_the_run(dir: &Path, net: &Net, ours: Option<&OsStr>) -> bool {
    let Ok(cmdline) = fs::read(dir.join("cmdline")) else {
        return false;
    };
    let mut words = cmdline
        .split(|&byte| byte == 0)
        .map(String::from_utf8_lossy);
    let Some(program) = words.next() else {
        return false;
    };
    let program = Path::new(program.as_ref()).file_name();
    let known_program = program == Some("ip".as_ref()) || (program.is_some() && program == ours);
    known_program && words.any(|word| net.owns_name(&word))
}

/// The identity of a namespace file, `/proc/PID/ns/net` or a named
/// namespace's file: on Linux, its device (nsfs) and inode, the same for
/// the same namespace (the inode is the `net:[INODE]` that `readlink`
/// shows). The device tells a namespace from a plain file that a killed
/// `ip netns add` may have left without its mount.
#[cfg(unix)]
fn ns_identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).ok().map(|meta| (meta.dev(), meta.ino()))
}

/// Elsewhere there are no network namespaces to identify.
#[cfg(not(unix))]
fn ns_identity(_path: &Path) -> Option<(u64, u64)> {
    None
}

/// Runs `command` with nothing on its standard streams, and kills it if it
/// has not ended within [`COMMAND_BOUND`]: std cannot wait for a child
/// with a timeout, so it asks whether the child has ended every
/// [`COMMAND_POLL`], a bounded number of times. Returns whether it
/// succeeded.
fn run_bounded(mut command: Command) -> bool {
    let spawned = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = spawned else {
        return false;
    };
    let checks = COMMAND_BOUND.as_millis() / COMMAND_POLL.as_millis();
    for _ in 0..checks {
        match child.try_wait() {
            Ok(Some(status)) => return status.success(),
            Ok(None) => thread::sleep(COMMAND_POLL),
            Err(_) => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    false
}
