//! Every example's command line: `--help` exits 0, bad usage exits 2 with
//! one line on stderr, a failure at run time exits 1, a closed stdout ends
//! an example quietly, and nothing panics. Every test listens on loopback.

use crate::support;

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener};
use std::process::Child;
use std::sync::mpsc;
use std::thread;

use crate::support::{BOUND, Ran, finish, run_example, spawn_example};
use assert_matches::assert_matches;
use reset_by_peer::exchange::{Response, exchange};
use reset_by_peer::peer::{CATALOGUE, Peer, Script, refused_addr};

/// The name of every example, read from the `examples` folder so that a new
/// example is covered without editing this list: `examples/NAME.rs`, or a
/// folder `examples/NAME/` with a `main.rs`, as cargo finds them.
fn examples() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension().is_some_and(|ext| ext == "rs") || path.join("main.rs").exists()
        })
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    names
}

/// A usage error: exit 2, one line on stderr pointing at --help, no panic.
fn assert_usage_error(ran: &Ran) {
    assert_eq!(ran.status.code(), Some(2), "stderr: {}", ran.stderr);
    assert_eq!(ran.stderr.lines().count(), 1, "stderr: {}", ran.stderr);
    assert!(ran.stderr.contains("--help"), "stderr: {}", ran.stderr);
    assert!(!ran.stderr.contains("panicked"), "stderr: {}", ran.stderr);
}

#[test]
fn help_prints_usage_and_the_exit_statuses_and_exits_0() {
    for name in examples() {
        let ran = run_example(&name, &["--help"], BOUND);
        assert_eq!(ran.status.code(), Some(0), "{name}");
        assert!(ran.stdout.starts_with("usage:"), "{name}: {}", ran.stdout);
        assert!(
            ran.stdout
                .contains("Exit status: 0 on success, 1 on a failure while running"),
            "{name}: {}",
            ran.stdout
        );
        assert!(ran.stderr.is_empty(), "{name}: {}", ran.stderr);
    }
}

/// The arguments that make an example quick when run for its output.
fn quick_args(name: &str) -> &'static [&'static str] {
    match name {
        "measure" => &["--runs", "1"],
        // The progress board runs cargo for every exercise; a hint is its
        // quick way to print.
        "exercises" => &["--hint", "1"],
        _ => &[],
    }
}

/// Runs an example with `args` and its stdout closed before it writes: its
/// first line meets a broken pipe, as `example | head -n 0` would.
fn run_with_stdout_closed(name: &str, args: &[&str]) -> Ran {
    let mut child = spawn_example(name, args);
    drop(child.stdout.take());
    finish(child, BOUND)
}

/// Runs `run` for every example side by side (they spend their time
/// starting up and waiting), and returns each name with its result.
fn for_every_example(run: impl Fn(&str) -> Ran + Sync) -> Vec<(String, Ran)> {
    let names = examples();
    std::thread::scope(|scope| {
        let runs: Vec<_> = names
            .iter()
            .map(|name| scope.spawn(|| (name.clone(), run(name))))
            .collect();
        runs.into_iter().map(|run| run.join().unwrap()).collect()
    })
}

#[test]
fn every_example_stops_quietly_when_its_stdout_is_closed() {
    for (name, ran) in for_every_example(|name| run_with_stdout_closed(name, quick_args(name))) {
        assert_eq!(ran.status.code(), Some(0), "{name}: {}", ran.stderr);
        assert!(ran.stderr.is_empty(), "{name}: {}", ran.stderr);
    }
}

#[test]
fn help_survives_a_closed_stdout() {
    for (name, ran) in for_every_example(|name| run_with_stdout_closed(name, &["--help"])) {
        assert_eq!(ran.status.code(), Some(0), "{name}: {}", ran.stderr);
        assert!(ran.stderr.is_empty(), "{name}: {}", ran.stderr);
    }
}

#[test]
fn an_unknown_flag_prints_one_line_and_exits_2() {
    for (_, ran) in for_every_example(|name| run_example(name, &["--no-such-flag"], BOUND)) {
        assert_usage_error(&ran);
    }
}

#[test]
fn a_flag_without_its_value_prints_one_line_and_exits_2() {
    assert_usage_error(&run_example("exchange", &["--addr"], BOUND));
    assert_usage_error(&run_example("peer", &["echo", "--connections"], BOUND));
    assert_usage_error(&run_example("retry", &["--attempts"], BOUND));
}

