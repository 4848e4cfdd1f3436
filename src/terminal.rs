//! `agora play`: a practice session in the terminal, interactive or with answers piped in.
//!
//! Invariant: an answer is committed to the store before the student is told it counted;
//! the session's rhythm is the same as every command's — parse, call the domain, record, render.

use std::collections::HashMap;
use std::io::{BufRead, Write};

use anyhow::Context;

use crate::bank::{Answer, Bank, Question};
use crate::quiz::{self, Filter, History, Lean, Millis, Next, Practice, Presentation, Response, TopicRecord};
use crate::scoring::Rules;
use crate::stable::fnv1a;
use crate::store::{AnswerRecord, NewRound, Recorded, RoundKind, RoundProgress, Store, StoreError};

/// The guild id under which terminal sessions keep their scores.
pub const LOCAL_GUILD: &str = "local";

/// What `agora play` was asked for.
#[derive(Debug, Clone)]
pub struct PlayOptions {
    pub filter: Filter,
    pub count: usize,
    /// The student's name; scores are kept under the user id `local:NAME`.
    pub name: String,
    pub guild: String,
    /// Drives question choice and choice order: the same seed and the same past answers give the same session.
    pub seed: u64,
    /// Echo each answer read, so that a transcript of piped input reads like a session.
    pub echo: bool,
}

/// The store's user id for a terminal student.
pub fn local_user_id(name: &str) -> String {
    format!("local:{}", name.trim().to_lowercase())
}

/// item id → topics, as the store's reports need them.
pub fn item_topics(bank: &Bank) -> HashMap<String, Vec<String>> {
    bank.questions.iter().map(|q| (q.id.clone(), q.topics.clone())).collect()
}

/// Runs one practice session, reading answers from `input` and writing to `out`.
/// Returns the session's summary; stops early (keeping what was answered) at end of input.
///
/// One student has one practice session at a time: starting one closes any other the same
/// student left open (after a crash, or in another terminal); the answers given there still count.
pub async fn play(bank: &Bank, store: &Store, opts: &PlayOptions, clock: impl Fn() -> Millis, input: impl BufRead, out: &mut impl Write) -> anyhow::Result<quiz::Summary> {
    let name = opts.name.trim();
    anyhow::ensure!(!name.is_empty(), "a name is needed to keep your scores: pass --name NAME");
    let user = local_user_id(name);
    let guild = opts.guild.as_str();
    store.upsert_user(guild, &user, name).await?;
    let rules = scoring_rules(store.guild_settings(guild).await?.as_deref()).with_context(|| format!("the scoring settings of server {guild} are not valid"))?;

    for round in store.open_rounds_started_by(guild, &user).await? {
        if round.kind == RoundKind::Practice {
            store.abandon_round(guild, &round.round_id, clock()).await?;
        }
    }

    let history = history(bank, store, guild, &user).await?;
    let picked = quiz::pick_practice(&bank.questions, &opts.filter, &history, opts.count, opts.seed, Lean::WeakTopics);
    if picked.is_empty() {
        anyhow::bail!("no question matches that choice of topic, kind and difficulty; `agora bank stats` lists the topics and kinds");
    }
    let ids: Vec<String> = picked.iter().map(|q| q.id.clone()).collect();
    let started = clock();
    let round_id = format!("p{started:x}{:04x}", fnv1a(format!("{user}|{}", opts.seed).as_bytes()) & 0xffff);
    store
        .create_round(&NewRound { guild_id: guild.into(), round_id: round_id.clone(), kind: RoundKind::Practice, channel_id: None, started_by: user.clone(), item_ids: ids.clone(), open_seconds: 0, started_at: started })
        .await?;
    let session = Session { bank, store, guild, user: &user, round_id: &round_id, rules: &rules };
    let displaced = |out: &mut dyn Write| writeln!(out, "This session was closed because {name} started another one; the answers given here still count.");
    match session.run(&picked, opts, started, &clock, input, out).await {
        Ok(Some(summary)) => {
            match store.finish_round(guild, &round_id, clock()).await {
                Err(StoreError::RoundNotOpen { .. }) => {
                    displaced(out)?;
                    return Ok(summary);
                }
                other => other?,
            }
            let totals = store.user_totals(guild, &user, &item_topics(bank)).await?;
            writeln!(
                out,
                "Done: {} of {} right, {} point{} this session. In all: {} points, {} answered, {:.0}% right.",
                summary.correct,
                summary.answered,
                summary.points,
                if summary.points == 1 { "" } else { "s" },
                totals.points,
                totals.answered,
                totals.accuracy * 100.0
            )?;
            Ok(summary)
        }
        Ok(None) => {
            displaced(out)?;
            Ok(quiz::Summary::default())
        }
        Err(e) => {
            // Whatever went wrong, the round is not left open; its answers stay counted.
            let _ = store.abandon_round(guild, &round_id, clock()).await;
            Err(e)
        }
    }
}

