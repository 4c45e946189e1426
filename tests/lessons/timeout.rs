//! Rust's timeouts as they really behave on loopback, and the deadline
//! functions that bound a whole operation.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use crate::support::{self, BOUND, SLACK, client};
use assert_matches::assert_matches;
use reset_by_peer::failure::Failure;
use reset_by_peer::peer::{DRIP_BYTE, Peer, Script, ScriptTime};
use reset_by_peer::timeout::{
    Deadline, again_if_interrupted, connect, read_by, read_exact_by, set_read_timeout,
    set_write_timeout, write_all_by,
};

#[test]
fn a_read_timeout_is_would_block_or_timed_out_and_not_before_its_time() {
    let peer = Peer::start(Script::Stall).unwrap();
    let stream = client(peer.addr());
    let timeout = Duration::from_millis(100);
    set_read_timeout(&stream, timeout).unwrap();
    let started = Instant::now();
    // The read's own result is the lesson: `support::read` calls again
    // only after a stop and continue's `Interrupted`, within the timeout.
    let error = support::read(&stream, &mut [0u8; 16]).unwrap_err();
    let elapsed = started.elapsed();
    assert_matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut);
    assert_eq!(Failure::of_timed(&error), Failure::TimedOut);
    assert!(elapsed >= timeout, "{elapsed:?}");
    assert!(elapsed < timeout + SLACK, "{elapsed:?}");
}

/// std's docs: "Unix typically returns an error of the kind WouldBlock".
/// On Linux the raw errno is EAGAIN, 11 on x86_64.
#[test]
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn on_linux_a_read_timeout_is_would_block_with_eagain_never_timed_out() {
    let peer = Peer::start(Script::Stall).unwrap();
    let stream = client(peer.addr());
    set_read_timeout(&stream, Duration::from_millis(20)).unwrap();
    // Called again only after `Interrupted`: the error is the read's own.
    let error = support::read(&stream, &mut [0u8; 16]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::WouldBlock);
    assert_eq!(error.raw_os_error(), Some(11));
}

#[test]
fn the_socket_stays_usable_after_a_read_timeout() {
    let peer = Peer::start(Script::Echo).unwrap();
    let mut stream = client(peer.addr());
    set_read_timeout(&stream, Duration::from_millis(20)).unwrap();
    let error = support::read(&stream, &mut [0u8; 16]).unwrap_err();
    assert_eq!(Failure::of_timed(&error), Failure::TimedOut, "{error:?}");
    assert!(Failure::of_timed(&error).connection_usable());
    set_read_timeout(&stream, BOUND).unwrap();
    stream.write_all(b"still here").unwrap();
    let mut reply = [0u8; 10];
    stream.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"still here");
}

#[test]
fn zero_durations_are_refused_before_the_socket_is_touched() {
    let peer = Peer::start(Script::Stall).unwrap();
    let stream = client(peer.addr());
    for error in [
        set_read_timeout(&stream, Duration::ZERO).unwrap_err(),
        set_write_timeout(&stream, Duration::ZERO).unwrap_err(),
        connect(peer.addr(), Duration::ZERO).unwrap_err(),
    ] {
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(error.to_string().contains("settimeout(0)"), "{error}");
    }
    // The earlier timeouts are untouched.
    assert_eq!(stream.read_timeout().unwrap(), Some(BOUND));
    assert_eq!(stream.write_timeout().unwrap(), Some(BOUND));
}

