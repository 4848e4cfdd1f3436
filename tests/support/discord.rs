//! A stand-in for Discord on 127.0.0.1: REST API v10 and gateway v10, enough for the real
//! serenity client (see `../shared/DISCORD-TESTING.md`), with a test API to play students
//! and instructors and to read what they would see.
//!
//! It holds the bot to Discord's rules: a first response later than 3 s, a second callback on
//! one interaction, a message that could ping, a command Discord would refuse, a request to a
//! route Discord does not have here: each is a violation that `assert_clean` panics on.
//!
//! Faults: [`StandIn::fault`] makes the next N calls of a route fail with a status (a 500, a
//! 429 with `retry_after` as Discord sends it, a 403 or 404) or wait before they are served.
//! A failed call changes nothing (no message is created or edited); a delayed one is served
//! after its delay, so a delayed first response still counts against the 3 s rule.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequest, Multipart, Request, State as AxState};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc};

/// How long the waiting helpers wait by default.
pub const WAIT: Duration = Duration::from_secs(10);
/// Discord invalidates an interaction that gets no first response within this.
pub const DEADLINE: Duration = Duration::from_secs(3);
/// The ephemeral message flag.
pub const EPHEMERAL: u64 = 1 << 6;

/// Permission bits, as Discord sends them in `member.permissions`.
pub mod perms {
    pub const ADMINISTRATOR: u64 = 1 << 3;
    pub const MANAGE_GUILD: u64 = 1 << 5;
    /// What a student has in a class channel: view, send, embed, attach, read history, use
    /// application commands, … (Discord's default member permissions), without Manage Server.
    pub const STUDENT: u64 = 1071698660929 & !MANAGE_GUILD & !ADMINISTRATOR;
    pub const INSTRUCTOR: u64 = STUDENT | MANAGE_GUILD;
}

/// Someone who sends interactions: a member of a guild (or a DM user when `dm`).
#[derive(Clone, Debug)]
pub struct User {
    pub id: u64,
    pub name: String,
    /// `member.permissions`, as Discord computes it for the channel.
    pub permissions: u64,
    pub roles: Vec<u64>,
    /// Send interactions as a direct message (no guild, no member).
    pub dm: bool,
}

impl User {
    pub fn student(id: u64, name: &str) -> User {
        User { id, name: name.into(), permissions: perms::STUDENT, roles: Vec::new(), dm: false }
    }
    pub fn instructor(id: u64, name: &str) -> User {
        User { permissions: perms::INSTRUCTOR, ..User::student(id, name) }
    }
    pub fn with_roles(mut self, roles: &[u64]) -> User {
        self.roles = roles.to_vec();
        self
    }
    pub fn in_dm(mut self) -> User {
        self.dm = true;
        self
    }
}

/// An interaction the stand-in sent: what the waiting helpers need to find its answers.
#[derive(Clone, Debug)]
pub struct Sent {
    pub id: u64,
    pub token: String,
    pub channel: u64,
    pub user: u64,
    /// `/source`, `button:CUSTOM_ID`, `modal:CUSTOM_ID`, `autocomplete:/source`: for messages.
    pub label: String,
}

/// One interaction callback as it arrived.
#[derive(Clone, Debug)]
pub struct Callback {
    /// 1 pong, 4 reply, 5 deferred reply, 6 deferred update, 7 update message, 8 autocomplete, 9 modal.
    pub kind: u64,
    pub data: Value,
    /// From the moment the interaction was sent on the gateway.
    pub after: Duration,
    /// What the stand-in answered: 204, or 400 (40060, already acknowledged), 404 (too late).
    pub status: u16,
}

/// A file sent with a message (multipart), kept as Discord keeps an attachment: with its own
/// snowflake id, and shown with its size and url.
#[derive(Clone, Debug)]
pub struct File {
    pub id: u64,
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// A fresh snowflake for an attachment: the milliseconds since Discord's epoch (2015) in the
/// high bits, a counter in the low ones, as Discord makes them.
fn attachment_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    (now.saturating_sub(DISCORD_EPOCH_MS) << 22) | (NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) & 0x3F_FFFF)
}

/// A message as Discord keeps it: what students see.
#[derive(Clone, Debug)]
pub struct Message {
    pub id: u64,
    pub channel_id: u64,
    pub content: String,
    pub embeds: Vec<Value>,
    pub components: Vec<Value>,
    pub allowed_mentions: Option<Value>,
    pub flags: u64,
    pub attachments: Vec<File>,
    /// The interaction this message answers (its first response, or a follow-up).
    pub interaction: Option<u64>,
    /// The only user who sees it (an ephemeral message), or `None` for everybody.
    pub visible_to: Option<u64>,
    /// A deferred response's "thinking…" that nothing has replaced yet.
    pub thinking: bool,
    pub deleted: bool,
    /// How many times it was edited.
    pub edits: u32,
}

impl Message {
    pub fn ephemeral(&self) -> bool {
        self.flags & EPHEMERAL != 0
    }

    /// The content and every embed's title, description, field names and values, footer,
    /// and the labels of the buttons: everything a reader sees, for `contains` checks.
    pub fn text(&self) -> String {
        let mut out = self.content.clone();
        for e in &self.embeds {
            for key in ["title", "description"] {
                if let Some(s) = e[key].as_str() {
                    out.push('\n');
                    out.push_str(s);
                }
            }
            for f in e["fields"].as_array().into_iter().flatten() {
                out.push_str(&format!("\n{}\n{}", f["name"].as_str().unwrap_or(""), f["value"].as_str().unwrap_or("")));
            }
            if let Some(s) = e["footer"]["text"].as_str() {
                out.push('\n');
                out.push_str(s);
            }
        }
        for b in self.buttons() {
            out.push('\n');
            out.push_str(b["label"].as_str().or_else(|| b["placeholder"].as_str()).unwrap_or(""));
            for o in b["options"].as_array().into_iter().flatten() {
                out.push('\n');
                out.push_str(o["label"].as_str().unwrap_or(""));
            }
        }
        out
    }

    /// The select menu (component type 3) of the message, if it has one.
    pub fn menu(&self) -> Option<&Value> {
        self.buttons().into_iter().find(|c| c["type"] == 3)
    }

    /// Every button (or other component) of every action row.
    pub fn buttons(&self) -> Vec<&Value> {
        self.components.iter().flat_map(|row| row["components"].as_array().into_iter().flatten()).collect()
    }

    /// The `custom_id` of the button whose label contains `label`.
    pub fn button_id(&self, label: &str) -> Option<String> {
        self.buttons().into_iter().find(|b| b["label"].as_str().is_some_and(|l| l.contains(label))).and_then(|b| b["custom_id"].as_str()).map(str::to_string)
    }
}

/// A message as clicks carry it, serialized once ([`StandIn::shown`]).
#[derive(Clone, Debug)]
pub struct Shown {
    id: u64,
    channel: u64,
    json: Arc<str>,
}

/// What an injected fault does to a call ([`StandIn::fault`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Answer with this status and Discord's error body for it (403 Missing Permissions,
    /// 404 Unknown Channel, 500, …); the call does nothing.
    Status(u16),
    /// Answer 429 as Discord does: `retry_after` (seconds) and `global: false` in the JSON
    /// body, `Retry-After` and the `X-RateLimit-*` headers; the call does nothing.
    RateLimited { retry_after: f64 },
    /// Serve the call normally after this delay.
    Delay(Duration),
}

/// A fault waiting for the calls of one route.
#[derive(Clone, Debug)]
struct Armed {
    method: String,
    /// The path below `/api/v10/`, split at `/`; a `{…}` segment matches any one segment.
    pattern: Vec<String>,
    fault: Fault,
    left: usize,
}

impl Armed {
    fn matches(&self, method: &str, segments: &[&str]) -> bool {
        self.method.eq_ignore_ascii_case(method)
            && self.pattern.len() == segments.len()
            && self.pattern.iter().zip(segments).all(|(p, s)| (p.starts_with('{') && p.ends_with('}')) || p == s)
    }
}

/// A request body that creates or edits a message, as received: for checks over all of them.
#[derive(Clone, Debug)]
pub struct Payload {
    pub route: String,
    pub body: Value,
}

#[derive(Clone, Debug)]
pub struct Guild {
    pub id: u64,
    pub name: String,
    pub channels: Vec<(u64, String)>,
    pub roles: Vec<(u64, String, u64)>,
    pub members: Vec<User>,
}

struct Interaction {
    sent_at: Instant,
    token: String,
    channel: u64,
    user: u64,
    label: String,
    /// The message a component or modal interaction came from.
    message: Option<u64>,
    /// Autocomplete interactions need type 8, which has no message.
    autocomplete: bool,
    callbacks: Vec<Callback>,
    /// The message that is the interaction's response (`@original`).
    original: Option<u64>,
    followups: Vec<u64>,
}

