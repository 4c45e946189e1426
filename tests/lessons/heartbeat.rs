//! The heartbeat reaches each verdict against the lab peer's scripts.
//!
//! These tests assert verdicts, reasons and the documented bounds, not how
//! many pings fit in a window: on a loaded machine a `PONG` can come after
//! its 20 ms timeout and count as a miss, which changes the counts but not
//! the verdict.

use crate::support;

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use crate::support::{SLACK, client};
use reset_by_peer::heartbeat::{Config, Event, Verdict, watch};
use reset_by_peer::peer::{Peer, Script};

/// Quick to find a silent peer dead: two intervals and a timeout, 100 ms.
fn config() -> Config {
    Config::new(Duration::from_millis(40), Duration::from_millis(20), 3).unwrap()
}

/// As quick between pings, but slow to give up: a peer must stay silent
/// for nine intervals and a timeout, 380 ms, to be found dead. For the
/// tests whose verdict is anything but silence: a loaded machine can hold
/// up a peer's PONG, FIN or RST for more than `config`'s 100 ms.
fn patient() -> Config {
    Config::new(Duration::from_millis(40), Duration::from_millis(20), 10).unwrap()
}

#[test]
fn a_live_peer_is_alive_when_the_watch_is_stopped() {
    let peer = Peer::start(Script::Heartbeat).unwrap();
    let mut stream = client(peer.addr());
    let (stop, stopped) = mpsc::channel();
    let mut pongs = 0;
    // Stop after the third answer, whichever pings it answered.
    let report = watch(&mut stream, &patient(), &stopped, |event| {
        if let Event::Pong { .. } = event {
            pongs += 1;
            if pongs == 3 {
                stop.send(()).unwrap();
            }
        }
    })
    .unwrap();
    assert_eq!(report.verdict, Verdict::Alive);
    assert_eq!(
        report.verdict.reason(),
        "alive: it answered until the watch was stopped"
    );
    assert_eq!(report.pongs, 3);
    assert!(report.pings >= report.pongs);
}

#[test]
fn dropping_the_stop_sender_also_stops_the_watch() {
    let peer = Peer::start(Script::Heartbeat).unwrap();
    let mut stream = client(peer.addr());
    let (stop, stopped) = mpsc::channel::<()>();
    drop(stop);
    let report = watch(&mut stream, &config(), &stopped, |_| {}).unwrap();
    assert_eq!(report.verdict, Verdict::Alive);
    assert_eq!(report.pings, 1);
}

#[test]
fn a_silent_peer_is_dead_by_silence_within_the_bound() {
    let peer = Peer::start(Script::SilentAfter(2)).unwrap();
    let mut stream = client(peer.addr());
    let (_stop, stopped) = mpsc::channel();
    let config = config();
    let mut last_miss = None;
    let report = watch(&mut stream, &config, &stopped, |event| {
        if let Event::Missed { in_a_row, .. } = event {
            last_miss = Some(*in_a_row);
        }
    })
    .unwrap();
    assert_eq!(report.verdict, Verdict::DeadBySilence);
    assert_eq!(
        report.verdict.reason(),
        "dead: it stopped answering, with no FIN and no RST"
    );
    // The verdict comes with the third miss in a row, and the peer never
    // answers more than its two pings.
    assert_eq!(last_miss, Some(3));
    assert!(report.pongs <= 2, "{report:?}");
    let silent_for = report.elapsed - report.last_pong.unwrap_or_default();
    assert!(
        silent_for < config.detection_bound() + SLACK,
        "{silent_for:?}"
    );
    // Three misses take at least two intervals and a timeout after the last
    // answer: timers never fire early, so this lower bound is not racy.
    assert!(
        silent_for >= Duration::from_millis(2 * 40 + 20),
        "{silent_for:?}"
    );
}

