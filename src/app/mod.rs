//! The classroom layer: every workflow of a class — practice, live rounds, debates,
//! argument prompts, scores, settings — as single-step operations on the bank, the store
//! and a clock, each returning a view or a user error. The Discord bot and `agora play` are
//! two faces of it.
//!
//! Invariants:
//! * faces hold no workflow: they parse, call one operation, render its view;
//! * the store is the truth: a live round's in-memory state is a cache rebuilt from the
//!   store (after a restart, or when a round is first touched), and an answer is committed
//!   before anyone is told it counted;
//! * time comes from the [`Clock`] the layer was built with, so tests drive it by hand.

mod dashboard;
mod debate;
mod error;
pub mod forms;
mod live;
mod practice;
mod prompts;
mod scores;
mod settings;
mod spaced;
pub mod view;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

pub use dashboard::{BankFileView, Dashboard, DashboardLink, HeatmapRow, ItemView, LinkSettings, QuestionHeld, QueueView, RoundHeld, TopicColumn};
pub use debate::{AdvanceFrom, DebateAt, DebateRequest, MotionChoice, PhaseSeconds};
pub use error::{APOLOGY, AppError, AppResult, UserError};
pub use forms::ballot_codes;
pub use live::{LivePost, LiveRequest, ResumedRound};
pub use practice::PracticeRequest;
pub use prompts::{PromptRequest, SUBMISSION_CHARS};
pub use scores::ItemReport;
pub use settings::{DebateSettings, PracticeSettings, PromptSettings, SECONDS, Settings, SettingsChange};
pub use spaced::{NextReview, RecallView, ReminderView, TopicRecall, utc_date};
pub use view::*;

/// The outbox's rows as a face's poster delivers them (`store/outbox.rs`), named through the
/// layer like every other type a face handles.
pub use crate::store::{Board as DebateBoard, LEADERBOARD, Pending, PostKind};

use crate::bank::{Bank, Problems, Question};
use crate::ids::{DebateId, GuildId, ItemId, RoundId, UserId};
use crate::quiz::Millis;
use crate::stable::fnv1a;
use crate::store::Store;

/// Where the layer reads the time.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Millis;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Millis {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as Millis)
    }
}

/// A clock that moves only when told: for tests and replays.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(start: Millis) -> ManualClock {
        ManualClock(AtomicI64::new(start))
    }
    pub fn set(&self, now: Millis) {
        self.0.store(now, Ordering::SeqCst);
    }
    pub fn advance(&self, ms: Millis) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Millis {
        self.0.load(Ordering::SeqCst)
    }
}

impl<C: Clock> Clock for Arc<C> {
    fn now(&self) -> Millis {
        (**self).now()
    }
}

/// Who is asking, as a face knows them: enough to name them and to check what they may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: UserId,
    /// The name shown on leaderboards (kept as given; renderers make it safe).
    pub name: String,
    /// Discord's Manage Server permission (the terminal's own user has it).
    pub manage_guild: bool,
    /// Role ids the member has.
    pub roles: Vec<String>,
}

impl Member {
    /// The terminal's student: the only person at the keyboard, so also its instructor.
    pub fn local(id: UserId, name: &str) -> Member {
        Member { id, name: name.to_owned(), manage_guild: true, roles: Vec::new() }
    }

    /// The operator of the `agora` command line (`agora scores …`): whoever may run it on the
    /// machine holding the store is the instructor of every server in it.
    pub fn operator() -> Member {
        Member::local(UserId::new("local:operator"), "operator")
    }
}

/// What only an instructor may do. Each privileged operation of the layer names its own, so
/// the one refusal ([`UserError::NotInstructor`]) says what was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Privilege {
    /// Start a live round, reveal, move to the next question, end it.
    RunRound,
    /// Start a debate, assign, balance, advance, preview, release, cancel.
    RunDebate,
    /// Read the review queue of prompt answers and mark them.
    MarkAnswers,
    /// The gradebook.
    ExportGradebook,
    /// The item report.
    ItemReport,
    /// Delete a student's records.
    ForgetStudent,
    /// Reload the question bank from its files.
    ReloadBank,
    /// Post a passage of the paper for the whole channel.
    SharePassage,
    /// Get or revoke a link to the class's page.
    Dashboard,
}

