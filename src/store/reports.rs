//! Scores read back out of the answers: totals, streaks, mastery, leaderboards, item
//! statistics and the instructor's gradebook.
//!
//! Invariant: every report reads one guild's rows only (each query filters on the guild id
//! and joins on it), and is computed from the answers alone, so it can never disagree with
//! what was recorded. SQL does the counting; ranking and streaks are plain Rust below,
//! tested without a database.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use sqlx::Row;

use super::Store;
use super::error::{Context, Result, StoreError};
use super::model::{ItemStats, LeaderboardRow, RankBy, Tally, Totals};

impl Store {
    /// One student's totals in one guild. `item_topics` maps item ids to their topics
    /// (from the bank); answers to items it does not list count overall but in no topic.
    pub async fn user_totals(
        &self,
        guild_id: &str,
        user_id: &str,
        item_topics: &HashMap<String, Vec<String>>,
    ) -> Result<Totals> {
        let rows = sqlx::query(
            "SELECT item_id, correct, points FROM answers
             WHERE guild_id = $1 AND user_id = $2
             ORDER BY answered_at, round_id, item_id",
        )
        .bind(guild_id)
        .bind(user_id)
        .fetch_all(&self.reader)
        .await
        .with_context(|| format!("reading answers of user {user_id} in guild {guild_id}"))?;
        let mut answers = Vec::with_capacity(rows.len());
        for row in &rows {
            let item: String = row.try_get("item_id").map_err(corrupt)?;
            let correct: i64 = row.try_get("correct").map_err(corrupt)?;
            let points: i64 = row.try_get("points").map_err(corrupt)?;
            answers.push((item, correct != 0, points));
        }
        Ok(totals(
            answers.iter().map(|(i, c, p)| (i.as_str(), *c, *p)),
            item_topics,
        ))
    }

    /// The guild's leaderboard: students with at least `min_answers` answers, ranked, the
    /// first `top_n` rows. When `anonymous`, names become "Student 1", "Student 2", … by
    /// position on the board.
    pub async fn leaderboard(
        &self,
        guild_id: &str,
        by: RankBy,
        top_n: usize,
        anonymous: bool,
        min_answers: u64,
    ) -> Result<Vec<LeaderboardRow>> {
        let rows = sqlx::query(
            "SELECT a.user_id AS user_id, u.display_name AS display_name,
                    COUNT(*) AS answered,
                    CAST(SUM(a.correct) AS BIGINT) AS correct,
                    CAST(SUM(a.points) AS BIGINT) AS points
             FROM answers a
             JOIN users u ON u.guild_id = a.guild_id AND u.user_id = a.user_id
             WHERE a.guild_id = $1
             GROUP BY a.user_id, u.display_name",
        )
        .bind(guild_id)
        .fetch_all(&self.reader)
        .await
        .with_context(|| format!("computing the leaderboard of guild {guild_id}"))?;
        let mut standings = Vec::with_capacity(rows.len());
        for row in &rows {
            standings.push(Standing {
                user_id: row.try_get("user_id").map_err(corrupt)?,
                name: row.try_get("display_name").map_err(corrupt)?,
                answered: count(row.try_get("answered").map_err(corrupt)?)?,
                correct: count(row.try_get("correct").map_err(corrupt)?)?,
                points: row.try_get("points").map_err(corrupt)?,
            });
        }
        Ok(rank(standings, by, top_n, anonymous, min_answers))
    }

