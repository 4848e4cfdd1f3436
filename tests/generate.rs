//! Generated items: deterministic in (bank, seed), stable under unrelated edits, checked like
//! written ones; none gives its answer away, asks "which obstacle" of a passage the paper does
//! not present as one, asks a bound as the figure, or repeats a written item.

use std::path::Path;

use agora::bank::{self, Answer, Fact, Origin, craft, generate, similar::Profile, words};

fn bank() -> bank::Bank {
    bank::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("questions"), None).expect("the bundled bank loads")
}

/// The written items, which generated ones must not repeat.
fn written(b: &bank::Bank) -> Vec<bank::Question> {
    b.questions.iter().filter(|q| q.origin == Origin::Written).cloned().collect()
}

fn render(items: &[generate::Generated]) -> Vec<String> {
    items.iter().map(|g| format!("{:?}", g.question)).collect()
}

#[test]
fn same_bank_and_seed_give_the_same_items() {
    let b = bank();
    let once = generate::generate(&b.knowledge, &b.passages, &written(&b), 7);
    let again = generate::generate(&b.knowledge, &b.passages, &written(&b), 7);
    assert_eq!(render(&once), render(&again));
    let other = generate::generate(&b.knowledge, &b.passages, &written(&b), 8);
    assert_ne!(render(&once), render(&other), "the seed must matter");
}

#[test]
fn removing_one_event_leaves_items_from_other_entries_unchanged() {
    let b = bank();
    let before = generate::generate(&b.knowledge, &b.passages, &written(&b), 7);
    let removed = b.knowledge.iter().find(|e| matches!(e.fact, Fact::Event { .. })).expect("an event").id.clone();
    let fewer: Vec<_> = b.knowledge.iter().filter(|e| e.id != removed).cloned().collect();
    let after = generate::generate(&fewer, &b.passages, &written(&b), 7);
    let Fact::Event { what, .. } = &b.knowledge.iter().find(|e| e.id == removed).unwrap().fact else { unreachable!() };
    let untouched =
        |g: &&generate::Generated| g.from != removed && !g.question.id.starts_with("gen-timeline") && !format!("{:?}", g.question).contains(what.as_str());
    let kept: Vec<_> = before.iter().filter(untouched).map(|g| format!("{:?}", g.question)).collect();
    let now: Vec<String> = render(&after);
    // The craft rules (`bank::craft`) leave fewer items than before; enough remain to tell.
    assert!(kept.len() >= 5, "{}", kept.len());
    for item in &kept {
        assert!(now.contains(item), "changed by an unrelated edit: {item}");
    }
}

#[test]
fn every_generated_item_cites_passages_of_the_bank_and_says_according_to_the_paper() {
    let b = bank();
    let generated: Vec<_> = b.questions.iter().filter(|q| q.origin == Origin::Generated).collect();
    assert!(generated.len() >= 10, "{}", generated.len());
    for q in generated {
        assert!(!q.citations.is_empty() && q.citations.iter().all(|c| b.passage(c).is_some()), "{}", q.id);
        assert!(q.prompt.contains("the paper") && q.explanation.starts_with("According to the paper"), "{}", q.id);
    }
}

/// The passage a "which factor (obstacle) does this passage describe?" item shows.
fn shown(prompt: &str) -> &str {
    prompt.split_once("\n\n> ").map(|(_, q)| q.trim_start_matches("… ")).expect("the item shows a passage")
}

fn correct(q: &bank::Question) -> (&str, &[String]) {
    match &q.answer {
        Answer::Single { choices, correct } => (&choices[*correct], choices),
        other => panic!("{}: a single choice, not {other:?}", q.id),
    }
}

#[test]
fn no_which_factor_item_shows_a_passage_with_the_key_s_distinctive_words() {
    let b = bank();
    let which: Vec<_> = b.questions.iter().filter(|q| q.id.starts_with("gen-factor-") || q.id.starts_with("gen-obstacle-")).collect();
    assert!(!which.is_empty());
    for q in which {
        let (key, choices) = correct(q);
        let shared: Vec<String> = words::stems(shown(&q.prompt)).intersection(&generate::distinctive(key, choices)).cloned().collect();
        assert!(shared.is_empty(), "{} shows {:?} with the key «{key}»: {shared:?}", q.id, shown(&q.prompt));
        // Whatever is shown is the paper's text, from a sentence's start.
        let quote = &b.passage(&q.citations[0]).unwrap().quote;
        assert!(quote.ends_with(shown(&q.prompt)), "{}", q.id);
    }
}

