//! Debates and argument prompts as Discord messages: the debate's board for each phase with
//! its buttons, speeches with their evidence cards, the private cards, ballots, the release,
//! prompts, the review queue and feedback.
//!
//! Invariant: pure functions of the layer's views, checked against Discord's limits by a
//! test with the longest text the layer accepts. Student text is escaped and never cut:
//! what does not fit one message is split into numbered parts ("part 2/3"); only bank
//! quotes on cards may be shortened, visibly (`…`), since `/source` shows them whole.

use crate::app::{
    BallotView, CardsView, CitationView, CitedView, DebateView, FlagView, NoCards, PhaseView, ReleaseView, SpeakerScoreView, SpeechView, VoteView,
};
use crate::debate::{DecidedBy, Decision, Join, Phase, Poll, Side, Stance, Status};
use crate::discord::custom_id::Action;
use crate::discord::debate::DebateAction;
use crate::discord::render::{Button, ButtonStyle, Embed, Field, Reply, colour, escape, limits, truncate};
use crate::discord::views::countdown;

/// Room kept in one message's embeds below Discord's 6,000 characters.
pub(crate) const MESSAGE_ROOM: usize = 5800;
/// The longest piece of a split text (an embed description holds 4,096).
pub(crate) const PIECE: usize = 3900;

pub(crate) fn field(name: impl Into<String>, value: impl Into<String>) -> Field {
    let value = value.into();
    Field {
        name: truncate(&name.into(), limits::FIELD_NAME),
        value: truncate(if value.trim().is_empty() { "—" } else { &value }, limits::FIELD_VALUE),
        inline: false,
    }
}

pub(crate) fn button(action: Action, label: &str, style: ButtonStyle) -> Button {
    Button { custom_id: action.id(), label: truncate(label, limits::LABEL), style, disabled: false }
}

pub(crate) fn name(n: &str) -> String {
    escape(&crate::text::display_name(n))
}

fn side_name(side: Side) -> &'static str {
    side.title()
}

/// Splits `text` into pieces of at most `max` characters, at a line break or a space when
/// there is one in the second half of the piece; nothing is lost, nothing added.
pub fn split_text(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest: &str = text;
    while rest.chars().count() > max {
        let cut = rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i);
        let head = &rest[..cut];
        let half = rest.char_indices().nth(max / 2).map_or(0, |(i, _)| i);
        let mut at = head.rfind('\n').filter(|&i| i >= half).or_else(|| head.rfind(' ').filter(|&i| i >= half)).map_or(cut, |i| i + 1);
        // Never leave an escaping backslash at the end of a piece.
        while at > 1 && rest[..at].ends_with('\\') && !rest[..at].ends_with("\\\\") {
            at -= 1;
        }
        out.push(rest[..at].to_owned());
        rest = &rest[at..];
    }
    if !rest.is_empty() || out.is_empty() {
        out.push(rest.to_owned());
    }
    out
}

/// An evidence card: id, section and anchor, the quote (shortened to `budget` if needed).
pub(crate) fn card_field(c: &CitationView, budget: usize) -> Field {
    let source = c.source.as_deref().map(|s| format!(" ({})", escape(s))).unwrap_or_default();
    let quote = truncate(&c.quote, budget.clamp(80, limits::FIELD_VALUE - 8 - source.chars().count()));
    field(format!("{} · {} · {}", c.passage_id, c.section, c.anchor), format!("“{}”{source}", escape(&quote)))
}

fn cited_field(c: &CitedView, budget: usize) -> Field {
    match &c.card {
        Some(card) => card_field(card, budget),
        None => field(format!("⚠️ {}", c.passage_id), "Not a passage of the paper: the bank has no passage with this id."),
    }
}

/// Packs fields into as many embeds (one a message) as they need, each within the limits.
fn packed(title: &str, fields: Vec<Field>, colour: u32) -> Vec<Reply> {
    let mut out: Vec<Vec<Field>> = vec![Vec::new()];
    let mut used = 0;
    for f in fields {
        let size = f.name.chars().count() + f.value.chars().count();
        let last = out.last_mut().expect("one at least");
        if !last.is_empty() && (used + size > MESSAGE_ROOM - limits::TITLE || last.len() == limits::FIELDS) {
            out.push(Vec::new());
            used = 0;
        }
        used += size;
        out.last_mut().expect("one at least").push(f);
    }
    let n = out.len();
    out.into_iter()
        .enumerate()
        .map(|(i, fields)| {
            let title = if n > 1 { format!("{title} (part {}/{n})", i + 1) } else { title.to_owned() };
            Reply { embeds: vec![Embed { title: Some(truncate(&title, limits::TITLE)), fields, colour: Some(colour), ..Embed::default() }], ..Reply::default() }
        })
        .collect()
}

