//! `agora serve`: the Discord bot (poise on serenity) over the bank and the store.
//!
//! Invariants: every error reaches one handler (`on_error`), which shows a user error to its
//! user and logs anything else with its whole chain behind a short apology; every message
//! mentions nobody (`reply`); start-up fails with a sentence an operator can act on (no
//! token, a token Discord rejects, a bank with problems, commands Discord refuses); the rate
//! limiter is off only when `DISCORD_API_BASE` points the client at a stand-in.

// By what users do: each folder holds its commands, buttons, forms, views and timers.
pub mod debate;
pub mod live;
pub mod practice;
pub mod prompts;
pub mod scores;
pub mod source;

// Shared and small: the custom-id codec, the router, replies, rendering, the outbox poster.
pub mod access;
mod commands;
pub mod custom_id;
pub mod error;
pub mod forms;
mod health;
mod interactions;
pub(crate) mod poster;
pub mod render;
pub mod reply;
pub mod spaced;
pub mod tasks;
pub mod views;

use std::future::Future;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context as _;
use poise::serenity_prelude as serenity;
use serenity::{GuildId, Member};

use crate::app::{App, SystemClock};
use crate::bank::{self, Bank, Problems, Source};
use crate::config::{Config, Secret};

pub use error::{Error, Result, UserError};

/// What every command and handler shares: the classroom layer, and what `/source` and
/// `/bank reload` need besides.
pub struct Data {
    /// The classroom layer: the bank, the store, the clock and the live rounds.
    pub app: Arc<App>,
    /// The paper's paragraphs, for `/source`.
    pub paper: Arc<Source>,
    /// The folder the bank is (re)loaded from.
    pub questions: PathBuf,
    /// Which servers' rounds this process runs (all, or those of its shards).
    pub shards: Shards,
    /// The timers, the poster's deliveries and the interactions in flight, stopped and waited
    /// for by a shutdown before the store closes (`tasks.rs`).
    pub tasks: tasks::Tasks,
    /// One permit per live answer being handled; none left turns a click away at once
    /// (`answers_in_flight` in the config; see `interactions::answer`).
    pub answers: Arc<tokio::sync::Semaphore>,
    /// Wakes the poster that delivers the outbox (`poster.rs`).
    pub poster: poster::Kick,
    /// The debates' boards: their edits in place, batched, and their postings (`debate/board.rs`).
    pub boards: debate::Boards,
    /// The "Locked in" messages each reveal turns into their student's result
    /// (`live/verdicts.rs`).
    pub verdicts: live::Verdicts,
}

/// How long a shutdown waits for the interactions in flight to be answered (and the timers
/// and deliveries under way to end).
const DRAIN: Duration = Duration::from_secs(5);

impl Data {
    /// The bank in use now.
    pub fn bank(&self) -> Arc<Bank> {
        self.app.bank()
    }

    /// Reads and checks the bank's files again (on a blocking thread: it reads every file).
    pub async fn load_bank(&self) -> anyhow::Result<std::result::Result<Bank, Problems>> {
        let dir = self.questions.clone();
        let paper = self.paper.clone();
        tokio::task::spawn_blocking(move || load_bank(&dir, &paper)).await.context("the bank loader stopped")
    }
}

/// A server id as the classroom layer knows it.
pub fn app_guild(g: GuildId) -> crate::ids::GuildId {
    crate::ids::GuildId::new(g.to_string())
}

/// Who is asking, as the classroom layer needs it: their id, the name to show, whether they
/// have Manage Server (or Administrator) here, and their roles.
pub fn app_member(user: &serenity::User, member: Option<&Member>) -> crate::app::Member {
    let name = member.and_then(|m| m.nick.clone()).or_else(|| user.global_name.clone()).unwrap_or_else(|| user.name.clone());
    crate::app::Member {
        id: crate::ids::UserId::new(user.id.to_string()),
        name,
        manage_guild: member.is_some_and(|m| access::manages_server(m.permissions)),
        roles: member.map(|m| m.roles.iter().map(|r| r.to_string()).collect()).unwrap_or_default(),
    }
}

