//! Debates and argument prompts through the classroom layer, on a real store (SQLite and
//! PostgreSQL) with a clock the tests move by hand: a whole Oxford debate, a structured
//! academic controversy, the refusals, a prompt reviewed with feedback, and a restart in
//! the middle of the speeches.

use std::sync::Arc;

use agora::app::{
    AdvanceFrom, App, AppError, Clock, DebateRequest, DebateView, ManualClock, Member, MotionChoice, Privilege, PromptRequest, ReleaseView, SUBMISSION_CHARS,
    UserError,
};
use agora::bank::PromptKind;
use agora::debate::{BallotDraft, DecidedBy, Decision, Format, Join, Phase, PollTally, Refusal, Side, SlotKey, SpeakerScores, SpeechDraft, Stance, Status};
use agora::ids::{ChannelId, DebateId, GuildId, SubmissionId, UserId};
use agora::store::{RankBy, Store};

use crate::common;

use common::{Postgres, START, bank, sqlite_store};
const MOTION: &str = "alliance-in-all-but-name";

fn instructor() -> Member {
    Member { id: UserId::from("900"), name: "Dr Lee".into(), manage_guild: true, roles: vec![] }
}

fn student(n: usize) -> Member {
    Member { id: UserId::new(format!("{}", 1000 + n)), name: format!("Student {n}"), manage_guild: false, roles: vec![] }
}

fn user_error(e: AppError) -> UserError {
    match e {
        AppError::User(u) => u,
        other => panic!("expected a user error, got {}", other.chain()),
    }
}

fn refusal(e: AppError) -> Refusal {
    match user_error(e) {
        UserError::Debate(r) => r,
        other => panic!("expected a debate refusal, got {other:?}"),
    }
}

fn request(format: Format) -> DebateRequest {
    DebateRequest { motion: MotionChoice::Bank(MOTION.into()), format, times: vec![] }
}

fn speech(phase_index: usize, claim: &str, citations: &[&str]) -> SpeechDraft {
    SpeechDraft {
        phase_index,
        claim: claim.into(),
        reasoning: "According to the paper, …\nSecond line.".into(),
        citations: citations.iter().map(|c| c.to_string()).collect(),
    }
}

/// Every speaker of the view's open slots, in speaking order.
fn speakers_now(view: &DebateView) -> Vec<UserId> {
    view.slots.iter().filter_map(|s| s.speaker.clone()).collect()
}

fn member(id: &UserId) -> Member {
    let n: usize = id.as_str().parse::<usize>().expect("a student id") - 1000;
    student(n)
}

/// What the steps of the Oxford debate share: the layer on its store and clock, the server
/// and channel, the bank's motion, and the debate once started.
struct Oxford {
    app: App,
    clock: Arc<ManualClock>,
    bank: agora::bank::Bank,
    guild: GuildId,
    channel: ChannelId,
    motion: agora::bank::Motion,
    id: DebateId,
}

/// Six students and an instructor debate the bank's first motion before an audience of
/// four: sign-up, the polls, three rounds of speeches with evidence cards, a flag, the
/// ballots, and the release with the swing, the rubric totals, the evidence map and the
/// points, which then stand in the scores, the leaderboard and the gradebook.
async fn an_oxford_debate_from_setup_to_release(store: Store) {
    let o = start_an_oxford_debate(store).await;
    sign_up_three_a_side_and_an_audience_of_four(&o).await;
    poll_the_audience_before_the_speeches(&o).await;
    let v = give_three_rounds_of_speeches_with_a_flag(&o).await;
    let v = poll_the_audience_after_the_speeches(&o, v).await;
    cast_the_ballots_unseen_until_the_release(&o, &v).await;
    let r = release_the_result(&o).await;
    the_points_stand_in_the_scores_leaderboard_and_gradebook(&o).await;
    the_released_result_is_public_and_final(&o, &r).await;
}

/// Only an instructor starts a debate; it opens at sign-up with the motion, and holds its
/// channel.
async fn start_an_oxford_debate(store: Store) -> Oxford {
    let bank = bank();
    let clock = Arc::new(ManualClock::new(START));
    let app = App::new(bank.clone(), store.clone(), clock.clone());
    let (guild, channel) = (GuildId::from("g1"), ChannelId::from("c1"));
    let motion = bank.motions.iter().find(|m| m.id == MOTION).unwrap().clone();

    assert_eq!(
        user_error(app.debate_start(&guild, &channel, &student(0), &request(Format::Oxford { per_side: 3 })).await.unwrap_err()),
        UserError::NotInstructor { privilege: Privilege::RunDebate, role: None }
    );
    let view = app.debate_start(&guild, &channel, &instructor(), &request(Format::Oxford { per_side: 3 })).await.unwrap();
    let id = view.debate_id.clone();
    assert_eq!((view.phase.phase, view.phase.deadline, view.status), (Phase::SignUp, Some(START + 300_000), Status::Open));
    assert_eq!((view.motion.id.as_deref(), view.motion.text.as_str(), view.motion.info.as_str()), (Some(MOTION), motion.motion.as_str(), motion.info.as_str()));
    assert_eq!(app.debate_in(&guild, &channel).await.unwrap(), Some(id.clone()));
    assert_eq!(user_error(app.debate_start(&guild, &channel, &instructor(), &request(Format::Controversy)).await.unwrap_err()), UserError::DebateChannelBusy);
    Oxford { app, clock, bank, guild, channel, motion, id }
}

/// Three choose the proposition, three let the bot balance, four join the audience; each
/// side privately receives its cards.
async fn sign_up_three_a_side_and_an_audience_of_four(o: &Oxford) {
    let app = &o.app;
    let clock = &o.clock;
    let guild = o.guild.clone();
    let id = o.id.clone();
    let motion = o.motion.clone();
    // Sign-up: three choose the proposition, three let the bot balance; four join the audience.
    clock.set(START + 10_000);
    for n in 0..3 {
        app.debate_join(&guild, &id, &student(n), Join::Side(Side::Proposition)).await.unwrap();
    }
    for n in 3..6 {
        let v = app.debate_join(&guild, &id, &student(n), Join::Either).await.unwrap();
        assert_eq!(v.you.team, Some(Side::Opposition));
    }
    assert_eq!(refusal(app.debate_join(&guild, &id, &student(6), Join::Either).await.unwrap_err()), Refusal::SideFull { side: Side::Proposition });
    for n in 10..14 {
        app.debate_join(&guild, &id, &student(n), Join::Audience).await.unwrap();
    }
    let v = app.debate_state(&guild, &id, &student(0)).await.unwrap();
    assert_eq!(v.proposition.iter().map(|s| (s.name.as_str(), s.number)).collect::<Vec<_>>(), [("Student 0", 1), ("Student 1", 2), ("Student 2", 3)]);
    assert_eq!((v.opposition.len(), v.audience), (3, 4));

    // Each side privately receives its cards; the audience none.
    let cards = app.debate_cards(&guild, &id, &student(0)).await.unwrap();
    assert_eq!(cards.sides.len(), 1);
    assert_eq!(cards.sides[0].0, Side::Proposition);
    assert_eq!(cards.sides[0].1.iter().map(|c| c.passage_id.as_str()).collect::<Vec<_>>(), motion.proposition);
    assert!(cards.sides[0].1.iter().all(|c| !c.section.is_empty() && !c.anchor.is_empty() && !c.quote.is_empty()));
    assert!(app.debate_cards(&guild, &id, &student(10)).await.unwrap().sides.is_empty());
}

/// Only the instructor moves the debate on; the audience votes before the speeches, and a
/// speaker may not.
async fn poll_the_audience_before_the_speeches(o: &Oxford) {
    let app = &o.app;
    let clock = &o.clock;
    let guild = o.guild.clone();
    let id = o.id.clone();
    // Only the instructor moves the debate on.
    assert_eq!(
        user_error(app.debate_advance(&guild, &id, &student(0), AdvanceFrom::PressedAt(clock.now())).await.unwrap_err()),
        UserError::NotInstructor { privilege: Privilege::RunDebate, role: None }
    );
    let v = app.debate_advance(&guild, &id, &instructor(), AdvanceFrom::PressedAt(clock.now())).await.unwrap();
    assert_eq!(v.phase.phase, Phase::PreVote);
    for (n, stance) in [(10, Stance::Proposition), (11, Stance::Opposition), (12, Stance::Opposition), (13, Stance::Undecided)] {
        app.debate_vote(&guild, &id, &student(n), stance).await.unwrap();
    }
    let v = app.debate_state(&guild, &id, &student(10)).await.unwrap();
    assert_eq!((v.votes_cast, v.you.may_vote, v.you.your_vote), (Some((4, 0)), true, Some(Stance::Proposition)), "the count is public, the split is not");
    assert_eq!(refusal(app.debate_vote(&guild, &id, &student(0), Stance::Proposition).await.unwrap_err()), Refusal::SpeakersDoNotVote);
}

