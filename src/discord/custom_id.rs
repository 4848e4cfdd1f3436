//! The ids the bot puts on buttons, menus and modals, and the only way to read them back.
//!
//! Invariant: every component the bot makes carries a `custom_id` built here, and every
//! interaction is read back through [`Action::parse`]; anything else — a forged id, another
//! bot's, one from an older version — parses to `None` and gets a clear refusal. Ids stay
//! within Discord's 100 characters because round, debate and answer ids are short, bank ids
//! at most 64 characters, user ids numbers and numbers small.

use crate::ids::{DebateId, RoundId, SubmissionId};

/// The prefix and version of every id the bot makes.
const PREFIX: &str = "agora1";

/// What a component asks the bot to do, with the round and the 1-based question number it
/// was made for (so a click on an old question's button is recognised as such).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A live answer: choice buttons carry the shown letter, true/false `true`/`false`.
    Answer {
        round: RoundId,
        number: usize,
        value: String,
    },
    /// Opens the modal for a typed answer (numbers, short answers, orderings) or a multi select.
    Type {
        round: RoundId,
        number: usize,
    },
    /// The modal's submit, with the text in its one input.
    Typed {
        round: RoundId,
        number: usize,
    },
    /// A multi-select menu's choice (values are the shown letters).
    Select {
        round: RoundId,
        number: usize,
    },
    Reveal {
        round: RoundId,
        number: usize,
    },
    Next {
        round: RoundId,
        number: usize,
    },
    End {
        round: RoundId,
    },
    /// Practice: an answer, the modal, the select, the modal's submit.
    PracticeAnswer {
        round: RoundId,
        number: usize,
        value: String,
    },
    PracticeType {
        round: RoundId,
        number: usize,
    },
    PracticeTyped {
        round: RoundId,
        number: usize,
    },
    PracticeSelect {
        round: RoundId,
        number: usize,
    },
    /// Practice: the passages behind the answer just given.
    Source {
        round: RoundId,
        number: usize,
    },
    PracticeNext {
        round: RoundId,
        number: usize,
    },
    PracticeEnd {
        round: RoundId,
    },
    /// Debates: take a seat (`p`, `o`, `e` either side, the emptier) or join the audience (`a`).
    DebateJoin {
        debate: DebateId,
        place: char,
    },
    /// The clicker's evidence cards, privately.
    DebateCards {
        debate: DebateId,
    },
    /// Opens the speech modal for the phase at `phase` (its index in the plan).
    DebateSpeak {
        debate: DebateId,
        phase: usize,
    },
    /// The speech modal's submit, for that phase.
    DebateSpeech {
        debate: DebateId,
        phase: usize,
    },
    /// Opens the modal to flag a card of the speech of `speaker` (a user id, or `joint`) in `phase`.
    DebateFlag {
        debate: DebateId,
        phase: usize,
        speaker: String,
    },
    DebateFlagged {
        debate: DebateId,
        phase: usize,
        speaker: String,
    },
    /// An audience vote: `p`, `o` or `u` (undecided).
    DebateVote {
        debate: DebateId,
        stance: char,
    },
    /// Opens the ballot modal (the instructor's counts; a student's is a shadow ballot).
    DebateBallot {
        debate: DebateId,
    },
    DebateBallotted {
        debate: DebateId,
    },
    /// Prompts: opens the answer modal for a prompt of the bank, and its submit.
    PromptAnswer {
        prompt: String,
    },
    PromptAnswered {
        prompt: String,
    },
    /// Review: opens the marking modal for a queued answer, and its submit.
    ReviewMark {
        answer: SubmissionId,
    },
    ReviewMarked {
        answer: SubmissionId,
    },
}

