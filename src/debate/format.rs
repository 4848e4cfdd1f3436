//! Debate formats: the sides, the phases each format runs through and how long each lasts,
//! and who speaks in which phase, in what order.
//!
//! Invariant: a format's phase plan and its speaking order are pure functions of the format,
//! the times and the seats, so a debate rebuilt from its stored rows has exactly the plan
//! and the slots it had before a restart.

use serde::{Deserialize, Serialize};

use crate::ids::UserId;

/// The two sides of a motion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Proposition,
    Opposition,
}

impl Side {
    pub const BOTH: [Side; 2] = [Side::Proposition, Side::Opposition];

    pub fn other(self) -> Side {
        match self {
            Side::Proposition => Side::Opposition,
            Side::Opposition => Side::Proposition,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Proposition => "proposition",
            Side::Opposition => "opposition",
        }
    }

    pub fn parse(s: &str) -> Option<Side> {
        Side::BOTH.into_iter().find(|side| side.as_str() == s)
    }

    /// "Proposition", "Opposition".
    pub fn title(self) -> &'static str {
        match self {
            Side::Proposition => "Proposition",
            Side::Opposition => "Opposition",
        }
    }
}

/// How a debate runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "format", rename_all = "snake_case")]
pub enum Format {
    /// 1 v 1 or 2 v 2; the instructor picks the winner.
    Quick { per_side: usize },
    /// Two teams of up to `per_side`; the audience votes before and after the speeches and
    /// the side that gains more votes wins.
    Oxford { per_side: usize },
    /// Structured academic controversy: two pairs argue one side each, swap sides, then
    /// write a joint statement. Nobody wins.
    Controversy,
}

/// The largest Oxford team.
pub const OXFORD_MAX: usize = 5;

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Quick { .. } => "quick",
            Format::Oxford { .. } => "oxford",
            Format::Controversy => "controversy",
        }
    }

    /// The format named `name` with `per_side` seats a side (ignored for a controversy).
    pub fn parse(name: &str, per_side: usize) -> Option<Format> {
        match name {
            "quick" => Some(Format::Quick { per_side }),
            "oxford" => Some(Format::Oxford { per_side }),
            "controversy" => Some(Format::Controversy),
            _ => None,
        }
    }

    /// "Quick debate (2 v 2)", "Oxford debate (3 a side)", "Structured academic controversy".
    pub fn title(self) -> String {
        match self {
            Format::Quick { per_side } => format!("Quick debate ({per_side} v {per_side})"),
            Format::Oxford { per_side } => format!("Oxford debate (up to {per_side} a side)"),
            Format::Controversy => "Structured academic controversy".into(),
        }
    }

    /// The most seats a side has.
    pub fn per_side(self) -> usize {
        match self {
            Format::Quick { per_side } | Format::Oxford { per_side } => per_side,
            Format::Controversy => 2,
        }
    }

    /// The fewest speakers a side needs before the speeches start.
    pub fn min_per_side(self) -> usize {
        match self {
            Format::Oxford { .. } => 1,
            Format::Quick { per_side } => per_side,
            Format::Controversy => 2,
        }
    }

    /// Checks the team size; the message says what is allowed.
    pub fn check(self) -> Result<(), String> {
        match self {
            Format::Quick { per_side: 1 | 2 } | Format::Controversy => Ok(()),
            Format::Quick { per_side } => Err(format!("a quick debate is 1 v 1 or 2 v 2, not {per_side} v {per_side}")),
            Format::Oxford { per_side } if (1..=OXFORD_MAX).contains(&per_side) => Ok(()),
            Format::Oxford { per_side } => Err(format!("an Oxford team has 1 to {OXFORD_MAX} speakers, not {per_side}")),
        }
    }

    /// Whether the audience votes (before and after the speeches).
    pub fn has_audience_vote(self) -> bool {
        matches!(self, Format::Oxford { .. })
    }

    /// The phases the format runs through, in order.
    pub fn phases(self) -> &'static [Phase] {
        use Phase::*;
        match self {
            Format::Quick { .. } => &[SignUp, Opening, Rebuttal, Closing, Judging],
            Format::Oxford { .. } => &[SignUp, PreVote, Opening, Rebuttal, Closing, PostVote, Judging],
            Format::Controversy => &[SignUp, FirstSide, Swap, Joint, Judging],
        }
    }

    /// The phase plan with the times of `timing`.
    pub fn plan(self, timing: &Timing) -> Vec<PlannedPhase> {
        self.phases().iter().map(|&phase| PlannedPhase { phase, seconds: timing.seconds(phase) }).collect()
    }
}

