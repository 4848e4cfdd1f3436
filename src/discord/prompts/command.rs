//! `/prompt`, `/feedback` and the instructor's `/review`: argument prompts answered in
//! writing, reviewed on their rubric, and the feedback fetched privately.
//!
//! Feedback reaches a student through `/feedback` (ephemeral) rather than a direct message:
//! an interaction's token lasts 15 minutes, so no ephemeral follow-up can reach them when
//! the review comes later, and a direct message fails for everyone who closed theirs to
//! server members; `/feedback` works every time and marks the feedback delivered.

use crate::app::PromptRequest;
use crate::bank::PromptKind;
use crate::discord::live::command::autocomplete_topic;
use crate::discord::prompts::views;
use crate::discord::reply::command_reply;
use crate::discord::{Context, Result, app_member, in_guild, member};

/// A kind of prompt, as an option.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum PromptKindChoice {
    #[name = "explain"]
    Explain,
    #[name = "compare"]
    Compare,
    #[name = "evaluate"]
    Evaluate,
    #[name = "apply"]
    Apply,
}

impl From<PromptKindChoice> for PromptKind {
    fn from(k: PromptKindChoice) -> PromptKind {
        match k {
            PromptKindChoice::Explain => PromptKind::Explain,
            PromptKindChoice::Compare => PromptKind::Compare,
            PromptKindChoice::Evaluate => PromptKind::Evaluate,
            PromptKindChoice::Apply => PromptKind::Apply,
        }
    }
}

/// An argument prompt on the paper to answer in writing, with passages to use.
#[poise::command(slash_command)]
pub async fn prompt(
    ctx: Context<'_>,
    #[description = "Only prompts on this topic"]
    #[autocomplete = "autocomplete_topic"]
    topic: Option<String>,
    #[description = "Only prompts of this kind"] kind: Option<PromptKindChoice>,
) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let student = app_member(ctx.author(), member(ctx));
    let channel = Some(crate::ids::ChannelId::new(ctx.channel_id().to_string()));
    let view = ctx.data().app.prompt_draw(&guild, &student, &PromptRequest { topic, kind: kind.map(PromptKind::from), seed: None, channel }).await?;
    ctx.send(command_reply(views::prompt(&view))).await?;
    Ok(())
}

/// Your reviewed answers: marks and the instructor's feedback, privately.
#[poise::command(slash_command)]
pub async fn feedback(ctx: Context<'_>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let app = &ctx.data().app;
    let student = app_member(ctx.author(), member(ctx));
    let shown = app.prompt_feedback_due(&guild, &student.id).await?;
    if shown.is_empty() {
        ctx.send(command_reply(views::no_feedback())).await?;
        return Ok(());
    }
    for f in &shown {
        for r in views::feedback(f) {
            ctx.send(command_reply(r)).await?;
        }
        if !f.delivered {
            app.prompt_delivered(&guild, &f.answer_id).await?;
        }
    }
    Ok(())
}

/// Instructors: the answers waiting for review, oldest first, with a button to mark one.
#[poise::command(slash_command, default_member_permissions = "MANAGE_GUILD")]
pub async fn review(ctx: Context<'_>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let instructor = app_member(ctx.author(), member(ctx));
    let queue = ctx.data().app.prompt_queue(&guild, &instructor, 5).await?;
    for r in views::queue(&queue) {
        ctx.send(command_reply(r)).await?;
    }
    Ok(())
}
