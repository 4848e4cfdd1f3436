//! The real `agora serve` binary as a child process, pointed at a stand-in: start it, read
//! its log, stop it with SIGTERM or `kill -9`, measure its memory.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::discord::StandIn;

/// The repository's root (where `questions/` is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The folder holding the paper (`paper.md`, `anchors.tsv`), shipped with the bank.
pub fn paper_dir() -> PathBuf {
    root().join("questions/paper")
}

/// A copy of the bank (and the paper, under `paper/`) in `dir/questions`, for tests that
/// edit it; returns the copy's path.
pub fn copy_bank(dir: &Path) -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let questions = dir.join("questions");
    copy(&root().join("questions"), &questions);
    let paper = questions.join("paper");
    std::fs::create_dir_all(&paper).unwrap();
    for f in ["paper.md", "anchors.tsv"] {
        std::fs::copy(paper_dir().join(f), paper.join(f)).unwrap();
    }
    questions
}

/// How to start the bot.
#[derive(Clone, Debug, Default)]
pub struct BotConfig {
    /// `AGORA_GUILD_ID`: register the commands in this guild; `None` registers globally.
    pub guild: Option<u64>,
    /// `DISCORD_TOKEN`; `None` uses the stand-in's token, `Some("")` leaves it unset.
    pub token: Option<String>,
    /// The bank's folder; `None` is the repository's `questions/`.
    pub questions: Option<PathBuf>,
    /// More arguments after `serve` (`--shards 0-0 --shard-total 2`, …).
    pub args: Vec<String>,
    /// `DATABASE_URL` (a PostgreSQL database several bots share); `None` is a SQLite file in
    /// the bot's own folder.
    pub database_url: Option<String>,
    /// More environment variables for the bot (`AGORA_ANSWERS_IN_FLIGHT`, …).
    pub env: Vec<(String, String)>,
}

/// A running `agora serve`. Dropping it kills the process.
pub struct Bot {
    child: Child,
    config: BotConfig,
    logs: Arc<Mutex<String>>,
    /// Holds the config and the SQLite database.
    pub dir: tempfile::TempDir,
    /// The bot's `DATABASE_URL`.
    pub database_url: String,
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(discord: Option<&StandIn>, config: &BotConfig, dir: &Path) -> (Command, String) {
    let database_url = config.database_url.clone().unwrap_or_else(|| format!("sqlite://{}", dir.join("agora.db").display()));
    let questions = config.questions.clone().unwrap_or_else(|| root().join("questions"));
    let config_file = dir.join("agora.yaml");
    std::fs::write(
        &config_file,
        format!("database_url: {database_url:?}\nquestions: {:?}\nlog: \"info,agora=debug,serenity=warn\"\n", questions.display().to_string()),
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_agora"));
    cmd.current_dir(root()).arg("--config").arg(&config_file).arg("serve").args(&config.args);
    for var in ["AGORA_CONFIG", "DATABASE_URL", "DISCORD_TOKEN", "AGORA_GUILD_ID", "DISCORD_API_BASE"] {
        cmd.env_remove(var);
    }
    match (&config.token, discord) {
        (Some(t), _) if t.is_empty() => {}
        (Some(t), _) => {
            cmd.env("DISCORD_TOKEN", t);
        }
        (None, Some(d)) => {
            cmd.env("DISCORD_TOKEN", &d.token);
        }
        (None, None) => {}
    }
    if let Some(d) = discord {
        cmd.env("DISCORD_API_BASE", &d.base);
    }
    if let Some(g) = config.guild {
        cmd.env("AGORA_GUILD_ID", g.to_string());
    }
    cmd.envs(config.env.iter().map(|(k, v)| (k, v)));
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    (cmd, database_url)
}

/// Spawns `agora serve` with its output collected in `logs`, shown by the stand-in's
/// failure messages.
fn spawn(discord: &StandIn, config: &BotConfig, dir: &Path, logs: &Arc<Mutex<String>>) -> (Child, String) {
    let (mut cmd, database_url) = command(Some(discord), config, dir);
    let mut child = cmd.spawn().expect("start agora serve");
    for stream in [Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>, Box::new(child.stderr.take().unwrap())] {
        let logs = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let mut l = logs.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
    }
    let shown = logs.clone();
    discord.attach_logs(Arc::new(move || {
        let l = shown.lock().unwrap();
        let mut start = l.len().saturating_sub(8000);
        while !l.is_char_boundary(start) {
            start += 1;
        }
        l[start..].to_string()
    }));
    (child, database_url)
}

impl Bot {
    /// Starts `agora serve` against `discord`; its log is kept (and shown by the stand-in's
    /// failure messages).
    pub fn start(discord: &StandIn, config: BotConfig) -> Bot {
        let dir = tempfile::tempdir().unwrap();
        let logs = Arc::new(Mutex::new(String::new()));
        let (child, database_url) = spawn(discord, &config, dir.path(), &logs);
        Bot { child, config, logs, dir, database_url }
    }

    /// Starts the bot again on the same database and bank (after `kill9` or `signal("TERM")`;
    /// a running bot is killed first). Wait with `discord.wait_registered(guild,
    /// registrations_before)`.
    pub fn restart(&mut self, discord: &StandIn) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.logs.lock().unwrap().push_str("---- restart ----\n");
        let (child, _) = spawn(discord, &self.config, self.dir.path(), &self.logs);
        self.child = child;
    }

    /// Runs `agora serve` to its end (it must end within `timeout`), for start-up failures;
    /// returns its exit status and everything it printed.
    pub fn run_to_exit(discord: Option<&StandIn>, config: BotConfig, timeout: Duration) -> (ExitStatus, String) {
        let dir = tempfile::tempdir().unwrap();
        let (mut cmd, _) = command(discord, &config, dir.path());
        let mut child = cmd.spawn().expect("start agora serve");
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let out = child.wait_with_output().unwrap();
                panic!("agora serve did not end within {timeout:?}:\n{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let out = child.wait_with_output().unwrap();
        (status, format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the bot has printed so far.
    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
    }

    /// The bot's resident memory (VmRSS) in KiB.
    pub fn rss_kib(&self) -> u64 {
        self.memory_kib().0
    }

    /// The bot's resident memory in KiB: (VmRSS, RssAnon, RssFile) from /proc/PID/status.
    /// File-backed pages are mostly the binary's code, which a debug build inflates.
    pub fn memory_kib(&self) -> (u64, u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        let field =
            |name: &str| status.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap_or(0);
        (field("VmRSS:"), field("RssAnon:"), field("RssFile:"))
    }

    /// Sends `signal` (`"TERM"`, `"KILL"`, …) to the bot.
    pub fn signal(&self, signal: &str) {
        let ok = Command::new("kill").arg(format!("-{signal}")).arg(self.pid().to_string()).status().is_ok_and(|s| s.success());
        assert!(ok, "could not send SIG{signal} to the bot");
    }

    /// `kill -9`: the bot dies at once, as in a crash.
    pub fn kill9(&mut self) {
        self.signal("KILL");
        let _ = self.child.wait();
    }

    /// Waits for the bot to exit (it must within `timeout`).
    pub async fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the bot did not exit within {timeout:?}; log:\n{}", self.logs());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the bot's log holds `needle`.
    pub async fn wait_log(&self, needle: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self.logs().contains(needle) {
            assert!(Instant::now() < deadline, "the bot's log never said `{needle}` within {timeout:?}; log:\n{}", self.logs());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