/// Three rounds of speeches, each speaker citing a card of their side (one also a passage
/// not in the bank); an opponent flags a card; the opening closes on its timer. Returns
/// the debate at the vote after.
async fn give_three_rounds_of_speeches_with_a_flag(o: &Oxford) -> DebateView {
    let app = &o.app;
    let clock = &o.clock;
    let guild = o.guild.clone();
    let id = o.id.clone();
    let motion = o.motion.clone();
    // Three rounds of speeches; speaker i of a side cites that side's card i.
    let cite = |side: Side, seat: usize| motion_card(&motion, side, seat);
    let mut v = app.debate_advance(&guild, &id, &instructor(), AdvanceFrom::PressedAt(clock.now())).await.unwrap();
    for phase in [Phase::Opening, Phase::Rebuttal, Phase::Closing] {
        assert_eq!(v.phase.phase, phase);
        clock.advance(1_000);
        for speaker in speakers_now(&v) {
            let seat = v.proposition.iter().chain(&v.opposition).find(|s| s.user_id == speaker).unwrap();
            let mut cited = vec![cite(seat.team, seat.number - 1)];
            if phase == Phase::Opening && seat.team == Side::Opposition && seat.number == 3 {
                cited.push("no-such-passage".into());
            }
            let cited: Vec<&str> = cited.iter().map(String::as_str).collect();
            let posted = app.debate_speech(&guild, &id, &member(&speaker), &speech(v.phase.index, "The claim", &cited)).await.unwrap();
            assert_eq!(posted.argues, Some(seat.team));
            assert_eq!(posted.reasoning, "According to the paper, …\nSecond line.", "line breaks are kept");
            let card = posted.citations[0].card.as_ref().expect("a card of the side is rendered");
            assert!(!card.quote.is_empty() && !card.anchor.is_empty() && !card.section.is_empty());
            if cited.len() == 2 {
                assert_eq!(
                    (posted.citations[1].passage_id.as_str(), posted.citations[1].card.is_none()),
                    ("no-such-passage", true),
                    "a citation not in the bank is flagged"
                );
            }
        }
        let state = app.debate_state(&guild, &id, &student(0)).await.unwrap();
        assert!(state.slots.iter().all(|s| s.given));
        if phase == Phase::Opening {
            // An opponent flags the first speaker's card; only the instructor sees it.
            let first = state.speeches.iter().find(|s| s.author == student(0).id).unwrap().reference.clone();
            app.debate_flag(&guild, &id, &student(3), &first, &cite(Side::Proposition, 0), "It says the alliance is informal.").await.unwrap();
            assert!(app.debate_state(&guild, &id, &student(0)).await.unwrap().flags.is_empty());
            let judge = app.debate_state(&guild, &id, &instructor()).await.unwrap().flags;
            assert_eq!((judge.len(), judge[0].by_name.as_str(), judge[0].speaker_name.as_str()), (1, "Student 3", "Student 0"));
            let own = app.debate_state(&guild, &id, &student(3)).await.unwrap().flags;
            assert_eq!(own, judge, "the flagger sees their own flag");
            // The opening closes on its timer.
            clock.set(v.phase.deadline.unwrap());
            v = app.debate_timer(&guild, &id, v.phase.index).await.unwrap().expect("the deadline passed");
        } else {
            v = app.debate_advance(&guild, &id, &instructor(), AdvanceFrom::PressedAt(clock.now())).await.unwrap();
        }
    }
    assert_eq!(v.speeches.len(), 6 + 6 + 2);
    v
}

/// The audience votes again; the debate moves to judging, which has no deadline.
async fn poll_the_audience_after_the_speeches(o: &Oxford, v: DebateView) -> DebateView {
    let app = &o.app;
    let clock = &o.clock;
    let guild = o.guild.clone();
    let id = o.id.clone();
    assert_eq!(v.phase.phase, Phase::PostVote);
    for (n, stance) in [(10, Stance::Proposition), (11, Stance::Opposition), (12, Stance::Proposition), (13, Stance::Proposition)] {
        app.debate_vote(&guild, &id, &student(n), stance).await.unwrap();
    }
    let v = app.debate_advance(&guild, &id, &instructor(), AdvanceFrom::PressedAt(clock.now())).await.unwrap();
    assert_eq!((v.phase.phase, v.phase.deadline), (Phase::Judging, None));
    v
}

/// The instructor's ballot (4s, and 5s for the first speaker) and a shadow ballot from the
/// audience; nothing is visible to students until the release.
async fn cast_the_ballots_unseen_until_the_release(o: &Oxford, v: &DebateView) {
    let app = &o.app;
    let guild = o.guild.clone();
    let id = o.id.clone();
    let speakers: Vec<UserId> = v.proposition.iter().zip(&v.opposition).flat_map(|(p, o)| [p.user_id.clone(), o.user_id.clone()]).collect();
    let scores = |top: &UserId| speakers.iter().map(|s| SpeakerScores { speaker: s.clone(), scores: vec![if s == top { 5 } else { 4 }; 4] }).collect();
    let official =
        BallotDraft { scores: scores(&student(0).id), winner: Some(Side::Opposition), feedback: "Clear evidence;\nsharper rebuttals next time.".into() };
    app.debate_ballot(&guild, &id, &instructor(), &official).await.unwrap();
    let shadow = BallotDraft { scores: scores(&student(3).id), winner: Some(Side::Proposition), feedback: String::new() };
    assert_eq!(refusal(app.debate_ballot(&guild, &id, &student(1), &shadow).await.unwrap_err()), Refusal::SpeakerCannotJudge);
    app.debate_ballot(&guild, &id, &student(10), &shadow).await.unwrap();
    assert_eq!(refusal(app.debate_ballots(&guild, &id, &student(10)).await.unwrap_err()), Refusal::NotReleased);
    assert_eq!(refusal(app.debate_result(&guild, &id).await.unwrap_err()), Refusal::NotReleased);
    assert_eq!(
        user_error(app.debate_release(&guild, &id, &student(0)).await.unwrap_err()),
        UserError::NotInstructor { privilege: Privilege::RunDebate, role: None }
    );
    assert_eq!(
        user_error(app.debate_preview(&guild, &id, &student(0)).await.unwrap_err()),
        UserError::NotInstructor { privilege: Privilege::RunDebate, role: None }
    );
    assert_eq!(app.debate_ballots(&guild, &id, &instructor()).await.unwrap().len(), 2);
    assert!(app.score(&guild, &student(0).id, "Student 0").await.unwrap().debate_points == 0, "no points before the release");
    let preview = app.debate_preview(&guild, &id, &instructor()).await.unwrap();
    assert!(preview.preview);
}

