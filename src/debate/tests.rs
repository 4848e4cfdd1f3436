//! The debate domain driven with a fake clock: every phase change of every format, every
//! refusal, the release and a debate rebuilt from its record.

use super::*;
use crate::ids::{Millis, UserId};

const T0: Millis = 1_700_000_000_000;
const MIN: Millis = 60_000;

fn u(name: &str) -> UserId {
    UserId::from(name)
}

fn teacher() -> Actor {
    Actor { user: u("teacher"), instructor: true }
}

fn student(name: &str) -> Actor {
    Actor { user: u(name), instructor: false }
}

fn motion() -> DebateMotion {
    DebateMotion {
        id: Some("m1".into()),
        text: "This house believes the partnership is an alliance in all but name.".into(),
        info: "Neutral context.".into(),
        proposition: vec!["p1-a".into(), "p3-b".into()],
        opposition: vec!["p2-c".into(), "p4-d".into()],
    }
}

fn new(format: Format) -> Debate {
    Debate::new(Setup { format, motion: motion(), timing: Timing::default(), rubric: Rubric::default() }, T0).unwrap()
}

/// Passages the fake bank has: ids `pN-…`, in the paper at place N.
fn position(id: &str) -> Option<u32> {
    id.strip_prefix('p')?.split('-').next()?.parse().ok()
}

fn in_bank(id: &str) -> bool {
    position(id).is_some()
}

fn draft(phase_index: usize, claim: &str, citations: &[&str]) -> SpeechDraft {
    SpeechDraft {
        phase_index,
        claim: claim.into(),
        reasoning: "Because the paper says so.".into(),
        citations: citations.iter().map(|c| c.to_string()).collect(),
    }
}

/// A debate with `p` and `o` seated (in that order) during sign-up.
fn seated(format: Format, p: &[&str], o: &[&str]) -> Debate {
    let mut d = new(format);
    for name in p {
        d.join(&u(name), Join::Side(Side::Proposition), T0 + 1).unwrap();
    }
    for name in o {
        d.join(&u(name), Join::Side(Side::Opposition), T0 + 1).unwrap();
    }
    d
}

/// Advances (as the instructor) until the phase is `phase`.
fn advance_to(d: &mut Debate, phase: Phase, now: Millis) {
    while d.phase() != phase {
        d.advance(&teacher(), now).unwrap();
    }
}

fn scores(d: &Debate, each: u8) -> Vec<SpeakerScores> {
    d.speakers().into_iter().map(|s| SpeakerScores { speaker: s.user.clone(), scores: vec![each; d.rubric().criteria.len()] }).collect()
}

fn ballot(d: &Debate, each: u8, winner: Option<Side>) -> BallotDraft {
    BallotDraft { scores: scores(d, each), winner, feedback: "Well argued.".into() }
}

fn speaker_names(slots: &[Slot]) -> Vec<String> {
    slots.iter().map(|s| s.key.as_str().to_owned()).collect()
}

// ─────────────────────────── setup ───────────────────────────

#[test]
fn a_debate_is_set_up_only_as_the_rules_allow() {
    let setup = |format, text: &str, timing: Timing, rubric: Rubric| {
        Debate::new(Setup { format, motion: DebateMotion { text: text.into(), ..motion() }, timing, rubric }, T0).map(|_| ()).unwrap_err().0
    };
    let ok = "This house believes X.";
    assert_eq!(setup(Format::Quick { per_side: 3 }, ok, Timing::default(), Rubric::default()), "a quick debate is 1 v 1 or 2 v 2, not 3 v 3");
    assert_eq!(setup(Format::Quick { per_side: 1 }, "  ", Timing::default(), Rubric::default()), "the motion is empty: write it as \"This house believes …\"");
    assert_eq!(setup(Format::Quick { per_side: 1 }, &"x".repeat(301), Timing::default(), Rubric::default()), "the motion is longer than 300 characters");
    assert_eq!(
        setup(Format::Quick { per_side: 1 }, ok, Timing::default().with(Phase::Opening, 5), Rubric::default()),
        "Opening speeches must last between 30 and 604800 seconds, not 5"
    );
    assert_eq!(
        setup(Format::Quick { per_side: 1 }, ok, Timing::default(), Rubric { criteria: vec![], max: 5 }),
        "the rubric: a rubric has 1 to 8 criteria, not 0"
    );
    let d = new(Format::Oxford { per_side: 3 });
    assert_eq!((d.phase(), d.phase_index(), d.status(), d.deadline()), (Phase::SignUp, 0, Status::Open, Some(T0 + 300_000)));
    assert_eq!(d.next_phase(), Some(Phase::PreVote));
}

// ─────────────────────────── phases ───────────────────────────

/// Every format walks its whole plan on its timers: each phase closes exactly at its
/// deadline (not a millisecond before), a second firing changes nothing, and judging waits
/// for the instructor.
#[test]
fn every_phase_change_on_the_timer() {
    let timing = Timing::default();
    for (format, p, o) in [
        (Format::Quick { per_side: 1 }, &["p0"][..], &["o0"][..]),
        (Format::Quick { per_side: 2 }, &["p0", "p1"][..], &["o0", "o1"][..]),
        (Format::Oxford { per_side: 3 }, &["p0", "p1", "p2"][..], &["o0", "o1"][..]),
        (Format::Controversy, &["p0", "p1"][..], &["o0", "o1"][..]),
    ] {
        let mut d = seated(format, p, o);
        let phases = format.phases();
        let mut opened = T0;
        for (i, &phase) in phases.iter().enumerate() {
            assert_eq!((d.phase_index(), d.phase()), (i, phase), "{format:?}");
            assert_eq!(d.phase_opened_at(), opened);
            let Some(seconds) = timing.seconds(phase) else {
                assert_eq!(phase, Phase::Judging);
                assert_eq!(d.deadline(), None);
                assert_eq!(d.timer(i, opened + 365 * 24 * 60 * MIN), Err(Refusal::NotDue { phase }));
                assert_eq!(d.advance(&teacher(), opened), Err(Refusal::ReleaseToFinish));
                break;
            };
            let deadline = opened + i64::from(seconds) * 1000;
            assert_eq!(d.deadline(), Some(deadline));
            assert_eq!(d.timer(i, deadline - 1), Err(Refusal::NotDue { phase }));
            assert_eq!(d.timer(i + 1, deadline), Err(Refusal::StaleTimer));
            let change = d.timer(i, deadline).unwrap();
            let next = phases[i + 1];
            assert_eq!(
                change,
                PhaseChange { from: i, to: i + 1, phase: next, opened_at: deadline, deadline: timing.seconds(next).map(|s| deadline + i64::from(s) * 1000) }
            );
            assert_eq!(d.timer(i, deadline + 5), Err(Refusal::StaleTimer), "a second firing changes nothing");
            opened = deadline;
        }
        assert_eq!(d.phase_index(), phases.len() - 1);
    }
}

