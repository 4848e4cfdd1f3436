//! Debates and prompts as a class meets them in Discord: the real `agora serve` against the
//! stand-in. A whole Oxford debate (six speakers, an audience of four, an instructor) from
//! `/debate start` to `/debate release`, with the votes, a made-up citation flagged, an
//! opponent's flag, a late speech refused, a student refused the instructor's moves and the
//! ballots, `kill -9` in the middle of the speeches (and a quick debate's sign-up timer that
//! fires after the restart); then a prompt answered, reviewed and scored, its feedback
//! fetched privately; the points in `/score`; a structured academic controversy with its
//! side swap and joint statement.

use crate::support;

use std::time::Duration;

use serde_json::{Value, json};
use support::bot::{Bot, BotConfig};
use support::discord::{Message, Sent, StandIn, User};

/// poise's choice index of the Oxford format (see `FormatChoice`).
const OXFORD: u64 = 1;
const MOTION: &str = "alliance-in-all-but-name";

fn speaker(n: u64) -> User {
    User::student(5000 + n, &format!("speaker{n}"))
}

fn voter(n: u64) -> User {
    User::student(6000 + n, &format!("voter{n}"))
}

/// The ephemeral text a user got back for an interaction.
async fn private(discord: &StandIn, sent: &Sent) -> String {
    let m = discord.response(sent).await;
    assert!(m.ephemeral(), "{}: only its user sees this: {}", sent.label, m.text());
    m.text()
}

/// The newest debate board in the channel for the phase titled `phase`.
async fn board(discord: &StandIn, channel: u64, phase: &str) -> Message {
    let now = format!("Now: {phase}");
    discord
        .wait_for(Duration::from_secs(10), |v| v.messages().filter(|m| m.channel_id == channel && !m.ephemeral() && m.text().contains(&now)).last().cloned())
        .await
        .unwrap_or_else(|| panic!("no board for {phase}: {:#?}", discord.messages(channel)))
}

/// Clicks `button` on `message` and returns the modal's custom_id and data.
async fn open_modal(discord: &StandIn, who: &User, message: &Message, button: &str) -> (String, Value) {
    let id = message.button_id(button).unwrap_or_else(|| panic!("a {button} button on {}", message.text()));
    let sent = discord.click(who, message.id, &id).await;
    let cb = discord.callback(&sent).await;
    assert_eq!(cb.kind, 9, "{button} opens a modal for {}: {:?}", who.name, cb.data);
    (cb.data["custom_id"].as_str().unwrap().to_string(), cb.data)
}

/// `who` gives a speech through the Speak button of `board`.
async fn speak(discord: &StandIn, who: &User, board: &Message, claim: &str, cited: &str) -> String {
    let (modal, _) = open_modal(discord, who, board, "Speak").await;
    let reasoning = format!("According to the paper, {claim}. @everyone <@1> should not be pinged.");
    let sent = discord.submit_modal(who, board.channel_id, &modal, &[("claim", claim), ("reasoning", &reasoning), ("citations", cited)], Some(board.id)).await;
    private(discord, &sent).await
}

async fn vote(discord: &StandIn, who: &User, board: &Message, button: &str) {
    let sent = discord.click(who, board.id, &board.button_id(button).unwrap()).await;
    assert!(private(discord, &sent).await.contains("Your vote"));
}

fn prof() -> User {
    User::instructor(2001, "prof")
}

