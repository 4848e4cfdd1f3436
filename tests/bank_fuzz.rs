//! No input may make the loader panic: property tests over mutated and random banks.
//!
//! `PROPTEST_CASES=20000 cargo test --release --test it bank_fuzz::` runs a longer campaign.

use std::path::PathBuf;

use proptest::prelude::*;

fn fixture_files() -> Vec<(PathBuf, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad-bank");
    let mut files: Vec<(PathBuf, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    files.sort();
    files
}

fn cases_or(default: u32) -> ProptestConfig {
    match std::env::var("PROPTEST_CASES") {
        Ok(_) => ProptestConfig::default(),
        Err(_) => ProptestConfig::with_cases(default),
    }
}

/// The bundled bank and the paper it ships, read once.
fn real_bank() -> (Vec<(PathBuf, String)>, agora::bank::Source) {
    static BANK: std::sync::OnceLock<(Vec<(PathBuf, String)>, agora::bank::Source)> = std::sync::OnceLock::new();
    BANK.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<(PathBuf, String)> = std::fs::read_dir(root.join("questions"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                (p, text)
            })
            .collect();
        files.sort();
        let source = agora::bank::Source::read(&agora::bank::shipped_paper(&root.join("questions"))).unwrap();
        (files, source)
    })
    .clone()
}

/// Characters that mean something to YAML, and a few that mean something to us.
const ALPHABET: &[char] =
    &[':', '-', ' ', '\n', '[', ']', '{', '}', ',', '"', '\'', '#', '&', '*', '!', '|', '>', '%', '@', '`', '?', 'A', 'z', '0', '9', '.', 'é', '\t', '\\', '~'];

fn mutate(text: &str, edits: &[(usize, u8, usize)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for &(at, op, c) in edits {
        if chars.is_empty() {
            chars.push(ALPHABET[c % ALPHABET.len()]);
            continue;
        }
        let at = at % chars.len();
        match op % 3 {
            0 => chars.insert(at, ALPHABET[c % ALPHABET.len()]),
            1 => {
                chars.remove(at);
            }
            _ => chars[at] = ALPHABET[c % ALPHABET.len()],
        }
    }
    chars.into_iter().collect()
}

proptest! {
    // 256 cases unless PROPTEST_CASES says otherwise.
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn mutated_banks_never_panic(file in 0usize..4, edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<usize>()), 1..12)) {
        let mut files = fixture_files();
        let i = file % files.len();
        files[i].1 = mutate(&files[i].1, &edits);
        let _ = agora::bank::load_texts(files, None, 1);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let _ = agora::bank::load_texts(vec![(PathBuf::from("x.yaml"), text)], None, 1);
    }
}

proptest! {
    // Each case checks the whole bank against the paper: 32 cases unless PROPTEST_CASES says otherwise.
    #![proptest_config(cases_or(32))]

    #[test]
    fn mutated_real_bank_files_checked_against_the_paper_never_panic(file in 0usize..8, edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<usize>()), 1..20)) {
        let (mut files, source) = real_bank();
        let i = file % files.len();
        files[i].1 = mutate(&files[i].1, &edits);
        let _ = agora::bank::load_texts(files, Some(&source), 1);
    }
}
