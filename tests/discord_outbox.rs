//! What must reach the channel gets there, or the channel is told: the real `agora serve`
//! against the stand-in with faults injected into Discord's answers (issue 18, items 2 and 3).
//! A question whose post meets a 500 or a 429 is posted again and the round runs to its end;
//! a post Discord refuses for good closes the round with a notice, so nothing started is
//! left stuck.

use crate::support;

use std::time::Duration;

use agora::ids::{GuildId, RoundId};
use agora::store::{RoundStatus, Store};
use serde_json::json;
use support::bot::{Bot, BotConfig};
use support::discord::{Fault, Message, StandIn, User};

const SINGLE: u64 = 0;
const POST: &str = "POST /channels/{id}/messages";

/// The newest open question `number` in `channel` (one with a Reveal button).
async fn wait_question(discord: &StandIn, channel: u64, number: usize) -> Message {
    let open = |m: &&Message| m.channel_id == channel && m.text().contains(&format!("Question {number}/")) && m.button_id("Reveal").is_some();
    discord
        .wait_for(Duration::from_secs(15), |v| v.messages().filter(open).last().cloned())
        .await
        .unwrap_or_else(|| panic!("no open question {number} in channel {channel}: {:#?}\nfaulted: {:?}", discord.messages(channel), discord.faulted()))
}

fn round_of(m: &Message) -> RoundId {
    let id = m.button_id("Reveal").or_else(|| m.button_id("Next")).or_else(|| m.button_id("End")).expect("a live question's button");
    RoundId::from(id.split(':').nth(2).unwrap())
}

/// Reveals `q` as the instructor and returns the revealed message.
async fn reveal(discord: &StandIn, prof: &User, q: &Message) -> Message {
    let sent = discord.click(prof, q.id, &q.button_id("Reveal").unwrap()).await;
    assert_eq!(discord.callback(&sent).await.kind, 7, "the reveal edits the question message");
    discord.message(q.id).unwrap()
}

/// A bot against a fresh stand-in, its store, and an instructor.
async fn class() -> (StandIn, Bot, Store, GuildId, User) {
    let discord = StandIn::start().await;
    let bot = Bot::start(&discord, BotConfig { guild: Some(discord.guild), ..BotConfig::default() });
    discord.wait_ready(Some(discord.guild)).await;
    let store = Store::connect(&bot.database_url).await.unwrap();
    let guild = GuildId::new(discord.guild.to_string());
    (discord, bot, store, guild, User::instructor(2001, "prof"))
}

