//! Reads every YAML file of a bank, checks it and builds the validated `Bank`.
//!
//! Invariant: `load` returns either a `Bank` in which every rule of
//! `questions/README.md` holds, or every problem it found, each with file:line:column
//! and a hint. It never stops at the first problem of a file that still parses, and
//! it never panics, whatever the input. Root causes come first: a file that cannot be read
//! or does not parse before everything else, and references to ids nobody defines last,
//! since a file that does not parse leaves every id it would have defined unknown.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_saphyr::Spanned;

use super::problem::{Problem, Problems};
use super::raw::*;
use super::similar::{Profile, same_number};
use super::source::{Source, normalise};
use super::{Bank, BankFile, Place, argue, generate, limits, model::*};

/// The generator's seed when none is given: same bank, same generated items.
pub const DEFAULT_SEED: u64 = 2025;

/// Words in a figure's `measures` that say it is a bound, which `bound:` must say instead.
const BOUND_WORDS: &[&str] = &["lower bound", "upper bound", "at least", "more than", "or more"];

/// Words a prompt asks a bound with.
const BOUND_PROMPT_WORDS: &[&str] = &["at least", "more than", "over", "or more", "lower bound", "minimum", "exceed"];

/// Loads the bank in `dir` (every `.yaml`/`.yml` file below it). With `source`, every
/// quote is proved to stand in the paragraph its passage id names.
pub fn load(dir: &Path, source: Option<&Source>) -> Result<Bank, Problems> {
    load_with_seed(dir, source, DEFAULT_SEED)
}

pub fn load_with_seed(dir: &Path, source: Option<&Source>, seed: u64) -> Result<Bank, Problems> {
    let (paths, walk_problems) = super::walk::yaml_files(dir);
    if paths.is_empty() {
        return Err(Problems(if walk_problems.is_empty() { vec![super::walk::no_yaml(dir)] } else { walk_problems }));
    }
    let mut files = Vec::new();
    for path in paths {
        match crate::files::read_to_string(&path) {
            Ok(text) => files.push((path, text)),
            Err(e) => {
                return Err(Problems(vec![Problem {
                    file: path,
                    line: 1,
                    column: 1,
                    item: None,
                    message: format!("cannot read the file: {e}"),
                    hint: "bank files must be readable UTF-8 text".into(),
                }]));
            }
        }
    }
    match (load_texts(files, source, seed), walk_problems) {
        (Ok(mut bank), walk) if walk.is_empty() => {
            // The files are named below the bank's folder, as links to them show.
            for f in &mut bank.files {
                if let Ok(below) = Path::new(&f.name).strip_prefix(dir) {
                    f.name = below.display().to_string();
                }
            }
            Ok(bank)
        }
        (loaded, walk) if walk.is_empty() => loaded,
        (loaded, mut problems) => {
            // What could not be read is a root cause: before what the checker found.
            problems.sort();
            problems.extend(loaded.err().map(|p| p.0).unwrap_or_default());
            Err(Problems(problems))
        }
    }
}

/// Loads a bank from (path, text) pairs: the whole checker, without touching the disk.
pub fn load_texts(files: Vec<(PathBuf, String)>, source: Option<&Source>, seed: u64) -> Result<Bank, Problems> {
    let mut loader = Loader { files, problems: Vec::new(), references: Vec::new(), unparsed: Vec::new() };
    let bank = loader.run(source, seed);
    let problems = root_causes_first(loader.problems, loader.references, &loader.unparsed);
    match bank {
        Some(bank) if problems.is_empty() => Ok(bank),
        _ => Err(Problems(problems)),
    }
}

/// The problems in the order to fix them: files that do not parse first, then the rest by
/// file and line, then references to unknown ids. While a file does not parse, each such
/// reference says it may be defined there: it is likely a knock-on, not a cause.
fn root_causes_first(problems: Vec<Problem>, mut references: Vec<Problem>, unparsed: &[PathBuf]) -> Vec<Problem> {
    let (mut causes, mut rest): (Vec<Problem>, Vec<Problem>) = problems.into_iter().partition(|p| unparsed.contains(&p.file));
    causes.sort();
    if unparsed.is_empty() {
        rest.append(&mut references);
    } else {
        let files = unparsed.iter().map(|f| format!("`{}`", f.display())).collect::<Vec<_>>().join(", ");
        for r in &mut references {
            r.hint = format!("{}; it may be defined in {files}, which does not parse: fix that first", r.hint);
        }
    }
    rest.sort();
    references.sort();
    let mut ordered = causes;
    ordered.append(&mut rest);
    ordered.append(&mut references);
    ordered.dedup();
    ordered
}

/// The top level of one file; each element is kept as a located JSON value so that one
/// bad element does not hide the problems of the others.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    paper: Option<Spanned<Value>>,
    #[serde(default)]
    topics: Vec<Spanned<Value>>,
    #[serde(default)]
    passages: Vec<Spanned<Value>>,
    #[serde(default)]
    knowledge: Vec<Spanned<Value>>,
    #[serde(default)]
    questions: Vec<Spanned<Value>>,
    #[serde(default)]
    motions: Vec<Spanned<Value>>,
    #[serde(default)]
    prompts: Vec<Spanned<Value>>,
}

/// Where an element of a file stands: its first line and column, and the line where the
/// next element begins (searches for a key or a value stay inside it).
#[derive(Debug, Clone, Copy)]
struct Node {
    file: usize,
    line: u64,
    column: u64,
    end: u64,
}

