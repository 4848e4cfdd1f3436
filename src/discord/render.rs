//! Everything the bot shows, built as plain data: embeds, buttons, ephemeral notices.
//!
//! Invariant: every `Reply` built here fits Discord's limits (`Reply::problems` names any
//! limit it breaks, and the tests render every passage and question of the real bank through
//! it); text taken from the paper, the bank or a user is escaped, so it shows as written and
//! never turns into formatting. Nothing here touches the network: `discord::reply` turns a
//! `Reply` into a message, and adds the empty `allowed_mentions` every message carries.

use std::fmt::Write;

use crate::bank::source::{Source, normalise};
use crate::bank::{Bank, Kind, Origin, Passage, Problems, Question, TopicGroup};

pub use crate::limits;

/// Colours of the bot's embeds.
pub mod colour {
    pub const PAPER: u32 = 0x2b6cb0;
    pub const OK: u32 = 0x2f855a;
    pub const PROBLEM: u32 = 0xc05621;
}

/// One message, before it is sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    pub content: Option<String>,
    pub embeds: Vec<Embed>,
    /// Action rows of buttons.
    pub rows: Vec<Vec<Button>>,
    /// A select menu, in a row of its own above the buttons.
    pub menu: Option<Menu>,
    /// Seen only by the user who caused it (interaction replies only).
    pub ephemeral: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Embed {
    pub title: Option<String>,
    pub description: Option<String>,
    pub fields: Vec<Field>,
    pub footer: Option<String>,
    pub colour: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub inline: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Button {
    pub custom_id: String,
    pub label: String,
    pub style: ButtonStyle,
    pub disabled: bool,
}

/// A string select menu: the user picks between `min` and `max` of its options.
#[derive(Debug, Clone, PartialEq)]
pub struct Menu {
    pub custom_id: String,
    pub placeholder: String,
    /// Each option's label and value.
    pub options: Vec<(String, String)>,
    pub min: u8,
    pub max: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonStyle {
    Primary,
    Secondary,
    Success,
    Danger,
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

impl Embed {
    /// The characters Discord counts towards the 6000 of one message.
    pub fn total_chars(&self) -> usize {
        self.title.as_deref().map_or(0, chars)
            + self.description.as_deref().map_or(0, chars)
            + self.footer.as_deref().map_or(0, chars)
            + self.fields.iter().map(|f| chars(&f.name) + chars(&f.value)).sum::<usize>()
    }

    fn field(mut self, name: impl Into<String>, value: impl Into<String>, inline: bool) -> Embed {
        self.fields.push(Field { name: name.into(), value: value.into(), inline });
        self
    }
}

impl Reply {
    /// An ephemeral notice: a sentence for the one user who caused it.
    pub fn notice(text: impl Into<String>) -> Reply {
        Reply { content: Some(truncate(&text.into(), limits::CONTENT)), ephemeral: true, ..Reply::default() }
    }

    /// Every Discord limit this message breaks, in words; empty when it can be sent.
    pub fn problems(&self) -> Vec<String> {
        use limits::*;
        let mut out = Vec::new();
        let mut check = |what: String, len: usize, max: usize| {
            if len > max {
                out.push(format!("{what} has {len} characters; Discord allows {max}"));
            }
        };
        if let Some(c) = &self.content {
            check("the content".into(), chars(c), CONTENT);
        }
        for (i, e) in self.embeds.iter().enumerate() {
            let n = i + 1;
            if let Some(t) = &e.title {
                check(format!("embed {n}'s title"), chars(t), TITLE);
            }
            if let Some(d) = &e.description {
                check(format!("embed {n}'s description"), chars(d), DESCRIPTION);
            }
            if let Some(f) = &e.footer {
                check(format!("embed {n}'s footer"), chars(f), FOOTER);
            }
            for (j, f) in e.fields.iter().enumerate() {
                check(format!("embed {n}'s field {}'s name", j + 1), chars(&f.name), FIELD_NAME);
                check(format!("embed {n}'s field {}'s value", j + 1), chars(&f.value), FIELD_VALUE);
            }
        }
        for (i, row) in self.rows.iter().enumerate() {
            for b in row {
                check(format!("button `{}`'s label in row {}", b.custom_id, i + 1), chars(&b.label), LABEL);
                check(format!("the custom_id `{}`", b.custom_id), chars(&b.custom_id), CUSTOM_ID);
            }
        }
        if let Some(m) = &self.menu {
            check(format!("the menu's custom_id `{}`", m.custom_id), chars(&m.custom_id), CUSTOM_ID);
            check("the menu's placeholder".into(), chars(&m.placeholder), SELECT_PLACEHOLDER);
            for (label, value) in &m.options {
                check(format!("the menu's option `{value}`'s label"), chars(label), SELECT_OPTION);
                check(format!("the menu's option `{value}`'s value"), chars(value), SELECT_OPTION);
            }
        }
        let total: usize = self.embeds.iter().map(Embed::total_chars).sum();
        check("all embeds together".into(), total, EMBED_TOTAL);
        if self.embeds.len() > EMBEDS {
            out.push(format!("{} embeds; Discord allows {EMBEDS}", self.embeds.len()));
        }
        for (i, e) in self.embeds.iter().enumerate() {
            if e.fields.len() > FIELDS {
                out.push(format!("embed {} has {} fields; Discord allows {FIELDS}", i + 1, e.fields.len()));
            }
            if e.fields.iter().any(|f| f.name.trim().is_empty() || f.value.trim().is_empty()) {
                out.push(format!("embed {} has a field with an empty name or value, which Discord refuses", i + 1));
            }
            if e.title.is_none() && e.description.is_none() && e.fields.is_empty() {
                out.push(format!("embed {} is empty", i + 1));
            }
        }
        if let Some(m) = &self.menu {
            let n = m.options.len();
            if n == 0 || n > SELECT_OPTIONS {
                out.push(format!("the menu has {n} options; Discord allows 1 to {SELECT_OPTIONS}"));
            }
            if m.min < 1 || m.min > m.max || usize::from(m.max) > n {
                out.push(format!("the menu takes {} to {} of {n} options; Discord needs 1 ≤ min ≤ max ≤ options", m.min, m.max));
            }
        }
        let rows = self.rows.len() + usize::from(self.menu.is_some());
        if rows > ROWS {
            out.push(format!("{rows} rows of components; Discord allows {ROWS}"));
        }
        for (i, row) in self.rows.iter().enumerate() {
            if row.is_empty() || row.len() > BUTTONS_PER_ROW {
                out.push(format!("row {} has {} buttons; Discord allows 1 to {BUTTONS_PER_ROW}", i + 1, row.len()));
            }
            if row.iter().any(|b| b.custom_id.is_empty() || b.label.trim().is_empty()) {
                out.push(format!("row {} has a button without a custom_id or label", i + 1));
            }
        }
        if self.content.as_deref().is_none_or(|c| c.trim().is_empty()) && self.embeds.is_empty() && self.rows.is_empty() && self.menu.is_none() {
            out.push("the message is empty".into());
        }
        out
    }
}

/// Cuts `s` to at most `max` characters, ending with `…` when it was cut.
pub fn truncate(s: &str, max: usize) -> String {
    if chars(s) <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Zero-width space: put after the `<` of `<@…>`, `<#…>`, `</…:…>` and after the `@` of
/// `@everyone` / `@here`, it keeps the text as written but stops a client rendering it as a
/// mention (as Discord bots commonly do; `allowed_mentions` already stops the ping).
const ZWSP: char = '\u{200B}';

/// Text from people with every mention neutralised: a user (`<@1>`, `<@!1>`), role (`<@&1>`),
/// channel (`<#1>`) or command (`</name:1>`) mention, `@everyone` and `@here` show as
/// written and render as none. [`escape`] applies it; titles (which render no Markdown, so
/// are not escaped) call it on names and student text themselves.
pub fn unmention(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        out.push(c);
        let rest = &text[i + c.len_utf8()..];
        let mention = match c {
            '<' => rest.starts_with(['@', '#', '/']),
            '@' => rest.starts_with("everyone") || rest.starts_with("here"),
            _ => false,
        };
        if mention {
            out.push(ZWSP);
        }
    }
    out
}

/// A name (as stored or as Discord sends it) for a title: [`crate::text::display_name`],
/// with no mention.
pub fn title_name(name: &str) -> String {
    unmention(&crate::text::display_name(name))
}

/// Escapes Discord's Markdown, so text shows as written: `*`, `_`, `~`, `` ` ``, `|`, `\`,
/// a `>` or `#` or `-` that would start a quote, heading or list, and links' brackets; and
/// neutralises mentions ([`unmention`]).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut line_start = true;
    for c in text.chars() {
        let special = matches!(c, '*' | '_' | '~' | '`' | '|' | '\\' | '[' | ']') || (line_start && matches!(c, '>' | '#' | '-'));
        if special {
            out.push('\\');
        }
        out.push(c);
        line_start = c == '\n' || (line_start && c == ' ');
    }
    unmention(&out)
}

/// Inline code that holds `text` as written (backticks cannot be escaped inside code spans).
pub fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "ˋ"))
}

