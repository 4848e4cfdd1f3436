//! The `agora` command line: parse, call the library, print.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

use agora::app::{App, AppError, Member, RankBy, SystemClock};
use agora::bank::{self, Source};
use agora::config::{Config, LogFormat};
use agora::discord::{self, ServeOptions, Shards};
use agora::ids::{GuildId, UserId};
use agora::quiz::{Filter, Lean};
use agora::store::Store;
use agora::terminal::{self, PlayOptions};
use agora::text::{NAME_WIDTH, display_name};

/// jemalloc rather than glibc's malloc, for the whole process (SQLite's C code too): the bot
/// spends 10-20% less CPU per answer (BENCHMARKS.md); its settings are in .cargo/config.toml.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Agora teaches one paper — Samoudi (2025), "Relations between China and Russia Following the
/// Outbreak of the Ukraine War in 2022": practice quizzes in the terminal, scores per student,
/// and a question bank whose every answer cites the paper.
#[derive(Parser)]
#[command(name = "agora", version)]
struct Cli {
    /// The config file (default: $AGORA_CONFIG, or config/agora.yaml when it exists).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the Discord bot: slash commands in every server it is invited to. Needs DISCORD_TOKEN;
    /// AGORA_GUILD_ID registers the commands in one server at once. Stops cleanly on Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// Practise in the terminal: questions from the bank, verdicts with the cited passage, scores kept.
    Play(PlayArgs),
    /// Read the scores: a student's totals, the leaderboard, the gradebook.
    #[command(subcommand)]
    Scores(ScoresCommand),
    /// Check, count and export the question bank.
    #[command(subcommand)]
    Bank(BankCommand),
    /// Back the score store up, or restore it from a backup.
    #[command(subcommand)]
    Db(DbCommand),
}

#[derive(Subcommand)]
enum DbCommand {
    /// SQLite: write a consistent copy of the database to FILE, even while the bot runs
    /// (never over an existing file). PostgreSQL: says how to use pg_dump.
    Backup {
        /// The new file to write the backup to.
        file: PathBuf,
    },
    /// SQLite: replace the database with the backup FILE, once it is checked to be Agora's;
    /// refused while the bot has the database open. The replaced database is kept beside it
    /// as NAME.bak-MILLIS. PostgreSQL: says how to use pg_restore or psql.
    Restore {
        /// The backup to restore (made by `agora db backup`).
        file: PathBuf,
    },
}

#[derive(clap::Args)]
struct PlayArgs {
    /// Only questions on this topic (repeat for several); `agora bank stats` lists them.
    #[arg(long = "topic", value_name = "TOPIC")]
    topics: Vec<String>,
    /// Only questions of this kind (repeat for several): single, true-false, multi, numeric, ordering, short.
    #[arg(long = "kind", value_parser = parse_kind)]
    kinds: Vec<bank::Kind>,
    /// Only questions of this difficulty, 1 to 3 (repeat for several).
    #[arg(long = "difficulty", value_parser = clap::value_parser!(u8).range(1..=3))]
    difficulties: Vec<u8>,
    /// How many questions.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=100))]
    count: u16,
    /// Your name; your scores are kept under it.
    #[arg(long, env = "USER", default_value = "student")]
    name: String,
    /// Seed for choosing and shuffling questions (printed when the session starts); with the
    /// same seed and the same past answers, the same session.
    #[arg(long)]
    seed: Option<u64>,
    /// Spaced practice: the reviews due now, most overdue first, then questions you have
    /// never answered; never a question early.
    #[arg(long, conflicts_with = "new")]
    due: bool,
    /// Only questions you have never answered.
    #[arg(long)]
    new: bool,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Run only these gateway shards, FIRST-LAST (inclusive), of --shard-total; other processes
    /// run the others on the same PostgreSQL. Without it, Discord's recommended number, all here.
    #[arg(long, value_name = "FIRST-LAST", value_parser = parse_shard_range, requires = "shard_total")]
    shards: Option<std::ops::Range<u32>>,
    /// How many shards all processes run together (with --shards).
    #[arg(long, value_name = "N", requires = "shards", value_parser = clap::value_parser!(u32).range(1..))]
    shard_total: Option<u32>,
    /// Answer /healthz and /metrics (Prometheus) on this address, e.g. 127.0.0.1:9100
    /// (default: metrics_addr in the config, or $AGORA_METRICS_ADDR; off when none).
    #[arg(long, value_name = "ADDR")]
    metrics_addr: Option<String>,
}

