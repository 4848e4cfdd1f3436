//! `/debate …`: an instructor's debate in a channel — start, advance, assign, balance,
//! release, cancel — and `/ballots`, everyone's command to read the ballots one may see.

use poise::serenity_prelude as serenity;

use crate::app::{AdvanceFrom, DebateRequest, MotionChoice, PhaseSeconds};
use crate::bank::Origin;
use crate::debate::{Format, Join, Side};
use crate::discord::debate::{board, views};
use crate::discord::reply::command_reply;
use crate::discord::{Context, Result, app_member, in_guild, member};
use crate::ids::ChannelId;

/// A debate format, as an option.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum FormatChoice {
    #[name = "quick (1 v 1 or 2 v 2)"]
    Quick,
    #[name = "Oxford (teams, audience vote)"]
    Oxford,
    #[name = "structured academic controversy"]
    Controversy,
}

/// Where an assigned student goes.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum PlaceChoice {
    #[name = "proposition"]
    Proposition,
    #[name = "opposition"]
    Opposition,
    #[name = "audience"]
    Audience,
}

/// The bank's motions whose id or text contains what was typed (at most 25).
async fn autocomplete_motion(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    let needle = partial.to_lowercase();
    let choices = ctx
        .data()
        .app
        .debate_motions()
        .into_iter()
        .filter(|(m, _)| m.id.as_deref().is_some_and(|id| id.contains(&needle)) || m.text.to_lowercase().contains(&needle))
        .take(crate::discord::render::limits::AUTOCOMPLETE_CHOICES)
        .filter_map(|(m, origin)| {
            let label = if origin == Origin::Generated { format!("(generated) {}", m.text) } else { m.text };
            Some(serenity::AutocompleteChoice::new(crate::discord::render::truncate(&label, 100), m.id?))
        })
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// Debates on the paper: instructors run them; students join with the buttons.
///
/// Registered for Manage Server by default (a server can grant it to its instructor role in
/// its Integrations settings); the layer checks every subcommand anyway.
#[poise::command(
    slash_command,
    subcommands("start", "advance", "assign", "balance", "release", "cancel"),
    subcommand_required,
    default_member_permissions = "MANAGE_GUILD"
)]
pub async fn debate(_ctx: Context<'_>) -> Result<()> {
    Ok(())
}

fn channel(ctx: Context<'_>) -> ChannelId {
    ChannelId::new(ctx.channel_id().to_string())
}

/// Instructors: start a debate in this channel, with Join buttons for the class.
#[poise::command(slash_command)]
#[allow(clippy::too_many_arguments)]
pub async fn start(
    ctx: Context<'_>,
    #[description = "A motion of the bank (pick one), or write your own"]
    #[autocomplete = "autocomplete_motion"]
    #[max_length = 300]
    motion: String,
    #[description = "How it runs"] format: FormatChoice,
    #[description = "Speakers a side (quick: 1 or 2, default 1; Oxford: 1 to 5, default 3)"]
    #[min = 1]
    #[max = 5]
    per_side: Option<u32>,
    #[description = "Seconds for sign-up (default: the server's setting)"]
    #[min = 30]
    #[max = 604800]
    signup_seconds: Option<u32>,
    #[description = "Seconds for each audience vote (Oxford)"]
    #[min = 30]
    #[max = 604800]
    vote_seconds: Option<u32>,
    #[description = "Seconds for each round of speeches"]
    #[min = 30]
    #[max = 604800]
    speech_seconds: Option<u32>,
) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let app = ctx.data().app.clone();
    let instructor = app_member(ctx.author(), member(ctx));
    let format = match format {
        FormatChoice::Quick => Format::Quick { per_side: per_side.unwrap_or(1) as usize },
        FormatChoice::Oxford => Format::Oxford { per_side: per_side.unwrap_or(3) as usize },
        FormatChoice::Controversy => Format::Controversy,
    };
    let times = PhaseSeconds { signup: signup_seconds, vote: vote_seconds, speech: speech_seconds }.times();
    let view = app.debate_start(&guild, &channel(ctx), &instructor, &DebateRequest { motion: MotionChoice::Typed(motion), format, times }).await?;
    ctx.send(command_reply(views::started(&view))).await?;
    board::post_board(&ctx.serenity_context().http, &app, &ctx.data().tasks, &ctx.data().boards, &guild, &view).await?;
    Ok(())
}

