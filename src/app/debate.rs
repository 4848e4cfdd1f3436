//! Debates in a class: an instructor starts one in a channel; students take seats or join
//! the audience, receive their evidence cards, give their speeches, flag misused cards and
//! vote; the instructor moves the phases on, scores, and releases the result.
//!
//! Invariants:
//! * every operation that changes a debate takes the debate's lock, reads it back whole
//!   from the store, applies one move of the domain, and commits that move before it
//!   answers; there is no cache, so a restart loses nothing and a debate goes on from any
//!   process exactly where the store says it is;
//! * instructor rights are checked here on every call (`App::require_instructor`) before
//!   the domain checks them again;
//! * nothing of the judging reaches a student before the release: ballots, the vote split,
//!   card flags; the points shown after it are the ones the store awarded.

use std::collections::HashMap;

use crate::app::view::{
    self, AwardView, BallotView, CardsView, DebateTimer, DebateView, EvidenceMapView, FlagView, MotionView, NoCards, PhaseView, ReleaseView, ReleasedFlagView,
    SeatView, SlotView, SpeakerScoreView, SpeechView, VoteView, YourPart,
};
use crate::app::{App, AppError, AppResult, Member, Privilege, UserError, clean_text, clean_typed, forms};
use crate::bank::{Bank, Origin};
use crate::debate::{
    Actor, Ballot, BallotDraft, Debate, DebateMotion, DebateResult, Flag, Format, Join, Phase, Place, Refusal, Rubric, Setup, Side, SlotKey, Speech,
    SpeechDraft, SpeechRef, Stance, Status,
};
use crate::ids::{ChannelId, DebateId, GuildId, UserId};
use crate::quiz::Millis;
use crate::store::{Board, Expect, NewDebate, Post, PostKind, StoreError, StoredDebate};

/// Which debate an operation is for: the one a button names, or the one open in the
/// channel a command was typed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DebateAt<'a> {
    Id(&'a DebateId),
    OpenIn(&'a ChannelId),
}

impl<'a> From<&'a DebateId> for DebateAt<'a> {
    fn from(id: &'a DebateId) -> DebateAt<'a> {
        DebateAt::Id(id)
    }
}

impl<'a> From<&'a ChannelId> for DebateAt<'a> {
    fn from(channel: &'a ChannelId) -> DebateAt<'a> {
        DebateAt::OpenIn(channel)
    }
}

/// The motion an instructor picks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MotionChoice {
    /// A motion of the bank, by id, with its info slide and evidence cards.
    Bank(String),
    /// One written on the spot; its cards, if any, must be passages of the bank.
    Custom { text: String, info: String, proposition: Vec<String>, opposition: Vec<String> },
    /// As typed in a face: the id of a motion of the bank, or else a motion written on the
    /// spot (without cards).
    Typed(String),
}

/// The phase times a face offers, in seconds: sign-up, each audience vote, each round of
/// speeches; `None` keeps the server's setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PhaseSeconds {
    pub signup: Option<u32>,
    pub vote: Option<u32>,
    pub speech: Option<u32>,
}

impl PhaseSeconds {
    /// The phases each time applies to, as [`DebateRequest::times`] takes them.
    pub fn times(self) -> Vec<(Phase, u32)> {
        let groups: [(Option<u32>, &[Phase]); 3] = [
            (self.signup, &[Phase::SignUp]),
            (self.vote, &[Phase::PreVote, Phase::PostVote]),
            (self.speech, &[Phase::Opening, Phase::Rebuttal, Phase::Closing, Phase::FirstSide, Phase::Swap, Phase::Joint]),
        ];
        groups.into_iter().filter_map(|(s, phases)| s.map(|s| phases.iter().map(move |&p| (p, s)))).flatten().collect()
    }
}

/// The phase an instructor's advance was pressed for, so that a press that races the phase
/// timer moves the debate one step, not two (as Next carries its question number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdvanceFrom {
    /// The phase at this index of the plan (what a button made for that phase carries).
    Phase(usize),
    /// The phase open at this moment: a slash command carries no state, but Discord stamps
    /// every interaction with when the instructor pressed it (its snowflake id). A phase
    /// that opened after that moment is not the one they meant to close. (Discord's clock and
    /// the bot's agree to NTP's precision; a press that close to a phase change may be
    /// refused as moved on, which only asks the instructor to look and press again.)
    PressedAt(Millis),
}

/// What an instructor asks for when starting a debate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebateRequest {
    pub motion: MotionChoice,
    pub format: Format,
    /// Phase times (seconds) that differ from the server's defaults for this debate.
    pub times: Vec<(Phase, u32)>,
}

impl App {
    /// The bank's motions for a face's autocomplete, each with its origin: written and
    /// generated in turn (each in the bank's order), so a short list offers both.
    pub fn debate_motions(&self) -> Vec<(MotionView, Origin)> {
        let bank = self.bank();
        let view = |m: &crate::bank::Motion| (MotionView { id: Some(m.id.clone()), text: m.motion.clone(), info: m.info.clone() }, m.origin);
        let mut written = bank.motions.iter().filter(|m| m.origin == Origin::Written);
        let mut generated = bank.motions.iter().filter(|m| m.origin == Origin::Generated);
        let mut out = Vec::with_capacity(bank.motions.len());
        loop {
            let (w, g) = (written.next(), generated.next());
            if w.is_none() && g.is_none() {
                return out;
            }
            out.extend(w.into_iter().chain(g).map(view));
        }
    }

