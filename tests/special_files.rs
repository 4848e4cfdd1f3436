//! Paths that are not regular files, where a file is read: a FIFO (which would block a
//! reader until someone writes), a socket, a link to either, a link to nothing, a folder
//! named like a file. Each is refused at once with a sentence naming the path; every run
//! here has a deadline, so a regression fails instead of hanging the suite.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Makes a FIFO at `path` with mkfifo(1) (no FFI crate is a dependency).
fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().expect("mkfifo runs").success();
    assert!(ok, "mkfifo {}", path.display());
}

/// Runs `agora ARGS` in the crate root; it must end within 20 s (a read that blocks on a
/// FIFO would never end): returns (exit code, stderr).
fn agora(args: &[&str]) -> (i32, String) {
    agora_env(args, &[])
}

/// [`agora`] with environment variables set.
fn agora_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_agora"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .env_remove("AGORA_CONFIG")
        .env_remove("DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("agora runs");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("`agora {}` hung (killed after 20 s): {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A copy of the repository's bank (with its paper) in `dir/questions`.
fn copy_bank(dir: &Path) -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &to.join(entry.file_name()));
            } else {
                std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
            }
        }
    }
    let questions = dir.join("questions");
    copy(&root().join("questions"), &questions);
    questions
}

#[test]
fn the_bank_checker_reports_what_is_not_a_regular_file_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let bank = copy_bank(dir.path());
    mkfifo(&bank.join("zz.yaml"));
    std::os::unix::fs::symlink("zz.yaml", bank.join("zz-link.yaml")).unwrap();
    std::os::unix::fs::symlink("nowhere.yaml", bank.join("gone.yaml")).unwrap();
    let _socket = std::os::unix::net::UnixListener::bind(bank.join("sock.yaml")).unwrap();
    std::fs::create_dir(bank.join("folder.yaml")).unwrap();
    let (code, err) = agora(&["bank", "check", bank.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    for (name, what) in [
        ("zz.yaml", "a FIFO (named pipe)"),
        ("zz-link.yaml", "a link to a FIFO (named pipe)"),
        ("gone.yaml", "a link to nothing (-> nowhere.yaml)"),
        ("sock.yaml", "a socket"),
        ("folder.yaml", "a folder"),
    ] {
        let path = bank.join(name);
        assert!(err.contains(&format!("{}: {what}, not a regular YAML file", path.display())), "{name}: {err}");
    }
}

#[test]
fn the_paper_and_its_anchors_must_be_regular_files() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("paper.md");
    mkfifo(&fifo);
    let (code, err) = agora(&["bank", "check", "questions", "--source", fifo.to_str().unwrap()]);
    assert_ne!(code, 0, "{err}");
    assert!(err.contains(&fifo.display().to_string()) && err.contains("a FIFO (named pipe), not a regular file"), "{err}");

    // The bank's own copy: DIR/paper/anchors.tsv a FIFO.
    let bank = copy_bank(&dir.path().join("copy"));
    let anchors = bank.join("paper/anchors.tsv");
    std::fs::remove_file(&anchors).unwrap();
    mkfifo(&anchors);
    let (code, err) = agora(&["bank", "check", bank.to_str().unwrap()]);
    assert_ne!(code, 0, "{err}");
    assert!(err.contains(&anchors.display().to_string()) && err.contains("a FIFO (named pipe), not a regular file"), "{err}");
}

#[test]
fn the_config_file_must_be_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("agora.yaml");
    mkfifo(&fifo);
    let (code, err) = agora(&["--config", fifo.to_str().unwrap(), "bank", "check", "questions"]);
    assert_ne!(code, 0, "{err}");
    assert!(err.contains(&fifo.display().to_string()) && err.contains("a FIFO (named pipe), not a regular file"), "{err}");
}

#[test]
fn a_restore_refuses_a_backup_that_is_not_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("backup.db");
    mkfifo(&fifo);
    let url = format!("sqlite://{}", dir.path().join("agora.db").display());
    let (code, err) = agora_env(&["db", "restore", fifo.to_str().unwrap()], &[("DATABASE_URL", &url)]);
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("a FIFO (named pipe), not a regular file"), "{err}");
}
