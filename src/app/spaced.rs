//! Spaced practice in the classroom layer: what a student would recall today and when their
//! next reviews fall due, what instructors see of it, and the daily reminder.
//!
//! Invariants: every figure is computed from the memories the store holds (updated with each
//! answer, `store::memory`) at the layer's clock; a day is a UTC day; a server's reminder goes
//! out at most once a day (claimed in the store before it is handed to a face) and never when
//! nobody has a review due.

use std::collections::HashMap;

use crate::app::{App, AppError, AppResult};
use crate::ids::{ChannelId, GuildId, ItemId, Millis, UserId};
use crate::memory::Memory;

const DAY_MS: Millis = 86_400_000;
/// How many of a student's next reviews their view lists.
const NEXT_REVIEWS: usize = 10;

/// One topic of a student's spaced practice.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicRecall {
    /// The topic's title.
    pub topic: String,
    /// Items of the topic the student has answered at least once.
    pub reviewed: usize,
    /// Of those, due for review now, and within the next seven days (now included).
    pub due_now: usize,
    pub due_this_week: usize,
    /// The mean estimated recall today (FSRS retrievability) of the reviewed items, 0 to 1;
    /// `None` when none is reviewed.
    pub recall: Option<f64>,
}

/// One review to come.
#[derive(Debug, Clone, PartialEq)]
pub struct NextReview {
    pub item_id: ItemId,
    /// The question's text, as the bank has it (empty for an item no longer in the bank).
    pub prompt: String,
    pub due: Millis,
    /// `2026-01-08` (UTC).
    pub date: String,
    /// The estimated recall today, 0 to 1.
    pub recall: f64,
}

/// A student's spaced practice: per topic what is due and what they would recall today,
/// their next reviews, and a sentence saying where they stand.
#[derive(Debug, Clone, PartialEq)]
pub struct RecallView {
    /// In the bank's topic order; topics the student never answered included (nothing due).
    pub topics: Vec<TopicRecall>,
    /// Reviews due now, over every item.
    pub due_now: usize,
    /// The soonest reviews not yet due, soonest first (at most ten).
    pub next_reviews: Vec<NextReview>,
    /// "3 reviews are due now: `/practice`." or "Nothing is due; your next review falls due on 2026-01-08 (in 3 days)."
    pub summary: String,
}

/// The day's reminder for a server's channel, claimed: post it once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderView {
    pub guild: GuildId,
    pub channel: ChannelId,
    /// Students with at least one review due by the end of the day (UTC).
    pub students: usize,
    /// "3 students have reviews due today — `/practice`"; it pings nobody.
    pub text: String,
}

/// Per student of a server: items due now and mean recall today, for the gradebook.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct StudentRecall {
    due_now: usize,
    recall_sum: f64,
    reviewed: usize,
}

impl App {
    /// A student's spaced practice now: per topic, items due now and this week and the
    /// estimated recall today; their next reviews with their dates.
    pub async fn recall(&self, guild: &GuildId, user: &UserId) -> AppResult<RecallView> {
        let bank = self.bank();
        let now = self.now();
        let memories = self.store.memories_of(guild, user).await?;
        let by_item: HashMap<&str, &Memory> = memories.iter().map(|(i, m)| (i.as_str(), m)).collect();
        let topics = bank
            .topics
            .iter()
            .map(|topic| {
                let reviewed: Vec<&Memory> =
                    bank.questions.iter().filter(|q| q.topics.contains(&topic.id)).filter_map(|q| by_item.get(q.id.as_str()).copied()).collect();
                TopicRecall {
                    topic: topic.title.clone(),
                    reviewed: reviewed.len(),
                    due_now: reviewed.iter().filter(|m| m.is_due(now)).count(),
                    due_this_week: reviewed.iter().filter(|m| m.due <= now + 7 * DAY_MS).count(),
                    recall: mean(reviewed.iter().map(|m| m.recall(now))),
                }
            })
            .collect();
        let in_bank: Vec<&(ItemId, Memory)> = memories.iter().filter(|(i, _)| bank.question(i.as_str()).is_some()).collect();
        let due_now = in_bank.iter().filter(|(_, m)| m.is_due(now)).count();
        let mut next: Vec<&&(ItemId, Memory)> = in_bank.iter().filter(|(_, m)| !m.is_due(now)).collect();
        next.sort_by_key(|(i, m)| (m.due, i.as_str().to_owned()));
        let next_reviews: Vec<NextReview> = next
            .into_iter()
            .take(NEXT_REVIEWS)
            .map(|(item, m)| NextReview {
                item_id: item.clone(),
                prompt: bank.question(item.as_str()).map(|q| q.prompt.clone()).unwrap_or_default(),
                due: m.due,
                date: utc_date(m.due),
                recall: m.recall(now),
            })
            .collect();
        let summary = summary(due_now, next_reviews.first().map(|r| r.due), now);
        Ok(RecallView { topics, due_now, next_reviews, summary })
    }

    /// Mean FSRS difficulty (1 to 10) of each item over the students who answered it.
    pub(crate) async fn item_difficulties(&self, guild: &GuildId) -> AppResult<HashMap<String, f64>> {
        let mut sums: HashMap<String, (f64, usize)> = HashMap::new();
        for (_, item, m) in self.store.guild_memories(guild).await? {
            let entry = sums.entry(item.as_str().to_owned()).or_default();
            *entry = (entry.0 + m.difficulty, entry.1 + 1);
        }
        Ok(sums.into_iter().map(|(item, (sum, n))| (item, sum / n as f64)).collect())
    }