/// The release: the audience's swing decides, with the rubric totals, the evidence map in the
/// paper's order and the points.
async fn release_the_result(o: &Oxford) -> ReleaseView {
    let app = &o.app;
    let bank = &o.bank;
    let guild = o.guild.clone();
    let id = o.id.clone();
    let motion = o.motion.clone();
    let r = app.debate_release(&guild, &id, &instructor()).await.unwrap();
    assert!(!r.preview);
    assert_eq!(
        r.decision,
        Decision::Won { side: Side::Proposition, by: DecidedBy::Audience },
        "the side that gained more votes wins, whatever the judge picked"
    );
    let swing = r.swing.unwrap();
    assert_eq!(swing.before, PollTally { proposition: 1, opposition: 2, undecided: 1 });
    assert_eq!(swing.after, PollTally { proposition: 3, opposition: 1, undecided: 0 });
    assert!((swing.gain(Side::Proposition) - 50.0).abs() < 1e-9 && (swing.gain(Side::Opposition) + 25.0).abs() < 1e-9);
    assert_eq!(r.criteria, ["Use of evidence", "Reasoning", "Rebuttal", "Clarity"]);
    let lines: Vec<(&str, u32, u32, i64)> = r.speakers.iter().map(|s| (s.name.as_str(), s.total, s.max_total, s.points)).collect();
    assert_eq!(
        lines,
        [
            ("Student 0", 20, 20, 30),
            ("Student 3", 16, 20, 16),
            ("Student 1", 16, 20, 26),
            ("Student 4", 16, 20, 16),
            ("Student 2", 16, 20, 26),
            ("Student 5", 16, 20, 16)
        ]
    );
    assert_eq!((r.proposition_total, r.opposition_total), (52, 48));
    assert_eq!(r.feedback, "Clear evidence;\nsharper rebuttals next time.");
    assert_eq!((r.shadow.ballots, r.shadow.agreed), (1, 1));
    assert_eq!(r.flags.len(), 1);
    assert_eq!(
        (r.flags[0].speaker_name.as_str(), r.flags[0].phase.as_str()),
        ("Student 0", "Opening speeches"),
        "the release names the speech, not the flagger"
    );
    let by_paper = |ids: &[String]| {
        let mut ids = ids.to_vec();
        ids.sort_by_key(|id| bank.paper_position(id).unwrap());
        ids
    };
    let cited = |v: &[agora::app::CitationView]| v.iter().map(|c| c.passage_id.clone()).collect::<Vec<_>>();
    assert_eq!(cited(&r.evidence.proposition), by_paper(&motion.proposition[..3]));
    assert_eq!(cited(&r.evidence.opposition), by_paper(&motion.opposition[..3]));
    assert_eq!(r.evidence.opposition[0].passage_id, "abstract-p1-partnership-not-alliance-ev", "the abstract comes first in the paper");
    assert_eq!(
        r.evidence.unused.iter().map(|(side, c)| (*side, c.passage_id.as_str())).collect::<Vec<_>>(),
        [(Side::Opposition, "s7-p2-43rd-meeting-ev"), (Side::Proposition, "s7-p3-strategic-alliance-ev")]
    );
    assert_eq!(r.evidence.not_in_bank, ["no-such-passage"]);
    let award = |n: usize| r.awards.iter().find(|a| a.user_id == student(n).id).map(|a| a.points);
    assert_eq!((award(10), award(11), award(6)), (Some(4), Some(2), None), "two polls, a shadow ballot; nothing for who never took part");
    r
}

/// The points stand in the scores, the leaderboard and the gradebook.
async fn the_points_stand_in_the_scores_leaderboard_and_gradebook(o: &Oxford) {
    let app = &o.app;
    let guild = o.guild.clone();
    // The points stand in the scores, the leaderboard and the gradebook.
    let score = app.score(&guild, &student(0).id, "Student 0").await.unwrap();
    assert_eq!((score.points, score.debate_points, score.answered), (30, 30, 0));
    let board = app.leaderboard(&guild, RankBy::Points, 20, false).await.unwrap();
    assert_eq!((board[0].name.as_str(), board[0].points), ("Student 0", 30));
    assert!(board.iter().any(|row| row.name == "Student 10" && row.points == 4), "the audience's points count too");
    let csv = app.gradebook(&guild, &instructor()).await.unwrap();
    assert!(csv.lines().any(|l| l.starts_with("1000,Student 0,0,0,,30,")), "{csv}");
    assert!(csv.lines().any(|l| l.starts_with("1013,Student 13,0,0,,2,")), "{csv}");
    assert!(!csv.contains("Dr Lee"), "the instructor is no student");
}

/// After the release anyone sees the result, with the points the store holds; nothing moves.
async fn the_released_result_is_public_and_final(o: &Oxford, r: &ReleaseView) {
    let app = &o.app;
    let guild = o.guild.clone();
    let channel = o.channel.clone();
    let id = o.id.clone();
    // After the release anyone sees the result, with the points the store holds; nothing moves.
    let seen = app.debate_result(&guild, &id).await.unwrap();
    assert_eq!((seen.decision, seen.speakers.clone(), seen.awards.len()), (r.decision, r.speakers.clone(), r.awards.len()));
    assert_eq!(app.debate_ballots(&guild, &id, &student(10)).await.unwrap().len(), 2, "the instructor's and their own");
    assert_eq!(app.debate_ballots(&guild, &id, &student(0)).await.unwrap().len(), 1);
    assert_eq!(refusal(app.debate_release(&guild, &id, &instructor()).await.unwrap_err()), Refusal::Over);
    assert_eq!(app.score(&guild, &student(0).id, "Student 0").await.unwrap().points, 30, "released once, awarded once");
    assert_eq!(app.debate_in(&guild, &channel).await.unwrap(), None, "the channel is free again");
}

fn motion_card(motion: &agora::bank::Motion, side: Side, seat: usize) -> String {
    match side {
        Side::Proposition => motion.proposition[seat].clone(),
        Side::Opposition => motion.opposition[seat].clone(),
    }
}

#[tokio::test]
async fn an_oxford_debate_from_setup_to_release_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    an_oxford_debate_from_setup_to_release(sqlite_store(&dir).await).await;
}

#[tokio::test]
async fn an_oxford_debate_from_setup_to_release_on_postgres() {
    let Some(pg) = Postgres::new().await else { return };
    let store = Store::connect(&pg.0).await.unwrap();
    an_oxford_debate_from_setup_to_release(store.clone()).await;
    store.close().await;
}

/// Two pairs argue one side each, swap, and write one joint statement; the cards follow
/// the swap, the result is a consensus, and the evidence map files each citation under the
/// side it was used for.
async fn a_structured_academic_controversy(store: Store) {
    let clock = Arc::new(ManualClock::new(START));
    let app = App::new(bank(), store, clock.clone());
    let (guild, channel) = (GuildId::from("g1"), ChannelId::from("c2"));
    let id = app.debate_start(&guild, &channel, &instructor(), &request(Format::Controversy)).await.unwrap().debate_id;
    for (n, side) in [(0, Side::Proposition), (1, Side::Proposition), (2, Side::Opposition), (3, Side::Opposition)] {
        app.debate_join(&guild, &id, &student(n), Join::Side(side)).await.unwrap();
    }
    let v = app.debate_advance(&guild, &id, &instructor(), AdvanceFrom::PressedAt(clock.now())).await.unwrap();
    assert_eq!((v.phase.phase, v.phase.deadline), (Phase::FirstSide, Some(START + 900_000)));
    let cards = app.debate_cards(&guild, &id, &student(0)).await.unwrap();
    assert_eq!(cards.sides.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [Side::Proposition]);
    let p_card = cards.sides[0].1[0].passage_id.clone();
    let o_card = app.debate_cards(&guild, &id, &student(2)).await.unwrap().sides[0].1[0].passage_id.clone();
    for (n, card) in [(0, &p_card), (2, &o_card)] {
        app.debate_speech(&guild, &id, &student(n), &speech(1, "Our side", &[card.as_str()])).await.unwrap();
    }
    let v = app.debate_advance(&guild, &id, &instructor(), AdvanceFrom::PressedAt(clock.now())).await.unwrap();
    assert_eq!(v.phase.phase, Phase::Swap);
    assert_eq!(
        v.slots.iter().map(|s| (s.name.as_str(), s.argues)).collect::<Vec<_>>(),
        [
            ("Student 2", Some(Side::Proposition)),
            ("Student 3", Some(Side::Proposition)),
            ("Student 0", Some(Side::Opposition)),
            ("Student 1", Some(Side::Opposition)),
        ]
    );
    let swapped = app.debate_cards(&guild, &id, &student(0)).await.unwrap();
    assert_eq!(swapped.sides[0].0, Side::Opposition, "after the swap the pair holds the other side's cards");
    let posted = app.debate_speech(&guild, &id, &student(0), &speech(2, "Now the other side", &[o_card.as_str()])).await.unwrap();
    assert_eq!(posted.argues, Some(Side::Opposition));
    let posted = app.debate_speech(&guild, &id, &student(3), &speech(2, "Now the other side", &[p_card.as_str()])).await.unwrap();
    assert_eq!(posted.argues, Some(Side::Proposition));
    let v = app.debate_advance(&guild, &id, &instructor(), AdvanceFrom::PressedAt(clock.now())).await.unwrap();
    assert_eq!(v.phase.phase, Phase::Joint);
    assert_eq!((v.slots.len(), v.slots[0].speaker.clone(), v.slots[0].name.as_str()), (1, None, "Joint statement"));
    assert!(app.debate_state(&guild, &id, &student(1)).await.unwrap().you.slot_open);
    let joint = app
        .debate_speech(
            &guild,
            &id,
            &student(1),
            &speech(3, "We agree that the paper finds a partnership short of an alliance.", &[p_card.as_str(), o_card.as_str()]),
        )
        .await
        .unwrap();
    assert_eq!((joint.reference.key.clone(), joint.argues, joint.author_name.as_str()), (SlotKey::Joint, None, "Student 1"));
    assert_eq!(refusal(app.debate_speech(&guild, &id, &student(2), &speech(3, "Me too", &[])).await.unwrap_err()), Refusal::AlreadySubmitted);
    assert!(!app.debate_state(&guild, &id, &student(2)).await.unwrap().you.slot_open);
    app.debate_advance(&guild, &id, &instructor(), AdvanceFrom::PressedAt(clock.now())).await.unwrap();
    let speakers = [0, 2, 1, 3].map(|n| SpeakerScores { speaker: student(n).id, scores: vec![3, 4, 3, 4] });
    let with_winner = BallotDraft { scores: speakers.to_vec(), winner: Some(Side::Proposition), feedback: "A fair statement.".into() };
    assert_eq!(refusal(app.debate_ballot(&guild, &id, &instructor(), &with_winner).await.unwrap_err()), Refusal::NoWinnerHere);
    app.debate_ballot(&guild, &id, &instructor(), &BallotDraft { winner: None, ..with_winner }).await.unwrap();
    let r = app.debate_release(&guild, &id, &instructor()).await.unwrap();
    assert_eq!((r.decision, r.swing), (Decision::Consensus, None));
    assert_eq!(r.evidence.proposition.iter().map(|c| c.passage_id.as_str()).collect::<Vec<_>>(), [p_card.as_str()]);
    assert_eq!(r.evidence.opposition.iter().map(|c| c.passage_id.as_str()).collect::<Vec<_>>(), [o_card.as_str()]);
    assert_eq!(r.evidence.joint.len(), 2);
    assert!(r.awards.iter().all(|a| a.points == 14) && r.awards.len() == 4, "14 marks each and no winner's bonus: {:?}", r.awards);
    assert_eq!(app.score(&guild, &student(3).id, "Student 3").await.unwrap().debate_points, 14);
}

