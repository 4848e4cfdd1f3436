//! The crate's modules in one order, each importing only those before it: text and ids, the
//! bank, scoring, the quiz, debates, the store, the classroom layer, the faces (issue 19,
//! item 5). Read from the sources: every `crate::NAME` a module's code names (in a `use`, a
//! path or a `use crate::{…}` group), comments left out.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// `src/`'s top-level modules, lowest first. A module may name only modules before it.
const ORDER: &[&str] = &[
    // Text and ids: no module of Agora below them.
    "text", "ids", "files", "stable", "yaml", "limits", "config", "metrics", // The core.
    "bank", "scoring", "memory", "quiz", "debate", // Durable state, then the classroom layer, then the faces.
    "store", "app", "terminal", "web", "discord",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// The top-level module a file of `src/` belongs to (`None` for `lib.rs` and `main.rs`).
fn module_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).unwrap();
    let first = rel.components().next()?.as_os_str().to_string_lossy().into_owned();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_string();
    (name != "lib" && name != "main").then_some(name)
}

/// The top-level modules `code` names through `crate::`, comments left out.
fn named_modules(code: &str) -> BTreeSet<String> {
    let code: String = code.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n");
    let mut out = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::c, d::{e, f}}`: the names at the group's top level.
            let (mut depth, mut item, mut end) = (0usize, String::new(), group.len());
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        end = i;
                        break;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 && c == ',' {
                    out.extend(first_name(&item));
                    item.clear();
                } else if depth == 0 && c != '{' {
                    item.push(c);
                }
            }
            out.extend(first_name(&item));
            rest = &group[end..];
        } else {
            out.extend(first_name(rest));
        }
    }
    out.remove("self");
    out
}

/// The identifier `s` starts with, after whitespace.
fn first_name(s: &str) -> Option<String> {
    let name: String = s.trim_start().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    (!name.is_empty()).then_some(name)
}

#[test]
fn every_module_imports_only_modules_below_it() {
    let rank = |m: &str| ORDER.iter().position(|&o| o == m);
    let mut wrong = Vec::new();
    for file in rust_files(&src()) {
        let Some(module) = module_of(&file) else { continue };
        let Some(own) = rank(&module) else {
            wrong.push(format!("{}: module `{module}` has no place in ORDER (tests/layers.rs): add it where it belongs", file.display()));
            continue;
        };
        for named in named_modules(&std::fs::read_to_string(&file).unwrap()) {
            match rank(&named) {
                _ if named == module => {}
                Some(r) if r < own => {}
                Some(_) => wrong.push(format!("{}: `{module}` imports `{named}`, which comes after it", file.display())),
                None => wrong.push(format!("{}: `crate::{named}` is no module in ORDER (tests/layers.rs)", file.display())),
            }
        }
    }
    assert!(wrong.is_empty(), "modules out of order:\n{}", wrong.join("\n"));
}

#[test]
fn imports_are_read_from_paths_and_groups_not_comments() {
    let code = "use crate::bank::{Kind, Question};\nuse crate::{ids::GuildId, quiz::{self, Verdict}};\n// crate::discord in a comment\nlet x = crate::scoring::score(1);\n/// [`crate::store::Store`]";
    assert_eq!(named_modules(code).into_iter().collect::<Vec<_>>(), ["bank", "ids", "quiz", "scoring"]);
}

/// The faces reach the store only through the layer: no file of `src/discord/` nor
/// `src/terminal.rs` names `crate::store` or `agora::store` (the layer names every type they
/// handle, `app::view`'s rows included), though the order above would let them.
#[test]
fn no_face_imports_the_store() {
    let mut files = vec![src().join("terminal.rs")];
    files.extend(rust_files(&src().join("discord")));
    files.extend(rust_files(&src().join("web")));
    assert!(files.len() > 10, "the faces' files are found: {files:?}");
    let offenders: Vec<String> = files
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            let name = f.strip_prefix(src()).unwrap().display().to_string();
            text.lines()
                .enumerate()
                .filter(|(_, l)| l.contains("crate::store") || l.contains("agora::store"))
                .map(|(n, l)| format!("src/{name}:{}: {}", n + 1, l.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(offenders.is_empty(), "faces name the store:\n{}", offenders.join("\n"));
}
