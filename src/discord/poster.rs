//! The poster: delivers the outbox (`store/outbox.rs`) to Discord.
//!
//! The classroom layer writes what must reach a channel in the transaction of the change
//! that calls for it; the poster renders each pending row from the store as it is now,
//! posts it (or edits the message posted for an earlier version), and records the delivery.
//! A failed try is retried with backoff (a 429 waits at least its bucket's second; with the
//! rate limiter on, serenity itself sleeps out `retry_after` before retrying); after
//! [`TRIES`] tries, or at once when Discord refuses for good (a 4xx other than 429: no
//! access, unknown channel), the row is marked failed, a live round is closed (a speech
//! stays recorded and counts) and the channel is told, so nothing is left waiting for a
//! message that will never come.
//!
//! Invariants: a row is tried by one process at a time (claimed atomically in the store,
//! and served only by the process whose shard owns its guild); nothing but the poster posts
//! what the outbox holds; after a restart the poster picks up whatever is still pending.

use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{ChannelId, Http, MessageId};
use tokio::sync::Notify;

use crate::app::{App, LivePost};
use crate::app::{LEADERBOARD, Pending, PostKind};
use crate::discord::render::Reply;
use crate::discord::{Shards, live, reply, views};
use crate::ids::RoundId;

/// Tries of one version before the poster gives up on it.
pub const TRIES: i64 = 6;
/// How long a try holds its claim: longer than any request takes; after a crash, the row
/// waits this long before another try.
const LEASE_MS: i64 = 20_000;
/// How long one try may take (serenity's requests have no time limit of their own).
const TRY_TIMEOUT: Duration = Duration::from_secs(15);
/// How often the outbox is read for retries that came due and rows other processes left.
const POLL: Duration = Duration::from_millis(500);
/// The first retry's wait; each later one doubles it, up to `MAX_BACKOFF_MS`.
const FIRST_BACKOFF_MS: i64 = 250;
const MAX_BACKOFF_MS: i64 = 8_000;
/// A 429 waits at least this (serenity does not pass `retry_after` on with the error).
const RATE_LIMITED_MS: i64 = 1_000;

/// Wakes the poster: something was queued, or came due.
#[derive(Clone, Default)]
pub struct Kick(Arc<Notify>);

impl Kick {
    pub fn now(&self) {
        self.0.notify_one();
    }
}

/// Delivers the outbox until the process ends.
pub async fn run(http: Arc<Http>, app: Arc<App>, shards: Shards, kick: Kick) {
    loop {
        let woken = kick.0.notified();
        let now = app.now();
        match app.store().due_posts(now, 64).await {
            Ok(due) => {
                for p in due.into_iter().filter(|p| live::owns(&shards, &p.post.guild_id)) {
                    match app.store().claim_post(&p.post, p.version, now, now + LEASE_MS).await {
                        Ok(true) => {
                            tokio::spawn(deliver(http.clone(), app.clone(), kick.clone(), p));
                        }
                        Ok(false) => {}
                        Err(e) => tracing::warn!(guild = %p.post.guild_id, "could not claim a post: {e}"),
                    }
                }
            }
            Err(e) => tracing::warn!("could not read the outbox: {e}"),
        }
        tokio::select! {
            () = woken => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

/// Why a try failed.
pub(crate) enum Failure {
    /// Discord (or the way to it) failed; `for_good` when trying again cannot help.
    Discord { why: String, for_good: bool, rate_limited: bool },
    /// Something of ours (the store): tried again.
    Internal(String),
}

impl From<serenity::Error> for Failure {
    fn from(e: serenity::Error) -> Failure {
        if let serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(r)) = &e {
            let status = r.status_code.as_u16();
            return Failure::Discord {
                why: format!("Discord answered {status}: {}", r.error.message),
                for_good: (400..500).contains(&status) && status != 429,
                rate_limited: status == 429,
            };
        }
        Failure::Discord { why: format!("Discord could not be reached: {e}"), for_good: false, rate_limited: false }
    }
}

impl From<crate::app::AppError> for Failure {
    fn from(e: crate::app::AppError) -> Failure {
        Failure::Internal(e.chain())
    }
}

/// One try of one claimed row, and what follows from it.
async fn deliver(http: Arc<Http>, app: Arc<App>, kick: Kick, p: Pending) {
    let post = &p.post;
    let tried = p.attempts + 1;
    let delivery = async {
        match post.kind {
            PostKind::Question => deliver_question(&http, &app, &p).await,
            PostKind::Speech => crate::discord::debates::deliver_speech(&http, &app, &p).await,
        }
    };
    // Within the claim, so that no other try starts while this one may still post.
    let outcome = tokio::time::timeout(TRY_TIMEOUT, delivery).await.unwrap_or_else(|_| {
        Err(Failure::Discord { why: format!("Discord did not answer within {} s", TRY_TIMEOUT.as_secs()), for_good: false, rate_limited: false })
    });
    let (why, for_good, wait) = match outcome {
        Ok(message) => {
            if let Err(e) = app.store().post_delivered(post, p.version, message.as_deref()).await {
                tracing::error!(guild = %post.guild_id, kind = post.kind.as_str(), subject = %post.subject, "posted, but could not record it: {e:#}");
            }
            // A newer version may have been queued while this one was on its way.
            kick.now();
            return;
        }
        Err(Failure::Discord { why, for_good, rate_limited }) => {
            let backoff = (FIRST_BACKOFF_MS << p.attempts.clamp(0, 10)).min(MAX_BACKOFF_MS);
            (why, for_good, if rate_limited { backoff.max(RATE_LIMITED_MS) } else { backoff })
        }
        Err(Failure::Internal(why)) => (why, false, (FIRST_BACKOFF_MS << p.attempts.clamp(0, 10)).min(MAX_BACKOFF_MS)),
    };
    if !for_good && tried < TRIES {
        tracing::warn!(guild = %post.guild_id, kind = post.kind.as_str(), subject = %post.subject, number = post.number, tried, "a post failed, trying again in {wait} ms: {why}");
        if let Err(e) = app.store().post_retry(post, app.now() + wait).await {
            tracing::error!(guild = %post.guild_id, "could not reschedule a post: {e:#}");
        }
        let kick = kick.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(wait as u64)).await;
            kick.now();
        });
        return;
    }
    tracing::error!(guild = %post.guild_id, kind = post.kind.as_str(), subject = %post.subject, number = post.number, tried, "a post failed for good: {why}");
    if let Err(e) = app.store().post_failed(post, &why).await {
        tracing::error!(guild = %post.guild_id, "could not record a post's failure: {e:#}");
    }
    let notice = match post.kind {
        PostKind::Question => gave_up_question(&app, &p, &why).await,
        PostKind::Speech => crate::discord::debates::gave_up_speech(&app, &p, &why).await,
    };
    if let (Some(text), Some(channel)) = (notice, channel_of(&p)) {
        let notice = Reply { ephemeral: false, ..Reply::notice(text) };
        if let Err(e) = channel.send_message(&http, reply::channel_message(notice)).await {
            tracing::warn!(guild = %post.guild_id, %channel, "could not tell the channel that a post failed: {e}");
        }
    }
}

