//! A debate's result: the decision, the vote swing, the speakers' scores, the evidence
//! map and the points each member earned.
//!
//! Invariant: the result is a pure function of the debate's record (the instructor's
//! ballot, the votes, the speeches) and of the paper's order of passages, computed the same
//! way when it is released and whenever it is shown again; shadow ballots never change it.

use std::collections::BTreeMap;

use super::format::{Format, Poll, Side, SlotKey};
use super::round::{Actor, Debate, Flag, Refusal, Stance, Status};
use super::rubric::DebatePoints;
use crate::ids::UserId;

/// Who won, and how it was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Won {
        side: Side,
        by: DecidedBy,
    },
    /// Nothing set the sides apart: no swing of the vote (Oxford), no winner picked and
    /// equal rubric totals on the judge's ballot.
    Draw,
    /// A structured academic controversy: the group reached a joint statement; nobody wins.
    Consensus,
}

impl Decision {
    pub fn winner(self) -> Option<Side> {
        match self {
            Decision::Won { side, .. } => Some(side),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecidedBy {
    /// The winner the instructor picked on the ballot (a quick debate, or an Oxford vote
    /// that tied).
    Judge,
    /// The side that gained more of the audience's vote.
    Audience,
    /// The higher rubric total on the judge's ballot, when the vote tied (Oxford) and no
    /// winner was picked.
    Totals,
}

/// One poll's count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PollTally {
    pub proposition: u32,
    pub opposition: u32,
    pub undecided: u32,
}

impl PollTally {
    pub fn total(&self) -> u32 {
        self.proposition + self.opposition + self.undecided
    }

    fn count(&self, side: Side) -> u32 {
        match side {
            Side::Proposition => self.proposition,
            Side::Opposition => self.opposition,
        }
    }

    /// The share of the vote for `side`, in percent; 0 when nobody voted.
    pub fn share(&self, side: Side) -> f64 {
        if self.total() == 0 { 0.0 } else { 100.0 * f64::from(self.count(side)) / f64::from(self.total()) }
    }
}

/// An Oxford debate's two polls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swing {
    pub before: PollTally,
    pub after: PollTally,
}

impl Swing {
    /// How many percentage points `side` gained (negative: lost) between the polls.
    pub fn gain(&self, side: Side) -> f64 {
        self.after.share(side) - self.before.share(side)
    }

    /// The side that gained more, compared exactly (shares as fractions cross-multiplied);
    /// `None` on a tie, or when either poll had no votes.
    pub fn leader(&self) -> Option<Side> {
        let (b, a) = (i64::from(self.before.total()), i64::from(self.after.total()));
        if a == 0 || b == 0 {
            return None;
        }
        let margin = |t: &PollTally| i64::from(t.proposition) - i64::from(t.opposition);
        // gain(P) − gain(O) = margin(after)/a − margin(before)/b, whose sign is this one's.
        match (margin(&self.after) * b).cmp(&(margin(&self.before) * a)) {
            std::cmp::Ordering::Greater => Some(Side::Proposition),
            std::cmp::Ordering::Less => Some(Side::Opposition),
            std::cmp::Ordering::Equal => None,
        }
    }
}

/// One speaker's scores on the instructor's ballot and what they earned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeakerResult {
    pub speaker: UserId,
    pub team: Side,
    /// In the rubric's order.
    pub scores: Vec<u8>,
    pub total: u32,
    pub points: i64,
}

/// The passages each side used, in the paper's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvidenceMap {
    /// Cited in speeches arguing the proposition (in a controversy, by whichever pair argued it).
    pub proposition: Vec<String>,
    pub opposition: Vec<String>,
    /// Cited in the joint statement.
    pub joint: Vec<String>,
    /// The motion's evidence cards nobody cited, with the side they were dealt to.
    pub unused: Vec<(Side, String)>,
    /// Cited ids the bank does not have, sorted.
    pub not_in_bank: Vec<String>,
}

/// How the shadow judges saw it (their ballots never count).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShadowSummary {
    pub ballots: u32,
    pub for_proposition: u32,
    pub for_opposition: u32,
    /// Shadow judges who picked the side that won.
    pub agreed: u32,
}

/// Everything the release shows.
#[derive(Debug, Clone, PartialEq)]
pub struct DebateResult {
    pub decision: Decision,
    /// Oxford only.
    pub swing: Option<Swing>,
    /// In speaking order (P1, O1, P2, O2, …).
    pub speakers: Vec<SpeakerResult>,
    pub proposition_total: u32,
    pub opposition_total: u32,
    pub judge: UserId,
    pub feedback: String,
    pub evidence: EvidenceMap,
    pub flags: Vec<Flag>,
    pub shadow: ShadowSummary,
    /// Points per member, for the scores; members who earned nothing are left out.
    pub awards: Vec<(UserId, i64)>,
}

impl Debate {
    /// The released result. `position` gives a passage's place in the paper (`None` when
    /// the bank does not have it).
    pub fn result<P: Ord>(&self, position: impl Fn(&str) -> Option<P>, points: &DebatePoints) -> Result<DebateResult, Refusal> {
        match self.status() {
            Status::Released => self.outcome(position, points),
            Status::Open => Err(Refusal::NotReleased),
            Status::Cancelled => Err(Refusal::Over),
        }
    }

    /// The result as it would be released now: for the instructor only.
    pub fn preview<P: Ord>(&self, actor: &Actor, position: impl Fn(&str) -> Option<P>, points: &DebatePoints) -> Result<DebateResult, Refusal> {
        if !actor.instructor {
            return Err(Refusal::NotInstructor);
        }
        self.outcome(position, points)
    }

