//! `agora play`: practice in the terminal, interactive or with answers piped in.
//!
//! Invariant: this is a face and nothing more. It reads lines, calls the classroom layer
//! (`app`) one step at a time and prints the views it returns; the workflow — one open
//! practice per student, commit before the verdict, scoring, citations — lives in the layer,
//! where the Discord bot uses the same code.

use std::io::{BufRead, Write};

use anyhow::Context;

use crate::app::{App, AppError, Member, PracticeRequest, PracticeStep, PracticeSummary, QuestionView, UserError, VerdictView, letter};
use crate::ids::{GuildId, UserId};
use crate::quiz::{Filter, Lean};

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
    /// Which questions: weak topics first (the terminal's default), the reviews due
    /// (`--due`), or only new ones (`--new`).
    pub lean: Lean,
}

/// The longest name a terminal student's id is made from, in characters.
const MAX_NAME: usize = 64;

/// The store's user id for a terminal student: `local:` and the name in lower case, cut to
/// [`MAX_NAME`] characters so a pasted essay does not become an id.
pub fn local_user_id(name: &str) -> UserId {
    UserId::new(format!("local:{}", name.trim().to_lowercase().chars().take(MAX_NAME).collect::<String>()))
}

/// How a session ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Ended {
    /// Finished or stopped at end of input; every answer counted.
    Done(PracticeSummary),
    /// Another session of the same student closed this one; the answers given here count.
    Displaced,
}

/// Runs one practice session, reading answers from `input` and writing to `out`; stops
/// early (keeping what was answered) at end of input.
pub async fn play(app: &App, opts: &PlayOptions, mut input: impl BufRead, out: &mut impl Write) -> anyhow::Result<Ended> {
    let name = opts.name.trim();
    anyhow::ensure!(!name.is_empty(), "a name is needed to keep your scores: pass --name NAME");
    let guild = GuildId::new(opts.guild.clone());
    let student = Member::local(local_user_id(name), name);
    let request = PracticeRequest { filter: opts.filter.clone(), count: opts.count, lean: opts.lean, seed: Some(opts.seed) };
    let started = app.practice_start(&guild, &student, &request).await.map_err(plain)?;
    let round = started.question.round_id.clone();
    let of = started.question.of;
    writeln!(
        out,
        "Practice: {of} question{} on {} (seed {}). Type your answer and press Enter; end of input (Ctrl-D) stops early.\n",
        if of == 1 { "" } else { "s" },
        app.bank().paper.title,
        started.seed
    )?;
    if let Some(note) = &started.note {
        writeln!(out, "{note}\n")?;
    }
    let displaced = |out: &mut dyn Write| -> anyhow::Result<Ended> {
        writeln!(out, "This session was closed because {} started another one; the answers given here still count.", crate::text::display_name(name))?;
        Ok(Ended::Displaced)
    };
    let mut question = started.question;
    loop {
        write!(out, "{}", render_question(&question))?;
        let verdict = loop {
            let Some(line) = read_line(opts.echo, &mut input, out)? else {
                writeln!(out)?;
                return match app.practice_end(&guild, &student.id, &round).await {
                    Ok(summary) => done(out, summary),
                    Err(AppError::User(UserError::Displaced)) => displaced(out),
                    Err(e) => Err(plain(e)),
                };
            };
            match app.practice_answer(&guild, &student.id, &round, question.number, &line).await {
                Ok(verdict) => break verdict,
                Err(AppError::User(UserError::BadAnswer(e))) => writeln!(out, "{e}")?,
                Err(AppError::User(UserError::Displaced)) => return displaced(out),
                Err(e) => return Err(plain(e)),
            }
        };
        write!(out, "{}", render_verdict(&verdict))?;
        match app.practice_next(&guild, &student.id, &round, question.number).await {
            Ok(PracticeStep::Question(next)) => question = next,
            Ok(PracticeStep::Finished(summary)) => return done(out, summary),
            Err(AppError::User(UserError::Displaced)) => return displaced(out),
            Err(e) => return Err(plain(e)),
        }
    }
}

/// A user error as the message itself; an internal one with its whole chain.
fn plain(e: AppError) -> anyhow::Error {
    match e {
        AppError::User(u) => anyhow::anyhow!("{u}"),
        e => anyhow::anyhow!("{}", e.chain()),
    }
}

fn done(out: &mut impl Write, s: PracticeSummary) -> anyhow::Result<Ended> {
    writeln!(
        out,
        "Done: {} of {} right, {} point{} this session. In all: {} points, {} answered, {:.0}% right.",
        s.correct,
        s.answered,
        s.points,
        if s.points == 1 { "" } else { "s" },
        s.total_points,
        s.total_answered,
        s.total_accuracy * 100.0
    )?;
    Ok(Ended::Done(s))
}

/// Reads the next line that is not blank; `None` at end of input. Bytes that are not UTF-8
/// are read as U+FFFD, not fatal.
fn read_line(echo: bool, input: &mut impl BufRead, out: &mut impl Write) -> anyhow::Result<Option<String>> {
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
            writeln!(out, "{}", crate::app::clean_typed(&line))?;
        }
        if !line.trim().is_empty() {
            return Ok(Some(line));
        }
    }
}

/// A question as the terminal shows it: header, prompt, lettered choices, how to answer.
pub fn render_question(q: &QuestionView) -> String {
    let mut s = format!("Question {}/{} · {} · difficulty {}\n{}\n", q.number, q.of, q.topic, q.difficulty, q.prompt);
    for (i, choice) in q.choices.iter().enumerate() {
        s.push_str(&format!("  {}. {choice}\n", letter(i)));
    }
    s.push_str(&format!("(Answer with {}.)\n", q.how));
    s
}

/// The verdict, the points, the explanation and every cited passage.
pub fn render_verdict(v: &VerdictView) -> String {
    let mut s = if v.correct {
        format!("Correct! +{} points", v.points)
    } else if v.credit > 0.0 {
        format!("Partly right ({:.0}%): +{} points. The answer: {}", v.credit * 100.0, v.points, v.right_answer)
    } else {
        format!("Not quite. The answer: {}", v.right_answer)
    };
    if v.streak >= 2 {
        s.push_str(&format!(" · streak {}", v.streak));
    }
    s.push('\n');
    s.push_str(&format!("{}\n", v.explanation));
    for c in &v.citations {
        let source = c.source.as_deref().map(|s| format!(" ({s})")).unwrap_or_default();
        s.push_str(&format!("  Source: {} · {} — “{}”{source}\n", c.section, c.anchor, c.quote));
    }
    s.push('\n');
    s
}
