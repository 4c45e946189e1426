//! Exercise 8, solved: double each wait, cap it, and refuse a plan too long
//! to hold.

use std::io;
use std::time::Duration;

use crate::ex8::MAX_ATTEMPTS;

pub fn delays(attempts: u32, first: Duration, cap: Duration) -> io::Result<Vec<Duration>> {
    // Changed: refuse more attempts than any plan needs, before allocating.
    if attempts > MAX_ATTEMPTS {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("at most {MAX_ATTEMPTS} attempts"),
        ));
    }
    // Changed: each wait is twice the one before, never more than `cap`;
    // saturating_mul cannot overflow, and min keeps the first under the cap.
    let mut wait = first.min(cap);
    let mut all = Vec::new();
    for _ in 1..attempts {
        all.push(wait);
        wait = wait.saturating_mul(2).min(cap);
    }
    Ok(all)
}
