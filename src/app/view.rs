//! Views: what each operation of the classroom layer returns, ready for a face to render.
//!
//! Invariant: no face recomputes anything from a view. The question comes with its choices
//! in the order this round shows them, the verdict with the right answer in those letters,
//! the reveal with the tally the store holds, a debate's result with the points the store
//! awarded; every citation carries section, anchor and quote, and a cited id the bank lacks
//! is marked as such. Views hold text as written (names, answers, speeches): escaping, and
//! keeping student text from pinging anyone, is the renderer's job.

use crate::bank::{Answer, Bank, Kind, PromptKind, Question};
use crate::debate::{Decision, Format, Phase, PlannedPhase, Poll, ShadowSummary, Side, SpeechRef, Stance, Status, Swing};
use crate::ids::{ChannelId, DebateId, GuildId, ItemId, RoundId, SubmissionId, UserId};
use crate::quiz::{self, Millis, Outcome, Presentation, Response};
use crate::store::AnswerRecord;
/// The store's plain rows a face renders, named through the layer (faces import nothing from
/// the store): a leaderboard's line, what it ranks by, a tally, what a deletion removed.
pub use crate::store::{Forgotten, LeaderboardRow, RankBy, Tally};

/// Everything stored about one student in one server, as read in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct StudentRecords {
    pub guild: GuildId,
    pub user: UserId,
    /// When it was read.
    pub read_at_ms: Millis,
    /// Each answer as the student saw it: the question, the choice with the letter it had
    /// on their screen (choices are shuffled per round; the tables keep the bank's letter),
    /// the verdict, the points and a readable UTC time, beside the stored fields.
    pub answers: Vec<serde_json::Value>,
    /// Each table with its rows about the student (column → value), every table listed.
    pub tables: Vec<(String, Vec<serde_json::Value>)>,
}

impl StudentRecords {
    /// Tables holding at least one row about the student, with how many.
    pub fn counts(&self) -> Vec<(&str, usize)> {
        self.tables.iter().filter(|(_, rows)| !rows.is_empty()).map(|(t, rows)| (t.as_str(), rows.len())).collect()
    }

    /// The document a student keeps (`/mydata`): the server, the student, when it was read,
    /// each answer as they saw it, and the tables, as pretty JSON ending in a line break.
    pub fn to_json(&self) -> String {
        let tables: serde_json::Map<String, serde_json::Value> =
            self.tables.iter().map(|(t, rows)| (t.clone(), serde_json::Value::Array(rows.clone()))).collect();
        let document = serde_json::json!({
            "server": self.guild.as_str(),
            "user": self.user.as_str(),
            "read_at": utc(self.read_at_ms),
            "read_at_ms": self.read_at_ms,
            "answers": self.answers,
            "tables": tables,
        });
        format!("{document:#}\n")
    }
}

/// One cited passage, as shown under an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct CitationView {
    pub passage_id: String,
    /// The section's title ("Factors of convergence").
    pub section: String,
    /// The paragraph anchor (`s5-p3`).
    pub anchor: String,
    pub quote: String,
    /// Where the paper attributes the point, if it does ("Rumer, 2024: 4").
    pub source: Option<String>,
}

/// A question as one round shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionView {
    pub round_id: RoundId,
    pub item_id: ItemId,
    /// 1-based position in the round, and how many questions it has.
    pub number: usize,
    pub of: usize,
    /// The title of the question's first topic.
    pub topic: String,
    pub difficulty: u8,
    pub kind: Kind,
    pub prompt: String,
    /// The labels in the order shown: choices, orderings' items; empty for typed answers.
    pub choices: Vec<String>,
    /// The unit a numeric answer is in ("" when none or not numeric).
    pub unit: String,
    /// How to answer ("one letter", "true or false", …).
    pub how: String,
    pub opened_at: Millis,
    /// When the question stops taking answers; `None` in practice.
    pub deadline: Option<Millis>,
}