    /// The audience polls, counted.
    pub fn swing(&self) -> Swing {
        let mut swing = Swing::default();
        for v in self.votes() {
            let tally = match v.poll {
                Poll::Before => &mut swing.before,
                Poll::After => &mut swing.after,
            };
            match v.stance {
                Stance::Proposition => tally.proposition += 1,
                Stance::Opposition => tally.opposition += 1,
                Stance::Undecided => tally.undecided += 1,
            }
        }
        swing
    }

    fn outcome<P: Ord>(&self, position: impl Fn(&str) -> Option<P>, points: &DebatePoints) -> Result<DebateResult, Refusal> {
        let ballot = self.official_ballot().ok_or(Refusal::NoOfficialBallot)?;
        let swing = self.format().has_audience_vote().then(|| self.swing());
        let mut speakers: Vec<SpeakerResult> = self
            .speakers()
            .iter()
            .map(|seat| {
                let scores = ballot.of(&seat.user).map(|s| s.scores.clone()).unwrap_or_default();
                let total = scores.iter().map(|&s| u32::from(s)).sum();
                SpeakerResult { speaker: seat.user.clone(), team: seat.team, scores, total, points: 0 }
            })
            .collect();
        let side_total = |side: Side| speakers.iter().filter(|s| s.team == side).map(|s| s.total).sum::<u32>();
        let (proposition_total, opposition_total) = (side_total(Side::Proposition), side_total(Side::Opposition));
        // The swing, then the judge's pick, then the judge's totals settle it.
        let by_totals = match proposition_total.cmp(&opposition_total) {
            std::cmp::Ordering::Greater => Decision::Won { side: Side::Proposition, by: DecidedBy::Totals },
            std::cmp::Ordering::Less => Decision::Won { side: Side::Opposition, by: DecidedBy::Totals },
            std::cmp::Ordering::Equal => Decision::Draw,
        };
        let decision = match (self.format(), swing.and_then(|s| s.leader()), ballot.winner) {
            (Format::Controversy, _, _) => Decision::Consensus,
            (Format::Oxford { .. }, Some(side), _) => Decision::Won { side, by: DecidedBy::Audience },
            (_, _, Some(side)) => Decision::Won { side, by: DecidedBy::Judge },
            (_, _, None) => by_totals,
        };
        let mut awards: BTreeMap<UserId, i64> = BTreeMap::new();
        for s in &mut speakers {
            let won = decision.winner() == Some(s.team);
            s.points = i64::from(s.total) * i64::from(points.per_mark) + if won { i64::from(points.win) } else { 0 };
            *awards.entry(s.speaker.clone()).or_default() += s.points;
        }
        for vote in self.votes() {
            if self.seat_of(&vote.user).is_none() {
                *awards.entry(vote.user.clone()).or_default() += i64::from(points.vote);
            }
        }
        let mut shadow = ShadowSummary::default();
        for b in self.record().ballots.iter().filter(|b| !b.official) {
            shadow.ballots += 1;
            match b.winner {
                Some(Side::Proposition) => shadow.for_proposition += 1,
                Some(Side::Opposition) => shadow.for_opposition += 1,
                None => {}
            }
            if b.winner.is_some() && b.winner == decision.winner() {
                shadow.agreed += 1;
            }
            *awards.entry(b.judge.clone()).or_default() += i64::from(points.shadow);
        }
        Ok(DebateResult {
            decision,
            swing,
            proposition_total,
            opposition_total,
            speakers,
            judge: ballot.judge.clone(),
            feedback: ballot.feedback.clone(),
            evidence: self.evidence_map(position),
            flags: self.flags().to_vec(),
            shadow,
            awards: awards.into_iter().filter(|(_, p)| *p != 0).collect(),
        })
    }

    /// The passages each side cited, in the paper's order, and the motion's cards nobody used.
    pub fn evidence_map<P: Ord>(&self, position: impl Fn(&str) -> Option<P>) -> EvidenceMap {
        let mut map = EvidenceMap::default();
        let mut cited = std::collections::HashSet::new();
        for speech in self.speeches() {
            for c in &speech.citations {
                cited.insert(c.passage_id.as_str());
                if position(&c.passage_id).is_none() {
                    if !map.not_in_bank.contains(&c.passage_id) {
                        map.not_in_bank.push(c.passage_id.clone());
                    }
                    continue;
                }
                let list = match (&speech.key, speech.argues) {
                    (SlotKey::Joint, _) | (_, None) => &mut map.joint,
                    (_, Some(Side::Proposition)) => &mut map.proposition,
                    (_, Some(Side::Opposition)) => &mut map.opposition,
                };
                if !list.contains(&c.passage_id) {
                    list.push(c.passage_id.clone());
                }
            }
        }
        let in_paper_order = |list: &mut Vec<String>| list.sort_by_cached_key(|id| position(id.as_str()));
        in_paper_order(&mut map.proposition);
        in_paper_order(&mut map.opposition);
        in_paper_order(&mut map.joint);
        map.not_in_bank.sort();
        for side in Side::BOTH {
            for id in self.motion().cards(side) {
                if !cited.contains(id.as_str()) && !map.unused.iter().any(|(_, u)| u == id) {
                    map.unused.push((side, id.clone()));
                }
            }
        }
        map.unused.sort_by_cached_key(|(_, id)| position(id.as_str()));
        map
    }
}
