//! The lab peer as a standalone server, for clients in other terminals and
//! other languages, such as the Python client in `docs/python/client.py`.
//!
//! `cargo run --example peer -- reset` listens on `127.0.0.1:8080`, the
//! address in the article's code, and resets every connection.

mod common;

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use reset_by_peer::peer::{CATALOGUE, Options, Peer, Script};

const NAME: &str = "peer";
const USAGE: &str = "\
usage: cargo run --example peer -- SCRIPT [--listen ADDR] [--connections N]

Runs the lab peer as a standalone server. With no SCRIPT, lists the scripts.

  SCRIPT             what to do with each connection (run with no SCRIPT to list them)
  --listen ADDR      where to listen (default 127.0.0.1:8080, the article's
                     address; 127.0.0.1:0 picks a free port)
  --connections N    stop after serving N connections (default: run until Ctrl-C)
  -h, --help         show this help

Its first line on stdout is `listening on ADDR (script: SCRIPT)`.
";

/// The address in the article's code example.
const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);

/// How long to wait for the next connection to finish before waiting again;
/// it only sets how often the wait wakes up, not when the server stops.
const WAKE_EVERY: Duration = Duration::from_secs(3600);

fn main() {
    let mut args = common::Args::from_env(NAME, USAGE);
    let mut script = None;
    let mut listen = None;
    let mut connections = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => listen = Some(args.addr("--listen")),
            "--connections" => match args.value::<usize>("--connections") {
                0 => args.fail("--connections must be at least 1"),
                n => connections = Some(n),
            },
            flag if flag.starts_with('-') => args.unknown(flag),
            _ if script.is_some() => {
                args.fail(format!("only one script, please (got `{arg}` too)"))
            }
            name => match name.parse::<Script>() {
                Ok(parsed) => script = Some(parsed),
                Err(error) => args.fail(format!(
                    "{error}; run with no arguments to list the scripts"
                )),
            },
        }
    }
    let Some(script) = script else {
        list_scripts();
        return;
    };
    let listen = listen.unwrap_or(DEFAULT_LISTEN);
    common::finish(NAME, serve(script, listen, connections));
}

fn list_scripts() {
    println!("The lab peer's scripts, each standing for a cause in the article's");
    println!("\"Why Does This Happen?\":");
    println!();
    for info in CATALOGUE {
        println!("  {}", info.usage);
        println!("      cause:       {}", info.cause);
        println!("      client sees: {}", info.client_sees);
    }
    println!();
    println!("Run one with:   cargo run --example peer -- reset");
    println!("Then, in another terminal:   python3 docs/python/client.py");
}

fn serve(script: Script, listen: SocketAddr, connections: Option<usize>) -> io::Result<()> {
    let options = Options {
        listen,
        connections,
    };
    let peer = match Peer::start_with(script, options) {
        Ok(peer) => peer,
        Err(error) if error.kind() == io::ErrorKind::AddrInUse => {
            return Err(io::Error::new(
                error.kind(),
                format!("{listen} is already in use; try --listen 127.0.0.1:0 for a free port"),
            ));
        }
        Err(error) => return Err(error),
    };
    if !peer.addr().ip().is_loopback() {
        eprintln!(
            "warning: listening on {}, which other machines may reach; \
             this server misbehaves on purpose",
            peer.addr()
        );
    }
    let mut stdout = io::stdout();
    writeln!(stdout, "listening on {} (script: {script})", peer.addr())?;
    // Scripts and tests read the port from this line, so it must not sit in
    // a buffer.
    stdout.flush()?;

    let limit = connections.unwrap_or(usize::MAX);
    let mut finished = 0;
    // Runs until `limit` connections are done, or until Ctrl-C.
    while finished < limit {
        match peer.wait_finished(finished + 1, WAKE_EVERY) {
            Ok(counts) => {
                for n in finished + 1..=counts.finished {
                    println!("connection {n} done");
                }
                finished = counts.finished;
            }
            Err(error) if error.kind() == io::ErrorKind::TimedOut => continue,
            Err(error) => return Err(error),
        }
    }
    println!("served {finished} connections; stopping");
    Ok(())
}
