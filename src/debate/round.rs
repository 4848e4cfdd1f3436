//! A debate round as a state machine: seats, phases, speeches, flags, votes, ballots and
//! the release, each move checked against the phase, its deadline and who is asking.
//!
//! Invariants:
//! * every move the rules do not allow is a typed [`Refusal`] and changes nothing;
//! * a speech counts only from the speaker whose slot it is, for the phase that is open,
//!   before that phase's deadline, once;
//! * nothing of the judging (ballots, the vote split, the result) is visible to students
//!   before the instructor releases it;
//! * the whole state is a [`DebateRecord`], which the store keeps as rows and from which
//!   [`Debate::resume`] rebuilds the same debate after a restart.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::format::{Format, Phase, PlannedPhase, Poll, Seat, Side, Slot, SlotKey, Timing, slots};
use super::rubric::{Ballot, BallotDraft, FEEDBACK_CHARS, Rubric};
use crate::ids::{Millis, UserId};

/// Longest claim, in characters (a one- or two-sentence thesis).
pub const CLAIM_CHARS: usize = 300;
/// Longest reasoning, in characters (Discord's limit on a modal input).
pub const REASONING_CHARS: usize = 4000;
/// Most passages one speech may cite.
pub const MAX_CITATIONS: usize = 10;
/// Longest reason given with a flag.
pub const FLAG_REASON_CHARS: usize = 300;
/// Longest motion, and longest info slide, in characters.
pub const MOTION_CHARS: usize = 300;
pub const INFO_CHARS: usize = 2000;

/// The motion a debate argues, with each side's evidence cards (passage ids).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebateMotion {
    /// The bank's motion id; `None` for a motion written on the spot.
    pub id: Option<String>,
    pub text: String,
    /// The info slide; may be empty for a custom motion.
    pub info: String,
    pub proposition: Vec<String>,
    pub opposition: Vec<String>,
}

impl DebateMotion {
    /// The evidence cards of `side`.
    pub fn cards(&self, side: Side) -> &[String] {
        match side {
            Side::Proposition => &self.proposition,
            Side::Opposition => &self.opposition,
        }
    }
}

/// Where a debate is in its life. Only an `Open` debate changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    /// The instructor released the result: it is final and visible.
    Released,
    /// The instructor called it off; nothing is awarded.
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Released => "released",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [Status::Open, Status::Released, Status::Cancelled].into_iter().find(|x| x.as_str() == s)
    }
}

/// A passage a speech cites, and whether the bank had it when the speech was given. A
/// citation the bank does not have is kept and flagged, not refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cited {
    pub passage_id: String,
    pub in_bank: bool,
}

/// Which speech: the phase it was given in and its slot.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SpeechRef {
    pub phase_index: usize,
    pub key: SlotKey,
}

/// A speech as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speech {
    pub phase_index: usize,
    pub key: SlotKey,
    /// The side argued; `None` for a joint statement.
    pub argues: Option<Side>,
    /// Who submitted it (for a joint statement, the speaker who sent it in).
    pub author: UserId,
    pub claim: String,
    pub reasoning: String,
    pub citations: Vec<Cited>,
    pub submitted_at: Millis,
}

impl Speech {
    pub fn reference(&self) -> SpeechRef {
        SpeechRef { phase_index: self.phase_index, key: self.key.clone() }
    }
}

/// What a speaker sends in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpeechDraft {
    /// The phase the speech is for (its index in the plan): a draft opened in one phase and
    /// sent after it closed is refused, not counted in the next.
    pub phase_index: usize,
    pub claim: String,
    pub reasoning: String,
    /// Passage ids, in the order cited.
    pub citations: Vec<String>,
}

/// An opponent's note that a speech misused a card, for the judge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub speech: SpeechRef,
    pub passage_id: String,
    pub by: UserId,
    pub reason: String,
    pub flagged_at: Millis,
}

/// An audience member's position in a poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    Proposition,
    Opposition,
    Undecided,
}

impl Stance {
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Proposition => "proposition",
            Stance::Opposition => "opposition",
            Stance::Undecided => "undecided",
        }
    }

    pub fn parse(s: &str) -> Option<Stance> {
        [Stance::Proposition, Stance::Opposition, Stance::Undecided].into_iter().find(|x| x.as_str() == s)
    }
}

/// One audience member's vote in one poll (a second vote in the same poll replaces it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub poll: Poll,
    pub user: UserId,
    pub stance: Stance,
    pub voted_at: Millis,
}

