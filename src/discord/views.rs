//! The classroom layer's views as Discord messages: questions with their buttons, the
//! private "locked in", the reveal with its spread and citation, verdicts, leaderboards,
//! scores and settings.
//!
//! Invariant: pure functions of a view, so every message the bot can build from any item of
//! the bank is checked against Discord's limits by a test, without a network. Names, answers
//! and bank text are escaped; long text is cut visibly (`…`), never dropped silently.

use crate::app::{
    CitationView, Forgotten, ItemReport, LeaderboardRow, LiveVerdict, LockedIn, PracticeSummary, QuestionView, RevealView, RoundEndView, ScoreView, Settings,
    VerdictView, letter,
};
use crate::bank::Kind;
use crate::discord::custom_id::Action;
use crate::discord::live::LiveAction;
use crate::discord::practice::PracticeAction;
use crate::discord::render::{Button, ButtonStyle, Embed, Field, Menu, Reply, colour, escape, limits, truncate};

/// How many choices get a button of their own (five rows of five, one row kept for the
/// instructor's controls); the bank's items have at most six.
const CHOICE_BUTTONS: usize = 20;

fn field(name: impl Into<String>, value: impl Into<String>) -> Field {
    Field { name: truncate(&name.into(), limits::FIELD_NAME), value: truncate(&value.into(), limits::FIELD_VALUE), inline: false }
}

fn button(action: Action, label: impl Into<String>, style: ButtonStyle) -> Button {
    Button { custom_id: action.id(), label: truncate(&label.into(), limits::LABEL), style, disabled: false }
}

/// Discord's relative timestamp ("in 25 seconds"), which every client counts down itself.
pub fn countdown(deadline_ms: i64) -> String {
    format!("<t:{}:R>", deadline_ms.div_euclid(1000))
}

/// The question's text: the prompt, then each choice with the letter shown.
fn question_text(q: &QuestionView) -> String {
    let mut s = escape(&q.prompt);
    s.push('\n');
    for (i, choice) in q.choices.iter().enumerate() {
        s.push_str(&format!("\n**{}.** {}", letter(i), escape(choice)));
    }
    if q.kind == Kind::Ordering {
        s.push_str("\n\nPut the letters in order, e.g. `C A D B`.");
    }
    truncate(&s, limits::DESCRIPTION)
}

/// What answers `q`: one button per choice, True/False, a menu of its choices for a
/// several-answer question (pick one or more, Discord's convention), or a button that opens
/// the box to type in.
fn answer_rows(q: &QuestionView, practice: bool) -> (Option<Menu>, Vec<Vec<Button>>) {
    let (round, number) = (q.round_id.clone(), q.number);
    let answer = |value: String| {
        if practice {
            Action::Practice(PracticeAction::Answer { round: round.clone(), number, value })
        } else {
            Action::Live(LiveAction::Answer { round: round.clone(), number, value })
        }
    };
    let typed = || {
        if practice {
            Action::Practice(PracticeAction::Type { round: round.clone(), number })
        } else {
            Action::Live(LiveAction::Type { round: round.clone(), number })
        }
    };
    let buttons: Vec<Button> = match q.kind {
        Kind::Single if q.choices.len() <= CHOICE_BUTTONS => {
            (0..q.choices.len()).map(|i| button(answer(letter(i).to_string()), letter(i).to_string(), ButtonStyle::Primary)).collect()
        }
        Kind::TrueFalse => vec![button(answer("true".into()), "True", ButtonStyle::Success), button(answer("false".into()), "False", ButtonStyle::Danger)],
        Kind::Multi if (1..=limits::SELECT_OPTIONS).contains(&q.choices.len()) => {
            let select = if practice { Action::Practice(PracticeAction::Select { round, number }) } else { Action::Live(LiveAction::Select { round, number }) };
            return (Some(choice_menu(select, &q.choices)), Vec::new());
        }
        _ => vec![button(typed(), "Answer", ButtonStyle::Primary)],
    };
    (None, buttons.chunks(limits::BUTTONS_PER_ROW).map(<[Button]>::to_vec).collect())
}