/// The judgement of one answer, with everything a student should learn from it.
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictView {
    pub question: QuestionView,
    pub correct: bool,
    /// Share of the points earned, 0 to 1.
    pub credit: f64,
    pub points: i64,
    /// Right answers in a row in this round, this one included.
    pub streak: u32,
    /// What the student answered, in the letters shown.
    pub your_answer: String,
    /// The right answer, in the letters shown ("B. Complementary economies").
    pub right_answer: String,
    pub explanation: String,
    pub citations: Vec<CitationView>,
}

/// A live answer accepted: the student's own pick, and nothing of anyone else's.
#[derive(Debug, Clone, PartialEq)]
pub struct LockedIn {
    pub question: QuestionView,
    pub your_answer: String,
}

/// One bar of a reveal's spread.
#[derive(Debug, Clone, PartialEq)]
pub struct TallyBar {
    /// "A. Complementary economies", "True", "Right answer", "Other answers".
    pub label: String,
    pub count: u64,
    /// Whether this bar is (part of) the right answer.
    pub correct: bool,
}

/// A live question closed and its answer shown to the class.
#[derive(Debug, Clone, PartialEq)]
pub struct RevealView {
    pub question: QuestionView,
    pub right_answer: String,
    pub explanation: String,
    pub citations: Vec<CitationView>,
    /// The spread of answers, in the order the choices were shown.
    pub tally: Vec<TallyBar>,
    pub answered: u64,
    /// Exactly right answers.
    pub right: u64,
    /// The quickest right answers: display name and milliseconds, fastest first (up to 3).
    pub fastest: Vec<(String, Millis)>,
    /// Whether this was the round's last question.
    pub last: bool,
    /// Whether the round is over (its last question revealed, or the round ended): the
    /// message keeps no buttons.
    pub over: bool,
    /// Each answering student's own result, for them alone: filled in by the reveal itself
    /// (the instructor's, the timer's, the round's end), empty where a reveal is read again
    /// to show its message.
    pub verdicts: Vec<LiveVerdict>,
}

/// One student's result at a live reveal, as the store recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveVerdict {
    pub user_id: UserId,
    pub correct: bool,
    /// Share of the question's points earned, 0 to 1.
    pub credit: f64,
    /// The points the store holds for the answer.
    pub points: i64,
    /// How those points were made, when the round's rules give exactly them (`None` if the
    /// rules changed since: then only the total is shown).
    pub parts: Option<PointsParts>,
    /// From the question opening to the answer.
    pub elapsed_ms: Millis,
    /// What the student answered, in the letters shown.
    pub your_answer: String,
}

/// An answer's points, part by part (`scoring::score`): they add up to its points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PointsParts {
    /// What the question is worth, answered exactly right.
    pub question: i64,
    /// Of those, what the answer's credit earned.
    pub base: i64,
    pub speed_bonus: i64,
    pub streak_bonus: i64,
    /// Exactly right answers in a row in this round, this one included.
    pub streak: u32,
}

/// A live round ended: its own leaderboard.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundEndView {
    pub round_id: RoundId,
    /// The message a face posted for the question open when the round ended, which should
    /// now show `reveal` without buttons.
    pub last_message: Option<String>,
    /// The answer of the question open when the round ended (revealed by the ending if it
    /// was not yet); `None` when no question can be shown (it left the bank).
    pub reveal: Option<Box<RevealView>>,
    /// Questions that were opened.
    pub asked: usize,
    pub leaderboard: Vec<LeaderboardRow>,
}

/// A practice just started.
#[derive(Debug, Clone, PartialEq)]
pub struct PracticeStarted {
    pub question: QuestionView,
    pub seed: u64,
    /// Whether another practice of the same student was closed to make room for this one.
    pub closed_other: bool,
    /// Of the practice's questions, reviews that were due (they come first).
    pub due_reviews: usize,
    /// When the student's next review not in this practice falls due, if any.
    pub next_due: Option<Millis>,
    /// A sentence on spaced practice when the mode asked for reviews: "2 reviews are due
    /// now…" or "Nothing is due for review now; your next review falls due on …".
    pub note: Option<String>,
}

