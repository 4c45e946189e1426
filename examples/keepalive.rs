//! The keep-alive race, measured: how many requests each fix for a stale
//! connection saves, against a server that closes an idle connection
//! (`idle-close`) and a load balancer that forgets an idle flow
//! (`idle-reset`).
//!
//! Each policy sends the same requests after the same idle gaps, drawn
//! from a seed, so the policies are compared on equal terms; the numbers
//! printed come from the run, and so does the conclusion built from them.
//!
//! Run it with `cargo run --example keepalive`.

mod common;

use common::say;

use std::collections::BTreeMap;
use std::io::{self, ErrorKind};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::{self, Scope, ScopedJoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reset_by_peer::except::narrate;
use reset_by_peer::peer::{Options, Peer, Script, ScriptTime};
use reset_by_peer::reuse::{Client, Policy, RequestError, Tally};

const NAME: &str = "keepalive";
const USAGE: &str = "\
usage: cargo run --example keepalive [-- [--requests N] [--idle-ms MS] [--seed N]]

Measures the fixes for the keep-alive race. A client keeps its connection
open between requests; the lab peer gives up on an idle connection, either
closing it (idle-close: FIN) or forgetting it (idle-reset: RST on the next
request). Five policies, each against both scripts, send the same requests
after the same idle gaps: naive reuse, a check before reuse, one retry on a
fresh connection, a client idle timeout of 0.8 times the server's limit, and
the check with the retry. For each script it prints the requests that
failed, the requests sent twice, the connections opened and the time spent
in requests, then what the numbers say. The ten series run at once, each
against a lab peer of its own, in about N times MS (10 s by default).

  --requests N   requests per policy and script, 10 to 100000 (default 200)
  --idle-ms MS   the server's idle limit in milliseconds, 10 to 60000
                 (default 50); each gap is drawn from 0.5 to 1.5 times it
  --seed N       the seed the gaps are drawn from, 0 to
                 18446744073709551615 (default: drawn from the clock, and
                 printed first, so that a run can be repeated)
  -h, --help     show this help
";

/// Requests per series when `--requests` is not given: the run's idle gaps
/// then take 200 times 50 ms, about 10 s.
const DEFAULT_REQUESTS: u64 = 200;
/// The fewest requests a run takes: fewer leave too few gaps to compare
/// anything.
const MIN_REQUESTS: u64 = 10;
/// The most requests `--requests` accepts.
const MAX_REQUESTS: u64 = 100_000;
/// The server's idle limit when `--idle-ms` is not given.
const DEFAULT_IDLE_MS: u64 = 50;
/// The shortest `--idle-ms`: below it, the lateness of a kernel timer (a
/// 4 ms tick at HZ=250 on Linux) would be a large part of every gap.
const MIN_IDLE_MS: u64 = 10;
/// The longest `--idle-ms`: the longest idle time a lab script takes.
const MAX_IDLE_MS: u64 = ScriptTime::MAX_MS as u64;
/// How long each step of a request (connect, send, receive) may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(2);
/// How often, at least, the run says how long it has been going.
const PROGRESS_EVERY: Duration = Duration::from_secs(2);
/// A drawn seed is below this, so that it is short enough to type again.
const DRAWN_SEEDS: u64 = 1_000_000;

/// The five policies, in the order of the tables.
#[derive(Clone, Copy)]
enum Fix {
    Naive,
    Check,
    Retry,
    IdleTimeout,
    CheckAndRetry,
}

const FIXES: [Fix; 5] = [
    Fix::Naive,
    Fix::Check,
    Fix::Retry,
    Fix::IdleTimeout,
    Fix::CheckAndRetry,
];

impl Fix {
    /// The policy, given the client idle timeout that `IdleTimeout` uses.
    fn policy(self, client_idle: Duration) -> Policy {
        match self {
            Fix::Naive => Policy::NAIVE,
            Fix::Check => Policy {
                check: true,
                ..Policy::NAIVE
            },
            Fix::Retry => Policy {
                retry: true,
                ..Policy::NAIVE
            },
            Fix::IdleTimeout => Policy {
                idle_timeout: Some(client_idle),
                ..Policy::NAIVE
            },
            Fix::CheckAndRetry => Policy::CHECK_AND_RETRY,
        }
    }

    fn name(self, client_idle: Duration) -> String {
        match self {
            Fix::Naive => "naive reuse".to_string(),
            Fix::Check => "check before reuse".to_string(),
            Fix::Retry => "retry once".to_string(),
            Fix::IdleTimeout => format!("client idle timeout {}", ms(client_idle)),
            Fix::CheckAndRetry => "check and retry".to_string(),
        }
    }
}

/// What the command line asked for.
struct Run {
    requests: u64,
    idle_ms: u64,
    seed: u64,
}

fn main() {
    let mut args = common::Args::from_env(NAME, USAGE);
    let mut run = Run {
        requests: DEFAULT_REQUESTS,
        idle_ms: DEFAULT_IDLE_MS,
        seed: seed_from_clock(),
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--requests" => run.requests = args.number("--requests", MIN_REQUESTS..=MAX_REQUESTS),
            "--idle-ms" => run.idle_ms = args.number("--idle-ms", MIN_IDLE_MS..=MAX_IDLE_MS),
            "--seed" => run.seed = args.number("--seed", 0..=u64::MAX),
            _ => args.unknown(&arg),
        }
    }
    common::finish(NAME, measure(&run));
}