/// Who asks for a move, and whether they are an instructor (the classroom layer knows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: UserId,
    pub instructor: bool,
}

/// Where a member may join.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Join {
    Side(Side),
    /// Whichever side has fewer speakers (the proposition on a tie): the bot balances.
    Either,
    Audience,
}

/// A member's place in a debate.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Place {
    Speaker(Seat),
    Audience(UserId),
}

impl Place {
    pub fn user(&self) -> &UserId {
        match self {
            Place::Speaker(s) => &s.user,
            Place::Audience(u) => u,
        }
    }
}

/// The outcome of a join or an assignment: the member's place, and whether it changed
/// (a second click on the same button changes nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Joined {
    pub place: Place,
    pub changed: bool,
}

/// A phase that closed and the one that opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhaseChange {
    pub from: usize,
    pub to: usize,
    pub phase: Phase,
    pub opened_at: Millis,
    pub deadline: Option<Millis>,
}

/// Everything a store keeps to rebuild a [`Debate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebateRecord {
    pub format: Format,
    pub motion: DebateMotion,
    pub rubric: Rubric,
    pub plan: Vec<PlannedPhase>,
    pub phase_index: usize,
    pub phase_opened_at: Millis,
    pub status: Status,
    pub ended_at: Option<Millis>,
    pub seats: Vec<Seat>,
    pub audience: Vec<UserId>,
    /// In the order given.
    pub speeches: Vec<Speech>,
    pub flags: Vec<Flag>,
    pub ballots: Vec<Ballot>,
    pub votes: Vec<Vote>,
}

/// What an instructor chooses when starting a debate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    pub format: Format,
    pub motion: DebateMotion,
    pub timing: Timing,
    pub rubric: Rubric,
}

/// A debate that cannot be set up as asked; the message says what to change.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct SetupError(pub String);

/// A stored debate that does not hold together: a bug or a damaged row.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("debate record: {0}")]
pub struct RecordError(pub String);

/// A move the debate does not allow now. The message can be shown to whoever tried it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Refusal {
    #[error("Only an instructor can do that: ask someone with Manage Server or the instructor role.")]
    NotInstructor,
    #[error("This debate is over.")]
    Over,
    #[error("{phase} is over: it no longer takes submissions.")]
    PhaseClosed { phase: Phase },
    #[error("{phase} has not started yet.")]
    NotYetOpen { phase: Phase },
    #[error("This debate has no such phase.")]
    NoSuchPhase,
    #[error("Too late: {phase} closed at its deadline.")]
    Late { phase: Phase, deadline: Millis },
    #[error("Not during {phase}: {what}.")]
    WrongPhase { phase: Phase, what: &'static str },
    #[error("You have no speech to give in {phase}.")]
    NotYourSlot { phase: Phase },
    #[error("This speech has already been given.")]
    AlreadySubmitted,
    /// Speeches follow the speaking order: `next` has yet to speak before this speaker.
    #[error("It is not your turn yet in {phase}: {next} speaks before you.")]
    NotYourTurn { phase: Phase, next: UserId },
    #[error("The {side} is full.")]
    SideFull { side: Side },
    #[error("The {side} needs at least {need} speaker(s) and has {have}: wait for sign-ups or assign seats.")]
    SeatsMissing { side: Side, need: usize, have: usize },
    #[error("The sides differ by more than one speaker ({proposition} v {opposition}): balance them or assign seats.")]
    Unbalanced { proposition: usize, opposition: usize },
    #[error("There is no such speech.")]
    NoSuchSpeech,
    #[error("Only a speaker of the other side can flag a card in this speech.")]
    NotAnOpponent,
    #[error("That speech does not cite {passage}.")]
    NotCited { passage: String },
    #[error("You have already flagged that card in this speech.")]
    AlreadyFlagged,
    #[error("Only an Oxford debate has an audience vote.")]
    NoAudienceVote,
    #[error("Speakers do not vote: the vote is the audience's.")]
    SpeakersDoNotVote,
    #[error("Join the audience to vote.")]
    NotInAudience,
    #[error("Speakers cannot judge their own debate.")]
    SpeakerCannotJudge,
    #[error("The ballot has no scores for {speaker}: score every speaker on every criterion.")]
    BallotIncomplete { speaker: UserId },
    #[error("The ballot gives {speaker} {got} score(s), but the rubric has {expected} criteria.")]
    ScoreCount { speaker: UserId, expected: usize, got: usize },
    #[error("Scores run from 1 to {max}, not {score}.")]
    ScoreOutOfRange { score: u8, max: u8 },
    #[error("{0} is not a speaker in this debate.")]
    NotASpeaker(UserId),
    #[error("The ballot scores {0} twice.")]
    ScoredTwice(UserId),
    #[error("Pick the winning side.")]
    WinnerRequired,
    #[error("A structured academic controversy has no winner: leave the winner empty.")]
    NoWinnerHere,
    #[error("Score the speakers before releasing the result.")]
    NoOfficialBallot,
    #[error("The result has not been released yet.")]
    NotReleased,
    #[error("{phase} stays open until its deadline.")]
    NotDue { phase: Phase },
    #[error("That timer belongs to a phase that is already over.")]
    StaleTimer,
    #[error("The speeches are over: release the result to finish.")]
    ReleaseToFinish,
    #[error("Write a claim.")]
    EmptyClaim,
    #[error("The {field} is {got} characters long; the most is {max}.")]
    TooLong { field: &'static str, max: usize, got: usize },
    #[error("A speech cites at most {max} passages.")]
    TooManyCitations { max: usize },
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.title())
    }
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.title())
    }
}

