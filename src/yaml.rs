//! Plain wording for YAML errors, for the bank's authors and for whoever edits the config.
//!
//! serde-saphyr's messages are written for the programmer who calls it ("budget breached:
//! Nodes { nodes: 250001 }", "set DuplicateKeyPolicy in Options"), and its `Display` quotes
//! the lines around the error. Invariants this module protects:
//! * every message it returns speaks of the file (too many values, a key given twice, an
//!   unclosed quote), not of the parser's options, and comes with a fix;
//! * [`redacted`] never repeats any text of the file except a setting's name that is a plain
//!   identifier and stands on no line of a secret: it is what config errors print, so that
//!   no error can show the Discord token or a piece of it.

use serde_saphyr::Error;
use serde_saphyr::budget::BudgetBreach;

/// A YAML error in words for a person: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    /// 1-based line and column; (1, 1) when the parser gave no location.
    pub line: u64,
    pub column: u64,
    pub message: String,
    pub hint: String,
}

/// The error inside snippet and alias wrappers: the one that says what went wrong.
fn core(e: &Error) -> &Error {
    match e {
        Error::WithSnippet { error, .. } | Error::AliasError { error, .. } => core(error),
        other => other,
    }
}

fn location(e: &Error) -> (u64, u64) {
    e.location().map(|l| (l.line(), l.column())).filter(|&(l, _)| l > 0).map(|(l, c)| (l, c.max(1))).unwrap_or((1, 1))
}

/// The parser's own words replaced where they speak of its options: a file too large or
/// too deep, a key given twice. `None` for errors whose wording already speaks of the file.
pub fn plain(e: &Error) -> Option<Described> {
    let (line, column) = location(e);
    let (message, hint) = match core(e) {
        Error::Budget { breach, .. } => budget(breach),
        Error::DuplicateMappingKey { key, .. } => (
            match key {
                Some(k) => format!("the key `{k}` is given twice in the same mapping"),
                None => "a key is given twice in the same mapping".to_string(),
            },
            "keep one of the two; YAML keeps neither silently".to_string(),
        ),
        _ => return None,
    };
    Some(Described { line, column, message, hint })
}

fn budget(breach: &BudgetBreach) -> (String, String) {
    let split = "split the file into several smaller files";
    match breach {
        BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => (
            "the file holds more than 250,000 YAML values (keys, values and lists); it is far larger than any bank or config file should be".into(),
            split.into(),
        ),
        BudgetBreach::Depth { .. } => {
            ("lists and mappings are nested more than 64 levels deep here".into(), "check the indentation: a bank's elements nest a few levels at most".into())
        }
        BudgetBreach::Aliases { .. } | BudgetBreach::Anchors { .. } | BudgetBreach::AliasAnchorRatio { .. } | BudgetBreach::RecordedAnchorEvents { .. } => (
            "the file repeats anchors and aliases (`&name` / `*name`) more than is safe to expand".into(),
            "write the repeated content out instead of aliasing it many times".into(),
        ),
        BudgetBreach::ScalarBytes { .. } | BudgetBreach::InputBytes { .. } => {
            ("the file's text is too large to read safely (over 64 MiB)".into(), split.into())
        }
        BudgetBreach::Documents { .. } => {
            ("the file holds more than 1,024 YAML documents (`---` separators)".into(), "remove the `---` lines; a bank file is one document".into())
        }
        _ => ("the file is too large or too complex to read safely".into(), split.into()),
    }
}