/// The paper as a short reference, for footers.
fn citation_line(bank: &Bank) -> String {
    let p = &bank.paper;
    let authors = p.authors.iter().map(|a| a.rsplit(' ').next().unwrap_or(a)).collect::<Vec<_>>().join(", ");
    truncate(&format!("{authors} ({}). {}. {} {}, {}. doi:{}", p.year, p.title, p.journal, p.volume, p.pages, p.doi), limits::FOOTER)
}

/// The section's title as the bank names it, or its id.
fn section_title<'b>(bank: &'b Bank, id: &'b str) -> &'b str {
    bank.section(id).map_or(id, |s| s.title.as_str())
}

/// The paragraph `paragraph` with `quote` in bold, both escaped, in at most `budget`
/// characters: the whole paragraph when it fits, otherwise the quote with as much of the
/// text around it as fits, cut ends marked `…`.
pub fn paragraph_with_quote(paragraph: &str, quote: &str, budget: usize) -> String {
    let quote = normalise(quote);
    let (before, hit, after) = match paragraph.find(&quote) {
        Some(at) if !quote.is_empty() => (&paragraph[..at], &paragraph[at..at + quote.len()], &paragraph[at + quote.len()..]),
        _ => ("", "", paragraph),
    };
    let build = |b: &str, cut_b: bool, a: &str, cut_a: bool, h: &str| {
        let mut s = String::new();
        if cut_b {
            s.push('…');
        }
        s.push_str(&escape(b));
        if !h.is_empty() {
            let _ = write!(s, "**{}**", escape(h));
        }
        s.push_str(&escape(a));
        if cut_a {
            s.push('…');
        }
        s
    };
    let whole = build(before, false, after, false, hit);
    if chars(&whole) <= budget {
        return whole;
    }
    // Too long: keep the quote (cut if it alone is too long) and shrink the context around it
    // until the escaped text fits.
    let b: Vec<char> = before.chars().collect();
    let a: Vec<char> = after.chars().collect();
    let h: Vec<char> = hit.chars().collect();
    let mut keep_h = h.len();
    let mut keep_b = b.len();
    let mut keep_a = a.len();
    loop {
        let h_text: String = h[..keep_h].iter().collect();
        let b_text: String = b[b.len() - keep_b..].iter().collect();
        let a_text: String = a[..keep_a].iter().collect();
        let s = build(&b_text, keep_b < b.len(), &a_text, keep_a < a.len() || keep_h < h.len(), &h_text);
        let over = chars(&s).saturating_sub(budget);
        if over == 0 {
            return s;
        }
        // Take from the longer side first; from the quote only when no context is left.
        let step = over.max(1);
        if keep_b == 0 && keep_a == 0 {
            keep_h = keep_h.saturating_sub(step);
        } else if keep_b >= keep_a {
            keep_b = keep_b.saturating_sub(step.min(keep_b).max(1));
        } else {
            keep_a = keep_a.saturating_sub(step.min(keep_a).max(1));
        }
    }
}