/// What follows a practice question.
#[derive(Debug, Clone, PartialEq)]
pub enum PracticeStep {
    Question(QuestionView),
    Finished(PracticeSummary),
}

/// A practice that ended, and where the student stands now.
#[derive(Debug, Clone, PartialEq)]
pub struct PracticeSummary {
    pub answered: u32,
    pub correct: u32,
    pub points: i64,
    pub total_points: i64,
    pub total_answered: u64,
    pub total_accuracy: f64,
}

/// A student's record in one server.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreView {
    pub user_id: UserId,
    pub name: String,
    /// Every point: quiz answers, debates and prompts.
    pub points: i64,
    /// Of `points`, those from released debates and from reviewed prompt answers.
    pub debate_points: i64,
    pub prompt_points: i64,
    pub answered: u64,
    pub correct: u64,
    pub accuracy: f64,
    pub current_streak: u32,
    pub best_streak: u32,
    /// Per topic (its title), answered and right, in the bank's topic order.
    pub mastery: Vec<(String, Tally)>,
}

/// The letter shown for display position `i` (`A`, `B`, …).
pub use crate::bank::letter;

/// Where a question stands in its round, as its view shows it.
pub(crate) struct Slot<'a> {
    pub round: &'a RoundId,
    /// 0-based position in the round, and how many questions it has.
    pub position: usize,
    pub of: usize,
    /// The round's seed, which fixes the order the choices are shown in.
    pub seed: u64,
    pub opened_at: Millis,
    pub deadline: Option<Millis>,
}

/// The view of `q` in `slot`.
pub(crate) fn question_view(bank: &Bank, q: &Question, slot: Slot<'_>) -> QuestionView {
    let Slot { round, position, of, seed, opened_at, deadline } = slot;
    let shown = quiz::presentation(q, seed);
    let labels = q.answer.labels();
    let (unit, how) = match &q.answer {
        Answer::Single { .. } => (String::new(), "one letter".to_string()),
        Answer::Multi { .. } => (String::new(), "every letter that applies, e.g. \"A C\"".to_string()),
        Answer::TrueFalse { .. } => (String::new(), "true or false".to_string()),
        Answer::Numeric { unit, .. } => (unit.clone(), format!("a number, in {unit}")),
        Answer::Ordering { .. } => (String::new(), "the letters in order, e.g. \"C A D B\"".to_string()),
        Answer::Short { .. } => (String::new(), "a word or a short name".to_string()),
    };
    QuestionView {
        round_id: round.clone(),
        item_id: ItemId::new(q.id.clone()),
        number: position + 1,
        of,
        topic: q.topics.first().and_then(|t| bank.topic(t)).map(|t| t.title.clone()).unwrap_or_default(),
        difficulty: q.difficulty,
        kind: q.kind(),
        prompt: q.prompt.clone(),
        choices: shown.order().iter().map(|&o| labels[o].clone()).collect(),
        unit,
        how,
        opened_at,
        deadline,
    }
}

/// Where the bank's choice `original` stands in what was shown, as a letter.
fn shown_letter(shown: &Presentation, original: usize) -> char {
    letter(shown.order().iter().position(|&o| o == original).unwrap_or(original))
}

/// The right answer, in the letters shown.
pub(crate) fn right_answer(q: &Question, shown: &Presentation) -> String {
    match &q.answer {
        Answer::Single { choices, correct } => format!("{}. {}", shown_letter(shown, *correct), choices[*correct]),
        Answer::Multi { choices, correct } => {
            let mut picks: Vec<(char, &str)> = correct.iter().map(|&i| (shown_letter(shown, i), choices[i].as_str())).collect();
            picks.sort();
            picks.iter().map(|(l, c)| format!("{l}. {c}")).collect::<Vec<_>>().join("; ")
        }
        Answer::TrueFalse { correct } => if *correct { "True" } else { "False" }.into(),
        Answer::Numeric { value, unit, tolerance, .. } => {
            let within = if *tolerance > 0.0 { format!(" (±{})", crate::bank::generate::format_value(*tolerance, "")) } else { String::new() };
            format!("{}{within}", crate::bank::generate::format_value(*value, unit))
        }
        Answer::Ordering { items } => items.iter().enumerate().map(|(i, it)| format!("{}. {it}", shown_letter(shown, i))).collect::<Vec<_>>().join(" → "),
        Answer::Short { accepted } => accepted[0].clone(),
    }
}

