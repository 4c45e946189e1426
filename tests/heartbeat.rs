//! The heartbeat reaches each verdict against the lab peer's scripts.

mod support;

use std::sync::mpsc;
use std::time::Duration;

use reset_by_peer::heartbeat::{Config, Event, Verdict, watch};
use reset_by_peer::peer::{Peer, Script};
use support::{SLACK, client};

fn config() -> Config {
    Config::new(Duration::from_millis(40), Duration::from_millis(20), 3).unwrap()
}

#[test]
fn a_live_peer_is_alive_when_the_watch_is_stopped() {
    let peer = Peer::start(Script::Heartbeat).unwrap();
    let mut stream = client(peer.addr());
    let (stop, stopped) = mpsc::channel();
    let mut events = Vec::new();
    let report = watch(&mut stream, &config(), &stopped, |event| {
        events.push(*event);
        if let Event::Pong { number: 3, .. } = event {
            stop.send(()).unwrap();
        }
    })
    .unwrap();
    assert_eq!(report.verdict, Verdict::Alive);
    assert_eq!((report.pings, report.pongs), (3, 3));
    assert!(events.iter().all(|e| !matches!(e, Event::Missed { .. })));
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
    let mut missed = Vec::new();
    let report = watch(&mut stream, &config, &stopped, |event| {
        if let Event::Missed { in_a_row, .. } = event {
            missed.push(*in_a_row);
        }
    })
    .unwrap();
    assert_eq!(report.verdict, Verdict::DeadBySilence);
    assert_eq!(report.pongs, 2);
    assert_eq!(report.pings, 5);
    assert_eq!(missed, vec![1, 2, 3]);
    let silent_for = report.elapsed - report.last_pong.unwrap();
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
    let peer = Peer::start(Script::Reset).unwrap();
    let mut stream = client(peer.addr());
    let (_stop, stopped) = mpsc::channel();
    let report = watch(&mut stream, &config(), &stopped, |_| {}).unwrap();
    assert_eq!(report.verdict, Verdict::DeadByReset);
    assert_eq!((report.pings, report.pongs), (1, 0));
    assert!(report.elapsed < config().detection_bound() + SLACK);
}

#[test]
fn a_close_is_dead_by_close() {
    let peer = Peer::start(Script::Close).unwrap();
    let mut stream = client(peer.addr());
    let (_stop, stopped) = mpsc::channel();
    let report = watch(&mut stream, &config(), &stopped, |_| {}).unwrap();
    assert_eq!(report.verdict, Verdict::DeadByClose);
    assert_eq!(report.pongs, 0);
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
        ms(355)
    );
}
