//! What the example reads from, and writes to, the kernel through `/proc`:
//! `tcp_retries2`, the RTO limits `tcp_rto_min_us` and `tcp_rto_max_ms`, the
//! retransmission counter, the identity of a network namespace, and how long
//! the kernel retransmits before it gives up.
//!
//! All of `/proc/sys/net` and `/proc/net` is per network namespace: each
//! file shows the values of the namespace of the process that opens it.
//!
//! # When the kernel gives up
//!
//! `tcp_retries2` is not a count of retransmissions but the input of a time
//! budget: `retransmits_timed_out` in the kernel's `net/ipv4/tcp_timer.c`
//! gives up once the time since the first timed-out retransmission (the
//! socket's `retrans_stamp`, set by `tcp_retransmit_skb`; a tail-loss probe
//! does not set it) reaches `tcp_model_timeout(sk, tcp_retries2,
//! TCP_RTO_MIN)`:
//!
//! ```text
//! linear_backoff_thresh = ilog2(tcp_rto_max(sk) / rto_base);
//! if (boundary <= linear_backoff_thresh)
//!         timeout = ((2 << boundary) - 1) * rto_base;
//! else
//!         timeout = ((2 << linear_backoff_thresh) - 1) * rto_base +
//!                 (boundary - linear_backoff_thresh) * tcp_rto_max(sk);
//! ```
//!
//! that is, waits doubling from `rto_base` until the cap, then at the cap.
//! For an established connection `rto_base` is the constant `TCP_RTO_MIN`
//! (`HZ / 5`, 200 ms), not the `tcp_rto_min_us` setting; the cap is the
//! socket's: since Linux 6.15 it comes from `tcp_rto_max_ms` (per network
//! namespace, 120000 by default) or the `TCP_RTO_MAX_MS` socket option, and
//! before that it was the constant `TCP_RTO_MAX`, 120 s.
//! The first timed-out retransmission comes one RTO after the last
//! transmission at the least, and an RTO is never below `tcp_rto_min_us`
//! (200000 by default): so the kernel gives up no sooner than
//! `tcp_rto_min_us` plus the budget after the data was sent ([`Rto::bound`],
//! give or take a tick of the kernel's timer). Real waits are longer: the RTO includes the
//! path's round trip, and the check runs only when the timer fires.

use std::io;
use std::time::Duration;

/// `tcp_retries2` of the network namespace of the process that opens it.
const RETRIES2: &str = "/proc/sys/net/ipv4/tcp_retries2";
/// The RTO floor, in microseconds (where the kernel has it).
const RTO_MIN_US: &str = "/proc/sys/net/ipv4/tcp_rto_min_us";
/// The RTO cap, in milliseconds (Linux 6.15 and later).
const RTO_MAX_MS: &str = "/proc/sys/net/ipv4/tcp_rto_max_ms";
/// The counters of IP, ICMP, TCP and UDP, `TcpRetransSegs` among them.
const SNMP: &str = "/proc/net/snmp";

/// `TCP_RTO_MIN` in the kernel's `include/net/tcp.h`: the base of the
/// budget, and the default of `tcp_rto_min_us`.
pub const TCP_RTO_MIN_MS: u64 = 200;
/// `TCP_RTO_MAX` in `include/net/tcp.h`: the cap before Linux 6.15, and the
/// default of `tcp_rto_max_ms` since.
pub const TCP_RTO_MAX_MS: u64 = 120_000;

// The formula, checked when this file compiles against what the kernel's
// documentation promises: `Documentation/networking/ip-sysctl.rst`,
// `tcp_retries2`: "The default value of 15 yields a hypothetical timeout of
// 924.6 seconds" (with the default cap of 120 s).
const _: () = assert!(model_timeout_ms(15, TCP_RTO_MIN_MS, TCP_RTO_MAX_MS) == 924_600);
const _: () = assert!(model_timeout_ms(3, TCP_RTO_MIN_MS, TCP_RTO_MAX_MS) == 3_000);
const _: () = assert!(model_timeout_ms(1, TCP_RTO_MIN_MS, TCP_RTO_MAX_MS) == 600);
// With the cap lowered to its least, 1 s, the waits stop doubling after
// 200, 400 and 800 ms: 1.4 s, then 1 s for each further retry.
const _: () = assert!(model_timeout_ms(15, TCP_RTO_MIN_MS, 1_000) == 14_400);
// And the bound of the example's clients (tcp_retries2 = 1, defaults).
const _: () = assert!(DEFAULT_RTO.bound_ms(1) == 800);
const _: () = assert!(DEFAULT_RTO.bound_ms(15) == 924_800);