/// The instructor's `/debate advance` in `channel`, answered.
async fn advance(discord: &StandIn, channel: u64) {
    discord.response(&discord.slash(&prof(), channel, "debate advance", json!({})).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_class_debates_and_answers_prompts_in_discord() {
    let discord = StandIn::start().await;
    let mut bot = Bot::start(&discord, BotConfig { guild: Some(discord.guild), ..BotConfig::default() });
    discord.wait_ready(Some(discord.guild)).await;
    let (signup, timed) = start_an_oxford_debate_and_a_timed_quick_one(&discord).await;
    sign_up_three_a_side_and_an_audience_of_four(&discord, &signup).await;
    vote_before_the_speeches(&discord).await;
    give_the_opening_speeches_with_a_flag_and_a_late_one(&discord).await;
    give_rebuttals_across_a_kill_9_then_closings(&discord, &mut bot).await;
    vote_after_the_speeches(&discord).await;
    judge_with_a_shadow_and_an_official_ballot(&discord).await;
    release_the_result_into_score_and_the_gradebook(&discord).await;
    answer_review_and_read_back_a_prompt(&discord).await;
    run_a_structured_academic_controversy(&discord).await;
    the_timed_sign_up_closes_after_the_restart(&discord, timed).await;
    nothing_pinged_and_every_interaction_was_answered(&discord).await;
    bot.signal("TERM");
    assert!(bot.wait_exit(Duration::from_secs(10)).await.success(), "{}", bot.logs());
}

/// `/debate start`: an Oxford debate in the class channel, by the bank's motion (a student may
/// not start one), and a quick 1 v 1 in a channel of its own whose sign-up is left to its
/// timer. Returns the Oxford sign-up board and the quick debate's channel.
async fn start_an_oxford_debate_and_a_timed_quick_one(discord: &StandIn) -> (Message, u64) {
    let prof = prof();
    let channel = discord.channel;
    // ── Setup: the motion from the bank by autocomplete; a student may not start one.
    let choices = discord.autocomplete(&prof, channel, "debate start", "motion", "alliance").await;
    assert!(choices.iter().any(|(_, v)| v == MOTION), "{choices:?}");
    // Generated motions stand beside the written ones, marked.
    let generated = discord.autocomplete(&prof, channel, "debate start", "motion", "will matter more").await;
    assert!(
        !generated.is_empty() && generated.iter().all(|(name, v)| name.starts_with("(generated) This House believes that") && v.starts_with("gen-motion-")),
        "{generated:?}"
    );
    let first = discord.autocomplete(&prof, channel, "debate start", "motion", "").await;
    assert!(first.iter().any(|(name, _)| name.starts_with("(generated)")) && first.iter().any(|(_, v)| v == MOTION), "{first:?}");
    let sent = discord.slash(&speaker(1), channel, "debate start", json!({"motion": MOTION, "format": OXFORD})).await;
    assert!(private(discord, &sent).await.contains("Only an instructor"));
    let sent = discord.slash(&prof, channel, "debate start", json!({"motion": MOTION, "format": OXFORD, "per_side": 3})).await;
    assert!(private(discord, &sent).await.contains("Oxford debate"));
    let signup = board(discord, channel, "Sign-up").await;
    // Beside it, a quick 1 v 1 whose sign-up is left to its timer, across the restart below.
    let timed = discord.add_channel(discord.guild, "timed");
    let sent = discord.slash(&prof, timed, "debate start", json!({"motion": "Trade matters more than arms.", "format": 0, "signup_seconds": 30})).await;
    assert!(private(discord, &sent).await.contains("Quick debate (1 v 1)"));
    let timed_signup = board(discord, timed, "Sign-up").await;
    assert!(timed_signup.text().contains("Closes <t:"), "a countdown: {}", timed_signup.text());
    for n in [7, 8] {
        let sent = discord.click(&speaker(n), timed_signup.id, &timed_signup.button_id("Either side").unwrap()).await;
        assert!(private(discord, &sent).await.contains("You speak for the"));
    }
    assert!(signup.text().contains("alliance in all but name") && signup.text().contains("Info slide"), "{}", signup.text());
    (signup, timed)
}

/// Three speakers a side, four in the audience, cards shown privately; only the instructor
/// moves the debate on.
async fn sign_up_three_a_side_and_an_audience_of_four(discord: &StandIn, signup: &Message) {
    let channel = discord.channel;
    // ── Sign-up: three a side, four in the audience; cards privately.
    for n in 1..=6 {
        // Three pick the proposition; the others let the bot seat them on the emptier side.
        let side = if n <= 3 { "Join Proposition" } else { "Either side" };
        let sent = discord.click(&speaker(n), signup.id, &signup.button_id(side).unwrap()).await;
        assert!(private(discord, &sent).await.contains("You speak for the"));
    }
    for n in 1..=4 {
        let sent = discord.click(&voter(n), signup.id, &signup.button_id("Audience").unwrap()).await;
        assert!(private(discord, &sent).await.contains("audience"));
    }
    let sent = discord.click(&speaker(1), signup.id, &signup.button_id("My cards").unwrap()).await;
    let cards = private(discord, &sent).await;
    assert!(cards.contains("Your evidence cards · Proposition") && cards.contains("s7-p2-informal-alliance"), "{cards}");
    let sent = discord.click(&voter(1), signup.id, &signup.button_id("My cards").unwrap()).await;
    assert!(private(discord, &sent).await.contains("no evidence cards"));

    // Only the instructor moves the debate on.
    let sent = discord.slash(&speaker(1), channel, "debate advance", json!({})).await;
    assert!(private(discord, &sent).await.contains("Only an instructor"));
    advance(discord, channel).await;
}

/// The audience's vote before: 1 for, 2 against, 1 undecided.
async fn vote_before_the_speeches(discord: &StandIn) {
    let channel = discord.channel;
    // ── The vote before: 1 for, 2 against, 1 undecided.
    let pre = board(discord, channel, "Audience vote (before)").await;
    for (n, b) in [(1, "Vote Proposition"), (2, "Vote Opposition"), (3, "Vote Opposition"), (4, "Undecided")] {
        vote(discord, &voter(n), &pre, b).await;
    }
    advance(discord, channel).await;
}

/// Opening speeches: a made-up citation flagged for all, an opponent's flag (a teammate's
/// refused), a member of the audience with nothing to say, a speech sent too late refused.
async fn give_the_opening_speeches_with_a_flag_and_a_late_one(discord: &StandIn) {
    let channel = discord.channel;
    // ── Opening speeches: P1 cites a real card and a made-up one, flagged for all to see.
    let opening = board(discord, channel, "Opening speeches").await;
    let ack = speak(discord, &speaker(1), &opening, "the partnership works as an alliance", "s7-p2-informal-alliance, made-up-passage").await;
    assert!(ack.contains("posted") && ack.contains("made-up-passage"), "{ack}");
    let evidence = discord.wait_message(channel, Duration::from_secs(5), |m| m.text().contains("Evidence cited by speaker1")).await;
    assert!(
        evidence.text().contains("s7-p2-informal-alliance")
            && evidence.text().contains("⚠️ made-up-passage")
            && evidence.text().contains("Not a passage of the paper"),
        "{}",
        evidence.text()
    );
    let posted = discord.wait_message(channel, Duration::from_secs(5), |m| m.text().contains("Opening speeches · Proposition · speaker1")).await;
    assert!(posted.text().contains("@\u{200B}everyone"), "student text is shown as written (and neither pings nor renders as a mention)");
    // A member of the audience has no speech to give.
    let sent = discord.click(&voter(1), opening.id, &opening.button_id("Speak").unwrap()).await;
    assert!(private(discord, &sent).await.contains("no speech to give"));
    // An opponent flags the card as misused; a teammate may not.
    let (flag, _) = open_modal(discord, &speaker(4), &evidence, "Flag a card").await;
    let sent = discord
        .submit_modal(
            &speaker(4),
            channel,
            &flag,
            &[("passage", "s7-p2-informal-alliance"), ("reason", "It says informal, not an alliance.")],
            Some(evidence.id),
        )
        .await;
    assert!(private(discord, &sent).await.contains("Flagged `s7-p2-informal-alliance`"));
    let sent = discord.submit_modal(&speaker(2), channel, &flag, &[("passage", "s7-p2-informal-alliance"), ("reason", "x")], Some(evidence.id)).await;
    assert!(!private(discord, &sent).await.contains("Flagged"), "a teammate cannot flag");
    for (n, claim) in [(4, "it is no alliance"), (2, "the military ties are deep"), (5, "there is no treaty")] {
        assert!(speak(discord, &speaker(n), &opening, claim, "").await.contains("posted"));
    }
    // The speaking order (P1, O1, P2, O2, P3, O3): speaker 6 (O3) waits for speaker 3 (P3),
    // and is told so before writing anything.
    let sent = discord.click(&speaker(6), opening.id, &opening.button_id("Speak").unwrap()).await;
    let wait = private(discord, &sent).await;
    assert!(wait.contains("It is not your turn yet in Opening speeches: speaker3 speaks before you"), "{wait}");
    // Speaker 3 opens the form, but the instructor moves on before it is sent: refused.
    let (late, _) = open_modal(discord, &speaker(3), &opening, "Speak").await;
    advance(discord, channel).await;
    let sent = discord.submit_modal(&speaker(3), channel, &late, &[("claim", "too late"), ("reasoning", "r"), ("citations", "")], Some(opening.id)).await;
    assert!(private(discord, &sent).await.contains("is over"), "a late speech is refused");
    assert!(discord.messages(channel).iter().all(|m| !m.text().contains("too late")), "and nothing of it is posted");
}

/// Rebuttals, with `kill -9` and a new start between two of them; then the closings.
async fn give_rebuttals_across_a_kill_9_then_closings(discord: &StandIn, bot: &mut Bot) {
    let channel = discord.channel;
    // ── Rebuttals: O1 and P1 speak, then kill -9, a new start, and the debate goes on.
    let rebuttal = board(discord, channel, "Rebuttals").await;
    assert!(speak(discord, &speaker(4), &rebuttal, "the treaty is missing", "conclusion-p2-no-treaty").await.contains("posted"));
    assert!(speak(discord, &speaker(1), &rebuttal, "treaties are not everything", "").await.contains("posted"));
    let before = discord.registrations();
    bot.kill9();
    bot.restart(discord);
    discord.wait_registered(Some(discord.guild), before).await;
    bot.wait_log("resuming a debate's phase timer", Duration::from_secs(10)).await;
    let sent = discord.click(&speaker(1), rebuttal.id, &rebuttal.button_id("Speak").unwrap()).await;
    assert!(private(discord, &sent).await.contains("no speech to give"), "a speech from before the crash still counts, once");
    for (n, claim) in [(5, "joint exercises are not a pact"), (2, "the exercises matter"), (6, "no defence clause"), (3, "allies in practice")] {
        assert!(speak(discord, &speaker(n), &rebuttal, claim, "").await.contains("posted"), "speaker {n} after the restart");
    }
    advance(discord, channel).await;
    let closing = board(discord, channel, "Closing speeches").await;
    assert!(speak(discord, &speaker(4), &closing, "no alliance", "").await.contains("posted"));
    assert!(speak(discord, &speaker(1), &closing, "an alliance in all but name", "").await.contains("posted"));
    advance(discord, channel).await;
}

/// The audience's vote after: 3 for, 1 against.
async fn vote_after_the_speeches(discord: &StandIn) {
    let channel = discord.channel;
    // ── The vote after: 3 for, 1 against.
    let post = board(discord, channel, "Audience vote (after)").await;
    for (n, b) in [(1, "Vote Proposition"), (2, "Vote Proposition"), (3, "Vote Opposition"), (4, "Vote Proposition")] {
        vote(discord, &voter(n), &post, b).await;
    }
    advance(discord, channel).await;
}

/// Judging: an audience member's shadow ballot, an incomplete official ballot refused, then
/// the instructor's; students see no ballot before the release.
async fn judge_with_a_shadow_and_an_official_ballot(discord: &StandIn) {
    let prof = prof();
    let channel = discord.channel;
    // ── Judging: a shadow ballot from the audience, the official one from the instructor.
    let judging = board(discord, channel, "Judging").await;
    let (shadow, data) = open_modal(discord, &voter(1), &judging, "Ballot").await;
    assert!(data["title"].as_str().unwrap().contains("Shadow"));
    let template = data["components"][0]["components"][0]["value"].as_str().unwrap().to_string();
    assert!(template.starts_with("P1 (speaker1): \nP2 (speaker2): "), "{template}");
    let filled = |scores: &[&str]| template.lines().zip(scores).map(|(l, s)| format!("{l}{s}")).collect::<Vec<_>>().join("\n");
    let sent = discord
        .submit_modal(&voter(1), channel, &shadow, &[("scores", &filled(&["3 3 3 3"; 6])), ("winner", "opposition"), ("feedback", "")], Some(judging.id))
        .await;
    assert!(private(discord, &sent).await.contains("Shadow ballot"));
    let sent = discord.slash(&speaker(1), channel, "ballots", json!({})).await;
    assert!(private(discord, &sent).await.contains("not been released"), "a student sees no ballot before the release");
    let (official, _) = open_modal(discord, &prof, &judging, "Ballot").await;
    let sent = discord.submit_modal(&prof, channel, &official, &[("scores", "P1: 9 9 9 9"), ("winner", ""), ("feedback", "")], Some(judging.id)).await;
    assert!(!private(discord, &sent).await.contains("Official ballot"), "an incomplete ballot is refused");
    let scores = filled(&["5 4 4 5", "4 4 3 4", "3 3 3 3", "4 5 4 4", "3 4 3 3", "2 3 2 3"]);
    let sent = discord
        .submit_modal(
            &prof,
            channel,
            &official,
            &[("scores", &scores), ("winner", ""), ("feedback", "Well argued. According to the paper, both sides had a case.")],
            Some(judging.id),
        )
        .await;
    let ballot = private(discord, &sent).await;
    assert!(ballot.contains("Official ballot") && ballot.contains("18/20"), "{ballot}");
    let sent = discord.slash(&prof, channel, "ballots", json!({})).await;
    assert!(private(discord, &sent).await.contains("Shadow ballot"), "the instructor sees every ballot");
}

/// The release: the winner by the swing, the scores, the evidence map; the points in
/// `/score` and in the gradebook alike.
async fn release_the_result_into_score_and_the_gradebook(discord: &StandIn) {
    let prof = prof();
    let channel = discord.channel;
    // ── Release: the winner by the swing, the scores, the evidence map, the points.
    let sent = discord.slash(&speaker(1), channel, "debate release", json!({})).await;
    assert!(private(discord, &sent).await.contains("Only an instructor"));
    let sent = discord.slash(&prof, channel, "debate release", json!({})).await;
    assert!(private(discord, &sent).await.contains("Released"));
    let result = discord.wait_message(channel, Duration::from_secs(5), |m| m.text().contains("Result:")).await;
    let text: String = discord.messages(channel).iter().filter(|m| m.id >= result.id).map(Message::text).collect();
    assert!(text.contains("**Proposition** wins: it gained more of the audience's vote"), "{text}");
    assert!(text.contains("Before: 1 for, 2 against, 1 undecided") && text.contains("After: 3 for, 1 against, 0 undecided"), "{text}");
    assert!(text.contains("Proposition +50 percentage points, Opposition -25 percentage points"), "the swing in percentage points: {text}");
    assert!(text.contains("speaker1 (Proposition): 5 4 4 5 = **18/20**") && text.contains("Team totals: Proposition 45 · Opposition 40"), "{text}");
    assert!(
        text.contains("Evidence map")
            && text.contains("`s7-p2-informal-alliance`")
            && text.contains("`conclusion-p2-no-treaty`")
            && text.contains("made-up-passage"),
        "{text}"
    );
    assert!(text.contains("Strong passages nobody used") && text.contains("Shadow judges"), "{text}");
    assert!(text.contains("`s7-p2-informal-alliance` in speaker1's speech (Opening speeches): It says informal, not an alliance."), "{text}");
    assert!(!text.contains("flagged by"), "the release names no flagger: {text}");
    // The released debate stays readable by its participants.
    let sent = discord.slash(&speaker(1), channel, "ballots", json!({})).await;
    let read = private(discord, &sent).await;
    assert!(read.contains("Official ballot") && read.contains("18/20") && !read.contains("No debate"), "after the release: {read}");
    let sent = discord.slash(&speaker(1), channel, "score", json!({})).await;
    let score = private(discord, &sent).await;
    assert!(score.contains("debates ") && !score.contains("debates 0"), "debate points show in /score: {score}");
    // …and in the instructor's gradebook.
    let sent = discord.slash(&prof, channel, "scores export", json!({})).await;
    let export = discord.response(&sent).await;
    assert!(export.ephemeral(), "the gradebook is for the instructor only");
    let csv = String::from_utf8(export.attachments.first().expect("the gradebook is attached").bytes.clone()).unwrap();
    let row = csv.lines().find(|l| l.starts_with(&format!("{},", speaker(1).id))).unwrap_or_else(|| panic!("speaker 1 has a row: {csv}"));
    let points: i64 = row.split(',').nth(5).and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("a points column: {row}"));
    assert!(score.contains(&format!("{points} points")), "the gradebook's points are /score's ({points}): {score}");
}

/// A prompt answered, reviewed, its feedback fetched privately, its points in `/score`.
async fn answer_review_and_read_back_a_prompt(discord: &StandIn) {
    let prof = prof();
    let channel = discord.channel;
    // ── A prompt: answered, reviewed, the feedback fetched privately, the points in /score.
    let ada = User::student(7001, "ada");
    let sent = discord.slash(&ada, channel, "prompt", json!({})).await;
    let p = discord.response(&sent).await;
    assert!(p.ephemeral() && p.text().contains("What a good answer does"), "{}", p.text());
    let rubric_lines = p.embeds[0]["fields"][0]["value"].as_str().unwrap().lines().count();
    let (answer, _) = open_modal(discord, &ada, &p, "Answer").await;
    let sent = discord
        .submit_modal(
            &ada,
            channel,
            &answer,
            &[("answer", "According to the paper, the economies complement each other."), ("citations", "s5-p3-economies-ev not-a-passage")],
            Some(p.id),
        )
        .await;
    let queued = private(discord, &sent).await;
    assert!(queued.contains("review queue (1 waiting)") && queued.contains("not-a-passage"), "{queued}");
    let sent = discord.slash(&ada, channel, "review", json!({})).await;
    assert!(private(discord, &sent).await.contains("Only an instructor"));
    let sent = discord.slash(&ada, channel, "feedback", json!({})).await;
    assert!(private(discord, &sent).await.contains("has been reviewed yet"));
    let sent = discord.slash(&prof, channel, "review", json!({})).await;
    let q = discord.response(&sent).await;
    assert!(q.ephemeral() && q.text().contains("1 waiting") && q.text().contains("the economies complement each other"), "{}", q.text());
    let (mark, form) = open_modal(discord, &prof, &q, "Mark this answer").await;
    let marks_input = &form["components"][0]["components"][0];
    assert_eq!((marks_input["label"].as_str(), marks_input["placeholder"].as_str()), (Some("Marks: one per rubric line, 0 to 2"), Some("e.g. 2 1 0")));
    let marks = vec!["1"; rubric_lines].join(" ");
    let sent =
        discord.submit_modal(&prof, channel, &mark, &[("marks", &marks), ("feedback", "Good use of the passage; say more about energy.")], Some(q.id)).await;
    let marked = private(discord, &sent).await;
    assert!(marked.contains(&format!("{rubric_lines}/")) && marked.contains("/feedback"), "{marked}");
    let sent = discord.slash(&ada, channel, "feedback", json!({})).await;
    let fb = private(discord, &sent).await;
    assert!(fb.contains("Good use of the passage; say more about energy.") && fb.contains("Feedback on"), "{fb}");
    let sent = discord.slash(&ada, channel, "score", json!({})).await;
    let score = private(discord, &sent).await;
    assert!(score.contains("prompts ") && !score.contains("prompts 0"), "prompt points show in /score: {score}");
}

/// A structured academic controversy: each pair argues a side, swaps, writes one joint
/// statement, and the result is a consensus.
async fn run_a_structured_academic_controversy(discord: &StandIn) {
    let prof = prof();
    // ── A structured academic controversy: each pair argues a side, swaps, writes a joint statement.
    let sac = discord.add_channel(discord.guild, "controversy");
    let sent = discord.slash(&prof, sac, "debate start", json!({"motion": "china-main-beneficiary", "format": 2})).await;
    assert!(private(discord, &sent).await.contains("Structured academic controversy"));
    let signup = board(discord, sac, "Sign-up").await;
    for (n, side) in [(11, "Join Proposition"), (12, "Join Proposition"), (13, "Join Opposition"), (14, "Join Opposition")] {
        let sent = discord.click(&speaker(n), signup.id, &signup.button_id(side).unwrap()).await;
        assert!(private(discord, &sent).await.contains("You speak for the"));
    }
    advance(discord, sac).await;
    let first = board(discord, sac, "First side").await;
    for n in 11..=14 {
        assert!(speak(discord, &speaker(n), &first, "our side", "").await.contains("posted"));
    }
    advance(discord, sac).await;
    let swap = board(discord, sac, "Sides swapped").await;
    let sent = discord.click(&speaker(11), swap.id, &swap.button_id("My cards").unwrap()).await;
    assert!(private(discord, &sent).await.contains("Your evidence cards · Opposition"), "after the swap, the other side's cards");
    for n in [13, 14, 11, 12] {
        assert!(speak(discord, &speaker(n), &swap, "the other side", "").await.contains("posted"));
    }
    discord.wait_message(sac, Duration::from_secs(5), |m| m.text().contains("Sides swapped · Opposition · speaker11")).await;
    advance(discord, sac).await;
    let joint = board(discord, sac, "Joint statement").await;
    assert!(speak(discord, &speaker(13), &joint, "both sides have a case", "s5-p2-china-opportunity-ev").await.contains("posted"));
    let sent = discord.click(&speaker(11), joint.id, &joint.button_id("Speak").unwrap()).await;
    assert!(private(discord, &sent).await.contains("no speech to give"), "one joint statement for the group");
    advance(discord, sac).await;
    let judging = board(discord, sac, "Judging").await;
    let (official, data) = open_modal(discord, &prof, &judging, "Ballot").await;
    let template = data["components"][0]["components"][0]["value"].as_str().unwrap().to_string();
    let scores = template.lines().map(|l| format!("{l}4 4 4 4")).collect::<Vec<_>>().join("\n");
    let sent =
        discord.submit_modal(&prof, sac, &official, &[("scores", &scores), ("winner", ""), ("feedback", "A fair joint statement.")], Some(judging.id)).await;
    assert!(private(discord, &sent).await.contains("Official ballot"));
    discord.response(&discord.slash(&prof, sac, "debate release", json!({})).await).await;
    let result = discord.wait_message(sac, Duration::from_secs(5), |m| m.text().contains("Result:")).await;
    assert!(result.text().contains("Consensus") && result.text().contains("Joint statement cited: `s5-p2-china-opportunity-ev`"), "{}", result.text());
}

/// The quick debate's sign-up closed on its timer, armed again after the `kill -9`.
async fn the_timed_sign_up_closes_after_the_restart(discord: &StandIn, timed: u64) {
    // The quick debate's sign-up closed on its timer, armed again after the kill -9.
    let opened = discord
        .wait_for(Duration::from_secs(45), |v| v.messages().find(|m| m.channel_id == timed && m.text().contains("Now: Opening speeches")).cloned())
        .await;
    assert!(opened.is_some(), "the sign-up timer fired after the restart: {:#?}", discord.messages(timed));
}

/// Nothing the bot sent could ping; every interaction was answered once and in time.
async fn nothing_pinged_and_every_interaction_was_answered(discord: &StandIn) {
    // Nothing the bot sent could ping; every interaction was answered once and in time.
    for p in discord.payloads() {
        if p.body.get("content").is_some() || p.body.get("embeds").is_some() || p.body.get("data").is_some_and(|d: &Value| d.get("embeds").is_some()) {
            let mentions = p.body.get("allowed_mentions").or_else(|| p.body["data"].get("allowed_mentions"));
            assert_eq!(mentions, Some(&json!({"parse": [], "users": [], "roles": []})), "{}: {}", p.route, p.body);
        }
    }
    discord.assert_clean();
}

/// The audience of the boards test.
fn listener(n: u64) -> User {
    User::student(8000 + n, &format!("listener{n}"))
}

/// The PATCH requests that edited message `message`.
fn edits_of(discord: &StandIn, message: &Message) -> usize {
    let route = format!("/channels/{}/messages/{}", message.channel_id, message.id);
    discord.requests().iter().filter(|r| r.starts_with("PATCH ") && r.ends_with(&route)).count()
}

/// Issue #20, items 13 and 14, as the class meets them: the board in the channel shows who
/// joined and how many voted, edited in place in few edits however many click at once; a
/// board that the next phase's replaced keeps no live button (and a click on one is told
/// which board to use); a flagged card reaches the judge with who flagged it, the flagger
/// sees their own, and the release lists the card and the reason without the flagger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boards_stay_true_and_flags_reach_only_the_judge() {
    let discord = StandIn::start().await;
    let mut bot = Bot::start(&discord, BotConfig { guild: Some(discord.guild), ..BotConfig::default() });
    discord.wait_ready(Some(discord.guild)).await;
    let channel = discord.add_channel(discord.guild, "boards");
    let sent = discord.slash(&prof(), channel, "debate start", json!({"motion": MOTION, "format": OXFORD, "per_side": 1})).await;
    assert!(private(&discord, &sent).await.contains("Oxford debate"));
    let signup = board(&discord, channel, "Sign-up").await;
    a_burst_of_joins_shows_on_the_sign_up_board_in_a_few_edits(&discord, &signup).await;
    advance(&discord, channel).await;
    let pre = board(&discord, channel, "Audience vote (before)").await;
    the_replaced_board_keeps_no_live_button(&discord, &signup, "Join Proposition").await;
    votes_show_on_the_board(&discord, &pre).await;
    advance(&discord, channel).await;
    let opening = board(&discord, channel, "Opening speeches").await;
    the_replaced_board_keeps_no_live_button(&discord, &pre, "Vote Proposition").await;
    a_flag_reaches_the_judge_alone_and_the_release_names_no_flagger(&discord, &opening).await;
    nothing_pinged_and_every_interaction_was_answered(&discord).await;
    bot.signal("TERM");
    assert!(bot.wait_exit(Duration::from_secs(10)).await.success(), "{}", bot.logs());
}