/// A seed that differs from run to run; any value will do, since it is
/// printed and can be given back with `--seed`.
fn seed_from_clock() -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    (u64::from(now.subsec_nanos()) ^ now.as_secs()) % DRAWN_SEEDS
}

/// splitmix64 (Steele, Lea and Flood, 2014): a tiny generator of
/// well-spread numbers, plenty for drawing idle gaps, and no cryptography.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The idle gap before each request but the first, drawn uniformly from
/// 0.5 to 1.5 times the server's idle limit, to the microsecond.
fn draw_gaps(run: &Run) -> Vec<Duration> {
    let mut random = SplitMix64(run.seed);
    let idle_us = run.idle_ms * 1000;
    (1..run.requests)
        // The remainder is uniform to within one part in 10^11: the
        // generator's range is that much larger than the gaps'.
        .map(|_| Duration::from_micros(idle_us / 2 + random.next() % (idle_us + 1)))
        .collect()
}

/// One policy's run against one script.
#[derive(Default)]
struct Series {
    failed: usize,
    tally: Tally,
    /// Time spent in requests (connects, sends, receives, retries), the
    /// idle gaps left out: they are the same for every policy.
    busy: Duration,
    /// Each way a request failed, with how many failed so.
    failures: BTreeMap<String, usize>,
}

/// The five series run against one script.
struct Measured {
    script: Script,
    naive: Series,
    check: Series,
    retry: Series,
    idle_timeout: Series,
    both: Series,
}

impl Measured {
    fn rows(&self) -> [(Fix, &Series); 5] {
        [
            (Fix::Naive, &self.naive),
            (Fix::Check, &self.check),
            (Fix::Retry, &self.retry),
            (Fix::IdleTimeout, &self.idle_timeout),
            (Fix::CheckAndRetry, &self.both),
        ]
    }
}

