//! The class page as HTML: maud templates (every value from students or the bank escaped by
//! the engine) with inline SVG charts, each beside a table of its numbers; no script, no
//! font or file from elsewhere; one column that fits a phone, wide tables scroll in their box.

use maud::{DOCTYPE, Markup, html};

use crate::app::{BankFileView, Dashboard, HeatmapRow, ItemView, ReleaseView, RoundHeld, Tally, TopicColumn};
use crate::ids::Millis;

/// The page's one stylesheet, served from `/dashboard.css` (the policy allows no inline style).
pub const STYLE: &str = include_str!("style.css");

/// The page for `report`, opened with `token`; `by`: a topic id to sort the heatmap's students by.
pub fn render(report: &Dashboard, token: &str, by: Option<&str>) -> String {
    let by = by.and_then(|id| report.topics.iter().position(|t| t.id == id));
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(&format!("Class page · {}", report.paper_title)))
            body {
                header {
                    h1 { "The class at a glance" }
                    p.meta {
                        (report.paper_title) " · server " (report.guild) " · read " (when(report.read_at)) " · link expires " (when(report.expires_at))
                        @if report.anonymous { " · names hidden (anonymous leaderboards)" }
                    }
                    nav {
                        a href="#mastery" { "Mastery" } " · " a href="#items" { "Items" } " · " a href="#rounds" { "Rounds" } " · "
                        a href="#debates" { "Debates" } " · " a href="#queue" { "Review queue" } " · "
                        a href={ "/dashboard/" (token) "/gradebook.csv" } download="gradebook.csv" { "Gradebook (CSV)" }
                    }
                }
                (heatmap(report, token, by))
                (items(&report.items, token))
                (rounds(&report.rounds))
                (debates(&report.debates))
                section #queue {
                    h2 { "Review queue" }
                    p {
                        strong { (report.queue.waiting) } @if report.queue.waiting == 1 { " prompt answer waits" } @else { " prompt answers wait" } " for review"
                        @if let Some(at) = report.queue.oldest_at { "; the oldest was sent " (when(at)) " (" (age(report.read_at - at)) " ago)" }
                        "."
                    }
                }
            }
        }
    }
    .into_string()
}

/// Every page's head: a phone's width, no referrer, the one stylesheet.
fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="referrer" content="no-referrer";
            title { (title) }
            link rel="stylesheet" href="/dashboard.css";
        }
    }
}

/// Accuracy as a whole percentage, or a dash.
fn percent(t: Tally) -> String {
    t.accuracy().map_or_else(|| "–".to_owned(), |a| format!("{:.0}%", a * 100.0))
}

/// A cell's fill: red (0%) through amber to green (100%); grey when nothing was answered.
fn shade(t: Tally) -> String {
    match t.accuracy() {
        None => "#e5e7eb".to_owned(),
        Some(a) => format!("hsl({:.0}, 70%, {:.0}%)", a * 120.0, 62.0 - a * 12.0),
    }
}

fn heatmap(report: &Dashboard, token: &str, by: Option<usize>) -> Markup {
    let mut rows: Vec<&HeatmapRow> = report.students.iter().collect();
    if let Some(col) = by {
        rows.sort_by(|a, b| cell_order(a.cells[col]).total_cmp(&cell_order(b.cells[col])));
    }
    let (cell, label) = (22.0, 110.0);
    // Topics nobody answered come last: the table leaves them out and says which they are.
    let answered = 0..report.topics.iter().take_while(|t| t.class.answered > 0).count();
    let width = label + cell * report.topics.len() as f64;
    let height = 24.0 + cell * rows.len() as f64;
    html! {
        section #mastery {
            h2 { "Mastery: students × topics" }
            p.note { "Topics run from the class's weakest to its strongest. Each cell is a student's share correct in a topic (grey: not answered). "
                "Sort the students " a href={ "/dashboard/" (token) "#mastery" } { "by name" } ", or by a topic's column (weakest first) with its link in the table." }
            @if rows.is_empty() {
                p { "No student has answered yet." }
            } @else {
                div.stack {
                    figure.chart {
                        svg #heatmap viewBox={ "0 0 " (width) " " (height) } role="img" aria-label="Mastery heatmap" {
                            @for (j, t) in report.topics.iter().enumerate() {
                                text x=(label + cell * j as f64 + cell / 2.0) y="16" text-anchor="middle" font-size="10" { "T" (j + 1) }
                                title { (t.title) }
                            }
                            @for (i, row) in rows.iter().enumerate() {
                                text x=(label - 4.0) y=(24.0 + cell * i as f64 + 15.0) text-anchor="end" font-size="11" { (short(&row.name, 16)) }
                                @for (j, t) in row.cells.iter().enumerate() {
                                    rect x=(label + cell * j as f64 + 1.0) y=(24.0 + cell * i as f64 + 1.0) width=(cell - 2.0) height=(cell - 2.0) fill=(shade(*t)) {
                                        title { (row.name) " · " (report.topics[j].title) ": " (percent(*t)) " of " (t.answered) }
                                    }
                                }
                            }
                        }
                    }
                    div.scroll.wide {
                        table #mastery-table {
                            thead { tr { th { "Student" } th { "All" } @for j in answered.clone() { @let t = &report.topics[j];
                                th { a href={ "/dashboard/" (token) "?by=" (t.id) "#mastery" } title=(t.title) { "T" (j + 1) } }
                            } } }
                            tbody {
                                tr.class { th { "Class" } td { "" } @for j in answered.clone() { @let t = &report.topics[j]; td { (percent(t.class)) small { " (" (t.class.answered) ")" } } } }
                                @for row in &rows {
                                    tr { th { (row.name) } td { (percent(row.overall)) small { " (" (row.overall.answered) ")" } }
                                        @for j in answered.clone() { @let t = row.cells[j]; td { (percent(t)) small { " (" (t.answered) ")" } } } }
                                }
                            }
                        }
                    }
                    @if answered.end < report.topics.len() {
                        p.note { "Not answered yet by anyone (grey in the chart, left out of the table): T" (answered.end + 1)
                            @if answered.end + 1 < report.topics.len() { "–T" (report.topics.len()) } "." }
                    }
                }
                (topic_key(&report.topics))
            }
        }
    }
}

