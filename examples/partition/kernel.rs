//! What the example reads from, and writes to, the kernel through `/proc`:
//! `tcp_retries2`, the identity of a network namespace, and how long the
//! kernel retransmits before it gives up.

use std::io;
use std::time::Duration;

/// `tcp_retries2` of the network namespace of the process that opens it.
const RETRIES2: &str = "/proc/sys/net/ipv4/tcp_retries2";

// What the kernel's documentation promises, checked when this file compiles:
// `Documentation/networking/ip-sysctl.rst`, `tcp_retries2`: "The default
// value of 15 yields a hypothetical timeout of 924.6 seconds".
const _: () = assert!(hypothetical_timeout_ms(15) == 924_600);
const _: () = assert!(hypothetical_timeout_ms(3) == 3_000);
const _: () = assert!(hypothetical_timeout_ms(1) == 600);

/// `TCP_RTO_MIN` and `TCP_RTO_MAX` in the kernel's `include/net/tcp.h`.
const RTO_MIN_MS: u64 = 200;
const RTO_MAX_MS: u64 = 120_000;

/// How long Linux retransmits unacknowledged data before it gives up, for a
/// given `tcp_retries2`: the wait before each of the `retries`
/// retransmissions and after the last, starting at the minimum RTO of
/// 200 ms, doubling each time, each wait capped at 120 s.
/// With every wait at its floor this is the "hypothetical timeout" of the
/// kernel's `ip-sysctl.rst`, which calls it a lower bound: real waits can
/// only be longer (for 1, about 0.7 s on the machine of `docs/facts.md`).
pub const fn hypothetical_timeout_ms(retries: u8) -> u64 {
    let mut total = 0;
    let mut wait = RTO_MIN_MS;
    // Counted in u32 so that 255 retries cannot overflow the counter.
    let mut sent: u32 = 0;
    // The first transmission, then `retries` retransmissions: one wait each.
    while sent <= retries as u32 {
        total += wait;
        wait = if wait * 2 > RTO_MAX_MS {
            RTO_MAX_MS
        } else {
            wait * 2
        };
        sent += 1;
    }
    total
}

pub fn hypothetical_timeout(retries: u8) -> Duration {
    Duration::from_millis(hypothetical_timeout_ms(retries))
}

/// The identity of this process's network namespace, e.g. `net:[4026531833]`.
pub fn netns_id() -> io::Result<String> {
    let link = std::fs::read_link("/proc/self/ns/net")?;
    Ok(link.to_string_lossy().into_owned())
}

/// `tcp_retries2` in the network namespace of this process.
pub fn read_retries2() -> io::Result<u8> {
    let text = std::fs::read_to_string(RETRIES2)?;
    text.trim().parse().map_err(|_| {
        io::Error::other(format!(
            "unexpected tcp_retries2 `{}` (this example expects 0 to 255)",
            text.trim()
        ))
    })
}

/// Sets `tcp_retries2` in the network namespace of this process.
pub fn write_retries2(value: u8) -> io::Result<()> {
    std::fs::write(RETRIES2, value.to_string())
}