    /// Starts a debate in `channel`, in sign-up from now.
    pub async fn debate_start(&self, guild: &GuildId, channel: &ChannelId, instructor: &Member, request: &DebateRequest) -> AppResult<DebateView> {
        let settings = self.require_instructor(guild, instructor, Privilege::RunDebate).await?;
        let bank = self.bank();
        let motion = match &request.motion {
            MotionChoice::Bank(id) => bank_motion(&bank, id.trim()).ok_or_else(|| UserError::NoSuchMotion(id.clone()))?,
            // The bank's motion it names in any spelling (its id, a unique beginning of the
            // id, its whole text), or else a motion of the instructor's own.
            MotionChoice::Typed(text) => match bank.find_motion(text).map_err(UserError::Name)? {
                Some(m) => motion_of(m),
                None => custom_motion(&bank, text, "", &[], &[])?,
            },
            MotionChoice::Custom { text, info, proposition, opposition } => custom_motion(&bank, text, info, proposition, opposition)?,
        };
        let timing = request.times.iter().fold(settings.debate.timing, |t, &(phase, seconds)| t.with(phase, seconds));
        let now = self.now();
        let debate = Debate::new(Setup { format: request.format, motion, timing, rubric: settings.debate.rubric.clone() }, now)
            .map_err(|e| UserError::BadDebate(e.0))?;
        let seed = self.fresh_seed(channel.as_str());
        let debate_id = DebateId::new(format!("d{now:x}{:04x}", seed & 0xffff));
        let new = NewDebate {
            guild_id: guild.clone(),
            debate_id: debate_id.clone(),
            channel_id: channel.clone(),
            started_by: instructor.id.clone(),
            started_at: now,
            record: debate.record().clone(),
        };
        match self.store.create_debate(&new).await {
            Err(StoreError::DebateChannelBusy { .. }) => return Err(UserError::DebateChannelBusy.into()),
            other => other?,
        }
        let (stored, d) = self.load_debate(guild, &debate_id).await?;
        Ok(debate_view(&bank, &stored, &d, Some((instructor, true)), now))
    }

    /// The debate open in `channel`, if any.
    pub async fn debate_in(&self, guild: &GuildId, channel: &ChannelId) -> AppResult<Option<DebateId>> {
        Ok(self.store.open_debate_in(guild, channel).await?)
    }

    /// The debate whose ballots and result can be read in `channel`: the open one, or else
    /// the one released last there, so a released debate stays readable by its participants.
    pub async fn debate_to_read_in(&self, guild: &GuildId, channel: &ChannelId) -> AppResult<Option<DebateId>> {
        Ok(self.store.readable_debate_in(guild, channel).await?)
    }

    /// Remembers the thread a face opened for the debate.
    pub async fn debate_set_thread(&self, guild: &GuildId, debate: &DebateId, thread_id: &str) -> AppResult<()> {
        Ok(self.store.set_debate_thread(guild, debate, thread_id).await?)
    }

    /// The debate as `viewer` may see it now.
    pub async fn debate_state(&self, guild: &GuildId, debate: &DebateId, viewer: &Member) -> AppResult<DebateView> {
        let instructor = App::is_instructor(&self.settings(guild).await?, viewer);
        let (stored, d) = self.load_debate(guild, debate).await?;
        Ok(debate_view(&self.bank(), &stored, &d, Some((viewer, instructor)), self.now()))
    }

    /// A member takes a seat on a side (or the emptier side) or joins the audience.
    pub async fn debate_join(&self, guild: &GuildId, debate: &DebateId, member: &Member, join: Join) -> AppResult<DebateView> {
        let instructor = App::is_instructor(&self.settings(guild).await?, member);
        let _lock = self.debate_lock(guild, debate).await;
        let (mut stored, mut d) = self.load_debate(guild, debate).await?;
        let now = self.now();
        let joined = d.join(&member.id, join, now)?;
        if joined.changed {
            self.store.upsert_user(guild.as_str(), member.id.as_str(), &member.name).await?;
            let expect = match joined.place {
                Place::Speaker(_) => Expect::in_time(d.phase_index(), now),
                Place::Audience(_) => Expect::phase(d.phase_index()),
            };
            self.store.save_places(guild, debate, expect, &[joined.place], now).await.map_err(moved)?;
        }
        stored.names.insert(member.id.clone(), member.name.clone());
        Ok(debate_view(&self.bank(), &stored, &d, Some((member, instructor)), now))
    }

