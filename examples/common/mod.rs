//! Command-line handling and output shared by the examples.
//!
//! Every example follows the same rules: `--help` prints its usage and exits
//! 0; a bad flag or value prints one line to stderr and exits 2; a failure
//! while running prints one line and exits 1. Nothing here panics.
//!
//! Output goes through [`say!`] rather than `println!`, which panics when
//! stdout is a pipe whose reader has gone (`cargo run --example errno | head
//! -n 1`). `say!` stops the example quietly with status 0 instead, as
//! `yes | head` does.

// Each example uses only the helpers it needs; the rest would be reported as
// unused in that example's build.
#![allow(dead_code, unused_macros, unused_imports)]

use std::collections::VecDeque;
use std::fmt::{self, Display};
use std::io::{self, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::ops::RangeInclusive;
use std::process;
use std::str::FromStr;

/// What every example's `--help` ends with.
const EXIT_STATUSES: &str = "\
Exit status: 0 on success, 1 on a failure while running (including an
address that does not resolve), 2 on bad usage.
";

/// Prints one line on stdout, as `println!` does, but a closed pipe ends
/// the example quietly with status 0, the way `yes | head` ends; any other
/// failure to write is a run-time failure, status 1.
///
/// It spells out every path, because the exercises' test includes an example
/// as a module, where `common` is not at the crate's root.
macro_rules! say {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        // Stdout is line-buffered, so the newline sends the line on its way
        // now and any error shows up here rather than at exit.
        match ::std::writeln!(::std::io::stdout().lock(), $($arg)*) {
            Ok(()) => {}
            Err(error) if error.kind() == ::std::io::ErrorKind::BrokenPipe => {
                ::std::process::exit(0)
            }
            Err(error) => {
                let _ = ::std::writeln!(::std::io::stderr().lock(), "cannot write to stdout: {error}");
                ::std::process::exit(1)
            }
        }
    }};
}
pub(crate) use say;

/// Writes one line on stdout, and leaves it to the caller to decide what a
/// closed stdout means: a server goes on serving.
///
/// # Errors
///
/// `BrokenPipe` if the reader of a pipe has gone; whatever else writing to
/// stdout fails with (a full disk, say).
pub fn try_say(line: fmt::Arguments) -> io::Result<()> {
    writeln!(io::stdout().lock(), "{line}")
}

/// Writes one line on stderr, ignoring a failure: with stderr gone too there
/// is nobody left to tell, and `eprintln!` would panic.
pub fn complain(line: fmt::Arguments) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

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
            say!("{usage}\n{}", EXIT_STATUSES.trim_end());
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
                "--addr" => addr = Some(args.addr("--addr", 1)),
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

    /// The whole number after `flag`, which must lie in `range`; exits 2
    /// with one line naming the range if it is missing, not a number, or
    /// out of range (0, -1 and 99999999999999999999 alike).
    pub fn number(&mut self, flag: &str, range: RangeInclusive<u64>) -> u64 {
        let Some(text) = self.next() else {
            self.fail(format!("{flag} needs a value"));
        };
        match text.parse::<u64>() {
            Ok(n) if range.contains(&n) => n,
            _ => self.fail(format!(
                "{flag} must be a whole number from {} to {}, not `{text}`",
                range.start(),
                range.end()
            )),
        }
    }

    /// The `HOST:PORT` after `flag`, resolved to its first address.
    ///
    /// A value that is not of the form `HOST:PORT`, with PORT from
    /// `lowest_port` to 65535, is bad usage (exit 2). A well-formed name that
    /// does not resolve (`nosuch.invalid:80`) is a failure at run time:
    /// exit 1, as the examples' `--help` says.
    pub fn addr(&mut self, flag: &str, lowest_port: u16) -> SocketAddr {
        let text: String = self.value(flag);
        // An IPv6 address is written in brackets, `[::1]:8080`, so the port
        // is whatever follows the last colon.
        let port = text
            .rsplit_once(':')
            .map(|(host, port)| (host, port.parse::<u16>()));
        match port {
            Some((host, Ok(port))) if !host.is_empty() && port >= lowest_port => {}
            _ => self.fail(format!(
                "bad value `{text}` for {flag}: want HOST:PORT, with PORT from {lowest_port} to 65535"
            )),
        }
        match text.to_socket_addrs().map(|mut addrs| addrs.next()) {
            Ok(Some(addr)) => addr,
            Ok(None) => fail_run(self.name, format!("{flag} `{text}` resolves to no address")),
            Err(error) => fail_run(self.name, format!("{flag} `{text}`: {error}")),
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
    complain(format_args!("{name}: {message} (see --help)"));
    process::exit(2)
}

/// Prints one line about a failure at run time and exits 1.
pub fn fail_run(name: &str, message: impl Display) -> ! {
    complain(format_args!("{name}: {message}"));
    process::exit(1)
}

/// Ends the example: exit 0 on success, or one line on stderr and exit 1.
pub fn finish<E: Display>(name: &str, result: Result<(), E>) {
    if let Err(error) = result {
        fail_run(name, error);
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

/// How many times a check runs a timed case before it calls it late: a
/// loaded machine (a lab host shared by a class) can hold up one run by
/// tens of milliseconds, but a function that waits too long is late every
/// time.
pub const TRIES_WHEN_LATE: usize = 3;

/// Runs one timed case of a check, again while `late` says it came back
/// too late (or not at all), at most [`TRIES_WHEN_LATE`] times in all, and
/// returns the last run. Only lateness earns another run: a wrong answer,
/// or an answer too early, is the same on every run.
pub fn unless_late<R>(mut run: impl FnMut() -> R, late: impl Fn(&R) -> bool) -> R {
    let mut ran = run();
    for _ in 1..TRIES_WHEN_LATE {
        if !late(&ran) {
            break;
        }
        ran = run();
    }
    ran
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
