//! The figures themselves: each function measures one run of one scenario
//! against the lab peer, and returns how long it took or how late it was.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::common::say;
use reset_by_peer::heartbeat::{Config, Event, Verdict, watch};
use reset_by_peer::peer::{MIN_PACE_MS, Peer, Script, ScriptTime};
use reset_by_peer::timeout::{Deadline, again_if_interrupted, read_exact_by, write_all_by};

/// The read timeout whose overshoot is measured.
pub const READ_TIMEOUT: Duration = Duration::from_millis(200);

/// The total a caller allows for reading 8 bytes from a dripping peer.
pub const READ_BUDGET: Duration = Duration::from_millis(500);

/// The total a caller allows for writing to a peer that never reads.
pub const WRITE_BUDGET: Duration = Duration::from_millis(200);

/// How long the CPU figure watches a live peer.
pub const WATCH_FOR: Duration = Duration::from_secs(2);

/// The bound on any wait that only a bug would make long.
pub const BOUND: Duration = Duration::from_secs(5);

pub fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, BOUND)?;
    stream.set_read_timeout(Some(BOUND))?;
    stream.set_write_timeout(Some(BOUND))?;
    Ok(stream)
}

/// How many times a run whose one timer a stop cut short is made again.
const TRIES_WHEN_STOPPED: usize = 5;

/// How late a 200 ms read timeout fires against a silent peer.
///
/// On Linux a stop and continue (Ctrl-Z, then fg) ends the read early with
/// Interrupted (signal(7)); read again, and the lateness measured would be
/// that of a second, shorter timer. So that run is made again, from the
/// start; if every try is cut short, the figure is not measured.
pub fn read_timeout_overshoot(stall: SocketAddr, timeout: Duration) -> io::Result<Duration> {
    for _ in 0..TRIES_WHEN_STOPPED {
        let mut stream = connect(stall)?;
        stream.set_read_timeout(Some(timeout))?;
        let started = Instant::now();
        match stream.read(&mut [0u8; 16]) {
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Ok(started.elapsed().saturating_sub(timeout)),
            Ok(n) => return Err(io::Error::other(format!("the stalled peer sent {n} bytes"))),
        }
    }
    Err(io::Error::other(format!(
        "a stop and continue (Ctrl-Z, then fg) cut {TRIES_WHEN_STOPPED} runs of the {timeout:?} read timeout short: measure it undisturbed"
    )))
}

/// How late `read_exact_by` ends against a silent peer, past a deadline as
/// long as a per-call timeout: the same wait, kept in short steps.
pub fn deadline_silence_overshoot(stall: SocketAddr, deadline: Duration) -> io::Result<Duration> {
    let mut stream = connect(stall)?;
    let started = Instant::now();
    match read_exact_by(&mut stream, &mut [0u8; 16], Deadline::after(deadline)) {
        Err(stopped) if stopped.error.kind() == io::ErrorKind::TimedOut => {
            Ok(started.elapsed().saturating_sub(deadline))
        }
        Err(stopped) => Err(stopped.into()),
        Ok(()) => Err(io::Error::other("the stalled peer sent 16 bytes")),
    }
}

/// How long after the peer's close a reader blocked in `read` returns:
/// with an RST if `reset` (our byte left unread), else with a FIN.
pub fn blocked_reader_sees(reset: bool) -> io::Result<Duration> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let mut client = connect(listener.local_addr()?)?;
    let (server, _) = listener.accept()?;
    server.set_read_timeout(Some(BOUND))?;
    if reset {
        client.write_all(b"x")?;
        // Wait until our byte is in the server's queue, unread.
        again_if_interrupted(Deadline::after(BOUND), |wait| {
            server.set_read_timeout(Some(wait))?;
            server.peek(&mut [0u8; 1])
        })?;
    }
    let (ready, reading) = mpsc::channel();
    let reader = thread::spawn(move || {
        let _ = ready.send(());
        // A stop and continue would end the wait early: wait on.
        let result = again_if_interrupted(Deadline::after(BOUND), |wait| {
            client.set_read_timeout(Some(wait))?;
            client.read(&mut [0u8; 16])
        });
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

pub fn refused_latency(addr: SocketAddr) -> io::Result<Duration> {
    let started = Instant::now();
    match TcpStream::connect_timeout(&addr, BOUND) {
        Err(error) if error.kind() == io::ErrorKind::ConnectionRefused => Ok(started.elapsed()),
        Err(error) => Err(error),
        Ok(_) => Err(io::Error::other("somebody listens on the refused address")),
    }
}

/// How far past the budget a plain `read_exact` runs, with the budget as
/// its per-call timeout.
pub fn plain_read_overrun(drip: SocketAddr) -> io::Result<Duration> {
    let mut stream = connect(drip)?;
    stream.set_read_timeout(Some(READ_BUDGET))?;
    let started = Instant::now();
    stream.read_exact(&mut [0u8; 8])?;
    Ok(started.elapsed().saturating_sub(READ_BUDGET))
}

pub fn deadline_read_overshoot(drip: SocketAddr) -> io::Result<Duration> {
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

pub fn plain_write_overrun(data: &[u8]) -> io::Result<Duration> {
    let (_listener, mut stream) = never_reading()?;
    stream.set_write_timeout(Some(WRITE_BUDGET))?;
    let started = Instant::now();
    match stream.write_all(data) {
        Err(_) => Ok(started.elapsed().saturating_sub(WRITE_BUDGET)),
        Ok(()) => Err(io::Error::other("64 MiB fitted in the socket buffers")),
    }
}

pub fn deadline_write_overshoot(data: &[u8]) -> io::Result<Duration> {
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
pub fn heartbeat_detection(silent: SocketAddr, config: &Config) -> io::Result<Duration> {
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
pub fn watch_cpu() -> io::Result<Option<f64>> {
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

/// The CPU the process used, as a share of one core, while a lab peer
/// dripped at its fastest (`MIN_PACE_MS`) to 64 clients that never read,
/// over two seconds; None where /proc is missing.
pub fn drip_cpu() -> io::Result<Option<f64>> {
    let Some(tick) = clock_tick() else {
        say!("\nCPU of the fastest drip: not measured (no /proc or getconf here)");
        return Ok(None);
    };
    let fastest = ScriptTime::new(u64::from(MIN_PACE_MS))?;
    let peer = Peer::start(Script::Drip(fastest))?;
    let clients = (0..64)
        .map(|_| connect(peer.addr()))
        .collect::<io::Result<Vec<_>>>()?;
    // Every connection is dripping by the time the peer counts it.
    peer.wait_accepted(64, Duration::from_secs(5))?;
    let Some(before) = cpu_ticks("self") else {
        return Ok(None);
    };
    let started = Instant::now();
    // The drip is the work measured: this sleep is the time it runs for.
    thread::sleep(Duration::from_secs(2));
    let (Some(after), wall) = (cpu_ticks("self"), started.elapsed()) else {
        return Ok(None);
    };
    drop(clients);
    let share = (after.saturating_sub(before) as f64 * tick.as_secs_f64()) / wall.as_secs_f64();
    say!(
        "\nCPU of drip:{MIN_PACE_MS} to 64 clients that never read, over {:.1} s: {:.1}% of one core",
        wall.as_secs_f64(),
        share * 100.0
    );
    say!("  each byte is a wake-up and a send; a faster drip is refused (MIN_PACE_MS)");
    Ok(Some(share))
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