/// A debate round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Debate {
    r: DebateRecord,
}

fn too_long(field: &'static str, text: &str, max: usize) -> Result<(), Refusal> {
    let got = text.chars().count();
    if got > max { Err(Refusal::TooLong { field, max, got }) } else { Ok(()) }
}

impl Debate {
    /// A debate in sign-up, opened at `now`.
    pub fn new(setup: Setup, now: Millis) -> Result<Debate, SetupError> {
        let Setup { format, motion, timing, rubric } = setup;
        format.check().map_err(SetupError)?;
        timing.check().map_err(SetupError)?;
        rubric.check().map_err(|e| SetupError(format!("the rubric: {e}")))?;
        if motion.text.trim().is_empty() {
            return Err(SetupError("the motion is empty: write it as \"This house believes …\"".into()));
        }
        if motion.text.chars().count() > MOTION_CHARS {
            return Err(SetupError(format!("the motion is longer than {MOTION_CHARS} characters")));
        }
        if motion.info.chars().count() > INFO_CHARS {
            return Err(SetupError(format!("the info slide is longer than {INFO_CHARS} characters")));
        }
        Ok(Debate {
            r: DebateRecord {
                plan: format.plan(&timing),
                format,
                motion,
                rubric,
                phase_index: 0,
                phase_opened_at: now,
                status: Status::Open,
                ended_at: None,
                seats: Vec::new(),
                audience: Vec::new(),
                speeches: Vec::new(),
                flags: Vec::new(),
                ballots: Vec::new(),
                votes: Vec::new(),
            },
        })
    }

    /// Rebuilds a debate from what the store kept, checking that it holds together.
    pub fn resume(record: DebateRecord) -> Result<Debate, RecordError> {
        let bad = |s: String| Err(RecordError(s));
        let r = &record;
        r.format.check().map_err(RecordError)?;
        r.rubric.check().map_err(RecordError)?;
        if r.plan.iter().map(|p| p.phase).ne(r.format.phases().iter().copied()) {
            return bad(format!("the phase plan does not match the {} format", r.format.as_str()));
        }
        if r.phase_index >= r.plan.len() {
            return bad(format!("phase index {} beyond its {} phases", r.phase_index, r.plan.len()));
        }
        let mut users = std::collections::HashSet::new();
        for user in r.seats.iter().map(|s| &s.user).chain(&r.audience) {
            if !users.insert(user) {
                return bad(format!("{user} has two places"));
            }
        }
        for side in Side::BOTH {
            if r.seats.iter().filter(|s| s.team == side).count() > r.format.per_side() {
                return bad(format!("the {side} has more than {} speakers", r.format.per_side()));
            }
        }
        for s in &r.speeches {
            if s.phase_index > r.phase_index || !r.plan[s.phase_index].phase.is_speech() {
                return bad(format!("a speech in phase {}, which takes none now", s.phase_index));
            }
        }
        for b in &r.ballots {
            if b.scores.iter().any(|s| s.scores.len() != r.rubric.criteria.len()) {
                return bad(format!("the ballot of {} does not fit the rubric", b.judge));
            }
        }
        if r.status == Status::Released && (r.plan[r.phase_index].phase != Phase::Judging || !r.ballots.iter().any(|b| b.official)) {
            return bad("released before judging or without the instructor's ballot".into());
        }
        Ok(Debate { r: record })
    }