/// Two speakers and 28 listeners press Join at once: the sign-up board, edited in place,
/// comes to show both speakers and all 28, in far fewer edits than joins.
async fn a_burst_of_joins_shows_on_the_sign_up_board_in_a_few_edits(discord: &StandIn, signup: &Message) {
    let (pro, con) = (speaker(21), speaker(22));
    let mut sent = vec![
        discord.click(&pro, signup.id, &signup.button_id("Join Proposition").unwrap()).await,
        discord.click(&con, signup.id, &signup.button_id("Join Opposition").unwrap()).await,
    ];
    for n in 1..=28 {
        sent.push(discord.click(&listener(n), signup.id, &signup.button_id("Audience").unwrap()).await);
    }
    for s in &sent {
        private(discord, s).await;
    }
    let shown = discord
        .wait_for(Duration::from_secs(10), |v| {
            v.messages()
                .find(|m| m.id == signup.id && m.text().contains("P1 speaker21") && m.text().contains("O1 speaker22") && m.text().contains("28 members"))
                .cloned()
        })
        .await;
    let edits = edits_of(discord, signup);
    eprintln!("30 joins at once: {edits} edits of the sign-up board");
    assert!(shown.is_some(), "the sign-up board shows who joined: {:#?}", discord.message(signup.id).map(|m| m.text()));
    assert!((1..=8).contains(&edits), "30 joins cost {edits} edits of the board, not one each");
    // Nothing more comes once it shows the last change.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(edits_of(discord, signup), edits, "no edit after the last change was shown");
}

