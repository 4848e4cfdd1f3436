//! `agora serve` end to end: the real binary against the Discord stand-in (`tests/support`).
//! What students and instructors see, what Discord would refuse, and how the bot starts and
//! stops.

use crate::support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::bot::{Bot, BotConfig, copy_bank};
use support::discord::{EPHEMERAL, StandIn, User, command_problems, listed_for, perms};

/// Every message body the stand-in received mentions nobody: `{"parse": []}` and no users or roles.
fn assert_no_pings(discord: &StandIn) {
    let payloads = discord.payloads();
    assert!(!payloads.is_empty());
    for p in payloads {
        assert_eq!(p.body["allowed_mentions"], json!({"parse": [], "users": [], "roles": []}), "{}: {}", p.route, p.body);
    }
}

/// Every command a student or instructor can type, as Discord lists them.
const ALL_COMMANDS: [&str; 25] = [
    "quiz start",
    "quiz stop",
    "practice",
    "score",
    "leaderboard",
    "mydata",
    "source",
    "scores export",
    "scores items",
    "scores forget",
    "bank info",
    "bank reload",
    "settings",
    "debate start",
    "debate advance",
    "debate assign",
    "debate balance",
    "debate release",
    "debate cancel",
    "ballots",
    "prompt",
    "feedback",
    "review",
    "dashboard open",
    "dashboard revoke",
];

fn names(commands: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    for c in commands {
        let name = c["name"].as_str().unwrap().to_string();
        let subs: Vec<&Value> = c["options"].as_array().into_iter().flatten().filter(|o| o["type"] == 1).collect();
        if subs.is_empty() {
            out.push(name);
        } else {
            out.extend(subs.iter().map(|s| format!("{name} {}", s["name"].as_str().unwrap())));
        }
    }
    out
}

/// One bot, one class: `/source` with its autocomplete, `/bank info`, `/bank reload` by a
/// student, by an instructor and by the instructor role, a reload the checker refuses, and a
/// clean stop on SIGTERM. Each step is a function below, named for what it proves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_serves_the_bank_commands_to_a_class() {
    let discord = StandIn::start().await;
    let dir = tempfile::tempdir().unwrap();
    let questions = copy_bank(dir.path());
    // The class page on a port of its own, its links under a public address as behind a proxy.
    let web = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let env = vec![("AGORA_WEB_ADDR".to_owned(), web.to_string()), ("AGORA_PUBLIC_URL".to_owned(), "https://agora.example.edu".to_owned())];
    let mut bot = Bot::start(&discord, BotConfig { guild: Some(discord.guild), questions: Some(questions.clone()), env, ..BotConfig::default() });
    let started = Instant::now();
    let commands = discord.wait_ready(Some(discord.guild)).await;
    eprintln!("connected and registered in {:?}", started.elapsed());

    commands_are_valid_for_discord(&commands);
    source_autocompletes_and_shows_the_whole_paragraph(&discord).await;
    source_refuses_unclear_text_and_pings_nobody(&discord).await;
    source_shows_what_a_question_cites(&discord).await;
    bank_info_counts_the_bank(&discord).await;
    reload_is_refused_to_a_student(&discord).await;
    reload_works_for_an_instructor_and_the_instructor_role(&discord, &bot).await;
    the_dashboard_link_opens_the_class_page_until_revoked(&discord, web).await;
    a_reload_that_fails_the_checker_keeps_the_old_bank(&discord, &questions).await;
    a_reconnect_resumes_and_commands_keep_working(&discord).await;
    the_bot_comes_back_after_kill_9(&discord, &mut bot).await;

    // Idle, with the bank loaded: resident memory.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (rss, anon, file) = bot.memory_kib();
    eprintln!("resident memory at idle: {rss} KiB ({anon} KiB anonymous, {file} KiB file-backed)");

    assert_no_pings(&discord);
    discord.assert_clean();

    bot.signal("TERM");
    let status = bot.wait_exit(Duration::from_secs(10)).await;
    assert!(status.success(), "SIGTERM ends the bot cleanly: {status:?}\n{}", bot.logs());
    let logs = bot.logs();
    assert!(logs.contains("stopped"), "{logs}");
    let trouble: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains(" ERROR ") || (l.contains(" WARN ") && !l.contains("DISCORD_API_BASE is set") && !l.contains("bank reload refused")))
        .collect();
    assert!(trouble.is_empty(), "nothing went wrong on the bot's side: {trouble:#?}");
}

