//! Generated items: deterministic in (bank, seed), stable under unrelated edits, checked like written ones.

use std::path::Path;

use agora::bank::{self, Fact, Origin, generate};

fn bank() -> bank::Bank {
    bank::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("questions"), None).expect("the bundled bank loads")
}

fn render(items: &[generate::Generated]) -> Vec<String> {
    items.iter().map(|g| format!("{:?}", g.question)).collect()
}

#[test]
fn same_bank_and_seed_give_the_same_items() {
    let b = bank();
    let once = generate::generate(&b.knowledge, &b.passages, 7);
    let again = generate::generate(&b.knowledge, &b.passages, 7);
    assert_eq!(render(&once), render(&again));
    let other = generate::generate(&b.knowledge, &b.passages, 8);
    assert_ne!(render(&once), render(&other), "the seed must matter");
}

#[test]
fn removing_one_event_leaves_items_from_other_entries_unchanged() {
    let b = bank();
    let before = generate::generate(&b.knowledge, &b.passages, 7);
    let removed = b.knowledge.iter().find(|e| matches!(e.fact, Fact::Event { .. })).expect("an event").id.clone();
    let fewer: Vec<_> = b.knowledge.iter().filter(|e| e.id != removed).cloned().collect();
    let after = generate::generate(&fewer, &b.passages, 7);
    let Fact::Event { what, .. } = &b.knowledge.iter().find(|e| e.id == removed).unwrap().fact else { unreachable!() };
    let untouched = |g: &&generate::Generated| g.from != removed && !g.question.id.starts_with("gen-timeline") && !format!("{:?}", g.question).contains(what.as_str());
    let kept: Vec<_> = before.iter().filter(untouched).map(|g| format!("{:?}", g.question)).collect();
    let now: Vec<String> = render(&after);
    assert!(kept.len() > 40);
    for item in &kept {
        assert!(now.contains(item), "changed by an unrelated edit: {item}");
    }
}

#[test]
fn every_generated_item_cites_passages_of_the_bank_and_says_according_to_the_paper() {
    let b = bank();
    let generated: Vec<_> = b.questions.iter().filter(|q| q.origin == Origin::Generated).collect();
    assert!(generated.len() >= 40, "{}", generated.len());
    for q in generated {
        assert!(!q.citations.is_empty() && q.citations.iter().all(|c| b.passage(c).is_some()), "{}", q.id);
        assert!(q.prompt.contains("the paper") && q.explanation.starts_with("According to the paper"), "{}", q.id);
    }
}
