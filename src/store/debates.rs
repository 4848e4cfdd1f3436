//! Debates in the store: created with their plan, rubric and cards, then changed one move
//! at a time (a seat, a phase, a speech, a flag, a vote, a ballot), released with their
//! awards, and read back whole to rebuild the domain's [`DebateRecord`].
//!
//! Invariants:
//! * only an `open` debate changes, and each change names the phase it was made for: the
//!   write first claims the debate row at that phase (and, for a student's submission,
//!   before its deadline) in the same transaction, so a change racing a phase change or a
//!   release from another process is refused whole ([`StoreError::DebateMoved`]);
//! * a channel has at most one open debate (a partial unique index);
//! * a release writes the status and every award in one transaction: points are awarded
//!   exactly once, and only for a released debate;
//! * text people wrote (motion, speech, reason, feedback) is bound through `text::typed`, so
//!   both databases store the same string.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Connection, Row};

use super::Store;
use super::error::{Context, Result, StoreError};
use super::outbox::{self, Post};
use crate::debate::{
    Ballot, Cited, DebateMotion, DebateRecord, Flag, Format, Phase, PhaseChange, Place, PlannedPhase, Poll, Rubric, Seat, Side, SlotKey, SpeakerScores, Speech,
    SpeechRef, Stance, Status, Vote,
};
use crate::ids::{ChannelId, DebateId, GuildId, Millis, UserId};

/// A debate about to be stored: who started it where, and its record as set up.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDebate {
    pub guild_id: GuildId,
    pub debate_id: DebateId,
    pub channel_id: ChannelId,
    pub started_by: UserId,
    pub started_at: Millis,
    pub record: DebateRecord,
}

/// A debate as stored: its record and where it runs, with the names of its members.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDebate {
    pub guild_id: GuildId,
    pub debate_id: DebateId,
    pub channel_id: ChannelId,
    pub thread_id: Option<String>,
    pub started_by: UserId,
    pub started_at: Millis,
    pub record: DebateRecord,
    /// Display names of the members, speakers and judges the store knows.
    pub names: HashMap<UserId, String>,
    /// The board a face posted last, if any.
    pub board: Option<Board>,
}

/// A debate's board as a face posted it: its message, and the phase it was posted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Board {
    pub message_id: String,
    pub phase_index: usize,
}

/// An open debate, as a restarted bot needs it to re-arm its phase timer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenDebate {
    pub guild_id: GuildId,
    pub debate_id: DebateId,
    pub channel_id: ChannelId,
    pub thread_id: Option<String>,
    pub phase_index: usize,
    pub phase: Phase,
    /// When the current phase closes; `None` when only the instructor closes it.
    pub deadline: Option<Millis>,
}

/// What a change expects of the debate it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expect {
    /// The phase the change was made for.
    pub phase_index: usize,
    /// For a student's submission: the moment it was made, which must be before the
    /// phase's deadline.
    pub before_deadline: Option<Millis>,
}

impl Expect {
    pub fn phase(phase_index: usize) -> Expect {
        Expect { phase_index, before_deadline: None }
    }

    pub fn in_time(phase_index: usize, now: Millis) -> Expect {
        Expect { phase_index, before_deadline: Some(now) }
    }
}

const SELECT_DEBATE: &str = "SELECT guild_id, debate_id, channel_id, thread_id, format, per_side, motion_id, motion, info, scale_max,
    phase_index, phase_opened_at, deadline, status, started_by, started_at, ended_at, board_message_id, board_phase FROM debates";

impl Store {
    /// Stores a new debate with its phases, rubric and cards. A channel that already has an
    /// open debate is refused with [`StoreError::DebateChannelBusy`].
    pub async fn create_debate(&self, new: &NewDebate) -> Result<()> {
        let mut conn = self.writer.acquire().await?;
        match insert_debate(&mut conn, new).await {
            Err(StoreError::Query { source: sqlx::Error::Database(db), .. }) if db.kind() == sqlx::error::ErrorKind::UniqueViolation => {
                Err(StoreError::DebateChannelBusy { guild_id: new.guild_id.clone(), channel_id: new.channel_id.clone() })
            }
            other => other,
        }
    }

    /// The debate with this id in this guild, whatever its status, read back whole.
    pub async fn debate(&self, guild_id: &GuildId, debate_id: &DebateId) -> Result<Option<StoredDebate>> {
        let context = || format!("reading debate {debate_id} of guild {guild_id}");
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_DEBATE} WHERE guild_id = $1 AND debate_id = $2")))
            .bind(guild_id.as_str())
            .bind(debate_id.as_str())
            .fetch_optional(&self.reader)
            .await
            .with_context(context)?;
        let Some(row) = row else { return Ok(None) };
        let head = Head::from_row(&row)?;
        let (g, d) = (guild_id.as_str(), debate_id.as_str());
        let fetch = async |sql: &'static str| sqlx::query(sql).bind(g).bind(d).fetch_all(&self.reader).await.with_context(context);