/// One passage as an embed: section, anchor and passage id, the quote, and the paragraph it
/// stands in with the quote in bold, in at most `budget` characters of embed text. A
/// paragraph that does not fit is shown around the quote; none at all when `budget` leaves
/// no room, with a pointer to `/source` for it.
pub fn passage_embed(bank: &Bank, paper: &Source, p: &Passage, budget: usize) -> Embed {
    let mut embed = Embed {
        title: Some(truncate(section_title(bank, &p.section), limits::TITLE)),
        colour: Some(colour::PAPER),
        footer: Some(citation_line(bank)),
        ..Embed::default()
    };
    embed = embed.field("Quote", truncate(&format!("> {}", escape(&normalise(&p.quote))), limits::FIELD_VALUE), false);
    embed = embed.field("Paragraph", code(&p.anchor), true).field("Passage", code(&p.id), true);
    if let Some(cited) = &p.source {
        embed = embed.field("The paper cites", truncate(&escape(cited), limits::FIELD_VALUE), true);
    }
    let room = budget.saturating_sub(embed.total_chars()).min(limits::DESCRIPTION);
    embed.description = match paper.paragraph(&p.anchor) {
        Some(paragraph) if room >= 200 => Some(paragraph_with_quote(paragraph, &p.quote, room)),
        Some(_) => Some(format!("The whole paragraph: {}", code(&format!("/source {}", p.id)))),
        None => Some(format!("The paper's text has no paragraph {}; the quote above is the passage.", code(&p.anchor))),
    };
    embed
}

