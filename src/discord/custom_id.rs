//! The ids the bot puts on buttons, menus and modals, and the only way to read them back.
//!
//! Invariant: every component the bot makes carries a `custom_id` built by [`Action::id`], and
//! every interaction is read back through [`Action::parse`]; anything else — a forged id,
//! another bot's, one from an older version — parses to `None` and gets a clear refusal. Each
//! feature owns its sub-enum and its part of the wire format (`kind:fields…` after the prefix);
//! this file holds the prefix, the top enum the router matches exhaustively, and the readers of
//! the fields the features share. Ids stay within Discord's 100 characters because round,
//! debate and answer ids are short, bank ids at most 64 characters, user ids numbers and
//! numbers small. The wire format is fixed: buttons already posted in servers keep working.

use crate::discord::debate::DebateAction;
use crate::discord::live::LiveAction;
use crate::discord::practice::PracticeAction;
use crate::discord::prompts::{PromptAction, ReviewAction};
use crate::ids::{DebateId, RoundId, SubmissionId};

/// The prefix and version of every id the bot makes.
const PREFIX: &str = "agora1";

/// What a component asks the bot to do: one variant per feature, each with its own actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Live(LiveAction),
    Practice(PracticeAction),
    Debate(DebateAction),
    Prompt(PromptAction),
    Review(ReviewAction),
}

impl Action {
    /// The `custom_id` for this action.
    pub fn id(&self) -> String {
        let body = match self {
            Action::Live(a) => a.encode(),
            Action::Practice(a) => a.encode(),
            Action::Debate(a) => a.encode(),
            Action::Prompt(a) => a.encode(),
            Action::Review(a) => a.encode(),
        };
        format!("{PREFIX}:{body}")
    }

    /// Whether this action is a modal's submit (rather than a button or a menu).
    pub fn is_form(&self) -> bool {
        match self {
            Action::Live(a) => a.is_form(),
            Action::Practice(a) => a.is_form(),
            Action::Debate(a) => a.is_form(),
            Action::Prompt(a) => a.is_form(),
            Action::Review(a) => a.is_form(),
        }
    }

    /// Reads an id back; `None` for anything the bot did not make.
    pub fn parse(id: &str) -> Option<Action> {
        if id.len() > 100 {
            return None;
        }
        let mut parts = id.split(':');
        if parts.next()? != PREFIX {
            return None;
        }
        let kind = parts.next()?;
        // Each feature reads its own kinds; nothing may follow: an id with extra parts is not one of ours.
        let whole = |read: &dyn Fn(&mut Fields<'_>) -> Option<Action>| {
            let mut fields = Fields(parts.clone());
            read(&mut fields).filter(|_| fields.0.next().is_none())
        };
        whole(&|f| LiveAction::parse(kind, f).map(Action::Live))
            .or_else(|| whole(&|f| PracticeAction::parse(kind, f).map(Action::Practice)))
            .or_else(|| whole(&|f| DebateAction::parse(kind, f).map(Action::Debate)))
            .or_else(|| whole(&|f| PromptAction::parse(kind, f).map(Action::Prompt)))
            .or_else(|| whole(&|f| ReviewAction::parse(kind, f).map(Action::Review)))
    }
}

/// The fields of an id after its kind, read in order; each reader takes the next field and
/// answers `None` unless it is well formed. A feature's `parse` answers `None` for a kind
/// that is not its own.
pub struct Fields<'a>(std::str::Split<'a, char>);

impl<'a> Fields<'a> {
    /// The next field as it is.
    pub fn text(&mut self) -> Option<&'a str> {
        self.0.next()
    }

    /// A round id as the layer makes it: `l` or `p` and hex digits.
    pub fn round(&mut self) -> Option<RoundId> {
        self.text().filter(|r| (2..=40).contains(&r.len()) && r.starts_with(['l', 'p']) && is_hex(&r[1..])).map(RoundId::from)
    }

    /// A question's 1-based number in its round.
    pub fn number(&mut self) -> Option<usize> {
        self.text().and_then(|n| n.parse::<usize>().ok()).filter(|&n| (1..=100).contains(&n))
    }

    /// An answer on a button: a shown letter, `true` or `false`.
    pub fn value(&mut self) -> Option<String> {
        self.text().filter(|v| matches!(*v, "true" | "false") || (v.len() == 1 && v.chars().all(|c| c.is_ascii_uppercase()))).map(str::to_owned)
    }

    /// A debate id as the layer makes it.
    pub fn debate(&mut self) -> Option<DebateId> {
        self.text().filter(|d| is_hex_id(d, 'd')).map(|d| DebateId::new(d.to_owned()))
    }

    /// A phase's index in a debate's plan.
    pub fn phase(&mut self) -> Option<usize> {
        self.text().and_then(|n| n.parse::<usize>().ok()).filter(|&n| n <= 20)
    }

    /// A prompt id of the bank.
    pub fn prompt(&mut self) -> Option<String> {
        self.text().filter(|s| (1..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')).map(str::to_owned)
    }

    /// An answer (submission) id as the layer makes it.
    pub fn answer(&mut self) -> Option<SubmissionId> {
        self.text().filter(|a| is_hex_id(a, 'a')).map(|a| SubmissionId::new(a.to_owned()))
    }
}

fn is_hex(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_hexdigit())
}