#[test]
fn only_an_instructor_advances_and_any_time() {
    let mut d = seated(Format::Quick { per_side: 1 }, &["ann"], &["bob"]);
    assert_eq!(d.advance(&student("ann"), T0 + 10), Err(Refusal::NotInstructor));
    assert_eq!(d.phase(), Phase::SignUp, "a refusal changes nothing");
    let change = d.advance(&teacher(), T0 + 10).unwrap();
    assert_eq!(change, PhaseChange { from: 0, to: 1, phase: Phase::Opening, opened_at: T0 + 10, deadline: Some(T0 + 10 + 600_000) });
    assert_eq!(d.timer(0, T0 + 400_000), Err(Refusal::StaleTimer), "the sign-up timer after an early advance does nothing");
    advance_to(&mut d, Phase::Judging, T0 + 20);
    d.cancel(&teacher(), T0 + 30).unwrap();
    assert_eq!(d.advance(&teacher(), T0 + 40), Err(Refusal::Over));
    assert_eq!(d.timer(d.phase_index(), T0 + 40), Err(Refusal::Over));
    assert_eq!(d.deadline(), None);
}

#[test]
fn the_speeches_start_only_with_full_balanced_sides() {
    let mut d = seated(Format::Quick { per_side: 2 }, &["p0", "p1"], &["o0"]);
    assert_eq!(d.advance(&teacher(), T0 + 5), Err(Refusal::SeatsMissing { side: Side::Opposition, need: 2, have: 1 }));
    // The timer meets the same rule: sign-up stays open for the instructor to fix.
    assert_eq!(d.timer(0, T0 + 300_000), Err(Refusal::SeatsMissing { side: Side::Opposition, need: 2, have: 1 }));
    assert_eq!(d.phase(), Phase::SignUp);
    let mut d = seated(Format::Oxford { per_side: 4 }, &["p0", "p1", "p2", "p3"], &["o0"]);
    assert_eq!(d.advance(&teacher(), T0 + 5), Err(Refusal::Unbalanced { proposition: 4, opposition: 1 }));
    assert_eq!(d.balance(&student("p0"), T0 + 6), Err(Refusal::NotInstructor));
    let moved = d.balance(&teacher(), T0 + 6).unwrap();
    assert_eq!(moved.iter().map(|s| (s.user.as_str(), s.team)).collect::<Vec<_>>(), [("p3", Side::Opposition)]);
    assert_eq!((d.team(Side::Proposition).len(), d.team(Side::Opposition).len()), (3, 2));
    assert!(d.balance(&teacher(), T0 + 7).unwrap().is_empty(), "balanced sides stay as they are");
    assert_eq!(d.advance(&teacher(), T0 + 8).unwrap().phase, Phase::PreVote);
    let mut empty = new(Format::Oxford { per_side: 2 });
    assert_eq!(empty.advance(&teacher(), T0), Err(Refusal::SeatsMissing { side: Side::Proposition, need: 1, have: 0 }));
}

// ─────────────────────────── seats ───────────────────────────

#[test]
fn sign_up_seats_members_and_refuses_what_it_must() {
    let mut d = new(Format::Quick { per_side: 1 });
    let joined = d.join(&u("ann"), Join::Side(Side::Proposition), T0 + 1).unwrap();
    assert_eq!(joined, Joined { place: Place::Speaker(Seat { user: u("ann"), team: Side::Proposition, position: 0, joined_at: T0 + 1 }), changed: true });
    assert!(!d.join(&u("ann"), Join::Side(Side::Proposition), T0 + 2).unwrap().changed, "a second click changes nothing");
    assert!(!d.join(&u("ann"), Join::Either, T0 + 2).unwrap().changed);
    let bob = d.join(&u("bob"), Join::Either, T0 + 3).unwrap();
    assert!(matches!(bob.place, Place::Speaker(Seat { team: Side::Opposition, .. })), "the bot balances: the emptier side");
    assert_eq!(d.join(&u("cat"), Join::Either, T0 + 4), Err(Refusal::SideFull { side: Side::Proposition }));
    assert_eq!(d.join(&u("cat"), Join::Side(Side::Opposition), T0 + 4), Err(Refusal::SideFull { side: Side::Opposition }));
    assert_eq!(d.join(&u("cat"), Join::Audience, T0 + 4).unwrap().place, Place::Audience(u("cat")));
    // A speaker may step down to the audience during sign-up, and another take the seat.
    d.join(&u("bob"), Join::Audience, T0 + 5).unwrap();
    assert_eq!(d.audience(), [u("cat"), u("bob")]);
    d.join(&u("cat"), Join::Side(Side::Opposition), T0 + 6).unwrap();
    assert_eq!(d.audience(), [u("bob")]);
    // Late for sign-up: the deadline has passed, even if the timer has not fired yet.
    assert!(d.join(&u("dan"), Join::Audience, T0 + 300_000).unwrap().changed, "the audience joins at any time before judging");
    assert_eq!(d.join(&u("bob"), Join::Side(Side::Proposition), T0 + 300_000), Err(Refusal::Late { phase: Phase::SignUp, deadline: T0 + 300_000 }));
    assert_eq!(d.join(&u("cat"), Join::Audience, T0 + 300_000), Err(Refusal::Late { phase: Phase::SignUp, deadline: T0 + 300_000 }));
    d.advance(&teacher(), T0 + 300_001).unwrap();
    assert_eq!(
        d.join(&u("eve"), Join::Side(Side::Proposition), T0 + 300_002),
        Err(Refusal::WrongPhase { phase: Phase::Opening, what: "sides are chosen during sign-up" })
    );
    assert_eq!(
        d.join(&u("ann"), Join::Audience, T0 + 300_002),
        Err(Refusal::WrongPhase { phase: Phase::Opening, what: "speakers keep their seats once sign-up is over" })
    );
    assert!(d.join(&u("eve"), Join::Audience, T0 + 300_002).unwrap().changed, "the audience may still grow");
    advance_to(&mut d, Phase::Judging, T0 + 300_003);
    assert_eq!(d.join(&u("fay"), Join::Audience, T0 + 300_004), Err(Refusal::WrongPhase { phase: Phase::Judging, what: "the audience joins before judging" }));
}

