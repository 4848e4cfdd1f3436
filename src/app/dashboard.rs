//! The instructor's page as the layer sees it: signed links to it, their revocation, and the
//! read-only report it shows (mastery heatmap, items, rounds held, debates, the review queue,
//! the gradebook).
//!
//! Invariants:
//! * a link is an HMAC-SHA256 signature over (server, expiry, generation), with the
//!   operator's key or one generated once into the store; the report is read only through a
//!   token that verifies, is unexpired and names the server's current generation, so a
//!   forged, altered, expired, revoked or other server's token reads nothing;
//! * only an instructor (the layer's one rule) gets or revokes a link;
//! * every figure is the store's (the same queries as the scores and the gradebook), and
//!   names follow the server's anonymous-leaderboard setting.

use std::collections::HashMap;
use std::sync::RwLock;

use hmac::{KeyInit, Mac};
use rand::RngCore;

use crate::app::{App, AppResult, Member, Privilege, ReleaseView, Tally, UserError, item_topics};
use crate::bank::{Bank, Question};
use crate::config::Secret;
use crate::ids::{GuildId, Millis, UserId};
use crate::quiz::review::review;

pub use crate::store::{QuestionHeld, RoundHeld};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// How a link is made: where the page is, with what key, for how long.
#[derive(Debug, Clone, Default)]
pub struct LinkSettings {
    /// The page's base address as the instructor's browser reaches it (`AGORA_PUBLIC_URL`,
    /// or the listener's own address); `None`: the page is off.
    pub base_url: Option<String>,
    /// The operator's signing key; `None`: the store's, generated once.
    pub key: Option<Secret>,
    /// How long a link works.
    pub lifetime_ms: Millis,
}

/// What a layer keeps about its links.
#[derive(Debug, Default)]
pub(crate) struct Links {
    settings: RwLock<LinkSettings>,
}

/// A link to the server's page, for the instructor who asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardLink {
    pub url: String,
    pub expires_at: Millis,
}

/// The report of one server, as its page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub guild: GuildId,
    pub paper_title: String,
    pub read_at: Millis,
    /// When the link that opened it stops working.
    pub expires_at: Millis,
    /// Names are "Student N" (the server's anonymous-leaderboard setting).
    pub anonymous: bool,
    /// Topics with the class's answers in them, the weakest (lowest share correct) first;
    /// topics nobody answered last, in the bank's order.
    pub topics: Vec<TopicColumn>,
    /// One row per student, by name; `cells` follow `topics`.
    pub students: Vec<HeatmapRow>,
    /// Items the class answered, the most answered first.
    pub items: Vec<ItemView>,
    pub rounds: Vec<RoundHeld>,
    pub debates: Vec<ReleaseView>,
    pub queue: QueueView,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopicColumn {
    pub id: String,
    pub title: String,
    /// The whole class's answers in this topic.
    pub class: Tally,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HeatmapRow {
    pub name: String,
    pub overall: Tally,
    pub points: i64,
    pub cells: Vec<Tally>,
}

/// One item as the class answered it, with the review's flags.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemView {
    pub item_id: String,
    pub kind: &'static str,
    pub prompt: String,
    pub times_asked: u64,
    pub answers: u64,
    pub share_correct: f64,
    /// Choice items: each choice in the bank's order with its pick rate.
    pub picks: Vec<crate::quiz::review::Pick>,
    pub flags: Vec<String>,
    /// The passages that establish the answer: (id, quote).
    pub citations: Vec<(String, String)>,
    /// Where it is written in the bank in use: the file (below the bank's folder) and line;
    /// a generated item's is the knowledge entry it comes from.
    pub place: Option<(String, u64)>,
    pub generated: bool,
}

/// A file of the bank, for a link that opens the page.
#[derive(Debug, Clone, PartialEq)]
pub enum BankFileView {
    Found {
        name: String,
        text: String,
    },
    /// The bank in use has no such file (reloaded since the page was read, or a mistyped link).
    Missing {
        name: String,
    },
}

/// The prompt answers waiting for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueView {
    pub waiting: u64,
    /// When the oldest waiting answer was sent.
    pub oldest_at: Option<Millis>,
}

impl App {
    /// Where links point and how they are signed (`agora serve` sets it from the config).
    pub fn set_link_settings(&self, settings: LinkSettings) {
        *self.links.settings.write().unwrap_or_else(|e| e.into_inner()) = settings;
    }

