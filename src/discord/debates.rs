//! Debates and prompts in a channel: posting a debate's board at each phase, its phase
//! timers (re-armed at start-up), and the buttons and modals of debates, prompts and review.
//!
//! Invariant: every click and form calls one operation of the classroom layer, which checks
//! who may do it and commits before anything is posted; a phase timer only asks the layer to
//! close *that* phase, so a timer racing the instructor, or firing again after a restart,
//! changes nothing.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{ChannelId, CreateActionRow, CreateInputText, CreateModal, Http, InputTextStyle};

use crate::app::{App, AppError, DebateView, Member, Pending, UserError};
use crate::debate::{Join, Side, SlotKey, SpeechDraft, SpeechRef, Stance};
use crate::discord::custom_id::Action;
use crate::discord::interactions::Response;
use crate::discord::poster::{self, Failure};
use crate::discord::render::{Reply, truncate};
use crate::discord::{Data, Result, Shards, debate_views, forms, live, reply};
use crate::ids::{DebateId, GuildId};

/// A little after the deadline, so the layer's clock agrees the phase has closed.
const TIMER_SLACK_MS: i64 = 50;

fn channel_of(v: &DebateView) -> Option<ChannelId> {
    v.channel_id.as_str().parse::<u64>().ok().filter(|&c| c != 0).map(ChannelId::new)
}

/// Posts `replies` in `channel`, in order.
pub async fn post_all(http: &Http, channel: ChannelId, replies: Vec<Reply>) -> anyhow::Result<()> {
    for r in replies {
        channel.send_message(http, reply::channel_message(Reply { ephemeral: false, ..r })).await?;
    }
    Ok(())
}

/// Posts the debate's board for its phase and arms the phase's timer.
pub async fn post_board(http: &Arc<Http>, app: &Arc<App>, guild: &GuildId, v: &DebateView) -> anyhow::Result<()> {
    let Some(channel) = channel_of(v) else { anyhow::bail!("debate {} names no channel ({})", v.debate_id, v.channel_id) };
    post_all(http, channel, vec![debate_views::board(v)]).await?;
    if let (Some(deadline), crate::debate::Status::Open) = (v.phase.deadline, v.status) {
        arm_timer(http.clone(), app.clone(), guild.clone(), v.debate_id.clone(), v.phase.index, deadline);
    }
    Ok(())
}

/// At `deadline`, closes phase `phase_index` and posts the next phase's board, unless the
/// instructor moved on first (the layer then answers `None`).
pub fn arm_timer(http: Arc<Http>, app: Arc<App>, guild: GuildId, debate: DebateId, phase_index: usize, deadline: i64) {
    tokio::spawn(async move {
        let wait = deadline + TIMER_SLACK_MS - app.now();
        if wait > 0 {
            tokio::time::sleep(Duration::from_millis(wait as u64)).await;
        }
        match app.debate_timer(&guild, &debate, phase_index).await {
            Ok(Some(view)) => {
                if let Err(e) = post_board(&http, &app, &guild, &view).await {
                    tracing::error!(%guild, %debate, phase_index, "could not post the next phase: {e:#}");
                }
            }
            Ok(None) => {}
            Err(e) => tracing::error!(%guild, %debate, phase_index, "the phase timer failed: {}", e.chain()),
        }
    });
}

/// Re-arms the phase timer of every open debate an earlier run left (those past their
/// deadline fire at once).
pub async fn resume(http: Arc<Http>, app: Arc<App>, shards: &Shards) {
    match app.debate_timers(|g| live::owns(shards, g)).await {
        Ok(timers) => {
            for t in timers {
                tracing::info!(guild = %t.guild_id, debate = %t.debate_id, phase = t.phase.as_str(), due = t.due, "resuming a debate's phase timer");
                arm_timer(http.clone(), app.clone(), t.guild_id, t.debate_id, t.phase_index, t.deadline);
            }
        }
        Err(e) => tracing::error!("could not read the open debates: {}", e.chain()),
    }
}

fn input(style: InputTextStyle, label: &str, id: &str, max: usize, required: bool) -> CreateInputText {
    CreateInputText::new(style, truncate(label, 45), id).max_length(max.min(4000) as u16).required(required)
}

fn modal(action: Action, title: &str, inputs: Vec<CreateInputText>) -> CreateModal {
    CreateModal::new(action.id(), truncate(title, 45)).components(inputs.into_iter().map(CreateActionRow::InputText).collect())
}

