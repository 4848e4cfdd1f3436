//! Live rounds in a channel: posting each question, the timer that reveals it when time is
//! up, and picking rounds up again after a restart.
//!
//! Invariant: a question message's id is stored as soon as it is posted, and its timer is a
//! task that asks the classroom layer to reveal *that* question; the layer refuses a reveal
//! already made, so a timer racing the instructor's Reveal, or firing twice after a restart,
//! changes nothing. Timers are re-armed from the store at start-up.

use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{ChannelId, Http, MessageId};

use crate::app::{App, QuestionView};
use crate::discord::{Shards, reply, views};
use crate::ids::{GuildId, RoundId};

/// A little after the deadline, so the layer's clock agrees the question has closed.
const TIMER_SLACK_MS: i64 = 50;

/// Posts a live question in `channel`, remembers its message and arms its timer.
pub async fn post_question(http: &Arc<Http>, app: &Arc<App>, guild: &GuildId, channel: ChannelId, q: &QuestionView) -> anyhow::Result<MessageId> {
    let message = channel.send_message(http, reply::channel_message(views::question(q, false))).await?;
    app.live_posted(guild, &q.round_id, q.number, &message.id.to_string()).await?;
    if let Some(deadline) = q.deadline {
        arm_timer(http.clone(), app.clone(), guild.clone(), channel, message.id, q.round_id.clone(), q.number, deadline);
    }
    Ok(message.id)
}

/// Takes the buttons off a question message of a round that ended, so it takes no more clicks.
pub async fn drop_buttons(http: &Arc<Http>, channel: ChannelId, message: Option<&str>) {
    let Some(id) = message.and_then(|m| m.parse::<u64>().ok()) else { return };
    if let Err(e) = channel.edit_message(http, MessageId::new(id), serenity::EditMessage::new().allowed_mentions(reply::no_pings()).components(vec![])).await {
        tracing::warn!(%channel, message = id, "could not take the buttons off a finished round's question: {e}");
    }
}

/// At `deadline`, reveals question `number` of the round in its message, unless the
/// instructor revealed it, moved on or ended the round first.
#[allow(clippy::too_many_arguments)]
pub fn arm_timer(http: Arc<Http>, app: Arc<App>, guild: GuildId, channel: ChannelId, message: MessageId, round: RoundId, number: usize, deadline: i64) {
    tokio::spawn(async move {
        let wait = deadline + TIMER_SLACK_MS - app.now();
        if wait > 0 {
            tokio::time::sleep(Duration::from_millis(wait as u64)).await;
        }
        match app.live_timer(&guild, &round, number).await {
            Ok(Some(reveal)) => {
                if let Err(e) = channel.edit_message(&http, message, reply::channel_edit(views::reveal(&reveal))).await {
                    tracing::error!(%guild, %round, number, "could not show the reveal: {e}");
                }
            }
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

/// Picks up the live rounds an earlier run left open: re-arms each open question's timer on
/// its message (posting the question again if it never got that far), and says so in the
/// channel of a round that cannot go on.
pub async fn resume(http: Arc<Http>, app: Arc<App>, shards: &Shards) {
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
        if r.revealed {
            continue;
        }
        match r.message_id.as_deref().and_then(|m| m.parse::<u64>().ok()) {
            Some(message) => {
                if let Some(deadline) = q.deadline {
                    arm_timer(http.clone(), app.clone(), r.guild_id.clone(), channel, MessageId::new(message), q.round_id.clone(), q.number, deadline);
                }
            }
            None => {
                if let Err(e) = post_question(&http, &app, &r.guild_id, channel, q).await {
                    tracing::error!(guild = %r.guild_id, round = %q.round_id, "could not post a resumed question: {e:#}");
                }
            }
        }
    }
}