/// The menu of a several-answer question: one option per choice, labelled with the letter
/// shown and the choice, its value the letter; one to all of them may be picked, and the
/// pick is sent at once, as one answer.
fn choice_menu(action: Action, choices: &[String]) -> Menu {
    Menu {
        custom_id: action.id(),
        placeholder: "Pick every answer that applies, then click outside the list".into(),
        options: choices.iter().enumerate().map(|(i, c)| (truncate(&format!("{}. {c}", letter(i)), limits::SELECT_OPTION), letter(i).to_string())).collect(),
        min: 1,
        max: u8::try_from(choices.len()).unwrap_or(u8::MAX),
    }
}

/// A question as posted: for a live round in the channel, with its countdown, the answer
/// buttons and the instructor's Reveal and End; for practice, privately, with End.
pub fn question(q: &QuestionView, practice: bool) -> Reply {
    let mut embed = Embed {
        title: Some(truncate(&format!("Question {}/{} · {}", q.number, q.of, q.topic), limits::TITLE)),
        description: Some(question_text(q)),
        footer: Some(format!(
            "Difficulty {} · {}{}",
            q.difficulty,
            q.kind.title(),
            if q.unit.is_empty() { String::new() } else { format!(" (in {})", q.unit) }
        )),
        colour: Some(colour::PAPER),
        ..Embed::default()
    };
    if let Some(deadline) = q.deadline {
        embed.fields.push(field("Time", format!("Closes {}", countdown(deadline))));
    }
    let (menu, mut rows) = answer_rows(q, practice);
    rows.push(if practice {
        vec![button(Action::Practice(PracticeAction::End { round: q.round_id.clone() }), "End practice", ButtonStyle::Secondary)]
    } else {
        vec![
            button(Action::Live(LiveAction::Reveal { round: q.round_id.clone(), number: q.number }), "Reveal", ButtonStyle::Secondary),
            button(Action::Live(LiveAction::End { round: q.round_id.clone() }), "End round", ButtonStyle::Danger),
        ]
    });
    Reply { embeds: vec![embed], rows, menu, ephemeral: practice, ..Reply::default() }
}

/// The private acknowledgement of a live answer: the student's own pick, nobody else's.
pub fn locked_in(l: &LockedIn) -> Reply {
    Reply::notice(format!(
        "Locked in for question {}: **{}**. When the answer is shown, this message tells you whether you were right and your points.",
        l.question.number,
        escape(&l.your_answer)
    ))
}

fn citation_fields(citations: &[CitationView], room: usize) -> Vec<Field> {
    citations
        .iter()
        .take(room)
        .map(|c| {
            let source = c.source.as_deref().map(|s| format!(" ({})", escape(s))).unwrap_or_default();
            field(format!("Source: {} · {}", c.section, c.anchor), format!("“{}”{source}", escape(&c.quote)))
        })
        .collect()
}

/// A bar of `width` blocks for `count` of `total`.
fn bar(count: u64, total: u64) -> String {
    const WIDTH: u64 = 12;
    let filled = (count * WIDTH + total / 2).checked_div(total).unwrap_or(0).min(WIDTH);
    format!("{}{}", "█".repeat(filled as usize), "░".repeat((WIDTH - filled) as usize))
}

/// The reveal: the right answer, why, the passage behind it, the spread of answers, how many
/// got it right and the fastest; the instructor's Next and End while the round goes on.
pub fn reveal(r: &RevealView) -> Reply {
    let q = &r.question;
    let mut spread = String::new();
    for b in &r.tally {
        spread.push_str(&format!("{} `{}` {} {}\n", if b.correct { "✅" } else { "▫️" }, bar(b.count, r.answered), b.count, escape(&truncate(&b.label, 60))));
    }
    let share = (r.right * 100 + r.answered / 2).checked_div(r.answered).unwrap_or(0);
    let mut fields = vec![field("Answer", escape(&r.right_answer)), field("Why", escape(&r.explanation))];
    fields.extend(citation_fields(&r.citations, 3));
    fields.push(field(format!("Answers: {} · right: {} ({share}%)", r.answered, r.right), if spread.is_empty() { "Nobody answered.".into() } else { spread }));
    if !r.fastest.is_empty() {
        let names = r
            .fastest
            .iter()
            .map(|(name, ms)| format!("{} ({:.1} s)", escape(&crate::text::display_name(name)), *ms as f64 / 1000.0))
            .collect::<Vec<_>>()
            .join(" · ");
        fields.push(field("Fastest right answers", names));
    }
    let embed = Embed {
        title: Some(truncate(&format!("Question {}/{} · the answer", q.number, q.of), limits::TITLE)),
        description: Some(question_text(q)),
        fields,
        colour: Some(colour::OK),
        ..Embed::default()
    };
    let rows = if r.over {
        vec![]
    } else {
        vec![vec![
            button(Action::Live(LiveAction::Next { round: q.round_id.clone(), number: q.number }), "Next question", ButtonStyle::Primary),
            button(Action::Live(LiveAction::End { round: q.round_id.clone() }), "End round", ButtonStyle::Danger),
        ]]
    };
    Reply { embeds: vec![embed], rows, ..Reply::default() }
}