#[tokio::test]
async fn a_structured_academic_controversy_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_structured_academic_controversy(sqlite_store(&dir).await).await;
}

#[tokio::test]
async fn a_structured_academic_controversy_on_postgres() {
    let Some(pg) = Postgres::new().await else { return };
    let store = Store::connect(&pg.0).await.unwrap();
    a_structured_academic_controversy(store.clone()).await;
    store.close().await;
}

/// A late speech, a speech out of turn, a phase a student cannot move, ballots a student
/// cannot see, and a citation the bank lacks: each refused or flagged, and the store
/// unchanged by a refusal.
async fn refusals_and_flags(store: Store) {
    let clock = Arc::new(ManualClock::new(START));
    let app = App::new(bank(), store, clock.clone());
    let guild = GuildId::from("g1");
    let mut req = request(Format::Quick { per_side: 1 });
    req.times = vec![(Phase::Opening, 120)];
    let id = app.debate_start(&guild, &ChannelId::from("c3"), &instructor(), &req).await.unwrap().debate_id;
    assert_eq!(
        refusal(app.debate_speech(&guild, &id, &student(0), &speech(0, "Too early", &[])).await.unwrap_err()),
        Refusal::NotYourSlot { phase: Phase::SignUp }
    );
    app.debate_join(&guild, &id, &student(0), Join::Side(Side::Proposition)).await.unwrap();
    assert_eq!(
        refusal(app.debate_advance(&guild, &id, &instructor(), AdvanceFrom::PressedAt(clock.now())).await.unwrap_err()),
        Refusal::SeatsMissing { side: Side::Opposition, need: 1, have: 0 }
    );
    let late_joiner = student(1);
    clock.set(START + 300_000);
    assert_eq!(
        refusal(app.debate_join(&guild, &id, &late_joiner, Join::Side(Side::Opposition)).await.unwrap_err()),
        Refusal::Late { phase: Phase::SignUp, deadline: START + 300_000 }
    );
    // The instructor may still seat them; the sign-up timer, fired late, moves on.
    app.debate_assign(&guild, &id, &instructor(), &late_joiner, Join::Side(Side::Opposition)).await.unwrap();
    assert_eq!(
        user_error(app.debate_assign(&guild, &id, &student(0), &student(5), Join::Audience).await.unwrap_err()),
        UserError::NotInstructor { privilege: Privilege::RunDebate, role: None }
    );
    assert_eq!(
        user_error(app.debate_advance(&guild, &id, &student(0), AdvanceFrom::PressedAt(clock.now())).await.unwrap_err()),
        UserError::NotInstructor { privilege: Privilege::RunDebate, role: None }
    );
    let v = app.debate_timer(&guild, &id, 0).await.unwrap().expect("sign-up is over");
    assert_eq!((v.phase.phase, v.phase.deadline), (Phase::Opening, Some(START + 300_000 + 120_000)));
    assert_eq!(app.debate_timer(&guild, &id, 0).await.unwrap(), None, "a second firing does nothing");
    assert_eq!(app.debate_timer(&guild, &id, 1).await.unwrap(), None, "an early timer does nothing");

    // A citation that is no passage of the paper is posted, flagged, and kept so.
    let posted = app.debate_speech(&guild, &id, &student(0), &speech(1, "Claim", &["s5-p4-allies-ev", "made-up-passage"])).await.unwrap();
    assert_eq!(
        posted.citations.iter().map(|c| (c.passage_id.as_str(), c.card.is_some())).collect::<Vec<_>>(),
        [("s5-p4-allies-ev", true), ("made-up-passage", false)]
    );
    let stored = app.debate_state(&guild, &id, &student(0)).await.unwrap();
    assert_eq!(stored.speeches[0].citations, posted.citations, "the flag survives a reload");
    assert_eq!(refusal(app.debate_speech(&guild, &id, &student(0), &speech(1, "Again", &[])).await.unwrap_err()), Refusal::AlreadySubmitted);
    assert_eq!(
        refusal(app.debate_speech(&guild, &id, &student(7), &speech(1, "Not mine", &[])).await.unwrap_err()),
        Refusal::NotYourSlot { phase: Phase::Opening }
    );
    assert_eq!(refusal(app.debate_flag(&guild, &id, &student(0), &posted.reference, "made-up-passage", "").await.unwrap_err()), Refusal::NotAnOpponent);

    // Late: the deadline has passed (the timer has not fired yet). Nothing is stored.
    clock.set(START + 300_000 + 120_000);
    let late = app.debate_speech(&guild, &id, &student(1), &speech(1, "Late", &[])).await.unwrap_err();
    assert_eq!(refusal(late), Refusal::Late { phase: Phase::Opening, deadline: START + 420_000 });
    assert_eq!(
        user_error(app.debate_speech(&guild, &id, &student(1), &speech(1, "Late", &[])).await.unwrap_err()).to_string(),
        "Too late: Opening speeches closed at its deadline."
    );
    assert_eq!(app.debate_state(&guild, &id, &student(1)).await.unwrap().speeches.len(), 1);
    let v = app.debate_timer(&guild, &id, 1).await.unwrap().unwrap();
    assert_eq!(v.phase.phase, Phase::Rebuttal);
    assert_eq!(
        refusal(app.debate_speech(&guild, &id, &student(1), &speech(1, "Later", &[])).await.unwrap_err()),
        Refusal::PhaseClosed { phase: Phase::Opening }
    );

    // Ballots stay with the instructor until the release.
    let ballot = BallotDraft {
        scores: [0, 1].map(|n| SpeakerScores { speaker: student(n).id, scores: vec![3; 4] }).to_vec(),
        winner: Some(Side::Proposition),
        feedback: String::new(),
    };
    app.debate_ballot(&guild, &id, &instructor(), &ballot).await.unwrap();
    assert_eq!(refusal(app.debate_ballots(&guild, &id, &student(0)).await.unwrap_err()), Refusal::NotReleased);
    assert_eq!(refusal(app.debate_result(&guild, &id).await.unwrap_err()), Refusal::NotReleased);
    let incomplete = BallotDraft { scores: ballot.scores[..1].to_vec(), ..ballot.clone() };
    assert_eq!(refusal(app.debate_ballot(&guild, &id, &instructor(), &incomplete).await.unwrap_err()), Refusal::BallotIncomplete { speaker: student(1).id });
    assert_eq!(
        refusal(app.debate_release(&guild, &id, &instructor()).await.unwrap_err()),
        Refusal::WrongPhase { phase: Phase::Rebuttal, what: "the result is released once the speeches are over" }
    );

    // A custom motion whose cards are not passages of the bank is refused; one that is, starts.
    let custom = |cards: Vec<String>| DebateRequest {
        motion: MotionChoice::Custom {
            text: "This house believes the partnership will outlast the war.".into(),
            info: String::new(),
            proposition: cards,
            opposition: vec![],
        },
        format: Format::Quick { per_side: 1 },
        times: vec![],
    };
    assert_eq!(
        user_error(app.debate_start(&guild, &ChannelId::from("c4"), &instructor(), &custom(vec!["nope".into()])).await.unwrap_err()),
        UserError::UnknownPassage("nope".into())
    );
    let v = app.debate_start(&guild, &ChannelId::from("c4"), &instructor(), &custom(vec!["s5-p4-allies-ev".into()])).await.unwrap();
    assert_eq!((v.motion.id, v.motion.info.as_str()), (None, ""));
    // A seated speaker on the side the motion gives no cards is told so, not to take a seat.
    app.debate_join(&guild, &v.debate_id, &student(20), Join::Side(Side::Opposition)).await.unwrap();
    let none = app.debate_cards(&guild, &v.debate_id, &student(20)).await.unwrap();
    assert_eq!(none.none, Some(agora::app::NoCards::MotionHasNone));
    assert_eq!(app.debate_cards(&guild, &v.debate_id, &student(21)).await.unwrap().none, Some(agora::app::NoCards::NotSeated));
    let bad_times = DebateRequest { times: vec![(Phase::Opening, 5)], ..request(Format::Quick { per_side: 1 }) };
    assert_eq!(
        user_error(app.debate_start(&guild, &ChannelId::from("c5"), &instructor(), &bad_times).await.unwrap_err()).to_string(),
        "That debate cannot start: Opening speeches must last between 30 and 604800 seconds, not 5."
    );
    assert_eq!(
        user_error(
            app.debate_start(
                &guild,
                &ChannelId::from("c5"),
                &instructor(),
                &DebateRequest { motion: MotionChoice::Bank("nope".into()), ..request(Format::Controversy) }
            )
            .await
            .unwrap_err()
        ),
        UserError::NoSuchMotion("nope".into())
    );
    // A typed motion: the bank's by any spelling of its id, a unique beginning or its whole
    // text; several motions begun by it are named; anything else is the instructor's own.
    let typed = |text: &str| DebateRequest { motion: MotionChoice::Typed(text.into()), ..request(Format::Quick { per_side: 1 }) };
    for (spelling, id) in [
        ("  ALLIANCE in_all ", Some("alliance-in-all-but-name")),
        ("this house believes the china–russia partnership is an alliance in all but name", Some("alliance-in-all-but-name")),
        ("This house would ban homework", None),
    ] {
        let started = app.debate_start(&guild, &ChannelId::from("c6"), &instructor(), &typed(spelling)).await.unwrap();
        assert_eq!(started.motion.id.as_deref(), id, "{spelling:?}");
        app.debate_cancel(&guild, &started.debate_id, &instructor()).await.unwrap();
    }
    let ambiguous = user_error(app.debate_start(&guild, &ChannelId::from("c6"), &instructor(), &typed("China")).await.unwrap_err()).to_string();
    assert_eq!(
        ambiguous,
        "“China” could be any of these motions: china-main-beneficiary, china-genuinely-neutral, china-reforms-not-overturns. Type more of the one you mean."
    );
    let cancelled = app.debate_cancel(&guild, &v.debate_id, &instructor()).await.unwrap();
    assert_eq!(cancelled.status, Status::Cancelled);
    assert_eq!(refusal(app.debate_join(&guild, &v.debate_id, &student(3), Join::Audience).await.unwrap_err()), Refusal::Over);
    assert_eq!(
        user_error(app.debate_state(&GuildId::from("other"), &v.debate_id, &student(3)).await.unwrap_err()),
        UserError::NoSuchDebate,
        "a debate of another server does not exist here"
    );
}