fn measure(run: &Run) -> io::Result<()> {
    let started = Instant::now();
    let server_idle = Duration::from_millis(run.idle_ms);
    // The client idle timeout is shorter than the server's limit by a fifth:
    // this client is told the server's limit, which a real one rarely is.
    let client_idle = server_idle * 4 / 5;
    let gaps = draw_gaps(run);
    introduce(run, &gaps, client_idle);
    let idle = ScriptTime::new(run.idle_ms)?;
    let scripts = [Script::IdleClose(idle), Script::IdleReset(idle)];
    let measured = thread::scope(|scope| run_all(scope, scripts, &gaps, client_idle))?;
    for one in &measured {
        table(one, client_idle);
    }
    say!();
    say!("What the numbers say (every request here is a GET, safe to repeat):");
    let terms = Terms {
        requests: run.requests,
        client_idle,
        healthy_dropped: gaps
            .iter()
            .filter(|gap| (client_idle..server_idle).contains(*gap))
            .count(),
    };
    for one in &measured {
        conclude(one, &terms);
    }
    if let [closed, forgotten] = &measured[..] {
        sum_up(closed, forgotten);
    }
    say!();
    say!(
        "The whole run took {:.1} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn introduce(run: &Run, gaps: &[Duration], client_idle: Duration) {
    let Run {
        requests,
        idle_ms,
        seed,
    } = run;
    say!(
        "keepalive: seed {seed}; to run it again: cargo run --example keepalive -- --requests {requests} --idle-ms {idle_ms} --seed {seed}"
    );
    say!(
        "{requests} requests per policy; before each but the first, the kept connection sits idle for a gap drawn from {} to {} (0.5 to 1.5 times the server's idle limit of {idle_ms} ms).",
        ms(Duration::from_micros(idle_ms * 500)),
        ms(Duration::from_micros(idle_ms * 1500)),
    );
    let first: Vec<String> = gaps.iter().take(5).map(|gap| ms(*gap)).collect();
    if !first.is_empty() {
        say!(
            "Every policy gets the same gaps; the first are {}.",
            first.join(", ")
        );
    }
    say!(
        "The client idle timeout is {}, 0.8 times the server's limit, which this client is told.",
        ms(client_idle)
    );
    let idle_total: Duration = gaps.iter().sum();
    say!(
        "Ten series at once, each against a lab peer of its own; the gaps alone take {:.1} s.",
        idle_total.as_secs_f64()
    );
}

/// Runs every policy against every script, each series in a thread of its
/// own with a lab peer of its own, since each spends its time idle.
fn run_all<'scope>(
    scope: &'scope Scope<'scope, '_>,
    scripts: [Script; 2],
    gaps: &'scope [Duration],
    client_idle: Duration,
) -> io::Result<Vec<Measured>> {
    let (finished, each_finish) = mpsc::channel();
    let mut started = Vec::new();
    for script in scripts {
        let mut handles = Vec::new();
        for fix in FIXES {
            let policy = fix.policy(client_idle);
            let finished = finished.clone();
            let handle = thread::Builder::new()
                .name(format!("{script}, {}", fix.name(client_idle)))
                .spawn_scoped(scope, move || {
                    let series = run_series(script, policy, gaps);
                    // The receiver may be gone if the main thread failed.
                    let _ = finished.send(());
                    series
                })?;
            handles.push(handle);
        }
        started.push((script, handles));
    }
    // Only the threads hold a sender now: when they have all ended, the
    // channel says so.
    drop(finished);
    show_progress(&each_finish, gaps.iter().sum());
    let mut measured = Vec::new();
    for (script, handles) in started {
        // One handle per fix, in the order of FIXES.
        let Ok([naive, check, retry, idle_timeout, both]) = <[_; 5]>::try_from(handles) else {
            return Err(io::Error::other("a series is missing"));
        };
        measured.push(Measured {
            script,
            naive: join(naive)?,
            check: join(check)?,
            retry: join(retry)?,
            idle_timeout: join(idle_timeout)?,
            both: join(both)?,
        });
    }
    Ok(measured)
}

/// Waits until every series has finished, printing how long it has been
/// now and then: a reader sees the run is alive, and a reader who has gone
/// (`| head -n 1`) ends it then, rather than at the end of the run.
fn show_progress(each_finish: &mpsc::Receiver<()>, expected: Duration) {
    let every = (expected / 5).max(PROGRESS_EVERY);
    // The first line comes sooner, so that a reader who has gone is seen
    // within a second.
    let mut wait = every.min(Duration::from_secs(1));
    let started = Instant::now();
    // Each pass either counts a finished series or prints a line; the
    // series end when their requests do, so the waiting ends too.
    loop {
        match each_finish.recv_timeout(wait) {
            Ok(()) => {}
            Err(RecvTimeoutError::Timeout) => {
                say!(
                    "  ... {:.0} s of about {:.0} s",
                    started.elapsed().as_secs_f64(),
                    expected.as_secs_f64()
                );
                wait = every;
            }
            // Every thread has ended, and dropped its sender.
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

fn join(handle: ScopedJoinHandle<'_, io::Result<Series>>) -> io::Result<Series> {
    handle
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("a series stopped: its thread panicked")))
}

/// One policy against one script: the same requests after the same gaps.
fn run_series(script: Script, policy: Policy, gaps: &[Duration]) -> io::Result<Series> {
    // The peer's own idle limit, which ends any connection on which nothing
    // moves, must outlast the longest gap (1.5 times the script's), or it
    // would close the kept connections itself, under either script.
    let longest = gaps.iter().max().copied().unwrap_or_default();
    let options = Options {
        idle: Options::default().idle.max(longest * 2),
        ..Options::default()
    };
    let peer = Peer::start_with(script, options)?;
    let mut client = Client::new(peer.addr(), STEP_TIMEOUT);
    let mut series = Series::default();
    // The first request opens the connection; each gap comes before the
    // next request.
    let before_each = std::iter::once(Duration::ZERO).chain(gaps.iter().copied());
    for (n, gap) in before_each.enumerate() {
        // This sleep is the idleness itself: the kept connection sits unused.
        thread::sleep(gap);
        let request = format!("GET /{n}");
        let sent = Instant::now();
        let result = client.request_with(policy, request.as_bytes(), true);
        series.busy += sent.elapsed();
        if let Err(failed) = result {
            series.failed += 1;
            *series.failures.entry(describe(&failed)).or_default() += 1;
        }
    }
    series.tally = client.tally();
    Ok(series)
}

/// How a request failed, in a line: the step, the connection, the error.
fn describe(failed: &RequestError) -> String {
    let connection = if failed.reused { "a reused" } else { "a new" };
    // The end of the stream is no error to the socket: Python's recv
    // returns b'' and Rust's read Ok(0). It only fails the request.
    if failed.error.kind() == ErrorKind::UnexpectedEof {
        return format!(
            "the {} on {connection} connection got the end of the stream (read returned Ok(0); Python's recv returns b'')",
            failed.step
        );
    }
    format!(
        "the {} on {connection} connection failed: {}",
        failed.step,
        narrate(&failed.error)
    )
}

fn table(measured: &Measured, client_idle: Duration) {
    say!();
    say!("{}, {}:", measured.script, what_it_does(measured.script));
    say!(
        "  {:<30}{:>8}{:>13}{:>14}{:>19}",
        "policy",
        "failed",
        "sent twice",
        "connections",
        "time in requests"
    );
    for (fix, series) in measured.rows() {
        say!(
            "  {:<30}{:>8}{:>13}{:>14}{:>19}",
            fix.name(client_idle),
            series.failed,
            series.tally.retried,
            series.tally.opened,
            ms(series.busy)
        );
    }
    for (fix, series) in measured.rows() {
        for (how, count) in &series.failures {
            say!("  {}, {count} failed: {how}", fix.name(client_idle));
        }
    }
}

fn what_it_does(script: Script) -> &'static str {
    match script {
        Script::IdleClose(_) => "a server that closes an idle connection (FIN)",
        _ => "a load balancer that forgets an idle flow (RST on the next request)",
    }
}