    /// Per item, in item-id order: how often it was asked and answered, the share correct,
    /// and how often each response was given (for choice questions: picks per choice).
    pub async fn item_stats(&self, guild_id: &str) -> Result<Vec<ItemStats>> {
        let context = || format!("computing item statistics of guild {guild_id}");
        let rounds = sqlx::query(
            "SELECT round_id, item_ids, current_index, opened_at FROM rounds WHERE guild_id = $1",
        )
        .bind(guild_id)
        .fetch_all(&self.reader)
        .await
        .with_context(context)?;
        let picks = sqlx::query(
            "SELECT item_id, round_id, response, COUNT(*) AS n, CAST(SUM(correct) AS BIGINT) AS c
             FROM answers WHERE guild_id = $1
             GROUP BY item_id, round_id, response",
        )
        .bind(guild_id)
        .fetch_all(&self.reader)
        .await
        .with_context(context)?;

        // (item, round) pairs in which the item was put to the class.
        let mut asked: BTreeSet<(String, String)> = BTreeSet::new();
        for row in &rounds {
            let round_id: String = row.try_get("round_id").map_err(corrupt)?;
            let items: String = row.try_get("item_ids").map_err(corrupt)?;
            let current: i64 = row.try_get("current_index").map_err(corrupt)?;
            let opened_at: Option<i64> = row.try_get("opened_at").map_err(corrupt)?;
            let items: Vec<String> =
                serde_json::from_str(&items).map_err(|e| StoreError::Corrupt {
                    table: "rounds",
                    detail: format!("round {round_id}: item ids are not a JSON list: {e}"),
                })?;
            for (position, item) in items.into_iter().enumerate() {
                let position = position as i64;
                if position < current || (position == current && opened_at.is_some()) {
                    asked.insert((item, round_id.clone()));
                }
            }
        }
        let mut stats: BTreeMap<String, (Tally, BTreeMap<String, u64>)> = BTreeMap::new();
        for row in &picks {
            let item: String = row.try_get("item_id").map_err(corrupt)?;
            let round_id: String = row.try_get("round_id").map_err(corrupt)?;
            let response: String = row.try_get("response").map_err(corrupt)?;
            let n = count(row.try_get("n").map_err(corrupt)?)?;
            let c = count(row.try_get("c").map_err(corrupt)?)?;
            asked.insert((item.clone(), round_id));
            let (tally, responses) = stats.entry(item).or_default();
            tally.answered += n;
            tally.correct += c;
            *responses.entry(response).or_default() += n;
        }
        let mut times_asked: BTreeMap<String, u64> = BTreeMap::new();
        for (item, _) in asked {
            *times_asked.entry(item).or_default() += 1;
        }
        Ok(times_asked
            .into_iter()
            .map(|(item_id, times_asked)| {
                let (tally, responses) = stats.remove(&item_id).unwrap_or_default();
                let mut responses: Vec<(String, u64)> = responses.into_iter().collect();
                responses.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                ItemStats {
                    item_id,
                    times_asked,
                    answers: tally.answered,
                    correct: tally.correct,
                    share_correct: tally.accuracy().unwrap_or(0.0),
                    responses,
                }
            })
            .collect())
    }

    /// The instructor's gradebook as CSV: one row per student of the guild (by display name),
    /// columns `user_id, display_name, answered, correct, accuracy, points`, then one
    /// `accuracy_<topic>` column per topic of `topic_order`. Accuracies are fractions with
    /// three decimals; blank when the student answered nothing (in that topic).
    pub async fn gradebook_csv(
        &self,
        guild_id: &str,
        item_topics: &HashMap<String, Vec<String>>,
        topic_order: &[String],
    ) -> Result<String> {
        let context = || format!("building the gradebook of guild {guild_id}");
        let users = sqlx::query("SELECT user_id, display_name FROM users WHERE guild_id = $1")
            .bind(guild_id)
            .fetch_all(&self.reader)
            .await
            .with_context(context)?;
        let per_item = sqlx::query(
            "SELECT user_id, item_id, COUNT(*) AS n, CAST(SUM(correct) AS BIGINT) AS c,
                    CAST(SUM(points) AS BIGINT) AS p
             FROM answers WHERE guild_id = $1
             GROUP BY user_id, item_id",
        )
        .bind(guild_id)
        .fetch_all(&self.reader)
        .await
        .with_context(context)?;

        struct Student {
            name: String,
            overall: Tally,
            points: i64,
            topics: HashMap<String, Tally>,
        }
        let mut students: HashMap<String, Student> = HashMap::new();
        for row in &users {
            let user_id: String = row.try_get("user_id").map_err(corrupt)?;
            let name: String = row.try_get("display_name").map_err(corrupt)?;
            students.insert(
                user_id,
                Student {
                    name,
                    overall: Tally::default(),
                    points: 0,
                    topics: HashMap::new(),
                },
            );
        }
        for row in &per_item {
            let user_id: String = row.try_get("user_id").map_err(corrupt)?;
            let item_id: String = row.try_get("item_id").map_err(corrupt)?;
            let n = count(row.try_get("n").map_err(corrupt)?)?;
            let c = count(row.try_get("c").map_err(corrupt)?)?;
            let p: i64 = row.try_get("p").map_err(corrupt)?;
            // The foreign key guarantees the user exists; a missing one is skipped, not fatal.
            let Some(student) = students.get_mut(&user_id) else {
                continue;
            };
            student.overall.answered += n;
            student.overall.correct += c;
            student.points += p;
            for topic in item_topics.get(&item_id).into_iter().flatten() {
                let tally = student.topics.entry(topic.clone()).or_default();
                tally.answered += n;
                tally.correct += c;
            }
        }
        let mut order: Vec<(&String, &Student)> = students.iter().collect();
        order.sort_by(|a, b| {
            a.1.name
                .to_lowercase()
                .cmp(&b.1.name.to_lowercase())
                .then_with(|| a.0.cmp(b.0))
        });

        let mut out = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = [
            "user_id",
            "display_name",
            "answered",
            "correct",
            "accuracy",
            "points",
        ]
        .map(String::from)
        .to_vec();
        header.extend(topic_order.iter().map(|t| format!("accuracy_{t}")));
        out.write_record(&header).map_err(StoreError::Csv)?;
        for (user_id, s) in order {
            let mut record = vec![
                user_id.clone(),
                spreadsheet_safe(&s.name),
                s.overall.answered.to_string(),
                s.overall.correct.to_string(),
                fraction(s.overall.accuracy()),
                s.points.to_string(),
            ];
            record.extend(
                topic_order
                    .iter()
                    .map(|t| fraction(s.topics.get(t).and_then(Tally::accuracy))),
            );
            out.write_record(&record).map_err(StoreError::Csv)?;
        }
        let bytes = out
            .into_inner()
            .map_err(|e| StoreError::Csv(e.into_error().into()))?;
        String::from_utf8(bytes).map_err(|e| StoreError::Corrupt {
            table: "users",
            detail: format!("gradebook is not UTF-8: {e}"),
        })
    }
}