/// When the instructor pressed: when Discord made the slash command's interaction, in Unix
/// milliseconds (Discord's epoch for a prefix command: never registered, so never seen).
fn pressed_at(ctx: Context<'_>) -> crate::quiz::Millis {
    match ctx {
        poise::Context::Application(a) => crate::discord::created_ms(a.interaction.id),
        poise::Context::Prefix(_) => crate::discord::created_ms(serenity::InteractionId::new(1)),
    }
}

/// Instructors: close the current phase and open the next.
#[poise::command(slash_command)]
pub async fn advance(ctx: Context<'_>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let app = ctx.data().app.clone();
    let instructor = app_member(ctx.author(), member(ctx));
    let view = app.debate_advance(&guild, &channel(ctx), &instructor, AdvanceFrom::PressedAt(pressed_at(ctx))).await?;
    ctx.send(command_reply(views::advanced(&view))).await?;
    board::post_board(&ctx.serenity_context().http, &app, &ctx.data().tasks, &ctx.data().boards, &guild, &view).await?;
    Ok(())
}

/// Instructors: put a student on a side or in the audience.
#[poise::command(slash_command)]
pub async fn assign(
    ctx: Context<'_>,
    #[description = "The student"] student: serenity::User,
    #[description = "Where they go"] place: PlaceChoice,
) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let app = &ctx.data().app;
    let instructor = app_member(ctx.author(), member(ctx));
    let join = match place {
        PlaceChoice::Proposition => Join::Side(Side::Proposition),
        PlaceChoice::Opposition => Join::Side(Side::Opposition),
        PlaceChoice::Audience => Join::Audience,
    };
    let view = app.debate_assign(&guild, &channel(ctx), &instructor, &app_member(&student, None), join).await?;
    ctx.data().boards.touch(&ctx.serenity_context().http, app, &ctx.data().tasks, &guild, &view.debate_id);
    ctx.send(command_reply(views::teams(&view))).await?;
    Ok(())
}

/// Instructors: even out the sides (the last to join the larger side move).
#[poise::command(slash_command)]
pub async fn balance(ctx: Context<'_>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let app = &ctx.data().app;
    let instructor = app_member(ctx.author(), member(ctx));
    let view = app.debate_balance(&guild, &channel(ctx), &instructor).await?;
    ctx.data().boards.touch(&ctx.serenity_context().http, app, &ctx.data().tasks, &guild, &view.debate_id);
    ctx.send(command_reply(views::teams(&view))).await?;
    Ok(())
}

/// Instructors: release the result — winner, swing, speaker scores, evidence map, points.
#[poise::command(slash_command)]
pub async fn release(ctx: Context<'_>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let app = &ctx.data().app;
    let instructor = app_member(ctx.author(), member(ctx));
    let result = app.debate_release(&guild, &channel(ctx), &instructor).await?;
    // The judging board says the result is out, its Ballot button gone.
    ctx.data().boards.touch(&ctx.serenity_context().http, app, &ctx.data().tasks, &guild, &result.debate_id);
    ctx.send(command_reply(views::released())).await?;
    board::post_all(&ctx.serenity_context().http, ctx.channel_id(), views::release(&result)).await?;
    Ok(())
}

/// Instructors: call the debate off; nothing is awarded.
#[poise::command(slash_command)]
pub async fn cancel(ctx: Context<'_>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let app = ctx.data().app.clone();
    let instructor = app_member(ctx.author(), member(ctx));
    let view = app.debate_cancel(&guild, &channel(ctx), &instructor).await?;
    ctx.send(command_reply(views::cancelled())).await?;
    board::post_board(&ctx.serenity_context().http, &app, &ctx.data().tasks, &ctx.data().boards, &guild, &view).await?;
    Ok(())
}

/// The ballots you may see of this channel's debate, open or released last (students: once released).
///
/// A command of its own, not a `/debate` subcommand, so that students see it in their list.
#[poise::command(slash_command)]
pub async fn ballots(ctx: Context<'_>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let app = &ctx.data().app;
    let who = app_member(ctx.author(), member(ctx));
    let list = app.debate_ballots(&guild, &channel(ctx), &who).await?;
    ctx.send(command_reply(views::ballots(&list))).await?;
    Ok(())
}
