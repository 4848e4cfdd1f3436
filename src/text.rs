//! Text from people: what a student typed, cleaned once before it is stored, and a display
//! name rendered safely wherever it is printed.
//!
//! Invariants:
//! * [`typed`] is the one cleaning of typed text (answers, display names), applied by the
//!   store where the text is bound, so SQLite and PostgreSQL store the same string:
//!   PostgreSQL refuses a NUL in `text`, which SQLite would keep. It drops every control
//!   character except newline and tab — NUL, carriage return, backspace, ESC, DEL and the
//!   C1 controls — and drops an ANSI escape sequence (ESC or CSI, its parameters and its
//!   final byte) whole, so that `\x1b[31mred` is stored as `red`, not `[31mred`. Nothing
//!   else is changed: letters of every script, emoji, bidirectional marks and spaces are
//!   kept as typed.
//! * [`display_name`] renders a name (as stored, or as Discord sends it) for one cell of a
//!   table or an embed: no control character, escape sequence or bidirectional override
//!   survives to move the cursor, recolour the terminal or reorder the rest of the line,
//!   and the result is at most [`NAME_WIDTH`] characters, cut with `…`. The stored name
//!   itself is never shortened.
//! * [`osa_distance`] is the one measure of "a typo away": the judge's tolerance for short
//!   answers and the config's "did you mean" both use it, and a property test proves it
//!   equal to `strsim`'s.
//!
//! The escape sequences are skipped by hand (ECMA-48's grammar, about twenty lines) rather
//! than with a terminal parser crate: only their extent is needed, and what survives is then
//! filtered by the one rule above anyway.

/// The most characters a rendered display name takes: Discord's own limit for a display
/// name, and what a leaderboard column holds.
pub const NAME_WIDTH: usize = 32;

/// What [`display_name`] shows for a name with nothing printable in it.
pub const UNNAMED: &str = "(no name)";

const ESC: char = '\u{1b}';
/// The one-character form of `ESC [` (C1 CSI).
const CSI: char = '\u{9b}';

/// Text a student typed, as it is stored: control characters other than `\n` and `\t`
/// dropped, ANSI escape sequences dropped whole, everything else kept.
pub fn typed(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ESC => skip_escape(&mut chars),
            CSI => skip_csi(&mut chars),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Skips what follows an ESC: a CSI sequence, a string (OSC, DCS, SOS, PM, APC) up to its
/// terminator, or intermediate bytes and one final byte.
fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.peek().copied() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']' | 'P' | 'X' | '^' | '_') => {
            chars.next();
            // Up to BEL or ST (ESC \); an unterminated string runs to the end.
            while let Some(c) = chars.next() {
                if c == '\u{7}' || c == '\u{9c}' || (c == ESC && chars.next_if_eq(&'\\').is_some()) {
                    break;
                }
            }
        }
        _ => {
            while chars.next_if(|c| ('\u{20}'..='\u{2f}').contains(c)).is_some() {}
            chars.next_if(|c| ('\u{30}'..='\u{7e}').contains(c));
        }
    }
}

/// Skips a CSI sequence's parameters, intermediates and final byte.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while chars.next_if(|c| ('\u{30}'..='\u{3f}').contains(c)).is_some() {}
    while chars.next_if(|c| ('\u{20}'..='\u{2f}').contains(c)).is_some() {}
    chars.next_if(|c| ('\u{40}'..='\u{7e}').contains(c));
}

/// Bidirectional embeddings, overrides and isolates: they reorder the text after them.
fn bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A display name for one cell of a table or an embed: [`typed`]'s cleaning, newlines and
/// tabs as spaces, bidirectional overrides dropped, runs of spaces as one, trimmed, and cut
/// to [`NAME_WIDTH`] characters with `…` when longer. [`UNNAMED`] when nothing is left.
pub fn display_name(name: &str) -> String {
    let cleaned = typed(name);
    let mut words = cleaned.split(|c: char| c.is_whitespace()).filter(|w| !w.is_empty()).peekable();
    let mut out = String::new();
    let mut count = 0;
    while let Some(word) = words.next() {
        for c in word.chars().filter(|&c| !bidi_control(c)) {
            if count == NAME_WIDTH {
                // One character too many: the last one kept gives way to the ellipsis.
                out.pop();
                out.push('…');
                return out;
            }
            out.push(c);
            count += 1;
        }
        if words.peek().is_some() && count > 0 {
            if count == NAME_WIDTH {
                out.pop();
                out.push('…');
                return out;
            }
            out.push(' ');
            count += 1;
        }
    }
    if out.is_empty() { UNNAMED.to_string() } else { out }
}

