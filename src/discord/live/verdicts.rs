//! Each student's own result at a live reveal, on their own screen: the private "Locked in"
//! a student got for an answer is edited, through that interaction's token, into their
//! verdict and points (`views::live_verdict`), as Kahoot shows each player their result.
//!
//! Invariants:
//! * a token is a credential: it is kept here, in memory only, keyed by the answer it
//!   acknowledged (server, round, question, student), never in the store nor a log; it is
//!   dropped once used, and unused once Discord's 15 minutes from the click have passed. A
//!   restart forgets them all: those students' "Locked in" stays as it was, and `/score`
//!   still shows their points, which the store holds;
//! * the edits never hold up the class: they start a moment after the reveal (whose public
//!   message goes first), run on the face's `Tasks` off the reveal's path, at most
//!   [`PER_SECOND`] a second across the whole process and [`IN_FLIGHT`] at once, each given
//!   [`EDIT_TIMEOUT`]; a failed edit is logged and dropped, never tried again; a shutdown
//!   stops the ones not yet begun.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poise::serenity_prelude::Http;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::app::RevealView;
use crate::discord::tasks::Tasks;
use crate::discord::{reply, views};
use crate::ids::{GuildId, RoundId, UserId};

/// How long Discord honours an interaction's token, from the click; less a margin for the
/// edit's own trip.
const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60 - 30);
/// The edits begin this long after the reveal, so that the class's message goes out first
/// (and an answer committed just before the reveal has had its token kept).
const START_AFTER: Duration = Duration::from_millis(500);
/// Edits a second, across every reveal of this process: half Discord's 50 requests a second
/// for a whole bot, leaving the rest for questions, reveals and clicks. A class of 200 is
/// told within 8 s.
pub const PER_SECOND: u32 = 25;
/// Edits waiting on Discord at once.
const IN_FLIGHT: usize = 8;
/// How long one edit may take before it is given up (serenity's requests have no limit of
/// their own, and with its rate limiter on it waits out a 429 itself).
const EDIT_TIMEOUT: Duration = Duration::from_secs(10);
/// Tokens kept at most: as many as the edits, at [`PER_SECOND`], can use before a token
/// kept now expires (21,750). A token past these could only wait in memory until it expires
/// (with the reveal that would use it), so its answer's message simply keeps its "Locked in".
const MOST_KEPT: usize = PER_SECOND as usize * TOKEN_LIFETIME.as_secs() as usize;
/// How often, at most, a full set of tokens is swept of the expired ones.
const SWEEP_EVERY: Duration = Duration::from_secs(1);

/// The answer a "Locked in" acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Answered {
    pub guild: GuildId,
    pub round: RoundId,
    /// 1-based.
    pub number: usize,
    pub user: UserId,
}

/// The tokens of the "Locked in" messages not yet edited, and the pace of the edits.
#[derive(Clone)]
pub struct Verdicts(Arc<Inner>);

struct Inner {
    tokens: Mutex<HashMap<Answered, (String, Instant)>>,
    /// The moment the next edit may start.
    next: Mutex<Instant>,
    /// When a full set of tokens may next be swept of the expired ones, and how many tokens
    /// found no room since the last warning.
    sweep: Mutex<Sweep>,
    in_flight: Arc<Semaphore>,
    spacing: Duration,
}

struct Sweep {
    next: Instant,
    refused: u64,
}

impl Default for Verdicts {
    fn default() -> Verdicts {
        Verdicts::new(PER_SECOND)
    }
}

impl Verdicts {
    pub fn new(per_second: u32) -> Verdicts {
        Verdicts(Arc::new(Inner {
            tokens: Mutex::default(),
            next: Mutex::new(Instant::now()),
            sweep: Mutex::new(Sweep { next: Instant::now(), refused: 0 }),
            in_flight: Arc::new(Semaphore::new(IN_FLIGHT)),
            spacing: Duration::from_secs(1) / per_second.max(1),
        }))
    }

