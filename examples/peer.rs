//! The lab peer as a standalone server, for clients in other terminals and
//! other languages, such as the Python client in `docs/python/client.py`.
//!
//! `cargo run --example peer -- reset` listens on `127.0.0.1:8080`, the
//! address in the article's code, and resets every connection.
//!
//! With `--upstream HOST:PORT` it is a relay in front of your own server:
//! `cargo run --example peer -- flaky:2 --upstream 127.0.0.1:8000` resets
//! the first two connections from each client address and passes the rest
//! on, and prints one line per connection saying what it did and what the
//! client saw.

mod common;

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use common::say;
use reset_by_peer::errno::{self, Platform};
use reset_by_peer::except::narrate;
use reset_by_peer::peer::{
    CATALOGUE, Counts, Did, Ending, MAX_CLIENTS, MAX_IDLE, Options, Peer, Relayed, Script, Sees,
    Way,
};

const NAME: &str = "peer";
const USAGE: &str = "\
usage: cargo run --example peer -- SCRIPT [OPTIONS]

Runs the lab peer as a standalone server. With no SCRIPT, lists the scripts.

  SCRIPT             what to do with each connection (run with no SCRIPT to
                     list them, with the range of each one's argument)
  --listen ADDR      where to listen, HOST:PORT with PORT from 0 to 65535
                     (default 127.0.0.1:8080, the article's address;
                     127.0.0.1:0 picks a free port). Beyond loopback, other
                     machines can reach it: it warns on stderr.
  --connections N    stop after serving N connections: 1 to 4294967295
                     (default: run until Ctrl-C)
  --max-clients N    serve at most N connections at once: 1 to 512
                     (default 64); a client beyond that gets the line
                     `busy: N connections already; try again later` and a close
  --idle-ms MS       close a connection on which nothing has moved for MS
                     milliseconds: 1 to 3600000 (default 30000); longer
                     than any time SCRIPT waits
  --upstream ADDR    relay mode: pass each connection on to your own server
                     at HOST:PORT (PORT: 1 to 65535), and let SCRIPT choose
                     what goes wrong; it prints one line per connection.
                     Relays: echo (a faithful pass-through), reset, flaky:N,
                     stall, drip[:MS], idle-close[:MS], idle-reset[:MS],
                     latency, slicer, truncate and slow-close (each on the
                     answer, or on the request with @request), down[:N],
                     and reset-after:BYTES (relay only).
  --chance PERCENT   strike only this share of connections with the
                     script's fault, 1 to 100 (default 100); the others
                     are echoed (relayed faithfully)
  --seed N           the seed of --chance and of latency's jitter, 0 to
                     18446744073709551615 (default: drawn from the clock
                     and printed, so that a run can be repeated)
  -h, --help         show this help

Its first line on stdout is `listening on ADDR (script: SCRIPT)`. It goes on
serving if stdout is closed (`... | head -n 1`).
";

/// The address in the article's code example.
const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);

/// How long to wait for the next connection to finish before waiting again;
/// it only sets how often the wait wakes up, not when the server stops.
const WAKE_EVERY: Duration = Duration::from_secs(3600);

fn main() {
    let mut args = common::Args::from_env(NAME, USAGE);
    let mut script = None;
    let mut seed = None;
    let mut options = Options {
        listen: DEFAULT_LISTEN,
        ..Options::default()
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => options.listen = args.addr("--listen", 0),
            "--connections" => {
                let n = args.number("--connections", 1..=u64::from(u32::MAX));
                options.connections = Some(n as usize);
            }
            "--max-clients" => {
                options.max_clients = args.number("--max-clients", 1..=MAX_CLIENTS as u64) as usize;
            }
            "--idle-ms" => {
                let ms = args.number("--idle-ms", 1..=MAX_IDLE.as_millis() as u64);
                options.idle = Duration::from_millis(ms);
            }
            "--upstream" => options.upstream = Some(args.addr("--upstream", 1)),
            "--chance" => options.chance = args.number("--chance", 1..=100) as u8,
            "--seed" => seed = Some(args.number("--seed", 0..=u64::MAX)),
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
    options.seed = seed.unwrap_or_else(seed_from_clock);
    common::finish(NAME, serve(script, options));
}

fn list_scripts() {
    say!("The lab peer's scripts, each standing for a cause in the article's");
    say!("\"Why Does This Happen?\":");
    say!();
    for info in CATALOGUE {
        say!("  {}", info.usage);
        if !info.argument.is_empty() {
            say!("      argument:    {}", info.argument);
        }
        say!("      cause:       {}", info.cause);
        say!("      on Linux:    {}", info.client_sees);
    }
    say!();
    say!("Run one with:   cargo run --example peer -- reset");
    say!("Then, in another terminal:   python3 docs/python/client.py");
    say!();
    say!("In front of your own server, as a relay:");
    say!("  cargo run --example peer -- flaky:2 --upstream 127.0.0.1:8000");
}

/// A seed for a run that names none: the clock's nanoseconds, which differ
/// from run to run; the peer prints it, so any run can be repeated.
fn seed_from_clock() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos() as u64)
}

