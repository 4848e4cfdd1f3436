//! Generated argument prompts and debate motions (`bank::argue`): deterministic, with stable
//! ids; cards on the side their entry supports, a passage both entries cite dealt to neither
//! and named on the info slide; nothing restating a written prompt or motion; checked by
//! `agora bank check`, counted by `stats`, marked in the export.

use std::path::{Path, PathBuf};

use agora::bank::{self, Fact, Origin, PromptKind, argue};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("questions")
}

fn bank() -> bank::Bank {
    bank::load(&dir(), None).expect("the bundled bank loads")
}

fn written(b: &bank::Bank) -> (Vec<bank::Question>, Vec<bank::Prompt>, Vec<bank::Motion>) {
    (
        b.questions.iter().filter(|q| q.origin == Origin::Written).cloned().collect(),
        b.prompts.iter().filter(|p| p.origin == Origin::Written).cloned().collect(),
        b.motions.iter().filter(|m| m.origin == Origin::Written).cloned().collect(),
    )
}

fn generate(b: &bank::Bank, knowledge: &[bank::Entry]) -> argue::Arguments {
    let (questions, prompts, motions) = written(b);
    argue::generate(knowledge, &b.passages, &argue::Written { questions: &questions, prompts: &prompts, motions: &motions })
}

fn render(a: &argue::Arguments) -> Vec<String> {
    a.prompts.iter().map(|g| format!("{:?}", g.prompt)).chain(a.motions.iter().map(|g| format!("{:?}", g.motion))).collect()
}

fn presented_in<'a>(b: &'a bank::Bank, id: &str) -> &'a [String] {
    match &b.knowledge.iter().find(|e| e.id == id).expect("the entry").fact {
        Fact::Factor { presented_in, .. } | Fact::Obstacle { presented_in, .. } => presented_in,
        _ => panic!("{id} is no factor or obstacle"),
    }
}

#[test]
fn the_same_bank_gives_the_same_arguments_with_the_same_ids() {
    let b = bank();
    let once = generate(&b, &b.knowledge);
    assert_eq!(render(&once), render(&generate(&b, &b.knowledge)));
    // What the loader put in the bank is what the generator makes.
    let loaded: Vec<String> = b.prompts.iter().filter(|p| p.origin == Origin::Generated).map(|p| format!("{p:?}")).collect();
    assert_eq!(loaded, once.prompts.iter().map(|g| format!("{:?}", g.prompt)).collect::<Vec<_>>());
    // Ids are hashes of the entries' ids: stored answers and debates keep finding them.
    let weigh =
        once.prompts.iter().find(|g| g.from == ["factor-xi-putin-relationship", "obstacle-historical-distrust"]).expect("distrust against Xi and Putin");
    assert_eq!(weigh.prompt.id, "gen-weigh-8bec78f193");
    let motion = once.motions.iter().find(|g| g.obstacle == "obstacle-historical-distrust").expect("a motion on distrust");
    assert_eq!(motion.motion.id, "gen-motion-8bec78f193");
    // Removing a figure leaves every argument of the other entries as it was.
    let fewer: Vec<bank::Entry> = b.knowledge.iter().filter(|e| e.id != "fig-gas-deal-2014").cloned().collect();
    let after = render(&generate(&b, &fewer));
    let kept: Vec<String> = once.prompts.iter().filter(|g| g.from[0] != "fig-gas-deal-2014").map(|g| format!("{:?}", g.prompt)).collect();
    assert!(kept.len() + 1 == once.prompts.len(), "one evidence prompt on the gas deal");
    for k in kept {
        assert!(after.contains(&k), "changed by an unrelated edit: {k}");
    }
}

#[test]
fn the_bank_generates_a_bounded_set_of_prompts_and_motions_in_neutral_words() {
    let b = bank();
    let prompts: Vec<_> = b.prompts.iter().filter(|p| p.origin == Origin::Generated).collect();
    let motions: Vec<_> = b.motions.iter().filter(|m| m.origin == Origin::Generated).collect();
    let (factors, obstacles) = (
        b.knowledge.iter().filter(|e| matches!(e.fact, Fact::Factor { .. })).count(),
        b.knowledge.iter().filter(|e| matches!(e.fact, Fact::Obstacle { .. })).count(),
    );
    // Not every pair: only those the bank sets against each other.
    let weighing = prompts.iter().filter(|p| p.kind == PromptKind::Evaluate).count();
    assert!((10..factors * obstacles / 2).contains(&weighing), "{weighing} weighing prompts");
    assert!((10..factors * obstacles / 2).contains(&motions.len()), "{} motions", motions.len());
    assert!(prompts.len() >= 20, "{} prompts", prompts.len());
    for p in &prompts {
        assert!(p.id.starts_with("gen-") && p.id.len() <= 48, "{}", p.id);
        assert!(p.task.starts_with("According to the paper, "), "{}", p.task);
        assert!(!p.passages.is_empty() && p.passages.iter().all(|c| b.passage(c).is_some()), "{}", p.id);
        assert!(p.rubric.len() >= 4 && p.topics.len() == 2, "{}", p.id);
    }
    for m in &motions {
        assert!(m.motion.starts_with("This House believes that ") && m.motion.chars().count() <= 256, "{}", m.motion);
        assert!(m.info.starts_with("According to the paper, "), "{}", m.info);
    }
}

