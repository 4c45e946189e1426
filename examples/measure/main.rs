//! The crate's benchmark: how late timeouts fire, how fast a reset or a
//! close is seen, how well the deadline functions keep their deadline, how
//! fast the heartbeat notices a silent peer, and what a blocked watch costs.
//! When `python3` is on the PATH, it then measures CPython in the same
//! scenarios and prints it beside Rust (module `cpython`).
//!
//! Run it with `cargo run --release --example measure` (about two and a half
//! minutes, CPython included); `--runs N` changes the number of runs per
//! figure (default 50).
//! Timing belongs here, not in the tests: the tests only check bounds that
//! cannot race.

#[path = "../common/mod.rs"]
mod common;
mod cpython;
mod figures;

use common::say;

use std::io;
use std::thread;
use std::time::Duration;

use figures::{
    READ_TIMEOUT, blocked_reader_sees, deadline_read_overshoot, deadline_silence_overshoot,
    deadline_write_overshoot, drip_cpu, heartbeat_detection, plain_read_overrun,
    plain_write_overrun, read_timeout_overshoot, refused_latency, watch_cpu,
};
use reset_by_peer::heartbeat::Config;
use reset_by_peer::peer::{Peer, Script, ScriptTime, refused_addr};

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

/// The per-call read timeouts, and the deadlines as long, whose lateness is
/// measured beside the 200 ms one: timers Linux files on coarser levels of
/// its timer wheel. 5 s is the article's `settimeout(5)`.
const LONG_TIMEOUTS: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(5)];

/// More than loopback's socket buffers can hold, so that the write blocks.
const WRITE_SIZE: usize = 64 * 1024 * 1024;

/// How many slow runs go at once, so the whole benchmark stays under a
/// minute; each run spends its time blocked, not computing.
const PARALLEL: usize = 10;

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
    let overshoot = in_batches(runs, || read_timeout_overshoot(stall.addr(), READ_TIMEOUT))?;
    report("read-timeout overshoot at 200 ms", &overshoot);
    say!(
        "  a 200 ms read timeout fires this much late: Linux files it on its timer wheel's finest"
    );
    say!("  level (steps of one tick, 4 ms at HZ=250) and rounds it up to the next step");
    let mut long = Vec::new();
    for timeout in LONG_TIMEOUTS {
        let per_call = in_batches(runs, || read_timeout_overshoot(stall.addr(), timeout))?;
        report(&format!("read-timeout overshoot at {timeout:?}"), &per_call);
        let deadline = in_batches(runs, || deadline_silence_overshoot(stall.addr(), timeout))?;
        report(
            &format!("read_exact_by past a {timeout:?} deadline"),
            &deadline,
        );
        long.push((timeout, per_call, deadline));
    }
    say!("  longer timers go on coarser levels (at HZ=250: 32 ms steps up to 2 s, 256 ms up to");
    say!("  16 s); the deadline waits in steps of at most 200 ms, each on the finest level");

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

    let drip = Peer::start(Script::Drip(ScriptTime::new(150)?))?;
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
    let drip_share = drip_cpu()?;
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
    match drip_share {
        Some(share) => target(
            "the fastest drip to 64 clients under 10% of a core",
            share < 0.10,
        ),
        None => say!("  - CPU of the fastest drip: not measured on this platform"),
    }

    let rust = cpython::Rust {
        long: &long,
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