#[test]
fn bad_values_print_one_line_and_exit_2() {
    for args in [
        &["--addr", "not an address"][..],
        &["--addr", "localhost"],
        &["--addr", ":80"],
        &["--addr", "localhost:0"],
        &["--addr", "localhost:65536"],
    ] {
        assert_usage_error(&run_example("exchange", args, BOUND));
    }
    for args in [
        &["nope"][..],
        &["flaky"],
        &["flaky:x"],
        &["flaky:4294967296"],
        &["drip:0"],
        &["drip:60001"],
        &["drip:18446744073709551615999"],
        &["silent-after:-1"],
        &["echo", "reset"],
        &["echo", "--listen", "nowhere"],
        &["echo", "--listen", "127.0.0.1:99999"],
        &["echo", "--upstream"],
        &["echo", "--upstream", "127.0.0.1:0"],
        &["echo", "--upstream", "127.0.0.1:65536"],
    ] {
        assert_usage_error(&run_example("peer", args, BOUND));
    }
}

#[test]
fn peer_refuses_a_script_that_makes_no_sense_as_a_relay_with_one_line_saying_why() {
    let ran = run_example("peer", &["--help"], BOUND);
    assert!(
        ran.stdout.contains("--upstream ADDR") && ran.stdout.contains("PORT: 1 to 65535"),
        "{}",
        ran.stdout
    );
    let listen = ["--listen", "127.0.0.1:0"];
    // Refused before any connect; an address where nobody listens all the same.
    let upstream = refused_addr().unwrap().to_string();
    for (args, why) in [
        (
            &["heartbeat", "--upstream", &upstream][..],
            "makes no sense as a relay",
        ),
        (
            &["close", "--upstream", &upstream],
            "makes no sense as a relay",
        ),
        (&["reset-after:5"], "needs an upstream"),
    ] {
        let all: Vec<&str> = args.iter().chain(&listen).copied().collect();
        let ran = run_example("peer", &all, BOUND);
        assert_usage_error(&ran);
        assert!(ran.stderr.contains(why), "{args:?}: {}", ran.stderr);
    }
}

/// Every number on an example's command line (but the exercises', which
/// take none): the example, the arguments before it, its flag, its range.
const NUMBERS: [(&str, &[&str], &str, u64, u64); 10] = [
    ("measure", &[], "--runs", 1, 1000),
    ("retry", &[], "--attempts", 1, 100),
    ("retry", &[], "--delay-ms", 0, 60_000),
    ("peer", &["echo"], "--connections", 1, 4_294_967_295),
    ("peer", &["echo"], "--max-clients", 1, 512),
    ("peer", &["echo"], "--idle-ms", 1, 3_600_000),
    ("peer", &["reset"], "--chance", 1, 100),
    (
        "reuse",
        &["--addr", "127.0.0.1:9"],
        "--idle-ms",
        0,
        3_600_000,
    ),
    ("keepalive", &[], "--requests", 10, 100_000),
    ("keepalive", &[], "--idle-ms", 10, 60_000),
];

#[test]
fn every_number_outside_its_range_exits_2_with_one_line_naming_the_range() {
    for (name, before, flag, low, high) in NUMBERS {
        let range = format!("from {low} to {high}");
        let below = low.checked_sub(1).map(|n| n.to_string());
        let above = (high + 1).to_string();
        let bad = ["-1", "18446744073709551615999", "many", "", "1e3", &above];
        for value in bad.into_iter().chain(below.as_deref()) {
            let args: Vec<&str> = before.iter().copied().chain([flag, value]).collect();
            let ran = run_example(name, &args, BOUND);
            assert_usage_error(&ran);
            assert!(
                ran.stderr.contains(&range),
                "{name} {args:?}: {}",
                ran.stderr
            );
        }
        let args: Vec<&str> = before.iter().copied().chain([flag]).collect();
        assert_usage_error(&run_example(name, &args, BOUND));
    }
}

#[test]
fn every_number_states_its_range_in_help() {
    for (name, _, flag, low, high) in NUMBERS {
        let ran = run_example(name, &["--help"], BOUND);
        let line = ran
            .stdout
            .lines()
            .skip_while(|line| !line.trim_start().starts_with(flag))
            .take(3)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            line.contains(&format!("{low} to {high}")),
            "{name} {flag}: {line}"
        );
    }
    // A port is a number too.
    for name in examples() {
        let ran = run_example(&name, &["--help"], BOUND);
        if ran.stdout.contains("--addr") {
            assert!(ran.stdout.contains("PORT: 1 to 65535"), "{name}");
        }
    }
    let ran = run_example("peer", &["--help"], BOUND);
    assert!(
        ran.stdout.contains("PORT from 0 to 65535"),
        "{}",
        ran.stdout
    );
    let ran = run_example("errno", &["--help"], BOUND);
    assert!(ran.stdout.contains("1 to 2147483647"), "{}", ran.stdout);
    let ran = run_example("peer", &[], BOUND);
    for range in ["1 to 60000", "0 to 4294967295"] {
        assert!(ran.stdout.contains(range), "{}", ran.stdout);
    }
}

