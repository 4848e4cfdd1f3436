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
    Run { code: out.status.code().unwrap_or(-1), out: String::from_utf8_lossy(&out.stdout).into_owned(), err: String::from_utf8_lossy(&out.stderr).into_owned() }
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
    Run { code: out.status.code().unwrap_or(-1), out: String::from_utf8_lossy(&out.stdout).into_owned(), err: String::from_utf8_lossy(&out.stderr).into_owned() }
}

/// A copy of the bundled bank in a temporary folder.
fn bank_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("questions");
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
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
        let line = format!("{dir}/{link}:1:1: this folder link (-> .) leads back to {}, which holds it: a loop", real.display());
        assert!(run.err.contains(&line), "no `{line}` in:\n{}", run.err);
    }
    assert!(run.err.contains("hint: remove the link"), "{}", run.err);
    assert!(run.err.trim_end().ends_with("\n2 problems"), "only the two links are wrong:\n{}", run.err);

    // One link to the folder itself: every file was read twice, every id a duplicate.
    let bank = bank_copy();
    symlink(".", bank.path().join("self")).unwrap();
    let run = agora_within(30, &["bank", "check", bank.path().to_str().unwrap()]);
    assert!(!run.err.contains("duplicate"), "{}", run.err);
    assert!(run.err.trim_end().ends_with("\n1 problem") && run.err.contains("self:1:1: this folder link"), "{}", run.err);

    // A link to a folder outside the bank is followed; a second link to it adds nothing.
    let bank = tempfile::tempdir().unwrap();
    let shared = bank_copy();
    symlink(shared.path(), bank.path().join("shared")).unwrap();
    symlink(shared.path(), bank.path().join("again")).unwrap();
    let run = agora_within(30, &["bank", "check", bank.path().to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.err);
    assert!(run.out.starts_with("ok: "), "{}", run.out);
}