/// What the conclusion needs besides the numbers of each series.
struct Terms {
    requests: u64,
    client_idle: Duration,
    /// Gaps longer than the client idle timeout but within the server's
    /// limit: connections the idle timeout drops while they are healthy.
    healthy_dropped: usize,
}

/// What happened against one script, in sentences built from its numbers.
fn conclude(measured: &Measured, terms: &Terms) {
    let Measured {
        script,
        naive,
        retry,
        ..
    } = measured;
    say!(
        "- {script}: naive reuse failed {} of {} requests.",
        naive.failed,
        terms.requests
    );
    if retry.tally.retried > naive.failed {
        say!(
            "  It met fewer stale connections than the retry did ({}): it drops a connection that failed, so the request after each failure starts on a new one.",
            retry.tally.retried
        );
    }
    say!("  {}.", check_did(measured));
    say!(
        "  The retry {}, sending {} twice.",
        effect(naive.failed, retry.failed),
        plural(retry.tally.retried, "request")
    );
    say!("  {}.", idle_timeout_did(measured, terms));
    say!(
        "  Check and retry {}, sending {} twice where the retry alone sent {}.",
        effect(naive.failed, measured.both.failed),
        plural(measured.both.tally.retried, "request"),
        retry.tally.retried
    );
}

/// What the check before reuse did against one script, and why.
fn check_did(measured: &Measured) -> String {
    let check = &measured.check;
    let found = check.tally.found_stale;
    let why = match (measured.script, check.failed) {
        (_, 0) => "",
        (Script::IdleClose(_), _) if found > 0 => {
            ": the server's FIN reached their connections just after the check, while the request was on its way (the lab peer acts on its idle limit a little late, as a kernel timer fires on Linux, and a request that arrives in between is answered with the close; across a network, the FIN's travel time widens that window)"
        }
        (Script::IdleClose(_), _) => ": no FIN had reached their connections when the check looked",
        _ => ": a forgotten flow sends nothing until the client sends, so there is nothing to see",
    };
    // Its caught connections are the measure: naive reuse's failures are
    // no exact baseline, since after each one it starts afresh.
    let caught = match found {
        0 => "caught no closed connection".to_string(),
        found => format!(
            "caught {} before sending on them",
            plural(found, "closed connection")
        ),
    };
    format!(
        "The check before reuse {caught}, and {} failed (naive reuse: {}){why}",
        plural(check.failed, "request"),
        measured.naive.failed
    )
}

/// What the client idle timeout did against one script, and at what cost.
fn idle_timeout_did(measured: &Measured, terms: &Terms) -> String {
    let series = &measured.idle_timeout;
    format!(
        "The client idle timeout of {} {}, and opened {} where naive reuse opened {}: it dropped {} unused, about {} of them (by their gaps) still healthy",
        ms(terms.client_idle),
        effect(measured.naive.failed, series.failed),
        plural(series.tally.opened, "connection"),
        measured.naive.tally.opened,
        series.tally.expired,
        terms.healthy_dropped
    )
}

