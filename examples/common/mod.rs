//! Command-line handling shared by the examples.
//!
//! Every example follows the same rules: `--help` prints its usage and exits
//! 0; a bad flag or value prints one line to stderr and exits 2; a failure
//! while running prints one line and exits 1. Nothing here panics.

// Each example uses only the helpers it needs; the rest would be reported as
// unused in that example's build.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::fmt::Display;
use std::net::{SocketAddr, ToSocketAddrs};
use std::process;
use std::str::FromStr;

/// The command line of one example, consumed from left to right.
pub struct Args {
    name: &'static str,
    rest: VecDeque<String>,
}

impl Args {
    /// Reads the command line. Prints `usage` and exits 0 if `--help` or
    /// `-h` is anywhere in it.
    pub fn from_env(name: &'static str, usage: &str) -> Args {
        let mut rest = VecDeque::new();
        for arg in std::env::args_os().skip(1) {
            match arg.into_string() {
                Ok(arg) => rest.push_back(arg),
                Err(arg) => fail(name, format!("argument {arg:?} is not valid UTF-8")),
            }
        }
        if rest.iter().any(|arg| arg == "--help" || arg == "-h") {
            print!("{usage}");
            process::exit(0);
        }
        Args { name, rest }
    }

    /// Reads a command line whose only option is `--addr HOST:PORT`, as most
    /// examples have: the server to talk to instead of the lab peer.
    pub fn only_addr(name: &'static str, usage: &str) -> Option<SocketAddr> {
        let mut args = Args::from_env(name, usage);
        let mut addr = None;
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--addr" => addr = Some(args.addr("--addr")),
                _ => args.unknown(&arg),
            }
        }
        addr
    }

    /// The next argument, if any.
    pub fn next(&mut self) -> Option<String> {
        self.rest.pop_front()
    }

    /// The value after `flag`, parsed; exits 2 if it is missing or bad.
    pub fn value<T>(&mut self, flag: &str) -> T
    where
        T: FromStr,
        T::Err: Display,
    {
        let Some(text) = self.next() else {
            self.fail(format!("{flag} needs a value"));
        };
        match text.parse() {
            Ok(value) => value,
            Err(error) => self.fail(format!("bad value `{text}` for {flag}: {error}")),
        }
    }

    /// The `HOST:PORT` after `flag`, resolved to its first address.
    pub fn addr(&mut self, flag: &str) -> SocketAddr {
        let text: String = self.value(flag);
        match text.to_socket_addrs().map(|mut addrs| addrs.next()) {
            Ok(Some(addr)) => addr,
            Ok(None) => self.fail(format!("{flag} `{text}` resolves to no address")),
            Err(error) => self.fail(format!(
                "bad value `{text}` for {flag} (want HOST:PORT): {error}"
            )),
        }
    }

    /// Rejects an argument this example does not understand.
    pub fn unknown(&self, arg: &str) -> ! {
        self.fail(format!("unexpected argument `{arg}`"))
    }

    /// Prints one line about bad usage and exits 2.
    pub fn fail(&self, message: impl Display) -> ! {
        fail(self.name, message)
    }
}

/// Prints one line about bad usage and exits 2.
pub fn fail(name: &str, message: impl Display) -> ! {
    eprintln!("{name}: {message} (see --help)");
    process::exit(2)
}

/// Ends the example: exit 0 on success, or one line on stderr and exit 1.
pub fn finish<E: Display>(name: &str, result: Result<(), E>) {
    if let Err(error) = result {
        eprintln!("{name}: {error}");
        process::exit(1);
    }
}

/// Shows bytes as a short, printable string, e.g. `"hello\n"`.
pub fn show(bytes: &[u8]) -> String {
    const LIMIT: usize = 40;
    let shown: String = bytes
        .iter()
        .take(LIMIT)
        .flat_map(|&b| std::ascii::escape_default(b))
        .map(char::from)
        .collect();
    if bytes.len() > LIMIT {
        format!("\"{shown}\"... ({} bytes)", bytes.len())
    } else {
        format!("\"{shown}\"")
    }
}

/// The command line of a classroom exercise: with no argument it runs
/// `demo`, which shows the problem; with `--check` it runs `check` and prints
/// PASS (exit 0) or FAIL and what is still wrong (exit 1).
pub fn exercise(
    name: &'static str,
    usage: &str,
    demo: impl FnOnce() -> std::io::Result<()>,
    check: impl FnOnce() -> Result<(), String>,
) {
    let mut args = Args::from_env(name, usage);
    let checking = match args.next() {
        None => false,
        Some(flag) if flag == "--check" => true,
        Some(other) => args.unknown(&other),
    };
    if let Some(extra) = args.next() {
        args.unknown(&extra);
    }
    if !checking {
        finish(name, demo());
        return;
    }
    // The verdict is also the exit status, so a closed stdout loses
    // nothing that matters: ignore a failed write rather than panic.
    use std::io::Write;
    let mut out = std::io::stdout();
    match check() {
        Ok(()) => {
            let _ = writeln!(out, "PASS: {name}");
        }
        Err(what) => {
            let _ = writeln!(out, "FAIL: {name}: {what}");
            process::exit(1);
        }
    }
}

// The helpers below serve the classroom exercises' checks.

/// Runs `f` on a thread of its own and waits at most `limit` for it: the
/// safety net of an exercise's check, so that a student's function that
/// never returns fails the check instead of hanging it. Returns what `f`
/// returned and how long it took, or `None` if it had not returned in time
/// (the thread is then left to end on its own).
pub fn within<T: Send + 'static>(
    limit: std::time::Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<(T, std::time::Duration)> {
    let (done, result) = std::sync::mpsc::channel();
    let started = std::time::Instant::now();
    std::thread::spawn(move || {
        let value = f();
        let _ = done.send((value, started.elapsed()));
    });
    result.recv_timeout(limit).ok()
}

/// Serves one connection with `serve` on a thread of its own, and returns
/// the loopback address to connect to. If nobody connects within two
/// seconds, the thread gives up.
pub fn serve_once(
    serve: impl FnOnce(std::net::TcpStream) + Send + 'static,
) -> std::io::Result<SocketAddr> {
    use std::time::{Duration, Instant};
    const ACCEPT_WITHIN: Duration = Duration::from_secs(2);
    const POLL: Duration = Duration::from_millis(2);
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    // Non-blocking, so that the wait for the client has a bound.
    listener.set_nonblocking(true)?;
    std::thread::spawn(move || {
        let deadline = Instant::now() + ACCEPT_WITHIN;
        while Instant::now() < deadline {
            match listener.accept() {
                Ok((stream, _)) => {
                    // An accepted socket may inherit non-blocking mode (on
                    // macOS and the BSDs): make it blocking, as `serve` expects.
                    if stream.set_nonblocking(false).is_ok() {
                        serve(stream);
                    }
                    return;
                }
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(POLL);
                }
                Err(_) => return,
            }
        }
    });
    Ok(addr)
}
