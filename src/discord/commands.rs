//! The slash commands: each parses its options, calls one operation of the classroom layer
//! (or reads the bank), and sends what `views` or `render` builds.
//!
//! Invariant: a command leaves who may run it to the classroom layer (every privileged
//! operation checks the member the command hands it), and answers within Discord's 3 s:
//! whatever may take longer runs through [`in_time`], which defers the reply if need be.

use std::future::Future;
use std::time::Duration;

use super::{Context, Data, Error, Result, debate, live, practice, prompts, scores, source};

/// How long a command's work may run before its reply is deferred ("thinking…").
const DEFER_AFTER: Duration = Duration::from_millis(1_500);

/// Runs `work`, deferring the reply (privately) if it has not finished within
/// [`DEFER_AFTER`], so Discord's 3 s for a first answer hold whatever the work costs; a quick
/// outcome (a refusal, say) is sent directly, not deferred.
pub(crate) async fn in_time<T>(ctx: Context<'_>, work: impl Future<Output = Result<T>>) -> Result<T> {
    let mut work = std::pin::pin!(work);
    tokio::select! {
        done = &mut work => done,
        () = tokio::time::sleep(DEFER_AFTER) => {
            ctx.defer_ephemeral().await?;
            work.await
        }
    }
}

/// Every command the bot registers, in the order Discord lists them.
///
/// Instructors' commands (`/quiz`, `/scores`, `/bank`, `/settings`, `/debate`, `/review`,
/// `/dashboard`) are registered for Manage Server by default, so they stay out of students'
/// command lists; a server grants them to its instructor role in Discord's own settings
/// (Server Settings → Integrations). What students use is in commands of their own. Who may
/// act is still the layer's check, on every interaction.
pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        live::command::quiz(),
        practice::command::practice(),
        scores::command::score(),
        scores::command::leaderboard(),
        scores::command::mydata(),
        source::command::source(),
        scores::command::scores(),
        source::bank::bank(),
        scores::settings::settings(),
        debate::command::debate(),
        debate::command::ballots(),
        prompts::command::prompt(),
        prompts::command::feedback(),
        prompts::command::review(),
        scores::dashboard::dashboard(),
    ]
}
