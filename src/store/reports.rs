//! Scores read back out of the answers: totals, streaks, mastery, leaderboards, item
//! statistics and the instructor's gradebook.
//!
//! Invariant: every report reads one guild's rows only (each query filters on the guild id
//! and joins on it), and is computed from the answers and the awards alone (points from
//! released debates and reviewed prompts, in `awards`), so it can never disagree with what
//! was recorded. Awards add to points only: answered, correct, accuracy, streaks and mastery
//! count quiz answers. SQL does the counting; ranking and streaks are plain Rust below,
//! tested without a database.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use sqlx::Row;

use super::Store;
use super::error::{Context, Result, StoreError};
use super::model::{ItemStats, LeaderboardRow, RankBy, Tally, Totals};
use crate::ids::{GuildId, RoundId};
use crate::scoring::Streak;

impl Store {
    /// One student's totals in one guild. `item_topics` maps item ids to their topics
    /// (from the bank); answers to items it does not list count overall but in no topic.
    pub async fn user_totals(&self, guild_id: &str, user_id: &str, item_topics: &HashMap<String, Vec<String>>) -> Result<Totals> {
        let rows = sqlx::query(
            "SELECT a.item_id AS item_id, a.round_id AS round_id, a.correct AS correct, a.points AS points,
                    q.position AS position
             FROM answers a
             LEFT JOIN round_questions q
               ON q.guild_id = a.guild_id AND q.round_id = a.round_id AND q.item_id = a.item_id
             WHERE a.guild_id = $1 AND a.user_id = $2
             ORDER BY a.answered_at, a.round_id, a.item_id",
        )
        .bind(guild_id.to_owned())
        .bind(user_id.to_owned())
        .fetch_all(&self.reader)
        .await
        .with_context(|| format!("reading answers of user {user_id} in guild {guild_id}"))?;
        let mut answers = Vec::with_capacity(rows.len());
        for row in &rows {
            let position: Option<i64> = row.try_get("position").map_err(corrupt)?;
            answers.push(Mark {
                item: row.try_get("item_id").map_err(corrupt)?,
                round: row.try_get("round_id").map_err(corrupt)?,
                position: position.and_then(|p| usize::try_from(p).ok()),
                correct: row.try_get::<i64, _>("correct").map_err(corrupt)? != 0,
                points: row.try_get("points").map_err(corrupt)?,
            });
        }
        let mut t = totals(&answers, item_topics);
        let awards = sqlx::query("SELECT kind, CAST(SUM(points) AS BIGINT) AS points FROM awards WHERE guild_id = $1 AND user_id = $2 GROUP BY kind")
            .bind(guild_id.to_owned())
            .bind(user_id.to_owned())
            .fetch_all(&self.reader)
            .await
            .with_context(|| format!("reading the awards of user {user_id} in guild {guild_id}"))?;
        for row in &awards {
            let kind: String = row.try_get("kind").map_err(corrupt)?;
            let points: i64 = row.try_get("points").map_err(corrupt)?;
            match kind.as_str() {
                "debate" => t.debate_points += points,
                "prompt" => t.prompt_points += points,
                other => return Err(StoreError::Corrupt { table: "awards", detail: format!("unknown kind {other:?}") }),
            }
            t.points += points;
        }
        Ok(t)
    }

    /// The standings of one round: its students ranked by what they earned in it.
    pub async fn round_leaderboard(&self, guild_id: &GuildId, round_id: &RoundId, by: RankBy, top_n: usize, anonymous: bool) -> Result<Vec<LeaderboardRow>> {
        let rows = sqlx::query(
            "SELECT a.user_id AS user_id, u.display_name AS display_name,
                    COUNT(*) AS answered,
                    CAST(SUM(a.correct) AS BIGINT) AS correct,
                    CAST(SUM(a.points) AS BIGINT) AS points
             FROM answers a
             JOIN users u ON u.guild_id = a.guild_id AND u.user_id = a.user_id
             WHERE a.guild_id = $1 AND a.round_id = $2
             GROUP BY a.user_id, u.display_name",
        )
        .bind(guild_id.as_str().to_owned())
        .bind(round_id.as_str().to_owned())
        .fetch_all(&self.reader)
        .await
        .with_context(|| format!("computing the standings of round {round_id} in guild {guild_id}"))?;
        Ok(rank(standings(&rows)?, by, top_n, anonymous, 0))
    }

