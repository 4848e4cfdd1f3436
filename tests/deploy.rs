//! What `compose.yaml` and the `Dockerfile` promise, checked without a Docker daemon: the
//! compose file parsed as YAML, the Dockerfile read as instructions.
//!
//! What it protects: `docker compose up` starts PostgreSQL with its data on a named volume and a
//! health check, and the bot only once the database answers, with every setting the bot reads
//! from the environment; the image builds from what the repository holds and carries the
//! binary, the bank with the paper (`/source` reads `questions/paper/`) and `config/`, runs as a
//! user other than root, and starts `agora serve`; and the binary allocates with jemalloc set as
//! `.cargo/config.toml` says, which the image's build stage copies.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn compose() -> Value {
    let text = std::fs::read_to_string(repo().join("compose.yaml")).expect("compose.yaml stands at the repository's root");
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("compose.yaml is not valid YAML: {e}"))
}

fn service<'a>(compose: &'a Value, name: &str) -> &'a Value {
    compose.pointer(&format!("/services/{name}")).unwrap_or_else(|| panic!("compose.yaml has no service `{name}`"))
}

/// A service's environment as (name, value) pairs, whether written as a mapping or a list.
fn environment(service: &Value) -> Vec<(String, String)> {
    match service.get("environment") {
        Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned))).collect(),
        Some(Value::Array(list)) => list
            .iter()
            .map(|v| {
                let s = v.as_str().expect("an environment entry is NAME=value");
                let (k, v) = s.split_once('=').unwrap_or((s, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn env_value(service: &Value, name: &str) -> Option<String> {
    environment(service).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// The environment variables the bot reads: every `var("NAME")` in `Config::apply_env`, so a
/// new setting read from the environment fails this test until compose.yaml passes it on.
fn variables_the_bot_reads() -> Vec<String> {
    let config = std::fs::read_to_string(repo().join("src/config.rs")).unwrap();
    let start = config.find("pub fn apply_env").expect("Config::apply_env in src/config.rs");
    let body = &config[start..];
    let end = body.find("\n    }\n").expect("the end of apply_env");
    let mut names: Vec<String> = body[..end].split("var(\"").skip(1).filter_map(|rest| rest.split_once('"').map(|(name, _)| name.to_owned())).collect();
    names.dedup();
    assert!(names.len() >= 4, "found too few variables in apply_env: {names:?}");
    names
}

/// Variables the bot reads that a deployment must not set, and why.
const NOT_FOR_DEPLOYMENT: &[(&str, &str)] = &[("DISCORD_API_BASE", "points the bot at the tests' Discord stand-in and turns the rate limiter off")];

#[test]
fn compose_runs_postgres_on_a_named_volume_with_a_health_check() {
    let compose = compose();
    let services: Vec<&String> = compose["services"].as_object().expect("services").keys().collect();
    assert_eq!(services.len(), 2, "two services, the database and the bot: {services:?}");
    let db = service(&compose, "db");
    assert!(db["image"].as_str().is_some_and(|i| i.starts_with("postgres:")), "db runs the official PostgreSQL image: {}", db["image"]);
    // The data directory of the official image, on a volume declared at the top level.
    let volumes: Vec<&str> = db["volumes"].as_array().expect("db has volumes").iter().filter_map(Value::as_str).collect();
    let data = volumes
        .iter()
        .find(|v| v.ends_with(":/var/lib/postgresql/data"))
        .unwrap_or_else(|| panic!("no volume mounted at /var/lib/postgresql/data: {volumes:?}"));
    let name = data.split(':').next().unwrap();
    assert!(!name.starts_with('.') && !name.starts_with('/'), "a named volume, not a bind mount: {data}");
    assert!(compose.pointer(&format!("/volumes/{name}")).is_some(), "volume `{name}` is declared under the top-level `volumes`");
    // The health check asks PostgreSQL itself, for the database the bot uses.
    let test = &db["healthcheck"]["test"];
    let words: Vec<&str> = match test {
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        Value::String(s) => s.split_whitespace().collect(),
        _ => panic!("db has no healthcheck test"),
    };
    assert!(words.contains(&"pg_isready"), "the health check runs pg_isready: {words:?}");
    assert!(words.iter().any(|w| *w == "--dbname=agora" || *w == "agora"), "pg_isready names the database: {words:?}");
    assert!(db["healthcheck"]["interval"].is_string() && db["healthcheck"]["retries"].is_number(), "the check repeats: {}", db["healthcheck"]);
    assert!(db["restart"].is_string(), "db restarts after a crash or a reboot");
}

#[test]
fn the_bot_waits_for_a_healthy_database_and_gets_every_setting() {
    let compose = compose();
    let db = service(&compose, "db");
    let bot = service(&compose, "bot");
    assert_eq!(bot.pointer("/depends_on/db/condition"), Some(&Value::from("service_healthy")), "bot waits until db is healthy");
    assert_eq!(bot["build"], Value::from("."), "bot is built from the Dockerfile at the root");
    assert_eq!(bot["restart"], Value::from("unless-stopped"));
    // Every variable the bot reads is passed on, except those for tests.
    let given: Vec<String> = environment(bot).into_iter().map(|(k, _)| k).collect();
    for name in variables_the_bot_reads() {
        let excluded = NOT_FOR_DEPLOYMENT.iter().find(|(n, _)| *n == name);
        match excluded {
            Some((_, why)) => assert!(!given.contains(&name), "{name} must not be set for a deployment: it {why}"),
            None => assert!(given.contains(&name), "the bot reads {name}, but compose.yaml does not pass it: {given:?}"),
        }
    }
    // The token comes from the operator and compose stops with a message when it is missing.
    let token = env_value(bot, "DISCORD_TOKEN").unwrap();
    assert!(token.starts_with("${DISCORD_TOKEN:?"), "DISCORD_TOKEN from the operator's environment or .env, required: {token}");
    let guild = env_value(bot, "AGORA_GUILD_ID").unwrap();
    assert!(guild.starts_with("${AGORA_GUILD_ID:-"), "AGORA_GUILD_ID is optional: {guild}");
    // DATABASE_URL names the db service, its user, its password and its database.
    let url = env_value(bot, "DATABASE_URL").unwrap();
    let rest = url.strip_prefix("postgres://").unwrap_or_else(|| panic!("a PostgreSQL URL: {url}"));
    let (userinfo, rest) = rest.split_once('@').expect("user@host");
    let (host_port, database) = rest.split_once('/').expect("host/database");
    let (user, password) = userinfo.split_once(':').expect("user:password");
    assert_eq!(host_port, "db:5432", "DATABASE_URL points at the db service: {url}");
    assert_eq!(Some(user.to_owned()), env_value(db, "POSTGRES_USER"));
    assert_eq!(Some(password.to_owned()), env_value(db, "POSTGRES_PASSWORD"));
    assert_eq!(Some(database.to_owned()), env_value(db, "POSTGRES_DB"));
}

/// The Dockerfile's instructions: (stage index, INSTRUCTION, arguments), continuation lines
/// joined, comments dropped.
fn dockerfile() -> Vec<(usize, String, String)> {
    let text = std::fs::read_to_string(repo().join("Dockerfile")).expect("Dockerfile at the root");
    let mut joined = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') && current.is_empty() || trimmed.is_empty() {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(part) => current.push_str(part),
            None => {
                current.push_str(trimmed);
                joined.push(std::mem::take(&mut current));
            }
        }
    }
    let mut stage = 0;
    let mut out = Vec::new();
    for line in joined {
        let (instruction, args) = line.split_once(char::is_whitespace).unwrap_or((&line, ""));
        let instruction = instruction.to_ascii_uppercase();
        if instruction == "FROM" && !out.is_empty() {
            stage += 1;
        }
        out.push((stage, instruction, args.trim().to_owned()));
    }
    out
}

/// The `COPY` instructions of a stage as (source, destination) pairs, `--from` kept on the source.
fn copies(file: &[(usize, String, String)], stage: usize) -> Vec<(String, String)> {
    file.iter()
        .filter(|(s, i, _)| *s == stage && i == "COPY")
        .map(|(_, _, args)| {
            let words: Vec<&str> = args.split_whitespace().collect();
            let (dest, sources) = words.split_last().expect("COPY SRC DEST");
            (sources.join(" "), (*dest).to_owned())
        })
        .collect()
}

#[test]
fn the_image_builds_from_the_repository_and_runs_agora_serve_as_a_user() {
    let file = dockerfile();
    let last = file.last().expect("instructions").0;
    assert!(last >= 1, "a build stage and a slim runtime stage");
    // The build stage has everything cargo needs to build the crate.
    let build = copies(&file, 0);
    // .cargo/ carries jemalloc's settings into its build.
    for needed in ["Cargo.toml", "Cargo.lock", ".cargo", "build.rs", "src", "migrations", "benches"] {
        assert!(build.iter().any(|(src, _)| src.split_whitespace().any(|s| s == needed)), "the build stage copies {needed}: {build:?}");
        assert!(repo().join(needed).exists(), "{needed} is in the repository");
    }
    // The runtime stage: the binary, the bank with the paper, the config folder.
    let runtime = copies(&file, last);
    assert!(
        runtime.iter().any(|(src, dest)| src.starts_with("--from=") && src.ends_with("/release/agora") && dest.ends_with("/agora")),
        "the image copies the release binary: {runtime:?}"
    );
    let workdir = file.iter().rfind(|(s, i, _)| *s == last && i == "WORKDIR").map(|(_, _, a)| a.clone()).expect("a WORKDIR");
    for folder in ["questions", "config"] {
        assert!(
            runtime.iter().any(|(src, dest)| src == folder && (dest == folder || *dest == format!("{workdir}/{folder}"))),
            "the image copies {folder}/ into {workdir}: {runtime:?}"
        );
    }
    // What `/source` reads and the checker proves quotes against is inside questions/.
    for paper in ["questions/paper/paper.md", "questions/paper/anchors.tsv"] {
        assert!(repo().join(paper).is_file(), "{paper} exists, so the image's questions/ carries it");
    }
    assert_eq!(agora::discord::paper_path(Path::new("questions")), Path::new("questions/paper/paper.md"));
    // Nothing the image copies is left out of the build context.
    let ignored = std::fs::read_to_string(repo().join(".dockerignore")).unwrap_or_default();
    for line in ignored.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        for kept in ["questions", "config", "src", "migrations", "Cargo.toml", "Cargo.lock", ".cargo", "build.rs", "benches"] {
            assert!(!kept.starts_with(line.trim_end_matches('/')), ".dockerignore leaves out {kept} ({line})");
        }
    }
    assert!(ignored.lines().any(|l| l.trim() == "target"), ".dockerignore keeps target/ out of the build context");
    // A user other than root, and `agora serve` as the entry point.
    let user = file.iter().rfind(|(s, i, _)| *s == last && i == "USER").map(|(_, _, a)| a.clone()).expect("a USER in the runtime stage");
    assert!(!["root", "0", "0:0"].contains(&user.as_str()), "the image runs as a user other than root: {user}");
    let entry = file.iter().rfind(|(_, i, _)| i == "ENTRYPOINT").map(|(_, _, a)| a.clone()).expect("an ENTRYPOINT");
    let cmd = file.iter().rfind(|(_, i, _)| i == "CMD").map(|(_, _, a)| a.clone()).unwrap_or_default();
    let exec: Vec<String> = [entry, cmd]
        .iter()
        .filter(|a| !a.is_empty())
        .flat_map(|a| serde_json::from_str::<Vec<String>>(a).unwrap_or_else(|_| panic!("exec form (a JSON list), so agora gets SIGTERM itself: {a}")))
        .collect();
    assert_eq!(exec, ["agora", "serve"]);
}

/// The binary allocates with jemalloc, set as `.cargo/config.toml` says (BENCHMARKS.md measured
/// it so): jemalloc prints its options at exit when `MALLOC_CONF` asks, which glibc's malloc
/// would ignore.
#[cfg(not(target_env = "msvc"))]
#[test]
fn the_binary_allocates_with_jemalloc_as_configured() {
    let config = std::fs::read_to_string(repo().join(".cargo/config.toml")).expect(".cargo/config.toml");
    let wanted = config
        .lines()
        .find_map(|l| l.trim().strip_prefix("JEMALLOC_SYS_WITH_MALLOC_CONF"))
        .and_then(|rest| rest.split('"').nth(1))
        .expect("JEMALLOC_SYS_WITH_MALLOC_CONF = \"…\" in .cargo/config.toml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_agora")).arg("--version").env("MALLOC_CONF", "stats_print:true").output().expect("agora runs");
    assert!(out.status.success());
    let stats = String::from_utf8_lossy(&out.stderr);
    assert!(stats.contains(&format!("config.malloc_conf: \"{wanted}\"")), "jemalloc built with {wanted:?}; it printed:\n{stats}");
    for option in ["opt.narenas: 1", "opt.background_thread: true"] {
        assert!(stats.contains(option), "{option} in jemalloc's options; it printed:\n{stats}");
    }
}

#[test]
fn readme_shows_compose_as_the_one_command() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let section = readme.split("\n## Operating Agora\n").nth(1).expect("README has an `Operating Agora` section");
    let section = section.split("\n## ").next().unwrap();
    assert!(section.contains("docker compose up"), "the section shows `docker compose up`");
    assert!(section.contains("DISCORD_TOKEN"), "the section says where the token goes");
}
