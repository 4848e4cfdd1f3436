//! Buttons and modals: every click and every modal submit, read through `custom_id`, handed
//! to one operation of the classroom layer, and answered with what `views` renders.
//!
//! Invariant: each interaction gets exactly one first response within Discord's 3 s: the
//! view (a private reply, an update of the clicked message, or a modal), or a private
//! sentence saying why nothing changed — a forged or stale button, someone else's practice,
//! a student pressing an instructor's button. Who may do what is checked by the layer on
//! every interaction, from what the interaction carries.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use poise::serenity_prelude as serenity;
use serenity::{
    ActionRowComponent, ComponentInteraction, ComponentInteractionDataKind, CreateActionRow, CreateInputText, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateModal, FullEvent, Http, InputTextStyle, Interaction, ModalInteraction,
};

use crate::app::{PracticeStep, UserError};
use crate::discord::custom_id::Action;
use crate::discord::render::Reply;
use crate::discord::{Data, Error, app_member, debates, error, live, reply, views};
use crate::ids::ChannelId;
use crate::quiz::judge::MAX_TEXT;

/// poise's event hook: buttons and modals come here; slash commands go to poise.
pub async fn on_event(framework: poise::FrameworkContext<'_, Data, Error>, event: &FullEvent) -> Result<(), Error> {
    let FullEvent::InteractionCreate { interaction } = event else { return Ok(()) };
    let http = &framework.serenity_context.http;
    let data = framework.user_data;
    let _in_flight = InFlight::enter(&data.in_flight);
    let received = std::time::Instant::now();
    match interaction {
        Interaction::Component(c) => handle(http, data, c.id, &c.token, &c.data.custom_id, "component", received, component(http, data, c)).await,
        Interaction::Modal(m) => handle(http, data, m.id, &m.token, &m.data.custom_id, "modal", received, modal(data, m)).await,
        _ => {}
    }
    Ok(())
}

/// Runs `work` for one interaction and gives it its one first response. A live answer goes
/// through [`answer`]; anything else is answered with what `work` returns.
#[allow(clippy::too_many_arguments)]
async fn handle(
    http: &Arc<Http>,
    data: &Data,
    id: serenity::InteractionId,
    token: &str,
    custom_id: &str,
    kind: &'static str,
    received: std::time::Instant,
    work: impl std::future::Future<Output = Result<Response, Error>>,
) {
    if is_live_answer(custom_id) {
        return answer(http, data, id, token, custom_id, kind, received, work).await;
    }
    let outcome = work.await;
    respond(http, id, token, outcome, custom_id).await;
    measured(kind, received);
}

/// A live answer, under two rules that keep every "Locked in" true under any load:
///
/// * **bounded**: at most `answers_in_flight` answers are handled at once; past that, a click
///   is told at once, privately, that it did not count and to press again, and nothing is
///   stored. A class clicking faster than the store commits then meets a clear refusal
///   instead of a queue that grows without limit (in memory, and past Discord's 3 s).
/// * **stored only if the student can be told**: the answer's work (judging, committing)
///   starts only once its first response is sure to be in time: at once for a young click,
///   or, for a click that has already waited [`DEFER_AFTER`] in a backlog, once Discord has
///   accepted a deferral ("thinking…", filled in after the commit). A click older than
///   Discord's 3 s is dropped unanswered and unstored, since no response can reach it. If
///   the work itself runs up to [`DEFER_BY`], the answer is deferred then and filled in.
#[allow(clippy::too_many_arguments)]
async fn answer(
    http: &Arc<Http>,
    data: &Data,
    id: serenity::InteractionId,
    token: &str,
    custom_id: &str,
    kind: &'static str,
    received: std::time::Instant,
    work: impl std::future::Future<Output = Result<Response, Error>>,
) {
    let Ok(_permit) = data.answers.clone().try_acquire_owned() else {
        metrics::counter!(crate::metrics::ANSWERS_TURNED_AWAY).increment(1);
        respond(http, id, token, Err(UserError::TooManyAnswers.into()), custom_id).await;
        measured(kind, received);
        return;
    };
    // How long ago Discord created the click; when the clocks disagree, since it arrived.
    let waited = age(id, SystemTime::now()).unwrap_or_else(|| received.elapsed());
    if waited >= EXPIRED {
        metrics::counter!(crate::metrics::ANSWERS_TURNED_AWAY).increment(1);
        tracing::warn!(custom_id, waited_ms = waited.as_millis() as u64, "dropped an answer that reached the bot after Discord's 3 s");
        return;
    }
    if waited >= DEFER_AFTER {
        if defer(http, id, token, custom_id).await {
            measured(kind, received);
            fill_in(http, token, work.await, custom_id).await;
        }
        return;
    }
    let mut work = std::pin::pin!(work);
    tokio::select! {
        outcome = &mut work => {
            respond(http, id, token, outcome, custom_id).await;
            measured(kind, received);
        }
        () = tokio::time::sleep(DEFER_BY.saturating_sub(waited)) => {
            let deferred = defer(http, id, token, custom_id).await;
            measured(kind, received);
            // The work has begun and may have committed: it runs to its end either way.
            let outcome = work.await;
            if deferred {
                fill_in(http, token, outcome, custom_id).await;
            } else if matches!(outcome, Ok(Response::Reply(_))) {
                metrics::counter!(crate::metrics::ANSWERS_UNACKNOWLEDGED).increment(1);
                tracing::error!(custom_id, "an answer was stored but its student could not be told: Discord refused the deferral");
            }
        }
    }
}

