//! Edges of `agora serve` against the Discord stand-in (issue 18): every command with nothing
//! to act on answers with a private sentence saying what to do, and logs no ERROR; student
//! names and text never render as a mention; a typed answer is echoed as typed, cut visibly;
//! an instructor's `/debate advance` that races the phase timer moves one step.

use crate::support;

use std::time::Duration;

use serde_json::json;
use support::bot::{Bot, BotConfig};
use support::discord::{Message, Sent, StandIn, User};

/// poise's choice index of "true or false" (see `KindChoice`).
const TRUE_FALSE: u64 = 1;
/// poise's choice index of "a number".
const NUMERIC: u64 = 3;

/// The private text a user got back for an interaction.
async fn private(discord: &StandIn, sent: &Sent) -> String {
    let m = discord.response(sent).await;
    assert!(m.ephemeral(), "{}: only its user sees this: {}", sent.label, m.text());
    m.text()
}

/// The lines of the bot's log at ERROR.
fn errors(bot: &Bot) -> Vec<String> {
    bot.logs().lines().filter(|l| l.contains(" ERROR ") || l.contains("\"level\":\"ERROR\"")).map(str::to_string).collect()
}

/// A command (or click) with nothing to act on: a private sentence that says what to do
/// (`hint`, a word of it), not the apology; and no ERROR in the log. What went wrong is
/// pushed on `problems`, so one run shows every command's.
async fn refused(discord: &StandIn, bot: &Bot, problems: &mut Vec<String>, sent: Sent, hint: &str) {
    let label = sent.label.clone();
    let m = discord.response(&sent).await;
    let text = m.text();
    if !m.ephemeral() {
        problems.push(format!("{label}: shown to the whole channel, not privately: {text}"));
    }
    if text.contains("went wrong") {
        problems.push(format!("{label}: a user's mistake answered as the bot's: {text}"));
    } else if !text.contains(hint) {
        problems.push(format!("{label}: the answer does not say what to do ({hint:?}): {text}"));
    }
    let errors = errors(bot);
    if errors.len() > problems.iter().filter(|p| p.contains("ERROR")).count() {
        problems.push(format!("{label}: an ERROR in the log: {}", errors.last().unwrap()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_with_nothing_to_act_on_says_what_to_do() {
    let discord = StandIn::start().await;
    let bot = Bot::start(&discord, BotConfig { guild: Some(discord.guild), ..BotConfig::default() });
    discord.wait_ready(Some(discord.guild)).await;
    let prof = User::instructor(2001, "prof");
    let ada = User::student(3001, "ada");
    let c = discord.channel;
    let mut problems = Vec::new();

    // An empty server: no round, no debate, no answers, nothing to review.
    refused(&discord, &bot, &mut problems, discord.slash(&prof, c, "quiz stop", json!({})).await, "/quiz start").await;
    for command in ["debate advance", "debate balance", "debate release", "debate cancel", "ballots"] {
        refused(&discord, &bot, &mut problems, discord.slash(&prof, c, command, json!({})).await, "/debate start").await;
    }
    let assign = json!({"student": support::discord::user_option(&ada), "place": 0});
    refused(&discord, &bot, &mut problems, discord.slash(&prof, c, "debate assign", assign).await, "/debate start").await;
    refused(&discord, &bot, &mut problems, discord.slash(&prof, c, "review", json!({})).await, "/prompt").await;
    refused(&discord, &bot, &mut problems, discord.slash(&ada, c, "feedback", json!({})).await, "/prompt").await;
    refused(&discord, &bot, &mut problems, discord.slash(&ada, c, "score", json!({})).await, "/practice").await;
    refused(&discord, &bot, &mut problems, discord.slash(&ada, c, "leaderboard", json!({})).await, "/practice").await;
    refused(&discord, &bot, &mut problems, discord.slash(&prof, c, "scores export", json!({})).await, "/quiz start").await;
    refused(&discord, &bot, &mut problems, discord.slash(&prof, c, "scores items", json!({})).await, "/quiz start").await;

    // A practice that is over: its buttons say how to start another.
    let sent = discord.slash(&ada, c, "practice", json!({"kind": TRUE_FALSE, "questions": 1})).await;
    let p = discord.response(&sent).await;
    let answer = discord.click(&ada, p.id, &p.button_id("True").unwrap()).await;
    discord.callback(&answer).await;
    let done: Message = discord.message(p.id).unwrap();
    let finish = done.button_id("Finish").expect("a Finish button after the last answer");
    let sent = discord.click(&ada, p.id, &finish).await;
    discord.callback(&sent).await;
    refused(&discord, &bot, &mut problems, discord.click(&ada, p.id, &finish).await, "/practice").await;
    refused(&discord, &bot, &mut problems, discord.click(&ada, p.id, &p.button_id("True").unwrap()).await, "/practice").await;

    // A round that is over: its buttons and `/quiz stop` say so.
    let sent = discord.slash(&prof, c, "quiz start", json!({"kind": TRUE_FALSE, "questions": 1, "seconds": 30})).await;
    private(&discord, &sent).await;
    let q = discord
        .wait_for(Duration::from_secs(10), |v| v.messages().filter(|m| m.channel_id == c && m.button_id("Reveal").is_some()).last().cloned())
        .await
        .expect("the question");
    let stop = discord.slash(&prof, c, "quiz stop", json!({})).await;
    assert!(discord.response(&stop).await.text().contains("Round over"));
    refused(&discord, &bot, &mut problems, discord.slash(&prof, c, "quiz stop", json!({})).await, "/quiz start").await;
    refused(&discord, &bot, &mut problems, discord.click(&prof, q.id, &q.button_id("Reveal").unwrap()).await, "over").await;
    assert!(problems.is_empty(), "{problems:#?}");
    discord.assert_clean();
}

/// The newest open live question in `channel` (one with a Reveal button).
async fn live_question(discord: &StandIn, channel: u64) -> Message {
    discord
        .wait_for(Duration::from_secs(10), |v| v.messages().filter(|m| m.channel_id == channel && m.button_id("Reveal").is_some()).last().cloned())
        .await
        .unwrap_or_else(|| panic!("no open question in channel {channel}: {:#?}", discord.messages(channel)))
}

/// Types `text` into the modal that `button` of `message` opens, as `who`.
async fn type_answer(discord: &StandIn, who: &User, message: &Message, button: &str, text: &str) -> Sent {
    let sent = discord.click(who, message.id, &message.button_id(button).unwrap_or_else(|| panic!("a {button} button: {}", message.text()))).await;
    let modal = discord.callback(&sent).await;
    assert_eq!(modal.kind, 9, "{button} opens a modal: {:?}", modal.data);
    let id = modal.data["custom_id"].as_str().unwrap().to_string();
    discord.submit_modal(who, message.channel_id, &id, &[("answer", text)], Some(message.id)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_number_is_echoed_as_typed_and_cut_visibly() {
    let discord = StandIn::start().await;
    let _bot = Bot::start(&discord, BotConfig { guild: Some(discord.guild), ..BotConfig::default() });
    discord.wait_ready(Some(discord.guild)).await;
    let prof = User::instructor(2001, "prof");
    let nines = "9".repeat(200);

    // A live round: "Locked in" echoes the first characters typed, then "…".
    let sent = discord.slash(&prof, discord.channel, "quiz start", json!({"kind": NUMERIC, "questions": 1, "seconds": 60})).await;
    private(&discord, &sent).await;
    let q = live_question(&discord, discord.channel).await;
    let locked = private(&discord, &type_answer(&discord, &User::student(3001, "ada"), &q, "Answer", &nines).await).await;
    assert!(locked.contains("Locked in"), "{locked}");
    assert!(locked.contains(&format!("{}…", "9".repeat(39))) && !locked.contains(&"9".repeat(40)), "what was typed, cut at 40 characters: {locked}");
    assert!(!locked.contains("000"), "no float expansion: {locked}");
    let short = private(&discord, &type_answer(&discord, &User::student(3002, "bo"), &q, "Answer", " 244.80 ").await).await;
    assert!(short.contains("**244.80**"), "a short answer is echoed as typed: {short}");

    // Practice: the verdict's "Your answer" the same.
    let ada = User::student(3001, "ada");
    let sent = discord.slash(&ada, discord.channel, "practice", json!({"kind": NUMERIC, "questions": 1})).await;
    let p = discord.response(&sent).await;
    let sent = type_answer(&discord, &ada, &p, "Answer", &nines).await;
    discord.callback(&sent).await;
    let verdict = discord.wait_for(Duration::from_secs(10), |v| v.messages().find(|m| m.id == p.id && m.text().contains("Your answer")).cloned()).await;
    let verdict = verdict.unwrap_or_else(|| panic!("a verdict: {:#?}", discord.message(p.id))).text();
    assert!(verdict.contains(&format!("{}…", "9".repeat(39))) && !verdict.contains(&"9".repeat(40)), "{verdict}");
    discord.assert_clean();
}

/// Every piece of mention syntax in `text`: a user, role, channel or command mention, or
/// `@everyone` / `@here`.
fn mention_syntax(text: &str) -> Vec<&'static str> {
    ["<@", "<#", "</", "@everyone", "@here"].into_iter().filter(|m| text.contains(m)).collect()
}

/// Clicks `button` on `message` and returns the modal's custom_id.
async fn modal_of(discord: &StandIn, who: &User, message: &Message, button: &str) -> String {
    let id = message.button_id(button).unwrap_or_else(|| panic!("a {button} button on {}", message.text()));
    let cb = discord.callback(&discord.click(who, message.id, &id).await).await;
    assert_eq!(cb.kind, 9, "{button} opens a modal: {:?}", cb.data);
    cb.data["custom_id"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_and_student_text_never_render_as_mentions() {
    let discord = StandIn::start().await;
    let _bot = Bot::start(&discord, BotConfig { guild: Some(discord.guild), ..BotConfig::default() });
    discord.wait_ready(Some(discord.guild)).await;
    let prof = User::instructor(2001, "prof");
    // Nicknames that are mention syntax, the instructor's id among them.
    let s1 = User::student(3001, "<@2001>");
    let s2 = User::student(3002, "@everyone");
    let s3 = User::student(3003, "<@&7><#8>@here");
    let said = "<@2001> <@!2001> <@&7> <#8> </quiz start:9> @everyone @here";
    let c = discord.channel;

    // A live round: the reveal's fastest, the closing leaderboard, /leaderboard, /score.
    let sent = discord.slash(&prof, c, "quiz start", json!({"kind": TRUE_FALSE, "questions": 1, "seconds": 60})).await;
    private(&discord, &sent).await;
    let q = live_question(&discord, c).await;
    for s in [&s1, &s2, &s3] {
        for pick in ["True", "False"] {
            discord.response(&discord.click(s, q.id, &q.button_id(pick).unwrap()).await).await;
        }
    }
    discord.callback(&discord.click(&prof, q.id, &q.button_id("Reveal").unwrap()).await).await;
    discord.response(&discord.slash(&prof, c, "quiz stop", json!({})).await).await;
    let board = discord.response(&discord.slash(&s1, c, "leaderboard", json!({})).await).await;
    assert!(board.text().contains("2001"), "the names are shown: {}", board.text());
    for s in [&s1, &s2, &s3] {
        discord.response(&discord.slash(&prof, c, "score", json!({"user": support::discord::user_option(s)})).await).await;
    }

    // A quick debate: the board's seats, a speech.
    let room = discord.add_channel(discord.guild, "debate");
    private(&discord, &discord.slash(&prof, room, "debate start", json!({"motion": "Trade matters more than arms.", "format": 0})).await).await;
    let signup = discord.wait_message(room, Duration::from_secs(10), |m| !m.ephemeral() && m.text().contains("Now: Sign-up")).await;
    for s in [&s1, &s2] {
        private(&discord, &discord.click(s, signup.id, &signup.button_id("Either side").unwrap()).await).await;
    }
    // A seated speaker of a motion written on the spot: the motion has no cards.
    let cards = private(&discord, &discord.click(&s1, signup.id, &signup.button_id("My cards").unwrap()).await).await;
    assert!(cards.contains("gives your side no evidence cards") && !cards.contains("take a seat"), "{cards}");
    private(&discord, &discord.slash(&prof, room, "debate advance", json!({})).await).await;
    let opening = discord.wait_message(room, Duration::from_secs(10), |m| !m.ephemeral() && m.text().contains("Now: Opening speeches")).await;
    assert!(opening.text().contains("2001"), "the seats are named: {}", opening.text());
    for s in [&s1, &s2] {
        let modal = modal_of(&discord, s, &opening, "Speak").await;
        let fields = [("claim", said), ("reasoning", said), ("citations", "s7-p2-informal-alliance")];
        private(&discord, &discord.submit_modal(s, room, &modal, &fields, Some(opening.id)).await).await;
    }
    discord.wait_message(room, Duration::from_secs(5), |m| m.text().contains("</quiz start") || m.text().contains("quiz start:9")).await;

    // A prompt answer, in the instructor's review queue.
    let p = discord.response(&discord.slash(&s3, c, "prompt", json!({})).await).await;
    let modal = modal_of(&discord, &s3, &p, "Answer").await;
    private(&discord, &discord.submit_modal(&s3, c, &modal, &[("answer", said), ("citations", "s5-p3-economies-ev")], Some(p.id)).await).await;
    let review = private(&discord, &discord.slash(&prof, c, "review", json!({})).await).await;
    assert!(review.contains("quiz start:9"), "the answer is shown: {review}");

    let mut found = Vec::new();
    for channel in [c, room] {
        for m in discord.messages(channel) {
            let text = m.text();
            let syntax = mention_syntax(&text);
            if !syntax.is_empty() {
                found.push(format!("{syntax:?} in: {text}"));
            }
        }
    }
    assert!(found.is_empty(), "no message shows a name or student text as a mention: {found:#?}");
    discord.assert_clean();
}

/// The race of issue 18: the sign-up timer closes sign-up; a moment later arrives the
/// instructor's `/debate advance`, pressed (by Discord's stamp) just before the opening
/// speeches opened. It changes nothing and says the debate had moved on; the opening
/// speeches stay open. The same command pressed now moves one step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_advance_pressed_before_the_timer_closed_sign_up_moves_nothing() {
    let discord = StandIn::start().await;
    let bot = Bot::start(&discord, BotConfig { guild: Some(discord.guild), ..BotConfig::default() });
    discord.wait_ready(Some(discord.guild)).await;
    let store = agora::store::Store::connect(&bot.database_url).await.unwrap();
    let prof = User::instructor(2001, "prof");
    let c = discord.channel;
    let start = json!({"motion": "Trade matters more than arms.", "format": 0, "signup_seconds": 30, "speech_seconds": 60});
    private(&discord, &discord.slash(&prof, c, "debate start", start).await).await;
    let signup = discord.wait_message(c, Duration::from_secs(10), |m| !m.ephemeral() && m.text().contains("Now: Sign-up")).await;
    for n in [1, 2] {
        let who = User::student(3000 + n, &format!("speaker{n}"));
        private(&discord, &discord.click(&who, signup.id, &signup.button_id("Either side").unwrap()).await).await;
    }
    // Sign-up's timer (30 s) closes it.
    discord.wait_message(c, Duration::from_secs(45), |m| !m.ephemeral() && m.text().contains("Now: Opening speeches")).await;
    let open = store.open_debates().await.unwrap();
    assert_eq!(open.len(), 1);
    let opened_at = open[0].deadline.expect("the opening speeches have 60 s") - 60_000;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let age = Duration::from_millis((now - opened_at + 300).max(0) as u64);

    let sent = discord.slash_aged(&prof, c, "debate advance", json!({}), age).await;
    let told = private(&discord, &sent).await;
    assert!(told.contains("already moved on to Opening speeches") && told.contains("nothing was changed"), "{told}");
    let open = store.open_debates().await.unwrap();
    assert_eq!(open[0].phase, agora::debate::Phase::Opening, "the opening speeches stay open");
    assert!(discord.messages(c).iter().all(|m| !m.text().contains("Now: Rebuttal")), "no board for the next phase");

    let sent = discord.slash(&prof, c, "debate advance", json!({})).await;
    assert!(private(&discord, &sent).await.contains("Now: Rebuttal"), "pressed now, it moves one step");
    assert_eq!(store.open_debates().await.unwrap()[0].phase, agora::debate::Phase::Rebuttal);
    let errors = errors(&bot);
    assert!(errors.is_empty(), "{errors:#?}");
    discord.assert_clean();
}
