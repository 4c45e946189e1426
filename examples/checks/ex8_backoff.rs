//! Exercise 8's frame, kept apart from the answer: what the exercise
//! gives (its name, its usage, the types and constants it shares with the
//! answer), the demonstration, and the check: what a right answer must do,
//! case by case, and the reason a wrong one fails. The grader compiles a
//! student's answer against this file, so nothing here depends on it.

use super::common::{self, say};

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::panic;
use std::thread;
use std::time::Duration;

use reset_by_peer::peer::{Peer, Script};

/// The exercise's file, its answer included, as the compiler read it: for
/// the rules every answer keeps (`common::exercise`). It is read here, in
/// the frame, which the file declares before the answer, so that no macro
/// of the answer's can stand in for `include_str!`.
pub const SOURCE: &str = include_str!("../ex8_backoff.rs");

pub const NAME: &str = "ex8_backoff";
pub const USAGE: &str = "\
usage: cargo run --example ex8_backoff [-- --check]

Exercise 8, a bonus (docs/exercises.md): make delays grow exponentially up to
a cap. With no argument, retries against flaky:4 with those delays; --check
says PASS or FAIL.
";

/// The most attempts `delays` plans for: more is no retry policy, and a
/// plan for `u32::MAX` attempts would need 64 GiB.
pub const MAX_ATTEMPTS: u32 = 100;

pub fn demo(delays: Delays) -> io::Result<()> {
    let planned = delays(5, Duration::from_millis(10), Duration::from_millis(50))?;
    say!("planned waits for 5 attempts, first 10 ms, cap 50 ms: {planned:?}");
    // Try against a peer that resets its first 4 connections, waiting
    // between attempts as planned.
    let peer = Peer::start(Script::Flaky(4))?;
    let mut waits = planned.iter();
    for attempt in 1..=5 {
        match say_hello(peer.addr()) {
            Ok(answer) => {
                say!("attempt {attempt}: answer {}", common::show(&answer));
                break;
            }
            Err(error) => say!("attempt {attempt}: {:?}", error.kind()),
        }
        let Some(wait) = waits.next() else {
            say!("no attempt left");
            break;
        };
        say!("  waiting {wait:?}");
        thread::sleep(*wait);
    }
    Ok(())
}

/// One attempt: a new connection, `hello`, and the answer until the peer
/// closes.
fn say_hello(addr: SocketAddr) -> io::Result<Vec<u8>> {
    let bound = Duration::from_secs(2);
    let mut stream = TcpStream::connect_timeout(&addr, bound)?;
    stream.set_read_timeout(Some(bound))?;
    stream.write_all(b"hello")?;
    // If the peer has already reset the connection, this fails with
    // NotConnected; the read below reports the reset itself.
    let _ = stream.shutdown(Shutdown::Write);
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    Ok(answer)
}

/// The type of `delays`.
pub type Delays = fn(u32, Duration, Duration) -> io::Result<Vec<Duration>>;

/// The waits the check expects: `first` × 2^i, at most `cap`, worked out
/// in nanoseconds as u128, where nothing here overflows.
fn expected(attempts: u32, first: Duration, cap: Duration) -> Vec<Duration> {
    let cap_ns = cap.as_nanos();
    (1..attempts)
        .map(|n| {
            // 2^(n-1) for n up to MAX_ATTEMPTS fits a u128 up to 2^127;
            // beyond that the cap has long been reached.
            let factor = 1u128.checked_shl(n - 1).unwrap_or(u128::MAX);
            let ns = first.as_nanos().saturating_mul(factor).min(cap_ns);
            // At most `cap`, so it fits a Duration.
            let secs = u64::try_from(ns / 1_000_000_000).unwrap_or(u64::MAX);
            Duration::new(secs, (ns % 1_000_000_000) as u32)
        })
        .collect()
}

/// Shows a plan briefly: its length, and its first and last waits.
fn brief(waits: &[Duration]) -> String {
    if waits.len() <= 5 {
        return format!("{waits:?}");
    }
    format!(
        "{} waits: {:?}, ..., {:?}",
        waits.len(),
        &waits[..3],
        &waits[waits.len() - 2..]
    )
}

/// Where two plans part, for a FAIL line whose shortened lists could look
/// alike: the first wait that differs, or the count.
fn first_difference(want: &[Duration], got: &[Duration]) -> String {
    match want.iter().zip(got).position(|(w, g)| w != g) {
        Some(index) => format!(
            "; wait {} is {:?}, expected {:?}",
            index + 1,
            got[index],
            want[index]
        ),
        None if want.len() != got.len() => {
            format!("; {} waits, expected {}", got.len(), want.len())
        }
        None => String::new(),
    }
}

/// Checks `delays` on short and long plans, a cap below the first wait,
/// 0 and 1 attempts, waits that outgrow any Duration, and too many attempts.
pub fn check(delays: Delays) -> Result<(), String> {
    let ms = Duration::from_millis;
    let plans = [
        (5, ms(100), ms(500), "double, then the cap"),
        (3, ms(100), ms(1000), "below the cap"),
        (1, ms(100), ms(1000), "one attempt: no wait"),
        (0, ms(100), ms(1000), "no attempt: no wait"),
        (4, ms(300), ms(200), "a first wait above the cap"),
        (4, Duration::ZERO, ms(200), "a first wait of zero"),
        (
            40,
            ms(1),
            Duration::from_secs(3600),
            "40 attempts: 2^38 ms is past the cap",
        ),
        (
            MAX_ATTEMPTS,
            Duration::from_nanos(1),
            Duration::MAX,
            "the most attempts, doubling past what a Duration holds",
        ),
    ];
    for (attempts, first, cap, what) in plans {
        let call = format!("delays({attempts}, {first:?}, {cap:?}) ({what})");
        let want = expected(attempts, first, cap);
        match panic::catch_unwind(|| delays(attempts, first, cap)) {
            Ok(Ok(got)) if got == want => {}
            Ok(Ok(got)) => {
                return Err(format!(
                    "{call}: expected {}, got {}{}",
                    brief(&want),
                    brief(&got),
                    first_difference(&want, &got)
                ));
            }
            Ok(Err(error)) => {
                return Err(format!(
                    "{call}: expected {}, got the error {error}",
                    brief(&want)
                ));
            }
            Err(_) => {
                return Err(format!(
                    "{call}: expected {}, but it panicked",
                    brief(&want)
                ));
            }
        }
    }
    for attempts in [MAX_ATTEMPTS + 1, u32::MAX] {
        let call = format!("delays({attempts}, 100ms, 1s)");
        match panic::catch_unwind(|| delays(attempts, ms(100), ms(1000))) {
            Ok(Err(error)) if error.kind() == io::ErrorKind::InvalidInput => {}
            Ok(Err(error)) => {
                return Err(format!(
                    "{call}: expected an InvalidInput error (more than {MAX_ATTEMPTS} attempts), got {:?}",
                    error.kind()
                ));
            }
            Ok(Ok(got)) => {
                return Err(format!(
                    "{call}: expected an InvalidInput error (more than {MAX_ATTEMPTS} attempts), got {} waits",
                    got.len()
                ));
            }
            Err(_) => {
                return Err(format!(
                    "{call}: expected an InvalidInput error (more than {MAX_ATTEMPTS} attempts), but it panicked"
                ));
            }
        }
    }
    Ok(())
}