    /// The instructor puts `student` on a side or in the audience, before the speeches.
    pub async fn debate_assign(
        &self,
        guild: &GuildId,
        debate: impl Into<DebateAt<'_>>,
        instructor: &Member,
        student: &Member,
        join: Join,
    ) -> AppResult<DebateView> {
        let debate = &self.debate_at(guild, debate.into()).await?;
        self.require_instructor(guild, instructor, Privilege::RunDebate).await?;
        let _lock = self.debate_lock(guild, debate).await;
        let (mut stored, mut d) = self.load_debate(guild, debate).await?;
        let now = self.now();
        let joined = d.assign(&actor(instructor, true), &student.id, join, now)?;
        if joined.changed {
            self.store.upsert_user(guild.as_str(), student.id.as_str(), &student.name).await?;
            self.store.save_places(guild, debate, Expect::phase(d.phase_index()), &[joined.place], now).await.map_err(moved)?;
        }
        stored.names.insert(student.id.clone(), student.name.clone());
        Ok(debate_view(&self.bank(), &stored, &d, Some((instructor, true)), now))
    }

    /// The instructor evens the sides (the last to join the larger side move).
    pub async fn debate_balance(&self, guild: &GuildId, debate: impl Into<DebateAt<'_>>, instructor: &Member) -> AppResult<DebateView> {
        let debate = &self.debate_at(guild, debate.into()).await?;
        self.require_instructor(guild, instructor, Privilege::RunDebate).await?;
        let _lock = self.debate_lock(guild, debate).await;
        let (stored, mut d) = self.load_debate(guild, debate).await?;
        let now = self.now();
        let moved_seats = d.balance(&actor(instructor, true), now)?;
        if !moved_seats.is_empty() {
            let places: Vec<Place> = moved_seats.into_iter().map(Place::Speaker).collect();
            self.store.save_places(guild, debate, Expect::phase(d.phase_index()), &places, now).await.map_err(moved)?;
        }
        Ok(debate_view(&self.bank(), &stored, &d, Some((instructor, true)), now))
    }

    /// The instructor closes the phase `from` names and opens the next; if the debate has
    /// moved on since (its timer closed that phase), nothing changes and the instructor is told.
    pub async fn debate_advance(&self, guild: &GuildId, debate: impl Into<DebateAt<'_>>, instructor: &Member, from: AdvanceFrom) -> AppResult<DebateView> {
        let debate = &self.debate_at(guild, debate.into()).await?;
        self.require_instructor(guild, instructor, Privilege::RunDebate).await?;
        let _lock = self.debate_lock(guild, debate).await;
        let (stored, mut d) = self.load_debate(guild, debate).await?;
        let now = self.now();
        let pressed_for_this_phase = match from {
            AdvanceFrom::Phase(index) => index == d.phase_index(),
            AdvanceFrom::PressedAt(at) => d.phase_opened_at() <= at,
        };
        if !pressed_for_this_phase {
            let now = if d.status() == Status::Open { d.phase().title().to_owned() } else { format!("its end ({})", d.status().as_str()) };
            return Err(UserError::PhaseMovedOn { now }.into());
        }
        let change = d.advance(&actor(instructor, true), now)?;
        self.store.set_debate_phase(guild, debate, &change).await.map_err(moved)?;
        Ok(debate_view(&self.bank(), &stored, &d, Some((instructor, true)), now))
    }

    /// The phase timer of the phase at `phase_index`: once its deadline has passed, moves
    /// the debate on and returns it (as everyone sees it). `None` when there is nothing to
    /// do: the instructor moved on already, the debate is over, the timer fired early, or a
    /// sign-up without enough speakers, which stays open for the instructor to fix.
    pub async fn debate_timer(&self, guild: &GuildId, debate: &DebateId, phase_index: usize) -> AppResult<Option<DebateView>> {
        let _lock = self.debate_lock(guild, debate).await;
        let (stored, mut d) = match self.load_debate(guild, debate).await {
            Err(AppError::User(_)) => return Ok(None),
            other => other?,
        };
        let now = self.now();
        let Ok(change) = d.timer(phase_index, now) else { return Ok(None) };
        match self.store.set_debate_phase(guild, debate, &change).await {
            Err(StoreError::DebateMoved { .. }) => Ok(None),
            Err(e) => Err(e.into()),
            Ok(()) => Ok(Some(debate_view(&self.bank(), &stored, &d, None, now))),
        }
    }

    /// Every open debate's phase deadline, for which `owns` says yes, soonest first: a face
    /// re-arms a timer for each after a restart (those already `due` fire at once).
    pub async fn debate_timers(&self, owns: impl Fn(&GuildId) -> bool) -> AppResult<Vec<DebateTimer>> {
        let now = self.now();
        Ok(self
            .store
            .open_debates()
            .await?
            .into_iter()
            .filter(|o| owns(&o.guild_id))
            .filter_map(|o| {
                let deadline = o.deadline?;
                Some(DebateTimer {
                    guild_id: o.guild_id,
                    debate_id: o.debate_id,
                    channel_id: o.channel_id,
                    thread_id: o.thread_id,
                    phase_index: o.phase_index,
                    phase: o.phase,
                    deadline,
                    due: deadline <= now,
                })
            })
            .collect())
    }