/// A stage of a debate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Speakers take seats, the audience joins.
    SignUp,
    /// Oxford: the audience votes before the speeches.
    PreVote,
    Opening,
    Rebuttal,
    Closing,
    /// Oxford: the audience votes again.
    PostVote,
    /// Controversy: each pair argues its own side.
    FirstSide,
    /// Controversy: each pair argues the other side.
    Swap,
    /// Controversy: the group writes one joint statement.
    Joint,
    /// The speeches are over: the instructor scores, then releases. No deadline.
    Judging,
}

impl Phase {
    pub const ALL: [Phase; 10] = [
        Phase::SignUp,
        Phase::PreVote,
        Phase::Opening,
        Phase::Rebuttal,
        Phase::Closing,
        Phase::PostVote,
        Phase::FirstSide,
        Phase::Swap,
        Phase::Joint,
        Phase::Judging,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::SignUp => "sign_up",
            Phase::PreVote => "pre_vote",
            Phase::Opening => "opening",
            Phase::Rebuttal => "rebuttal",
            Phase::Closing => "closing",
            Phase::PostVote => "post_vote",
            Phase::FirstSide => "first_side",
            Phase::Swap => "swap",
            Phase::Joint => "joint",
            Phase::Judging => "judging",
        }
    }

    pub fn parse(s: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// What a face calls the phase.
    pub fn title(self) -> &'static str {
        match self {
            Phase::SignUp => "Sign-up",
            Phase::PreVote => "Audience vote (before)",
            Phase::Opening => "Opening speeches",
            Phase::Rebuttal => "Rebuttals",
            Phase::Closing => "Closing speeches",
            Phase::PostVote => "Audience vote (after)",
            Phase::FirstSide => "First side",
            Phase::Swap => "Sides swapped",
            Phase::Joint => "Joint statement",
            Phase::Judging => "Judging",
        }
    }

    /// Whether speakers submit in this phase.
    pub fn is_speech(self) -> bool {
        matches!(self, Phase::Opening | Phase::Rebuttal | Phase::Closing | Phase::FirstSide | Phase::Swap | Phase::Joint)
    }

    /// The audience poll this phase runs, if any.
    pub fn poll(self) -> Option<Poll> {
        match self {
            Phase::PreVote => Some(Poll::Before),
            Phase::PostVote => Some(Poll::After),
            _ => None,
        }
    }
}

/// An Oxford audience poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Poll {
    Before,
    After,
}

impl Poll {
    pub fn as_str(self) -> &'static str {
        match self {
            Poll::Before => "before",
            Poll::After => "after",
        }
    }

    pub fn parse(s: &str) -> Option<Poll> {
        [Poll::Before, Poll::After].into_iter().find(|p| p.as_str() == s)
    }
}

/// A phase of a debate's plan and how long it stays open (`None`: until the instructor
/// moves on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedPhase {
    pub phase: Phase,
    pub seconds: Option<u32>,
}

/// The shortest and longest a timed phase may last, in seconds: half a minute to a week
/// (a class may debate over several days).
pub const PHASE_SECONDS: std::ops::RangeInclusive<u32> = 30..=604_800;

/// How long each timed phase lasts, in seconds. Judging has no deadline: it ends when the
/// instructor releases the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Timing {
    pub sign_up: u32,
    pub pre_vote: u32,
    pub opening: u32,
    pub rebuttal: u32,
    pub closing: u32,
    pub post_vote: u32,
    pub first_side: u32,
    pub swap: u32,
    pub joint: u32,
}

impl Default for Timing {
    /// Sized for a class period: five minutes to sign up, ten for an opening, eight for a
    /// rebuttal, five to close, two for each vote; a controversy's rounds take longer
    /// because pairs write together.
    fn default() -> Timing {
        Timing { sign_up: 300, pre_vote: 120, opening: 600, rebuttal: 480, closing: 300, post_vote: 120, first_side: 900, swap: 900, joint: 1200 }
    }
}