/// The board the next phase's replaced: every button disabled, no countdown, and a click
/// that slips through is told to use the newest board.
async fn the_replaced_board_keeps_no_live_button(discord: &StandIn, old: &Message, button: &str) {
    let closed = discord
        .wait_for(Duration::from_secs(10), |v| {
            v.messages().find(|m| m.id == old.id && !m.buttons().is_empty() && m.buttons().iter().all(|b| b["disabled"] == json!(true))).cloned()
        })
        .await
        .unwrap_or_else(|| panic!("the replaced board's buttons are disabled: {:#?}", discord.message(old.id).map(|m| m.components)));
    assert!(closed.text().contains("(closed)") && !closed.text().contains("Closes <t:"), "{}", closed.text());
    let sent = discord.click(&listener(1), old.id, &old.button_id(button).unwrap()).await;
    let told = private(discord, &sent).await;
    assert!(told.contains("earlier phase") && told.contains("newest board"), "{told}");
}

/// Three votes before the speeches: the board counts them.
async fn votes_show_on_the_board(discord: &StandIn, pre: &Message) {
    for (n, b) in [(1, "Vote Proposition"), (2, "Vote Opposition"), (3, "Undecided")] {
        vote(discord, &listener(n), pre, b).await;
    }
    let counted =
        discord.wait_for(Duration::from_secs(10), |v| v.messages().find(|m| m.id == pre.id && m.text().contains("before: 3 · after: 0")).cloned()).await;
    assert!(counted.is_some(), "the board counts the votes: {:#?}", discord.message(pre.id).map(|m| m.text()));
}