        let mut plan = Vec::new();
        for r in fetch("SELECT phase, seconds FROM debate_phases WHERE guild_id = $1 AND debate_id = $2 ORDER BY position").await? {
            let phase: String = get(&r, "phase")?;
            let seconds: Option<i64> = get(&r, "seconds")?;
            plan.push(PlannedPhase {
                phase: Phase::parse(&phase).ok_or_else(|| corrupt_value("debate_phases", format!("unknown phase {phase:?}")))?,
                seconds: seconds.map(|s| u32::try_from(s).map_err(|_| corrupt_value("debate_phases", format!("phase time {s} out of range")))).transpose()?,
            });
        }
        let mut criteria = Vec::new();
        for r in fetch("SELECT name FROM debate_criteria WHERE guild_id = $1 AND debate_id = $2 ORDER BY position").await? {
            criteria.push(get::<String>(&r, "name")?);
        }
        let (mut proposition, mut opposition) = (Vec::new(), Vec::new());
        for r in fetch("SELECT side, passage_id FROM debate_cards WHERE guild_id = $1 AND debate_id = $2 ORDER BY side, position").await? {
            let passage: String = get(&r, "passage_id")?;
            match side(&get::<String>(&r, "side")?)? {
                Side::Proposition => proposition.push(passage),
                Side::Opposition => opposition.push(passage),
            }
        }
        let (mut seats, mut audience) = (Vec::new(), Vec::new());
        for r in fetch("SELECT user_id, role, position, joined_at FROM debate_seats WHERE guild_id = $1 AND debate_id = $2 ORDER BY joined_at, user_id").await?
        {
            let user = UserId::new(get::<String>(&r, "user_id")?);
            match get::<String>(&r, "role")?.as_str() {
                "audience" => audience.push(user),
                role => seats.push(Seat {
                    user,
                    team: side(role)?,
                    position: index(get(&r, "position")?, "debate_seats")? as u32,
                    joined_at: get(&r, "joined_at")?,
                }),
            }
        }
        let mut citations: HashMap<(usize, String), Vec<Cited>> = HashMap::new();
        for r in fetch(
            "SELECT phase_index, slot, passage_id, in_bank FROM debate_citations WHERE guild_id = $1 AND debate_id = $2 ORDER BY phase_index, slot, position",
        )
        .await?
        {
            let key = (index(get(&r, "phase_index")?, "debate_citations")?, get::<String>(&r, "slot")?);
            citations.entry(key).or_default().push(Cited { passage_id: get(&r, "passage_id")?, in_bank: get::<i64>(&r, "in_bank")? != 0 });
        }
        let mut speeches = Vec::new();
        for r in fetch(
            "SELECT phase_index, slot, author_id, argues, claim, reasoning, submitted_at FROM debate_speeches
             WHERE guild_id = $1 AND debate_id = $2 ORDER BY submitted_at, phase_index, slot",
        )
        .await?
        {
            let phase_index = index(get(&r, "phase_index")?, "debate_speeches")?;
            let slot: String = get(&r, "slot")?;
            let argues: Option<String> = get(&r, "argues")?;
            speeches.push(Speech {
                phase_index,
                key: SlotKey::parse(&slot),
                argues: argues.as_deref().map(side).transpose()?,
                author: UserId::new(get::<String>(&r, "author_id")?),
                claim: get(&r, "claim")?,
                reasoning: get(&r, "reasoning")?,
                citations: citations.remove(&(phase_index, slot)).unwrap_or_default(),
                submitted_at: get(&r, "submitted_at")?,
            });
        }
        let mut flags = Vec::new();
        for r in fetch(
            "SELECT phase_index, slot, passage_id, flagged_by, reason, flagged_at FROM debate_flags
             WHERE guild_id = $1 AND debate_id = $2 ORDER BY flagged_at, phase_index, slot, passage_id, flagged_by",
        )
        .await?
        {
            flags.push(Flag {
                speech: SpeechRef { phase_index: index(get(&r, "phase_index")?, "debate_flags")?, key: SlotKey::parse(&get::<String>(&r, "slot")?) },
                passage_id: get(&r, "passage_id")?,
                by: UserId::new(get::<String>(&r, "flagged_by")?),
                reason: get(&r, "reason")?,
                flagged_at: get(&r, "flagged_at")?,
            });
        }
        let mut marks: HashMap<(String, String), Vec<(i64, u8)>> = HashMap::new();
        for r in fetch("SELECT judge_id, speaker_id, criterion, score FROM debate_scores WHERE guild_id = $1 AND debate_id = $2").await? {
            let score: i64 = get(&r, "score")?;
            let score = u8::try_from(score).map_err(|_| corrupt_value("debate_scores", format!("score {score} out of range")))?;
            marks.entry((get(&r, "judge_id")?, get(&r, "speaker_id")?)).or_default().push((get(&r, "criterion")?, score));
        }
        // Scores in speaking order, as the domain keeps them.
        let speaking_order = speaking_order(&seats);
        let mut ballots = Vec::new();
        for r in fetch("SELECT judge_id, official, winner, feedback, submitted_at FROM debate_ballots WHERE guild_id = $1 AND debate_id = $2 ORDER BY submitted_at, judge_id").await? {
            let judge: String = get(&r, "judge_id")?;
            let winner: Option<String> = get(&r, "winner")?;
            let mut scores = Vec::new();
            for speaker in &speaking_order {
                if let Some(mut m) = marks.remove(&(judge.clone(), speaker.as_str().to_owned())) {
                    m.sort_unstable();
                    scores.push(SpeakerScores { speaker: speaker.clone(), scores: m.into_iter().map(|(_, s)| s).collect() });
                }
            }
            ballots.push(Ballot {
                judge: UserId::new(judge),
                official: get::<i64>(&r, "official")? != 0,
                scores,
                winner: winner.as_deref().map(side).transpose()?,
                feedback: get(&r, "feedback")?,
                submitted_at: get(&r, "submitted_at")?,
            });
        }
        let mut votes = Vec::new();
        for r in
            fetch("SELECT poll, user_id, stance, voted_at FROM debate_votes WHERE guild_id = $1 AND debate_id = $2 ORDER BY voted_at, poll, user_id").await?
        {
            let poll: String = get(&r, "poll")?;
            let stance: String = get(&r, "stance")?;
            votes.push(Vote {
                poll: Poll::parse(&poll).ok_or_else(|| corrupt_value("debate_votes", format!("unknown poll {poll:?}")))?,
                user: UserId::new(get::<String>(&r, "user_id")?),
                stance: Stance::parse(&stance).ok_or_else(|| corrupt_value("debate_votes", format!("unknown stance {stance:?}")))?,
                voted_at: get(&r, "voted_at")?,
            });
        }
        let mut names = HashMap::new();
        let rows = sqlx::query(
            "SELECT user_id, display_name FROM users WHERE guild_id = $1 AND (
                 user_id IN (SELECT user_id FROM debate_seats WHERE guild_id = $1 AND debate_id = $2)
              OR user_id IN (SELECT judge_id FROM debate_ballots WHERE guild_id = $1 AND debate_id = $2)
              OR user_id IN (SELECT author_id FROM debate_speeches WHERE guild_id = $1 AND debate_id = $2))",
        )
        .bind(g)
        .bind(d)
        .fetch_all(&self.reader)
        .await
        .with_context(context)?;
        for r in &rows {
            names.insert(UserId::new(get::<String>(r, "user_id")?), get(r, "display_name")?);
        }
        let record = DebateRecord {
            format: head.format,
            motion: DebateMotion { id: head.motion_id, text: head.motion, info: head.info, proposition, opposition },
            rubric: Rubric { criteria, max: head.scale_max },
            plan,
            phase_index: head.phase_index,
            phase_opened_at: head.phase_opened_at,
            status: head.status,
            ended_at: head.ended_at,
            seats,
            audience,
            speeches,
            flags,
            ballots,
            votes,
        };
        Ok(Some(StoredDebate {
            guild_id: guild_id.clone(),
            debate_id: debate_id.clone(),
            channel_id: head.channel_id,
            thread_id: head.thread_id,
            started_by: head.started_by,
            started_at: head.started_at,
            record,
            names,
            board: head.board,
        }))
    }

    /// The debate open in this channel, if any.
    pub async fn open_debate_in(&self, guild_id: &GuildId, channel_id: &ChannelId) -> Result<Option<DebateId>> {
        self.debate_in("AND status = 'open'", guild_id, channel_id, "the open debate").await
    }

    /// The debate to read in this channel: the open one, or else the one released last.
    pub async fn readable_debate_in(&self, guild_id: &GuildId, channel_id: &ChannelId) -> Result<Option<DebateId>> {
        let which = "AND status IN ('open', 'released')
             ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, ended_at DESC, started_at DESC, debate_id DESC LIMIT 1";
        self.debate_in(which, guild_id, channel_id, "the debate to read").await
    }

    /// The first debate of a channel that `which` (a condition and an order) selects.
    async fn debate_in(&self, which: &'static str, guild_id: &GuildId, channel_id: &ChannelId, what: &str) -> Result<Option<DebateId>> {
        let sql = format!("SELECT debate_id FROM debates WHERE guild_id = $1 AND channel_id = $2 {which}");
        let id: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(guild_id.as_str())
            .bind(channel_id.as_str())
            .fetch_optional(&self.reader)
            .await
            .with_context(|| format!("reading {what} of channel {channel_id} in guild {guild_id}"))?;
        Ok(id.map(DebateId::new))
    }

    /// Every open debate in every guild, with its current phase and deadline, the soonest
    /// deadline first (debates waiting for the instructor last).
    pub async fn open_debates(&self) -> Result<Vec<OpenDebate>> {
        let rows = sqlx::query(
            "SELECT d.guild_id AS guild_id, d.debate_id AS debate_id, d.channel_id AS channel_id, d.thread_id AS thread_id,
                    d.phase_index AS phase_index, d.deadline AS deadline, p.phase AS phase
             FROM debates d
             JOIN debate_phases p ON p.guild_id = d.guild_id AND p.debate_id = d.debate_id AND p.position = d.phase_index
             WHERE d.status = 'open'
             ORDER BY CASE WHEN d.deadline IS NULL THEN 1 ELSE 0 END, d.deadline, d.guild_id, d.debate_id",
        )
        .fetch_all(&self.reader)
        .await
        .context("listing open debates")?;
        let mut open = Vec::with_capacity(rows.len());
        for r in &rows {
            let phase: String = get(r, "phase")?;
            open.push(OpenDebate {
                guild_id: GuildId::new(get::<String>(r, "guild_id")?),
                debate_id: DebateId::new(get::<String>(r, "debate_id")?),
                channel_id: ChannelId::new(get::<String>(r, "channel_id")?),
                thread_id: get(r, "thread_id")?,
                phase_index: index(get(r, "phase_index")?, "debates")?,
                phase: Phase::parse(&phase).ok_or_else(|| corrupt_value("debate_phases", format!("unknown phase {phase:?}")))?,
                deadline: get(r, "deadline")?,
            });
        }
        Ok(open)
    }

    /// The points awarded from one source (`debate:ID`, `prompt:ID`), per member.
    pub async fn awards_for(&self, guild_id: &GuildId, source: &str) -> Result<Vec<(UserId, i64)>> {
        let rows = sqlx::query("SELECT user_id, points FROM awards WHERE guild_id = $1 AND source = $2 ORDER BY user_id")
            .bind(guild_id.as_str())
            .bind(source)
            .fetch_all(&self.reader)
            .await
            .with_context(|| format!("reading the awards of {source} in guild {guild_id}"))?;
        rows.iter().map(|r| Ok((UserId::new(get::<String>(r, "user_id")?), get(r, "points")?))).collect()
    }

    /// Remembers the thread a face opened for the debate.
    pub async fn set_debate_thread(&self, guild_id: &GuildId, debate_id: &DebateId, thread_id: &str) -> Result<()> {
        let mut conn = self.writer.acquire().await?;
        sqlx::query("UPDATE debates SET thread_id = $3 WHERE guild_id = $1 AND debate_id = $2")
            .bind(guild_id.as_str())
            .bind(debate_id.as_str())
            .bind(thread_id)
            .execute(&mut *conn)
            .await
            .with_context(|| format!("saving the thread of debate {debate_id} in guild {guild_id}"))?;
        Ok(())
    }

    /// Records the board a face posted for phase `phase_index` as the debate's board, and
    /// returns the one it replaces (if another), whose buttons the face then disables.
    pub async fn set_debate_board(&self, guild_id: &GuildId, debate_id: &DebateId, phase_index: usize, message_id: &str) -> Result<Option<Board>> {
        let context = || format!("saving the board of debate {debate_id} in guild {guild_id}");
        let mut conn = self.writer.acquire().await?;
        let mut tx = conn.begin().await.with_context(context)?;
        // Claims the row first (PostgreSQL locks it), so the read below is the one replaced.
        sqlx::query("UPDATE debates SET board_phase = board_phase WHERE guild_id = $1 AND debate_id = $2")
            .bind(guild_id.as_str())
            .bind(debate_id.as_str())
            .execute(&mut *tx)
            .await
            .with_context(context)?;
        let row = sqlx::query("SELECT board_message_id, board_phase FROM debates WHERE guild_id = $1 AND debate_id = $2")
            .bind(guild_id.as_str())
            .bind(debate_id.as_str())
            .fetch_optional(&mut *tx)
            .await
            .with_context(context)?;
        let before = match row {
            Some(r) => match (get::<Option<String>>(&r, "board_message_id")?, get::<Option<i64>>(&r, "board_phase")?) {
                (Some(message_id), Some(phase)) => Some(Board { message_id, phase_index: index(phase, "debates")? }),
                _ => None,
            },
            None => None,
        };
        sqlx::query("UPDATE debates SET board_message_id = $3, board_phase = $4 WHERE guild_id = $1 AND debate_id = $2")
            .bind(guild_id.as_str())
            .bind(debate_id.as_str())
            .bind(message_id)
            .bind(phase_index as i64)
            .execute(&mut *tx)
            .await
            .with_context(context)?;
        tx.commit().await.with_context(context)?;
        Ok(before.filter(|b| b.message_id != message_id))
    }

    /// Saves members' places (a join, an assignment, the moves of a balance).
    pub async fn save_places(&self, guild_id: &GuildId, debate_id: &DebateId, expect: Expect, places: &[Place], at: Millis) -> Result<()> {
        self.change(guild_id, debate_id, expect, "saving seats", async |tx| {
            for place in places {
                let (user, role, position, joined_at) = match place {
                    Place::Speaker(seat) => (&seat.user, seat.team.as_str(), i64::from(seat.position), seat.joined_at),
                    Place::Audience(user) => (user, "audience", 0, at),
                };
                sqlx::query(
                    "INSERT INTO debate_seats (guild_id, debate_id, user_id, role, position, joined_at) VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (guild_id, debate_id, user_id) DO UPDATE SET role = excluded.role, position = excluded.position, joined_at = excluded.joined_at",
                )
                .bind(guild_id.as_str())
                .bind(debate_id.as_str())
                .bind(user.as_str())
                .bind(role)
                .bind(position)
                .bind(joined_at)
                .execute(&mut **tx)
                .await?;
            }
            Ok(())
        })
        .await
    }

    /// Moves the debate from phase `change.from` to `change.to`.
    pub async fn set_debate_phase(&self, guild_id: &GuildId, debate_id: &DebateId, change: &PhaseChange) -> Result<()> {
        self.change(guild_id, debate_id, Expect::phase(change.from), "changing phase", async |tx| {
            sqlx::query("UPDATE debates SET phase_index = $3, phase_opened_at = $4, deadline = $5 WHERE guild_id = $1 AND debate_id = $2")
                .bind(guild_id.as_str())
                .bind(debate_id.as_str())
                .bind(change.to as i64)
                .bind(change.opened_at)
                .bind(change.deadline)
                .execute(&mut **tx)
                .await?;
            Ok(())
        })
        .await
    }

    /// Saves a speech and its citations, if its phase is still open and before its deadline.
    pub async fn save_speech(&self, guild_id: &GuildId, debate_id: &DebateId, speech: &Speech) -> Result<()> {
        self.save_speech_posting(guild_id, debate_id, speech, None).await
    }

    /// Saves a speech as [`Store::save_speech`], and queues `post` (the speech's messages
    /// for the channel) in the same transaction: both or neither.
    pub async fn save_speech_posting(&self, guild_id: &GuildId, debate_id: &DebateId, speech: &Speech, post: Option<&Post>) -> Result<()> {
        let expect = Expect::in_time(speech.phase_index, speech.submitted_at);
        self.change(guild_id, debate_id, expect, "saving a speech", async |tx| {
            let done = sqlx::query(
                "INSERT INTO debate_speeches (guild_id, debate_id, phase_index, slot, author_id, argues, claim, reasoning, submitted_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (guild_id, debate_id, phase_index, slot) DO NOTHING",
            )
            .bind(guild_id.as_str())
            .bind(debate_id.as_str())
            .bind(speech.phase_index as i64)
            .bind(speech.key.as_str())
            .bind(speech.author.as_str())
            .bind(speech.argues.map(Side::as_str))
            .bind(crate::text::typed(&speech.claim))
            .bind(crate::text::typed(&speech.reasoning))
            .bind(speech.submitted_at)
            .execute(&mut **tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            for (position, c) in speech.citations.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO debate_citations (guild_id, debate_id, phase_index, slot, position, passage_id, in_bank) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(guild_id.as_str())
                .bind(debate_id.as_str())
                .bind(speech.phase_index as i64)
                .bind(speech.key.as_str())
                .bind(position as i64)
                .bind(c.passage_id.as_str())
                .bind(i32::from(c.in_bank))
                .execute(&mut **tx)
                .await?;
            }
            if let Some(post) = post {
                outbox::put_raw(tx, post, speech.submitted_at).await?;
            }
            Ok(true)
        })
        .await
        .and_then(|inserted| if inserted { Ok(()) } else { Err(StoreError::DebateMoved { guild_id: guild_id.clone(), debate_id: debate_id.clone() }) })
    }

    /// Saves an opponent's flag on a card.
    pub async fn save_flag(&self, guild_id: &GuildId, debate_id: &DebateId, expect: Expect, flag: &Flag) -> Result<()> {
        self.change(guild_id, debate_id, expect, "saving a flag", async |tx| {
            sqlx::query(
                "INSERT INTO debate_flags (guild_id, debate_id, phase_index, slot, passage_id, flagged_by, reason, flagged_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            )
            .bind(guild_id.as_str())
            .bind(debate_id.as_str())
            .bind(flag.speech.phase_index as i64)
            .bind(flag.speech.key.as_str())
            .bind(flag.passage_id.as_str())
            .bind(flag.by.as_str())
            .bind(crate::text::typed(&flag.reason))
            .bind(flag.flagged_at)
            .execute(&mut **tx)
            .await?;
            Ok(())
        })
        .await
    }

    /// Saves an audience vote (replacing the member's earlier vote in the same poll), if the
    /// poll is still open.
    pub async fn save_vote(&self, guild_id: &GuildId, debate_id: &DebateId, phase_index: usize, vote: &Vote) -> Result<()> {
        self.change(guild_id, debate_id, Expect::in_time(phase_index, vote.voted_at), "saving a vote", async |tx| {
            sqlx::query(
                "INSERT INTO debate_votes (guild_id, debate_id, poll, user_id, stance, voted_at) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (guild_id, debate_id, poll, user_id) DO UPDATE SET stance = excluded.stance, voted_at = excluded.voted_at",
            )
            .bind(guild_id.as_str())
            .bind(debate_id.as_str())
            .bind(vote.poll.as_str())
            .bind(vote.user.as_str())
            .bind(vote.stance.as_str())
            .bind(vote.voted_at)
            .execute(&mut **tx)
            .await?;
            Ok(())
        })
        .await
    }

    /// Saves a ballot with one row per score, replacing the judge's earlier ballot and, for
    /// the instructor's, any earlier official one.
    pub async fn save_ballot(&self, guild_id: &GuildId, debate_id: &DebateId, expect: Expect, ballot: &Ballot) -> Result<()> {
        self.change(guild_id, debate_id, expect, "saving a ballot", async |tx| {
            let replaced = "guild_id = $1 AND debate_id = $2 AND (judge_id = $3 OR (official = 1 AND $4 = 1))";
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM debate_scores WHERE guild_id = $1 AND debate_id = $2 AND judge_id IN (SELECT judge_id FROM debate_ballots WHERE {replaced})"
            )))
            .bind(guild_id.as_str())
            .bind(debate_id.as_str())
            .bind(ballot.judge.as_str())
            .bind(i32::from(ballot.official))
            .execute(&mut **tx)
            .await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM debate_ballots WHERE {replaced}")))
                .bind(guild_id.as_str())
                .bind(debate_id.as_str())
                .bind(ballot.judge.as_str())
                .bind(i32::from(ballot.official))
                .execute(&mut **tx)
                .await?;
            sqlx::query(
                "INSERT INTO debate_ballots (guild_id, debate_id, judge_id, official, winner, feedback, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(guild_id.as_str())
            .bind(debate_id.as_str())
            .bind(ballot.judge.as_str())
            .bind(i32::from(ballot.official))
            .bind(ballot.winner.map(Side::as_str))
            .bind(crate::text::typed(&ballot.feedback))
            .bind(ballot.submitted_at)
            .execute(&mut **tx)
            .await?;
            for entry in &ballot.scores {
                for (criterion, &score) in entry.scores.iter().enumerate() {
                    sqlx::query("INSERT INTO debate_scores (guild_id, debate_id, judge_id, speaker_id, criterion, score) VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(guild_id.as_str())
                        .bind(debate_id.as_str())
                        .bind(ballot.judge.as_str())
                        .bind(entry.speaker.as_str())
                        .bind(criterion as i64)
                        .bind(i64::from(score))
                        .execute(&mut **tx)
                        .await?;
                }
            }
            Ok(())
        })
        .await
    }

    /// Marks the debate released at `ended_at` and writes every award, in one transaction.
    pub async fn release_debate(&self, guild_id: &GuildId, debate_id: &DebateId, phase_index: usize, ended_at: Millis, awards: &[(UserId, i64)]) -> Result<()> {
        self.change(guild_id, debate_id, Expect::phase(phase_index), "releasing the result", async |tx| {
            sqlx::query("UPDATE debates SET status = 'released', ended_at = $3, deadline = NULL WHERE guild_id = $1 AND debate_id = $2")
                .bind(guild_id.as_str())
                .bind(debate_id.as_str())
                .bind(ended_at)
                .execute(&mut **tx)
                .await?;
            let source = format!("debate:{debate_id}");
            for (user, points) in awards {
                sqlx::query(
                    "INSERT INTO awards (guild_id, user_id, source, kind, points, awarded_at) VALUES ($1, $2, $3, 'debate', $4, $5)
                     ON CONFLICT (guild_id, source, user_id) DO NOTHING",
                )
                .bind(guild_id.as_str())
                .bind(user.as_str())
                .bind(source.as_str())
                .bind(*points)
                .bind(ended_at)
                .execute(&mut **tx)
                .await?;
            }
            Ok(())
        })
        .await
    }

    /// Marks an open debate cancelled at `ended_at`; nothing is awarded.
    pub async fn cancel_debate(&self, guild_id: &GuildId, debate_id: &DebateId, phase_index: usize, ended_at: Millis) -> Result<()> {
        self.change(guild_id, debate_id, Expect::phase(phase_index), "cancelling", async |tx| {
            sqlx::query("UPDATE debates SET status = 'cancelled', ended_at = $3, deadline = NULL WHERE guild_id = $1 AND debate_id = $2")
                .bind(guild_id.as_str())
                .bind(debate_id.as_str())
                .bind(ended_at)
                .execute(&mut **tx)
                .await?;
            Ok(())
        })
        .await
    }

    /// Runs `write` in one transaction after claiming the debate as `expect` says: open, in
    /// the expected phase, and (for a student's submission) before the phase's deadline. The
    /// claim is an UPDATE of the debate's row, which also holds the row (PostgreSQL) or the
    /// database (SQLite) until the commit, so no other change slips in between.
    async fn change<T>(
        &self,
        guild_id: &GuildId,
        debate_id: &DebateId,
        expect: Expect,
        what: &str,
        write: impl AsyncFnOnce(&mut sqlx::Transaction<'_, sqlx::Any>) -> std::result::Result<T, sqlx::Error>,
    ) -> Result<T> {
        let context = || format!("{what} in debate {debate_id} of guild {guild_id}");
        let mut conn = self.writer.acquire().await?;
        let mut tx = conn.begin().await.with_context(context)?;
        let claim = match expect.before_deadline {
            None => sqlx::query("UPDATE debates SET phase_index = phase_index WHERE guild_id = $1 AND debate_id = $2 AND status = 'open' AND phase_index = $3")
                .bind(guild_id.as_str())
                .bind(debate_id.as_str())
                .bind(expect.phase_index as i64),
            Some(now) => sqlx::query(
                "UPDATE debates SET phase_index = phase_index
                 WHERE guild_id = $1 AND debate_id = $2 AND status = 'open' AND phase_index = $3 AND (deadline IS NULL OR $4 < deadline)",
            )
            .bind(guild_id.as_str())
            .bind(debate_id.as_str())
            .bind(expect.phase_index as i64)
            .bind(now),
        };
        let claimed = claim.execute(&mut *tx).await.with_context(context)?;
        if claimed.rows_affected() == 0 {
            return Err(StoreError::DebateMoved { guild_id: guild_id.clone(), debate_id: debate_id.clone() });
        }
        let out = write(&mut tx).await.with_context(context)?;
        tx.commit().await.with_context(context)?;
        Ok(out)
    }
}