impl Timing {
    /// How long `phase` lasts; `None` for judging.
    pub fn seconds(&self, phase: Phase) -> Option<u32> {
        Some(match phase {
            Phase::SignUp => self.sign_up,
            Phase::PreVote => self.pre_vote,
            Phase::Opening => self.opening,
            Phase::Rebuttal => self.rebuttal,
            Phase::Closing => self.closing,
            Phase::PostVote => self.post_vote,
            Phase::FirstSide => self.first_side,
            Phase::Swap => self.swap,
            Phase::Joint => self.joint,
            Phase::Judging => return None,
        })
    }

    /// These times with `phase` lasting `seconds` (judging has no time and is left alone).
    pub fn with(mut self, phase: Phase, seconds: u32) -> Timing {
        let slot = match phase {
            Phase::SignUp => &mut self.sign_up,
            Phase::PreVote => &mut self.pre_vote,
            Phase::Opening => &mut self.opening,
            Phase::Rebuttal => &mut self.rebuttal,
            Phase::Closing => &mut self.closing,
            Phase::PostVote => &mut self.post_vote,
            Phase::FirstSide => &mut self.first_side,
            Phase::Swap => &mut self.swap,
            Phase::Joint => &mut self.joint,
            Phase::Judging => return self,
        };
        *slot = seconds;
        self
    }

    /// Checks every time; the message names the phase and the allowed range.
    pub fn check(&self) -> Result<(), String> {
        for phase in Phase::ALL {
            if let Some(s) = self.seconds(phase)
                && !PHASE_SECONDS.contains(&s)
            {
                return Err(format!("{} must last between {} and {} seconds, not {s}", phase.title(), PHASE_SECONDS.start(), PHASE_SECONDS.end()));
            }
        }
        Ok(())
    }
}

/// A seat a speaker holds: their team (the side they argue first) and their place in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Seat {
    pub user: UserId,
    pub team: Side,
    /// Orders the team: the lowest is its first speaker (its captain).
    pub position: u32,
    pub joined_at: crate::ids::Millis,
}

/// Who holds a slot of a speech phase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SlotKey {
    /// One speaker's own speech.
    Speaker(UserId),
    /// A controversy's joint statement, written by any speaker of the group.
    Joint,
}

impl SlotKey {
    /// As stored: the speaker's id, or `joint` (no user id is `joint`: Discord ids are
    /// digits and the terminal's are `local:NAME`).
    pub fn as_str(&self) -> &str {
        match self {
            SlotKey::Speaker(u) => u.as_str(),
            SlotKey::Joint => "joint",
        }
    }

    pub fn parse(s: &str) -> SlotKey {
        if s == "joint" { SlotKey::Joint } else { SlotKey::Speaker(UserId::new(s)) }
    }
}

/// One speech a phase expects.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Slot {
    pub key: SlotKey,
    /// The side argued; `None` for a joint statement, which argues neither.
    pub argues: Option<Side>,
}