/// The debate, prompt and review buttons.
pub(crate) async fn component(data: &Data, guild: &GuildId, member: &Member, action: Action) -> Result<Response> {
    let app = &data.app;
    Ok(match action {
        Action::DebateJoin { debate, place } => {
            let join = match place {
                'p' => Join::Side(Side::Proposition),
                'o' => Join::Side(Side::Opposition),
                'e' => Join::Either,
                _ => Join::Audience,
            };
            Response::Reply(debate_views::joined(&app.debate_join(guild, &debate, member, join).await?))
        }
        Action::DebateCards { debate } => Response::Reply(debate_views::cards(&app.debate_cards(guild, &debate, member).await?)),
        Action::DebateSpeak { debate, phase } => {
            let phase_title = app.debate_speech_form(guild, &debate, member, phase).await?;
            let claim = input(InputTextStyle::Short, "Your claim (one sentence)", "claim", crate::debate::CLAIM_CHARS, true);
            let reasoning = input(InputTextStyle::Paragraph, "Your reasoning", "reasoning", crate::debate::REASONING_CHARS, true);
            let cited = input(InputTextStyle::Paragraph, "Passages you cite (ids from My cards)", "citations", 1000, false)
                .placeholder("e.g. s5-p3-economies-ev s7-p2-informal-alliance");
            Response::Modal(modal(Action::DebateSpeech { debate, phase }, &format!("Your speech · {phase_title}"), vec![claim, reasoning, cited]))
        }
        Action::DebateFlag { debate, phase, speaker } => {
            let passage = input(InputTextStyle::Short, "The card (passage id) misused", "passage", 64, true);
            let reason = input(InputTextStyle::Paragraph, "How it is misused", "reason", crate::debate::FLAG_REASON_CHARS, true);
            Response::Modal(modal(Action::DebateFlagged { debate, phase, speaker }, "Flag a card for the judge", vec![passage, reason]))
        }
        Action::DebateVote { debate, stance } => {
            let stance = match stance {
                'p' => Stance::Proposition,
                'o' => Stance::Opposition,
                _ => Stance::Undecided,
            };
            Response::Reply(debate_views::voted(&app.debate_vote(guild, &debate, member, stance).await?))
        }
        Action::DebateBallot { debate } => {
            let (v, rubric) = app.debate_ballot_form(guild, &debate, member).await?;
            let hint = format!("1 to {} for each: {}", rubric.max, rubric.criteria.join(", "));
            let scores = input(InputTextStyle::Paragraph, "Scores: a line per speaker", "scores", 4000, true)
                .value(forms::ballot_template(&v))
                .placeholder(truncate(&hint, 100));
            let winner = input(InputTextStyle::Short, "Winner (proposition/opposition)", "winner", 20, false)
                .placeholder("Empty: the vote's swing (Oxford), then the rubric totals decide");
            let feedback = input(InputTextStyle::Paragraph, "Feedback to the speakers", "feedback", crate::debate::FEEDBACK_CHARS, false);
            let title = if v.you.instructor { "Official ballot" } else { "Shadow ballot (does not count)" };
            Response::Modal(modal(Action::DebateBallotted { debate }, title, vec![scores, winner, feedback]))
        }
        Action::PromptAnswer { prompt } => {
            let p = app.prompt_show(&prompt)?;
            let answer = input(InputTextStyle::Paragraph, "Your answer", "answer", p.max_chars, true);
            let ids = p.suggested.iter().map(|c| c.passage_id.as_str()).collect::<Vec<_>>().join(" ");
            let mut cited = input(InputTextStyle::Paragraph, "Passages you cite (ids)", "citations", 1000, false);
            if !ids.is_empty() {
                cited = cited.placeholder(truncate(&ids, 100));
            }
            Response::Modal(modal(Action::PromptAnswered { prompt }, "Your answer", vec![answer, cited]))
        }
        Action::ReviewMark { answer } => {
            let top = app.prompt_mark_form(guild, member).await?;
            let marks = input(InputTextStyle::Short, &format!("Marks: one per rubric line, 0 to {top}"), "marks", 100, true)
                .placeholder(format!("e.g. {}", (0..3).map(|i| top.saturating_sub(i).to_string()).collect::<Vec<_>>().join(" ")));
            let feedback = input(InputTextStyle::Paragraph, "Feedback to the student", "feedback", crate::app::SUBMISSION_CHARS, true);
            Response::Modal(modal(Action::ReviewMarked { answer }, "Mark this answer", vec![marks, feedback]))
        }
        _ => return Err(UserError::UnknownAction.into()),
    })
}