enum Outbound {
    Json(Value),
    /// A frame serialized already (every dispatch: see [`dispatch`]).
    Text(String),
    Close(u16, &'static str),
}

struct Session {
    id: String,
    shard: (u64, u64),
    tx: mpsc::UnboundedSender<Outbound>,
    seq: u64,
}

#[derive(Default)]
struct State {
    app_id: u64,
    token: String,
    reject_token: bool,
    next_id: u64,
    guilds: Vec<Guild>,
    sessions: Vec<Session>,
    /// Session id → shard, for RESUME.
    resumable: HashMap<String, (u64, u64)>,
    identifies: usize,
    resumes: usize,
    /// How many command lists were registered (a restarted bot registers again).
    registrations: usize,
    commands: HashMap<Option<u64>, Vec<Value>>,
    interactions: HashMap<u64, Interaction>,
    by_token: HashMap<String, u64>,
    messages: Vec<Message>,
    payloads: Vec<Payload>,
    violations: Vec<String>,
    requests: Vec<String>,
    logs: Option<Arc<dyn Fn() -> String + Send + Sync>>,
    faults: Vec<Armed>,
    /// Calls a fault was applied to, as `METHOD /path -> fault`.
    faulted: Vec<String>,
}

impl State {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// An interaction's id as Discord makes it: a snowflake holding the time it was created
    /// (`age` ago), in milliseconds since Discord's epoch, above 22 bits that keep it unique.
    fn snowflake(&mut self, age: Duration) -> u64 {
        const DISCORD_EPOCH_MS: u128 = 1_420_070_400_000;
        let created = (std::time::SystemTime::now() - age).duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_millis() - DISCORD_EPOCH_MS;
        ((created as u64) << 22) | (self.id() & 0x3F_FFFF)
    }

    fn message_mut(&mut self, id: u64) -> Option<&mut Message> {
        self.messages.iter_mut().find(|m| m.id == id)
    }
}

struct Shared {
    state: Mutex<State>,
    changed: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The stand-in. Dropping it stops the server.
pub struct StandIn {
    /// `http://127.0.0.1:PORT`: the bot's `DISCORD_API_BASE`.
    pub base: String,
    /// The application (and bot user) id.
    pub app_id: u64,
    /// The token the bot must present (`DISCORD_TOKEN`).
    pub token: String,
    /// The guild and channel `start` creates ("Class", "#general").
    pub guild: u64,
    pub channel: u64,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

/// A test that ends with violations it did not take fails here, even if it forgot to call
/// `assert_clean`.
impl Drop for StandIn {
    fn drop(&mut self) {
        self.server.abort();
        if !std::thread::panicking() {
            self.assert_clean();
        }
    }
}

fn err(status: StatusCode, code: u64, message: &str) -> Response {
    (status, Json(json!({"code": code, "message": message}))).into_response()
}

impl StandIn {
    /// Starts a stand-in on 127.0.0.1:0 with one application, one guild ("Class") and its
    /// channel "#general".
    pub async fn start() -> StandIn {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let base = format!("http://{}", listener.local_addr().unwrap());
        // Snowflakes after 2024-01-01 (ms since the Discord epoch, shifted by 22 bits).
        let start_id = (1_704_067_200_000u64 - 1_420_070_400_000) << 22;
        let mut state = State { next_id: start_id, ..State::default() };
        let app_id = state.id();
        state.app_id = app_id;
        state.token = format!("{}.stand-in.token", encode_id(app_id));
        let token = state.token.clone();
        let guild = state.id();
        let channel = state.id();
        state.guilds.push(Guild { id: guild, name: "Class".into(), channels: vec![(channel, "general".into())], roles: Vec::new(), members: Vec::new() });
        let shared = Arc::new(Shared { state: Mutex::new(state), changed: Notify::new() });
        let app = Router::new()
            .route("/gateway", get(gateway))
            .route("/api/v10/gateway", get(get_gateway))
            .fallback(any(rest))
            .with_state((shared.clone(), base.clone()));
        // TCP_NODELAY, as Discord's servers: without it a gateway frame that follows another
        // within a few milliseconds waits for the bot's delayed ACK (up to 40 ms), a delay of
        // the stand-in's own that the bot's latency figures would otherwise carry.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        StandIn { base, app_id, token, guild, channel, shared, server }
    }

    /// A token the bot will present: the stand-in refuses it (REST 401, gateway close 4004)
    /// while `reject` is on, as Discord does with a reset or mistyped token.
    pub fn reject_token(&self, reject: bool) {
        self.shared.lock().reject_token = reject;
    }

    /// Makes the next `times` calls of `route` meet `fault`. `route` is a method and a path
    /// below `/api/v10`, with `{…}` for any one segment: `"POST /channels/{id}/messages"`,
    /// `"PATCH /webhooks/{app}/{token}/messages/@original"`,
    /// `"POST /interactions/{id}/{token}/callback"`. Faults armed on the same route apply in
    /// the order they were armed.
    pub fn fault(&self, route: &str, times: usize, fault: Fault) {
        let (method, path) = route.split_once(' ').unwrap_or_else(|| panic!("a route is `METHOD /path`, not {route:?}"));
        let pattern = path.trim_start_matches('/').split('/').map(str::to_string).collect();
        self.shared.lock().faults.push(Armed { method: method.to_string(), pattern, fault, left: times });
    }

    /// Disarms every fault not yet applied.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// The calls a fault was applied to so far, as `METHOD /path -> fault`.
    pub fn faulted(&self) -> Vec<String> {
        self.shared.lock().faulted.clone()
    }

    /// Waits until `n` calls have met a fault (or `timeout` passes); returns how many did.
    pub async fn wait_faulted(&self, n: usize, timeout: Duration) -> usize {
        self.wait_for(timeout, |v| (v.0.faulted.len() >= n).then_some(())).await;
        self.shared.lock().faulted.len()
    }

    /// Lets failure messages show the bot's recent log (set by `Bot::start`).
    pub fn attach_logs(&self, logs: Arc<dyn Fn() -> String + Send + Sync>) {
        self.shared.lock().logs = Some(logs);
    }

    fn logs(&self) -> String {
        let f = self.shared.lock().logs.clone();
        f.map(|f| f()).unwrap_or_default()
    }

    fn changed(&self) {
        self.shared.changed.notify_waiters();
    }

    /// Adds a guild with one text channel; returns (guild, channel). A connected bot gets its
    /// GUILD_CREATE at once, as when it is invited.
    pub fn add_guild(&self, name: &str) -> (u64, u64) {
        self.add_guild_on_shard(name, 0, 1)
    }

    /// Adds a guild with one text channel whose id falls on gateway shard `shard` of `total`
    /// (Discord's rule: (guild id >> 22) mod total); returns (guild, channel). Sent as
    /// GUILD_CREATE to the bot running that shard, if one is connected.
    pub fn add_guild_on_shard(&self, name: &str, shard: u64, total: u64) -> (u64, u64) {
        assert!(shard < total, "shard {shard} of {total}");
        let mut s = self.shared.lock();
        let mut guild = s.id();
        // Ids from `id()` count up by one, so a step of 2^22 moves to the next shard and
        // stays clear of every id handed out later.
        while (guild >> 22) % total != shard {
            guild += 1 << 22;
        }
        let channel = s.id();
        let g = Guild { id: guild, name: name.into(), channels: vec![(channel, "general".into())], roles: Vec::new(), members: Vec::new() };
        let payload = guild_create(&g, s.app_id);
        s.guilds.push(g);
        dispatch(&mut s, Some(guild), "GUILD_CREATE", &payload.to_string());
        (guild, channel)
    }

    /// Adds a text channel to a guild (sent to a connected bot as CHANNEL_CREATE).
    pub fn add_channel(&self, guild: u64, name: &str) -> u64 {
        let mut s = self.shared.lock();
        let id = s.id();
        let g = s.guilds.iter_mut().find(|g| g.id == guild).expect("no such guild");
        g.channels.push((id, name.into()));
        dispatch(
            &mut s,
            Some(guild),
            "CHANNEL_CREATE",
            &json!({"id": id.to_string(), "type": 0, "name": name, "guild_id": guild.to_string(), "position": 0, "permission_overwrites": [], "nsfw": false})
                .to_string(),
        );
        id
    }

    /// Adds a role (with these permission bits) to a guild; returns its id.
    pub fn add_role(&self, guild: u64, name: &str, permissions: u64) -> u64 {
        let mut s = self.shared.lock();
        let id = s.id();
        s.guilds.iter_mut().find(|g| g.id == guild).expect("no such guild").roles.push((id, name.into(), permissions));
        id
    }

    /// Lists a member in the guild's GUILD_CREATE (for bots that read members).
    pub fn add_member(&self, guild: u64, user: &User) {
        self.shared.lock().guilds.iter_mut().find(|g| g.id == guild).expect("no such guild").members.push(user.clone());
    }

    /// Waits until `f` returns something, re-checking whenever the stand-in's state changes.
    pub async fn wait_for<T>(&self, timeout: Duration, mut f: impl FnMut(&StandInView<'_>) -> Option<T>) -> Option<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let s = self.shared.lock();
                if let Some(t) = f(&StandInView(&s)) {
                    return Some(t);
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let s = self.shared.lock();
                return f(&StandInView(&s));
            }
        }
    }

