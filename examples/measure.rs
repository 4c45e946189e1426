//! The crate's benchmark: how late timeouts fire, how fast a reset or a
//! close is seen, how well the deadline functions keep their deadline, how
//! fast the heartbeat notices a silent peer, and what a blocked watch costs.
//! When `python3` is on the PATH, it then measures CPython in the same
//! scenarios and prints it beside Rust (module `cpython`).
//!
//! Run it with `cargo run --release --example measure` (about a minute,
//! CPython included); `--runs N` changes the number of runs per figure (default 50).
//! Timing belongs here, not in the tests: the tests only check bounds that
//! cannot race.

mod common;
#[path = "measure/cpython.rs"]
mod cpython;

use common::say;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use reset_by_peer::heartbeat::{Config, Event, Verdict, watch};
use reset_by_peer::peer::{Millis, Peer, Script, refused_addr};
use reset_by_peer::timeout::{Deadline, read_exact_by, write_all_by};

const NAME: &str = "measure";
const USAGE: &str = "\
usage: cargo run --release --example measure [-- --runs N]

Prints min, median and max over N runs (default 50) of: read-timeout
overshoot, RST and FIN detection latency, connect-refused latency, the
deadline functions' overshoot beside plain read_exact and write_all, and
heartbeat detection time; then the CPU used while blocked in a heartbeat
watch. Each figure comes with what it means, and the targets are checked.
With python3 on the PATH, CPython is measured too, beside Rust.

  --runs N     runs per figure: 1 to 1000 (default 50; 1000 take
               several minutes)
  -h, --help   show this help
";

/// The read timeout whose overshoot is measured.
const READ_TIMEOUT: Duration = Duration::from_millis(200);

/// The total a caller allows for reading 8 bytes from a dripping peer.
const READ_BUDGET: Duration = Duration::from_millis(500);

/// The total a caller allows for writing to a peer that never reads.
const WRITE_BUDGET: Duration = Duration::from_millis(200);

/// More than loopback's socket buffers can hold, so that the write blocks.
const WRITE_SIZE: usize = 64 * 1024 * 1024;

/// How long the CPU figure watches a live peer.
const WATCH_FOR: Duration = Duration::from_secs(2);

/// How many slow runs go at once, so the whole benchmark stays under a
/// minute; each run spends its time blocked, not computing.
const PARALLEL: usize = 10;

/// The bound on any wait that only a bug would make long.
const BOUND: Duration = Duration::from_secs(5);

/// The most runs per figure: enough for stable medians, and still minutes,
/// not hours.
const MAX_RUNS: u64 = 1000;

/// Linux's scheduler tick at HZ=250, this machine's kernel (docs/facts.md); the
/// deadline target is one tick plus 2 ms.
const TICK: Duration = Duration::from_millis(4);

fn main() {
    let mut args = common::Args::from_env(NAME, USAGE);
    let mut runs = 50;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.number("--runs", 1..=MAX_RUNS) as usize,
            _ => args.unknown(&arg),
        }
    }
    common::finish(NAME, run(runs));
}

