//! Exercise 8, solved: double each wait, and cap it.

use std::time::Duration;

pub fn delays(attempts: u32, first: Duration, cap: Duration) -> Vec<Duration> {
    // Changed: each wait is twice the one before, never more than `cap`.
    let mut wait = first.min(cap);
    let mut all = Vec::new();
    for _ in 1..attempts {
        all.push(wait);
        wait = wait.saturating_mul(2).min(cap);
    }
    all
}
