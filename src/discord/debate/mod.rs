//! Debates: `/debate …`, the board's buttons (join, cards, speak, flag, vote, ballot), the
//! speech, flag and ballot forms, the board and speech views, and the phase timers.
//!
//! Invariant: every click and form calls one operation of the classroom layer, which checks
//! who may do it and commits before anything is posted; places and stances travel typed.

pub mod board;
pub mod command;
pub mod views;

pub use board::{Boards, post_all, post_board, resume};
pub(crate) use board::{deliver_speech, gave_up_speech};

use poise::serenity_prelude::{self as serenity, InputTextStyle};

use crate::debate::{Join, Side, SlotKey, SpeechDraft, SpeechRef, Stance};
use crate::discord::Result;
use crate::discord::custom_id::{Action, Fields};
use crate::discord::forms::{self, input, modal};
use crate::discord::interactions::{Asked, Form, Response, unknown};
use crate::discord::render::truncate;
use crate::ids::DebateId;

/// A debate board's buttons and forms, each for its debate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DebateAction {
    /// Take a seat on a side, on the emptier side, or join the audience.
    Join { debate: DebateId, place: Join },
    /// The clicker's evidence cards, privately.
    Cards { debate: DebateId },
    /// Opens the speech modal for the phase at `phase` (its index in the plan).
    Speak { debate: DebateId, phase: usize },
    /// The speech modal's submit, for that phase.
    Speech { debate: DebateId, phase: usize },
    /// Opens the modal to flag a card of the speech of `speaker` in `phase`.
    Flag { debate: DebateId, phase: usize, speaker: SlotKey },
    /// The flag modal's submit.
    Flagged { debate: DebateId, phase: usize, speaker: SlotKey },
    /// An audience vote.
    Vote { debate: DebateId, stance: Stance },
    /// Opens the ballot modal (the instructor's counts; a student's is a shadow ballot).
    Ballot { debate: DebateId },
    /// The ballot modal's submit.
    Ballotted { debate: DebateId },
    /// The card flags the clicker may read, privately: every flag with who raised it for
    /// the judge (an instructor), a student's own for a student.
    Flags { debate: DebateId },
}

impl DebateAction {
    /// The id after the prefix.
    pub fn encode(&self) -> String {
        match self {
            DebateAction::Join { debate, place } => format!("dj:{debate}:{}", place_code(*place)),
            DebateAction::Cards { debate } => format!("dc:{debate}"),
            DebateAction::Speak { debate, phase } => format!("ds:{debate}:{phase}"),
            DebateAction::Speech { debate, phase } => format!("dm:{debate}:{phase}"),
            DebateAction::Flag { debate, phase, speaker } => format!("df:{debate}:{phase}:{}", speaker.as_str()),
            DebateAction::Flagged { debate, phase, speaker } => format!("dg:{debate}:{phase}:{}", speaker.as_str()),
            DebateAction::Vote { debate, stance } => format!("dv:{debate}:{}", stance_code(*stance)),
            DebateAction::Ballot { debate } => format!("db:{debate}"),
            DebateAction::Ballotted { debate } => format!("dbm:{debate}"),
            DebateAction::Flags { debate } => format!("dl:{debate}"),
        }
    }

    /// The action of kind `kind`, from the fields after it; `None` for another kind.
    pub fn parse(kind: &str, f: &mut Fields<'_>) -> Option<DebateAction> {
        let debate = f.debate()?;
        Some(match kind {
            "dj" => DebateAction::Join { debate, place: f.text().and_then(place)? },
            "dc" => DebateAction::Cards { debate },
            "ds" => DebateAction::Speak { debate, phase: f.phase()? },
            "dm" => DebateAction::Speech { debate, phase: f.phase()? },
            "df" => DebateAction::Flag { debate, phase: f.phase()?, speaker: f.text().and_then(speaker)? },
            "dg" => DebateAction::Flagged { debate, phase: f.phase()?, speaker: f.text().and_then(speaker)? },
            "dv" => DebateAction::Vote { debate, stance: f.text().and_then(stance)? },
            "db" => DebateAction::Ballot { debate },
            "dbm" => DebateAction::Ballotted { debate },
            "dl" => DebateAction::Flags { debate },
            _ => return None,
        })
    }

