//! The quiz as a class meets it in Discord: the real `agora serve` against the stand-in.
//! A live round with 30 students clicking, its refusals, the reveal with its citation and
//! spread, the timer, the closing leaderboard and the scores in the database; typed answers
//! through the modal; practice with its Source button; `/score` and `/leaderboard`; names
//! and answers that would ping; `kill -9` in the middle of a round, then a new start.

use crate::support;

use std::time::Duration;

use agora::bank::{self, Answer, Bank};
use agora::ids::{GuildId, RoundId};
use agora::store::Store;
use serde_json::{Value, json};
use support::bot::{Bot, BotConfig, copy_bank};
use support::discord::{EPHEMERAL, Message, StandIn, User};

/// poise's choice indices for `kind` (see `KindChoice`).
const SINGLE: u64 = 0;
const TRUE_FALSE: u64 = 1;
const NUMERIC: u64 = 3;
const ORDERING: u64 = 4;

fn student(n: u64) -> User {
    User::student(3000 + n, &format!("student{n}"))
}

/// The round id and question number a button's custom_id names (`agora1:KIND:ROUND:N…`).
fn round_of(custom_id: &str) -> (RoundId, usize) {
    let parts: Vec<&str> = custom_id.split(':').collect();
    (RoundId::from(parts[2]), parts.get(3).and_then(|n| n.parse().ok()).unwrap_or(0))
}

/// The shown letter that answers the question of `message` rightly, from the bank and the
/// round's seed in the store.
async fn right_letter(store: &Store, bank: &Bank, guild: &GuildId, message: &Message) -> String {
    let (round_id, number) = round_of(&message.button_id("Reveal").expect("a live question has Reveal"));
    let round = store.round(guild, &round_id).await.unwrap().unwrap();
    let q = bank.question(round.item_ids[number - 1].as_str()).unwrap();
    let shown = agora::quiz::presentation(q, round.seed);
    match &q.answer {
        Answer::Single { correct, .. } => agora::app::letter(shown.order().iter().position(|o| o == correct).unwrap()).to_string(),
        Answer::TrueFalse { correct } => if *correct { "True" } else { "False" }.to_string(),
        other => panic!("not a button question: {:?}", other.kind()),
    }
}

/// The newest open question `number` in `channel` (one with a Reveal button).
async fn wait_question(discord: &StandIn, channel: u64, number: usize) -> Message {
    let open = |m: &&Message| m.channel_id == channel && m.text().contains(&format!("Question {number}/")) && m.button_id("Reveal").is_some();
    discord
        .wait_for(Duration::from_secs(10), |v| v.messages().filter(open).last().cloned())
        .await
        .unwrap_or_else(|| panic!("no open question {number} in channel {channel}: {:#?}", discord.messages(channel)))
}