#[tokio::test]
async fn refusals_and_flags_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    refusals_and_flags(sqlite_store(&dir).await).await;
}

#[tokio::test]
async fn refusals_and_flags_on_postgres() {
    let Some(pg) = Postgres::new().await else { return };
    let store = Store::connect(&pg.0).await.unwrap();
    refusals_and_flags(store.clone()).await;
    store.close().await;
}

/// The board a face posted for each phase: recorded with its phase, the one it replaces
/// handed back (to disable), edited only while its phase is open, and a click on a board
/// posted before the recorded one refused, naming the phase now open; all of it after a reload.
async fn boards_are_recorded_replaced_and_refused(store: Store) {
    let bank = bank();
    let clock = Arc::new(ManualClock::new(START));
    let app = App::new(bank.clone(), store.clone(), clock.clone());
    let (guild, channel) = (GuildId::from("g1"), ChannelId::from("c1"));
    let id = app.debate_start(&guild, &channel, &instructor(), &request(Format::Oxford { per_side: 1 })).await.unwrap().debate_id;
    assert!(app.debate_board(&guild, &id).await.unwrap().is_none(), "no board posted yet");
    let before = |clicked: u64| move |recorded: &str| clicked < recorded.parse::<u64>().unwrap();
    app.debate_from_board(&guild, &id, before(111)).await.expect("any board is fine while none is recorded");
    assert_eq!(app.debate_board_posted(&guild, &id, 0, "111").await.unwrap(), None);
    for n in 0..2 {
        app.debate_join(&guild, &id, &student(n), Join::Either).await.unwrap();
    }
    let (v, board) = app.debate_board(&guild, &id).await.unwrap().expect("the sign-up board");
    assert_eq!((board.message_id.as_str(), board.phase_index, v.proposition.len() + v.opposition.len()), ("111", 0, 2));
    assert!(v.flags.is_empty() && v.you == agora::app::YourPart::default(), "the board is the view everyone sees");
    app.debate_advance(&guild, &channel, &instructor(), AdvanceFrom::Phase(0)).await.unwrap();
    assert!(app.debate_board(&guild, &id).await.unwrap().is_none(), "the sign-up board is not edited once its phase is over");
    let replaced = app.debate_board_posted(&guild, &id, 1, "222").await.unwrap().expect("the sign-up board is replaced");
    assert_eq!((replaced.message_id.as_str(), replaced.phase_index), ("111", 0));
    let again = App::new(bank, store.clone(), clock);
    assert_eq!(
        user_error(again.debate_from_board(&guild, &id, before(111)).await.unwrap_err()),
        UserError::OldBoard { now: "Audience vote (before)".into() },
        "after a restart too"
    );
    again.debate_from_board(&guild, &id, before(222)).await.expect("the newest board is the one to use");
    again.debate_from_board(&guild, &id, before(333)).await.expect("a board newer than the one recorded (just posted) too");
    assert_eq!(again.debate_board(&guild, &id).await.unwrap().expect("the vote's board").1.message_id, "222");
}

#[tokio::test]
async fn boards_are_recorded_replaced_and_refused_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    boards_are_recorded_replaced_and_refused(sqlite_store(&dir).await).await;
}

#[tokio::test]
async fn boards_are_recorded_replaced_and_refused_on_postgres() {
    let Some(pg) = Postgres::new().await else { return };
    let store = Store::connect(&pg.0).await.unwrap();
    boards_are_recorded_replaced_and_refused(store.clone()).await;
    store.close().await;
}

