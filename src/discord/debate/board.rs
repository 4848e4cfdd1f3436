//! A debate in its channel: posting its board at each phase (the board it replaces loses
//! its buttons), editing the board in place as people join, vote and speak (batched), its
//! phase timers (re-armed at start-up), and delivering a speech the outbox holds.
//!
//! Invariants: a phase timer only asks the layer to close *that* phase, so a timer racing the
//! instructor, or firing again after a restart, changes nothing. The store records which
//! message is the debate's board (and for which phase), so a board that a newer one replaced
//! is disabled even across a restart, and a click on it is refused. A debate's board edits
//! and postings take its lock in this process, one at a time, so a late edit never brings an
//! old board's buttons back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{ChannelId, Http, MessageId};

use crate::app::{App, AppError, DebateView, Pending};
use crate::discord::debate::views;
use crate::discord::poster::{self, Failure};
use crate::discord::render::Reply;
use crate::discord::tasks::Tasks;
use crate::discord::{Shards, reply};
use crate::ids::{DebateId, GuildId};

/// The least time between two edits of one board: a burst of joins or votes costs one edit
/// a second at most (Discord allows five message edits a channel every five seconds), and the
/// last edit always follows the last change.
pub const EDIT_GAP: Duration = Duration::from_millis(1_000);

/// The boards of this process's debates: a lock per debate for posting and editing, and
/// which debates have an edit waiting.
#[derive(Clone, Default)]
pub struct Boards {
    inner: Arc<Mutex<HashMap<(GuildId, DebateId), Slot>>>,
}

#[derive(Default)]
struct Slot {
    /// Held while a board of the debate is posted or edited.
    lock: Arc<tokio::sync::Mutex<()>>,
    /// An edit task is running for the debate (it sleeps out the gap, then edits).
    editing: bool,
    /// Something changed since the running task read the debate: it edits once more.
    dirty: bool,
}

impl Boards {
    fn lock_of(&self, guild: &GuildId, debate: &DebateId) -> Arc<tokio::sync::Mutex<()>> {
        let mut slots = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        slots.entry((guild.clone(), debate.clone())).or_default().lock.clone()
    }

    /// Something on the debate's board changed (a join, a vote, a speech, a seat moved):
    /// its board is edited once the gap since the last edit has passed, with the debate as
    /// it stands then, so a burst of changes costs one edit; an edit is always made after
    /// the last change. Runs on `tasks`: a shutdown makes the waiting edit at once.
    pub fn touch(&self, http: &Arc<Http>, app: &Arc<App>, tasks: &Tasks, guild: &GuildId, debate: &DebateId) {
        let key = (guild.clone(), debate.clone());
        {
            let mut slots = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            let slot = slots.entry(key.clone()).or_default();
            if slot.editing {
                slot.dirty = true;
                return;
            }
            slot.editing = true;
        }
        let (boards, http, app, stop) = (self.clone(), http.clone(), app.clone(), tasks.clone());
        tasks.spawn(async move {
            loop {
                let stopping = tokio::select! {
                    biased;
                    () = stop.stopped() => true,
                    () = tokio::time::sleep(EDIT_GAP) => false,
                };
                boards.inner.lock().unwrap_or_else(PoisonError::into_inner).entry(key.clone()).or_default().dirty = false;
                if let Err(e) = boards.edit(&http, &app, &key.0, &key.1).await {
                    // The next change edits the whole board again, which mends this one.
                    tracing::warn!(guild = %key.0, debate = %key.1, "could not update the debate's board: {e:#}");
                }
                let done = {
                    let mut slots = boards.inner.lock().unwrap_or_else(PoisonError::into_inner);
                    let slot = slots.entry(key.clone()).or_default();
                    slot.editing = slot.dirty && !stopping;
                    !slot.editing
                };
                if done {
                    return;
                }
            }
        });
    }

    /// Edits the debate's board to show the debate as it stands (nothing when it has no
    /// board for its current phase: the next phase's is being posted).
    async fn edit(&self, http: &Http, app: &App, guild: &GuildId, debate: &DebateId) -> anyhow::Result<()> {
        let lock = self.lock_of(guild, debate);
        let _held = lock.lock().await;
        let Some((v, board)) = app.debate_board(guild, debate).await.map_err(|e| anyhow::anyhow!(e.chain()))? else { return Ok(()) };
        let (Some(channel), Ok(message)) = (channel_of(&v), board.message_id.parse::<u64>()) else { return Ok(()) };
        channel.edit_message(http, MessageId::new(message), reply::channel_edit(views::board(&v))).await?;
        Ok(())
    }
}

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

/// Posts the debate's board for its phase, records it as the debate's board, disables the
/// board it replaces (its buttons greyed, its countdown gone), and arms the phase's timer.
pub async fn post_board(http: &Arc<Http>, app: &Arc<App>, tasks: &Tasks, boards: &Boards, guild: &GuildId, v: &DebateView) -> anyhow::Result<()> {
    let Some(channel) = channel_of(v) else { anyhow::bail!("debate {} names no channel ({})", v.debate_id, v.channel_id) };
    if let (Some(deadline), crate::debate::Status::Open) = (v.phase.deadline, v.status) {
        arm_timer(tasks, boards, http.clone(), app.clone(), guild.clone(), v.debate_id.clone(), v.phase.index, deadline);
    }
    let lock = boards.lock_of(guild, &v.debate_id);
    let _held = lock.lock().await;
    let posted = channel.send_message(http, reply::channel_message(Reply { ephemeral: false, ..views::board(v) })).await?;
    let replaced = app.debate_board_posted(guild, &v.debate_id, v.phase.index, &posted.id.to_string()).await.map_err(|e| anyhow::anyhow!(e.chain()))?;
    if let Some(old) = replaced {
        let Ok(message) = old.message_id.parse::<u64>() else { return Ok(()) };
        // A failure leaves live buttons on the old board, which the layer refuses anyway.
        if let Err(e) = channel.edit_message(http, MessageId::new(message), reply::channel_edit(views::past_board(v, old.phase_index))).await {
            tracing::warn!(%guild, debate = %v.debate_id, "could not disable the debate's previous board: {e}");
        }
    }
    Ok(())
}

/// At `deadline`, closes phase `phase_index` and posts the next phase's board, unless the
/// instructor moved on first (the layer then answers `None`).
#[allow(clippy::too_many_arguments)]
fn arm_timer(tasks: &Tasks, boards: &Boards, http: Arc<Http>, app: Arc<App>, guild: GuildId, debate: DebateId, phase_index: usize, deadline: i64) {
    let (next, boards) = (tasks.clone(), boards.clone());
    tasks.at(deadline, app.now(), async move {
        match app.debate_timer(&guild, &debate, phase_index).await {
            Ok(Some(view)) => {
                if let Err(e) = post_board(&http, &app, &next, &boards, &guild, &view).await {
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
pub async fn resume(http: Arc<Http>, app: Arc<App>, tasks: &Tasks, boards: &Boards, shards: &Shards) {
    match app.debate_timers(|g| shards.owns(g)).await {
        Ok(timers) => {
            for t in timers {
                tracing::info!(guild = %t.guild_id, debate = %t.debate_id, phase = t.phase.as_str(), due = t.due, "resuming a debate's phase timer");
                arm_timer(tasks, boards, http.clone(), app.clone(), t.guild_id, t.debate_id, t.phase_index, t.deadline);
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