    /// Waits until a bot has identified on the gateway and registered its commands (in
    /// `guild`, or globally for `None`); returns them.
    pub async fn wait_ready(&self, guild: Option<u64>) -> Vec<Value> {
        self.wait_registered(guild, 0).await
    }

    /// Waits until a bot is connected and has registered its commands after the first
    /// `previous` registrations (`registrations()` before a restart); returns them.
    pub async fn wait_registered(&self, guild: Option<u64>, previous: usize) -> Vec<Value> {
        let got = self
            .wait_for(Duration::from_secs(30), |v| (v.0.registrations > previous && v.connected()).then(|| v.0.commands.get(&guild).cloned()).flatten())
            .await;
        got.unwrap_or_else(|| {
            panic!(
                "the bot did not connect and register its commands ({}) within 30 s\nrequests: {:?}\nbot log:\n{}",
                guild.map_or("globally".into(), |g| format!("in guild {g}")),
                self.requests(),
                self.logs()
            )
        })
    }

    /// How many times a bot registered its commands so far.
    pub fn registrations(&self) -> usize {
        self.shared.lock().registrations
    }

    /// The commands registered globally (`None`) or in a guild, as the bot sent them (with
    /// the ids the stand-in gave them).
    pub fn commands(&self, guild: Option<u64>) -> Vec<Value> {
        self.shared.lock().commands.get(&guild).cloned().unwrap_or_default()
    }

    /// Sends a slash command as `who` in `channel`. `command` is the command's name, with
    /// its subcommand after a space (`"bank reload"`); `options` is a JSON object of option
    /// values (`json!({"passage": "s5-p1", "share": true})`).
    pub async fn slash(&self, who: &User, channel: u64, command: &str, options: Value) -> Sent {
        let mut data = self.command_data(command, options_list(&options, None));
        // A user or role option's object, as Discord resolves it beside the options.
        let resolved = |marker: &str| -> serde_json::Map<String, Value> {
            options
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(_, v)| v.get(marker))
                .map(|o| (o["id"].as_str().unwrap_or("0").to_string(), o.clone()))
                .collect()
        };
        let (users, roles) = (resolved("$user"), resolved("$role"));
        if !users.is_empty() || !roles.is_empty() {
            data["resolved"] = json!({});
        }
        if !users.is_empty() {
            data["resolved"]["users"] = Value::Object(users);
        }
        if !roles.is_empty() {
            data["resolved"]["roles"] = Value::Object(roles);
        }
        self.send_interaction(who, channel, 2, data, None, format!("/{command}"), false)
    }

    /// Sends a slash command like [`StandIn::slash`] (without user options) that Discord
    /// created `age` ago, as one pressed a moment before and delivered now: its id (a
    /// snowflake) holds that time, and the 3 s for its first response count from it.
    pub async fn slash_aged(&self, who: &User, channel: u64, command: &str, options: Value, age: Duration) -> Sent {
        let data = self.command_data(command, options_list(&options, None));
        let label = format!("/{command}");
        self.record_interaction(who, channel, 2, data, None, label.clone(), false, true, None, age)
            .unwrap_or_else(|| panic!("no bot is connected to the stand-in's gateway to receive {label}"))
    }

    /// Sends an autocomplete request for `option` of `command`, as if `who` had typed
    /// `typed`; returns the choices as (name, value) once the bot answers.
    pub async fn autocomplete(&self, who: &User, channel: u64, command: &str, option: &str, typed: &str) -> Vec<(String, String)> {
        let mut options = serde_json::Map::new();
        options.insert(option.into(), Value::String(typed.into()));
        let data = self.command_data(command, options_list(&Value::Object(options), Some(option)));
        let sent = self.send_interaction(who, channel, 4, data, None, format!("autocomplete:/{command}"), true);
        let cb = self.callback(&sent).await;
        assert_eq!(cb.kind, 8, "an autocomplete request must be answered with type 8, got {cb:?}");
        cb.data["choices"]
            .as_array()
            .unwrap_or_else(|| panic!("autocomplete answer without choices: {cb:?}"))
            .iter()
            .map(|c| (c["name"].as_str().unwrap_or("").to_string(), value_text(&c["value"])))
            .collect()
    }

    /// Clicks the button `custom_id` on message `message` as `who`.
    pub async fn click(&self, who: &User, message: u64, custom_id: &str) -> Sent {
        let channel = self.message(message).unwrap_or_else(|| panic!("no message {message} to click on")).channel_id;
        let data = json!({"custom_id": custom_id, "component_type": 2});
        self.send_interaction(who, channel, 3, data, Some(message), format!("button:{custom_id}"), false)
    }

    /// Picks `values` in the string select menu `custom_id` of message `message` as `who`
    /// (component type 3), as Discord sends it once the menu closes. A pick the menu does not
    /// allow (an unknown value, fewer than its `min_values`, more than its `max_values`) is a
    /// violation: Discord's client would not send it.
    pub async fn select(&self, who: &User, message: u64, custom_id: &str, values: &[&str]) -> Sent {
        let m = self.message(message).unwrap_or_else(|| panic!("no message {message} to pick in"));
        let menu = m.buttons().into_iter().find(|c| c["type"] == 3 && c["custom_id"] == custom_id).cloned();
        let menu = menu.unwrap_or_else(|| panic!("message {message} has no select menu {custom_id}: {:?}", m.components));
        let allowed: Vec<&str> = menu["options"].as_array().into_iter().flatten().filter_map(|o| o["value"].as_str()).collect();
        let (min, max) = (menu["min_values"].as_u64().unwrap_or(1) as usize, menu["max_values"].as_u64().unwrap_or(1) as usize);
        if values.iter().any(|v| !allowed.contains(v)) || values.len() < min || values.len() > max {
            self.shared.lock().violations.push(format!("a pick of {values:?} in {custom_id}, which allows {min} to {max} of {allowed:?}"));
        }
        let data = json!({"custom_id": custom_id, "component_type": 3, "values": values});
        self.send_interaction(who, m.channel_id, 3, data, Some(message), format!("select:{custom_id}"), false)
    }

    /// Submits the modal `custom_id` with text inputs `values` (custom_id, value) as `who`;
    /// `from` is the message whose button opened it, if any.
    pub async fn submit_modal(&self, who: &User, channel: u64, custom_id: &str, values: &[(&str, &str)], from: Option<u64>) -> Sent {
        let rows: Vec<Value> = values.iter().map(|(id, v)| json!({"type": 1, "components": [{"type": 4, "custom_id": id, "value": v}]})).collect();
        let data = json!({"custom_id": custom_id, "components": rows});
        self.send_interaction(who, channel, 5, data, from, format!("modal:{custom_id}"), false)
    }

    fn command_data(&self, command: &str, options: Vec<Value>) -> Value {
        let mut words = command.split_whitespace();
        let name = words.next().expect("a command name");
        let s = self.shared.lock();
        let id = s.commands.values().flatten().find(|c| c["name"] == name).and_then(|c| c["id"].as_str()).unwrap_or("1").to_string();
        let mut options = options;
        for sub in words.rev() {
            options = vec![json!({"name": sub, "type": 1, "options": options})];
        }
        json!({"id": id, "name": name, "type": 1, "options": options})
    }

    #[allow(clippy::too_many_arguments)]
    fn send_interaction(&self, who: &User, channel: u64, kind: u64, data: Value, message: Option<u64>, label: String, autocomplete: bool) -> Sent {
        let what = label.clone();
        self.record_interaction(who, channel, kind, data, message, label, autocomplete, true, None, Duration::ZERO)
            .unwrap_or_else(|| panic!("no bot is connected to the stand-in's gateway to receive {what}"))
    }

    /// Clicks like [`StandIn::click`], or returns `None` when no bot is connected to receive
    /// it (a bot that is shutting down), instead of failing the test.
    pub fn click_if_connected(&self, who: &User, message: u64, custom_id: &str) -> Option<Sent> {
        let channel = self.message(message)?.channel_id;
        let data = json!({"custom_id": custom_id, "component_type": 2});
        self.record_interaction(who, channel, 3, data, Some(message), format!("button:{custom_id}"), false, true, None, Duration::ZERO)
    }

    /// `message` as every click on it carries it, serialized once: for benchmarks that
    /// click one message tens of thousands of times (see [`StandIn::click_shown`]).
    pub fn shown(&self, message: &Message) -> Shown {
        Shown { id: message.id, channel: message.channel_id, json: message_json(message, self.app_id).to_string().into() }
    }

    /// Clicks the button `custom_id` on the message as the caller holds it (`shown`): the
    /// interaction carries that copy, so the stand-in neither looks the message up among all
    /// it keeps (a scan that grows with every reply) nor serializes it again. Like `click`,
    /// it returns once the interaction is on its way.
    pub fn click_shown(&self, who: &User, shown: &Shown, custom_id: &str) -> Sent {
        let data = json!({"custom_id": custom_id, "component_type": 2});
        let label = format!("button:{custom_id}");
        self.record_interaction(who, shown.channel, 3, data, Some(shown.id), label.clone(), false, true, Some(&shown.json), Duration::ZERO)
            .unwrap_or_else(|| panic!("no bot is connected to the stand-in's gateway to receive {label}"))
    }