    /// The evidence cards `member` holds now (an instructor sees both sides'); none for the
    /// audience. Meant to be sent privately.
    pub async fn debate_cards(&self, guild: &GuildId, debate: &DebateId, member: &Member) -> AppResult<CardsView> {
        let instructor = App::is_instructor(&self.settings(guild).await?, member);
        let (_, d) = self.load_debate(guild, debate).await?;
        let bank = self.bank();
        let sides = if instructor && d.seat_of(&member.id).is_none() { Side::BOTH.to_vec() } else { d.card_sides(&member.id) };
        let mut missing = Vec::new();
        let sides = sides
            .into_iter()
            .map(|side| {
                let cards = d
                    .motion()
                    .cards(side)
                    .iter()
                    .filter_map(|id| {
                        let card = view::passage_view(&bank, id);
                        if card.is_none() {
                            missing.push(id.clone());
                        }
                        card
                    })
                    .collect();
                (side, cards)
            })
            .collect::<Vec<(Side, Vec<_>)>>();
        let none = match sides.as_slice() {
            [] => Some(NoCards::NotSeated),
            held if held.iter().all(|(_, cards)| cards.is_empty()) => Some(NoCards::MotionHasNone),
            _ => None,
        };
        Ok(CardsView { debate_id: debate.clone(), sides, missing, none })
    }

    /// Whether `member` may begin a speech for phase `phase_index` now (it is the open phase
    /// and they have a slot in it); returns the phase's title for the form.
    pub async fn debate_speech_form(&self, guild: &GuildId, debate: &DebateId, member: &Member, phase_index: usize) -> AppResult<String> {
        let v = self.debate_state(guild, debate, member).await?;
        if v.phase.index != phase_index {
            return Err(UserError::SpeechPhaseOver { now: v.phase.title }.into());
        }
        if !v.you.slot_open {
            return Err(UserError::NoSpeechHere { phase: v.phase.title }.into());
        }
        if let Some(next) = v.you.waiting_for {
            return Err(UserError::NotYourTurn { phase: v.phase.title, next }.into());
        }
        Ok(v.phase.title)
    }

    /// What a judge's ballot form shows `member`: the debate as they see it (its speakers,
    /// whether they judge officially) and the server's rubric.
    pub async fn debate_ballot_form(&self, guild: &GuildId, debate: &DebateId, member: &Member) -> AppResult<(DebateView, Rubric)> {
        let settings = self.settings(guild).await?;
        let instructor = App::is_instructor(&settings, member);
        let (stored, d) = self.load_debate(guild, debate).await?;
        Ok((debate_view(&self.bank(), &stored, &d, Some((member, instructor)), self.now()), settings.debate.rubric))
    }

    /// A speaker's speech for their slot of the open phase, committed, then returned for the
    /// face to post with each citation as an evidence card (or flagged as not in the bank).
    pub async fn debate_speech(&self, guild: &GuildId, debate: &DebateId, member: &Member, draft: &SpeechDraft) -> AppResult<SpeechView> {
        let bank = self.bank();
        let _lock = self.debate_lock(guild, debate).await;
        let (mut stored, mut d) = self.load_debate(guild, debate).await?;
        let now = self.now();
        let cleaned = SpeechDraft {
            phase_index: draft.phase_index,
            claim: clean_typed(&draft.claim),
            reasoning: clean_text(&draft.reasoning),
            citations: draft.citations.iter().map(|c| clean_typed(c)).collect(),
        };
        let speech = match d.submit(&member.id, &cleaned, |id| bank.passage(id).is_some(), now) {
            Err(Refusal::NotYourTurn { phase, next }) => {
                let next = crate::text::display_name(&name(&stored.names, &next));
                return Err(UserError::NotYourTurn { phase: phase.to_string(), next }.into());
            }
            other => other?.clone(),
        };
        // The speech's messages reach the channel through the outbox, queued with it.
        let post = Post {
            guild_id: guild.clone(),
            kind: PostKind::Speech,
            subject: debate.to_string(),
            number: speech.phase_index as i64,
            part: speech.key.as_str().to_string(),
            channel_id: stored.channel_id.clone(),
        };
        self.store.save_speech_posting(guild, debate, &speech, Some(&post)).await.map_err(moved)?;
        stored.names.insert(member.id.clone(), member.name.clone());
        Ok(speech_view(&bank, &stored, &d, &speech))
    }

    /// The speech given in slot `slot` of phase `phase_index`, as its messages show it, for
    /// the face's poster; `None` when there is none (the debate or the speech is gone).
    pub async fn debate_speech_view(&self, guild: &GuildId, debate: &DebateId, phase_index: usize, slot: &str) -> AppResult<Option<SpeechView>> {
        let bank = self.bank();
        let (stored, d) = match self.load_debate(guild, debate).await {
            Err(AppError::User(_)) => return Ok(None),
            other => other?,
        };
        Ok(d.speech(phase_index, &SlotKey::parse(slot)).map(|s| speech_view(&bank, &stored, &d, s)))
    }