/// `--shards`: `FIRST-LAST` or one shard `N`, as a half-open range.
fn parse_shard_range(s: &str) -> Result<std::ops::Range<u32>, String> {
    let bad = || format!("`{s}` is not a shard range: write FIRST-LAST, e.g. 0-3, or one shard id");
    let (first, last) = s.split_once('-').unwrap_or((s, s));
    let first: u32 = first.trim().parse().map_err(|_| bad())?;
    let last: u32 = last.trim().parse().map_err(|_| bad())?;
    if last < first {
        return Err(bad());
    }
    Ok(first..last + 1)
}

/// `--top`: at least one student (0 used to print "No scores yet" beside a full board).
fn parse_top(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("a leaderboard shows at least one student: give 1 or more".into()),
        Ok(n) => Ok(n),
        Err(_) => Err("give a whole number of students, 1 or more".into()),
    }
}

/// `--kind`: the bank's kind names in any spelling (`true-false`, `True_False`, `num`).
fn parse_kind(s: &str) -> Result<bank::Kind, String> {
    bank::Kind::find(s).map_err(|e| e.to_string())
}

#[derive(Subcommand)]
enum ScoresCommand {
    /// A student's points, accuracy, streak and mastery per topic.
    Show {
        /// The student's name (terminal students) or display name (Discord).
        #[arg(long, env = "USER", default_value = "student")]
        name: String,
        /// The student's user id (a Discord user id), when display names are ambiguous.
        #[arg(long, value_name = "ID")]
        user: Option<String>,
        /// The server whose scores to read; `local` is the terminal's.
        #[arg(long, default_value = terminal::LOCAL_GUILD)]
        guild: String,
    },
    /// The leaderboard.
    Leaderboard {
        #[arg(long, value_enum, default_value = "points")]
        by: RankArg,
        /// How many students to show (1 or more).
        #[arg(long, default_value_t = 10, value_parser = parse_top, value_name = "N")]
        top: usize,
        /// Show "Student 1", "Student 2"… instead of names.
        #[arg(long)]
        anonymous: bool,
        #[arg(long, default_value = terminal::LOCAL_GUILD)]
        guild: String,
    },
    /// Item statistics: times asked, share correct, pick rate of each choice, and the items
    /// that look too easy, too hard, or carry a distractor nobody picks.
    Items {
        #[arg(long, default_value = terminal::LOCAL_GUILD)]
        guild: String,
        /// Only the flagged items.
        #[arg(long)]
        flagged: bool,
    },
    /// The gradebook: one row per student, accuracy per topic.
    Export {
        #[arg(long, value_enum, default_value = "csv")]
        format: GradebookFormat,
        #[arg(long, default_value = terminal::LOCAL_GUILD)]
        guild: String,
        /// Write here instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Delete everything stored about one student in one server (a data request): answers,
    /// practice sessions, debate speeches, ballots, votes and seats, prompt answers, awards and
    /// the student's name. Without --yes, only says what would go.
    Forget {
        /// The server (a Discord server id, or `local` for the terminal's students).
        #[arg(long)]
        guild: String,
        /// The student's user id (a Discord user id; `agora scores show --name` finds it).
        #[arg(long, value_name = "ID")]
        user: String,
        /// Delete, rather than only count what would be deleted.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RankArg {
    Points,
    Accuracy,
}

#[derive(Clone, Copy, ValueEnum)]
enum GradebookFormat {
    Csv,
}

#[derive(Subcommand)]
enum BankCommand {
    /// Report every problem in the bank with file:line:column; exit 1 if there is any.
    Check {
        /// The folder that holds the bank's .yaml files.
        #[arg(default_value = "questions")]
        dir: PathBuf,
        /// Another copy of the paper (paper.md, with anchors.tsv beside it) to prove every quote
        /// against; by default the copy the bank ships, DIR/paper/paper.md.
        #[arg(long, value_name = "FILE")]
        source: Option<PathBuf>,
    },
    /// Items per kind, topic, difficulty and section; passages never cited; gaps.
    Stats {
        #[arg(default_value = "questions")]
        dir: PathBuf,
    },
    /// The whole bank as JSON, or its quiz items as Moodle GIFT.
    Export {
        #[arg(default_value = "questions")]
        dir: PathBuf,
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        /// Write here instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Json,
    Gift,
}

/// Set once logs go out as JSON lines: the final error then goes out as one too.
static JSON_LOGS: std::sync::OnceLock<()> = std::sync::OnceLock::new();

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            if JSON_LOGS.get().is_some() {
                tracing::error!("{e:#}");
            } else {
                eprintln!("error: {e:#}");
            }
            ExitCode::from(2)
        }
    }
}

