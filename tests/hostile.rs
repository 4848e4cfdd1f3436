//! What a hostile tester tried (issue 8), run as a user runs it: the `agora` binary, its exit
//! code, what it prints on stdout and stderr.

use std::path::Path;
use std::process::Command;

struct Run {
    code: i32,
    out: String,
    err: String,
}

/// Runs `agora ARGS` in `cwd` with `env` set (and `AGORA_CONFIG` unset unless given).
fn agora_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_agora"));
    cmd.args(args).current_dir(cwd).env_remove("AGORA_CONFIG").env_remove("DISCORD_TOKEN").env_remove("DATABASE_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("agora runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every piece of four characters or more of `secret` found in `text`.
fn pieces_of(secret: &str, text: &str) -> Vec<String> {
    let chars: Vec<char> = secret.chars().collect();
    let mut found = Vec::new();
    for len in 4..=chars.len() {
        for w in chars.windows(len) {
            let piece: String = w.iter().collect();
            if text.contains(&piece) {
                found.push(piece);
            }
        }
    }
    found
}

// ---------------------------------------------------------------- defect 1: the token

/// How a config file is named: arguments, environment, and the name the error shows.
type Way<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

#[test]
fn a_broken_config_file_never_prints_the_token() {
    const TOKEN: &str = "MTEzNzQ5ODc2NTQzMjEwOTg3.GhX1yZ.abcDEFghiJKLmnoPQRstuVWXyz0123";
    // The three files of the report, and a .env file given as the config.
    let files = [
        (format!("discord_token: \"{TOKEN}\"\ndatabse_url: x\n"), "line 2, column 1: unknown setting `databse_url`"),
        (format!("discord_token: \"{TOKEN}\ndatabase_url: x\n"), "line 1, column 16: a quote opened here is not closed"),
        (format!("discord_token: {TOKEN}\nlog: info\ndiscord_token: {TOKEN}\n"), "line 3, column 1: `discord_token` is set twice"),
        (format!("DISCORD_TOKEN={TOKEN}\n"), "line 1, column 1: the file is not a list of settings"),
    ];
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("config")).unwrap();
    let named = dir.path().join("c.yaml");
    let named = named.to_str().unwrap();
    for (text, expected) in &files {
        std::fs::write(named, text).unwrap();
        std::fs::write(dir.path().join("config/agora.yaml"), text).unwrap();
        // Every way a config file is named, every kind of command, the most verbose logs.
        let ways: [Way; 3] = [
            (&["--config", named], &[], named),
            (&[], &[("AGORA_CONFIG", named)], named),
            (&[], &[], "config/agora.yaml"), // found in the working directory
        ];
        for (config_args, env, file) in ways {
            for command in [&["scores", "show"][..], &["play", "--count", "1"], &["bank", "check"]] {
                let args: Vec<&str> = config_args.iter().chain(command).copied().collect();
                let env: Vec<(&str, &str)> = env.iter().copied().chain([("RUST_LOG", "trace")]).collect();
                let run = agora_in(dir.path(), &args, &env);
                for printed in [&run.err, &run.out] {
                    assert_eq!(pieces_of(TOKEN, printed), Vec::<String>::new(), "{args:?} with {text:?} printed:\n{printed}");
                }
                assert_eq!(run.code, 2, "{args:?} with {text:?}: {}", run.err);
                assert!(run.err.starts_with(&format!("error: in the config file {file}: {expected}")), "{args:?} with {text:?}: {}", run.err);
                assert!(run.err.contains("hint: "), "{}", run.err);
            }
        }
    }
}

// ---------------------------------------------------------------- defect 2: folder links