/// Optimal-string-alignment distance (Damerau–Levenshtein where each substring is
/// edited once), with rows on the stack for strings up to 64 characters: how far a typed
/// short answer is from an accepted one (`quiz::judge`), and a mistyped setting from a real
/// one (`yaml`). `benches/judge.rs` weighs it against `strsim::osa_distance`.
pub fn osa_distance(a: &[char], b: &[char]) -> usize {
    const INLINE: usize = 65;
    let width = b.len() + 1;
    let mut stack = [[0usize; INLINE]; 3];
    let mut heap;
    let [two_back, one_back, current]: [&mut [usize]; 3] = if width <= INLINE {
        let [x, y, z] = &mut stack;
        [&mut x[..width], &mut y[..width], &mut z[..width]]
    } else {
        heap = vec![vec![0usize; width]; 3];
        let [x, y, z] = &mut heap[..] else { unreachable!("three rows") };
        [&mut x[..], &mut y[..], &mut z[..]]
    };
    for (j, cell) in one_back.iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (one_back[j] + 1).min(current[j - 1] + 1).min(one_back[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(two_back[j - 2] + 1);
            }
            current[j] = d;
        }
        two_back.copy_from_slice(one_back);
        one_back.copy_from_slice(current);
    }
    one_back[width - 1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn typed_text_loses_control_characters_and_escape_sequences() {
        assert_eq!(typed("rus\0sia"), "russia");
        assert_eq!(typed("line one\r\nline two\tend"), "line one\nline two\tend");
        assert_eq!(typed("\u{1b}[31mred\u{1b}[0m"), "red");
        assert_eq!(typed("\u{1b}]0;title\u{7}x"), "x");
        assert_eq!(typed("\u{1b}]8;;http://e\u{1b}\\link\u{1b}]8;;\u{1b}\\"), "link");
        assert_eq!(typed("a\u{9b}2Jb\u{7f}c\u{85}d\u{8}e"), "abcde");
        assert_eq!(typed("Émile 张伟 ‏שלום 🙂"), "Émile 张伟 ‏שלום 🙂");
        assert_eq!(typed("\u{1b}"), "");
    }

    #[test]
    fn a_display_name_fits_a_cell_and_moves_nothing() {
        assert_eq!(display_name("Ada"), "Ada");
        assert_eq!(display_name("  Ada \n\t Lovelace "), "Ada Lovelace");
        assert_eq!(display_name("\u{1b}[2J\u{1b}[31mEve\u{1b}[0m"), "Eve");
        assert_eq!(display_name("evil\u{202e}gnp.exe"), "evilgnp.exe");
        assert_eq!(display_name("\0\u{1b}[0m"), UNNAMED);
        let long = "x".repeat(10_000);
        let shown = display_name(&long);
        assert_eq!(shown.chars().count(), NAME_WIDTH);
        assert!(shown.ends_with('…'));
        assert_eq!(display_name(&"y".repeat(NAME_WIDTH)), "y".repeat(NAME_WIDTH));
        assert_eq!(display_name(&format!("{} z", "y".repeat(NAME_WIDTH - 1))), format!("{}…", "y".repeat(NAME_WIDTH - 1)));
    }

    proptest! {
        #[test]
        fn typed_text_never_holds_a_control_character(s in "\\PC*|[\\x00-\\x1f\\x7f-\\u{9f}a\\[0-9;m]*") {
            let t = typed(&s);
            prop_assert!(t.chars().all(|c| !c.is_control() || c == '\n' || c == '\t'), "{:?}", t);
            prop_assert_eq!(typed(&t), t.clone(), "cleaning twice changes nothing");
        }

        #[test]
        fn a_rendered_name_is_short_and_inert(s in "\\PC*|[\\x00-\\x1f\\x7f-\\u{9f}\\u{202a}-\\u{202e}a\\[0-9;m ]*") {
            let r = display_name(&s);
            prop_assert!(r.chars().count() <= NAME_WIDTH);
            prop_assert!(r.chars().all(|c| !c.is_control() && !bidi_control(c)), "{:?}", r);
            prop_assert!(!r.is_empty());
        }
    }

    proptest! {
        #[test]
        fn osa_matches_strsim(a in "[a-d]{0,12}", b in "[a-d]{0,12}") {
            let (ac, bc): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            prop_assert_eq!(osa_distance(&ac, &bc), strsim::osa_distance(&a, &b));
        }
    }

    #[test]
    fn long_strings_use_the_heap_path() {
        let a: Vec<char> = "x".repeat(100).chars().collect();
        let mut b = a.clone();
        b.swap(3, 4);
        b[50] = 'y';
        assert_eq!(osa_distance(&a, &b), 1, "swapping two equal letters is free, one substitution");
    }
}
