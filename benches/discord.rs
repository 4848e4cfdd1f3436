//! The bot as a class meets it, timed: the real `agora serve` (the release build) against the
//! Discord stand-in of `tests/support`, on SQLite and on PostgreSQL. Every answer is
//! committed before the bot acknowledges it, and the bench checks the database afterwards.
//!
//! * **burst**: 500 students answer one live question within one second (one click every
//!   2 ms); all 500 must be acknowledged ("Locked in") and stored. Latency is the stand-in's
//!   `Callback::after`: from the moment it sends the click on the gateway to the moment the
//!   bot's callback reaches it. Target: p99 ≤ 10 ms. For comparison, 500 clicks sent at once.
//! * **steps**: offered rates of 1,000, 1,500, 2,000, then 3,000 to 8,000, 10,000 and 12,000
//!   answers/s, 3 s each, open loop (clicks leave on schedule whatever the bot's backlog),
//!   spread over enough classes of at most 500 students, each in its own channel with its
//!   own live round, so each student answers each question once; between steps the
//!   instructor presses Reveal, then Next, in every channel. A step holds when every answer
//!   is acknowledged and stored, no response comes later than Discord's 3 s and
//!   p99 ≤ 50 ms; stepping stops after two steps in a row that do not hold. Target:
//!   ≥ 6,000 answers/s on SQLite.
//! * **memory**: the bot's VmRSS with the bank loaded, idle and at its peak during each
//!   step. Target: ≤ 30 MB at the highest rate that holds.
//!
//! * **bare**: the burst and the steps again, on the questions Agora posted, with a serenity bot that only
//!   acknowledges each click (this binary run with `--bare-bot`): the ceiling that serenity
//!   and the stand-in leave on this machine, under Agora's own figures.
//!
//! Besides, per step, where the time goes, from `/proc`: CPU time per answer of the bot, of
//! this process (the stand-in and the clicking students) and of a local PostgreSQL server,
//! and how often per answer the bot's threads went to sleep waiting for one another.
//!
//! * **overload** (only when asked: `-- overload`, `-- overload-sqlite`, `-- overload-postgres`):
//!   6,000 clicks/s for 8 s, far past what the bot commits: every click must get a first
//!   response within 3 s (some "too many answers, press again"), memory must stay bounded,
//!   and no answer may be stored whose student was not told it counted.
//!
//! * **compare** (`-- compare`, `-- compare-sqlite`, `-- compare-postgres`; part of the plain
//!   run): the bare bot, this build's Agora and, when `AGORA_BENCH_BEFORE` names another
//!   build's `agora`, that one, each on a stand-in of its own, every step (1,000 to 8,000/s)
//!   taken by each bot in turn, so that the machine's noise falls on all of them; then issue
//!   25's table, each figure as a ratio to the bare bot's (CPU, VmRSS and its anonymous part,
//!   p99, bytes written to disk per answer from `/proc/PID/io`, the highest rate that holds).
//!
//! Every click's gateway frame is built before the clock starts (`StandIn::prepare_click`),
//! so that sending it costs the stand-in little: the figures measure the bot.
//!
//! Run: `cargo bench --bench discord` (both backends and the bare bot; `-- sqlite`,
//! `-- postgres` or `-- bare` for one).
//! PostgreSQL comes from `AGORA_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`): a fresh database is created beside it for the
//! run and dropped after; if none can be created, PostgreSQL is skipped with a message.
//! `AGORA_BENCH_LOG` sets the bot's log filter (default: the product's);
//! `AGORA_BENCH_SLOWEST=1` lists each run's slowest clicks by position; `AGORA_BENCH_METRICS=on`
//! turns on the bot's `/metrics` listener (off by default, as in the product), to compare. Without `--bench`
//! (as `cargo test --all-targets` runs it) it only says how to run it.

#[path = "../tests/support/mod.rs"]
mod support;

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use agora::ids::{GuildId, ItemId, RoundId};
use agora::store::Store;
use serde_json::{Value, json};
use sqlx::migrate::MigrateDatabase;
use support::discord::{Message, PreparedClick, Sent, Shown, StandIn, User};

/// poise's choice index for `kind: single` (see `KindChoice`).
const SINGLE: u64 = 0;
/// The burst: this many students within `BURST_WINDOW`.
const BURST: usize = 500;
const BURST_WINDOW: Duration = Duration::from_secs(1);
/// The offered rates of the steps (answers/s), each held for `STEP`.
const RATES: [u64; 11] = [1_000, 1_500, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 10_000, 12_000];
const STEP: Duration = Duration::from_secs(3);
/// The largest class in one channel.
const CLASS: usize = 500;
/// Stepping stops after this many steps in a row that did not hold.
const FAILURES_TO_STOP: usize = 2;
/// How long to wait for the last acknowledgements of a step.
const DRAIN: Duration = Duration::from_secs(30);
const P99_BURST: Duration = Duration::from_millis(10);
const P99_STEP: Duration = Duration::from_millis(50);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == BARE_BOT) {
        return bare_bot();
    }
    if !args.iter().any(|a| a == "--bench") {
        println!("benches/discord.rs: run it with `cargo bench --bench discord` (it starts the release bot and takes a few minutes)");
        return;
    }
    let wanted: Vec<&str> = args.iter().map(String::as_str).filter(|a| !a.starts_with("--")).collect();
    let runs = |name: &str| wanted.is_empty() || wanted.iter().any(|w| !w.starts_with("compare") && name.contains(w));
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime");
    let binary = env!("CARGO_BIN_EXE_agora");
    let release = Path::new(binary).components().any(|c| c.as_os_str() == "release");
    println!("bot binary: {binary} ({})", if release { "release build" } else { "NOT a release build: run through `cargo bench`" });
    println!("machine: {} cores; {}", std::thread::available_parallelism().map_or(0, |n| n.get()), uptime());
    // The comparison (the bare bot, this build and `AGORA_BENCH_BEFORE`'s, step by step in
    // turn): `-- compare`, `-- compare-sqlite`, `-- compare-postgres`; part of the plain run.
    let compare = |name: &str| wanted.is_empty() || wanted.iter().any(|w| w.starts_with("compare") && name.starts_with(w));
    if compare("compare-sqlite") {
        rt.block_on(compare_scenario(Db::Sqlite));
    }
    if compare("compare-postgres") {
        rt.block_on(compare_scenario(Db::Postgres));
    }
    let mut reports = Vec::new();
    if runs("sqlite") {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("agora.db").display());
        reports.push(rt.block_on(scenario("SQLite", url)));
    }
    if runs("postgres") {
        reports.extend(on_fresh_postgres(&rt, |url| scenario("PostgreSQL", url)));
    }
    if runs("bare") {
        rt.block_on(bare_scenario());
    }
    // Overload runs only when asked for: `-- overload` (both backends), `-- overload-sqlite`
    // or `-- overload-postgres`.
    let overload = |name: &str| wanted.iter().any(|w| w.starts_with("overload") && name.starts_with(w));
    if overload("overload-sqlite") {
        let dir = tempfile::tempdir().expect("temp dir");
        rt.block_on(overload_scenario("SQLite", format!("sqlite://{}", dir.path().join("agora.db").display())));
    }
    if overload("overload-postgres") {
        on_fresh_postgres(&rt, |url| overload_scenario("PostgreSQL", url));
    }
    println!("\nafter the run: {}", uptime());
    summary(&reports);
}

