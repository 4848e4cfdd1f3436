//! `/practice`: self-paced questions for one student, privately, weak topics first.

use crate::app::PracticeRequest;
use crate::discord::live::command::{KindChoice, autocomplete_topic, filter};
use crate::discord::reply::command_reply;
use crate::discord::{Context, Result, app_member, in_guild, member, render::Reply, views};
use crate::quiz::Lean;

/// Practise at your own pace: questions only you see, your weak topics first.
#[poise::command(slash_command)]
pub async fn practice(
    ctx: Context<'_>,
    #[description = "Only questions on this topic"]
    #[autocomplete = "autocomplete_topic"]
    topic: Option<String>,
    #[description = "Only questions of this kind"] kind: Option<KindChoice>,
    #[description = "How many questions (default 5)"]
    #[min = 1]
    #[max = 25]
    questions: Option<u32>,
) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let student = app_member(ctx.author(), member(ctx));
    let request = PracticeRequest { filter: filter(topic, kind), count: questions.unwrap_or(5) as usize, lean: Lean::WeakTopics, seed: None };
    let started = ctx.data().app.practice_start(&guild, &student, &request).await?;
    let mut reply = views::question(&started.question, true);
    if started.closed_other {
        reply.content = Some("Your earlier practice was closed; its answers count.".into());
    }
    ctx.send(command_reply(Reply { ephemeral: true, ..reply })).await?;
    Ok(())
}
