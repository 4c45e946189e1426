//! What holds however the partition's parent process ends, on Linux: a
//! normal end, an error, a panic, Ctrl-C (SIGINT), SIGTERM or `kill -9`
//! (SIGKILL, which no process can catch).
//!
//! Std has no signal handling, so nothing here runs *in* the dying parent.
//! Everything rests on one fact of the Linux kernel: when a process dies,
//! however it dies, the kernel closes its descriptors, and a pipe whose
//! last write end is closed reads as its end (0 bytes) on the other side.
//! So every process the parent starts gets a pipe from it as its standard
//! input, whose write end only the parent holds, and watches it:
//!
//! - each role in a namespace (the server, the clients) ends at once with
//!   `std::process::exit` when the pipe ends ([`end_with_parent`]), not
//!   through destructors that may wait (a lab peer's drop joins threads);
//! - the janitor, started first and in a process group of its own so that
//!   Ctrl-C in the terminal does not reach it, then cleans up: it kills
//!   every process of the run still alive, named namespaces or not, heals
//!   the router, deletes the veths and the namespaces, and ends, within a
//!   bound (`janitor.rs`).
//!
//! Only the parent holds the write ends: std makes every pipe of a
//! `Command` with `O_CLOEXEC`, so no program the parent starts keeps a
//! copy past its `exec`, and the parent starts its children one at a time.
//! The guarantee stops at the janitor: if it is killed too, or the machine
//! stops, the namespaces stay until `ip netns del NAME` (every name starts
//! with `rbp-partition-`).

use std::io;
#[cfg(unix)]
use std::os::unix::process::CommandExt;
use std::process::{self, Child, Command, Stdio};
use std::thread::{self, JoinHandle};

use crate::common;
use crate::netns::{JANITOR_ROLE, Net};
use crate::{NAME, this_binary};

/// Ends the run in order when dropped, and starts the janitor, which ends
/// it when this process dies without dropping anything.
pub struct Cleanup {
    janitor: Child,
    children: Vec<Child>,
}

impl Cleanup {
    /// Starts the janitor: this binary again, in [`JANITOR_ROLE`], with the
    /// run's tag, from which it makes every name of the run.
    pub fn start(net: &Net) -> io::Result<Cleanup> {
        let mut command = Command::new(this_binary());
        command
            .args([JANITOR_ROLE, &net.tag])
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

    /// A child that runs in one of the namespaces, started with its standard
    /// input piped: this keeps the pipe's write end, which is the child's
    /// signal that this process is alive, and ends the child before the
    /// namespaces are deleted.
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
        // Closing the pipe is the janitor's signal. It ends within its own
        // bound (janitor.rs), so waiting for it makes the cleanup finished
        // when this returns, without waiting forever.
        drop(self.janitor.stdin.take());
        let _ = self.janitor.wait();
    }
}

/// Watches this role's standard input, a pipe from the parent, in a thread,
/// and ends the process at once when the pipe ends: the parent has closed
/// it or died, however it died. The thread never returns otherwise, so a
/// role with nothing else to do can wait by joining it.
///
/// # Errors
///
/// Whatever starting a thread fails with (`WouldBlock` if the system is out
/// of threads); then the role must not start.
pub fn end_with_parent(role: &'static str) -> io::Result<JoinHandle<()>> {
    thread::Builder::new()
        .name("parent-watch".to_string())
        .spawn(move || {
            // A read of 0 bytes is the end of the pipe; an error means there
            // is no parent to read from either. Both end the role.
            let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
            common::complain(format_args!(
                "{NAME} {role}: the parent process is gone (its pipe ended); exiting now"
            ));
            // `exit`, not a return from main: a destructor, such as a lab
            // peer's drop joining its threads, could wait, and the
            // namespace would outlive the run.
            process::exit(1)
        })
}
