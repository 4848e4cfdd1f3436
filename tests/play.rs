//! `agora play` and `agora scores`, driven through stdin as a student or a script would.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};

struct Run {
    code: i32,
    out: String,
    err: String,
}

/// Starts `agora ARGS` on its own SQLite store in `dir`, with stdin, stdout and stderr piped.
fn start(dir: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_agora"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", store_url(dir))
        .env_remove("AGORA_CONFIG")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("agora starts")
}

fn store_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("agora.db").display())
}

/// Runs `agora ARGS` with its own SQLite store in `dir`, feeding `input` (any bytes) on stdin.
fn agora(dir: &Path, args: &[&str], input: impl AsRef<[u8]>) -> Run {
    let mut child = start(dir, args);
    child.stdin.take().unwrap().write_all(input.as_ref()).unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Reads a running session's output up to its first verdict: from then on that answer is committed.
fn until_verdict(lines: &mut impl Iterator<Item = std::io::Result<String>>) {
    for line in lines {
        let line = line.unwrap();
        if line.contains("Correct! +") || line.contains("Not quite. The answer:") || line.contains("Partly right") {
            return;
        }
    }
    panic!("the session ended before a verdict");
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn three_piped_answers_are_judged_cited_recorded_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let run = agora(dir.path(), &["play", "--kind", "true-false", "--count", "3", "--seed", "42", "--name", "Ada"], "true\nmaybe\nfalse\ntrue\n");
    assert_eq!(run.code, 0, "{}", run.err);
    assert_eq!(count(&run.out, "Question "), 3, "{}", run.out);
    assert_eq!(count(&run.out, "Correct! +") + count(&run.out, "Not quite. The answer: "), 3, "{}", run.out);
    assert!(run.out.contains("Answer true or false (or T / F)."), "a bad answer is explained, then asked again:\n{}", run.out);
    // Every verdict shows the passage behind it: section, anchor and quote.
    assert!(count(&run.out, "  Source: ") >= 3, "{}", run.out);
    assert!(run.out.contains("Done: "), "{}", run.out);

    let show = agora(dir.path(), &["scores", "show", "--name", "Ada"], "");
    assert_eq!(show.code, 0, "{}", show.err);
    assert!(show.out.contains("3 answered"), "{}", show.out);
    assert!(show.out.contains("mastery by topic:"), "{}", show.out);
}

#[test]
fn the_same_seed_replays_the_same_session_and_the_verdict_follows_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let first = agora(dir.path(), &["play", "--kind", "single", "--count", "2", "--seed", "7", "--name", "Bo"], "a\na\n");
    let again = agora(dir.path(), &["play", "--kind", "single", "--count", "2", "--seed", "7", "--name", "Cy"], "a\na\n");
    assert_eq!(first.code, 0, "{}", first.err);
    let questions = |s: &str| s.lines().filter(|l| l.starts_with("Question ") || l.starts_with("  ")).map(str::to_string).collect::<Vec<_>>();
    assert_eq!(questions(&first.out), questions(&again.out));
    // Whoever answered "A" got it right exactly when A was the key shown.
    for block in first.out.split("Question ").skip(1) {
        let right = block.contains("Correct! +");
        assert_eq!(right, !block.contains("The answer: "), "{block}");
        if !right {
            assert!(!block.contains("The answer: A."), "A was the key but was judged wrong:\n{block}");
        }
    }
}

#[test]
fn end_of_input_keeps_what_was_answered() {
    let dir = tempfile::tempdir().unwrap();
    let run = agora(dir.path(), &["play", "--kind", "true-false", "--count", "5", "--seed", "3", "--name", "Di"], "true\n");
    assert_eq!(run.code, 0, "{}", run.err);
    let show = agora(dir.path(), &["scores", "show", "--name", "Di"], "");
    assert!(show.out.contains("1 answered"), "{}", show.out);
}

#[test]
fn leaderboard_and_gradebook_list_every_student() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["Ada", "Bo"] {
        let run = agora(dir.path(), &["play", "--kind", "true-false", "--count", "2", "--seed", "5", "--name", name], "true\ntrue\n");
        assert_eq!(run.code, 0, "{}", run.err);
    }
    let board = agora(dir.path(), &["scores", "leaderboard"], "");
    assert_eq!(board.out.lines().count(), 2, "{}", board.out);
    assert!(board.out.contains("  1. Ada") || board.out.contains("  1. Bo"), "{}", board.out);
    let anonymous = agora(dir.path(), &["scores", "leaderboard", "--anonymous"], "");
    assert!(anonymous.out.contains("Student 1") && !anonymous.out.contains("Ada"), "{}", anonymous.out);
    let csv = agora(dir.path(), &["scores", "export", "--format", "csv"], "");
    let lines: Vec<&str> = csv.out.lines().collect();
    assert!(lines[0].starts_with("user_id,display_name,answered,correct,accuracy,points"), "{}", csv.out);
    assert_eq!(lines.len(), 3, "{}", csv.out);
    assert!(lines.iter().any(|l| l.starts_with("local:ada,Ada,2,")), "{}", csv.out);

    let by_id = agora(dir.path(), &["scores", "show", "--user", "local:bo", "--name", "Bo"], "");
    assert!(by_id.out.contains("2 answered"), "{}", by_id.out);

    // The same seed gave both students the same two items: each was answered twice.
    let items = agora(dir.path(), &["scores", "items"], "");
    assert_eq!(items.code, 0, "{}", items.err);
    assert_eq!(items.out.lines().filter(|l| l.contains(" · 2 answers · ")).count(), 2, "{}", items.out);
}

