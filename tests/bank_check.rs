//! `agora bank check`, `stats` and `export`, run as a user runs them.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The copy of the paper the bank ships (a fresh clone has no `../shared`).
fn paper() -> PathBuf {
    root().join("questions/paper/paper.md")
}

/// Runs `agora ARGS` in the crate root; returns (exit code, stdout, stderr).
fn agora(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_agora")).args(args).current_dir(root()).env_remove("AGORA_CONFIG").output().expect("agora runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_bank_with_a_dozen_mistakes_reports_every_one_with_its_place() {
    let paper = paper();
    let (code, _, err) = agora(&["bank", "check", "tests/fixtures/bad-bank", "--source", paper.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    let f = "tests/fixtures/bad-bank/";
    let expected = [
        "a-paper.yaml:22:5: [s7-economic-p3-oil] the quote is not in the paper; the closest stretch (s7-economic-p3) is «China became a net oil importer for the first time in 1993, and due to its high economic growth»; they differ at character 58",
        "a-paper.yaml:24:5: [s5-p4-economies] the quote is in s5-p3, not in s5-p4",
        "a-paper.yaml:25:5: [s5-p11-nowhere] passage id `s5-p11-nowhere` does not begin with a paragraph anchor of the paper",
        "a-paper.yaml:28:5: [s5-p3-too-long] the quote has 4 sentences; a passage is one to three",
        "a-paper.yaml:30:26: [s5-p1-forbidden] a backslash in `quote` would be shown to the student",
        "b-questions.yaml:16:5: [typo-key] question: `anwser`: unknown field `anwser`",
        "b-questions.yaml:25:5: [out-of-range] answer `E` is out of range: there are 3 choices (A to C)",
        "b-questions.yaml:34:5: [no-correct] a multiple select with no correct choice",
        "b-questions.yaml:42:34: [same-choices] duplicate choices `energy` (same as `Energy`)",
        "b-questions.yaml:53:5: [negative-tolerance] tolerance -1 is negative",
        "b-questions.yaml:58:39: [missing-refs] unknown topic `no-such-topic`",
        "b-questions.yaml:63:12: [missing-refs] unknown passage `s5-p99-missing`",
        "b-questions.yaml:70:9: [long-label] a label of 89 characters; a Discord button label holds 80",
        "b-questions.yaml:75:5: [this-question-id-is-far-too-long-to-fit-in-a-custom-id] question id `this-question-id-is-far-too-long-to-fit-in-a-custom-id` must be 1 to 48 characters",
        "b-questions.yaml:78:5: [this-question-id-is-far-too-long-to-fit-in-a-custom-id] difficulty 4 is not 1, 2 or 3",
        "b-questions.yaml:80:5: [this-question-id-is-far-too-long-to-fit-in-a-custom-id] a true_false question needs `answer: true` or `answer: false`",
        "c-more.yaml:2:5: [good-one] duplicate question id `good-one`; it is first defined at tests/fixtures/bad-bank/b-questions.yaml:2:5",
        "c-more.yaml:6:5: [good-one] the prompt does not say it asks what the paper says",
        "c-more.yaml:14:5: [loaded-question] the prompt does not say it asks what the paper says",
        "c-more.yaml:19:5: [lonely-motion] the motion has no evidence for the opposition",
        "c-more.yaml:34:5: [factor-economies-again] the name `complementary  economies` is already the name of `factor-economies`",
        "d-broken.yaml:4:14: unclosed bracket '['",
        // A figure the paper gives as a bound, asked or declared as the figure.
        "e-same.yaml:17:5: [fig-rise-unbounded] the paper gives 64 as a bound («more than 64» in s7-economic-p1-2023), not as the figure",
        "e-same.yaml:27:5: [fig-rise-in-words] `measures` says «lower bound»: a bound belongs in `bound`, where questions are asked as one",
        "e-same.yaml:29:5: [fig-rise-in-words] unknown bound `at_most`",
        "e-same.yaml:55:5: [rise-as-a-figure] the paper gives 64 as a bound («more than 64» in s7-economic-p1-2023), but the prompt asks for the figure",
        // Two items that ask the same thing: each reported with the place of the other.
        "e-same.yaml:41:5: [total-asked-again] asks the same as `total-asked-once` at tests/fixtures/bad-bank/e-same.yaml:32:5: both answer 244.8 from paragraph s7-economic-p2, the value of knowledge entry `fig-trade-2024`",
        "e-same.yaml:68:5: [growth-statement-again] asks the same as `growth-statement` at tests/fixtures/bad-bank/e-same.yaml:60:5: their prompts share 100% of their content words",
    ];
    for line in expected {
        assert!(err.contains(&format!("{f}{line}")), "missing `{line}` in:\n{err}");
    }
    assert!(err.trim_end().ends_with(&format!("{} problems", expected.len())), "{err}");
    assert!(err.contains("hint: remove `anwser` or correct its spelling"), "{err}");
    assert!(err.contains("hint: keep the better of the two, or make them ask different things"), "{err}");
    assert!(err.contains("hint: add `bound: more_than`, so that questions ask it as a bound"), "{err}");

    // Root causes first: the file that does not parse, then the rest, then the references
    // to unknown ids, which may be knock-ons of it and say so.
    let at = |line: &str| err.find(&format!("{f}{line}")).unwrap_or_else(|| panic!("`{line}` in:\n{err}"));
    let broken = at("d-broken.yaml:4:14: unclosed bracket");
    let first_other = at("a-paper.yaml:22:5:");
    let last_other = at("e-same.yaml:68:5:");
    let unknown = [at("b-questions.yaml:58:39: [missing-refs] unknown topic"), at("b-questions.yaml:63:12: [missing-refs] unknown passage")];
    assert!(broken < first_other, "the file that does not parse comes first:\n{err}");
    assert!(unknown.iter().all(|&u| u > last_other), "unknown ids come last:\n{err}");
    assert!(
        err.contains("or cite one that exists; it may be defined in `tests/fixtures/bad-bank/d-broken.yaml`, which does not parse: fix that first"),
        "{err}"
    );
}

#[test]
fn each_craft_rule_warns_with_the_item_s_place_and_the_bank_still_loads() {
    let paper = paper();
    let (code, out, err) = agora(&["bank", "check", "tests/fixtures/craft-bank", "--source", paper.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("ok: 14 items"), "{out}");
    let f = "warning: tests/fixtures/craft-bank/craft.yaml:";
    let expected = [
        // The set of true/false statements, reported at the first one's absolute word.
        "31:57: [tf-only] absolute words predict true/false keys: of 4 statements with absolute words (only, always, never, all, …), 4 are keyed false and 0 true, so \"absolute word means false\" is right 4 times in 4",
        "74:5: [bound-one-side] a bound item whose distractors are all larger than its key (64 percent): the smallest option is always right",
        "87:5: [factor-energy-machinery] asks the fact `factor-named-first` asks: same kind, same key (complementary economies), same paragraph s5-p3 (at tests/fixtures/craft-bank/craft.yaml:78:5)",
        "104:10: [long-key] an option of 71 characters beside siblings of at most 10: its length singles it out",
        "116:38: [dated-label] the label `The Ukraine crisis of 2014` carries a date (2014) the item asks for: it can be answered from the label",
        // The set of near-verbatim true/false statements, reported at the first one.
        "125:5: [tf-copy-2014] closeness to the paper's sentence predicts true/false keys: of 4 statements that copy 8 or more words in a row of a passage they cite, 0 are keyed false and 4 true, so \"the paper's own words mean true\" is right 4 times in 4",
    ];
    for line in expected {
        assert!(err.contains(&format!("{f}{line}")), "missing `{line}` in:\n{err}");
    }
    assert!(err.trim_end().ends_with(&format!("{} warnings", expected.len())), "{err}");
    assert!(err.contains("hint: reword some of these so that neither key holds more than 70% of them: tf-only, tf-always, tf-never, tf-no-longer"), "{err}");
    assert!(err.contains("so that neither key holds more than 70% of them: tf-copy-2014, tf-copy-record, tf-copy-objective, tf-copy-unipolar"), "{err}");
    // A paraphrase (`tf-plain`, six words in a row of its passage) is not one of them.
    assert!(!err.contains("tf-plain"), "{err}");
}

#[test]
fn the_bundled_bank_passes_the_check_against_the_paper_it_ships() {
    let (code, out, err) = agora(&["bank", "check", "questions"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning"), "the shipped bank has craft warnings:\n{err}");
    assert!(out.starts_with("ok: ") && out.contains("every quote found in the paper (questions/paper/paper.md)"), "{out}");
    let written: usize = out.split(" written").next().and_then(|s| s.rsplit('(').next()).and_then(|n| n.parse().ok()).expect("the count of written items");
    assert!(written >= 250, "the bank keeps at least 250 written items: {out}");
}

#[test]
fn another_copy_of_the_paper_is_used_when_named_and_its_differences_reported() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(paper()).unwrap();
    let changed = text.replace("complementary economies", "complimentary economies");
    assert_ne!(changed, text);
    std::fs::write(dir.path().join("paper.md"), changed).unwrap();
    std::fs::copy(root().join("questions/paper/anchors.tsv"), dir.path().join("anchors.tsv")).unwrap();
    let other = dir.path().join("paper.md");
    let (code, _, err) = agora(&["bank", "check", "questions", "--source", other.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("questions/factors.yaml:") && err.contains("[s5-p3-economies] the quote is not in the paper"), "{err}");
}

#[test]
fn a_bank_folder_without_its_paper_says_where_the_paper_belongs() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(root().join("questions")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let (code, _, err) = agora(&["bank", "check", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    let expected = format!("a bank ships the paper it is checked against as {}", dir.path().join("paper/paper.md").display());
    assert!(err.contains(&expected) && err.contains("--source FILE"), "{err}");
}

#[test]
fn the_json_export_lists_every_item_motion_and_prompt_with_citations() {
    let bank = agora::bank::load(&root().join("questions"), None).expect("bank loads");
    let (code, out, err) = agora(&["bank", "export", "questions", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let items = doc["items"].as_array().unwrap();
    assert_eq!(items.len(), bank.questions.len());
    assert!(items.iter().any(|i| i["origin"] == "generated") && items.iter().any(|i| i["origin"] == "written"));
    for item in items {
        let cites = item["citations"].as_array().unwrap();
        assert!(!cites.is_empty(), "{item}");
        for c in cites {
            assert!(c["anchor"].is_string() && c["section"].is_string() && !c["quote"].as_str().unwrap().is_empty(), "{c}");
        }
    }
    assert_eq!(doc["motions"].as_array().unwrap().len(), bank.motions.len());
    assert_eq!(doc["prompts"].as_array().unwrap().len(), bank.prompts.len());
    for m in doc["motions"].as_array().unwrap() {
        assert!(!m["proposition"].as_array().unwrap().is_empty() && !m["opposition"].as_array().unwrap().is_empty(), "{m}");
    }
}

#[test]
fn the_gift_export_holds_the_same_quiz_items() {
    let bank = agora::bank::load(&root().join("questions"), None).expect("bank loads");
    let (code, out, err) = agora(&["bank", "export", "questions", "--format", "gift"]);
    assert_eq!(code, 0, "{err}");
    let titles: Vec<&str> = out.lines().filter_map(|l| l.strip_prefix("::")).filter_map(|l| l.split("::").next()).collect();
    let ids: Vec<&str> = bank.questions.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(titles, ids);
    assert!(out.contains("{TRUE") || out.contains("{FALSE"));
}

#[test]
fn stats_counts_items_and_names_the_gaps() {
    let (code, out, err) = agora(&["bank", "stats", "questions"]);
    assert_eq!(code, 0, "{err}");
    for heading in [
        "by kind",
        "by difficulty",
        "by topic",
        "by section of the paper",
        "passages never cited:",
        "knowledge entries without written items:",
        "paragraphs no item cites:",
    ] {
        assert!(out.contains(heading), "missing {heading} in:\n{out}");
    }
}

#[test]
fn a_missing_folder_is_a_clear_error() {
    let (code, _, err) = agora(&["bank", "check", "no-such-folder"]);
    assert_eq!(code, 1);
    assert!(err.contains("no-such-folder: cannot read the bank folder"), "{err}");
}

#[test]
fn a_paper_without_its_anchors_is_refused_rather_than_checked_loosely() {
    let dir = tempfile::tempdir().unwrap();
    let alone = dir.path().join("paper.md");
    std::fs::copy(paper(), &alone).unwrap();
    let (code, _, err) = agora(&["bank", "check", "questions", "--source", alone.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("anchors.tsv: the paragraph anchors must stand beside the paper"), "{err}");
}
