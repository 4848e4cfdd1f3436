//! `/quiz start` and `/quiz stop`: an instructor's live round in a channel.

use poise::serenity_prelude as serenity;

use crate::app::LiveRequest;
use crate::bank::Kind;
use crate::discord::reply::command_reply;
use crate::discord::{Context, Result, app_member, in_guild, live, member, views};
use crate::ids::ChannelId;
use crate::quiz::Filter;

/// A kind of question, as an option: Discord lists every kind by its one title
/// (`Kind::title`), in the order of `Kind::ALL`.
#[derive(Debug, Clone, Copy)]
pub struct KindChoice(Kind);

impl poise::ChoiceParameter for KindChoice {
    fn list() -> std::borrow::Cow<'static, [poise::CommandParameterChoice]> {
        Kind::ALL
            .into_iter()
            .map(|k| poise::CommandParameterChoice { name: k.title().into(), localizations: std::borrow::Cow::Borrowed(&[]), __non_exhaustive: () })
            .collect()
    }

    fn from_index(index: usize) -> Option<KindChoice> {
        Kind::ALL.get(index).copied().map(KindChoice)
    }

    fn from_name(name: &str) -> Option<KindChoice> {
        Kind::ALL.into_iter().find(|k| k.title().eq_ignore_ascii_case(name)).map(KindChoice)
    }

    fn name(&self) -> &'static str {
        self.0.title()
    }

    fn localized_name(&self, _locale: &str) -> Option<&'static str> {
        None
    }
}

impl From<KindChoice> for Kind {
    fn from(k: KindChoice) -> Kind {
        k.0
    }
}

/// The filter a topic and a kind option make.
pub fn filter(topic: Option<String>, kind: Option<KindChoice>) -> Filter {
    Filter { topics: topic.into_iter().collect(), kinds: kind.map(Kind::from).into_iter().collect(), difficulties: Vec::new() }
}

/// Topics of the bank whose id or title contains what was typed (at most 25).
pub async fn autocomplete_topic(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    let bank = ctx.data().bank();
    let needle = partial.to_lowercase();
    let choices = bank
        .topics
        .iter()
        .filter(|t| t.id.contains(&needle) || t.title.to_lowercase().contains(&needle))
        .take(crate::discord::render::limits::AUTOCOMPLETE_CHOICES)
        .map(|t| serenity::AutocompleteChoice::new(crate::discord::render::truncate(&t.title, 100), t.id.clone()))
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// Live quiz rounds for the whole channel.
#[poise::command(slash_command, subcommands("start", "stop"), subcommand_required, default_member_permissions = "MANAGE_GUILD")]
pub async fn quiz(_ctx: Context<'_>) -> Result<()> {
    Ok(())
}

/// Instructors: start a live quiz in this channel; one question at a time, buttons to answer.
#[poise::command(slash_command)]
pub async fn start(
    ctx: Context<'_>,
    #[description = "Only questions on this topic"]
    #[autocomplete = "autocomplete_topic"]
    topic: Option<String>,
    #[description = "Only questions of this kind"] kind: Option<KindChoice>,
    #[description = "How many questions (default 5)"]
    #[min = 1]
    #[max = 50]
    questions: Option<u32>,
    #[description = "Seconds each question stays open (default: the server's setting)"]
    #[min = 5]
    #[max = 900]
    seconds: Option<u32>,
    #[description = "Faster right answers earn more (default: the server's setting)"] speed_bonus: Option<bool>,
) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let app = ctx.data().app.clone();
    let instructor = app_member(ctx.author(), member(ctx));
    let request = LiveRequest { filter: filter(topic, kind), count: questions.unwrap_or(5) as usize, seconds, speed_bonus, seed: None };
    let q = app.live_start(&guild, &ChannelId::new(ctx.channel_id().to_string()), &instructor, &request).await?;
    ctx.send(command_reply(views::round_started(&q))).await?;
    // The question was queued with the round; the poster delivers it (retrying if need be).
    live::opened(&ctx.serenity_context().http, &app, &ctx.data().poster, &ctx.data().tasks, &ctx.data().verdicts, &guild, &q);
    Ok(())
}

/// Instructors: end the live quiz in this channel now and show its leaderboard.
#[poise::command(slash_command)]
pub async fn stop(ctx: Context<'_>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let app = &ctx.data().app;
    let instructor = app_member(ctx.author(), member(ctx));
    let end = app.live_stop(&guild, &ChannelId::new(ctx.channel_id().to_string()), &instructor).await?;
    ctx.send(command_reply(views::round_end(&end))).await?;
    let http = &ctx.serenity_context().http;
    if let Some(reveal) = &end.reveal {
        ctx.data().verdicts.tell(http, &ctx.data().tasks, &guild, reveal);
    }
    live::show_end(http, ctx.channel_id(), &end).await;
    Ok(())
}