/// One attempt at creating a debate, in one transaction.
async fn insert_debate(conn: &mut AnyConnection, new: &NewDebate) -> Result<()> {
    let context = || format!("creating debate {} in guild {}", new.debate_id, new.guild_id);
    let (g, d, r) = (new.guild_id.as_str(), new.debate_id.as_str(), &new.record);
    let mut tx = conn.begin().await.with_context(context)?;
    sqlx::query("INSERT INTO guilds (id, settings) VALUES ($1, '{}') ON CONFLICT (id) DO NOTHING").bind(g).execute(&mut *tx).await.with_context(context)?;
    let deadline = r.plan.get(r.phase_index).and_then(|p| p.seconds).map(|s| r.phase_opened_at + i64::from(s) * 1000);
    let inserted = sqlx::query(
        "INSERT INTO debates (guild_id, debate_id, channel_id, thread_id, format, per_side, motion_id, motion, info, scale_max,
             phase_index, phase_opened_at, deadline, status, started_by, started_at, ended_at)
         VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, NULL)
         ON CONFLICT (guild_id, debate_id) DO NOTHING",
    )
    .bind(g)
    .bind(d)
    .bind(new.channel_id.as_str())
    .bind(r.format.as_str())
    .bind(r.format.per_side() as i64)
    .bind(r.motion.id.as_deref())
    .bind(crate::text::typed(&r.motion.text))
    .bind(crate::text::typed(&r.motion.info))
    .bind(i64::from(r.rubric.max))
    .bind(r.phase_index as i64)
    .bind(r.phase_opened_at)
    .bind(deadline)
    .bind(r.status.as_str())
    .bind(new.started_by.as_str())
    .bind(new.started_at)
    .execute(&mut *tx)
    .await
    .with_context(context)?;
    if inserted.rows_affected() == 0 {
        return Err(StoreError::DebateExists { guild_id: new.guild_id.clone(), debate_id: new.debate_id.clone() });
    }
    for (position, p) in r.plan.iter().enumerate() {
        sqlx::query("INSERT INTO debate_phases (guild_id, debate_id, position, phase, seconds) VALUES ($1, $2, $3, $4, $5)")
            .bind(g)
            .bind(d)
            .bind(position as i64)
            .bind(p.phase.as_str())
            .bind(p.seconds.map(i64::from))
            .execute(&mut *tx)
            .await
            .with_context(context)?;
    }
    for (position, name) in r.rubric.criteria.iter().enumerate() {
        sqlx::query("INSERT INTO debate_criteria (guild_id, debate_id, position, name) VALUES ($1, $2, $3, $4)")
            .bind(g)
            .bind(d)
            .bind(position as i64)
            .bind(name.as_str())
            .execute(&mut *tx)
            .await
            .with_context(context)?;
    }
    for side in Side::BOTH {
        for (position, passage) in r.motion.cards(side).iter().enumerate() {
            sqlx::query("INSERT INTO debate_cards (guild_id, debate_id, side, position, passage_id) VALUES ($1, $2, $3, $4, $5)")
                .bind(g)
                .bind(d)
                .bind(side.as_str())
                .bind(position as i64)
                .bind(passage.as_str())
                .execute(&mut *tx)
                .await
                .with_context(context)?;
        }
    }
    tx.commit().await.with_context(context)
}