fn commands_are_valid_for_discord(commands: &[Value]) {
    assert_eq!(command_problems(commands), Vec::<String>::new());
    assert_eq!(names(commands), ALL_COMMANDS);
    // A student's list holds what students use; instructors' commands are registered for
    // Manage Server, which a server can grant to its instructor role in its own settings.
    let student_list = ["practice", "score", "leaderboard", "mydata", "source", "ballots", "prompt", "feedback"];
    assert_eq!(listed_for(commands, perms::STUDENT), student_list, "a student's command list");
    let instructor_list: Vec<String> = commands.iter().map(|c| c["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(listed_for(commands, perms::INSTRUCTOR), instructor_list, "an instructor sees every command");
    for c in commands.iter().filter(|c| !student_list.contains(&c["name"].as_str().unwrap())) {
        assert_eq!(c["default_member_permissions"], json!(perms::MANAGE_GUILD.to_string()), "{} is for Manage Server by default", c["name"]);
    }
    let source = commands.iter().find(|c| c["name"] == "source").unwrap();
    let passage = &source["options"][0];
    assert_eq!((passage["name"].as_str(), passage["required"].as_bool(), passage["autocomplete"].as_bool()), (Some("passage"), Some(true), Some(true)));
}

async fn source_autocompletes_and_shows_the_whole_paragraph(discord: &StandIn) {
    let alice = User::student(1001, "alice");
    let choices = discord.autocomplete(&alice, discord.channel, "source", "passage", "").await;
    assert_eq!(choices.len(), 25, "an empty box offers 25 passages");
    let choices = discord.autocomplete(&alice, discord.channel, "source", "passage", "s7-economic-p2").await;
    assert!(!choices.is_empty() && choices.len() <= 25);
    assert!(
        choices.iter().all(|(name, value)| value.starts_with("s7-economic-p2") && name.chars().count() <= 100 && name.starts_with(value.as_str())),
        "{choices:?}"
    );
    let (_, picked) = choices[0].clone();

    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        let sent = discord.slash(&alice, discord.channel, "source", json!({"passage": picked})).await;
        let cb = discord.callback(&sent).await;
        slowest = slowest.max(cb.after);
        assert_eq!(cb.kind, 4, "/source answers at once: {cb:?}");
        let m = discord.response(&sent).await;
        assert!(m.ephemeral() && m.visible_to == Some(alice.id), "only alice sees her lookup");
        let text = m.text();
        assert!(text.contains("Economic Cooperation Between Beijing and Moscow"), "the section: {text}");
        assert!(text.contains("`s7-economic-p2`") && text.contains(&format!("`{picked}`")), "anchor and passage id: {text}");
        assert!(text.contains("**") && text.contains("> "), "the quote, in bold in its paragraph and quoted: {text}");
    }
    eprintln!("/source first response: slowest of 5 {slowest:?}");
}

async fn source_refuses_unclear_text_and_pings_nobody(discord: &StandIn) {
    let mallory = User::student(1002, "@everyone <@1001>");
    let sent = discord.slash(&mallory, discord.channel, "source", json!({"passage": "@everyone <@1001> zzqx"})).await;
    let m = discord.response(&sent).await;
    assert!(m.ephemeral(), "a user error is shown only to its user");
    assert!(m.content.contains("Nothing matches “@\u{200B}everyone <\u{200B}@1001> zzqx”") && m.content.contains("pick one from the list"), "{}", m.content);

    let sent = discord.slash(&mallory, discord.channel, "source", json!({"passage": "russia"})).await;
    let m = discord.response(&sent).await;
    assert!(m.ephemeral() && m.content.contains("matches") && m.content.contains("Pick one from the list"), "{}", m.content);

    // The anchor every reveal prints goes straight to its paragraph.
    let sent = discord.slash(&mallory, discord.channel, "source", json!({"passage": "s7-economic-p2"})).await;
    let m = discord.response(&sent).await;
    assert!(
        m.ephemeral() && m.text().contains("Economic Cooperation Between Beijing and Moscow") && m.text().contains("`s7-economic-p2-total`"),
        "{}",
        m.text()
    );

    let sent = discord.slash(&mallory, discord.channel, "source", json!({"passage": "s5-p1", "share": true})).await;
    let m = discord.response(&sent).await;
    assert!(m.ephemeral() && m.content.contains("Only an instructor can post a passage"), "{}", m.content);
    assert!(discord.seen_by(discord.channel, 1001).iter().all(|m| m.visible_to == Some(1001)), "nothing of mallory's reached alice");
}

async fn source_shows_what_a_question_cites(discord: &StandIn) {
    let prof = User::instructor(2001, "prof");
    let choices = discord.autocomplete(&prof, discord.channel, "source", "passage", "gen-").await;
    let (_, question) = choices.first().cloned().expect("generated questions are offered by id");
    let sent = discord.slash(&prof, discord.channel, "source", json!({"passage": question, "share": true})).await;
    let m = discord.response(&sent).await;
    assert!(!m.ephemeral() && m.visible_to.is_none(), "an instructor may share it with the channel");
    assert!(m.content.contains(&format!("Question `{question}` cites")) && !m.embeds.is_empty(), "{}", m.text());
}

async fn bank_info_counts_the_bank(discord: &StandIn) -> String {
    let alice = User::student(1001, "alice");
    let sent = discord.slash(&alice, discord.channel, "bank info", json!({})).await;
    let m = discord.response(&sent).await;
    let text = m.text();
    for needle in [
        "quiz items",
        "debate motions",
        "argument prompts",
        "passages of the paper",
        "Items by kind",
        "one answer",
        "Factors of convergence",
        "Complementary economies",
    ] {
        assert!(text.contains(needle), "/bank info shows {needle}: {text}");
    }
    text
}

async fn reload_is_refused_to_a_student(discord: &StandIn) {
    let alice = User::student(1001, "alice");
    let sent = discord.slash(&alice, discord.channel, "bank reload", json!({})).await;
    let cb = discord.callback(&sent).await;
    assert_eq!(cb.kind, 4, "a refusal is immediate, not deferred");
    assert_eq!(cb.data["flags"].as_u64().unwrap_or(0) & EPHEMERAL, EPHEMERAL, "and ephemeral");
    let m = discord.response(&sent).await;
    assert!(m.content.contains("Only an instructor can reload the question bank") && m.content.contains("Manage Server"), "{}", m.content);
    // In a direct message there is no member to check: refused, with where to go instead.
    let prof_in_dm = User::instructor(2001, "prof").in_dm();
    let sent = discord.slash(&prof_in_dm, discord.channel, "bank reload", json!({})).await;
    assert!(discord.response(&sent).await.content.contains("only in a server"));
}

/// `/dashboard open` answers an instructor alone with a link under the public address that opens
/// the page the bot serves; a student is refused; `/dashboard revoke` ends the link.
async fn the_dashboard_link_opens_the_class_page_until_revoked(discord: &StandIn, web: std::net::SocketAddr) {
    let sent = discord.slash(&User::student(1001, "alice"), discord.channel, "dashboard open", json!({})).await;
    let refusal = discord.response(&sent).await;
    assert!(refusal.ephemeral() && refusal.text().contains("Only an instructor") && !refusal.text().contains("/dashboard/"), "{}", refusal.text());

    let prof = User::instructor(2001, "prof");
    let sent = discord.slash(&prof, discord.channel, "dashboard open", json!({})).await;
    let m = discord.response(&sent).await;
    assert!(m.ephemeral() && m.visible_to == Some(prof.id), "only the instructor sees the link");
    let text = m.text();
    let url = text
        .split_whitespace()
        .find(|w| w.starts_with("https://agora.example.edu/dashboard/"))
        .unwrap_or_else(|| panic!("a link under the public address: {text}"));
    assert!(text.contains("<t:") && text.contains("/dashboard revoke"), "until when, and how to end it: {text}");
    let path = url.strip_prefix("https://agora.example.edu").unwrap();
    let page = crate::web::get(web, path).await;
    assert_eq!(page.status, 200, "the link opens the page the bot serves: {}", page.body);
    assert!(page.body.contains("The class at a glance"), "{}", page.body);

    let sent = discord.slash(&prof, discord.channel, "dashboard revoke", json!({})).await;
    let m = discord.response(&sent).await;
    assert!(m.ephemeral() && m.text().contains("no longer works") && m.text().contains("/dashboard open"), "{}", m.text());
    assert_eq!(crate::web::get(web, path).await.status, 403, "a revoked link opens nothing");
}

async fn the_bot_comes_back_after_kill_9(discord: &StandIn, bot: &mut Bot) {
    let before = discord.registrations();
    bot.kill9();
    assert!(discord.wait_for(Duration::from_secs(10), |v| (!v.connected()).then_some(())).await.is_some(), "a killed bot leaves the gateway");
    bot.restart(discord);
    discord.wait_registered(Some(discord.guild), before).await;
    let alice = User::student(1001, "alice");
    let sent = discord.slash(&alice, discord.channel, "bank info", json!({})).await;
    assert!(discord.response(&sent).await.text().contains("quiz items"));
}

async fn a_reconnect_resumes_and_commands_keep_working(discord: &StandIn) {
    discord.reconnect();
    assert!(discord.wait_for(Duration::from_secs(10), |v| (v.resumes() > 0 && v.connected()).then_some(())).await.is_some(), "the bot resumes after op 7");
    let alice = User::student(1001, "alice");
    let sent = discord.slash(&alice, discord.channel, "bank info", json!({})).await;
    assert!(discord.response(&sent).await.text().contains("quiz items"));
}

async fn reload_works_for_an_instructor_and_the_instructor_role(discord: &StandIn, bot: &Bot) {
    let prof = User::instructor(2001, "prof");
    let sent = discord.slash(&prof, discord.channel, "bank reload", json!({})).await;
    assert_eq!(discord.callback(&sent).await.kind, 5, "the reload is deferred first");
    let m = discord.response(&sent).await;
    assert!(m.ephemeral() && m.text().contains("Bank reloaded") && m.text().contains("unchanged"), "{}", m.text());

    // A teaching assistant without Manage Server, but with the server's instructor role, set
    // with `/settings instructor_role:` as Discord sends a role option (resolved beside it).
    let role = discord.add_role(discord.guild, "Instructors", support::discord::perms::STUDENT);
    let option = json!({"instructor_role": support::discord::role_option(role, "Instructors")});
    let sent = discord.slash(&User::student(2004, "eve"), discord.channel, "settings", option.clone()).await;
    assert!(discord.response(&sent).await.text().contains("Manage Server"), "a student cannot set the role");
    let sent = discord.slash(&prof, discord.channel, "settings", option).await;
    let shown = discord.response(&sent).await;
    assert!(shown.ephemeral() && shown.text().contains(&format!("<@&{role}>")), "the settings show the new role: {}", shown.text());
    let store = agora::store::Store::connect(&bot.database_url).await.unwrap();
    let stored = store.guild_settings(&discord.guild.to_string()).await.unwrap().unwrap_or_default();
    assert!(stored.contains(&role.to_string()), "the role is stored: {stored}");
    store.close().await;
    let ta = User::student(2002, "ta").with_roles(&[role]);
    let sent = discord.slash(&ta, discord.channel, "bank reload", json!({})).await;
    assert!(discord.response(&sent).await.text().contains("Bank reloaded"));
    let other = User::student(2003, "bob").with_roles(&[role + 1]);
    let sent = discord.slash(&other, discord.channel, "bank reload", json!({})).await;
    let m = discord.response(&sent).await;
    assert!(m.content.contains(&format!("<@&{role}>")), "the refusal names the role: {}", m.content);
}

async fn a_reload_that_fails_the_checker_keeps_the_old_bank(discord: &StandIn, questions: &std::path::Path) {
    let prof = User::instructor(2001, "prof");
    let before = bank_info_counts_the_bank(discord).await;
    let file = questions.join("factors.yaml");
    let good = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, good.replacen("difficulty: 1", "difficulty: 9", 1)).unwrap();
    let (_, text) = reload_refused(discord, &prof).await;
    let located = regex_like_location(&text, "factors.yaml");
    assert!(located, "each problem has file:line:column: {text}");
    assert_eq!(bank_info_counts_the_bank(discord).await, before, "the old bank is still in use");
    let alice = User::student(1001, "alice");
    let (_, passage) = discord.autocomplete(&alice, discord.channel, "source", "passage", "s7-economic-p2").await.remove(0);
    let sent = discord.slash(&alice, discord.channel, "source", json!({"passage": passage})).await;
    assert!(discord.response(&sent).await.text().contains("Economic Cooperation"), "and /source still answers from it");
    std::fs::write(&file, good).unwrap();

    // One YAML syntax error in figures.yaml: it comes first, before the unknown passages it
    // leaves in other files, and every problem is in the attached file, not a shell command.
    let figures = questions.join("figures.yaml");
    let good = std::fs::read_to_string(&figures).unwrap();
    std::fs::write(&figures, good.replacen("passages:", "passages: [", 1)).unwrap();
    let (m, text) = reload_refused(discord, &prof).await;
    let first = text.split("```").nth(1).unwrap_or_default().trim_start();
    assert!(first.contains("figures.yaml:"), "the file that does not parse comes first: {text}");
    assert!(text.contains("in the attached file `bank-problems.txt`") && !text.contains("agora bank check"), "{text}");
    let listing = m.attachments.iter().find(|f| f.filename == "bank-problems.txt").unwrap_or_else(|| panic!("every problem attached: {text}"));
    let listing = String::from_utf8_lossy(&listing.bytes);
    assert!(listing.contains("unknown passage") && listing.contains("which does not parse: fix that first"), "{listing}");
    std::fs::write(&figures, good).unwrap();
}