    /// An opponent flags a card a speech cites as misused, for the judge.
    pub async fn debate_flag(
        &self,
        guild: &GuildId,
        debate: &DebateId,
        member: &Member,
        speech: &SpeechRef,
        passage: &str,
        reason: &str,
    ) -> AppResult<FlagView> {
        let _lock = self.debate_lock(guild, debate).await;
        let (mut stored, mut d) = self.load_debate(guild, debate).await?;
        let now = self.now();
        let flag = d.flag(&member.id, speech, passage.trim(), &clean_typed(reason), now)?.clone();
        self.store.save_flag(guild, debate, Expect::phase(d.phase_index()), &flag).await.map_err(moved)?;
        stored.names.insert(member.id.clone(), member.name.clone());
        Ok(flag_view(&stored, &d, &flag))
    }

    /// An audience member's vote in the open Oxford poll (a second vote replaces the first).
    pub async fn debate_vote(&self, guild: &GuildId, debate: &DebateId, member: &Member, stance: Stance) -> AppResult<VoteView> {
        let _lock = self.debate_lock(guild, debate).await;
        let (_, mut d) = self.load_debate(guild, debate).await?;
        let now = self.now();
        let vote = d.vote(&member.id, stance, now)?.clone();
        self.store.save_vote(guild, debate, d.phase_index(), &vote).await.map_err(moved)?;
        Ok(VoteView { poll: vote.poll, stance, votes_cast: d.votes_cast(vote.poll) })
    }

    /// A ballot: an instructor's is the official one (replacing any earlier); a student's is
    /// a shadow ballot that never counts.
    pub async fn debate_ballot(&self, guild: &GuildId, debate: &DebateId, member: &Member, draft: &BallotDraft) -> AppResult<BallotView> {
        let instructor = App::is_instructor(&self.settings(guild).await?, member);
        let _lock = self.debate_lock(guild, debate).await;
        let (mut stored, mut d) = self.load_debate(guild, debate).await?;
        let now = self.now();
        let cleaned = BallotDraft { feedback: clean_text(&draft.feedback), ..draft.clone() };
        let ballot = d.ballot(&actor(member, instructor), &cleaned, now)?.clone();
        if !instructor {
            // A shadow judge earns points at the release, so the store must know them.
            self.store.upsert_user(guild.as_str(), member.id.as_str(), &member.name).await?;
            stored.names.insert(member.id.clone(), member.name.clone());
        }
        self.store.save_ballot(guild, debate, Expect::phase(d.phase_index()), &ballot).await.map_err(moved)?;
        Ok(ballot_view(&stored, &d, &ballot))
    }

    /// A ballot as a form types it: the scores a line a speaker (`P1 (Ada): 4 4 3 5`, read
    /// against the debate's speakers as `member` sees them now), the winner (a side, or
    /// empty), the feedback; then as [`App::debate_ballot`].
    pub async fn debate_ballot_typed(
        &self,
        guild: &GuildId,
        debate: &DebateId,
        member: &Member,
        scores: &str,
        winner: &str,
        feedback: &str,
    ) -> AppResult<BallotView> {
        let v = self.debate_state(guild, debate, member).await?;
        let draft = BallotDraft { scores: forms::ballot_scores(scores, &v)?, winner: forms::winner(winner)?, feedback: feedback.to_owned() };
        self.debate_ballot(guild, debate, member, &draft).await
    }

    /// The ballots `member` may see: an instructor all, at any time; a student, once the
    /// result is released, the instructor's and their own.
    /// In a channel, that is its open debate, or else the one released there last, so a
    /// released debate stays readable by its participants.
    pub async fn debate_ballots(&self, guild: &GuildId, debate: impl Into<DebateAt<'_>>, member: &Member) -> AppResult<Vec<BallotView>> {
        let debate = &match debate.into() {
            DebateAt::OpenIn(channel) => self.debate_to_read_in(guild, channel).await?.ok_or(UserError::NoDebateHere)?,
            at => self.debate_at(guild, at).await?,
        };
        let instructor = App::is_instructor(&self.settings(guild).await?, member);
        let (stored, d) = self.load_debate(guild, debate).await?;
        Ok(d.ballots(&actor(member, instructor))?.into_iter().map(|b| ballot_view(&stored, &d, b)).collect())
    }

    /// The result as it would be released now, for the instructor.
    pub async fn debate_preview(&self, guild: &GuildId, debate: &DebateId, instructor: &Member) -> AppResult<ReleaseView> {
        let settings = self.require_instructor(guild, instructor, Privilege::RunDebate).await?;
        let bank = self.bank();
        let (stored, d) = self.load_debate(guild, debate).await?;
        let result = d.preview(&actor(instructor, true), |id| bank.paper_position(id), &settings.debate.points)?;
        let awards = result.awards.clone();
        Ok(release_view(&bank, &stored, &d, result, &awards, true))
    }