#[test]
fn moving_sides_keeps_the_order_of_each_team() {
    let mut d = seated(Format::Oxford { per_side: 3 }, &["p0", "p1"], &["o0"]);
    let moved = d.join(&u("p0"), Join::Side(Side::Opposition), T0 + 10).unwrap();
    assert_eq!(moved.place, Place::Speaker(Seat { user: u("p0"), team: Side::Opposition, position: 1, joined_at: T0 + 10 }));
    assert_eq!(d.team(Side::Proposition).iter().map(|s| s.user.as_str()).collect::<Vec<_>>(), ["p1"]);
    assert_eq!(d.team(Side::Opposition).iter().map(|s| s.user.as_str()).collect::<Vec<_>>(), ["o0", "p0"]);
}

#[test]
fn the_instructor_assigns_seats_before_the_speeches() {
    let mut d = seated(Format::Quick { per_side: 1 }, &["ann"], &[]);
    assert_eq!(d.assign(&student("ann"), &u("bob"), Join::Side(Side::Opposition), T0 + 2), Err(Refusal::NotInstructor));
    assert!(d.assign(&teacher(), &u("bob"), Join::Side(Side::Opposition), T0 + 2).unwrap().changed);
    assert!(!d.assign(&teacher(), &u("bob"), Join::Side(Side::Opposition), T0 + 3).unwrap().changed);
    assert_eq!(d.assign(&teacher(), &u("cat"), Join::Side(Side::Opposition), T0 + 3), Err(Refusal::SideFull { side: Side::Opposition }));
    // Past the sign-up deadline the instructor may still seat someone.
    assert!(d.assign(&teacher(), &u("ann"), Join::Audience, T0 + 400_000).unwrap().changed);
    assert!(d.assign(&teacher(), &u("cat"), Join::Either, T0 + 400_000).unwrap().changed);
    assert_eq!(d.seat_of(&u("cat")).map(|s| s.team), Some(Side::Proposition));
    d.advance(&teacher(), T0 + 400_001).unwrap();
    assert_eq!(
        d.assign(&teacher(), &u("ann"), Join::Side(Side::Proposition), T0 + 400_002),
        Err(Refusal::WrongPhase { phase: Phase::Opening, what: "seats are assigned before the speeches" })
    );
    assert_eq!(d.balance(&teacher(), T0 + 400_002), Err(Refusal::WrongPhase { phase: Phase::Opening, what: "seats are assigned before the speeches" }));
}

// ─────────────────────────── speeches ───────────────────────────