    fn link_settings(&self) -> LinkSettings {
        self.links.settings.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// An instructor's link to this server's page, signed for the server's current
    /// generation and good for the configured lifetime.
    pub async fn dashboard_link(&self, guild: &GuildId, member: &Member) -> AppResult<DashboardLink> {
        self.require_instructor(guild, member, Privilege::Dashboard).await?;
        let settings = self.link_settings();
        let Some(base) = settings.base_url.as_deref() else {
            return Err(UserError::BadRequest(
                "the class page is not turned on for this bot: its operator sets `web_addr` (AGORA_WEB_ADDR) and restarts it".into(),
            )
            .into());
        };
        let expires_at = self.now().saturating_add(settings.lifetime_ms);
        let generation = self.store.link_generation(guild).await?;
        let token = sign(&self.signing_key().await?, guild, expires_at, generation);
        Ok(DashboardLink { url: format!("{}/dashboard/{token}", base.trim_end_matches('/')), expires_at })
    }

    /// An instructor revokes every link to this server's page issued so far; returns the
    /// new generation.
    pub async fn dashboard_revoke(&self, guild: &GuildId, member: &Member) -> AppResult<i64> {
        self.require_instructor(guild, member, Privilege::Dashboard).await?;
        Ok(self.store.bump_link_generation(guild).await?)
    }

    /// The server a token opens, with the moment it expires, or `None` for a token that is
    /// forged, altered, expired or revoked.
    pub async fn dashboard_guild(&self, token: &str) -> AppResult<Option<(GuildId, Millis)>> {
        let Some(claim) = Claim::parse(token) else {
            return Ok(None);
        };
        if !claim.signed_by(&self.signing_key().await?) || claim.expires_at <= self.now() {
            return Ok(None);
        }
        let current = self.store.link_generation(&claim.guild).await?;
        Ok((claim.generation == current).then_some((claim.guild, claim.expires_at)))
    }

    /// The report a token opens; `None` for a token that opens nothing.
    pub async fn dashboard(&self, token: &str) -> AppResult<Option<Dashboard>> {
        let Some((guild, expires_at)) = self.dashboard_guild(token).await? else {
            return Ok(None);
        };
        self.dashboard_of(&guild, expires_at).await.map(Some)
    }

    /// The gradebook CSV (the same file as `/scores export`) a token opens.
    pub async fn dashboard_gradebook(&self, token: &str) -> AppResult<Option<String>> {
        let Some((guild, _)) = self.dashboard_guild(token).await? else {
            return Ok(None);
        };
        self.gradebook(&guild, &Member::operator()).await.map(Some)
    }

    /// A file of the bank in use (`name` as [`ItemView::place`] gives it) that a token opens:
    /// the items' source, answers and all, so only for a token that opens the page.
    pub async fn dashboard_bank_file(&self, token: &str, name: &str) -> AppResult<Option<BankFileView>> {
        if self.dashboard_guild(token).await?.is_none() {
            return Ok(None);
        }
        let bank = self.bank();
        Ok(Some(match bank.file(name) {
            Some(f) => BankFileView::Found { name: f.name.clone(), text: f.text.clone() },
            None => BankFileView::Missing { name: name.to_string() },
        }))
    }

    async fn dashboard_of(&self, guild: &GuildId, expires_at: Millis) -> AppResult<Dashboard> {
        let bank = self.bank();
        let anonymous = self.settings(guild).await?.anonymous_leaderboard;
        let tallies = self.store.student_tallies(guild.as_str(), &item_topics(&bank)).await?;
        let topics = topic_columns(&bank, tallies.iter().map(|s| &s.topics));
        let mut students: Vec<(&str, HeatmapRow)> = tallies
            .iter()
            .filter(|s| s.overall.answered > 0 || s.points != 0)
            .map(|s| {
                let row = HeatmapRow {
                    name: s.name.clone(),
                    overall: s.overall,
                    points: s.points,
                    cells: topics.iter().map(|t| s.topics.get(&t.id).copied().unwrap_or_default()).collect(),
                };
                (s.user_id.as_str(), row)
            })
            .collect();
        // Anonymous: each student is "Student N" wherever the page names them (the heatmap and
        // the debates alike), numbered in an order that says nothing of who they are: by
        // points, then answers.
        let mut pseudonyms: HashMap<&str, String> = HashMap::new();
        if anonymous {
            students.sort_by(|(_, a), (_, b)| b.points.cmp(&a.points).then(b.overall.answered.cmp(&a.overall.answered)));
            for (n, (user, row)) in students.iter_mut().enumerate() {
                row.name = format!("Student {}", n + 1);
                pseudonyms.insert(user, row.name.clone());
            }
        }
        let students: Vec<HeatmapRow> = students.into_iter().map(|(_, row)| row).collect();
        let mut items: Vec<ItemView> =
            self.store.item_stats(guild.as_str()).await?.into_iter().filter_map(|s| Some(item_view(&bank, bank.question(&s.item_id)?, s))).collect();
        items.sort_by(|a, b| b.answers.cmp(&a.answers).then_with(|| a.item_id.cmp(&b.item_id)));
        let mut debates = Vec::new();
        for id in self.store.released_debates(guild).await? {
            let mut result = self.debate_result(guild, &id).await?;
            if anonymous {
                let hidden = |user: &UserId| pseudonyms.get(user.as_str()).cloned().unwrap_or_else(|| "A student".to_owned());
                result.speakers.iter_mut().for_each(|s| s.name = hidden(&s.user_id));
                result.awards.iter_mut().for_each(|a| a.name = hidden(&a.user_id));
            }
            debates.push(result);
        }
        let (waiting, oldest) = self.store.prompt_queue(guild, 1).await?;
        Ok(Dashboard {
            guild: guild.clone(),
            paper_title: bank.paper.title.clone(),
            read_at: self.now(),
            expires_at,
            anonymous,
            topics,
            students,
            items,
            rounds: self.store.rounds_held(guild).await?,
            debates,
            queue: QueueView { waiting, oldest_at: oldest.first().map(|a| a.submitted_at) },
        })
    }

    /// The operator's key, or the store's (made once, from 32 random bytes).
    async fn signing_key(&self) -> AppResult<Vec<u8>> {
        if let Some(key) = self.link_settings().key.filter(|k| !k.is_empty()) {
            return Ok(key.expose().as_bytes().to_vec());
        }
        let hex_key = self
            .store
            .web_key("dashboard", || {
                let mut bytes = [0u8; 32];
                rand::rng().fill_bytes(&mut bytes);
                hex::encode(bytes)
            })
            .await?;
        Ok(hex_key.into_bytes())
    }
}

/// The bank's topics with the class's tallies, weakest first, unanswered last.
fn topic_columns<'a>(bank: &Bank, students: impl Iterator<Item = &'a HashMap<String, Tally>>) -> Vec<TopicColumn> {
    let mut class: HashMap<&str, Tally> = HashMap::new();
    for topics in students {
        for (id, t) in topics {
            let c = class.entry(id.as_str()).or_default();
            c.answered += t.answered;
            c.correct += t.correct;
        }
    }
    let mut columns: Vec<TopicColumn> = bank
        .topics
        .iter()
        .map(|t| TopicColumn { id: t.id.clone(), title: t.title.clone(), class: class.get(t.id.as_str()).copied().unwrap_or_default() })
        .collect();
    // Stable: topics equal in accuracy (and the unanswered) keep the bank's order.
    columns.sort_by(|a, b| match (a.class.accuracy(), b.class.accuracy()) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    columns
}

fn item_view(bank: &Bank, q: &Question, s: crate::store::ItemStats) -> ItemView {
    let r = review(q, s.answers, s.correct, &s.responses);
    ItemView {
        item_id: s.item_id,
        kind: q.kind().title(),
        prompt: q.prompt.clone(),
        times_asked: s.times_asked,
        answers: r.answers,
        share_correct: r.share_correct,
        picks: r.picks,
        flags: r.flags.iter().map(ToString::to_string).collect(),
        citations: q.citations.iter().filter_map(|id| bank.passage(id)).map(|p| (p.id.clone(), p.quote.clone())).collect(),
        place: bank.place(&q.id).map(|(file, line)| (file.name.clone(), line)),
        generated: q.origin == crate::bank::Origin::Generated,
    }
}

/// What a token claims, before its signature is checked.
struct Claim {
    guild: GuildId,
    expires_at: Millis,
    generation: i64,
    signature: Vec<u8>,
}

impl Claim {
    /// `v1.<server>.<expiry>.<generation>.<signature hex>`; anything else is `None`.
    fn parse(token: &str) -> Option<Claim> {
        let rest = token.strip_prefix("v1.")?;
        let mut parts = rest.rsplitn(4, '.');
        let signature = hex::decode(parts.next()?).ok()?;
        let generation = parts.next()?.parse().ok()?;
        let expires_at = parts.next()?.parse().ok()?;
        let guild = parts.next().filter(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_alphanumeric() || b == b':' || b == b'-'))?;
        Some(Claim { guild: GuildId::new(guild), expires_at, generation, signature })
    }

    fn signed_by(&self, key: &[u8]) -> bool {
        mac(key, &self.guild, self.expires_at, self.generation).verify_slice(&self.signature).is_ok()
    }
}