    /// The guild's leaderboard: students with at least `min_answers` answers, ranked, the
    /// first `top_n` rows. When `anonymous`, names become "Student 1", "Student 2", … by
    /// position on the board.
    pub async fn leaderboard(&self, guild_id: &str, by: RankBy, top_n: usize, anonymous: bool, min_answers: u64) -> Result<Vec<LeaderboardRow>> {
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
        let mut standings = standings(&rows)?;
        let awards = sqlx::query(
            "SELECT a.user_id AS user_id, u.display_name AS display_name, CAST(SUM(a.points) AS BIGINT) AS points
             FROM awards a
             JOIN users u ON u.guild_id = a.guild_id AND u.user_id = a.user_id
             WHERE a.guild_id = $1
             GROUP BY a.user_id, u.display_name",
        )
        .bind(guild_id)
        .fetch_all(&self.reader)
        .await
        .with_context(|| format!("adding the awards to the leaderboard of guild {guild_id}"))?;
        for row in &awards {
            let user_id: String = row.try_get("user_id").map_err(corrupt)?;
            let points: i64 = row.try_get("points").map_err(corrupt)?;
            match standings.iter_mut().find(|s| s.user_id == user_id) {
                Some(s) => {
                    s.points += points;
                    s.awarded = true;
                }
                None => {
                    standings.push(Standing { user_id, name: row.try_get("display_name").map_err(corrupt)?, answered: 0, correct: 0, points, awarded: true })
                }
            }
        }
        Ok(rank(standings, by, top_n, anonymous, min_answers))
    }

    /// Per item, in item-id order: how often it was asked and answered, the share correct,
    /// and how often each response was given (for choice questions: picks per choice).
    pub async fn item_stats(&self, guild_id: &str) -> Result<Vec<ItemStats>> {
        let context = || format!("computing item statistics of guild {guild_id}");
        // An item was put to the class in a round when its question was opened: any position
        // before the round's current one, and the current one once opened.
        let asked_rows = sqlx::query(
            "SELECT q.item_id AS item_id, q.round_id AS round_id
             FROM round_questions q
             JOIN rounds r ON r.guild_id = q.guild_id AND r.round_id = q.round_id
             WHERE q.guild_id = $1
               AND (q.position < r.current_index OR (q.position = r.current_index AND r.opened_at IS NOT NULL))",
        )
        .bind(guild_id.to_owned())
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
        for row in &asked_rows {
            asked.insert((row.try_get("item_id").map_err(corrupt)?, row.try_get("round_id").map_err(corrupt)?));
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
                ItemStats { item_id, times_asked, answers: tally.answered, correct: tally.correct, share_correct: tally.accuracy().unwrap_or(0.0), responses }
            })
            .collect())
    }

    /// The instructor's gradebook as CSV: one row per student of the guild (by display name),
    /// columns `user_id, display_name, answered, correct, accuracy, points`, then one
    /// `accuracy_<topic>` column per topic of `topic_order`. Accuracies are fractions with
    /// three decimals; blank when the student answered nothing (in that topic).
    pub async fn gradebook_csv(&self, guild_id: &str, item_topics: &HashMap<String, Vec<String>>, topic_order: &[String]) -> Result<String> {
        let students = self.student_tallies(guild_id, item_topics).await?;

        let mut out = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = ["user_id", "display_name", "answered", "correct", "accuracy", "points"].map(String::from).to_vec();
        header.extend(topic_order.iter().map(|t| format!("accuracy_{t}")));
        out.write_record(&header).map_err(StoreError::Csv)?;
        for s in &students {
            let mut record = vec![
                s.user_id.clone(),
                spreadsheet_safe(&s.name),
                s.overall.answered.to_string(),
                s.overall.correct.to_string(),
                fraction(s.overall.accuracy()),
                s.points.to_string(),
            ];
            record.extend(topic_order.iter().map(|t| fraction(s.topics.get(t).and_then(Tally::accuracy))));
            out.write_record(&record).map_err(StoreError::Csv)?;
        }
        let bytes = out.into_inner().map_err(|e| StoreError::Csv(e.into_error().into()))?;
        String::from_utf8(bytes).map_err(|e| StoreError::Corrupt { table: "users", detail: format!("gradebook is not UTF-8: {e}") })
    }
}