#[test]
fn a_reset_is_dead_by_reset_at_the_first_ping() {
    if support::skip_on_wine(
        "a_reset_is_dead_by_reset_at_the_first_ping",
        support::WINE_READS_RESET_AS_EOF,
    ) {
        return;
    }
    let peer = Peer::start(Script::Reset).unwrap();
    let mut stream = client(peer.addr());
    let (_stop, stopped) = mpsc::channel();
    let report = watch(&mut stream, &patient(), &stopped, |_| {}).unwrap();
    assert_eq!(report.verdict, Verdict::DeadByReset);
    assert_eq!(
        report.verdict.reason(),
        "dead: the peer reset the connection"
    );
    assert_eq!(report.pongs, 0);
    assert!(report.elapsed < patient().detection_bound() + SLACK);
}

#[test]
fn a_close_is_dead_by_close() {
    let peer = Peer::start(Script::Close).unwrap();
    let mut stream = client(peer.addr());
    let (_stop, stopped) = mpsc::channel();
    let report = watch(&mut stream, &patient(), &stopped, |_| {}).unwrap();
    assert_eq!(report.verdict, Verdict::DeadByClose);
    assert_eq!(
        report.verdict.reason(),
        "dead: the peer closed the connection"
    );
    assert_eq!(report.pongs, 0);
    assert!(report.elapsed < patient().detection_bound() + SLACK);
}

#[test]
fn bad_configurations_are_refused() {
    let ms = Duration::from_millis;
    assert!(Config::new(ms(100), ms(0), 3).is_err());
    assert!(Config::new(ms(100), ms(101), 3).is_err());
    assert!(Config::new(ms(100), ms(50), 0).is_err());
    assert!(Config::new(Duration::from_secs(100_000), ms(50), 1).is_err());
    assert_eq!(
        Config::new(ms(100), ms(50), 3).unwrap().detection_bound(),
        ms(372)
    );
}

#[test]
fn a_peer_that_always_answers_too_late_is_dead_by_silence_within_the_bound() {
    // Answers every PING 280 ms late, against a 30 ms timeout and pings
    // 530 ms apart: each answer comes after its ping was counted as missed
    // (a wait is never short) with 250 ms to spare, so that even a watch
    // held up that long has given up on it before it comes; and before the
    // next ping, with 250 ms to spare for a server held up as long.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    // Dropped once the verdict is in, which ends the server's wait at once.
    let (done, finished) = mpsc::channel::<()>();
    let server = std::thread::spawn(move || {
        use std::io::{BufRead, BufReader, Write};
        let (stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(support::BOUND)).unwrap();
        let mut writer = stream.try_clone().unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        // Ends when the client closes (0 bytes) or the bound passes.
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
            line.clear();
            // The lateness: a wait that only the end of the test cuts short.
            if finished.recv_timeout(Duration::from_millis(280)) != Err(RecvTimeoutError::Timeout) {
                return;
            }
            if writer.write_all(b"PONG\n").is_err() {
                return;
            }
        }
    });
    let mut stream = client(addr);
    let config = Config::new(Duration::from_millis(530), Duration::from_millis(30), 2).unwrap();
    let (_stop, stopped) = mpsc::channel();
    let report = watch(&mut stream, &config, &stopped, |_| {}).unwrap();
    assert_eq!(report.verdict, Verdict::DeadBySilence, "{report:?}");
    assert_eq!(report.pongs, 0, "{report:?}");
    assert!(
        report.elapsed < config.detection_bound() + SLACK,
        "{report:?}"
    );
    drop(done);
    drop(stream);
    server.join().unwrap();
}

#[test]
fn a_peer_that_answers_but_never_pong_is_dead_by_silence_and_its_lines_are_counted() {
    // `echo` sends each PING back: an answer, but not PONG. One miss ends
    // the watch, and 300 ms lets even an echo held up by a loaded machine
    // arrive in time.
    let peer = Peer::start(Script::Echo).unwrap();
    let mut stream = client(peer.addr());
    let (_stop, stopped) = mpsc::channel();
    let config = Config::new(Duration::from_secs(1), Duration::from_millis(300), 1).unwrap();
    let mut missed = Vec::new();
    let report = watch(&mut stream, &config, &stopped, |event| {
        if let Event::Missed { others, .. } = event {
            missed.push(*others);
        }
    })
    .unwrap();
    assert_eq!(report.verdict, Verdict::DeadBySilence);
    assert_eq!(report.pongs, 0);
    assert_eq!(missed, [1], "one miss, after one line that was not PONG");
}