/// Weakest first; a student who never answered the topic goes last.
fn cell_order(t: Tally) -> f64 {
    t.accuracy().unwrap_or(2.0)
}

fn topic_key(topics: &[TopicColumn]) -> Markup {
    html! {
        details {
            summary { "Topics (T1 is the class's weakest)" }
            ol.topics { @for t in topics { li { (t.title) " — " (percent(t.class)) " of " (t.class.answered) " answers" } } }
        }
    }
}

fn items(items: &[ItemView], token: &str) -> Markup {
    html! {
        section #items {
            h2 { "Items" }
            p.note { "Share correct and each choice's pick rate (green: a correct choice). Flags: too easy, too hard, a distractor nobody picks (from 10 answers)." }
            @if items.is_empty() { p { "No item has been answered yet." } }
            @for item in items {
                article.item {
                    h3 { code { (item.item_id) } " · " (item.kind) }
                    p { (item.prompt) }
                    p { strong { (format!("{:.0}%", item.share_correct * 100.0)) } " correct of " (count(item.answers, "answer")) ", asked in " (count(item.times_asked, "round"))
                        @for flag in &item.flags { " " span.flag { (flag) } } }
                    @if let Some((file, line)) = &item.place {
                        p.meta { @if item.generated { "Generated from the knowledge entry at " } @else { "Written at " }
                            a href={ "/dashboard/" (token) "/bank/" (file) "#L" (line) } { code { (file) ":" (line) } } }
                    }
                    @if !item.picks.is_empty() {
                        div.pair {
                            figure.chart { (pick_bars(item)) }
                            table.picks {
                                thead { tr { th { "Choice" } th { "Picks" } th { "Rate" } } }
                                tbody { @for (i, p) in item.picks.iter().enumerate() {
                                    tr { td { (crate::app::letter(i)) ". " (p.label) @if p.correct { " ✓" } } td { (p.count) } td { (format!("{:.0}%", p.rate * 100.0)) } }
                                } }
                            }
                        }
                    }
                    @for (id, quote) in &item.citations { blockquote { (quote) footer { "— " code { (id) } } } }
                }
            }
        }
    }
}

fn pick_bars(item: &ItemView) -> Markup {
    let (bar, gap, label, full) = (16.0, 6.0, 24.0, 260.0);
    let height = (bar + gap) * item.picks.len() as f64;
    html! {
        svg.picks viewBox={ "0 0 " (label + full + 40.0) " " (height) } role="img" aria-label={ "Pick rates of " (item.item_id) } {
            @for (i, p) in item.picks.iter().enumerate() {
                text x="0" y=((bar + gap) * i as f64 + 12.0) font-size="11" { (crate::app::letter(i)) }
                rect x=(label) y=((bar + gap) * i as f64) width=(full) height=(bar) fill="#f3f4f6" {}
                rect x=(label) y=((bar + gap) * i as f64) width=(full * p.rate) height=(bar) fill=(if p.correct { "#16a34a" } else { "#9ca3af" }) {
                    title { (p.label) ": " (p.count) }
                }
                text x=(label + full + 4.0) y=((bar + gap) * i as f64 + 12.0) font-size="11" { (format!("{:.0}%", p.rate * 100.0)) }
            }
        }
    }
}

fn rounds(rounds: &[RoundHeld]) -> Markup {
    html! {
        section #rounds {
            h2 { "Rounds held" }
            @if rounds.is_empty() { p { "No live round has been held yet." } }
            @for r in rounds {
                article.round {
                    h3 { (when(r.started_at)) " · " (count(r.questions.len() as u64, "question")) " · " (count(r.participants, "student")) " · " (r.status) }
                    div.scroll {
                        table {
                            thead { tr { th { "#" } th { "Item" } th { "Answers" } th { "Correct" } th { "Spread" } } }
                            tbody { @for (i, q) in r.questions.iter().enumerate() {
                                tr {
                                    td { (i + 1) } td { code { (q.item_id) } } td { (q.answered) }
                                    td { (percent(Tally { answered: q.answered, correct: q.correct })) }
                                    td { @for (response, n) in &q.responses { span.spread { (response) ": " (n) } " " } }
                                }
                            } }
                        }
                    }
                }
            }
        }
    }
}

