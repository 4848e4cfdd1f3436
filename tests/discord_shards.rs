//! Two `agora serve` processes on one PostgreSQL, each running one of two gateway shards,
//! against the Discord stand-in with a server on each shard: each process runs the rounds of
//! its own servers, and after `kill -9` a restarted process picks up its own round (the
//! question keeps taking answers, its timer reveals it) and debate, and leaves the other's
//! alone, even when the other process is down past that round's deadline.

use crate::common;
use crate::support;

use std::time::{Duration, Instant};

use agora::ids::{GuildId, RoundId};
use agora::store::Store;
use common::Postgres;
use serde_json::json;
use support::bot::{Bot, BotConfig};
use support::discord::{Message, Sent, StandIn, User};

/// poise's choice index for single-choice questions (see `KindChoice`).
const SINGLE: u64 = 0;
/// How long the question on shard 0 stays open: long enough for a restart in the middle of it.
const SECONDS_0: u64 = 6;
/// The question on shard 1 closes later, so that process B can be down past its deadline
/// after process A is back.
const SECONDS_1: u64 = 11;

/// A bot running shard `shard` of two, on the shared database.
fn on_shard(database_url: &str, shard: u32) -> BotConfig {
    BotConfig {
        database_url: Some(database_url.to_string()),
        args: vec!["--shards".into(), format!("{shard}-{shard}"), "--shard-total".into(), "2".into()],
        ..BotConfig::default()
    }
}

/// The open question 1 in `channel` (one with a Reveal button).
async fn wait_question(discord: &StandIn, channel: u64) -> Message {
    let open = |m: &&Message| m.channel_id == channel && m.text().contains("Question 1/") && m.button_id("Reveal").is_some();
    discord.wait_for(Duration::from_secs(10), |v| v.messages().find(open).cloned()).await.expect("an open question 1")
}

/// The private text a member got back.
async fn reply_to(discord: &StandIn, sent: &Sent) -> String {
    let m = discord.response(sent).await;
    assert!(m.ephemeral(), "{}: only its user sees this: {}", sent.label, m.text());
    m.text()
}

fn is_revealed(m: &Message) -> bool {
    m.text().contains("the answer")
}

/// The question message once its timer revealed it.
async fn wait_reveal(discord: &StandIn, message: u64) -> Message {
    discord
        .wait_for(Duration::from_secs(SECONDS_1 + 10), |v| v.messages().find(|m| m.id == message && is_revealed(m)).cloned())
        .await
        .unwrap_or_else(|| panic!("the timer revealed message {message}: {:?}", discord.message(message).map(|m| m.text())))
}

/// What a bot says when it picks up a live round, and a debate's phase timer.
const ROUND: &str = "resuming a live round";
const DEBATE: &str = "resuming a debate's phase timer";

/// The lines of a bot's log since its last restart that hold `what`.
fn resumed(bot: &Bot, what: &str) -> Vec<String> {
    let logs = bot.logs();
    let since = logs.rsplit("---- restart ----").next().unwrap_or_default();
    since.lines().filter(|l| l.contains(what)).map(str::to_string).collect()
}

/// Whether a bot resumed exactly one `what`, in `guild`.
fn resumed_one(bot: &Bot, what: &str, guild: u64) -> bool {
    let lines = resumed(bot, what);
    lines.len() == 1 && lines[0].contains(&format!("guild={guild}"))
}