/// The ephemeral text a student got back for an interaction.
async fn reply_to(discord: &StandIn, sent: &support::discord::Sent) -> String {
    let m = discord.response(sent).await;
    assert!(m.ephemeral(), "{}: only the clicker sees this: {}", sent.label, m.text());
    m.text()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_class_plays_a_quiz_in_discord() {
    let discord = StandIn::start().await;
    let dir = tempfile::tempdir().unwrap();
    let questions = copy_bank(dir.path());
    let mut bot = Bot::start(&discord, BotConfig { guild: Some(discord.guild), questions: Some(questions.clone()), ..BotConfig::default() });
    discord.wait_ready(Some(discord.guild)).await;
    let bank = bank::load(&questions, None).unwrap();
    let store = Store::connect(&bot.database_url).await.unwrap();
    let guild = GuildId::new(discord.guild.to_string());
    let prof = User::instructor(2001, "prof");

    // ── A live round: 30 students click; refusals; the instructor's reveal.
    let started = discord.slash(&prof, discord.channel, "quiz start", json!({"kind": SINGLE, "questions": 2, "seconds": 5})).await;
    assert!(reply_to(&discord, &started).await.contains("Round started: 2 questions"));
    let q1 = wait_question(&discord, discord.channel, 1).await;
    assert!(!q1.ephemeral() && q1.text().contains("Closes <t:"), "the class sees the question with a countdown: {}", q1.text());
    let right = right_letter(&store, &bank, &guild, &q1).await;
    let wrong = if right == "A" { "B" } else { "A" };
    for n in 0..30 {
        let pick = if n % 3 == 0 { wrong } else { right.as_str() };
        let id = q1.button_id(pick).unwrap_or_else(|| panic!("a button {pick}"));
        let who = if n == 2 { User::student(3002, "@everyone <@2001>") } else { student(n) };
        // Student 5's click reaches the bot 2 s after Discord made it (as after a backlog):
        // acknowledged at once with a private "thinking…", then filled in once committed.
        let late = n == 5;
        let sent = if late { discord.click_aged(&who, q1.id, &id, Duration::from_secs(2)).await } else { discord.click(&who, q1.id, &id).await };
        let text = reply_to(&discord, &sent).await;
        assert!(text.contains(&format!("Locked in for question 1: **{pick}.")), "{text}");
        let first = discord.callback(&sent).await;
        let expected = if late { (5, Some(EPHEMERAL)) } else { (4, Some(EPHEMERAL)) };
        assert_eq!((first.kind, first.data["flags"].as_u64().map(|f| f & EPHEMERAL)), expected, "{}: {:?}", sent.label, first.data);
    }
    let id = q1.button_id(&right).unwrap();
    assert!(reply_to(&discord, &discord.click(&student(1), q1.id, &id).await).await.contains("already answered"), "a double click counts once");
    let reveal_id = q1.button_id("Reveal").unwrap();
    assert!(reply_to(&discord, &discord.click(&student(2), q1.id, &reveal_id).await).await.contains("Only an instructor"), "a student cannot reveal");
    assert!(reply_to(&discord, &discord.click(&student(2), q1.id, "agora1:zz:l1:1").await).await.contains("not one this bot made"), "a forged id");
    assert!(reply_to(&discord, &discord.click(&student(2), q1.id, "something-else").await).await.contains("not one this bot made"));

    let sent = discord.click(&prof, q1.id, &reveal_id).await;
    assert_eq!(discord.callback(&sent).await.kind, 7, "the reveal edits the question message");
    let revealed = discord.message(q1.id).unwrap().text();
    assert!(revealed.contains("the answer") && revealed.contains("Source: ") && revealed.contains("Answers: 30 · right: 20 (67%)"), "{revealed}");
    assert!(revealed.contains('█'), "the spread as bars: {revealed}");
    let (round_id, _) = round_of(&reveal_id);
    let item = store.round(&guild, &round_id).await.unwrap().unwrap().item_ids[0].clone();
    let stored = store.answers_for_round_item(&guild, &round_id, &item).await.unwrap();
    assert_eq!((stored.len(), stored.iter().filter(|a| a.answer.correct).count()), (30, 20), "what the reveal shows is what the store holds");
    assert!(reply_to(&discord, &discord.click(&student(40), q1.id, &id).await).await.contains("closed"), "a late click earns nothing");
    assert_eq!(store.answers_for_round_item(&guild, &round_id, &item).await.unwrap().len(), 30);

    // Next: question 2, left to its timer; the stale Reveal of question 1 changes nothing.
    let next = discord.message(q1.id).unwrap().button_id("Next question").expect("Next after the reveal");
    let sent = discord.click(&prof, q1.id, &next).await;
    assert_eq!(discord.callback(&sent).await.kind, 7);
    let q2 = wait_question(&discord, discord.channel, 2).await;
    assert!(reply_to(&discord, &discord.click(&prof, q1.id, &next).await).await.contains("question that is over"), "a second Next never skips a question");
    let right2 = right_letter(&store, &bank, &guild, &q2).await;
    let sent = discord.click(&student(1), q2.id, &q2.button_id(&right2).unwrap()).await;
    reply_to(&discord, &sent).await;
    let timed = discord
        .wait_for(Duration::from_secs(10), |v| v.messages().find(|m| m.id == q2.id && m.text().contains("the answer")).cloned())
        .await
        .expect("the timer reveals question 2");
    assert!(timed.text().contains("Answers: 1 · right: 1"), "{}", timed.text());
    // The last reveal closes the round: no buttons left, its leaderboard posted, and the
    // channel free for the next round.
    assert!(timed.buttons().is_empty(), "the last reveal keeps no buttons: {:?}", timed.buttons());
    let board = discord.wait_message(discord.channel, Duration::from_secs(5), |m| m.text().contains("Round over")).await;
    assert!(board.text().contains("student1") && board.text().contains("2 questions asked"), "the closing leaderboard: {}", board.text());
    assert_eq!(store.round(&guild, &round_id).await.unwrap().unwrap().status, agora::store::RoundStatus::Finished);
    // The item report states its rule and shows the figures so far, judged or not.
    let items = discord.slash(&prof, discord.channel, "scores items", json!({})).await;
    let report = reply_to(&discord, &items).await;
    assert!(report.contains("Items need at least 10 answers before they are judged") && report.contains("2 items answered here"), "{report}");
    assert!(
        report.contains("· asked 1 · 30 answers · 67% right")
            && report.contains("· 1 answer · 100% right · FSRS difficulty")
            && report.contains("· 9 more answers to judge"),
        "{report}"
    );
    let again = discord.slash(&prof, discord.channel, "quiz start", json!({"kind": SINGLE, "questions": 1, "seconds": 60})).await;
    assert!(reply_to(&discord, &again).await.contains("Round started"), "the channel is free once the last question is revealed");
    let busy = discord.slash(&prof, discord.channel, "quiz start", json!({"kind": SINGLE, "questions": 1, "seconds": 60})).await;
    assert!(reply_to(&discord, &busy).await.contains("`/quiz stop`"), "a refusal names what to do");
    let stop = discord.slash(&prof, discord.channel, "quiz stop", json!({})).await;
    assert!(discord.response(&stop).await.text().contains("Round over"));

    // ── Typed answers through the modal: a number, then an ordering.
    let numbers = discord.add_channel(discord.guild, "numbers");
    for (kind, typed) in [(NUMERIC, None), (ORDERING, Some(()))] {
        let sent = discord.slash(&prof, numbers, "quiz start", json!({"kind": kind, "questions": 1, "seconds": 60})).await;
        discord.response(&sent).await;
        let q = wait_question(&discord, numbers, 1).await;
        let answer_button = q.button_id("Answer").expect("typed kinds get an Answer button");
        let sent = discord.click(&student(5), q.id, &answer_button).await;
        let modal = discord.callback(&sent).await;
        assert_eq!(modal.kind, 9, "the Answer button opens a modal: {:?}", modal.data);
        let modal_id = modal.data["custom_id"].as_str().unwrap().to_string();
        let text = match typed {
            None => "244.8".to_string(),
            Some(()) => {
                let n = q.text().matches("**").count() / 2;
                (0..n).rev().map(|i| agora::app::letter(i).to_string()).collect::<Vec<_>>().join(" ")
            }
        };
        let sent = discord.submit_modal(&student(5), numbers, &modal_id, &[("answer", &text)], Some(q.id)).await;
        let locked = reply_to(&discord, &sent).await;
        assert!(locked.contains("Locked in for question 1"), "{locked}");
        let stop = discord.slash(&prof, numbers, "quiz stop", json!({})).await;
        assert!(discord.response(&stop).await.text().contains("Round over"));
        // Stopped before its reveal, the question shows its answer all the same.
        let shown = discord.wait_for(Duration::from_secs(5), |v| v.messages().find(|m| m.id == q.id && m.buttons().is_empty()).cloned()).await;
        let shown = shown.expect("a stopped round's question takes no more clicks");
        assert!(
            shown.text().contains("the answer") && shown.text().contains("Why") && shown.text().contains("Source: ") && shown.text().contains("Answers: 1"),
            "a question ended before its reveal shows the answer, why and the passage: {}",
            shown.text()
        );
    }

    // ── Practice with the Source button, then /score and /leaderboard.
    let ada = User::student(4001, "ada");
    let sent = discord.slash(&ada, discord.channel, "practice", json!({"kind": TRUE_FALSE, "questions": 1})).await;
    let p = discord.response(&sent).await;
    assert!(p.ephemeral() && p.text().contains("Question 1/1"), "{}", p.text());
    let sent = discord.click(&ada, p.id, &p.button_id("True").unwrap()).await;
    assert_eq!(discord.callback(&sent).await.kind, 7);
    let verdict = discord.message(p.id).unwrap();
    assert!(verdict.text().contains("The answer") && verdict.text().contains("Why"), "{}", verdict.text());
    let source = reply_to(&discord, &discord.click(&ada, p.id, &verdict.button_id("Source").unwrap()).await).await;
    assert!(source.contains("The passages behind this answer") && source.contains('“'), "{source}");
    assert!(
        reply_to(&discord, &discord.click(&student(9), p.id, &verdict.button_id("Finish").unwrap()).await).await.contains("someone else"),
        "another student cannot move ada's practice on"
    );
    let sent = discord.click(&ada, p.id, &verdict.button_id("Finish").unwrap()).await;
    assert_eq!(discord.callback(&sent).await.kind, 7);
    assert!(discord.message(p.id).unwrap().text().contains("Practice done"));
    let sent = discord.slash(&ada, discord.channel, "score", json!({})).await;
    assert!(reply_to(&discord, &sent).await.contains("1 answered"));
    let sent = discord.slash(&student(1), discord.channel, "leaderboard", json!({})).await;
    let board = discord.response(&sent).await.text();
    assert!(board.contains("student1") && board.contains("@\u{200B}everyone"), "names appear as written, as no mention: {board}");

    // ── kill -9 in the middle of a question, then a new start: the round goes on.
    let crash = discord.add_channel(discord.guild, "crash");
    let sent = discord.slash(&prof, crash, "quiz start", json!({"kind": SINGLE, "questions": 1, "seconds": 6})).await;
    discord.response(&sent).await;
    let q = wait_question(&discord, crash, 1).await;
    let right = right_letter(&store, &bank, &guild, &q).await;
    for n in 0..5 {
        let sent = discord.click(&student(n), q.id, &q.button_id(&right).unwrap()).await;
        assert!(reply_to(&discord, &sent).await.contains("Locked in"), "acknowledged, so committed");
    }
    let before = discord.registrations();
    bot.kill9();
    bot.restart(&discord);
    discord.wait_registered(Some(discord.guild), before).await;
    assert!(
        reply_to(&discord, &discord.click(&student(1), q.id, &q.button_id(&right).unwrap()).await).await.contains("already answered"),
        "an answer from before the crash still counts, once"
    );
    let sent = discord.click(&student(7), q.id, &q.button_id(&right).unwrap()).await;
    assert!(reply_to(&discord, &sent).await.contains("Locked in"), "the question still takes answers after the restart");
    let revealed = discord
        .wait_for(Duration::from_secs(15), |v| v.messages().find(|m| m.id == q.id && m.text().contains("the answer")).cloned())
        .await
        .expect("the timer fires after the restart");
    assert!(revealed.text().contains("Answers: 6 · right: 6"), "{}", revealed.text());

    // Nothing the bot sent could ping, every interaction was answered once and in time.
    for p in discord.payloads() {
        if p.body.get("content").is_some() || p.body.get("embeds").is_some() || p.body.get("data").is_some_and(|d: &Value| d.get("embeds").is_some()) {
            let mentions = p.body.get("allowed_mentions").or_else(|| p.body["data"].get("allowed_mentions"));
            assert_eq!(mentions, Some(&json!({"parse": [], "users": [], "roles": []})), "{}: {}", p.route, p.body);
        }
    }
    let _ = EPHEMERAL;
    discord.assert_clean();
    store.close().await;
    bot.signal("TERM");
    assert!(bot.wait_exit(Duration::from_secs(10)).await.success(), "{}", bot.logs());
}

/// A GET over plain HTTP/1.1: the status and the body.
async fn http_get(addr: &str, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status = response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

/// The operator's view, then SIGTERM in the middle of a burst of clicks: `/healthz` and
/// `/metrics` say what happened; the bot answers what is in flight and exits 0; every answer
/// it acknowledged is in the database; on the next start the round resumes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_burst_loses_no_acknowledged_answer() {
    let discord = StandIn::start().await;
    let dir = tempfile::tempdir().unwrap();
    let questions = copy_bank(dir.path());
    let metrics = BotConfig {
        guild: Some(discord.guild),
        questions: Some(questions.clone()),
        args: vec!["--metrics-addr".into(), "127.0.0.1:0".into()],
        ..BotConfig::default()
    };
    let mut bot = Bot::start(&discord, metrics);
    discord.wait_ready(Some(discord.guild)).await;
    bot.wait_log("metrics listening on ", Duration::from_secs(10)).await;
    let logs = bot.logs();
    let addr = logs.split("metrics listening on ").nth(1).and_then(|rest| rest.split_whitespace().next()).unwrap().to_string();
    let (status, body) = http_get(&addr, "/healthz").await;
    assert_eq!((status, body.trim()), (200, "ok"), "connected and the database answers");
    let prof = User::instructor(2001, "prof");
    let sent = discord.slash(&prof, discord.channel, "quiz start", json!({"kind": SINGLE, "questions": 1, "seconds": 120})).await;
    discord.response(&sent).await;
    let q = wait_question(&discord, discord.channel, 1).await;
    let a = q.button_id("A").unwrap();
    let (round_id, _) = round_of(&a);

    // The metrics count what happened: one command, the clicks' answers, their latency.
    for n in 0..3 {
        let sent = discord.click(&student(100 + n), q.id, &a).await;
        reply_to(&discord, &sent).await;
    }
    let expected = [
        "agora_answers_recorded_total 3",
        "agora_interactions_total{kind=\"component\",outcome=\"ok\"} 3",
        "agora_interactions_total{kind=\"command\",outcome=\"ok\"} 1",
        "agora_open_rounds 1",
        "agora_shard_connected{shard=\"0\"} 1",
        "agora_first_response_seconds_bucket{kind=\"component\",le=\"+Inf\"} 3",
    ];
    // The bot records a first response's latency once its callback has returned, which can be
    // a moment after the stand-in received it: read the page again for up to a second.
    let mut metrics_before_exit = String::new();
    for _ in 0..20 {
        let (status, body) = http_get(&addr, "/metrics").await;
        assert_eq!(status, 200);
        metrics_before_exit = body;
        if expected.iter().all(|line| metrics_before_exit.lines().any(|l| l == *line)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for line in expected {
        assert!(metrics_before_exit.lines().any(|l| l == line), "/metrics has `{line}`:\n{metrics_before_exit}");
    }
    let mut clicks = Vec::new();
    // Twenty answers go in before the signal, twenty race it: those reach the bot only
    // while it is still connected, and those it acknowledges must be stored.
    for n in 0..20 {
        clicks.push(discord.click(&student(n), q.id, &a).await);
    }
    for sent in &clicks {
        reply_to(&discord, sent).await;
    }
    bot.signal("TERM");
    for n in 20..40 {
        match discord.click_if_connected(&student(n), q.id, &a) {
            Some(sent) => clicks.push(sent),
            None => break,
        }
    }
    let status = bot.wait_exit(Duration::from_secs(15)).await;
    assert!(status.success(), "SIGTERM ends the bot with status 0: {status:?}\n{}", bot.logs());
    // Past Discord's 3 s, a click the leaving bot never answered counts as unanswered.
    tokio::time::sleep(support::discord::DEADLINE + Duration::from_millis(500)).await;
    let acknowledged: Vec<u64> = clicks
        .iter()
        .enumerate()
        .filter(|(_, s)| discord.callbacks(s).iter().any(|c| c.data["content"].as_str().is_some_and(|t| t.contains("Locked in"))))
        .map(|(n, _)| 3000 + n as u64)
        .collect();
    assert!(acknowledged.len() >= 20, "the clicks before the signal were answered: {}", acknowledged.len());
    // Clicks that reached a bot already leaving were never answered: Discord would show
    // "interaction failed" and the student clicks again after the restart.
    let unanswered = discord.take_violations();
    assert!(unanswered.iter().all(|v| v.contains("never got a response")), "{unanswered:#?}");

    let store = Store::connect(&bot.database_url).await.unwrap();
    let guild = GuildId::new(discord.guild.to_string());
    let item = store.round(&guild, &round_id).await.unwrap().unwrap().item_ids[0].clone();
    let stored: Vec<u64> =
        store.answers_for_round_item(&guild, &round_id, &item).await.unwrap().iter().map(|a| a.answer.user_id.as_str().parse().unwrap()).collect();
    for user in &acknowledged {
        assert!(stored.contains(user), "acknowledged answer of {user} is in the database");
    }

    let before = discord.registrations();
    bot.restart(&discord);
    discord.wait_registered(Some(discord.guild), before).await;
    let late = discord.click(&student(99), q.id, &a).await;
    assert!(reply_to(&discord, &late).await.contains("Locked in"), "the round resumes where it was");
    let after = store.answers_for_round_item(&guild, &round_id, &item).await.unwrap().len();
    assert_eq!(after, stored.len() + 1);
    discord.assert_clean();
    store.close().await;
    bot.signal("TERM");
    assert!(bot.wait_exit(Duration::from_secs(10)).await.success());
}

/// Overload, made small: with room for one answer in flight, a second click while the first
/// waits on the store is told at once that it did not count, and nothing of it is stored;
/// pressed again once there is room, it counts. A click that reaches the bot after Discord's
/// 3 s is neither answered (nothing could reach the student) nor stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_past_the_bound_are_turned_away_unstored() {
    let discord = StandIn::start().await;
    let env = vec![("AGORA_ANSWERS_IN_FLIGHT".to_string(), "1".to_string())];
    let bot = Bot::start(&discord, BotConfig { guild: Some(discord.guild), env, ..BotConfig::default() });
    discord.wait_ready(Some(discord.guild)).await;
    let store = Store::connect(&bot.database_url).await.unwrap();
    let guild = GuildId::new(discord.guild.to_string());
    let prof = User::instructor(2001, "prof");
    let started = discord.slash(&prof, discord.channel, "quiz start", json!({"kind": SINGLE, "questions": 1, "seconds": 60})).await;
    assert!(reply_to(&discord, &started).await.contains("Round started"));
    let q1 = wait_question(&discord, discord.channel, 1).await;
    let a = q1.button_id("A").unwrap();
    let (round_id, _) = round_of(&a);
    let item = store.round(&guild, &round_id).await.unwrap().unwrap().item_ids[0].clone();
    let stored =
        || async { store.answers_for_round_item(&guild, &round_id, &item).await.unwrap().iter().map(|x| x.answer.user_id.to_string()).collect::<Vec<_>>() };

    // Another process holds the database's write lock: the first answer waits on it.
    let mut locker = <sqlx::SqliteConnection as sqlx::Connection>::connect(&bot.database_url).await.unwrap();
    sqlx::Executor::execute(&mut locker, "BEGIN IMMEDIATE").await.unwrap();
    let (first, second) = (student(1), student(2));
    let s1 = discord.click(&first, q1.id, &a).await;
    let s2 = discord.click(&second, q1.id, &a).await;
    // One of the two holds the one place; the other is turned away at once, lock or not.
    let turned = discord
        .wait_for(Duration::from_secs(10), |v| [&s1, &s2].into_iter().find(|s| !v.callbacks(s).is_empty()).cloned())
        .await
        .expect("one click is answered at once");
    let (turned_away, waiting) = if turned.id == s1.id { (&first, &s2) } else { (&second, &s1) };
    let text = reply_to(&discord, &turned).await;
    assert!(text.contains("Too many answers are arriving at this moment: yours was not counted. Press your answer again."), "{text}");
    sqlx::Executor::execute(&mut locker, "ROLLBACK").await.unwrap();
    assert!(reply_to(&discord, waiting).await.contains("Locked in for question 1"), "the one in flight counts");
    let waiting_user = if turned_away.id == first.id { &second } else { &first };
    assert_eq!(stored().await, vec![waiting_user.id.to_string()], "the turned-away answer is not stored");

    // Pressed again once there is room (the one in flight frees its place a moment after its
    // reply leaves), it counts.
    let mut text = String::new();
    for _ in 0..40 {
        text = reply_to(&discord, &discord.click(turned_away, q1.id, &a).await).await;
        if !text.contains("Too many answers") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(text.contains("Locked in for question 1"), "{text}");
    assert_eq!(stored().await.len(), 2);

    // A click that waited past Discord's 3 s in a backlog: no response, nothing stored.
    let stale = discord.click_aged(&student(3), q1.id, &a, Duration::from_millis(3_500)).await;
    bot.wait_log("dropped an answer that reached the bot after Discord's 3 s", Duration::from_secs(10)).await;
    assert!(discord.callbacks(&stale).is_empty());
    assert_eq!(stored().await.len(), 2);
    let unanswered = discord.take_violations();
    assert!(unanswered.len() == 1 && unanswered[0].contains(&format!("interaction {}) never got a response", stale.id)), "{unanswered:?}");
    discord.assert_clean();
}

/// The store cannot save answers (a trigger refuses every insert into `answers`, as a full
/// disk would): a student who clicks, on time or late (deferred), is told plainly that the
/// answer did not count and to press again, never "Locked in" nor the generic apology, and
/// nothing is stored. Once the store takes answers again, pressing again locks it in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_the_store_cannot_save_is_never_locked_in() {
    use sqlx::{Connection, Executor};
    let discord = StandIn::start().await;
    let dir = tempfile::tempdir().unwrap();
    let questions = copy_bank(dir.path());
    let bot = Bot::start(&discord, BotConfig { guild: Some(discord.guild), questions: Some(questions.clone()), ..BotConfig::default() });
    discord.wait_ready(Some(discord.guild)).await;
    let prof = User::instructor(2001, "prof");
    let started = discord.slash(&prof, discord.channel, "quiz start", json!({"kind": SINGLE, "questions": 1, "seconds": 600})).await;
    assert!(reply_to(&discord, &started).await.contains("Round started"));
    let q1 = wait_question(&discord, discord.channel, 1).await;
    let id = q1.button_id("A").unwrap();
    let beside = async |sql: &str| {
        let mut conn = sqlx::AnyConnection::connect(&bot.database_url).await.unwrap();
        conn.execute(sqlx::AssertSqlSafe(sql.to_string())).await.unwrap();
        conn.close().await.unwrap();
    };
    sqlx::any::install_default_drivers();
    beside("CREATE TRIGGER no_room BEFORE INSERT ON answers BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END").await;
    for (n, late) in [(1, false), (2, true)] {
        let sent = if late { discord.click_aged(&student(n), q1.id, &id, Duration::from_secs(2)).await } else { discord.click(&student(n), q1.id, &id).await };
        let text = reply_to(&discord, &sent).await;
        assert_eq!(text, "Your answer did not count: the bot could not save it. Press again.", "late: {late}");
    }
    beside("DROP TRIGGER no_room").await;
    let store = Store::connect(&bot.database_url).await.unwrap();
    let guild = GuildId::new(discord.guild.to_string());
    let (round_id, _) = round_of(&id);
    let item = store.round(&guild, &round_id).await.unwrap().unwrap().item_ids[0].clone();
    assert_eq!(store.answers_for_round_item(&guild, &round_id, &item).await.unwrap().len(), 0, "nothing stored while it failed");
    for n in [1, 2] {
        let text = reply_to(&discord, &discord.click(&student(n), q1.id, &id).await).await;
        assert!(text.contains("Locked in for question 1: **A."), "{text}");
    }
    assert_eq!(store.answers_for_round_item(&guild, &round_id, &item).await.unwrap().len(), 2);
    store.close().await;
}

const MULTI: u64 = 2;
const SHORT: u64 = 5;

/// The bank's question behind a live question message, and the round's seed.
async fn question_of<'b>(store: &Store, bank: &'b Bank, guild: &GuildId, message: &Message) -> (&'b bank::Question, u64) {
    let (round_id, number) = round_of(&message.button_id("Reveal").expect("a live question has Reveal"));
    let round = store.round(guild, &round_id).await.unwrap().unwrap();
    (bank.question(round.item_ids[number - 1].as_str()).unwrap(), round.seed)
}

/// A several-answer question's letters as shown: the right ones, then the wrong ones.
async fn multi_letters(store: &Store, bank: &Bank, guild: &GuildId, message: &Message) -> (Vec<String>, Vec<String>) {
    let (q, seed) = question_of(store, bank, guild, message).await;
    let Answer::Multi { correct, .. } = &q.answer else { panic!("not a several-answer question: {}", q.id) };
    let shown = agora::quiz::presentation(q, seed);
    let (mut right, mut wrong) = (Vec::new(), Vec::new());
    for (i, o) in shown.order().iter().enumerate() {
        let l = agora::app::letter(i).to_string();
        if correct.contains(o) { right.push(l) } else { wrong.push(l) }
    }
    (right, wrong)
}

/// The answers stored for question `number` of the round, by student id.
async fn stored_by_user(store: &Store, guild: &GuildId, round_id: &RoundId, number: usize) -> std::collections::HashMap<u64, agora::store::AnswerRecord> {
    let item = store.round(guild, round_id).await.unwrap().unwrap().item_ids[number - 1].clone();
    let answers = store.answers_for_round_item(guild, round_id, &item).await.unwrap();
    answers.into_iter().map(|a| (a.answer.user_id.as_str().parse().unwrap(), a.answer)).collect()
}

/// The student's own message for an answer once the reveal has edited it (their "Locked
/// in" no more).
async fn result_of(discord: &StandIn, sent: &support::discord::Sent) -> Message {
    let original = discord.response(sent).await;
    let m = discord
        .wait_for(Duration::from_secs(10), |v| v.messages().find(|m| m.id == original.id && !m.text().contains("Locked in")).cloned())
        .await
        .unwrap_or_else(|| panic!("{}: the reveal never turned the \"Locked in\" into a result: {}", sent.label, discord.message(original.id).unwrap().text()));
    assert!(m.ephemeral() && m.visible_to == Some(sent.user), "only the student sees their result: {m:?}");
    m
}

/// A class ready to play: the stand-in, the bot on a copy of the bank (kept in `_dir`), that
/// bank, the bot's store and the server.
struct Class {
    discord: StandIn,
    bot: Bot,
    bank: Bank,
    store: Store,
    guild: GuildId,
    _dir: tempfile::TempDir,
}

impl Class {
    async fn start() -> Class {
        let discord = StandIn::start().await;
        let dir = tempfile::tempdir().unwrap();
        let questions = copy_bank(dir.path());
        let bot = Bot::start(&discord, BotConfig { guild: Some(discord.guild), questions: Some(questions.clone()), ..BotConfig::default() });
        discord.wait_ready(Some(discord.guild)).await;
        let bank = bank::load(&questions, None).unwrap();
        let store = Store::connect(&bot.database_url).await.unwrap();
        let guild = GuildId::new(discord.guild.to_string());
        Class { discord, bot, bank, store, guild, _dir: dir }
    }
}

/// Issue #20, item 2: at the reveal, each student who answered sees their own verdict and
/// points on their own "Locked in" (right, partly right with its credit, not right; the
/// speed and streak bonuses spelled out), the points those the store holds; a student who
/// did not answer gets nothing. The instructor's Reveal, the timer's and `/quiz stop` all
/// tell. Item 3: a several-answer question is answered through a select menu, one answer
/// judged and scored exactly as the same letters typed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_student_sees_their_own_result_privately_at_the_reveal() {
    let Class { discord, bot: _bot, bank, store, guild, _dir } = Class::start().await;
    let prof = User::instructor(2001, "prof");
    let (ann, bo, cy, dee) = (student(1), student(2), student(3), student(4));

    // ── A several-answer question: a menu of its choices, one to all of them.
    let started = discord.slash(&prof, discord.channel, "quiz start", json!({"kind": MULTI, "questions": 2, "seconds": 12, "speed_bonus": true})).await;
    reply_to(&discord, &started).await;
    let q1 = wait_question(&discord, discord.channel, 1).await;
    let menu = q1.menu().unwrap_or_else(|| panic!("a several-answer question shows a select menu: {:?}", q1.components)).clone();
    let options = menu["options"].as_array().unwrap();
    assert!(q1.button_id("Answer").is_none(), "no box to type letters in");
    assert_eq!((menu["min_values"].as_u64(), menu["max_values"].as_u64()), (Some(1), Some(options.len() as u64)), "{menu}");
    assert!(
        options
            .iter()
            .enumerate()
            .all(|(i, o)| o["value"] == agora::app::letter(i).to_string() && o["label"].as_str().unwrap().starts_with(&format!("{}. ", agora::app::letter(i))))
    );
    let menu_id = menu["custom_id"].as_str().unwrap().to_string();
    let (right, wrong) = multi_letters(&store, &bank, &guild, &q1).await;
    let all_right: Vec<&str> = right.iter().map(String::as_str).collect();
    let ann_sent = discord.select(&ann, q1.id, &menu_id, &all_right).await;
    let bo_sent = discord.select(&bo, q1.id, &menu_id, &[&right[0]]).await;
    let cy_sent = discord.select(&cy, q1.id, &menu_id, &[&wrong[0]]).await;
    for sent in [&ann_sent, &bo_sent, &cy_sent] {
        let text = reply_to(&discord, sent).await;
        assert!(text.contains("Locked in for question 1") && text.contains("this message tells you whether you were right"), "{text}");
    }

    // The instructor reveals: the class sees the answer; each student, privately, their own.
    let sent = discord.click(&prof, q1.id, &q1.button_id("Reveal").unwrap()).await;
    assert_eq!(discord.callback(&sent).await.kind, 7, "the reveal edits the question message");
    let (round_id, _) = round_of(&q1.button_id("Reveal").unwrap());
    let stored = stored_by_user(&store, &guild, &round_id, 1).await;
    let points = |u: &User| stored[&u.id].points;
    let (ann_said, bo_said, cy_said) =
        (result_of(&discord, &ann_sent).await.text(), result_of(&discord, &bo_sent).await.text(), result_of(&discord, &cy_sent).await.text());
    assert!(ann_said.contains(&format!("Question 1: **right!** +{} points.", points(&ann))), "{ann_said}");
    assert!(ann_said.contains("for the question · +") && ann_said.contains("speed bonus (answered in "), "the points part by part: {ann_said}");
    assert!(ann_said.contains(&format!("= {}", points(&ann))), "{ann_said}");
    let credit = (100.0 / right.len() as f64).round();
    assert!(stored[&bo.id].credit > 0.0 && !stored[&bo.id].correct, "one right letter of several earns part of the points");
    assert!(bo_said.contains(&format!("Question 1: **partly right** ({credit:.0}% credit). +{} points.", points(&bo))), "{bo_said}");
    assert!(bo_said.contains(&format!("{credit:.0}% of the question's ")), "the partial credit spelled out: {bo_said}");
    assert_eq!(points(&cy), 0);
    assert!(cy_said.contains("Question 1: **not right** this time. 0 points."), "{cy_said}");
    for said in [&ann_said, &bo_said, &cy_said] {
        assert!(said.contains("Your answer") && said.contains("The answer") && said.contains(&format!("{}. ", right[0])), "{said}");
    }
    assert!(discord.seen_by(discord.channel, dee.id).iter().all(|m| !m.ephemeral()), "a student who did not answer is sent nothing");

    // Next: question 2, left to its timer; Ann, right twice in a row, sees her streak bonus.
    let sent = discord.click(&prof, q1.id, &discord.message(q1.id).unwrap().button_id("Next question").unwrap()).await;
    discord.callback(&sent).await;
    let q2 = wait_question(&discord, discord.channel, 2).await;
    let (right2, _) = multi_letters(&store, &bank, &guild, &q2).await;
    let menu2 = q2.menu().unwrap()["custom_id"].as_str().unwrap().to_string();
    let ann2 = discord.select(&ann, q2.id, &menu2, &right2.iter().map(String::as_str).collect::<Vec<_>>()).await;
    reply_to(&discord, &ann2).await;
    let timed = discord.wait_for(Duration::from_secs(20), |v| v.messages().find(|m| m.id == q2.id && m.text().contains("the answer")).cloned()).await;
    assert!(timed.is_some(), "the timer reveals question 2");
    let said = result_of(&discord, &ann2).await.text();
    let p2 = stored_by_user(&store, &guild, &round_id, 2).await[&ann.id].points;
    assert!(said.contains(&format!("Question 2: **right!** +{p2} points.")) && said.contains("streak bonus (2 right in a row)"), "{said}");

    // ── The same letters through the menu and typed count alike; /quiz stop tells too.
    let alike = discord.add_channel(discord.guild, "alike");
    let started = discord.slash(&prof, alike, "quiz start", json!({"kind": MULTI, "questions": 1, "seconds": 60, "speed_bonus": false})).await;
    reply_to(&discord, &started).await;
    let q = wait_question(&discord, alike, 1).await;
    let (right, _) = multi_letters(&store, &bank, &guild, &q).await;
    let picks = [right[0].as_str(), right[1].as_str()];
    let (eve, fay) = (student(5), student(6));
    let picked = discord.select(&eve, q.id, q.menu().unwrap()["custom_id"].as_str().unwrap(), &picks).await;
    let (round_id, _) = round_of(&q.button_id("Reveal").unwrap());
    let typed = discord.submit_modal(&fay, alike, &format!("agora1:m:{round_id}:1"), &[("answer", &picks.join(" "))], Some(q.id)).await;
    let (locked_picked, locked_typed) = (reply_to(&discord, &picked).await, reply_to(&discord, &typed).await);
    assert_eq!(locked_picked, locked_typed, "one \"Locked in\" either way");
    let stored = stored_by_user(&store, &guild, &round_id, 1).await;
    let (e, f) = (&stored[&eve.id], &stored[&fay.id]);
    assert!(e.points > 0, "two right letters earn points");
    assert_eq!((&e.response, e.correct, e.credit, e.points), (&f.response, f.correct, f.credit, f.points), "judged and scored alike");
    let stop = discord.slash(&prof, alike, "quiz stop", json!({})).await;
    discord.response(&stop).await;
    let (said_picked, said_typed) = (result_of(&discord, &picked).await.text(), result_of(&discord, &typed).await.text());
    assert_eq!(said_picked, said_typed);
    assert!(said_picked.contains(&format!("{} points.", e.points)), "{said_picked}");

    discord.assert_clean();
    store.close().await;
}

