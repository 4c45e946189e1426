//! Exercise 8 (bonus): exponential backoff with a cap.
//!
//! `delays` should give the waits between attempts: the first wait, then
//! twice as long each time, but never more than `cap`. As shipped it waits
//! the same time between every attempt, as `reset_by_peer::retry` does.
//!
//! Show the problem:   cargo run --example ex8_backoff
//! Check your change:  cargo run --example ex8_backoff -- --check
//! The statement and a hint: docs/exercises.md, exercise 8.

#[path = "common/mod.rs"]
mod common;

use std::io;
use std::time::Duration;

use reset_by_peer::exchange::exchange;
use reset_by_peer::peer::{Peer, Script};
use reset_by_peer::retry::{Policy, retry_with, worth_retrying};

const NAME: &str = "ex8_backoff";
const USAGE: &str = "\
usage: cargo run --example ex8_backoff [-- --check]

Exercise 8, a bonus (docs/exercises.md): make delays grow exponentially up to
a cap. With no argument, retries against flaky:4 with those delays; --check
says PASS or FAIL.
";

/// The waits between `attempts` attempts: `first`, then doubling, at most
/// `cap`. There is no wait after the last attempt.
pub fn delays(attempts: u32, first: Duration, cap: Duration) -> Vec<Duration> {
    // TODO: double the wait each time, and never exceed `cap`.
    let _ = cap;
    (1..attempts).map(|_| first).collect()
}

fn demo() -> io::Result<()> {
    let planned = delays(5, Duration::from_millis(10), Duration::from_millis(50));
    println!("planned waits: {planned:?}");
    // Run a real retry with those waits, recording each one as it is slept.
    let peer = Peer::start(Script::Flaky(4))?;
    let policy = Policy::new(5, Duration::ZERO)?;
    let mut waits = planned.into_iter();
    let mut slept = Vec::new();
    let result = retry_with(
        &policy,
        worth_retrying,
        |_failed_attempt, _planned| {
            let wait = waits.next().unwrap_or_default();
            slept.push(wait);
            std::thread::sleep(wait);
        },
        |_| Ok(exchange(peer.addr(), b"hello", Duration::from_secs(2))?),
    );
    println!("slept {slept:?}; succeeded: {}", result.is_ok());
    Ok(())
}

/// Checks `delays` on a few schedules.
pub fn check(delays: fn(u32, Duration, Duration) -> Vec<Duration>) -> Result<(), String> {
    let ms = Duration::from_millis;
    let cases = [
        (
            (5, ms(100), ms(500)),
            vec![ms(100), ms(200), ms(400), ms(500)],
        ),
        ((3, ms(100), ms(1000)), vec![ms(100), ms(200)]),
        ((1, ms(100), ms(1000)), vec![]),
        ((4, ms(300), ms(200)), vec![ms(200), ms(200), ms(200)]),
    ];
    for ((attempts, first, cap), expected) in cases {
        let got = delays(attempts, first, cap);
        if got != expected {
            return Err(format!(
                "delays({attempts}, {first:?}, {cap:?}): expected {expected:?}, got {got:?}"
            ));
        }
    }
    Ok(())
}

fn main() {
    common::exercise(NAME, USAGE, demo, || check(delays));
}