/// What to point at inside an element: a key (`answer:`) or a piece of text (`s5-p99`).
#[derive(Clone, Copy)]
enum At<'a> {
    Start,
    Key(&'a str),
    Text(&'a str),
    /// A text in the value of a key: `s5-p99` in `cite: [s5-p99]`, not in the id above it.
    TextAfter(&'a str, &'a str),
}

struct Loader {
    files: Vec<(PathBuf, String)>,
    problems: Vec<Problem>,
    /// References to ids nobody defines (kept apart: they may follow from a file that does
    /// not parse).
    references: Vec<Problem>,
    /// Files that do not parse.
    unparsed: Vec<PathBuf>,
}

/// Collected elements of every file, by kind, with their locations.
#[derive(Default)]
struct Elements {
    paper: Vec<(Node, Value)>,
    topics: Vec<(Node, Value)>,
    passages: Vec<(Node, Value)>,
    knowledge: Vec<(Node, Value)>,
    questions: Vec<(Node, Value)>,
    motions: Vec<(Node, Value)>,
    prompts: Vec<(Node, Value)>,
}

impl Loader {
    fn report(&mut self, node: Node, item: Option<&str>, at: At, message: impl Into<String>, hint: impl Into<String>) {
        let problem = self.problem(node, item, at, message, hint);
        self.problems.push(problem);
    }

    fn problem(&self, node: Node, item: Option<&str>, at: At, message: impl Into<String>, hint: impl Into<String>) -> Problem {
        let (line, column) = self.locate(node, at);
        Problem { file: self.files[node.file].0.clone(), line, column, item: item.map(str::to_string), message: message.into(), hint: hint.into() }
    }

    /// Finds a key or a text inside the element's lines; falls back on the element's start.
    fn locate(&self, node: Node, at: At) -> (u64, u64) {
        if let At::TextAfter(key, text) = at {
            return self.locate_after(node, key, text).unwrap_or_else(|| self.locate(node, At::Text(text)));
        }
        let text = &self.files[node.file].1;
        let lines = text.lines().enumerate().skip(node.line.saturating_sub(1) as usize).take((node.end.saturating_sub(node.line)).max(1) as usize);
        for (i, line) in lines {
            let found = match at {
                At::Start => None,
                At::Key(key) => find_key(line, key),
                At::Text(t) if !t.is_empty() => line.find(t),
                At::Text(_) | At::TextAfter(..) => None,
            };
            if let Some(byte) = found {
                return (i as u64 + 1, line[..byte].chars().count() as u64 + 1);
            }
        }
        (node.line, node.column)
    }

    /// Finds `text` after `key:` inside the element (on the key's line or below it).
    fn locate_after(&self, node: Node, key: &str, text: &str) -> Option<(u64, u64)> {
        if text.is_empty() {
            return None;
        }
        let lines =
            self.files[node.file].1.lines().enumerate().skip(node.line.saturating_sub(1) as usize).take((node.end.saturating_sub(node.line)).max(1) as usize);
        let mut after_key = false;
        for (i, line) in lines {
            let from = match find_key(line, key) {
                Some(at) if !after_key => {
                    after_key = true;
                    at + key.len() + 1
                }
                _ if after_key => 0,
                _ => continue,
            };
            if let Some(b) = line[from..].find(text) {
                return Some((i as u64 + 1, line[..from + b].chars().count() as u64 + 1));
            }
        }
        None
    }

    fn run(&mut self, source: Option<&Source>, seed: u64) -> Option<Bank> {
        let elements = self.parse_files();
        let paper = self.paper(&elements.paper)?;
        let topics = self.topics(&elements.topics);
        let topic_ids: HashSet<String> = topics.iter().map(|(_, t)| t.id.clone()).collect();
        let passages = self.passages(&elements.passages, &paper, source);
        let passage_ids: HashSet<String> = passages.iter().map(|p| p.id.clone()).collect();
        let refs = Refs { topics: &topic_ids, passages: &passage_ids };
        let knowledge = self.knowledge(&elements.knowledge, &refs);
        let mut questions = self.questions(&elements.questions, &refs);
        let mut motions = self.motions(&elements.motions, &refs);
        let mut prompts = self.prompts(&elements.prompts, &refs);
        self.check_entry_links(&knowledge);

        let passage_map: HashMap<&str, &Passage> = passages.iter().map(|p| (p.id.as_str(), p)).collect();
        for (node, q) in &questions {
            self.check_limits(*node, q, &passage_map);
        }
        // Factor and obstacle names are choice labels of generated items: no two may read alike.
        let mut names: HashMap<String, &str> = HashMap::new();
        for (node, e) in &knowledge {
            if let Fact::Factor { name, .. } | Fact::Obstacle { name, .. } = &e.fact {
                match names.get(&normalise(&name.to_lowercase())) {
                    Some(first) => self.report(
                        *node,
                        Some(&e.id),
                        At::Key("name"),
                        format!("the name `{name}` is already the name of `{first}`"),
                        "factors and obstacles need different names: they are the choices of generated questions",
                    ),
                    None => {
                        names.insert(normalise(&name.to_lowercase()), &e.id);
                    }
                }
            }
        }
        self.check_bounds(&knowledge, &questions, &passage_map);
        self.check_duplicates(&questions, &knowledge, &passage_map);
        let topic_list: Vec<Topic> = topics.into_iter().map(|(_, t)| t).collect();
        let entries: Vec<Entry> = knowledge.iter().map(|(_, e)| e.clone()).collect();
        let written: Vec<Question> = questions.iter().map(|(_, q)| q.clone()).collect();
        let generated = generate::generate(&entries, &passages, &written, seed);
        let written_ids: HashMap<String, Node> = questions.iter().map(|(n, q)| (q.id.clone(), *n)).collect();
        let entry_nodes: HashMap<&str, Node> = knowledge.iter().map(|(n, e)| (e.id.as_str(), *n)).collect();
        for g in generated {
            let node = entry_nodes.get(g.from.as_str()).copied().unwrap_or(Node { file: 0, line: 1, column: 1, end: 1 });
            if let Some(other) = written_ids.get(&g.question.id) {
                let (l, c) = self.locate(*other, At::Start);
                self.report(
                    node,
                    Some(&g.question.id),
                    At::Start,
                    format!("generated item id `{}` is already used by a written question at line {l}:{c}", g.question.id),
                    "rename the written question; generated ids start with `gen-`",
                );
            }
            self.check_limits(node, &g.question, &passage_map);
            if !g.question.answer.labels().is_empty() {
                self.check_choices(node, &g.question.id, g.question.answer.labels(), "choices");
            }
            questions.push((node, g.question));
        }
        let written = argue::Written { questions: &written, prompts: &prompts, motions: &motions };
        let arguments = argue::generate(&entries, &passages, &written);
        for (at, id, message) in argue::problems(&arguments, &entries, &passages, &written) {
            let node = entry_nodes.get(at.as_str()).copied().unwrap_or(Node { file: 0, line: 1, column: 1, end: 1 });
            self.report(node, Some(&id), At::Start, message, "fix the entries it comes from (`phrase`, `presented_in`, `cite`, `against`, `bears_on`)");
        }
        let taken: HashSet<&str> = prompts.iter().map(|p| p.id.as_str()).chain(motions.iter().map(|m| m.id.as_str())).collect();
        let clashes: Vec<(String, String)> = arguments
            .prompts
            .iter()
            .map(|g| (g.from[0].clone(), g.prompt.id.clone()))
            .chain(arguments.motions.iter().map(|g| (g.factor.clone(), g.motion.id.clone())))
            .filter(|(_, id)| taken.contains(id.as_str()))
            .collect();
        for (at, id) in clashes {
            let node = entry_nodes.get(at.as_str()).copied().unwrap_or(Node { file: 0, line: 1, column: 1, end: 1 });
            self.report(
                node,
                Some(&id),
                At::Start,
                format!("generated id `{id}` is already used by a written prompt or motion"),
                "rename the written one; generated ids start with `gen-`",
            );
        }
        prompts.extend(arguments.prompts.into_iter().map(|g| g.prompt));
        motions.extend(arguments.motions.into_iter().map(|g| g.motion));
        let warnings = self.craft(&questions, &passage_map);
        let places = questions.iter().map(|(n, q)| (q.id.clone(), Place { file: n.file, line: n.line })).collect();
        let mut bank = Bank::new(paper, topic_list, passages, entries, questions.into_iter().map(|(_, q)| q).collect(), motions, prompts);
        bank.warnings = warnings;
        bank.set_sources(self.files.iter().map(|(path, text)| BankFile { name: path.display().to_string(), text: text.clone() }).collect(), places);
        Some(bank)
    }

    /// An obstacle's `against` names factors, a figure's `bears_on` factors or obstacles.
    fn check_entry_links(&mut self, knowledge: &[(Node, Entry)]) {
        let kind_of: HashMap<&str, &Fact> = knowledge.iter().map(|(_, e)| (e.id.as_str(), &e.fact)).collect();
        for (node, e) in knowledge {
            for (key, ids, wants) in [("against", &e.against, "a factor"), ("bears_on", &e.bears_on, "a factor or an obstacle")] {
                for id in ids {
                    let fits = match kind_of.get(id.as_str()) {
                        Some(Fact::Factor { .. }) => true,
                        Some(Fact::Obstacle { .. }) => key == "bears_on",
                        Some(_) => false,
                        None => {
                            let reference = self.problem(
                                *node,
                                Some(&e.id),
                                At::TextAfter(key, id),
                                format!("unknown knowledge entry `{id}`"),
                                format!("name {wants} of the bank's knowledge"),
                            );
                            self.references.push(reference);
                            continue;
                        }
                    };
                    if !fits {
                        self.report(*node, Some(&e.id), At::TextAfter(key, id), format!("`{id}` in `{key}` is not {wants}"), format!("`{key}` names {wants}"));
                    }
                }
            }
        }
    }

    /// The craft rules (`bank::craft`) as warnings at each item's place; a pair names the other's.
    fn craft(&self, questions: &[(Node, Question)], passages: &HashMap<&str, &Passage>) -> Vec<Problem> {
        let items: Vec<Question> = questions.iter().map(|(_, q)| q.clone()).collect();
        let flags = super::craft::check(&items, |c| passages.get(c).map(|p| p.anchor.clone()), |c| passages.get(c).map(|p| p.quote.clone()));
        let mut out: Vec<Problem> = flags
            .into_iter()
            .map(|f| {
                let node = questions[f.item].0;
                let (line, column) = self.locate(node, f.text.as_deref().map_or(At::Key(f.key), |t| At::TextAfter(f.key, t)));
                let mut message = f.message;
                if let Some(o) = f.other {
                    let (l, c) = self.locate(questions[o].0, At::Key("id"));
                    message = format!("{message} (at {}:{l}:{c})", self.files[questions[o].0.file].0.display());
                }
                Problem { file: self.files[node.file].0.clone(), line, column, item: Some(items[f.item].id.clone()), message, hint: f.hint }
            })
            .collect();
        out.sort();
        out
    }

    /// A figure the paper gives as a bound ("more than 64 percent") is declared one, and a
    /// written numeric item whose answer the paper gives as a bound asks it as one.
    fn check_bounds(&mut self, knowledge: &[(Node, Entry)], questions: &[(Node, Question)], passages: &HashMap<&str, &Passage>) {
        let bound_in = |cites: &[String], value: f64| {
            cites.iter().filter_map(|c| passages.get(c.as_str())).find_map(|p| paper_bound(&p.quote, value).map(|(b, words)| (b, words, p.id.clone())))
        };
        for (node, e) in knowledge {
            let Fact::Figure { value, bound: None, .. } = &e.fact else { continue };
            if let Some((bound, words, passage)) = bound_in(&e.citations, *value) {
                let key = match bound {
                    Bound::AtLeast => "at_least",
                    Bound::MoreThan => "more_than",
                };
                self.report(
                    *node,
                    Some(&e.id),
                    At::Key("value"),
                    format!("the paper gives {value} as a bound («{words}» in {passage}), not as the figure"),
                    format!("add `bound: {key}`, so that questions ask it as a bound"),
                );
            }
        }
        for (node, q) in questions {
            let Answer::Numeric { value, .. } = &q.answer else { continue };
            let Some((bound, words, passage)) = bound_in(&q.citations, *value) else { continue };
            if !says_any(&q.prompt, BOUND_PROMPT_WORDS) {
                self.report(
                    *node,
                    Some(&q.id),
                    At::Key("prompt"),
                    format!("the paper gives {value} as a bound («{words}» in {passage}), but the prompt asks for the figure"),
                    format!("ask it as a bound (\"{} how many …\"), or ask something the paper gives exactly", bound.words()),
                );
            }
        }
    }

    /// No two written items ask the same thing (`similar`): the later one is reported, with
    /// the place of the first.
    fn check_duplicates(&mut self, questions: &[(Node, Question)], knowledge: &[(Node, Entry)], passages: &HashMap<&str, &Passage>) {
        let anchor = |c: &str| passages.get(c).map(|p| p.anchor.clone());
        let profiles: Vec<Profile> = questions.iter().map(|(_, q)| Profile::of(q, anchor)).collect();
        for j in 0..questions.len() {
            for i in 0..j {
                let Some(same) = profiles[i].same(&profiles[j]) else { continue };
                let (first, q) = (&questions[i], &questions[j]);
                let (l, c) = self.locate(first.0, At::Key("id"));
                let file = self.files[first.0.file].0.display().to_string();
                // Two numbers from one paragraph: name the knowledge entry they both ask, if there is one.
                let entry = profiles[j].number().and_then(|v| {
                    knowledge.iter().find_map(|(_, e)| match &e.fact {
                        Fact::Figure { value, .. }
                            if same_number(*value, v) && e.citations.iter().filter_map(|c| anchor(c)).any(|a| profiles[j].paragraphs().contains(&a)) =>
                        {
                            Some(e.id.clone())
                        }
                        _ => None,
                    })
                });
                let entry = entry.map(|e| format!(", the value of knowledge entry `{e}`")).unwrap_or_default();
                self.report(
                    q.0,
                    Some(&q.1.id),
                    At::Key("id"),
                    format!("asks the same as `{}` at {file}:{l}:{c}: {same}{entry}", first.1.id),
                    "keep the better of the two, or make them ask different things",
                );
            }
        }
    }

    fn parse_files(&mut self) -> Elements {
        let mut all = Elements::default();
        for file in 0..self.files.len() {
            let text = &self.files[file].1;
            if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#') || l.trim() == "---") {
                continue;
            }
            let raw: RawFile = match serde_saphyr::from_str(text) {
                Ok(raw) => raw,
                Err(e) => {
                    let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
                    let message = first_line(&e.to_string());
                    let hint = if message.contains("unknown field") {
                        "the top-level keys are paper, topics, passages, knowledge, questions, motions and prompts".to_string()
                    } else {
                        "fix the YAML syntax here; quote strings that contain `: ` or start with a special character".to_string()
                    };
                    let (message, hint) = crate::yaml::plain(&e).map_or((message, hint), |d| (d.message, d.hint));
                    let node = Node { file, line, column, end: line + 1 };
                    self.report(node, None, At::Start, message, hint);
                    self.unparsed.push(self.files[file].0.clone());
                    continue;
                }
            };
            let mut starts: Vec<u64> = Vec::new();
            let lists = [&raw.topics, &raw.passages, &raw.knowledge, &raw.questions, &raw.motions, &raw.prompts];
            for list in lists {
                starts.extend(list.iter().map(|s| s.referenced.line()));
            }
            if let Some(p) = &raw.paper {
                starts.push(p.referenced.line());
            }
            // Top-level keys end the element before them too.
            for (i, line) in text.lines().enumerate() {
                if line.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
                    starts.push(i as u64 + 1);
                }
            }
            starts.sort();
            let total = text.lines().count() as u64 + 1;
            let node_of = |s: &Spanned<Value>| {
                let line = s.referenced.line().max(1);
                let end = starts.iter().copied().find(|&l| l > line).unwrap_or(total);
                (Node { file, line, column: s.referenced.column().max(1), end }, s.value.clone())
            };
            all.paper.extend(raw.paper.iter().map(node_of));
            all.topics.extend(raw.topics.iter().map(node_of));
            all.passages.extend(raw.passages.iter().map(node_of));
            all.knowledge.extend(raw.knowledge.iter().map(node_of));
            all.questions.extend(raw.questions.iter().map(node_of));
            all.motions.extend(raw.motions.iter().map(node_of));
            all.prompts.extend(raw.prompts.iter().map(node_of));
        }
        all
    }

    /// Turns one element into its raw record, reporting unknown keys, missing keys and
    /// wrong types at the key they concern.
    fn decode<T: DeserializeOwned>(&mut self, node: Node, value: &Value, what: &str) -> Option<T> {
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(t) => Some(t),
            Err(e) => {
                let id = value.get("id").and_then(Value::as_str).map(str::to_string);
                let inner = e.inner().to_string();
                let path = e.path().to_string();
                let (at_key, hint) = if let Some(key) = between(&inner, "unknown field `", "`") {
                    (Some(key.to_string()), format!("remove `{key}` or correct its spelling; questions/README.md lists the keys of a {what}"))
                } else if let Some(key) = between(&inner, "missing field `", "`") {
                    (None, format!("add `{key}:` to this {what}"))
                } else {
                    let key = path.split(['.', '[']).find(|s| !s.is_empty()).map(str::to_string);
                    (key, format!("see questions/README.md for the shape of a {what}"))
                };
                let message = if path == "." || path.is_empty() { format!("{what}: {inner}") } else { format!("{what}: `{path}`: {inner}") };
                let at = at_key.as_deref().map(At::Key).unwrap_or(At::Start);
                self.report(node, id.as_deref(), at, message, hint);
                None
            }
        }
    }

    fn paper(&mut self, nodes: &[(Node, Value)]) -> Option<Paper> {
        if nodes.is_empty() {
            let node = Node { file: 0, line: 1, column: 1, end: 1 };
            if self.files.is_empty() {
                self.problems.push(Problem {
                    file: PathBuf::from("."),
                    line: 1,
                    column: 1,
                    item: None,
                    message: "the bank has no .yaml files".into(),
                    hint: "point the command at the folder that holds the bank, e.g. `questions`".into(),
                });
            } else {
                self.report(
                    node,
                    None,
                    At::Start,
                    "the bank has no `paper:`",
                    "add the paper's title, authors, year, journal, volume, pages, doi and sections to one file (see questions/README.md)",
                );
            }
            return None;
        }
        for (node, _) in &nodes[1..] {
            let first = nodes[0].0;
            let (l, c) = self.locate(first, At::Start);
            let file = self.files[first.file].0.display().to_string();
            self.report(*node, None, At::Start, format!("a second `paper:`; the first is at {file}:{l}:{c}"), "a bank teaches one paper: keep one `paper:`");
        }
        let (node, value) = &nodes[0];
        let raw: RawPaper = self.decode(*node, value, "paper")?;
        let mut seen = HashSet::new();
        let mut sections = Vec::new();
        for s in raw.sections {
            if !seen.insert(s.id.clone()) {
                self.report(*node, None, At::Text(&s.id), format!("section `{}` is listed twice", s.id), "list each section once");
            }
            sections.push(Section { id: s.id, title: s.title, paragraphs: s.paragraphs });
        }
        Some(Paper {
            title: raw.title,
            authors: raw.authors,
            year: raw.year,
            journal: raw.journal,
            volume: raw.volume,
            pages: raw.pages,
            doi: raw.doi,
            sections,
        })
    }

    /// Checks an id's form and its uniqueness within its kind. The element is checked on
    /// either way, so that one bad id does not hide the element's other problems.
    fn check_id(&mut self, node: Node, id: &str, what: &str, seen: &mut HashMap<String, (usize, u64, u64)>) {
        if id.is_empty() || id.len() > limits::MAX_ID || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            self.report(
                node,
                Some(id),
                At::Key("id"),
                format!("{what} id `{id}` must be 1 to {} characters of a-z, 0-9 and `-`", limits::MAX_ID),
                "shorten or rename the id; it must fit in a Discord custom_id beside a round id",
            );
        }
        let (line, column) = self.locate(node, At::Key("id"));
        if let Some((file, l, c)) = seen.get(id) {
            let first = self.files[*file].0.display().to_string();
            self.report(
                node,
                Some(id),
                At::Key("id"),
                format!("duplicate {what} id `{id}`; it is first defined at {first}:{l}:{c}"),
                format!("give this {what} another id"),
            );
            return;
        }
        seen.insert(id.to_string(), (node.file, line, column));
    }

    fn topics(&mut self, nodes: &[(Node, Value)]) -> Vec<(Node, Topic)> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        for (node, value) in nodes {
            let Some(raw) = self.decode::<RawTopic>(*node, value, "topic") else { continue };
            self.check_id(*node, &raw.id, "topic", &mut seen);
            let group = match raw.group.as_str() {
                "factor" => TopicGroup::Factor,
                "obstacle" => TopicGroup::Obstacle,
                "figures" => TopicGroup::Figures,
                "context" => TopicGroup::Context,
                other => {
                    self.report(*node, Some(&raw.id), At::Key("group"), format!("unknown topic group `{other}`"), "use factor, obstacle, figures or context");
                    continue;
                }
            };
            out.push((*node, Topic { id: raw.id, title: raw.title, group }));
        }
        out
    }

    fn passages(&mut self, nodes: &[(Node, Value)], paper: &Paper, source: Option<&Source>) -> Vec<Passage> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        let mut sections: Vec<&Section> = paper.sections.iter().collect();
        sections.sort_by_key(|s| std::cmp::Reverse(s.id.len()));
        for (node, value) in nodes {
            let Some(raw) = self.decode::<RawPassage>(*node, value, "passage") else { continue };
            self.check_id(*node, &raw.id, "passage", &mut seen);
            let Some((anchor, section)) = anchor_of(&raw.id, &sections) else {
                self.report(*node, Some(&raw.id), At::Key("id"), format!("passage id `{}` does not begin with a paragraph anchor of the paper", raw.id), "begin it with SECTION-pN (e.g. `s7-economic-p2`), a paragraph that exists, then `-suffix` if needed; see the bank's paper/anchors.tsv (questions/paper/anchors.tsv)");
                continue;
            };
            let quote = raw.quote.trim().to_string();
            if quote.is_empty() {
                self.report(*node, Some(&raw.id), At::Key("quote"), "the quote is empty", "copy one to three sentences of the paragraph, verbatim");
                continue;
            }
            self.no_backslash(*node, &raw.id, [("quote", &quote)]);
            let n = sentences(&quote);
            if n > 3 {
                self.report(
                    *node,
                    Some(&raw.id),
                    At::Key("quote"),
                    format!("the quote has {n} sentences; a passage is one to three"),
                    "split it into two passages with their own suffixes",
                );
            }
            if quote.chars().count() > crate::limits::FIELD_VALUE {
                self.report(
                    *node,
                    Some(&raw.id),
                    At::Key("quote"),
                    format!("the quote is {} characters; a Discord embed field holds {}", quote.chars().count(), crate::limits::FIELD_VALUE),
                    "quote at most three sentences",
                );
            }
            if let Some(src) = source {
                self.check_quote(*node, &raw.id, &anchor, &quote, src);
            }
            out.push(Passage { id: raw.id, anchor, section, quote, source: raw.source });
        }
        out
    }

    fn check_quote(&mut self, node: Node, id: &str, anchor: &str, quote: &str, src: &Source) {
        let q = normalise(quote);
        if src.paragraph(anchor).is_some_and(|p| p.contains(&q)) || (!src.has_anchors() && src.holds(&q)) {
            return;
        }
        let holders = src.anchors_holding(&q);
        if let Some(first) = holders.first() {
            self.report(
                node,
                Some(id),
                At::Key("quote"),
                format!("the quote is in {}, not in {anchor}", holders.join(", ")),
                format!("rename the passage to begin with `{first}`"),
            );
            return;
        }
        if src.holds(&q) {
            self.report(
                node,
                Some(id),
                At::Key("quote"),
                "the quote is in the paper, but in no anchored paragraph",
                "quote a paragraph of the text: the bank's paper/anchors.tsv lists them",
            );
            return;
        }
        let message = match src.near_miss(&q) {
            Some(miss) => {
                let at = miss.differs_at;
                let ours: String = q.chars().skip(at.saturating_sub(15)).take(40).collect();
                let theirs: String = miss.stretch.chars().skip(at.saturating_sub(15)).take(40).collect();
                format!(
                    "the quote is not in the paper; the closest stretch ({}) is «{}»; they differ at character {}: the quote has «{}» where the paper has «{}»",
                    miss.anchor.as_deref().unwrap_or("unanchored"),
                    miss.stretch,
                    at + 1,
                    ours,
                    theirs
                )
            }
            None => "the quote is not in the paper".to_string(),
        };
        self.report(
            node,
            Some(id),
            At::Key("quote"),
            message,
            "copy the words exactly as paper.md has them (only escapes, `*`, curly quotes and spacing are forgiven)",
        );
    }

    fn refs(&mut self, node: Node, id: &str, key: &str, list: &[String], known: &HashSet<String>, what: &str) {
        for r in list {
            if !known.contains(r) {
                let reference = self.problem(
                    node,
                    Some(id),
                    At::TextAfter(key, r),
                    format!("unknown {what} `{r}`"),
                    format!("define the {what} `{r}` or cite one that exists"),
                );
                self.references.push(reference);
            }
        }
    }

    fn knowledge(&mut self, nodes: &[(Node, Value)], refs: &Refs) -> Vec<(Node, Entry)> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        for (node, value) in nodes {
            let node = *node;
            let Some(raw) = self.decode::<RawEntry>(node, value, "knowledge entry") else { continue };
            self.check_id(node, &raw.id, "knowledge entry", &mut seen);
            let id = raw.id.clone();
            self.refs(node, &id, "topic", std::slice::from_ref(&raw.topic), refs.topics, "topic");
            if raw.cite.is_empty() {
                self.report(node, Some(&id), At::Key("id"), "the entry cites no passage", "add `cite: [passage-id]`");
            }
            self.refs(node, &id, "cite", &raw.cite, refs.passages, "passage");
            let need = |loader: &mut Loader, key: &str, v: Option<String>| -> Option<String> {
                match v.filter(|s| !s.trim().is_empty()) {
                    Some(v) => Some(v),
                    None => {
                        loader.report(node, Some(&id), At::Key("kind"), format!("a `{}` entry needs `{key}`", raw.kind), format!("add `{key}:`"));
                        None
                    }
                }
            };
            let shown = [
                ("name", &raw.name),
                ("summary", &raw.summary),
                ("what", &raw.what),
                ("measures", &raw.measures),
                ("unit", &raw.unit),
                ("role", &raw.role),
                ("phrase", &raw.phrase),
            ];
            self.no_backslash(node, &id, shown.iter().filter_map(|(k, v)| v.as_ref().map(|v| (*k, v))));
            let is_named = matches!(raw.kind.as_str(), "factor" | "obstacle");
            if !is_named && !raw.presented_in.is_empty() {
                self.report(
                    node,
                    Some(&id),
                    At::Key("presented_in"),
                    format!("a `{}` entry takes no `presented_in`", raw.kind),
                    "only factors and obstacles name the passages that present them; remove the key",
                );
            }
            for (key, given, takes) in [
                ("phrase", raw.phrase.is_some(), is_named),
                ("against", !raw.against.is_empty(), raw.kind == "obstacle"),
                ("bears_on", !raw.bears_on.is_empty(), raw.kind == "figure"),
            ] {
                if given && !takes {
                    let who = match key {
                        "phrase" => "only factors and obstacles are argued over",
                        "against" => "only an obstacle names the factors the paper sets it against",
                        _ => "only a figure names the factors and obstacles it bears on",
                    };
                    self.report(node, Some(&id), At::Key(key), format!("a `{}` entry takes no `{key}`", raw.kind), format!("{who}; remove the key"));
                }
            }
            if raw.kind != "figure" && raw.bound.is_some() {
                self.report(
                    node,
                    Some(&id),
                    At::Key("bound"),
                    format!("a `{}` entry takes no `bound`", raw.kind),
                    "only a figure can be a bound; remove the key",
                );
            }
            let fact = match raw.kind.as_str() {
                "factor" | "obstacle" => {
                    let name = need(self, "name", raw.name.clone());
                    let summary = need(self, "summary", raw.summary.clone());
                    let (Some(name), Some(summary)) = (name, summary) else { continue };
                    if name.chars().count() > crate::limits::LABEL {
                        self.report(
                            node,
                            Some(&id),
                            At::Key("name"),
                            format!("the name is {} characters; a button label holds {}", name.chars().count(), crate::limits::LABEL),
                            "shorten the name; it is used as a quiz choice",
                        );
                    }
                    for p in &raw.presented_in {
                        if !raw.cite.contains(p) {
                            self.report(
                                node,
                                Some(&id),
                                At::TextAfter("presented_in", p),
                                format!("`{p}` is in `presented_in` but not in `cite`"),
                                "`presented_in` names some of the entry's citations: add it to `cite` too, or remove it",
                            );
                        }
                    }
                    let presented_in = raw.presented_in.clone();
                    if raw.kind == "factor" { Fact::Factor { name, summary, presented_in } } else { Fact::Obstacle { name, summary, presented_in } }
                }
                "figure" => {
                    let unit = need(self, "unit", raw.unit.clone());
                    let measures = need(self, "measures", raw.measures.clone());
                    let period = need(self, "period", raw.period.as_ref().map(scalar_text));
                    if raw.value.is_none() {
                        self.report(node, Some(&id), At::Key("kind"), "a `figure` entry needs `value` (a number)", "add `value:`");
                    }
                    if let Some(words) = measures.as_deref().and_then(|m| BOUND_WORDS.iter().find(|w| says_any(m, &[w]))) {
                        self.report(
                            node,
                            Some(&id),
                            At::Key("measures"),
                            format!("`measures` says «{words}»: a bound belongs in `bound`, where questions are asked as one"),
                            "write what is measured in `measures` and add `bound: at_least` or `bound: more_than`",
                        );
                    }
                    let bound = raw.bound.as_deref().map(|b| (b, Bound::parse(b)));
                    if let Some((other, None)) = bound {
                        self.report(
                            node,
                            Some(&id),
                            At::Key("bound"),
                            format!("unknown bound `{other}`"),
                            "use `at_least` (\"at least 43\", \"25% or more\") or `more_than` (\"more than 64 percent\", \"over 70%\")",
                        );
                        continue;
                    }
                    let bound = bound.and_then(|(_, b)| b);
                    let (Some(value), Some(unit), Some(measures), Some(period)) = (raw.value, unit, measures, period) else { continue };
                    Fact::Figure { value, unit, measures, period, bound }
                }
                "event" => {
                    let date = need(self, "date", raw.date.as_ref().map(scalar_text));
                    let what = need(self, "what", raw.what.clone());
                    let (Some(date), Some(what)) = (date, what) else { continue };
                    if !valid_date(&date) {
                        self.report(
                            node,
                            Some(&id),
                            At::Key("date"),
                            format!("date `{date}` is not YYYY, YYYY-MM or YYYY-MM-DD"),
                            "write the date as the paper gives it, e.g. 2022-02-04 or 1993",
                        );
                        continue;
                    }
                    Fact::Event { date, what }
                }
                "actor" => {
                    let name = need(self, "name", raw.name.clone());
                    let role = need(self, "role", raw.role.clone());
                    let (Some(name), Some(role)) = (name, role) else { continue };
                    Fact::Actor { name, role }
                }
                other => {
                    self.report(node, Some(&id), At::Key("kind"), format!("unknown knowledge kind `{other}`"), "use factor, obstacle, figure, event or actor");
                    continue;
                }
            };
            let phrase = raw.phrase.map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
            out.push((node, Entry { id: raw.id, topic: raw.topic, citations: raw.cite, phrase, against: raw.against, bears_on: raw.bears_on, fact }));
        }
        out
    }

    fn questions(&mut self, nodes: &[(Node, Value)], refs: &Refs) -> Vec<(Node, Question)> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        for (node, value) in nodes {
            let Some(raw) = self.decode::<RawQuestion>(*node, value, "question") else { continue };
            self.check_id(*node, &raw.id, "question", &mut seen);
            if let Some(q) = self.question(*node, raw, refs) {
                out.push((*node, q));
            }
        }
        out
    }

    fn question(&mut self, node: Node, raw: RawQuestion, refs: &Refs) -> Option<Question> {
        let id = raw.id.clone();
        let ok = std::cell::Cell::new(true);
        let bad = |loader: &mut Loader, at: At, message: String, hint: &str| {
            loader.report(node, Some(&id), at, message, hint);
            ok.set(false);
        };
        if !(1..=3).contains(&raw.difficulty) {
            bad(self, At::Key("difficulty"), format!("difficulty {} is not 1, 2 or 3", raw.difficulty), "1 recall, 2 understanding, 3 analysis");
        }
        if raw.topics.is_empty() {
            bad(self, At::Key("id"), "the question has no topics".into(), "add `topics: [topic-id]` (topics are declared under `topics:`)");
        }
        if raw.cite.is_empty() {
            bad(self, At::Key("id"), "the question cites no passage".into(), "add `cite: [passage-id]`: every answer shows the passage behind it");
        }
        if raw.prompt.trim().is_empty() {
            bad(self, At::Key("prompt"), "the prompt is empty".into(), "write the question the student sees");
        }
        // Neutral wording on a charged subject: an item asks what the paper says, not what is true.
        let prompt_words: Vec<String> = raw.prompt.to_lowercase().split(|c: char| !c.is_alphanumeric()).map(str::to_string).collect();
        let asks_about_the_paper = ["paper", "abstract", "section", "fig", "article", "author", "authors"].iter().any(|w| prompt_words.iter().any(|p| p == w));
        if !raw.prompt.trim().is_empty() && !asks_about_the_paper {
            bad(
                self,
                At::Key("prompt"),
                "the prompt does not say it asks what the paper says".into(),
                "begin with \"According to the paper, …\" (or name the section or figure it asks about)",
            );
        }
        if raw.explanation.trim().is_empty() {
            bad(self, At::Key("explanation"), "the explanation is empty".into(), "say why the answer is right and why the most tempting distractor is wrong");
        }
        let answers: Vec<String> = raw.answer.iter().filter_map(|v| v.as_str().map(str::to_string)).chain(raw.aliases.iter().cloned()).collect();
        let texts = [("prompt", &raw.prompt), ("explanation", &raw.explanation)]
            .into_iter()
            .chain(raw.choices.iter().chain(raw.items.iter()).flatten().map(|c| ("choices", c)))
            .chain(answers.iter().map(|a| ("answer", a)));
        if !self.no_backslash(node, &id, texts) {
            ok.set(false);
        }
        let unknown_topics = raw.topics.iter().filter(|t| !refs.topics.contains(*t)).count();
        let unknown_cites = raw.cite.iter().filter(|c| !refs.passages.contains(*c)).count();
        self.refs(node, &id, "topics", &raw.topics, refs.topics, "topic");
        self.refs(node, &id, "cite", &raw.cite, refs.passages, "passage");
        if unknown_topics + unknown_cites > 0 {
            ok.set(false);
        }

        let Some(kind) = Kind::parse(&raw.kind) else {
            self.report(
                node,
                Some(&id),
                At::Key("kind"),
                format!("unknown question kind `{}`", raw.kind),
                "use single, true_false, multi, numeric, ordering or short",
            );
            return None;
        };
        // Keys that the kind does not take are mistakes, not decoration.
        let present = [
            ("choices", raw.choices.is_some()),
            ("items", raw.items.is_some()),
            ("answer", raw.answer.is_some()),
            ("aliases", !raw.aliases.is_empty()),
            ("unit", raw.unit.is_some()),
            ("scale", raw.scale.is_some()),
            ("tolerance", raw.tolerance.is_some()),
        ];
        let takes: &[&str] = match kind {
            Kind::Single | Kind::Multi => &["choices", "answer"],
            Kind::TrueFalse => &["answer"],
            Kind::Numeric => &["answer", "unit", "scale", "tolerance"],
            Kind::Ordering => &["items"],
            Kind::Short => &["answer", "aliases"],
        };
        for (key, is) in present {
            if is && !takes.contains(&key) {
                let message = format!("a `{}` question takes no `{key}`", kind.as_str());
                bad(self, At::Key(key), message, "remove the key, or change `kind`");
            }
        }
        let answer = match kind {
            Kind::Single | Kind::Multi => {
                let choices = raw.choices.clone().unwrap_or_default();
                if !self.check_choices(node, &id, &choices, "choices") {
                    ok.set(false);
                }
                let letters = match (&raw.answer, kind) {
                    (Some(Value::String(s)), Kind::Single) => vec![s.clone()],
                    (Some(Value::Array(a)), Kind::Multi) => a.iter().map(scalar_text).collect(),
                    (Some(Value::String(s)), Kind::Multi) => vec![s.clone()],
                    (None, _) => {
                        let message = "the question has no `answer`".to_string();
                        bad(
                            self,
                            At::Key("id"),
                            message,
                            if kind == Kind::Single {
                                "add `answer: A` (the letter of the correct choice)"
                            } else {
                                "add `answer: [A, C]` (the letters of the correct choices)"
                            },
                        );
                        return None;
                    }
                    (Some(other), _) => {
                        let message = format!("`answer` {} is not a choice letter", scalar_text(other));
                        bad(
                            self,
                            At::Key("answer"),
                            message,
                            if kind == Kind::Single {
                                "write one letter: A for the first choice, B for the second…"
                            } else {
                                "write a list of letters, e.g. [A, C]"
                            },
                        );
                        return None;
                    }
                };
                if letters.is_empty() {
                    bad(self, At::Key("answer"), "a multiple select with no correct choice".into(), "list at least one letter, e.g. [A]");
                    return None;
                }
                let mut correct = Vec::new();
                for letter in &letters {
                    match letter_index(letter) {
                        Some(i) if i < choices.len() => correct.push(i),
                        Some(_) => {
                            let last = (b'A' + choices.len().saturating_sub(1) as u8) as char;
                            bad(
                                self,
                                At::Key("answer"),
                                format!("answer `{letter}` is out of range: there are {} choices (A to {last})", choices.len()),
                                "point at an existing choice, or add the missing choice",
                            );
                        }
                        None => {
                            bad(self, At::Key("answer"), format!("answer `{letter}` is not a choice letter"), "write A for the first choice, B for the second…")
                        }
                    }
                }
                correct.sort();
                if correct.windows(2).any(|w| w[0] == w[1]) {
                    bad(self, At::Key("answer"), "the same letter is listed twice in `answer`".into(), "list each correct letter once");
                    correct.dedup();
                }
                if !ok.get() || correct.is_empty() {
                    return None;
                }
                if kind == Kind::Single { Answer::Single { choices, correct: correct[0] } } else { Answer::Multi { choices, correct } }
            }
            Kind::TrueFalse => match raw.answer {
                Some(Value::Bool(b)) => Answer::TrueFalse { correct: b },
                _ => {
                    bad(
                        self,
                        At::Key(if raw.answer.is_some() { "answer" } else { "id" }),
                        "a true_false question needs `answer: true` or `answer: false`".into(),
                        "write true or false, without quotes",
                    );
                    return None;
                }
            },
            Kind::Numeric => {
                let value = match raw.answer.as_ref().and_then(Value::as_f64) {
                    Some(v) => v,
                    None => {
                        bad(
                            self,
                            At::Key(if raw.answer.is_some() { "answer" } else { "id" }),
                            "a numeric question needs a number as `answer`".into(),
                            "write the number in the unit given by `unit`, e.g. `answer: 244.8`",
                        );
                        return None;
                    }
                };
                let tolerance = raw.tolerance.unwrap_or(0.0);
                if tolerance < 0.0 || !tolerance.is_finite() {
                    bad(
                        self,
                        At::Key("tolerance"),
                        format!("tolerance {tolerance} is negative"),
                        "a tolerance is how far from the answer still counts: 0 or more",
                    );
                }
                let unit = raw.unit.clone().unwrap_or_default();
                if unit.trim().is_empty() {
                    bad(
                        self,
                        At::Key("id"),
                        "a numeric question needs `unit`".into(),
                        "add the unit the student answers in, e.g. `unit: US$ billion` or `unit: percent`",
                    );
                }
                let scale = match raw.scale.as_deref().unwrap_or("one") {
                    "one" => Scale::One,
                    "thousand" => Scale::Thousand,
                    "million" => Scale::Million,
                    "billion" => Scale::Billion,
                    other => {
                        bad(self, At::Key("scale"), format!("unknown scale `{other}`"), "use one, thousand, million or billion");
                        Scale::One
                    }
                };
                Answer::Numeric { value, unit, tolerance, scale }
            }
            Kind::Ordering => {
                let items = raw.items.clone().unwrap_or_default();
                if items.len() < 2 {
                    bad(
                        self,
                        At::Key(if raw.items.is_some() { "items" } else { "id" }),
                        "an ordering question needs at least two `items`".into(),
                        "list the items in the correct order",
                    );
                }
                if !self.check_choices(node, &id, &items, "items") {
                    ok.set(false);
                }
                Answer::Ordering { items }
            }
            Kind::Short => {
                let mut accepted = Vec::new();
                match &raw.answer {
                    Some(v @ (Value::String(_) | Value::Number(_))) => accepted.push(scalar_text(v)),
                    _ => bad(
                        self,
                        At::Key(if raw.answer.is_some() { "answer" } else { "id" }),
                        "a short question needs `answer`: the model answer as text".into(),
                        "write the answer, e.g. `answer: Manchuria`",
                    ),
                }
                accepted.extend(raw.aliases.iter().cloned());
                if accepted.iter().any(|a| a.chars().all(|c| !c.is_alphanumeric())) {
                    bad(self, At::Key("aliases"), "an accepted answer has no letters or digits".into(), "remove it");
                }
                Answer::Short { accepted }
            }
        };
        if !ok.get() {
            return None;
        }
        Some(Question {
            id: raw.id,
            origin: Origin::Written,
            topics: raw.topics,
            difficulty: raw.difficulty,
            prompt: raw.prompt.trim().to_string(),
            answer,
            explanation: raw.explanation.trim().to_string(),
            citations: raw.cite,
        })
    }

    /// A backslash in text a student sees is almost always `\"` written inside a single-quoted
    /// YAML string, where YAML keeps it; reports the first such key. `true` when there is none.
    fn no_backslash<'t>(&mut self, node: Node, id: &str, texts: impl IntoIterator<Item = (&'t str, &'t String)>) -> bool {
        for (key, text) in texts {
            if text.contains('\\') {
                self.report(
                    node,
                    Some(id),
                    At::TextAfter(key, "\\"),
                    format!("a backslash in `{key}` would be shown to the student"),
                    "in a single-quoted YAML string write \" without a backslash (and '' for an apostrophe), or use a double-quoted string",
                );
                return false;
            }
        }
        true
    }

    /// Choice or item labels: 2 to 25, none empty, none longer than a button label, no two the same.
    fn check_choices(&mut self, node: Node, id: &str, labels: &[String], key: &str) -> bool {
        let mut ok = true;
        if labels.len() < 2 || labels.len() > limits::MAX_CHOICES {
            self.report(
                node,
                Some(id),
                At::Key(key),
                format!("{} {key}: a question needs 2 to {}", labels.len(), limits::MAX_CHOICES),
                "Discord shows at most 25 buttons or menu options",
            );
            ok = false;
        }
        let mut seen: HashMap<String, &str> = HashMap::new();
        for label in labels {
            let n = label.chars().count();
            if label.trim().is_empty() {
                self.report(node, Some(id), At::Key(key), format!("an empty entry in `{key}`"), "remove it or write the label");
                ok = false;
            } else if n > crate::limits::LABEL {
                self.report(
                    node,
                    Some(id),
                    At::Text(label),
                    format!("a label of {n} characters; a Discord button label holds {}", crate::limits::LABEL),
                    "shorten it; move detail into the prompt or the explanation",
                );
                ok = false;
            }
            let key_text = normalise(&label.to_lowercase());
            if let Some(first) = seen.get(&key_text) {
                self.report(node, Some(id), At::Text(label), format!("duplicate {key} `{label}` (same as `{first}`)"), "every choice must be different");
                ok = false;
            } else {
                seen.insert(key_text, label);
            }
        }
        ok
    }

    fn check_limits(&mut self, node: Node, q: &Question, passages: &HashMap<&str, &Passage>) {
        let quotes: Vec<&str> = q.citations.iter().filter_map(|c| passages.get(c.as_str()).map(|p| p.quote.as_str())).collect();
        for problem in limits::render_problems(q, &quotes) {
            self.report(
                node,
                Some(&q.id),
                At::Start,
                problem,
                "shorten the prompt, choices, explanation or cited quotes so the question fits one Discord message",
            );
        }
    }

    fn motions(&mut self, nodes: &[(Node, Value)], refs: &Refs) -> Vec<Motion> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        for (node, value) in nodes {
            let Some(raw) = self.decode::<RawMotion>(*node, value, "motion") else { continue };
            self.check_id(*node, &raw.id, "motion", &mut seen);
            self.refs(*node, &raw.id, "topics", &raw.topics, refs.topics, "topic");
            self.refs(*node, &raw.id, "proposition", &raw.proposition, refs.passages, "passage");
            self.refs(*node, &raw.id, "opposition", &raw.opposition, refs.passages, "passage");
            for (side, list) in [("proposition", &raw.proposition), ("opposition", &raw.opposition)] {
                if list.is_empty() {
                    self.report(
                        *node,
                        Some(&raw.id),
                        At::Key("id"),
                        format!("the motion has no evidence for the {side}"),
                        format!("add `{side}: [passage-id, …]`: each side needs evidence from the paper"),
                    );
                }
            }
            self.no_backslash(*node, &raw.id, [("motion", &raw.motion), ("info", &raw.info)]);
            if raw.motion.chars().count() > crate::limits::TITLE {
                self.report(
                    *node,
                    Some(&raw.id),
                    At::Key("motion"),
                    format!("the motion is {} characters; an embed title holds {}", raw.motion.chars().count(), crate::limits::TITLE),
                    "shorten the motion; put context in `info`",
                );
            }
            out.push(Motion {
                id: raw.id,
                origin: Origin::Written,
                motion: raw.motion,
                info: raw.info,
                topics: raw.topics,
                proposition: raw.proposition,
                opposition: raw.opposition,
            });
        }
        out
    }

    fn prompts(&mut self, nodes: &[(Node, Value)], refs: &Refs) -> Vec<Prompt> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        for (node, value) in nodes {
            let Some(raw) = self.decode::<RawPrompt>(*node, value, "prompt") else { continue };
            self.check_id(*node, &raw.id, "prompt", &mut seen);
            self.refs(*node, &raw.id, "topics", &raw.topics, refs.topics, "topic");
            self.refs(*node, &raw.id, "passages", &raw.passages, refs.passages, "passage");
            let kind = match raw.kind.as_str() {
                "explain" => PromptKind::Explain,
                "compare" => PromptKind::Compare,
                "evaluate" => PromptKind::Evaluate,
                "apply" => PromptKind::Apply,
                other => {
                    self.report(*node, Some(&raw.id), At::Key("kind"), format!("unknown prompt kind `{other}`"), "use explain, compare, evaluate or apply");
                    continue;
                }
            };
            self.no_backslash(*node, &raw.id, std::iter::once(("task", &raw.task)).chain(raw.rubric.iter().map(|r| ("rubric", r))));
            if raw.passages.is_empty() || raw.rubric.is_empty() {
                self.report(*node, Some(&raw.id), At::Key("id"), "a prompt needs suggested `passages` and `rubric` criteria", "add both lists");
            }
            out.push(Prompt { id: raw.id, origin: Origin::Written, kind, task: raw.task, topics: raw.topics, passages: raw.passages, rubric: raw.rubric });
        }
        out
    }
}