/// One student of a guild as the gradebook and the instructor's page count them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StudentTally {
    pub user_id: String,
    pub name: String,
    /// Every quiz answer.
    pub overall: Tally,
    /// Quiz points plus awards.
    pub points: i64,
    /// Per topic id (an item with several topics counts towards each); absent: never answered.
    pub topics: HashMap<String, Tally>,
}

impl Store {
    /// Every student of the guild, by display name (case-folded, then id): their answers
    /// overall and per topic (`item_topics` from the bank), their points with awards.
    pub async fn student_tallies(&self, guild_id: &str, item_topics: &HashMap<String, Vec<String>>) -> Result<Vec<StudentTally>> {
        let context = || format!("counting the students' answers in guild {guild_id}");
        let users =
            sqlx::query("SELECT user_id, display_name FROM users WHERE guild_id = $1").bind(guild_id).fetch_all(&self.reader).await.with_context(context)?;
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
        let awards = sqlx::query("SELECT user_id, CAST(SUM(points) AS BIGINT) AS points FROM awards WHERE guild_id = $1 GROUP BY user_id")
            .bind(guild_id)
            .fetch_all(&self.reader)
            .await
            .with_context(context)?;

        let mut students: HashMap<String, StudentTally> = HashMap::new();
        for row in &users {
            let user_id: String = row.try_get("user_id").map_err(corrupt)?;
            let name: String = row.try_get("display_name").map_err(corrupt)?;
            students.insert(user_id.clone(), StudentTally { user_id, name, ..StudentTally::default() });
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
        for row in &awards {
            let user_id: String = row.try_get("user_id").map_err(corrupt)?;
            let points: i64 = row.try_get("points").map_err(corrupt)?;
            if let Some(student) = students.get_mut(&user_id) {
                student.points += points;
            }
        }
        let mut order: Vec<StudentTally> = students.into_values().collect();
        order.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.user_id.cmp(&b.user_id)));
        Ok(order)
    }
}

fn corrupt(e: sqlx::Error) -> StoreError {
    StoreError::Corrupt { table: "answers", detail: e.to_string() }
}

fn count(n: i64) -> Result<u64> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt { table: "answers", detail: format!("negative count {n}") })
}

fn fraction(x: Option<f64>) -> String {
    x.map(|x| format!("{x:.3}")).unwrap_or_default()
}

/// Display names are chosen by students; a name starting with `=`, `+`, `-` or `@` would be
/// run as a formula when the instructor opens the gradebook in a spreadsheet. Such a name
/// is prefixed with an apostrophe, which spreadsheets show as text. A name stored before
/// the store cleaned typed text loses its control characters and escape sequences here,
/// so that the CSV printed to a terminal cannot drive it; it is not shortened.
fn spreadsheet_safe(name: &str) -> String {
    let name = crate::text::typed(name);
    if name.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{name}") } else { name }
}

/// Totals from one student's answers `(item, correct, points)` in the order given.
/// One answer as the totals need it: its item, round, position in the round, verdict, points.
pub(crate) struct Mark {
    pub item: String,
    pub round: String,
    /// `None` for an answer whose round kept no question rows (it then starts its own run).
    pub position: Option<usize>,
    pub correct: bool,
    pub points: i64,
}