/// A setting's name that may be shown: a plain lowercase identifier.
fn plain_identifier(s: &str) -> bool {
    !s.is_empty() && s.len() <= 40 && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Describes `e`, an error in `text`, repeating nothing of `text` but the name of a setting:
/// one of `settings`, or a plain identifier that occurs on no line of a key listed in
/// `secret_keys` nor on the lines that continue such a key's value. For files that hold
/// secrets.
pub fn redacted(e: &Error, text: &str, secret_keys: &[&str], settings: &[&str]) -> Described {
    let (line, column) = location(e);
    let secret_lines = secret_lines(text, secret_keys);
    let shown = |name: &str| -> Option<String> {
        let known = settings.contains(&name);
        (known || (plain_identifier(name) && !secret_lines.iter().any(|l| l.contains(name)))).then(|| name.to_string())
    };
    let key_on_line = || -> Option<String> {
        let l = text.lines().nth(usize::try_from(line).ok()?.checked_sub(1)?)?;
        let key = l.split_once(':')?.0.trim().trim_start_matches("- ");
        shown(key)
    };
    let list = settings.join(", ");
    let (message, hint) = match core(e) {
        Error::SerdeUnknownField { field, .. } => {
            let typed: Vec<char> = field.chars().collect();
            let distance = |s: &str| crate::text::osa_distance(&s.chars().collect::<Vec<_>>(), &typed);
            let close = settings.iter().copied().filter(|s| distance(s) <= 3).min_by_key(|s| distance(s));
            let message = match shown(field) {
                Some(f) => format!("unknown setting `{f}`"),
                None => "unknown setting".to_string(),
            };
            let hint = match close {
                Some(c) => format!("did you mean `{c}`? The settings are {list}"),
                None => format!("the settings are {list}"),
            };
            (message, hint)
        }
        Error::DuplicateMappingKey { key, .. } => (
            match key.as_deref().and_then(shown) {
                Some(k) => format!("`{k}` is set twice"),
                None => "a setting is set twice".to_string(),
            },
            "keep one of the two lines".to_string(),
        ),
        // An enum-valued setting (`log_format`) given a value it does not have: the setting,
        // the value when it is a plain word off the secret lines, and the values allowed.
        Error::SerdeUnknownVariant { variant, expected, .. } => {
            let allowed: Vec<String> = expected.iter().map(|v| format!("`{v}`")).collect();
            let allowed = match allowed.split_last() {
                Some((last, [])) => last.clone(),
                Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                None => "a value config/agora.example.yaml shows".to_string(),
            };
            let value = shown(variant);
            let message = match (key_on_line(), value) {
                (Some(k), Some(v)) => format!("`{k}` is `{v}`, which is not one of its values"),
                (Some(k), None) => format!("`{k}` is not one of its values"),
                (None, Some(v)) => format!("`{v}` is not one of the values allowed here"),
                (None, None) => "a value here is not one of those allowed".to_string(),
            };
            (message, format!("write {allowed}"))
        }
        Error::SerdeMissingField { field, .. } => (format!("`{field}` is missing"), format!("add `{field}:`")),
        Error::Budget { breach, .. } => budget(breach),
        Error::Eof { .. } => (
            "the file ends inside a value: a quote or a bracket is not closed".to_string(),
            "close the quote or bracket that opens on this line or above it".to_string(),
        ),
        Error::SerdeInvalidType { expected, .. } | Error::SerdeInvalidValue { expected, .. } | Error::SerdeInvalidLength { expected, .. } => {
            let what = expected.trim_start_matches("struct Config").trim();
            match key_on_line() {
                Some(k) if !what.is_empty() => (format!("`{k}` must be {what}"), "correct the value; config/agora.example.yaml shows each setting".to_string()),
                _ => (
                    "the file is not a list of settings (`name: value` lines)".to_string(),
                    format!("write one `name: value` per line; the settings are {list}"),
                ),
            }
        }
        Error::Unexpected { expected: "mapping start", .. } if line == 1 => {
            ("the file is not a list of settings (`name: value` lines)".to_string(), format!("write one `name: value` per line; the settings are {list}"))
        }
        Error::Unexpected { expected, .. } => {
            let what = if *expected == "string scalar" { "a single value (text), not a list or a mapping".to_string() } else { format!("a {expected}") };
            match key_on_line() {
                Some(k) => (format!("`{k}` must be {what}"), "correct the value; config/agora.example.yaml shows each setting".to_string()),
                None => (format!("a value here must be {what}"), "correct the value; config/agora.example.yaml shows each setting".to_string()),
            }
        }
        Error::InvalidScalar { .. }
        | Error::NullIntoString { .. }
        | Error::InvalidBooleanStrict { .. }
        | Error::QuotingRequired { .. }
        | Error::TaggedScalarCannotDeserializeIntoString { .. } => (
            match key_on_line() {
                Some(k) => format!("the value of `{k}` is not of the right kind"),
                None => "a value is not of the right kind".to_string(),
            },
            "quote the value (and drop any `!!tag`); config/agora.example.yaml shows each setting".to_string(),
        ),
        Error::UnknownAnchor { .. } => {
            ("a value starts with `*`, which YAML reads as an alias to an anchor that does not exist".to_string(), "quote the value".to_string())
        }
        // The parser's own sentences are fixed texts, but only these are known to quote
        // nothing of the file; any other is replaced by a general one.
        Error::ExternalMessage { msg, .. } if msg.contains("unclosed quote") => {
            ("a quote opened here is not closed".to_string(), "close the quote on the same line".to_string())
        }
        Error::ExternalMessage { msg, .. } if msg.contains("unknown escape character") => (
            "a double-quoted value holds a backslash that is not a known escape".to_string(),
            "use single quotes, or write the backslash as `\\\\`".to_string(),
        ),
        Error::ExternalMessage { msg, .. } if msg.contains("mapping values are not allowed") => (
            "a `name: value` stands where it is not expected".to_string(),
            "check the indentation: every setting starts at the beginning of its line".to_string(),
        ),
        _ => (
            "this line is not valid YAML".to_string(),
            "check the quotes and the indentation on this line and the one before; quote a value that contains `: ` or ` #`".to_string(),
        ),
    };
    Described { line, column, message, hint }
}

/// The lines that may hold a secret's value: every line that names a secret key, and the
/// more indented lines after it (a value continued on the next lines, or a block scalar).
/// When such a line leaves a quote or a bracket open, the value may run to the end of the
/// file, so every later line counts too.
fn secret_lines<'t>(text: &'t str, secret_keys: &[&str]) -> Vec<&'t str> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if !secret_keys.iter().any(|k| line.contains(k)) {
            i += 1;
            continue;
        }
        out.push(line);
        let count = |c: char| line.matches(c).count();
        let open = count('"') % 2 == 1 || count('\'') % 2 == 1 || count('[') > count(']') || count('{') > count('}');
        let indent = line.len() - line.trim_start().len();
        i += 1;
        while i < lines.len() {
            let next = lines[i];
            if !open && !next.trim().is_empty() && next.len() - next.trim_start().len() <= indent {
                break;
            }
            out.push(next);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicate_key_is_named_without_the_parsers_options() {
        let e = serde_saphyr::from_str::<serde_json::Value>("a: 1\na: 2\n").unwrap_err();
        let d = plain(&e).expect("a duplicate key has a plain wording");
        assert_eq!((d.line, d.message.as_str()), (2, "the key `a` is given twice in the same mapping"));
        assert!(!d.message.contains("DuplicateKeyPolicy") && !d.hint.contains("Options"), "{d:?}");
    }

    #[test]
    fn too_many_values_says_so_and_how_to_fix_it() {
        let text = format!("x: [{}]\n", vec!["1"; 250_001].join(","));
        let e = serde_saphyr::from_str::<serde_json::Value>(&text).unwrap_err();
        let d = plain(&e).expect("a budget breach has a plain wording");
        assert!(d.message.contains("more than 250,000 YAML values"), "{d:?}");
        assert!(d.hint.contains("split"), "{d:?}");
        assert!(!d.message.contains("budget") && !d.message.contains("Nodes"), "{d:?}");
    }

    #[test]
    fn secret_lines_cover_continuations_and_unclosed_quotes() {
        let text = "discord_token: abc\n  def_ghi\nlog: info\n";
        assert_eq!(secret_lines(text, &["discord_token"]), ["discord_token: abc", "  def_ghi"]);
        let text = "log: x\ndiscord_token: \"abc\nnext_line: y\n";
        assert_eq!(secret_lines(text, &["discord_token"]), ["discord_token: \"abc", "next_line: y"]);
    }
}