impl std::fmt::Display for Privilege {
    /// Completes "Only an instructor can …".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Privilege::RunRound => "run a live round",
            Privilege::RunDebate => "run a debate",
            Privilege::MarkAnswers => "review and mark answers",
            Privilege::ExportGradebook => "export the gradebook",
            Privilege::ItemReport => "see the item report",
            Privilege::ForgetStudent => "delete a student's records",
            Privilege::ReloadBank => "reload the question bank",
            Privilege::SharePassage => "post a passage for the whole channel",
            Privilege::Dashboard => "open the class's page",
        })
    }
}

/// What a reload did.
pub enum Reloaded {
    /// The new bank passed the checker and is in use.
    Done { before: Arc<Bank>, after: Arc<Bank> },
    /// The checker found problems; the old bank stays.
    Refused(Problems),
}

/// Live rounds by server and round, each behind its own lock.
type LiveCache = HashMap<(GuildId, RoundId), Arc<Mutex<live::Live>>>;

/// One async lock per debate a process has touched.
type DebateLocks = HashMap<(GuildId, DebateId), Arc<tokio::sync::Mutex<()>>>;

/// The classroom layer. Cheap to share behind an `Arc`; every operation takes `&self`.
pub struct App {
    /// Swapped whole by a reload; operations hold the `Arc` they started with.
    bank: RwLock<Arc<Bank>>,
    store: Store,
    clock: Box<dyn Clock>,
    /// Live rounds touched since start, rebuilt from the store on first use. Each round has
    /// its own lock, held only between reads and writes of memory, never across a database
    /// call, so a class's answers are committed concurrently (and batched by the store).
    live: Mutex<LiveCache>,
    /// One lock per debate touched, held across an operation's read, move and write, so the
    /// moves of one debate apply one at a time in this process (a class is a few dozen
    /// people; the store's phase checks catch another process).
    debates: Mutex<DebateLocks>,
    /// Mixed into fresh seeds, so two starts in the same millisecond differ.
    counter: AtomicU64,
    /// Where the instructor's page is and how its links are signed.
    links: dashboard::Links,
    /// Held across a prompt's draw and its record, so two draws in this process never pick
    /// the same prompt for one channel at once (a server is served by one process).
    prompt_turn: tokio::sync::Mutex<()>,
}

impl App {
    pub fn new(bank: Bank, store: Store, clock: impl Clock) -> App {
        App {
            bank: RwLock::new(Arc::new(bank)),
            store,
            clock: Box::new(clock),
            live: Mutex::new(HashMap::new()),
            debates: Mutex::new(HashMap::new()),
            counter: AtomicU64::new(0),
            links: dashboard::Links::default(),
            prompt_turn: tokio::sync::Mutex::new(()),
        }
    }

    /// Opens the store at `database_url` (creating a SQLite file on first use, running the
    /// migrations) and builds the layer over it.
    pub async fn open(bank: Bank, database_url: &str, clock: impl Clock) -> AppResult<App> {
        Ok(App::new(bank, Store::connect(database_url).await?, clock))
    }

    /// Closes the store, once the faces have stopped calling.
    pub async fn close(&self) {
        self.store.clone().close().await
    }

