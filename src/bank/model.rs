//! The validated bank: what every other module may rely on.
//!
//! Invariant: a value of these types has passed the loader. Every question has an
//! answer that fits its kind (a choice index in range, at least one correct choice
//! in a multiple select, a non-negative tolerance, …) and at least one citation that
//! names a passage of the bank; every passage's anchor names a paragraph of the paper.

use serde::Serialize;

/// The paper the bank teaches (exactly one per bank).
#[derive(Debug, Clone, Serialize)]
pub struct Paper {
    pub title: String,
    pub authors: Vec<String>,
    pub year: u16,
    pub journal: String,
    pub volume: String,
    pub pages: String,
    pub doi: String,
    pub sections: Vec<Section>,
}

/// A section of the paper; its paragraphs are anchored `{id}-p{n}`, 1-based.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    /// How many paragraphs the section has. Zero for the figure caption, whose
    /// anchor is the section id itself (`figure-1`).
    pub paragraphs: u32,
}

/// A topic tag: which factor, obstacle or group of figures an item trains.
#[derive(Debug, Clone, Serialize)]
pub struct Topic {
    pub id: String,
    pub title: String,
    pub group: TopicGroup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TopicGroup {
    /// A factor of convergence (section 5).
    Factor,
    /// An obstacle or limitation (sections 7–8).
    Obstacle,
    /// Numbers and dates: trade, energy, arms, meetings, votes, Fig. 1.
    Figures,
    /// The rest of the argument: literature, framework, China's view, conclusion.
    Context,
}

/// A verbatim quote of one to three sentences from one paragraph.
#[derive(Debug, Clone, Serialize)]
pub struct Passage {
    /// The anchor, or the anchor plus a suffix (`s7-economic-p2-trade`).
    pub id: String,
    /// The paragraph the quote stands in (`s7-economic-p2`).
    pub anchor: String,
    /// The id of the section the anchor belongs to.
    pub section: String,
    pub quote: String,
    /// Where the paper attributes the point, the source it cites ("Rumer, 2024: 4").
    pub source: Option<String>,
}

/// A fact the generator draws on: a factor, an obstacle, a figure, an event or an actor.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: String,
    pub topic: String,
    pub citations: Vec<String>,
    /// Factor, obstacle: the entry as it reads inside a sentence, with its article ("the
    /// historical distrust between them"); only entries with one are argued over
    /// (`bank::argue`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phrase: Option<String>,
    /// Obstacle: the factors of convergence the paper sets it against ("Despite grand
    /// declarations of partnership…"), each a pair that generated arguments weigh.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub against: Vec<String>,
    /// Figure: the factors and obstacles the paper draws on it for; each an evidence prompt.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bears_on: Vec<String>,
    #[serde(flatten)]
    pub fact: Fact,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fact {
    /// `presented_in`: the passages, among the entry's citations, in which the paper presents
    /// this factor of convergence as one; the generator asks "which factor does this passage
    /// describe?" of these alone.
    Factor {
        name: String,
        summary: String,
        presented_in: Vec<String>,
    },
    /// `presented_in`: as for a factor, the passages that present this as an obstacle or a
    /// limitation of the relationship.
    Obstacle {
        name: String,
        summary: String,
        presented_in: Vec<String>,
    },
    /// `bound`: set when the paper gives the value as a bound ("more than 64 percent").
    Figure {
        value: f64,
        unit: String,
        measures: String,
        period: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        bound: Option<Bound>,
    },
    /// `date` is `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, so dates sort as text.
    Event {
        date: String,
        what: String,
    },
    Actor {
        name: String,
        role: String,
    },
}

/// How the paper bounds a figure it does not give exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// "at least 43 times", "25% or more".
    AtLeast,
    /// "more than 64 percent", "over 70%".
    MoreThan,
}

impl Bound {
    pub fn parse(s: &str) -> Option<Bound> {
        match s {
            "at_least" => Some(Bound::AtLeast),
            "more_than" => Some(Bound::MoreThan),
            _ => None,
        }
    }

    /// The words a question asks it with: "more than", "at least".
    pub fn words(self) -> &'static str {
        match self {
            Bound::AtLeast => "at least",
            Bound::MoreThan => "more than",
        }
    }
}

/// Whether an item was written by a person or generated from knowledge entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Written,
    Generated,
}

#[derive(Debug, Clone, Serialize)]
pub struct Question {
    pub id: String,
    pub origin: Origin,
    pub topics: Vec<String>,
    /// 1 (recall) to 3 (analysis).
    pub difficulty: u8,
    pub prompt: String,
    pub answer: Answer,
    pub explanation: String,
    /// Passage ids; never empty.
    pub citations: Vec<String>,
}