/// Runs `run` on a fresh PostgreSQL database, dropped after it even when `run` panics (the
/// panic then goes on); `None`, with a message, when no database can be created.
fn on_fresh_postgres<T, F>(rt: &tokio::runtime::Runtime, run: impl FnOnce(String) -> F) -> Option<T>
where
    T: Send + 'static,
    F: std::future::Future<Output = T> + Send + 'static,
{
    let url = match rt.block_on(fresh_postgres()) {
        Ok(url) => url,
        Err(why) => {
            println!("skipping PostgreSQL: {why}");
            return None;
        }
    };
    let outcome = rt.block_on(rt.spawn(run(url.clone())));
    if let Err(e) = rt.block_on(sqlx::Any::force_drop_database(&url)) {
        eprintln!("could not drop the bench database {url}: {e}");
    }
    match outcome {
        Ok(value) => Some(value),
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// `uptime`'s load averages, for the record.
fn uptime() -> String {
    Command::new("uptime").output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_else(|e| format!("(uptime: {e})"))
}

/// A new, empty database beside `AGORA_TEST_POSTGRES_URL`'s, created as README.md tells an
/// operator to create Agora's: with the C collation (`LOCALE 'C'`), which compares text
/// byte by byte, as SQLite does. Under a language's collation every comparison in an index
/// of ids goes through the C library's `strcoll`: about a sixth of the server's CPU per
/// answer (BENCHMARKS.md, issue 25).
async fn fresh_postgres() -> Result<String, String> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let base = std::env::var("AGORA_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
    let slash = base.rfind('/').filter(|&i| i > base.find("://").map_or(0, |s| s + 2)).ok_or_else(|| format!("no database name in {base}"))?;
    let name = format!("agora_bench_discord_{:016x}", rand::random::<u64>());
    let cannot = |e: sqlx::Error| format!("cannot create a database beside {base}: {e}");
    let mut conn = sqlx::AnyConnection::connect(&base).await.map_err(cannot)?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'")))
        .execute(&mut conn)
        .await
        .map_err(cannot)?;
    conn.close().await.map_err(cannot)?;
    Ok(format!("{}/{name}", &base[..slash]))
}

// ---------------------------------------------------------------------------------------
// The bot as a child process.

/// `agora serve` from the release build, on `database_url`, with the repository's bank and
/// the product's default log level. Dropping it kills the process.
struct Bot {
    child: Child,
    log: std::path::PathBuf,
    /// Where its `/metrics` listener is, when `AGORA_BENCH_METRICS=on` turned it on.
    metrics: Option<std::net::SocketAddr>,
    _dir: tempfile::TempDir,
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Bot {
    fn start(discord: &StandIn, database_url: &str) -> Bot {
        Bot::start_binary(Path::new(env!("CARGO_BIN_EXE_agora")), discord, database_url)
    }

    /// `agora serve` from `binary` (this build's, or another build's for a comparison).
    fn start_binary(binary: &Path, discord: &StandIn, database_url: &str) -> Bot {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = support::bot::root();
        let config = dir.path().join("agora.yaml");
        let mut yaml = format!("database_url: {database_url:?}\nquestions: {:?}\n", root.join("questions").display().to_string());
        // The product's default log filter unless `AGORA_BENCH_LOG` says otherwise (to see what
        // logging costs).
        if let Ok(filter) = std::env::var("AGORA_BENCH_LOG") {
            yaml.push_str(&format!("log: {filter:?}\n"));
        }
        std::fs::write(&config, yaml).expect("write config");
        let log_path = dir.path().join("bot.log");
        let log = File::create(&log_path).expect("log file");
        let mut cmd = Command::new(binary);
        cmd.current_dir(&root).arg("--config").arg(&config).arg("serve");
        for var in ["AGORA_CONFIG", "DATABASE_URL", "AGORA_GUILD_ID", "RUST_LOG"] {
            cmd.env_remove(var);
        }
        cmd.env("DISCORD_TOKEN", &discord.token).env("DISCORD_API_BASE", &discord.base).env("AGORA_GUILD_ID", discord.guild.to_string());
        // The operator's listener (/healthz, /metrics) is off by default, as in the product;
        // `AGORA_BENCH_METRICS=on` turns it on, to see what the metrics cost on the click path.
        let metrics = (std::env::var("AGORA_BENCH_METRICS").as_deref() == Ok("on")).then(|| {
            let free = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("its address");
            cmd.env("AGORA_METRICS_ADDR", free.to_string());
            free
        });
        cmd.stdin(Stdio::null()).stdout(log.try_clone().expect("log file")).stderr(log);
        let child = cmd.spawn().expect("start agora serve");
        let shown = log_path.clone();
        discord.attach_logs(Arc::new(move || {
            let text = std::fs::read_to_string(&shown).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(60).collect();
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        }));
        Bot { child, log: log_path, metrics, _dir: dir }
    }

    /// This bench's own binary as the bare serenity bot of [`bare_bot`], on `discord`.
    fn bare(discord: &StandIn) -> Bot {
        let dir = tempfile::tempdir().expect("temp dir");
        let log_path = dir.path().join("bare.log");
        let log = File::create(&log_path).expect("log file");
        let child = Command::new(std::env::current_exe().expect("this bench's binary"))
            .arg(BARE_BOT)
            .env("DISCORD_TOKEN", &discord.token)
            .env("DISCORD_API_BASE", &discord.base)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect("start the bare bot");
        Bot { child, log: log_path, metrics: None, _dir: dir }
    }

    /// The bare bot, connected to `discord`'s gateway in the place of the bot that was there.
    async fn take_over_bare(discord: &StandIn) -> Bot {
        let identified = discord.identifies();
        let bot = Bot::bare(discord);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !(discord.identifies() > identified && discord.connected()) {
            assert!(Instant::now() < deadline, "the bare bot did not connect within 30 s:\n{}", std::fs::read_to_string(&bot.log).unwrap_or_default());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        bot
    }

    /// The lines of the bot's log that report an error, after the first `skip` of them.
    fn errors(&self, skip: usize) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines().filter(|l| l.contains("ERROR")).skip(skip).map(str::to_string).collect()
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The lines of its `/metrics` page that start with `name` (none when the listener is off).
    fn metric(&self, name: &str) -> Vec<String> {
        use std::io::{Read, Write};
        let Some(addr) = self.metrics else { return Vec::new() };
        let mut page = String::new();
        let fetched = std::net::TcpStream::connect(addr).and_then(|mut c| {
            c.write_all(b"GET /metrics HTTP/1.0\r\nHost: bench\r\n\r\n")?;
            c.read_to_string(&mut page)
        });
        if let Err(e) = fetched {
            return vec![format!("(could not read {addr}/metrics: {e})")];
        }
        page.lines().filter(|l| l.starts_with(name)).map(str::to_string).collect()
    }
}

/// Context switches of all threads of `pid` so far (voluntary ones are mostly a thread going
/// to sleep to wait for another: each costs a wake-up later).
fn switches(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return 0 };
    tasks
        .filter_map(Result::ok)
        .map(|t| {
            let status = std::fs::read_to_string(t.path().join("status")).unwrap_or_default();
            status.lines().filter_map(|l| l.strip_prefix("voluntary_ctxt_switches:")).filter_map(|v| v.trim().parse::<u64>().ok()).sum::<u64>()
        })
        .sum()
}

/// CPU time of every process named `postgres` (the local server and its backends), for
/// PostgreSQL's share of an answer; zero when the server runs elsewhere.
fn postgres_cpu() -> Duration {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Duration::ZERO };
    dir.filter_map(Result::ok)
        .filter(|e| e.file_name().to_str().is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit())))
        .filter(|e| std::fs::read_to_string(e.path().join("comm")).is_ok_and(|c| c.trim() == "postgres"))
        .map(|e| cpu_time(e.file_name().to_str().unwrap_or("0")))
        .sum()
}