/// The process stops in the middle of the opening speeches; a new layer on the same store
/// finds the phase deadline to re-arm, every speech given, and the debate goes on to its
/// release.
async fn a_debate_survives_a_restart(url: String) {
    let clock = Arc::new(ManualClock::new(START));
    let guild = GuildId::from("g1");
    let (id, deadline) = {
        let store = Store::connect(&url).await.unwrap();
        let app = App::new(bank(), store.clone(), clock.clone());
        let mut req = request(Format::Quick { per_side: 2 });
        req.times = vec![(Phase::Opening, 600)];
        let id = app.debate_start(&guild, &ChannelId::from("c1"), &instructor(), &req).await.unwrap().debate_id;
        app.debate_set_thread(&guild, &id, "thread-1").await.unwrap();
        for (n, side) in [(0, Side::Proposition), (1, Side::Opposition), (2, Side::Proposition), (3, Side::Opposition)] {
            app.debate_join(&guild, &id, &student(n), Join::Side(side)).await.unwrap();
        }
        clock.set(START + 60_000);
        let v = app.debate_advance(&guild, &id, &instructor(), AdvanceFrom::PressedAt(clock.now())).await.unwrap();
        clock.set(START + 90_000);
        app.debate_speech(&guild, &id, &student(0), &speech(1, "First", &["s5-p4-allies-ev"])).await.unwrap();
        app.debate_speech(&guild, &id, &student(1), &speech(1, "Second", &["conclusion-p2-no-treaty"])).await.unwrap();
        drop(app);
        store.close().await;
        (id, v.phase.deadline.unwrap())
    };
    assert_eq!(deadline, START + 60_000 + 600_000);
    clock.set(START + 120_000);
    let store = Store::connect(&url).await.unwrap();
    let app = App::new(bank(), store.clone(), clock.clone());
    let timers = app.debate_timers(|_| true).await.unwrap();
    assert_eq!(timers.len(), 1);
    let t = &timers[0];
    assert_eq!((&t.debate_id, t.phase_index, t.phase, t.deadline, t.due, t.thread_id.as_deref()), (&id, 1, Phase::Opening, deadline, false, Some("thread-1")));
    assert!(app.debate_timers(|g| g.as_str() == "another").await.unwrap().is_empty());
    let v = app.debate_state(&guild, &id, &student(2)).await.unwrap();
    assert_eq!(v.speeches.iter().map(|s| s.claim.as_str()).collect::<Vec<_>>(), ["First", "Second"]);
    assert_eq!((v.phase.phase, v.phase.deadline, v.you.slot_open), (Phase::Opening, Some(deadline), true));
    assert_eq!(
        refusal(app.debate_speech(&guild, &id, &student(0), &speech(1, "Again", &[])).await.unwrap_err()),
        Refusal::AlreadySubmitted,
        "a speech from before the restart still counts once"
    );
    app.debate_speech(&guild, &id, &student(2), &speech(1, "Third", &[])).await.unwrap();
    assert_eq!(app.debate_timer(&guild, &id, 1).await.unwrap(), None, "not yet due");
    clock.set(deadline);
    assert!(app.debate_timers(|_| true).await.unwrap()[0].due);
    let v = app.debate_timer(&guild, &id, 1).await.unwrap().expect("the timer fires after the restart as it would have");
    assert_eq!(v.phase.phase, Phase::Rebuttal);
    assert_eq!(v.speeches.len(), 3);
    assert_eq!(
        refusal(app.debate_speech(&guild, &id, &student(3), &speech(1, "Too late", &[])).await.unwrap_err()),
        Refusal::PhaseClosed { phase: Phase::Opening }
    );
    app.debate_advance(&guild, &id, &instructor(), AdvanceFrom::PressedAt(clock.now())).await.unwrap();
    let v = app.debate_advance(&guild, &id, &instructor(), AdvanceFrom::PressedAt(clock.now())).await.unwrap();
    assert_eq!(v.phase.phase, Phase::Judging);
    assert!(app.debate_timers(|_| true).await.unwrap().is_empty(), "judging has no deadline");
    let scores = [0, 1, 2, 3].map(|n| SpeakerScores { speaker: student(n).id, scores: vec![2, 3, 4, 5] }).to_vec();
    app.debate_ballot(&guild, &id, &instructor(), &BallotDraft { scores, winner: Some(Side::Opposition), feedback: "Well done.".into() }).await.unwrap();
    let r = app.debate_release(&guild, &id, &instructor()).await.unwrap();
    assert_eq!(r.decision, Decision::Won { side: Side::Opposition, by: DecidedBy::Judge });
    assert_eq!(app.score(&guild, &student(1).id, "Student 1").await.unwrap().points, 14 + 10);
    assert_eq!(app.score(&guild, &student(0).id, "Student 0").await.unwrap().points, 14);
    store.close().await;
}

#[tokio::test]
async fn a_debate_survives_a_restart_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_debate_survives_a_restart(format!("sqlite://{}/agora.db", dir.path().display())).await;
}

#[tokio::test]
async fn a_debate_survives_a_restart_on_postgres() {
    let Some(pg) = Postgres::new().await else { return };
    a_debate_survives_a_restart(pg.0.clone()).await;
}

/// A student draws a prompt, answers it; the instructor sees the queue oldest first with
/// its count, marks the answer on the prompt's rubric and writes feedback; the student
/// receives it and the points are in the scores.
async fn a_prompt_answered_reviewed_and_scored(store: Store) {
    let bank = bank();
    let clock = Arc::new(ManualClock::new(START));
    let app = App::new(bank.clone(), store, clock.clone());
    let guild = GuildId::from("g1");
    let ask = PromptRequest { topic: Some("un-votes".into()), kind: Some(PromptKind::Explain), seed: Some(3), channel: None };
    let prompt = app.prompt_draw(&guild, &student(0), &ask).await.unwrap();
    assert_eq!((prompt.prompt_id.as_str(), prompt.kind, prompt.max_chars), ("explain-un-votes-2022", PromptKind::Explain, SUBMISSION_CHARS));
    assert!(prompt.topics.contains(&"The 2022 UN votes".to_string()));
    assert!(!prompt.suggested.is_empty() && prompt.suggested.iter().all(|c| !c.quote.is_empty() && !c.anchor.is_empty()));
    assert_eq!(prompt.rubric.len(), 5);
    assert_eq!(
        user_error(app.prompt_draw(&guild, &student(0), &PromptRequest { topic: Some("nonsense".into()), ..Default::default() }).await.unwrap_err())
            .to_string()
            .split('.')
            .next(),
        Some("There is no topic “nonsense”")
    );
    let typed = app.prompt_draw(&guild, &student(0), &PromptRequest { topic: Some(" Complementary-ECONOMIES ".into()), ..Default::default() }).await;
    assert!(typed.unwrap().topics.contains(&"Complementary economies".to_string()), "a topic in any spelling");

    let too_long = "x".repeat(SUBMISSION_CHARS + 1);
    assert_eq!(
        user_error(app.prompt_submit(&guild, &student(0), &prompt.prompt_id, &too_long, &[]).await.unwrap_err()),
        UserError::AnswerTooLong { max: 4000, got: 4001 }
    );
    assert_eq!(user_error(app.prompt_submit(&guild, &student(0), &prompt.prompt_id, " \n ", &[]).await.unwrap_err()), UserError::EmptyAnswer);
    let answer = "According to the paper, China needs energy and Russia holds it.\nRussia needs machinery.";
    let cited = ["s5-p3-economies-ev".to_string(), "made-up".to_string()];
    let first = app.prompt_submit(&guild, &student(0), &prompt.prompt_id, answer, &cited).await.unwrap();
    assert_eq!(first.waiting, 1);
    assert_eq!(first.citations.iter().map(|c| c.card.is_some()).collect::<Vec<_>>(), [true, false], "a citation not in the bank is marked");
    assert_eq!(user_error(app.prompt_submit(&guild, &student(0), &prompt.prompt_id, "Again", &[]).await.unwrap_err()), UserError::PromptAnswered);
    clock.advance(60_000);
    let second = app.prompt_submit(&guild, &student(1), &prompt.prompt_id, "Another answer.", &[]).await.unwrap();
    assert_eq!(second.waiting, 2);
    // The student who answered it is not given the same prompt again.
    assert_eq!(user_error(app.prompt_draw(&guild, &student(0), &ask).await.unwrap_err()), UserError::AllPromptsAnswered);

    assert_eq!(
        user_error(app.prompt_queue(&guild, &student(0), 10).await.unwrap_err()),
        UserError::NotInstructor { privilege: Privilege::MarkAnswers, role: None }
    );
    let queue = app.prompt_queue(&guild, &instructor(), 1).await.unwrap();
    assert_eq!(queue.waiting, 2, "the count covers every answer waiting");
    assert_eq!(queue.answers.len(), 1);
    let oldest = &queue.answers[0];
    assert_eq!((&oldest.answer_id, oldest.name.as_str(), oldest.body.as_str(), oldest.top_mark), (&first.answer_id, "Student 0", answer, 2));
    assert_eq!(oldest.rubric, prompt.rubric);

    assert_eq!(
        user_error(app.prompt_review(&guild, &student(1), &first.answer_id, &[2; 5], "").await.unwrap_err()),
        UserError::NotInstructor { privilege: Privilege::MarkAnswers, role: None }
    );
    assert_eq!(
        user_error(app.prompt_review(&guild, &instructor(), &first.answer_id, &[2; 4], "").await.unwrap_err()).to_string(),
        "The rubric of this prompt has 5 lines: give one mark for each, not 4."
    );
    assert_eq!(
        user_error(app.prompt_review(&guild, &instructor(), &first.answer_id, &[2, 2, 3, 2, 2], "").await.unwrap_err()).to_string(),
        "Marks run from 0 to 2, not 3."
    );
    assert_eq!(user_error(app.prompt_review(&guild, &instructor(), &SubmissionId::from("nope"), &[2; 5], "").await.unwrap_err()), UserError::NoSuchSubmission);
    let reviewed = app.prompt_review(&guild, &instructor(), &first.answer_id, &[2, 2, 1, 0, 2], "Good on the economies;\nname a trade figure.").await.unwrap();
    assert_eq!((reviewed.user_id.clone(), reviewed.score, reviewed.max_score, reviewed.points, reviewed.delivered), (student(0).id, 7, 10, 35, false));
    assert_eq!(reviewed.marks.iter().map(|(_, m)| *m).collect::<Vec<_>>(), [2, 2, 1, 0, 2]);
    assert_eq!(reviewed.marks[0].0, prompt.rubric[0]);
    assert_eq!(user_error(app.prompt_review(&guild, &instructor(), &first.answer_id, &[2; 5], "").await.unwrap_err()), UserError::AlreadyReviewed);
    assert_eq!(app.prompt_queue(&guild, &instructor(), 10).await.unwrap().waiting, 1);

    // The feedback reaches the student privately; a face marks it delivered.
    let undelivered = app.prompt_undelivered(|_| true).await.unwrap();
    assert_eq!(undelivered.len(), 1);
    assert_eq!((undelivered[0].0.as_str(), undelivered[0].1.feedback.as_str()), ("g1", "Good on the economies;\nname a trade figure."));
    app.prompt_delivered(&guild, &first.answer_id).await.unwrap();
    assert!(app.prompt_undelivered(|_| true).await.unwrap().is_empty());
    let mine = app.prompt_feedback(&guild, &student(0).id).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0].points, mine[0].delivered, mine[0].task.as_str()), (35, true, prompt.task.as_str()));
    assert!(app.prompt_feedback(&guild, &student(1).id).await.unwrap().is_empty(), "not reviewed yet");

    let score = app.score(&guild, &student(0).id, "Student 0").await.unwrap();
    assert_eq!((score.points, score.prompt_points, score.debate_points, score.answered), (35, 35, 0, 0));
    assert!(app.gradebook(&guild, &instructor()).await.unwrap().lines().any(|l| l.starts_with("1000,Student 0,0,0,,35,")));
    let board = app.leaderboard(&guild, RankBy::Points, 5, false).await.unwrap();
    assert_eq!(board.iter().map(|r| (r.name.as_str(), r.points)).collect::<Vec<_>>(), [("Student 0", 35)], "an answer waiting for review earns nothing yet");
    assert_eq!(app.score(&GuildId::from("g2"), &student(0).id, "Student 0").await.unwrap().points, 0, "points stay in their server");
}