    /// The instructor releases the result: the decision, the swing, the scores and the
    /// evidence map become visible, and the points are awarded (in the same transaction).
    pub async fn debate_release(&self, guild: &GuildId, debate: impl Into<DebateAt<'_>>, instructor: &Member) -> AppResult<ReleaseView> {
        let debate = &self.debate_at(guild, debate.into()).await?;
        let settings = self.require_instructor(guild, instructor, Privilege::RunDebate).await?;
        let bank = self.bank();
        let _lock = self.debate_lock(guild, debate).await;
        let (stored, mut d) = self.load_debate(guild, debate).await?;
        let now = self.now();
        d.release(&actor(instructor, true), now)?;
        let result = d.result(|id| bank.paper_position(id), &settings.debate.points)?;
        self.store.release_debate(guild, debate, d.phase_index(), now, &result.awards).await.map_err(moved)?;
        let awards = result.awards.clone();
        Ok(release_view(&bank, &stored, &d, result, &awards, false))
    }

    /// The released result, for anyone; refused before the release.
    pub async fn debate_result(&self, guild: &GuildId, debate: &DebateId) -> AppResult<ReleaseView> {
        let settings = self.settings(guild).await?;
        let bank = self.bank();
        let (stored, d) = self.load_debate(guild, debate).await?;
        let result = d.result(|id| bank.paper_position(id), &settings.debate.points)?;
        let awards = self.store.awards_for(guild, &format!("debate:{debate}")).await?;
        Ok(release_view(&bank, &stored, &d, result, &awards, false))
    }

    /// The instructor calls the debate off; nothing is awarded.
    pub async fn debate_cancel(&self, guild: &GuildId, debate: impl Into<DebateAt<'_>>, instructor: &Member) -> AppResult<DebateView> {
        let debate = &self.debate_at(guild, debate.into()).await?;
        self.require_instructor(guild, instructor, Privilege::RunDebate).await?;
        let _lock = self.debate_lock(guild, debate).await;
        let (stored, mut d) = self.load_debate(guild, debate).await?;
        let now = self.now();
        d.cancel(&actor(instructor, true), now)?;
        self.store.cancel_debate(guild, debate, d.phase_index(), now).await.map_err(moved)?;
        Ok(debate_view(&self.bank(), &stored, &d, Some((instructor, true)), now))
    }

    /// Records the board a face posted for the debate's phase `phase_index` (its message
    /// id); returns the board it replaces, whose buttons the face disables.
    pub async fn debate_board_posted(&self, guild: &GuildId, debate: &DebateId, phase_index: usize, message_id: &str) -> AppResult<Option<Board>> {
        Ok(self.store.set_debate_board(guild, debate, phase_index, message_id).await?)
    }

    /// The debate's board to edit in place, with the debate as everyone sees it now; `None`
    /// when it has none for its current phase (the next phase's board is on its way, or the
    /// debate is gone).
    pub async fn debate_board(&self, guild: &GuildId, debate: &DebateId) -> AppResult<Option<(DebateView, Board)>> {
        let (stored, d) = match self.load_debate(guild, debate).await {
            Err(AppError::User(_)) => return Ok(None),
            other => other?,
        };
        let Some(board) = stored.board.clone().filter(|b| b.phase_index == d.phase_index()) else { return Ok(None) };
        Ok(Some((debate_view(&self.bank(), &stored, &d, None, self.now()), board)))
    }

    /// Refuses a click on a board posted before the debate's board (the one recorded last),
    /// saying which phase the debate is in. `posted_before(recorded)` says whether the clicked
    /// message came before the recorded one (the face knows how its messages are ordered): a
    /// board newer than the one recorded, just posted and not yet recorded, is the current one.
    pub async fn debate_from_board(&self, guild: &GuildId, debate: &DebateId, posted_before: impl Fn(&str) -> bool) -> AppResult<()> {
        let (stored, d) = self.load_debate(guild, debate).await?;
        match stored.board {
            Some(board) if posted_before(&board.message_id) => {
                let now = if d.status() == Status::Open { d.phase().title().to_owned() } else { format!("its end ({})", d.status().as_str()) };
                Err(UserError::OldBoard { now }.into())
            }
            _ => Ok(()),
        }
    }

    /// The debate `at` names; a user error when no debate is open in the channel it names.
    async fn debate_at(&self, guild: &GuildId, at: DebateAt<'_>) -> AppResult<DebateId> {
        match at {
            DebateAt::Id(id) => Ok(id.clone()),
            DebateAt::OpenIn(channel) => self.debate_in(guild, channel).await?.ok_or_else(|| UserError::NoDebateHere.into()),
        }
    }

    /// The debate's lock in this process, taken for one operation.
    async fn debate_lock(&self, guild: &GuildId, debate: &DebateId) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = self.debates.lock().unwrap_or_else(|e| e.into_inner()).entry((guild.clone(), debate.clone())).or_default().clone();
        lock.lock_owned().await
    }

    /// The debate as the store holds it, rebuilt into the domain.
    async fn load_debate(&self, guild: &GuildId, debate: &DebateId) -> AppResult<(StoredDebate, Debate)> {
        let stored = self.store.debate(guild, debate).await?.ok_or(UserError::NoSuchDebate)?;
        let d = Debate::resume(stored.record.clone()).map_err(|e| AppError::caused(e, format!("debate {debate} of server {guild}")))?;
        Ok((stored, d))
    }
}