    /// A click on `shown` made ready to send, its gateway frame built and serialized now: for
    /// a load generator that prepares its clicks before the clock starts, so that sending one
    /// ([`StandIn::send_prepared`]) costs the stand-in little more than a copy.
    pub fn prepare_click(&self, who: &User, shown: &Shown, custom_id: &str) -> PreparedClick {
        let data = json!({"custom_id": custom_id, "component_type": 2});
        let s = self.shared.lock();
        let (d, guild) = interaction_body(&s, who, shown.channel, 3, data, SNOWFLAKE_MARK, Some(shown.id), Some(&shown.json));
        PreparedClick { d, guild, channel: shown.channel, message: shown.id, user: who.id, label: format!("button:{custom_id}") }
    }

    /// Sends a prepared click like [`StandIn::click_shown`]: a new id (made now), recorded, on
    /// the gateway.
    pub fn send_prepared(&self, click: &PreparedClick) -> Sent {
        let mut s = self.shared.lock();
        let id = s.snowflake(Duration::ZERO);
        let token = format!("interaction-token-{id}");
        let d = click.d.replace(SNOWFLAKE_MARK, &id.to_string());
        s.interactions.insert(
            id,
            Interaction {
                sent_at: Instant::now(),
                token: token.clone(),
                channel: click.channel,
                user: click.user,
                label: click.label.clone(),
                message: Some(click.message),
                autocomplete: false,
                callbacks: Vec::new(),
                original: None,
                followups: Vec::new(),
            },
        );
        s.by_token.insert(token.clone(), id);
        assert!(dispatch(&mut s, click.guild, "INTERACTION_CREATE", &d), "no bot is connected to the stand-in's gateway to receive {}", click.label);
        Sent { id, token, channel: click.channel, user: click.user, label: click.label.clone() }
    }

    /// Clicks like [`StandIn::click`] an interaction that Discord created `age` ago and that
    /// reaches the bot only now, as after a backlog: its id (a snowflake) holds that time, and
    /// the 3 s for its first response count from it.
    pub async fn click_aged(&self, who: &User, message: u64, custom_id: &str, age: Duration) -> Sent {
        let channel = self.message(message).unwrap_or_else(|| panic!("no message {message} to click on")).channel_id;
        let data = json!({"custom_id": custom_id, "component_type": 2});
        self.record_interaction(who, channel, 3, data, Some(message), format!("button:{custom_id}"), false, true, None, age)
            .unwrap_or_else(|| panic!("no bot is connected to the stand-in's gateway to receive button:{custom_id}"))
    }

    #[allow(clippy::too_many_arguments)]
    /// `shown` is the message's JSON text when the caller has it (`click_shown`); otherwise it
    /// is built from the stored message. `age`: how long ago Discord created the interaction.
    fn record_interaction(
        &self,
        who: &User,
        channel: u64,
        kind: u64,
        data: Value,
        message: Option<u64>,
        label: String,
        autocomplete: bool,
        gateway: bool,
        shown: Option<&str>,
        age: Duration,
    ) -> Option<Sent> {
        let mut s = self.shared.lock();
        let id = s.snowflake(age);
        let token = format!("interaction-token-{id}");
        let (d, guild) = interaction_body(&s, who, channel, kind, data, &id.to_string(), message, shown);
        s.interactions.insert(
            id,
            Interaction {
                sent_at: Instant::now() - age,
                token: token.clone(),
                channel,
                user: who.id,
                label: label.clone(),
                message,
                autocomplete,
                callbacks: Vec::new(),
                original: None,
                followups: Vec::new(),
            },
        );
        s.by_token.insert(token.clone(), id);
        if gateway && !dispatch(&mut s, guild, "INTERACTION_CREATE", &d) {
            s.interactions.remove(&id);
            s.by_token.remove(&token);
            return None;
        }
        Some(Sent { id, token, channel, user: who.id, label })
    }

    /// Records a slash command interaction from `who` without sending it on the gateway, for
    /// tests that answer it themselves through REST (to check the stand-in's own rules).
    pub fn open_interaction(&self, who: &User, channel: u64, command: &str) -> Sent {
        let data = self.command_data(command, Vec::new());
        self.record_interaction(who, channel, 2, data, None, format!("/{command}"), false, false, None, Duration::ZERO)
            .expect("an interaction kept off the gateway is always recorded")
    }

    /// The first callback of an interaction (waits up to `WAIT`).
    pub async fn callback(&self, sent: &Sent) -> Callback {
        let id = sent.id;
        self.wait_for(WAIT, |v| v.0.interactions.get(&id).and_then(|i| i.callbacks.first().cloned()))
            .await
            .unwrap_or_else(|| panic!("{} got no response within {WAIT:?}\nbot log:\n{}", sent.label, self.logs()))
    }

    /// Every callback of an interaction so far.
    pub fn callbacks(&self, sent: &Sent) -> Vec<Callback> {
        self.shared.lock().interactions.get(&sent.id).map(|i| i.callbacks.clone()).unwrap_or_default()
    }

    /// The interaction's response as its user sees it (waits up to `WAIT`): the reply, or
    /// the deferred reply once a follow-up or edit has replaced "thinking…", or the clicked
    /// message after a type 7 update.
    pub async fn response(&self, sent: &Sent) -> Message {
        let id = sent.id;
        self.wait_for(WAIT, |v| {
            let i = v.0.interactions.get(&id)?;
            let m = v.0.messages.iter().find(|m| Some(m.id) == i.original)?;
            (!m.thinking).then(|| m.clone())
        })
        .await
        .unwrap_or_else(|| panic!("{} got no visible response within {WAIT:?}; callbacks: {:?}\nbot log:\n{}", sent.label, self.callbacks(sent), self.logs()))
    }

    /// The response an interaction shows now, if it has one that is not "thinking…".
    pub fn response_now(&self, sent: &Sent) -> Option<Message> {
        let s = self.shared.lock();
        let i = s.interactions.get(&sent.id)?;
        s.messages.iter().find(|m| Some(m.id) == i.original).filter(|m| !m.thinking).cloned()
    }

    /// The follow-ups of an interaction so far (not counting one that replaced "thinking…").
    pub fn followups(&self, sent: &Sent) -> Vec<Message> {
        let s = self.shared.lock();
        let ids = s.interactions.get(&sent.id).map(|i| i.followups.clone()).unwrap_or_default();
        s.messages.iter().filter(|m| ids.contains(&m.id)).cloned().collect()
    }

    /// Waits for a message in `channel` that `pred` accepts (deleted ones excluded).
    pub async fn wait_message(&self, channel: u64, timeout: Duration, pred: impl Fn(&Message) -> bool) -> Message {
        self.wait_for(timeout, |v| v.0.messages.iter().find(|m| m.channel_id == channel && !m.deleted && pred(m)).cloned()).await.unwrap_or_else(|| {
            panic!("no matching message in channel {channel} within {timeout:?}; messages there: {:#?}\nbot log:\n{}", self.messages(channel), self.logs())
        })
    }

    /// Every message in a channel, in order, deleted ones excluded.
    pub fn messages(&self, channel: u64) -> Vec<Message> {
        self.shared.lock().messages.iter().filter(|m| m.channel_id == channel && !m.deleted).cloned().collect()
    }

    /// What `user` sees in `channel`: the public messages and their own ephemeral ones.
    pub fn seen_by(&self, channel: u64, user: u64) -> Vec<Message> {
        self.messages(channel).into_iter().filter(|m| m.visible_to.is_none_or(|u| u == user) && !m.thinking).collect()
    }

    pub fn message(&self, id: u64) -> Option<Message> {
        self.shared.lock().messages.iter().find(|m| m.id == id).cloned()
    }

    /// The newest message in `channel` that `pred` accepts (deleted ones excluded), searched
    /// from the newest: cheap when the channel's history runs to thousands of replies.
    pub fn newest_message(&self, channel: u64, pred: impl Fn(&Message) -> bool) -> Option<Message> {
        self.shared.lock().messages.iter().rev().find(|m| m.channel_id == channel && !m.deleted && pred(m)).cloned()
    }

    /// Every body that created or edited a message, in arrival order.
    pub fn payloads(&self) -> Vec<Payload> {
        self.shared.lock().payloads.clone()
    }

    /// Every REST request as `METHOD /path`, in arrival order.
    pub fn requests(&self) -> Vec<String> {
        self.shared.lock().requests.clone()
    }

    /// How many times a bot identified on the gateway.
    pub fn identifies(&self) -> usize {
        self.shared.lock().identifies
    }

    /// How many times a bot resumed a session (after `reconnect` or a dropped connection).
    pub fn resumes(&self) -> usize {
        self.shared.lock().resumes
    }

    /// Whether a bot session is connected (identified or resumed, and not closed since).
    pub fn connected(&self) -> bool {
        self.shared.lock().sessions.iter().any(|x| !x.tx.is_closed())
    }

