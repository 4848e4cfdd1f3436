//! `/dashboard` and `/dashboard revoke`: an instructor's private link to the server's class
//! page, and invalidating every link issued so far. The layer signs, checks and refuses.

use super::views;
use crate::discord::reply::command_reply;
use crate::discord::{Context, Result, app_member, in_guild, member};

/// Instructors: a private link to this server's class page (heatmap, items, rounds, debates).
#[poise::command(slash_command, subcommands("open", "revoke"), subcommand_required, default_member_permissions = "MANAGE_GUILD")]
pub async fn dashboard(_ctx: Context<'_>) -> Result<()> {
    Ok(())
}

/// Instructors: a private link to this server's class page, good for a few hours.
#[poise::command(slash_command)]
pub async fn open(ctx: Context<'_>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let link = ctx.data().app.dashboard_link(&guild, &app_member(ctx.author(), member(ctx))).await?;
    ctx.send(command_reply(views::link(&link))).await?;
    Ok(())
}

/// Instructors: every link to this server's class page issued so far stops working.
#[poise::command(slash_command)]
pub async fn revoke(ctx: Context<'_>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    ctx.data().app.dashboard_revoke(&guild, &app_member(ctx.author(), member(ctx))).await?;
    ctx.send(command_reply(views::links_revoked())).await?;
    Ok(())
}