/// The most characters of a typed number echoed back ("Locked in", "Your answer"); longer
/// input is cut with `…`.
pub const ECHO_CHARS: usize = 40;

/// What the student answered, in the letters shown; a number as it was typed (`typed`), cut
/// visibly at [`ECHO_CHARS`], not the float it parsed to (200 nines would print 200 digits
/// of binary rounding).
pub(crate) fn your_answer(q: &Question, shown: &Presentation, r: &Response, typed: &str) -> String {
    let labels = q.answer.labels();
    let label = |i: usize| labels.get(i).map(String::as_str).unwrap_or("");
    match r {
        Response::Choice(i) => format!("{}. {}", shown_letter(shown, *i), label(*i)),
        Response::Choices(v) => {
            let mut picks: Vec<(char, &str)> = v.iter().map(|&i| (shown_letter(shown, i), label(i))).collect();
            picks.sort();
            picks.iter().map(|(l, c)| format!("{l}. {c}")).collect::<Vec<_>>().join("; ")
        }
        Response::Bool(b) => if *b { "True" } else { "False" }.into(),
        Response::Number(_) => {
            let typed = crate::app::clean_typed(typed);
            let typed = typed.trim();
            if typed.chars().count() <= ECHO_CHARS {
                typed.to_string()
            } else {
                let mut cut: String = typed.chars().take(ECHO_CHARS - 1).collect();
                cut.push('…');
                cut
            }
        }
        Response::Order(v) => v.iter().map(|&i| shown_letter(shown, i).to_string()).collect::<Vec<_>>().join(" "),
        Response::Text(t) => t.clone(),
    }
}

/// The response as stored: choices by their letter in the bank's order (so item statistics
/// count picks per choice whatever order they were shown in), numbers as numbers, text as
/// typed (cleaned of control characters).
pub(crate) fn canonical(r: &Response) -> String {
    let bank_letter = |i: &usize| letter(*i).to_string();
    match r {
        Response::Choice(i) => bank_letter(i),
        Response::Bool(b) => b.to_string(),
        Response::Choices(v) => {
            let mut v = v.clone();
            v.sort();
            v.iter().map(bank_letter).collect::<Vec<_>>().join(",")
        }
        Response::Number(n) => n.to_string(),
        Response::Order(v) => v.iter().map(bank_letter).collect::<Vec<_>>().join(""),
        Response::Text(t) => t.clone(),
    }
}

/// The response a stored answer holds ([`canonical`] read back), for showing it as the
/// student saw it; `None` when it no longer fits the question (the bank changed).
pub(crate) fn from_canonical(q: &Question, stored: &str) -> Option<Response> {
    let n = q.answer.labels().len();
    let index = |c: char| c.is_ascii_uppercase().then(|| (c as u8 - b'A') as usize).filter(|&i| i < n);
    let one = |s: &str| {
        let mut chars = s.chars();
        chars.next().filter(|_| chars.as_str().is_empty()).and_then(index)
    };
    match &q.answer {
        Answer::Single { .. } => one(stored).map(Response::Choice),
        Answer::Multi { .. } => stored.split(',').map(one).collect::<Option<Vec<_>>>().map(Response::Choices),
        Answer::TrueFalse { .. } => stored.parse().ok().map(Response::Bool),
        Answer::Numeric { .. } => stored.parse().ok().map(Response::Number),
        Answer::Ordering { .. } => stored.chars().map(index).collect::<Option<Vec<_>>>().map(Response::Order),
        Answer::Short { .. } => Some(Response::Text(stored.to_owned())),
    }
}

/// A moment (Unix ms) as a person reads it: `2026-02-04 09:30:00 UTC`.
pub fn utc(ms: Millis) -> String {
    // Howard Hinnant's civil_from_days.
    let secs = ms.div_euclid(1000);
    let (days, day_secs) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC", day_secs / 3600, day_secs % 3600 / 60, day_secs % 60)
}