/// Stdout for a server: once nobody reads it, the server stops writing to
/// it and goes on serving.
struct Log {
    open: bool,
}

impl Log {
    fn line(&mut self, line: fmt::Arguments) {
        if self.open && common::try_say(line).is_err() {
            self.open = false;
        }
    }
}

fn serve(script: Script, options: Options) -> io::Result<()> {
    let peer = start(script, options)?;
    let mut log = Log { open: true };
    let down = announce(&peer, script, options, &mut log);
    let limit = options.connections.unwrap_or(usize::MAX).min(down);
    serve_until(&peer, options, limit, script, &mut log)
}

/// Starts the peer, or says why it cannot: bad usage for options the
/// library refuses, a run-time failure otherwise.
fn start(script: Script, options: Options) -> io::Result<Peer> {
    match Peer::start_with(script, options) {
        Ok(peer) => Ok(peer),
        Err(error) if error.kind() == io::ErrorKind::AddrInUse => Err(io::Error::new(
            error.kind(),
            format!(
                "{} is already in use; try --listen 127.0.0.1:0 for a free port",
                options.listen
            ),
        )),
        Err(error) if error.kind() == io::ErrorKind::AddrNotAvailable => Err(io::Error::new(
            error.kind(),
            format!(
                "cannot listen on {}: no interface of this machine has that address ({error})",
                options.listen
            ),
        )),
        // The system refused the address itself (an IPv6 link-local address
        // without its interface, say): bad usage, named.
        Err(error)
            if error.kind() == io::ErrorKind::InvalidInput && error.raw_os_error().is_some() =>
        {
            common::fail(NAME, format_args!("--listen {}: {error}", options.listen))
        }
        // A script that makes no sense as a relay, or reset-after without
        // one: the library's sentence says why, and it is bad usage.
        Err(error) if error.kind() == io::ErrorKind::InvalidInput => common::fail(NAME, error),
        Err(error) => Err(error),
    }
}

/// Prints the peer's first lines: where it listens, what it relays to,
/// its caveat, its seed; returns after how many connections `down:N` closes
/// its port (none: `usize::MAX`).
fn announce(peer: &Peer, script: Script, options: Options, log: &mut Log) -> usize {
    // `[::ffff:127.0.0.1]` is loopback too.
    if !peer.addr().ip().to_canonical().is_loopback() {
        common::complain(format_args!(
            "warning: listening on {}, which other machines may reach; \
             this server misbehaves on purpose",
            peer.addr()
        ));
    }
    // Scripts and tests read the port from this first line; stdout is
    // line-buffered, so it goes out at once.
    log.line(format_args!(
        "listening on {} (script: {script})",
        peer.addr()
    ));
    if let Some(upstream) = options.upstream {
        log.line(format_args!("relaying each connection to {upstream}"));
    }
    if let Some(caveat) = script.caveat() {
        log.line(format_args!("note: {caveat}"));
    }
    let jitter = matches!(script, Script::Latency { jitter, .. } if jitter > 0);
    if options.chance < 100 || jitter {
        log.line(format_args!(
            "seed {} (run again with --seed {} for the same draws){}",
            options.seed,
            options.seed,
            if options.chance < 100 {
                format!(
                    ": {}% of connections meet {script}, the others are echoed",
                    options.chance
                )
            } else {
                String::new()
            }
        ));
    }
    if options.chance < 100 {
        // Which connections meet the fault follows from the seed alone:
        // show the first twenty, so that a run can be checked.
        let struck: Vec<String> = (1..=20)
            .filter(|&n| options.strikes(n))
            .map(|n| n.to_string())
            .collect();
        log.line(format_args!(
            "of connections 1 to 20, these meet {script}: {}",
            struck.join(", ")
        ));
    }
    // `down:N` closes its port after N connections: the run ends with them.
    match script {
        Script::Down(n) => {
            log.line(format_args!(
                "the port closes once {n} connection(s) are in: a later connect is refused ({}) while those go on",
                narrate(&refused_error())
            ));
            n as usize
        }
        _ => usize::MAX,
    }
}

