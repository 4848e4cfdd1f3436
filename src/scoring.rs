//! Every scoring rule in one place: base points, partial credit, speed and streak bonuses.
//!
//! Invariant: [`score`] never gives negative points nor more than
//! [`Rules::max_points`]; more difficulty or more credit never gives fewer points;
//! a speed bonus exists only in live rounds with the bonus switched on; an answer
//! that is not exactly right scores no streak bonus and ends the streak.
//!
//! The formula, for a question of base points `B` (by difficulty) answered with
//! credit `c` (`0..=1`, from the judge):
//!
//! ```text
//! points = round(B·c)                                   base, scaled by partial credit
//!        + round(B·c · speed% · (open − elapsed)/open)   live rounds, if switched on
//!        + round(B · min(streak%·streak_before, cap%))   only for an exactly right answer
//! ```
//!
//! With the defaults (10/20/30 points, speed up to +50 %, streak +10 % per previous
//! right answer up to +50 %) a hard question answered instantly on a long streak is
//! worth 30 + 15 + 15 = 60, the most any answer can earn.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ids::Millis;

/// How an answer was judged (by `quiz::judge`): what [`score`] turns into points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// Exactly right.
    pub correct: bool,
    /// The share of the question's points earned, `0..=1`; `1` exactly when `correct`.
    pub credit: f64,
}

impl Verdict {
    pub const RIGHT: Verdict = Verdict { correct: true, credit: 1.0 };
    pub const WRONG: Verdict = Verdict { correct: false, credit: 0.0 };

    /// All or nothing.
    pub fn exact(right: bool) -> Verdict {
        if right { Verdict::RIGHT } else { Verdict::WRONG }
    }

    /// Partial credit: `correct` only at full credit; NaN reads as nothing earned.
    pub fn partial(credit: f64) -> Verdict {
        let credit = if credit.is_nan() { 0.0 } else { credit.clamp(0.0, 1.0) };
        if credit >= 1.0 { Verdict::RIGHT } else { Verdict { correct: false, credit } }
    }
}

/// A server's scoring rules. Every field has a default, so a config may name only
/// what it changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// Base points for difficulty 1 (recall), 2 (understanding) and 3 (analysis).
    /// Harder questions are worth at least as much: [`Rules::check`] insists.
    pub points: [u32; 3],
    /// Whether fast answers in live rounds earn a bonus; the instructor may switch
    /// it off (for example when students answer from unreliable connections).
    /// Practice is self-paced and never has a speed bonus.
    pub speed_bonus: bool,
    /// The speed bonus for an answer given the instant a question opens, as a
    /// percentage of the points earned; it falls linearly to 0 at the deadline.
    pub speed_bonus_max_percent: u32,
    /// Bonus per exactly right answer in a row before this one, as a percentage of
    /// base points: the second right answer in a row earns +10 %, the third +20 %…
    pub streak_bonus_percent: u32,
    /// The most a streak can add, as a percentage of base points.
    pub streak_bonus_max_percent: u32,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules { points: [10, 20, 30], speed_bonus: true, speed_bonus_max_percent: 50, streak_bonus_percent: 10, streak_bonus_max_percent: 50 }
    }
}

/// Why a server's rules were refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RulesError {
    #[error("points must not decrease with difficulty, got {0:?}")]
    PointsDecrease([u32; 3]),
    #[error("points per question must be at most {MAX_BASE}, got {0}")]
    TooManyPoints(u32),
    #[error("{name} must be at most {MAX_PERCENT} %, got {value}")]
    PercentTooLarge { name: &'static str, value: u32 },
}

/// The largest base points a question may be worth.
pub const MAX_BASE: u32 = 10_000;
/// The largest bonus percentage a rule may name.
pub const MAX_PERCENT: u32 = 1_000;