/// The server an interaction came from; a user error in a direct message.
pub fn in_guild(guild: Option<GuildId>) -> Result<crate::ids::GuildId> {
    guild.map(app_guild).ok_or(Error::User(UserError::NotInServer))
}

pub type Context<'a> = poise::Context<'a, Data, Error>;

/// The member who invoked a slash command, as the interaction reports them (with their
/// permissions in the channel and their roles); `None` in a direct message.
pub fn member<'a>(ctx: Context<'a>) -> Option<&'a Member> {
    match ctx {
        poise::Context::Application(a) => a.interaction.member.as_deref(),
        poise::Context::Prefix(_) => None,
    }
}

/// Where the paper's text is read from, for `/source`'s whole paragraphs: `paper/paper.md`
/// inside the bank's folder (with `anchors.tsv` beside it), as the bank ships it.
pub fn paper_path(questions: &Path) -> PathBuf {
    questions.join("paper").join("paper.md")
}

/// The bank as the bot serves it: checked, every quote proved against the paper.
pub fn load_bank(dir: &Path, paper: &Source) -> std::result::Result<Bank, Problems> {
    bank::load(dir, Some(paper))
}

/// How the bot spreads over gateway shards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shards {
    /// As many as Discord recommends, all in this process.
    Auto,
    /// Only the shards `ids` of `total`; other processes run the rest (on one PostgreSQL).
    Range { ids: Range<u32>, total: u32 },
}

impl Shards {
    /// Whether this process runs `guild`'s rounds, debates and outbox: all of them, or those
    /// whose shard it runs (Discord's rule, `serenity::utils::shard_id`). The one place the
    /// rule is written.
    pub fn owns(&self, guild: &crate::ids::GuildId) -> bool {
        match self {
            Shards::Auto => true,
            Shards::Range { ids, total } => {
                guild.as_str().parse::<u64>().ok().filter(|&id| id != 0).is_some_and(|id| ids.contains(&serenity::utils::shard_id(GuildId::new(id), *total)))
            }
        }
    }
}

/// When Discord created the interaction `id` (its snowflake holds the time), in Unix
/// milliseconds.
pub fn created_ms(id: serenity::InteractionId) -> i64 {
    (id.created_at().unix_timestamp_nanos() / 1_000_000) as i64
}

/// What `agora serve` needs beyond the config, checked before anything connects.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub token: Secret,
    /// Register the commands in this one server at once, instead of globally.
    pub guild: Option<GuildId>,
    /// Another API base (a stand-in for tests); the rate limiter is off only then.
    pub api_base: Option<String>,
    pub shards: Shards,
    /// Where to answer `/healthz` and `/metrics`; off when `None`.
    pub metrics_addr: Option<String>,
    /// Where to serve the class page; off when `None`.
    pub web_addr: Option<String>,
}

impl ServeOptions {
    pub fn from_config(config: &Config, shards: Shards) -> anyhow::Result<ServeOptions> {
        let token = config.discord_token.clone();
        if token.is_empty() {
            anyhow::bail!(
                "DISCORD_TOKEN is not set. Create an application at https://discord.com/developers/applications, \
                 copy its bot token (Bot → Reset Token), and run `DISCORD_TOKEN=<token> agora serve` \
                 (or set discord_token in config/agora.yaml)."
            );
        }
        if serenity::utils::token::validate(token.expose().trim()).is_err() {
            anyhow::bail!(
                "DISCORD_TOKEN does not look like a bot token (three parts separated by dots). \
                 Copy it again from https://discord.com/developers/applications (your application → Bot → Reset Token)."
            );
        }
        let guild = match config.guild_id.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
            None => None,
            Some(g) => match g.parse::<u64>() {
                Ok(id) if id != 0 => Some(GuildId::new(id)),
                _ => anyhow::bail!(
                    "AGORA_GUILD_ID is `{g}`, which is not a server id. A server id is a number like 123456789012345678: \
                     in Discord, turn on Developer Mode (Settings → Advanced), then right-click the server → Copy Server ID."
                ),
            },
        };
        let api_base = config.discord_api_base.as_deref().map(|b| b.trim().trim_end_matches('/').to_string()).filter(|b| !b.is_empty());
        if let Shards::Range { ids, total } = &shards
            && (ids.is_empty() || ids.end > *total)
        {
            anyhow::bail!(
                "--shards {}-{} names shards beyond --shard-total {total}: shard ids run from 0 to {}",
                ids.start,
                ids.end.saturating_sub(1),
                total.saturating_sub(1)
            );
        }
        let metrics_addr = config.metrics_addr.as_deref().map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned);
        let web_addr = config.web_addr.as_deref().map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned);
        Ok(ServeOptions { token, guild, api_base, shards, metrics_addr, web_addr })
    }
}