/// The speeches `phase` expects, in speaking order, from `seats` (in any order).
///
/// * Opening: every speaker, alternating from the proposition: P1, O1, P2, O2, …
/// * Rebuttal: every speaker, alternating from the opposition: O1, P1, O2, P2, …
/// * Closing: the first speaker of each team, the opposition first, so the proposition
///   has the last word.
/// * Controversy: first side, each pair its own side (the proposition pair first); swap,
///   each pair the other side (the pair now arguing the proposition first); joint, one
///   statement for the group.
pub fn slots(format: Format, phase: Phase, seats: &[Seat]) -> Vec<Slot> {
    let team = |side: Side| {
        let mut t: Vec<&Seat> = seats.iter().filter(|s| s.team == side).collect();
        t.sort_by_key(|s| (s.position, s.joined_at));
        t
    };
    let (p, o) = (team(Side::Proposition), team(Side::Opposition));
    let speech = |s: &Seat, argues: Side| Slot { key: SlotKey::Speaker(s.user.clone()), argues: Some(argues) };
    let alternate = |first: &[&Seat], second: &[&Seat]| {
        let mut out = Vec::new();
        for i in 0..first.len().max(second.len()) {
            for s in [first.get(i), second.get(i)].into_iter().flatten() {
                out.push(speech(s, s.team));
            }
        }
        out
    };
    match (format, phase) {
        (Format::Controversy, Phase::FirstSide) => {
            p.iter().map(|s| speech(s, Side::Proposition)).chain(o.iter().map(|s| speech(s, Side::Opposition))).collect()
        }
        (Format::Controversy, Phase::Swap) => o.iter().map(|s| speech(s, Side::Proposition)).chain(p.iter().map(|s| speech(s, Side::Opposition))).collect(),
        (Format::Controversy, Phase::Joint) => vec![Slot { key: SlotKey::Joint, argues: None }],
        (_, Phase::Opening) => alternate(&p, &o),
        (_, Phase::Rebuttal) => alternate(&o, &p),
        (_, Phase::Closing) => o.first().into_iter().chain(p.first()).map(|s| speech(s, s.team)).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seat(user: &str, team: Side, position: u32) -> Seat {
        Seat { user: UserId::from(user), team, position, joined_at: 0 }
    }

    fn order(format: Format, phase: Phase, seats: &[Seat]) -> Vec<String> {
        slots(format, phase, seats)
            .into_iter()
            .map(|s| match (s.key, s.argues) {
                (SlotKey::Speaker(u), Some(side)) => format!("{u}:{}", &side.as_str()[..1]),
                (SlotKey::Joint, None) => "joint".into(),
                other => panic!("unexpected slot {other:?}"),
            })
            .collect()
    }

    #[test]
    fn speaking_orders() {
        let quick = Format::Quick { per_side: 2 };
        let seats = [seat("o2", Side::Opposition, 1), seat("p1", Side::Proposition, 0), seat("o1", Side::Opposition, 0), seat("p2", Side::Proposition, 3)];
        assert_eq!(order(quick, Phase::Opening, &seats), ["p1:p", "o1:o", "p2:p", "o2:o"]);
        assert_eq!(order(quick, Phase::Rebuttal, &seats), ["o1:o", "p1:p", "o2:o", "p2:p"]);
        assert_eq!(order(quick, Phase::Closing, &seats), ["o1:o", "p1:p"]);
        assert!(order(quick, Phase::SignUp, &seats).is_empty() && order(quick, Phase::Judging, &seats).is_empty());
        let oxford = Format::Oxford { per_side: 3 };
        let uneven = [seat("p1", Side::Proposition, 0), seat("p2", Side::Proposition, 1), seat("o1", Side::Opposition, 0)];
        assert_eq!(order(oxford, Phase::Opening, &uneven), ["p1:p", "o1:o", "p2:p"]);
        assert!(order(oxford, Phase::PreVote, &uneven).is_empty());
        let sac = Format::Controversy;
        assert_eq!(order(sac, Phase::FirstSide, &seats), ["p1:p", "p2:p", "o1:o", "o2:o"]);
        assert_eq!(order(sac, Phase::Swap, &seats), ["o1:p", "o2:p", "p1:o", "p2:o"]);
        assert_eq!(order(sac, Phase::Joint, &seats), ["joint"]);
    }

    #[test]
    fn plans_and_times() {
        let plan = Format::Oxford { per_side: 3 }.plan(&Timing::default().with(Phase::Opening, 60));
        assert_eq!(plan.iter().map(|p| p.phase).collect::<Vec<_>>(), Format::Oxford { per_side: 3 }.phases());
        assert_eq!(plan[2], PlannedPhase { phase: Phase::Opening, seconds: Some(60) });
        assert_eq!(plan.last().unwrap().seconds, None, "judging waits for the instructor");
        assert_eq!(Timing::default().with(Phase::Judging, 5), Timing::default());
        assert!(Timing::default().check().is_ok());
        assert_eq!(Timing::default().with(Phase::Rebuttal, 10).check().unwrap_err(), "Rebuttals must last between 30 and 604800 seconds, not 10");
        for phase in Phase::ALL {
            assert_eq!(Phase::parse(phase.as_str()), Some(phase));
        }
        for format in [Format::Quick { per_side: 1 }, Format::Oxford { per_side: 4 }, Format::Controversy] {
            assert_eq!(Format::parse(format.as_str(), format.per_side()), Some(format));
            assert!(format.check().is_ok());
            assert_eq!(format.phases().first(), Some(&Phase::SignUp));
            assert_eq!(format.phases().last(), Some(&Phase::Judging));
        }
        assert!(Format::Quick { per_side: 3 }.check().is_err());
        assert!(Format::Oxford { per_side: 0 }.check().is_err());
        assert!(Format::Oxford { per_side: OXFORD_MAX + 1 }.check().is_err());
        assert_eq!(SlotKey::parse("joint"), SlotKey::Joint);
        assert_eq!(SlotKey::parse("42"), SlotKey::Speaker(UserId::from("42")));
    }
}
