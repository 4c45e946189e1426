//! Exercise 8: wrong but plausible fixes, each of which the check must fail.

/// One wait per attempt, counted with `attempts - 1`: panics on 0 attempts
/// (an overflow in a debug build).
pub mod minus_one {
    use std::io;
    use std::time::Duration;

    use super::super::ex8::MAX_ATTEMPTS;

    pub fn delays(attempts: u32, first: Duration, cap: Duration) -> io::Result<Vec<Duration>> {
        if attempts > MAX_ATTEMPTS {
            return Err(io::ErrorKind::InvalidInput.into());
        }
        let mut wait = first.min(cap);
        let mut all = Vec::new();
        for _ in 0..attempts - 1 {
            all.push(wait);
            wait = wait.saturating_mul(2).min(cap);
        }
        Ok(all)
    }
}

/// Doubles with `*`: fine for short plans, a panic once the wait outgrows
/// a Duration, before the cap is applied.
pub mod plain_multiplication {
    use std::io;
    use std::time::Duration;

    use super::super::ex8::MAX_ATTEMPTS;

    pub fn delays(attempts: u32, first: Duration, cap: Duration) -> io::Result<Vec<Duration>> {
        if attempts > MAX_ATTEMPTS {
            return Err(io::ErrorKind::InvalidInput.into());
        }
        let mut wait = first;
        let mut all = Vec::new();
        for _ in 1..attempts {
            all.push(wait.min(cap));
            wait *= 2;
        }
        Ok(all)
    }
}

/// Works out 2^n with a u32 `pow`: overflows (a panic in a debug build)
/// past 31 doublings, however low the cap.
pub mod power_of_two {
    use std::io;
    use std::time::Duration;

    use super::super::ex8::MAX_ATTEMPTS;

    pub fn delays(attempts: u32, first: Duration, cap: Duration) -> io::Result<Vec<Duration>> {
        if attempts > MAX_ATTEMPTS {
            return Err(io::ErrorKind::InvalidInput.into());
        }
        Ok((1..attempts)
            .map(|n| first.saturating_mul(2u32.pow(n - 1)).min(cap))
            .collect())
    }
}

/// Caps every wait but the first: a first wait above the cap goes through.
pub mod first_uncapped {
    use std::io;
    use std::time::Duration;

    use super::super::ex8::MAX_ATTEMPTS;

    pub fn delays(attempts: u32, first: Duration, cap: Duration) -> io::Result<Vec<Duration>> {
        if attempts > MAX_ATTEMPTS {
            return Err(io::ErrorKind::InvalidInput.into());
        }
        let mut wait = first;
        let mut all = Vec::new();
        for _ in 1..attempts {
            all.push(wait);
            wait = wait.saturating_mul(2).min(cap);
        }
        Ok(all)
    }
}

/// Right waits, but no bound on the attempts: the plan for 101 attempts is
/// made (and the one for u32::MAX would need 64 GiB).
pub mod no_bound {
    use std::io;
    use std::time::Duration;

    pub fn delays(attempts: u32, first: Duration, cap: Duration) -> io::Result<Vec<Duration>> {
        let mut wait = first.min(cap);
        let mut all = Vec::new();
        for _ in 1..attempts {
            all.push(wait);
            wait = wait.saturating_mul(2).min(cap);
        }
        Ok(all)
    }
}

/// A wait after the last attempt too: one wait per attempt.
pub mod wait_after_last {
    use std::io;
    use std::time::Duration;

    use super::super::ex8::MAX_ATTEMPTS;

    pub fn delays(attempts: u32, first: Duration, cap: Duration) -> io::Result<Vec<Duration>> {
        if attempts > MAX_ATTEMPTS {
            return Err(io::ErrorKind::InvalidInput.into());
        }
        let mut wait = first.min(cap);
        let mut all = Vec::new();
        for _ in 0..attempts {
            all.push(wait);
            wait = wait.saturating_mul(2).min(cap);
        }
        Ok(all)
    }
}

/// Refuses MAX_ATTEMPTS itself, with `>=` for `>`: the longest plan the
/// statement allows is refused.
pub mod refuses_the_most {
    use std::io;
    use std::time::Duration;

    use super::super::ex8::MAX_ATTEMPTS;

    pub fn delays(attempts: u32, first: Duration, cap: Duration) -> io::Result<Vec<Duration>> {
        if attempts >= MAX_ATTEMPTS {
            return Err(io::ErrorKind::InvalidInput.into());
        }
        let mut wait = first.min(cap);
        let mut all = Vec::new();
        for _ in 1..attempts {
            all.push(wait);
            wait = wait.saturating_mul(2).min(cap);
        }
        Ok(all)
    }
}

/// Doubles before the first wait, `first × 2^n` for n from 1: every wait
/// is twice what it should be.
pub mod doubles_the_first {
    use std::io;
    use std::time::Duration;

    use super::super::ex8::MAX_ATTEMPTS;

    pub fn delays(attempts: u32, first: Duration, cap: Duration) -> io::Result<Vec<Duration>> {
        if attempts > MAX_ATTEMPTS {
            return Err(io::ErrorKind::InvalidInput.into());
        }
        let mut wait = first;
        let mut all = Vec::new();
        for _ in 1..attempts {
            wait = wait.saturating_mul(2).min(cap);
            all.push(wait);
        }
        Ok(all)
    }
}

/// Works in whole milliseconds, the unit of the examples: a first wait
/// under a millisecond becomes 0, and stays 0 however often it doubles.
pub mod whole_milliseconds {
    use std::io;
    use std::time::Duration;

    use super::super::ex8::MAX_ATTEMPTS;

    pub fn delays(attempts: u32, first: Duration, cap: Duration) -> io::Result<Vec<Duration>> {
        if attempts > MAX_ATTEMPTS {
            return Err(io::ErrorKind::InvalidInput.into());
        }
        let cap_ms = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
        let mut wait = u64::try_from(first.as_millis())
            .unwrap_or(u64::MAX)
            .min(cap_ms);
        let mut all = Vec::new();
        for _ in 1..attempts {
            all.push(Duration::from_millis(wait));
            wait = wait.saturating_mul(2).min(cap_ms);
        }
        Ok(all)
    }
}