/// Bytes `pid` has sent towards the disk so far (`write_bytes` of `/proc/PID/io`: every page
/// of a file it dirtied, counted once until it is written back; nothing on tmpfs).
fn written(pid: u32) -> u64 {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).unwrap_or_default();
    io.lines().find_map(|l| l.strip_prefix("write_bytes:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0)
}

/// VmRSS of `pid` in KiB.
fn rss_kib(pid: u32) -> u64 {
    memory_kib(pid, "VmRSS:")
}

/// A memory field of `/proc/PID/status` (`VmRSS:`, `RssAnon:`, `RssFile:`) in KiB.
fn memory_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix(field)).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap_or(0)
}

/// User plus system CPU time of a process (`self` or a pid), from `/proc/…/stat`.
fn cpu_time(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at field 3.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<u64> = rest.split_whitespace().map(|f| f.parse().unwrap_or(0)).collect();
    let ticks = fields.get(11).copied().unwrap_or(0) + fields.get(12).copied().unwrap_or(0);
    // USER_HZ is 100 on Linux.
    Duration::from_millis(ticks * 10)
}

// ---------------------------------------------------------------------------------------
// Driving live rounds.

/// A live question as the class sees it: its message and its answer buttons.
struct Question {
    message: Message,
    /// The message as every click carries it, serialized once.
    shown: Shown,
    answers: Vec<String>,
    round: RoundId,
    number: usize,
}

impl Question {
    fn of(discord: &StandIn, message: Message) -> Question {
        let ids: Vec<String> = message.buttons().iter().filter_map(|b| b["custom_id"].as_str().map(str::to_string)).collect();
        let answers: Vec<String> = ids.iter().filter(|id| id.split(':').nth(1) == Some("a")).cloned().collect();
        assert!(answers.len() >= 2, "a single-choice question has choice buttons: {ids:?}");
        let reveal = message.button_id("Reveal").expect("a live question has Reveal");
        let parts: Vec<&str> = reveal.split(':').collect();
        Question { round: RoundId::from(parts[2]), number: parts[3].parse().expect("question number"), shown: discord.shown(&message), message, answers }
    }

    fn reveal_id(&self) -> String {
        self.message.button_id("Reveal").expect("Reveal")
    }
}