/// Waits until the live round of `channel` is closed; false if it stays open 20 s.
async fn round_closed(store: &Store, guild: &GuildId, channel: u64) -> bool {
    let channel = agora::ids::ChannelId::new(channel.to_string());
    for _ in 0..200 {
        if store.open_live_round(guild, &channel).await.unwrap().is_none() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// (a) One 500 on the message carrying question 1 of `/quiz start`: it is posted again,
/// once, and the round runs to its end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_on_question_1_is_posted_again_and_the_round_runs_to_its_end() {
    let (discord, _bot, store, guild, prof) = class().await;
    discord.fault(POST, 1, Fault::Status(500));
    let sent = discord.slash(&prof, discord.channel, "quiz start", json!({"kind": SINGLE, "questions": 2, "seconds": 60})).await;
    assert!(discord.response(&sent).await.text().contains("Round started"));
    let q1 = wait_question(&discord, discord.channel, 1).await;
    assert_eq!(discord.faulted().len(), 1, "the first post met the 500");
    let ada = User::student(3001, "ada");
    let sent = discord.click(&ada, q1.id, &q1.button_id("A").unwrap()).await;
    assert!(discord.response(&sent).await.text().contains("Locked in"));
    let revealed = reveal(&discord, &prof, &q1).await;
    let sent = discord.click(&prof, q1.id, &revealed.button_id("Next question").expect("Next after the reveal")).await;
    discord.callback(&sent).await;
    let q2 = wait_question(&discord, discord.channel, 2).await;
    // End round before question 2's reveal: its message shows the answer, then the board.
    let sent = discord.click(&prof, q2.id, &q2.button_id("End round").expect("End on an open question")).await;
    assert_eq!(discord.callback(&sent).await.kind, 7, "End updates the question it was pressed on");
    let ended = discord.message(q2.id).unwrap();
    assert!(ended.text().contains("the answer") && ended.text().contains("Why") && ended.buttons().is_empty(), "{}", ended.text());
    discord.wait_message(discord.channel, Duration::from_secs(5), |m| m.text().contains("Round over")).await;
    assert_eq!(store.round(&guild, &round_of(&q1)).await.unwrap().unwrap().status, RoundStatus::Finished, "the round ran to its end");
    assert_eq!(discord.messages(discord.channel).iter().filter(|m| m.text().contains("Question 1/")).count(), 1, "question 1 was posted once");
    discord.assert_clean();
    store.close().await;
}

/// (b) One 500 on question 2's post after Next: question 2 is posted all the same, and the
/// round runs to its end on its timer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_on_question_2_after_next_is_posted_again() {
    let (discord, _bot, store, guild, prof) = class().await;
    let sent = discord.slash(&prof, discord.channel, "quiz start", json!({"kind": SINGLE, "questions": 2, "seconds": 5})).await;
    discord.response(&sent).await;
    let q1 = wait_question(&discord, discord.channel, 1).await;
    let revealed = reveal(&discord, &prof, &q1).await;
    discord.fault(POST, 1, Fault::Status(500));
    let sent = discord.click(&prof, q1.id, &revealed.button_id("Next question").expect("Next after the reveal")).await;
    discord.callback(&sent).await;
    let q2 = wait_question(&discord, discord.channel, 2).await;
    assert_eq!(discord.faulted().len(), 1, "question 2's first post met the 500");
    let timed = discord
        .wait_for(Duration::from_secs(15), |v| v.messages().find(|m| m.id == q2.id && m.text().contains("the answer")).cloned())
        .await
        .expect("the timer reveals question 2");
    assert!(timed.buttons().is_empty(), "the last reveal closes the round");
    discord.wait_message(discord.channel, Duration::from_secs(5), |m| m.text().contains("Round over")).await;
    assert_eq!(store.round(&guild, &round_of(&q1)).await.unwrap().unwrap().status, RoundStatus::Finished, "the round ran to its end");
    discord.assert_clean();
    store.close().await;
}

/// A 429 with retry_after, then a post that takes longer than the question is open: the
/// question goes out once, and the timer, armed from the stored deadline, closes it all the
/// same; the late message shows the reveal, and the round goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_or_slow_post_still_lets_the_round_run() {
    let (discord, _bot, store, _guild, prof) = class().await;
    discord.fault(POST, 1, Fault::RateLimited { retry_after: 0.3 });
    let sent = discord.slash(&prof, discord.channel, "quiz start", json!({"kind": SINGLE, "questions": 1, "seconds": 60})).await;
    discord.response(&sent).await;
    wait_question(&discord, discord.channel, 1).await;
    assert_eq!(discord.messages(discord.channel).iter().filter(|m| m.text().contains("Question 1/")).count(), 1);
    let sent = discord.slash(&prof, discord.channel, "quiz stop", json!({})).await;
    assert!(discord.response(&sent).await.text().contains("Round over"));

    let slow = discord.add_channel(discord.guild, "slow");
    discord.fault(POST, 1, Fault::Delay(Duration::from_secs(7)));
    let sent = discord.slash(&prof, slow, "quiz start", json!({"kind": SINGLE, "questions": 2, "seconds": 5})).await;
    discord.response(&sent).await;
    let shown = discord
        .wait_for(Duration::from_secs(20), |v| v.messages().find(|m| m.channel_id == slow && m.text().contains("the answer")).cloned())
        .await
        .unwrap_or_else(|| panic!("question 1 is shown revealed: {:#?}", discord.messages(slow)));
    let sent = discord.click(&prof, shown.id, &shown.button_id("Next question").expect("Next on the reveal")).await;
    discord.callback(&sent).await;
    wait_question(&discord, slow, 2).await;
    let sent = discord.slash(&prof, slow, "quiz stop", json!({})).await;
    assert!(discord.response(&sent).await.text().contains("Round over"));
    discord.assert_clean();
    store.close().await;
}

