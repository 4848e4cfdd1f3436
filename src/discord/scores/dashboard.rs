//! `/dashboard` and `/dashboard revoke`: an instructor's private link to the server's class
//! page, and invalidating every link issued so far. The layer signs, checks and refuses.

use crate::app::DashboardLink;
use crate::discord::render::Reply;
use crate::discord::reply::command_reply;
use crate::discord::{Context, Result, app_member, in_guild, member};

/// Instructors: a private link to this server's class page (heatmap, items, rounds, debates).
#[poise::command(slash_command, subcommands("open", "revoke"), subcommand_required)]
pub async fn dashboard(_ctx: Context<'_>) -> Result<()> {
    Ok(())
}

/// Instructors: a private link to this server's class page, good for a few hours.
#[poise::command(slash_command)]
pub async fn open(ctx: Context<'_>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let link = ctx.data().app.dashboard_link(&guild, &app_member(ctx.author(), member(ctx))).await?;
    ctx.send(command_reply(link_reply(&link))).await?;
    Ok(())
}

/// Instructors: every link to this server's class page issued so far stops working.
#[poise::command(slash_command)]
pub async fn revoke(ctx: Context<'_>) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    ctx.data().app.dashboard_revoke(&guild, &app_member(ctx.author(), member(ctx))).await?;
    ctx.send(command_reply(Reply::notice("Every link to this server's class page issued so far no longer works. Run `/dashboard open` for a new one.")))
        .await?;
    Ok(())
}

/// The link, for the instructor alone.
fn link_reply(link: &DashboardLink) -> Reply {
    Reply::notice(format!(
        "Your link to this server's class page, until <t:{}:f> (anyone who has it can read the page; `/dashboard revoke` ends every link):\n{}",
        link.expires_at.div_euclid(1000),
        link.url
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_is_private_and_fits_a_message() {
        let url = format!("https://agora.example.edu/dashboard/v1.123456789012345678.1800000000000.0.{}", "ab".repeat(32));
        let reply = link_reply(&DashboardLink { url: url.clone(), expires_at: 1_800_000_000_000 });
        assert!(reply.ephemeral && reply.problems().is_empty());
        assert!(reply.content.as_deref().unwrap().ends_with(&url) && reply.content.as_deref().unwrap().contains("<t:1800000000:f>"));
    }
}
