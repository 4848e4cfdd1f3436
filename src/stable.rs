//! Stable hashing and seeded shuffles: the same seed gives the same order on every
//! platform and after every dependency upgrade.
//!
//! Invariant: only ChaCha's output stream (fixed by its specification) and the code in
//! this file decide an order — never `rand`'s slice helpers, whose algorithms may change
//! between versions — so a seed printed today replays the same quiz tomorrow.

use rand::RngCore;
use rand_chacha::ChaCha8Rng;

/// 64-bit FNV-1a: unlike `std`'s hasher, the same on every run, platform and version.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// A uniform index below `bound` (> 0), by Lemire's multiply-shift; its bias is
/// below 2^-50 for the small bounds used here.
pub fn below(rng: &mut ChaCha8Rng, bound: usize) -> usize {
    ((u128::from(rng.next_u64()) * bound as u128) >> 64) as usize
}

/// A uniform number in `(0, 1]`.
pub fn unit(rng: &mut ChaCha8Rng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
}

/// Fisher–Yates on the first `k` positions: afterwards `v[..k]` is a uniform sample in random order.
pub fn partial_shuffle<T>(v: &mut [T], k: usize, rng: &mut ChaCha8Rng) {
    let len = v.len();
    for i in 0..k.min(len.saturating_sub(1)) {
        let j = i + below(rng, len - i);
        v.swap(i, j);
    }
}

/// Fisher–Yates over the whole slice.
pub fn shuffle<T>(v: &mut [T], rng: &mut ChaCha8Rng) {
    partial_shuffle(v, v.len(), rng);
}
