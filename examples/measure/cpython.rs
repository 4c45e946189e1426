//! The CPython half of `measure`: the same scenarios, measured in the same
//! run by `docs/python/measure.py`, and printed beside Rust's figures with
//! their ratio.
//!
//! The Python source is built into the example and run with `python3 -I -S -c`,
//! so the benchmark works from any directory. Without `python3` on the PATH,
//! or if the script fails, the benchmark says "CPython: not measured" and
//! why, and its Rust figures stand alone.
//!
//! A program cannot ask which rustc built it, so the Rust version is
//! printed only when it was given at build time:
//! `RUSTC_VERSION="$(rustc --version)" cargo run --release --example measure`.

use crate::common::say;
use std::io::Read;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use super::{median, report};

/// The program CPython runs.
const SCRIPT: &str = include_str!("../../docs/python/measure.py");

/// What Rust measured in the same run, for the comparison.
pub struct Rust<'a> {
    /// For each longer timeout: how late `set_read_timeout` fired, and how
    /// late `read_exact_by` ended past a deadline as long.
    pub long: &'a [(Duration, Vec<Duration>, Vec<Duration>)],
    /// `set_read_timeout(200 ms)` against a silent peer: how late it fired.
    pub read_timeout: &'a [Duration],
    /// `read_exact_by` against a dripping peer: how late past its deadline.
    pub read_deadline: &'a [Duration],
    /// `write_all` with a 200 ms write timeout: how far past 200 ms.
    pub write_all: &'a [Duration],
    /// `write_all_by` with a 200 ms deadline: how far past it.
    pub write_deadline: &'a [Duration],
    /// A blocked reader seeing the peer's RST.
    pub rst: &'a [Duration],
    /// A connect to a port where nobody listens.
    pub refused: &'a [Duration],
}

/// CPython's figures, by the names `measure.py` prints.
struct Figures {
    version: String,
    read_timeout: Vec<Duration>,
    /// `settimeout(1)` and `settimeout(5)`: how late each fired.
    read_timeout_1s: Vec<Duration>,
    read_timeout_5s: Vec<Duration>,
    sendall: Vec<Duration>,
    rst: Vec<Duration>,
    refused: Vec<Duration>,
}

/// Measures CPython against `stall` and `refused` (the peers Rust used),
/// `runs` times per figure, and prints its figures and the comparison.
pub fn compare(runs: usize, parallel: usize, stall: SocketAddr, refused: SocketAddr, rust: &Rust) {
    say!();
    let figures = match measure(runs, parallel, stall, refused) {
        Ok(figures) => figures,
        Err(why) => {
            say!("CPython: not measured ({why})");
            return;
        }
    };
    // Read when the example is compiled; cargo rebuilds it when the variable changes.
    let rust_version = option_env!("RUSTC_VERSION").unwrap_or("Rust std (this build)");
    say!("CPython, same run, same peers: {runs} runs per figure; times in ms: min / median / max");
    say!("  versions: {rust_version}; CPython {}", figures.version);
    report("CPython: settimeout(0.2) overshoot", &figures.read_timeout);
    report("CPython: settimeout(1) overshoot", &figures.read_timeout_1s);
    report("CPython: settimeout(5) overshoot", &figures.read_timeout_5s);
    report("CPython: sendall past its 200 ms timeout", &figures.sendall);
    report("CPython: RST seen by a blocked reader", &figures.rst);
    report("CPython: connect refused", &figures.refused);
    say!();
    say!(
        "{:<34} {:>9} {:>15} {:>8} {:>15} {:>8}",
        "medians, ms",
        "CPython",
        "Rust per call",
        "ratio",
        "Rust deadline",
        "ratio"
    );
    row(
        "read, 200 ms timeout: late by",
        &figures.read_timeout,
        rust.read_timeout,
        Some(rust.read_deadline),
    );
    for ((timeout, per_call, deadline), cpython) in rust
        .long
        .iter()
        .zip([&figures.read_timeout_1s, &figures.read_timeout_5s])
    {
        row(
            &format!("read, {timeout:?} timeout: late by"),
            cpython,
            per_call,
            Some(deadline),
        );
    }
    row(
        "write, 200 ms budget: late by",
        &figures.sendall,
        rust.write_all,
        Some(rust.write_deadline),
    );
    row("RST seen by a blocked reader", &figures.rst, rust.rst, None);
    row("connect refused", &figures.refused, rust.refused, None);
    say!("  ratio: CPython's median divided by Rust's; below 1, CPython is quicker or less late");
    say!(
        "  read: settimeout(0.2) and set_read_timeout against the silent peer; read_exact_by's figure is"
    );
    say!(
        "    the one above (8 bytes from a peer dripping one per 150 ms, a 500 ms deadline); at 1 s"
    );
    say!("    and 5 s, read_exact_by against the silent peer with a deadline as long");
    say!(
        "  write: 64 MiB to a peer that never reads: sendall with settimeout(0.2), write_all with a"
    );
    say!("    200 ms write timeout, write_all_by with a 200 ms deadline");
}