impl Rules {
    /// Checks rules read from a config file; the scoring guarantees assume checked rules.
    pub fn check(&self) -> Result<(), RulesError> {
        if self.points.windows(2).any(|w| w[0] > w[1]) {
            return Err(RulesError::PointsDecrease(self.points));
        }
        if let Some(&p) = self.points.iter().find(|&&p| p > MAX_BASE) {
            return Err(RulesError::TooManyPoints(p));
        }
        for (name, value) in [
            ("speed_bonus_max_percent", self.speed_bonus_max_percent),
            ("streak_bonus_percent", self.streak_bonus_percent),
            ("streak_bonus_max_percent", self.streak_bonus_max_percent),
        ] {
            if value > MAX_PERCENT {
                return Err(RulesError::PercentTooLarge { name, value });
            }
        }
        Ok(())
    }

    /// Base points for a difficulty; out-of-range difficulties count as the nearest of 1..=3.
    pub fn base(&self, difficulty: u8) -> i64 {
        i64::from(self.points[usize::from(difficulty.clamp(1, 3)) - 1])
    }

    /// The most one answer can earn: base plus the full speed bonus (live, if on)
    /// plus the full streak bonus.
    pub fn max_points(&self, difficulty: u8, live: bool) -> i64 {
        let base = self.base(difficulty) as f64;
        let speed = if live && self.speed_bonus { self.speed_bonus_max_percent } else { 0 };
        base as i64 + round(base * pct(speed)) + round(base * pct(self.streak_bonus_max_percent))
    }
}

/// What one answer earned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ScoreDelta {
    /// The total: `base + speed_bonus + streak_bonus`.
    pub points: i64,
    /// Exactly right answers in a row, this one included (0 after any other answer).
    pub streak_after: u32,
    /// Base points scaled by the credit earned.
    pub base: i64,
    pub speed_bonus: i64,
    pub streak_bonus: i64,
}

/// Scores one judged answer.
///
/// `elapsed_ms` is the time from the question opening to the answer and `open_ms`
/// how long it stays open (the speed bonus decays over it); `streak_before` counts
/// the exactly right answers in a row just before this one; `live` is false in practice.
pub fn score(rules: &Rules, difficulty: u8, verdict: Verdict, elapsed_ms: Millis, open_ms: Millis, streak_before: u32, live: bool) -> ScoreDelta {
    let credit = if verdict.correct {
        1.0
    } else if verdict.credit.is_nan() {
        0.0
    } else {
        verdict.credit.clamp(0.0, 1.0)
    };
    let streak_after = if verdict.correct { streak_before.saturating_add(1) } else { 0 };
    let base_points = rules.base(difficulty) as f64;
    let earned = base_points * credit;

    let speed_bonus = if live && rules.speed_bonus && open_ms > 0 {
        let left = (open_ms - elapsed_ms.clamp(0, open_ms)) as f64 / open_ms as f64;
        round(earned * pct(rules.speed_bonus_max_percent) * left)
    } else {
        0
    };
    let streak_bonus = if verdict.correct {
        let percent = u64::from(rules.streak_bonus_percent) * u64::from(streak_before);
        let percent = percent.min(u64::from(rules.streak_bonus_max_percent)) as u32;
        round(base_points * pct(percent))
    } else {
        0
    };
    let base = round(earned);
    ScoreDelta { points: base + speed_bonus + streak_bonus, streak_after, base, speed_bonus, streak_bonus }
}

/// The one streak rule, shared by scoring, the quiz sessions and the store's reports.
///
/// Within one round, in question order, an exactly right answer extends the run; anything
/// else ends it: a wrong or partly right answer, or a question the student left unanswered
/// (the next answer is not to the question right after the last one answered). Every round
/// starts from nothing. A student's "current streak" is the run of the round they answered
/// in last; their best streak is the longest run of any round.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Streak {
    /// Exactly right answers in a row, up to and including the question at `last`.
    pub count: u32,
    /// The position in its round of the question answered last.
    pub last: Option<usize>,
}