#[test]
fn which_obstacle_is_asked_only_of_passages_that_present_an_obstacle() {
    let b = bank();
    for q in b.questions.iter().filter(|q| q.id.starts_with("gen-factor-") || q.id.starts_with("gen-obstacle-")) {
        let presented = b.knowledge.iter().any(|e| match &e.fact {
            Fact::Factor { presented_in, .. } | Fact::Obstacle { presented_in, .. } => e.topic == q.topics[0] && presented_in.contains(&q.citations[0]),
            _ => false,
        });
        assert!(presented, "{} asks of {}, which no entry's `presented_in` names", q.id, q.citations[0]);
    }
    // China's own framing of non-alignment, and the war's cost to China's supply chains, are
    // cited by obstacle entries but are not obstacles of the relationship.
    let mut entries = b.knowledge.clone();
    for e in &mut entries {
        if let Fact::Obstacle { presented_in, .. } = &mut e.fact {
            presented_in.clear();
        }
    }
    let items = generate::generate(&entries, &b.passages, &[], 7);
    assert!(!items.iter().any(|g| g.question.id.starts_with("gen-obstacle-")), "an obstacle asked of a passage nobody marked");
    let all = generate::generate(&b.knowledge, &b.passages, &[], 7);
    for unmarked in ["conclusion-p2-non-alignment", "s7-military-p4-commodities"] {
        assert!(
            !all.iter().any(|g| g.question.id.starts_with("gen-obstacle-") && g.question.citations.contains(&unmarked.to_string())),
            "{unmarked} asked as an obstacle"
        );
    }
}

#[test]
fn a_figure_the_paper_gives_as_a_bound_is_asked_as_one() {
    let b = bank();
    let items = generate::generate(&b.knowledge, &b.passages, &[], 7);
    let rise = items.iter().find(|g| g.from == "fig-trade-2023-growth").expect("the 2023 rise is asked");
    let q = &rise.question;
    let (key, choices) = correct(q);
    assert_eq!(key, "64 percent");
    // Distractors on both sides of the bound, so the extreme option is not always the key; the
    // prompt asks for the bound the paper gives, so a smaller figure is not also right.
    let values: Vec<f64> = choices.iter().filter(|c| *c != key).map(|c| c.trim_end_matches(" percent").parse().unwrap()).collect();
    assert!(values.iter().any(|v| *v < 64.0) && values.iter().any(|v| *v > 64.0), "distractors on one side only: {choices:?}");
    assert!(q.prompt.contains("The paper gives the rise in Sino-Russian trade turnover since 2021 as a bound"), "{}", q.prompt);
    assert!(q.explanation.contains("as a bound, not as the exact figure"), "{}", q.explanation);
    // Every figure with a bound is asked as one, or not at all.
    for g in &items {
        let Some(Fact::Figure { bound: Some(bound), .. }) = b.knowledge.iter().find(|e| e.id == g.from).map(|e| &e.fact) else { continue };
        if g.question.id.starts_with("gen-figure-") {
            assert!(
                g.question.prompt.contains(&format!("as a bound, not as an exact figure. According to the paper, it was {} what figure?", bound.words())),
                "{}",
                g.question.prompt
            );
        }
    }
}

#[test]
fn no_generated_item_asks_what_a_written_one_asks() {
    let b = bank();
    let anchor = |c: &str| b.passage(c).map(|p| p.anchor.clone());
    let written: Vec<Profile> = b.questions.iter().filter(|q| q.origin == Origin::Written).map(|q| Profile::of(q, anchor)).collect();
    for q in b.questions.iter().filter(|q| q.origin == Origin::Generated) {
        let p = Profile::of(q, anchor);
        assert!(written.iter().all(|w| w.same(&p).is_none()), "{} repeats a written item", q.id);
    }
    // Without the written items, the generator asks the figures they ask: the filter is doing the work.
    let unfiltered = generate::generate(&b.knowledge, &b.passages, &[], bank::DEFAULT_SEED);
    assert!(unfiltered.iter().any(|g| g.from == "fig-trade-2024"), "the 2024 total is asked when no written item asks it");
    assert!(
        !b.questions
            .iter()
            .any(|q| q.origin == Origin::Generated && q.citations == ["s7-economic-p2-total".to_string()] && q.prompt.contains("value of bilateral trade")),
        "the written trade-2024-total already asks it"
    );
}

