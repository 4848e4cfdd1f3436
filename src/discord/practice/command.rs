//! `/practice`: self-paced questions for one student, privately: reviews due first (spaced
//! practice), new questions, or weak topics first.

use crate::app::PracticeRequest;
use crate::discord::live::command::{KindChoice, autocomplete_topic, filter};
use crate::discord::reply::command_reply;
use crate::discord::spaced::{self, Mode};
use crate::discord::{Context, Result, app_member, in_guild, member, render::Reply, views};

/// Practise at your own pace: questions only you see, your weak topics first.
#[poise::command(slash_command)]
pub async fn practice(
    ctx: Context<'_>,
    #[description = "Only questions on this topic"]
    #[autocomplete = "autocomplete_topic"]
    topic: Option<String>,
    #[description = "Only questions of this kind"] kind: Option<KindChoice>,
    #[description = "due: reviews due first, then new (default) · new: unseen only · weak: weak topics first"] mode: Option<Mode>,
    #[description = "How many questions (default 5)"]
    #[min = 1]
    #[max = 25]
    questions: Option<u32>,
) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let student = app_member(ctx.author(), member(ctx));
    let request = PracticeRequest { filter: filter(topic, kind), count: questions.unwrap_or(5) as usize, lean: spaced::lean(mode), seed: None };
    let started = ctx.data().app.practice_start(&guild, &student, &request).await?;
    let mut reply = views::question(&started.question, true);
    let closed = started.closed_other.then_some("Your earlier practice was closed; its answers count.");
    let said: Vec<&str> = started.note.as_deref().into_iter().chain(closed).collect();
    if !said.is_empty() {
        reply.content = Some(said.join("\n"));
    }
    ctx.send(command_reply(Reply { ephemeral: true, ..reply })).await?;
    Ok(())
}