    /// The bank as it is now.
    pub fn bank(&self) -> Arc<Bank> {
        self.bank.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the bank (after a reload that passed the checker). Rounds under way keep
    /// their questions; one whose current question is gone is closed when next touched.
    pub fn set_bank(&self, bank: Bank) {
        *self.bank.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(bank);
    }

    /// An instructor reloads the bank: `load` reads and checks its files again (a face may
    /// acknowledge the slow part first, since `load` runs only once the check has passed),
    /// and the new bank is swapped in only if it passes.
    pub async fn reload_bank(
        &self,
        guild: &GuildId,
        instructor: &Member,
        load: impl std::future::Future<Output = anyhow::Result<Result<Bank, Problems>>>,
    ) -> AppResult<Reloaded> {
        self.require_instructor(guild, instructor, Privilege::ReloadBank).await?;
        Ok(match load.await? {
            Ok(new) => {
                let before = self.bank();
                self.set_bank(new);
                Reloaded::Done { before, after: self.bank() }
            }
            Err(problems) => Reloaded::Refused(problems),
        })
    }

    /// Whether `member` may post a passage of the paper for the whole channel (an
    /// instructor); anyone may read one privately.
    pub async fn share_passage(&self, guild: &GuildId, member: &Member) -> AppResult<()> {
        self.require_instructor(guild, member, Privilege::SharePassage).await.map(drop)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> Millis {
        self.clock.now()
    }

    /// A seed no other start of this process shares: the time, a counter and who asked.
    fn fresh_seed(&self, who: &str) -> u64 {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        fnv1a(format!("{who}|{}|{n}", self.now()).as_bytes())
    }

    /// The server's settings, checked; the defaults when it has none.
    pub async fn settings(&self, guild: &GuildId) -> AppResult<Settings> {
        let json = self.store.guild_settings(guild.as_str()).await?;
        Settings::from_json(json.as_deref()).map_err(|e| AppError::internal(format!("server {guild}: {e}")))
    }

    /// The one rule of who is an instructor here: Manage Server (or Administrator, which a
    /// face folds into `manage_guild`), or the server's instructor role.
    pub fn is_instructor(settings: &Settings, member: &Member) -> bool {
        member.manage_guild || settings.instructor_role.as_ref().is_some_and(|r| member.roles.contains(r))
    }

    /// Refuses anyone who is not an instructor here, naming what was refused; every
    /// privileged operation of the layer starts with it. Returns the server's settings.
    pub(crate) async fn require_instructor(&self, guild: &GuildId, member: &Member, privilege: Privilege) -> AppResult<Settings> {
        let settings = self.settings(guild).await?;
        if App::is_instructor(&settings, member) {
            Ok(settings)
        } else {
            Err(UserError::NotInstructor { privilege, role: settings.instructor_role.clone() }.into())
        }
    }

    /// The server's settings as `member` may see and change them (Manage Server only); with
    /// an empty `change`, only shows them. Returns them as stored.
    pub async fn update_settings(&self, guild: &GuildId, member: &Member, change: &SettingsChange) -> AppResult<Settings> {
        if !member.manage_guild {
            return Err(UserError::NotManager.into());
        }
        if *change == SettingsChange::default() {
            return self.settings(guild).await;
        }
        let settings = self.settings(guild).await?.apply(change)?;
        self.store.set_guild_settings(guild.as_str(), &settings.to_json()).await?;
        Ok(settings)
    }

    /// The question with this id, or a user error saying the bank no longer has it.
    fn question<'b>(bank: &'b Bank, item: &ItemId) -> AppResult<&'b Question> {
        bank.question(item.as_str()).ok_or_else(|| UserError::QuestionGone.into())
    }

    /// The filter with each typed topic resolved to the bank's topic it names (any case,
    /// hyphens or spaces, a unique beginning), so a typo is a clear error, not "no questions".
    fn resolve_filter(bank: &Bank, filter: &crate::quiz::Filter) -> AppResult<crate::quiz::Filter> {
        let topics = filter.topics.iter().map(|t| App::resolve_topic(bank, t)).collect::<AppResult<Vec<_>>>()?;
        Ok(crate::quiz::Filter { topics, ..filter.clone() })
    }

    /// The id of the topic a person typed.
    fn resolve_topic(bank: &Bank, typed: &str) -> AppResult<String> {
        Ok(bank.find_topic(typed).map_err(UserError::Name)?.id.clone())
    }

    /// A round id no other round of the server has: a prefix, the start time and a salt.
    fn round_id(prefix: char, now: Millis, seed: u64) -> RoundId {
        RoundId::new(format!("{prefix}{now:x}{:04x}", seed & 0xffff))
    }
}

/// item id → topics, as the store's reports need them.
pub fn item_topics(bank: &Bank) -> HashMap<String, Vec<String>> {
    bank.questions.iter().map(|q| (q.id.clone(), q.topics.clone())).collect()
}

/// Text written over several lines (a speech's reasoning, a prompt answer, feedback), as the
/// layer stores it: cleaned by the one rule in [`crate::text::typed`], line breaks kept, tabs
/// read as spaces, surrounding blank space trimmed.
pub(crate) fn clean_text(text: &str) -> String {
    crate::text::typed(text).replace('\t', " ").trim().to_owned()
}

/// Text a student typed, as the layer judges and stores it: cleaned by the one rule in
/// [`crate::text::typed`] (no NUL, control characters or ANSI escapes), with line breaks
/// and tabs read as spaces, since an answer is one line.
pub(crate) fn clean_typed(typed: &str) -> String {
    crate::text::typed(typed).replace(['\n', '\t'], " ")
}