fn run(runs: usize) -> io::Result<()> {
    if cfg!(debug_assertions) {
        say!("(a debug build: for the real figures, add --release)");
    }
    say!("{runs} runs per figure; times in ms: min / median / max\n");

    let stall = Peer::start(Script::Stall)?;
    let overshoot = in_batches(runs, || read_timeout_overshoot(stall.addr()))?;
    report("read-timeout overshoot at 200 ms", &overshoot);
    say!("  a 200 ms read timeout fires this much late: the kernel rounds it up to whole ticks");

    let rst = one_by_one(runs, || blocked_reader_sees(true))?;
    report("RST seen by a blocked reader", &rst);
    say!("  from the peer's close (with our byte unread) to our read returning ConnectionReset");
    let fin = one_by_one(runs, || blocked_reader_sees(false))?;
    report("FIN seen by a blocked reader", &fin);
    say!("  from the peer's clean close to our read returning Ok(0)");

    let refused = refused_addr()?;
    let connect = one_by_one(runs, || refused_latency(refused))?;
    report("connect refused", &connect);
    say!("  nobody listening: the answer comes at once, no timeout involved");

    let drip = Peer::start(Script::Drip(Millis::new(150)?))?;
    let plain_read = in_batches(runs, || plain_read_overrun(drip.addr()))?;
    report("plain read_exact past a 500 ms budget", &plain_read);
    say!("  8 bytes from a peer dripping one per 150 ms, 500 ms timeout per call: it never fires");
    let deadline_read = one_by_one(runs, || deadline_read_overshoot(drip.addr()))?;
    report("read_exact_by past its 500 ms deadline", &deadline_read);
    say!("  the same read with a deadline: it stops on time, the bytes so far kept");

    let data = vec![b'x'; WRITE_SIZE];
    let plain_write = in_batches(runs, || plain_write_overrun(&data))?;
    report("plain write_all past a 200 ms budget", &plain_write);
    say!(
        "  64 MiB to a peer that never reads, 200 ms timeout per call: each partial write restarts it"
    );
    let deadline_write = one_by_one(runs, || deadline_write_overshoot(&data))?;
    report("write_all_by past its 200 ms deadline", &deadline_write);
    say!("  the same write with a deadline, like Python's sendall");

    let config = Config::new(Duration::from_millis(100), Duration::from_millis(50), 3)?;
    let silent = Peer::start(Script::SilentAfter(2))?;
    let detection = in_batches(runs, || heartbeat_detection(silent.addr(), &config))?;
    report("heartbeat: silence noticed after", &detection);
    say!(
        "  ping every 100 ms, 50 ms timeout, 3 misses: 350 ms in theory; documented bound {} ms",
        config.detection_bound().as_millis()
    );

    let cpu = watch_cpu()?;
    say!();
    say!("Targets:");
    target(
        "deadline overshoot (median) within one 4 ms tick plus 2 ms",
        median(&deadline_read) <= TICK + Duration::from_millis(2)
            && median(&deadline_write) <= TICK + Duration::from_millis(2),
    );
    target(
        "RST seen within 1 ms (median)",
        median(&rst) <= Duration::from_millis(1),
    );
    target(
        "heartbeat verdict within its documented bound (every run)",
        max(&detection) <= config.detection_bound(),
    );
    match cpu {
        Some(share) => target("CPU while blocked under 2% of wall time", share < 0.02),
        None => say!("  - CPU while blocked: not measured on this platform"),
    }

    let rust = cpython::Rust {
        read_timeout: &overshoot,
        read_deadline: &deadline_read,
        write_all: &plain_write,
        write_deadline: &deadline_write,
        rst: &rst,
        refused: &connect,
    };
    cpython::compare(runs, PARALLEL, stall.addr(), refused, &rust);
    Ok(())
}

/// Runs `measure` `runs` times, one after another: for figures of a few
/// milliseconds or less (latencies, and how late a deadline ends), which
/// ten runs side by side on two cores would disturb.
fn one_by_one(
    runs: usize,
    measure: impl Fn() -> io::Result<Duration>,
) -> io::Result<Vec<Duration>> {
    (0..runs).map(|_| measure()).collect()
}

/// Runs `measure` `runs` times, up to PARALLEL at once: for figures that
/// spend their time blocked in the kernel.
fn in_batches(
    runs: usize,
    measure: impl Fn() -> io::Result<Duration> + Sync,
) -> io::Result<Vec<Duration>> {
    let mut all = Vec::with_capacity(runs);
    let mut left = runs;
    while left > 0 {
        let batch = left.min(PARALLEL);
        let results: Vec<io::Result<Duration>> = thread::scope(|scope| {
            let handles: Vec<_> = (0..batch).map(|_| scope.spawn(&measure)).collect();
            handles
                .into_iter()
                .map(|handle| {
                    handle
                        .join()
                        .unwrap_or_else(|_| Err(io::Error::other("a run panicked")))
                })
                .collect()
        });
        for result in results {
            all.push(result?);
        }
        left -= batch;
    }
    Ok(all)
}

fn sorted(samples: &[Duration]) -> Vec<Duration> {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted
}

