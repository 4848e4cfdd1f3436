//! Scores: a student's record, the leaderboard, item statistics and the gradebook.
//!
//! Invariant: every figure is read from the store's answers and awards for one server, so no face can
//! show a score the database does not hold; anonymous leaderboards follow the server's
//! setting unless an instructor's export asks otherwise.

use std::collections::HashMap;

use serde_json::Value;

use crate::app::view::{self, Forgotten, LeaderboardRow, RankBy, ScoreView, StudentRecords};
use crate::app::{App, AppError, AppResult, Member, Privilege, UserError, item_topics};
use crate::ids::{GuildId, RoundId, UserId};
use crate::quiz;
use crate::quiz::review::{ItemReview, review};

/// How one item has fared, with the review's flags.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemReport {
    pub item_id: String,
    pub times_asked: u64,
    pub review: ItemReview,
    /// The mean FSRS difficulty (1 to 10) over the students who answered it: how hard it is
    /// to keep in memory, beside the review's share correct.
    pub difficulty: Option<f64>,
}

impl App {
    /// Everything stored about a student in this server (`/mydata`, `agora scores forget`):
    /// for each table, its rows about them (their user row, answers, practice sessions,
    /// debate seats, speeches, ballots and votes, prompt answers with their reviews, awards),
    /// and each answer as the student saw it.
    pub async fn student_records(&self, guild: &GuildId, user: &UserId) -> AppResult<StudentRecords> {
        let tables: Vec<(String, Vec<Value>)> = match self.store.student_records(guild, user).await? {
            serde_json::Value::Object(tables) => tables
                .into_iter()
                .map(|(table, rows)| match rows {
                    serde_json::Value::Array(rows) => (table, rows),
                    other => (table, vec![other]),
                })
                .collect(),
            other => return Err(AppError::internal(format!("the records of {user} are not a table of rows: {other}"))),
        };
        let stored: &[Value] = tables.iter().find(|(table, _)| table == "answers").map_or(&[], |(_, rows)| rows.as_slice());
        let answers = self.answers_as_seen(guild, stored).await?;
        Ok(StudentRecords { guild: guild.clone(), user: user.clone(), read_at_ms: self.now(), answers, tables })
    }

    /// The stored answer rows (`tables.answers`) as the student saw them.
    async fn answers_as_seen(&self, guild: &GuildId, rows: &[Value]) -> AppResult<Vec<Value>> {
        let bank = self.bank();
        let mut seeds: HashMap<String, Option<u64>> = HashMap::new();
        let mut seen = Vec::new();
        for row in rows {
            let text = |key: &str| row.get(key).and_then(Value::as_str).unwrap_or("").to_owned();
            let (round, item, stored) = (text("round_id"), text("item_id"), text("response"));
            let seed = match seeds.get(&round) {
                Some(seed) => *seed,
                None => {
                    let seed = self.store.round(guild, &RoundId::new(round.clone())).await?.map(|r| r.seed);
                    *seeds.entry(round.clone()).or_insert(seed)
                }
            };
            let question = bank.question(&item);
            let you_answered = match (question, seed) {
                (Some(q), Some(seed)) => view::from_canonical(q, &stored).map(|r| view::your_answer(q, &quiz::presentation(q, seed), &r, &stored)),
                _ => None,
            };
            let number = |key: &str| row.get(key).and_then(Value::as_f64).unwrap_or(0.0);
            let verdict = match (number("correct") != 0.0, number("credit")) {
                (true, _) => "right".to_owned(),
                (false, credit) if credit > 0.0 => format!("partly right ({:.0}%)", credit * 100.0),
                _ => "wrong".to_owned(),
            };
            let at = row.get("answered_at").and_then(Value::as_i64).unwrap_or(0);
            seen.push(serde_json::json!({
                "when": view::utc(at),
                "question": question.map_or("(no longer in the question bank)", |q| q.prompt.as_str()),
                "you_answered": you_answered.unwrap_or_else(|| stored.clone()),
                "verdict": verdict,
                "points": row.get("points").cloned().unwrap_or(Value::Null),
                "round_id": round,
                "item_id": item,
                "response": stored,
                "answered_at_ms": at,
            }));
        }
        Ok(seen)
    }

