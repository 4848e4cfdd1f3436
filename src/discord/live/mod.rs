//! The live quiz: `/quiz start|stop`, the answer buttons, menus and typed-answer modal, the
//! instructor's Reveal, Next and End, and each question's timer.
//!
//! Invariant: every click calls one operation of the classroom layer, which checks who may
//! do it; the questions and the reveals reach the channel through the outbox (`poster.rs`).
//! The round's messages are built in `views` (shared with practice and scores).

pub mod command;
pub mod timer;
pub mod verdicts;

pub use timer::{opened, resume, show_end};
pub use verdicts::{Answered, Verdicts};

use crate::app::LockedIn;
use crate::discord::custom_id::{Action, Fields};
use crate::discord::interactions::{Asked, Form, Response, unknown};
use crate::discord::{Result, forms, reply, views};
use crate::ids::RoundId;

/// A live round's buttons and modal, each for the round and the 1-based question number it
/// was made for (so a click on an old question's button is recognised as such).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveAction {
    /// An answer: choice buttons carry the shown letter, true/false `true`/`false`.
    Answer {
        round: RoundId,
        number: usize,
        value: String,
    },
    /// Opens the modal for a typed answer (numbers, short answers, orderings).
    Type {
        round: RoundId,
        number: usize,
    },
    /// The modal's submit, with the text in its one input.
    Typed {
        round: RoundId,
        number: usize,
    },
    /// A multi-select menu's choice (values are the shown letters).
    Select {
        round: RoundId,
        number: usize,
    },
    Reveal {
        round: RoundId,
        number: usize,
    },
    Next {
        round: RoundId,
        number: usize,
    },
    End {
        round: RoundId,
    },
}

impl LiveAction {
    /// The id after the prefix.
    pub fn encode(&self) -> String {
        match self {
            LiveAction::Answer { round, number, value } => format!("a:{round}:{number}:{value}"),
            LiveAction::Type { round, number } => format!("t:{round}:{number}"),
            LiveAction::Typed { round, number } => format!("m:{round}:{number}"),
            LiveAction::Select { round, number } => format!("s:{round}:{number}"),
            LiveAction::Reveal { round, number } => format!("r:{round}:{number}"),
            LiveAction::Next { round, number } => format!("n:{round}:{number}"),
            LiveAction::End { round } => format!("e:{round}"),
        }
    }

    /// The action of kind `kind`, from the fields after it; `None` for another kind.
    pub fn parse(kind: &str, f: &mut Fields<'_>) -> Option<LiveAction> {
        let round = f.round()?;
        Some(match kind {
            "a" => LiveAction::Answer { round, number: f.number()?, value: f.value()? },
            "t" => LiveAction::Type { round, number: f.number()? },
            "m" => LiveAction::Typed { round, number: f.number()? },
            "s" => LiveAction::Select { round, number: f.number()? },
            "r" => LiveAction::Reveal { round, number: f.number()? },
            "n" => LiveAction::Next { round, number: f.number()? },
            "e" => LiveAction::End { round },
            _ => return None,
        })
    }

    pub fn is_form(&self) -> bool {
        matches!(self, LiveAction::Typed { .. })
    }

    /// Whether this is a student's answer (a button, the menu, or the typed answer's modal).
    pub fn is_answer(&self) -> bool {
        match self {
            LiveAction::Answer { .. } | LiveAction::Select { .. } | LiveAction::Typed { .. } => true,
            LiveAction::Type { .. } | LiveAction::Reveal { .. } | LiveAction::Next { .. } | LiveAction::End { .. } => false,
        }
    }
}

/// A live round's buttons and menu; `chosen` is the menu's choice.
pub(crate) async fn click(at: &Asked<'_>, action: LiveAction, chosen: Option<String>) -> Result<Response> {
    let (app, guild, member) = (&at.data.app, &at.guild, &at.member);
    Ok(match action {
        LiveAction::Answer { round, number, value } => locked_in(at, app.live_answer(guild, &at.channel_id(), member, &round, number, &value).await?),
        LiveAction::Select { round, number } => {
            locked_in(at, app.live_answer(guild, &at.channel_id(), member, &round, number, &chosen.unwrap_or_default()).await?)
        }
        LiveAction::Type { round, number } => {
            let q = app.live_question(guild, &round, number).await?;
            Response::Modal(forms::typed_answer(Action::Live(LiveAction::Typed { round, number }), &q))
        }
        LiveAction::Reveal { round, number } => {
            let reveal = app.live_reveal(guild, &round, number, Some(member)).await?;
            // The last reveal queued the round's leaderboard.
            at.data.poster.now();
            at.data.verdicts.tell(at.http, &at.data.tasks, guild, &reveal);
            Response::Update(views::reveal(&reveal))
        }
        LiveAction::Next { round, number } => {
            let q = app.live_next(guild, &round, number, member).await?;
            opened(at.http, app, &at.data.poster, &at.data.tasks, &at.data.verdicts, guild, &q);
            Response::DropButtons
        }
        LiveAction::End { round } => {
            let end = app.live_end(guild, &round, member).await?;
            at.channel.send_message(at.http, reply::channel_message(views::round_end(&end))).await?;
            match &end.reveal {
                Some(reveal) => {
                    at.data.verdicts.tell(at.http, &at.data.tasks, guild, reveal);
                    Response::Update(views::reveal(reveal))
                }
                None => Response::DropButtons,
            }
        }
        LiveAction::Typed { .. } => return Err(unknown()),
    })
}

/// The typed answer's modal.
pub(crate) async fn submit(at: &Asked<'_>, action: LiveAction, form: &Form) -> Result<Response> {
    match action {
        LiveAction::Typed { round, number } => {
            Ok(locked_in(at, at.data.app.live_answer(&at.guild, &at.channel_id(), &at.member, &round, number, &form.get("answer")).await?))
        }
        LiveAction::Answer { .. }
        | LiveAction::Type { .. }
        | LiveAction::Select { .. }
        | LiveAction::Reveal { .. }
        | LiveAction::Next { .. }
        | LiveAction::End { .. } => Err(unknown()),
    }
}

/// An answer the store counted: its "Locked in", whose message the reveal turns into the
/// student's result.
fn locked_in(at: &Asked<'_>, l: LockedIn) -> Response {
    let answered = Answered { guild: at.guild.clone(), round: l.question.round_id.clone(), number: l.question.number, user: at.member.id.clone() };
    Response::LockedIn(views::locked_in(&l), answered)
}