/// What `/source` shows for a passage: its embed, the whole paragraph included.
pub fn source_passage(bank: &Bank, paper: &Source, p: &Passage) -> Reply {
    Reply { embeds: vec![passage_embed(bank, paper, p, limits::EMBED_TOTAL)], ..Reply::default() }
}

/// What `/source` shows for a question: the passages it cites, each with its paragraph while
/// the message has room (the rest with their quote and a pointer to `/source PASSAGE`).
pub fn source_question(bank: &Bank, paper: &Source, q: &Question) -> Reply {
    let cited: Vec<&Passage> = q.citations.iter().filter_map(|id| bank.passage(id)).collect();
    let shown = cited.len().min(limits::EMBEDS);
    let mut content = format!("Question {} cites {} passage{} of the paper", code(&q.id), cited.len(), if cited.len() == 1 { "" } else { "s" });
    if shown < cited.len() {
        let rest: Vec<String> = cited[shown..].iter().map(|p| code(&p.id)).collect();
        let _ = write!(content, "; the first {shown} are below, and `/source` shows the others: {}", rest.join(", "));
    }
    content.push(':');
    let mut embeds = Vec::new();
    let mut left = limits::EMBED_TOTAL;
    for (i, p) in cited[..shown].iter().enumerate() {
        // Leave each later passage room for its quote and labels (about 900 characters).
        let reserve = (shown - i - 1) * 900;
        let mut embed = passage_embed(bank, paper, p, left.saturating_sub(reserve));
        // A paragraph is shown once, with the first passage cited from it.
        if cited[..i].iter().any(|earlier| earlier.anchor == p.anchor) {
            embed.description = Some(format!("From the same paragraph as the passage above ({}).", code(&p.anchor)));
        }
        left = left.saturating_sub(embed.total_chars());
        embeds.push(embed);
    }
    Reply { content: Some(truncate(&content, limits::CONTENT)), embeds, ..Reply::default() }
}