/// `/bank reload` by `who`, refused by the checker: the private reply and its text.
async fn reload_refused(discord: &StandIn, who: &User) -> (support::discord::Message, String) {
    let sent = discord.slash(who, discord.channel, "bank reload", json!({})).await;
    let m = discord.response(&sent).await;
    let text = m.text();
    assert!(m.ephemeral() && text.contains("The bank was not reloaded") && text.contains("nothing changed"), "{text}");
    (m, text)
}

/// Whether `text` holds `FILE:LINE:COLUMN:` for a path ending in `file`.
fn regex_like_location(text: &str, file: &str) -> bool {
    text.match_indices(&format!("{file}:")).any(|(i, m)| {
        let rest = &text[i + m.len()..];
        let mut parts = rest.splitn(3, ':');
        let line = parts.next().unwrap_or("");
        let column = parts.next().unwrap_or("");
        !line.is_empty() && line.chars().all(|c| c.is_ascii_digit()) && !column.is_empty() && column.chars().all(|c| c.is_ascii_digit())
    })
}

/// Without AGORA_GUILD_ID the commands are registered globally.
#[tokio::test]
async fn without_a_guild_the_commands_are_global() {
    let discord = StandIn::start().await;
    let mut bot = Bot::start(&discord, BotConfig::default());
    let commands = discord.wait_ready(None).await;
    assert_eq!(command_problems(&commands), Vec::<String>::new());
    assert_eq!(names(&commands), ALL_COMMANDS);
    assert!(discord.commands(Some(discord.guild)).is_empty());
    bot.signal("TERM");
    assert!(bot.wait_exit(Duration::from_secs(10)).await.success(), "{}", bot.logs());
    discord.assert_clean();
}