    /// Asks every connected session to reconnect (op 7), as Discord does now and then.
    pub fn reconnect(&self) {
        let s = self.shared.lock();
        for session in &s.sessions {
            let _ = session.tx.send(Outbound::Json(json!({"op": 7, "d": null})));
        }
    }

    /// Everything Discord would have refused or punished so far.
    pub fn violations(&self) -> Vec<String> {
        let s = self.shared.lock();
        let mut out = s.violations.clone();
        for (id, i) in &s.interactions {
            if i.callbacks.is_empty() && i.sent_at.elapsed() > DEADLINE {
                out.push(format!("{} (interaction {id}) never got a response", i.label));
            }
        }
        out
    }

    /// Returns the violations so far and forgets them, for tests that provoke them on purpose.
    pub fn take_violations(&self) -> Vec<String> {
        let out = self.violations();
        let mut s = self.shared.lock();
        s.violations.clear();
        for i in s.interactions.values_mut() {
            if i.callbacks.is_empty() && i.sent_at.elapsed() > DEADLINE {
                // Counted once: a response now would still be a violation of its own.
                i.callbacks.push(Callback { kind: 0, data: Value::Null, after: i.sent_at.elapsed(), status: 0 });
            }
        }
        out
    }

    /// Panics, listing them, if anything Discord would have refused or punished happened.
    pub fn assert_clean(&self) {
        let v = self.violations();
        assert!(v.is_empty(), "the bot broke Discord's rules:\n  {}\nbot log:\n{}", v.join("\n  "), self.logs());
    }
}

/// Read access to the stand-in's state inside `wait_for`.
pub struct StandInView<'a>(&'a State);

impl StandInView<'_> {
    pub fn resumes(&self) -> usize {
        self.0.resumes
    }
    pub fn connected(&self) -> bool {
        self.0.sessions.iter().any(|x| !x.tx.is_closed())
    }
    pub fn messages(&self) -> impl Iterator<Item = &Message> {
        self.0.messages.iter().filter(|m| !m.deleted)
    }
    pub fn callbacks(&self, sent: &Sent) -> &[Callback] {
        self.0.interactions.get(&sent.id).map_or(&[], |i| &i.callbacks)
    }
    pub fn followups(&self, sent: &Sent) -> Vec<&Message> {
        let ids = self.0.interactions.get(&sent.id).map(|i| i.followups.clone()).unwrap_or_default();
        self.0.messages.iter().filter(|m| ids.contains(&m.id)).collect()
    }
}

/// Snowflakes in tokens are base64 of the decimal id, as Discord writes them.
fn encode_id(id: u64) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = id.to_string().into_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn value_text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// The value of a user option (type 6) in [`StandIn::slash`]'s options:
/// `json!({"user": user_option(&ada)})`.
pub fn user_option(u: &User) -> Value {
    json!({"$user": {"id": u.id.to_string(), "username": u.name, "global_name": u.name, "discriminator": "0", "avatar": null}})
}

/// The value of a role option (type 8) in [`StandIn::slash`]'s options, for a role made with
/// [`StandIn::add_role`]: `json!({"instructor_role": role_option(id, "Instructors")})`.
pub fn role_option(id: u64, name: &str) -> Value {
    json!({"$role": {"id": id.to_string(), "name": name, "color": 0, "colors": {"primary_color": 0}, "hoist": false, "managed": false,
        "permissions": perms::STUDENT.to_string(), "position": 1, "mentionable": false, "flags": 0}})
}

/// Options as Discord sends them, typed from the JSON values (a [`user_option`] as type 6,
/// a [`role_option`] as type 8);
/// `focused` marks the one being typed.
fn options_list(options: &Value, focused: Option<&str>) -> Vec<Value> {
    let Some(map) = options.as_object() else { return Vec::new() };
    map.iter()
        .map(|(name, value)| {
            if let Some(user) = value.get("$user") {
                return json!({"name": name, "type": 6, "value": user["id"]});
            }
            if let Some(role) = value.get("$role") {
                return json!({"name": name, "type": 8, "value": role["id"]});
            }
            let kind = match value {
                Value::Bool(_) => 5,
                Value::Number(n) if n.is_i64() || n.is_u64() => 4,
                Value::Number(_) => 10,
                _ => 3,
            };
            let mut o = json!({"name": name, "type": kind, "value": value});
            if focused == Some(name.as_str()) {
                o["focused"] = json!(true);
            }
            o
        })
        .collect()
}

/// Sends a dispatch to the session whose shard holds `guild` (shard 0 for DMs). False when
/// no session is connected for it.
/// Sends the dispatch `event` with data `d` (JSON text) to the session of the guild's shard.
/// The frame is written as text around `d`, so that a click carrying a message serialized
/// once (`Shown`) costs no second serialization.
/// Stands for the interaction's id (and in its token) in a [`PreparedClick`]'s frame.
const SNOWFLAKE_MARK: &str = "@@SNOWFLAKE@@";

/// A click whose gateway frame is built: see [`StandIn::prepare_click`].
pub struct PreparedClick {
    d: String,
    guild: Option<u64>,
    channel: u64,
    message: u64,
    user: u64,
    label: String,
}