/// `tcp_model_timeout` of `net/ipv4/tcp_timer.c`, in milliseconds: the
/// kernel's budget for `boundary` retries, with waits doubling from
/// `rto_base_ms` until `rto_max_ms`, then at `rto_max_ms`. (The kernel
/// counts in jiffies; the result is the same for whole jiffies.)
pub const fn model_timeout_ms(boundary: u8, rto_base_ms: u64, rto_max_ms: u64) -> u64 {
    let boundary = boundary as u64;
    let ratio = match rto_max_ms.checked_div(rto_base_ms) {
        Some(ratio) => ratio,
        None => 0,
    };
    let thresh = if ratio == 0 { 0 } else { ratio.ilog2() as u64 };
    // `(2 << n) - 1` written as `u64::MAX >> (63 - n)`, which cannot
    // overflow (n is at most 63); the products saturate, for values no
    // kernel accepts.
    if boundary <= thresh {
        (u64::MAX >> (63 - boundary)).saturating_mul(rto_base_ms)
    } else {
        (u64::MAX >> (63 - thresh))
            .saturating_mul(rto_base_ms)
            .saturating_add((boundary - thresh).saturating_mul(rto_max_ms))
    }
}

/// The RTO limits of a network namespace, as read from `/proc/sys`.
#[derive(Clone, Copy)]
pub struct Rto {
    /// `tcp_rto_min_us`, or `TCP_RTO_MIN` where the file is missing.
    pub min_us: u64,
    /// `tcp_rto_max_ms`, or `TCP_RTO_MAX` where the file is missing.
    pub max_ms: u64,
}

/// What a namespace that nobody tuned has.
const DEFAULT_RTO: Rto = Rto {
    min_us: TCP_RTO_MIN_MS * 1000,
    max_ms: TCP_RTO_MAX_MS,
};

impl Rto {
    /// The limits in the network namespace of this process; a missing file
    /// (an older kernel) means the kernel's constant.
    pub fn read() -> io::Result<Rto> {
        Ok(Rto {
            min_us: read_optional(RTO_MIN_US)?.unwrap_or(DEFAULT_RTO.min_us),
            max_ms: read_optional(RTO_MAX_MS)?.unwrap_or(DEFAULT_RTO.max_ms),
        })
    }

    /// The kernel's budget for `retries2`, counted from its first timed-out
    /// retransmission (see the module's documentation).
    pub const fn budget_ms(self, retries2: u8) -> u64 {
        model_timeout_ms(retries2, TCP_RTO_MIN_MS, self.max_ms)
    }

    /// The earliest the kernel can fail a socket with ETIMEDOUT, counted
    /// from the sending of the unacknowledged data, in milliseconds: one
    /// RTO, at least `tcp_rto_min_us` (and at most the cap), then the
    /// budget.
    pub const fn bound_ms(self, retries2: u8) -> u64 {
        let first_rto_ms = self.min_us.div_ceil(1000);
        let first_rto_ms = if first_rto_ms < self.max_ms {
            first_rto_ms
        } else {
            self.max_ms
        };
        first_rto_ms + self.budget_ms(retries2)
    }

    pub fn bound(self, retries2: u8) -> Duration {
        Duration::from_millis(self.bound_ms(retries2))
    }
}

/// A number from `/proc/sys`, or `None` if the file does not exist.
fn read_optional(path: &str) -> io::Result<Option<u64>> {
    match std::fs::read_to_string(path) {
        Ok(text) => text
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| io::Error::other(format!("unexpected {path}: `{}`", text.trim()))),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

/// `TcpRetransSegs` of this process's network namespace: the segments its
/// TCP has retransmitted, tail-loss probes included.
pub fn retrans_segs() -> io::Result<u64> {
    let snmp = std::fs::read_to_string(SNMP)?;
    crate::netns::snmp_counter(&snmp, "Tcp", "RetransSegs")
        .ok_or_else(|| io::Error::other(format!("no Tcp: RetransSegs in {SNMP}")))
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
