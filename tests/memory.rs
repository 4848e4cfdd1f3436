//! FSRS as Agora schedules it, against the reference implementation: every review of a
//! table of histories gives the stability, difficulty and next interval py-fsrs gives.
//!
//! The expected values (`tests/fixtures/fsrs/reference.tsv`) were computed by py-fsrs 6.3.2
//! (`pip install fsrs==6.3.2`), default FSRS-6 parameters, no fuzz, no learning or
//! relearning steps, by `tests/fixtures/fsrs/reference.py`, which says how to run it again.

use agora::memory::{Memory, Rating, Scheduler};

const REFERENCE: &str = include_str!("fixtures/fsrs/reference.tsv");
const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// One line of the reference: a review and the state after it.
struct Expected {
    case: usize,
    retention: f64,
    hours: f64,
    rating: Rating,
    stability: f64,
    difficulty: f64,
    interval_days: f64,
    recall_before: f64,
}

fn reference() -> Vec<Expected> {
    REFERENCE
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let num = |i: usize| f[i].parse::<f64>().unwrap_or_else(|e| panic!("{line}: column {i}: {e}"));
            let rating = match f[4] {
                "1" => Rating::Again,
                "2" => Rating::Hard,
                "3" => Rating::Good,
                "4" => Rating::Easy,
                other => panic!("{line}: rating {other}"),
            };
            Expected {
                case: f[0].parse().unwrap(),
                retention: num(2),
                hours: num(3),
                rating,
                stability: num(5),
                difficulty: num(6),
                interval_days: num(7),
                recall_before: num(8),
            }
        })
        .collect()
}

#[test]
fn review_histories_match_the_reference_implementation() {
    let expected = reference();
    assert!(expected.len() >= 40, "the reference table lost lines");
    let mut memory: Option<Memory> = None;
    let mut case = usize::MAX;
    let mut now = 1_767_603_600_000i64; // 2026-01-05 09:00 UTC, as the script starts
    for (line, e) in expected.iter().enumerate() {
        if e.case != case {
            (case, memory) = (e.case, None);
        }
        let scheduler = Scheduler::new(e.retention).unwrap();
        now += (e.hours * HOUR_MS as f64) as i64;
        let recall = memory.map_or(0.0, |m| m.recall(now));
        let after = scheduler.review(memory.as_ref(), e.rating, now);
        let at = format!("line {} (case {}, {:?} after {} h)", line + 2, e.case, e.rating, e.hours);
        assert!((recall - e.recall_before).abs() < 1e-3, "{at}: recall before {recall}, reference {}", e.recall_before);
        assert!((after.stability - e.stability).abs() < 1e-3, "{at}: stability {}, reference {}", after.stability, e.stability);
        assert!((after.difficulty - e.difficulty).abs() < 1e-3, "{at}: difficulty {}, reference {}", after.difficulty, e.difficulty);
        let interval = (after.due - now) as f64 / DAY_MS as f64;
        assert!((interval - e.interval_days).abs() < 1.0, "{at}: next review in {interval} days, reference {}", e.interval_days);
        assert_eq!(after.last_review, now);
        memory = Some(after);
    }
}

/// Reviews and lapses are counted: every review once, a lapse for each Again after the first.
#[test]
fn reviews_and_lapses_are_counted() {
    let s = Scheduler::default();
    let mut m = s.review(None, Rating::Again, 0);
    assert_eq!((m.reviews, m.lapses), (1, 0));
    for (day, rating) in [(1, Rating::Good), (3, Rating::Again), (4, Rating::Good)] {
        m = s.review(Some(&m), rating, day * DAY_MS);
    }
    assert_eq!((m.reviews, m.lapses), (4, 1));
    assert!(!m.is_due(m.due - 1) && m.is_due(m.due));
}
