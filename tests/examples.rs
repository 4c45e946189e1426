//! Every example's command line: `--help` exits 0, bad usage exits 2 with
//! one line on stderr, and nothing panics.

mod support;

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;

use assert_matches::assert_matches;
use reset_by_peer::exchange::{Response, exchange};
use reset_by_peer::peer::{CATALOGUE, Peer, Script};
use support::{BOUND, Ran, finish, run_example};

/// The name of every example, read from the `examples` folder so that a new
/// example is covered without editing this list.
fn examples() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
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
fn help_prints_usage_and_exits_0() {
    for name in examples() {
        let ran = run_example(&name, &["--help"], BOUND);
        assert_eq!(ran.status.code(), Some(0), "{name}");
        assert!(ran.stdout.starts_with("usage:"), "{name}: {}", ran.stdout);
        assert!(ran.stderr.is_empty(), "{name}: {}", ran.stderr);
    }
}

#[test]
fn an_unknown_flag_prints_one_line_and_exits_2() {
    for name in examples() {
        assert_usage_error(&run_example(&name, &["--no-such-flag"], BOUND));
    }
}

#[test]
fn a_flag_without_its_value_prints_one_line_and_exits_2() {
    assert_usage_error(&run_example("exchange", &["--addr"], BOUND));
    assert_usage_error(&run_example("peer", &["echo", "--connections"], BOUND));
}

#[test]
fn bad_values_print_one_line_and_exit_2() {
    assert_usage_error(&run_example(
        "exchange",
        &["--addr", "not an address"],
        BOUND,
    ));
    for args in [
        &["nope"][..],
        &["flaky"],
        &["flaky:x"],
        &["echo", "reset"],
        &["echo", "--listen", "nowhere"],
        &["echo", "--connections", "0"],
        &["echo", "--connections", "-1"],
        &["echo", "--connections", "many"],
    ] {
        assert_usage_error(&run_example("peer", args, BOUND));
    }
}

#[test]
fn errno_refuses_bad_input_with_one_line() {
    for arg in ["abc", "EBANANA", "0", "-5", "99999999999", "1e3"] {
        assert_usage_error(&run_example("errno", &[arg], BOUND));
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

/// Starts the standalone peer with `echo` and `--connections 1` listening on
/// `listen`, talks to it once, and returns what it printed.
fn standalone_echo(listen: &str) -> Ran {
    let mut child = Command::new(support::example("peer"))
        .args(["echo", "--listen", listen, "--connections", "1"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
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
    let bound: SocketAddr = first
        .strip_prefix("listening on ")
        .and_then(|rest| rest.strip_suffix(" (script: echo)\n"))
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .parse()
        .unwrap();
    // Talk to it on loopback, whatever address it listens on.
    let addr = SocketAddr::from(([127, 0, 0, 1], bound.port()));
    assert_matches!(exchange(addr, b"hi", BOUND), Ok(Response::Reply(bytes)) if bytes == b"hi");
    child.stdout = Some(reader.join().unwrap().into_inner());
    finish(child, BOUND)
}

#[test]
fn peer_reports_its_address_first_and_serves_the_connections_asked_for() {
    let ran = standalone_echo("127.0.0.1:0");
    assert_eq!(ran.status.code(), Some(0), "{}", ran.stderr);
    assert!(
        ran.stdout.contains("served 1 connections"),
        "{}",
        ran.stdout
    );
    assert!(ran.stderr.is_empty(), "{}", ran.stderr);
}

#[test]
fn peer_warns_when_it_listens_beyond_loopback() {
    let ran = standalone_echo("0.0.0.0:0");
    assert_eq!(ran.status.code(), Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.starts_with("warning: listening on 0.0.0.0:"),
        "{}",
        ran.stderr
    );
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
fn retry_refuses_bad_values_with_one_line() {
    for args in [
        &["--attempts", "0"][..],
        &["--attempts", "-1"],
        &["--attempts", "x"],
        &["--delay-ms", "-5"],
        &["--delay-ms", "soon"],
        &["--attempts"],
    ] {
        assert_usage_error(&run_example("retry", args, BOUND));
    }
}

#[test]
fn retry_with_addr_exits_1_when_it_gives_up_and_0_when_it_succeeds() {
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
fn measure_refuses_a_bad_run_count() {
    for args in [
        &["--runs", "0"][..],
        &["--runs", "many"],
        &["--runs", "-3"],
        &["--runs"],
    ] {
        assert_usage_error(&run_example("measure", args, BOUND));
    }
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
    let ran = run_example("heartbeat", &["--addr", &peer.addr().to_string()], BOUND);
    assert_eq!(ran.status.code(), Some(0), "{}", ran.stderr);
    assert!(
        ran.stdout.contains("verdict") && ran.stdout.contains("alive"),
        "{}",
        ran.stdout
    );
}