    /// The debate as the store should keep it.
    pub fn record(&self) -> &DebateRecord {
        &self.r
    }

    pub fn format(&self) -> Format {
        self.r.format
    }

    pub fn motion(&self) -> &DebateMotion {
        &self.r.motion
    }

    pub fn rubric(&self) -> &Rubric {
        &self.r.rubric
    }

    pub fn status(&self) -> Status {
        self.r.status
    }

    pub fn plan(&self) -> &[PlannedPhase] {
        &self.r.plan
    }

    pub fn phase_index(&self) -> usize {
        self.r.phase_index
    }

    pub fn phase(&self) -> Phase {
        self.r.plan[self.r.phase_index].phase
    }

    pub fn phase_opened_at(&self) -> Millis {
        self.r.phase_opened_at
    }

    /// When the current phase closes; `None` when only the instructor closes it, or once
    /// the debate is over.
    pub fn deadline(&self) -> Option<Millis> {
        if self.r.status != Status::Open {
            return None;
        }
        self.r.plan[self.r.phase_index].seconds.map(|s| self.r.phase_opened_at + i64::from(s) * 1000)
    }

    /// The phase after the current one, if any.
    pub fn next_phase(&self) -> Option<Phase> {
        self.r.plan.get(self.r.phase_index + 1).map(|p| p.phase)
    }

    pub fn seats(&self) -> &[Seat] {
        &self.r.seats
    }

    /// The speakers of `side`, first speaker first.
    pub fn team(&self, side: Side) -> Vec<&Seat> {
        let mut t: Vec<&Seat> = self.r.seats.iter().filter(|s| s.team == side).collect();
        t.sort_by_key(|s| (s.position, s.joined_at));
        t
    }

    /// Every speaker in speaking order of the opening: P1, O1, P2, O2, …
    pub fn speakers(&self) -> Vec<&Seat> {
        let (p, o) = (self.team(Side::Proposition), self.team(Side::Opposition));
        (0..p.len().max(o.len())).flat_map(|i| [p.get(i), o.get(i)]).flatten().copied().collect()
    }

    pub fn audience(&self) -> &[UserId] {
        &self.r.audience
    }

    pub fn seat_of(&self, user: &UserId) -> Option<&Seat> {
        self.r.seats.iter().find(|s| &s.user == user)
    }

    pub fn speeches(&self) -> &[Speech] {
        &self.r.speeches
    }

    pub fn flags(&self) -> &[Flag] {
        &self.r.flags
    }

    pub fn votes(&self) -> &[Vote] {
        &self.r.votes
    }

    /// The instructor's ballot, if there is one yet.
    pub fn official_ballot(&self) -> Option<&Ballot> {
        self.r.ballots.iter().find(|b| b.official)
    }

    /// The speeches the phase at `index` expects, in speaking order.
    pub fn slots(&self, index: usize) -> Vec<Slot> {
        self.r.plan.get(index).map_or_else(Vec::new, |p| slots(self.r.format, p.phase, &self.r.seats))
    }

    /// Who speaks next in the open phase: the first slot of its speaking order without a
    /// speech. `None` when nobody is waited for, or in a controversy, whose pairs write side
    /// by side.
    pub fn next_in_order(&self) -> Option<UserId> {
        if matches!(self.r.format, Format::Controversy) {
            return None;
        }
        let index = self.r.phase_index;
        match self.slots(index).into_iter().find(|s| self.speech(index, &s.key).is_none())?.key {
            SlotKey::Speaker(next) => Some(next),
            SlotKey::Joint => None,
        }
    }

    /// The speech given in `slot` of the phase at `index`, if any.
    pub fn speech(&self, index: usize, key: &SlotKey) -> Option<&Speech> {
        self.r.speeches.iter().find(|s| s.phase_index == index && &s.key == key)
    }

    /// How many audience members have voted in `poll` (the split stays hidden until release).
    pub fn votes_cast(&self, poll: Poll) -> usize {
        self.r.votes.iter().filter(|v| v.poll == poll).count()
    }