/// The debate, prompt and review modals; `inputs` by their custom_id.
pub(crate) async fn modal_submit(data: &Data, guild: &GuildId, member: &Member, action: Action, inputs: &HashMap<String, String>) -> Result<Response> {
    let app = &data.app;
    let get = |id: &str| inputs.get(id).cloned().unwrap_or_default();
    Ok(match action {
        Action::DebateSpeech { debate, phase } => {
            let draft = SpeechDraft { phase_index: phase, claim: get("claim"), reasoning: get("reasoning"), citations: forms::citations(&get("citations")) };
            // Committed with its messages queued: the poster delivers them (retrying if need be).
            let speech = app.debate_speech(guild, &debate, member, &draft).await?;
            data.poster.now();
            Response::Reply(debate_views::speech_posted(&speech))
        }
        Action::DebateFlagged { debate, phase, speaker } => {
            let reference = SpeechRef { phase_index: phase, key: SlotKey::parse(&speaker) };
            let passage = forms::citations(&get("passage")).into_iter().next().unwrap_or_default();
            Response::Reply(debate_views::flagged(&app.debate_flag(guild, &debate, member, &reference, &passage, &get("reason")).await?))
        }
        Action::DebateBallotted { debate } => {
            Response::Reply(debate_views::ballot(&app.debate_ballot_typed(guild, &debate, member, &get("scores"), &get("winner"), &get("feedback")).await?))
        }
        Action::PromptAnswered { prompt } => {
            Response::Reply(debate_views::submitted(&app.prompt_submit(guild, member, &prompt, &get("answer"), &forms::citations(&get("citations"))).await?))
        }
        Action::ReviewMarked { answer } => {
            Response::Reply(debate_views::reviewed(&app.prompt_review_typed(guild, member, &answer, &get("marks"), &get("feedback")).await?))
        }
        _ => return Err(UserError::UnknownAction.into()),
    })
}

/// Posts the messages of a speech the outbox holds (the parts not posted by an earlier try).
pub(crate) async fn deliver_speech(http: &Http, app: &App, p: &Pending) -> std::result::Result<Option<String>, Failure> {
    let post = &p.post;
    let Some(channel) = poster::channel_of(p) else {
        return Err(Failure::Discord {
            why: format!("the channel id {:?} is not a Discord channel", post.channel_id.as_str()),
            for_good: true,
            rate_limited: false,
        });
    };
    let debate = DebateId::new(post.subject.clone());
    let phase = usize::try_from(post.number).unwrap_or(usize::MAX);
    let Some(view) = app.debate_speech_view(&post.guild_id, &debate, phase, &post.part).await? else { return Ok(None) };
    let mut posted: Vec<String> = p.message_id.as_deref().unwrap_or("").split(',').filter(|m| !m.is_empty()).map(str::to_string).collect();
    for part in debate_views::speech(&view).into_iter().skip(posted.len()) {
        match channel.send_message(http, reply::channel_message(Reply { ephemeral: false, ..part })).await {
            Ok(m) => posted.push(m.id.to_string()),
            Err(e) => {
                if !posted.is_empty() {
                    app.store().post_parts(post, &posted.join(",")).await.map_err(AppError::from)?;
                }
                return Err(e.into());
            }
        }
    }
    Ok(Some(posted.join(",")))
}

/// The notice for a speech that could not be posted; the speech is stored and counts.
pub(crate) async fn gave_up_speech(app: &App, p: &Pending, why: &str) -> Option<String> {
    let debate = DebateId::new(p.post.subject.clone());
    let phase = usize::try_from(p.post.number).unwrap_or(usize::MAX);
    let who = match app.debate_speech_view(&p.post.guild_id, &debate, phase, &p.post.part).await {
        Ok(Some(v)) => crate::text::display_name(&v.author_name),
        _ => "a speaker".to_string(),
    };
    Some(format!("I could not post the speech of {who} here ({why}). It is recorded and counts; the debate goes on."))
}