/// What `/source` shows for a paragraph anchor: the whole paragraph, in its section, and
/// the bank's passages quoted from it.
pub fn source_paragraph(bank: &Bank, paper: &Source, anchor: &str) -> Reply {
    let quoted: Vec<&Passage> = bank.passages.iter().filter(|p| p.anchor == anchor).collect();
    let section = quoted.first().map_or("", |p| p.section.as_str());
    let ids: Vec<String> = quoted.iter().map(|p| code(&p.id)).collect();
    let embed = Embed {
        title: Some(truncate(section_title(bank, section), limits::TITLE)),
        description: Some(match paper.paragraph(anchor) {
            Some(text) => truncate(&escape(&normalise(text)), limits::DESCRIPTION),
            None => format!("The paper's text has no paragraph {}.", code(anchor)),
        }),
        colour: Some(colour::PAPER),
        footer: Some(citation_line(bank)),
        ..Embed::default()
    }
    .field("Paragraph", code(anchor), true)
    .field("Passages quoted from it", truncate(&ids.join(", "), limits::FIELD_VALUE), true);
    Reply { embeds: vec![embed], ..Reply::default() }
}

fn group_name(group: TopicGroup) -> &'static str {
    match group {
        TopicGroup::Factor => "Factors of convergence",
        TopicGroup::Obstacle => "Obstacles and limitations",
        TopicGroup::Figures => "Figures and dates",
        TopicGroup::Context => "The rest of the argument",
    }
}

/// `/bank info`: what the bank holds, by kind and by topic.
pub fn bank_info(bank: &Bank) -> Reply {
    let written = bank.questions.iter().filter(|q| q.origin == Origin::Written).count();
    let generated = bank.questions.len() - written;
    let description = format!(
        "**{}** quiz items ({written} written, {generated} generated from {} knowledge entries), **{}** debate motions, **{}** argument prompts, **{}** passages of the paper.",
        bank.questions.len(),
        bank.knowledge.len(),
        bank.motions.len(),
        bank.prompts.len(),
        bank.passages.len()
    );
    let mut embed = Embed {
        title: Some(truncate(&format!("The question bank: {}", bank.paper.title), limits::TITLE)),
        description: Some(description),
        colour: Some(colour::PAPER),
        footer: Some(citation_line(bank)),
        ..Embed::default()
    };
    let mut kinds = String::new();
    for kind in Kind::ALL {
        let all = bank.questions.iter().filter(|q| q.kind() == kind).count();
        let generated = bank.questions.iter().filter(|q| q.kind() == kind && q.origin == Origin::Generated).count();
        let _ = writeln!(kinds, "{}: **{all}**{}", kind.title(), if generated > 0 { format!(" ({generated} generated)") } else { String::new() });
    }
    embed = embed.field("Items by kind", truncate(&kinds, limits::FIELD_VALUE), false);
    for group in [TopicGroup::Factor, TopicGroup::Obstacle, TopicGroup::Figures, TopicGroup::Context] {
        let mut lines = String::new();
        for t in bank.topics.iter().filter(|t| t.group == group) {
            let n = bank.questions.iter().filter(|q| q.topics.contains(&t.id)).count();
            let _ = writeln!(lines, "{}: **{n}**", escape(&t.title));
        }
        if !lines.is_empty() {
            embed = embed.field(group_name(group), truncate(&lines, limits::FIELD_VALUE), false);
        }
    }
    Reply { embeds: vec![embed], ..Reply::default() }
}