    /// Keeps the token of the interaction Discord created at `created_ms` (Unix ms), whose
    /// response told the student their answer was locked in.
    pub fn keep(&self, answered: Answered, token: &str, created_ms: i64) {
        let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
        let age = Duration::from_millis(u64::try_from(now_ms - created_ms).unwrap_or(0));
        let Some(left) = TOKEN_LIFETIME.checked_sub(age) else { return };
        let mut tokens = self.tokens();
        if tokens.len() >= MOST_KEPT {
            // The expired ones are swept out at most once a second: a sweep reads every token,
            // and under a flood of answers it used to run for each answer.
            // So is the warning: one line a second, with the count, not one per answer.
            let now = Instant::now();
            let mut sweep = self.0.sweep.lock().unwrap_or_else(|e| e.into_inner());
            let swept = now >= sweep.next;
            if swept {
                sweep.next = now + SWEEP_EVERY;
                tokens.retain(|_, (_, until)| *until > now);
            }
            if tokens.len() >= MOST_KEPT {
                sweep.refused += 1;
                if swept {
                    tracing::warn!(kept = tokens.len(), refused = sweep.refused, "too many answers wait for their reveal; these keep their \"Locked in\"");
                    sweep.refused = 0;
                }
                return;
            }
        }
        tokens.insert(answered, (token.to_owned(), Instant::now() + left));
    }

    /// How many tokens are kept now.
    pub fn kept(&self) -> usize {
        self.tokens().len()
    }

    /// Tells each student who answered the revealed question their own result, in the
    /// background (see the module's invariants); drops the expired tokens of any question.
    pub fn tell(&self, http: &Arc<Http>, tasks: &Tasks, guild: &GuildId, reveal: &RevealView) {
        let now = Instant::now();
        self.tokens().retain(|_, (_, until)| *until > now);
        if reveal.verdicts.is_empty() {
            return;
        }
        let (this, http, guild, reveal) = (self.clone(), http.clone(), guild.clone(), reveal.clone());
        let tasks = tasks.clone();
        tasks.clone().spawn(async move {
            tokio::select! {
                biased;
                () = tasks.stopped() => return,
                () = tokio::time::sleep(START_AFTER) => {}
            }
            let (round, number) = (reveal.question.round_id.clone(), reveal.question.number);
            for (told, v) in reveal.verdicts.iter().enumerate() {
                let answered = Answered { guild: guild.clone(), round: round.clone(), number, user: v.user_id.clone() };
                let Some(token) = this.take(&answered) else { continue };
                let slot = this.slot();
                let permit = tokio::select! {
                    biased;
                    () = tasks.stopped() => None,
                    permit = async {
                        tokio::time::sleep_until(slot).await;
                        this.0.in_flight.clone().acquire_owned().await.ok()
                    } => permit,
                };
                let Some(permit) = permit else {
                    tracing::info!(%guild, %round, number, left = reveal.verdicts.len() - told, "shutting down: the remaining students keep their \"Locked in\"");
                    return;
                };
                let edit = reply::interaction_edit(views::live_verdict(&reveal, v));
                let (http, guild, round, user) = (http.clone(), guild.clone(), round.clone(), v.user_id.clone());
                tasks.spawn(async move {
                    let _permit = permit;
                    let outcome = tokio::time::timeout(EDIT_TIMEOUT, http.edit_original_interaction_response(&token, &edit, vec![])).await;
                    match outcome {
                        Ok(Ok(_)) => {}
                        Ok(Err(e)) => {
                            // An error can quote the request's address, which holds the token.
                            let e = e.to_string().replace(token.as_str(), "[token]");
                            tracing::warn!(%guild, %round, number, %user, "could not show a student their result (dropped): {e}");
                        }
                        Err(_) => tracing::warn!(%guild, %round, number, %user, "showing a student their result took over {EDIT_TIMEOUT:?} (dropped)"),
                    }
                });
            }
        });
    }

