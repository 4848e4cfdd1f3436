//! `/bank info` and `/bank reload`: what the question bank holds, and reloading it after an
//! edit without restarting the bot.

use poise::serenity_prelude as serenity;

use crate::app::Reloaded;
use crate::discord::reply::command_reply;
use crate::discord::{Context, Result, app_member, in_guild, member, render};

/// The question bank: what it holds, and reloading it after an edit.
#[poise::command(slash_command, subcommands("info", "reload"), subcommand_required, default_member_permissions = "MANAGE_GUILD")]
pub async fn bank(_ctx: Context<'_>) -> Result<()> {
    Ok(())
}

/// What the question bank holds: quiz items by kind and topic, motions, prompts, passages.
#[poise::command(slash_command)]
pub async fn info(ctx: Context<'_>) -> Result<()> {
    let mut reply = render::bank_info(&ctx.data().bank());
    reply.ephemeral = true;
    ctx.send(command_reply(reply)).await?;
    Ok(())
}

/// Instructors: reload the bank from its files; if the checker finds problems, nothing changes.
#[poise::command(slash_command)]
pub async fn reload(ctx: Context<'_>) -> Result<()> {
    let data = ctx.data();
    let guild = in_guild(ctx.guild_id())?;
    let instructor = app_member(ctx.author(), member(ctx));
    // Reading and checking every file can take longer than Discord's 3 s for a first answer:
    // once the layer has let the instructor in, the reply is deferred, then the files read.
    let load = async {
        ctx.defer_ephemeral().await?;
        data.load_bank().await
    };
    let dir = data.questions.display().to_string();
    let reply = match data.app.reload_bank(&guild, &instructor, load).await? {
        Reloaded::Done { before, after } => {
            tracing::info!(guild = ?ctx.guild_id(), user = %ctx.author().id, items = after.questions.len(), "bank reloaded");
            command_reply(render::bank_reloaded(&dir, &before, &after))
        }
        Reloaded::Refused(problems) => {
            tracing::warn!(guild = ?ctx.guild_id(), user = %ctx.author().id, problems = problems.0.len(), "bank reload refused by the checker; the old bank stays");
            let reply = command_reply(render::bank_reload_failed(&dir, &problems));
            match render::bank_problems_file(&problems) {
                Some(file) => reply.attachment(serenity::CreateAttachment::bytes(file, render::PROBLEMS_FILE)),
                None => reply,
            }
        }
    };
    ctx.send(reply).await?;
    Ok(())
}