/// Text in as many messages as it needs, each numbered when there are several.
pub(crate) fn text_messages(title: &str, text: &str, colour: u32) -> Vec<Reply> {
    let pieces = split_text(text, PIECE);
    let n = pieces.len();
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            let title = if n > 1 { format!("{title} (part {}/{n})", i + 1) } else { title.to_owned() };
            Reply {
                embeds: vec![Embed { title: Some(truncate(&title, limits::TITLE)), description: Some(piece), colour: Some(colour), ..Embed::default() }],
                ..Reply::default()
            }
        })
        .collect()
}

fn seats_line(v: &DebateView, side: Side) -> String {
    let seats = if side == Side::Proposition { &v.proposition } else { &v.opposition };
    if seats.is_empty() {
        return "nobody yet".into();
    }
    let code = if side == Side::Proposition { 'P' } else { 'O' };
    seats.iter().map(|s| format!("{code}{} {}", s.number, name(&s.name))).collect::<Vec<_>>().join(" · ")
}

fn plan_line(v: &DebateView) -> String {
    v.plan
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let time = p.seconds.map_or_else(|| "instructor".to_string(), |s| if s % 60 == 0 { format!("{} min", s / 60) } else { format!("{s} s") });
            let title = if i == v.phase.index { format!("**{}**", p.phase.title()) } else { p.phase.title().to_string() };
            format!("{title} ({time})")
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// `/debate start`'s answer to the instructor: the debate is on, and how to run it.
pub fn started(v: &DebateView) -> Reply {
    Reply::notice(format!(
        "{} started. Students join with the buttons; `/debate advance` moves to the next phase, `/debate release` shows the result.",
        v.format_title
    ))
}

/// `/debate advance`'s answer: the phase now open.
pub fn advanced(v: &DebateView) -> Reply {
    Reply::notice(format!("Now: {}.", v.phase.title))
}

/// The sides and audience as they stand, privately, without the board's buttons
/// (`/debate assign`, `/debate balance`).
pub fn teams(v: &DebateView) -> Reply {
    let mut r = board(v);
    r.rows.clear();
    r.ephemeral = true;
    r
}

/// `/debate release`'s answer to the instructor.
pub fn released() -> Reply {
    Reply::notice("Released: the result is posted in the channel and the points are in the scores.")
}

/// `/debate cancel`'s answer to the instructor.
pub fn cancelled() -> Reply {
    Reply::notice("The debate is cancelled; nothing is awarded.")
}

/// The debate's board, posted in its channel when it starts and at each phase: the motion,
/// the phase with its countdown, the teams, the speaking order, and the buttons of the phase.
pub fn board(v: &DebateView) -> Reply {
    let d = v.debate_id.clone();
    let mut fields = Vec::new();
    if v.phase.index == 0 && !v.motion.info.is_empty() {
        fields.push(field("Info slide", escape(&v.motion.info)));
    }
    let phase_text = match (v.status, v.phase.deadline) {
        (Status::Released, _) => "The result is released.".to_string(),
        (Status::Cancelled, _) => "The instructor cancelled this debate.".to_string(),
        (_, Some(deadline)) => format!("Closes {}", countdown(deadline)),
        (_, None) => "Until the instructor moves on (`/debate advance`).".to_string(),
    };
    fields.push(field(format!("Now: {}", v.phase.title), phase_text));
    fields.push(field("Proposition", seats_line(v, Side::Proposition)));
    fields.push(field("Opposition", seats_line(v, Side::Opposition)));
    if v.audience > 0 || v.format.has_audience_vote() {
        fields.push(field("Audience", format!("{} member{}", v.audience, if v.audience == 1 { "" } else { "s" })));
    }
    if !v.slots.is_empty() {
        let order = v
            .slots
            .iter()
            .enumerate()
            .map(|(i, s)| {
                format!(
                    "{}. {}{}{}",
                    i + 1,
                    name(&s.name),
                    s.argues.map(|a| format!(" ({})", side_name(a))).unwrap_or_default(),
                    if s.given { " ✅" } else { "" }
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        fields.push(field("Speaking order", order));
    }
    if let Some((before, after)) = v.votes_cast {
        fields.push(field("Votes cast", format!("before: {before} · after: {after} (the split is shown at the release)")));
    }
    fields.push(field("Plan", plan_line(v)));
    let mut rows = Vec::new();
    if v.status == Status::Open {
        match v.phase.phase {
            Phase::SignUp => rows.push(vec![
                button(
                    Action::Debate(DebateAction::Join { debate: d.clone(), place: Join::Side(Side::Proposition) }),
                    "Join Proposition",
                    ButtonStyle::Success,
                ),
                button(Action::Debate(DebateAction::Join { debate: d.clone(), place: Join::Side(Side::Opposition) }), "Join Opposition", ButtonStyle::Danger),
                button(Action::Debate(DebateAction::Join { debate: d.clone(), place: Join::Either }), "Either side", ButtonStyle::Secondary),
                button(Action::Debate(DebateAction::Join { debate: d.clone(), place: Join::Audience }), "Audience", ButtonStyle::Secondary),
                button(Action::Debate(DebateAction::Cards { debate: d.clone() }), "My cards", ButtonStyle::Primary),
            ]),
            Phase::PreVote | Phase::PostVote => rows.push(vec![
                button(Action::Debate(DebateAction::Vote { debate: d.clone(), stance: Stance::Proposition }), "Vote Proposition", ButtonStyle::Success),
                button(Action::Debate(DebateAction::Vote { debate: d.clone(), stance: Stance::Opposition }), "Vote Opposition", ButtonStyle::Danger),
                button(Action::Debate(DebateAction::Vote { debate: d.clone(), stance: Stance::Undecided }), "Undecided", ButtonStyle::Secondary),
                button(Action::Debate(DebateAction::Cards { debate: d.clone() }), "My cards", ButtonStyle::Primary),
            ]),
            Phase::Judging => rows.push(vec![
                button(Action::Debate(DebateAction::Ballot { debate: d.clone() }), "Ballot", ButtonStyle::Primary),
                button(Action::Debate(DebateAction::Flags { debate: d.clone() }), "Flags", ButtonStyle::Secondary),
            ]),
            p if p.is_speech() => rows.push(vec![
                button(Action::Debate(DebateAction::Speak { debate: d.clone(), phase: v.phase.index }), "Speak", ButtonStyle::Primary),
                button(Action::Debate(DebateAction::Cards { debate: d.clone() }), "My cards", ButtonStyle::Secondary),
            ]),
            _ => {}
        }
    }
    let embed = Embed {
        title: Some(truncate(&format!("{} · {}", v.format_title, crate::discord::render::unmention(&v.motion.text)), limits::TITLE)),
        description: Some(truncate(&format!("**{}**", escape(&v.motion.text)), limits::DESCRIPTION)),
        fields,
        footer: Some(format!("Debate {} · {}", v.debate_id, v.phase.title)),
        colour: Some(colour::PAPER),
    };
    Reply { embeds: vec![embed], rows, ..Reply::default() }
}

/// A board that the board of a later phase replaced, as it is edited then: the phase it
/// was for, closed, with its buttons disabled and no countdown, pointing to the newest board.
pub fn past_board(v: &DebateView, phase_index: usize) -> Reply {
    let Some(planned) = v.plan.get(phase_index) else {
        let mut r = board(v);
        r.rows.clear();
        return r;
    };
    let title = planned.phase.title();
    let then = DebateView {
        phase: PhaseView { index: phase_index, phase: planned.phase, title: title.to_owned(), opened_at: 0, deadline: None, next: None },
        status: crate::debate::Status::Open,
        slots: Vec::new(),
        ..v.clone()
    };
    let mut r = board(&then);
    let now = match v.status {
        Status::Open => format!("The debate is now in {}: use the newest board below.", v.phase.title),
        Status::Released => "The result is released.".to_string(),
        Status::Cancelled => "The instructor cancelled this debate.".to_string(),
    };
    for e in &mut r.embeds {
        for f in &mut e.fields {
            if f.name.starts_with("Now: ") {
                *f = field(format!("{title} (closed)"), now.clone());
            }
        }
        e.footer = Some(format!("Debate {} · {title} (closed)", v.debate_id));
    }
    for b in r.rows.iter_mut().flatten() {
        b.disabled = true;
    }
    r
}

/// The card flags `v` shows its viewer, privately: the judge (an instructor) every flag
/// with who raised it, to read before and while filling in the ballot; a student their own.
pub fn flags(v: &DebateView) -> Reply {
    if v.flags.is_empty() {
        return Reply::notice(if v.you.instructor {
            "No card has been flagged in this debate."
        } else {
            "You have flagged no card in this debate. Only the judge sees the flags of others; the release lists the flagged cards without names."
        });
    }
    let lines = v
        .flags
        .iter()
        .map(|f| {
            let by = if v.you.instructor { format!(" · flagged by {}", name(&f.by_name)) } else { String::new() };
            format!("`{}` in {}'s speech ({}){by}: {}", f.passage_id.replace('`', "'"), name(&f.speaker_name), f.phase, escape(&f.reason))
        })
        .collect::<Vec<_>>()
        .join("\n");
    let (title, footer) = if v.you.instructor {
        ("Cards flagged for the judge", "Only you see who flagged; the release lists the cards and reasons without names.")
    } else {
        ("Your flags", "Only you and the judge see that you flagged these.")
    };
    let mut fields: Vec<Field> = split_text(&lines, limits::FIELD_VALUE).into_iter().map(|piece| field(format!("{} flagged", v.flags.len()), piece)).collect();
    fields.truncate(limits::FIELDS);
    let mut embed = Embed { title: Some(title.into()), fields, footer: Some(footer.into()), colour: Some(colour::PAPER), ..Embed::default() };
    while embed.total_chars() > MESSAGE_ROOM && embed.fields.len() > 1 {
        embed.fields.pop();
    }
    Reply { embeds: vec![embed], ephemeral: true, ..Reply::default() }
}

/// The private answer to a Join button: where the member now is.
pub fn joined(v: &DebateView) -> Reply {
    let place = match (v.you.team, v.you.audience) {
        (Some(team), _) => format!("You speak for the **{}**. Press **My cards** for your side's evidence.", side_name(team)),
        (None, true) => "You are in the audience: you vote before and after the speeches.".to_string(),
        (None, false) => "You have no place in this debate.".to_string(),
    };
    Reply::notice(format!(
        "{place}\nProposition: {}\nOpposition: {}\nAudience: {}",
        seats_line(v, Side::Proposition),
        seats_line(v, Side::Opposition),
        v.audience
    ))
}

/// A member's evidence cards, privately.
pub fn cards(c: &CardsView) -> Reply {
    match c.none {
        Some(NoCards::NotSeated) => {
            return Reply::notice("You hold no evidence cards in this debate (the audience has none; take a seat on a side to get them).");
        }
        Some(NoCards::MotionHasNone) => {
            return Reply::notice(
                "This debate's motion was written for it and gives your side no evidence cards: cite passages of the paper by id in your speech (`/source` finds them).",
            );
        }
        None => {}
    }
    let count: usize = c.sides.iter().map(|(_, cards)| cards.len()).sum::<usize>().max(1);
    let budget = ((MESSAGE_ROOM - 600) / count).saturating_sub(160);
    let mut embeds: Vec<Embed> = c
        .sides
        .iter()
        .filter(|(_, cards)| !cards.is_empty())
        .map(|(side, cards)| Embed {
            title: Some(format!("Your evidence cards · {}", side_name(*side))),
            fields: cards.iter().take(limits::FIELDS).map(|card| card_field(card, budget)).collect(),
            colour: Some(colour::PAPER),
            ..Embed::default()
        })
        .collect();
    if let Some(last) = embeds.last_mut() {
        last.footer = Some(format!(
            "Cite them by id in your speech.{} /source shows a passage whole.",
            if c.missing.is_empty() { String::new() } else { format!(" No longer in the bank: {}.", c.missing.join(", ")) }
        ));
    }
    embeds.truncate(limits::EMBEDS);
    Reply { embeds, ephemeral: true, ..Reply::default() }
}

/// A speech as posted in the channel: its text (split if long), then each cited passage as
/// an evidence card, a citation not in the bank flagged; the last message carries the
/// opponents' "Flag a card" button when it cites anything.
pub fn speech(s: &SpeechView) -> Vec<Reply> {
    let side = s.argues.map_or_else(|| "joint statement".to_string(), |a| side_name(a).to_string());
    let title = format!("{} · {} · {}", s.phase.title(), side, crate::discord::render::title_name(&s.author_name));
    let text = format!("**{}**\n\n{}", escape(&s.claim), escape(&s.reasoning));
    let mut out = text_messages(&title, &text, colour::PAPER);
    if !s.citations.is_empty() {
        let budget = MESSAGE_ROOM / s.citations.len().max(1) - 80;
        let fields = s.citations.iter().map(|c| cited_field(c, budget)).collect();
        out.extend(packed(&format!("Evidence cited by {}", crate::discord::render::title_name(&s.author_name)), fields, colour::PAPER));
        let speaker = s.reference.key.clone();
        if let Some(last) = out.last_mut() {
            last.rows.push(vec![button(
                Action::Debate(DebateAction::Flag { debate: s.debate_id.clone(), phase: s.reference.phase_index, speaker }),
                "Flag a card",
                ButtonStyle::Secondary,
            )]);
        }
    }
    out
}

/// The speaker's private acknowledgement.
pub fn speech_posted(s: &SpeechView) -> Reply {
    let flagged: Vec<&str> = s.citations.iter().filter(|c| c.card.is_none()).map(|c| c.passage_id.as_str()).collect();
    let warn = if flagged.is_empty() {
        String::new()
    } else {
        format!(
            "\n⚠️ Not passages of the paper, and shown as such: {}",
            flagged.iter().map(|f| format!("`{}`", f.replace('`', "'"))).collect::<Vec<_>>().join(", ")
        )
    };
    Reply::notice(format!("Your speech ({}) is given, and posted in the channel for everyone.{warn}", s.phase.title()))
}

/// The flagger's private acknowledgement (the judge sees flags; the class does not).
pub fn flagged(f: &FlagView) -> Reply {
    Reply::notice(format!("Flagged `{}` as misused, for the judge: “{}”.", f.passage_id.replace('`', "'"), escape(&f.reason)))
}

/// The voter's private acknowledgement.
pub fn voted(v: &VoteView) -> Reply {
    let stance = match v.stance {
        Stance::Proposition => "the proposition",
        Stance::Opposition => "the opposition",
        Stance::Undecided => "undecided",
    };
    let poll = match v.poll {
        Poll::Before => "before",
        Poll::After => "after",
    };
    Reply::notice(format!("Your vote {poll} the speeches: **{stance}**. {} voted so far; a new click changes your vote.", v.votes_cast))
}

fn score_line(s: &SpeakerScoreView) -> String {
    let scores = s.scores.iter().map(u8::to_string).collect::<Vec<_>>().join(" ");
    let points = if s.points > 0 { format!(" · +{} points", s.points) } else { String::new() };
    format!("{} ({}): {scores} = **{}/{}**{points}", name(&s.name), side_name(s.team), s.total, s.max_total)
}

/// A ballot, for its judge (or, after the release, for the class).
pub fn ballot(b: &BallotView) -> Reply {
    let kind = if b.official { "Official ballot" } else { "Shadow ballot (it does not count)" };
    let mut lines = vec![format!("Criteria: {}", b.criteria.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" · "))];
    lines.extend(b.speakers.iter().map(score_line));
    if let Some(w) = b.winner {
        lines.push(format!("Winner: **{}**", side_name(w)));
    }
    let mut fields = vec![field("Scores", lines.join("\n"))];
    if !b.feedback.is_empty() {
        // The judge's own copy: cut visibly if it cannot fit; the release shows it whole.
        let room = MESSAGE_ROOM - 400 - fields.iter().map(|f| f.name.chars().count() + f.value.chars().count()).sum::<usize>();
        let shown = truncate(&escape(&b.feedback), room);
        fields.extend(
            split_text(&shown, limits::FIELD_VALUE)
                .into_iter()
                .enumerate()
                .map(|(i, f)| field(if i == 0 { "Feedback".to_string() } else { format!("Feedback (part {})", i + 1) }, f)),
        );
    }
    fields.truncate(limits::FIELDS);
    let embed = Embed {
        title: Some(kind.into()),
        fields,
        footer: Some(if b.official {
            "Nothing is shown to the class until /debate release.".into()
        } else {
            "You see how the judge scored after the release.".into()
        }),
        colour: Some(colour::PAPER),
        ..Embed::default()
    };
    Reply { embeds: vec![embed], ephemeral: true, ..Reply::default() }
}

/// Ballots a member may see, privately.
pub fn ballots(list: &[BallotView]) -> Reply {
    if list.is_empty() {
        return Reply::notice("No ballot is in yet.");
    }
    let mut embeds: Vec<Embed> = Vec::new();
    for b in list.iter().take(limits::EMBEDS) {
        let mut e = ballot(b).embeds.remove(0);
        e.footer = None;
        if embeds.iter().map(Embed::total_chars).sum::<usize>() + e.total_chars() > MESSAGE_ROOM {
            break;
        }
        embeds.push(e);
    }
    Reply { embeds, ephemeral: true, ..Reply::default() }
}

fn cards_list(cards: &[CitationView]) -> String {
    if cards.is_empty() { "none".into() } else { cards.iter().map(|c| format!("`{}` ({})", c.passage_id, c.anchor)).collect::<Vec<_>>().join(", ") }
}

/// The released result, posted in the channel: the decision, the swing, the speaker scores,
/// the feedback and the evidence map (in as many messages as it needs).
pub fn release(r: &ReleaseView) -> Vec<Reply> {
    let totals = format!("(Proposition {}, Opposition {})", r.proposition_total, r.opposition_total);
    let level = if r.swing.is_some() { "the vote's swing was level, " } else { "" };
    let decision = match r.decision {
        Decision::Won { side, by: DecidedBy::Audience } => format!("**{}** wins: it gained more of the audience's vote.", side_name(side)),
        Decision::Won { side, by: DecidedBy::Judge } => format!("**{}** wins: {level}the judge picked it on the ballot.", side_name(side)),
        Decision::Won { side, by: DecidedBy::Totals } => {
            format!("**{}** wins on the judge's rubric totals {totals}: {level}no winner was picked.", side_name(side))
        }
        Decision::Draw => format!("A draw: {level}no winner was picked and the judge's rubric totals are equal {totals}."),
        Decision::Consensus => "Consensus: the group wrote a joint statement; nobody wins a controversy.".into(),
    };
    let mut fields = vec![field("Result", decision)];
    if let Some(s) = r.swing {
        let poll = |p: &crate::debate::PollTally| format!("{} for, {} against, {} undecided", p.proposition, p.opposition, p.undecided);
        fields.push(field(
            "Audience vote",
            format!(
                "Before: {}\nAfter: {}\nSwing (change in each side's share of the vote): Proposition {:+.0} percentage points, Opposition {:+.0} percentage points",
                poll(&s.before),
                poll(&s.after),
                s.gain(Side::Proposition),
                s.gain(Side::Opposition)
            ),
        ));
    }
    let criteria = r.criteria.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" · ");
    let mut scores = vec![format!("Criteria: {criteria}")];
    scores.extend(r.speakers.iter().map(score_line));
    scores.push(format!("Team totals: Proposition {} · Opposition {}", r.proposition_total, r.opposition_total));
    for (i, piece) in split_text(&scores.join("\n"), limits::FIELD_VALUE).into_iter().enumerate() {
        fields.push(field(if i == 0 { "Speaker scores".to_string() } else { format!("Speaker scores (part {})", i + 1) }, piece));
    }
    if !r.feedback.is_empty() {
        for (i, piece) in split_text(&escape(&r.feedback), limits::FIELD_VALUE).into_iter().enumerate() {
            fields.push(field(if i == 0 { "Judge's feedback".to_string() } else { format!("Judge's feedback (part {})", i + 1) }, piece));
        }
    }
    let e = &r.evidence;
    let mut map = vec![format!("Proposition cited: {}", cards_list(&e.proposition)), format!("Opposition cited: {}", cards_list(&e.opposition))];
    if !e.joint.is_empty() {
        map.push(format!("Joint statement cited: {}", cards_list(&e.joint)));
    }
    map.push(format!(
        "Strong passages nobody used: {}",
        if e.unused.is_empty() {
            "none".to_string()
        } else {
            e.unused.iter().map(|(side, c)| format!("`{}` ({}, {})", c.passage_id, c.anchor, side_name(*side))).collect::<Vec<_>>().join(", ")
        }
    ));
    if !e.not_in_bank.is_empty() {
        map.push(format!(
            "⚠️ Cited but not in the paper: {}",
            e.not_in_bank.iter().map(|i| format!("`{}`", i.replace('`', "'"))).collect::<Vec<_>>().join(", ")
        ));
    }
    for (i, piece) in split_text(&map.join("\n"), limits::FIELD_VALUE).into_iter().enumerate() {
        fields.push(field(if i == 0 { "Evidence map (in the paper's order)".to_string() } else { format!("Evidence map (part {})", i + 1) }, piece));
    }
    if !r.flags.is_empty() {
        let flags = r
            .flags
            .iter()
            .map(|f| format!("`{}` in {}'s speech ({}): {}", f.passage_id.replace('`', "'"), name(&f.speaker_name), f.phase, escape(&f.reason)))
            .collect::<Vec<_>>()
            .join("\n");
        for piece in split_text(&flags, limits::FIELD_VALUE) {
            fields.push(field("Cards flagged as misused", piece));
        }
    }
    if r.shadow.ballots > 0 {
        fields.push(field(
            "Shadow judges",
            format!(
                "{} ballots: {} for the proposition, {} for the opposition; {} agreed with the result.",
                r.shadow.ballots, r.shadow.for_proposition, r.shadow.for_opposition, r.shadow.agreed
            ),
        ));
    }
    if !r.awards.is_empty() {
        let awards = r.awards.iter().map(|a| format!("{} +{}", name(&a.name), a.points)).collect::<Vec<_>>().join(" · ");
        for piece in split_text(&awards, limits::FIELD_VALUE) {
            fields.push(field("Points", piece));
        }
    }
    let title = format!("{}: {}", if r.preview { "Preview (not released)" } else { "Result" }, crate::discord::render::unmention(&r.motion.text));
    packed(&truncate(&title, 200), fields, colour::OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{
        AwardView, EvidenceMapView, MotionView, PromptFeedbackView, PromptView, QueuedAnswerView, ReleasedFlagView, ReviewQueueView, SeatView, SlotView,
        YourPart,
    };
    use crate::debate::{Format, PlannedPhase, PollTally, ShadowSummary, SlotKey, SpeechRef, Swing};
    use crate::discord::prompts::views::{feedback, prompt, queue, reviewed};
    use crate::ids::{ChannelId, DebateId, SubmissionId, UserId};

    fn fits(what: &str, r: &Reply) {
        assert_eq!(r.problems(), Vec::<String>::new(), "{what}");
        for row in &r.rows {
            for b in row {
                assert!(Action::parse(&b.custom_id).is_some(), "{what}: {}", b.custom_id);
            }
        }
    }

    fn bank() -> crate::bank::Bank {
        crate::bank::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/questions")), None).expect("the bundled bank loads")
    }

    fn longest_cards(bank: &crate::bank::Bank, n: usize) -> Vec<CitationView> {
        let mut all: Vec<CitationView> = bank.passages.iter().filter_map(|p| crate::app::view::passage_view(bank, &p.id)).collect();
        all.sort_by_key(|c| std::cmp::Reverse(c.quote.chars().count()));
        all.into_iter().take(n).collect()
    }

    const WIDE: &str = "界";

    #[test]
    fn split_text_keeps_every_character_and_respects_the_limit() {
        for text in ["", "short", &"word ".repeat(2000), &"x".repeat(9000), &format!("{}\n{}", "a".repeat(3000), "b".repeat(3000)), &"\\*".repeat(3000)] {
            let pieces = split_text(text, 1000);
            assert_eq!(pieces.concat(), text);
            assert!(pieces.iter().all(|p| p.chars().count() <= 1000));
        }
    }

    #[test]
    fn every_debate_and_prompt_message_fits_discord_with_the_longest_text() {
        let bank = bank();
        let debate = DebateId::from("d19ab2f3c4d5e1234");
        let long_name = WIDE.repeat(40);
        let seats = |team: Side| {
            (1..=5)
                .map(|n| SeatView { user_id: UserId::new(format!("{}", 10_000_000_000_000_000_000u64 + n as u64)), name: long_name.clone(), team, number: n })
                .collect::<Vec<_>>()
        };
        let cards = longest_cards(&bank, 10);
        for phase in Phase::ALL {
            let view = DebateView {
                debate_id: debate.clone(),
                channel_id: ChannelId::from("1"),
                thread_id: None,
                format: Format::Oxford { per_side: 5 },
                format_title: Format::Oxford { per_side: 5 }.title(),
                status: Status::Open,
                motion: MotionView { id: None, text: "M".repeat(300), info: "\\*".repeat(1000) },
                phase: PhaseView { index: 0, phase, title: phase.title().into(), opened_at: 0, deadline: Some(1_800_000_000_000), next: None },
                plan: Format::Oxford { per_side: 5 }.phases().iter().map(|&phase| PlannedPhase { phase, seconds: Some(604_800) }).collect(),
                proposition: seats(Side::Proposition),
                opposition: seats(Side::Opposition),
                audience: usize::MAX,
                slots: (0..10).map(|_| SlotView { speaker: None, name: long_name.clone(), argues: Some(Side::Opposition), given: true }).collect(),
                speeches: Vec::new(),
                votes_cast: Some((usize::MAX, usize::MAX)),
                ballot_in: false,
                flags: Vec::new(),
                you: YourPart { team: Some(Side::Proposition), ..YourPart::default() },
            };
            fits(&format!("board {phase:?}"), &board(&view));
            fits("joined", &joined(&view));
        }
        fits(
            "cards",
            &super::cards(&CardsView {
                debate_id: debate.clone(),
                sides: vec![(Side::Proposition, cards.clone()), (Side::Opposition, cards.clone())],
                missing: vec!["x".repeat(64); 10],
                none: None,
            }),
        );
        let mut citations: Vec<CitedView> = cards.iter().map(|c| CitedView { passage_id: c.passage_id.clone(), card: Some(c.clone()) }).collect();
        citations[9] = CitedView { passage_id: "x".repeat(300), card: None };
        let s = SpeechView {
            debate_id: debate.clone(),
            reference: SpeechRef { phase_index: 3, key: SlotKey::Speaker(UserId::from("18446744073709551615")) },
            phase: Phase::Rebuttal,
            author: UserId::from("1"),
            author_name: long_name.clone(),
            argues: Some(Side::Opposition),
            claim: "*".repeat(300),
            reasoning: "*_".repeat(2000),
            citations,
            submitted_at: 0,
        };
        let posted = speech(&s);
        assert!(posted.len() >= 3, "a long speech goes on over several messages, none dropped");
        let text: String = posted
            .iter()
            .take_while(|r| r.embeds[0].title.as_deref().is_some_and(|t| !t.starts_with("Evidence")))
            .map(|r| r.embeds[0].description.clone().unwrap())
            .collect();
        assert_eq!(text, format!("**{}**\n\n{}", escape(&s.claim), escape(&s.reasoning)), "every character of the speech is posted");
        for (i, r) in posted.iter().enumerate() {
            fits(&format!("speech part {i}"), r);
        }
        assert!(posted.iter().any(|r| r.embeds[0].fields.iter().any(|f| f.name.starts_with("⚠️") && f.value.contains("Not a passage of the paper"))));
        fits("speech posted", &speech_posted(&s));
        let speaker = |_| SpeakerScoreView {
            user_id: UserId::from("1"),
            name: long_name.clone(),
            team: Side::Proposition,
            scores: vec![10; 8],
            total: 80,
            max_total: 80,
            points: i64::MAX,
        };
        let b = BallotView {
            debate_id: debate.clone(),
            judge: UserId::from("1"),
            official: true,
            criteria: vec!["C".repeat(45); 8],
            speakers: (0..10).map(speaker).collect(),
            winner: Some(Side::Opposition),
            feedback: "*".repeat(4000),
            submitted_at: 0,
        };
        fits("ballot", &ballot(&b));
        fits("ballots", &ballots(&vec![b.clone(); 12]));
        let unused = cards.iter().map(|c| (Side::Proposition, c.clone())).collect();
        let r = ReleaseView {
            debate_id: debate.clone(),
            motion: MotionView { id: None, text: "M".repeat(300), info: String::new() },
            format: Format::Oxford { per_side: 5 },
            decision: Decision::Won { side: Side::Proposition, by: DecidedBy::Audience },
            swing: Some(Swing {
                before: PollTally { proposition: 1, opposition: 2, undecided: 3 },
                after: PollTally { proposition: 3, opposition: 2, undecided: 1 },
            }),
            criteria: vec!["C".repeat(45); 8],
            speakers: (0..10).map(speaker).collect(),
            proposition_total: u32::MAX,
            opposition_total: u32::MAX,
            feedback: "*".repeat(4000),
            evidence: EvidenceMapView {
                proposition: cards.clone(),
                opposition: cards.clone(),
                joint: cards.clone(),
                unused,
                not_in_bank: vec!["x".repeat(300); 10],
            },
            flags: (0..20)
                .map(|_| ReleasedFlagView {
                    passage_id: "x".repeat(64),
                    phase: "Opening speeches".into(),
                    speaker_name: long_name.clone(),
                    reason: "*".repeat(300),
                })
                .collect(),
            shadow: ShadowSummary { ballots: u32::MAX, for_proposition: u32::MAX, for_opposition: u32::MAX, agreed: u32::MAX },
            awards: (0..30).map(|_| AwardView { user_id: UserId::from("1"), name: long_name.clone(), points: i64::MAX }).collect(),
            preview: false,
        };
        let released = release(&r);
        for (i, m) in released.iter().enumerate() {
            fits(&format!("release part {i}"), m);
        }
        assert!(released.iter().any(|m| m.embeds[0].fields.iter().any(|f| f.value.contains("Proposition +33 percentage points"))), "{released:#?}");
        // A level swing and no pick: the release says the judge's totals decided, or why it is a draw.
        let result_of = |decision: Decision, p: u32, o: u32| {
            let view = ReleaseView { decision, proposition_total: p, opposition_total: o, ..r.clone() };
            release(&view)[0].embeds[0].fields[0].value.clone()
        };
        assert_eq!(
            result_of(Decision::Won { side: Side::Opposition, by: DecidedBy::Totals }, 28, 31),
            "**Opposition** wins on the judge's rubric totals (Proposition 28, Opposition 31): the vote's swing was level, no winner was picked."
        );
        assert_eq!(
            result_of(Decision::Draw, 30, 30),
            "A draw: the vote's swing was level, no winner was picked and the judge's rubric totals are equal (Proposition 30, Opposition 30)."
        );
        for p in &bank.prompts {
            let view = PromptView {
                prompt_id: p.id.clone(),
                kind: p.kind,
                task: p.task.clone(),
                topics: p.topics.clone(),
                rubric: p.rubric.clone(),
                suggested: p.passages.iter().filter_map(|id| crate::app::view::passage_view(&bank, id)).collect(),
                max_chars: 4000,
            };
            fits(&format!("prompt {}", p.id), &prompt(&view));
        }
        let answer = |n: usize| QueuedAnswerView {
            answer_id: SubmissionId::from("a19ab2f3c4d5e1234"),
            user_id: UserId::from("1"),
            name: long_name.clone(),
            prompt_id: "p".repeat(64),
            task: "T".repeat(1000),
            rubric: vec!["R".repeat(200); 6],
            top_mark: 3,
            body: "*".repeat(4000 - n),
            citations: vec![CitedView { passage_id: "x".repeat(64), card: None }; 10],
            submitted_at: 0,
        };
        let shown = queue(&ReviewQueueView { waiting: u64::MAX, answers: (0..5).map(answer).collect() });
        assert!(shown.len() >= 2, "a long answer goes on in a second message");
        for m in &shown {
            fits("queue", m);
        }
        let f = PromptFeedbackView {
            answer_id: SubmissionId::from("a1"),
            user_id: UserId::from("1"),
            name: long_name,
            prompt_id: "p".repeat(64),
            task: "T".repeat(1000),
            marks: vec![("R".repeat(200), 3); 6],
            top_mark: 3,
            score: 18,
            max_score: 18,
            points: i64::MAX,
            feedback: "*".repeat(4000),
            reviewed_at: 0,
            delivered: false,
        };
        let shown = feedback(&f);
        assert!(shown.len() >= 2, "long feedback is split, not cut");
        for m in &shown {
            fits("feedback", m);
            assert!(m.ephemeral);
        }
        fits("reviewed", &reviewed(&f));
        fits("voted", &voted(&VoteView { poll: Poll::After, stance: Stance::Undecided, votes_cast: usize::MAX }));
    }
}