/// A post that finally fails: Discord refuses it (403, the bot may not post there), or every
/// try meets a 500. The round is closed rather than left open, the channel is told when it
/// can be, and a new `/quiz start` is not blocked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_that_cannot_be_posted_closes_its_round_with_a_notice() {
    let (discord, bot, store, guild, prof) = class().await;
    discord.fault(POST, 1, Fault::Status(403));
    let sent = discord.slash(&prof, discord.channel, "quiz start", json!({"kind": SINGLE, "questions": 2, "seconds": 60})).await;
    discord.response(&sent).await;
    let notice = discord.wait_message(discord.channel, Duration::from_secs(15), |m| m.text().contains("could not post")).await;
    assert!(notice.text().contains("closed") && notice.text().contains("/quiz start"), "{}", notice.text());
    assert!(round_closed(&store, &guild, discord.channel).await);
    let sent = discord.slash(&prof, discord.channel, "quiz start", json!({"kind": SINGLE, "questions": 1, "seconds": 60})).await;
    assert!(discord.response(&sent).await.text().contains("Round started"), "a new start is not blocked");
    wait_question(&discord, discord.channel, 1).await;

    let broken = discord.add_channel(discord.guild, "broken");
    discord.fault(&format!("POST /channels/{broken}/messages"), 1000, Fault::Status(500));
    let sent = discord.slash(&prof, broken, "quiz start", json!({"kind": SINGLE, "questions": 1, "seconds": 60})).await;
    discord.response(&sent).await;
    assert!(round_closed(&store, &guild, broken).await, "a round whose question can never be posted is closed\n{}", bot.logs());
    assert!(discord.faulted().len() > 2, "it was tried more than once: {:?}", discord.faulted());
    let sent = discord.slash(&prof, broken, "quiz start", json!({"kind": SINGLE, "questions": 1, "seconds": 60})).await;
    assert!(discord.response(&sent).await.text().contains("Round started"), "a new start is not blocked");
    discord.assert_clean();
    store.close().await;
}