/// An INTERACTION_CREATE's `d` as Discord sends it, and the guild it comes from (none in a DM).
#[allow(clippy::too_many_arguments)]
fn interaction_body(s: &State, who: &User, channel: u64, kind: u64, data: Value, id: &str, message: Option<u64>, shown: Option<&str>) -> (String, Option<u64>) {
    let token = format!("interaction-token-{id}");
    let guild = if who.dm { None } else { s.guilds.iter().find(|g| g.channels.iter().any(|(c, _)| *c == channel)).map(|g| g.id) };
    let user = json!({"id": who.id.to_string(), "username": who.name, "global_name": who.name, "discriminator": "0", "avatar": null});
    let mut body = json!({
        "id": id, "application_id": s.app_id.to_string(), "type": kind, "token": token, "version": 1,
        "channel_id": channel.to_string(), "channel": {"id": channel.to_string(), "type": if who.dm { 1 } else { 0 }},
        "locale": "en-US", "entitlements": [], "attachment_size_limit": 26214400, "app_permissions": "1071698660929",
        "data": data,
    });
    match guild {
        Some(g) => {
            body["guild_id"] = json!(g.to_string());
            body["guild_locale"] = json!("en-US");
            body["member"] = json!({
                "user": user, "roles": who.roles.iter().map(u64::to_string).collect::<Vec<_>>(), "deaf": false, "mute": false,
                "flags": 0, "joined_at": "2024-01-01T00:00:00+00:00", "permissions": who.permissions.to_string(), "nick": null, "pending": false,
            });
        }
        None => body["user"] = user,
    }
    let mut d = body.to_string();
    if let Some(m) = message {
        // The message goes in as text: the one large part of a click, serialized once.
        d.pop();
        d.push_str(r#","message":"#);
        match shown {
            Some(json) => d.push_str(json),
            None => d.push_str(&message_json(s.messages.iter().find(|x| x.id == m).unwrap_or_else(|| panic!("no message {m}")), s.app_id).to_string()),
        }
        d.push('}');
    }
    (d, guild)
}

fn dispatch(s: &mut State, guild: Option<u64>, event: &str, d: &str) -> bool {
    let mut sent = false;
    for session in &mut s.sessions {
        let (shard, total) = session.shard;
        let mine = match guild {
            Some(g) => (g >> 22) % total.max(1) == shard,
            None => shard == 0,
        };
        if mine {
            session.seq += 1;
            let frame = format!(r#"{{"op":0,"t":"{event}","s":{},"d":{d}}}"#, session.seq);
            sent |= session.tx.send(Outbound::Text(frame)).is_ok();
            break;
        }
    }
    sent
}

fn guild_create(g: &Guild, app_id: u64) -> Value {
    let mut roles = vec![
        json!({"id": g.id.to_string(), "name": "@everyone", "color": 0, "colors": {"primary_color": 0}, "hoist": false, "managed": false, "permissions": perms::STUDENT.to_string(), "position": 0, "mentionable": false, "flags": 0}),
    ];
    for (id, name, p) in &g.roles {
        roles.push(json!({"id": id.to_string(), "name": name, "color": 0, "colors": {"primary_color": 0}, "hoist": false, "managed": false, "permissions": p.to_string(), "position": 1, "mentionable": false, "flags": 0}));
    }
    let members: Vec<Value> = g.members.iter().map(|u| json!({"user": {"id": u.id.to_string(), "username": u.name}, "roles": u.roles.iter().map(u64::to_string).collect::<Vec<_>>(), "deaf": false, "mute": false, "flags": 0, "joined_at": "2024-01-01T00:00:00+00:00"})).collect();
    let channels: Vec<Value> = g.channels.iter().map(|(id, name)| json!({"id": id.to_string(), "type": 0, "name": name, "guild_id": g.id.to_string(), "position": 0, "permission_overwrites": [], "nsfw": false})).collect();
    json!({
        "id": g.id.to_string(), "name": g.name, "owner_id": app_id.to_string(), "joined_at": "2024-01-01T00:00:00+00:00", "large": false,
        "member_count": members.len(), "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
        "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0, "system_channel_flags": 0, "preferred_locale": "en-US",
        "premium_progress_bar_enabled": false, "features": [], "emojis": [], "stickers": [], "threads": [], "presences": [],
        "voice_states": [], "stage_instances": [], "guild_scheduled_events": [], "roles": roles, "members": members, "channels": channels,
    })
}

fn message_json(m: &Message, app_id: u64) -> Value {
    let attachments: Vec<Value> = m
        .attachments
        .iter()
        .map(|f| {
            let url = format!("https://cdn.discordapp.com/attachments/{}/{}/{}", m.channel_id, f.id, f.filename);
            let content_type = match f.filename.rsplit('.').next() {
                Some("json") => "application/json; charset=utf-8",
                Some("csv") => "text/csv; charset=utf-8",
                _ => "text/plain; charset=utf-8",
            };
            json!({"id": f.id.to_string(), "filename": f.filename, "size": f.bytes.len(), "url": url, "proxy_url": url, "content_type": content_type})
        })
        .collect();
    json!({
        "id": m.id.to_string(), "channel_id": m.channel_id.to_string(),
        "author": {"id": app_id.to_string(), "username": "Agora", "discriminator": "0", "bot": true, "avatar": null},
        "content": m.content, "timestamp": "2024-01-01T00:00:00+00:00", "edited_timestamp": null, "tts": false,
        "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": attachments, "embeds": m.embeds,
        "pinned": false, "type": if m.interaction.is_some() { 20 } else { 0 }, "components": m.components, "flags": m.flags,
        "application_id": app_id.to_string(),
    })
}

/// Whether a message body could ping: it must carry `allowed_mentions` with empty `parse`,
/// `users` and `roles`.
fn mention_problem(route: &str, body: &Value) -> Option<String> {
    let am = &body["allowed_mentions"];
    let empty = |k: &str| am.get(k).is_none_or(|v| v.as_array().is_some_and(Vec::is_empty));
    if am.is_object() && am["parse"].as_array().is_some_and(Vec::is_empty) && empty("users") && empty("roles") {
        None
    } else {
        Some(format!("{route}: a message without allowed_mentions {{\"parse\": []}} (it could ping): {body}"))
    }
}

/// Whether Discord would refuse a command list: names, descriptions, options and choices.
/// The top-level commands a member with `permissions` finds in their command list, as Discord
/// decides it before any server override: a command registered with
/// `default_member_permissions` is listed only for members holding every one of its bits (or
/// Administrator; `"0"` means administrators only); a command without it is listed for all.
pub fn listed_for(commands: &[Value], permissions: u64) -> Vec<String> {
    commands
        .iter()
        .filter(|c| match c["default_member_permissions"].as_str() {
            None => true,
            Some(bits) => {
                let needed: u64 = bits.parse().unwrap_or_else(|_| panic!("default_member_permissions is a decimal string, not {bits:?}"));
                permissions & perms::ADMINISTRATOR != 0 || (needed != 0 && permissions & needed == needed)
            }
        })
        .map(|c| c["name"].as_str().unwrap_or("").to_string())
        .collect()
}

pub fn command_problems(commands: &[Value]) -> Vec<String> {
    fn name_ok(n: &str) -> bool {
        (1..=32).contains(&n.chars().count())
            && n.chars().all(|c| c == '-' || c == '_' || c == '\'' || c.is_alphabetic() || c.is_numeric())
            && n.to_lowercase() == n
    }
    fn check(path: &str, c: &Value, chat_input: bool, out: &mut Vec<String>) {
        let name = c["name"].as_str().unwrap_or("");
        let here = format!("{path}{name}");
        if !name_ok(name) {
            out.push(format!("`{here}`: the name must match ^[-_'\\p{{L}}\\p{{N}}]{{1,32}}$ in lower case"));
        }
        if chat_input {
            let d = c["description"].as_str().unwrap_or("").chars().count();
            if !(1..=100).contains(&d) {
                out.push(format!("`{here}`: the description has {d} characters; Discord wants 1 to 100"));
            }
        }
        let options = c["options"].as_array().cloned().unwrap_or_default();
        if options.len() > 25 {
            out.push(format!("`{here}`: {} options; Discord allows 25", options.len()));
        }
        let choices = c["choices"].as_array().map_or(0, Vec::len);
        if choices > 25 {
            out.push(format!("`{here}`: {choices} choices; Discord allows 25"));
        }
        if choices > 0 && c["autocomplete"] == json!(true) {
            out.push(format!("`{here}`: an option cannot have both choices and autocomplete"));
        }
        let mut seen_optional = false;
        for o in &options {
            let sub = matches!(o["type"].as_u64(), Some(1 | 2));
            if !sub {
                let required = o["required"] == json!(true);
                if required && seen_optional {
                    out.push(format!("`{here}`: the required option `{}` comes after an optional one", o["name"].as_str().unwrap_or("")));
                }
                seen_optional |= !required;
            }
            check(&format!("{here} "), o, true, out);
        }
    }
    let mut out = Vec::new();
    if commands.len() > 100 {
        out.push(format!("{} commands; Discord allows 100 slash commands", commands.len()));
    }
    let mut names: Vec<&str> = commands.iter().filter_map(|c| c["name"].as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) {
        out.push("two commands share a name".into());
    }
    for c in commands {
        let chat_input = c["type"].as_u64().unwrap_or(1) == 1;
        check("/", c, chat_input, &mut out);
    }
    out
}

// ---------------------------------------------------------------------------------------
// The server.

type Ctx = (Arc<Shared>, String);

async fn get_gateway(AxState((_, base)): AxState<Ctx>) -> Json<Value> {
    Json(json!({"url": format!("{}/gateway", base.replacen("http", "ws", 1))}))
}

async fn gateway(ws: WebSocketUpgrade, AxState((shared, base)): AxState<Ctx>) -> Response {
    ws.on_upgrade(move |socket| session(shared, base, socket))
}

async fn session(shared: Arc<Shared>, base: String, mut socket: WebSocket) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Outbound>();
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 41250}});
    if socket.send(WsMessage::Text(hello.to_string().into())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(msg)) = incoming else { break };
                let text = match msg {
                    WsMessage::Text(t) => t.to_string(),
                    // Reading on lets the websocket answer the close frame, as Discord does.
                    WsMessage::Close(_) => continue,
                    _ => continue,
                };
                let Ok(v) = serde_json::from_str::<Value>(&text) else { continue };
                match v["op"].as_u64() {
                    Some(1) => { let _ = tx.send(Outbound::Json(json!({"op": 11}))); }
                    Some(2) => {
                        let mut s = shared.lock();
                        s.identifies += 1;
                        if s.reject_token || v["d"]["token"].as_str().map(|t| t.trim_start_matches("Bot ")) != Some(s.token.as_str()) {
                            let _ = tx.send(Outbound::Close(4004, "Authentication failed."));
                        } else {
                            let shard = v["d"]["shard"].as_array().map(|a| (a[0].as_u64().unwrap_or(0), a[1].as_u64().unwrap_or(1))).unwrap_or((0, 1));
                            let app = s.app_id.to_string();
                            let session_id = format!("session-{}", s.identifies);
                            let guilds: Vec<Guild> = s.guilds.iter().filter(|g| (g.id >> 22) % shard.1.max(1) == shard.0).cloned().collect();
                            let ready = json!({
                                "v": 10, "user": {"id": app, "username": "Agora", "discriminator": "0", "bot": true, "avatar": null},
                                "guilds": guilds.iter().map(|g| json!({"id": g.id.to_string(), "unavailable": true})).collect::<Vec<_>>(),
                                "session_id": session_id, "resume_gateway_url": format!("{}/gateway", base.replacen("http", "ws", 1)),
                                "shard": [shard.0, shard.1], "application": {"id": app, "flags": 0},
                            });
                            let mut session = Session { id: session_id.clone(), shard, tx: tx.clone(), seq: 0 };
                            session.seq += 1;
                            let _ = tx.send(Outbound::Json(json!({"op": 0, "t": "READY", "s": session.seq, "d": ready})));
                            for g in &guilds {
                                session.seq += 1;
                                let _ = tx.send(Outbound::Json(json!({"op": 0, "t": "GUILD_CREATE", "s": session.seq, "d": guild_create(g, s.app_id)})));
                            }
                            s.sessions.retain(|x| x.shard != shard);
                            s.sessions.push(session);
                            s.resumable.insert(session_id, shard);
                        }
                        drop(s);
                        shared.changed.notify_waiters();
                    }
                    Some(6) => {
                        let mut s = shared.lock();
                        if s.reject_token {
                            let _ = tx.send(Outbound::Close(4004, "Authentication failed."));
                        } else {
                            // A resumed session: its shard again, events from here on.
                            let id = v["d"]["session_id"].as_str().unwrap_or("").to_string();
                            match s.resumable.get(&id).copied() {
                                Some(shard) => {
                                    s.resumes += 1;
                                    s.sessions.retain(|x| x.shard != shard);
                                    let mut session = Session { id, shard, tx: tx.clone(), seq: v["d"]["seq"].as_u64().unwrap_or(0) };
                                    session.seq += 1;
                                    let _ = tx.send(Outbound::Json(json!({"op": 0, "t": "RESUMED", "s": session.seq, "d": {}})));
                                    s.sessions.push(session);
                                }
                                // Invalid session, not resumable: the client identifies again.
                                None => { let _ = tx.send(Outbound::Json(json!({"op": 9, "d": false}))); }
                            }
                        }
                        drop(s);
                        shared.changed.notify_waiters();
                    }
                    _ => {}
                }
            }
            out = rx.recv() => {
                let Some(out) = out else { break };
                match out {
                    Outbound::Json(v) => {
                        if socket.send(WsMessage::Text(v.to_string().into())).await.is_err() { break }
                    }
                    Outbound::Text(t) => {
                        if socket.send(WsMessage::Text(t.into())).await.is_err() { break }
                    }
                    Outbound::Close(code, reason) => {
                        let _ = socket.send(WsMessage::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
                        break;
                    }
                }
            }
        }
    }
    // A closed connection receives nothing more; RESUME or IDENTIFY brings its shard back.
    drop(rx);
    shared.lock().sessions.retain(|x| !x.tx.is_closed());
    shared.changed.notify_waiters();
}

