//! Live rounds in a channel: the timer that reveals each question when time is up, and
//! picking rounds up again after a restart. The questions and the timer's reveals reach
//! the channel through the outbox (`poster.rs`), queued by the classroom layer with the
//! change that calls for them.
//!
//! Invariant: a question's timer is armed from its stored deadline, whether or not its
//! message has gone out, and asks the classroom layer to reveal *that* question; the layer
//! refuses a reveal already made, so a timer racing the instructor's Reveal, or firing twice
//! after a restart, changes nothing. Timers are re-armed from the store at start-up.

use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{ChannelId, Http, MessageId};

use crate::app::{App, QuestionView, RoundEndView};
use crate::discord::poster::Kick;
use crate::discord::{Shards, reply, views};
use crate::ids::{GuildId, RoundId};

/// A little after the deadline, so the layer's clock agrees the question has closed.
const TIMER_SLACK_MS: i64 = 50;

/// A question the layer just opened (and queued for its channel): wakes the poster and arms
/// the question's timer.
pub fn opened(app: &Arc<App>, kick: &Kick, guild: &GuildId, q: &QuestionView) {
    kick.now();
    if let Some(deadline) = q.deadline {
        arm_timer(app.clone(), kick.clone(), guild.clone(), q.round_id.clone(), q.number, deadline);
    }
}

/// Shows the answer on the question message of a round that ended (or, when its question
/// cannot be shown, takes its buttons off), so it takes no more clicks.
pub async fn show_end(http: &Arc<Http>, channel: ChannelId, end: &RoundEndView) {
    let Some(id) = end.last_message.as_deref().and_then(|m| m.parse::<u64>().ok()) else { return };
    let edit = match &end.reveal {
        Some(reveal) => reply::channel_edit(views::reveal(reveal)),
        None => serenity::EditMessage::new().allowed_mentions(reply::no_pings()).components(vec![]),
    };
    if let Err(e) = channel.edit_message(http, MessageId::new(id), edit).await {
        tracing::warn!(%channel, message = id, "could not show the answer on a finished round's question: {e}");
    }
}

/// At `deadline`, reveals question `number` of the round (the layer queues the reveal for
/// the question's message), unless the instructor revealed it, moved on or ended the round
/// first.
pub fn arm_timer(app: Arc<App>, kick: Kick, guild: GuildId, round: RoundId, number: usize, deadline: i64) {
    tokio::spawn(async move {
        let wait = deadline + TIMER_SLACK_MS - app.now();
        if wait > 0 {
            tokio::time::sleep(Duration::from_millis(wait as u64)).await;
        }
        match app.live_timer(&guild, &round, number).await {
            Ok(Some(_)) => kick.now(),
            Ok(None) => {}
            Err(e) => tracing::error!(%guild, %round, number, "the timer could not reveal: {}", e.chain()),
        }
    });
}

/// Whether this process runs `guild`'s rounds: all of them, or those whose shard it runs
/// (Discord's rule: shard = (guild id >> 22) mod total).
pub fn owns(shards: &Shards, guild: &GuildId) -> bool {
    match shards {
        Shards::Auto => true,
        Shards::Range { ids, total } => guild.as_str().parse::<u64>().is_ok_and(|id| ids.contains(&(((id >> 22) % u64::from(*total)) as u32))),
    }
}

/// Picks up the live rounds an earlier run left open: re-arms each open question's timer
/// (the poster delivers whatever of theirs is still undelivered), and says so in the channel
/// of a round that cannot go on.
pub async fn resume(http: Arc<Http>, app: Arc<App>, kick: Kick, shards: &Shards) {
    let rounds = match app.live_resume(|g| owns(shards, g)).await {
        Ok(rounds) => rounds,
        Err(e) => {
            tracing::error!("could not read the live rounds left open: {}", e.chain());
            return;
        }
    };
    for r in rounds {
        let Ok(channel) = r.channel_id.as_str().parse::<u64>().map(ChannelId::new) else { continue };
        let q = &r.question;
        tracing::info!(guild = %r.guild_id, round = %q.round_id, question = q.number, closed = r.closed, "resuming a live round");
        if r.closed {
            let notice = crate::discord::render::Reply::notice(
                "A live round here could not go on after the bot restarted (its question is no longer in the bank), so it was closed. Every answer given counts.",
            );
            let _ = channel.send_message(&http, reply::channel_message(crate::discord::render::Reply { ephemeral: false, ..notice })).await;
            continue;
        }
        if !r.revealed {
            opened(&app, &kick, &r.guild_id, q);
        }
    }
    kick.now();
}