    pub fn is_form(&self) -> bool {
        match self {
            DebateAction::Speech { .. } | DebateAction::Flagged { .. } | DebateAction::Ballotted { .. } => true,
            DebateAction::Join { .. } | DebateAction::Cards { .. } | DebateAction::Speak { .. } | DebateAction::Flag { .. } | DebateAction::Vote { .. } => {
                false
            }
            DebateAction::Ballot { .. } | DebateAction::Flags { .. } => false,
        }
    }
}

/// A place on the wire: `p`, `o`, `e` (either side, the emptier) or `a` (the audience).
fn place_code(place: Join) -> char {
    match place {
        Join::Side(Side::Proposition) => 'p',
        Join::Side(Side::Opposition) => 'o',
        Join::Either => 'e',
        Join::Audience => 'a',
    }
}

fn place(code: &str) -> Option<Join> {
    Some(match code {
        "p" => Join::Side(Side::Proposition),
        "o" => Join::Side(Side::Opposition),
        "e" => Join::Either,
        "a" => Join::Audience,
        _ => return None,
    })
}

/// A stance on the wire: `p`, `o` or `u` (undecided).
fn stance_code(stance: Stance) -> char {
    match stance {
        Stance::Proposition => 'p',
        Stance::Opposition => 'o',
        Stance::Undecided => 'u',
    }
}

fn stance(code: &str) -> Option<Stance> {
    Some(match code {
        "p" => Stance::Proposition,
        "o" => Stance::Opposition,
        "u" => Stance::Undecided,
        _ => return None,
    })
}

/// A speaker on the wire: a Discord user id (digits), or `joint`.
fn speaker(s: &str) -> Option<SlotKey> {
    (s == "joint" || ((1..=20).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit()))).then(|| SlotKey::parse(s))
}

