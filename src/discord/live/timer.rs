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

use poise::serenity_prelude as serenity;
use serenity::{ChannelId, Http, MessageId};

use crate::app::{App, QuestionView, RoundEndView};
use crate::discord::live::Verdicts;
use crate::discord::poster::Kick;
use crate::discord::tasks::Tasks;
use crate::discord::{Shards, reply, views};
use crate::ids::{GuildId, RoundId};

/// A question the layer just opened (and queued for its channel): wakes the poster and arms
/// the question's timer.
pub fn opened(http: &Arc<Http>, app: &Arc<App>, kick: &Kick, tasks: &Tasks, verdicts: &Verdicts, guild: &GuildId, q: &QuestionView) {
    kick.now();
    if let Some(deadline) = q.deadline {
        let timer = Timer { http: http.clone(), app: app.clone(), kick: kick.clone(), tasks: tasks.clone(), verdicts: verdicts.clone() };
        timer.arm(guild.clone(), q.round_id.clone(), q.number, deadline);
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

/// What a question's timer needs when it fires.
struct Timer {
    http: Arc<Http>,
    app: Arc<App>,
    kick: Kick,
    tasks: Tasks,
    verdicts: Verdicts,
}

impl Timer {
    /// At `deadline`, reveals question `number` of the round (the layer queues the reveal
    /// for the question's message, and each student who answered is told their result),
    /// unless the instructor revealed it, moved on or ended the round first.
    fn arm(self, guild: GuildId, round: RoundId, number: usize, deadline: i64) {
        let tasks = self.tasks.clone();
        tasks.at(deadline, self.app.now(), async move {
            match self.app.live_timer(&guild, &round, number).await {
                Ok(Some(reveal)) => {
                    self.kick.now();
                    self.verdicts.tell(&self.http, &self.tasks, &guild, &reveal);
                }
                Ok(None) => {}
                Err(e) => tracing::error!(%guild, %round, number, "the timer could not reveal: {}", e.chain()),
            }
        });
    }
}

/// Picks up the live rounds an earlier run left open: re-arms each open question's timer
/// (the poster delivers whatever of theirs is still undelivered), and says so in the channel
/// of a round that cannot go on.
pub async fn resume(http: Arc<Http>, app: Arc<App>, kick: Kick, tasks: &Tasks, verdicts: &Verdicts, shards: &Shards) {
    let rounds = match app.live_resume(|g| shards.owns(g)).await {
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
            opened(&http, &app, &kick, tasks, verdicts, &r.guild_id, q);
        }
    }
    kick.now();
}