/// A request body: JSON, or multipart with `payload_json` and files.
async fn body(req: Request) -> (Value, Vec<File>) {
    let multipart = req.headers().get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let mut json = Value::Null;
        let mut files = Vec::new();
        if let Ok(mut form) = Multipart::from_request(req, &()).await {
            while let Ok(Some(field)) = form.next_field().await {
                let name = field.name().unwrap_or("").to_string();
                let filename = field.file_name().map(str::to_string);
                let bytes = field.bytes().await.unwrap_or_default();
                if name == "payload_json" {
                    json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                } else {
                    files.push(File { id: attachment_id(), filename: filename.unwrap_or(name), bytes: bytes.to_vec() });
                }
            }
        }
        (json, files)
    } else {
        let bytes = axum::body::to_bytes(req.into_body(), 64 << 20).await.unwrap_or_else(|_| Bytes::new());
        (serde_json::from_slice(&bytes).unwrap_or(Value::Null), Vec::new())
    }
}

fn authorised(headers: &HeaderMap, s: &State) -> bool {
    !s.reject_token && headers.get("authorization").and_then(|v| v.to_str().ok()).map(|v| v.trim_start_matches("Bot ")) == Some(s.token.as_str())
}

/// Applies a message body (create or edit) to a stored message.
fn apply(m: &mut Message, body: &Value, files: Vec<File>) {
    if let Some(c) = body.get("content").filter(|c| !c.is_null()) {
        m.content = c.as_str().unwrap_or("").to_string();
    }
    if let Some(e) = body.get("embeds").and_then(Value::as_array) {
        m.embeds = e.clone();
    }
    if let Some(c) = body.get("components").and_then(Value::as_array) {
        m.components = c.clone();
    }
    if let Some(a) = body.get("allowed_mentions").filter(|a| !a.is_null()) {
        m.allowed_mentions = Some(a.clone());
    }
    if let Some(f) = body.get("flags").and_then(Value::as_u64) {
        m.flags = f;
    }
    if !files.is_empty() {
        m.attachments = files;
    } else if body.get("attachments").and_then(Value::as_array).is_some_and(Vec::is_empty) {
        m.attachments.clear();
    }
}

fn new_message(s: &mut State, channel: u64, interaction: Option<u64>, visible_to: Option<u64>) -> Message {
    Message {
        id: s.id(),
        channel_id: channel,
        content: String::new(),
        embeds: Vec::new(),
        components: Vec::new(),
        allowed_mentions: None,
        flags: 0,
        attachments: Vec::new(),
        interaction,
        visible_to,
        thinking: false,
        deleted: false,
        edits: 0,
    }
}

async fn rest(AxState((shared, base)): AxState<Ctx>, method: Method, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let headers = req.headers().clone();
    let (body, files) = body(req).await;
    let fault = take_fault(&shared, &method, &path);
    match fault {
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        Some(f) => {
            shared.changed.notify_waiters();
            return fault_response(&f);
        }
        None => {}
    }
    let response = route(&shared, &base, &method, &path, &headers, body, files);
    shared.changed.notify_waiters();
    response
}

/// The fault armed for this call, if any (counted off its route's remaining calls).
fn take_fault(shared: &Shared, method: &Method, path: &str) -> Option<Fault> {
    let mut s = shared.lock();
    let segments: Vec<&str> = path.trim_start_matches("/api/v10/").split('/').collect();
    let armed = s.faults.iter_mut().find(|a| a.left > 0 && a.matches(method.as_str(), &segments))?;
    armed.left -= 1;
    let fault = armed.fault.clone();
    s.faults.retain(|a| a.left > 0);
    s.faulted.push(format!("{method} {path} -> {fault:?}"));
    if !matches!(fault, Fault::Delay(_)) {
        s.requests.push(format!("{method} {path}"));
    }
    Some(fault)
}

/// Discord's answer for a failed call.
fn fault_response(fault: &Fault) -> Response {
    match *fault {
        Fault::RateLimited { retry_after } => {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_secs_f64();
            let body = json!({"message": "You are being rate limited.", "retry_after": retry_after, "global": false, "code": 0});
            let mut r = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
            let h = r.headers_mut();
            let mut set = |k: &'static str, v: String| {
                h.insert(k, v.parse().expect("a header value"));
            };
            set("retry-after", format!("{}", retry_after.ceil() as u64));
            set("x-ratelimit-limit", "5".into());
            set("x-ratelimit-remaining", "0".into());
            set("x-ratelimit-reset", format!("{:.3}", now + retry_after));
            set("x-ratelimit-reset-after", format!("{retry_after:.3}"));
            set("x-ratelimit-bucket", "stand-in-bucket".into());
            set("x-ratelimit-scope", "user".into());
            r
        }
        Fault::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let (code, message) = match code {
                401 => (0, "401: Unauthorized"),
                403 => (50013, "Missing Permissions"),
                404 => (10003, "Unknown Channel"),
                502 => (0, "502: Bad Gateway"),
                503 => (0, "503: Service Unavailable"),
                _ => (0, "500: Internal Server Error"),
            };
            err(status, code, message)
        }
        Fault::Delay(_) => err(StatusCode::INTERNAL_SERVER_ERROR, 0, "a delay is served, not answered"),
    }
}

fn route(shared: &Shared, base: &str, method: &Method, path: &str, headers: &HeaderMap, body: Value, files: Vec<File>) -> Response {
    let mut s = shared.lock();
    s.requests.push(format!("{method} {path}"));
    let segments: Vec<&str> = path.trim_start_matches("/api/v10/").split('/').collect();
    let app = s.app_id.to_string();
    let needs_auth = !matches!(segments.as_slice(), ["interactions", ..] | ["webhooks", ..]);
    if needs_auth && !authorised(headers, &s) {
        return err(StatusCode::UNAUTHORIZED, 0, "401: Unauthorized");
    }
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["gateway", "bot"]) => Json(json!({
            "url": format!("{}/gateway", base.replacen("http", "ws", 1)), "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
        }))
        .into_response(),
        ("GET", ["oauth2", "applications", "@me"]) => Json(json!({
            "id": app, "name": "Agora", "description": "", "bot_public": false, "bot_require_code_grant": false,
            "verify_key": "0", "icon": null, "flags": 0,
            "owner": {"id": "1", "username": "owner", "discriminator": "0", "avatar": null},
        }))
        .into_response(),
        ("GET", ["users", "@me"]) => Json(json!({"id": app, "username": "Agora", "discriminator": "0", "bot": true, "avatar": null})).into_response(),
        ("PUT", ["applications", a, "commands"]) if *a == app => put_commands(&mut s, None, body),
        ("PUT", ["applications", a, "guilds", g, "commands"]) if *a == app => match g.parse::<u64>() {
            Ok(g) if s.guilds.iter().any(|x| x.id == g) => put_commands(&mut s, Some(g), body),
            _ => err(StatusCode::FORBIDDEN, 50001, "Missing Access"),
        },
        ("GET", ["applications", a, "commands"]) if *a == app => Json(Value::Array(s.commands.get(&None).cloned().unwrap_or_default())).into_response(),
        ("POST", ["interactions", id, token, "callback"]) => callback(&mut s, id, token, body, files),
        (m, ["webhooks", a, token, "messages", which]) if *a == app => webhook_message(&mut s, m, token, which, body, files),
        ("POST", ["webhooks", a, token]) if *a == app => followup(&mut s, token, body, files),
        ("POST", ["channels", c, "messages"]) => {
            let Ok(channel) = c.parse::<u64>() else { return err(StatusCode::NOT_FOUND, 10003, "Unknown Channel") };
            if !s.guilds.iter().any(|g| g.channels.iter().any(|(id, _)| *id == channel)) {
                return err(StatusCode::NOT_FOUND, 10003, "Unknown Channel");
            }
            let route = format!("POST /channels/{c}/messages");
            check_message(&mut s, &route, &body);
            let mut m = new_message(&mut s, channel, None, None);
            apply(&mut m, &body, files);
            let out = message_json(&m, s.app_id);
            s.messages.push(m);
            Json(out).into_response()
        }
        (m @ ("GET" | "PATCH" | "DELETE"), ["channels", c, "messages", id]) => {
            let (Ok(channel), Ok(id)) = (c.parse::<u64>(), id.parse::<u64>()) else { return err(StatusCode::NOT_FOUND, 10008, "Unknown Message") };
            let route = format!("{m} /channels/{c}/messages/{id}");
            if m == "PATCH" {
                check_message(&mut s, &route, &body);
            }
            let app_id = s.app_id;
            let Some(msg) = s.message_mut(id).filter(|x| x.channel_id == channel && !x.deleted) else {
                return err(StatusCode::NOT_FOUND, 10008, "Unknown Message");
            };
            match m {
                "PATCH" => {
                    apply(msg, &body, files);
                    msg.edits += 1;
                    Json(message_json(msg, app_id)).into_response()
                }
                "DELETE" => {
                    msg.deleted = true;
                    StatusCode::NO_CONTENT.into_response()
                }
                _ => Json(message_json(msg, app_id)).into_response(),
            }
        }
        _ => {
            s.violations.push(format!("the bot called {method} {path}, which the stand-in does not model"));
            err(StatusCode::NOT_FOUND, 0, "404: Not Found")
        }
    }
}

