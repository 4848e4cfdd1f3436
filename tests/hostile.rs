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