/// Serves until `limit` connections are done, or until Ctrl-C, saying
/// what happened to each.
fn serve_until(
    peer: &Peer,
    options: Options,
    limit: usize,
    script: Script,
    log: &mut Log,
) -> io::Result<()> {
    let mut seen = Counts::default();
    // Runs until `limit` connections are done, or until Ctrl-C. Each pass
    // wakes when a connection ends or a client is turned away.
    while seen.finished < limit {
        let news =
            |now: &Counts| now.finished > seen.finished || now.turned_away > seen.turned_away;
        let now = match peer.wait_until(WAKE_EVERY, news) {
            Ok(now) => now,
            Err(error) if error.kind() == io::ErrorKind::TimedOut => continue,
            Err(error) => return Err(error),
        };
        if options.upstream.is_some() {
            // A relay's events say what happened to each connection; each
            // is there by the time its connection is counted.
            for event in peer.take_events() {
                // A connection the chance spared is served as echo.
                let spared = options.chance < 100 && event.script != script;
                let by_chance = if spared { "spared by --chance: " } else { "" };
                log.line(format_args!("{by_chance}{}", Narrated(&event)));
            }
        } else {
            for n in seen.finished + 1..=now.finished {
                log.line(format_args!("connection {n} done"));
            }
        }
        say_turned_away(&seen, &now, options, log);
        seen = now;
    }
    log.line(format_args!(
        "served {} connections; stopping",
        seen.finished
    ));
    Ok(())
}

/// Says how many clients were turned away since `seen`, and why: the cap,
/// or the process out of descriptors, so that the one running the peer
/// sees them too.
fn say_turned_away(seen: &Counts, now: &Counts, options: Options, log: &mut Log) {
    let short = now.short_of_descriptors - seen.short_of_descriptors;
    let threadless = now.short_of_threads - seen.short_of_threads;
    let full = (now.turned_away - seen.turned_away).saturating_sub(short + threadless);
    if short > 0 {
        log.line(format_args!(
            "turned away {short} queued clients with the busy line: the process is out of descriptors ({} in all)",
            now.short_of_descriptors
        ));
    }
    if threadless > 0 {
        log.line(format_args!(
            "turned away {threadless} clients with the busy line: the process could not start a thread for them, out of memory or of its thread limit ({} in all)",
            now.short_of_threads
        ));
    }
    if full == 0 {
        return;
    }
    log.line(format_args!(
        "turned away {full} clients beyond the cap of {} (each was sent the busy line); {} in all",
        options.max_clients,
        now.turned_away - now.short_of_descriptors - now.short_of_threads
    ));
    if let Some(upstream) = options
        .upstream
        .filter(|_| now.accepted <= options.max_clients)
    {
        // A relay full with its first connections, at once: the usual
        // cause is a loop through another relay.
        log.line(format_args!(
            "the cap filled with the first connections: if the upstream {upstream} leads back to this relay through another one, each connection comes back as a new one until both are full"
        ));
    }
}

/// A relay's event in words, one line: the connection, what the relay did,
/// and what the client will have seen.
struct Narrated<'a>(&'a Relayed);

impl fmt::Display for Narrated<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Relayed {
            index,
            script,
            did,
            sees,
        } = self.0;
        write!(f, "connection {index} ({script}): ")?;
        match did {
            // The socket failed before anything could happen on it.
            Did::ClientSocketFailed(error) => {
                return write!(
                    f,
                    "the client's socket failed at once ({}); closed it",
                    narrate(error)
                );
            }
            Did::Reset => f.write_str(
                "reset the client when its first bytes arrived, leaving them unread; \
                 the upstream was not contacted",
            )?,
            Did::ClosedBeforeSending => f.write_str(
                "the client closed before sending anything, so nothing was left unread \
                 and the close was a FIN",
            )?,
            Did::SentNothing => f.write_str(
                "the client sent nothing before the peer's idle limit or its stop: closed it",
            )?,
            Did::ClientFailed(error) => {
                write!(f, "the client's side failed first ({})", narrate(error))?
            }
            Did::Unreachable {
                upstream,
                error,
                busy,
            } => write!(
                f,
                "could not connect to the upstream {upstream}: {}; {}",
                narrate(error),
                match (busy, sees) {
                    (true, _) => "sent the busy line and closed the client",
                    (false, Sees::Reset) =>
                        "reset the client, leaving its first bytes unread: having accepted it, the relay can no longer refuse it, and a reset is the nearest it comes",
                    (false, _) => "closed the client, which had sent nothing to reset",
                }
            )?,
            Did::LoopedBack { upstream } => write!(
                f,
                "this connection came from the relay itself: the upstream {upstream} leads back to its own listener; sent it a `loop:` line, which goes down to the real client, and closed it"
            )?,
            Did::NoUpwardThread(error) => write!(
                f,
                "could not start the upward thread ({}); closed both",
                narrate(error)
            )?,
            Did::Passed { up, down, ending } => {
                write!(f, "relayed {up} bytes up and {down} down; ")?;
                write_shaping(f, *script)?;
                write_ending(f, ending, *down, *sees)?;
            }
        }
        f.write_str("; ")?;
        write_sees(f, *sees)
    }
}