/// Runs the bot until `shutdown` completes (Ctrl-C or SIGTERM in `main`; tests pass their
/// own), then leaves the gateway and closes the store. Fails with a sentence an operator can
/// act on when the token is missing or rejected, the bank has problems, or Discord refuses
/// the commands.
pub async fn serve(config: &Config, opts: ServeOptions, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
    let paper_file = paper_path(&config.questions);
    let paper = Arc::new(Source::read(&paper_file).context("`/source` shows whole paragraphs of the paper, and cannot read it")?);
    let bank = load_bank(&config.questions, &paper)
        .map_err(|problems| anyhow::anyhow!("the question bank in {} has problems:\n{problems}", config.questions.display()))?;
    tracing::info!(items = bank.questions.len(), passages = bank.passages.len(), paper = %paper_file.display(), "bank loaded");
    let app = Arc::new(App::open(bank, &config.database_url, SystemClock).await.map_err(anyhow::Error::new).context("cannot open the score store")?);
    // Handed down to every timer and the poster: cancelled when the gateway has closed.
    let tasks = tasks::Tasks::new(tokio_util::sync::CancellationToken::new());
    app.set_link_settings(crate::app::LinkSettings {
        base_url: config.page_base_url(),
        key: Some(config.web_key.clone()).filter(|k| !k.is_empty()),
        lifetime_ms: i64::try_from(config.link_hours.saturating_mul(3_600_000)).unwrap_or(i64::MAX),
    });
    let data = Data {
        app: app.clone(),
        paper,
        questions: config.questions.clone(),
        shards: opts.shards.clone(),
        tasks: tasks.clone(),
        answers: Arc::new(tokio::sync::Semaphore::new(config.answers_in_flight)),
        poster: poster::Kick::default(),
        boards: debate::Boards::default(),
        verdicts: live::Verdicts::default(),
    };

    // A failure in setup (registering the commands) ends `serve` with that error.
    let fatal: Arc<Mutex<Option<anyhow::Error>>> = Arc::default();
    let fatal_in_setup = fatal.clone();
    let guild = opts.guild;
    let framework = poise::Framework::builder()
        .options(framework_options())
        // The bot has no owner-only commands; this saves a request at start-up.
        .initialize_owners(false)
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                tracing::info!(user = %ready.user.name, guilds = ready.guilds.len(), "connected to Discord");
                if let Err(e) = register(ctx, &framework.options().commands, guild).await {
                    *fatal_in_setup.lock().unwrap_or_else(PoisonError::into_inner) = Some(e);
                    let manager = framework.shard_manager().clone();
                    tokio::spawn(async move { manager.shutdown_all().await });
                    return Err(Error::Internal(anyhow::anyhow!("the commands were not registered")));
                }
                // Live rounds left open by an earlier run: their timers fire again, their
                // buttons keep working (or the round is closed with a notice).
                live::resume(ctx.http.clone(), data.app.clone(), data.poster.clone(), &data.tasks, &data.verdicts, &data.shards).await;
                // What must reach a channel and has not yet (this run's, and an earlier one's).
                tokio::spawn(poster::run(ctx.http.clone(), data.app.clone(), data.shards.clone(), data.poster.clone(), data.tasks.clone()));
                // Debates left open: their phase timers fire again (at once if overdue).
                debate::resume(ctx.http.clone(), data.app.clone(), &data.tasks, &data.boards, &data.shards).await;

                // The daily reminders of spaced practice, until the shutdown.
                data.tasks.spawn(spaced::run_reminders(ctx.http.clone(), data.app.clone(), data.shards.clone(), spaced::CHECK_EVERY, data.tasks.clone()));
                Ok(data)
            })
        })
        .build();

    let mut http = serenity::HttpBuilder::new(opts.token.expose().trim()).default_allowed_mentions(reply::no_pings());
    if let Some(base) = &opts.api_base {
        // `proxy` replaces https://discord.com in every route; the rate limiter builds its own
        // requests without it, so it must be off, or they would leave for discord.com.
        tracing::warn!(base = %base, "DISCORD_API_BASE is set: talking to {base}, not Discord, with the rate limiter off");
        http = http.proxy(base.clone()).ratelimiter_disabled(true);
    }
    let mut client = serenity::ClientBuilder::new_with_http(http.build(), serenity::GatewayIntents::GUILDS).framework(framework).await.map_err(explain)?;

    // The operator's /healthz and /metrics, when asked for; it stops with the bot.
    let listener_stop = Arc::new(tokio::sync::Notify::new());
    if let Some(addr) = &opts.metrics_addr {
        let handle = crate::metrics::install()?;
        let stop = listener_stop.clone();
        health::listen(addr, app.clone(), client.shard_manager.clone(), handle, async move { stop.notified().await }).await?;
    }
    // The instructors' class page, when asked for; it stops with the bot too.
    if let Some(addr) = &opts.web_addr {
        let stop = listener_stop.clone();
        crate::web::listen(addr, app.clone(), config.web_trusted_proxy, async move { stop.notified().await }).await?;
    }

    let manager = client.shard_manager.clone();
    let (stopped_tx, stopped_rx) = tokio::sync::oneshot::channel::<()>();
    let stopper = tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down: leaving the gateway");
        manager.shutdown_all().await;
        let _ = stopped_tx.send(());
    });
    let run = async {
        match &opts.shards {
            Shards::Auto => client.start_autosharded().await,
            Shards::Range { ids, total } => client.start_shard_range(ids.clone(), *total).await,
        }
    };
    let result = tokio::select! {
        r = run => r,
        // A shutdown before any shard started leaves `start` waiting; give it a moment, then go.
        _ = async { if stopped_rx.await.is_ok() { tokio::time::sleep(Duration::from_secs(5)).await } else { std::future::pending().await } } => Ok(()),
    };
    stopper.abort();
    // The gateway is closed, so nothing new arrives; stop the timers that have not fired and
    // the poster, answer what is in flight (each answer is committed before its
    // acknowledgement), then close the store.
    let left = tasks.drain(DRAIN).await;
    if left > 0 {
        tracing::warn!(left, "interactions still in flight after {DRAIN:?}; stopping anyway");
    }
    listener_stop.notify_waiters();
    app.close().await;
    if let Some(e) = fatal.lock().unwrap_or_else(PoisonError::into_inner).take() {
        return Err(e);
    }
    result.map_err(explain)?;
    tracing::info!("stopped");
    Ok(())
}