/// `/bank reload` that worked: the new counts beside the old.
pub fn bank_reloaded(dir: &str, before: &Bank, after: &Bank) -> Reply {
    let line = |what: &str, old: usize, new: usize| {
        let change = match new as i64 - old as i64 {
            0 => "unchanged".to_string(),
            d => format!("{d:+}"),
        };
        format!("{what}: **{new}** ({change})\n")
    };
    let mut description = format!("Every file in {} passed the checker; the new bank is in use now.\n\n", code(dir));
    description.push_str(&line("Quiz items", before.questions.len(), after.questions.len()));
    description.push_str(&line("Debate motions", before.motions.len(), after.motions.len()));
    description.push_str(&line("Argument prompts", before.prompts.len(), after.prompts.len()));
    description.push_str(&line("Passages", before.passages.len(), after.passages.len()));
    let embed = Embed { title: Some("Bank reloaded".into()), description: Some(description), colour: Some(colour::OK), ..Embed::default() };
    Reply { embeds: vec![embed], ephemeral: true, ..Reply::default() }
}

/// How many problems a failed reload shows.
pub const PROBLEMS_SHOWN: usize = 5;

/// `/bank reload` that failed the checker: the first problems, each with file:line:column.
/// The name of the file that lists every problem of a failed reload.
pub const PROBLEMS_FILE: &str = "bank-problems.txt";

/// Every problem of a failed reload as a text file, when there are more than the reply
/// shows ([`PROBLEMS_SHOWN`]).
pub fn bank_problems_file(problems: &Problems) -> Option<Vec<u8>> {
    (problems.0.len() > PROBLEMS_SHOWN).then(|| format!("{problems}\n").into_bytes())
}