#[test]
fn a_name_that_does_not_resolve_is_a_failure_at_run_time_exit_1() {
    for (name, args) in [
        ("exchange", &["--addr", "nosuch.invalid:80"][..]),
        ("peer", &["echo", "--listen", "nosuch.invalid:80"]),
    ] {
        let ran = run_example(name, args, BOUND);
        assert_eq!(ran.status.code(), Some(1), "{name}: {}", ran.stderr);
        assert_eq!(ran.stderr.lines().count(), 1, "{name}: {}", ran.stderr);
        assert!(!ran.stderr.contains("--help"), "{name}: {}", ran.stderr);
    }
}

#[test]
fn errno_refuses_bad_input_with_one_line() {
    for arg in ["abc", "EBANANA", "0", "-5", "99999999999", "1e3"] {
        assert_usage_error(&run_example("errno", &[arg], BOUND));
    }
    for arg in ["0", "-5", "99999999999", "1e3"] {
        let ran = run_example("errno", &[arg], BOUND);
        assert!(
            ran.stderr.contains("from 1 to 2147483647"),
            "{}",
            ran.stderr
        );
    }
    assert_usage_error(&run_example("errno", &["54", "104"], BOUND));
}

#[test]
fn errno_54_and_104_name_both_meanings() {
    let ran = run_example("errno", &["54"], BOUND);
    assert_eq!(ran.status.code(), Some(0));
    assert!(
        ran.stdout.contains("EXFULL") && ran.stdout.contains("ECONNRESET"),
        "{}",
        ran.stdout
    );
    let ran = run_example("errno", &["104"], BOUND);
    assert_eq!(ran.status.code(), Some(0));
    assert!(
        ran.stdout.contains("ENOTRECOVERABLE") && ran.stdout.contains("ECONNRESET"),
        "{}",
        ran.stdout
    );
    let ran = run_example("errno", &["wsaeconnreset"], BOUND);
    assert_eq!(ran.status.code(), Some(0));
    assert!(ran.stdout.contains("10054"), "{}", ran.stdout);
}

#[test]
fn except_runs_its_snippet_against_the_server_given_with_addr() {
    if support::skip_on_wine(
        "except_runs_its_snippet_against_the_server_given_with_addr",
        support::WINE_READS_RESET_AS_EOF,
    ) {
        return;
    }
    let peer = Peer::start(Script::Reset).unwrap();
    let ran = run_example("except", &["--addr", &peer.addr().to_string()], BOUND);
    assert_eq!(ran.status.code(), Some(0), "{}", ran.stderr);
    assert!(
        ran.stdout.contains("ConnectionResetError"),
        "{}",
        ran.stdout
    );
}

#[test]
fn exchange_talks_to_the_server_given_with_addr() {
    let peer = Peer::start(Script::Echo).unwrap();
    let ran = run_example("exchange", &["--addr", &peer.addr().to_string()], BOUND);
    assert_eq!(ran.status.code(), Some(0), "{}", ran.stderr);
    assert!(ran.stdout.contains("\"Hello, server!\""), "{}", ran.stdout);
}

#[test]
fn exchange_with_addr_exits_1_when_the_exchange_fails() {
    if support::skip_on_wine(
        "exchange_with_addr_exits_1_when_the_exchange_fails",
        support::WINE_READS_RESET_AS_EOF,
    ) {
        return;
    }
    let peer = Peer::start(Script::Reset).unwrap();
    let ran = run_example("exchange", &["--addr", &peer.addr().to_string()], BOUND);
    assert_eq!(ran.status.code(), Some(1), "{}", ran.stderr);
    assert!(ran.stdout.contains("ConnectionReset"), "{}", ran.stdout);
}

#[test]
fn peer_without_a_script_lists_every_script_and_exits_0() {
    let ran = run_example("peer", &[], BOUND);
    assert_eq!(ran.status.code(), Some(0));
    for info in CATALOGUE {
        assert!(ran.stdout.contains(info.usage), "{} missing", info.usage);
        assert!(
            ran.stdout.contains(info.cause),
            "{} cause missing",
            info.usage
        );
    }
}