/// Debate and answer ids as the layer makes them: `letter` and hex digits.
fn is_hex_id(s: &str, letter: char) -> bool {
    (2..=40).contains(&s.len()) && s.starts_with(letter) && is_hex(&s[1..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::debate::{Join, Side, SlotKey, Stance};
    use crate::ids::UserId;

    #[test]
    fn every_action_reads_back_as_itself_and_fits_discord() {
        let round = RoundId::from("l19ab2f3c4d5e1234");
        let live = |a: LiveAction| Action::Live(a);
        let practice = |a: PracticeAction| Action::Practice(a);
        let all = [
            live(LiveAction::Answer { round: round.clone(), number: 3, value: "C".into() }),
            live(LiveAction::Answer { round: round.clone(), number: 3, value: "true".into() }),
            live(LiveAction::Type { round: round.clone(), number: 100 }),
            live(LiveAction::Typed { round: round.clone(), number: 1 }),
            live(LiveAction::Select { round: round.clone(), number: 2 }),
            live(LiveAction::Reveal { round: round.clone(), number: 2 }),
            live(LiveAction::Next { round: round.clone(), number: 2 }),
            live(LiveAction::End { round: round.clone() }),
            practice(PracticeAction::Answer { round: round.clone(), number: 1, value: "A".into() }),
            practice(PracticeAction::Type { round: round.clone(), number: 1 }),
            practice(PracticeAction::Typed { round: round.clone(), number: 1 }),
            practice(PracticeAction::Select { round: round.clone(), number: 1 }),
            practice(PracticeAction::Source { round: round.clone(), number: 1 }),
            practice(PracticeAction::Next { round: round.clone(), number: 1 }),
            practice(PracticeAction::End { round }),
        ];
        let debate = DebateId::from("d19ab2f3c4d5e1234");
        let speaker = SlotKey::Speaker(UserId::from("18446744073709551615"));
        let d = |a: DebateAction| Action::Debate(a);
        let class = [
            d(DebateAction::Join { debate: debate.clone(), place: Join::Side(Side::Proposition) }),
            d(DebateAction::Join { debate: debate.clone(), place: Join::Audience }),
            d(DebateAction::Join { debate: debate.clone(), place: Join::Either }),
            d(DebateAction::Cards { debate: debate.clone() }),
            d(DebateAction::Speak { debate: debate.clone(), phase: 2 }),
            d(DebateAction::Speech { debate: debate.clone(), phase: 20 }),
            d(DebateAction::Flag { debate: debate.clone(), phase: 3, speaker: speaker.clone() }),
            d(DebateAction::Flagged { debate: debate.clone(), phase: 3, speaker }),
            d(DebateAction::Flagged { debate: debate.clone(), phase: 8, speaker: SlotKey::Joint }),
            d(DebateAction::Vote { debate: debate.clone(), stance: Stance::Undecided }),
            d(DebateAction::Ballot { debate: debate.clone() }),
            d(DebateAction::Flags { debate: debate.clone() }),
            d(DebateAction::Ballotted { debate }),
            Action::Prompt(PromptAction::Answer { prompt: "a".repeat(64) }),
            Action::Prompt(PromptAction::Answered { prompt: "explain-complementary-economies".into() }),
            Action::Review(ReviewAction::Mark { answer: SubmissionId::from("a19ab2f3c4d5e1234") }),
            Action::Review(ReviewAction::Marked { answer: SubmissionId::from("a19ab2f3c4d5e1234") }),
        ];
        let all = all.into_iter().chain(class);
        for a in all {
            let id = a.id();
            assert!(id.len() <= 100, "{id}");
            assert_eq!(Action::parse(&id), Some(a), "{id}");
        }
    }

    #[test]
    fn ids_the_bot_did_not_make_are_refused() {
        for forged in [
            "",
            "agora1",
            "agora1:a",
            "agora1:a:l12:1",
            "agora1:a:l12:0:A",
            "agora1:a:l12:101:A",
            "agora1:a:l12:1:AB",
            "agora1:a:l12:1:a",
            "agora1:a:x12:1:A",
            "agora1:a:l12:1:A:extra",
            "agora1:zz:l12:1",
            "agora0:a:l12:1:A",
            "agora1:a:l1g:1:A",
            "agora1:e:l12:1",
            &format!("agora1:r:l{}:1", "a".repeat(120)),
            "agora1:dj:d12:x",
            "agora1:dj:l12:p",
            "agora1:dj:d12:p:extra",
            "agora1:ds:d12:21",
            "agora1:df:d12:1:alice",
            "agora1:dv:d12",
            "agora1:qa:Bad_Id",
            &format!("agora1:qa:{}", "a".repeat(65)),
            "agora1:rv:d12",
        ] {
            assert_eq!(Action::parse(forged), None, "{forged:?}");
        }
    }

    /// The wire format is fixed: buttons already posted in servers carry these ids.
    #[test]
    fn ids_are_byte_for_byte_those_already_posted() {
        let (r, d) = (RoundId::from("l1f"), DebateId::from("d2e"));
        let joint = SlotKey::Joint;
        let cases = [
            (Action::Live(LiveAction::Answer { round: r.clone(), number: 3, value: "C".into() }), "agora1:a:l1f:3:C"),
            (Action::Live(LiveAction::Type { round: r.clone(), number: 1 }), "agora1:t:l1f:1"),
            (Action::Live(LiveAction::Typed { round: r.clone(), number: 1 }), "agora1:m:l1f:1"),
            (Action::Live(LiveAction::Select { round: r.clone(), number: 1 }), "agora1:s:l1f:1"),
            (Action::Live(LiveAction::Reveal { round: r.clone(), number: 1 }), "agora1:r:l1f:1"),
            (Action::Live(LiveAction::Next { round: r.clone(), number: 1 }), "agora1:n:l1f:1"),
            (Action::Live(LiveAction::End { round: r.clone() }), "agora1:e:l1f"),
            (Action::Practice(PracticeAction::Answer { round: r.clone(), number: 2, value: "true".into() }), "agora1:pa:l1f:2:true"),
            (Action::Practice(PracticeAction::Type { round: r.clone(), number: 2 }), "agora1:pt:l1f:2"),
            (Action::Practice(PracticeAction::Typed { round: r.clone(), number: 2 }), "agora1:pm:l1f:2"),
            (Action::Practice(PracticeAction::Select { round: r.clone(), number: 2 }), "agora1:ps:l1f:2"),
            (Action::Practice(PracticeAction::Source { round: r.clone(), number: 2 }), "agora1:src:l1f:2"),
            (Action::Practice(PracticeAction::Next { round: r.clone(), number: 2 }), "agora1:pn:l1f:2"),
            (Action::Practice(PracticeAction::End { round: r }), "agora1:pe:l1f"),
            (Action::Debate(DebateAction::Join { debate: d.clone(), place: Join::Side(Side::Proposition) }), "agora1:dj:d2e:p"),
            (Action::Debate(DebateAction::Join { debate: d.clone(), place: Join::Side(Side::Opposition) }), "agora1:dj:d2e:o"),
            (Action::Debate(DebateAction::Join { debate: d.clone(), place: Join::Either }), "agora1:dj:d2e:e"),
            (Action::Debate(DebateAction::Join { debate: d.clone(), place: Join::Audience }), "agora1:dj:d2e:a"),
            (Action::Debate(DebateAction::Cards { debate: d.clone() }), "agora1:dc:d2e"),
            (Action::Debate(DebateAction::Speak { debate: d.clone(), phase: 0 }), "agora1:ds:d2e:0"),
            (Action::Debate(DebateAction::Speech { debate: d.clone(), phase: 4 }), "agora1:dm:d2e:4"),
            (Action::Debate(DebateAction::Flag { debate: d.clone(), phase: 3, speaker: SlotKey::Speaker(UserId::from("42")) }), "agora1:df:d2e:3:42"),
            (Action::Debate(DebateAction::Flagged { debate: d.clone(), phase: 3, speaker: joint }), "agora1:dg:d2e:3:joint"),
            (Action::Debate(DebateAction::Vote { debate: d.clone(), stance: Stance::Proposition }), "agora1:dv:d2e:p"),
            (Action::Debate(DebateAction::Vote { debate: d.clone(), stance: Stance::Opposition }), "agora1:dv:d2e:o"),
            (Action::Debate(DebateAction::Vote { debate: d.clone(), stance: Stance::Undecided }), "agora1:dv:d2e:u"),
            (Action::Debate(DebateAction::Ballot { debate: d.clone() }), "agora1:db:d2e"),
            (Action::Debate(DebateAction::Flags { debate: d.clone() }), "agora1:dl:d2e"),
            (Action::Debate(DebateAction::Ballotted { debate: d }), "agora1:dbm:d2e"),
            (Action::Prompt(PromptAction::Answer { prompt: "p-1".into() }), "agora1:qa:p-1"),
            (Action::Prompt(PromptAction::Answered { prompt: "p-1".into() }), "agora1:qm:p-1"),
            (Action::Review(ReviewAction::Mark { answer: SubmissionId::from("a3c") }), "agora1:rv:a3c"),
            (Action::Review(ReviewAction::Marked { answer: SubmissionId::from("a3c") }), "agora1:rm:a3c"),
        ];
        for (action, id) in cases {
            assert_eq!(action.id(), id);
            assert_eq!(Action::parse(id), Some(action), "{id}");
        }
    }
}