fn median(samples: &[Duration]) -> Duration {
    let sorted = sorted(samples);
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn max(samples: &[Duration]) -> Duration {
    samples.iter().copied().max().unwrap_or_default()
}

fn report(label: &str, samples: &[Duration]) {
    let sorted = sorted(samples);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let min = sorted.first().copied().unwrap_or_default();
    say!(
        "{label:<42} {:>9.3} / {:>9.3} / {:>9.3}",
        ms(min),
        ms(median(samples)),
        ms(max(samples))
    );
}

fn target(label: &str, met: bool) {
    say!("  - {label}: {}", if met { "met" } else { "MISSED" });
}

fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, BOUND)?;
    stream.set_read_timeout(Some(BOUND))?;
    stream.set_write_timeout(Some(BOUND))?;
    Ok(stream)
}

/// How late a 200 ms read timeout fires against a silent peer.
fn read_timeout_overshoot(stall: SocketAddr) -> io::Result<Duration> {
    let mut stream = connect(stall)?;
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    let started = Instant::now();
    match stream.read(&mut [0u8; 16]) {
        Err(_) => Ok(started.elapsed().saturating_sub(READ_TIMEOUT)),
        Ok(n) => Err(io::Error::other(format!("the stalled peer sent {n} bytes"))),
    }
}

/// How long after the peer's close a reader blocked in `read` returns:
/// with an RST if `reset` (our byte left unread), else with a FIN.
fn blocked_reader_sees(reset: bool) -> io::Result<Duration> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let mut client = connect(listener.local_addr()?)?;
    let (server, _) = listener.accept()?;
    server.set_read_timeout(Some(BOUND))?;
    if reset {
        client.write_all(b"x")?;
        // Wait until our byte is in the server's queue, unread.
        server.peek(&mut [0u8; 1])?;
    }
    let (ready, reading) = mpsc::channel();
    let reader = thread::spawn(move || {
        let _ = ready.send(());
        let result = client.read(&mut [0u8; 16]);
        (Instant::now(), result.map(|n| n == 0))
    });
    reading
        .recv_timeout(BOUND)
        .map_err(|_| io::Error::other("the reader never started"))?;
    // The benchmark may sleep: give the reader time to block in read().
    thread::sleep(Duration::from_millis(5));
    let closed = Instant::now();
    drop(server);
    let (returned, result) = reader
        .join()
        .map_err(|_| io::Error::other("the reader panicked"))?;
    match (reset, result) {
        (true, Err(error)) if error.kind() == io::ErrorKind::ConnectionReset => {}
        (false, Ok(true)) => {}
        (_, other) => {
            return Err(io::Error::other(format!(
                "unexpected read result {other:?}"
            )));
        }
    }
    Ok(returned.saturating_duration_since(closed))
}

fn refused_latency(addr: SocketAddr) -> io::Result<Duration> {
    let started = Instant::now();
    match TcpStream::connect_timeout(&addr, BOUND) {
        Err(error) if error.kind() == io::ErrorKind::ConnectionRefused => Ok(started.elapsed()),
        Err(error) => Err(error),
        Ok(_) => Err(io::Error::other("somebody listens on the refused address")),
    }
}

/// How far past the budget a plain `read_exact` runs, with the budget as
/// its per-call timeout.
fn plain_read_overrun(drip: SocketAddr) -> io::Result<Duration> {
    let mut stream = connect(drip)?;
    stream.set_read_timeout(Some(READ_BUDGET))?;
    let started = Instant::now();
    stream.read_exact(&mut [0u8; 8])?;
    Ok(started.elapsed().saturating_sub(READ_BUDGET))
}

fn deadline_read_overshoot(drip: SocketAddr) -> io::Result<Duration> {
    let mut stream = connect(drip)?;
    let started = Instant::now();
    match read_exact_by(&mut stream, &mut [0u8; 8], Deadline::after(READ_BUDGET)) {
        Err(stopped) if stopped.error.kind() == io::ErrorKind::TimedOut => {
            Ok(started.elapsed().saturating_sub(READ_BUDGET))
        }
        Err(stopped) => Err(stopped.into()),
        Ok(()) => Err(io::Error::other(
            "8 dripped bytes arrived within the deadline",
        )),
    }
}

/// A listener nobody accepts from, and a connection to it: writes to it fill
/// the buffers and then block.
fn never_reading() -> io::Result<(TcpListener, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let stream = TcpStream::connect_timeout(&listener.local_addr()?, BOUND)?;
    Ok((listener, stream))
}