/// A student's own result at a live reveal, in place of their "Locked in" (only they see
/// it): right, partly right or not, the points as the store holds them and how they were
/// made, what they answered and the right answer in brief.
pub fn live_verdict(r: &RevealView, v: &LiveVerdict) -> Reply {
    let number = r.question.number;
    let points = |n: i64| format!("{n} point{}", if n == 1 { "" } else { "s" });
    let headline = if v.correct {
        format!("Question {number}: **right!** +{}.", points(v.points))
    } else if v.credit > 0.0 {
        format!("Question {number}: **partly right** ({:.0}% credit). +{}.", v.credit * 100.0, points(v.points))
    } else {
        format!("Question {number}: **not right** this time. {}.", points(v.points))
    };
    let how = match v.parts {
        Some(p) => {
            let mut line = if v.correct {
                format!("{} for the question", p.question)
            } else if v.credit > 0.0 {
                format!("{:.0}% of the question's {} = {}", v.credit * 100.0, p.question, p.base)
            } else {
                format!("0 of the question's {}", p.question)
            };
            if p.speed_bonus > 0 {
                line.push_str(&format!(" · +{} speed bonus (answered in {:.1} s)", p.speed_bonus, v.elapsed_ms as f64 / 1000.0));
            }
            if p.streak_bonus > 0 {
                line.push_str(&format!(" · +{} streak bonus ({} right in a row)", p.streak_bonus, p.streak));
            }
            if p.speed_bonus > 0 || p.streak_bonus > 0 {
                line.push_str(&format!(" = {}", v.points));
            }
            line
        }
        None => format!("{} (as recorded)", points(v.points)),
    };
    let embed = Embed {
        fields: vec![
            field("Your answer", escape(&truncate(&v.your_answer, 300))),
            field("The answer", escape(&truncate(&r.right_answer, 300))),
            field("Points", how),
        ],
        footer: Some("/score shows your total; the question's message shows why and the passage behind it.".into()),
        colour: Some(if v.correct {
            colour::OK
        } else if v.credit > 0.0 {
            colour::PAPER
        } else {
            colour::PROBLEM
        }),
        ..Embed::default()
    };
    Reply { content: Some(headline), embeds: vec![embed], ephemeral: true, ..Reply::default() }
}

/// A practice verdict, privately: right or not, the points, the answer, why; Source and Next.
pub fn verdict(v: &VerdictView) -> Reply {
    let q = &v.question;
    let title = if v.correct {
        format!("Correct! +{} points{}", v.points, if v.streak >= 2 { format!(" · streak {}", v.streak) } else { String::new() })
    } else if v.credit > 0.0 {
        format!("Partly right ({:.0}%): +{} points", v.credit * 100.0, v.points)
    } else {
        "Not quite".to_string()
    };
    let embed = Embed {
        title: Some(truncate(&format!("Question {}/{} · {title}", q.number, q.of), limits::TITLE)),
        description: Some(question_text(q)),
        fields: vec![field("Your answer", escape(&v.your_answer)), field("The answer", escape(&v.right_answer)), field("Why", escape(&v.explanation))],
        colour: Some(if v.correct { colour::OK } else { colour::PROBLEM }),
        ..Embed::default()
    };
    let next = if q.number == q.of { "Finish" } else { "Next question" };
    let rows = vec![vec![
        button(Action::Practice(PracticeAction::Source { round: q.round_id.clone(), number: q.number }), "Source", ButtonStyle::Secondary),
        button(Action::Practice(PracticeAction::Next { round: q.round_id.clone(), number: q.number }), next, ButtonStyle::Primary),
    ]];
    Reply { embeds: vec![embed], rows, ephemeral: true, ..Reply::default() }
}