/// The bank's motion with this id, with its info slide and evidence cards.
fn bank_motion(bank: &Bank, id: &str) -> Option<DebateMotion> {
    bank.motions.iter().find(|m| m.id == id).map(motion_of)
}

/// A motion of the bank as a debate argues it.
fn motion_of(m: &crate::bank::Motion) -> DebateMotion {
    DebateMotion { id: Some(m.id.clone()), text: m.motion.clone(), info: m.info.clone(), proposition: m.proposition.clone(), opposition: m.opposition.clone() }
}

/// A motion written on the spot; its cards, if any, must be passages of the bank.
fn custom_motion(bank: &Bank, text: &str, info: &str, proposition: &[String], opposition: &[String]) -> AppResult<DebateMotion> {
    let cards = |ids: &[String]| -> AppResult<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for id in ids.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
            if bank.passage(id).is_none() {
                return Err(UserError::UnknownPassage(id.to_owned()).into());
            }
            if !out.iter().any(|o| o == id) {
                out.push(id.to_owned());
            }
        }
        Ok(out)
    };
    Ok(DebateMotion {
        id: None,
        text: clean_typed(text).trim().to_owned(),
        info: clean_text(info),
        proposition: cards(proposition)?,
        opposition: cards(opposition)?,
    })
}

fn actor(member: &Member, instructor: bool) -> Actor {
    Actor { user: member.id.clone(), instructor }
}

/// A store refusal because the debate moved on meanwhile, as the user sees it.
fn moved(e: StoreError) -> AppError {
    match e {
        StoreError::DebateMoved { .. } => UserError::DebateMoved.into(),
        e => e.into(),
    }
}

fn name(names: &HashMap<UserId, String>, user: &UserId) -> String {
    names.get(user).cloned().unwrap_or_else(|| user.to_string())
}

fn motion_view(d: &Debate) -> MotionView {
    let m = d.motion();
    MotionView { id: m.id.clone(), text: m.text.clone(), info: m.info.clone() }
}

/// The debate as `viewer` (with whether they are an instructor) may see it; `None`: as
/// everyone sees it.
fn debate_view(bank: &Bank, stored: &StoredDebate, d: &Debate, viewer: Option<(&Member, bool)>, now: Millis) -> DebateView {
    let index = d.phase_index();
    let seats = |side: Side| {
        d.team(side)
            .iter()
            .enumerate()
            .map(|(i, s)| SeatView { user_id: s.user.clone(), name: name(&stored.names, &s.user), team: side, number: i + 1 })
            .collect()
    };
    let slots = d.slots(index);
    let in_time = d.status() == Status::Open && d.deadline().is_none_or(|deadline| now < deadline);
    let you = viewer.map_or_else(YourPart::default, |(m, instructor)| {
        let team = d.seat_of(&m.id).map(|s| s.team);
        let audience = d.audience().contains(&m.id);
        let mine = |key: &SlotKey| match key {
            SlotKey::Speaker(u) => u == &m.id,
            SlotKey::Joint => team.is_some(),
        };
        let poll = d.phase().poll().filter(|_| d.format().has_audience_vote());
        let slot_open = in_time && slots.iter().any(|s| mine(&s.key) && d.speech(index, &s.key).is_none());
        let waiting_for = d.next_in_order().filter(|next| slot_open && next != &m.id).map(|next| crate::text::display_name(&name(&stored.names, &next)));
        YourPart {
            team,
            audience,
            instructor,
            slot_open,
            waiting_for,
            may_vote: in_time && audience && poll.is_some(),
            your_vote: poll.and_then(|p| d.votes().iter().find(|v| v.poll == p && v.user == m.id).map(|v| v.stance)),
        }
    });
    DebateView {
        debate_id: stored.debate_id.clone(),
        channel_id: stored.channel_id.clone(),
        thread_id: stored.thread_id.clone(),
        format: d.format(),
        format_title: d.format().title(),
        status: d.status(),
        motion: motion_view(d),
        phase: PhaseView {
            index,
            phase: d.phase(),
            title: d.phase().title().to_owned(),
            opened_at: d.phase_opened_at(),
            deadline: d.deadline(),
            next: d.next_phase(),
        },
        plan: d.plan().to_vec(),
        proposition: seats(Side::Proposition),
        opposition: seats(Side::Opposition),
        audience: d.audience().len(),
        slots: slots
            .iter()
            .map(|s| SlotView {
                speaker: match &s.key {
                    SlotKey::Speaker(u) => Some(u.clone()),
                    SlotKey::Joint => None,
                },
                name: match &s.key {
                    SlotKey::Speaker(u) => name(&stored.names, u),
                    SlotKey::Joint => "Joint statement".into(),
                },
                argues: s.argues,
                given: d.speech(index, &s.key).is_some(),
            })
            .collect(),
        speeches: d.speeches().iter().map(|s| speech_view(bank, stored, d, s)).collect(),
        votes_cast: d.format().has_audience_vote().then(|| (d.votes_cast(crate::debate::Poll::Before), d.votes_cast(crate::debate::Poll::After))),
        ballot_in: d.official_ballot().is_some(),
        // Who flagged a card is the flagger's and the judge's business only.
        flags: match viewer {
            Some((_, true)) => d.flags().iter().map(|f| flag_view(stored, d, f)).collect(),
            Some((m, false)) => d.flags().iter().filter(|f| f.by == m.id).map(|f| flag_view(stored, d, f)).collect(),
            None => Vec::new(),
        },
        you,
    }
}