impl Question {
    pub fn kind(&self) -> Kind {
        self.answer.kind()
    }
}

/// The six kinds of question, each with the shape of its answer.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answer {
    /// One correct choice; `correct` indexes `choices`.
    Single {
        choices: Vec<String>,
        correct: usize,
    },
    TrueFalse {
        correct: bool,
    },
    /// One or more correct choices, ascending and distinct.
    Multi {
        choices: Vec<String>,
        correct: Vec<usize>,
    },
    /// Correct when `|given − value| ≤ tolerance`, both in `unit`.
    Numeric {
        value: f64,
        unit: String,
        tolerance: f64,
        scale: Scale,
    },
    /// `items` in the correct order; shown shuffled.
    Ordering {
        items: Vec<String>,
    },
    /// `accepted[0]` is the model answer; the rest are aliases.
    Short {
        accepted: Vec<String>,
    },
}

/// The letter shown for display position `shown` of a question's choices or items: `A`,
/// `B`, … (`?` past `Z`; the loader allows at most 25 choices).
pub fn letter(shown: usize) -> char {
    u8::try_from(shown).ok().filter(|&i| i < 26).map_or('?', |i| char::from(b'A' + i))
}

impl Answer {
    /// The labels a student picks from or puts in order: choices, or ordering items; empty otherwise.
    pub fn labels(&self) -> &[String] {
        match self {
            Answer::Single { choices, .. } | Answer::Multi { choices, .. } => choices,
            Answer::Ordering { items } => items,
            Answer::TrueFalse { .. } | Answer::Numeric { .. } | Answer::Short { .. } => &[],
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Answer::Single { .. } => Kind::Single,
            Answer::TrueFalse { .. } => Kind::TrueFalse,
            Answer::Multi { .. } => Kind::Multi,
            Answer::Numeric { .. } => Kind::Numeric,
            Answer::Ordering { .. } => Kind::Ordering,
            Answer::Short { .. } => Kind::Short,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Single,
    TrueFalse,
    Multi,
    Numeric,
    Ordering,
    Short,
}

impl Kind {
    pub const ALL: [Kind; 6] = [Kind::Single, Kind::TrueFalse, Kind::Multi, Kind::Numeric, Kind::Ordering, Kind::Short];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Single => "single",
            Kind::TrueFalse => "true_false",
            Kind::Multi => "multi",
            Kind::Numeric => "numeric",
            Kind::Ordering => "ordering",
            Kind::Short => "short",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind as people read it, the one wording every face uses: the options of `/quiz
    /// start` and `/practice`, a question's footer, `/bank info`.
    pub fn title(self) -> &'static str {
        match self {
            Kind::Single => "one answer",
            Kind::TrueFalse => "true or false",
            Kind::Multi => "several answers",
            Kind::Numeric => "a number",
            Kind::Ordering => "put in order",
            Kind::Short => "short answer",
        }
    }
}

/// The multiplier a numeric answer is expressed in, so that "190 billion",
/// "$190bn" and "190,000,000,000" all read as 190 when the unit is "US$ billion".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    One,
    Thousand,
    Million,
    Billion,
}

impl Scale {
    pub fn factor(self) -> f64 {
        match self {
            Scale::One => 1.0,
            Scale::Thousand => 1e3,
            Scale::Million => 1e6,
            Scale::Billion => 1e9,
        }
    }
}

/// A debate motion with evidence for each side.
#[derive(Debug, Clone, Serialize)]
pub struct Motion {
    pub id: String,
    /// Written in the bank, or generated from a factor and an obstacle (`bank::argue`).
    pub origin: Origin,
    /// "This house believes …"
    pub motion: String,
    /// The info slide: context both sides need, neutral in tone.
    pub info: String,
    pub topics: Vec<String>,
    /// Passage ids that support the proposition.
    pub proposition: Vec<String>,
    /// Passage ids that support the opposition.
    pub opposition: Vec<String>,
}

/// A written-argument task with suggested passages and a rubric.
#[derive(Debug, Clone, Serialize)]
pub struct Prompt {
    pub id: String,
    /// Written in the bank, or generated from the knowledge entries (`bank::argue`).
    pub origin: Origin,
    pub kind: PromptKind,
    pub task: String,
    pub topics: Vec<String>,
    pub passages: Vec<String>,
    pub rubric: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromptKind {
    Explain,
    Compare,
    Evaluate,
    Apply,
}