#[test]
fn std_itself_refuses_a_zero_timeout_and_keeps_the_old_one() {
    let peer = Peer::start(Script::Stall).unwrap();
    let stream = client(peer.addr());
    let error = stream.set_read_timeout(Some(Duration::ZERO)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(stream.read_timeout().unwrap(), Some(BOUND));
}

/// Waits, without sleeping, until `want` bytes are in the stream's
/// receive queue, by peeking (the stream's read timeout bounds each peek).
fn until_queued(stream: &TcpStream, want: usize) {
    let mut buf = vec![0u8; want];
    let deadline = Instant::now() + BOUND;
    while support::peek(stream, &mut buf).unwrap() < want {
        assert!(Instant::now() < deadline, "the bytes never arrived");
    }
}

#[test]
fn data_already_waiting_is_returned_even_when_the_deadline_has_passed() {
    let peer = Peer::start(Script::Echo).unwrap();
    let mut stream = client(peer.addr());
    stream.write_all(b"12345678").unwrap();
    until_queued(&stream, 8);
    let mut buf = [0u8; 8];
    // A deadline that is already behind us: the bytes are there, so a
    // deadline read takes them instead of reporting TimedOut.
    let passed = Deadline::after(Duration::ZERO);
    read_exact_by(&mut stream, &mut buf, passed).unwrap();
    assert_eq!(&buf, b"12345678");
}

#[test]
fn data_already_waiting_is_returned_for_every_short_deadline() {
    let peer = Peer::start(Script::Echo).unwrap();
    let mut stream = client(peer.addr());
    for ms in [0, 1, 2, 5, 10, 12, 13] {
        stream.write_all(b"abcd").unwrap();
        until_queued(&stream, 4);
        let mut buf = [0u8; 4];
        let deadline = Deadline::after(Duration::from_millis(ms));
        read_exact_by(&mut stream, &mut buf, deadline).unwrap();
        assert_eq!(&buf, b"abcd", "{ms} ms");
    }
}

#[test]
fn a_step_with_nothing_to_read_times_out_no_earlier_than_its_deadline() {
    let peer = Peer::start(Script::Stall).unwrap();
    let mut stream = client(peer.addr());
    let within = Duration::from_millis(30);
    let started = Instant::now();
    let error = read_by(&mut stream, &mut [0u8; 8], Deadline::after(within)).unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(error.kind(), ErrorKind::TimedOut);
    assert!(elapsed >= within, "{elapsed:?}");
    assert!(elapsed < within + SLACK, "{elapsed:?}");
    assert_eq!(stream.read_timeout().unwrap(), Some(BOUND));
}

#[test]
fn a_non_blocking_stream_is_refused_at_once_and_left_non_blocking() {
    let peer = Peer::start(Script::Stall).unwrap();
    let mut stream = client(peer.addr());
    stream.set_nonblocking(true).unwrap();
    let started = Instant::now();
    let stopped = read_exact_by(&mut stream, &mut [0u8; 8], Deadline::after(BOUND)).unwrap_err();
    assert_eq!(stopped.error.kind(), ErrorKind::InvalidInput);
    assert!(
        stopped.error.to_string().contains("non-blocking"),
        "{}",
        stopped.error
    );
    // Refused at once, not after spinning until the deadline.
    assert!(started.elapsed() < BOUND / 2, "{:?}", started.elapsed());
    // Still non-blocking: a plain read says WouldBlock without waiting for
    // the 5 s read timeout.
    let started = Instant::now();
    let error = stream.read(&mut [0u8; 8]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::WouldBlock);
    assert!(started.elapsed() < BOUND / 2, "{:?}", started.elapsed());
}

#[test]
fn a_non_blocking_stream_is_refused_by_a_deadline_write_once_its_buffers_are_full() {
    // Never accepted, so never read: the buffers fill and a write would wait.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut stream = TcpStream::connect_timeout(&listener.local_addr().unwrap(), BOUND).unwrap();
    stream.set_nonblocking(true).unwrap();
    let data = vec![b'x'; 64 * 1024 * 1024];
    let started = Instant::now();
    let stopped = write_all_by(&mut stream, &data, Deadline::after(BOUND)).unwrap_err();
    assert_eq!(stopped.error.kind(), ErrorKind::InvalidInput);
    assert!(stopped.transferred < data.len());
    assert!(started.elapsed() < BOUND / 2, "{:?}", started.elapsed());
}

#[test]
fn a_per_call_timeout_never_fires_against_a_peer_that_drips_faster() {
    // One byte every 20 ms, a 270 ms timeout per call: 15 bytes take at least
    // 300 ms, more than the timeout, and still no call times out. (Each byte
    // has 250 ms to spare, for a loaded machine that holds up the peer.)
    let interval = ScriptTime::new(20).unwrap();
    let timeout = Duration::from_millis(270);
    let peer = Peer::start(Script::Drip(interval)).unwrap();
    let mut stream = client(peer.addr());
    set_read_timeout(&stream, timeout).unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 15];
    stream.read_exact(&mut buf).unwrap();
    assert!(started.elapsed() > timeout, "{:?}", started.elapsed());
    assert_eq!(buf, [DRIP_BYTE; 15]);
}

