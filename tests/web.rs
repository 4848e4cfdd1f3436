//! The instructor's page in process (issue 23): a class plays a live round through the
//! layer, then the page is read over HTTP from `agora::web::router` on a local port. Its
//! numbers are the store's, every bad token gets 403 (and, past ten, 429), the headers are
//! set, a student named `<script>` is escaped, and anonymous boards hide names.

use std::net::SocketAddr;
use std::sync::Arc;

use agora::app::{
    AdvanceFrom, App, AppError, Clock, DebateRequest, LinkSettings, ManualClock, Member, MotionChoice, Privilege, ReleaseView, SettingsChange, UserError,
};
use agora::debate::{BallotDraft, Format, Join, Side, SpeakerScores, SpeechDraft};
use agora::ids::{ChannelId, GuildId, UserId};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::app::{answer_for, instructor, live_request};
use crate::common::{START, bank, sqlite_store};

/// The student whose name tries to run a script on the instructor's page.
pub const SCRIPT_NAME: &str = "<script>alert(1)</script>";

/// A class that played one live round of four questions, and the page serving it.
pub struct Class {
    pub app: Arc<App>,
    pub clock: Arc<ManualClock>,
    pub guild: GuildId,
    pub addr: SocketAddr,
    /// The quick debate the class held after the round, as released.
    pub debate: ReleaseView,
    _dir: tempfile::TempDir,
}

fn students() -> Vec<Member> {
    let names = ["Ada", "Boris", SCRIPT_NAME, "Chen Wei", "Dolores", "Émile", "Farah", "Gunnar the very long-named student of the back row"];
    names
        .iter()
        .enumerate()
        .map(|(n, name)| Member { id: UserId::new(format!("{}", 2000 + n)), name: (*name).into(), manage_guild: false, roles: vec![] })
        .collect()
}

impl Class {
    pub async fn new() -> Class {
        let dir = tempfile::tempdir().unwrap();
        let store = sqlite_store(&dir).await;
        let bank = bank();
        let clock = Arc::new(ManualClock::new(START));
        let app = Arc::new(App::new(bank.clone(), store, clock.clone()));
        let (guild, channel) = (GuildId::from("777"), ChannelId::from("c1"));
        let mut q = app.live_start(&guild, &channel, &instructor(), &live_request(4, 11)).await.unwrap();
        loop {
            for (n, s) in students().iter().enumerate() {
                // Not everyone answers every question; the better students answer right more often.
                if (n + q.number) % 5 == 4 {
                    continue;
                }
                let right = (n * 7 + q.number * 3) % 10 < 10 - n;
                let typed = answer_for(&bank, &q, 11, right);
                app.live_answer(&guild, &channel, s, &q.round_id, q.number, &typed).await.unwrap();
            }
            app.live_reveal(&guild, &q.round_id, q.number, Some(&instructor())).await.unwrap();
            if q.number == q.of {
                // The last reveal ends the round.
                break;
            }
            q = app.live_next(&guild, &q.round_id, q.number, &instructor()).await.unwrap();
        }
        let debate = hold_a_quick_debate(&app, &clock, &guild, &students()[0], &students()[3]).await;
        app.set_link_settings(LinkSettings { base_url: Some("http://page.test/".into()), key: None, lifetime_ms: 12 * 3_600_000 });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let service = agora::web::router(app.clone()).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
        Class { app, clock, guild, addr, debate, _dir: dir }
    }

    /// A fresh link's path (`/dashboard/<token>`), as an instructor gets it.
    pub async fn link_path(&self) -> String {
        let link = self.app.dashboard_link(&self.guild, &instructor()).await.unwrap();
        link.url.strip_prefix("http://page.test").unwrap().to_owned()
    }
}