struct Refs<'a> {
    topics: &'a HashSet<String>,
    passages: &'a HashSet<String>,
}

/// The anchor and section of a passage id: `s7-economic-p2-trade` → (`s7-economic-p2`, `s7-economic`).
fn anchor_of(id: &str, sections_longest_first: &[&Section]) -> Option<(String, String)> {
    for s in sections_longest_first {
        let Some(rest) = id.strip_prefix(s.id.as_str()) else { continue };
        if s.paragraphs == 0 {
            if rest.is_empty() || rest.starts_with('-') {
                return Some((s.id.clone(), s.id.clone()));
            }
            continue;
        }
        let Some(rest) = rest.strip_prefix("-p") else { continue };
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let after = &rest[digits.len()..];
        let n: u32 = digits.parse().ok()?;
        if n == 0 || n > s.paragraphs || !(after.is_empty() || (after.starts_with('-') && after.len() > 1)) {
            return None;
        }
        return Some((format!("{}-p{n}", s.id), s.id.clone()));
    }
    None
}

/// Sentences in a quote (see `words::sentence_starts`).
fn sentences(quote: &str) -> usize {
    super::words::sentence_starts(quote).len()
}

/// Whether `text` says one of `phrases` as whole words ("over", not "turnover").
fn says_any(text: &str, phrases: &[&str]) -> bool {
    let text = format!(" {} ", super::words::words(text).join(" ").to_lowercase());
    phrases.iter().any(|p| text.contains(&format!(" {p} ")))
}

