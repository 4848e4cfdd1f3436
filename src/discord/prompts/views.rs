//! Argument prompts as Discord messages: the prompt with its Answer button, the private
//! receipt, the review queue with its Mark button, the marked answer and the feedback.
//!
//! Invariant: pure functions of the layer's views, checked against Discord's limits by the
//! test in `debate::views` with the longest text the layer accepts; student text is escaped
//! and split into numbered parts, never cut.

use crate::app::{PromptFeedbackView, PromptSubmitted, PromptView, ReviewQueueView};
use crate::bank::PromptKind;
use crate::discord::custom_id::Action;
use crate::discord::debate::views::{MESSAGE_ROOM, PIECE, button, card_field, field, name, split_text, text_messages};
use crate::discord::prompts::{PromptAction, ReviewAction};
use crate::discord::render::{ButtonStyle, Embed, Reply, colour, escape, limits, truncate};

/// `/feedback` when nothing of the student's has been reviewed.
pub fn no_feedback() -> Reply {
    Reply::notice("No answer of yours has been reviewed yet. Answer a prompt with `/prompt`; come back once your instructor has marked it.")
}

fn kind_name(k: PromptKind) -> &'static str {
    match k {
        PromptKind::Explain => "explain",
        PromptKind::Compare => "compare",
        PromptKind::Evaluate => "evaluate",
        PromptKind::Apply => "apply",
    }
}

/// A prompt, privately, with its suggested passages and the Answer button.
pub fn prompt(p: &PromptView) -> Reply {
    let rubric = p.rubric.iter().enumerate().map(|(i, r)| format!("{}. {}", i + 1, escape(r))).collect::<Vec<_>>().join("\n");
    let mut fields = vec![field("What a good answer does", rubric)];
    let budget = ((MESSAGE_ROOM - 1500) / p.suggested.len().max(1)).saturating_sub(160);
    fields.extend(p.suggested.iter().take(limits::FIELDS - 1).map(|c| card_field(c, budget)));
    let embed = Embed {
        title: Some(truncate(&format!("Prompt · {} · {}", kind_name(p.kind), p.topics.join(", ")), limits::TITLE)),
        description: Some(truncate(&escape(&p.task), limits::DESCRIPTION)),
        fields,
        footer: Some(format!("Answer in up to {} characters; cite passages by id. An instructor reviews it; /feedback shows the review.", p.max_chars)),
        colour: Some(colour::PAPER),
    };
    Reply {
        embeds: vec![embed],
        rows: vec![vec![button(Action::Prompt(PromptAction::Answer { prompt: p.prompt_id.clone() }), "Answer", ButtonStyle::Primary)]],
        ephemeral: true,
        ..Reply::default()
    }
}

/// The student's acknowledgement of an answer queued for review.
pub fn submitted(s: &PromptSubmitted) -> Reply {
    let cited = if s.citations.is_empty() {
        String::new()
    } else {
        let list = s
            .citations
            .iter()
            .map(|c| {
                if c.card.is_some() {
                    format!("`{}`", c.passage_id)
                } else {
                    format!("⚠️ `{}` (not a passage of the paper)", c.passage_id.replace('`', "'"))
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        format!("\nCited: {list}")
    };
    Reply::notice(format!("Your answer is in the review queue ({} waiting). Run `/feedback` once your instructor has reviewed it.{cited}", s.waiting))
}

/// The review queue, privately: how many wait, the oldest answer in full with its Mark
/// button, and the next few. An answer too long for the first message goes on, whole, in
/// the next ones ("part 2/2").
pub fn queue(q: &ReviewQueueView) -> Vec<Reply> {
    let Some(first) = q.answers.first() else {
        return vec![Reply::notice("No answer waits for review: students answer prompts with `/prompt`, and theirs appear here.")];
    };
    let rubric = first.rubric.iter().enumerate().map(|(i, r)| format!("{}. {}", i + 1, escape(r))).collect::<Vec<_>>().join("\n");
    let cited = first
        .citations
        .iter()
        .map(|c| if c.card.is_some() { format!("`{}`", c.passage_id) } else { format!("⚠️ `{}` (not in the bank)", c.passage_id.replace('`', "'")) })
        .collect::<Vec<_>>()
        .join(", ");
    let mut fields = vec![
        field("Task", truncate(&escape(&first.task), 700)),
        field(format!("Rubric: mark each line 0 to {}", first.top_mark), rubric),
        field("Cited", truncate(if cited.is_empty() { "nothing" } else { &cited }, 500)),
    ];
    let rest: Vec<String> =
        q.answers.iter().skip(1).map(|a| format!("{} on `{}` <t:{}:R>", name(&a.name), a.prompt_id, a.submitted_at.div_euclid(1000))).collect();
    if !rest.is_empty() {
        fields.push(field("Next in the queue", truncate(&rest.join("\n"), 500)));
    }
    let title =
        truncate(&format!("{} waiting · oldest: {} on `{}`", q.waiting, crate::discord::render::title_name(&first.name), first.prompt_id), limits::TITLE);
    let used = title.chars().count() + fields.iter().map(|f| f.name.chars().count() + f.value.chars().count()).sum::<usize>();
    let pieces = split_text(&escape(&first.body), (MESSAGE_ROOM - used).min(PIECE));
    let n = pieces.len();
    let mut out = vec![Reply {
        embeds: vec![Embed {
            title: Some(title),
            description: Some(if n > 1 { format!("{}\n*(continued below)*", pieces[0]) } else { pieces[0].clone() }),
            fields,
            colour: Some(colour::PAPER),
            ..Embed::default()
        }],
        rows: vec![vec![button(Action::Review(ReviewAction::Mark { answer: first.answer_id.clone() }), "Mark this answer", ButtonStyle::Primary)]],
        ephemeral: true,
        ..Reply::default()
    }];
    let more = split_text(&pieces[1..].concat(), PIECE);
    let m = more.len();
    if n > 1 {
        out.extend(more.into_iter().enumerate().map(|(i, piece)| Reply {
            embeds: vec![Embed {
                title: Some(format!("The answer, continued ({}/{m})", i + 1)),
                description: Some(piece),
                colour: Some(colour::PAPER),
                ..Embed::default()
            }],
            ephemeral: true,
            ..Reply::default()
        }));
    }
    out
}

fn marks_lines(f: &PromptFeedbackView) -> String {
    f.marks.iter().map(|(line, mark)| format!("{mark}/{} · {}", f.top_mark, escape(line))).collect::<Vec<_>>().join("\n")
}

/// The instructor's acknowledgement of a review.
pub fn reviewed(f: &PromptFeedbackView) -> Reply {
    Reply::notice(format!(
        "Marked {}'s answer: {}/{}, +{} points. They see the marks and your feedback privately with `/feedback`. `/review` shows the next answer.",
        name(&f.name),
        f.score,
        f.max_score,
        f.points
    ))
}

/// One reviewed answer as its student sees it, privately (split if the feedback is long).
pub fn feedback(f: &PromptFeedbackView) -> Vec<Reply> {
    let title = format!("Feedback on `{}` · {}/{} · +{} points", f.prompt_id, f.score, f.max_score, f.points);
    let text = format!(
        "**Task:** {}\n\n**Marks**\n{}\n\n**Feedback**\n{}",
        escape(&f.task),
        marks_lines(f),
        if f.feedback.is_empty() { "—".to_string() } else { escape(&f.feedback) }
    );
    text_messages(&title, &text, colour::OK).into_iter().map(|r| Reply { ephemeral: true, ..r }).collect()
}