impl Action {
    /// The `custom_id` for this action.
    pub fn id(&self) -> String {
        use Action::*;
        match self {
            Answer { round, number, value } => format!("{PREFIX}:a:{round}:{number}:{value}"),
            Type { round, number } => format!("{PREFIX}:t:{round}:{number}"),
            Typed { round, number } => format!("{PREFIX}:m:{round}:{number}"),
            Select { round, number } => format!("{PREFIX}:s:{round}:{number}"),
            Reveal { round, number } => format!("{PREFIX}:r:{round}:{number}"),
            Next { round, number } => format!("{PREFIX}:n:{round}:{number}"),
            End { round } => format!("{PREFIX}:e:{round}"),
            PracticeAnswer { round, number, value } => format!("{PREFIX}:pa:{round}:{number}:{value}"),
            PracticeType { round, number } => format!("{PREFIX}:pt:{round}:{number}"),
            PracticeTyped { round, number } => format!("{PREFIX}:pm:{round}:{number}"),
            PracticeSelect { round, number } => format!("{PREFIX}:ps:{round}:{number}"),
            Source { round, number } => format!("{PREFIX}:src:{round}:{number}"),
            PracticeNext { round, number } => format!("{PREFIX}:pn:{round}:{number}"),
            PracticeEnd { round } => format!("{PREFIX}:pe:{round}"),
            DebateJoin { debate, place } => format!("{PREFIX}:dj:{debate}:{place}"),
            DebateCards { debate } => format!("{PREFIX}:dc:{debate}"),
            DebateSpeak { debate, phase } => format!("{PREFIX}:ds:{debate}:{phase}"),
            DebateSpeech { debate, phase } => format!("{PREFIX}:dm:{debate}:{phase}"),
            DebateFlag { debate, phase, speaker } => format!("{PREFIX}:df:{debate}:{phase}:{speaker}"),
            DebateFlagged { debate, phase, speaker } => format!("{PREFIX}:dg:{debate}:{phase}:{speaker}"),
            DebateVote { debate, stance } => format!("{PREFIX}:dv:{debate}:{stance}"),
            DebateBallot { debate } => format!("{PREFIX}:db:{debate}"),
            DebateBallotted { debate } => format!("{PREFIX}:dbm:{debate}"),
            PromptAnswer { prompt } => format!("{PREFIX}:qa:{prompt}"),
            PromptAnswered { prompt } => format!("{PREFIX}:qm:{prompt}"),
            ReviewMark { answer } => format!("{PREFIX}:rv:{answer}"),
            ReviewMarked { answer } => format!("{PREFIX}:rm:{answer}"),
        }
    }

