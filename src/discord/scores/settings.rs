//! `/settings`: the server's instructor role, seconds per question, speed bonus, anonymous
//! leaderboards and spaced practice (desired retention, the daily reminder), shown back after
//! each change; the layer checks every value.

use poise::serenity_prelude as serenity;

use crate::app::SettingsChange;
use crate::discord::reply::command_reply;
use crate::discord::{Context, Result, app_member, in_guild, member, views};

/// Manage Server: this server's quiz settings; with no option, shows them.
// A slash command's options are its parameters: one per setting.
#[allow(clippy::too_many_arguments)]
#[poise::command(slash_command, default_member_permissions = "MANAGE_GUILD")]
pub async fn settings(
    ctx: Context<'_>,
    #[description = "Members with this role may run rounds and see grades"] instructor_role: Option<serenity::Role>,
    #[description = "Remove the instructor role (only Manage Server then)"] clear_instructor_role: Option<bool>,
    #[description = "Seconds each live question stays open by default"]
    #[min = 5]
    #[max = 900]
    seconds: Option<u32>,
    #[description = "Faster right answers earn more in live rounds"] speed_bonus: Option<bool>,
    #[description = "Leaderboards show Student 1, Student 2… instead of names"] anonymous_leaderboard: Option<bool>,
    #[description = "Spaced practice: percent of items students should still recall when due (default 90)"] retention: Option<u32>,
    #[description = "A daily message saying how many students have reviews due (no pings)"] reminder: Option<bool>,
    #[description = "True: the daily reminder goes to this channel"] reminder_here: Option<bool>,
    #[description = "The hour (UTC, 0 to 23) from which the daily reminder goes out"] reminder_hour: Option<u32>,
) -> Result<()> {
    let guild = in_guild(ctx.guild_id())?;
    let who = app_member(ctx.author(), member(ctx));
    let app = &ctx.data().app;
    let role = match (instructor_role, clear_instructor_role) {
        (Some(r), _) => Some(Some(r.id.to_string())),
        (None, Some(true)) => Some(None),
        _ => None,
    };
    let change = SettingsChange {
        default_seconds: seconds,
        speed_bonus,
        instructor_role: role,
        anonymous_leaderboard,
        retention_percent: retention,
        reminder,
        reminder_channel: (reminder_here == Some(true)).then(|| ctx.channel_id().to_string()),
        reminder_hour,
        ..Default::default()
    };
    let settings = app.update_settings(&guild, &who, &change).await?;
    ctx.send(command_reply(views::settings(&settings))).await?;
    Ok(())
}