/// Issue #20, item 3: the box for a typed answer says what to type: a number in the
/// question's unit, the letters in order (with the items when they fit), a word or a short
/// name with the question's own words; within Discord's limits. What is typed there still
/// locks in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_answer_box_says_what_to_type() {
    let Class { discord, bot: _bot, bank, store, guild, _dir } = Class::start().await;
    let prof = User::instructor(2001, "prof");
    for kind in [NUMERIC, ORDERING, SHORT] {
        let channel = discord.add_channel(discord.guild, &format!("kind{kind}"));
        let started = discord.slash(&prof, channel, "quiz start", json!({"kind": kind, "questions": 1, "seconds": 60})).await;
        reply_to(&discord, &started).await;
        let q = wait_question(&discord, channel, 1).await;
        let (item, seed) = question_of(&store, &bank, &guild, &q).await;
        let sent = discord.click(&student(1), q.id, &q.button_id("Answer").expect("an Answer button")).await;
        let modal = discord.callback(&sent).await;
        assert_eq!(modal.kind, 9, "{:?}", modal.data);
        let title = modal.data["title"].as_str().unwrap().to_string();
        let input = &modal.data["components"][0]["components"][0];
        let (label, placeholder) = (input["label"].as_str().unwrap().to_string(), input["placeholder"].as_str().unwrap_or("").to_string());
        assert!(title.chars().count() <= 45 && label.chars().count() <= 45 && placeholder.chars().count() <= 100, "{title} | {label} | {placeholder}");
        let shown = agora::quiz::presentation(item, seed);
        let typed = match &item.answer {
            Answer::Numeric { unit, value, .. } => {
                assert_eq!(title, "Question 1: type a number");
                assert!(label.starts_with("A number, in ") && format!("A number, in {unit}").starts_with(label.trim_end_matches('…')), "{label}");
                assert!(placeholder.contains("e.g. 12.5"), "{placeholder}");
                value.to_string()
            }
            Answer::Ordering { items } => {
                assert_eq!(title, "Question 1: put the items in order");
                assert!(label.starts_with("Letters, first to last, e.g. "), "{label}");
                let listed = shown.order().iter().enumerate().map(|(i, &o)| format!("{}: {}", agora::app::letter(i), items[o])).collect::<Vec<_>>().join(" · ");
                if listed.chars().count() <= 100 {
                    assert_eq!(placeholder, listed);
                } else {
                    assert!(placeholder.contains("the question lists what each letter stands for"), "{placeholder}");
                }
                (0..items.len()).map(|k| agora::app::letter(shown.order().iter().position(|&o| o == k).unwrap()).to_string()).collect::<Vec<_>>().join(" ")
            }
            Answer::Short { accepted } => {
                assert_eq!((title.as_str(), label.as_str()), ("Question 1: type a word or a short name", "A word or a short name"));
                let prompt = item.prompt.trim();
                assert!(placeholder == prompt || (placeholder.starts_with('…') && prompt.ends_with(placeholder.trim_start_matches('…'))), "{placeholder}");
                accepted[0].clone()
            }
            other => panic!("{:?}", other.kind()),
        };
        let form = discord.submit_modal(&student(1), channel, modal.data["custom_id"].as_str().unwrap(), &[("answer", &typed)], Some(q.id)).await;
        assert!(reply_to(&discord, &form).await.contains("Locked in for question 1"));
        let stop = discord.slash(&prof, channel, "quiz stop", json!({})).await;
        discord.response(&stop).await;
        assert!(result_of(&discord, &form).await.text().contains("**right!**"), "the right answer, typed as the box says, is right");
    }

    // Practice answers alike: a menu for several answers, a box that says what to type.
    let ada = User::student(4001, "ada");
    let p = discord.response(&discord.slash(&ada, discord.channel, "practice", json!({"kind": MULTI, "questions": 1})).await).await;
    let menu =
        p.menu().unwrap_or_else(|| panic!("a several-answer practice question shows a menu: {:?}", p.components))["custom_id"].as_str().unwrap().to_string();
    let round = store.round(&guild, &RoundId::from(menu.split(':').nth(2).unwrap())).await.unwrap().unwrap();
    let q = bank.question(round.item_ids[0].as_str()).unwrap();
    let Answer::Multi { correct, .. } = &q.answer else { panic!("{}", q.id) };
    let shown = agora::quiz::presentation(q, round.seed);
    let right: Vec<String> = shown.order().iter().enumerate().filter(|(_, o)| correct.contains(o)).map(|(i, _)| agora::app::letter(i).to_string()).collect();
    let sent = discord.select(&ada, p.id, &menu, &right.iter().map(String::as_str).collect::<Vec<_>>()).await;
    assert_eq!(discord.callback(&sent).await.kind, 7, "the verdict replaces the practice question");
    assert!(discord.message(p.id).unwrap().text().contains("Correct!"), "{}", discord.message(p.id).unwrap().text());
    let p = discord.response(&discord.slash(&ada, discord.channel, "practice", json!({"kind": NUMERIC, "questions": 1})).await).await;
    let modal = discord.callback(&discord.click(&ada, p.id, &p.button_id("Answer").unwrap()).await).await;
    assert_eq!(modal.data["title"], "Question 1: type a number", "{:?}", modal.data);
    discord.assert_clean();
    store.close().await;
}