#[test]
fn a_missing_token_is_named_and_ends_the_bot() {
    let (status, out) = Bot::run_to_exit(None, BotConfig { token: Some(String::new()), ..BotConfig::default() }, Duration::from_secs(20));
    assert!(!status.success(), "{out}");
    assert!(out.contains("DISCORD_TOKEN is not set") && out.contains("Reset Token"), "{out}");
}

/// A token Discord rejects (REST 401 or gateway 4004), a token of the wrong shape, and a
/// server the bot cannot register its commands in each end `agora serve` with a sentence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_failures_are_named_and_end_the_bot() {
    let discord = StandIn::start().await;
    discord.reject_token(true);
    // Autosharded start asks GET /gateway/bot first: Discord answers 401.
    let d = &discord;
    let (status, out) = tokio::task::block_in_place(|| Bot::run_to_exit(Some(d), BotConfig::default(), Duration::from_secs(20)));
    assert!(!status.success(), "{out}");
    assert!(out.contains("Discord rejected the bot token in DISCORD_TOKEN (401 Unauthorized)"), "{out}");
    // An explicit shard range goes straight to the gateway, which closes with 4004.
    let config = BotConfig { args: vec!["--shards".into(), "0".into(), "--shard-total".into(), "1".into()], ..BotConfig::default() };
    let (status, out) = tokio::task::block_in_place(|| Bot::run_to_exit(Some(d), config, Duration::from_secs(20)));
    assert!(!status.success(), "{out}");
    assert!(out.contains("Discord rejected the bot token in DISCORD_TOKEN (the gateway closed the connection with 4004"), "{out}");
    assert!(discord.identifies() >= 1, "the second start reached the gateway");
    // A token that is not even shaped like one is refused before anything connects.
    let (status, out) = tokio::task::block_in_place(|| {
        Bot::run_to_exit(Some(d), BotConfig { token: Some("not-a-token".into()), ..BotConfig::default() }, Duration::from_secs(20))
    });
    assert!(!status.success() && out.contains("does not look like a bot token"), "{out}");
    // AGORA_GUILD_ID names a server the bot is not in: Discord refuses the commands (403).
    discord.reject_token(false);
    let (status, out) =
        tokio::task::block_in_place(|| Bot::run_to_exit(Some(d), BotConfig { guild: Some(42), ..BotConfig::default() }, Duration::from_secs(20)));
    assert!(!status.success(), "{out}");
    assert!(out.contains("Discord refused the slash commands for server 42 (AGORA_GUILD_ID)") && out.contains("applications.commands"), "{out}");
}