#[tokio::test]
async fn a_prompt_answered_reviewed_and_scored_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_prompt_answered_reviewed_and_scored(sqlite_store(&dir).await).await;
}

#[tokio::test]
async fn a_prompt_answered_reviewed_and_scored_on_postgres() {
    let Some(pg) = Postgres::new().await else { return };
    let store = Store::connect(&pg.0).await.unwrap();
    a_prompt_answered_reviewed_and_scored(store.clone()).await;
    store.close().await;
}

/// `/prompt` hands a student a prompt they have not had yet, written or generated, until none
/// is left, then the one they had longest ago; two students asking at the same moment in one
/// channel get different prompts, even with the same seed.
async fn prompts_are_new_to_each_student_and_differ_within_a_channel(store: Store) {
    let bank = bank();
    let clock = Arc::new(ManualClock::new(START));
    let app = App::new(bank.clone(), store, clock.clone());
    let guild = GuildId::from("g1");
    let topic = "xi-putin-relationship";
    let matching: Vec<&agora::bank::Prompt> = bank.prompts.iter().filter(|p| p.topics.iter().any(|t| t == topic)).collect();
    assert!(matching.iter().any(|p| p.origin == agora::bank::Origin::Generated) && matching.iter().any(|p| p.origin == agora::bank::Origin::Written));
    let ask = PromptRequest { topic: Some(topic.into()), seed: Some(11), ..Default::default() };
    let mut had: Vec<String> = Vec::new();
    for _ in 0..matching.len() {
        let drawn = app.prompt_draw(&guild, &student(0), &ask).await.unwrap().prompt_id;
        assert!(!had.contains(&drawn), "{drawn} given twice in {had:?}");
        had.push(drawn);
        clock.advance(60_000);
    }
    assert_eq!(app.prompt_draw(&guild, &student(0), &ask).await.unwrap().prompt_id, had[0], "all had: the one had longest ago");

    // A class asks at once in one channel, all with the same seed: each gets their own.
    let app = Arc::new(app);
    let here = PromptRequest { channel: Some(ChannelId::from("c1")), ..ask.clone() };
    let class: Vec<_> = (1..=matching.len())
        .map(|n| {
            let (app, guild, here) = (app.clone(), guild.clone(), here.clone());
            tokio::spawn(async move { app.prompt_draw(&guild, &student(n), &here).await.unwrap().prompt_id })
        })
        .collect();
    let mut given = Vec::new();
    for task in class {
        given.push(task.await.unwrap());
    }
    let distinct: std::collections::BTreeSet<&String> = given.iter().collect();
    assert_eq!(distinct.len(), given.len(), "students at once in one channel: {given:?}");
    // In another channel, the same seed and record give the same prompt as anywhere.
    let there = PromptRequest { channel: Some(ChannelId::from("c2")), ..ask.clone() };
    let (c, d) = (app.prompt_draw(&guild, &student(20), &there).await.unwrap(), app.prompt_draw(&guild, &student(21), &ask).await.unwrap());
    assert_eq!(c.prompt_id, d.prompt_id);
}

#[tokio::test]
async fn prompts_are_new_to_each_student_and_differ_within_a_channel_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    prompts_are_new_to_each_student_and_differ_within_a_channel(sqlite_store(&dir).await).await;
}

#[tokio::test]
async fn prompts_are_new_to_each_student_and_differ_within_a_channel_on_postgres() {
    let Some(pg) = Postgres::new().await else { return };
    let store = Store::connect(&pg.0).await.unwrap();
    prompts_are_new_to_each_student_and_differ_within_a_channel(store.clone()).await;
    store.close().await;
}

/// A debate on a generated motion: found by its id, with its cards.
#[tokio::test]
async fn a_debate_starts_on_a_generated_motion() {
    let dir = tempfile::tempdir().unwrap();
    let bank = bank();
    let generated = bank.motions.iter().find(|m| m.origin == agora::bank::Origin::Generated).expect("a generated motion").clone();
    let app = App::new(bank, sqlite_store(&dir).await, ManualClock::new(START));
    let offered = app.debate_motions();
    assert!(
        offered[..2].iter().any(|(m, o)| *o == agora::bank::Origin::Generated && m.id.as_deref() == Some(generated.id.as_str())),
        "offered beside the written ones"
    );
    let request = DebateRequest { motion: MotionChoice::Typed(generated.id.clone()), ..request(Format::Quick { per_side: 1 }) };
    let view = app.debate_start(&GuildId::from("g1"), &ChannelId::from("c1"), &instructor(), &request).await.unwrap();
    assert_eq!((view.motion.id.as_deref(), view.motion.text.as_str()), (Some(generated.id.as_str()), generated.motion.as_str()));
    assert_eq!(view.motion.info, generated.info);
}

/// Votes of a whole audience at once, on both polls, each counted once whatever the order.
#[tokio::test]
async fn an_audience_votes_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(START));
    let app = Arc::new(App::new(bank(), sqlite_store(&dir).await, clock.clone()));
    let guild = GuildId::from("g1");
    let id = app.debate_start(&guild, &ChannelId::from("c1"), &instructor(), &request(Format::Oxford { per_side: 1 })).await.unwrap().debate_id;
    app.debate_join(&guild, &id, &student(0), Join::Side(Side::Proposition)).await.unwrap();
    app.debate_join(&guild, &id, &student(1), Join::Side(Side::Opposition)).await.unwrap();
    for n in 10..40 {
        app.debate_join(&guild, &id, &student(n), Join::Audience).await.unwrap();
    }
    app.debate_advance(&guild, &id, &instructor(), AdvanceFrom::PressedAt(clock.now())).await.unwrap();
    let mut tasks = Vec::new();
    for n in 10..40 {
        let (app, guild, id) = (app.clone(), guild.clone(), id.clone());
        tasks.push(tokio::spawn(
            async move { app.debate_vote(&guild, &id, &student(n), if n % 3 == 0 { Stance::Proposition } else { Stance::Opposition }).await },
        ));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let v = app.debate_state(&guild, &id, &student(10)).await.unwrap();
    assert_eq!(v.votes_cast, Some((30, 0)));
    assert_eq!(refusal(app.debate_vote(&guild, &id, &student(50), Stance::Proposition).await.unwrap_err()), Refusal::NotInAudience);
}

