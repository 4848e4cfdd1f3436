//! `/score`, `/leaderboard`, `/mydata`, and the instructor's `/scores export`, `/scores items`
//! and `/scores forget`.

use poise::serenity_prelude as serenity;

use crate::app::RankBy;
use crate::discord::commands::in_time;
use crate::discord::render::Reply;
use crate::discord::reply::command_reply;
use crate::discord::{Context, Result, app_member, in_guild, member, spaced, views};
use crate::ids::UserId;

/// Your points, accuracy, streak, mastery and recall per topic (or another student's).
#[poise::command(slash_command)]
pub async fn score(ctx: Context<'_>, #[description = "Whose score (default: yours)"] user: Option<serenity::User>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let user = user.as_ref().unwrap_or(ctx.author());
    let name = user.global_name.clone().unwrap_or_else(|| user.name.clone());
    let user_id = UserId::new(user.id.to_string());
    let view = ctx.data().app.score(&guild, &user_id, &name).await?;
    let recall = ctx.data().app.recall(&guild, &user_id).await?;
    ctx.send(command_reply(spaced::with_recall(views::score(&view), &recall))).await?;
    Ok(())
}

/// What the leaderboard ranks by.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum By {
    #[name = "points"]
    Points,
    #[name = "accuracy"]
    Accuracy,
}

/// The server's leaderboard, only for you unless you share it.
#[poise::command(slash_command)]
pub async fn leaderboard(
    ctx: Context<'_>,
    #[description = "Rank by points (default) or accuracy"] by: Option<By>,
    #[description = "How many students (default 10)"]
    #[min = 1]
    #[max = 25]
    top: Option<u32>,
    #[description = "True to post it to the channel (default: only you see it)"] share: Option<bool>,
) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let by_accuracy = matches!(by, Some(By::Accuracy));
    let rows = ctx.data().app.leaderboard(&guild, if by_accuracy { RankBy::Accuracy } else { RankBy::Points }, top.unwrap_or(10) as usize, false).await?;
    let board = views::leaderboard(&rows, by_accuracy);
    let shared = share == Some(true) && !rows.is_empty();
    ctx.send(command_reply(Reply { ephemeral: !shared, ..board })).await?;
    Ok(())
}

/// Instructors: the gradebook, the item report, and deleting a student's records.
#[poise::command(slash_command, subcommands("export", "items", "forget"), subcommand_required, default_member_permissions = "MANAGE_GUILD")]
pub async fn scores(_ctx: Context<'_>) -> Result<()> {
    Ok(())
}

/// Instructors: the gradebook as a CSV file, one row per student, accuracy per topic.
#[poise::command(slash_command)]
pub async fn export(ctx: Context<'_>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let instructor = app_member(ctx.author(), member(ctx));
    let csv = in_time(ctx, async { Ok(ctx.data().app.gradebook(&guild, &instructor).await?) }).await?;
    if csv.lines().nth(1).is_none() {
        ctx.send(command_reply(views::gradebook_empty())).await?;
        return Ok(());
    }
    let file = serenity::CreateAttachment::bytes(csv.into_bytes(), format!("gradebook-{guild}.csv"));
    ctx.send(command_reply(views::gradebook()).attachment(file)).await?;
    Ok(())
}

/// Instructors: each question's figures so far; flags too easy, too hard, or a choice nobody picks.
#[poise::command(slash_command)]
pub async fn items(ctx: Context<'_>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let instructor = app_member(ctx.author(), member(ctx));
    let reports = ctx.data().app.item_reports(&guild, &instructor).await?;
    ctx.send(command_reply(views::item_report(&reports))).await?;
    Ok(())
}

/// Everything Agora stores about you in this server, as a JSON file only you see.
#[poise::command(slash_command)]
pub async fn mydata(ctx: Context<'_>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let user = UserId::new(ctx.author().id.to_string());
    ctx.defer_ephemeral().await?;
    let records = ctx.data().app.student_records(&guild, &user).await?;
    let file = serenity::CreateAttachment::bytes(records.to_json().into_bytes(), format!("agora-mydata-{guild}-{user}.json"));
    ctx.send(command_reply(views::mydata()).attachment(file)).await?;
    Ok(())
}

/// Instructors: delete everything stored about a student here (asks for `confirm: True`).
#[poise::command(slash_command)]
pub async fn forget(
    ctx: Context<'_>,
    #[description = "The student whose records to delete"] user: serenity::User,
    #[description = "True to delete; without it, only says what would go"] confirm: Option<bool>,
) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let instructor = app_member(ctx.author(), member(ctx));
    let name = user.global_name.clone().unwrap_or_else(|| user.name.clone());
    let confirmed = confirm == Some(true);
    let user_id = UserId::new(user.id.to_string());
    let reply = match in_time(ctx, async { Ok(ctx.data().app.forget_student(&guild, &instructor, &user_id, confirmed).await?) }).await? {
        Some(gone) => views::forgotten(&name, &gone),
        None => views::forget_preview(&name, &user.id.to_string()),
    };
    ctx.send(command_reply(reply)).await?;
    Ok(())
}
