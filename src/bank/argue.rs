//! Argument prompts and debate motions generated from the knowledge entries: a factor of
//! convergence weighed against an obstacle or limitation, and a figure read for what it shows
//! about a factor or an obstacle.
//!
//! Invariants:
//! * generation is a pure function of the entries, the passages and the written prompts,
//!   motions and items: same bank, same arguments, same ids (`gen-weigh-…`, `gen-evidence-…`,
//!   `gen-motion-…`, hashes of the entries' ids), so answers and debates stored under an id
//!   find their prompt or motion again after a restart;
//! * only pairs the bank sets against each other are weighed: an obstacle's `against` names
//!   the factor, or a written item, motion or prompt is tagged with both topics; only entries
//!   with a `phrase` (how they read inside a sentence) and passages that present them;
//! * a motion's proposition cards are passages that present its factor, its opposition's
//!   passages that present its obstacle; a passage both entries cite cuts both ways and is
//!   dealt to neither side: the info slide names it;
//! * nothing restates a written prompt or motion ([`restates_prompt`], [`restates_motion`]);
//!   [`problems`] checks all of this again for `agora bank check`.

use std::collections::{BTreeSet, HashMap};

use super::generate::{format_value, gen_id};
use super::model::*;
use super::similar::SAME_PROMPT;
use super::words::{jaccard, stems};

/// Most passages a generated prompt suggests from one entry: the prompt and its passages fit
/// one message.
const PASSAGES_PER_ENTRY: usize = 2;

/// A generated prompt and the knowledge entries it comes from (the first is where the checker
/// reports a problem).
#[derive(Debug, Clone)]
pub struct GeneratedPrompt {
    pub from: Vec<String>,
    pub prompt: Prompt,
}

/// A generated motion, with the factor its proposition argues and the obstacle its
/// opposition argues.
#[derive(Debug, Clone)]
pub struct GeneratedMotion {
    pub factor: String,
    pub obstacle: String,
    pub motion: Motion,
}

#[derive(Debug, Clone, Default)]
pub struct Arguments {
    pub prompts: Vec<GeneratedPrompt>,
    pub motions: Vec<GeneratedMotion>,
}

/// What the bank has written, which nothing generated may restate.
pub struct Written<'a> {
    pub questions: &'a [Question],
    pub prompts: &'a [Prompt],
    pub motions: &'a [Motion],
}

/// A factor or an obstacle that can be argued over.
#[derive(Clone, Copy)]
struct Side<'a> {
    entry: &'a Entry,
    phrase: &'a str,
    presented: &'a [String],
}

fn side(e: &Entry) -> Option<Side<'_>> {
    let presented = match &e.fact {
        Fact::Factor { presented_in, .. } | Fact::Obstacle { presented_in, .. } => presented_in,
        _ => return None,
    };
    let phrase = e.phrase.as_deref()?;
    (!presented.is_empty()).then_some(Side { entry: e, phrase, presented })
}

fn is_factor(e: &Entry) -> bool {
    matches!(e.fact, Fact::Factor { .. })
}

/// The pairs (factor, obstacle) the bank sets against each other, in the bank's order of
/// obstacles, then of factors: an obstacle's `against`, or a written item, motion or prompt
/// tagged with both topics.
fn pairs<'a>(entries: &'a [Entry], written: &Written) -> Vec<(Side<'a>, Side<'a>)> {
    let tagged: Vec<&[String]> = written
        .questions
        .iter()
        .map(|q| q.topics.as_slice())
        .chain(written.motions.iter().map(|m| m.topics.as_slice()))
        .chain(written.prompts.iter().map(|p| p.topics.as_slice()))
        .collect();
    let mut out = Vec::new();
    for o in entries.iter().filter(|e| matches!(e.fact, Fact::Obstacle { .. })).filter_map(side) {
        for f in entries.iter().filter(|e| is_factor(e)).filter_map(side) {
            let marked = o.entry.against.contains(&f.entry.id);
            let together = tagged.iter().any(|t| t.contains(&f.entry.topic) && t.contains(&o.entry.topic));
            if marked || together {
                out.push((f, o));
            }
        }
    }
    out
}