/// Totals from one student's answers in the order given. Streaks follow the one rule in
/// [`Streak`]: runs within a round, in question order; the current streak is the run of the
/// round answered last.
pub(crate) fn totals(answers: &[Mark], item_topics: &HashMap<String, Vec<String>>) -> Totals {
    let mut t = Totals::default();
    let mut overall = Tally::default();
    let mut runs: HashMap<&str, Streak> = HashMap::new();
    let mut current = 0;
    for a in answers {
        overall.add(a.correct);
        t.points += a.points;
        let run = runs.entry(a.round.as_str()).or_default();
        *run = match a.position {
            Some(p) => run.after(p, a.correct),
            None => Streak::default().after(0, a.correct),
        };
        current = run.count;
        t.best_streak = t.best_streak.max(current);
        for topic in item_topics.get(&a.item).into_iter().flatten() {
            t.mastery.entry(topic.clone()).or_default().add(a.correct);
        }
    }
    t.answered = overall.answered;
    t.correct = overall.correct;
    t.accuracy = overall.accuracy().unwrap_or(0.0);
    t.current_streak = current;
    t
}

/// Leaderboard rows as the store returns them, before ranking.
fn standings(rows: &[sqlx::any::AnyRow]) -> Result<Vec<Standing>> {
    let mut standings = Vec::with_capacity(rows.len());
    for row in rows {
        standings.push(Standing {
            user_id: row.try_get("user_id").map_err(corrupt)?,
            name: row.try_get("display_name").map_err(corrupt)?,
            answered: count(row.try_get("answered").map_err(corrupt)?)?,
            correct: count(row.try_get("correct").map_err(corrupt)?)?,
            points: row.try_get("points").map_err(corrupt)?,
            awarded: false,
        });
    }
    Ok(standings)
}

/// One student's counts before ranking.
#[derive(Debug, Clone)]
pub(crate) struct Standing {
    pub user_id: String,
    pub name: String,
    pub answered: u64,
    pub correct: u64,
    pub points: i64,
    /// Whether the student has points from debates or prompts (then they stand on a board
    /// that asks for no minimum of answers, even with none).
    pub awarded: bool,
}

/// Compares accuracies exactly (`a.correct / a.answered` vs `b.correct / b.answered`); a
/// student who answered nothing has an accuracy of 0.
fn accuracy_cmp(a: &Standing, b: &Standing) -> Ordering {
    (u128::from(a.correct) * u128::from(b.answered.max(1))).cmp(&(u128::from(b.correct) * u128::from(a.answered.max(1))))
}