/// The passages behind an answer, privately.
pub fn sources(citations: &[CitationView]) -> Reply {
    let embed = Embed {
        title: Some("The passages behind this answer".into()),
        fields: citation_fields(citations, limits::FIELDS),
        colour: Some(colour::PAPER),
        ..Embed::default()
    };
    Reply { embeds: vec![embed], ephemeral: true, ..Reply::default() }
}

/// The end of a practice.
pub fn practice_done(s: &PracticeSummary) -> Reply {
    let embed = Embed {
        title: Some("Practice done".into()),
        description: Some(format!(
            "{} of {} right, {} point{} this time.\nIn all: {} points, {} answered, {:.0}% right.\n\nRun `/practice` again for more; weak topics come first.",
            s.correct,
            s.answered,
            s.points,
            if s.points == 1 { "" } else { "s" },
            s.total_points,
            s.total_answered,
            s.total_accuracy * 100.0
        )),
        colour: Some(colour::OK),
        ..Embed::default()
    };
    Reply { embeds: vec![embed], ephemeral: true, ..Reply::default() }
}

fn board_lines(rows: &[LeaderboardRow]) -> String {
    let mut s = String::new();
    for r in rows {
        s.push_str(&format!(
            "**{}.** {} · {} points · {} answered · {:.0}%\n",
            r.rank,
            escape(&crate::text::display_name(&r.name)),
            r.points,
            r.answered,
            r.accuracy * 100.0
        ));
    }
    if s.is_empty() { "No answers yet.".into() } else { truncate(&s, limits::DESCRIPTION) }
}

/// The closing leaderboard of a live round, posted in its channel.
pub fn round_end(e: &RoundEndView) -> Reply {
    let embed = Embed {
        title: Some(format!("Round over · {} question{} asked", e.asked, if e.asked == 1 { "" } else { "s" })),
        description: Some(board_lines(&e.leaderboard)),
        footer: Some("Scores join /leaderboard; /score shows your own.".into()),
        colour: Some(colour::OK),
        ..Embed::default()
    };
    Reply { embeds: vec![embed], ..Reply::default() }
}

/// `/scores items`: the rule items are judged by (at least `MIN_ANSWERS` answers), then every
/// answered item's figures so far, flagged ones first, then the most answered.
pub fn item_report(reports: &[ItemReport]) -> Reply {
    use crate::quiz::review::{DEAD_DISTRACTOR, MIN_ANSWERS, TOO_EASY, TOO_HARD};
    if reports.is_empty() {
        return Reply::notice("No question has been answered here yet, so there is nothing to report: run a round with `/quiz start`, then look again.");
    }
    let flagged = reports.iter().filter(|r| !r.review.flags.is_empty()).count();
    let rule = format!(
        "Items need at least {MIN_ANSWERS} answers before they are judged: too easy at {:.0}% right or more, too hard at {:.0}% or less, \
         a wrong choice doing no work when under {:.0}% pick it. {} item{} answered here, {flagged} flagged.",
        TOO_EASY * 100.0,
        TOO_HARD * 100.0,
        DEAD_DISTRACTOR * 100.0,
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
    );
    let mut order: Vec<&ItemReport> = reports.iter().collect();
    order.sort_by_key(|r| (r.review.flags.is_empty(), std::cmp::Reverse(r.review.answers)));
    let mut description = String::new();
    let mut shown = 0;
    for r in &order {
        let line = item_line(r, MIN_ANSWERS);
        if description.chars().count() + line.chars().count() + 40 > limits::DESCRIPTION {
            break;
        }
        description.push_str(&line);
        shown += 1;
    }
    if shown < order.len() {
        description.push_str(&format!("…and {} more item{} with fewer answers.", order.len() - shown, if order.len() - shown == 1 { "" } else { "s" }));
    }
    let embed = Embed {
        title: Some("Item statistics so far".into()),
        description: Some(description),
        footer: Some("Choices in the bank's order; ✓ marks a right one.".into()),
        colour: Some(colour::PAPER),
        ..Embed::default()
    };
    Reply { content: Some(rule), embeds: vec![embed], ephemeral: true, ..Reply::default() }
}

