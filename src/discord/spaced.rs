//! Spaced practice in Discord: `/practice`'s modes, the recall view `/score` adds (per topic:
//! due now, due this week, recall today; the next reviews with their dates), and the daily
//! reminder's timer.
//!
//! Invariants: every figure comes from the layer (`app::spaced`); what is rendered keeps
//! within Discord's limits (checked by `Reply::problems` in the tests); the reminder is posted
//! only for servers this process's shards own, through the same reply builder as every
//! message (no mentions), and at most once a day, since the layer claims the day before it
//! hands a reminder over.

use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;

use crate::app::{App, PracticeSettings, RecallView, ReminderView};
use crate::discord::Shards;
use crate::discord::render::{Embed, Field, Reply, colour, escape, limits, truncate};
use crate::discord::reply::channel_message;
use crate::discord::tasks::Tasks;
use crate::quiz::Lean;

/// How often the timer checks for the day's reminders (the first check is at start-up).
pub const CHECK_EVERY: Duration = Duration::from_secs(60);

/// What `/practice` brings: reviews due first (the default), only new questions, or weak topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poise::ChoiceParameter)]
pub enum Mode {
    #[name = "due"]
    Due,
    #[name = "new"]
    New,
    #[name = "weak"]
    Weak,
}

/// The layer's lean for a mode; `due` when none was given.
pub fn lean(mode: Option<Mode>) -> Lean {
    match mode.unwrap_or(Mode::Due) {
        Mode::Due => Lean::Due,
        Mode::New => Lean::New,
        Mode::Weak => Lean::WeakTopics,
    }
}

/// The recall view as an embed: the summary, a line per topic the student answered, and the
/// next reviews with their dates, each cut to fit Discord's limits.
pub fn recall_embed(v: &RecallView) -> Embed {
    let mut topics = String::new();
    for t in v.topics.iter().filter(|t| t.reviewed > 0) {
        let line = format!(
            "{} · due now {} · this week {} · recall today {}\n",
            escape(&truncate(&t.topic, 70)),
            t.due_now,
            t.due_this_week,
            t.recall.map_or("–".to_owned(), |r| format!("{:.0}%", r * 100.0))
        );
        if topics.chars().count() + line.chars().count() > limits::FIELD_VALUE {
            break;
        }
        topics.push_str(&line);
    }
    let mut next = String::new();
    for r in &v.next_reviews {
        let line = format!("{} · {}\n", r.date, escape(&truncate(&r.prompt, 80)));
        if next.chars().count() + line.chars().count() > limits::FIELD_VALUE {
            break;
        }
        next.push_str(&line);
    }
    let mut fields = Vec::new();
    if !topics.is_empty() {
        fields.push(Field { name: "Recall by topic".into(), value: topics, inline: false });
    }
    if !next.is_empty() {
        fields.push(Field { name: "Next reviews".into(), value: next, inline: false });
    }
    Embed {
        title: Some("Spaced practice".into()),
        description: Some(truncate(&v.summary, limits::DESCRIPTION)),
        fields,
        colour: Some(colour::PAPER),
        ..Embed::default()
    }
}

/// `/score`'s reply with the recall view added as a second embed (when it fits the message).
pub fn with_recall(mut reply: Reply, v: &RecallView) -> Reply {
    if reply.embeds.is_empty() {
        return reply;
    }
    let embed = recall_embed(v);
    let total: usize = reply.embeds.iter().map(Embed::total_chars).sum::<usize>() + embed.total_chars();
    if total <= limits::EMBED_TOTAL {
        reply.embeds.push(embed);
    }
    reply
}

/// The day's reminder as a channel message: its sentence, pinging nobody.
pub fn reminder_message(r: &ReminderView) -> Reply {
    Reply { content: Some(truncate(&r.text, limits::CONTENT)), ..Reply::default() }
}

/// Checks every `every` for the day's reminders of the servers this process owns and posts
/// each in its channel, until the shutdown stops the tasks.
pub async fn run_reminders(http: Arc<serenity::Http>, app: Arc<App>, shards: Shards, every: Duration, tasks: Tasks) {
    loop {
        match app.reminders_due(|g| shards.owns(g)).await {
            Ok(reminders) => {
                for r in reminders {
                    post(&http, &r).await;
                }
            }
            Err(e) => tracing::warn!("the daily reminders could not be checked: {}", e.chain()),
        }
        tokio::select! {
            () = tasks.stopped() => return,
            () = tokio::time::sleep(every) => {}
        }
    }
}

/// Posts one reminder; a failure is logged (the day is claimed: it is not tried again).
async fn post(http: &serenity::Http, r: &ReminderView) {
    let Ok(channel) = r.channel.as_str().parse::<u64>() else {
        tracing::warn!(guild = %r.guild, channel = %r.channel, "the reminder's channel is not a Discord channel id");
        return;
    };
    match serenity::ChannelId::new(channel).send_message(http, channel_message(reminder_message(r))).await {
        Ok(_) => tracing::info!(guild = %r.guild, students = r.students, "daily reminder posted"),
        Err(e) => tracing::warn!(guild = %r.guild, channel = %r.channel, "the daily reminder could not be posted: {e}"),
    }
}

/// The reminder's setting in `/settings`: off, or on with its channel and hour.
pub fn reminder_setting(p: &PracticeSettings) -> String {
    match (&p.reminder_channel, p.reminder) {
        (Some(channel), true) => format!("on · <#{channel}> · from {:02}:00 UTC", p.reminder_hour),
        (None, true) => "on, but no channel: run `/settings reminder_here: True` in the channel".to_owned(),
        (_, false) => format!("off (`/settings reminder: True reminder_here: True` turns it on; hour {:02}:00 UTC)", p.reminder_hour),
    }
}

/// An item's mean FSRS difficulty in `/scores items`, beside its share correct.
pub fn difficulty(mean: Option<f64>) -> String {
    mean.map_or(String::new(), |d| format!(" · FSRS difficulty {d:.1}/10"))
}