    /// An instructor deletes everything stored about a student in this server, at once, when
    /// `confirmed` (otherwise nothing is deleted and `None` says so); their totals, the
    /// leaderboards and the gradebook no longer count them. The server's live rounds are
    /// dropped from this process's cache, so the next touch rebuilds them from the store:
    /// no round remembers the student as having answered, or their streak.
    pub async fn forget_student(&self, guild: &GuildId, instructor: &Member, user: &UserId, confirmed: bool) -> AppResult<Option<Forgotten>> {
        self.require_instructor(guild, instructor, Privilege::ForgetStudent).await?;
        if !confirmed {
            return Ok(None);
        }
        let gone = self.store.forget_student(guild, user).await?;
        self.live.lock().unwrap_or_else(|e| e.into_inner()).retain(|(g, _), _| g != guild);
        Ok(Some(gone))
    }

    /// A student's points, accuracy, streaks and mastery per topic in this server.
    pub async fn score(&self, guild: &GuildId, user: &UserId, name: &str) -> AppResult<ScoreView> {
        let bank = self.bank();
        let t = self.store.user_totals(guild.as_str(), user.as_str(), &item_topics(&bank)).await?;
        let mastery = bank.topics.iter().filter_map(|topic| t.mastery.get(&topic.id).map(|tally| (topic.title.clone(), *tally))).collect();
        Ok(ScoreView {
            user_id: user.clone(),
            name: name.to_owned(),
            points: t.points,
            debate_points: t.debate_points,
            prompt_points: t.prompt_points,
            answered: t.answered,
            correct: t.correct,
            accuracy: t.accuracy,
            current_streak: t.current_streak,
            best_streak: t.best_streak,
            mastery,
        })
    }

    /// The student of this server with this display name; a user error when there is none,
    /// or several (then it names their ids).
    pub async fn student_named(&self, guild: &GuildId, name: &str) -> AppResult<UserId> {
        let board = self.store.leaderboard(guild.as_str(), RankBy::Points, usize::MAX, false, 0).await?;
        let matches: Vec<_> = board.into_iter().filter(|r| r.name.eq_ignore_ascii_case(name.trim())).collect();
        let name = crate::text::display_name(name);
        match matches.as_slice() {
            [one] => Ok(UserId::new(one.user_id.clone())),
            [] => Err(UserError::BadRequest(format!("no student named `{name}` has answered in server {guild}")).into()),
            many => Err(UserError::BadRequest(format!(
                "{} students are named `{name}` in server {guild}; name one of them by their user id: {}",
                many.len(),
                many.iter().map(|r| r.user_id.as_str()).collect::<Vec<_>>().join(", ")
            ))
            .into()),
        }
    }

    /// The server's leaderboard: the first `top` students by `by`; anonymous when the
    /// server's settings say so or `anonymous` asks for it.
    pub async fn leaderboard(&self, guild: &GuildId, by: RankBy, top: usize, anonymous: bool) -> AppResult<Vec<LeaderboardRow>> {
        if top == 0 {
            return Err(UserError::BadRequest("a leaderboard shows at least one student: ask for a top of 1 or more".into()).into());
        }
        let anonymous = anonymous || self.settings(guild).await?.anonymous_leaderboard;
        Ok(self.store.leaderboard(guild.as_str(), by, top, anonymous, 0).await?)
    }

    /// Per item answered in this server: times asked, picks per choice, and the review's
    /// flags (too easy, too hard, a distractor nobody picks). Items no longer in the bank
    /// are left out.
    pub async fn item_reports(&self, guild: &GuildId, instructor: &Member) -> AppResult<Vec<ItemReport>> {
        self.require_instructor(guild, instructor, Privilege::ItemReport).await?;
        let bank = self.bank();
        let stats = self.store.item_stats(guild.as_str()).await?;
        let difficulty = self.item_difficulties(guild).await?;
        Ok(stats
            .into_iter()
            .filter_map(|s| {
                let q = bank.question(&s.item_id)?;
                let review = review(q, s.answers, s.correct, &s.responses);
                Some(ItemReport { difficulty: difficulty.get(&s.item_id).copied(), item_id: s.item_id, times_asked: s.times_asked, review })
            })
            .collect())
    }

    /// The gradebook as CSV: one row per student, accuracy per topic in the bank's order, then
    /// the items due now and the mean recall today (spaced practice).
    pub async fn gradebook(&self, guild: &GuildId, instructor: &Member) -> AppResult<String> {
        self.require_instructor(guild, instructor, Privilege::ExportGradebook).await?;
        let bank = self.bank();
        let order: Vec<String> = bank.topics.iter().map(|t| t.id.clone()).collect();
        let csv = self.store.gradebook_csv(guild.as_str(), &item_topics(&bank), &order).await?;
        self.with_recall_columns(guild, &csv).await
    }
}
