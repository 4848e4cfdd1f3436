//! What the bank covers: items by kind, topic, difficulty and section; gaps.
//!
//! Invariant: read-only over a loaded `Bank`; counts are of written and generated items
//! separately so an author sees what they wrote.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write;

use super::Bank;
use super::model::*;

/// The report `agora bank stats` prints.
pub fn report(bank: &Bank) -> String {
    let written: Vec<&Question> = bank.questions.iter().filter(|q| q.origin == Origin::Written).collect();
    let written_motions = bank.motions.iter().filter(|m| m.origin == Origin::Written).count();
    let written_prompts = bank.prompts.iter().filter(|p| p.origin == Origin::Written).count();
    let generated = bank.questions.len() - written.len();
    let mut out = String::new();
    let _ = writeln!(out, "{} — {} ({})", bank.paper.title, bank.paper.authors.join(", "), bank.paper.year);
    let _ = writeln!(
        out,
        "items: {} written, {} generated; motions: {} written, {} generated; prompts: {} written, {} generated; passages: {}; knowledge entries: {}",
        written.len(),
        generated,
        written_motions,
        bank.motions.len() - written_motions,
        written_prompts,
        bank.prompts.len() - written_prompts,
        bank.passages.len(),
        bank.knowledge.len()
    );

    let weighing = bank.prompts.iter().filter(|p| p.origin == Origin::Generated && p.kind == PromptKind::Evaluate).count();
    let _ = writeln!(
        out,
        "generated arguments: {weighing} weighing prompts (a factor against an obstacle), {} evidence prompts (a figure and what it bears on), {} motions\n",
        bank.prompts.len() - written_prompts - weighing,
        bank.motions.len() - written_motions
    );
    let _ = writeln!(out, "by kind (written / generated):");
    for kind in Kind::ALL {
        let w = written.iter().filter(|q| q.kind() == kind).count();
        let g = bank.questions.iter().filter(|q| q.origin == Origin::Generated && q.kind() == kind).count();
        let _ = writeln!(out, "  {:<12} {w:>4} / {g}", kind.as_str());
    }
    let _ = writeln!(out, "\nby difficulty (written):");
    for d in 1..=3u8 {
        let n = written.iter().filter(|q| q.difficulty == d).count();
        let _ = writeln!(out, "  {d}  {n:>4}  {:>3.0}%", 100.0 * n as f64 / written.len().max(1) as f64);
    }
    let _ = writeln!(out, "\nby topic (written items, kinds / generated):");
    for t in &bank.topics {
        let items: Vec<&&Question> = written.iter().filter(|q| q.topics.contains(&t.id)).collect();
        let kinds: BTreeSet<&str> = items.iter().map(|q| q.kind().as_str()).collect();
        let g = bank.questions.iter().filter(|q| q.origin == Origin::Generated && q.topics.contains(&t.id)).count();
        let _ = writeln!(out, "  {:<30} {:>4}  {} kinds / {g}", t.id, items.len(), kinds.len());
    }
    let _ = writeln!(out, "\nby section of the paper (written items citing it):");
    let mut by_section: BTreeMap<&str, usize> = BTreeMap::new();
    for q in &written {
        let sections: BTreeSet<&str> = q.citations.iter().filter_map(|c| bank.passage(c)).map(|p| p.section.as_str()).collect();
        for s in sections {
            *by_section.entry(s).or_default() += 1;
        }
    }
    for s in &bank.paper.sections {
        let _ = writeln!(out, "  {:<12} {:>4}", s.id, by_section.get(s.id.as_str()).copied().unwrap_or(0));
    }

    let cited: HashSet<&str> = bank
        .questions
        .iter()
        .flat_map(|q| q.citations.iter())
        .chain(bank.motions.iter().flat_map(|m| m.proposition.iter().chain(&m.opposition)))
        .chain(bank.prompts.iter().flat_map(|p| p.passages.iter()))
        .chain(bank.knowledge.iter().flat_map(|e| e.citations.iter()))
        .map(String::as_str)
        .collect();
    let uncited: Vec<&str> = bank.passages.iter().map(|p| p.id.as_str()).filter(|p| !cited.contains(p)).collect();
    let _ = writeln!(out, "\npassages never cited: {}", list(&uncited));

    let written_cites: HashSet<&str> = written.iter().flat_map(|q| q.citations.iter()).map(String::as_str).collect();
    let bare: Vec<&str> = bank.knowledge.iter().filter(|e| !e.citations.iter().any(|c| written_cites.contains(c.as_str()))).map(|e| e.id.as_str()).collect();
    let _ = writeln!(out, "knowledge entries without written items: {}", list(&bare));

    let item_anchors: HashSet<&str> =
        bank.questions.iter().flat_map(|q| q.citations.iter()).filter_map(|c| bank.passage(c)).map(|p| p.anchor.as_str()).collect();
    let mut gaps = Vec::new();
    for s in &bank.paper.sections {
        for n in 1..=s.paragraphs {
            let anchor = format!("{}-p{n}", s.id);
            if !item_anchors.contains(anchor.as_str()) {
                gaps.push(anchor);
            }
        }
    }
    let gaps: Vec<&str> = gaps.iter().map(String::as_str).collect();
    let _ = writeln!(out, "paragraphs no item cites: {}", list(&gaps));
    out
}

fn list(ids: &[&str]) -> String {
    if ids.is_empty() { "none".into() } else { format!("{} — {}", ids.len(), ids.join(", ")) }
}