fn check_message(s: &mut State, route: &str, body: &Value) {
    s.payloads.push(Payload { route: route.to_string(), body: body.clone() });
    if let Some(p) = mention_problem(route, body) {
        s.violations.push(p);
    }
}

fn put_commands(s: &mut State, guild: Option<u64>, body: Value) -> Response {
    let Some(list) = body.as_array() else { return err(StatusCode::BAD_REQUEST, 50035, "Invalid Form Body") };
    let problems = command_problems(list);
    if !problems.is_empty() {
        s.violations.extend(problems.iter().map(|p| format!("command registration refused: {p}")));
        return err(StatusCode::BAD_REQUEST, 50035, &format!("Invalid Form Body: {}", problems.join("; ")));
    }
    let app = s.app_id.to_string();
    let mut stored = Vec::new();
    for c in list {
        let mut c = c.clone();
        c["id"] = json!(s.id().to_string());
        c["application_id"] = json!(app);
        c["version"] = json!(s.id().to_string());
        if c.get("type").is_none() {
            c["type"] = json!(1);
        }
        if let Some(g) = guild {
            c["guild_id"] = json!(g.to_string());
        }
        stored.push(c);
    }
    s.commands.insert(guild, stored.clone());
    s.registrations += 1;
    Json(Value::Array(stored)).into_response()
}

fn callback(s: &mut State, id: &str, token: &str, body: Value, files: Vec<File>) -> Response {
    let Ok(id) = id.parse::<u64>() else { return err(StatusCode::NOT_FOUND, 10062, "Unknown interaction") };
    let Some(i) = s.interactions.get_mut(&id).filter(|i| i.token == token) else { return err(StatusCode::NOT_FOUND, 10062, "Unknown interaction") };
    let kind = body["type"].as_u64().unwrap_or(0);
    let data = body["data"].clone();
    let after = i.sent_at.elapsed();
    let label = i.label.clone();
    if !i.callbacks.is_empty() {
        i.callbacks.push(Callback { kind, data, after, status: 400 });
        s.violations.push(format!("{label} (interaction {id}): a second callback (type {kind}); Discord answers 400, 40060 already acknowledged"));
        return err(StatusCode::BAD_REQUEST, 40060, "Interaction has already been acknowledged.");
    }
    if after > DEADLINE {
        i.callbacks.push(Callback { kind, data, after, status: 404 });
        s.violations.push(format!("{label} (interaction {id}): first response after {after:?}; Discord allows {DEADLINE:?} and then forgets the interaction"));
        return err(StatusCode::NOT_FOUND, 10062, "Unknown interaction");
    }
    if i.autocomplete != (kind == 8) {
        let why = if i.autocomplete { "an autocomplete request needs type 8" } else { "type 8 answers only autocomplete requests" };
        s.violations.push(format!("{label} (interaction {id}): callback type {kind}: {why}"));
        return err(StatusCode::BAD_REQUEST, 50035, "Invalid Form Body");
    }
    i.callbacks.push(Callback { kind, data: data.clone(), after, status: 204 });
    let (channel, user, clicked) = (i.channel, i.user, i.message);
    match kind {
        4 | 5 => {
            let route = format!("callback type {kind} of {label}");
            if kind == 4 {
                check_message(s, &route, &data);
            }
            let flags = data["flags"].as_u64().unwrap_or(0);
            let mut m = new_message(s, channel, Some(id), (flags & EPHEMERAL != 0).then_some(user));
            apply(&mut m, &data, files);
            m.flags = flags;
            m.thinking = kind == 5;
            let mid = m.id;
            s.messages.push(m);
            s.interactions.get_mut(&id).expect("present").original = Some(mid);
        }
        6 | 7 => {
            let Some(mid) = clicked else {
                s.violations.push(format!("{label} (interaction {id}): callback type {kind} needs a message component or modal from a message"));
                return err(StatusCode::BAD_REQUEST, 50035, "Invalid Form Body");
            };
            if kind == 7 {
                check_message(s, &format!("callback type 7 of {label}"), &data);
                if let Some(m) = s.message_mut(mid) {
                    apply(m, &data, files);
                    m.edits += 1;
                }
            }
            s.interactions.get_mut(&id).expect("present").original = Some(mid);
        }
        1 | 8 | 9 => {}
        other => {
            s.violations.push(format!("{label} (interaction {id}): unknown callback type {other}"));
            return err(StatusCode::BAD_REQUEST, 50035, "Invalid Form Body");
        }
    }
    StatusCode::NO_CONTENT.into_response()
}

fn webhook_message(s: &mut State, method: &str, token: &str, which: &str, body: Value, files: Vec<File>) -> Response {
    let Some(&iid) = s.by_token.get(token) else { return err(StatusCode::NOT_FOUND, 10015, "Unknown Webhook") };
    let i = &s.interactions[&iid];
    let label = i.label.clone();
    let target = if which == "@original" { i.original } else { which.parse::<u64>().ok().filter(|m| i.followups.contains(m) || i.original == Some(*m)) };
    let Some(mid) = target else { return err(StatusCode::NOT_FOUND, 10008, "Unknown Message") };
    let route = format!("{method} /webhooks/…/messages/{which} of {label}");
    if method == "PATCH" {
        check_message(s, &route, &body);
    }
    let app_id = s.app_id;
    let Some(m) = s.message_mut(mid).filter(|m| !m.deleted) else { return err(StatusCode::NOT_FOUND, 10008, "Unknown Message") };
    match method {
        "GET" => Json(message_json(m, app_id)).into_response(),
        "PATCH" => {
            apply(m, &body, files);
            m.thinking = false;
            m.edits += 1;
            Json(message_json(m, app_id)).into_response()
        }
        "DELETE" => {
            m.deleted = true;
            StatusCode::NO_CONTENT.into_response()
        }
        _ => err(StatusCode::METHOD_NOT_ALLOWED, 0, "405: Method Not Allowed"),
    }
}

fn followup(s: &mut State, token: &str, body: Value, files: Vec<File>) -> Response {
    let Some(&iid) = s.by_token.get(token) else { return err(StatusCode::NOT_FOUND, 10015, "Unknown Webhook") };
    let (label, channel, user, original, answered) = {
        let i = &s.interactions[&iid];
        (i.label.clone(), i.channel, i.user, i.original, i.callbacks.iter().any(|c| c.status == 204))
    };
    if !answered {
        s.violations.push(format!("{label} (interaction {iid}): a follow-up before any response; Discord answers 10015 Unknown Webhook"));
        return err(StatusCode::NOT_FOUND, 10015, "Unknown Webhook");
    }
    check_message(s, &format!("POST /webhooks/… (follow-up) of {label}"), &body);
    let app_id = s.app_id;
    // The first follow-up after a deferred reply takes the place of "thinking…".
    if let Some(m) = original.and_then(|mid| s.message_mut(mid)).filter(|m| m.thinking) {
        apply(m, &body, files);
        m.thinking = false;
        return Json(message_json(m, app_id)).into_response();
    }
    let flags = body["flags"].as_u64().unwrap_or(0);
    let mut m = new_message(s, channel, Some(iid), (flags & EPHEMERAL != 0).then_some(user));
    apply(&mut m, &body, files);
    m.flags = flags;
    let out = message_json(&m, app_id);
    let mid = m.id;
    s.messages.push(m);
    s.interactions.get_mut(&iid).expect("present").followups.push(mid);
    Json(out).into_response()
}
