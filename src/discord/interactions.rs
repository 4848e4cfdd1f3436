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
    ActionRowComponent, ComponentInteraction, ComponentInteractionDataKind, CreateInteractionResponse, CreateInteractionResponseMessage, CreateModal,
    FullEvent, Http, Interaction, ModalInteraction,
};

use crate::app::{Member, UserError};
use crate::discord::custom_id::Action;
use crate::discord::render::Reply;
use crate::discord::{Data, Error, app_member, debate, error, live, practice, prompts, reply};
use crate::ids::{ChannelId, GuildId};

/// poise's event hook: buttons and modals come here; slash commands go to poise.
pub async fn on_event(framework: poise::FrameworkContext<'_, Data, Error>, event: &FullEvent) -> Result<(), Error> {
    let FullEvent::InteractionCreate { interaction } = event else { return Ok(()) };
    let http = &framework.serenity_context.http;
    let data = framework.user_data;
    let received = std::time::Instant::now();
    // Tracked until answered: a shutdown waits for it before it closes the store.
    data.tasks
        .track(async {
            match interaction {
                Interaction::Component(c) => handle(http, data, c.id, &c.token, &c.data.custom_id, "component", received, component(http, data, c)).await,
                Interaction::Modal(m) => handle(http, data, m.id, &m.token, &m.data.custom_id, "modal", received, modal(http, data, m)).await,
                _ => {}
            }
        })
        .await;
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
    // How long ago Discord created the click; when the clocks disagree, since it arrived.
    // Checked before the bound: no response can reach an expired click, room or not.
    let waited = age(id, SystemTime::now()).unwrap_or_else(|| received.elapsed());
    if waited >= EXPIRED {
        metrics::counter!(crate::metrics::ANSWERS_TURNED_AWAY).increment(1);
        tracing::warn!(custom_id, waited_ms = waited.as_millis() as u64, "dropped an answer that reached the bot after Discord's 3 s");
        return;
    }
    let Ok(_permit) = data.answers.clone().try_acquire_owned() else {
        metrics::counter!(crate::metrics::ANSWERS_TURNED_AWAY).increment(1);
        respond(http, id, token, Err(UserError::TooManyAnswers.into()), custom_id).await;
        measured(kind, received);
        return;
    };
    // A "Locked in" Discord took: its token is kept for the reveal.
    let locked_in = |outcome: &Result<Response, Error>| match outcome {
        Ok(Response::LockedIn(_, answered)) => Some(answered.clone()),
        _ => None,
    };
    let keep_token = |answered: Option<live::Answered>, told: bool| {
        if let Some(answered) = answered.filter(|_| told) {
            data.verdicts.keep(answered, token, crate::discord::created_ms(id));
        }
    };
    if waited >= DEFER_AFTER {
        if defer(http, id, token, custom_id).await {
            measured(kind, received);
            let outcome = work.await;
            let answered = locked_in(&outcome);
            keep_token(answered, fill_in(http, token, outcome, custom_id).await);
        }
        return;
    }
    let mut work = std::pin::pin!(work);
    tokio::select! {
        outcome = &mut work => {
            let answered = locked_in(&outcome);
            keep_token(answered, respond(http, id, token, outcome, custom_id).await);
            measured(kind, received);
        }
        () = tokio::time::sleep(DEFER_BY.saturating_sub(waited)) => {
            let deferred = defer(http, id, token, custom_id).await;
            measured(kind, received);
            // The work has begun and may have committed: it runs to its end either way.
            let outcome = work.await;
            if deferred {
                let answered = locked_in(&outcome);
                keep_token(answered, fill_in(http, token, outcome, custom_id).await);
            } else if matches!(outcome, Ok(Response::LockedIn(..))) {
                metrics::counter!(crate::metrics::ANSWERS_UNACKNOWLEDGED).increment(1);
                tracing::error!(custom_id, "an answer was stored but its student could not be told: Discord refused the deferral");
            }
        }
    }
}