    /// Whose evidence cards `user` holds now: their team's; in a controversy the other
    /// side's after the swap, and both for the joint statement. None for the audience.
    pub fn card_sides(&self, user: &UserId) -> Vec<Side> {
        let Some(seat) = self.seat_of(user) else { return Vec::new() };
        match (self.r.format, self.phase()) {
            (Format::Controversy, Phase::Swap) => vec![seat.team.other()],
            (Format::Controversy, Phase::Joint | Phase::Judging) => Side::BOTH.to_vec(),
            _ => vec![seat.team],
        }
    }

    /// The index of the first speech phase: seats are fixed from there on, ballots open.
    fn first_speech(&self) -> usize {
        self.r.plan.iter().position(|p| p.phase.is_speech()).unwrap_or(self.r.plan.len())
    }

    fn speeches_started(&self) -> bool {
        self.r.phase_index >= self.first_speech()
    }

    fn open(&self) -> Result<(), Refusal> {
        if self.r.status == Status::Open { Ok(()) } else { Err(Refusal::Over) }
    }

    fn instructor(actor: &Actor) -> Result<(), Refusal> {
        if actor.instructor { Ok(()) } else { Err(Refusal::NotInstructor) }
    }

    fn before_deadline(&self, now: Millis) -> Result<(), Refusal> {
        match self.deadline() {
            Some(deadline) if now >= deadline => Err(Refusal::Late { phase: self.phase(), deadline }),
            _ => Ok(()),
        }
    }

    fn wrong_phase(&self, what: &'static str) -> Refusal {
        Refusal::WrongPhase { phase: self.phase(), what }
    }

    // ─────────────────────────── seats ───────────────────────────

    /// A member joins a side or the audience. Speakers take seats during sign-up, before
    /// its deadline; the audience may join until judging. Joining where one already is
    /// changes nothing.
    pub fn join(&mut self, user: &UserId, join: Join, now: Millis) -> Result<Joined, Refusal> {
        self.open()?;
        match join {
            Join::Audience => {
                if self.phase() == Phase::Judging {
                    return Err(self.wrong_phase("the audience joins before judging"));
                }
                if self.r.audience.contains(user) {
                    return Ok(Joined { place: Place::Audience(user.clone()), changed: false });
                }
                if self.seat_of(user).is_some() {
                    if self.phase() != Phase::SignUp {
                        return Err(self.wrong_phase("speakers keep their seats once sign-up is over"));
                    }
                    self.before_deadline(now)?;
                }
                Ok(self.place(user, None, now))
            }
            Join::Side(_) | Join::Either => {
                if self.phase() != Phase::SignUp {
                    return Err(self.wrong_phase("sides are chosen during sign-up"));
                }
                self.before_deadline(now)?;
                if let Some(seat) = self.seat_of(user)
                    && (join == Join::Either || join == Join::Side(seat.team))
                {
                    return Ok(Joined { place: Place::Speaker(seat.clone()), changed: false });
                }
                let side = match join {
                    Join::Side(side) => side,
                    _ => {
                        let (p, o) = (self.team(Side::Proposition).len(), self.team(Side::Opposition).len());
                        if o < p { Side::Opposition } else { Side::Proposition }
                    }
                };
                self.seat(user, side, now)
            }
        }
    }

    /// The instructor puts a member on a side or in the audience, before the speeches.
    pub fn assign(&mut self, actor: &Actor, user: &UserId, join: Join, now: Millis) -> Result<Joined, Refusal> {
        Debate::instructor(actor)?;
        self.open()?;
        if self.speeches_started() {
            return Err(self.wrong_phase("seats are assigned before the speeches"));
        }
        match join {
            Join::Audience if self.r.audience.contains(user) => Ok(Joined { place: Place::Audience(user.clone()), changed: false }),
            Join::Audience => Ok(self.place(user, None, now)),
            Join::Side(side) => match self.seat_of(user).filter(|s| s.team == side) {
                Some(seat) => Ok(Joined { place: Place::Speaker(seat.clone()), changed: false }),
                None => self.seat(user, side, now),
            },
            Join::Either => {
                let (p, o) = (self.team(Side::Proposition).len(), self.team(Side::Opposition).len());
                self.seat(user, if o < p { Side::Opposition } else { Side::Proposition }, now)
            }
        }
    }