/// Waits for the open question `number` of the round in `channel` (the newest message there
/// with a Reveal button).
async fn wait_question(discord: &StandIn, channel: u64, number: usize) -> Question {
    let deadline = Instant::now() + Duration::from_secs(20);
    let title = format!("Question {number}/");
    loop {
        if let Some(m) = discord.newest_message(channel, |m| m.button_id("Reveal").is_some() && m.text().contains(&title)) {
            return Question::of(discord, m);
        }
        assert!(Instant::now() < deadline, "no open question {number} in channel {channel} within 20 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// `/quiz start` in `channel` (single-choice questions, 15 minutes each, so no timer fires
/// during the bench); returns its first question.
async fn start_round(discord: &StandIn, prof: &User, channel: u64, questions: usize) -> Question {
    let sent = discord.slash(prof, channel, "quiz start", json!({"kind": SINGLE, "questions": questions, "seconds": 900})).await;
    let reply = discord.response(&sent).await.text();
    assert!(reply.contains("Round started"), "/quiz start: {reply}");
    wait_question(discord, channel, 1).await
}

/// Reveal, then Next, on each question (all channels at once); returns the next questions.
async fn next_questions(discord: &StandIn, prof: &User, questions: &[Question]) -> Vec<Question> {
    let reveals: Vec<Sent> = questions.iter().map(|q| discord.click_shown(prof, &q.shown, &q.reveal_id())).collect();
    let mut nexts = Vec::new();
    for (q, sent) in questions.iter().zip(&reveals) {
        let cb = discord.callback(sent).await;
        assert_eq!(cb.kind, 7, "Reveal updates the question: {:?}", cb.data);
        let next = components(&cb.data)
            .into_iter()
            .find(|(label, _)| label.contains("Next"))
            .map(|(_, id)| id)
            .unwrap_or_else(|| panic!("Next after the reveal: {}", cb.data));
        nexts.push(discord.click_shown(prof, &q.shown, &next));
    }
    let mut out = Vec::new();
    for (q, sent) in questions.iter().zip(&nexts) {
        assert_eq!(discord.callback(sent).await.kind, 7, "Next takes the buttons off the revealed question");
        out.push(wait_question(discord, q.message.channel_id, q.number + 1).await);
    }
    out
}

/// (label, custom_id) of every button in a message body.
fn components(data: &Value) -> Vec<(String, String)> {
    let rows = data["components"].as_array().cloned().unwrap_or_default();
    rows.iter()
        .flat_map(|r| r["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|b| Some((b["label"].as_str()?.to_string(), b["custom_id"].as_str()?.to_string())))
        .collect()
}

/// How many answers the store holds for question `q` of its round.
async fn stored(store: &Store, guild: &GuildId, q: &Question) -> usize {
    let round = store.round(guild, &q.round).await.expect("read round").expect("the round is stored");
    let item: &ItemId = &round.item_ids[q.number - 1];
    store.answers_for_round_item(guild, &q.round, item).await.expect("read answers").len()
}

// ---------------------------------------------------------------------------------------
// Offered load and what came back.

/// One click to send: who, on which question (index into the questions), which button.
struct Click {
    who: User,
    question: usize,
    button: usize,
}

/// What a run of clicks measured.
#[derive(Debug, Clone, Default)]
struct Outcome {
    offered: f64,
    sent: usize,
    /// Clicks per second as actually sent (first to last).
    send_rate: f64,
    /// Acknowledgements per second: answers over the time from the first click to the last
    /// acknowledgement.
    done_rate: f64,
    acknowledged: usize,
    refused: Vec<String>,
    unanswered: usize,
    violations: usize,
    /// Errors the bot logged meanwhile.
    errors: usize,
    p50: Duration,
    p90: Duration,
    p99: Duration,
    max: Duration,
    /// Largest VmRSS of the bot while the clicks were answered (KiB).
    peak_rss: u64,
    /// Largest anonymous part of it (heap, stacks: KiB), the rest being the binary's pages.
    peak_anon: u64,
    /// Bytes the bot sent towards the disk (`write_bytes` of `/proc/PID/io`: pages it
    /// dirtied in files, on a file system with a disk under it), per answer.
    disk_bytes: f64,
    /// CPU time per answer: the bot; this process (stand-in and students).
    bot_cpu: Duration,
    bench_cpu: Duration,
    /// The local PostgreSQL server's (zero on SQLite).
    db_cpu: Duration,
    /// The bot's threads going to sleep (voluntary context switches), per answer.
    bot_sleeps: f64,
    /// Answers the store holds for the questions clicked, summed.
    stored: usize,
    /// Clicks told at once that there were too many answers in flight (nothing stored).
    turned_away: usize,
    /// Clicks first answered with a deferral ("thinking…"), filled in later.
    deferred: usize,
    /// First responses later than Discord's 3 s (the student saw "This interaction failed").
    late: usize,
    /// Whether each click, in the order sent, was told "Locked in".
    acked: Vec<bool>,
}

impl Outcome {
    fn holds(&self, p99: Duration) -> bool {
        self.acknowledged == self.sent && self.stored == self.sent && self.violations == 0 && self.p99 <= p99 && self.send_rate >= 0.95 * self.offered
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Sends `clicks` at `rate` per second, open loop, and waits for their acknowledgements.
async fn fire(discord: &StandIn, bot: &Bot, questions: &[Question], clicks: &[Click], rate: f64) -> Outcome {
    let pid = bot.pid();
    let peak = Arc::new(AtomicU64::new(rss_kib(pid)));
    let peak_anon = Arc::new(AtomicU64::new(memory_kib(pid, "RssAnon:")));
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, peak_anon, stop) = (peak.clone(), peak_anon.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                peak_anon.fetch_max(memory_kib(pid, "RssAnon:"), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let (bot_cpu0, bench_cpu0, db_cpu0, sleeps0, disk0) = (cpu_time(&pid.to_string()), cpu_time("self"), postgres_cpu(), switches(pid), written(pid));
    let errors_before = bot.errors(0).len();

    // Every click's frame is built before the clock starts: sending one is then little more
    // than a copy, so the figures measure the bot rather than the stand-in.
    let prepared: Vec<PreparedClick> = clicks
        .iter()
        .map(|c| {
            let q = &questions[c.question];
            discord.prepare_click(&c.who, &q.shown, &q.answers[c.button])
        })
        .collect();
    let start = Instant::now();
    let mut sent: Vec<(Sent, Instant)> = Vec::with_capacity(clicks.len());
    while sent.len() < clicks.len() {
        let due = ((start.elapsed().as_secs_f64() * rate) as usize + 1).min(clicks.len());
        while sent.len() < due {
            let at = Instant::now();
            sent.push((discord.send_prepared(&prepared[sent.len()]), at));
        }
        tokio::time::sleep(Duration::from_micros(500)).await;
    }
    let last_sent = sent.last().map_or(start, |s| s.1);
    let send_rate = if clicks.len() > 1 { (clicks.len() - 1) as f64 / last_sent.duration_since(start).as_secs_f64().max(1e-9) } else { rate };

    // Then wait for the acknowledgements, oldest first.
    let deadline = Instant::now() + DRAIN;
    let mut results = Vec::with_capacity(sent.len());
    for (s, at) in &sent {
        let cb = loop {
            if let Some(cb) = discord.callbacks(s).into_iter().next() {
                break Some(cb);
            }
            if Instant::now() > deadline {
                break None;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        results.push((cb, *at));
    }
    stop.store(true, Ordering::Relaxed);
    let _ = sampler.await;
    let answers = clicks.len().max(1) as u32;
    let bot_cpu = cpu_time(&pid.to_string()).saturating_sub(bot_cpu0) / answers;
    let bench_cpu = cpu_time("self").saturating_sub(bench_cpu0) / answers;
    let db_cpu = postgres_cpu().saturating_sub(db_cpu0) / answers;
    let bot_sleeps = switches(pid).saturating_sub(sleeps0) as f64 / f64::from(answers);
    let disk_bytes = written(pid).saturating_sub(disk0) as f64 / f64::from(answers);

    let mut out = Outcome {
        offered: rate,
        sent: clicks.len(),
        send_rate,
        peak_rss: peak.load(Ordering::Relaxed),
        peak_anon: peak_anon.load(Ordering::Relaxed),
        disk_bytes,
        bot_cpu,
        bench_cpu,
        db_cpu,
        bot_sleeps,
        ..Outcome::default()
    };
    let mut afters = Vec::with_capacity(results.len());
    let mut finished = start;
    let mut deferred = Vec::new();
    out.acked = vec![false; sent.len()];
    for (i, (cb, at)) in results.into_iter().enumerate() {
        let Some(cb) = cb else {
            out.unanswered += 1;
            continue;
        };
        afters.push(cb.after);
        finished = finished.max(at + cb.after);
        out.late += usize::from(cb.after > support::discord::DEADLINE);
        let text = cb.data.to_string();
        if cb.status == 204 && cb.kind == 4 && text.contains("Locked in for question") {
            out.acknowledged += 1;
            out.acked[i] = true;
        } else if cb.status == 204 && cb.kind == 5 {
            deferred.push(i);
        } else if cb.status == 204 && cb.kind == 4 && text.contains("Too many answers are arriving") {
            out.turned_away += 1;
        } else if out.refused.len() < 5 {
            out.refused.push(format!("status {} type {}: {}", cb.status, cb.kind, cb.data));
        }
    }
    // A deferred answer counts once its "thinking…" is filled in with "Locked in".
    for i in deferred {
        let filled = loop {
            if let Some(m) = discord.response_now(&sent[i].0) {
                break Some(m.text());
            }
            if Instant::now() > deadline {
                break None;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        out.deferred += 1;
        match filled {
            Some(t) if t.contains("Locked in for question") => {
                out.acknowledged += 1;
                out.acked[i] = true;
            }
            Some(t) if out.refused.len() < 5 => out.refused.push(format!("deferred, then: {t}")),
            _ => {}
        }
    }
    if std::env::var_os("AGORA_BENCH_SLOWEST").is_some() {
        // Which clicks were slowest (in the order sent): a stall every so many answers, or
        // a backlog that grows.
        let mut slowest: Vec<(usize, Duration)> = afters.iter().copied().enumerate().collect();
        slowest.sort_by_key(|&(_, after)| std::cmp::Reverse(after));
        let shown: Vec<String> = slowest.iter().take(8).map(|(i, after)| format!("#{i} {} ms", ms(*after))).collect();
        println!("    slowest clicks: {}", shown.join(", "));
    }
    afters.sort_unstable();
    out.p50 = percentile(&afters, 50.0);
    out.p90 = percentile(&afters, 90.0);
    out.p99 = percentile(&afters, 99.0);
    out.max = afters.last().copied().unwrap_or_default();
    out.done_rate = out.acknowledged as f64 / finished.duration_since(start).as_secs_f64().max(1e-9);
    let errors = bot.errors(errors_before);
    if let Some(e) = errors.first() {
        println!("    the bot logged {} error(s), e.g. {e}", errors.len());
    }
    out.errors = errors.len();
    let violations = discord.take_violations();
    out.violations = violations.len();
    if let Some(v) = violations.first() {
        println!("    {} violation(s) of Discord's rules, e.g. {v}", violations.len());
    }
    out
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

fn line(label: &str, o: &Outcome) -> String {
    format!(
        "{label:>16}: sent {} at {:.0}/s, acknowledged {} ({} stored) at {:.0}/s; p50 {} ms, p90 {} ms, p99 {} ms, max {} ms; bot RSS peak {:.1} MiB ({:.1} anonymous); written to disk {:.1} KB per answer; CPU per answer: bot {} µs, stand-in+students {} µs, PostgreSQL {} µs; the bot's threads slept {:.1} times per answer{}{}",
        o.sent,
        o.send_rate,
        o.acknowledged,
        o.stored,
        o.done_rate,
        ms(o.p50),
        ms(o.p90),
        ms(o.p99),
        ms(o.max),
        o.peak_rss as f64 / 1024.0,
        o.peak_anon as f64 / 1024.0,
        o.disk_bytes / 1000.0,
        o.bot_cpu.as_micros(),
        o.bench_cpu.as_micros(),
        o.db_cpu.as_micros(),
        o.bot_sleeps,
        if o.turned_away + o.deferred + o.late == 0 {
            String::new()
        } else {
            format!("; {} turned away, {} deferred, {} answered after 3 s", o.turned_away, o.deferred, o.late)
        },
        if o.refused.is_empty() && o.unanswered == 0 { String::new() } else { format!("; {} unanswered; refused e.g. {:?}", o.unanswered, o.refused) }
    )
}

// ---------------------------------------------------------------------------------------
// The scenario, once per backend.

struct Report {
    backend: &'static str,
    idle_rss: u64,
    burst: Outcome,
    at_once: Outcome,
    steps: Vec<(u64, Outcome)>,
}

async fn scenario(backend: &'static str, database_url: String) -> Report {
    println!("\n== {backend}");
    let discord = StandIn::start().await;
    let started = Instant::now();
    let bot = Bot::start(&discord, &database_url);
    discord.wait_ready(Some(discord.guild)).await;
    println!("  bot ready in {:.1} s", started.elapsed().as_secs_f64());
    let store = Store::connect(&database_url).await.expect("open the bot's database");
    let guild = GuildId::new(discord.guild.to_string());
    let prof = User::instructor(2001, "prof");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_rss = rss_kib(bot.pid());
    let mib = |field| memory_kib(bot.pid(), field) as f64 / 1024.0;
    println!("  idle, bank loaded: VmRSS {:.1} MiB (anonymous {:.1} MiB, file-backed {:.1} MiB)", idle_rss as f64 / 1024.0, mib("RssAnon:"), mib("RssFile:"));

    // Warm-up: connections opened, code paged in.
    let warm = discord.add_channel(discord.guild, "warm-up");
    let q = vec![start_round(&discord, &prof, warm, 1).await];
    let clicks: Vec<Click> =
        (0..300).map(|n| Click { who: User::student(1_000_000 + n, &format!("warm{n}")), question: 0, button: n as usize % q[0].answers.len() }).collect();
    let o = fire(&discord, &bot, &q, &clicks, 600.0).await;
    assert_eq!(o.acknowledged, clicks.len(), "warm-up: {}", line("warm-up", &o));

    // The burst: 500 students within one second, on one question.
    let q = vec![start_round(&discord, &prof, discord.channel, 1).await];
    let clicks: Vec<Click> =
        (0..BURST).map(|n| Click { who: User::student(2_000_000 + n as u64, &format!("student{n}")), question: 0, button: n % q[0].answers.len() }).collect();
    let mut burst = fire(&discord, &bot, &q, &clicks, BURST as f64 / BURST_WINDOW.as_secs_f64()).await;
    burst.stored = stored(&store, &guild, &q[0]).await;
    println!("{}", line("burst 500 in 1 s", &burst));
    assert_eq!((burst.acknowledged, burst.stored), (BURST, BURST), "all 500 acknowledged and recorded");
    if bot.metrics.is_some() {
        println!("  metrics listener on: {}", bot.metric("agora_answers_recorded_total").join("; "));
    }

    // The steps: classes of at most 500, one live round each, a question per step.
    let questions = open_classes(&discord, &prof, &RATES).await;
    let steps = run_steps(&discord, &bot, questions, Under::Agora { store: &store, guild: &guild, prof: &prof }).await;
    // The same class all at once (as fast as the stand-in sends), for comparison. Last: a
    // backlog of 500 raises the bot's resident memory for good (the allocator keeps what it
    // took), which would otherwise show in every step's peak after it.
    let same_time = discord.add_channel(discord.guild, "all-at-once");
    let q = vec![start_round(&discord, &prof, same_time, 1).await];
    let clicks: Vec<Click> =
        (0..BURST).map(|n| Click { who: User::student(3_000_000 + n as u64, &format!("student{n}")), question: 0, button: n % q[0].answers.len() }).collect();
    let mut at_once = fire(&discord, &bot, &q, &clicks, 1e9).await;
    at_once.stored = stored(&store, &guild, &q[0]).await;
    println!("{}", line("500 at once", &at_once));

    store.close().await;
    drop(bot);
    let late = discord.take_violations();
    assert!(late.is_empty(), "violations after the steps: {late:?}");
    Report { backend, idle_rss, burst, at_once, steps }
}

/// Enough classes of at most [`CLASS`] for the highest rate, each in its own channel with a
/// live round of one question per step; returns their first questions.
async fn open_classes(discord: &StandIn, prof: &User, rates: &[u64]) -> Vec<Question> {
    let most = (rates.iter().max().copied().unwrap_or(0) as f64 * STEP.as_secs_f64()) as usize;
    let classes = most.div_ceil(CLASS);
    let mut questions = Vec::new();
    for c in 0..classes {
        let channel = discord.add_channel(discord.guild, &format!("class-{c}"));
        questions.push(start_round(discord, prof, channel, rates.len()).await);
    }
    println!("  {classes} classes of up to {CLASS} students, a live round in each");
    questions
}

/// The bot under the steps, and what happens between them.
enum Under<'a> {
    /// Agora: the instructor moves every round to its next question, and the answers must
    /// be in the store.
    Agora { store: &'a Store, guild: &'a GuildId, prof: &'a User },
    /// The bare bot of [`bare_bot`]: the same question stays up, nothing is stored.
    Bare,
}

/// The clicks of step `k` at `rate` for [`STEP`], spread over the classes of `questions`:
/// each student of a class answers its question once.
fn step_clicks(rate: u64, k: usize, questions: &[Question]) -> Vec<Click> {
    let classes = questions.len();
    let n = (rate as f64 * STEP.as_secs_f64()) as usize;
    (0..n)
        .map(|i| {
            let (class, seat) = (i % classes, i / classes);
            let id = 10_000_000 + (class * CLASS + seat) as u64;
            Click { who: User::student(id, &format!("s{class}-{seat}")), question: class, button: (i / classes + k) % questions[class].answers.len() }
        })
        .collect()
}

/// Each rate of [`RATES`] for [`STEP`], until [`FAILURES_TO_STOP`] steps in a row do not hold.
async fn run_steps(discord: &StandIn, bot: &Bot, mut questions: Vec<Question>, under: Under<'_>) -> Vec<(u64, Outcome)> {
    let mut steps = Vec::new();
    let mut failures = 0;
    for (k, &rate) in RATES.iter().enumerate() {
        if k > 0
            && let Under::Agora { prof, .. } = under
        {
            questions = next_questions(discord, prof, &questions).await;
        }
        let clicks = step_clicks(rate, k, &questions);
        let mut o = fire(discord, bot, &questions, &clicks, rate as f64).await;
        match under {
            Under::Agora { store, guild, .. } => {
                for q in &questions {
                    o.stored += stored(store, guild, q).await;
                }
            }
            // Nothing to store: every acknowledged answer is as good as stored.
            Under::Bare => o.stored = o.acknowledged,
        }
        let held = o.holds(P99_STEP);
        println!("{}{}", line(&format!("{rate}/s"), &o), if held { "" } else { "  ← does not hold" });
        steps.push((rate, o));
        failures = if held { 0 } else { failures + 1 };
        if failures >= FAILURES_TO_STOP {
            break;
        }
        // Let the last step's backlog settle before the next one.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    steps
}

// ---------------------------------------------------------------------------------------
// Overload: far more clicks than the bot can commit.

/// The overload: this many clicks a second for this long, over classes of [`CLASS`].
const OVERLOAD_RATE: u64 = 6_000;
const OVERLOAD_FOR: Duration = Duration::from_secs(8);

/// [`OVERLOAD_RATE`] clicks/s for [`OVERLOAD_FOR`], open loop, over enough classes that each
/// student answers once. What must hold whatever the rate: every click gets a first
/// response within Discord's 3 s ("Locked in", a deferral filled in later, or "too many
/// answers, press again"), the bot's memory stays bounded, and no answer is stored whose
/// student was not told it counted.
async fn overload_scenario(backend: &'static str, database_url: String) {
    println!("\n== overload, {backend}: {OVERLOAD_RATE} clicks/s for {} s", OVERLOAD_FOR.as_secs());
    let discord = StandIn::start().await;
    let bot = Bot::start(&discord, &database_url);
    discord.wait_ready(Some(discord.guild)).await;
    let store = Store::connect(&database_url).await.expect("open the bot's database");
    let guild = GuildId::new(discord.guild.to_string());
    let prof = User::instructor(2001, "prof");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_rss = rss_kib(bot.pid());

    let warm = discord.add_channel(discord.guild, "warm-up");
    let q = vec![start_round(&discord, &prof, warm, 1).await];
    let clicks: Vec<Click> =
        (0..300).map(|n| Click { who: User::student(1_000_000 + n, &format!("warm{n}")), question: 0, button: n as usize % q[0].answers.len() }).collect();
    let o = fire(&discord, &bot, &q, &clicks, 600.0).await;
    assert_eq!(o.acknowledged, clicks.len(), "warm-up: {}", line("warm-up", &o));

    let n = (OVERLOAD_RATE as f64 * OVERLOAD_FOR.as_secs_f64()) as usize;
    let classes = n.div_ceil(CLASS);
    let mut questions = Vec::new();
    for c in 0..classes {
        let channel = discord.add_channel(discord.guild, &format!("class-{c}"));
        questions.push(start_round(&discord, &prof, channel, 1).await);
    }
    let clicks: Vec<Click> = (0..n)
        .map(|i| {
            let (class, seat) = (i % classes, i / classes);
            Click {
                who: User::student(10_000_000 + (class * CLASS + seat) as u64, &format!("s{class}-{seat}")),
                question: class,
                button: seat % questions[class].answers.len(),
            }
        })
        .collect();
    let mut o = fire(&discord, &bot, &questions, &clicks, OVERLOAD_RATE as f64).await;

    // Every stored answer against what its student was told.
    let mut unacknowledged = 0;
    for (class, q) in questions.iter().enumerate() {
        let round = store.round(&guild, &q.round).await.expect("read round").expect("the round is stored");
        let answers = store.answers_for_round_item(&guild, &q.round, &round.item_ids[q.number - 1]).await.expect("read answers");
        o.stored += answers.len();
        let told: std::collections::HashSet<String> =
            clicks.iter().zip(&o.acked).filter(|(c, acked)| c.question == class && **acked).map(|(c, _)| c.who.id.to_string()).collect();
        unacknowledged += answers.iter().filter(|a| !told.contains(a.answer.user_id.as_str())).count();
    }
    println!("{}", line(&format!("{OVERLOAD_RATE}/s"), &o));
    println!(
        "  {classes} classes; bot VmRSS idle {:.1} MiB, peak {:.1} MiB; no first response within 3 s: {} of {n}; stored {}, of which {unacknowledged} never told \"Locked in\"",
        idle_rss as f64 / 1024.0,
        o.peak_rss as f64 / 1024.0,
        o.late + o.unanswered,
        o.stored,
    );
    store.close().await;
}

// ---------------------------------------------------------------------------------------
// The floor: serenity alone.

/// The argument that makes this binary the bare bot.
const BARE_BOT: &str = "--bare-bot";

/// A serenity bot that answers every button click as Agora does (an ephemeral "Locked in")
/// and nothing else: no poise, no judging, no store. Configured as `agora serve` configures
/// serenity against a stand-in (same intents, same HTTP settings, same runtime), from
/// `DISCORD_TOKEN` and `DISCORD_API_BASE`.
fn bare_bot() {
    use serenity::all::{
        ClientBuilder, Context, CreateAllowedMentions, CreateInteractionResponse, CreateInteractionResponseMessage, EventHandler, GatewayIntents, HttpBuilder,
        Interaction,
    };
    struct Ack;
    #[serenity::async_trait]
    impl EventHandler for Ack {
        async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
            if let Interaction::Component(click) = interaction {
                let reply = CreateInteractionResponseMessage::new()
                    .content("Locked in for question 1 (bare serenity: nothing judged, nothing stored)")
                    .ephemeral(true)
                    .allowed_mentions(CreateAllowedMentions::new());
                if let Err(e) = click.create_response(&ctx.http, CreateInteractionResponse::Message(reply)).await {
                    eprintln!("ERROR acknowledging a click: {e}");
                }
            }
        }
    }
    let var = |name| std::env::var(name).unwrap_or_else(|_| panic!("{name} is required"));
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    rt.block_on(async {
        let http = HttpBuilder::new(var("DISCORD_TOKEN")).proxy(var("DISCORD_API_BASE")).ratelimiter_disabled(true).build();
        let mut client = ClientBuilder::new_with_http(http, GatewayIntents::GUILDS).event_handler(Ack).await.expect("serenity client");
        if let Err(e) = client.start_autosharded().await {
            eprintln!("ERROR the bare bot stopped: {e}");
        }
    });
}

/// The steps again with the bare bot, on the questions Agora posted: the same stand-in,
/// messages and clicks, so what remains is what serenity and the stand-in cost on this
/// machine. The ceiling under Agora's own figures.
async fn bare_scenario() {
    println!("\n== bare serenity bot (acknowledges each click, nothing else)");
    let discord = StandIn::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let agora = Bot::start(&discord, &format!("sqlite://{}", dir.path().join("agora.db").display()));
    discord.wait_ready(Some(discord.guild)).await;
    let prof = User::instructor(2001, "prof");
    let questions = open_classes(&discord, &prof, &RATES).await;
    // Agora posted the questions; the bare bot takes its place on the gateway.
    drop(agora);
    let bot = Bot::take_over_bare(&discord).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    println!("  idle: VmRSS {:.1} MiB", rss_kib(bot.pid()) as f64 / 1024.0);
    let warm: Vec<Click> = (0..300).map(|n| Click { who: User::student(1_000_000 + n, &format!("warm{n}")), question: 0, button: 0 }).collect();
    let o = fire(&discord, &bot, &questions, &warm, 600.0).await;
    assert_eq!(o.acknowledged, warm.len(), "warm-up: {}", line("warm-up", &o));
    // The burst as Agora meets it: 500 new students on one question within one second.
    let burst: Vec<Click> = (0..BURST).map(|n| Click { who: User::student(2_000_000 + n as u64, &format!("student{n}")), question: 0, button: 0 }).collect();
    let mut o = fire(&discord, &bot, &questions, &burst, BURST as f64 / BURST_WINDOW.as_secs_f64()).await;
    o.stored = o.acknowledged;
    println!("{}", line("burst 500 in 1 s", &o));
    run_steps(&discord, &bot, questions, Under::Bare).await;
    drop(bot);
}

// ---------------------------------------------------------------------------------------
// The comparison: the bare serenity bot and Agora in one run, each step taken by every bot in
// turn, so that what the machine does meanwhile (other builds, a stall) falls on all of them.

/// The rates of the comparison, each held for [`STEP`] by every bot in turn.
const COMPARE_RATES: [u64; 8] = [1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000];

/// Where the Agora bots of a comparison keep their answers.
#[derive(Clone, Copy, PartialEq)]
enum Db {
    Sqlite,
    Postgres,
}

/// A bot of the comparison, on a stand-in of its own.
struct Contender {
    name: String,
    discord: StandIn,
    bot: Bot,
    questions: Vec<Question>,
    /// Agora's database (to count what it stored) and the instructor who moves its rounds
    /// on; none for the bare bot.
    agora: Option<(Store, GuildId, User)>,
    /// VmRSS and its anonymous part, idle (KiB).
    idle: (u64, u64),
    steps: Vec<(u64, Outcome)>,
    failures: usize,
    /// The SQLite file's folder, or the fresh PostgreSQL database to drop after.
    _dir: Option<tempfile::TempDir>,
    postgres: Option<String>,
}

/// A database for one Agora bot: a file in a new temporary folder (`TMPDIR`), or a fresh
/// PostgreSQL database.
async fn compare_database(db: Db) -> Option<(String, Option<tempfile::TempDir>, Option<String>)> {
    match db {
        Db::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            Some((format!("sqlite://{}", dir.path().join("agora.db").display()), Some(dir), None))
        }
        Db::Postgres => match fresh_postgres().await {
            Ok(url) => Some((url.clone(), None, Some(url))),
            Err(why) => {
                println!("skipping the comparison on PostgreSQL: {why}");
                None
            }
        },
    }
}

/// VmRSS and its anonymous part of `bot` (KiB), after half a second of quiet.
async fn idle_memory(bot: &Bot) -> (u64, u64) {
    tokio::time::sleep(Duration::from_millis(500)).await;
    (rss_kib(bot.pid()), memory_kib(bot.pid(), "RssAnon:"))
}

/// 300 clicks at 600/s on the first question: connections opened, code paged in.
async fn warm_up(discord: &StandIn, bot: &Bot, questions: &[Question]) {
    let clicks: Vec<Click> = (0..300)
        .map(|n| Click { who: User::student(1_000_000 + n, &format!("warm{n}")), question: 0, button: n as usize % questions[0].answers.len() })
        .collect();
    let o = fire(discord, bot, questions, &clicks, 600.0).await;
    assert_eq!(o.acknowledged, clicks.len(), "warm-up: {}", line("warm-up", &o));
}

/// `agora serve` from `binary` on a stand-in of its own, its classes open.
async fn agora_contender(name: &str, binary: &Path, db: Db) -> Option<Contender> {
    let (url, dir, postgres) = compare_database(db).await?;
    let discord = StandIn::start().await;
    let bot = Bot::start_binary(binary, &discord, &url);
    discord.wait_ready(Some(discord.guild)).await;
    let store = Store::connect(&url).await.expect("open the bot's database");
    let prof = User::instructor(2001, "prof");
    let idle = idle_memory(&bot).await;
    let warm = discord.add_channel(discord.guild, "warm-up");
    let q = vec![start_round(&discord, &prof, warm, 1).await];
    warm_up(&discord, &bot, &q).await;
    let questions = open_classes(&discord, &prof, &COMPARE_RATES).await;
    let guild = GuildId::new(discord.guild.to_string());
    Some(Contender {
        name: name.to_string(),
        discord,
        bot,
        questions,
        agora: Some((store, guild, prof)),
        idle,
        steps: Vec::new(),
        failures: 0,
        _dir: dir,
        postgres,
    })
}

/// The bare bot of [`bare_bot`] on a stand-in of its own, on classes Agora opened there.
async fn bare_contender() -> Contender {
    let discord = StandIn::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let agora = Bot::start(&discord, &format!("sqlite://{}", dir.path().join("agora.db").display()));
    discord.wait_ready(Some(discord.guild)).await;
    let questions = open_classes(&discord, &User::instructor(2001, "prof"), &COMPARE_RATES).await;
    drop(agora);
    let bot = Bot::take_over_bare(&discord).await;
    let idle = idle_memory(&bot).await;
    warm_up(&discord, &bot, &questions).await;
    Contender { name: "bare".into(), discord, bot, questions, agora: None, idle, steps: Vec::new(), failures: 0, _dir: Some(dir), postgres: None }
}

/// The bare bot, Agora (this build) and, when `AGORA_BENCH_BEFORE` names another build's
/// `agora`, that one too, each on a stand-in of its own; every rate of [`COMPARE_RATES`] is
/// taken by each bot in turn (the order rotating from step to step), until a bot has failed
/// [`FAILURES_TO_STOP`] steps in a row. Then each figure of issue 25 as a ratio to the bare bot.
async fn compare_scenario(db: Db) {
    let backend = if db == Db::Sqlite { "SQLite" } else { "PostgreSQL" };
    println!("\n== comparison on {backend}: the bare serenity bot and Agora, each step in turn ({})", uptime());
    let mut contenders = vec![bare_contender().await];
    let Some(agora) = agora_contender("agora", Path::new(env!("CARGO_BIN_EXE_agora")), db).await else { return };
    contenders.push(agora);
    if let Some(before) = std::env::var_os("AGORA_BENCH_BEFORE") {
        println!("  before: {}", Path::new(&before).display());
        contenders.extend(agora_contender("before", Path::new(&before), db).await);
    }
    for c in &contenders {
        println!("  {}: idle VmRSS {:.1} MiB ({:.1} anonymous)", c.name, c.idle.0 as f64 / 1024.0, c.idle.1 as f64 / 1024.0);
    }
    for (k, &rate) in COMPARE_RATES.iter().enumerate() {
        let n = contenders.len();
        for j in 0..n {
            let c = &mut contenders[(j + k) % n];
            if c.failures >= FAILURES_TO_STOP {
                continue;
            }
            if k > 0
                && let Some((_, _, prof)) = &c.agora
            {
                c.questions = next_questions(&c.discord, prof, &c.questions).await;
            }
            let clicks = step_clicks(rate, k, &c.questions);
            let mut o = fire(&c.discord, &c.bot, &c.questions, &clicks, rate as f64).await;
            o.stored = match &c.agora {
                Some((store, guild, _)) => {
                    let mut stored_now = 0;
                    for q in &c.questions {
                        stored_now += stored(store, guild, q).await;
                    }
                    stored_now
                }
                None => o.acknowledged,
            };
            let held = o.holds(P99_STEP);
            println!("{}{}", line(&format!("{} {rate}/s", c.name), &o), if held { "" } else { "  ← does not hold" });
            c.steps.push((rate, o));
            c.failures = if held { 0 } else { c.failures + 1 };
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
    println!("\nafter the comparison: {}", uptime());
    compare_summary(backend, &contenders);
    let mut drop_after = Vec::new();
    for c in contenders {
        if let Some((store, ..)) = c.agora {
            store.close().await;
        }
        drop_after.extend(c.postgres);
    }
    for url in drop_after {
        if let Err(e) = sqlx::Any::force_drop_database(&url).await {
            eprintln!("could not drop the bench database {url}: {e}");
        }
    }
}

/// What `c` measured at `rate`, if it ran that step.
fn at(c: &Contender, rate: u64) -> Option<&Outcome> {
    c.steps.iter().find(|(r, _)| *r == rate).map(|(_, o)| o)
}

/// Issue 25's table: each figure of each bot, and Agora's as a ratio to the bare bot's.
fn compare_summary(backend: &str, contenders: &[Contender]) {
    type Figure = Box<dyn Fn(&Contender) -> Option<f64>>;
    let rows: Vec<(&str, Figure, &str)> = vec![
        ("CPU per answer at 6,000/s (bot)", Box::new(|c| at(c, 6_000).map(|o| o.bot_cpu.as_secs_f64() * 1e6)), "µs"),
        ("CPU per answer at 6,000/s (stand-in and students)", Box::new(|c| at(c, 6_000).map(|o| o.bench_cpu.as_secs_f64() * 1e6)), "µs"),
        ("CPU per answer at 1,000/s (bot)", Box::new(|c| at(c, 1_000).map(|o| o.bot_cpu.as_secs_f64() * 1e6)), "µs"),
        ("idle VmRSS", Box::new(|c| Some(c.idle.0 as f64 / 1024.0)), "MiB"),
        ("idle anonymous memory", Box::new(|c| Some(c.idle.1 as f64 / 1024.0)), "MiB"),
        ("peak VmRSS at 1,000/s", Box::new(|c| at(c, 1_000).map(|o| o.peak_rss as f64 / 1024.0)), "MiB"),
        ("peak VmRSS at 6,000/s", Box::new(|c| at(c, 6_000).map(|o| o.peak_rss as f64 / 1024.0)), "MiB"),
        ("peak anonymous at 6,000/s", Box::new(|c| at(c, 6_000).map(|o| o.peak_anon as f64 / 1024.0)), "MiB"),
        ("p99 at 6,000/s", Box::new(|c| at(c, 6_000).map(|o| o.p99.as_secs_f64() * 1e3)), "ms"),
        ("written to disk per answer at 1,000/s", Box::new(|c| at(c, 1_000).map(|o| o.disk_bytes / 1000.0)), "KB"),
        ("written to disk per answer at 6,000/s", Box::new(|c| at(c, 6_000).map(|o| o.disk_bytes / 1000.0)), "KB"),
        ("highest rate with p99 ≤ 50 ms", Box::new(|c| c.steps.iter().filter(|(_, o)| o.holds(P99_STEP)).map(|(r, _)| *r as f64).reduce(f64::max)), "/s"),
    ];
    println!("\n## {backend}: each bot's figure, and its ratio to the bare bot's (Markdown, for BENCHMARKS.md)\n");
    let names: Vec<&str> = contenders.iter().map(|c| c.name.as_str()).collect();
    println!("| {backend} | {} |", names.join(" | "));
    println!("| --- |{}", " ---: |".repeat(names.len()));
    let bare = contenders.iter().find(|c| c.agora.is_none());
    for (label, figure, unit) in &rows {
        let base = bare.and_then(figure);
        let cells: Vec<String> = contenders
            .iter()
            .map(|c| match (figure(c), base) {
                (None, _) => "–".to_string(),
                (Some(v), Some(b)) if c.agora.is_some() && b > 0.0 => format!("{v:.1} {unit} ({:.2}×)", v / b),
                (Some(v), _) => format!("{v:.1} {unit}"),
            })
            .collect();
        println!("| {label} | {} |", cells.join(" | "));
    }
    println!("\nEvery step ({backend}):\n");
    println!(
        "| bot | offered/s | acknowledged/s | p50 ms | p99 ms | VmRSS peak (anonymous) MiB | disk KB/answer | CPU/answer: bot | stand-in | PostgreSQL | sleeps/answer | holds |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for rate in &COMPARE_RATES {
        for c in contenders {
            if let Some(o) = at(c, *rate) {
                println!(
                    "| {} | {rate} | {:.0} | {} | {} | {:.1} ({:.1}) | {:.1} | {} µs | {} µs | {} µs | {:.1} | {} |",
                    c.name,
                    o.done_rate,
                    ms(o.p50),
                    ms(o.p99),
                    o.peak_rss as f64 / 1024.0,
                    o.peak_anon as f64 / 1024.0,
                    o.disk_bytes / 1000.0,
                    o.bot_cpu.as_micros(),
                    o.bench_cpu.as_micros(),
                    o.db_cpu.as_micros(),
                    o.bot_sleeps,
                    if o.holds(P99_STEP) { "yes" } else { "no" }
                );
            }
        }
    }
}

fn summary(reports: &[Report]) {
    println!("\n## Summary (Markdown, for BENCHMARKS.md)\n");
    println!(
        "| backend | burst: 500 in 1 s, p50 / p99 | 500 at once, p50 / p99 | best rate with p99 ≤ 50 ms | its p50 / p99 | bot VmRSS idle / peak at that rate |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for r in reports {
        let best = r.steps.iter().filter(|(_, o)| o.holds(P99_STEP)).max_by_key(|(rate, _)| *rate);
        let (rate, lat, rss) = match best {
            Some((rate, o)) => (
                format!("{rate}/s (acknowledged {:.0}/s)", o.done_rate),
                format!("{} / {} ms", ms(o.p50), ms(o.p99)),
                format!("{:.1} MiB", o.peak_rss as f64 / 1024.0),
            ),
            None => ("none".into(), "–".into(), "–".into()),
        };
        let burst_mark = if r.burst.p99 <= P99_BURST { "" } else { " (over 10 ms)" };
        println!(
            "| {} | {} / {} ms{burst_mark} | {} / {} ms | {rate} | {lat} | {:.1} MiB / {rss} |",
            r.backend,
            ms(r.burst.p50),
            ms(r.burst.p99),
            ms(r.at_once.p50),
            ms(r.at_once.p99),
            r.idle_rss as f64 / 1024.0
        );
    }
    for r in reports {
        println!("\n{} steps:\n", r.backend);
        println!(
            "| offered/s | sent/s | acknowledged/s | p50 ms | p99 ms | max ms | bot VmRSS peak | CPU/answer: bot | stand-in | PostgreSQL | bot sleeps/answer | holds |"
        );
        println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        for (rate, o) in &r.steps {
            println!(
                "| {rate} | {:.0} | {:.0} | {} | {} | {} | {:.1} MiB | {} µs | {} µs | {} µs | {:.1} | {} |",
                o.send_rate,
                o.done_rate,
                ms(o.p50),
                ms(o.p99),
                ms(o.max),
                o.peak_rss as f64 / 1024.0,
                o.bot_cpu.as_micros(),
                o.bench_cpu.as_micros(),
                o.db_cpu.as_micros(),
                o.bot_sleeps,
                if o.holds(P99_STEP) { "yes" } else { "no" }
            );
        }
        // What the CPU time per answer at the busiest step allows on two otherwise idle cores.
        if let Some((rate, o)) = r.steps.last() {
            let per_answer = (o.bot_cpu + o.bench_cpu + o.db_cpu).as_secs_f64();
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as f64;
            if per_answer > 0.0 && o.bot_cpu > Duration::ZERO {
                println!(
                    "\nAt {rate}/s one answer cost {} µs of CPU in all (bot {} µs): {cores} idle cores would serve at most {:.0} answers/s with the stand-in on the same machine, {:.0}/s without it (the bot and its database alone).",
                    (per_answer * 1e6).round(),
                    o.bot_cpu.as_micros(),
                    cores / per_answer,
                    cores / (o.bot_cpu + o.db_cpu).as_secs_f64()
                );
            }
        }
    }
}