/// Whether `custom_id` is a live answer: a choice button, a select, or the typed-answer modal.
fn is_live_answer(custom_id: &str) -> bool {
    Action::parse(custom_id).is_some_and(|a| matches!(a, Action::Answer { .. } | Action::Select { .. } | Action::Typed { .. }))
}

/// An answer that reaches its handler this long after Discord created it has waited in a
/// backlog (a class clicking faster than the bot keeps up): it is acknowledged at once
/// ("thinking…", only the student sees it) and its "Locked in" filled in once committed,
/// so that the student never sees "This interaction failed" for an answer that counted.
/// Normally an answer is committed and acknowledged within milliseconds of its creation.
const DEFER_AFTER: Duration = Duration::from_millis(1_500);

/// An answer whose work has not finished this long after its creation is deferred then, so
/// that its first response stays well inside Discord's 3 s whatever the store is doing.
const DEFER_BY: Duration = Duration::from_millis(2_000);

/// Discord invalidates an interaction that has had no first response this long after its
/// creation; an answer that arrives this old cannot be told anything, so it is not stored.
const EXPIRED: Duration = Duration::from_millis(3_000);

/// Discord's epoch (2015-01-01) in Unix milliseconds: a snowflake's top 42 bits count from it.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// How long before `now` Discord created the interaction `id` (a snowflake holds its time),
/// or `None` when this machine's clock disagrees with Discord's (an id from the future, or
/// one over a minute old): then nothing is deferred, as if the clocks agreed.
fn age(id: serenity::InteractionId, now: SystemTime) -> Option<Duration> {
    let created = (id.get() >> 22) + DISCORD_EPOCH_MS;
    let now = u64::try_from(now.duration_since(UNIX_EPOCH).ok()?.as_millis()).ok()?;
    now.checked_sub(created).map(Duration::from_millis).filter(|a| *a < Duration::from_secs(60))
}

/// Acknowledges an answer with a private "thinking…"; false if Discord refused it (then the
/// answer is not stored: nothing could tell its student).
async fn defer(http: &Arc<Http>, id: serenity::InteractionId, token: &str, custom_id: &str) -> bool {
    let thinking = CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new().ephemeral(true));
    match http.create_interaction_response(id, token, &thinking, vec![]).await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(custom_id, "could not defer a late answer: {e}");
            false
        }
    }
}

/// Replaces a deferred answer's "thinking…" with what the student would have been told.
async fn fill_in(http: &Arc<Http>, token: &str, outcome: Result<Response, Error>, custom_id: &str) {
    count(&outcome, custom_id);
    let reply = match outcome {
        Ok(Response::Reply(r)) => r,
        Ok(_) => Reply::notice(error::APOLOGY),
        Err(Error::User(e)) => Reply::notice(e.to_string()),
        Err(Error::Internal(e)) => {
            tracing::error!(custom_id, "{e:?}");
            Reply::notice(error::APOLOGY)
        }
    };
    if let Err(e) = http.edit_original_interaction_response(token, &reply::interaction_edit(reply), vec![]).await {
        tracing::error!(custom_id, "could not fill in a deferred answer: {e}");
    }
}

/// The time from an interaction received to its first response sent.
fn measured(kind: &'static str, received: std::time::Instant) {
    metrics::histogram!(crate::metrics::FIRST_RESPONSE, "kind" => kind).record(received.elapsed().as_secs_f64());
}