/// Filters, orders and ranks standings. Rows equal on the ranked measure share a rank;
/// further keys only fix the order in which they are listed.
pub(crate) fn rank(mut standings: Vec<Standing>, by: RankBy, top_n: usize, anonymous: bool, min_answers: u64) -> Vec<LeaderboardRow> {
    standings.retain(|s| s.answered >= min_answers.max(1) || (min_answers == 0 && s.awarded));
    let measure = |a: &Standing, b: &Standing| match by {
        RankBy::Points => b.points.cmp(&a.points),
        RankBy::Accuracy => accuracy_cmp(b, a),
    };
    standings.sort_by(|a, b| {
        let tie_break = match by {
            RankBy::Points => accuracy_cmp(b, a).then(b.answered.cmp(&a.answered)),
            RankBy::Accuracy => b.answered.cmp(&a.answered).then(b.points.cmp(&a.points)),
        };
        measure(a, b).then(tie_break).then_with(|| a.name.cmp(&b.name)).then_with(|| a.user_id.cmp(&b.user_id))
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
            name: if anonymous { format!("Student {}", position + 1) } else { s.name.clone() },
            points: s.points,
            answered: s.answered,
            correct: s.correct,
            accuracy: if s.answered == 0 { 0.0 } else { s.correct as f64 / s.answered as f64 },
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topics(pairs: &[(&str, &[&str])]) -> HashMap<String, Vec<String>> {
        pairs.iter().map(|(i, ts)| (i.to_string(), ts.iter().map(|t| t.to_string()).collect())).collect()
    }

    fn mark(item: &str, round: &str, position: usize, correct: bool, points: i64) -> Mark {
        Mark { item: item.into(), round: round.into(), position: Some(position), correct, points }
    }

    /// One round answered in order: `y` right, `n` wrong, `-` skipped.
    fn check_streaks(pattern: &str, current: u32, best: u32) {
        let answers: Vec<Mark> = pattern.chars().enumerate().filter(|(_, c)| *c != '-').map(|(i, c)| mark("q", "r", i, c == 'y', 0)).collect();
        let t = totals(&answers, &HashMap::new());
        assert_eq!((t.current_streak, t.best_streak), (current, best), "pattern {pattern}");
    }

    #[test]
    fn streaks() {
        check_streaks("", 0, 0);
        check_streaks("n", 0, 0);
        check_streaks("y", 1, 1);
        check_streaks("yyn", 0, 2);
        check_streaks("yynyyy", 3, 3);
        check_streaks("yyyynyy", 2, 4);
        check_streaks("yy-y", 1, 2);
    }

    #[test]
    fn each_round_starts_its_own_run_and_the_latest_is_current() {
        let answers = [mark("a", "r1", 0, true, 0), mark("b", "r1", 1, true, 0), mark("c", "r1", 2, true, 0), mark("a", "r2", 0, true, 0)];
        let t = totals(&answers, &HashMap::new());
        assert_eq!((t.current_streak, t.best_streak), (1, 3));
    }

    #[test]
    fn mastery_counts_each_topic_of_an_item() {
        let map = topics(&[("a", &["trade", "energy"]), ("b", &["trade"])]);
        let t = totals(&[mark("a", "r", 0, true, 10), mark("b", "r", 1, false, 0), mark("c", "r", 2, true, 5)], &map);
        assert_eq!((t.answered, t.correct, t.points), (3, 2, 15));
        assert_eq!(t.mastery["trade"], Tally { answered: 2, correct: 1 });
        assert_eq!(t.mastery["energy"], Tally { answered: 1, correct: 1 });
        assert_eq!(t.mastery.len(), 2);
    }

    fn standing(user: &str, answered: u64, correct: u64, points: i64) -> Standing {
        Standing { user_id: user.into(), name: user.to_uppercase(), answered, correct, points, awarded: false }
    }

    fn board(rows: &[LeaderboardRow]) -> Vec<(u32, &str)> {
        rows.iter().map(|r| (r.rank, r.name.as_str())).collect()
    }

    #[test]
    fn ties_share_a_rank() {
        let s = vec![standing("a", 4, 2, 20), standing("b", 4, 4, 30), standing("c", 2, 2, 20), standing("d", 1, 0, 0)];
        let by_points = rank(s.clone(), RankBy::Points, 10, false, 0);
        assert_eq!(board(&by_points), [(1, "B"), (2, "C"), (2, "A"), (4, "D")]);
        let by_accuracy = rank(s.clone(), RankBy::Accuracy, 10, false, 0);
        assert_eq!(board(&by_accuracy), [(1, "B"), (1, "C"), (3, "A"), (4, "D")]);
        let filtered = rank(s.clone(), RankBy::Accuracy, 2, true, 3);
        assert_eq!(board(&filtered), [(1, "Student 1"), (2, "Student 2")]);
        assert_eq!(filtered[1].user_id, "a");
    }

    #[test]
    fn students_with_only_debate_or_prompt_points_stand_on_boards_without_a_minimum() {
        let s = vec![standing("a", 2, 1, 20), Standing { awarded: true, ..standing("b", 0, 0, 30) }, standing("c", 0, 0, 0)];
        let by_points = rank(s.clone(), RankBy::Points, 10, false, 0);
        assert_eq!(board(&by_points), [(1, "B"), (2, "A")], "a student with no answers and no awards stays off");
        assert_eq!(by_points[0].accuracy, 0.0);
        assert_eq!(board(&rank(s.clone(), RankBy::Accuracy, 10, false, 0)), [(1, "A"), (2, "B")], "no answers: an accuracy of 0");
        assert_eq!(board(&rank(s, RankBy::Accuracy, 10, false, 1)), [(1, "A")], "a minimum of answers leaves them off");
    }
}