fn debates(debates: &[ReleaseView]) -> Markup {
    html! {
        section #debates {
            h2 { "Debates" }
            @if debates.is_empty() { p { "No debate has been released yet." } }
            @for d in debates {
                article.debate {
                    h3 { (d.motion.text) }
                    p { (d.format.title()) " · " (decision(d)) " · proposition " (d.proposition_total) " – opposition " (d.opposition_total) }
                    @if let Some(swing) = &d.swing {
                        p { "Audience swing: proposition " (format!("{:+.0}", swing.gain(crate::debate::Side::Proposition))) " percentage points, opposition "
                            (format!("{:+.0}", swing.gain(crate::debate::Side::Opposition))) " percentage points." }
                    }
                    div.scroll {
                        table {
                            thead { tr { th { "Speaker" } th { "Side" } @for c in &d.criteria { th { (c) } } th { "Total" } } }
                            tbody { @for s in &d.speakers {
                                tr { td { (s.name) } td { (s.team.title()) } @for v in &s.scores { td { (v) } } td { (s.total) "/" (s.max_total) } }
                            } }
                        }
                    }
                    details {
                        summary { "Evidence map" }
                        ul {
                            li { "Proposition cited: " @for c in &d.evidence.proposition { code { (c.passage_id) } " " } }
                            li { "Opposition cited: " @for c in &d.evidence.opposition { code { (c.passage_id) } " " } }
                            @if !d.evidence.joint.is_empty() { li { "Joint statement cited: " @for c in &d.evidence.joint { code { (c.passage_id) } " " } } }
                            li { "Cards nobody used: " @for (side, c) in &d.evidence.unused { code { (c.passage_id) } " (" (side.title()) ") " } }
                            @if !d.evidence.not_in_bank.is_empty() { li { "Not in the bank: " @for id in &d.evidence.not_in_bank { code { (id) } " " } } }
                        }
                    }
                }
            }
        }
    }
}

fn decision(d: &ReleaseView) -> String {
    match d.decision {
        crate::debate::Decision::Won { side, by } => {
            format!("{} won ({})", side.title(), if by == crate::debate::DecidedBy::Audience { "the audience's swing" } else { "the judge's ballot" })
        }
        crate::debate::Decision::Draw => "a draw".to_owned(),
        crate::debate::Decision::Consensus => "a joint statement".to_owned(),
    }
}

/// `n` and a noun, plural unless `n` is 1: "1 round", "3 rounds".
fn count(n: u64, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// A file of the bank, each line numbered with an anchor (`#L12`) that the items' links open at,
/// the line opened shown highlighted.
pub fn bank_file(view: &BankFileView, token: &str) -> String {
    let name = match view {
        BankFileView::Found { name, .. } | BankFileView::Missing { name } => name,
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(&format!("Bank · {name}")))
            body {
                header {
                    h1 { code { (name) } }
                    p.meta { "The question bank as the bot loaded it (answers included: keep this page to yourself). "
                        a href={ "/dashboard/" (token) "#items" } { "Back to the class page" } }
                }
                @match view {
                    BankFileView::Found { text, .. } => {
                        div.source { @for (i, line) in text.lines().enumerate() {
                            div.line id={ "L" (i + 1) } { a.number href={ "#L" (i + 1) } { (i + 1) } code { (line) } }
                        } }
                    }
                    BankFileView::Missing { .. } => {
                        p { "The bank in use has no file of this name: it may have been reloaded since the class page was read. Open the class page again for links to the bank in use." }
                    }
                }
            }
        }
    }
    .into_string()
}

/// A name cut to `n` characters for a chart's label (the table beside it has it whole).
fn short(name: &str, n: usize) -> String {
    if name.chars().count() <= n { name.to_owned() } else { format!("{}…", name.chars().take(n - 1).collect::<String>()) }
}

/// A moment as `YYYY-MM-DD HH:MM UTC`.
fn when(ms: Millis) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", rest / 3600, rest % 3600 / 60)
}

/// How long ago, in the largest whole unit.
fn age(ms: Millis) -> String {
    let minutes = ms.max(0) / 60_000;
    match minutes {
        0..60 => format!("{minutes} min"),
        60..2880 => format!("{} h", minutes / 60),
        _ => format!("{} days", minutes / 1440),
    }
}

/// Howard Hinnant's days-from-civil, inverted: the proleptic Gregorian date of a day count.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_read_as_dates() {
        assert_eq!(when(0), "1970-01-01 00:00 UTC");
        assert_eq!(when(1_796_601_600_000 + 3_723_000), "2026-12-07 01:02 UTC");
        assert_eq!(age(90 * 60_000), "1 h");
    }
}