#[test]
fn a_deadline_read_stops_on_time_against_drip_and_keeps_what_it_read() {
    let peer = Peer::start(Script::Drip(ScriptTime::new(20).unwrap())).unwrap();
    let mut stream = client(peer.addr());
    let within = Duration::from_millis(100);
    let started = Instant::now();
    let mut buf = [0u8; 100];
    let stopped = read_exact_by(&mut stream, &mut buf, Deadline::after(within)).unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(stopped.error.kind(), ErrorKind::TimedOut);
    assert!(elapsed >= within, "{elapsed:?}");
    assert!(elapsed < within + SLACK, "{elapsed:?}");
    // 100 bytes need 2 s; whatever arrived is in the buffer, nothing lost.
    assert!(stopped.transferred < buf.len());
    assert!(buf[..stopped.transferred].iter().all(|&b| b == DRIP_BYTE));
    assert!(buf[stopped.transferred..].iter().all(|&b| b == 0));
    // The caller's own timeout is put back.
    assert_eq!(stream.read_timeout().unwrap(), Some(BOUND));
}

#[test]
fn a_deadline_read_that_finishes_in_time_is_ok() {
    let peer = Peer::start(Script::Echo).unwrap();
    let mut stream = client(peer.addr());
    stream.write_all(b"12345678").unwrap();
    let mut buf = [0u8; 8];
    read_exact_by(&mut stream, &mut buf, Deadline::after(BOUND)).unwrap();
    assert_eq!(&buf, b"12345678");
}

#[test]
fn a_deadline_read_reports_an_early_close_as_unexpected_eof() {
    let peer = Peer::start(Script::Close).unwrap();
    let mut stream = client(peer.addr());
    stream.write_all(b"Hello").unwrap();
    let stopped = read_exact_by(&mut stream, &mut [0u8; 8], Deadline::after(BOUND)).unwrap_err();
    assert_eq!(stopped.error.kind(), ErrorKind::UnexpectedEof);
    assert_eq!(stopped.transferred, 0);
}

#[test]
fn a_deadline_write_stops_on_time_against_a_peer_that_never_reads() {
    // Never accepted, so never read: the buffers fill and writes block.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut stream = TcpStream::connect_timeout(&listener.local_addr().unwrap(), BOUND).unwrap();
    let data = vec![b'x'; 64 * 1024 * 1024];
    let within = Duration::from_millis(100);
    let started = Instant::now();
    let stopped = write_all_by(&mut stream, &data, Deadline::after(within)).unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(stopped.error.kind(), ErrorKind::TimedOut);
    assert!(elapsed >= within, "{elapsed:?}");
    assert!(elapsed < within + SLACK, "{elapsed:?}");
    assert!(stopped.transferred < data.len());
    assert_eq!(stream.write_timeout().unwrap(), None);
}

#[test]
fn a_plain_write_all_with_a_write_timeout_does_end_in_an_error() {
    // Only that it ends, and with a timeout: how late is for `measure`.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut stream = TcpStream::connect_timeout(&listener.local_addr().unwrap(), BOUND).unwrap();
    set_write_timeout(&stream, Duration::from_millis(50)).unwrap();
    let data = vec![b'x'; 64 * 1024 * 1024];
    let error = stream.write_all(&data).unwrap_err();
    assert_eq!(Failure::of_timed(&error), Failure::TimedOut, "{error:?}");
}

/// Set only in the child process that
/// `on_linux_a_stop_and_continue_interrupts_a_read_and_again_if_interrupted_keeps_its_bound`
/// starts: it makes `reads_in_a_child_that_is_stopped_and_continued` read.
const STOPPED_CHILD: &str = "RESET_BY_PEER_STOPPED_CHILD";

/// What the child's lines begin with, among the test harness's own.
const CHILD_SAYS: &str = "stopped child:";

/// The read timeout of the child's read through `again_if_interrupted`.
const CHILD_TIMEOUT: Duration = Duration::from_millis(100);

/// A kernel tick on Linux, at its coarsest (HZ=100; 4 ms at HZ=250): how
/// much sooner than the whole a timeout armed again after each stop may end.
#[cfg(target_os = "linux")]
const TICK: Duration = Duration::from_millis(10);