fn plain_write_overrun(data: &[u8]) -> io::Result<Duration> {
    let (_listener, mut stream) = never_reading()?;
    stream.set_write_timeout(Some(WRITE_BUDGET))?;
    let started = Instant::now();
    match stream.write_all(data) {
        Err(_) => Ok(started.elapsed().saturating_sub(WRITE_BUDGET)),
        Ok(()) => Err(io::Error::other("64 MiB fitted in the socket buffers")),
    }
}

fn deadline_write_overshoot(data: &[u8]) -> io::Result<Duration> {
    let (_listener, mut stream) = never_reading()?;
    let started = Instant::now();
    match write_all_by(&mut stream, data, Deadline::after(WRITE_BUDGET)) {
        Err(stopped) if stopped.error.kind() == io::ErrorKind::TimedOut => {
            Ok(started.elapsed().saturating_sub(WRITE_BUDGET))
        }
        Err(stopped) => Err(stopped.into()),
        Ok(()) => Err(io::Error::other("64 MiB fitted in the socket buffers")),
    }
}

/// From the silent peer's last answer to the verdict.
fn heartbeat_detection(silent: SocketAddr, config: &Config) -> io::Result<Duration> {
    let mut stream = connect(silent)?;
    let (_stop, stopped) = mpsc::channel();
    let report = watch(&mut stream, config, &stopped, |_| {})?;
    match (report.verdict, report.last_pong) {
        (Verdict::DeadBySilence, Some(last)) => Ok(report.elapsed.saturating_sub(last)),
        (verdict, _) => Err(io::Error::other(format!("unexpected verdict {verdict:?}"))),
    }
}

/// The CPU the process, and the watching thread alone, used while the
/// thread sat in a heartbeat watch of a live peer for WATCH_FOR, as shares of
/// wall time. Returns the process's share, or None where /proc is missing.
fn watch_cpu() -> io::Result<Option<f64>> {
    let Some(tick) = clock_tick() else {
        say!("\nCPU while blocked in a heartbeat watch: not measured (no /proc or getconf here)");
        return Ok(None);
    };
    let peer = Peer::start(Script::Heartbeat)?;
    let mut stream = connect(peer.addr())?;
    let config = Config::new(Duration::from_millis(100), Duration::from_millis(50), 3)?;
    let (stop, stopped) = mpsc::channel();
    let (Some(process_before), Some(thread_before)) = (cpu_ticks("self"), cpu_ticks("thread-self"))
    else {
        return Ok(None);
    };
    let started = Instant::now();
    let report = watch(&mut stream, &config, &stopped, |event| {
        if let Event::Pong { at, .. } = event {
            if *at >= WATCH_FOR {
                let _ = stop.send(());
            }
        }
    })?;
    let wall = started.elapsed();
    let (Some(process_after), Some(thread_after)) = (cpu_ticks("self"), cpu_ticks("thread-self"))
    else {
        return Ok(None);
    };
    let share = |ticks: u64| (ticks as f64 * tick.as_secs_f64()) / wall.as_secs_f64();
    let process = share(process_after.saturating_sub(process_before));
    let thread = share(thread_after.saturating_sub(thread_before));
    say!(
        "\nCPU while blocked in a {:.1} s heartbeat watch ({} pings, verdict {:?}), from /proc/self/stat:",
        wall.as_secs_f64(),
        report.pings,
        report.verdict
    );
    say!(
        "  whole process: {:.2}% of wall time (it includes the lab peer's own threads)",
        process * 100.0
    );
    say!(
        "  watching thread alone (/proc/thread-self/stat): {:.2}%",
        thread * 100.0
    );
    say!("  resolution: one clock tick, {} ms", tick.as_millis());
    Ok(Some(process))
}

/// utime + stime, in clock ticks, from `/proc/{which}/stat`.
fn cpu_ticks(which: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{which}/stat")).ok()?;
    // The command name, in parentheses, may hold spaces: count fields after it.
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of the file are the 12th and 13th after the name.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// The length of one clock tick in /proc's CPU times (USER_HZ), from
/// `getconf CLK_TCK`.
fn clock_tick() -> Option<Duration> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let output = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()?;
    // A u32 that is not zero, so that the division below cannot fail.
    let per_second: u32 = String::from_utf8(output.stdout).ok()?.trim().parse().ok()?;
    (per_second > 0).then(|| Duration::from_secs(1) / per_second)
}
