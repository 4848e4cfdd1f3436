//! `/score`, `/leaderboard`, `/mydata`, and the instructor's `/scores export`, `/scores items`
//! and `/scores forget`.

use poise::serenity_prelude as serenity;

use crate::discord::reply::command_reply;
use crate::discord::{Context, Result, in_guild, render::Reply, views};
use crate::ids::UserId;
use crate::store::RankBy;

/// Your points, accuracy, streak and mastery per topic (or another student's).
#[poise::command(slash_command)]
pub async fn score(ctx: Context<'_>, #[description = "Whose score (default: yours)"] user: Option<serenity::User>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let user = user.as_ref().unwrap_or(ctx.author());
    let name = user.global_name.clone().unwrap_or_else(|| user.name.clone());
    let view = ctx.data().app.score(&guild, &UserId::new(user.id.to_string()), &name).await?;
    ctx.send(command_reply(views::score(&view))).await?;
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

/// The server's leaderboard.
#[poise::command(slash_command)]
pub async fn leaderboard(
    ctx: Context<'_>,
    #[description = "Rank by points (default) or accuracy"] by: Option<By>,
    #[description = "How many students (default 10)"]
    #[min = 1]
    #[max = 25]
    top: Option<u32>,
) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let by_accuracy = matches!(by, Some(By::Accuracy));
    let rows = ctx.data().app.leaderboard(&guild, if by_accuracy { RankBy::Accuracy } else { RankBy::Points }, top.unwrap_or(10) as usize, false).await?;
    if rows.is_empty() {
        ctx.send(command_reply(Reply::notice(
            "Nobody has answered here yet, so there is no leaderboard: practise with `/practice`, or ask your instructor for a round (`/quiz start`).",
        )))
        .await?;
        return Ok(());
    }
    ctx.send(command_reply(views::leaderboard(&rows, by_accuracy))).await?;
    Ok(())
}

/// Instructors: the gradebook, the item report, and deleting a student's records.
#[poise::command(slash_command, subcommands("export", "items", "forget"), subcommand_required)]
pub async fn scores(_ctx: Context<'_>) -> Result<()> {
    Ok(())
}

/// Instructors: the gradebook as a CSV file, one row per student, accuracy per topic.
#[poise::command(slash_command)]
pub async fn export(ctx: Context<'_>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let data = ctx.data();
    data.require_instructor(ctx.guild_id(), crate::discord::member(ctx), "export the gradebook").await?;
    ctx.defer_ephemeral().await?;
    let csv = data.app.gradebook(&guild).await?;
    if csv.lines().nth(1).is_none() {
        ctx.send(command_reply(Reply::notice(
            "The gradebook is empty: nobody has answered here yet. Run a round with `/quiz start` (or let students `/practice`), then export again.",
        )))
        .await?;
        return Ok(());
    }
    let file = serenity::CreateAttachment::bytes(csv.into_bytes(), format!("gradebook-{guild}.csv"));
    let reply = command_reply(Reply::notice("The gradebook: one row per student, accuracy per topic.")).attachment(file);
    ctx.send(reply).await?;
    Ok(())
}

/// Instructors: each question's figures so far; flags too easy, too hard, or a choice nobody picks.
#[poise::command(slash_command)]
pub async fn items(ctx: Context<'_>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let data = ctx.data();
    data.require_instructor(ctx.guild_id(), crate::discord::member(ctx), "see the item report").await?;
    let reports = data.app.item_reports(&guild).await?;
    ctx.send(command_reply(views::item_report(&reports))).await?;
    Ok(())
}

/// Everything Agora stores about you in this server, as a JSON file only you see.
#[poise::command(slash_command)]
pub async fn mydata(ctx: Context<'_>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let user = UserId::new(ctx.author().id.to_string());
    ctx.defer_ephemeral().await?;
    let json = ctx.data().app.student_records(&guild, &user).await?;
    let file = serenity::CreateAttachment::bytes(json.into_bytes(), format!("agora-mydata-{guild}-{user}.json"));
    let reply = command_reply(Reply::notice(
        "Everything Agora stores about you in this server: your answers, practice sessions, debate seats, speeches, ballots, votes, prompt answers and awards. \
         An instructor can delete it all with `/scores forget`.",
    ))
    .attachment(file);
    ctx.send(reply).await?;
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
    let data = ctx.data();
    data.require_instructor(ctx.guild_id(), crate::discord::member(ctx), "delete a student's records").await?;
    let name = user.global_name.clone().unwrap_or_else(|| user.name.clone());
    if confirm != Some(true) {
        ctx.send(command_reply(views::forget_preview(&name, &user.id.to_string()))).await?;
        return Ok(());
    }
    ctx.defer_ephemeral().await?;
    let gone = data.app.forget_student(&guild, &UserId::new(user.id.to_string())).await?;
    ctx.send(command_reply(views::forgotten(&name, &gone))).await?;
    Ok(())
}