    /// The instructor evens the sides: the last to join the larger side move to the
    /// smaller one until they differ by at most one. Returns the seats that moved.
    pub fn balance(&mut self, actor: &Actor, now: Millis) -> Result<Vec<Seat>, Refusal> {
        Debate::instructor(actor)?;
        self.open()?;
        if self.speeches_started() {
            return Err(self.wrong_phase("seats are assigned before the speeches"));
        }
        let mut moved = Vec::new();
        loop {
            let (p, o) = (self.team(Side::Proposition).len(), self.team(Side::Opposition).len());
            let (big, small) = if p > o + 1 {
                (Side::Proposition, Side::Opposition)
            } else if o > p + 1 {
                (Side::Opposition, Side::Proposition)
            } else {
                break;
            };
            let Some(last) = self.team(big).last().map(|s| s.user.clone()) else { break };
            match self.seat(&last, small, now)?.place {
                Place::Speaker(seat) => moved.push(seat),
                Place::Audience(_) => break,
            }
        }
        Ok(moved)
    }

    /// Seats `user` last on `side`, leaving any other place.
    fn seat(&mut self, user: &UserId, side: Side, now: Millis) -> Result<Joined, Refusal> {
        if self.team(side).len() >= self.r.format.per_side() {
            return Err(Refusal::SideFull { side });
        }
        Ok(self.place(user, Some(side), now))
    }

    /// Moves `user` to `side` (last seat) or to the audience (`None`).
    fn place(&mut self, user: &UserId, side: Option<Side>, now: Millis) -> Joined {
        self.r.seats.retain(|s| &s.user != user);
        self.r.audience.retain(|u| u != user);
        let place = match side {
            Some(team) => {
                let position = self.team(team).last().map_or(0, |s| s.position + 1);
                let seat = Seat { user: user.clone(), team, position, joined_at: now };
                self.r.seats.push(seat.clone());
                Place::Speaker(seat)
            }
            None => {
                self.r.audience.push(user.clone());
                Place::Audience(user.clone())
            }
        };
        Joined { place, changed: true }
    }

    // ─────────────────────────── phases ───────────────────────────

    /// The instructor closes the current phase and opens the next, at any time.
    pub fn advance(&mut self, actor: &Actor, now: Millis) -> Result<PhaseChange, Refusal> {
        Debate::instructor(actor)?;
        self.open()?;
        self.step(now)
    }

    /// The phase timer: moves on from the phase at `index` once its deadline has passed.
    /// A timer for a phase already over, or fired early, changes nothing.
    pub fn timer(&mut self, index: usize, now: Millis) -> Result<PhaseChange, Refusal> {
        self.open()?;
        if index != self.r.phase_index {
            return Err(Refusal::StaleTimer);
        }
        match self.deadline() {
            Some(deadline) if now >= deadline => self.step(now),
            _ => Err(Refusal::NotDue { phase: self.phase() }),
        }
    }

    fn step(&mut self, now: Millis) -> Result<PhaseChange, Refusal> {
        if self.phase() == Phase::Judging {
            return Err(Refusal::ReleaseToFinish);
        }
        if self.phase() == Phase::SignUp {
            self.check_seats()?;
        }
        let from = self.r.phase_index;
        self.r.phase_index += 1;
        self.r.phase_opened_at = now;
        Ok(PhaseChange { from, to: self.r.phase_index, phase: self.phase(), opened_at: now, deadline: self.deadline() })
    }

    /// Whether the seats let the speeches start: each side at its minimum, the sides within one.
    fn check_seats(&self) -> Result<(), Refusal> {
        let need = self.r.format.min_per_side();
        for side in Side::BOTH {
            let have = self.team(side).len();
            if have < need {
                return Err(Refusal::SeatsMissing { side, need, have });
            }
        }
        let (proposition, opposition) = (self.team(Side::Proposition).len(), self.team(Side::Opposition).len());
        if proposition.abs_diff(opposition) > 1 {
            return Err(Refusal::Unbalanced { proposition, opposition });
        }
        Ok(())
    }

    // ─────────────────────────── speeches ───────────────────────────