/// Runs `agora ARGS` in the crate root, killed after `secs` seconds (a hang is a failure).
fn agora_within(secs: u64, args: &[&str]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_agora"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("AGORA_CONFIG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("agora starts");
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed().as_secs() >= secs {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("`agora {}` did not return within {secs} s", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A copy of the bundled bank (its files and the `paper/` it ships) in a temporary folder.
fn bank_copy() -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            let target = to.join(path.file_name().unwrap());
            if path.is_dir() {
                std::fs::create_dir(&target).unwrap();
                copy(&path, &target);
            } else {
                std::fs::copy(&path, &target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("questions"), dir.path());
    dir
}

#[cfg(unix)]
#[test]
fn folder_links_that_loop_end_with_a_message_and_each_file_is_read_once() {
    use std::os::unix::fs::symlink;
    // Two links to the folder itself: the walk used to nest a/b/a/b/… without end.
    let bank = bank_copy();
    symlink(".", bank.path().join("a")).unwrap();
    symlink(".", bank.path().join("b")).unwrap();
    let dir = bank.path().to_str().unwrap();
    let run = agora_within(30, &["bank", "check", dir]);
    assert_eq!(run.code, 1, "{}{}", run.out, run.err);
    let real = bank.path().canonicalize().unwrap();
    for link in ["a", "b"] {
        let line = format!("{dir}/{link}: this folder link (-> .) leads back to {}, which holds it: a loop", real.display());
        assert!(run.err.contains(&line), "no `{line}` in:\n{}", run.err);
    }
    assert!(run.err.contains("hint: remove the link"), "{}", run.err);
    assert!(run.err.trim_end().ends_with("\n2 problems"), "only the two links are wrong:\n{}", run.err);

    // One link to the folder itself: every file was read twice, every id a duplicate.
    let bank = bank_copy();
    symlink(".", bank.path().join("self")).unwrap();
    let run = agora_within(30, &["bank", "check", bank.path().to_str().unwrap()]);
    assert!(!run.err.contains("duplicate"), "{}", run.err);
    assert!(run.err.trim_end().ends_with("\n1 problem") && run.err.contains("/self: this folder link"), "{}", run.err);

    // A link to a folder outside the bank is followed; a second link to it adds nothing.
    let bank = tempfile::tempdir().unwrap();
    let shared = bank_copy();
    symlink(shared.path(), bank.path().join("shared")).unwrap();
    symlink(shared.path(), bank.path().join("again")).unwrap();
    let paper = shared.path().join("paper/paper.md");
    let run = agora_within(30, &["bank", "check", bank.path().to_str().unwrap(), "--source", paper.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.err);
    assert!(run.out.starts_with("ok: "), "{}", run.out);
}

// ---------------------------------------------------------------- defect 6: smaller ones

/// Runs `agora ARGS` in the crate root on the SQLite store in `dir`, with `input` on stdin.
fn agora_on(dir: &Path, args: &[&str], input: &str) -> Run {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_agora"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("AGORA_CONFIG")
        .env("DATABASE_URL", format!("sqlite://{}", dir.join("agora.db").display()))
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("agora starts");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn a_leaderboard_of_no_one_is_refused_by_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let play = agora_on(dir.path(), &["play", "--kind", "true-false", "--count", "1", "--seed", "1", "--name", "Ada"], "true\n");
    assert_eq!(play.code, 0, "{}", play.err);
    let run = agora_on(dir.path(), &["scores", "leaderboard", "--top", "0"], "");
    assert_eq!(run.code, 2, "{}{}", run.out, run.err);
    assert!(run.err.contains("invalid value '0' for '--top <N>': a leaderboard shows at least one student: give 1 or more"), "{}", run.err);
    assert!(!run.out.contains("No scores yet"), "{}", run.out);
    let run = agora_on(dir.path(), &["scores", "leaderboard", "--top", "1"], "");
    assert!(run.out.starts_with("  1. Ada "), "{}", run.out);
}

/// What a name could do to a terminal: clear it, colour it, retitle it, ring, reverse the
/// line; or run to 10,000 characters.
const HOSTILE_NAME: &str = "\u{1b}[2J\u{1b}[31mBo\u{7}\u{1b}]0;pwned\u{7}\u{202e}yrros";

/// Whether `text` is safe in a terminal: no control character but newlines, no escape, no
/// bidirectional override unless `bidi` allows it, no line longer than `width` characters.
fn inert(text: &str, width: usize, bidi: bool) -> Result<(), String> {
    let short: String = text.chars().take(300).collect();
    if let Some(c) = text.chars().find(|&c| (c.is_control() && c != '\n') || (!bidi && ('\u{202a}'..='\u{202e}').contains(&c))) {
        return Err(format!("{c:?} in {short:?}…"));
    }
    match text.lines().find(|l| l.chars().count() > width) {
        Some(line) => Err(format!("a line of {} characters: {}…", line.chars().count(), line.chars().take(300).collect::<String>())),
        None => Ok(()),
    }
}

#[test]
fn display_names_are_printed_inert_and_cut_to_a_table_width() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!("{}x", "Ada ".repeat(2_500));
    for name in [long.as_str(), "Bo"] {
        let play = agora_on(dir.path(), &["play", "--kind", "true-false", "--count", "1", "--seed", "1", "--name", name], "true\n");
        assert_eq!(play.code, 0, "{}", play.err);
    }
    // A name stored as Discord sent it, or before the store cleaned typed text.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&format!("sqlite://{}", dir.path().join("agora.db").display())).await.unwrap();
        let done = sqlx::query("UPDATE users SET display_name = $1 WHERE user_id = 'local:bo'").bind(HOSTILE_NAME).execute(&mut conn).await.unwrap();
        assert_eq!(done.rows_affected(), 1);
        conn.close().await.unwrap();
    });

    let board = agora_on(dir.path(), &["scores", "leaderboard"], "");
    assert_eq!(board.code, 0, "{}", board.err);
    inert(&board.out, 100, false).unwrap();
    assert!(board.out.contains(&format!(" {}… ", "Ada ".repeat(8).trim_end())), "{}", board.out);
    assert!(board.out.contains(" Boyrros "), "{}", board.out);

    let show = agora_on(dir.path(), &["scores", "show", "--name", &long], "");
    assert_eq!(show.code, 0, "{}", show.err);
    inert(&show.out, 120, false).unwrap();

    // The gradebook keeps the whole name (a spreadsheet holds it; bidirectional marks are
    // text), without control characters or escapes.
    let csv = agora_on(dir.path(), &["scores", "export"], "");
    assert_eq!(csv.code, 0, "{}", csv.err);
    inert(&csv.out, 30_000, true).unwrap();
    assert!(csv.out.contains(&long), "the gradebook keeps the name whole");
}

#[test]
fn yaml_errors_speak_of_the_file_not_of_the_parser() {
    let bank = bank_copy();
    std::fs::write(bank.path().join("huge.yaml"), format!("questions: [{}]\n", vec!["1"; 250_001].join(","))).unwrap();
    std::fs::write(bank.path().join("twice.yaml"), "topics: []\nmotions: []\ntopics: []\n").unwrap();
    let dir = bank.path().to_str().unwrap();
    let run = agora_within(60, &["bank", "check", dir]);
    assert_eq!(run.code, 1, "{}", run.err);
    assert!(run.err.contains(&format!("{dir}/huge.yaml:1:")), "{}", run.err);
    assert!(run.err.contains("the file holds more than 250,000 YAML values (keys, values and lists); it is far larger than any bank or config file should be\n    hint: split the file into several smaller files"), "{}", run.err);
    assert!(
        run.err.contains(&format!("{dir}/twice.yaml:3:1: the key `topics` is given twice in the same mapping\n    hint: keep one of the two")),
        "{}",
        run.err
    );
    for jargon in ["budget", "Nodes {", "DuplicateKeyPolicy", "Options"] {
        assert!(!run.err.contains(jargon), "`{jargon}` in:\n{}", run.err);
    }
}

#[test]
fn an_empty_bank_folder_is_named() {
    let empty = tempfile::tempdir().unwrap();
    let dir = empty.path().to_str().unwrap();
    let run = agora_within(30, &["bank", "stats", dir]);
    assert_eq!(run.code, 1, "{}", run.err);
    assert!(run.err.starts_with(&format!("{dir}: the folder holds no .yaml file\n    hint: point the command at the folder")), "{}", run.err);
    assert!(!run.err.contains(".:1:1"), "{}", run.err);
}

#[test]
fn a_read_only_or_foreign_database_is_named_as_such_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agora.db");
    // An empty file, opened read-only (as for a file or folder the user may not write; the
    // tests run as root, whom file modes do not stop).
    std::fs::write(&path, "").unwrap();
    let ro = format!("sqlite://{}?mode=ro", path.display());
    for args in [&["scores", "show"][..], &["play", "--count", "1"]] {
        let run = agora_in(Path::new(env!("CARGO_MANIFEST_DIR")), args, &[("DATABASE_URL", ro.as_str())]);
        assert_eq!(run.code, 2, "{}", run.err);
        assert!(run.err.contains("the database is read-only. Make the database file and its folder writable by the user running agora"), "{}", run.err);
    }
    // Another program's database: refused, and left as it was.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use sqlx::{Connection, Executor};
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&format!("sqlite://{}?mode=rwc", path.display())).await.unwrap();
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)").await.unwrap();
        conn.close().await.unwrap();
    });
    let before = std::fs::read(&path).unwrap();
    let url = format!("sqlite://{}", path.display());
    let run = agora_in(Path::new(env!("CARGO_MANIFEST_DIR")), &["scores", "show"], &[("DATABASE_URL", url.as_str())]);
    assert_eq!(run.code, 2, "{}", run.err);
    assert!(
        run.err
            .contains(&format!("{url} is not Agora's database: it holds other tables (invoices) and no Agora migration history. Nothing was written to it.")),
        "{}",
        run.err
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}