/// The `debates` row of a debate.
struct Head {
    channel_id: ChannelId,
    thread_id: Option<String>,
    format: Format,
    motion_id: Option<String>,
    motion: String,
    info: String,
    scale_max: u8,
    phase_index: usize,
    phase_opened_at: Millis,
    status: Status,
    started_by: UserId,
    started_at: Millis,
    ended_at: Option<Millis>,
    board: Option<Board>,
}

impl Head {
    fn from_row(row: &AnyRow) -> Result<Head> {
        let format: String = get(row, "format")?;
        let per_side = index(get(row, "per_side")?, "debates")?;
        let status: String = get(row, "status")?;
        let scale: i64 = get(row, "scale_max")?;
        Ok(Head {
            channel_id: ChannelId::new(get::<String>(row, "channel_id")?),
            thread_id: get(row, "thread_id")?,
            format: Format::parse(&format, per_side).ok_or_else(|| corrupt_value("debates", format!("unknown format {format:?}")))?,
            motion_id: get(row, "motion_id")?,
            motion: get(row, "motion")?,
            info: get(row, "info")?,
            scale_max: u8::try_from(scale).map_err(|_| corrupt_value("debates", format!("scale {scale} out of range")))?,
            phase_index: index(get(row, "phase_index")?, "debates")?,
            phase_opened_at: get(row, "phase_opened_at")?,
            status: Status::parse(&status).ok_or_else(|| corrupt_value("debates", format!("unknown status {status:?}")))?,
            started_by: UserId::new(get::<String>(row, "started_by")?),
            started_at: get(row, "started_at")?,
            ended_at: get(row, "ended_at")?,
            board: match (get::<Option<String>>(row, "board_message_id")?, get::<Option<i64>>(row, "board_phase")?) {
                (Some(message_id), Some(phase)) => Some(Board { message_id, phase_index: index(phase, "debates")? }),
                _ => None,
            },
        })
    }
}

/// Speakers in the opening's order (P1, O1, P2, O2, …), as the domain lists them.
fn speaking_order(seats: &[Seat]) -> Vec<UserId> {
    let team = |side| {
        let mut t: Vec<&Seat> = seats.iter().filter(|s| s.team == side).collect();
        t.sort_by_key(|s| (s.position, s.joined_at));
        t
    };
    let (p, o) = (team(Side::Proposition), team(Side::Opposition));
    (0..p.len().max(o.len())).flat_map(|i| [p.get(i), o.get(i)]).flatten().map(|s| s.user.clone()).collect()
}

fn get<'r, T>(row: &'r AnyRow, column: &str) -> Result<T>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get(column).map_err(|e| StoreError::Corrupt { table: "debates", detail: format!("{column}: {e}") })
}

fn corrupt_value(table: &'static str, detail: String) -> StoreError {
    StoreError::Corrupt { table, detail }
}

fn index(n: i64, table: &'static str) -> Result<usize> {
    usize::try_from(n).map_err(|_| corrupt_value(table, format!("negative index {n}")))
}

fn side(s: &str) -> Result<Side> {
    Side::parse(s).ok_or_else(|| corrupt_value("debates", format!("unknown side {s:?}")))
}