/// One item of the report: its figures, its flags or how many answers it still needs, and
/// for choice items the share picking each choice.
fn item_line(r: &ItemReport, min: u64) -> String {
    let review = &r.review;
    let verdict = if !review.flags.is_empty() {
        format!(" · ⚑ {}", escape(&review.flags.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")))
    } else if review.answers < min {
        format!(" · {} more answer{} to judge", min - review.answers, if min - review.answers == 1 { "" } else { "s" })
    } else {
        " · fine".to_owned()
    };
    let picks = review
        .picks
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{}{} {:.0}%", letter(i), if p.correct { "✓" } else { "" }, p.rate * 100.0))
        .collect::<Vec<_>>()
        .join(" · ");
    let picks = if picks.is_empty() { String::new() } else { format!("\n  {picks}") };
    format!(
        "`{}` · asked {} · {} answer{} · {:.0}% right{}{verdict}{picks}\n",
        r.item_id,
        r.times_asked,
        review.answers,
        if review.answers == 1 { "" } else { "s" },
        review.share_correct * 100.0,
        crate::discord::spaced::difficulty(r.difficulty)
    )
}

/// The server's leaderboard (a notice saying how to start one while nobody has answered).
pub fn leaderboard(rows: &[LeaderboardRow], by_accuracy: bool) -> Reply {
    if rows.is_empty() {
        return Reply::notice(
            "Nobody has answered here yet, so there is no leaderboard: practise with `/practice`, or ask your instructor for a round (`/quiz start`).",
        );
    }
    let embed = Embed {
        title: Some(format!("Leaderboard · by {}", if by_accuracy { "accuracy" } else { "points" })),
        description: Some(board_lines(rows)),
        colour: Some(colour::PAPER),
        ..Embed::default()
    };
    Reply { embeds: vec![embed], ..Reply::default() }
}

/// A student's record.
pub fn score(s: &ScoreView) -> Reply {
    if s.answered == 0 && s.points == 0 {
        return Reply::notice(format!("{} has not answered any question here yet. Try `/practice`.", escape(&crate::text::display_name(&s.name))));
    }
    let mut mastery = String::new();
    for (topic, tally) in &s.mastery {
        mastery.push_str(&format!(
            "{} · {}/{} ({:.0}%)\n",
            escape(&truncate(topic, 70)),
            tally.correct,
            tally.answered,
            tally.accuracy().unwrap_or(0.0) * 100.0
        ));
    }
    let embed = Embed {
        title: Some(truncate(&format!("{} · {} points", crate::discord::render::title_name(&s.name), s.points), limits::TITLE)),
        description: Some(format!(
            "{} answered · {} right ({:.0}%) · streak {} (best {})",
            s.answered,
            s.correct,
            s.accuracy * 100.0,
            s.current_streak,
            s.best_streak
        )),
        fields: vec![
            field(
                "Points from",
                format!(
                    "quizzes {} · debates {} · prompts {}",
                    s.points.saturating_sub(s.debate_points).saturating_sub(s.prompt_points),
                    s.debate_points,
                    s.prompt_points
                ),
            ),
            field("Mastery by topic", if mastery.is_empty() { "No quiz answers yet.".into() } else { mastery }),
        ],
        colour: Some(colour::PAPER),
        ..Embed::default()
    };
    Reply { embeds: vec![embed], ephemeral: true, ..Reply::default() }
}

/// What each table of a student's records holds, in an instructor's words.
fn records_word(table: &str) -> &str {
    match table {
        "answers" => "answers",
        "rounds" => "practice sessions",
        "round_questions" => "practice questions",
        "users" => "name on record",
        "awards" => "awards (debate and prompt points)",
        "debate_seats" => "debate seats",
        "debate_speeches" => "speeches",
        "debate_citations" => "citations in speeches",
        "debate_flags" => "evidence flags",
        "debate_scores" => "ballot scores",
        "debate_ballots" => "ballots",
        "debate_votes" => "votes",
        "prompt_answers" => "prompt answers",
        "prompt_citations" => "citations in prompt answers",
        "prompt_marks" => "marks",
        other => other,
    }
}

/// `/quiz start`'s answer to the instructor: the round is on, and how to run it.
pub fn round_started(q: &QuestionView) -> Reply {
    Reply::notice(format!(
        "Round started: {} question{}. Reveal, Next and End are on each question; `/quiz stop` ends it from anywhere in this channel.",
        q.of,
        if q.of == 1 { "" } else { "s" }
    ))
}

/// `/scores export` with nothing to export.
pub fn gradebook_empty() -> Reply {
    Reply::notice("The gradebook is empty: nobody has answered here yet. Run a round with `/quiz start` (or let students `/practice`), then export again.")
}

/// What goes with the gradebook's file.
pub fn gradebook() -> Reply {
    Reply::notice("The gradebook: one row per student, accuracy per topic.")
}

/// What goes with `/mydata`'s file.
pub fn mydata() -> Reply {
    Reply::notice(
        "Everything Agora stores about you in this server: your answers, practice sessions, debate seats, speeches, ballots, votes, prompt answers and awards. \
         An instructor can delete it all with `/scores forget`.",
    )
}

/// `/scores forget` without `confirm`: what it would delete, and how to go ahead.
pub fn forget_preview(name: &str, user_id: &str) -> Reply {
    Reply::notice(format!(
        "This deletes everything Agora stores about {} in this server — answers, practice sessions, debate seats, speeches, ballots, votes, \
         prompt answers and awards — and cannot be undone. Nothing was deleted. To go ahead, run `/scores forget` again with this user and `confirm: True`. (User id {user_id}.)",
        escape(&crate::text::display_name(name))
    ))
}

/// What `/scores forget` deleted: each kind of record with how many went.
pub fn forgotten(name: &str, gone: &Forgotten) -> Reply {
    let name = escape(&crate::text::display_name(name));
    if gone.total() == 0 {
        return Reply::notice(format!("Agora held nothing about {name} in this server: nothing was deleted."));
    }
    let lines: Vec<String> = gone.rows.iter().filter(|(_, n)| *n > 0).map(|(t, n)| format!("- {}: {n}", records_word(t))).collect();
    Reply::notice(format!(
        "Deleted everything Agora stored about {name} in this server ({} records):\n{}\nThey are gone from /score, the leaderboards and the gradebook.",
        gone.total(),
        lines.join("\n")
    ))
}

/// The server's settings, shown back after each change.
pub fn settings(s: &Settings) -> Reply {
    let role = s.instructor_role.as_deref().map_or("none (Manage Server only)".to_string(), |r| format!("<@&{r}>"));
    let embed = Embed {
        title: Some("Settings of this server".into()),
        fields: vec![
            field("Instructor role", role),
            field("Seconds per question", s.default_seconds.to_string()),
            field("Speed bonus", if s.scoring.speed_bonus { "on" } else { "off" }),
            field("Anonymous leaderboards", if s.anonymous_leaderboard { "on" } else { "off" }),
            field("Points by difficulty", format!("{} / {} / {}", s.scoring.points[0], s.scoring.points[1], s.scoring.points[2])),
            field("Desired retention", format!("{}%", s.practice.retention_percent)),
            field("Daily reminder", crate::discord::spaced::reminder_setting(&s.practice)),
        ],
        colour: Some(colour::PAPER),
        ..Embed::default()
    };
    Reply { embeds: vec![embed], ephemeral: true, ..Reply::default() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Tally;
    use crate::app::view::{Slot, citations, question_view, right_answer};
    use crate::app::{PracticeSummary, TallyBar};
    use crate::ids::{RoundId, UserId};

    fn bank() -> crate::bank::Bank {
        crate::bank::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/questions")), None).expect("the bundled bank loads")
    }

    fn fits(what: &str, r: &Reply) {
        assert_eq!(r.problems(), Vec::<String>::new(), "{what}");
        for row in &r.rows {
            assert!(row.len() <= limits::BUTTONS_PER_ROW, "{what}");
            for b in row {
                assert!(b.custom_id.len() <= limits::CUSTOM_ID && Action::parse(&b.custom_id).is_some(), "{what}: {}", b.custom_id);
            }
        }
        assert!(r.rows.len() <= limits::ROWS, "{what}");
    }

    /// Each kind has one title (`Kind::title`), and every place that names a kind shows it:
    /// the kind option of `/quiz start` and `/practice`, a question's footer, `/bank info`.
    #[test]
    fn each_kind_is_named_by_its_one_title_everywhere() {
        use poise::ChoiceParameter;
        let bank = bank();
        let options: Vec<String> = crate::discord::live::command::KindChoice::list().iter().map(|c| c.name.to_string()).collect();
        assert_eq!(options, Kind::ALL.map(|k| k.title().to_string()));
        let info = crate::discord::render::bank_info(&bank);
        let by_kind = &info.embeds[0].fields.iter().find(|f| f.name == "Items by kind").expect("/bank info counts items by kind").value;
        let round = RoundId::new("l1");
        for (kind, line) in Kind::ALL.into_iter().zip(by_kind.lines()) {
            assert!(line.starts_with(&format!("{}: ", kind.title())), "{kind:?}: {line}");
            let q = bank.questions.iter().find(|q| q.kind() == kind).expect("the bank has every kind");
            let view = question_view(&bank, q, Slot { round: &round, position: 0, of: 1, seed: 7, opened_at: 0, deadline: None });
            let footer = question(&view, true).embeds[0].footer.clone().unwrap_or_default();
            assert!(footer.starts_with(&format!("Difficulty {} · {}", q.difficulty, kind.title())), "{kind:?}: {footer}");
        }
    }

    /// The longest names a leaderboard or a reveal can show: 32 wide characters after cleaning.
    fn long_name(n: usize) -> String {
        format!("{n}{}", "界".repeat(200))
    }

    /// Every message the bot can build from any item of the real bank — the question live and
    /// in practice, its reveal with the fullest spread, the verdict — fits Discord's limits.
    #[test]
    fn every_item_renders_within_discords_limits() {
        let bank = bank();
        let round = RoundId::new(format!("l{}", "f".repeat(24)));
        for q in &bank.questions {
            let view = question_view(
                &bank,
                q,
                Slot { round: &round, position: 99, of: 100, seed: 7, opened_at: 1_800_000_000_000, deadline: Some(1_800_000_900_000) },
            );
            fits(&format!("{} live", q.id), &question(&view, false));
            fits(&format!("{} practice", q.id), &question(&QuestionView { deadline: None, ..view.clone() }, true));
            let shown = crate::quiz::presentation(q, 7);
            let tally = view
                .choices
                .iter()
                .enumerate()
                .map(|(i, c)| TallyBar { label: format!("{}. {c}", letter(i)), count: 10_000, correct: i == 0 })
                .collect::<Vec<_>>();
            let tally = if tally.is_empty() {
                vec![
                    TallyBar { label: "Right answer".into(), count: 10_000, correct: true },
                    TallyBar { label: "Other answers".into(), count: 10_000, correct: false },
                ]
            } else {
                tally
            };
            let reveal_view = RevealView {
                question: view.clone(),
                right_answer: right_answer(q, &shown),
                explanation: q.explanation.clone(),
                citations: citations(&bank, q),
                tally,
                answered: 100_000,
                right: 50_000,
                fastest: (0..3).map(|n| (crate::text::display_name(&long_name(n)), 29_999)).collect(),
                last: false,
                over: false,
                verdicts: Vec::new(),
            };
            fits(&format!("{} reveal", q.id), &reveal(&reveal_view));
            let parts = crate::app::PointsParts { question: i64::MAX, base: i64::MAX, speed_bonus: i64::MAX, streak_bonus: i64::MAX, streak: u32::MAX };
            let mine = LiveVerdict {
                user_id: UserId::from("1"),
                correct: false,
                credit: 0.5,
                points: i64::MAX,
                parts: Some(parts),
                elapsed_ms: 899_999,
                your_answer: "x".repeat(crate::quiz::judge::MAX_TEXT),
            };
            fits(&format!("{} live verdict", q.id), &live_verdict(&reveal_view, &mine));
            let verdict_view = VerdictView {
                question: view.clone(),
                correct: false,
                credit: 0.5,
                points: 60,
                streak: 0,
                your_answer: "x".repeat(crate::quiz::judge::MAX_TEXT),
                right_answer: right_answer(q, &shown),
                explanation: q.explanation.clone(),
                citations: citations(&bank, q),
            };
            fits(&format!("{} verdict", q.id), &verdict(&verdict_view));
            fits(&format!("{} sources", q.id), &sources(&verdict_view.citations));
            let locked = LockedIn { question: view, your_answer: "x".repeat(crate::quiz::judge::MAX_TEXT) };
            fits(&format!("{} locked in", q.id), &locked_in(&locked));
        }
    }

    #[test]
    fn boards_scores_and_settings_fit_with_the_longest_names() {
        let bank = bank();
        let rows: Vec<LeaderboardRow> = (0..25)
            .map(|n| LeaderboardRow {
                rank: n + 1,
                user_id: n.to_string(),
                name: long_name(n as usize),
                points: i64::MAX,
                answered: u64::MAX,
                correct: 0,
                accuracy: 1.0,
            })
            .collect();
        fits("leaderboard", &leaderboard(&rows, false));
        let pick = |i: usize| crate::quiz::review::Pick { label: "x".repeat(300), correct: i == 0, count: u64::MAX, rate: 1.0 };
        let review = crate::quiz::review::ItemReview {
            answers: 3,
            share_correct: 0.5,
            picks: (0..10).map(pick).collect(),
            flags: vec![crate::quiz::review::Flag::DeadDistractor("y".repeat(300))],
        };
        let reports: Vec<ItemReport> = (0..500)
            .map(|i| ItemReport { item_id: format!("{}-{i}", "q".repeat(90)), times_asked: u64::MAX, review: review.clone(), difficulty: None })
            .collect();
        fits("item report", &item_report(&reports));
        fits("round end", &round_end(&RoundEndView { round_id: RoundId::from("l1"), last_message: None, asked: 100, leaderboard: rows, reveal: None }));
        let mastery = bank.topics.iter().map(|t| (t.title.clone(), Tally { answered: u64::MAX, correct: u64::MAX })).collect();
        let view = ScoreView {
            user_id: UserId::from("1"),
            name: long_name(1),
            points: i64::MAX,
            debate_points: i64::MAX,
            prompt_points: i64::MAX,
            answered: 1,
            correct: 1,
            accuracy: 1.0,
            current_streak: u32::MAX,
            best_streak: u32::MAX,
            mastery,
        };
        fits("score", &score(&view));
        fits("settings", &settings(&Settings { instructor_role: Some(u64::MAX.to_string()), ..Settings::default() }));
        fits(
            "practice done",
            &practice_done(&PracticeSummary {
                answered: u32::MAX,
                correct: u32::MAX,
                points: i64::MAX,
                total_points: i64::MAX,
                total_answered: u64::MAX,
                total_accuracy: 1.0,
            }),
        );
        fits("forget preview", &forget_preview(&long_name(0), &u64::MAX.to_string()));
        let every_table = ["answers", "rounds", "round_questions", "users", "awards", "debate_seats", "debate_speeches", "debate_citations"];
        fits("forgotten", &forgotten(&long_name(0), &Forgotten { rows: every_table.iter().map(|t| (*t, u64::MAX / 16)).collect() }));
    }

    #[test]
    fn names_and_answers_show_as_written_and_never_format() {
        let rows = vec![LeaderboardRow { rank: 1, user_id: "1".into(), name: "**@everyone** <@1>".into(), points: 1, answered: 1, correct: 1, accuracy: 1.0 }];
        let text = leaderboard(&rows, false).embeds[0].description.clone().unwrap();
        assert!(text.contains("\\*\\*@\u{200B}everyone\\*\\* <\u{200B}@1>"), "{text}");
    }
}