/// What a fix did to the failures of naive reuse, as the end of a sentence.
fn effect(naive: usize, fixed: usize) -> String {
    match (naive, fixed) {
        (0, 0) => "had no failure to remove".to_string(),
        (_, 0) => "removed every failure".to_string(),
        (naive, fixed) if fixed >= naive => format!("removed no failure ({fixed} failed)"),
        (naive, fixed) => format!(
            "removed {}; {fixed} still failed",
            plural(naive - fixed, "failure")
        ),
    }
}

/// `count` and `noun`, with an `s` unless there is exactly one.
fn plural(count: usize, noun: &str) -> String {
    match count {
        1 => format!("1 {noun}"),
        count => format!("{count} {noun}s"),
    }
}

/// The lessons of both scripts together, each stated only as far as this
/// run's numbers bear it out.
fn sum_up(closed: &Measured, forgotten: &Measured) {
    say!("In short:");
    check_lesson(closed, forgotten);
    retry_lesson(closed, forgotten);
    let avoided = closed.naive.failed + forgotten.naive.failed;
    let still = closed.idle_timeout.failed + forgotten.idle_timeout.failed;
    let outcome = if avoided == 0 {
        format!("met no failure of naive reuse to avoid, and {still} of its own failed")
    } else if still >= avoided {
        format!("left {still} failed where naive reuse had {avoided}")
    } else {
        format!(
            "turned {} of naive reuse into {still}, because it was set below the server's limit, which this client was told",
            plural(avoided, "failure")
        )
    };
    say!(
        "- The client idle timeout {outcome}. A real client rarely knows that limit: an HTTP server may announce its own (Keep-Alive: timeout=N, which undici reads, less its keepAliveTimeoutThreshold), but a TCP load balancer in between has no way to announce its own."
    );
    cost_lesson(closed, forgotten);
}

fn check_lesson(closed: &Measured, forgotten: &Measured) {
    let race = match (closed.check.failed, closed.check.tally.found_stale) {
        (0, _) => {
            "in this run no FIN came just after it (try another seed, or more requests)".to_string()
        }
        (failed, 0) => format!(
            "no FIN had reached a connection yet whenever it looked, and {} failed",
            plural(failed, "request")
        ),
        (1, _) => "it lost the race once, when the FIN came just after it".to_string(),
        (raced, _) => format!("it lost the race {raced} times, when the FIN came just after it"),
    };
    let unseen = match forgotten.check.tally.found_stale {
        0 => format!(
            "it saw no forgotten flow ({} failed against {} all the same)",
            plural(forgotten.check.failed, "request"),
            forgotten.script
        ),
        found => format!(
            "it found {} dead against {}",
            plural(found, "connection"),
            forgotten.script
        ),
    };
    say!(
        "- The check sees a FIN that has arrived ({} here); {race}; {unseen}.",
        closed.check.tally.found_stale
    );
}

fn retry_lesson(closed: &Measured, forgotten: &Measured) {
    let retried = closed.retry.tally.retried + forgotten.retry.tally.retried;
    let left = closed.retry.failed + forgotten.retry.failed;
    say!(
        "- The retry left {left} failed by sending {} twice, which it may do only because each was safe to repeat: a request that is not (a POST that charges a card) is not sent again, so up to {retried} such requests would have failed.",
        plural(retried, "request")
    );
    if forgotten.check.tally.found_stale == 0 && forgotten.retry.tally.retried > 0 {
        say!(
            "  So against a forgotten flow, a request that is not safe to repeat is saved neither by the check (it found nothing) nor by the retry (it may not send it again)."
        );
    }
}

/// What the fixes cost, in connections and time, both scripts together.
fn cost_lesson(closed: &Measured, forgotten: &Measured) {
    let both = |pick: fn(&Measured) -> &Series| {
        let (one, other) = (pick(closed), pick(forgotten));
        (
            one.tally.opened + other.tally.opened,
            ms(one.busy + other.busy),
        )
    };
    let (naive, naive_busy) = both(|m| &m.naive);
    let (timeout, timeout_busy) = both(|m| &m.idle_timeout);
    let (fixed, fixed_busy) = both(|m| &m.both);
    say!(
        "- The cost: naive reuse opened {naive} connections, check and retry {fixed}, the client idle timeout {timeout}; on loopback that took {naive_busy}, {fixed_busy} and {timeout_busy} in requests, but across a network each new connection adds at least a round trip before its request can go out."
    );
}

/// A duration in milliseconds, to a tenth.
fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}