/// The scoring rules of a server: the `scoring` object of its settings, checked; the
/// defaults when there is none.
pub fn scoring_rules(settings: Option<&str>) -> anyhow::Result<Rules> {
    let Some(json) = settings else { return Ok(Rules::default()) };
    let value: serde_json::Value = serde_json::from_str(json)?;
    let rules = match value.get("scoring") {
        Some(scoring) => serde_json::from_value::<Rules>(scoring.clone())?,
        None => Rules::default(),
    };
    rules.check()?;
    Ok(rules)
}

/// One practice session under way: what it needs to record and render each answer.
struct Session<'a> {
    bank: &'a Bank,
    store: &'a Store,
    guild: &'a str,
    user: &'a str,
    round_id: &'a str,
    rules: &'a Rules,
}

impl Session<'_> {
    /// Asks every question in turn. `None` when another session of the same student closed this one.
    async fn run(&self, picked: &[&Question], opts: &PlayOptions, started: Millis, clock: &impl Fn() -> Millis, mut input: impl BufRead, out: &mut impl Write) -> anyhow::Result<Option<quiz::Summary>> {
        let (bank, store, guild, round_id) = (self.bank, self.store, self.guild, self.round_id);
        store.update_round_progress(guild, round_id, RoundProgress { current_index: 0, opened_at: Some(started), revealed: false }).await?;
        let mut practice = Practice::new(picked.iter().map(|q| q.id.clone()).collect(), started).map_err(|e| anyhow::anyhow!("{e}"))?;
        writeln!(out, "Practice: {} question{} on {} (seed {}). Type your answer and press Enter; end of input (Ctrl-D) stops early.\n", picked.len(), if picked.len() == 1 { "" } else { "s" }, bank.paper.title, opts.seed)?;
        for (index, q) in picked.iter().enumerate() {
            let shown = quiz::presentation(q, opts.seed);
            write!(out, "{}", render_question(bank, q, &shown, index + 1, picked.len()))?;
            let Some((response, typed)) = read_response(q, &shown, opts.echo, &mut input, out)? else {
                writeln!(out)?;
                break;
            };
            let now = clock();
            let outcome = practice.answer(q, &response, now, self.rules).map_err(|e| anyhow::anyhow!("{e}"))?;
            let record = AnswerRecord {
                guild_id: guild.into(),
                round_id: round_id.into(),
                item_id: q.id.clone(),
                user_id: self.user.into(),
                response: canonical(&response, typed.trim()),
                correct: outcome.verdict.correct,
                credit: outcome.verdict.credit,
                points: outcome.score.points,
                elapsed_ms: outcome.elapsed_ms,
                answered_at: now,
            };
            // Committed first; only then is the student told the answer counted.
            let recorded = store.record_answer(&record).await?;
            write!(out, "{}", render_verdict(bank, q, &shown, &outcome, recorded))?;
            if let Next::Question(i) = practice.next(clock()).map_err(|e| anyhow::anyhow!("{e}"))? {
                match store.update_round_progress(guild, round_id, RoundProgress { current_index: i, opened_at: Some(clock()), revealed: false }).await {
                    Err(StoreError::RoundNotOpen { .. }) => return Ok(None),
                    other => other?,
                }
            }
        }
        Ok(Some(practice.summary()))
    }
}

/// Reads lines until one parses as an answer to `q`, explaining what is expected after each
/// that does not. `None` at end of input. Bytes that are not UTF-8 are read as U+FFFD, not fatal.
fn read_response(q: &Question, shown: &Presentation, echo: bool, input: &mut impl BufRead, out: &mut impl Write) -> anyhow::Result<Option<(Response, String)>> {
    let mut bytes = Vec::new();
    loop {
        write!(out, "> ")?;
        out.flush()?;
        bytes.clear();
        if input.read_until(b'\n', &mut bytes).context("cannot read the answer")? == 0 {
            return Ok(None);
        }
        let line = String::from_utf8_lossy(&bytes).trim_end_matches(['\n', '\r']).to_string();
        if echo {
            writeln!(out, "{line}")?;
        }
        if line.trim().is_empty() {
            continue;
        }
        match quiz::parse_response(q, shown, &line) {
            Ok(r) => return Ok(Some((r, line))),
            Err(e) => writeln!(out, "{e}")?,
        }
    }
}

/// What the store knows of this student, as the selector needs it.
async fn history(bank: &Bank, store: &Store, guild: &str, user: &str) -> anyhow::Result<History> {
    let totals = store.user_totals(guild, user, &item_topics(bank)).await?;
    let recent = store.recent_correct(guild, user, 50).await?;
    Ok(History {
        recently_correct: recent.into_iter().collect(),
        topics: totals.mastery.iter().map(|(t, tally)| (t.clone(), TopicRecord { answered: tally.answered as u32, correct: tally.correct as u32 })).collect(),
    })
}

/// The response as stored: choices by their letter in the bank's order (so item statistics
/// count picks per choice whatever order they were shown in), numbers as numbers, text as typed.
pub fn canonical(r: &Response, typed: &str) -> String {
    let letter = |i: &usize| crate::bank::export::letter(*i);
    match r {
        Response::Choice(i) => letter(i),
        Response::Bool(b) => b.to_string(),
        Response::Choices(v) => {
            let mut v = v.clone();
            v.sort();
            v.iter().map(letter).collect::<Vec<_>>().join(",")
        }
        Response::Number(n) => n.to_string(),
        Response::Order(v) => v.iter().map(letter).collect::<Vec<_>>().join(""),
        Response::Text(_) => typed.to_string(),
    }
}