/// Whether `custom_id` is a live answer: a choice button, a select, or the typed-answer modal.
fn is_live_answer(custom_id: &str) -> bool {
    matches!(Action::parse(custom_id), Some(Action::Live(a)) if a.is_answer())
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

/// How long before `now` Discord created the interaction `id` (a snowflake holds its time),
/// or `None` when this machine's clock disagrees with Discord's (an id from the future, or
/// one over a minute old): then nothing is deferred, as if the clocks agreed.
fn age(id: serenity::InteractionId, now: SystemTime) -> Option<Duration> {
    let created = u64::try_from(crate::discord::created_ms(id)).ok()?;
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

/// Replaces a deferred answer's "thinking…" with what the student would have been told;
/// whether Discord took it.
async fn fill_in(http: &Arc<Http>, token: &str, outcome: Result<Response, Error>, custom_id: &str) -> bool {
    count(&outcome, custom_id);
    let reply = match outcome {
        Ok(Response::Reply(r) | Response::LockedIn(r, _)) => r,
        Ok(_) => Reply::notice(error::APOLOGY),
        Err(Error::User(e)) => Reply::notice(e.to_string()),
        Err(Error::Internal(e)) => {
            tracing::error!(custom_id, "{e:?}");
            Reply::notice(error::APOLOGY)
        }
    };
    match http.edit_original_interaction_response(token, &reply::interaction_edit(reply), vec![]).await {
        Ok(_) => true,
        Err(e) => {
            tracing::error!(custom_id, "could not fill in a deferred answer: {e}");
            false
        }
    }
}

/// The time from an interaction received to its first response sent.
fn measured(kind: &'static str, received: std::time::Instant) {
    metrics::histogram!(crate::metrics::FIRST_RESPONSE, "kind" => kind).record(received.elapsed().as_secs_f64());
}

/// How to answer an interaction.
pub(crate) enum Response {
    /// A reply only the clicker sees (or everyone, for a non-ephemeral reply).
    Reply(Reply),
    /// A live answer's private "Locked in": once Discord has it, its token is kept for the
    /// reveal to turn it into the student's result (`live::Verdicts`).
    LockedIn(Reply, live::Answered),
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
    let kind = if Action::parse(custom_id).is_some_and(|a| a.is_form()) { "modal" } else { "component" };
    metrics::counter!(crate::metrics::INTERACTIONS, "kind" => kind, "outcome" => label).increment(1);
}

/// Gives an interaction its first response; whether Discord took it.
async fn respond(http: &Arc<Http>, id: serenity::InteractionId, token: &str, outcome: Result<Response, Error>, custom_id: &str) -> bool {
    count(&outcome, custom_id);
    let response = match outcome {
        Ok(Response::Reply(r) | Response::LockedIn(r, _)) => CreateInteractionResponse::Message(reply::interaction_message(r)),
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
    match http.create_interaction_response(id, token, &response, vec![]).await {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(custom_id, "could not answer an interaction: {e}");
            false
        }
    }
}

/// The refusal of an id this bot did not make, or of an action where it cannot come (a
/// modal's submit on a button).
pub(crate) fn unknown() -> Error {
    UserError::UnknownAction.into()
}

/// Where a click or a form came from and who is asking: what every feature's handler gets.
pub(crate) struct Asked<'a> {
    pub http: &'a Arc<Http>,
    pub data: &'a Data,
    pub guild: GuildId,
    /// The channel the component is in.
    pub channel: serenity::ChannelId,
    pub member: Member,
}

impl Asked<'_> {
    /// The channel as the classroom layer knows it.
    pub fn channel_id(&self) -> ChannelId {
        ChannelId::new(self.channel.to_string())
    }
}

/// A modal's submit: its inputs by their custom_id, and whether its modal was opened from a
/// button on a message (rather than a slash command).
pub(crate) struct Form {
    inputs: HashMap<String, String>,
    pub on_message: bool,
}

impl Form {
    /// What was typed in the input `id` (empty when there is none).
    pub fn get(&self, id: &str) -> String {
        self.inputs.get(id).cloned().unwrap_or_default()
    }
}

async fn component(http: &Arc<Http>, data: &Data, c: &ComponentInteraction) -> Result<Response, Error> {
    let action = Action::parse(&c.data.custom_id).ok_or_else(unknown)?;
    let guild = crate::discord::in_guild(c.guild_id)?;
    let at = Asked { http, data, guild, channel: c.channel_id, member: app_member(&c.user, c.member.as_ref()) };
    let chosen = match &c.data.kind {
        ComponentInteractionDataKind::StringSelect { values } => Some(values.join(" ")),
        _ => None,
    };
    match action {
        Action::Live(a) => live::click(&at, a, chosen).await,
        Action::Practice(a) => practice::click(&at, a, chosen).await,
        Action::Debate(a) => debate::click(&at, a, c.message.id).await,
        Action::Prompt(a) => prompts::click(&at, a).await,
        Action::Review(a) => prompts::review_click(&at, a).await,
    }
}

async fn modal(http: &Arc<Http>, data: &Data, m: &ModalInteraction) -> Result<Response, Error> {
    let action = Action::parse(&m.data.custom_id).ok_or_else(unknown)?;
    let guild = crate::discord::in_guild(m.guild_id)?;
    let at = Asked { http, data, guild, channel: m.channel_id, member: app_member(&m.user, m.member.as_ref()) };
    let inputs = m
        .data
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .filter_map(|c| match c {
            ActionRowComponent::InputText(t) => Some((t.custom_id.clone(), t.value.clone().unwrap_or_default())),
            _ => None,
        })
        .collect();
    let form = Form { inputs, on_message: m.message.is_some() };
    match action {
        Action::Live(a) => live::submit(&at, a, &form).await,
        Action::Practice(a) => practice::submit(&at, a, &form).await,
        Action::Debate(a) => debate::submit(&at, a, &form).await,
        Action::Prompt(a) => prompts::submit(&at, a, &form).await,
        Action::Review(a) => prompts::review_submit(&at, a, &form).await,
    }
}

#[cfg(test)]
mod tests {
    use super::age;
    use poise::serenity_prelude::InteractionId;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn an_interactions_age_comes_from_its_snowflake_unless_the_clocks_disagree() {
        /// Discord's epoch (2015-01-01) in Unix milliseconds: a snowflake's top 42 bits count from it.
        const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
        let created = 1_764_000_000_000u64;
        let id = InteractionId::new(((created - DISCORD_EPOCH_MS) << 22) | 5);
        let at = |ms: u64| UNIX_EPOCH + Duration::from_millis(ms);
        assert_eq!(age(id, at(created + 2_000)), Some(Duration::from_secs(2)));
        assert_eq!(age(id, at(created)), Some(Duration::ZERO));
        assert_eq!(age(id, at(created - 10)), None, "created in this machine's future");
        assert_eq!(age(id, at(created + 61_000)), None, "over a minute: a clock that disagrees");
    }
}