/// One line of the comparison: CPython's median, Rust's, and their ratio.
fn row(label: &str, cpython: &[Duration], per_call: &[Duration], deadline: Option<&[Duration]>) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let ratio = |rust: Duration| {
        if rust.is_zero() {
            "-".to_string()
        } else {
            format!("{:.3}", median(cpython).as_secs_f64() / rust.as_secs_f64())
        }
    };
    let mut line = format!(
        "{label:<34} {:>9.3} {:>15.3} {:>8}",
        ms(median(cpython)),
        ms(median(per_call)),
        ratio(median(per_call))
    );
    if let Some(deadline) = deadline {
        let deadline = median(deadline);
        line.push_str(&format!(" {:>15.3} {:>8}", ms(deadline), ratio(deadline)));
    }
    say!("{line}");
}

/// Runs `measure.py` and reads its figures; the error says why not.
fn measure(
    runs: usize,
    parallel: usize,
    stall: SocketAddr,
    refused: SocketAddr,
) -> Result<Figures, String> {
    // -I: nothing from the current directory or the environment is imported
    // in place of the standard library; -S: no site packages, which the
    // script does not need.
    let child = Command::new("python3")
        .args(["-I", "-S", "-c", SCRIPT])
        .args(["--runs", &runs.to_string()])
        .args(["--parallel", &parallel.to_string()])
        .args(["--stall", &stall.to_string()])
        .args(["--refused", &refused.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("python3 not found on the PATH: {error}"))?;
    // The runs of settimeout(5) take 5 s each, ten at a time, and the rest
    // about a quarter of a second each: two seconds a run is generous.
    let runs_bound = u32::try_from(runs).unwrap_or(u32::MAX);
    let bound =
        Duration::from_secs(30).saturating_add(Duration::from_secs(2).saturating_mul(runs_bound));
    let (stdout, stderr) = finish(child, bound)?;
    parse(&stdout).ok_or_else(|| {
        let why = stderr.lines().last().unwrap_or("no figures printed");
        format!("measure.py failed: {why}")
    })
}

/// Waits for `child` to close its output, or kills it after `bound`.
fn finish(mut child: Child, bound: Duration) -> Result<(String, String), String> {
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_string(&mut text);
            }
            let _ = tx.send(text);
        });
        rx
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let out = stdout.recv_timeout(bound);
    let err = stderr.recv_timeout(Duration::from_secs(1));
    let _ = child.kill();
    let _ = child.wait();
    match out {
        Ok(out) => Ok((out, err.unwrap_or_default())),
        Err(_) => Err(format!(
            "measure.py took longer than {} s, and was stopped",
            bound.as_secs()
        )),
    }
}

/// Reads the lines `name value...` that `measure.py` prints.
fn parse(stdout: &str) -> Option<Figures> {
    let mut version = None;
    let (mut read_timeout, mut sendall, mut rst, mut refused) = (None, None, None, None);
    let (mut read_timeout_1s, mut read_timeout_5s) = (None, None);
    for line in stdout.lines() {
        let (name, rest) = line.split_once(' ')?;
        let samples = || -> Option<Vec<Duration>> {
            rest.split_whitespace()
                .map(|ms| {
                    ms.parse::<f64>()
                        .ok()
                        .and_then(|ms| Duration::try_from_secs_f64(ms / 1000.0).ok())
                })
                .collect()
        };
        match name {
            "version" => version = Some(rest.to_string()),
            "read_timeout_late" => read_timeout = samples(),
            "read_timeout_late_1s" => read_timeout_1s = samples(),
            "read_timeout_late_5s" => read_timeout_5s = samples(),
            "sendall_late" => sendall = samples(),
            "rst_seen" => rst = samples(),
            "connect_refused" => refused = samples(),
            // A figure this side does not know yet is left out.
            _ => {}
        }
    }
    Some(Figures {
        version: version?,
        read_timeout: read_timeout?,
        read_timeout_1s: read_timeout_1s?,
        read_timeout_5s: read_timeout_5s?,
        sendall: sendall?,
        rst: rst?,
        refused: refused?,
    })
}
