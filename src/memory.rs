//! A student's memory of each item, scheduled by FSRS-6 (the Free Spaced Repetition
//! Scheduler): how stable the memory is, how hard the item is for them, when it is due.
//!
//! Invariants: pure (the moment of every review and reading is passed in; no clock, no I/O);
//! after any review, stability ≥ [`STABILITY_MIN`], difficulty in `1..=10`, and the next
//! review falls 1 to [`MAX_INTERVAL_DAYS`] whole days after it; a [`Scheduler`] only exists
//! with a desired retention in [`RETENTION_RANGE`].
//!
//! The formulas are FSRS-6 with its default parameters, exactly as the reference
//! implementation (py-fsrs 6.3.2, `fsrs` on PyPI) computes them with no learning or
//! relearning steps and no fuzz: items are scheduled in whole days, and a new item goes
//! straight to review. `tests/memory.rs` checks a table of histories against that reference
//! (`tests/fixtures/fsrs/`). ARCHITECTURE.md says why these forty lines are ours rather than
//! a crate's.
//!
//! A verdict becomes a rating by [`rating`]: wrong is Again, partial credit Hard, right Good,
//! and right within the first half of a speed window (a live round with the speed bonus on)
//! Easy: the grades a student would give themselves for "forgot", "half knew", "knew" and
//! "knew at once".

use std::ops::RangeInclusive;

use thiserror::Error;

use crate::ids::Millis;
use crate::scoring::Verdict;

/// FSRS-6's default parameters (py-fsrs 6.3.2's `DEFAULT_PARAMETERS`, `w[0]`…`w[20]`).
const W: [f64; 21] = [
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796, 1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912,
    0.0658, 0.1542,
];

/// The least stability (days) a memory can have.
pub const STABILITY_MIN: f64 = 0.001;
/// The longest interval between two reviews, in days (a hundred years: no cap in practice).
pub const MAX_INTERVAL_DAYS: i64 = 36_500;
/// The desired retention a server may choose: below 0.7 students would forget too much
/// between reviews to learn from them; above 0.97 reviews come so often the workload
/// explodes for little gain (FSRS's own guidance).
pub const RETENTION_RANGE: RangeInclusive<f64> = 0.7..=0.97;
/// The desired retention unless a server chooses another: recall 90 % of items when due.
pub const DEFAULT_RETENTION: f64 = 0.9;

const DAY_MS: Millis = 86_400_000;

/// How well a student recalled an item, FSRS's four grades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rating {
    Again = 1,
    Hard = 2,
    Good = 3,
    Easy = 4,
}

impl Rating {
    fn grade(self) -> f64 {
        f64::from(self as u8)
    }
}

/// The rating a judged answer gives: wrong → Again, partial credit → Hard, right → Good,
/// right within the first half of `speed_window_ms` (when the answer had one) → Easy.
pub fn rating(verdict: Verdict, elapsed_ms: Millis, speed_window_ms: Option<Millis>) -> Rating {
    if verdict.correct {
        match speed_window_ms {
            Some(window) if window > 0 && elapsed_ms.saturating_mul(2) <= window => Rating::Easy,
            _ => Rating::Good,
        }
    } else if verdict.credit > 0.0 {
        Rating::Hard
    } else {
        Rating::Again
    }
}

/// A graded answer as the scheduler takes it: its rating, and the scheduler of the server
/// it was given in (whose desired retention sets the next interval).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Review {
    pub rating: Rating,
    pub scheduler: Scheduler,
}

impl Review {
    /// The review a judged answer gives (see [`rating`]).
    pub fn of(verdict: Verdict, elapsed_ms: Millis, speed_window_ms: Option<Millis>, scheduler: Scheduler) -> Review {
        Review { rating: rating(verdict, elapsed_ms, speed_window_ms), scheduler }
    }

    /// The memory after this review at `now`.
    pub fn apply(&self, before: Option<&Memory>, now: Millis) -> Memory {
        self.scheduler.review(before, self.rating, now)
    }
}

/// The speed window of an answer for [`rating`]: the question's open time, in a round with
/// the speed bonus on (live rounds only; practice has none).
pub fn speed_window_ms(speed_bonus: bool, open_seconds: i64) -> Option<Millis> {
    (speed_bonus && open_seconds > 0).then(|| open_seconds.saturating_mul(1000))
}

/// One student's memory of one item after their last review.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Memory {
    /// Days until recall falls to 90 %.
    pub stability: f64,
    /// How hard the item is for this student, 1 (easy) to 10.
    pub difficulty: f64,
    /// When the next review is due.
    pub due: Millis,
    /// When it was last reviewed.
    pub last_review: Millis,
    /// Reviews so far.
    pub reviews: u32,
    /// Reviews rated Again after the first: times the item was forgotten.
    pub lapses: u32,
}

impl Memory {
    /// The estimated chance of recalling the item at `now` (FSRS's retrievability), from
    /// the whole days elapsed since the last review, as the reference counts them.
    pub fn recall(&self, now: Millis) -> f64 {
        forgetting_curve(whole_days(now - self.last_review) as f64, self.stability)
    }

    /// Whether the item is due for review at `now`.
    pub fn is_due(&self, now: Millis) -> bool {
        self.due <= now
    }
}

