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
use crate::store::{AnswerRecord, NewRound, Recorded, RoundKind, Store};

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
    /// Drives question choice and choice order; print it to replay a session.
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
pub async fn play(bank: &Bank, store: &Store, opts: &PlayOptions, clock: impl Fn() -> Millis, input: impl BufRead, out: &mut impl Write) -> anyhow::Result<quiz::Summary> {
    let user = local_user_id(&opts.name);
    let guild = opts.guild.as_str();
    store.ensure_guild(guild).await?;
    store.upsert_user(guild, &user, opts.name.trim()).await?;
    let rules = match store.guild_settings(guild).await? {
        Some(json) => serde_json::from_str::<Rules>(&json).with_context(|| format!("the scoring settings of server {guild} are not valid"))?,
        None => Rules::default(),
    };

    // A session that a crash or Ctrl-C left open is closed; its answers stay counted.
    for round in store.open_rounds().await? {
        if round.guild_id == guild && round.kind == RoundKind::Practice && round.started_by == user {
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
    let round_id = format!("p{started:x}{:04x}", opts.seed & 0xffff);
    store
        .create_round(&NewRound { guild_id: guild.into(), round_id: round_id.clone(), kind: RoundKind::Practice, channel_id: None, started_by: user.clone(), item_ids: ids.clone(), open_seconds: 0, started_at: started })
        .await?;
    let mut practice = Practice::new(ids, started).map_err(|e| anyhow::anyhow!("{e}"))?;
    writeln!(out, "Practice: {} question{} on {} (seed {}). Type your answer and press Enter.\n", picked.len(), if picked.len() == 1 { "" } else { "s" }, bank.paper.title, opts.seed)?;

    let mut lines = input.lines();
    'questions: for (index, q) in picked.iter().enumerate() {
        let shown = quiz::presentation(q, opts.seed);
        write!(out, "{}", render_question(bank, q, &shown, index + 1, picked.len()))?;
        let (response, typed) = loop {
            write!(out, "> ")?;
            out.flush()?;
            let Some(line) = lines.next() else {
                writeln!(out)?;
                break 'questions;
            };
            let line = line.context("cannot read the answer")?;
            if opts.echo {
                writeln!(out, "{line}")?;
            }
            if line.trim().is_empty() {
                continue;
            }
            match quiz::parse_response(q, &shown, &line) {
                Ok(r) => break (r, line),
                Err(e) => writeln!(out, "{e}")?,
            }
        };
        let now = clock();
        let outcome = practice.answer(q, &response, now, &rules).map_err(|e| anyhow::anyhow!("{e}"))?;
        let record = AnswerRecord {
            guild_id: guild.into(),
            round_id: round_id.clone(),
            item_id: q.id.clone(),
            user_id: user.clone(),
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
            store.update_round_progress(guild, &round_id, crate::store::RoundProgress { current_index: i, opened_at: Some(clock()), revealed: false }).await?;
        }
    }
    let summary = practice.summary();
    store.finish_round(guild, &round_id, clock()).await?;
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