fn corrupt(e: sqlx::Error) -> StoreError {
    StoreError::Corrupt {
        table: "answers",
        detail: e.to_string(),
    }
}

fn count(n: i64) -> Result<u64> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt {
        table: "answers",
        detail: format!("negative count {n}"),
    })
}

fn fraction(x: Option<f64>) -> String {
    x.map(|x| format!("{x:.3}")).unwrap_or_default()
}

/// Display names are chosen by students; a name starting with `=`, `+`, `-` or `@` would be
/// run as a formula when the instructor opens the gradebook in a spreadsheet. Such a name
/// is prefixed with an apostrophe, which spreadsheets show as text.
fn spreadsheet_safe(name: &str) -> String {
    if name.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{name}")
    } else {
        name.to_owned()
    }
}

/// Totals from one student's answers `(item, correct, points)` in the order given.
pub(crate) fn totals<'a>(
    answers: impl IntoIterator<Item = (&'a str, bool, i64)>,
    item_topics: &HashMap<String, Vec<String>>,
) -> Totals {
    let mut t = Totals::default();
    let mut overall = Tally::default();
    let mut run = 0u32;
    for (item, correct, points) in answers {
        overall.add(correct);
        t.points += points;
        run = if correct { run + 1 } else { 0 };
        t.best_streak = t.best_streak.max(run);
        for topic in item_topics.get(item).into_iter().flatten() {
            t.mastery.entry(topic.clone()).or_default().add(correct);
        }
    }
    t.answered = overall.answered;
    t.correct = overall.correct;
    t.accuracy = overall.accuracy().unwrap_or(0.0);
    t.current_streak = run;
    t
}

/// One student's counts before ranking.
#[derive(Debug, Clone)]
pub(crate) struct Standing {
    pub user_id: String,
    pub name: String,
    pub answered: u64,
    pub correct: u64,
    pub points: i64,
}

/// Compares accuracies exactly (`a.correct / a.answered` vs `b.correct / b.answered`).
fn accuracy_cmp(a: &Standing, b: &Standing) -> Ordering {
    (u128::from(a.correct) * u128::from(b.answered))
        .cmp(&(u128::from(b.correct) * u128::from(a.answered)))
}