/// Starts the standalone peer with `script` on a free loopback port and
/// the options in `args`, and returns it with the address its first line
/// reports. With `close_stdout`, the test then closes its end of the peer's
/// stdout, as `peer echo | head -n 1` does.
fn standalone(script: &str, args: &[&str], close_stdout: bool) -> (Child, SocketAddr) {
    let listen = [script, "--listen", "127.0.0.1:0"];
    let all: Vec<&str> = listen.iter().chain(args).copied().collect();
    let mut child = spawn_example("peer", &all);
    // Read the first line in a thread, so that waiting for it is bounded.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let (tx, rx) = mpsc::channel();
    let reader = thread::spawn(move || {
        let mut first = String::new();
        let _ = stdout.read_line(&mut first);
        let _ = tx.send(first);
        stdout
    });
    let first = rx.recv_timeout(BOUND).unwrap();
    let addr: SocketAddr = first
        .strip_prefix("listening on ")
        .and_then(|rest| rest.strip_suffix(&format!(" (script: {script})\n")))
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .parse()
        .unwrap();
    let stdout = reader.join().unwrap().into_inner();
    if !close_stdout {
        child.stdout = Some(stdout);
    }
    (child, addr)
}

/// One echo exchange with the standalone peer.
fn assert_echoes(addr: SocketAddr) {
    assert_matches!(exchange(addr, b"hi", BOUND), Ok(Response::Reply(bytes)) if bytes == b"hi");
}

#[test]
fn peer_reports_its_address_first_and_serves_the_connections_asked_for() {
    let (child, addr) = standalone("echo", &["--connections", "1"], false);
    assert_echoes(addr);
    let ran = finish(child, BOUND);
    assert_eq!(ran.status.code(), Some(0), "{}", ran.stderr);
    assert!(
        ran.stdout.contains("served 1 connections"),
        "{}",
        ran.stdout
    );
    assert!(ran.stderr.is_empty(), "{}", ran.stderr);
}

#[test]
fn peer_goes_on_serving_when_its_stdout_is_closed() {
    let (child, addr) = standalone("echo", &["--connections", "3"], true);
    // Each finished connection makes the peer write a line to the closed
    // pipe; it must go on serving all the same.
    for _ in 0..3 {
        assert_echoes(addr);
    }
    let ran = finish(child, BOUND);
    assert_eq!(ran.status.code(), Some(0), "{}", ran.stderr);
    assert!(ran.stderr.is_empty(), "{}", ran.stderr);
}

#[test]
fn peer_help_says_it_warns_beyond_loopback() {
    // The warning itself is not tested live: tests listen on loopback only.
    let ran = run_example("peer", &["--help"], BOUND);
    assert!(ran.stdout.contains("Beyond loopback"), "{}", ran.stdout);
}

/// An address no interface of the machine has is a failure at run time,
/// named (Linux: EADDRNOTAVAIL; an address from a documentation prefix, RFC 5737).
#[test]
#[cfg(target_os = "linux")]
fn peer_says_which_address_it_cannot_listen_on() {
    let ran = run_example("peer", &["echo", "--listen", "198.51.100.254:0"], BOUND);
    assert_eq!(ran.status.code(), Some(1), "{}", ran.stderr);
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("cannot listen on 198.51.100.254:0"),
        "{}",
        ran.stderr
    );
}

#[test]
fn peer_turns_a_crowd_away_with_one_line_beyond_max_clients() {
    let (mut child, addr) = standalone("stall", &["--max-clients", "1"], false);
    // The peer accepts in order: the first client takes the one slot.
    let _held = support::client(addr);
    let mut late = support::client(addr);
    let mut answer = Vec::new();
    let read = late.read_to_end(&mut answer);
    child.kill().unwrap();
    child.wait().unwrap();
    read.unwrap();
    assert_eq!(answer, b"busy: 1 connection already; try again later\n");
}

#[test]
fn peer_on_a_busy_port_says_how_to_pick_a_free_one() {
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let ran = run_example("peer", &["echo", "--listen", &addr], BOUND);
    assert_eq!(ran.status.code(), Some(1));
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("--listen 127.0.0.1:0"),
        "{}",
        ran.stderr
    );
}

