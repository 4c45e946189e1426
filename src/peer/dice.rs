//! The peer's dice: which connections `--chance` strikes, and how much
//! jitter `latency` adds, both drawn from one seed so that a run can be
//! repeated.
//!
//! Each connection gets dice of its own, from the seed and the
//! connection's number (counted from 1 in the order the peer accepted
//! them), so the same seed gives the same draws to the same connections,
//! however the threads that serve them run.

/// A small pseudo-random generator, SplitMix64 (Steele, Lea and Flood,
/// "Fast splittable pseudorandom number generators", OOPSLA 2014): good
/// enough to pick connections and jitter, and no cryptography.
pub(super) struct Dice {
    state: u64,
}

impl Dice {
    /// The dice of connection `index` for one `purpose` (the chance, or
    /// one direction's jitter), from `seed`.
    pub(super) fn new(seed: u64, index: usize, purpose: u64) -> Dice {
        let mut dice = Dice {
            state: seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        };
        dice.state ^= dice.next().wrapping_add(purpose);
        dice
    }

    /// The next number, uniform over u64.
    pub(super) fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number from 0 to `top`, both included.
    pub(super) fn up_to(&mut self, top: u64) -> u64 {
        // The modulo's bias is below one in 2^32 for any top the peer uses
        // (at most 60 000 ms): no lesson can see it.
        match top.checked_add(1) {
            Some(span) => self.next() % span,
            None => self.next(),
        }
    }
}

/// Whether connection `index` meets the script's fault under a chance of
/// `percent` (1 to 100) from `seed`: at 100, every connection does.
pub(super) fn strikes(percent: u8, seed: u64, index: usize) -> bool {
    percent >= 100 || Dice::new(seed, index, 0).up_to(99) < u64::from(percent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_strikes_the_same_connections() {
        let pattern = |seed| {
            (1..=200)
                .filter(|&i| strikes(30, seed, i))
                .collect::<Vec<_>>()
        };
        assert_eq!(pattern(7), pattern(7));
        assert_ne!(pattern(7), pattern(8));
        // 30 % of 200, give or take what chance allows.
        assert!(
            (30..=90).contains(&pattern(7).len()),
            "{}",
            pattern(7).len()
        );
        assert!((1..=200).all(|i| strikes(100, 7, i)));
    }

    #[test]
    fn up_to_stays_within_its_top() {
        let mut dice = Dice::new(1, 1, 1);
        assert!((0..1000).all(|_| dice.up_to(10) <= 10));
        assert!((0..1000).any(|_| dice.up_to(10) == 10));
    }
}
