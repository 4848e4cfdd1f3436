//! The paper's text, split into anchored paragraphs, for proving quotes.
//!
//! Invariant: quote and paper are compared only after the one normalisation that
//! `questions/paper/README.md` defines (Markdown escapes and `*` emphasis dropped, curly
//! quotes read as straight, white space folded); nothing else is forgiven.

use std::collections::HashMap;
use std::path::Path;

/// Normalises text the way quotes are compared.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut space = false;
    while let Some(c) = chars.next() {
        let c = match c {
            '\\' => match chars.peek() {
                Some(&n) if n.is_ascii_punctuation() => {
                    chars.next();
                    n
                }
                _ => c,
            },
            '*' => continue,
            '\u{201c}' | '\u{201d}' => '"',
            '\u{2018}' | '\u{2019}' => '\'',
            c => c,
        };
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// The paper: its normalised paragraphs, keyed by anchor when an anchors table is known.
#[derive(Debug, Clone)]
pub struct Source {
    /// Normalised paragraphs in order, with their anchor where known.
    paragraphs: Vec<(Option<String>, String)>,
    by_anchor: HashMap<String, usize>,
}

impl Source {
    /// Reads `paper.md`; if an `anchors.tsv` stands beside it, paragraphs get their anchors.
    pub fn read(path: &Path) -> anyhow::Result<Source> {
        use anyhow::Context;
        let text = crate::files::read_to_string(path).with_context(|| format!("cannot read the paper at {}", path.display()))?;
        let anchors = path.with_file_name("anchors.tsv");
        let table = crate::files::read_to_string(&anchors)
            .with_context(|| format!("cannot read {}: the paragraph anchors must stand beside the paper", anchors.display()))?;
        let source = Source::parse(&text, Some(&table));
        let missing = source.unmatched_anchors(&table);
        anyhow::ensure!(
            missing.is_empty(),
            "{} does not match {}: no paragraph begins as it says for {}",
            anchors.display(),
            path.display(),
            missing.join(", ")
        );
        Ok(source)
    }

    /// Splits `text` into paragraphs (blank-line separated) and matches each row of the
    /// anchors table (`anchor<TAB>section<TAB>first words`) to the paragraph it begins.
    pub fn parse(text: &str, anchors_tsv: Option<&str>) -> Source {
        let mut paragraphs: Vec<(Option<String>, String)> = Vec::new();
        let mut block = String::new();
        for line in text.lines().chain(std::iter::once("")) {
            if line.trim().is_empty() {
                if !block.trim().is_empty() {
                    paragraphs.push((None, normalise(&block)));
                }
                block.clear();
            } else {
                block.push_str(line);
                block.push('\n');
            }
        }
        let mut by_anchor = HashMap::new();
        let mut from = 0;
        for row in anchors_tsv.unwrap_or("").lines().skip(1) {
            let mut cols = row.split('\t');
            let (Some(anchor), Some(_), Some(first)) = (cols.next(), cols.next(), cols.next()) else { continue };
            let first = normalise(first);
            if let Some(i) = (from..paragraphs.len()).find(|&i| paragraphs[i].1.starts_with(&first)) {
                paragraphs[i].0 = Some(anchor.to_string());
                by_anchor.insert(anchor.to_string(), i);
                from = i + 1;
            }
        }
        Source { paragraphs, by_anchor }
    }

    /// The anchors of the table that no paragraph was matched to.
    fn unmatched_anchors(&self, anchors_tsv: &str) -> Vec<String> {
        anchors_tsv
            .lines()
            .skip(1)
            .filter_map(|row| row.split('\t').next())
            .filter(|a| !a.is_empty() && !self.by_anchor.contains_key(*a))
            .map(str::to_string)
            .collect()
    }

    pub fn has_anchors(&self) -> bool {
        !self.by_anchor.is_empty()
    }

    pub fn paragraph(&self, anchor: &str) -> Option<&str> {
        self.by_anchor.get(anchor).map(|&i| self.paragraphs[i].1.as_str())
    }

    /// The anchors of the anchored paragraphs that hold `quote` (normalised), in order.
    pub fn anchors_holding(&self, quote: &str) -> Vec<String> {
        self.paragraphs.iter().filter(|(_, p)| p.contains(quote)).filter_map(|(a, _)| a.clone()).collect()
    }

    /// Whether any paragraph, anchored or not, holds `quote` (normalised).
    pub fn holds(&self, quote: &str) -> bool {
        self.paragraphs.iter().any(|(_, p)| p.contains(quote))
    }

    /// For a quote that is not in the paper, the closest stretch of it and where the two
    /// first differ: the stretch that most of the quote's 12-character pieces point to.
    pub fn near_miss(&self, quote: &str) -> Option<NearMiss> {
        const K: usize = 12;
        let q: Vec<char> = quote.chars().collect();
        if q.len() < K {
            return None;
        }
        let mut votes: HashMap<(usize, isize), usize> = HashMap::new();
        for (pi, (_, para)) in self.paragraphs.iter().enumerate() {
            for qs in (0..=q.len() - K).step_by(K / 2) {
                let piece: String = q[qs..qs + K].iter().collect();
                let mut at = 0;
                while let Some(found) = para[at..].find(&piece) {
                    let byte = at + found;
                    let ci = para[..byte].chars().count() as isize;
                    *votes.entry((pi, ci - qs as isize)).or_default() += 1;
                    at = byte + piece.len();
                }
            }
        }
        let (&(pi, offset), _) = votes.iter().max_by_key(|(k, v)| (**v, std::cmp::Reverse(**k)))?;
        let para: Vec<char> = self.paragraphs[pi].1.chars().collect();
        let start = offset.max(0) as usize;
        let end = (start + q.len()).min(para.len());
        let stretch: String = para[start..end].iter().collect();
        // A quote that begins before the paragraph does differs from its first character.
        let diff = if offset < 0 { 0 } else { q.iter().zip(stretch.chars()).position(|(a, b)| *a != b).unwrap_or(stretch.chars().count().min(q.len())) };
        Some(NearMiss { anchor: self.paragraphs[pi].0.clone(), stretch, differs_at: diff })
    }
}

/// The closest stretch of the paper to a quote that is not in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearMiss {
    pub anchor: Option<String>,
    pub stretch: String,
    /// The character position (0-based, in the normalised quote) of the first difference.
    pub differs_at: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_drops_escapes_emphasis_and_folds_space() {
        assert_eq!(normalise("a \\$400  **billion**\n deal \u{201c}x\u{201d} it\u{2019}s"), "a $400 billion deal \"x\" it's");
    }

    #[test]
    fn near_miss_points_at_the_first_difference() {
        let src = Source::parse(
            "Intro.\n\nChina became a net oil importer for the first time in 1993, and due to its growth.\n",
            Some("anchor\tsection\tfirst words\nx-p1\tX\tIntro.\nx-p2\tX\tChina became\n"),
        );
        let miss = src.near_miss("China became a net oil importer for the first time in 1994, and due to").unwrap();
        assert_eq!(miss.anchor.as_deref(), Some("x-p2"));
        assert_eq!(miss.differs_at, "China became a net oil importer for the first time in 199".len());
    }
}