/// Registers the commands in one server (at once) or globally (Discord may take a while to
/// show them everywhere).
async fn register(ctx: &serenity::Context, commands: &[poise::Command<Data, Error>], guild: Option<GuildId>) -> anyhow::Result<()> {
    match guild {
        Some(g) => poise::builtins::register_in_guild(ctx, commands, g).await.map_err(|e| {
            anyhow::Error::new(e).context(format!(
                "Discord refused the slash commands for server {g} (AGORA_GUILD_ID): is the bot in that server, invited with the applications.commands scope?"
            ))
        })?,
        None => poise::builtins::register_globally(ctx, commands).await.map_err(|e| anyhow::Error::new(e).context("Discord refused the slash commands"))?,
    }
    tracing::info!(commands = commands.len(), guild = ?guild, "slash commands registered");
    Ok(())
}

/// A rejected token, `why` in Discord's terms, and what to do.
fn rejected(why: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "Discord rejected the bot token in DISCORD_TOKEN ({why}). Copy it again from https://discord.com/developers/applications \
         (your application → Bot → Reset Token) and start again."
    )
}

/// Start-up errors in words an operator can act on.
fn explain(e: serenity::Error) -> anyhow::Error {
    use serenity::{Error as E, GatewayError as G};
    match &e {
        E::Gateway(G::InvalidAuthentication) => rejected("the gateway closed the connection with 4004, authentication failed"),
        E::Http(h) if h.status_code().map(|s| s.as_u16()) == Some(401) => rejected("401 Unauthorized"),
        E::Gateway(G::DisallowedGatewayIntents | G::InvalidGatewayIntents) => {
            anyhow::Error::new(e).context("Discord refused the gateway intents the bot asks for (only GUILDS)")
        }
        _ => anyhow::Error::new(e).context("the connection to Discord failed"),
    }
}