/// The stand-in itself holds a bot to Discord's rules: a second callback is refused with
/// 40060, a late first response with 10062, a message that could ping, an unanswered
/// interaction and an unknown route are violations; follow-ups, edits and files are kept.
#[tokio::test]
async fn the_stand_in_enforces_discords_rules() {
    use poise::serenity_prelude as serenity;
    let discord = StandIn::start().await;
    let http = serenity::HttpBuilder::new(&discord.token)
        .proxy(discord.base.clone())
        .ratelimiter_disabled(true)
        .application_id(serenity::ApplicationId::new(discord.app_id))
        .build();
    let alice = User::student(1001, "alice");
    let quiet = json!({"parse": [], "users": [], "roles": []});

    let sent = discord.open_interaction(&alice, discord.channel, "source");
    let id = serenity::InteractionId::new(sent.id);
    let reply = json!({"type": 4, "data": {"content": "first", "allowed_mentions": quiet, "flags": EPHEMERAL}});
    http.create_interaction_response(id, &sent.token, &reply, Vec::new()).await.expect("the first callback is accepted");
    let again = http.create_interaction_response(id, &sent.token, &reply, Vec::new()).await.expect_err("a second callback is refused");
    assert!(format!("{again:?}").contains("40060"), "{again:?}");
    let file = serenity::CreateAttachment::bytes(b"name,points\nalice,3\n".to_vec(), "gradebook.csv");
    let followup = json!({"content": "the file", "allowed_mentions": quiet, "flags": EPHEMERAL, "attachments": [{"id": 0, "filename": "gradebook.csv"}]});
    http.create_followup_message(&sent.token, &followup, vec![file]).await.expect("a follow-up with a file");
    let edit = json!({"content": "edited @everyone"});
    http.edit_original_interaction_response(&sent.token, &edit, Vec::new()).await.expect("an edit");
    assert_eq!(discord.response(&sent).await.content, "edited @everyone");
    let followups = discord.followups(&sent);
    assert_eq!((followups.len(), followups[0].attachments[0].filename.as_str()), (1, "gradebook.csv"));
    assert_eq!(followups[0].attachments[0].bytes, b"name,points\nalice,3\n");
    assert_eq!(discord.seen_by(discord.channel, alice.id).len(), 2);
    assert!(discord.seen_by(discord.channel, 1002).is_empty(), "ephemeral messages are alice's alone");

    let late = discord.open_interaction(&alice, discord.channel, "source");
    let unanswered = discord.open_interaction(&alice, discord.channel, "source");
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let e = http.create_interaction_response(serenity::InteractionId::new(late.id), &late.token, &reply, Vec::new()).await.expect_err("too late");
    assert!(format!("{e:?}").contains("10062"), "{e:?}");
    let _ = http.get_current_user().await;
    let _ = http.get_guilds(None, None).await;

    let v = discord.take_violations().join("\n");
    for needle in ["second callback", "first response after", "could ping", &format!("interaction {}) never got a response", unanswered.id), "does not model"] {
        assert!(v.contains(needle), "`{needle}` is a violation:\n{v}");
    }
    discord.assert_clean();
}