/// Where `quote` gives `value` as a lower bound ("more than 64 percent", "at least 43",
/// "over 70%", "25% or more"): the bound and the words that say it.
fn paper_bound(quote: &str, value: f64) -> Option<(Bound, String)> {
    let number = if value.fract() == 0.0 && value.abs() < 1e15 { format!("{}", value as i64) } else { format!("{value}") };
    let lower = quote.to_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(&number) {
        let at = from + found;
        let end = at + number.len();
        from = end;
        let before = lower[..at].chars().next_back();
        let after: Vec<char> = lower[end..].chars().take(2).collect();
        let part_of_a_number = before.is_some_and(|c| c.is_ascii_digit() || c == '.' || c == ',')
            || after.first().is_some_and(char::is_ascii_digit)
            || (matches!(after.first(), Some('.' | ',')) && after.get(1).is_some_and(char::is_ascii_digit));
        if part_of_a_number {
            continue;
        }
        let head = lower[..at].trim_end_matches(['$', ' ']).trim_end_matches("us").trim_end();
        for (words, bound) in [
            ("more than", Bound::MoreThan),
            ("over", Bound::MoreThan),
            ("greater than", Bound::MoreThan),
            ("in excess of", Bound::MoreThan),
            ("at least", Bound::AtLeast),
        ] {
            if head.ends_with(words) && head[..head.len() - words.len()].chars().next_back().is_none_or(|c| !c.is_alphanumeric()) {
                return Some((bound, format!("{words} {number}")));
            }
        }
        let tail: String = lower[end..].chars().take(24).collect();
        if let Some(i) = tail.find(" or more")
            && !tail[..i].chars().any(|c| c.is_ascii_digit())
        {
            return Some((Bound::AtLeast, format!("{number}{}", &tail[..i + " or more".len()])));
        }
    }
    None
}