/// The proposition cites a card, the opposition flags it: the judge reads the flag with who
/// raised it; the flagger sees their own; a listener sees none; the release lists the card
/// and the reason, naming no flagger.
async fn a_flag_reaches_the_judge_alone_and_the_release_names_no_flagger(discord: &StandIn, opening: &Message) {
    let (channel, prof) = (opening.channel_id, prof());
    let (pro, con) = (speaker(21), speaker(22));
    assert!(speak(discord, &pro, opening, "the partnership works as an alliance", "s7-p2-informal-alliance").await.contains("posted"));
    let evidence = discord.wait_message(channel, Duration::from_secs(5), |m| m.text().contains("Evidence cited by speaker21")).await;
    let (flag, _) = open_modal(discord, &con, &evidence, "Flag a card").await;
    let reason = "It says informal partnership, not alliance.";
    let sent = discord.submit_modal(&con, channel, &flag, &[("passage", "s7-p2-informal-alliance"), ("reason", reason)], Some(evidence.id)).await;
    assert!(private(discord, &sent).await.contains("for the judge"));
    for _ in 0..4 {
        advance(discord, channel).await;
    }
    let judging = board(discord, channel, "Judging").await;
    let flags = judging.button_id("Flags").expect("a Flags button on the judging board");
    let (board_id, flags) = (judging.id, &flags);
    let read = |who: User| async move {
        let sent = discord.click(&who, board_id, flags).await;
        private(discord, &sent).await
    };
    let judge = read(prof.clone()).await;
    assert!(judge.contains("s7-p2-informal-alliance") && judge.contains(reason) && judge.contains("flagged by speaker22"), "the judge: {judge}");
    let own = read(con.clone()).await;
    assert!(own.contains("Your flags") && own.contains(reason), "the flagger: {own}");
    let other = read(listener(1)).await;
    assert!(other.contains("You have flagged no card") && !other.contains(reason), "a listener: {other}");
    let (official, data) = open_modal(discord, &prof, &judging, "Ballot").await;
    let template = data["components"][0]["components"][0]["value"].as_str().unwrap().to_string();
    let scores = template.lines().map(|l| format!("{l}4 4 4 4")).collect::<Vec<_>>().join("\n");
    let sent = discord.submit_modal(&prof, channel, &official, &[("scores", &scores), ("winner", ""), ("feedback", "")], Some(judging.id)).await;
    assert!(private(discord, &sent).await.contains("Official ballot"));
    discord.response(&discord.slash(&prof, channel, "debate release", json!({})).await).await;
    discord.wait_message(channel, Duration::from_secs(5), |m| m.text().contains("Result:")).await;
    let flagged: Vec<String> = discord
        .messages(channel)
        .iter()
        .flat_map(|m| m.embeds.iter().flat_map(|e| e["fields"].as_array().cloned().unwrap_or_default()))
        .filter(|f| f["name"] == "Cards flagged as misused")
        .map(|f| f["value"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    assert!(flagged[0].contains("`s7-p2-informal-alliance`") && flagged[0].contains(reason), "the card and the reason: {}", flagged[0]);
    assert!(!flagged[0].contains("speaker22") && !flagged[0].contains(&con.id.to_string()) && !flagged[0].contains("<@"), "no flagger named: {}", flagged[0]);
    // The judging board says the result is out, and its Ballot button is gone.
    let done = discord
        .wait_for(Duration::from_secs(10), |v| {
            v.messages().find(|m| m.id == judging.id && m.text().contains("The result is released") && m.buttons().is_empty()).cloned()
        })
        .await;
    assert!(done.is_some(), "{:#?}", discord.message(judging.id).map(|m| m.text()));
}
