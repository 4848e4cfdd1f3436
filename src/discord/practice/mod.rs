//! Practice: `/practice` and its private buttons, menu and typed-answer modal — an answer,
//! the passages behind it, the next question, the end.
//!
//! Invariant: every click calls one operation of the classroom layer, which refuses a click
//! on someone else's practice; the practice message is updated in place.

pub mod command;

use crate::app::PracticeStep;
use crate::discord::custom_id::{Action, Fields};
use crate::discord::interactions::{Asked, Form, Response, unknown};
use crate::discord::{Result, forms, views};
use crate::ids::RoundId;

/// A practice's buttons and modal, for its round and the 1-based question number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PracticeAction {
    /// An answer, as on a live button.
    Answer {
        round: RoundId,
        number: usize,
        value: String,
    },
    /// Opens the modal for a typed answer.
    Type {
        round: RoundId,
        number: usize,
    },
    /// The modal's submit.
    Typed {
        round: RoundId,
        number: usize,
    },
    /// A multi-select menu's choice.
    Select {
        round: RoundId,
        number: usize,
    },
    /// The passages behind the answer just given.
    Source {
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

impl PracticeAction {
    /// The id after the prefix.
    pub fn encode(&self) -> String {
        match self {
            PracticeAction::Answer { round, number, value } => format!("pa:{round}:{number}:{value}"),
            PracticeAction::Type { round, number } => format!("pt:{round}:{number}"),
            PracticeAction::Typed { round, number } => format!("pm:{round}:{number}"),
            PracticeAction::Select { round, number } => format!("ps:{round}:{number}"),
            PracticeAction::Source { round, number } => format!("src:{round}:{number}"),
            PracticeAction::Next { round, number } => format!("pn:{round}:{number}"),
            PracticeAction::End { round } => format!("pe:{round}"),
        }
    }

    /// The action of kind `kind`, from the fields after it; `None` for another kind.
    pub fn parse(kind: &str, f: &mut Fields<'_>) -> Option<PracticeAction> {
        let round = f.round()?;
        Some(match kind {
            "pa" => PracticeAction::Answer { round, number: f.number()?, value: f.value()? },
            "pt" => PracticeAction::Type { round, number: f.number()? },
            "pm" => PracticeAction::Typed { round, number: f.number()? },
            "ps" => PracticeAction::Select { round, number: f.number()? },
            "src" => PracticeAction::Source { round, number: f.number()? },
            "pn" => PracticeAction::Next { round, number: f.number()? },
            "pe" => PracticeAction::End { round },
            _ => return None,
        })
    }

    pub fn is_form(&self) -> bool {
        matches!(self, PracticeAction::Typed { .. })
    }
}

/// A practice's buttons and menu; `chosen` is the menu's choice.
pub(crate) async fn click(at: &Asked<'_>, action: PracticeAction, chosen: Option<String>) -> Result<Response> {
    let (app, guild, user) = (&at.data.app, &at.guild, &at.member.id);
    Ok(match action {
        PracticeAction::Answer { round, number, value } => Response::Update(views::verdict(&app.practice_answer(guild, user, &round, number, &value).await?)),
        PracticeAction::Select { round, number } => {
            Response::Update(views::verdict(&app.practice_answer(guild, user, &round, number, &chosen.unwrap_or_default()).await?))
        }
        PracticeAction::Type { round, number } => {
            let q = app.practice_question(guild, user, &round, number).await?;
            Response::Modal(forms::typed_answer(Action::Practice(PracticeAction::Typed { round, number }), &q))
        }
        PracticeAction::Source { round, number } => Response::Reply(views::sources(&app.practice_sources(guild, user, &round, number).await?)),
        PracticeAction::Next { round, number } => Response::Update(match app.practice_next(guild, user, &round, number).await? {
            PracticeStep::Question(q) => views::question(&q, true),
            PracticeStep::Finished(summary) => views::practice_done(&summary),
        }),
        PracticeAction::End { round } => Response::Update(views::practice_done(&app.practice_end(guild, user, &round).await?)),
        PracticeAction::Typed { .. } => return Err(unknown()),
    })
}

/// The typed answer's modal: from a button on the practice message it updates that message
/// in place; otherwise it replies.
pub(crate) async fn submit(at: &Asked<'_>, action: PracticeAction, form: &Form) -> Result<Response> {
    match action {
        PracticeAction::Typed { round, number } => {
            let verdict = at.data.app.practice_answer(&at.guild, &at.member.id, &round, number, &form.get("answer")).await?;
            Ok(if form.on_message { Response::Update(views::verdict(&verdict)) } else { Response::Reply(views::verdict(&verdict)) })
        }
        PracticeAction::Answer { .. }
        | PracticeAction::Type { .. }
        | PracticeAction::Select { .. }
        | PracticeAction::Source { .. }
        | PracticeAction::Next { .. }
        | PracticeAction::End { .. } => Err(unknown()),
    }
}