/// The craft rules (`bank::craft`), as the generator obeys them: nothing the checker would warn
/// about, no figure or date a written item already asks from the same paragraph, no pair of
/// events a student orders from general knowledge, no explanation that says more than the paper.
#[test]
fn generated_items_carry_no_cue_and_restate_no_written_fact() {
    let b = bank();
    let generated: Vec<&bank::Question> = b.questions.iter().filter(|q| q.origin == Origin::Generated).collect();
    assert!(!generated.is_empty());
    for q in &generated {
        assert_eq!(craft::one(q), vec![], "{} carries a cue", q.id);
    }
    assert!(b.warnings.iter().all(|w| !w.item.as_deref().is_some_and(|i| i.starts_with("gen-"))), "{:?}", b.warnings);
    // The review's pairs: the treaty's 20th anniversary and the 30% rise of 2022 are asked by
    // written items; the rise of more than 64% since 2021 by a true/false statement's prompt.
    let items = generate::generate(&b.knowledge, &b.passages, &written(&b), bank::DEFAULT_SEED);
    for entry in ["fig-treaty-anniversary", "fig-trade-2022-growth", "fig-trade-2023-growth"] {
        assert!(!items.iter().any(|g| g.from == entry), "{entry} is asked again by a generated item");
    }
    // A date in a "which came first?" label gives the order away.
    assert!(!generated.iter().any(|q| q.answer.labels().iter().any(|l| l.contains("2021-2025"))), "a label carries its date");
    // Xi taking office (2013) against the invasion (2022): general knowledge, not the paper.
    assert!(
        !generated.iter().any(|q| q.id.starts_with("gen-first-") && q.answer.labels().iter().any(|l| l.contains("Xi takes office"))),
        "a pair years apart is ordered from general knowledge"
    );
    // Section 8 does not list the missing treaty, nor the supply-chain costs, as obstacles.
    for name in ["No formal alliance or defence treaty", "Selective compliance with sanctions; supply-chain costs"] {
        assert!(
            !generated
                .iter()
                .any(|q| q.id.starts_with("gen-not-factor-") && matches!(&q.answer, Answer::Single { choices, correct } if choices[*correct] == name)),
            "{name} is called an obstacle the paper does not list"
        );
    }
    // Three distractors, never the odd one out ("75 years" for an oil contract).
    for q in generated.iter().filter(|q| q.id.starts_with("gen-figure-")) {
        assert_eq!(q.answer.labels().len(), 4, "{}", q.id);
    }
}

/// The generated items by the kind their id names (`gen-date-…` → `date`).
fn of_kind<'a>(b: &'a bank::Bank, kind: &str) -> Vec<&'a bank::Question> {
    let prefix = format!("gen-{kind}-");
    b.questions.iter().filter(|q| q.origin == Origin::Generated && q.id.starts_with(&prefix)).collect()
}

/// Coverage: facts of the knowledge entries that no written item asks, across the topic
/// groups (the craft rules had left 10 items, none on military, energy, the partnership's
/// stages, meetings and statements, or the UN votes).
#[test]
fn the_generator_adds_coverage_across_the_topics() {
    let b = bank();
    let generated: Vec<&bank::Question> = b.questions.iter().filter(|q| q.origin == Origin::Generated).collect();
    assert!(generated.len() >= 30, "{} generated items", generated.len());
    let topics: std::collections::BTreeSet<&str> = generated.iter().flat_map(|q| q.topics.iter().map(String::as_str)).collect();
    assert!(topics.len() >= 15, "{} topics: {topics:?}", topics.len());
    for topic in [
        "partnership-stages",
        "un-votes",
        "military-figures",
        "energy-figures",
        "trade-figures",
        "diplomacy-timeline",
        "historical-distrust",
        "complementary-economies",
    ] {
        assert!(topics.contains(topic), "no generated item on {topic}: {topics:?}");
    }
    for kind in ["date", "not-obstacle", "source"] {
        assert!(!of_kind(&b, kind).is_empty(), "no gen-{kind}- item");
    }
}

