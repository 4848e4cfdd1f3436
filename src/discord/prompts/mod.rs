//! Argument prompts and their review: `/prompt`, `/feedback` and the instructor's `/review`,
//! the Answer and Mark buttons and their forms, and the prompt views.
//!
//! Invariant: every click and form calls one operation of the classroom layer, which checks
//! who may do it (only an instructor marks).

pub mod command;
pub mod views;

use poise::serenity_prelude::InputTextStyle;

use crate::discord::Result;
use crate::discord::custom_id::{Action, Fields};
use crate::discord::forms::{self, input, modal};
use crate::discord::interactions::{Asked, Form, Response, unknown};
use crate::discord::render::truncate;
use crate::ids::SubmissionId;

/// A prompt's Answer button and the answer form, for a prompt of the bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptAction {
    /// Opens the answer modal.
    Answer { prompt: String },
    /// The answer modal's submit.
    Answered { prompt: String },
}

/// The review queue's Mark button and the marking form, for a queued answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewAction {
    /// Opens the marking modal.
    Mark { answer: SubmissionId },
    /// The marking modal's submit.
    Marked { answer: SubmissionId },
}

impl PromptAction {
    /// The id after the prefix.
    pub fn encode(&self) -> String {
        match self {
            PromptAction::Answer { prompt } => format!("qa:{prompt}"),
            PromptAction::Answered { prompt } => format!("qm:{prompt}"),
        }
    }

    /// The action of kind `kind`, from the fields after it; `None` for another kind.
    pub fn parse(kind: &str, f: &mut Fields<'_>) -> Option<PromptAction> {
        Some(match kind {
            "qa" => PromptAction::Answer { prompt: f.prompt()? },
            "qm" => PromptAction::Answered { prompt: f.prompt()? },
            _ => return None,
        })
    }

    pub fn is_form(&self) -> bool {
        matches!(self, PromptAction::Answered { .. })
    }
}

impl ReviewAction {
    /// The id after the prefix.
    pub fn encode(&self) -> String {
        match self {
            ReviewAction::Mark { answer } => format!("rv:{answer}"),
            ReviewAction::Marked { answer } => format!("rm:{answer}"),
        }
    }

    /// The action of kind `kind`, from the fields after it; `None` for another kind.
    pub fn parse(kind: &str, f: &mut Fields<'_>) -> Option<ReviewAction> {
        Some(match kind {
            "rv" => ReviewAction::Mark { answer: f.answer()? },
            "rm" => ReviewAction::Marked { answer: f.answer()? },
            _ => return None,
        })
    }

    pub fn is_form(&self) -> bool {
        matches!(self, ReviewAction::Marked { .. })
    }
}

/// A prompt's Answer button: the answer form.
pub(crate) async fn click(at: &Asked<'_>, action: PromptAction) -> Result<Response> {
    match action {
        PromptAction::Answer { prompt } => {
            let p = at.data.app.prompt_show(&prompt)?;
            let answer = input(InputTextStyle::Paragraph, "Your answer", "answer", p.max_chars, true);
            let ids = p.suggested.iter().map(|c| c.passage_id.as_str()).collect::<Vec<_>>().join(" ");
            let mut cited = input(InputTextStyle::Paragraph, "Passages you cite (ids)", "citations", 1000, false);
            if !ids.is_empty() {
                cited = cited.placeholder(truncate(&ids, 100));
            }
            Ok(Response::Modal(modal(Action::Prompt(PromptAction::Answered { prompt }), "Your answer", vec![answer, cited])))
        }
        PromptAction::Answered { .. } => Err(unknown()),
    }
}

/// The answer form.
pub(crate) async fn submit(at: &Asked<'_>, action: PromptAction, form: &Form) -> Result<Response> {
    match action {
        PromptAction::Answered { prompt } => {
            let submitted = at.data.app.prompt_submit(&at.guild, &at.member, &prompt, &form.get("answer"), &forms::citations(&form.get("citations"))).await?;
            Ok(Response::Reply(views::submitted(&submitted)))
        }
        PromptAction::Answer { .. } => Err(unknown()),
    }
}

/// The review queue's Mark button: the marking form.
pub(crate) async fn review_click(at: &Asked<'_>, action: ReviewAction) -> Result<Response> {
    match action {
        ReviewAction::Mark { answer } => {
            let top = at.data.app.prompt_mark_form(&at.guild, &at.member).await?;
            let marks = input(InputTextStyle::Short, &format!("Marks: one per rubric line, 0 to {top}"), "marks", 100, true)
                .placeholder(format!("e.g. {}", (0..3).map(|i| top.saturating_sub(i).to_string()).collect::<Vec<_>>().join(" ")));
            let feedback = input(InputTextStyle::Paragraph, "Feedback to the student", "feedback", crate::app::SUBMISSION_CHARS, true);
            Ok(Response::Modal(modal(Action::Review(ReviewAction::Marked { answer }), "Mark this answer", vec![marks, feedback])))
        }
        ReviewAction::Marked { .. } => Err(unknown()),
    }
}

/// The marking form.
pub(crate) async fn review_submit(at: &Asked<'_>, action: ReviewAction, form: &Form) -> Result<Response> {
    match action {
        ReviewAction::Marked { answer } => {
            let reviewed = at.data.app.prompt_review_typed(&at.guild, &at.member, &answer, &form.get("marks"), &form.get("feedback")).await?;
            Ok(Response::Reply(views::reviewed(&reviewed)))
        }
        ReviewAction::Mark { .. } => Err(unknown()),
    }
}