#[test]
fn a_speech_counts_only_in_its_own_slot_of_the_open_phase_before_the_deadline() {
    let mut d = seated(Format::Quick { per_side: 1 }, &["ann"], &["bob"]);
    d.join(&u("cat"), Join::Audience, T0 + 2).unwrap();
    d.advance(&teacher(), T0 + MIN).unwrap();
    let opening = d.phase_index();
    let deadline = d.deadline().unwrap();
    assert_eq!(d.submit(&u("ann"), &draft(0, "c", &[]), in_bank, T0 + MIN), Err(Refusal::PhaseClosed { phase: Phase::SignUp }));
    assert_eq!(d.submit(&u("ann"), &draft(opening + 1, "c", &[]), in_bank, T0 + MIN), Err(Refusal::NotYetOpen { phase: Phase::Rebuttal }));
    assert_eq!(d.submit(&u("ann"), &draft(99, "c", &[]), in_bank, T0 + MIN), Err(Refusal::NoSuchPhase));
    assert_eq!(d.submit(&u("cat"), &draft(opening, "c", &[]), in_bank, T0 + MIN), Err(Refusal::NotYourSlot { phase: Phase::Opening }));
    assert_eq!(d.submit(&u("teacher"), &draft(opening, "c", &[]), in_bank, T0 + MIN), Err(Refusal::NotYourSlot { phase: Phase::Opening }));
    assert_eq!(d.submit(&u("ann"), &draft(opening, "   ", &[]), in_bank, T0 + MIN), Err(Refusal::EmptyClaim));
    assert_eq!(d.submit(&u("ann"), &draft(opening, &"x".repeat(301), &[]), in_bank, T0 + MIN), Err(Refusal::TooLong { field: "claim", max: 300, got: 301 }));
    let long = SpeechDraft { reasoning: "y".repeat(4001), ..draft(opening, "c", &[]) };
    assert_eq!(d.submit(&u("ann"), &long, in_bank, T0 + MIN), Err(Refusal::TooLong { field: "reasoning", max: 4000, got: 4001 }));
    let many: Vec<String> = (1..=11).map(|i| format!("p{i}-x")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    assert_eq!(d.submit(&u("ann"), &draft(opening, "c", &many), in_bank, T0 + MIN), Err(Refusal::TooManyCitations { max: 10 }));
    assert!(d.speeches().is_empty(), "refusals change nothing");

    let speech = d.submit(&u("ann"), &draft(opening, "  It is an alliance. ", &["p1-a", " nonsense-id ", "p1-a", ""]), in_bank, T0 + 2 * MIN).unwrap().clone();
    assert_eq!(speech.claim, "It is an alliance.");
    assert_eq!(
        (speech.key.clone(), speech.argues, speech.author.clone(), speech.submitted_at),
        (SlotKey::Speaker(u("ann")), Some(Side::Proposition), u("ann"), T0 + 2 * MIN)
    );
    assert_eq!(
        speech.citations,
        [Cited { passage_id: "p1-a".into(), in_bank: true }, Cited { passage_id: "nonsense-id".into(), in_bank: false }],
        "a citation the bank lacks is kept and flagged; repeats count once"
    );
    assert_eq!(d.submit(&u("ann"), &draft(opening, "again", &[]), in_bank, T0 + 2 * MIN), Err(Refusal::AlreadySubmitted));
    // Bob is late: the deadline passed, though the timer has not moved the debate on yet.
    assert_eq!(d.submit(&u("bob"), &draft(opening, "late", &[]), in_bank, deadline), Err(Refusal::Late { phase: Phase::Opening, deadline }));
    assert_eq!(d.speeches().len(), 1);
    d.timer(opening, deadline).unwrap();
    assert_eq!(d.submit(&u("bob"), &draft(opening, "later", &[]), in_bank, deadline + 1), Err(Refusal::PhaseClosed { phase: Phase::Opening }));
    d.cancel(&teacher(), deadline + 2).unwrap();
    assert_eq!(d.submit(&u("bob"), &draft(opening + 1, "c", &[]), in_bank, deadline + 3), Err(Refusal::Over));
}

#[test]
fn speeches_follow_the_speaking_order() {
    let mut d = seated(Format::Quick { per_side: 2 }, &["p0", "p1"], &["o0", "o1"]);
    advance_to(&mut d, Phase::Opening, T0 + 1);
    let opening = d.phase_index();
    // P1, O1, P2, O2: the second opposition speaker waits for the first, who waits for P1.
    assert_eq!(d.submit(&u("o1"), &draft(opening, "c", &[]), in_bank, T0 + 2), Err(Refusal::NotYourTurn { phase: Phase::Opening, next: u("p0") }));
    assert_eq!(d.submit(&u("o0"), &draft(opening, "c", &[]), in_bank, T0 + 2), Err(Refusal::NotYourTurn { phase: Phase::Opening, next: u("p0") }));
    d.submit(&u("p0"), &draft(opening, "c", &[]), in_bank, T0 + 3).unwrap();
    assert_eq!(d.submit(&u("o1"), &draft(opening, "c", &[]), in_bank, T0 + 4), Err(Refusal::NotYourTurn { phase: Phase::Opening, next: u("o0") }));
    assert_eq!(Refusal::NotYourTurn { phase: Phase::Opening, next: u("o0") }.to_string(), "It is not your turn yet in Opening speeches: o0 speaks before you.");
    for who in ["o0", "p1", "o1"] {
        d.submit(&u(who), &draft(opening, "c", &[]), in_bank, T0 + 5).unwrap();
    }
    assert_eq!(d.speeches().len(), 4);
}

#[test]
fn the_closing_is_for_each_teams_first_speaker() {
    let mut d = seated(Format::Quick { per_side: 2 }, &["p0", "p1"], &["o0", "o1"]);
    advance_to(&mut d, Phase::Closing, T0 + 1);
    let closing = d.phase_index();
    assert_eq!(speaker_names(&d.slots(closing)), ["o0", "p0"]);
    assert_eq!(d.submit(&u("p1"), &draft(closing, "c", &[]), in_bank, T0 + 2), Err(Refusal::NotYourSlot { phase: Phase::Closing }));
    assert_eq!(d.submit(&u("p0"), &draft(closing, "c", &[]), in_bank, T0 + 2), Err(Refusal::NotYourTurn { phase: Phase::Closing, next: u("o0") }));
    assert!(d.submit(&u("o0"), &draft(closing, "c", &[]), in_bank, T0 + 2).is_ok());
    assert!(d.submit(&u("p0"), &draft(closing, "c", &[]), in_bank, T0 + 2).is_ok(), "the proposition has the last word");
    assert_eq!(d.submit(&u("p0"), &draft(2, "c", &[]), in_bank, T0 + 2), Err(Refusal::PhaseClosed { phase: Phase::Rebuttal }));
}

// ─────────────────────────── flags ───────────────────────────

#[test]
fn only_an_opponent_flags_a_card_the_speech_cites() {
    let mut d = seated(Format::Quick { per_side: 2 }, &["p0", "p1"], &["o0", "o1"]);
    d.join(&u("aud"), Join::Audience, T0 + 2).unwrap();
    d.advance(&teacher(), T0 + 3).unwrap();
    d.submit(&u("p0"), &draft(1, "claim", &["p1-a", "p3-b"]), in_bank, T0 + 4).unwrap();
    let speech = SpeechRef { phase_index: 1, key: SlotKey::Speaker(u("p0")) };
    assert_eq!(d.flag(&u("o0"), &SpeechRef { phase_index: 1, key: SlotKey::Speaker(u("o0")) }, "p1-a", "", T0 + 5), Err(Refusal::NoSuchSpeech));
    assert_eq!(d.flag(&u("p1"), &speech, "p1-a", "", T0 + 5), Err(Refusal::NotAnOpponent), "a teammate is no opponent");
    assert_eq!(d.flag(&u("aud"), &speech, "p1-a", "", T0 + 5), Err(Refusal::NotAnOpponent), "nor is the audience");
    assert_eq!(d.flag(&u("o0"), &speech, "p4-d", "", T0 + 5), Err(Refusal::NotCited { passage: "p4-d".into() }));
    assert_eq!(d.flag(&u("o0"), &speech, "p1-a", &"r".repeat(301), T0 + 5), Err(Refusal::TooLong { field: "reason", max: 300, got: 301 }));
    let flag = d.flag(&u("o0"), &speech, "p1-a", " The passage says the opposite. ", T0 + 5).unwrap().clone();
    assert_eq!(
        flag,
        Flag { speech: speech.clone(), passage_id: "p1-a".into(), by: u("o0"), reason: "The passage says the opposite.".into(), flagged_at: T0 + 5 }
    );
    assert_eq!(d.flag(&u("o0"), &speech, "p1-a", "again", T0 + 6), Err(Refusal::AlreadyFlagged));
    assert!(d.flag(&u("o1"), &speech, "p1-a", "", T0 + 6).is_ok(), "each opponent may flag once");
    assert_eq!(d.flags().len(), 2);
}

// ─────────────────────────── votes ───────────────────────────

#[test]
fn the_audience_votes_in_the_oxford_polls_only() {
    let mut quick = seated(Format::Quick { per_side: 1 }, &["ann"], &["bob"]);
    quick.join(&u("aud"), Join::Audience, T0).unwrap();
    assert_eq!(quick.vote(&u("aud"), Stance::Proposition, T0 + 1), Err(Refusal::NoAudienceVote));

    let mut d = seated(Format::Oxford { per_side: 1 }, &["ann"], &["bob"]);
    d.join(&u("a1"), Join::Audience, T0 + 1).unwrap();
    assert_eq!(
        d.vote(&u("a1"), Stance::Proposition, T0 + 2),
        Err(Refusal::WrongPhase { phase: Phase::SignUp, what: "the audience votes before and after the speeches" })
    );
    d.advance(&teacher(), T0 + 10).unwrap();
    assert_eq!(d.phase(), Phase::PreVote);
    assert_eq!(d.vote(&u("ann"), Stance::Proposition, T0 + 11), Err(Refusal::SpeakersDoNotVote));
    assert_eq!(d.vote(&u("zed"), Stance::Proposition, T0 + 11), Err(Refusal::NotInAudience));
    d.vote(&u("a1"), Stance::Proposition, T0 + 11).unwrap();
    let changed = d.vote(&u("a1"), Stance::Undecided, T0 + 12).unwrap().clone();
    assert_eq!(changed, Vote { poll: Poll::Before, user: u("a1"), stance: Stance::Undecided, voted_at: T0 + 12 });
    assert_eq!(d.votes_cast(Poll::Before), 1, "a second vote replaces the first");
    let deadline = d.deadline().unwrap();
    d.join(&u("a2"), Join::Audience, deadline - 1).unwrap();
    assert_eq!(d.vote(&u("a2"), Stance::Opposition, deadline), Err(Refusal::Late { phase: Phase::PreVote, deadline }));
    d.advance(&teacher(), deadline).unwrap();
    assert_eq!(
        d.vote(&u("a1"), Stance::Opposition, deadline + 1),
        Err(Refusal::WrongPhase { phase: Phase::Opening, what: "the audience votes before and after the speeches" })
    );
    advance_to(&mut d, Phase::PostVote, deadline + 2);
    d.vote(&u("a2"), Stance::Opposition, deadline + 3).unwrap();
    assert_eq!((d.votes_cast(Poll::Before), d.votes_cast(Poll::After)), (1, 1));
}

#[test]
fn the_swing_is_compared_exactly_on_shares() {
    let t = |proposition, opposition, undecided| PollTally { proposition, opposition, undecided };
    let swing = Swing { before: t(1, 2, 1), after: t(3, 1, 0) };
    assert_eq!(swing.leader(), Some(Side::Proposition));
    assert!((swing.gain(Side::Proposition) - 50.0).abs() < 1e-9 && (swing.gain(Side::Opposition) + 25.0).abs() < 1e-9);
    // Different turnouts: shares, not counts. The opposition gains 3 votes but loses share.
    let swing = Swing { before: t(1, 1, 2), after: t(4, 4, 0) };
    assert_eq!(swing.leader(), None, "both sides gain 25 points");
    let swing = Swing { before: t(1, 3, 0), after: t(3, 5, 0) };
    assert_eq!(swing.leader(), Some(Side::Proposition), "25% → 37.5% beats 75% → 62.5%");
    assert_eq!(Swing { before: t(1, 2, 0), after: t(2, 4, 0) }.leader(), None, "the same shares: a tie");
    assert_eq!(Swing { before: t(0, 0, 0), after: t(2, 0, 0) }.leader(), None, "no first poll: no swing");
    assert_eq!(Swing { before: t(0, 1, 0), after: t(1, 0, 0) }.leader(), Some(Side::Proposition));
    assert_eq!(t(0, 0, 0).share(Side::Proposition), 0.0);
}

// ─────────────────────────── ballots ───────────────────────────

#[test]
fn a_ballot_scores_every_speaker_on_every_criterion() {
    let mut d = seated(Format::Quick { per_side: 1 }, &["ann"], &["bob"]);
    d.join(&u("cat"), Join::Audience, T0).unwrap();
    assert_eq!(
        d.ballot(&teacher(), &ballot(&d, 3, Some(Side::Proposition)), T0 + 1),
        Err(Refusal::WrongPhase { phase: Phase::SignUp, what: "ballots open once the speeches start" })
    );
    d.advance(&teacher(), T0 + 2).unwrap();
    let good = ballot(&d, 3, Some(Side::Proposition));
    assert_eq!(d.ballot(&student("ann"), &good, T0 + 3), Err(Refusal::SpeakerCannotJudge));
    let with = |f: &dyn Fn(&mut BallotDraft)| {
        let mut b = good.clone();
        f(&mut b);
        b
    };
    let stranger = with(&|b: &mut BallotDraft| b.scores.push(SpeakerScores { speaker: u("cat"), scores: vec![3; 4] }));
    assert_eq!(d.ballot(&teacher(), &stranger, T0 + 3), Err(Refusal::NotASpeaker(u("cat"))));
    let twice = with(&|b: &mut BallotDraft| b.scores.push(b.scores[0].clone()));
    assert_eq!(d.ballot(&teacher(), &twice, T0 + 3), Err(Refusal::ScoredTwice(u("ann"))));
    let short = with(&|b: &mut BallotDraft| b.scores[0].scores.truncate(2));
    assert_eq!(d.ballot(&teacher(), &short, T0 + 3), Err(Refusal::ScoreCount { speaker: u("ann"), expected: 4, got: 2 }));
    let zero = with(&|b: &mut BallotDraft| b.scores[1].scores[3] = 0);
    assert_eq!(d.ballot(&teacher(), &zero, T0 + 3), Err(Refusal::ScoreOutOfRange { score: 0, max: 5 }));
    let six = with(&|b: &mut BallotDraft| b.scores[1].scores[0] = 6);
    assert_eq!(d.ballot(&teacher(), &six, T0 + 3), Err(Refusal::ScoreOutOfRange { score: 6, max: 5 }));
    let missing = with(&|b: &mut BallotDraft| b.scores.retain(|s| s.speaker != u("bob")));
    assert_eq!(d.ballot(&teacher(), &missing, T0 + 3), Err(Refusal::BallotIncomplete { speaker: u("bob") }));
    let no_winner = with(&|b: &mut BallotDraft| b.winner = None);
    assert_eq!(d.ballot(&teacher(), &no_winner, T0 + 3), Err(Refusal::WinnerRequired));
    let long = with(&|b: &mut BallotDraft| b.feedback = "f".repeat(4001));
    assert_eq!(d.ballot(&teacher(), &long, T0 + 3), Err(Refusal::TooLong { field: "feedback", max: 4000, got: 4001 }));
    assert!(d.official_ballot().is_none(), "refusals change nothing");

    // Scores given in any order are kept in speaking order; a new official ballot replaces the old.
    let reversed = with(&|b: &mut BallotDraft| b.scores.reverse());
    assert_eq!(d.ballot(&teacher(), &reversed, T0 + 4).unwrap().scores[0].speaker, u("ann"));
    let other = Actor { user: u("co-teacher"), instructor: true };
    d.ballot(&other, &with(&|b: &mut BallotDraft| b.winner = Some(Side::Opposition)), T0 + 5).unwrap();
    let official: Vec<&Ballot> = d.record().ballots.iter().filter(|b| b.official).collect();
    assert_eq!(official.len(), 1);
    assert_eq!((official[0].judge.as_str(), official[0].winner), ("co-teacher", Some(Side::Opposition)));
    // A shadow ballot from the audience, replaced by a second one; hidden until release.
    d.ballot(&student("cat"), &good, T0 + 6).unwrap();
    let shadow = d.ballot(&student("cat"), &with(&|b: &mut BallotDraft| b.winner = Some(Side::Opposition)), T0 + 7).unwrap().clone();
    assert!(!shadow.official);
    d.ballot(&student("dan"), &good, T0 + 7).unwrap();
    assert_eq!(d.ballots(&student("cat")), Err(Refusal::NotReleased));
    assert_eq!(d.ballots(&student("ann")), Err(Refusal::NotReleased));
    assert_eq!(d.ballots(&teacher()).unwrap().len(), 3);
    advance_to(&mut d, Phase::Judging, T0 + 8);
    d.release(&teacher(), T0 + 9).unwrap();
    let seen: Vec<(String, bool)> = d.ballots(&student("cat")).unwrap().iter().map(|b| (b.judge.to_string(), b.official)).collect();
    assert_eq!(seen, [("co-teacher".to_string(), true), ("cat".to_string(), false)]);
    assert_eq!(d.ballots(&student("ann")).unwrap().len(), 1, "a speaker sees the instructor's ballot only");
    let result = d.result(position, &DebatePoints::default()).unwrap();
    assert_eq!(result.shadow, ShadowSummary { ballots: 2, for_proposition: 1, for_opposition: 1, agreed: 1 });
    assert_eq!(result.decision, Decision::Won { side: Side::Opposition, by: DecidedBy::Judge }, "shadow ballots do not count");
}

#[test]
fn a_controversy_has_no_winner_to_pick() {
    let mut d = seated(Format::Controversy, &["p0", "p1"], &["o0", "o1"]);
    d.advance(&teacher(), T0 + 1).unwrap();
    assert_eq!(d.ballot(&teacher(), &ballot(&d, 4, Some(Side::Proposition)), T0 + 2), Err(Refusal::NoWinnerHere));
    assert!(d.ballot(&teacher(), &ballot(&d, 4, None), T0 + 2).is_ok());
}

// ─────────────────────────── release ───────────────────────────

#[test]
fn the_release_comes_after_the_speeches_with_the_instructors_ballot() {
    let mut d = seated(Format::Quick { per_side: 1 }, &["ann"], &["bob"]);
    d.advance(&teacher(), T0 + 1).unwrap();
    d.ballot(&teacher(), &ballot(&d, 4, Some(Side::Opposition)), T0 + 2).unwrap();
    assert_eq!(d.release(&teacher(), T0 + 3), Err(Refusal::WrongPhase { phase: Phase::Opening, what: "the result is released once the speeches are over" }));
    assert_eq!(d.result(position, &DebatePoints::default()), Err(Refusal::NotReleased));
    assert_eq!(d.preview(&student("ann"), position, &DebatePoints::default()), Err(Refusal::NotInstructor));
    assert_eq!(d.preview(&teacher(), position, &DebatePoints::default()).unwrap().decision, Decision::Won { side: Side::Opposition, by: DecidedBy::Judge });
    advance_to(&mut d, Phase::Judging, T0 + 4);
    assert_eq!(d.release(&student("ann"), T0 + 5), Err(Refusal::NotInstructor));
    d.release(&teacher(), T0 + 5).unwrap();
    assert_eq!((d.status(), d.record().ended_at), (Status::Released, Some(T0 + 5)));
    assert_eq!(d.release(&teacher(), T0 + 6), Err(Refusal::Over));
    assert_eq!(d.ballot(&teacher(), &ballot(&d, 5, Some(Side::Proposition)), T0 + 6), Err(Refusal::Over), "the result is final");

    let mut cancelled = seated(Format::Quick { per_side: 1 }, &["ann"], &["bob"]);
    advance_to(&mut cancelled, Phase::Judging, T0 + 1);
    assert_eq!(cancelled.release(&teacher(), T0 + 2), Err(Refusal::NoOfficialBallot));
    assert_eq!(cancelled.cancel(&student("ann"), T0 + 2), Err(Refusal::NotInstructor));
    cancelled.cancel(&teacher(), T0 + 2).unwrap();
    assert_eq!(cancelled.status(), Status::Cancelled);
    assert_eq!(cancelled.result(position, &DebatePoints::default()), Err(Refusal::Over));
    assert_eq!(cancelled.ballots(&student("ann")), Err(Refusal::Over));
    assert_eq!(cancelled.cancel(&teacher(), T0 + 3), Err(Refusal::Over));
}

/// A whole Oxford debate: six speakers, four in the audience, the polls, the speeches,
/// the ballot, and a result decided by the swing even against the judge's own pick.
#[test]
fn an_oxford_debate_is_won_by_the_swing() {
    let mut d = seated(Format::Oxford { per_side: 3 }, &["p0", "p1", "p2"], &["o0", "o1", "o2"]);
    for a in ["a0", "a1", "a2", "a3"] {
        d.join(&u(a), Join::Audience, T0 + 2).unwrap();
    }
    d.advance(&teacher(), T0 + MIN).unwrap();
    for (a, stance) in [("a0", Stance::Proposition), ("a1", Stance::Opposition), ("a2", Stance::Opposition), ("a3", Stance::Undecided)] {
        d.vote(&u(a), stance, T0 + MIN + 1).unwrap();
    }
    let mut now = T0 + 2 * MIN;
    d.advance(&teacher(), now).unwrap();
    for phase in [Phase::Opening, Phase::Rebuttal, Phase::Closing] {
        assert_eq!(d.phase(), phase);
        for slot in d.slots(d.phase_index()) {
            let SlotKey::Speaker(user) = &slot.key else { panic!("no joint slot in an Oxford debate") };
            let cite = if slot.argues == Some(Side::Proposition) { "p3-b" } else { "p2-c" };
            d.submit(user, &draft(d.phase_index(), "claim", &[cite]), in_bank, now + 1).unwrap();
        }
        now += MIN;
        d.advance(&teacher(), now).unwrap();
    }
    assert_eq!(d.speeches().len(), 6 + 6 + 2);
    assert_eq!(d.phase(), Phase::PostVote);
    for a in ["a0", "a1", "a2", "a3"] {
        d.vote(&u(a), if a == "a1" { Stance::Opposition } else { Stance::Proposition }, now + 1).unwrap();
    }
    d.advance(&teacher(), now + 2).unwrap();
    let mut b = ballot(&d, 3, Some(Side::Opposition));
    b.scores[0].scores = vec![5, 5, 4, 4]; // p0: 18
    d.ballot(&teacher(), &b, now + 3).unwrap();
    d.release(&teacher(), now + 4).unwrap();
    let r = d.result(position, &DebatePoints::default()).unwrap();
    let swing = r.swing.unwrap();
    assert_eq!(
        (swing.before, swing.after),
        (PollTally { proposition: 1, opposition: 2, undecided: 1 }, PollTally { proposition: 3, opposition: 1, undecided: 0 })
    );
    assert!((swing.gain(Side::Proposition) - 50.0).abs() < 1e-9 && (swing.gain(Side::Opposition) + 25.0).abs() < 1e-9);
    assert_eq!(r.decision, Decision::Won { side: Side::Proposition, by: DecidedBy::Audience });
    assert_eq!(
        r.speakers.iter().map(|s| (s.speaker.as_str(), s.total, s.points)).collect::<Vec<_>>(),
        [("p0", 18, 28), ("o0", 12, 12), ("p1", 12, 22), ("o1", 12, 12), ("p2", 12, 22), ("o2", 12, 12)]
    );
    assert_eq!((r.proposition_total, r.opposition_total), (42, 36));
    let audience_points: Vec<(&str, i64)> = r.awards.iter().filter(|(u, _)| u.as_str().starts_with('a')).map(|(u, p)| (u.as_str(), *p)).collect();
    assert_eq!(audience_points, [("a0", 2), ("a1", 2), ("a2", 2), ("a3", 2)], "one point per poll voted in");
    assert_eq!(r.evidence.proposition, ["p3-b"]);
    assert_eq!(r.evidence.opposition, ["p2-c"]);
    assert_eq!(r.evidence.unused, [(Side::Proposition, "p1-a".to_string()), (Side::Opposition, "p4-d".to_string())]);
}

#[test]
fn an_oxford_tie_falls_to_the_judge_then_the_totals_or_is_a_draw() {
    let run = |winner: Option<Side>, opposition_scores: u8| {
        let mut d = seated(Format::Oxford { per_side: 1 }, &["p0"], &["o0"]);
        d.join(&u("a0"), Join::Audience, T0).unwrap();
        d.advance(&teacher(), T0 + 1).unwrap();
        d.vote(&u("a0"), Stance::Undecided, T0 + 2).unwrap();
        advance_to(&mut d, Phase::PostVote, T0 + 3);
        d.vote(&u("a0"), Stance::Undecided, T0 + 4).unwrap();
        d.advance(&teacher(), T0 + 5).unwrap();
        let mut draft = ballot(&d, 2, winner);
        for s in draft.scores.iter_mut().filter(|s| s.speaker == u("o0")) {
            s.scores.fill(opposition_scores);
        }
        d.ballot(&teacher(), &draft, T0 + 6).unwrap();
        d.release(&teacher(), T0 + 7).unwrap();
        d.result(position, &DebatePoints::default()).unwrap()
    };
    assert_eq!(run(Some(Side::Opposition), 2).decision, Decision::Won { side: Side::Opposition, by: DecidedBy::Judge });
    assert_eq!(run(Some(Side::Proposition), 3).decision, Decision::Won { side: Side::Proposition, by: DecidedBy::Judge }, "the pick over the totals");
    let totals = run(None, 3);
    assert_eq!(totals.decision, Decision::Won { side: Side::Opposition, by: DecidedBy::Totals }, "no swing, no pick: the totals");
    assert_eq!((totals.proposition_total, totals.opposition_total), (8, 12));
    let draw = run(None, 2);
    assert_eq!(draw.decision, Decision::Draw);
    assert_eq!(draw.awards, [(u("a0"), 2), (u("o0"), 8), (u("p0"), 8)], "no win bonus in a draw");
}

/// A structured academic controversy: each pair argues its side, swaps, and the group
/// writes one joint statement; the cards each speaker holds follow the swap.
#[test]
fn a_controversy_swaps_sides_and_ends_in_a_joint_statement() {
    let mut d = seated(Format::Controversy, &["p0", "p1"], &["o0", "o1"]);
    d.join(&u("aud"), Join::Audience, T0).unwrap();
    assert_eq!(d.card_sides(&u("p0")), [Side::Proposition]);
    d.advance(&teacher(), T0 + 1).unwrap();
    assert_eq!(d.phase(), Phase::FirstSide);
    assert_eq!(d.card_sides(&u("o1")), [Side::Opposition]);
    assert!(d.card_sides(&u("aud")).is_empty());
    let first = d.submit(&u("p0"), &draft(1, "For", &["p1-a"]), in_bank, T0 + 2).unwrap().clone();
    assert_eq!(first.argues, Some(Side::Proposition));
    d.submit(&u("o0"), &draft(1, "Against", &["p2-c"]), in_bank, T0 + 2).unwrap();
    d.advance(&teacher(), T0 + 3).unwrap();
    assert_eq!(d.phase(), Phase::Swap);
    assert_eq!(d.card_sides(&u("p0")), [Side::Opposition], "after the swap each pair holds the other side's cards");
    assert_eq!(speaker_names(&d.slots(2)), ["o0", "o1", "p0", "p1"]);
    let swapped = d.submit(&u("p0"), &draft(2, "Now against", &["p4-d"]), in_bank, T0 + 4).unwrap().clone();
    assert_eq!(swapped.argues, Some(Side::Opposition));
    let swapped = d.submit(&u("o1"), &draft(2, "Now for", &["p3-b"]), in_bank, T0 + 4).unwrap().clone();
    assert_eq!(swapped.argues, Some(Side::Proposition));
    d.advance(&teacher(), T0 + 5).unwrap();
    assert_eq!(d.phase(), Phase::Joint);
    assert_eq!(d.card_sides(&u("o1")), Side::BOTH);
    assert_eq!(d.submit(&u("aud"), &draft(3, "We agree", &[]), in_bank, T0 + 6), Err(Refusal::NotYourSlot { phase: Phase::Joint }));
    let joint = d.submit(&u("o1"), &draft(3, "We agree that…", &["p3-b", "p2-c"]), in_bank, T0 + 6).unwrap().clone();
    assert_eq!((joint.key.clone(), joint.argues, joint.author.clone()), (SlotKey::Joint, None, u("o1")));
    assert_eq!(d.submit(&u("p0"), &draft(3, "Me too", &[]), in_bank, T0 + 7), Err(Refusal::AlreadySubmitted), "one statement for the group");
    assert_eq!(d.flag(&u("p0"), &joint.reference(), "p3-b", "", T0 + 7), Err(Refusal::NotAnOpponent), "a joint statement has no opponents");
    d.advance(&teacher(), T0 + 8).unwrap();
    d.ballot(&teacher(), &ballot(&d, 4, None), T0 + 9).unwrap();
    d.release(&teacher(), T0 + 10).unwrap();
    let r = d.result(position, &DebatePoints::default()).unwrap();
    assert_eq!(r.decision, Decision::Consensus);
    assert_eq!(r.swing, None);
    assert_eq!(r.evidence.proposition, ["p1-a", "p3-b"], "cited while arguing the proposition, in the paper's order");
    assert_eq!(r.evidence.opposition, ["p2-c", "p4-d"]);
    assert_eq!(r.evidence.joint, ["p2-c", "p3-b"]);
    assert!(r.evidence.unused.is_empty());
    assert!(r.awards.iter().all(|(_, p)| *p == 16), "16 marks each, no winner's bonus: {:?}", r.awards);
}

#[test]
fn the_evidence_map_follows_the_paper() {
    let mut d = seated(Format::Quick { per_side: 1 }, &["ann"], &["bob"]);
    d.advance(&teacher(), T0 + 1).unwrap();
    d.submit(&u("ann"), &draft(1, "For", &["p3-b", "p1-a", "made-up"]), in_bank, T0 + 2).unwrap();
    d.submit(&u("bob"), &draft(1, "Against", &["p5-e", "p2-c", "also-made-up", "made-up"]), in_bank, T0 + 2).unwrap();
    let map = d.evidence_map(position);
    assert_eq!(map.proposition, ["p1-a", "p3-b"]);
    assert_eq!(map.opposition, ["p2-c", "p5-e"], "a passage that is no card of the side still counts as used");
    assert_eq!(map.unused, [(Side::Opposition, "p4-d".to_string())]);
    assert_eq!(map.not_in_bank, ["also-made-up", "made-up"]);
}

// ─────────────────────────── records ───────────────────────────

#[test]
fn a_debate_rebuilt_from_its_record_goes_on_the_same() {
    let mut d = seated(Format::Oxford { per_side: 2 }, &["p0", "p1"], &["o0", "o1"]);
    d.join(&u("a0"), Join::Audience, T0).unwrap();
    d.advance(&teacher(), T0 + 1).unwrap();
    d.vote(&u("a0"), Stance::Opposition, T0 + 2).unwrap();
    d.advance(&teacher(), T0 + 3).unwrap();
    d.submit(&u("p0"), &draft(2, "claim", &["p1-a"]), in_bank, T0 + 4).unwrap();
    d.flag(&u("o0"), &SpeechRef { phase_index: 2, key: SlotKey::Speaker(u("p0")) }, "p1-a", "", T0 + 5).unwrap();
    let mut resumed = Debate::resume(d.record().clone()).unwrap();
    assert_eq!(resumed, d);
    let deadline = d.deadline().unwrap();
    assert_eq!(resumed.submit(&u("p0"), &draft(2, "again", &[]), in_bank, T0 + 6), Err(Refusal::AlreadySubmitted));
    assert_eq!(resumed.timer(2, deadline).unwrap(), d.timer(2, deadline).unwrap(), "the timer fires after a restart as it would have");

    let broken = |f: &dyn Fn(&mut DebateRecord)| {
        let mut r = d.record().clone();
        f(&mut r);
        Debate::resume(r).unwrap_err().to_string()
    };
    assert_eq!(broken(&|r: &mut DebateRecord| r.phase_index = 9), "debate record: phase index 9 beyond its 7 phases");
    assert_eq!(
        broken(&|r: &mut DebateRecord| {
            r.plan.remove(1);
        }),
        "debate record: the phase plan does not match the oxford format"
    );
    assert_eq!(broken(&|r: &mut DebateRecord| r.audience.push(u("p0"))), "debate record: p0 has two places");
    assert_eq!(broken(&|r: &mut DebateRecord| r.speeches[0].phase_index = 1), "debate record: a speech in phase 1, which takes none now");
    assert_eq!(
        broken(&|r: &mut DebateRecord| r.ballots.push(Ballot {
            judge: u("t"),
            official: true,
            scores: vec![SpeakerScores { speaker: u("p0"), scores: vec![1] }],
            winner: None,
            feedback: String::new(),
            submitted_at: 0
        })),
        "debate record: the ballot of t does not fit the rubric"
    );
    assert_eq!(broken(&|r: &mut DebateRecord| r.status = Status::Released), "debate record: released before judging or without the instructor's ballot");
    assert_eq!(
        broken(&|r: &mut DebateRecord| r.seats.push(Seat { user: u("p9"), team: Side::Proposition, position: 7, joined_at: 0 })),
        "debate record: the Proposition has more than 2 speakers"
    );
}