    /// A speaker's speech for their slot of the open phase. Citations the bank does not
    /// have (`in_bank` says no) are kept and flagged.
    pub fn submit(&mut self, user: &UserId, draft: &SpeechDraft, in_bank: impl Fn(&str) -> bool, now: Millis) -> Result<&Speech, Refusal> {
        self.open()?;
        let Some(planned) = self.r.plan.get(draft.phase_index) else { return Err(Refusal::NoSuchPhase) };
        if draft.phase_index < self.r.phase_index {
            return Err(Refusal::PhaseClosed { phase: planned.phase });
        }
        if draft.phase_index > self.r.phase_index {
            return Err(Refusal::NotYetOpen { phase: planned.phase });
        }
        let phase = self.phase();
        let seated = self.seat_of(user).is_some();
        let slot = self
            .slots(self.r.phase_index)
            .into_iter()
            .find(|s| match &s.key {
                SlotKey::Speaker(u) => u == user,
                SlotKey::Joint => seated,
            })
            .ok_or(Refusal::NotYourSlot { phase })?;
        self.before_deadline(now)?;
        if self.speech(self.r.phase_index, &slot.key).is_some() {
            return Err(Refusal::AlreadySubmitted);
        }
        if let Some(next) = self.next_in_order().filter(|next| SlotKey::Speaker(next.clone()) != slot.key) {
            return Err(Refusal::NotYourTurn { phase, next });
        }
        let claim = draft.claim.trim();
        if claim.is_empty() {
            return Err(Refusal::EmptyClaim);
        }
        too_long("claim", claim, CLAIM_CHARS)?;
        too_long("reasoning", draft.reasoning.trim(), REASONING_CHARS)?;
        let mut citations: Vec<Cited> = Vec::new();
        for id in draft.citations.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
            if !citations.iter().any(|c| c.passage_id == id) {
                citations.push(Cited { passage_id: id.to_owned(), in_bank: in_bank(id) });
            }
        }
        if citations.len() > MAX_CITATIONS {
            return Err(Refusal::TooManyCitations { max: MAX_CITATIONS });
        }
        self.r.speeches.push(Speech {
            phase_index: self.r.phase_index,
            key: slot.key,
            argues: slot.argues,
            author: user.clone(),
            claim: claim.to_owned(),
            reasoning: draft.reasoning.trim().to_owned(),
            citations,
            submitted_at: now,
        });
        Ok(self.r.speeches.last().unwrap_or_else(|| unreachable!("a speech was just pushed")))
    }

    /// An opponent flags a card a speech cites as misused, for the judge to see.
    pub fn flag(&mut self, user: &UserId, speech: &SpeechRef, passage: &str, reason: &str, now: Millis) -> Result<&Flag, Refusal> {
        self.open()?;
        let given = self.speech(speech.phase_index, &speech.key).ok_or(Refusal::NoSuchSpeech)?;
        let author_team = self.seat_of(&given.author).map(|s| s.team);
        let flagger_team = self.seat_of(user).map(|s| s.team);
        if given.key == SlotKey::Joint || flagger_team.is_none() || flagger_team == author_team {
            return Err(Refusal::NotAnOpponent);
        }
        if !given.citations.iter().any(|c| c.passage_id == passage) {
            return Err(Refusal::NotCited { passage: passage.to_owned() });
        }
        let reason = reason.trim();
        too_long("reason", reason, FLAG_REASON_CHARS)?;
        if self.r.flags.iter().any(|f| &f.speech == speech && f.passage_id == passage && &f.by == user) {
            return Err(Refusal::AlreadyFlagged);
        }
        self.r.flags.push(Flag { speech: speech.clone(), passage_id: passage.to_owned(), by: user.clone(), reason: reason.to_owned(), flagged_at: now });
        Ok(self.r.flags.last().unwrap_or_else(|| unreachable!("a flag was just pushed")))
    }

    // ─────────────────────────── votes and ballots ───────────────────────────

    /// An audience member's vote in the poll the phase runs; a second vote replaces the first.
    pub fn vote(&mut self, user: &UserId, stance: Stance, now: Millis) -> Result<&Vote, Refusal> {
        self.open()?;
        if !self.r.format.has_audience_vote() {
            return Err(Refusal::NoAudienceVote);
        }
        let poll = self.phase().poll().ok_or_else(|| self.wrong_phase("the audience votes before and after the speeches"))?;
        self.before_deadline(now)?;
        if self.seat_of(user).is_some() {
            return Err(Refusal::SpeakersDoNotVote);
        }
        if !self.r.audience.contains(user) {
            return Err(Refusal::NotInAudience);
        }
        self.r.votes.retain(|v| !(v.poll == poll && &v.user == user));
        self.r.votes.push(Vote { poll, user: user.clone(), stance, voted_at: now });
        Ok(self.r.votes.last().unwrap_or_else(|| unreachable!("a vote was just pushed")))
    }

    /// A ballot, from the speeches' start until the release: the instructor's is official
    /// (and replaces any earlier one), a student's is a shadow ballot that never counts.
    pub fn ballot(&mut self, actor: &Actor, draft: &BallotDraft, now: Millis) -> Result<&Ballot, Refusal> {
        self.open()?;
        if !self.speeches_started() {
            return Err(self.wrong_phase("ballots open once the speeches start"));
        }
        if !actor.instructor && self.seat_of(&actor.user).is_some() {
            return Err(Refusal::SpeakerCannotJudge);
        }
        let criteria = self.r.rubric.criteria.len();
        for (i, entry) in draft.scores.iter().enumerate() {
            if self.seat_of(&entry.speaker).is_none() {
                return Err(Refusal::NotASpeaker(entry.speaker.clone()));
            }
            if draft.scores[..i].iter().any(|e| e.speaker == entry.speaker) {
                return Err(Refusal::ScoredTwice(entry.speaker.clone()));
            }
            if entry.scores.len() != criteria {
                return Err(Refusal::ScoreCount { speaker: entry.speaker.clone(), expected: criteria, got: entry.scores.len() });
            }
            if let Some(&score) = entry.scores.iter().find(|&&s| s < 1 || s > self.r.rubric.max) {
                return Err(Refusal::ScoreOutOfRange { score, max: self.r.rubric.max });
            }
        }
        if let Some(missing) = self.speakers().into_iter().find(|s| !draft.scores.iter().any(|e| e.speaker == s.user)) {
            return Err(Refusal::BallotIncomplete { speaker: missing.user.clone() });
        }
        match (self.r.format, draft.winner) {
            (Format::Quick { .. }, None) => return Err(Refusal::WinnerRequired),
            (Format::Controversy, Some(_)) => return Err(Refusal::NoWinnerHere),
            _ => {}
        }
        too_long("feedback", draft.feedback.trim(), FEEDBACK_CHARS)?;
        let official = actor.instructor;
        if !official && self.r.ballots.iter().any(|b| b.official && b.judge == actor.user) {
            // They judged as an instructor and have lost the role since: that ballot stands.
            return Err(Refusal::NotInstructor);
        }
        self.r.ballots.retain(|b| !(b.judge == actor.user || (official && b.official)));
        // Scores in speaking order, whatever order the judge gave them in.
        let scores = self.speakers().into_iter().filter_map(|s| draft.scores.iter().find(|e| e.speaker == s.user).cloned()).collect();
        self.r.ballots.push(Ballot {
            judge: actor.user.clone(),
            official,
            scores,
            winner: draft.winner,
            feedback: draft.feedback.trim().to_owned(),
            submitted_at: now,
        });
        Ok(self.r.ballots.last().unwrap_or_else(|| unreachable!("a ballot was just pushed")))
    }

    /// The ballots `actor` may see: an instructor all of them at any time; a student, once
    /// the result is released, the instructor's and their own.
    pub fn ballots(&self, actor: &Actor) -> Result<Vec<&Ballot>, Refusal> {
        if actor.instructor {
            return Ok(self.r.ballots.iter().collect());
        }
        match self.r.status {
            Status::Released => Ok(self.r.ballots.iter().filter(|b| b.official || b.judge == actor.user).collect()),
            Status::Open => Err(Refusal::NotReleased),
            Status::Cancelled => Err(Refusal::Over),
        }
    }

    // ─────────────────────────── the end ───────────────────────────

    /// The instructor releases the result, once the speeches are over and their ballot is in.
    pub fn release(&mut self, actor: &Actor, now: Millis) -> Result<(), Refusal> {
        Debate::instructor(actor)?;
        self.open()?;
        if self.phase() != Phase::Judging {
            return Err(self.wrong_phase("the result is released once the speeches are over"));
        }
        if self.official_ballot().is_none() {
            return Err(Refusal::NoOfficialBallot);
        }
        self.r.status = Status::Released;
        self.r.ended_at = Some(now);
        Ok(())
    }

    /// The instructor calls the debate off; nothing is awarded.
    pub fn cancel(&mut self, actor: &Actor, now: Millis) -> Result<(), Refusal> {
        Debate::instructor(actor)?;
        self.open()?;
        self.r.status = Status::Cancelled;
        self.r.ended_at = Some(now);
        Ok(())
    }
}