/// Logs to standard error: lines for a person by default, JSON lines with `log_format: json`.
/// What is logged never holds the token (a `Secret`) nor what a student typed.
/// The terminal's commands (`play`, `scores`, `bank`, `db`) keep their standard error for
/// warnings unless a log filter is given (`RUST_LOG` or `log`); the bot logs at `info`.
fn init_logs(config: &Config, serving: bool) {
    let chosen = if serving || config.log != Config::default().log { config.log.as_str() } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_new(chosen).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Text => {
            // Colours only on a terminal: logs piped to a file or a container runtime stay plain text.
            let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
            let _ = logs.with_ansi(ansi).try_init();
        }
        LogFormat::Json => {
            if logs.json().flatten_event(true).with_current_span(false).with_span_list(false).try_init().is_ok() {
                let _ = JSON_LOGS.set(());
            }
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::load(cli.config.as_deref())?;
    init_logs(&config, matches!(cli.command, Command::Serve(_)));
    match cli.command {
        Command::Bank(cmd) => bank_command(cmd),
        Command::Serve(args) => serve(&config, args),
        Command::Play(args) => runtime()?.block_on(play(&config, args)),
        Command::Scores(cmd) => runtime()?.block_on(scores(&config, cmd)),
        Command::Db(cmd) => runtime()?.block_on(db(&config, cmd)),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

fn serve(config: &Config, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut config = config.clone();
    if let Some(addr) = args.metrics_addr {
        config.metrics_addr = Some(addr);
    }
    let config = &config;
    let shards = match (args.shards, args.shard_total) {
        (Some(ids), Some(total)) => Shards::Range { ids, total },
        _ => Shards::Auto,
    };
    // Checked before anything loads or connects: a missing token is the commonest mistake.
    let opts = ServeOptions::from_config(config, shards)?;
    let rt = runtime()?;
    rt.block_on(async {
        let shutdown = shutdown_signal()?;
        discord::serve(config, opts, shutdown).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Completes on Ctrl-C or SIGTERM. The handlers are installed now, before the bot starts, so
/// an early signal is not lost.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// The bank the bot serves; its problems, if any, are printed and end the command.
fn served_bank(config: &Config) -> anyhow::Result<bank::Bank> {
    bank::load(&config.questions, None).map_err(|problems| anyhow::anyhow!("the question bank in {} has problems:\n{problems}", config.questions.display()))
}

async fn connect(config: &Config) -> anyhow::Result<Store> {
    // The store's errors name the database with its password hidden.
    Store::connect(&config.database_url).await.context("cannot open the score store")
}

/// The classroom layer on the served bank and the configured store.
async fn classroom(config: &Config) -> anyhow::Result<App> {
    let bank = served_bank(config)?;
    let store = connect(config).await?;
    Ok(App::new(bank, store, SystemClock))
}

/// A user error as its message; an internal one with its whole chain.
fn fail(e: AppError) -> anyhow::Error {
    match e {
        AppError::User(u) => anyhow::anyhow!("{u}"),
        e => anyhow::anyhow!("{}", e.chain()),
    }
}

async fn play(config: &Config, args: PlayArgs) -> anyhow::Result<ExitCode> {
    let app = classroom(config).await?;
    let bank = app.bank();
    let topics = args.topics.iter().map(|t| bank.find_topic(t).map(|t| t.id.clone())).collect::<Result<Vec<_>, _>>()?;
    let opts = PlayOptions {
        filter: Filter { topics, kinds: args.kinds, difficulties: args.difficulties },
        count: args.count as usize,
        name: args.name,
        guild: terminal::LOCAL_GUILD.into(),
        seed: args.seed.unwrap_or_else(|| app.now() as u64),
        echo: !std::io::IsTerminal::is_terminal(&std::io::stdin()),
        lean: match (args.due, args.new) {
            (true, _) => Lean::Due,
            (_, true) => Lean::New,
            _ => Lean::WeakTopics,
        },
    };
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    terminal::play(&app, &opts, stdin.lock(), &mut stdout).await?;
    app.close().await;
    Ok(ExitCode::SUCCESS)
}

/// A student's spaced practice under `scores show`: per topic the reviews due and the recall
/// today, then the next reviews with their dates.
fn print_recall(r: &agora::app::RecallView) {
    println!("spaced practice: {}", r.summary);
    println!("  {:<60} {:>7} {:>9} {:>7}", "topic", "due now", "this week", "recall");
    for t in r.topics.iter().filter(|t| t.reviewed > 0) {
        println!("  {:<60} {:>7} {:>9} {:>6.0}%", t.topic, t.due_now, t.due_this_week, t.recall.unwrap_or(0.0) * 100.0);
    }
    if !r.next_reviews.is_empty() {
        println!("next reviews:");
    }
    for n in &r.next_reviews {
        println!("  {}  {:<28} {}", n.date, n.item_id.as_str(), agora::text::display_name(&n.prompt));
    }
}

async fn scores(config: &Config, cmd: ScoresCommand) -> anyhow::Result<ExitCode> {
    let app = classroom(config).await?;
    match cmd {
        ScoresCommand::Show { name, user, guild } => {
            let guild = GuildId::new(guild);
            let user = match user {
                Some(id) => UserId::new(id),
                None if guild.as_str() == terminal::LOCAL_GUILD => terminal::local_user_id(&name),
                None => app.student_named(&guild, &name).await.map_err(fail)?,
            };
            let s = app.score(&guild, &user, &name).await.map_err(fail)?;
            // Names are shown through `display_name`: inert and at most NAME_WIDTH characters.
            let shown = display_name(&name);
            if s.answered == 0 && s.points == 0 {
                println!("{shown} has not answered any question yet in {guild}. Try `agora play --name {shown}`.");
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "{shown} ({guild}): {} points · {} answered · {} right ({:.0}%) · streak {} (best {})",
                s.points,
                s.answered,
                s.correct,
                s.accuracy * 100.0,
                s.current_streak,
                s.best_streak
            );
            if s.debate_points != 0 || s.prompt_points != 0 {
                println!("  of which {} from debates and {} from argument prompts", s.debate_points, s.prompt_points);
            }
            println!("mastery by topic:");
            for (topic, tally) in &s.mastery {
                println!("  {:<60} {:>3}/{:<3} {:>4.0}%", topic, tally.correct, tally.answered, tally.accuracy().unwrap_or(0.0) * 100.0);
            }
            print_recall(&app.recall(&guild, &user).await.map_err(fail)?);
        }
        ScoresCommand::Leaderboard { by, top, anonymous, guild } => {
            let by = match by {
                RankArg::Points => RankBy::Points,
                RankArg::Accuracy => RankBy::Accuracy,
            };
            let guild = GuildId::new(guild);
            let rows = app.leaderboard(&guild, by, top, anonymous).await.map_err(fail)?;
            if rows.is_empty() {
                println!("No scores yet in {guild}.");
            }
            for r in rows {
                println!(
                    "{:>3}. {:<width$} {:>6} points  {:>4} answered  {:>4.0}%",
                    r.rank,
                    display_name(&r.name),
                    r.points,
                    r.answered,
                    r.accuracy * 100.0,
                    width = NAME_WIDTH
                );
            }
        }
        ScoresCommand::Items { guild, flagged } => {
            let guild = GuildId::new(guild);
            let reports = app.item_reports(&guild, &Member::operator()).await.map_err(fail)?;
            if reports.is_empty() {
                println!("No answers yet in {guild}.");
            } else {
                println!("Items need at least {} answers before they are judged.", agora::quiz::review::MIN_ANSWERS);
            }
            for item in reports {
                let r = &item.review;
                if flagged && r.flags.is_empty() {
                    continue;
                }
                let flags = r.flags.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
                println!(
                    "{}  asked {} · {} answers · {:.0}% right{}{}",
                    item.item_id,
                    item.times_asked,
                    r.answers,
                    r.share_correct * 100.0,
                    item.difficulty.map(|d| format!(" · memory difficulty {d:.1}/10")).unwrap_or_default(),
                    if flags.is_empty() { String::new() } else { format!(" · {flags}") }
                );
                for p in &r.picks {
                    println!("    {} {:<70} {:>4} ({:.0}%)", if p.correct { "*" } else { " " }, p.label, p.count, p.rate * 100.0);
                }
            }
        }
        ScoresCommand::Forget { guild, user, yes } => {
            let (guild, user) = (GuildId::new(guild), UserId::new(user));
            let records = app.student_records(&guild, &user).await.map_err(fail)?;
            let counts = records.counts();
            let shown = display_name(user.as_str());
            if counts.is_empty() {
                println!("Server {guild} holds nothing about user {shown}: nothing to delete.");
            } else if !yes {
                let total: usize = counts.iter().map(|(_, n)| n).sum();
                println!("Server {guild} holds {total} rows about user {shown}:");
                for (table, n) in &counts {
                    println!("  {table:<18} {n:>6}");
                }
                println!("Nothing was deleted. Run again with --yes to delete them all.");
                app.close().await;
                return Ok(ExitCode::FAILURE);
            } else {
                if let Some(gone) = app.forget_student(&guild, &Member::operator(), &user, true).await.map_err(fail)? {
                    println!("Deleted {} rows about user {shown} in server {guild}:", gone.total());
                    for (table, n) in gone.rows.iter().filter(|(_, n)| *n > 0) {
                        println!("  {table:<18} {n:>6}");
                    }
                    println!("Their scores are gone from the leaderboard and the gradebook.");
                }
            }
        }
        ScoresCommand::Export { format: GradebookFormat::Csv, guild, output } => {
            let csv = app.gradebook(&GuildId::new(guild), &Member::operator()).await.map_err(fail)?;
            match output {
                Some(path) => std::fs::write(&path, csv).with_context(|| format!("cannot write {}", path.display()))?,
                None => print!("{csv}"),
            }
        }
    }
    app.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn db(config: &Config, cmd: DbCommand) -> anyhow::Result<ExitCode> {
    let url = &config.database_url;
    match cmd {
        DbCommand::Backup { file } => {
            // PostgreSQL is refused before anything connects.
            if let Some(refusal) = agora::store::backup_refusal(url, &file) {
                return Err(refusal.into());
            }
            // Connecting would create a missing file: a backup of nothing is refused instead.
            let path = agora::store::sqlite_file(url).unwrap_or_default();
            if !path.is_file() {
                anyhow::bail!("there is no database at {} to back up (DATABASE_URL is {url})", path.display());
            }
            let store = connect(config).await?;
            let made = store.backup(url, &file).await;
            store.close().await;
            made?;
            let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
            println!("Backed up {} into {} ({size} bytes).", path.display(), file.display());
        }
        DbCommand::Restore { file } => {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
            let restored = agora::store::restore(url, &file, now).await?;
            println!(
                "Restored {} from {} ({} migrations; any newer ones apply on the next start).",
                restored.database.display(),
                file.display(),
                restored.migrations
            );
            match restored.previous {
                Some(old) => println!("The database it replaced is kept as {}.", old.display()),
                None => println!("There was no database there before."),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Loads a bank or prints its problems; `None` means the problems were printed.
fn load_or_report(dir: &std::path::Path, source: Option<&Source>) -> Option<bank::Bank> {
    match bank::load(dir, source) {
        Ok(b) => Some(b),
        Err(problems) => {
            eprintln!("{problems}");
            None
        }
    }
}

fn bank_command(cmd: BankCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BankCommand::Check { dir, source } => {
            if !dir.is_dir() {
                // The folder's own problem first: it says more than "no paper in it".
                load_or_report(&dir, None);
                return Ok(ExitCode::FAILURE);
            }
            let (path, source) = match source {
                Some(path) => {
                    let source = Source::read(&path)?;
                    (path, source)
                }
                None => {
                    let path = bank::shipped_paper(&dir);
                    let source = Source::read(&path).with_context(|| format!("a bank ships the paper it is checked against as {}, with anchors.tsv beside it; restore them, or pass `--source FILE` to check against another copy", path.display()))?;
                    (path, source)
                }
            };
            let Some(bank) = load_or_report(&dir, Some(&source)) else { return Ok(ExitCode::FAILURE) };
            let written = bank.questions.iter().filter(|q| q.origin == bank::Origin::Written).count();
            println!(
                "ok: {} items ({} written, {} generated), {} motions, {} prompts, {} passages, every quote found in the paper ({})",
                bank.questions.len(),
                written,
                bank.questions.len() - written,
                bank.motions.len(),
                bank.prompts.len(),
                bank.passages.len(),
                path.display()
            );
            // Craft warnings (`bank::craft`) do not stop the bank loading; CI keeps the shipped bank free of them.
            for w in &bank.warnings {
                eprintln!("warning: {w}");
            }
            if !bank.warnings.is_empty() {
                eprintln!("{} warning{}", bank.warnings.len(), if bank.warnings.len() == 1 { "" } else { "s" });
            }
            Ok(ExitCode::SUCCESS)
        }
        BankCommand::Stats { dir } => {
            let Some(bank) = load_or_report(&dir, None) else { return Ok(ExitCode::FAILURE) };
            print!("{}", bank::stats::report(&bank));
            Ok(ExitCode::SUCCESS)
        }
        BankCommand::Export { dir, format, output } => {
            let Some(bank) = load_or_report(&dir, None) else { return Ok(ExitCode::FAILURE) };
            let text = match format {
                ExportFormat::Json => serde_json::to_string_pretty(&bank::export::json(&bank))? + "\n",
                ExportFormat::Gift => bank::export::gift(&bank),
            };
            match output {
                Some(path) => std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?,
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