fn speech_view(bank: &Bank, stored: &StoredDebate, d: &Debate, s: &Speech) -> SpeechView {
    SpeechView {
        debate_id: stored.debate_id.clone(),
        reference: s.reference(),
        phase: d.plan().get(s.phase_index).map_or(Phase::Judging, |p| p.phase),
        author: s.author.clone(),
        author_name: name(&stored.names, &s.author),
        argues: s.argues,
        claim: s.claim.clone(),
        reasoning: s.reasoning.clone(),
        citations: s.citations.iter().map(|c| view::cited_view(bank, &c.passage_id)).collect(),
        submitted_at: s.submitted_at,
    }
}

/// The title of the phase of a flagged speech, and the name of its speaker.
fn flagged_speech(stored: &StoredDebate, d: &Debate, speech: &SpeechRef) -> (String, String) {
    let phase = d.plan().get(speech.phase_index).map_or("a phase", |p| p.phase.title()).to_owned();
    let speaker = match &speech.key {
        SlotKey::Speaker(u) => name(&stored.names, u),
        SlotKey::Joint => "Joint statement".into(),
    };
    (phase, speaker)
}

fn flag_view(stored: &StoredDebate, d: &Debate, f: &Flag) -> FlagView {
    let (phase, speaker_name) = flagged_speech(stored, d, &f.speech);
    FlagView {
        speech: f.speech.clone(),
        phase,
        speaker_name,
        passage_id: f.passage_id.clone(),
        by: f.by.clone(),
        by_name: name(&stored.names, &f.by),
        reason: f.reason.clone(),
        flagged_at: f.flagged_at,
    }
}

fn ballot_view(stored: &StoredDebate, d: &Debate, b: &Ballot) -> BallotView {
    let max_total = d.rubric().max_total();
    BallotView {
        debate_id: stored.debate_id.clone(),
        judge: b.judge.clone(),
        official: b.official,
        criteria: d.rubric().criteria.clone(),
        speakers: b
            .scores
            .iter()
            .map(|s| SpeakerScoreView {
                user_id: s.speaker.clone(),
                name: name(&stored.names, &s.speaker),
                team: d.seat_of(&s.speaker).map_or(Side::Proposition, |seat| seat.team),
                scores: s.scores.clone(),
                total: s.total(),
                max_total,
                points: 0,
            })
            .collect(),
        winner: b.winner,
        feedback: b.feedback.clone(),
        submitted_at: b.submitted_at,
    }
}

/// The release view of `result`, with the points of `awards` (as stored, after a release).
fn release_view(bank: &Bank, stored: &StoredDebate, d: &Debate, result: DebateResult, awards: &[(UserId, i64)], preview: bool) -> ReleaseView {
    let points = |user: &UserId| awards.iter().find(|(u, _)| u == user).map_or(0, |(_, p)| *p);
    let cards = |ids: &[String]| ids.iter().filter_map(|id| view::passage_view(bank, id)).collect::<Vec<_>>();
    let max_total = d.rubric().max_total();
    ReleaseView {
        debate_id: stored.debate_id.clone(),
        motion: motion_view(d),
        format: d.format(),
        decision: result.decision,
        swing: result.swing,
        criteria: d.rubric().criteria.clone(),
        speakers: result
            .speakers
            .iter()
            .map(|s| SpeakerScoreView {
                user_id: s.speaker.clone(),
                name: name(&stored.names, &s.speaker),
                team: s.team,
                scores: s.scores.clone(),
                total: s.total,
                max_total,
                points: points(&s.speaker),
            })
            .collect(),
        proposition_total: result.proposition_total,
        opposition_total: result.opposition_total,
        feedback: result.feedback.clone(),
        evidence: EvidenceMapView {
            proposition: cards(&result.evidence.proposition),
            opposition: cards(&result.evidence.opposition),
            joint: cards(&result.evidence.joint),
            unused: result.evidence.unused.iter().filter_map(|(side, id)| view::passage_view(bank, id).map(|c| (*side, c))).collect(),
            not_in_bank: result.evidence.not_in_bank.clone(),
        },
        flags: result
            .flags
            .iter()
            .map(|f| {
                let (phase, speaker_name) = flagged_speech(stored, d, &f.speech);
                ReleasedFlagView { passage_id: f.passage_id.clone(), phase, speaker_name, reason: f.reason.clone() }
            })
            .collect(),
        shadow: result.shadow,
        awards: awards.iter().map(|(u, p)| AwardView { user_id: u.clone(), name: name(&stored.names, u), points: *p }).collect(),
        preview,
    }
}