/// "When did this happen?": only of an event whose date no written item on its paragraphs
/// shows, with dates of the same precision on both sides of the key.
#[test]
fn a_date_is_asked_only_when_no_written_item_shows_it_and_never_as_the_extreme_option() {
    let b = bank();
    let items = generate::generate(&b.knowledge, &b.passages, &written(&b), bank::DEFAULT_SEED);
    let dates: Vec<&generate::Generated> = items.iter().filter(|g| g.question.id.starts_with("gen-date-")).collect();
    let date_of = |id: &str| {
        b.knowledge.iter().find_map(|e| match &e.fact {
            Fact::Event { date, .. } if e.id == id => Some(date.clone()),
            _ => None,
        })
    };
    // Each label is the date of an event of the same precision.
    let dated = |label: &str, len: usize| {
        b.knowledge.iter().find_map(|e| match &e.fact {
            Fact::Event { date, .. } if date.len() == len && generate::format_date(date) == label => Some(date.clone()),
            _ => None,
        })
    };
    for g in &dates {
        let q = &g.question;
        let at = date_of(&g.from).expect("a date item comes from an event");
        let (key, choices) = correct(q);
        assert_eq!(key, generate::format_date(&at), "{}", q.id);
        let others: Vec<String> =
            choices.iter().filter(|c| *c != key).map(|c| dated(c, at.len()).unwrap_or_else(|| panic!("{}: {c} is no event's date", q.id))).collect();
        assert!(others.iter().any(|d| *d < at) && others.iter().any(|d| *d > at), "{}: the key {key} is the extreme option of {choices:?}", q.id);
    }
    // 2010 (the Comprehensive Deepening Strategic Partnership) is dated by no written item;
    // 1996 is (`partnership-1996`), and so is the 2012 informal alliance.
    let asked = |entry: &str| dates.iter().any(|g| g.from == entry);
    assert!(asked("ev-comprehensive-deepening-2010"));
    assert!(!asked("ev-strategic-partnership-1996") && !asked("ev-informal-alliance-2012"));
}

/// "Which is NOT an obstacle?": a factor section 5 presents, among obstacles section 8 presents.
#[test]
fn not_an_obstacle_sets_a_factor_among_obstacles_section_8_names() {
    let b = bank();
    let items = of_kind(&b, "not-obstacle");
    assert!(items.len() >= 4, "{}", items.len());
    let name_of = |label: &str, factor: bool| {
        b.knowledge.iter().find(|e| match &e.fact {
            Fact::Factor { name, .. } => factor && name == label,
            Fact::Obstacle { name, .. } => !factor && name == label,
            _ => false,
        })
    };
    for q in items {
        let (key, choices) = correct(q);
        assert!(name_of(key, true).is_some(), "{}: the key {key} is a factor", q.id);
        for c in choices.iter().filter(|c| *c != key) {
            let o = name_of(c, false).unwrap_or_else(|| panic!("{}: {c} is an obstacle", q.id));
            let Fact::Obstacle { presented_in, .. } = &o.fact else { unreachable!() };
            assert!(presented_in.iter().any(|p| b.passage(p).is_some_and(|p| p.section == "s8")), "{}: {c} is not presented in section 8", q.id);
        }
        assert!(q.explanation.contains("section 5 presents it as a factor of convergence"), "{}", q.explanation);
    }
}

/// "Which source does this describe?": never two entries for one author among the choices,
/// never a role that names its source, never a source a written item on its paragraphs names.
#[test]
fn a_source_is_asked_among_other_authors_and_only_when_no_written_item_names_it() {
    let b = bank();
    let items = of_kind(&b, "source");
    assert!(items.len() >= 5, "{}", items.len());
    let surnames =
        |name: &str| -> std::collections::BTreeSet<String> { words::stems(name).into_iter().filter(|w| !w.chars().all(|c| c.is_ascii_digit())).collect() };
    for q in &items {
        let (key, choices) = correct(q);
        let role = shown(&q.prompt);
        assert!(words::stems(role).is_disjoint(&surnames(key)), "{}: the role names {key}", q.id);
        for (i, a) in choices.iter().enumerate() {
            for c in &choices[i + 1..] {
                assert!(surnames(a).is_disjoint(&surnames(c)), "{}: {a} and {c} name one author", q.id);
            }
        }
    }
    // Jervis is named by `fw-jervis`, Rumer (2024) of the literature review by `lit-rumer-2024-prototype`.
    for named in ["Robert Jervis", "Eugene Rumer (2024)"] {
        assert!(!items.iter().any(|q| correct(q).0 == named), "{named} is asked though a written item names it");
    }
}
