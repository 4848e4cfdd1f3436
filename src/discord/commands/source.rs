//! `/source`: a passage of the paper with its section, anchor, quote and whole paragraph, or
//! the passages a question cites.

use poise::serenity_prelude as serenity;

use crate::discord::lookup::{self, Target};
use crate::discord::reply::command_reply;
use crate::discord::{Context, Result, app_member, in_guild, member, render};

/// Read a passage of the paper: its section, the quote and the whole paragraph around it.
#[poise::command(slash_command)]
pub async fn source(
    ctx: Context<'_>,
    #[description = "A passage or question id, or words from the paper: pick one from the list"]
    #[autocomplete = "autocomplete_passage"]
    passage: String,
    #[description = "Instructors: post it for the whole channel instead of only you"] share: Option<bool>,
) -> Result<()> {
    let data = ctx.data();
    let share = share.unwrap_or(false);
    if share {
        data.app.share_passage(&in_guild(ctx.guild_id())?, &app_member(ctx.author(), member(ctx))).await?;
    }
    let bank = data.bank();
    let mut reply = match lookup::resolve(&bank, &passage)? {
        Target::Passage(p) => render::source_passage(&bank, &data.paper, p),
        Target::Question(q) => render::source_question(&bank, &data.paper, q),
        Target::Paragraph(anchor) => render::source_paragraph(&bank, &data.paper, anchor),
    };
    reply.ephemeral = !share;
    ctx.send(command_reply(reply)).await?;
    Ok(())
}

async fn autocomplete_passage(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    let bank = ctx.data().bank();
    let choices = lookup::suggest(&bank, partial).into_iter().map(|s| serenity::AutocompleteChoice::new(s.name, s.value)).collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}