pub(crate) fn channel_of(p: &Pending) -> Option<ChannelId> {
    p.post.channel_id.as_str().parse::<u64>().ok().filter(|&c| c != 0).map(ChannelId::new)
}

/// Posts (or, for a later version, edits) question `number`'s message as the round stands.
async fn deliver_question(http: &Http, app: &App, p: &Pending) -> Result<Option<String>, Failure> {
    let post = &p.post;
    let Some(channel) = channel_of(p) else {
        return Err(Failure::Discord {
            why: format!("the channel id {:?} is not a Discord channel", post.channel_id.as_str()),
            for_good: true,
            rate_limited: false,
        });
    };
    let round = RoundId::new(post.subject.clone());
    let number = usize::try_from(post.number).unwrap_or(0);
    let shown = if post.part == LEADERBOARD {
        match app.live_round_end(&post.guild_id, &round).await? {
            Some(end) => views::round_end(&end),
            None => return Ok(None),
        }
    } else {
        match app.live_post_view(&post.guild_id, &round, number).await? {
            LivePost::Question(q) => views::question(&q, false),
            LivePost::Reveal(r) => views::reveal(&r),
            LivePost::Gone => return Ok(None),
        }
    };
    match p.message_id.as_deref().and_then(|m| m.parse::<u64>().ok()) {
        Some(message) => {
            channel.edit_message(http, MessageId::new(message), reply::channel_edit(shown)).await?;
            Ok(Some(message.to_string()))
        }
        None => {
            let message = channel.send_message(http, reply::channel_message(shown)).await?;
            let id = message.id.to_string();
            // The round's own record of its question's message (for End, /quiz stop and a restart).
            if post.part == LEADERBOARD {
                return Ok(Some(id));
            }
            if let Err(e) = app.live_posted(&post.guild_id, &round, number, &id).await {
                tracing::warn!(guild = %post.guild_id, %round, number, "could not remember a question's message: {}", e.chain());
            }
            Ok(Some(id))
        }
    }
}

/// Closes a round whose question could not be shown; the notice for its channel.
async fn gave_up_question(app: &App, p: &Pending, why: &str) -> Option<String> {
    let round = RoundId::new(p.post.subject.clone());
    match app.live_post_failed(&p.post.guild_id, &round).await {
        Ok(true) => Some(format!(
            "I could not post question {} of the live round here ({why}), so the round was closed; every answer given counts. \
             Check that I may send messages and embeds in this channel, then `/quiz start` again.",
            p.post.number
        )),
        Ok(false) => None,
        Err(e) => {
            tracing::error!(guild = %p.post.guild_id, %round, "could not close a round whose question could not be posted: {}", e.chain());
            None
        }
    }
}