    /// The kinds of the debate, prompt and review actions (which name no round).
    const CLASS_KINDS: [&'static str; 13] = ["dj", "dc", "ds", "dm", "df", "dg", "dv", "db", "dbm", "qa", "qm", "rv", "rm"];

    /// A debate, prompt or review action of kind `kind`, from the parts after it.
    fn parse_class(kind: &str, parts: &mut std::str::Split<'_, char>) -> Option<Action> {
        let debate = |p: Option<&str>| p.filter(|d| is_hex_id(d, 'd')).map(|d| DebateId::new(d.to_owned()));
        let phase = |p: Option<&str>| p.and_then(|n| n.parse::<usize>().ok()).filter(|&n| n <= 20);
        let one_of = |p: Option<&str>, allowed: &str| p.filter(|v| v.len() == 1 && allowed.contains(*v)).and_then(|v| v.chars().next());
        let speaker =
            |p: Option<&str>| p.filter(|s| *s == "joint" || ((1..=20).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit()))).map(str::to_owned);
        let prompt = |p: Option<&str>| {
            p.filter(|s| (1..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')).map(str::to_owned)
        };
        let answer = |p: Option<&str>| p.filter(|a| is_hex_id(a, 'a')).map(|a| SubmissionId::new(a.to_owned()));
        let action = match kind {
            "dj" => Action::DebateJoin { debate: debate(parts.next())?, place: one_of(parts.next(), "poae")? },
            "dc" => Action::DebateCards { debate: debate(parts.next())? },
            "ds" => Action::DebateSpeak { debate: debate(parts.next())?, phase: phase(parts.next())? },
            "dm" => Action::DebateSpeech { debate: debate(parts.next())?, phase: phase(parts.next())? },
            "df" => Action::DebateFlag { debate: debate(parts.next())?, phase: phase(parts.next())?, speaker: speaker(parts.next())? },
            "dg" => Action::DebateFlagged { debate: debate(parts.next())?, phase: phase(parts.next())?, speaker: speaker(parts.next())? },
            "dv" => Action::DebateVote { debate: debate(parts.next())?, stance: one_of(parts.next(), "pou")? },
            "db" => Action::DebateBallot { debate: debate(parts.next())? },
            "dbm" => Action::DebateBallotted { debate: debate(parts.next())? },
            "qa" => Action::PromptAnswer { prompt: prompt(parts.next())? },
            "qm" => Action::PromptAnswered { prompt: prompt(parts.next())? },
            "rv" => Action::ReviewMark { answer: answer(parts.next())? },
            "rm" => Action::ReviewMarked { answer: answer(parts.next())? },
            _ => return None,
        };
        Some(action)
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
        if Action::CLASS_KINDS.contains(&kind) {
            let action = Action::parse_class(kind, &mut parts)?;
            return parts.next().is_none().then_some(action);
        }
        let round = parts.next().filter(|r| is_round_id(r)).map(RoundId::from)?;
        let number = |p: Option<&str>| p.and_then(|n| n.parse::<usize>().ok()).filter(|&n| (1..=100).contains(&n));
        let value =
            |p: Option<&str>| p.filter(|v| matches!(*v, "true" | "false") || (v.len() == 1 && v.chars().all(|c| c.is_ascii_uppercase()))).map(str::to_owned);
        let action = match kind {
            "a" => Action::Answer { round, number: number(parts.next())?, value: value(parts.next())? },
            "t" => Action::Type { round, number: number(parts.next())? },
            "m" => Action::Typed { round, number: number(parts.next())? },
            "s" => Action::Select { round, number: number(parts.next())? },
            "r" => Action::Reveal { round, number: number(parts.next())? },
            "n" => Action::Next { round, number: number(parts.next())? },
            "e" => Action::End { round },
            "pa" => Action::PracticeAnswer { round, number: number(parts.next())?, value: value(parts.next())? },
            "pt" => Action::PracticeType { round, number: number(parts.next())? },
            "pm" => Action::PracticeTyped { round, number: number(parts.next())? },
            "ps" => Action::PracticeSelect { round, number: number(parts.next())? },
            "src" => Action::Source { round, number: number(parts.next())? },
            "pn" => Action::PracticeNext { round, number: number(parts.next())? },
            "pe" => Action::PracticeEnd { round },
            _ => return None,
        };
        // Nothing may follow: an id with extra parts is not one of ours.
        parts.next().is_none().then_some(action)
    }
}

/// Debate and answer ids as the layer makes them: `letter` and hex digits.
fn is_hex_id(s: &str, letter: char) -> bool {
    (2..=40).contains(&s.len()) && s.starts_with(letter) && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// Round ids as the layer makes them: a letter and hex digits.
fn is_round_id(s: &str) -> bool {
    (2..=40).contains(&s.len()) && s.starts_with(['l', 'p']) && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;

    #[test]
    fn every_action_reads_back_as_itself_and_fits_discord() {
        let round = RoundId::from("l19ab2f3c4d5e1234");
        let all = [
            Action::Answer { round: round.clone(), number: 3, value: "C".into() },
            Action::Answer { round: round.clone(), number: 3, value: "true".into() },
            Action::Type { round: round.clone(), number: 100 },
            Action::Typed { round: round.clone(), number: 1 },
            Action::Select { round: round.clone(), number: 2 },
            Action::Reveal { round: round.clone(), number: 2 },
            Action::Next { round: round.clone(), number: 2 },
            Action::End { round: round.clone() },
            Action::PracticeAnswer { round: round.clone(), number: 1, value: "A".into() },
            Action::PracticeType { round: round.clone(), number: 1 },
            Action::PracticeTyped { round: round.clone(), number: 1 },
            Action::PracticeSelect { round: round.clone(), number: 1 },
            Action::Source { round: round.clone(), number: 1 },
            Action::PracticeNext { round: round.clone(), number: 1 },
            Action::PracticeEnd { round },
        ];
        let debate = DebateId::from("d19ab2f3c4d5e1234");
        let speaker = UserId::from("18446744073709551615").to_string();
        let class = [
            Action::DebateJoin { debate: debate.clone(), place: 'p' },
            Action::DebateJoin { debate: debate.clone(), place: 'a' },
            Action::DebateJoin { debate: debate.clone(), place: 'e' },
            Action::DebateCards { debate: debate.clone() },
            Action::DebateSpeak { debate: debate.clone(), phase: 2 },
            Action::DebateSpeech { debate: debate.clone(), phase: 20 },
            Action::DebateFlag { debate: debate.clone(), phase: 3, speaker: speaker.clone() },
            Action::DebateFlagged { debate: debate.clone(), phase: 3, speaker },
            Action::DebateFlagged { debate: debate.clone(), phase: 8, speaker: "joint".into() },
            Action::DebateVote { debate: debate.clone(), stance: 'u' },
            Action::DebateBallot { debate: debate.clone() },
            Action::DebateBallotted { debate },
            Action::PromptAnswer { prompt: "a".repeat(64) },
            Action::PromptAnswered { prompt: "explain-complementary-economies".into() },
            Action::ReviewMark { answer: SubmissionId::from("a19ab2f3c4d5e1234") },
            Action::ReviewMarked { answer: SubmissionId::from("a19ab2f3c4d5e1234") },
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
}