/// Counts an interaction as in flight until it is answered (or its handler ends).
struct InFlight<'a>(&'a std::sync::atomic::AtomicUsize);

impl<'a> InFlight<'a> {
    fn enter(counter: &'a std::sync::atomic::AtomicUsize) -> InFlight<'a> {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        InFlight(counter)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// How to answer an interaction.
pub(crate) enum Response {
    /// A reply only the clicker sees (or everyone, for a non-ephemeral reply).
    Reply(Reply),
    /// The clicked message, changed.
    Update(Reply),
    /// The clicked message keeps its text and loses its buttons.
    DropButtons,
    Modal(CreateModal),
}

/// Counts an interaction by kind (component or modal, from its id) and outcome.
fn count(outcome: &Result<Response, Error>, custom_id: &str) {
    let label = match outcome {
        Ok(_) => "ok",
        Err(Error::User(_)) => "user_error",
        Err(Error::Internal(_)) => "internal_error",
    };
    let kind = if custom_id.split(':').nth(1).is_some_and(|k| matches!(k, "m" | "pm" | "dm" | "dg" | "dbm" | "qm" | "rm")) { "modal" } else { "component" };
    metrics::counter!(crate::metrics::INTERACTIONS, "kind" => kind, "outcome" => label).increment(1);
}

async fn respond(http: &Arc<Http>, id: serenity::InteractionId, token: &str, outcome: Result<Response, Error>, custom_id: &str) {
    count(&outcome, custom_id);
    let response = match outcome {
        Ok(Response::Reply(r)) => CreateInteractionResponse::Message(reply::interaction_message(r)),
        Ok(Response::Update(r)) => CreateInteractionResponse::UpdateMessage(reply::interaction_message(r)),
        Ok(Response::DropButtons) => {
            CreateInteractionResponse::UpdateMessage(CreateInteractionResponseMessage::new().allowed_mentions(reply::no_pings()).components(vec![]))
        }
        Ok(Response::Modal(m)) => CreateInteractionResponse::Modal(m),
        Err(Error::User(e)) => CreateInteractionResponse::Message(reply::interaction_message(Reply::notice(e.to_string()))),
        Err(Error::Internal(e)) => {
            tracing::error!(custom_id, "{e:?}");
            CreateInteractionResponse::Message(reply::interaction_message(Reply::notice(error::APOLOGY)))
        }
    };
    if let Err(e) = http.create_interaction_response(id, token, &response, vec![]).await {
        tracing::error!(custom_id, "could not answer an interaction: {e}");
    }
}

fn unknown() -> Error {
    UserError::UnknownAction.into()
}

fn typed_modal(action: Action, q_number: usize, how: &str) -> CreateModal {
    let input = CreateInputText::new(InputTextStyle::Short, "Your answer", "answer")
        .placeholder(crate::discord::render::truncate(how, 100))
        .max_length(MAX_TEXT as u16)
        .required(true);
    CreateModal::new(action.id(), format!("Question {q_number}")).components(vec![CreateActionRow::InputText(input)])
}

async fn component(http: &Arc<Http>, data: &Data, c: &ComponentInteraction) -> Result<Response, Error> {
    let action = Action::parse(&c.data.custom_id).ok_or_else(unknown)?;
    let guild = crate::discord::in_guild(c.guild_id)?;
    let channel = ChannelId::new(c.channel_id.to_string());
    let member = app_member(&c.user, c.member.as_ref());
    let app = &data.app;
    if is_class(&action) {
        return debates::component(data, &guild, &member, action).await;
    }
    let chosen = match &c.data.kind {
        ComponentInteractionDataKind::StringSelect { values } => Some(values.join(" ")),
        _ => None,
    };
    Ok(match action {
        Action::Answer { round, number, value } => {
            Response::Reply(views::locked_in(&app.live_answer(&guild, &channel, &member, &round, number, &value).await?))
        }
        Action::Select { round, number } => {
            Response::Reply(views::locked_in(&app.live_answer(&guild, &channel, &member, &round, number, &chosen.unwrap_or_default()).await?))
        }
        Action::Type { round, number } => Response::Modal(typed_modal(Action::Typed { round, number }, number, "Type your answer")),
        Action::Reveal { round, number } => {
            let reveal = app.live_reveal(&guild, &round, number, Some(&member)).await?;
            // The last reveal queued the round's leaderboard.
            data.poster.now();
            Response::Update(views::reveal(&reveal))
        }
        Action::Next { round, number } => {
            let q = app.live_next(&guild, &round, number, &member).await?;
            live::opened(app, &data.poster, &guild, &q);
            Response::DropButtons
        }
        Action::End { round } => {
            let end = app.live_end(&guild, &round, &member).await?;
            c.channel_id.send_message(http, reply::channel_message(views::round_end(&end))).await?;
            match &end.reveal {
                Some(reveal) => Response::Update(views::reveal(reveal)),
                None => Response::DropButtons,
            }
        }
        Action::PracticeAnswer { round, number, value } => {
            Response::Update(views::verdict(&app.practice_answer(&guild, &member.id, &round, number, &value).await?))
        }
        Action::PracticeSelect { round, number } => {
            Response::Update(views::verdict(&app.practice_answer(&guild, &member.id, &round, number, &chosen.unwrap_or_default()).await?))
        }
        Action::PracticeType { round, number } => Response::Modal(typed_modal(Action::PracticeTyped { round, number }, number, "Type your answer")),
        Action::Source { round, number } => Response::Reply(views::sources(&app.practice_sources(&guild, &member.id, &round, number).await?)),
        Action::PracticeNext { round, number } => Response::Update(match app.practice_next(&guild, &member.id, &round, number).await? {
            PracticeStep::Question(q) => views::question(&q, true),
            PracticeStep::Finished(summary) => views::practice_done(&summary),
        }),
        Action::PracticeEnd { round } => Response::Update(views::practice_done(&app.practice_end(&guild, &member.id, &round).await?)),
        _ => return Err(unknown()),
    })
}

/// Whether an action is one of the debates, prompts or review (handled in `debates`).
fn is_class(action: &Action) -> bool {
    use Action::*;
    matches!(
        action,
        DebateJoin { .. }
            | DebateCards { .. }
            | DebateSpeak { .. }
            | DebateSpeech { .. }
            | DebateFlag { .. }
            | DebateFlagged { .. }
            | DebateVote { .. }
            | DebateBallot { .. }
            | DebateBallotted { .. }
            | PromptAnswer { .. }
            | PromptAnswered { .. }
            | ReviewMark { .. }
            | ReviewMarked { .. }
    )
}

async fn modal(data: &Data, m: &ModalInteraction) -> Result<Response, Error> {
    let action = Action::parse(&m.data.custom_id).ok_or_else(unknown)?;
    let guild = crate::discord::in_guild(m.guild_id)?;
    let channel = ChannelId::new(m.channel_id.to_string());
    let member = app_member(&m.user, m.member.as_ref());
    if is_class(&action) {
        let inputs: HashMap<String, String> = m
            .data
            .components
            .iter()
            .flat_map(|row| row.components.iter())
            .filter_map(|c| match c {
                ActionRowComponent::InputText(t) => Some((t.custom_id.clone(), t.value.clone().unwrap_or_default())),
                _ => None,
            })
            .collect();
        return debates::modal_submit(data, &guild, &member, action, &inputs).await;
    }
    let typed: String = m
        .data
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .find_map(|c| match c {
            ActionRowComponent::InputText(t) if t.custom_id == "answer" => t.value.clone(),
            _ => None,
        })
        .unwrap_or_default();
    let app = &data.app;
    match action {
        Action::Typed { round, number } => Ok(Response::Reply(views::locked_in(&app.live_answer(&guild, &channel, &member, &round, number, &typed).await?))),
        Action::PracticeTyped { round, number } => {
            let verdict = app.practice_answer(&guild, &member.id, &round, number, &typed).await?;
            // From a button on the practice message: update it in place; otherwise reply.
            Ok(if m.message.is_some() { Response::Update(views::verdict(&verdict)) } else { Response::Reply(views::verdict(&verdict)) })
        }
        _ => Err(unknown()),
    }
}

#[cfg(test)]
mod tests {
    use super::{DISCORD_EPOCH_MS, age};
    use poise::serenity_prelude::InteractionId;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn an_interactions_age_comes_from_its_snowflake_unless_the_clocks_disagree() {
        let created = 1_764_000_000_000u64;
        let id = InteractionId::new(((created - DISCORD_EPOCH_MS) << 22) | 5);
        let at = |ms: u64| UNIX_EPOCH + Duration::from_millis(ms);
        assert_eq!(age(id, at(created + 2_000)), Some(Duration::from_secs(2)));
        assert_eq!(age(id, at(created)), Some(Duration::ZERO));
        assert_eq!(age(id, at(created - 10)), None, "created in this machine's future");
        assert_eq!(age(id, at(created + 61_000)), None, "over a minute: a clock that disagrees");
    }
}
