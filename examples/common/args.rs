//! The command line of one example, read from left to right: `--help`,
//! flags with values, and every number within a stated range.

use std::collections::VecDeque;
use std::fmt::Display;
use std::net::{SocketAddr, ToSocketAddrs};
use std::ops::RangeInclusive;
use std::process;
use std::str::FromStr;

use super::{EXIT_STATUSES, fail, fail_run, say};

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
            Some((host, Ok(port))) if host_is_well_formed(host) && port >= lowest_port => {}
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

/// Whether `host` can be a host before `:PORT`: not empty, and with no
/// colon unless it is an IPv6 address in brackets (`127.0.0.1:80:80` is
/// not an address with a port, however a resolver reads it).
fn host_is_well_formed(host: &str) -> bool {
    match host
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
    {
        Some(inner) => inner.parse::<std::net::Ipv6Addr>().is_ok(),
        None => !host.is_empty() && !host.contains(':'),
    }
}