fn letter_index(letter: &str) -> Option<usize> {
    let mut chars = letter.trim().chars();
    let c = chars.next()?.to_ascii_uppercase();
    (chars.next().is_none() && c.is_ascii_uppercase()).then(|| (c as u8 - b'A') as usize)
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn valid_date(d: &str) -> bool {
    let parts: Vec<&str> = d.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2) && ("01"..="12").contains(m),
        [y, m, day] => digits(y, 4) && digits(m, 2) && digits(day, 2) && ("01"..="12").contains(m) && ("01"..="31").contains(day),
        _ => false,
    }
}

/// Finds `key:` at the start of a mapping entry in one line (after indentation, `- `, `{` or `, `).
fn find_key(line: &str, key: &str) -> Option<usize> {
    let pattern = format!("{key}:");
    let mut from = 0;
    while let Some(i) = line[from..].find(&pattern) {
        let at = from + i;
        let before = line[..at].trim_end();
        if before.is_empty() || before.ends_with('-') || before.ends_with('{') || before.ends_with(',') {
            return Some(at);
        }
        from = at + pattern.len();
    }
    None
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = s.find(open)? + open.len();
    let end = s[start..].find(close)? + start;
    Some(&s[start..end])
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or(s);
    // serde-saphyr prefixes "error: line L column C: "; the location is printed separately.
    let line = line.strip_prefix("error: ").unwrap_or(line);
    match line.find(": ") {
        Some(i) if line.starts_with("line ") => line[i + 2..].to_string(),
        _ => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_come_from_the_longest_section_id() {
        let secs = [
            Section { id: "s7".into(), title: String::new(), paragraphs: 3 },
            Section { id: "s7-economic".into(), title: String::new(), paragraphs: 4 },
            Section { id: "figure-1".into(), title: String::new(), paragraphs: 0 },
        ];
        let mut refs: Vec<&Section> = secs.iter().collect();
        refs.sort_by_key(|s| std::cmp::Reverse(s.id.len()));
        assert_eq!(anchor_of("s7-economic-p2-trade", &refs), Some(("s7-economic-p2".into(), "s7-economic".into())));
        assert_eq!(anchor_of("s7-p3", &refs), Some(("s7-p3".into(), "s7".into())));
        assert_eq!(anchor_of("figure-1-caption", &refs), Some(("figure-1".into(), "figure-1".into())));
        assert_eq!(anchor_of("s7-p4", &refs), None);
        assert_eq!(anchor_of("s7-p0", &refs), None);
        assert_eq!(anchor_of("s7-p1x", &refs), None);
    }

    #[test]
    fn sentences_are_counted_past_abbreviations() {
        assert_eq!(sentences("First, they have complementary economies."), 1);
        assert_eq!(sentences("The U.S. leads. Russia objects! Does China? \"Yes.\" It does."), 5);
        assert_eq!(sentences("In both theaters, their primary adversary is the United States (Rumer, 2024: 4)"), 1);
    }

    #[test]
    fn bounds_are_read_where_the_paper_gives_them() {
        let quote = "In 2023, trade reached a new record of $240 billion, up more than 64 percent since 2021.";
        assert_eq!(paper_bound(quote, 64.0), Some((Bound::MoreThan, "more than 64".into())));
        assert_eq!(paper_bound(quote, 240.0), None);
        assert_eq!(paper_bound("Although over 70% of Russia's territory lies in Asia", 70.0), Some((Bound::MoreThan, "over 70".into())));
        assert_eq!(paper_bound("the two leaders meeting at least 43 times since 2013", 43.0), Some((Bound::AtLeast, "at least 43".into())));
        assert_eq!(paper_bound("sales constituted 25% or more of the total value of trade", 25.0), Some((Bound::AtLeast, "25% or more".into())));
        assert_eq!(paper_bound("it has decreased to about 3% of total trade", 3.0), None);
        assert_eq!(paper_bound("a rise of more than 164 percent", 64.0), None);
        assert_eq!(paper_bound("developed over the years, 43 meetings", 43.0), None);
    }

    #[test]
    fn keys_are_found_only_where_a_mapping_entry_starts() {
        assert_eq!(find_key("    answer: B", "answer"), Some(4));
        assert_eq!(find_key("  - {id: a, answer: B}", "answer"), Some(12));
        assert_eq!(find_key("    prompt: the answer: B", "answer"), None);
    }
}