fn mac(key: &[u8], guild: &GuildId, expires_at: Millis, generation: i64) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(format!("agora-dashboard\n{guild}\n{expires_at}\n{generation}").as_bytes());
    mac
}

/// The token for (server, expiry, generation).
fn sign(key: &[u8], guild: &GuildId, expires_at: Millis, generation: i64) -> String {
    let signature = hex::encode(mac(key, guild, expires_at, generation).finalize().into_bytes());
    format!("v1.{guild}.{expires_at}.{generation}.{signature}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_only_as_signed() {
        let guild = GuildId::new("123");
        let token = sign(b"key", &guild, 5_000, 2);
        let claim = Claim::parse(&token).unwrap();
        assert!(claim.signed_by(b"key"));
        assert!(!claim.signed_by(b"other key"));
        assert_eq!((claim.guild.as_str(), claim.expires_at, claim.generation), ("123", 5_000, 2));
        for altered in [token.replace(".5000.", ".5001."), token.replace("v1.123.", "v1.124."), token.replace(".2.", ".3.")] {
            assert!(!Claim::parse(&altered).unwrap().signed_by(b"key"), "{altered}");
        }
        for junk in ["", "v1.", "v1....", "v2.123.5000.2.00", "v1.123.5000.2.zz", "v1.<x>.5000.2.00", "v1.123.soon.2.00"] {
            assert!(Claim::parse(junk).is_none_or(|c| !c.signed_by(b"key")), "{junk}");
        }
    }
}