/// A quick 1 v 1 debate on the bank's first motion in another channel, each speech citing the
/// speaker's first card, judged for the proposition and released.
async fn hold_a_quick_debate(app: &App, clock: &ManualClock, guild: &GuildId, proposition: &Member, opposition: &Member) -> ReleaseView {
    let channel = ChannelId::from("c2");
    let request = DebateRequest { motion: MotionChoice::Bank(app.bank().motions[0].id.clone()), format: Format::Quick { per_side: 1 }, times: vec![] };
    let id = app.debate_start(guild, &channel, &instructor(), &request).await.unwrap().debate_id;
    app.debate_join(guild, &id, proposition, Join::Side(Side::Proposition)).await.unwrap();
    app.debate_join(guild, &id, opposition, Join::Side(Side::Opposition)).await.unwrap();
    loop {
        let view = app.debate_advance(guild, &id, &instructor(), AdvanceFrom::PressedAt(clock.now())).await.unwrap();
        if view.slots.is_empty() {
            break;
        }
        for speaker in view.slots.iter().filter_map(|s| s.speaker.clone()) {
            let who = if speaker == proposition.id { proposition } else { opposition };
            let card = app.debate_cards(guild, &id, who).await.unwrap().sides[0].1[0].passage_id.clone();
            let draft =
                SpeechDraft { phase_index: view.phase.index, claim: "According to the paper, …".into(), reasoning: "Because".into(), citations: vec![card] };
            app.debate_speech(guild, &id, who, &draft).await.unwrap();
        }
    }
    let scores = vec![
        SpeakerScores { speaker: proposition.id.clone(), scores: vec![4, 4, 3, 4] },
        SpeakerScores { speaker: opposition.id.clone(), scores: vec![3, 3, 3, 3] },
    ];
    app.debate_ballot(guild, &id, &instructor(), &BallotDraft { scores, winner: Some(Side::Proposition), feedback: "Close.".into() }).await.unwrap();
    app.debate_release(guild, &id, &instructor()).await.unwrap()
}

/// A response: status, headers (lower-case names), body.
pub struct Got {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Got {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// `GET path` over one HTTP/1.1 connection.
pub async fn get(addr: SocketAddr, path: &str) -> Got {
    get_forwarded(addr, path, None).await
}

/// `GET path` as a reverse proxy sends it, naming the client in `X-Forwarded-For`.
async fn get_forwarded(addr: SocketAddr, path: &str, forwarded_for: Option<&str>) -> Got {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let forwarded = forwarded_for.map(|f| format!("X-Forwarded-For: {f}\r\n")).unwrap_or_default();
    stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: page.test\r\n{forwarded}Connection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned())).collect();
    assert!(headers.iter().all(|(n, v)| n != "transfer-encoding" || v != "chunked"), "the page's bodies have a length");
    Got { status, headers, body: body.to_owned() }
}

fn user_error(e: AppError) -> UserError {
    match e {
        AppError::User(u) => u,
        other => panic!("expected a user error, got {}", other.chain()),
    }
}

/// The percentage the page prints for `correct` of `answered`.
fn percent(correct: u64, answered: u64) -> String {
    format!("{:.0}%", correct as f64 / answered as f64 * 100.0)
}