/// The store's own guards, below the layer: a change made for a phase that is over, or
/// after its deadline, or to a debate no longer open, is refused whole; a channel has one
/// open debate; a release awards once.
async fn the_store_guards_each_change(store: Store) {
    use agora::debate::{Debate, DebateMotion, Rubric, Setup, Speech, Timing};
    use agora::ids::DebateId;
    use agora::store::{Expect, NewDebate, StoreError};
    let (guild, channel) = (GuildId::from("g1"), ChannelId::from("c1"));
    let motion = DebateMotion { id: None, text: "This house believes X.".into(), info: String::new(), proposition: vec!["a".into()], opposition: vec![] };
    let mut d = Debate::new(Setup { format: Format::Quick { per_side: 1 }, motion, timing: Timing::default(), rubric: Rubric::default() }, START).unwrap();
    let new = |id: &str, record| NewDebate {
        guild_id: guild.clone(),
        debate_id: DebateId::from(id),
        channel_id: channel.clone(),
        started_by: UserId::from("900"),
        started_at: START,
        record,
    };
    store.create_debate(&new("d1", d.record().clone())).await.unwrap();
    assert!(matches!(store.create_debate(&new("d2", d.record().clone())).await, Err(StoreError::DebateChannelBusy { .. })));
    let id = DebateId::from("d1");
    for (n, side) in [(0, Side::Proposition), (1, Side::Opposition)] {
        store.upsert_user("g1", student(n).id.as_str(), "S").await.unwrap();
        let joined = d.join(&student(n).id, Join::Side(side), START + 1).unwrap();
        store.save_places(&guild, &id, Expect::in_time(0, START + 1), &[joined.place], START + 1).await.unwrap();
    }
    let teacher = agora::debate::Actor { user: UserId::from("900"), instructor: true };
    let change = d.advance(&teacher, START + 10).unwrap();
    store.set_debate_phase(&guild, &id, &change).await.unwrap();
    assert!(matches!(store.set_debate_phase(&guild, &id, &change).await, Err(StoreError::DebateMoved { .. })), "a second move from the same phase is refused");
    let deadline = d.deadline().unwrap();
    let speech = |at| Speech {
        phase_index: 1,
        key: SlotKey::Speaker(student(0).id),
        argues: Some(Side::Proposition),
        author: student(0).id,
        claim: "c".into(),
        reasoning: String::new(),
        citations: vec![],
        submitted_at: at,
    };
    assert!(
        matches!(store.save_speech(&guild, &id, &speech(deadline)).await, Err(StoreError::DebateMoved { .. })),
        "at the deadline is too late, whatever the caller believes"
    );
    // A speech and its post for the channel (the outbox) are written together, or neither.
    let post = agora::store::Post {
        guild_id: guild.clone(),
        kind: agora::store::PostKind::Speech,
        subject: "d1".into(),
        number: 1,
        part: student(0).id.as_str().into(),
        channel_id: channel.clone(),
    };
    let wrong_phase = Speech { phase_index: 2, ..speech(START + 20) };
    assert!(matches!(store.save_speech_posting(&guild, &id, &wrong_phase, Some(&post)).await, Err(StoreError::DebateMoved { .. })));
    assert!(store.post_state(&post).await.unwrap().is_none(), "a refused speech queues nothing");
    store.save_speech_posting(&guild, &id, &speech(START + 20), Some(&post)).await.unwrap();
    assert!(
        matches!(store.save_speech_posting(&guild, &id, &speech(START + 21), Some(&post)).await, Err(StoreError::DebateMoved { .. })),
        "one speech per slot"
    );
    let due = store.due_posts(START + 30, 10).await.unwrap();
    assert_eq!(due.iter().map(|p| (&p.post, p.version)).collect::<Vec<_>>(), [(&post, 1)], "queued once, with the speech");
    // Its messages go out one by one: the parts posted are kept for a retry.
    assert!(store.claim_post(&post, 1, START + 30, START + 60).await.unwrap());
    store.post_parts(&post, "m1").await.unwrap();
    store.post_retry(&post, START + 31).await.unwrap();
    assert_eq!(store.due_posts(START + 31, 10).await.unwrap()[0].message_id.as_deref(), Some("m1"));
    let stored = store.debate(&guild, &id).await.unwrap().unwrap();
    assert_eq!(stored.record.speeches, [speech(START + 20)]);
    assert_eq!(stored.record.phase_index, 1);
    assert_eq!(stored.names.get(&student(0).id).map(String::as_str), Some("S"));
    store.release_debate(&guild, &id, 1, START + 30, &[(student(0).id, 5)]).await.unwrap();
    assert!(matches!(store.release_debate(&guild, &id, 1, START + 31, &[(student(0).id, 5)]).await, Err(StoreError::DebateMoved { .. })), "released once");
    assert_eq!(store.awards_for(&guild, "debate:d1").await.unwrap(), [(student(0).id, 5)]);
    assert_eq!(store.user_totals("g1", student(0).id.as_str(), &Default::default()).await.unwrap().debate_points, 5);
    assert!(matches!(store.cancel_debate(&guild, &id, 1, START + 40).await, Err(StoreError::DebateMoved { .. })), "a released debate stays released");
    assert!(store.open_debates().await.unwrap().is_empty());
    store.create_debate(&new("d2", d.record().clone())).await.unwrap();
}

#[tokio::test]
async fn the_store_guards_each_change_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    the_store_guards_each_change(sqlite_store(&dir).await).await;
}

#[tokio::test]
async fn the_store_guards_each_change_on_postgres() {
    let Some(pg) = Postgres::new().await else { return };
    let store = Store::connect(&pg.0).await.unwrap();
    the_store_guards_each_change(store.clone()).await;
    store.close().await;
}

/// The sign-up timer fires; then the instructor's advance, pressed for sign-up (by its
/// phase, or by when it was pressed), arrives: it changes nothing and says the debate had
/// moved on, so the opening speeches stay open. Pressed for the phase now open, it moves.
async fn an_advance_racing_the_timer_moves_one_step(store: Store) {
    let clock = Arc::new(ManualClock::new(START));
    let app = App::new(bank(), store, clock.clone());
    let guild = GuildId::from("g1");
    let mut req = request(Format::Quick { per_side: 1 });
    req.times = vec![(Phase::SignUp, 60)];
    let v = app.debate_start(&guild, &ChannelId::from("c9"), &instructor(), &req).await.unwrap();
    let (id, signup) = (v.debate_id.clone(), v.phase.index);
    app.debate_join(&guild, &id, &student(0), Join::Side(Side::Proposition)).await.unwrap();
    app.debate_join(&guild, &id, &student(1), Join::Side(Side::Opposition)).await.unwrap();
    let pressed = START + 59_000;
    clock.set(START + 60_500);
    let opening = app.debate_timer(&guild, &id, signup).await.unwrap().expect("the timer closes sign-up");
    assert_eq!(opening.phase.phase, Phase::Opening);
    for from in [AdvanceFrom::Phase(signup), AdvanceFrom::PressedAt(pressed)] {
        let e = user_error(app.debate_advance(&guild, &id, &instructor(), from).await.unwrap_err());
        assert!(matches!(e, UserError::PhaseMovedOn { .. }), "{from:?}: {e:?}");
        assert!(e.to_string().contains("already moved on to Opening speeches") && e.to_string().contains("nothing was changed"), "{e}");
        let now = app.debate_state(&guild, &id, &instructor()).await.unwrap();
        assert_eq!(now.phase.phase, Phase::Opening, "{from:?}: the opening speeches stay open");
    }
    let v = app.debate_advance(&guild, &id, &instructor(), AdvanceFrom::Phase(opening.phase.index)).await.unwrap();
    assert_eq!(v.phase.phase, Phase::Rebuttal, "pressed for the phase open now, it moves one step");
    let v = app.debate_advance(&guild, &id, &instructor(), AdvanceFrom::PressedAt(clock.now())).await.unwrap();
    assert_ne!(v.phase.phase, Phase::Rebuttal);
}

#[tokio::test]
async fn an_advance_racing_the_timer_moves_one_step_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    an_advance_racing_the_timer_moves_one_step(sqlite_store(&dir).await).await;
}

#[tokio::test]
async fn an_advance_racing_the_timer_moves_one_step_on_postgres() {
    let Some(pg) = Postgres::new().await else { return };
    let store = Store::connect(&pg.0).await.unwrap();
    an_advance_racing_the_timer_moves_one_step(store.clone()).await;
    store.close().await;
}