#[test]
fn retry_with_addr_exits_1_when_it_gives_up_and_0_when_it_succeeds() {
    if support::skip_on_wine(
        "retry_with_addr_exits_1_when_it_gives_up_and_0_when_it_succeeds",
        support::WINE_READS_RESET_AS_EOF,
    ) {
        return;
    }
    let peer = Peer::start(Script::Reset).unwrap();
    let addr = peer.addr().to_string();
    let ran = run_example(
        "retry",
        &["--addr", &addr, "--attempts", "2", "--delay-ms", "0"],
        BOUND,
    );
    assert_eq!(ran.status.code(), Some(1), "{}", ran.stdout);
    assert!(ran.stdout.contains("attempt 2/2"), "{}", ran.stdout);
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    let peer = Peer::start(Script::Echo).unwrap();
    let ran = run_example("retry", &["--addr", &peer.addr().to_string()], BOUND);
    assert_eq!(ran.status.code(), Some(0), "{}", ran.stderr);
}

#[test]
fn timeout_with_addr_narrates_the_timeout_against_a_silent_server() {
    let peer = Peer::start(Script::Stall).unwrap();
    let ran = run_example("timeout", &["--addr", &peer.addr().to_string()], BOUND);
    assert_eq!(ran.status.code(), Some(0), "{}", ran.stderr);
    assert!(
        ran.stdout.contains("TimeoutError: timed out"),
        "{}",
        ran.stdout
    );
}

#[test]
fn heartbeat_with_addr_finds_a_live_server_alive() {
    let peer = Peer::start(Script::Heartbeat).unwrap();
    let addr = peer.addr().to_string();
    // The example waits 50 ms for each PONG, and calls a server silent for
    // 250 ms dead: a loaded machine can hold the peer or the example up
    // that long, so a run that found silence is run again.
    let ran = support::unless_late(
        || run_example("heartbeat", &["--addr", &addr], BOUND),
        |ran| ran.stdout.contains("dead: it stopped answering"),
    );
    assert_eq!(ran.status.code(), Some(0), "{}", ran.stderr);
    assert!(
        ran.stdout.contains("verdict") && ran.stdout.contains("alive"),
        "{}",
        ran.stdout
    );
}

/// `keepalive`, quick: 12 requests, 10 ms apart or so, from `seed`.
fn keepalive(seed: &str) -> Ran {
    let args = ["--requests", "12", "--idle-ms", "10", "--seed", seed];
    let ran = run_example("keepalive", &args, BOUND);
    assert_eq!(ran.status.code(), Some(0), "{}", ran.stderr);
    ran
}

#[test]
fn keepalive_prints_its_seed_first_then_a_table_per_script() {
    let ran = keepalive("42");
    let first = ran.stdout.lines().next().unwrap_or_default();
    assert!(first.starts_with("keepalive: seed 42;"), "{first}");
    assert!(first.contains("--seed 42"), "{first}");
    for expected in [
        "idle-close:10,",
        "idle-reset:10,",
        "policy",
        "failed",
        "sent twice",
        "connections",
        "time in requests",
        "naive reuse",
        "check before reuse",
        "retry once",
        "client idle timeout 8.0 ms",
        "check and retry",
        "What the numbers say",
    ] {
        assert!(ran.stdout.contains(expected), "{expected}: {}", ran.stdout);
    }
}

#[test]
fn keepalive_draws_the_same_gaps_from_the_same_seed() {
    let gaps = |ran: &Ran| {
        let line = ran.stdout.lines().find(|line| line.contains("same gaps"));
        line.unwrap_or_default().to_string()
    };
    let seven = gaps(&keepalive("7"));
    assert!(seven.contains(" ms"), "{seven}");
    assert_eq!(gaps(&keepalive("7")), seven);
    assert_ne!(gaps(&keepalive("8")), seven);
}

#[test]
fn keepalive_refuses_a_seed_that_is_not_a_u64_with_one_line() {
    for seed in ["-1", "18446744073709551616", "many", ""] {
        let ran = run_example("keepalive", &["--seed", seed], BOUND);
        assert_usage_error(&ran);
        assert!(
            ran.stderr.contains("from 0 to 18446744073709551615"),
            "{}",
            ran.stderr
        );
    }
    assert_usage_error(&run_example("keepalive", &["--seed"], BOUND));
}

#[test]
fn an_address_with_a_colon_in_its_host_is_bad_usage() {
    // `127.0.0.1:80:80` is no HOST:PORT, whatever a resolver makes of it;
    // an IPv6 address goes in brackets.
    for bad in ["127.0.0.1:80:80", "::1:80", "[not-ipv6]:80", ":80"] {
        let ran = run_example("retry", &["--addr", bad], BOUND);
        assert_usage_error(&ran);
        assert!(
            ran.stderr.contains("want HOST:PORT"),
            "{bad}: {}",
            ran.stderr
        );
    }
}