    /// The token kept for `answered`, taken out; `None` if there is none or it has expired.
    fn take(&self, answered: &Answered) -> Option<String> {
        self.tokens().remove(answered).filter(|(_, until)| *until > Instant::now()).map(|(token, _)| token)
    }

    /// The moment the next edit may start: now, or one spacing after the last one's.
    fn slot(&self) -> Instant {
        let mut next = self.0.next.lock().unwrap_or_else(|e| e.into_inner());
        let slot = (*next).max(Instant::now());
        *next = slot + self.0.spacing;
        slot
    }

    fn tokens(&self) -> std::sync::MutexGuard<'_, HashMap<Answered, (String, Instant)>> {
        self.0.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(user: &str) -> Answered {
        Answered { guild: GuildId::from("g"), round: RoundId::from("l1"), number: 1, user: UserId::from(user) }
    }

    fn now_ms() -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
    }

    #[tokio::test]
    async fn a_token_is_used_once_and_never_past_its_fifteen_minutes() {
        let v = Verdicts::default();
        v.keep(answered("1"), "t1", now_ms());
        v.keep(answered("2"), "t2", now_ms() - 16 * 60 * 1000);
        assert_eq!(v.kept(), 1, "a click older than Discord's 15 minutes keeps no token");
        assert_eq!(v.take(&answered("1")).as_deref(), Some("t1"));
        assert_eq!(v.take(&answered("1")), None, "used once");
        v.keep(answered("3"), "t3", now_ms() - TOKEN_LIFETIME.as_millis() as i64 + 20);
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert_eq!(v.take(&answered("3")), None, "expired while it waited");
    }

    /// No more tokens are kept than the edits can use before they expire: past that a new
    /// one is not kept (its student keeps "Locked in"), and room comes back as tokens are used.
    #[tokio::test]
    async fn no_more_tokens_are_kept_than_can_be_used_in_time() {
        assert_eq!(MOST_KEPT, 21_750, "25 edits a second for 14.5 minutes");
        let v = Verdicts::default();
        for user in 0..MOST_KEPT {
            v.keep(answered(&user.to_string()), "t", now_ms());
        }
        v.keep(answered("late"), "t", now_ms());
        assert_eq!((v.kept(), v.take(&answered("late"))), (MOST_KEPT, None));
        assert!(v.take(&answered("0")).is_some());
        v.keep(answered("late"), "t", now_ms());
        assert_eq!(v.take(&answered("late")).as_deref(), Some("t"), "kept once there was room");
    }

    /// A full set is swept of its expired tokens at most once a second, not at every answer
    /// (a sweep reads all 21,750): until the next sweep a new token finds no room.
    #[tokio::test]
    async fn a_full_set_is_swept_at_most_once_a_second() {
        let v = Verdicts::default();
        let expiring = now_ms() - TOKEN_LIFETIME.as_millis() as i64 + 100;
        for user in 0..MOST_KEPT {
            v.keep(answered(&user.to_string()), "t", expiring);
        }
        v.keep(answered("a"), "t", now_ms());
        assert_eq!(v.take(&answered("a")), None, "swept, and nothing had expired yet");
        tokio::time::sleep(Duration::from_millis(200)).await;
        v.keep(answered("b"), "t", now_ms());
        assert_eq!(v.take(&answered("b")), None, "every token has expired, but the last sweep was less than a second ago");
        tokio::time::sleep(SWEEP_EVERY).await;
        v.keep(answered("c"), "t", now_ms());
        assert_eq!((v.take(&answered("c")).as_deref(), v.kept()), (Some("t"), 0), "a second later the sweep made room");
    }

    #[tokio::test]
    async fn the_edits_are_spaced_across_reveals() {
        let v = Verdicts::new(20);
        let slots: Vec<Instant> = (0..5).map(|_| v.slot()).collect();
        for w in slots.windows(2) {
            assert_eq!(w[1] - w[0], Duration::from_millis(50));
        }
    }
}
