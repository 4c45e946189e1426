//! The cleanup that holds however the partition's process ends: a janitor
//! process, this binary again, that deletes the namespaces once the parent
//! is gone, and the parent's own orderly cleanup.

use std::io;
#[cfg(unix)]
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

use crate::netns::{JANITOR_ROLE, Net, PREFIX, ip};

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
    /// Starts the janitor: this binary again, in [`JANITOR_ROLE`], with the
    /// names of all three namespaces.
    pub fn start(net: &Net) -> io::Result<Cleanup> {
        let exe = std::env::current_exe()?;
        let mut command = Command::new(exe);
        command
            .arg(JANITOR_ROLE)
            .args(net.namespaces())
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
