//! A debate in its channel: posting its board at each phase, its phase timers (re-armed at
//! start-up), and delivering a speech the outbox holds.
//!
//! Invariant: a phase timer only asks the layer to close *that* phase, so a timer racing the
//! instructor, or firing again after a restart, changes nothing.

use std::sync::Arc;

use poise::serenity_prelude as serenity;
use serenity::{ChannelId, Http};

use crate::app::{App, AppError, DebateView, Pending};
use crate::discord::debate::views;
use crate::discord::poster::{self, Failure};
use crate::discord::render::Reply;
use crate::discord::tasks::Tasks;
use crate::discord::{Shards, reply};
use crate::ids::{DebateId, GuildId};

fn channel_of(v: &DebateView) -> Option<ChannelId> {
    v.channel_id.as_str().parse::<u64>().ok().filter(|&c| c != 0).map(ChannelId::new)
}

/// Posts `replies` in `channel`, in order.
pub async fn post_all(http: &Http, channel: ChannelId, replies: Vec<Reply>) -> anyhow::Result<()> {
    for r in replies {
        channel.send_message(http, reply::channel_message(Reply { ephemeral: false, ..r })).await?;
    }
    Ok(())
}

/// Posts the debate's board for its phase and arms the phase's timer.
pub async fn post_board(http: &Arc<Http>, app: &Arc<App>, tasks: &Tasks, guild: &GuildId, v: &DebateView) -> anyhow::Result<()> {
    let Some(channel) = channel_of(v) else { anyhow::bail!("debate {} names no channel ({})", v.debate_id, v.channel_id) };
    post_all(http, channel, vec![views::board(v)]).await?;
    if let (Some(deadline), crate::debate::Status::Open) = (v.phase.deadline, v.status) {
        arm_timer(tasks, http.clone(), app.clone(), guild.clone(), v.debate_id.clone(), v.phase.index, deadline);
    }
    Ok(())
}

/// At `deadline`, closes phase `phase_index` and posts the next phase's board, unless the
/// instructor moved on first (the layer then answers `None`).
fn arm_timer(tasks: &Tasks, http: Arc<Http>, app: Arc<App>, guild: GuildId, debate: DebateId, phase_index: usize, deadline: i64) {
    let next = tasks.clone();
    tasks.at(deadline, app.now(), async move {
        match app.debate_timer(&guild, &debate, phase_index).await {
            Ok(Some(view)) => {
                if let Err(e) = post_board(&http, &app, &next, &guild, &view).await {
                    tracing::error!(%guild, %debate, phase_index, "could not post the next phase: {e:#}");
                }
            }
            Ok(None) => {}
            Err(e) => tracing::error!(%guild, %debate, phase_index, "the phase timer failed: {}", e.chain()),
        }
    });
}

/// Re-arms the phase timer of every open debate an earlier run left (those past their
/// deadline fire at once).
pub async fn resume(http: Arc<Http>, app: Arc<App>, tasks: &Tasks, shards: &Shards) {
    match app.debate_timers(|g| shards.owns(g)).await {
        Ok(timers) => {
            for t in timers {
                tracing::info!(guild = %t.guild_id, debate = %t.debate_id, phase = t.phase.as_str(), due = t.due, "resuming a debate's phase timer");
                arm_timer(tasks, http.clone(), app.clone(), t.guild_id, t.debate_id, t.phase_index, t.deadline);
            }
        }
        Err(e) => tracing::error!("could not read the open debates: {}", e.chain()),
    }
}

/// Posts the messages of a speech the outbox holds (the parts not posted by an earlier try).
pub(crate) async fn deliver_speech(http: &Http, app: &App, p: &Pending) -> std::result::Result<Option<String>, Failure> {
    let post = &p.post;
    let Some(channel) = poster::channel_of(p) else {
        return Err(Failure::Discord {
            why: format!("the channel id {:?} is not a Discord channel", post.channel_id.as_str()),
            for_good: true,
            rate_limited: false,
        });
    };
    let debate = DebateId::new(post.subject.clone());
    let phase = usize::try_from(post.number).unwrap_or(usize::MAX);
    let Some(view) = app.debate_speech_view(&post.guild_id, &debate, phase, &post.part).await? else { return Ok(None) };
    let mut posted: Vec<String> = p.message_id.as_deref().unwrap_or("").split(',').filter(|m| !m.is_empty()).map(str::to_string).collect();
    for part in views::speech(&view).into_iter().skip(posted.len()) {
        match channel.send_message(http, reply::channel_message(Reply { ephemeral: false, ..part })).await {
            Ok(m) => posted.push(m.id.to_string()),
            Err(e) => {
                if !posted.is_empty() {
                    app.store().post_parts(post, &posted.join(",")).await.map_err(AppError::from)?;
                }
                return Err(e.into());
            }
        }
    }
    Ok(Some(posted.join(",")))
}

/// The notice for a speech that could not be posted; the speech is stored and counts.
pub(crate) async fn gave_up_speech(app: &App, p: &Pending, why: &str) -> Option<String> {
    let debate = DebateId::new(p.post.subject.clone());
    let phase = usize::try_from(p.post.number).unwrap_or(usize::MAX);
    let who = match app.debate_speech_view(&p.post.guild_id, &debate, phase, &p.post.part).await {
        Ok(Some(v)) => crate::text::display_name(&v.author_name),
        _ => "a speaker".to_string(),
    };
    Some(format!("I could not post the speech of {who} here ({why}). It is recorded and counts; the debate goes on."))
}