    /// The gradebook CSV with two columns more per student: `items_due` (reviews due now)
    /// and `mean_recall` (the estimated recall today over the items they answered, 0 to 1).
    pub(crate) async fn with_recall_columns(&self, guild: &GuildId, csv_text: &str) -> AppResult<String> {
        let now = self.now();
        let mut students: HashMap<String, StudentRecall> = HashMap::new();
        for (user, _, m) in self.store.guild_memories(guild).await? {
            let s = students.entry(user.as_str().to_owned()).or_default();
            s.due_now += usize::from(m.is_due(now));
            s.recall_sum += m.recall(now);
            s.reviewed += 1;
        }
        let internal = |e: csv::Error| AppError::caused(e, format!("adding recall to the gradebook of server {guild}"));
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(csv_text.as_bytes());
        let mut out = csv::Writer::from_writer(Vec::new());
        for (row, record) in reader.records().enumerate() {
            let mut record = record.map_err(internal)?;
            if row == 0 {
                record.push_field("items_due");
                record.push_field("mean_recall");
            } else {
                let s = students.get(record.get(0).unwrap_or_default()).copied().unwrap_or_default();
                record.push_field(&s.due_now.to_string());
                record.push_field(&if s.reviewed == 0 { String::new() } else { format!("{:.3}", s.recall_sum / s.reviewed as f64) });
            }
            out.write_record(&record).map_err(internal)?;
        }
        let bytes = out.into_inner().map_err(|e| AppError::caused(e.into_error(), format!("writing the gradebook of server {guild}")))?;
        String::from_utf8(bytes).map_err(|e| AppError::caused(e, format!("the gradebook of server {guild} is not UTF-8")))
    }

    /// The server's daily reminder, if one should go out now: the reminder is on, with a
    /// channel, its hour (UTC) has come today, a student has a review due by the end of the
    /// day, and no reminder went out today. It is claimed in the store before it is
    /// returned, so a face that asks again (after a restart, from another process) gets
    /// `None` until tomorrow. Checking is harmless: nothing is claimed when nothing is due.
    pub async fn reminder_due(&self, guild: &GuildId) -> AppResult<Option<ReminderView>> {
        let settings = self.settings(guild).await?.practice;
        let Some(channel) = settings.reminder_channel.filter(|_| settings.reminder) else { return Ok(None) };
        let now = self.now();
        let day = now.div_euclid(DAY_MS);
        if now - day * DAY_MS < Millis::from(settings.reminder_hour) * 3_600_000 {
            return Ok(None);
        }
        let end_of_day = (day + 1) * DAY_MS;
        let bank = self.bank();
        let mut due: Vec<UserId> = self
            .store
            .guild_memories(guild)
            .await?
            .into_iter()
            .filter(|(_, item, m)| m.due < end_of_day && bank.question(item.as_str()).is_some())
            .map(|(user, _, _)| user)
            .collect();
        due.dedup();
        if due.is_empty() || !self.store.claim_reminder_day(guild, day).await? {
            return Ok(None);
        }
        let students = due.len();
        let text = if students == 1 {
            "1 student has reviews due today — `/practice`".to_owned()
        } else {
            format!("{students} students have reviews due today — `/practice`")
        };
        Ok(Some(ReminderView { guild: guild.clone(), channel: ChannelId::new(channel), students, text }))
    }

    /// [`App::reminder_due`] for every server `owns` accepts (a shard's own) where a review
    /// falls due today: what a face's timer posts, each claimed for the day. A server whose
    /// check fails is logged and skipped, so one bad row stops no other server's reminder.
    pub async fn reminders_due(&self, owns: impl Fn(&GuildId) -> bool) -> AppResult<Vec<ReminderView>> {
        let end_of_day = (self.now().div_euclid(DAY_MS) + 1) * DAY_MS;
        let mut out = Vec::new();
        for guild in self.store.guilds_with_reviews_due(end_of_day).await?.into_iter().filter(|g| owns(g)) {
            match self.reminder_due(&guild).await {
                Ok(Some(reminder)) => out.push(reminder),
                Ok(None) => {}
                Err(e) => tracing::warn!(guild = %guild, "the daily reminder could not be checked: {}", e.chain()),
            }
        }
        Ok(out)
    }
}

/// The sentence on top of a student's spaced practice.
pub(crate) fn summary(due_now: usize, next_due: Option<Millis>, now: Millis) -> String {
    match (due_now, next_due) {
        (0, None) => "Nothing to review yet: every question you answer comes back when you are about to forget it.".to_owned(),
        (0, Some(next)) => format!("Nothing is due for review now; your next review falls due on {} ({}).", utc_date(next), days_from(now, next)),
        (1, _) => "1 review is due now: `/practice`.".to_owned(),
        (n, _) => format!("{n} reviews are due now: `/practice`."),
    }
}

/// "today", "tomorrow" or "in N days", from `now` to `then`, in whole UTC days.
fn days_from(now: Millis, then: Millis) -> String {
    match then.div_euclid(DAY_MS) - now.div_euclid(DAY_MS) {
        ..=0 => "today".to_owned(),
        1 => "tomorrow".to_owned(),
        n => format!("in {n} days"),
    }
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// The UTC date of a moment, `YYYY-MM-DD` (Howard Hinnant's days-to-civil).
pub fn utc_date(at: Millis) -> String {
    let z = at.div_euclid(DAY_MS) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_days_read_as_a_calendar_does() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(1_767_603_600_000), "2026-01-05");
        assert_eq!(utc_date(951_782_400_000), "2000-02-29");
        assert_eq!(days_from(0, DAY_MS - 1), "today");
        assert_eq!(days_from(DAY_MS - 1, DAY_MS), "tomorrow");
        assert_eq!(days_from(0, 3 * DAY_MS + 5), "in 3 days");
    }
}