/// A question as the terminal shows it: header, prompt, lettered choices, how to answer.
pub fn render_question(bank: &Bank, q: &Question, shown: &Presentation, number: usize, of: usize) -> String {
    let topic = q.topics.first().and_then(|t| bank.topic(t)).map(|t| t.title.as_str()).unwrap_or("");
    let mut s = format!("Question {number}/{of} · {topic} · difficulty {}\n{}\n", q.difficulty, q.prompt);
    for (i, &original) in shown.order().iter().enumerate() {
        s.push_str(&format!("  {}. {}\n", quiz::judge::letter(i), q.answer.labels()[original]));
    }
    let how = match &q.answer {
        Answer::Single { .. } => "one letter".to_string(),
        Answer::Multi { .. } => "every letter that applies, e.g. \"A C\"".to_string(),
        Answer::TrueFalse { .. } => "true or false".to_string(),
        Answer::Numeric { unit, .. } => format!("a number, in {unit}"),
        Answer::Ordering { .. } => "the letters in order, e.g. \"C A D B\"".to_string(),
        Answer::Short { .. } => "a word or a short name".to_string(),
    };
    s.push_str(&format!("(Answer with {how}.)\n"));
    s
}

/// The right answer, in the letters the student saw.
pub fn right_answer(q: &Question, shown: &Presentation) -> String {
    let shown_letter = |original: usize| {
        let at = shown.order().iter().position(|&o| o == original).unwrap_or(original);
        quiz::judge::letter(at)
    };
    match &q.answer {
        Answer::Single { choices, correct } => format!("{}. {}", shown_letter(*correct), choices[*correct]),
        Answer::Multi { choices, correct } => {
            let mut picks: Vec<(char, &str)> = correct.iter().map(|&i| (shown_letter(i), choices[i].as_str())).collect();
            picks.sort();
            picks.iter().map(|(l, c)| format!("{l}. {c}")).collect::<Vec<_>>().join("; ")
        }
        Answer::TrueFalse { correct } => if *correct { "True".into() } else { "False".into() },
        Answer::Numeric { value, unit, tolerance, .. } => {
            let within = if *tolerance > 0.0 { format!(" (±{})", crate::bank::generate::format_value(*tolerance, "")) } else { String::new() };
            format!("{}{within}", crate::bank::generate::format_value(*value, unit))
        }
        Answer::Ordering { items } => items.iter().enumerate().map(|(i, it)| format!("{}. {it}", shown_letter(i))).collect::<Vec<_>>().join(" → "),
        Answer::Short { accepted } => accepted[0].clone(),
    }
}

/// The verdict, the points, the explanation and every cited passage.
pub fn render_verdict(bank: &Bank, q: &Question, shown: &Presentation, outcome: &quiz::Outcome, recorded: Recorded) -> String {
    let mut s = String::new();
    let v = outcome.verdict;
    if v.correct {
        s.push_str(&format!("Correct! +{} points", outcome.score.points));
    } else if v.credit > 0.0 {
        s.push_str(&format!("Partly right ({:.0}%): +{} points. The answer: {}", v.credit * 100.0, outcome.score.points, right_answer(q, shown)));
    } else {
        s.push_str(&format!("Not quite. The answer: {}", right_answer(q, shown)));
    }
    if outcome.score.streak_after >= 2 {
        s.push_str(&format!(" · streak {}", outcome.score.streak_after));
    }
    if recorded == Recorded::Duplicate {
        s.push_str(" (already recorded: counted once)");
    }
    s.push('\n');
    s.push_str(&format!("{}\n", q.explanation));
    for c in &q.citations {
        if let Some(p) = bank.passage(c) {
            let section = bank.section(&p.section).map(|s| s.title.as_str()).unwrap_or(&p.section);
            let source = p.source.as_deref().map(|s| format!(" ({s})")).unwrap_or_default();
            s.push_str(&format!("  Source: {section} · {} — “{}”{source}\n", p.anchor, p.quote));
        }
    }
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::scoring_rules;

    #[test]
    fn a_server_without_settings_scores_by_the_defaults() {
        assert_eq!(scoring_rules(None).unwrap(), crate::scoring::Rules::default());
        assert_eq!(scoring_rules(Some(r#"{"language": "en"}"#)).unwrap(), crate::scoring::Rules::default());
    }

    #[test]
    fn scoring_settings_are_read_from_their_own_object_and_checked() {
        let rules = scoring_rules(Some(r#"{"scoring": {"speed_bonus": false}, "other": 1}"#)).unwrap();
        assert!(!rules.speed_bonus);
        assert!(scoring_rules(Some(r#"{"scoring": {"points": [30, 20, 10]}}"#)).is_err(), "points that fall with difficulty are refused");
    }
}