pub fn bank_reload_failed(dir: &str, problems: &Problems) -> Reply {
    let n = problems.0.len();
    let mut description = format!(
        "The bank in {} has {n} problem{}, so nothing changed: students keep the bank that was in use. Fix {} and run `/bank reload` again.\n",
        code(dir),
        if n == 1 { "" } else { "s" },
        if n == 1 { "it" } else { "them" }
    );
    let mut listing = String::new();
    for p in problems.0.iter().take(PROBLEMS_SHOWN) {
        let _ = writeln!(listing, "{p}");
    }
    let listing = listing.replace("```", "`\u{200b}``");
    // Room for the fence and the closing sentence.
    let room = limits::DESCRIPTION - chars(&description) - 200;
    let _ = write!(description, "```\n{}\n```", truncate(listing.trim_end(), room));
    if n > PROBLEMS_SHOWN {
        let _ = write!(description, "…and {} more: all {n} are in the attached file {}, in the order to fix them.", n - PROBLEMS_SHOWN, code(PROBLEMS_FILE));
    }
    let embed = Embed { title: Some("The bank was not reloaded".into()), description: Some(description), colour: Some(colour::PROBLEM), ..Embed::default() };
    Reply { embeds: vec![embed], ephemeral: true, ..Reply::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_mention_survives_escaping() {
        let z = ZWSP;
        assert_eq!(
            escape("<@1> <@!2> <@&3> <#4> </quiz start:5> @everyone @here a@b <t:6:R> <:e:7>"),
            format!("<{z}@1> <{z}@!2> <{z}@&3> <{z}#4> <{z}/quiz start:5> @{z}everyone @{z}here a@b <t:6:R> <:e:7>")
        );
        assert_eq!(title_name("<@1>"), format!("<{z}@1>"));
    }

    #[test]
    fn escaping_keeps_text_as_written() {
        assert_eq!(escape("a*b_c ~d~ `e` |f| \\g"), "a\\*b\\_c \\~d\\~ \\`e\\` \\|f\\| \\\\g");
        assert_eq!(escape("> quote\n# title\n- item, a - b"), "\\> quote\n\\# title\n\\- item, a - b");
        assert_eq!(escape("[link](http://x)"), "\\[link\\](http://x)");
    }

    #[test]
    fn truncation_counts_characters_and_marks_the_cut() {
        assert_eq!(truncate("Россия и Китай", 6), "Россия".chars().take(5).collect::<String>() + "…");
        assert_eq!(truncate("short", 80), "short");
        assert_eq!(chars(&truncate(&"x".repeat(5000), 4096)), 4096);
    }

    #[test]
    fn the_quote_is_bold_in_its_whole_paragraph() {
        let s = paragraph_with_quote("First sentence. The quote_here is it. Last one.", "The quote_here is it.", 4096);
        assert_eq!(s, "First sentence. **The quote\\_here is it.** Last one.");
    }

    #[test]
    fn a_paragraph_too_long_is_cut_around_the_quote() {
        let para = format!("{} The quote. {}", "a".repeat(3000), "b".repeat(3000));
        let s = paragraph_with_quote(&para, "The quote.", 1000);
        assert!(chars(&s) <= 1000, "{}", chars(&s));
        assert!(s.starts_with('…') && s.ends_with('…') && s.contains("**The quote.**"), "{s}");
        let long_quote = "q".repeat(2000);
        let s = paragraph_with_quote(&long_quote, &long_quote, 500);
        assert!(chars(&s) <= 500 && s.starts_with("**q"), "{s}");
    }

    #[test]
    fn limits_are_checked() {
        let mut r = Reply { content: Some("x".repeat(2001)), ..Reply::default() };
        r.embeds.push(Embed {
            title: Some("t".repeat(257)),
            fields: vec![Field { name: "n".into(), value: "v".repeat(1025), inline: false }],
            ..Embed::default()
        });
        r.rows.push(vec![Button { custom_id: "c".repeat(101), label: "l".repeat(81), style: ButtonStyle::Primary, disabled: false }; 6]);
        let p = r.problems().join("\n");
        for needle in ["content has 2001", "title has 257", "value has 1025", "label in row 1 has 81", "custom_id", "row 1 has 6 buttons"] {
            assert!(p.contains(needle), "{needle} missing from:\n{p}");
        }
        assert_eq!(Reply::default().problems(), vec!["the message is empty".to_string()]);
        assert!(Reply::notice("ok").problems().is_empty());
        let option = |i: usize| ("o".repeat(101), i.to_string());
        let menu = Menu { custom_id: "m".into(), placeholder: "p".repeat(151), options: (0..26).map(option).collect(), min: 2, max: 30 };
        let r = Reply {
            menu: Some(menu),
            rows: vec![vec![Button { custom_id: "b".into(), label: "b".into(), style: ButtonStyle::Primary, disabled: false }]; 5],
            ..Reply::default()
        };
        let p = r.problems().join("\n");
        for needle in ["placeholder has 151", "option `0`'s label has 101", "menu has 26 options", "takes 2 to 30 of 26", "6 rows of components"] {
            assert!(p.contains(needle), "{needle} missing from:\n{p}");
        }
    }

    /// The real bank and paper, as `agora serve` loads them.
    fn real() -> (Bank, Source) {
        let questions = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("questions");
        let paper = Source::read(&crate::discord::paper_path(&questions)).expect("the paper");
        let bank = crate::discord::load_bank(&questions, &paper).unwrap_or_else(|p| panic!("{p}"));
        (bank, paper)
    }

    /// Undoes `escape` and the bold markers, to compare with the paper's text.
    fn plain(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.replace("**", "").chars().collect::<Vec<_>>().into_iter().peekable();
        while let Some(c) = chars.next() {
            if c == '\\' && chars.peek().is_some_and(|n| n.is_ascii_punctuation()) {
                out.push(chars.next().unwrap());
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn source_shows_every_passage_of_the_real_bank_whole_and_within_discords_limits() {
        let (bank, paper) = real();
        assert!(bank.passages.len() > 50, "the real bank has its passages");
        for p in &bank.passages {
            let r = source_passage(&bank, &paper, p);
            assert_eq!(r.problems(), Vec::<String>::new(), "/source {}", p.id);
            let e = &r.embeds[0];
            let paragraph = paper.paragraph(&p.anchor).unwrap();
            let description = e.description.as_deref().unwrap();
            assert_eq!(plain(description), paragraph, "/source {} shows the whole paragraph", p.id);
            assert!(description.contains(&format!("**{}**", escape(&normalise(&p.quote)))), "/source {} puts the quote in bold", p.id);
            let fields: Vec<&str> = e.fields.iter().map(|f| f.value.as_str()).collect();
            assert!(fields.contains(&code(&p.anchor).as_str()) && fields.contains(&code(&p.id).as_str()), "{}", p.id);
            assert_eq!(e.title.as_deref(), Some(bank.section(&p.section).unwrap().title.as_str()));
        }
        for q in &bank.questions {
            let r = source_question(&bank, &paper, q);
            assert_eq!(r.problems(), Vec::<String>::new(), "/source {}", q.id);
            for id in q.citations.iter().take(limits::EMBEDS) {
                let quote = escape(&normalise(&bank.passage(id).unwrap().quote));
                assert!(r.embeds.iter().any(|e| e.fields.iter().any(|f| f.value.contains(&quote))), "/source {} shows the quote of {id}", q.id);
            }
        }
        assert_eq!(bank_info(&bank).problems(), Vec::<String>::new());
    }

    #[test]
    fn source_on_a_question_shows_each_paragraph_once_and_an_anchor_its_paragraph() {
        let (bank, paper) = real();
        let mut shared = 0;
        for q in &bank.questions {
            let r = source_question(&bank, &paper, q);
            let mut seen: Vec<&str> = Vec::new();
            for e in &r.embeds {
                let anchor = e.fields.iter().find(|f| f.name == "Paragraph").map(|f| f.value.as_str()).unwrap();
                let whole = e.description.as_deref().is_some_and(|d| d.len() > 200);
                assert!(!(whole && seen.contains(&anchor)), "/source {} shows paragraph {anchor} twice", q.id);
                shared += usize::from(seen.contains(&anchor));
                if whole {
                    seen.push(anchor);
                }
            }
        }
        assert!(shared > 0, "the real bank has questions citing two passages of one paragraph");
        let r = source_paragraph(&bank, &paper, "s7-economic-p2");
        assert_eq!(r.problems(), Vec::<String>::new());
        assert_eq!(plain(r.embeds[0].description.as_deref().unwrap()), paper.paragraph("s7-economic-p2").unwrap());
        assert!(r.embeds[0].fields.iter().any(|f| f.value.contains("`s7-economic-p2-total`")), "{:?}", r.embeds[0].fields);
    }

    #[test]
    fn a_failed_reload_shows_the_first_problems_within_the_limits() {
        let (bank, _) = real();
        let problem = |i: usize| crate::bank::Problem {
            file: "questions/factors.yaml".into(),
            line: i as u64,
            column: 7,
            item: Some(format!("item-{i}")),
            message: format!("problem {i} with ```fences``` and {}", "x".repeat(900)),
            hint: "fix it".into(),
        };
        let problems = Problems((1..=40).map(problem).collect());
        let r = bank_reload_failed("questions", &problems);
        assert_eq!(r.problems(), Vec::<String>::new());
        let d = r.embeds[0].description.as_deref().unwrap();
        assert!(d.contains("questions/factors.yaml:1:7: [item-1] problem 1") && d.contains("35 more") && d.contains("40 problems"), "{d}");
        assert!(d.contains("all 40 are in the attached file `bank-problems.txt`") && !d.contains("agora bank check"), "no shell command: {d}");
        let file = String::from_utf8(bank_problems_file(&problems).unwrap()).unwrap();
        assert!(file.contains("[item-40] problem 40") && file.trim_end().ends_with("40 problems"), "the file lists them all");
        assert!(r.ephemeral);
        let ok = bank_reloaded("questions", &bank, &bank);
        assert_eq!(ok.problems(), Vec::<String>::new());
        assert!(ok.embeds[0].description.as_deref().unwrap().contains("unchanged"));
    }
}