/// A desired retention outside [`RETENTION_RANGE`].
#[derive(Debug, Clone, Copy, PartialEq, Error)]
#[error(
    "a desired retention of {0} is out of range: choose between {lo} and {hi} (0.9, the default, means recalling 90 % of items when they come due)",
    lo = RETENTION_RANGE.start(),
    hi = RETENTION_RANGE.end()
)]
pub struct RetentionOutOfRange(pub f64);

/// Schedules reviews for one desired retention.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scheduler {
    retention: f64,
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler { retention: DEFAULT_RETENTION }
    }
}

impl Scheduler {
    /// A scheduler aiming at `retention`, refused outside [`RETENTION_RANGE`] (or NaN).
    pub fn new(retention: f64) -> Result<Scheduler, RetentionOutOfRange> {
        if RETENTION_RANGE.contains(&retention) { Ok(Scheduler { retention }) } else { Err(RetentionOutOfRange(retention)) }
    }

    pub fn retention(&self) -> f64 {
        self.retention
    }

    /// The memory after a review rated `rating` at `now`, from the memory before it (`None`
    /// for an item never reviewed). A review dated before the last one counts as on the
    /// same day.
    pub fn review(&self, before: Option<&Memory>, rating: Rating, now: Millis) -> Memory {
        let (stability, difficulty, reviews, lapses) = match before {
            None => (initial_stability(rating), initial_difficulty(rating).clamp(1.0, 10.0), 0, 0),
            Some(m) => {
                let days = whole_days(now - m.last_review);
                let stability =
                    if days < 1 { short_term_stability(m.stability, rating) } else { next_stability(m.difficulty, m.stability, m.recall(now), rating) };
                (stability, next_difficulty(m.difficulty, rating), m.reviews, m.lapses + u32::from(rating == Rating::Again))
            }
        };
        let stability = stability.max(STABILITY_MIN);
        Memory { stability, difficulty, due: now + self.interval_days(stability) * DAY_MS, last_review: now, reviews: reviews + 1, lapses }
    }

    /// Whole days until recall falls to the desired retention (1 to [`MAX_INTERVAL_DAYS`]).
    pub fn interval_days(&self, stability: f64) -> i64 {
        let days = stability / factor() * (self.retention.powf(1.0 / decay()) - 1.0);
        (days.round() as i64).clamp(1, MAX_INTERVAL_DAYS)
    }
}

/// Whole days in `ms` (floored; negative spans read as 0), as Python's `timedelta.days`.
fn whole_days(ms: Millis) -> i64 {
    ms.max(0) / DAY_MS
}

fn decay() -> f64 {
    -W[20]
}

/// Chosen so that recall is 90 % after `stability` days.
fn factor() -> f64 {
    0.9f64.powf(1.0 / decay()) - 1.0
}

fn forgetting_curve(days: f64, stability: f64) -> f64 {
    (1.0 + factor() * days / stability).powf(decay())
}

fn initial_stability(rating: Rating) -> f64 {
    W[rating as usize - 1].max(STABILITY_MIN)
}

fn initial_difficulty(rating: Rating) -> f64 {
    W[4] - (W[5] * (rating.grade() - 1.0)).exp() + 1.0
}

fn next_difficulty(difficulty: f64, rating: Rating) -> f64 {
    let delta = -W[6] * (rating.grade() - 3.0);
    let damped = difficulty + (10.0 - difficulty) * delta / 9.0;
    (W[7] * initial_difficulty(Rating::Easy) + (1.0 - W[7]) * damped).clamp(1.0, 10.0)
}

fn short_term_stability(stability: f64, rating: Rating) -> f64 {
    let increase = (W[17] * (rating.grade() - 3.0 + W[18])).exp() * stability.powf(-W[19]);
    let increase = if rating == Rating::Again { increase } else { increase.max(1.0) };
    stability * increase
}

fn next_stability(difficulty: f64, stability: f64, recall: f64, rating: Rating) -> f64 {
    if rating == Rating::Again {
        let long_term = W[11] * difficulty.powf(-W[12]) * ((stability + 1.0).powf(W[13]) - 1.0) * ((1.0 - recall) * W[14]).exp();
        long_term.min(stability / (W[17] * W[18]).exp())
    } else {
        let hard = if rating == Rating::Hard { W[15] } else { 1.0 };
        let easy = if rating == Rating::Easy { W[16] } else { 1.0 };
        stability * (1.0 + W[8].exp() * (11.0 - difficulty) * stability.powf(-W[9]) * (((1.0 - recall) * W[10]).exp() - 1.0) * hard * easy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_becomes_a_rating() {
        let partial = Verdict::partial(0.5);
        assert_eq!(rating(Verdict::WRONG, 1_000, None), Rating::Again);
        assert_eq!(rating(partial, 1_000, Some(30_000)), Rating::Hard);
        assert_eq!(rating(Verdict::RIGHT, 1_000, None), Rating::Good);
        assert_eq!(rating(Verdict::RIGHT, 15_000, Some(30_000)), Rating::Easy);
        assert_eq!(rating(Verdict::RIGHT, 15_001, Some(30_000)), Rating::Good);
    }

    #[test]
    fn retention_is_checked() {
        assert!(Scheduler::new(0.9).is_ok());
        for bad in [0.5, 0.99, f64::NAN] {
            let err = Scheduler::new(bad).unwrap_err().to_string();
            assert!(err.contains("between 0.7 and 0.97"), "{err}");
        }
    }
}