#[test]
fn an_unknown_topic_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let run = agora(dir.path(), &["play", "--topic", "nonsense"], "");
    assert_eq!(run.code, 2);
    assert!(run.err.contains("There is no topic “nonsense”. The topics are: complementary-economies"), "{}", run.err);
}

#[test]
fn a_session_killed_mid_way_keeps_its_answers_and_is_closed_on_the_next_start() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let url = store_url(dir.path());
    let mut child = start(dir.path(), &["play", "--kind", "true-false", "--count", "3", "--seed", "9", "--name", "Eve"]);
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    stdin.write_all(b"true\n").unwrap();
    stdin.flush().unwrap();
    // Once the verdict is printed the answer is committed; then the process dies without warning.
    until_verdict(&mut lines);
    child.kill().unwrap();
    child.wait().unwrap();

    let rt = tokio::runtime::Runtime::new().unwrap();
    let open_rounds = || rt.block_on(async { agora::store::Store::connect(&url).await.unwrap().open_rounds().await.unwrap() });
    assert_eq!(open_rounds().len(), 1, "the killed session is still open");

    let again = agora(dir.path(), &["play", "--kind", "true-false", "--count", "1", "--seed", "10", "--name", "Eve"], "false\n");
    assert_eq!(again.code, 0, "{}", again.err);
    assert!(open_rounds().is_empty());
    let show = agora(dir.path(), &["scores", "show", "--name", "Eve"], "");
    assert!(show.out.contains("2 answered"), "the answer given before the crash still counts:\n{}", show.out);
}

#[test]
fn a_second_session_under_the_same_name_closes_the_first_which_says_so() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut first = start(dir.path(), &["play", "--kind", "true-false", "--count", "3", "--seed", "11", "--name", "Fay"]);
    let mut stdin = first.stdin.take().unwrap();
    let mut lines = BufReader::new(first.stdout.take().unwrap()).lines();
    stdin.write_all(b"true\n").unwrap();
    stdin.flush().unwrap();
    until_verdict(&mut lines);
    let second = agora(dir.path(), &["play", "--kind", "true-false", "--count", "1", "--seed", "12", "--name", "Fay"], "true\n");
    assert_eq!(second.code, 0, "{}", second.err);

    stdin.write_all(b"false\n").unwrap();
    drop(stdin);
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    let status = first.wait().unwrap();
    assert!(status.success(), "the first session ends cleanly");
    assert!(rest.iter().any(|l| l.contains("This session was closed because Fay started another one; the answers given here still count.")), "{rest:?}");
    // The first session's answer before the second started and the second's answer count;
    // the answer typed into the first after it was closed is refused by the store (a closed
    // round takes no answers), and the session says why at once.
    let show = agora(dir.path(), &["scores", "show", "--name", "Fay"], "");
    assert!(show.out.contains("2 answered"), "{}", show.out);
}

#[test]
fn bytes_that_are_not_utf8_are_an_answer_to_explain_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let run = agora(dir.path(), &["play", "--kind", "true-false", "--count", "1", "--seed", "4", "--name", "Hal"], b"\xff\xfe\ntrue\n");
    assert_eq!(run.code, 0, "{}", run.err);
    assert!(run.out.contains("Answer true or false (or T / F).") && run.out.contains("Done: "), "{}", run.out);
}

#[test]
fn a_blank_name_is_refused_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let run = agora(dir.path(), &["play", "--name", "  "], "");
    assert_eq!(run.code, 2);
    assert!(run.err.contains("a name is needed to keep your scores: pass --name NAME"), "{}", run.err);
}