#[test]
fn every_card_is_on_the_side_its_entry_presents() {
    let b = bank();
    let generated = generate(&b, &b.knowledge);
    assert!(!generated.motions.is_empty());
    for g in &generated.motions {
        let (f, o) = (presented_in(&b, &g.factor), presented_in(&b, &g.obstacle));
        assert!(g.motion.proposition.iter().all(|c| f.contains(c)), "{}: {:?}", g.motion.id, g.motion.proposition);
        assert!(g.motion.opposition.iter().all(|c| o.contains(c)), "{}: {:?}", g.motion.id, g.motion.opposition);
        assert!(!g.motion.proposition.is_empty() && !g.motion.opposition.is_empty());
    }
}

#[test]
fn a_passage_both_entries_cite_cuts_both_ways_and_is_dealt_to_neither_side() {
    let b = bank();
    let pair = |g: &&argue::GeneratedMotion| g.factor == "factor-complementary-economies" && g.obstacle == "obstacle-central-asia-competition";
    // The bank cites the energy purchases that "solidified their economic relationship", and drew
    // China into Central Asia, under both: the slide names the passage, neither side holds it.
    let plain = generate(&b, &b.knowledge);
    let m = &plain.motions.iter().find(pair).expect("the motion").motion;
    assert!(m.info.contains("The passage s8-p5-energy (\"The crisis increased the urgency for Russia to…\") cuts both ways"), "{}", m.info);
    assert!(!m.proposition.iter().chain(&m.opposition).any(|c| c == "s8-p5-energy"), "{m:?}");
    assert!(m.opposition.contains(&"s8-p5-central-asia".to_string()));
    let weigh = plain
        .prompts
        .iter()
        .find(|g| g.prompt.id.starts_with("gen-weigh-") && g.from == ["factor-complementary-economies", "obstacle-central-asia-competition"])
        .unwrap();
    assert!(weigh.prompt.passages.contains(&"s8-p5-energy".to_string()), "either may cite it");
    // Cite a passage that presents the obstacle under the factor too: it leaves the opposition's cards.
    let mut knowledge = b.knowledge.clone();
    knowledge.iter_mut().find(|e| e.id == "factor-complementary-economies").unwrap().citations.push("s8-p5-central-asia".into());
    let shared = generate(&b, &knowledge);
    let m = &shared.motions.iter().find(pair).unwrap().motion;
    assert!(!m.opposition.contains(&"s8-p5-central-asia".to_string()) && !m.opposition.is_empty(), "{m:?}");
    assert!(m.info.contains("The passages s8-p5-energy (\"The crisis"), "{}", m.info);
    assert!(m.info.contains("s8-p5-central-asia (\"Another significant aspect of the relationship between China…\") cut both ways"), "{}", m.info);
}

#[test]
fn nothing_generated_restates_a_written_prompt_or_motion() {
    let b = bank();
    let (_, prompts, motions) = written(&b);
    let anchors = b.passages.iter().map(|p| (p.id.as_str(), p.anchor.as_str())).collect();
    for p in b.prompts.iter().filter(|p| p.origin == Origin::Generated) {
        assert!(!argue::restates_prompt(p, &prompts, &anchors), "{}", p.id);
    }
    for m in b.motions.iter().filter(|m| m.origin == Origin::Generated) {
        assert!(!argue::restates_motion(m, &motions), "{}", m.id);
    }
    // "Geopolitical complementarity outweighs rivalry in the two states' neighbourhoods" is
    // written: no generated motion debates those two again.
    let written = b.motions.iter().find(|m| m.id == "complementarity-beats-rivalry").unwrap();
    assert!(written.topics.contains(&"central-asia-competition".into()));
    assert!(!b.motions.iter().any(|m| m.origin == Origin::Generated
        && m.topics.contains(&"geopolitical-complementarity".into())
        && m.topics.contains(&"central-asia-competition".into())));
}