/// The row an accepted answer becomes: the response in the bank's terms, with its verdict
/// and points; the caller adds its review (the rating and the server's scheduler).
pub(crate) fn answer_record(
    guild: &GuildId,
    round: &RoundId,
    item: &ItemId,
    user: &UserId,
    response: &Response,
    outcome: &Outcome,
    now: Millis,
) -> AnswerRecord {
    AnswerRecord {
        guild_id: guild.clone(),
        round_id: round.clone(),
        item_id: item.clone(),
        user_id: user.clone(),
        response: canonical(response),
        correct: outcome.verdict.correct,
        credit: outcome.verdict.credit,
        points: outcome.score.points,
        elapsed_ms: outcome.elapsed_ms,
        answered_at: now,
        review: None,
    }
}

/// Every passage `q` cites, with its section's title.
pub(crate) fn citations(bank: &Bank, q: &Question) -> Vec<CitationView> {
    q.citations.iter().filter_map(|c| passage_view(bank, c)).collect()
}

/// The passage with this id as an evidence card (section, anchor, quote), if the bank has it.
pub(crate) fn passage_view(bank: &Bank, id: &str) -> Option<CitationView> {
    bank.passage(id).map(|p| CitationView {
        passage_id: p.id.clone(),
        section: bank.section(&p.section).map(|s| s.title.clone()).unwrap_or_else(|| p.section.clone()),
        anchor: p.anchor.clone(),
        quote: p.quote.clone(),
        source: p.source.clone(),
    })
}

/// A cited id, rendered as its card or flagged as not in the bank.
pub(crate) fn cited_view(bank: &Bank, id: &str) -> CitedView {
    CitedView { passage_id: id.to_owned(), card: passage_view(bank, id) }
}

// ───────────────────────────── debates ─────────────────────────────

/// A passage a speech or an answer cites: its evidence card, or `None` when the bank does
/// not have it (the face shows it flagged: "not a passage of the paper").
#[derive(Debug, Clone, PartialEq)]
pub struct CitedView {
    pub passage_id: String,
    pub card: Option<CitationView>,
}

/// The motion as posted, with its info slide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MotionView {
    /// The bank's id; `None` for a motion written on the spot.
    pub id: Option<String>,
    pub text: String,
    pub info: String,
}

/// Where a debate is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseView {
    /// The phase's place in the plan (0-based): what a speech draft and a timer name.
    pub index: usize,
    pub phase: Phase,
    /// "Opening speeches".
    pub title: String,
    pub opened_at: Millis,
    /// When it closes (render as `<t:UNIX:R>`); `None` when only the instructor closes it.
    pub deadline: Option<Millis>,
    pub next: Option<Phase>,
}

/// A speaker's seat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatView {
    pub user_id: UserId,
    pub name: String,
    pub team: Side,
    /// 1-based place in the team (1 is its first speaker).
    pub number: usize,
}

/// One speech the open phase expects, in speaking order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotView {
    /// The speaker; `None` for a joint statement, which any speaker of the group may send.
    pub speaker: Option<UserId>,
    /// The speaker's name, or "Joint statement".
    pub name: String,
    /// The side argued (`None` for a joint statement).
    pub argues: Option<Side>,
    pub given: bool,
}

/// A speech as posted in the debate's thread.
#[derive(Debug, Clone, PartialEq)]
pub struct SpeechView {
    pub debate_id: DebateId,
    /// What a flag names.
    pub reference: SpeechRef,
    pub phase: Phase,
    pub author: UserId,
    pub author_name: String,
    /// The side argued; `None` for a joint statement.
    pub argues: Option<Side>,
    pub claim: String,
    pub reasoning: String,
    /// Each cited passage as an evidence card, or flagged as not in the bank.
    pub citations: Vec<CitedView>,
    pub submitted_at: Millis,
}