/// How a passed connection ended, in words.
fn write_ending(f: &mut fmt::Formatter<'_>, ending: &Ending, down: u64, sees: Sees) -> fmt::Result {
    // A reset the relay meant reaches the client only if a byte of its was
    // left unread; otherwise the close was a FIN.
    let unless_fin = if sees == Sees::Reset {
        ""
    } else {
        ", but no byte of the client's was left unread, so the close was a FIN"
    };
    match ending {
        Ending::ClientFailed(error) => {
            write!(f, "the client's side failed first ({})", narrate(error))
        }
        Ending::Stalled { thrown } => write!(
            f,
            "stalled: threw away {thrown} bytes of the answer and kept the client waiting until the peer's idle limit or its stop"
        ),
        Ending::UpstreamClosed => {
            f.write_str("the upstream closed its side (FIN), and the relay passed it on")
        }
        Ending::UpstreamFailed(error) => write!(
            f,
            "the upstream's side failed ({}), passed on by resetting the client{unless_fin}",
            narrate(error)
        ),
        Ending::CountReached => {
            write!(f, "reset the client after {down} bytes of the answer{unless_fin}")
        }
        Ending::IdleReset(idle) => {
            let then = match sees {
                Sees::Reset => ", then reset the client when its next bytes arrived",
                Sees::Gone => "; the client's side failed",
                Sees::End | Sees::Silence => "; the client sent nothing more, so it was closed (FIN)",
            };
            write!(f, "nothing moved for {} ms: closed the upstream{then}", idle.as_millis())
        }
        Ending::Truncated => write!(
            f,
            "passed {down} bytes of the answer, then closed the client (FIN) when more came"
        ),
        Ending::IdleClosed(idle) => write!(
            f,
            "nothing moved for {} ms: closed the client (FIN) and the upstream",
            idle.as_millis()
        ),
        Ending::ClientGone => f.write_str("a send to the client failed"),
        Ending::UpstreamGone => write!(
            f,
            "a send to the upstream failed (its connection is gone), passed on by resetting the client{unless_fin}"
        ),
        Ending::Done => f.write_str(
            "the peer's idle limit passed, or it stopped or gave the slot to a newcomer: closed both",
        ),
    }
}

/// What a script that shapes one direction did to it, in words, followed
/// by `; `; nothing for the other scripts.
fn write_shaping(f: &mut fmt::Formatter<'_>, script: Script) -> fmt::Result {
    let what = |way| match way {
        Way::Request => "the request",
        Way::Answer => "the answer",
    };
    match script {
        Script::Latency { delay, jitter, way } => {
            write!(
                f,
                "held each piece of {} {} ms",
                what(way),
                delay.as_millis()
            )?;
            if jitter > 0 {
                write!(f, ", give or take {jitter}")?;
            }
            f.write_str("; ")
        }
        Script::Slicer { bytes, gap, way } => write!(
            f,
            "passed {} on in pieces of {bytes} bytes, {} ms apart; ",
            what(way),
            gap.as_millis()
        ),
        Script::SlowClose { delay, way } => {
            let whose = match way {
                Way::Request => "the client's close (FIN) on to the upstream",
                Way::Answer => "the upstream's close (FIN) on to the client",
            };
            write!(f, "passed {whose} {} ms late; ", delay.as_millis())
        }
        Script::Truncate {
            bytes,
            way: Way::Request,
        } => write!(
            f,
            "passed {bytes} bytes of the request, then closed the upstream's side (FIN) when more came; "
        ),
        _ => Ok(()),
    }
}

/// What the client will have seen, in words.
fn write_sees(f: &mut fmt::Formatter<'_>, sees: Sees) -> fmt::Result {
    match sees {
        Sees::Reset => write!(f, "the client sees {}", narrate(&reset_error())),
        Sees::End => f.write_str(
            "the client reads to the end of the stream, Ok(0): no error (in Python, recv returns b'')",
        ),
        Sees::Silence => f.write_str(
            "the client sees no answer and no error: only its own timeout ends the wait",
        ),
        Sees::Gone => f.write_str("the client had gone already"),
    }
}

/// The error a reset gives the client on this platform: ECONNRESET with its
/// number here, so that the narration names it as the other examples do.
fn reset_error() -> io::Error {
    error_here("ECONNRESET", io::ErrorKind::ConnectionReset)
}

/// The error a refused connect gives the client on this platform.
fn refused_error() -> io::Error {
    error_here("ECONNREFUSED", io::ErrorKind::ConnectionRefused)
}

/// The error named `name` with its number on this platform, or `kind`
/// alone on a platform the table does not know.
fn error_here(name: &str, kind: io::ErrorKind) -> io::Error {
    let here = Platform::current()
        .zip(errno::by_name(name))
        .and_then(|(platform, error)| error.number(platform));
    match here {
        Some(number) => io::Error::from_raw_os_error(number),
        None => io::Error::from(kind),
    }
}