#[test]
fn the_checker_reports_a_card_on_the_wrong_side_an_unknown_passage_and_a_restatement() {
    let b = bank();
    let (questions, prompts, motions) = written(&b);
    let written = argue::Written { questions: &questions, prompts: &prompts, motions: &motions };
    let mut generated = argue::generate(&b.knowledge, &b.passages, &written);
    assert_eq!(argue::problems(&generated, &b.knowledge, &b.passages, &written), []);
    let m = &mut generated.motions[0].motion;
    let (id, card) = (m.id.clone(), m.opposition[0].clone());
    m.proposition.push(card.clone());
    generated.prompts[0].prompt.passages.push("s5-p99-nowhere".into());
    let copy = generated.prompts[1].prompt.clone();
    let restated = bank::Prompt { id: "written-copy".into(), origin: Origin::Written, ..copy.clone() };
    let prompts: Vec<bank::Prompt> = prompts.iter().cloned().chain([restated]).collect();
    let written = argue::Written { questions: &questions, prompts: &prompts, motions: &motions };
    let found: Vec<String> = argue::problems(&generated, &b.knowledge, &b.passages, &written).into_iter().map(|(_, _, m)| m).collect();
    let factor = &generated.motions[0].factor;
    assert!(found.contains(&format!("generated motion `{id}` deals `{card}` to the proposition, but it does not present `{factor}` alone")), "{found:?}");
    assert!(
        found.contains(&format!("generated prompt `{}` suggests passage `s5-p99-nowhere`, which the bank does not have", generated.prompts[0].prompt.id)),
        "{found:?}"
    );
    assert!(found.contains(&format!("generated prompt `{}` restates a written prompt", copy.id)), "{found:?}");
}

/// The bank's files, with `edit` applied to the one named.
fn files_with(name: &str, edit: impl Fn(&str) -> String) -> Vec<(PathBuf, String)> {
    let mut files: Vec<(PathBuf, String)> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let text = if p.file_name().is_some_and(|f| f == name) { edit(&text) } else { text };
            (p, text)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn bank_check_refuses_links_to_the_wrong_kind_of_entry() {
    let files = files_with("obstacles.yaml", |t| {
        t.replacen("against: [factor-xi-putin-relationship]", "against: [obstacle-border-manchuria, factor-nope]", 1).replacen(
            "    name: Historical distrust\n",
            "    name: Historical distrust\n    bears_on: [factor-complementary-economies]\n",
            1,
        )
    });
    let problems = bank::load_texts(files, None, bank::DEFAULT_SEED).expect_err("the links are wrong").0;
    let messages: Vec<String> = problems.iter().map(|p| format!("[{}] {}", p.item.as_deref().unwrap_or(""), p.message)).collect();
    for expected in [
        "[obstacle-historical-distrust] `obstacle-border-manchuria` in `against` is not a factor",
        "[obstacle-historical-distrust] unknown knowledge entry `factor-nope`",
        "[obstacle-historical-distrust] a `obstacle` entry takes no `bears_on`",
    ] {
        assert!(messages.iter().any(|m| m == expected), "missing `{expected}` in {messages:#?}");
    }
}

#[test]
fn stats_count_them_and_the_export_marks_them_generated() {
    let b = bank();
    let generated_prompts = b.prompts.iter().filter(|p| p.origin == Origin::Generated).count();
    let generated_motions = b.motions.iter().filter(|m| m.origin == Origin::Generated).count();
    let report = bank::stats::report(&b);
    assert!(report.contains(&format!("motions: 19 written, {generated_motions} generated")), "{report}");
    assert!(report.contains(&format!("prompts: 28 written, {generated_prompts} generated")), "{report}");
    let json = bank::export::json(&b);
    let origins = |key: &str| -> Vec<String> { json[key].as_array().unwrap().iter().map(|v| v["origin"].as_str().unwrap().to_string()).collect() };
    assert_eq!(origins("motions").iter().filter(|o| *o == "generated").count(), generated_motions);
    assert_eq!(origins("prompts").iter().filter(|o| *o == "generated").count(), generated_prompts);
    assert_eq!(origins("prompts").iter().filter(|o| *o == "written").count(), 28);
}

/// A suggested passage that opens by pointing back ("However, this development…") comes right
/// after the passage of its paragraph that says what "this" is (where the bank holds one), so a
/// student can read it.
#[test]
fn a_passage_that_points_back_is_suggested_with_the_one_before_it() {
    let b = bank();
    let mut seen = 0;
    for p in b.prompts.iter().filter(|p| p.origin == Origin::Generated) {
        for (i, id) in p.passages.iter().enumerate() {
            let quote = &b.passage(id).unwrap().quote;
            let opening: Vec<String> = quote.split_whitespace().take(3).map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase()).collect();
            let at = b.passages.iter().position(|x| x.id == *id).unwrap();
            let has_context = at > 0 && b.passages[at - 1].anchor == b.passage(id).unwrap().anchor;
            if has_context && opening.iter().any(|w| ["this", "these", "those", "such", "that"].contains(&w.as_str())) {
                seen += 1;
                let before = i.checked_sub(1).map(|j| b.passage(&p.passages[j]).unwrap());
                assert!(
                    before.is_some_and(|before| before.anchor == b.passage(id).unwrap().anchor),
                    "{}: `{id}` («{quote}») follows no passage of its paragraph: {:?}",
                    p.id,
                    p.passages
                );
            }
        }
    }
    assert!(seen >= 4, "the bank's prompts use such passages (s8-p5-independence, s6-p1-selective): {seen}");
}