/// An opponent's flag on a card, for the judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagView {
    pub speech: SpeechRef,
    /// The title of the flagged speech's phase, and its speaker's name ("Joint statement").
    pub phase: String,
    pub speaker_name: String,
    pub passage_id: String,
    pub by: UserId,
    pub by_name: String,
    pub reason: String,
    pub flagged_at: Millis,
}

/// What the member who asked is, and may do now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct YourPart {
    /// The team they speak for.
    pub team: Option<Side>,
    pub audience: bool,
    pub instructor: bool,
    /// They have a speech to give in the open phase, before its deadline.
    pub slot_open: bool,
    /// Who speaks before them and has not yet (the speaking order): their turn comes after.
    pub waiting_for: Option<String>,
    /// They may vote now (an Oxford poll is open and they are in the audience).
    pub may_vote: bool,
    /// Their vote in the open poll, if they cast one.
    pub your_vote: Option<Stance>,
}

/// A debate as everyone may see it (flags only for instructors).
#[derive(Debug, Clone, PartialEq)]
pub struct DebateView {
    pub debate_id: DebateId,
    pub channel_id: ChannelId,
    pub thread_id: Option<String>,
    pub format: Format,
    /// "Oxford debate (up to 3 a side)".
    pub format_title: String,
    pub status: Status,
    pub motion: MotionView,
    pub phase: PhaseView,
    /// Every phase with its time in seconds (`None`: until the instructor moves on).
    pub plan: Vec<PlannedPhase>,
    pub proposition: Vec<SeatView>,
    pub opposition: Vec<SeatView>,
    pub audience: usize,
    /// The open phase's speeches, in speaking order, given or not.
    pub slots: Vec<SlotView>,
    /// Every speech given so far, in the order given.
    pub speeches: Vec<SpeechView>,
    /// Oxford: how many voted in each poll (the split stays hidden until the release).
    pub votes_cast: Option<(usize, usize)>,
    /// Whether the instructor's ballot is in.
    pub ballot_in: bool,
    /// Card flags with who raised them: every flag for an instructor (the judge), a
    /// student's own for a student, none in the view everyone sees (a board).
    pub flags: Vec<FlagView>,
    pub you: YourPart,
}

/// A member's evidence cards: passages of the bank with section, anchor and quote, sent
/// privately.
#[derive(Debug, Clone, PartialEq)]
pub struct CardsView {
    pub debate_id: DebateId,
    /// Per side whose cards they hold now (their team's; in a controversy the other side's
    /// after the swap, both for the joint statement), the cards in the motion's order.
    pub sides: Vec<(Side, Vec<CitationView>)>,
    /// Card ids the bank no longer has (after a reload).
    pub missing: Vec<String>,
    /// Why they hold no card, when they hold none.
    pub none: Option<NoCards>,
}

/// Why a member holds no evidence cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoCards {
    /// They have no seat on a side (the audience, or not joined).
    NotSeated,
    /// The motion, written on the spot, gives their side no cards.
    MotionHasNone,
}

/// A vote accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoteView {
    pub poll: Poll,
    pub stance: Stance,
    /// How many have voted in this poll so far.
    pub votes_cast: usize,
}

/// One speaker's line on a ballot or in the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeakerScoreView {
    pub user_id: UserId,
    pub name: String,
    pub team: Side,
    /// In the rubric's order.
    pub scores: Vec<u8>,
    pub total: u32,
    pub max_total: u32,
    /// The points the debate awarded them (0 on a ballot view).
    pub points: i64,
}

/// A ballot, for an instructor (or, after the release, its own judge and the instructor's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotView {
    pub debate_id: DebateId,
    pub judge: UserId,
    pub official: bool,
    pub criteria: Vec<String>,
    pub speakers: Vec<SpeakerScoreView>,
    pub winner: Option<Side>,
    pub feedback: String,
    pub submitted_at: Millis,
}

/// The passages each side cited, in the paper's order, as evidence cards.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EvidenceMapView {
    pub proposition: Vec<CitationView>,
    pub opposition: Vec<CitationView>,
    /// Cited in a controversy's joint statement.
    pub joint: Vec<CitationView>,
    /// The motion's cards nobody cited, with the side they were dealt to.
    pub unused: Vec<(Side, CitationView)>,
    /// Cited ids the bank does not have.
    pub not_in_bank: Vec<String>,
}