/// `suggested` with, before each passage that opens by pointing back ("However, this
/// development…"), the passage the bank holds just before it in the same paragraph, so that a
/// student reads what "this" is.
fn with_context(suggested: Vec<String>, passages: &[Passage]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(suggested.len());
    for id in suggested {
        let at = passages.iter().position(|p| p.id == id);
        let before =
            at.filter(|&i| i > 0 && points_back(&passages[i].quote)).map(|i| &passages[i - 1]).filter(|b| at.is_some_and(|i| b.anchor == passages[i].anchor));
        if let Some(b) = before
            && !out.contains(&b.id)
        {
            out.push(b.id.clone());
        }
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// Whether a quote opens by pointing at what the sentence before it said ("However, this
/// development…", "Despite this…"): a demonstrative among its first three words. ("Their",
/// "it" and the like usually name the two countries, and need no context.)
fn points_back(quote: &str) -> bool {
    const DEMONSTRATIVES: &[&str] = &["this", "these", "those", "such", "that"];
    quote.split_whitespace().take(3).any(|w| DEMONSTRATIVES.contains(&w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase().as_str()))
}

/// A passage both entries cite: evidence for either side.
fn both_ways(f: &Entry, o: &Entry) -> Vec<String> {
    f.citations.iter().filter(|c| o.citations.contains(c)).cloned().collect()
}

/// The first words of a quote, to name it on an info slide: "The crisis increased the urgency…".
fn opening(quote: &str) -> String {
    const WORDS: usize = 8;
    let words: Vec<&str> = quote.split_whitespace().collect();
    if words.len() <= WORDS { quote.to_string() } else { format!("{}…", words[..WORDS].join(" ").trim_end_matches([',', ';', ':', '.'])) }
}

/// A figure as a sentence gives it: "US$190 billion", "43 meetings", "30 percent".
fn figure_words(value: f64, unit: &str) -> String {
    match unit.strip_prefix("US$ ") {
        Some(scale) => format!("US${}", format_value(value, scale)),
        None => format_value(value, unit),
    }
}

pub fn generate(entries: &[Entry], passages: &[Passage], written: &Written) -> Arguments {
    let known: BTreeSet<&str> = passages.iter().map(|p| p.id.as_str()).collect();
    let anchors: HashMap<&str, &str> = passages.iter().map(|p| (p.id.as_str(), p.anchor.as_str())).collect();
    let mut out = Arguments::default();
    for (f, o) in pairs(entries, written) {
        let shared = both_ways(f.entry, o.entry);
        let cards = |s: &Side| -> Vec<String> { s.presented.iter().filter(|p| !shared.contains(p) && known.contains(p.as_str())).cloned().collect() };
        let (for_f, for_o) = (cards(&f), cards(&o));
        if for_f.is_empty() || for_o.is_empty() {
            continue;
        }
        let topics = vec![f.entry.topic.clone(), o.entry.topic.clone()];
        let from = vec![f.entry.id.clone(), o.entry.id.clone()];
        let mut suggested: Vec<String> = for_f.iter().take(PASSAGES_PER_ENTRY).chain(for_o.iter().take(PASSAGES_PER_ENTRY)).cloned().collect();
        suggested.extend(shared.iter().filter(|p| known.contains(p.as_str())).cloned());
        let suggested = with_context(suggested, passages);
        let prompt = Prompt {
            id: gen_id("weigh", &[&f.entry.id, &o.entry.id]),
            origin: Origin::Generated,
            kind: PromptKind::Evaluate,
            task: format!(
                "According to the paper, does {} outweigh {} for the China-Russia partnership after 2022? Argue one side, citing the paper's passages on both.",
                f.phrase, o.phrase
            ),
            topics: topics.clone(),
            passages: suggested,
            rubric: vec![
                format!("Sets out what the paper says about {}, citing at least one of its passages", f.phrase),
                format!("Sets out what the paper says about {}, citing at least one of its passages", o.phrase),
                "Takes one side on which weighs more for the partnership after 2022, as the task asks".to_string(),
                "Answers the strongest point of the other side from the paper".to_string(),
                "Reaches a judgement the cited passages support, in the paper's terms (\"according to the paper\")".to_string(),
            ],
        };
        if !restates_prompt(&prompt, written.prompts, &anchors) {
            out.prompts.push(GeneratedPrompt { from: from.clone(), prompt });
        }
        let mut info = format!(
            "According to the paper, {} is a factor of convergence and {} is an obstacle or limitation in the relationship. The proposition's cards are passages that present the first; the opposition's, passages that present the second.",
            f.phrase, o.phrase
        );
        let named: Vec<String> =
            shared.iter().filter_map(|id| passages.iter().find(|p| p.id == *id)).map(|p| format!("{} (\"{}\")", p.id, opening(&p.quote))).collect();
        match named.as_slice() {
            [] => {}
            [one] => info.push_str(&format!(
                " The passage {one} cuts both ways: the paper's account of both rests on it, so it is dealt to neither side and either may cite it."
            )),
            many => info.push_str(&format!(
                " The passages {} cut both ways: the paper's account of both rests on them, so they are dealt to neither side and either may cite them.",
                many.join(", ")
            )),
        }
        let motion = Motion {
            id: gen_id("motion", &[&f.entry.id, &o.entry.id]),
            origin: Origin::Generated,
            motion: format!("This House believes that {} will matter more than {} for the China-Russia partnership.", f.phrase, o.phrase),
            info,
            topics,
            proposition: for_f,
            opposition: for_o,
        };
        if !restates_motion(&motion, written.motions) {
            out.motions.push(GeneratedMotion { factor: f.entry.id.clone(), obstacle: o.entry.id.clone(), motion });
        }
    }
    evidence(entries, passages, &known, &anchors, written, &mut out);
    out
}

/// "The paper reports F. Explain what this figure shows about X, and what it does not show",
/// for each factor or obstacle a figure `bears_on`.
fn evidence(entries: &[Entry], all_passages: &[Passage], known: &BTreeSet<&str>, anchors: &HashMap<&str, &str>, written: &Written, out: &mut Arguments) {
    for fig in entries {
        let Fact::Figure { value, unit, measures, period, bound } = &fig.fact else { continue };
        for target in fig.bears_on.iter().filter_map(|id| entries.iter().find(|e| e.id == *id)).filter_map(side) {
            let figure = format!("{}{}", bound.map(|b| format!("{} ", b.words())).unwrap_or_default(), figure_words(*value, unit));
            let what = if is_factor(target.entry) { "a factor of convergence" } else { "an obstacle or limitation" };
            let mut passages: Vec<String> = fig.citations.iter().filter(|c| known.contains(c.as_str())).cloned().collect();
            let theirs: Vec<String> =
                target.presented.iter().filter(|p| known.contains(p.as_str()) && !passages.contains(p)).take(PASSAGES_PER_ENTRY).cloned().collect();
            passages.extend(theirs);
            let passages = with_context(passages, all_passages);
            let prompt = Prompt {
                id: gen_id("evidence", &[&fig.id, &target.entry.id]),
                origin: Origin::Generated,
                kind: PromptKind::Explain,
                task: format!(
                    "According to the paper, {measures} is given as {figure} ({period}). Explain what this figure shows about {}, which the paper names as {what} in the relationship, and what it does not show.",
                    target.phrase
                ),
                topics: vec![fig.topic.clone(), target.entry.topic.clone()],
                passages,
                rubric: vec![
                    format!("Reports the figure ({figure}, {period}) and cites the passage that gives it"),
                    format!("Explains, citing the paper, what the figure shows about {}", target.phrase),
                    "Says what the figure alone does not show (a cause, a trend beyond its period, or what either side makes of it)".to_string(),
                    "Keeps to what the paper argues and attributes each claim to it".to_string(),
                ],
            };
            if !restates_prompt(&prompt, written.prompts, anchors) {
                out.prompts.push(GeneratedPrompt { from: vec![fig.id.clone(), target.entry.id.clone()], prompt });
            }
        }
    }
}

/// Whether `generated` restates a written prompt: their tasks share [`SAME_PROMPT`] of their
/// content words, or the written one is tagged with all of its topics and suggests a passage
/// from a paragraph it suggests (it asks about the same things from the same evidence).
pub fn restates_prompt(generated: &Prompt, written: &[Prompt], anchors: &HashMap<&str, &str>) -> bool {
    let task = stems(&generated.task);
    let paragraphs = |p: &Prompt| -> BTreeSet<String> { p.passages.iter().filter_map(|c| anchors.get(c.as_str()).map(|a| a.to_string())).collect() };
    let ours = paragraphs(generated);
    written.iter().filter(|w| w.id != generated.id).any(|w| {
        jaccard(&task, &stems(&w.task)) >= SAME_PROMPT
            || (generated.topics.iter().all(|t| w.topics.contains(t)) && (generated.kind == PromptKind::Evaluate || !ours.is_disjoint(&paragraphs(w))))
    })
}

/// Whether `generated` restates a written motion: their motions share [`SAME_PROMPT`] of their
/// content words, or the written one is tagged with both of its topics (it debates the same two).
pub fn restates_motion(generated: &Motion, written: &[Motion]) -> bool {
    let motion = stems(&generated.motion);
    written
        .iter()
        .filter(|w| w.id != generated.id)
        .any(|w| jaccard(&motion, &stems(&w.motion)) >= SAME_PROMPT || generated.topics.iter().all(|t| w.topics.contains(t)))
}

/// What `agora bank check` finds wrong with generated arguments: a passage the bank lacks, a
/// card on the wrong side, a restated written prompt or motion, a motion too long for a
/// title. Each problem with the id of the entry to report it at.
pub fn problems(args: &Arguments, entries: &[Entry], passages: &[Passage], written: &Written) -> Vec<(String, String, String)> {
    let known: BTreeSet<&str> = passages.iter().map(|p| p.id.as_str()).collect();
    let anchors: HashMap<&str, &str> = passages.iter().map(|p| (p.id.as_str(), p.anchor.as_str())).collect();
    let entry = |id: &str| entries.iter().find(|e| e.id == id);
    let mut out = Vec::new();
    for g in &args.prompts {
        let at = g.from.first().cloned().unwrap_or_default();
        for p in g.prompt.passages.iter().filter(|p| !known.contains(p.as_str())) {
            out.push((at.clone(), g.prompt.id.clone(), format!("generated prompt `{}` suggests passage `{p}`, which the bank does not have", g.prompt.id)));
        }
        if restates_prompt(&g.prompt, written.prompts, &anchors) {
            out.push((at.clone(), g.prompt.id.clone(), format!("generated prompt `{}` restates a written prompt", g.prompt.id)));
        }
    }
    for g in &args.motions {
        let m = &g.motion;
        let (Some(f), Some(o)) = (entry(&g.factor), entry(&g.obstacle)) else {
            out.push((g.factor.clone(), m.id.clone(), format!("generated motion `{}` names an entry the bank does not have", m.id)));
            continue;
        };
        for (cards, own, other, which) in [(&m.proposition, f, o, "proposition"), (&m.opposition, o, f, "opposition")] {
            let presents = side(own).map(|s| s.presented).unwrap_or_default();
            for c in cards.iter() {
                if !known.contains(c.as_str()) {
                    out.push((g.factor.clone(), m.id.clone(), format!("generated motion `{}` deals passage `{c}`, which the bank does not have", m.id)));
                } else if !presents.contains(c) || other.citations.contains(c) {
                    out.push((
                        g.factor.clone(),
                        m.id.clone(),
                        format!("generated motion `{}` deals `{c}` to the {which}, but it does not present `{}` alone", m.id, own.id),
                    ));
                }
            }
        }
        if m.motion.chars().count() > crate::limits::TITLE {
            out.push((g.factor.clone(), m.id.clone(), format!("generated motion `{}` is longer than an embed title", m.id)));
        }
        if restates_motion(m, written.motions) {
            out.push((g.factor.clone(), m.id.clone(), format!("generated motion `{}` restates a written motion", m.id)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_as_a_sentence_gives_them() {
        assert_eq!(figure_words(190.0, "US$ billion"), "US$190 billion");
        assert_eq!(figure_words(244.8, "US$ billion"), "US$244.8 billion");
        assert_eq!(figure_words(43.0, "meetings"), "43 meetings");
    }
}