/// On Linux, a process stopped and continued (Ctrl-Z, then `fg`) finds a
/// read that was waiting under a read timeout failed with `Interrupted`,
/// with no signal handler installed (signal(7), "Interruption of system
/// calls and library functions by stop signals"); `again_if_interrupted`
/// reads again with what is left, and ends as the timeout does, with
/// `WouldBlock`, not before it but for a kernel tick (`TICK`): each read
/// again arms the timer anew, in whole ticks counted from a tick already
/// under way (seen: 98 and 99 ms of 100, in 2 of 122 runs of the suite).
///
/// The reads run in a child, this test program run again with only
/// `reads_in_a_child_that_is_stopped_and_continued`, so that the stops stop
/// no other test. While the child has not yet said what a read gave, it
/// is stopped and continued every 20 ms (`stop_and_continue`).
#[test]
#[cfg(target_os = "linux")]
fn on_linux_a_stop_and_continue_interrupts_a_read_and_again_if_interrupted_keeps_its_bound() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::sync::mpsc::{self, RecvTimeoutError};

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "timeout::reads_in_a_child_that_is_stopped_and_continued",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(STOPPED_CHILD, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (said, lines) = mpsc::channel();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            // The harness may print its `test NAME ... ` first on the line.
            if let Some((_, said_this)) = line.split_once(CHILD_SAYS) {
                let _ = said.send(said_this.trim().to_string());
            }
        }
    });
    // The pause between stops is a wait for the child's next line: it
    // ends at once when the line comes.
    let pid = child.id().to_string();
    let deadline = Instant::now() + BOUND;
    let mut heard = Vec::new();
    while Instant::now() < deadline {
        match lines.recv_timeout(Duration::from_millis(20)) {
            Ok(line) => heard.push(line),
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => stop_and_continue(&pid),
        }
    }
    let _ = child.kill();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}, after {heard:?}");
    let [plain, again] = &heard[..] else {
        panic!("the child said {heard:?}");
    };
    assert_eq!(plain, "plain read: Interrupted");
    let (kind, ms) = again.rsplit_once(' ').unwrap();
    assert_eq!(kind, "again_if_interrupted: WouldBlock");
    let took = Duration::from_millis(ms.parse().unwrap());
    assert!(took + TICK >= CHILD_TIMEOUT, "{took:?}");
    assert!(took < CHILD_TIMEOUT + SLACK, "{took:?}");
}

/// Stops process `pid`, and continues it once every thread of it has
/// stopped, or after 200 ms: a SIGCONT that comes while the stop is still
/// on its way discards it (POSIX, XSH 2.4.1; on Linux `prepare_signal` in
/// `kernel/signal.c`), and then no read is interrupted
/// (before this waited, 5 runs of 12 took over 2 s to see one, and one
/// ran out of time). The wait polls `/proc`, 1 ms at a
/// time: nothing tells a process that another one has stopped, short of
/// being its parent's `waitid`, which std does not offer.
#[cfg(target_os = "linux")]
fn stop_and_continue(pid: &str) {
    use std::process::Command;
    let signal = |name: &str| Command::new("kill").args([name, pid]).status();
    if signal("-STOP").is_err() {
        return;
    }
    let deadline = Instant::now() + Duration::from_millis(200);
    while Instant::now() < deadline && !all_threads_stopped(pid) {
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = signal("-CONT");
}

/// Whether every thread of process `pid` is stopped: state `T` in its
/// `/proc/PID/task/TID/stat` (proc(5)), after the name in parentheses.
#[cfg(target_os = "linux")]
fn all_threads_stopped(pid: &str) -> bool {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    tasks.filter_map(Result::ok).all(|task| {
        std::fs::read_to_string(task.path().join("stat")).is_ok_and(|stat| {
            stat.rsplit_once(") ")
                .is_some_and(|(_, rest)| rest.starts_with('T'))
        })
    })
}

/// Not a test of its own: the child's part of
/// `on_linux_a_stop_and_continue_interrupts_a_read_and_again_if_interrupted_keeps_its_bound`,
/// which does nothing unless that test starts it. It reads from a
/// listener that never accepts (its own lab peer's threads would be
/// stopped too), and says what each read gave.
#[test]
fn reads_in_a_child_that_is_stopped_and_continued() {
    if std::env::var_os(STOPPED_CHILD).is_none() {
        return;
    }
    // Never accepted, so never written to: every read waits.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut stream = client(listener.local_addr().unwrap());
    let error = stream.read(&mut [0u8; 16]).unwrap_err();
    println!("{CHILD_SAYS} plain read: {:?}", error.kind());
    let started = Instant::now();
    let error = again_if_interrupted(Deadline::after(CHILD_TIMEOUT), |wait| {
        stream.set_read_timeout(Some(wait))?;
        stream.read(&mut [0u8; 16])
    })
    .unwrap_err();
    let took = started.elapsed().as_millis();
    println!(
        "{CHILD_SAYS} again_if_interrupted: {:?} {took}",
        error.kind()
    );
}