/// A member's points from the debate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardView {
    pub user_id: UserId,
    pub name: String,
    pub points: i64,
}

/// The released result.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseView {
    pub debate_id: DebateId,
    pub motion: MotionView,
    pub format: Format,
    pub decision: Decision,
    /// Oxford: the two polls; `gain(side)` gives the swing in percentage points.
    pub swing: Option<Swing>,
    pub criteria: Vec<String>,
    /// In speaking order.
    pub speakers: Vec<SpeakerScoreView>,
    pub proposition_total: u32,
    pub opposition_total: u32,
    pub feedback: String,
    pub evidence: EvidenceMapView,
    /// The cards flagged as misused, without who flagged them.
    pub flags: Vec<ReleasedFlagView>,
    pub shadow: ShadowSummary,
    /// Points per member, as awarded at the release (computed, not yet awarded, in a preview).
    pub awards: Vec<AwardView>,
    /// Whether this is the instructor's preview of a result not yet released.
    pub preview: bool,
}

/// A flagged card as the release shows it to everyone: which card, in which speech, and
/// why; who flagged it stays between the flagger and the judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleasedFlagView {
    pub passage_id: String,
    /// The title of the flagged speech's phase, and its speaker's name ("Joint statement").
    pub phase: String,
    pub speaker_name: String,
    pub reason: String,
}

/// An open debate's phase deadline, for a face to re-arm its timer after a restart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebateTimer {
    pub guild_id: crate::ids::GuildId,
    pub debate_id: DebateId,
    pub channel_id: ChannelId,
    pub thread_id: Option<String>,
    pub phase_index: usize,
    pub phase: Phase,
    pub deadline: Millis,
    /// The deadline has passed: fire now.
    pub due: bool,
}

// ───────────────────────────── prompts ─────────────────────────────

/// An argument prompt with its suggested passages.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptView {
    pub prompt_id: String,
    pub kind: PromptKind,
    pub task: String,
    /// Topic titles.
    pub topics: Vec<String>,
    /// What a good answer does, line by line (the reviewer marks each).
    pub rubric: Vec<String>,
    pub suggested: Vec<CitationView>,
    /// The longest answer accepted, in characters.
    pub max_chars: usize,
}

/// An answer queued for review.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptSubmitted {
    pub answer_id: SubmissionId,
    pub prompt_id: String,
    pub citations: Vec<CitedView>,
    /// Answers waiting in the server's queue, this one included.
    pub waiting: u64,
}

/// One answer in the review queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedAnswerView {
    pub answer_id: SubmissionId,
    pub user_id: UserId,
    pub name: String,
    pub prompt_id: String,
    pub task: String,
    pub rubric: Vec<String>,
    /// Each rubric line is marked from 0 to this.
    pub top_mark: u8,
    pub body: String,
    pub citations: Vec<CitedView>,
    pub submitted_at: Millis,
}

/// The review queue, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewQueueView {
    /// Every answer waiting, not only those listed.
    pub waiting: u64,
    pub answers: Vec<QueuedAnswerView>,
}

/// A reviewed answer, as its student receives it privately.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptFeedbackView {
    pub answer_id: SubmissionId,
    pub user_id: UserId,
    pub name: String,
    pub prompt_id: String,
    pub task: String,
    /// Each rubric line with its mark.
    pub marks: Vec<(String, u8)>,
    pub top_mark: u8,
    pub score: u32,
    pub max_score: u32,
    pub points: i64,
    pub feedback: String,
    pub reviewed_at: Millis,
    /// Whether a face has delivered it already.
    pub delivered: bool,
}

#[cfg(test)]
mod tests {
    use super::utc;

    #[test]
    fn moments_read_as_utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_643_967_000_000), "2022-02-04 09:30:00 UTC");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(-1), "1969-12-31 23:59:59 UTC");
    }
}