impl Streak {
    /// The run an answer to the question at `position` builds on.
    pub fn before(self, position: usize) -> u32 {
        match self.last {
            Some(last) if last + 1 == position => self.count,
            _ => 0,
        }
    }

    /// The run after answering the question at `position`.
    pub fn after(self, position: usize, correct: bool) -> Streak {
        Streak { count: if correct { self.before(position).saturating_add(1) } else { 0 }, last: Some(position) }
    }
}

fn pct(percent: u32) -> f64 {
    f64::from(percent) / 100.0
}

/// Rounds half up; inputs are non-negative and small, so the cast is exact.
fn round(x: f64) -> i64 {
    (x + 0.5).floor() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RIGHT: Verdict = Verdict::RIGHT;
    const WRONG: Verdict = Verdict::WRONG;

    fn partial(credit: f64) -> Verdict {
        Verdict { correct: false, credit }
    }

    #[test]
    fn defaults_score_as_documented() {
        let r = Rules::default();
        assert_eq!(r.check(), Ok(()));
        // Difficulty 2, live, answered at once, first answer: 20 + 10 speed.
        let d = score(&r, 2, RIGHT, 0, 30_000, 0, true);
        assert_eq!((d.points, d.base, d.speed_bonus, d.streak_bonus, d.streak_after), (30, 20, 10, 0, 1));
        // Half-way through the open time: half the speed bonus.
        assert_eq!(score(&r, 2, RIGHT, 15_000, 30_000, 0, true).points, 25);
        // At or past the deadline (a late answer the caller let through): none.
        assert_eq!(score(&r, 2, RIGHT, 30_000, 30_000, 0, true).points, 20);
        assert_eq!(score(&r, 2, RIGHT, 99_000, 30_000, 0, true).points, 20);
        // Third right answer in a row: +20 % of base.
        assert_eq!(score(&r, 1, RIGHT, 0, 0, 2, false), ScoreDelta { points: 12, streak_after: 3, base: 10, speed_bonus: 0, streak_bonus: 2 });
        // The streak bonus stops at +50 %.
        assert_eq!(score(&r, 3, RIGHT, 0, 30_000, 40, true).points, 60);
        assert_eq!(r.max_points(3, true), 60);
        assert_eq!(r.max_points(3, false), 45);
        // Half credit on a multi: half of base and of the speed bonus, no streak, streak ends.
        let d = score(&r, 2, partial(0.5), 0, 30_000, 4, true);
        assert_eq!((d.points, d.streak_after), (15, 0));
        assert_eq!(score(&r, 3, WRONG, 0, 30_000, 9, true), ScoreDelta::default());
    }

    #[test]
    fn a_streak_runs_within_a_round_and_breaks_on_a_miss_or_a_skip() {
        let s = Streak::default();
        assert_eq!(s.before(0), 0);
        let s = s.after(0, true).after(1, true);
        assert_eq!((s.count, s.before(2)), (2, 2));
        assert_eq!(s.before(3), 0, "question 3 was skipped: the run is broken");
        assert_eq!(s.after(3, true).count, 1);
        assert_eq!(s.after(2, false).count, 0);
        // The bonus follows the same run: the third right answer in a row earns +20 %.
        let d = score(&Rules::default(), 1, RIGHT, 0, 0, s.before(2), false);
        assert_eq!((d.streak_bonus, d.streak_after), (2, s.after(2, true).count));
    }

    #[test]
    fn rules_read_from_config_keep_defaults_and_are_checked() {
        let r: Rules = serde_json::from_str(r#"{"speed_bonus": false}"#).unwrap();
        assert_eq!(r, Rules { speed_bonus: false, ..Rules::default() });
        assert!(serde_json::from_str::<Rules>(r#"{"speed": false}"#).is_err(), "unknown keys are refused");
        let bad = Rules { points: [30, 20, 10], ..Rules::default() };
        assert_eq!(bad.check().unwrap_err().to_string(), "points must not decrease with difficulty, got [30, 20, 10]");
        let bad = Rules { streak_bonus_percent: 5000, ..Rules::default() };
        assert!(bad.check().is_err());
    }

    fn rules() -> impl Strategy<Value = Rules> {
        (prop::array::uniform3(0..=MAX_BASE), any::<bool>(), 0..=MAX_PERCENT, 0..=MAX_PERCENT, 0..=MAX_PERCENT).prop_map(
            |(mut points, speed_bonus, speed, streak, cap)| {
                points.sort_unstable();
                Rules { points, speed_bonus, speed_bonus_max_percent: speed, streak_bonus_percent: streak, streak_bonus_max_percent: cap }
            },
        )
    }

    fn verdict() -> impl Strategy<Value = Verdict> {
        prop_oneof![Just(RIGHT), Just(WRONG), (0.0..1.0f64).prop_map(partial)]
    }

    proptest! {
        #[test]
        fn points_stay_between_zero_and_the_maximum(
            r in rules(), d in 0u8..6, v in verdict(), elapsed in -10_000i64..100_000, open in -10i64..60_000,
            streak in any::<u32>(), live in any::<bool>(),
        ) {
            prop_assert!(r.check().is_ok());
            let s = score(&r, d, v, elapsed, open, streak, live);
            prop_assert!(s.points >= 0);
            prop_assert!(s.points <= r.max_points(d, live), "{s:?} above {}", r.max_points(d, live));
            prop_assert_eq!(s.points, s.base + s.speed_bonus + s.streak_bonus);
        }

        #[test]
        fn harder_never_scores_less(
            r in rules(), d in 1u8..3, v in verdict(), elapsed in 0i64..60_000, streak in 0u32..10, live in any::<bool>(),
        ) {
            let easier = score(&r, d, v, elapsed, 60_000, streak, live).points;
            let harder = score(&r, d + 1, v, elapsed, 60_000, streak, live).points;
            prop_assert!(easier <= harder);
        }

        #[test]
        fn more_credit_never_scores_less(
            r in rules(), d in 1u8..=3, a in 0.0..1.0f64, b in 0.0..1.0f64, elapsed in 0i64..60_000, streak in 0u32..10, live in any::<bool>(),
        ) {
            let (lo, hi) = (a.min(b), a.max(b));
            let at = |v| score(&r, d, v, elapsed, 60_000, streak, live).points;
            prop_assert!(at(partial(lo)) <= at(partial(hi)));
            prop_assert!(at(partial(hi)) <= at(RIGHT));
        }

        #[test]
        fn no_speed_bonus_when_switched_off_or_in_practice(
            r in rules(), d in 1u8..=3, v in verdict(), elapsed in 0i64..60_000, streak in 0u32..10,
        ) {
            prop_assert_eq!(score(&r, d, v, elapsed, 60_000, streak, false).speed_bonus, 0);
            let off = Rules { speed_bonus: false, ..r };
            prop_assert_eq!(score(&off, d, v, 0, 60_000, streak, true).speed_bonus, 0);
        }

        #[test]
        fn anything_but_exactly_right_ends_the_streak(
            r in rules(), d in 1u8..=3, credit in 0.0..1.0f64, elapsed in 0i64..60_000, streak in any::<u32>(), live in any::<bool>(),
        ) {
            let wrong = score(&r, d, WRONG, elapsed, 60_000, streak, live);
            prop_assert_eq!(wrong, ScoreDelta::default());
            let part = score(&r, d, partial(credit), elapsed, 60_000, streak, live);
            prop_assert_eq!((part.streak_after, part.streak_bonus), (0, 0));
            let right = score(&r, d, RIGHT, elapsed, 60_000, streak, live);
            prop_assert_eq!(right.streak_after, streak.saturating_add(1));
        }
    }
}