/// (3) A 500 on the message carrying a debate speech: the speech is posted all the same,
/// with its Flag button for the opponent, and the speaker is told it was given; their
/// second try is refused as a speech already given, and nothing is posted twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_on_a_speech_post_still_shows_the_speech() {
    let (discord, _bot, store, _guild, prof) = class().await;
    let channel = discord.channel;
    let sent = discord.slash(&prof, channel, "debate start", json!({"motion": "alliance-in-all-but-name", "format": 0})).await;
    assert!(discord.response(&sent).await.text().contains("Quick debate"));
    let board = |phase: &'static str| {
        let discord = &discord;
        async move {
            let now = format!("Now: {phase}");
            discord
                .wait_for(Duration::from_secs(10), |v| {
                    v.messages().filter(|m| m.channel_id == channel && !m.ephemeral() && m.text().contains(&now)).last().cloned()
                })
                .await
                .unwrap_or_else(|| panic!("no board for {phase}: {:#?}", discord.messages(channel)))
        }
    };
    let signup = board("Sign-up").await;
    let (p1, o1) = (User::student(5001, "speaker1"), User::student(5002, "speaker2"));
    for (who, side) in [(&p1, "Join Proposition"), (&o1, "Either side")] {
        let sent = discord.click(who, signup.id, &signup.button_id(side).unwrap()).await;
        assert!(discord.response(&sent).await.text().contains("You speak for the"));
    }
    discord.response(&discord.slash(&prof, channel, "debate advance", json!({})).await).await;
    let opening = board("Opening speeches").await;

    let sent = discord.click(&p1, opening.id, &opening.button_id("Speak").unwrap()).await;
    let cb = discord.callback(&sent).await;
    assert_eq!(cb.kind, 9, "Speak opens a modal: {:?}", cb.data);
    let modal = cb.data["custom_id"].as_str().unwrap().to_string();
    let fields =
        [("claim", "the partnership works as an alliance"), ("reasoning", "According to the paper, it does."), ("citations", "s7-p2-informal-alliance")];
    discord.fault(POST, 1, Fault::Status(500));
    let sent = discord.submit_modal(&p1, channel, &modal, &fields, Some(opening.id)).await;
    let ack = discord.response(&sent).await.text();
    assert!(ack.contains("Your speech") && !ack.contains("went wrong"), "the speaker is told it was given: {ack}");
    discord.wait_message(channel, Duration::from_secs(15), |m| m.text().contains("Opening speeches · Proposition · speaker1")).await;
    let evidence = discord.wait_message(channel, Duration::from_secs(15), |m| m.text().contains("Evidence cited by speaker1")).await;
    assert!(evidence.button_id("Flag a card").is_some(), "the opponent can flag: {}", evidence.text());
    assert_eq!(discord.faulted().len(), 1, "the first post met the 500");
    // The opponent's flag works on it.
    let sent = discord.click(&o1, evidence.id, &evidence.button_id("Flag a card").unwrap()).await;
    assert_eq!(discord.callback(&sent).await.kind, 9, "the opponent's Flag opens its form");
    // Sent again (as a speaker would after an error): refused, and nothing posted twice.
    let sent = discord.submit_modal(&p1, channel, &modal, &fields, Some(opening.id)).await;
    let again = discord.response(&sent).await.text();
    assert!(again.contains("already"), "{again}");
    assert_eq!(discord.messages(channel).iter().filter(|m| m.text().contains("Opening speeches · Proposition · speaker1")).count(), 1, "posted once");
    discord.assert_clean();
    store.close().await;
}

/// `kill -9` while a question's post keeps failing: after the restart the poster picks up
/// the undelivered question and posts it once, and the round goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_not_yet_posted_is_posted_after_a_restart() {
    let (discord, mut bot, store, guild, prof) = class().await;
    discord.fault(POST, 1000, Fault::Status(500));
    let sent = discord.slash(&prof, discord.channel, "quiz start", json!({"kind": SINGLE, "questions": 1, "seconds": 120})).await;
    assert!(discord.response(&sent).await.text().contains("Round started"));
    assert!(discord.wait_faulted(1, Duration::from_secs(10)).await >= 1, "the post was tried");
    let before = discord.registrations();
    bot.kill9();
    discord.clear_faults();
    bot.restart(&discord);
    discord.wait_registered(Some(discord.guild), before).await;
    let q = discord
        .wait_for(Duration::from_secs(40), |v| v.messages().find(|m| m.channel_id == discord.channel && m.text().contains("Question 1/")).cloned())
        .await
        .unwrap_or_else(|| panic!("the question is posted after the restart: {:#?}\n{}", discord.messages(discord.channel), bot.logs()));
    let sent = discord.click(&User::student(3001, "ada"), q.id, &q.button_id("A").unwrap()).await;
    assert!(discord.response(&sent).await.text().contains("Locked in"), "the round goes on");
    assert!(store.open_live_round(&guild, &agora::ids::ChannelId::new(discord.channel.to_string())).await.unwrap().is_some());
    assert_eq!(discord.messages(discord.channel).iter().filter(|m| m.text().contains("Question 1/")).count(), 1, "posted once");
    discord.assert_clean();
    store.close().await;
}