/// Filters, orders and ranks standings. Rows equal on the ranked measure share a rank;
/// further keys only fix the order in which they are listed.
pub(crate) fn rank(
    mut standings: Vec<Standing>,
    by: RankBy,
    top_n: usize,
    anonymous: bool,
    min_answers: u64,
) -> Vec<LeaderboardRow> {
    standings.retain(|s| s.answered >= min_answers.max(1));
    let measure = |a: &Standing, b: &Standing| match by {
        RankBy::Points => b.points.cmp(&a.points),
        RankBy::Accuracy => accuracy_cmp(b, a),
    };
    standings.sort_by(|a, b| {
        let tie_break = match by {
            RankBy::Points => accuracy_cmp(b, a).then(b.answered.cmp(&a.answered)),
            RankBy::Accuracy => b.answered.cmp(&a.answered).then(b.points.cmp(&a.points)),
        };
        measure(a, b)
            .then(tie_break)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.user_id.cmp(&b.user_id))
    });
    let mut rows: Vec<LeaderboardRow> = Vec::with_capacity(standings.len().min(top_n));
    for (position, s) in standings.iter().enumerate().take(top_n) {
        let rank = match position {
            0 => 1,
            _ if measure(&standings[position - 1], s) == Ordering::Equal => rows[position - 1].rank,
            _ => position as u32 + 1,
        };
        rows.push(LeaderboardRow {
            rank,
            user_id: s.user_id.clone(),
            name: if anonymous {
                format!("Student {}", position + 1)
            } else {
                s.name.clone()
            },
            points: s.points,
            answered: s.answered,
            correct: s.correct,
            accuracy: s.correct as f64 / s.answered as f64,
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topics(pairs: &[(&str, &[&str])]) -> HashMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(i, ts)| (i.to_string(), ts.iter().map(|t| t.to_string()).collect()))
            .collect()
    }

    fn check_streaks(pattern: &str, current: u32, best: u32) {
        let answers: Vec<(&str, bool, i64)> = pattern.chars().map(|c| ("q", c == 'y', 0)).collect();
        let t = totals(answers, &HashMap::new());
        assert_eq!(
            (t.current_streak, t.best_streak),
            (current, best),
            "pattern {pattern}"
        );
    }

    #[test]
    fn streaks() {
        check_streaks("", 0, 0);
        check_streaks("n", 0, 0);
        check_streaks("y", 1, 1);
        check_streaks("yyn", 0, 2);
        check_streaks("yynyyy", 3, 3);
        check_streaks("yyyynyy", 2, 4);
    }

    #[test]
    fn mastery_counts_each_topic_of_an_item() {
        let map = topics(&[("a", &["trade", "energy"]), ("b", &["trade"])]);
        let t = totals([("a", true, 10), ("b", false, 0), ("c", true, 5)], &map);
        assert_eq!((t.answered, t.correct, t.points), (3, 2, 15));
        assert_eq!(
            t.mastery["trade"],
            Tally {
                answered: 2,
                correct: 1
            }
        );
        assert_eq!(
            t.mastery["energy"],
            Tally {
                answered: 1,
                correct: 1
            }
        );
        assert_eq!(t.mastery.len(), 2);
    }

    fn standing(user: &str, answered: u64, correct: u64, points: i64) -> Standing {
        Standing {
            user_id: user.into(),
            name: user.to_uppercase(),
            answered,
            correct,
            points,
        }
    }

    fn board(rows: &[LeaderboardRow]) -> Vec<(u32, &str)> {
        rows.iter().map(|r| (r.rank, r.name.as_str())).collect()
    }

    #[test]
    fn ties_share_a_rank() {
        let s = vec![
            standing("a", 4, 2, 20),
            standing("b", 4, 4, 30),
            standing("c", 2, 2, 20),
            standing("d", 1, 0, 0),
        ];
        let by_points = rank(s.clone(), RankBy::Points, 10, false, 0);
        assert_eq!(board(&by_points), [(1, "B"), (2, "C"), (2, "A"), (4, "D")]);
        let by_accuracy = rank(s.clone(), RankBy::Accuracy, 10, false, 0);
        assert_eq!(
            board(&by_accuracy),
            [(1, "B"), (1, "C"), (3, "A"), (4, "D")]
        );
        let filtered = rank(s.clone(), RankBy::Accuracy, 2, true, 3);
        assert_eq!(board(&filtered), [(1, "Student 1"), (2, "Student 2")]);
        assert_eq!(filtered[1].user_id, "a");
    }
}