#[tokio::test]
async fn the_page_shows_what_the_store_holds() {
    let class = Class::new().await;
    let student = &students()[0];
    let refused = class.app.dashboard_link(&class.guild, student).await.unwrap_err();
    assert_eq!(user_error(refused), UserError::NotInstructor { privilege: Privilege::Dashboard, role: None });
    let path = class.link_path().await;
    let page = get(class.addr, &path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("content-security-policy"), Some(agora::web::CSP));
    assert!(agora::web::CSP.contains("default-src 'none'") && !agora::web::CSP.contains("script-src"), "no script may run");
    assert!(page.body.contains(r#"<svg id="heatmap""#) && page.body.contains(r#"class="picks""#), "the heatmap and the item charts");
    assert!(!page.body.contains("<script"), "nothing on the page is a script");
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the student's name, escaped");

    // The heatmap's table: each student's overall share and count, as the store counts them.
    let bank = class.app.bank();
    let topics = agora::app::item_topics(&bank);
    let tallies = class.app.store().student_tallies(class.guild.as_str(), &topics).await.unwrap();
    assert_eq!(tallies.len(), students().len());
    for s in &tallies {
        let name = maud::html! { (s.name) }.into_string();
        let row = format!("<th>{name}</th><td>{}<small> ({})</small>", percent(s.overall.correct, s.overall.answered), s.overall.answered);
        assert!(page.body.contains(&row), "{row} in the page");
    }
    // Each item: its share correct of its answers, and each choice's picks.
    let stats = class.app.store().item_stats(class.guild.as_str()).await.unwrap();
    assert_eq!(stats.len(), 4);
    for s in &stats {
        let rounds = if s.times_asked == 1 { "1 round".to_owned() } else { format!("{} rounds", s.times_asked) };
        let line = format!("<strong>{}</strong> correct of {} answers, asked in {rounds}", percent(s.correct, s.answers), s.answers);
        assert!(page.body.contains(&line), "{line} in the page");
    }
    // The round held: its questions and participants.
    assert!(page.body.contains(&format!("· 4 questions · {} students · finished", students().len())), "the round held");
    assert!(page.body.contains("<strong>0</strong> prompt answers wait for review"));

    // The debate: its motion, format, result and totals, each speaker's marks, the cards cited.
    let d = &class.debate;
    let motion = maud::html! { (d.motion.text) }.into_string();
    let result =
        format!("Quick debate (1 v 1) · Proposition won (the judge's ballot) · proposition {} – opposition {}", d.proposition_total, d.opposition_total);
    assert!(page.body.contains(&format!("<h3>{motion}</h3><p>{result}</p>")), "{result} under the motion");
    assert_eq!((d.proposition_total, d.opposition_total), (15, 12));
    for s in &d.speakers {
        let marks: String = s.scores.iter().map(|v| format!("<td>{v}</td>")).collect();
        let row = format!("<td>{}</td><td>{}</td>{marks}<td>{}/{}</td>", maud::html! { (s.name) }.into_string(), s.team.title(), s.total, s.max_total);
        assert!(page.body.contains(&row), "{row} in the page");
    }
    for card in d.evidence.proposition.iter().chain(&d.evidence.opposition) {
        assert!(page.body.contains(&format!("<code>{}</code>", card.passage_id)), "the evidence map names {}", card.passage_id);
    }

    // The gradebook is the same file as /scores export.
    let csv = get(class.addr, &format!("{path}/gradebook.csv")).await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("cache-control"), Some("no-store"));
    assert_eq!(csv.body, class.app.gradebook(&class.guild, &instructor()).await.unwrap());
}

/// Each item links to the line of the bank it is written at (a generated one: its knowledge
/// entry's), and that link opens the bank's file as loaded, at that line, only with a token
/// that opens the page.
#[tokio::test]
async fn each_item_links_to_its_line_in_the_bank() {
    let class = Class::new().await;
    let path = class.link_path().await;
    let page = get(class.addr, &path).await;
    let bank = class.app.bank();
    let stats = class.app.store().item_stats(class.guild.as_str()).await.unwrap();
    for s in &stats {
        let q = bank.question(&s.item_id).unwrap();
        let (file, line) = bank.place(&s.item_id).unwrap();
        let link = format!(r#"href="{path}/bank/{}#L{line}"><code>{}:{line}</code></a>"#, file.name, file.name);
        assert!(page.body.contains(&link), "{link} in the page");
        assert!(file.name.ends_with(".yaml") && !file.name.contains("questions/"), "named below the bank's folder: {}", file.name);

        let source = get(class.addr, &format!("{path}/bank/{}", file.name)).await;
        assert_eq!((source.status, source.header("cache-control")), (200, Some("no-store")));
        // The anchored line is the item's own element (or its entry's), as the file reads.
        let anchored = source.body.split(&format!(r#"id="L{line}""#)).nth(1).unwrap().split("</div>").next().unwrap();
        let written_there = match q.origin {
            agora::bank::Origin::Written => anchored.contains(&format!("id: {}<", q.id)),
            agora::bank::Origin::Generated => bank.knowledge.iter().any(|e| anchored.contains(&format!("id: {}<", e.id))),
        };
        assert!(written_there, "line {line} of {} is where {} (or its entry) is written: {anchored}", file.name, q.id);
    }
    let (file, _) = bank.place(&stats[0].item_id).unwrap();
    let altered = format!("{}0/bank/{}", path.trim_end_matches(|c: char| c.is_ascii_hexdigit()), file.name);
    assert_eq!(get(class.addr, &altered).await.status, 403, "a token that opens nothing opens no file of the bank");
    let missing = get(class.addr, &format!("{path}/bank/nothing.yaml")).await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("no file of this name"), "{}", missing.body);
}

#[tokio::test]
async fn a_bad_token_gets_403_and_no_data_and_too_many_get_429() {
    let class = Class::new().await;
    let path = class.link_path().await;
    let token = path.strip_prefix("/dashboard/").unwrap().to_owned();
    let (_, signature) = token.rsplit_once('.').unwrap();

    // Another installation's key (its own store's), for this very server.
    let other_dir = tempfile::tempdir().unwrap();
    let other = App::new(bank(), sqlite_store(&other_dir).await, ManualClock::new(START));
    other.set_link_settings(LinkSettings { base_url: Some("http://x".into()), key: None, lifetime_ms: 3_600_000 });
    let foreign = other.dashboard_link(&class.guild, &instructor()).await.unwrap().url.rsplit_once('/').unwrap().1.to_owned();
    // Another server's link, altered to name this one.
    let elsewhere = class.app.dashboard_link(&GuildId::from("778"), &instructor()).await.unwrap().url;
    let moved = elsewhere.rsplit_once('/').unwrap().1.replacen("v1.778.", "v1.777.", 1);
    let mut flipped = token.clone();
    let last = flipped.pop().unwrap();
    flipped.push(if last == '0' { '1' } else { '0' });
    let bad = [
        format!("v1.777.{}.0.{signature}", START + 99 * 3_600_000), // a later expiry, same signature
        flipped,
        format!("v1.777.{}.0.{}", START + 3_600_000, "ab".repeat(32)), // forged
        foreign,
        moved,
        "not-a-token".to_owned(),
    ];
    for token in &bad {
        for path in [format!("/dashboard/{token}"), format!("/dashboard/{token}/gradebook.csv")] {
            let got = get(class.addr, &path).await;
            assert_eq!(got.status, 403, "{path}: {}", got.body);
            assert!(!got.body.contains("Ada") && !got.body.contains("user_id"), "{path} shows no data");
            assert_eq!(got.header("cache-control"), Some("no-store"));
        }
        // A minute on, so the rate limit (checked below) does not answer first.
        class.clock.advance(61_000);
    }
    assert_eq!(get(class.addr, &path).await.status, 200, "the real link still works after others were refused");

    // Revoked: every link issued so far stops; a new one works.
    let generation = class.app.dashboard_revoke(&class.guild, &instructor()).await.unwrap();
    assert_eq!(generation, 1);
    assert_eq!(
        user_error(class.app.dashboard_revoke(&class.guild, &students()[1]).await.unwrap_err()),
        UserError::NotInstructor { privilege: Privilege::Dashboard, role: None }
    );
    assert_eq!(get(class.addr, &path).await.status, 403, "revoked");
    let fresh = class.link_path().await;
    assert_eq!(get(class.addr, &fresh).await.status, 200);

    // Expired: twelve hours on, the link is refused.
    class.clock.advance(12 * 3_600_000);
    assert_eq!(get(class.addr, &fresh).await.status, 403, "expired");

    // Ten bad tokens in a minute (with the expired one): this address is turned away, even with a good link.
    let good = class.link_path().await;
    for _ in 1..agora::web::FAILURES_ALLOWED {
        assert_eq!(get(class.addr, "/dashboard/v1.777.1.0.00").await.status, 403);
    }
    let got = get(class.addr, &good).await;
    assert_eq!(got.status, 429, "{}", got.body);
    assert!(got.body.contains("wait a minute"), "{}", got.body);
    class.clock.advance(61_000);
    assert_eq!(get(class.addr, &good).await.status, 200, "a minute later it is served again");
}

/// Behind the trusted proxy, bad links count against the client the proxy names, so one client
/// turned away does not turn away the others; from anywhere else the header is ignored, so a
/// client cannot dodge the limit by naming another address.
#[tokio::test]
async fn behind_a_trusted_proxy_the_limit_is_per_client() {
    let class = Class::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxied = listener.local_addr().unwrap();
    let service = agora::web::router_behind(class.app.clone(), Some("127.0.0.1".parse().unwrap())).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
    let good = class.link_path().await;
    for _ in 0..agora::web::FAILURES_ALLOWED {
        assert_eq!(get_forwarded(proxied, "/dashboard/v1.777.1.0.00", Some("203.0.113.9")).await.status, 403);
    }
    assert_eq!(get_forwarded(proxied, &good, Some("203.0.113.9")).await.status, 429, "the client that sent them is turned away");
    assert_eq!(get_forwarded(proxied, &good, Some("198.51.100.7")).await.status, 200, "another client behind the same proxy is not");
    assert_eq!(get_forwarded(proxied, &good, Some("203.0.113.9, 198.51.100.8")).await.status, 200, "the address the proxy appended counts");
    assert_eq!(get_forwarded(proxied, &good, Some("198.51.100.8, 203.0.113.9")).await.status, 429, "not the one the client wrote before it");

    // Without a trusted proxy the header is the client's word and counts for nothing.
    for _ in 0..agora::web::FAILURES_ALLOWED {
        assert_eq!(get(class.addr, "/dashboard/v1.777.1.0.00").await.status, 403);
    }
    assert_eq!(get_forwarded(class.addr, &good, Some("198.51.100.99")).await.status, 429);
}

#[tokio::test]
async fn anonymous_boards_hide_names_on_the_page_too() {
    let class = Class::new().await;
    let manager = Member { manage_guild: true, ..instructor() };
    class.app.update_settings(&class.guild, &manager, &SettingsChange { anonymous_leaderboard: Some(true), ..SettingsChange::default() }).await.unwrap();
    let page = get(class.addr, &class.link_path().await).await;
    assert_eq!(page.status, 200);
    for s in students() {
        let name = maud::html! { (s.name) }.into_string();
        assert!(!page.body.contains(&name), "{} is hidden", s.name);
    }
    assert!(page.body.contains("<th>Student 1</th>") && page.body.contains("names hidden"));
    // The debaters carry the same pseudonyms as their heatmap rows.
    for speaker in &class.debate.speakers {
        assert!(!page.body.contains(&format!("<td>{}</td>", speaker.name)), "{} is hidden in the debate", speaker.name);
    }
    assert!(page.body.contains("<td>Student "), "the debate's speakers as Student N");
}

/// The page's own queries on PostgreSQL: the key made once, revocation's generation, the
/// round held with its spread.
#[tokio::test]
async fn links_and_rounds_held_work_on_postgres() {
    let Some(pg) = crate::common::Postgres::new().await else { return };
    let store = agora::store::Store::connect(&pg.0).await.unwrap();
    let bank = bank();
    let app = App::new(bank.clone(), store.clone(), ManualClock::new(START));
    app.set_link_settings(LinkSettings { base_url: Some("http://x".into()), key: None, lifetime_ms: 3_600_000 });
    let guild = GuildId::from("777");
    let q = app.live_start(&guild, &ChannelId::from("c1"), &instructor(), &live_request(1, 3)).await.unwrap();
    for s in &students()[..3] {
        app.live_answer(&guild, &ChannelId::from("c1"), s, &q.round_id, 1, &answer_for(&bank, &q, 3, true)).await.unwrap();
    }
    let link = app.dashboard_link(&guild, &instructor()).await.unwrap();
    let token = link.url.rsplit_once('/').unwrap().1;
    let report = app.dashboard(token).await.unwrap().expect("the link opens the page");
    assert_eq!((report.rounds.len(), report.rounds[0].participants, report.rounds[0].questions[0].answered), (1, 3, 3));
    assert_eq!(report.students.len(), 3);
    assert_eq!(app.dashboard_revoke(&guild, &instructor()).await.unwrap(), 1);
    assert_eq!(app.dashboard_revoke(&guild, &instructor()).await.unwrap(), 2);
    assert!(app.dashboard(token).await.unwrap().is_none(), "revoked");
    store.close().await;
}

#[tokio::test]
async fn without_a_web_address_the_link_says_the_page_is_off() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::new(bank(), sqlite_store(&dir).await, ManualClock::new(START));
    let refused = user_error(app.dashboard_link(&GuildId::from("777"), &instructor()).await.unwrap_err());
    assert!(refused.to_string().contains("AGORA_WEB_ADDR"), "{refused}");
}