/// The board's buttons (and a speech's Flag a card); `message` is the message clicked.
pub(crate) async fn click(at: &Asked<'_>, action: DebateAction, message: serenity::MessageId) -> Result<Response> {
    let (app, guild, member) = (&at.data.app, &at.guild, &at.member);
    // A board that a newer one replaced acts on nothing (its buttons were disabled, but a
    // client may still show them live): the member is told to use the newest. (A board
    // newer than the one recorded is the one just posted.)
    if let DebateAction::Join { debate, .. } | DebateAction::Speak { debate, .. } | DebateAction::Vote { debate, .. } | DebateAction::Ballot { debate } =
        &action
    {
        // Message ids are snowflakes: a message posted later has a greater id.
        app.debate_from_board(guild, debate, |board| board.parse::<u64>().is_ok_and(|board| message.get() < board)).await?;
    }
    Ok(match action {
        DebateAction::Join { debate, place } => {
            let joined = app.debate_join(guild, &debate, member, place).await?;
            at.data.boards.touch(at.http, app, &at.data.tasks, guild, &debate);
            Response::Reply(views::joined(&joined))
        }
        DebateAction::Cards { debate } => Response::Reply(views::cards(&app.debate_cards(guild, &debate, member).await?)),
        DebateAction::Speak { debate, phase } => {
            let phase_title = app.debate_speech_form(guild, &debate, member, phase).await?;
            let claim = input(InputTextStyle::Short, "Your claim (one sentence)", "claim", crate::debate::CLAIM_CHARS, true);
            let reasoning = input(InputTextStyle::Paragraph, "Your reasoning", "reasoning", crate::debate::REASONING_CHARS, true);
            let cited = input(InputTextStyle::Paragraph, "Passages you cite (ids from My cards)", "citations", 1000, false)
                .placeholder("e.g. s5-p3-economies-ev s7-p2-informal-alliance");
            let speech = Action::Debate(DebateAction::Speech { debate, phase });
            Response::Modal(modal(speech, &format!("Your speech · {phase_title}"), vec![claim, reasoning, cited]))
        }
        DebateAction::Flag { debate, phase, speaker } => {
            let passage = input(InputTextStyle::Short, "The card (passage id) misused", "passage", 64, true);
            let reason = input(InputTextStyle::Paragraph, "How it is misused", "reason", crate::debate::FLAG_REASON_CHARS, true);
            let flagged = Action::Debate(DebateAction::Flagged { debate, phase, speaker });
            Response::Modal(modal(flagged, "Flag a card for the judge", vec![passage, reason]))
        }
        DebateAction::Vote { debate, stance } => {
            let voted = app.debate_vote(guild, &debate, member, stance).await?;
            at.data.boards.touch(at.http, app, &at.data.tasks, guild, &debate);
            Response::Reply(views::voted(&voted))
        }
        DebateAction::Flags { debate } => Response::Reply(views::flags(&app.debate_state(guild, &debate, member).await?)),
        DebateAction::Ballot { debate } => {
            let (v, rubric) = app.debate_ballot_form(guild, &debate, member).await?;
            let hint = format!("1 to {} for each: {}", rubric.max, rubric.criteria.join(", "));
            let scores = input(InputTextStyle::Paragraph, "Scores: a line per speaker", "scores", 4000, true)
                .value(forms::ballot_template(&v))
                .placeholder(truncate(&hint, 100));
            let winner = input(InputTextStyle::Short, "Winner (proposition/opposition)", "winner", 20, false)
                .placeholder("Empty: the vote's swing (Oxford), then the rubric totals decide");
            let feedback = input(InputTextStyle::Paragraph, "Feedback to the speakers", "feedback", crate::debate::FEEDBACK_CHARS, false);
            let title = if v.you.instructor { "Official ballot" } else { "Shadow ballot (does not count)" };
            Response::Modal(modal(Action::Debate(DebateAction::Ballotted { debate }), title, vec![scores, winner, feedback]))
        }
        DebateAction::Speech { .. } | DebateAction::Flagged { .. } | DebateAction::Ballotted { .. } => return Err(unknown()),
    })
}

/// The speech, flag and ballot forms.
pub(crate) async fn submit(at: &Asked<'_>, action: DebateAction, form: &Form) -> Result<Response> {
    let (app, guild, member) = (&at.data.app, &at.guild, &at.member);
    Ok(match action {
        DebateAction::Speech { debate, phase } => {
            let draft = SpeechDraft {
                phase_index: phase,
                claim: form.get("claim"),
                reasoning: form.get("reasoning"),
                citations: forms::citations(&form.get("citations")),
            };
            // Committed with its messages queued: the poster delivers them (retrying if need be).
            let speech = app.debate_speech(guild, &debate, member, &draft).await?;
            at.data.poster.now();
            // The board's speaking order ticks the speech off.
            at.data.boards.touch(at.http, app, &at.data.tasks, guild, &debate);
            Response::Reply(views::speech_posted(&speech))
        }
        DebateAction::Flagged { debate, phase, speaker } => {
            let reference = SpeechRef { phase_index: phase, key: speaker };
            let passage = forms::citations(&form.get("passage")).into_iter().next().unwrap_or_default();
            Response::Reply(views::flagged(&app.debate_flag(guild, &debate, member, &reference, &passage, &form.get("reason")).await?))
        }
        DebateAction::Ballotted { debate } => Response::Reply(views::ballot(
            &app.debate_ballot_typed(guild, &debate, member, &form.get("scores"), &form.get("winner"), &form.get("feedback")).await?,
        )),
        DebateAction::Join { .. } | DebateAction::Cards { .. } | DebateAction::Speak { .. } | DebateAction::Flag { .. } | DebateAction::Vote { .. } => {
            return Err(unknown());
        }
        DebateAction::Ballot { .. } | DebateAction::Flags { .. } => return Err(unknown()),
    })
}