/// A student's result that Discord refuses (a 500 on their edit) is logged and dropped: the
/// others are told theirs, the round goes on, and no token reaches the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_result_edit_stops_neither_the_others_nor_the_round() {
    use support::discord::Fault;
    let discord = StandIn::start().await;
    let bot = Bot::start(&discord, BotConfig { guild: Some(discord.guild), ..BotConfig::default() });
    discord.wait_ready(Some(discord.guild)).await;
    let prof = User::instructor(2001, "prof");
    let started = discord.slash(&prof, discord.channel, "quiz start", json!({"kind": SINGLE, "questions": 2, "seconds": 60})).await;
    reply_to(&discord, &started).await;
    let q1 = wait_question(&discord, discord.channel, 1).await;
    let mut sent = Vec::new();
    for n in 1..=3 {
        let s = discord.click(&student(n), q1.id, &q1.button_id("A").unwrap()).await;
        reply_to(&discord, &s).await;
        sent.push(s);
    }
    discord.fault("PATCH /webhooks/{app}/{token}/messages/@original", 1, Fault::Status(500));
    let reveal = discord.click(&prof, q1.id, &q1.button_id("Reveal").unwrap()).await;
    assert_eq!(discord.callback(&reveal).await.kind, 7);
    assert_eq!(discord.wait_faulted(1, Duration::from_secs(10)).await, 1);
    bot.wait_log("could not show a student their result (dropped)", Duration::from_secs(10)).await;
    let results = discord
        .wait_for(Duration::from_secs(10), |v| {
            let shown: Vec<String> = sent.iter().filter_map(|s| v.messages().find(|m| m.interaction == Some(s.id)).map(Message::text)).collect();
            (shown.iter().filter(|t| t.contains("Question 1: **")).count() == 2).then_some(shown)
        })
        .await
        .expect("the two other students are told their results");
    assert_eq!(results.iter().filter(|t| t.contains("Locked in")).count(), 1, "the failed one keeps its \"Locked in\": {results:?}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(discord.faulted().len(), 1, "a failed edit is not tried again");
    // The round goes on.
    let next = discord.click(&prof, q1.id, &discord.message(q1.id).unwrap().button_id("Next question").unwrap()).await;
    discord.callback(&next).await;
    let q2 = wait_question(&discord, discord.channel, 2).await;
    assert!(reply_to(&discord, &discord.click(&student(1), q2.id, &q2.button_id("A").unwrap()).await).await.contains("Locked in for question 2"));
    let logs = bot.logs();
    assert!(sent.iter().all(|s| !logs.contains(&s.token)), "no interaction token in the log");
    discord.assert_clean();
}