fn framework_options() -> poise::FrameworkOptions<Data, Error> {
    poise::FrameworkOptions {
        commands: commands::all(),
        on_error: |e| Box::pin(on_error(e)),
        // Replies poise builds itself (its own error messages) mention nobody either.
        allowed_mentions: Some(reply::no_pings()),
        event_handler: |framework, event| Box::pin(interactions::on_event(framework, event)),
        post_command: |_| Box::pin(async { metrics::counter!(crate::metrics::INTERACTIONS, "kind" => "command", "outcome" => "ok").increment(1) }),
        pre_command: |ctx| {
            Box::pin(async move {
                tracing::debug!(command = %ctx.command().qualified_name, user = %ctx.author().id, guild = ?ctx.guild_id(), "command");
            })
        },
        ..Default::default()
    }
}

impl From<Error> for Box<dyn std::error::Error + Send + Sync> {
    fn from(e: Error) -> Self {
        match e {
            Error::User(u) => Box::new(u),
            Error::Internal(e) => e.into(),
        }
    }
}

/// The one error handler: user errors to their user, internal errors to the log.
async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    use poise::FrameworkError as F;
    match error {
        F::Command { error, ctx, .. } => report(ctx, error).await,
        F::ArgumentParse { error, input, ctx, .. } => {
            let what = input.map(|i| format!("“{}”", render::escape(&render::truncate(&i, 80)))).unwrap_or_else(|| "an option".into());
            report(ctx, Error::User(UserError::Unreadable { what, why: error.to_string() })).await
        }
        F::CommandPanic { payload, ctx, .. } => report(ctx, Error::Internal(anyhow::anyhow!("the command panicked: {}", payload.unwrap_or_default()))).await,
        F::Setup { error, .. } => tracing::error!("setup failed: {error}"),
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::error!("could not report an error to Discord: {e}");
            }
        }
    }
}

async fn report(ctx: Context<'_>, error: Error) {
    let outcome = if matches!(error, Error::User(_)) { "user_error" } else { "internal_error" };
    metrics::counter!(crate::metrics::INTERACTIONS, "kind" => "command", "outcome" => outcome).increment(1);
    let text = match error {
        Error::User(e) => e.to_string(),
        Error::Internal(e) => {
            tracing::error!(command = %ctx.command().qualified_name, user = %ctx.author().id, guild = ?ctx.guild_id(), "{e:?}");
            error::APOLOGY.to_owned()
        }
    };
    if let Err(e) = ctx.send(reply::command_reply(render::Reply::notice(text))).await {
        tracing::error!("could not tell the user about an error: {e}");
    }
}

/// The commands as Discord receives them at registration, for checking without a network.
pub fn command_definitions() -> Vec<serde_json::Value> {
    let commands = commands::all();
    let created = poise::builtins::create_application_commands(&commands);
    created.iter().map(|c| serde_json::to_value(c).unwrap_or_default()).collect()
}
