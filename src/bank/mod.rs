//! The question bank: load and check the YAML files, generate items, export.
//!
//! Invariant: a `Bank` only exists once every file has been read and every
//! problem is absent; past `Bank::load`, nothing needs to re-validate.

pub mod argue;
pub mod craft;
pub mod export;
pub mod generate;
pub mod limits;
pub mod load;
pub mod model;
pub mod names;
pub mod problem;
mod raw;
pub mod similar;
pub mod source;
pub mod stats;
mod walk;
pub mod words;

pub use load::{DEFAULT_SEED, load, load_texts};
pub use model::*;
pub use problem::{Problem, Problems};
pub use source::Source;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where a bank keeps the paper it is checked against: `DIR/paper/paper.md`, with
/// `anchors.tsv` beside it. The loader reads only `.yaml` files, so the folder is not
/// mistaken for part of the bank.
pub fn shipped_paper(dir: &Path) -> PathBuf {
    dir.join("paper").join("paper.md")
}

/// One file of the bank as it was read: its path below the bank's folder (`figures.yaml`),
/// and its text.
#[derive(Debug, Clone)]
pub struct BankFile {
    pub name: String,
    pub text: String,
}

/// Where an element is written: a file of [`Bank::files`] and the line it starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub file: usize,
    pub line: u64,
}

/// The whole bank, validated: written and generated questions, motions, prompts.
#[derive(Debug, Clone)]
pub struct Bank {
    pub paper: Paper,
    pub topics: Vec<Topic>,
    pub passages: Vec<Passage>,
    pub knowledge: Vec<Entry>,
    /// Written questions first, in file order, then generated ones.
    pub questions: Vec<Question>,
    pub motions: Vec<Motion>,
    pub prompts: Vec<Prompt>,
    /// What `bank::craft` found: cues a test-wise student can use (the bank loads with them).
    pub warnings: Vec<Problem>,
    /// The files the bank was loaded from, as they were read (so a line number stays true
    /// after the file is edited, until the bank is reloaded).
    pub files: Vec<BankFile>,
    /// Where each question is written: its own element, or for a generated one the knowledge
    /// entry it comes from.
    places: HashMap<String, Place>,
    passage_index: HashMap<String, usize>,
    question_index: HashMap<String, usize>,
}

impl Bank {
    /// Builds the lookup indexes. Callers guarantee ids are unique (the loader checks).
    pub fn new(
        paper: Paper,
        topics: Vec<Topic>,
        passages: Vec<Passage>,
        knowledge: Vec<Entry>,
        questions: Vec<Question>,
        motions: Vec<Motion>,
        prompts: Vec<Prompt>,
    ) -> Bank {
        let passage_index = passages.iter().enumerate().map(|(i, p)| (p.id.clone(), i)).collect();
        let question_index = questions.iter().enumerate().map(|(i, q)| (q.id.clone(), i)).collect();
        Bank {
            paper,
            topics,
            passages,
            knowledge,
            questions,
            motions,
            prompts,
            warnings: Vec::new(),
            files: Vec::new(),
            places: HashMap::new(),
            passage_index,
            question_index,
        }
    }

    /// Where question `id` is written: the file (as [`Bank::files`] holds it) and the line its
    /// element starts on; for a generated question, its knowledge entry's.
    pub fn place(&self, id: &str) -> Option<(&BankFile, u64)> {
        let place = self.places.get(id)?;
        Some((self.files.get(place.file)?, place.line))
    }

    /// A file of the bank by its name in [`Bank::files`].
    pub fn file(&self, name: &str) -> Option<&BankFile> {
        self.files.iter().find(|f| f.name == name)
    }

    /// Records the files read and where each question stands in them (the loader's).
    pub(crate) fn set_sources(&mut self, files: Vec<BankFile>, places: HashMap<String, Place>) {
        self.files = files;
        self.places = places;
    }

    pub fn passage(&self, id: &str) -> Option<&Passage> {
        self.passage_index.get(id).map(|&i| &self.passages[i])
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.question_index.get(id).map(|&i| &self.questions[i])
    }

    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id == id)
    }

    pub fn section(&self, id: &str) -> Option<&Section> {
        self.paper.sections.iter().find(|s| s.id == id)
    }

    /// Where a passage stands in the paper, for sorting passages in the paper's order: its
    /// section's place in the paper, its paragraph's number, then its place in the bank
    /// (passages of one paragraph keep the bank's order). `None` for an id the bank lacks.
    pub fn paper_position(&self, passage_id: &str) -> Option<(usize, u32, usize)> {
        let &i = self.passage_index.get(passage_id)?;
        let p = &self.passages[i];
        let section = self.paper.sections.iter().position(|s| s.id == p.section).unwrap_or(usize::MAX);
        let paragraph = p.anchor.strip_prefix(p.section.as_str()).and_then(|r| r.strip_prefix("-p")).and_then(|n| n.parse().ok()).unwrap_or(0);
        Some((section, paragraph, i))
    }
}
