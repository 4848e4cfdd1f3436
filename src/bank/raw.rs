//! Raw bank records exactly as written in YAML, before any validation.
//!
//! Invariant: unknown keys are rejected here (`deny_unknown_fields`); every other rule
//! is checked in `load`, which turns these into the types of `model`.

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPaper {
    pub title: String,
    pub authors: Vec<String>,
    pub year: u16,
    pub journal: String,
    pub volume: String,
    pub pages: String,
    pub doi: String,
    pub sections: Vec<RawSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSection {
    pub id: String,
    pub title: String,
    pub paragraphs: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopic {
    pub id: String,
    pub title: String,
    pub group: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPassage {
    pub id: String,
    pub quote: String,
    pub source: Option<String>,
}

/// One flat record for every kind of knowledge entry; `load` checks which keys each kind needs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEntry {
    pub id: String,
    pub kind: String,
    pub topic: String,
    #[serde(default)]
    pub cite: Vec<String>,
    pub name: Option<String>,
    pub summary: Option<String>,
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub measures: Option<String>,
    pub period: Option<Value>,
    pub date: Option<Value>,
    pub what: Option<String>,
    pub role: Option<String>,
    /// Factor and obstacle: the citations that present it as such (see `Fact::Factor`).
    #[serde(default)]
    pub presented_in: Vec<String>,
    /// Figure: `at_least` or `more_than` when the paper gives a bound, not the value.
    pub bound: Option<String>,
    /// Factor and obstacle: how it reads inside a sentence (see `Entry::phrase`).
    pub phrase: Option<String>,
    /// Obstacle: the factors the paper sets it against.
    #[serde(default)]
    pub against: Vec<String>,
    /// Figure: the factors and obstacles the paper draws on it for.
    #[serde(default)]
    pub bears_on: Vec<String>,
}

/// One flat record for every kind of question; `load` checks which keys each kind needs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuestion {
    pub id: String,
    pub kind: String,
    #[serde(default)]
    pub topics: Vec<String>,
    pub difficulty: u8,
    pub prompt: String,
    pub choices: Option<Vec<String>>,
    pub items: Option<Vec<String>>,
    /// A letter, a list of letters, a boolean, a number or a text, depending on the kind.
    pub answer: Option<Value>,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub unit: Option<String>,
    pub scale: Option<String>,
    pub tolerance: Option<f64>,
    pub explanation: String,
    #[serde(default)]
    pub cite: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMotion {
    pub id: String,
    pub motion: String,
    pub info: String,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub proposition: Vec<String>,
    #[serde(default)]
    pub opposition: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPrompt {
    pub id: String,
    pub kind: String,
    pub task: String,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub passages: Vec<String>,
    #[serde(default)]
    pub rubric: Vec<String>,
}