/// Starts `bot` again (after `kill -9`) on the same database; returns once it is connected
/// and has picked up its rounds and debates, with how long that took.
async fn restart(discord: &StandIn, bot: &mut Bot) -> Duration {
    let before = discord.registrations();
    let started = Instant::now();
    bot.restart(discord);
    discord.wait_registered(None, before).await;
    bot.wait_log(DEBATE, Duration::from_secs(10)).await;
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_postgres_each_run_their_own_shard() {
    let Some(pg) = Postgres::new().await else { return };
    let discord = StandIn::start().await;
    let (g0, c0) = discord.add_guild_on_shard("Class on shard 0", 0, 2);
    let (g1, c1) = discord.add_guild_on_shard("Class on shard 1", 1, 2);
    let mut a = Bot::start(&discord, on_shard(&pg.0, 0));
    discord.wait_registered(None, 0).await;
    let mut b = Bot::start(&discord, on_shard(&pg.0, 1));
    discord.wait_registered(None, 1).await;
    let store = Store::connect(&pg.0).await.unwrap();
    let prof = User::instructor(2001, "prof");
    let student = |n: u64| User::student(3000 + n, &format!("student{n}"));

    // A live round in each server; three students answer in each.
    let mut questions = Vec::new();
    for (channel, seconds) in [(c0, SECONDS_0), (c1, SECONDS_1)] {
        let sent = discord.slash(&prof, channel, "quiz start", json!({"kind": SINGLE, "questions": 1, "seconds": seconds})).await;
        assert!(reply_to(&discord, &sent).await.contains("Round started"));
        let q = wait_question(&discord, channel).await;
        let a_button = q.button_id("A").expect("a button A");
        for n in 1..=3 {
            let sent = discord.click(&student(n), q.id, &a_button).await;
            assert!(reply_to(&discord, &sent).await.contains("Locked in"));
        }
        questions.push((q, a_button));
    }
    let [(q0, a0), (q1, a1)] = <[_; 2]>::try_from(questions).unwrap();
    // And a debate in each, in sign-up (its timer far off).
    for guild in [g0, g1] {
        let channel = discord.add_channel(guild, "debate");
        let sent = discord.slash(&prof, channel, "debate start", json!({"motion": "Trade matters more than arms.", "format": 0})).await;
        assert!(reply_to(&discord, &sent).await.contains("Quick debate (1 v 1)"));
    }
    // Each server's interactions reached the process that runs its shard, and only that one.
    assert!(a.logs().contains(&g0.to_string()) && !a.logs().contains(&g1.to_string()), "process A serves only the server on shard 0:\n{}", a.logs());
    assert!(b.logs().contains(&g1.to_string()) && !b.logs().contains(&g0.to_string()), "process B serves only the server on shard 1:\n{}", b.logs());

    // ── kill -9 of A in the middle of both questions; A starts again on the same database
    // and resumes its own round only.
    a.kill9();
    let took = restart(&discord, &mut a).await;
    eprintln!("process A restarted, connected and resumed its round and debate in {took:?}");
    assert!(resumed_one(&a, ROUND, g0), "A resumes its own round and not B's: {:#?}", resumed(&a, ROUND));
    assert!(resumed_one(&a, DEBATE, g0), "A resumes its own debate and not B's: {:#?}", resumed(&a, DEBATE));
    // A's question goes on: an answer from before the crash counts once, a new one counts.
    assert!(reply_to(&discord, &discord.click(&student(1), q0.id, &a0).await).await.contains("already answered"));
    assert!(reply_to(&discord, &discord.click(&student(4), q0.id, &a0).await).await.contains("Locked in"));
    // B's question was never interrupted.
    assert!(reply_to(&discord, &discord.click(&student(5), q1.id, &a1).await).await.contains("Locked in"));
    let revealed0 = wait_reveal(&discord, q0.id).await;
    assert!(revealed0.text().contains("Answers: 4 ·"), "A's timer reveals its question after the restart: {}", revealed0.text());
    assert!(!is_revealed(&discord.message(q1.id).unwrap()), "B's question is still open");

    // ── kill -9 of B, which stays down past its question's deadline: A, running, leaves
    // that round alone (nobody reveals it), and B, back, reveals it once.
    b.kill9();
    let round_of = |q: &Message| RoundId::from(q.button_id("Reveal").unwrap().split(':').nth(2).unwrap());
    let guild1 = GuildId::new(g1.to_string());
    let deadline1 = store.round(&guild1, &round_of(&q1)).await.unwrap().unwrap().deadline.expect("an open question has a deadline");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    assert!(now < deadline1, "B went down before its question closed");
    tokio::time::sleep(Duration::from_millis((deadline1 + 1_500 - now) as u64)).await;
    let waiting = discord.message(q1.id).unwrap();
    assert!(!is_revealed(&waiting) && waiting.edits == 0, "while B is down nobody touches its question: {}", waiting.text());
    let took = restart(&discord, &mut b).await;
    eprintln!("process B restarted, connected and resumed its round and debate in {took:?}");
    assert!(resumed_one(&b, ROUND, g1), "B resumes its own round and not A's: {:#?}", resumed(&b, ROUND));
    assert!(resumed_one(&b, DEBATE, g1), "B resumes its own debate and not A's: {:#?}", resumed(&b, DEBATE));
    let revealed1 = wait_reveal(&discord, q1.id).await;
    assert!(revealed1.text().contains("Answers: 4 ·"), "B's overdue timer reveals its question: {}", revealed1.text());

    // Each question was revealed once, by its own process; neither touched the other's server.
    tokio::time::sleep(Duration::from_secs(1)).await;
    for (q, who) in [(&q0, "A"), (&q1, "B")] {
        assert_eq!(discord.message(q.id).unwrap().edits, 1, "process {who}'s question was edited once, by its reveal");
    }
    assert!(!a.logs().contains(&g1.to_string()), "A never touched the server on shard 1:\n{}", a.logs());
    assert!(!b.logs().contains(&g0.to_string()), "B never touched the server on shard 0:\n{}", b.logs());

    // The database holds each answer once.
    for (guild, q, late) in [(g0, &q0, 4), (g1, &q1, 5)] {
        let guild = GuildId::new(guild.to_string());
        let round = round_of(q);
        let item = store.round(&guild, &round).await.unwrap().unwrap().item_ids[0].clone();
        let mut users: Vec<String> = store.answers_for_round_item(&guild, &round, &item).await.unwrap().iter().map(|a| a.answer.user_id.to_string()).collect();
        users.sort();
        let expected: Vec<String> = [1, 2, 3, late].iter().map(|n| (3000 + n).to_string()).collect();
        assert_eq!(users, expected, "answers in server {guild}");
    }

    discord.assert_clean();
    store.close().await;
    for bot in [&mut a, &mut b] {
        bot.signal("TERM");
        assert!(bot.wait_exit(Duration::from_secs(10)).await.success(), "{}", bot.logs());
    }
}