#[test]
fn scores_forget_counts_first_and_deletes_only_with_yes() {
    let dir = tempfile::tempdir().unwrap();
    let run = agora(dir.path(), &["play", "--kind", "true-false", "--count", "2", "--seed", "42", "--name", "Ada"], "true\nfalse\n");
    assert_eq!(run.code, 0, "{}", run.err);
    let bo = agora(dir.path(), &["play", "--kind", "true-false", "--count", "1", "--seed", "42", "--name", "Bo"], "true\n");
    assert_eq!(bo.code, 0, "{}", bo.err);
    let asked = agora(dir.path(), &["scores", "forget", "--guild", "local", "--user", "local:ada"], "");
    assert_eq!(asked.code, 1, "{}", asked.err);
    assert!(asked.out.contains("Server local holds 8 rows about user local:ada:"), "{}", asked.out);
    assert!(asked.out.contains("answers") && asked.out.contains("Nothing was deleted. Run again with --yes"), "{}", asked.out);
    let show = agora(dir.path(), &["scores", "show", "--name", "Ada"], "");
    assert!(show.out.contains("2 answered"), "still there after the question: {}", show.out);
    let done = agora(dir.path(), &["scores", "forget", "--guild", "local", "--user", "local:ada", "--yes"], "");
    assert_eq!(done.code, 0, "{}", done.err);
    assert!(done.out.contains("Deleted 8 rows about user local:ada in server local:"), "{}", done.out);
    let show = agora(dir.path(), &["scores", "show", "--name", "Ada"], "");
    assert!(show.out.contains("Ada has not answered any question yet"), "{}", show.out);
    let board = agora(dir.path(), &["scores", "leaderboard"], "");
    assert!(board.out.contains("Bo") && !board.out.contains("Ada"), "{}", board.out);
    let again = agora(dir.path(), &["scores", "forget", "--guild", "local", "--user", "local:ada", "--yes"], "");
    assert_eq!(again.code, 0);
    assert!(again.out.contains("holds nothing about user local:ada"), "{}", again.out);
}

/// With `AGORA_LOG_FORMAT=json` every line on standard error is one JSON object, and nothing
/// a student typed reaches the log at `info`.
#[test]
fn json_logs_are_json_lines_and_never_hold_a_typed_answer() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_agora"))
        .args(["play", "--kind", "short", "--count", "2", "--seed", "9", "--name", "Ada"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", store_url(dir.path()))
        .env_remove("AGORA_CONFIG")
        .env("RUST_LOG", "info")
        .env("AGORA_LOG_FORMAT", "json")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"xyzzy plover first\nxyzzy plover second\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert_eq!(count(&stdout, "Question "), 2, "{stdout}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(!lines.is_empty(), "the store says at info which database it opened");
    for line in &lines {
        let event: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        assert!(event["level"].is_string() && event["timestamp"].is_string() && event["message"].is_string(), "{line}");
    }
    assert!(lines.iter().any(|l| l.contains("score store opened")), "{stderr}");
    assert!(!stderr.contains("xyzzy") && !stderr.contains("plover"), "a typed answer reached the log: {stderr}");
    // The answers were typed and stored all the same.
    let show = agora(dir.path(), &["scores", "show", "--name", "Ada"], "");
    assert!(show.out.contains("2 answered"), "{}", show.out);
    // A bad format is refused with the two it accepts.
    let bad = Command::new(env!("CARGO_BIN_EXE_agora"))
        .args(["scores", "show"])
        .current_dir(dir.path())
        .env("DATABASE_URL", store_url(dir.path()))
        .env_remove("AGORA_CONFIG")
        .env("AGORA_LOG_FORMAT", "xml")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("AGORA_LOG_FORMAT is `xml`: write `text` (the default) or `json`"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

/// Spaced practice in the terminal: right after a session nothing is due, and `play --due`
/// says when the next review falls due and brings only questions never answered;
/// `scores show` lists the next reviews with their dates.
#[test]
fn play_due_and_scores_show_follow_the_students_memory() {
    let dir = tempfile::tempdir().unwrap();
    let first = agora(dir.path(), &["play", "--kind", "true-false", "--count", "2", "--seed", "42", "--name", "Ada"], "true\nfalse\n");
    assert_eq!(first.code, 0, "{}", first.err);
    // Each question's prompt is the line after its "Question N/M · …" header.
    let asked = |out: &str| -> Vec<String> {
        let lines: Vec<&str> = out.lines().collect();
        lines.windows(2).filter(|w| w[0].starts_with("Question ")).map(|w| w[1].to_owned()).collect()
    };
    assert_eq!(asked(&first.out).len(), 2, "{}", first.out);
    let due = agora(dir.path(), &["play", "--due", "--kind", "true-false", "--count", "3", "--seed", "42", "--name", "Ada"], "");
    assert_eq!(due.code, 0, "{}", due.err);
    assert!(due.out.contains("Nothing is due for review now; your next review falls due on "), "{}", due.out);
    assert!(due.out.contains("(tomorrow)."), "a missed item comes back tomorrow: {}", due.out);
    for q in asked(&first.out) {
        assert!(!due.out.contains(&q), "{q} came back early: {}", due.out);
    }
    let show = agora(dir.path(), &["scores", "show", "--name", "Ada"], "");
    assert_eq!(show.code, 0, "{}", show.err);
    assert!(show.out.contains("spaced practice: Nothing is due for review now"), "{}", show.out);
    let next: Vec<&str> = show.out.lines().skip_while(|l| *l != "next reviews:").skip(1).collect();
    assert_eq!(next.len(), 2, "{}", show.out);
    assert!(next.iter().all(|l| l.trim_start().starts_with("20") && l.trim_start().as_bytes()[4] == b'-'), "{}", show.out);
}
