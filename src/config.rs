//! Settings: defaults < the YAML file < the environment.
//!
//! Invariant: the Discord token is a `Secret`, whose `Debug` and `Display` never show
//! it, so no log line or error message can leak it; and an error in the file is described
//! by `yaml::redacted`, which repeats nothing of the file but a setting's name, so a typo
//! two lines below the token does not print the token either.

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

/// A value that must never be printed.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "<unset>" } else { "<redacted>" })
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// The names of the settings, as the file spells them.
const SETTINGS: &[&str] = &[
    "discord_token",
    "database_url",
    "questions",
    "log",
    "log_format",
    "guild_id",
    "discord_api_base",
    "metrics_addr",
    "answers_in_flight",
    "web_addr",
    "public_url",
    "web_key",
    "link_hours",
    "web_trusted_proxy",
];

/// How log lines are written to standard error.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Lines for a person: time, level, target, message and fields.
    #[default]
    Text,
    /// One JSON object per line (timestamp, level, target, message, fields), for a log collector.
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<LogFormat, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err(format!("AGORA_LOG_FORMAT is `{}`: write `text` (the default) or `json`", crate::text::display_name(s))),
        }
    }
}

/// Every setting; `config/agora.example.yaml` documents each one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The bot's token (env `DISCORD_TOKEN`).
    pub discord_token: Secret,
    /// `sqlite://data/agora.db` by default, or `postgres://…` (env `DATABASE_URL`).
    pub database_url: String,
    /// The folder that holds the question bank.
    pub questions: PathBuf,
    /// Log filter, in `RUST_LOG` syntax (env `RUST_LOG`).
    pub log: String,
    /// `text` (the default) or `json`: one JSON object per line (env `AGORA_LOG_FORMAT`).
    pub log_format: LogFormat,
    /// The one Discord server to register the slash commands in at once, instead of
    /// globally (env `AGORA_GUILD_ID`).
    pub guild_id: Option<String>,
    /// Another Discord API base, such as the tests' stand-in (env `DISCORD_API_BASE`).
    pub discord_api_base: Option<String>,
    /// Where `agora serve` answers `/healthz` and `/metrics` (env `AGORA_METRICS_ADDR`,
    /// e.g. `127.0.0.1:9100`); off when unset.
    pub metrics_addr: Option<String>,
    /// Live answers `agora serve` handles at once, at most; a click past it is told at once
    /// to press again, unrecorded (env `AGORA_ANSWERS_IN_FLIGHT`). At least 1.
    pub answers_in_flight: usize,
    /// Where `agora serve` serves the instructors' class page (env `AGORA_WEB_ADDR`, e.g.
    /// `127.0.0.1:8080`); off when unset.
    pub web_addr: Option<String>,
    /// The address the page's links start with, as a browser reaches it behind a reverse
    /// proxy (env `AGORA_PUBLIC_URL`, e.g. `https://agora.example.edu`); `http://` and
    /// `web_addr` when unset.
    pub public_url: Option<String>,
    /// The key that signs the page's links (env `AGORA_WEB_KEY`); one generated once into
    /// the store when unset.
    pub web_key: Secret,
    /// How many hours a link to the page works (env `AGORA_LINK_HOURS`). At least 1.
    pub link_hours: u64,
    /// The reverse proxy in front of the class page (env `AGORA_WEB_TRUSTED_PROXY`, e.g.
    /// `127.0.0.1`): a request from this address is counted against the client address the
    /// proxy appends to `X-Forwarded-For`; from any other address the header is ignored.
    pub web_trusted_proxy: Option<IpAddr>,
}

/// Room for two classes of 500 clicking at the same instant, at about 50 KB an answer in
/// flight (BENCHMARKS.md, "Overload").
pub const DEFAULT_ANSWERS_IN_FLIGHT: usize = 1024;

/// How long a link to the class page works, by default: a working day.
pub const DEFAULT_LINK_HOURS: u64 = 12;

impl Config {
    /// The address the class page's links start with: `public_url`, or `web_addr` over
    /// plain HTTP; `None` when the page is off.
    pub fn page_base_url(&self) -> Option<String> {
        let addr = self.web_addr.as_deref().map(str::trim).filter(|a| !a.is_empty())?;
        Some(self.public_url.clone().unwrap_or_else(|| format!("http://{addr}")).trim_end_matches('/').to_owned())
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            discord_token: Secret::default(),
            database_url: "sqlite://data/agora.db".into(),
            questions: PathBuf::from("questions"),
            log: "info,sqlx=warn,serenity=warn".into(),
            log_format: LogFormat::Text,
            guild_id: None,
            discord_api_base: None,
            metrics_addr: None,
            answers_in_flight: DEFAULT_ANSWERS_IN_FLIGHT,
            web_addr: None,
            public_url: None,
            web_key: Secret::default(),
            link_hours: DEFAULT_LINK_HOURS,
            web_trusted_proxy: None,
        }
    }
}

impl Config {
    /// Loads `path` (or `AGORA_CONFIG`, or `config/agora.yaml` when it exists), then
    /// applies the environment. A file that is named but missing is an error.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let env_path = std::env::var_os("AGORA_CONFIG").map(PathBuf::from);
        let named = path.map(Path::to_path_buf).or(env_path);
        let file = match &named {
            Some(p) => Some(p.clone()),
            None => Some(PathBuf::from("config/agora.yaml")).filter(|p| p.exists()),
        };
        let mut config = match file {
            Some(p) => {
                let text = crate::files::read_to_string(&p).with_context(|| format!("cannot read the config file {}", p.display()))?;
                Config::from_yaml(&text).with_context(|| format!("in the config file {}", p.display()))?
            }
            None => Config::default(),
        };
        config.apply_env(|k| std::env::var(k).ok())?;
        Ok(config)
    }

    /// Parses the file's text. The error names the line, column and setting, never a value
    /// (serde-saphyr's own message quotes the lines around the error, token included).
    pub fn from_yaml(text: &str) -> anyhow::Result<Config> {
        if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
            return Ok(Config::default());
        }
        serde_saphyr::from_str(text).map_err(|e| {
            let d = crate::yaml::redacted(&e, text, &["discord_token", "web_key"], SETTINGS);
            anyhow::anyhow!("line {}, column {}: {}\n    hint: {}", d.line, d.column, d.message, d.hint)
        })
    }

    /// The environment overrides the file: `DISCORD_TOKEN`, `DATABASE_URL`, `RUST_LOG`,
    /// `AGORA_LOG_FORMAT`, `AGORA_GUILD_ID`, `DISCORD_API_BASE`, `AGORA_METRICS_ADDR`,
    /// `AGORA_ANSWERS_IN_FLIGHT`, `AGORA_WEB_ADDR`, `AGORA_PUBLIC_URL`, `AGORA_WEB_KEY`,
    /// `AGORA_LINK_HOURS`, `AGORA_WEB_TRUSTED_PROXY`. An unknown log format, or answers in flight that are not a
    /// number of at least 1, is an error.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(t) = var("DISCORD_TOKEN").filter(|t| !t.is_empty()) {
            self.discord_token = Secret::new(t);
        }
        if let Some(u) = var("DATABASE_URL").filter(|u| !u.is_empty()) {
            self.database_url = u;
        }
        if let Some(l) = var("RUST_LOG").filter(|l| !l.is_empty()) {
            self.log = l;
        }
        if let Some(g) = var("AGORA_GUILD_ID").filter(|g| !g.is_empty()) {
            self.guild_id = Some(g);
        }
        if let Some(b) = var("DISCORD_API_BASE").filter(|b| !b.is_empty()) {
            self.discord_api_base = Some(b);
        }
        if let Some(a) = var("AGORA_METRICS_ADDR").filter(|a| !a.is_empty()) {
            self.metrics_addr = Some(a);
        }
        if let Some(f) = var("AGORA_LOG_FORMAT").filter(|f| !f.trim().is_empty()) {
            self.log_format = f.parse().map_err(|e: String| anyhow::anyhow!(e))?;
        }
        if let Some(n) = var("AGORA_ANSWERS_IN_FLIGHT").filter(|n| !n.trim().is_empty()) {
            self.answers_in_flight = n.trim().parse().map_err(|_| {
                anyhow::anyhow!(
                    "AGORA_ANSWERS_IN_FLIGHT is `{}`: write a whole number of answers, such as {DEFAULT_ANSWERS_IN_FLIGHT}",
                    crate::text::display_name(&n)
                )
            })?;
        }
        if let Some(a) = var("AGORA_WEB_ADDR").filter(|a| !a.trim().is_empty()) {
            self.web_addr = Some(a);
        }
        if let Some(u) = var("AGORA_PUBLIC_URL").filter(|u| !u.trim().is_empty()) {
            self.public_url = Some(u);
        }
        if let Some(k) = var("AGORA_WEB_KEY").filter(|k| !k.is_empty()) {
            self.web_key = Secret::new(k);
        }
        if let Some(h) = var("AGORA_LINK_HOURS").filter(|h| !h.trim().is_empty()) {
            self.link_hours = h.trim().parse().map_err(|_| {
                anyhow::anyhow!("AGORA_LINK_HOURS is `{}`: write a whole number of hours, such as {DEFAULT_LINK_HOURS}", crate::text::display_name(&h))
            })?;
        }
        if let Some(p) = var("AGORA_WEB_TRUSTED_PROXY").filter(|p| !p.trim().is_empty()) {
            self.web_trusted_proxy = Some(p.trim().parse().map_err(|_| {
                anyhow::anyhow!(
                    "AGORA_WEB_TRUSTED_PROXY is `{}`: write the IP address your reverse proxy connects from, such as 127.0.0.1",
                    crate::text::display_name(&p)
                )
            })?);
        }
        if self.link_hours == 0 {
            anyhow::bail!("link_hours is 0, so no link to the class page would work: write at least 1 (the default is {DEFAULT_LINK_HOURS})");
        }
        if let Some(u) = &self.public_url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            anyhow::bail!("public_url (AGORA_PUBLIC_URL) is `{}`: write the address a browser opens, starting with https://", crate::text::display_name(u));
        }
        if self.answers_in_flight == 0 {
            anyhow::bail!("answers_in_flight is 0, which would turn every answer away: write at least 1 (the default is {DEFAULT_ANSWERS_IN_FLIGHT})");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_the_file_and_the_token_never_prints() {
        let mut c = Config::from_yaml("discord_token: abc.def\ndatabase_url: sqlite://x.db\n").unwrap();
        c.apply_env(|k| (k == "DATABASE_URL").then(|| "postgres://h/db".to_string())).unwrap();
        assert_eq!(c.database_url, "postgres://h/db");
        assert_eq!(c.discord_token.expose(), "abc.def");
        assert!(!format!("{c:?}").contains("abc.def"));
    }

    #[test]
    fn the_log_format_comes_from_the_file_or_the_environment() {
        assert_eq!(Config::default().log_format, LogFormat::Text);
        let mut c = Config::from_yaml("log_format: json\n").unwrap();
        assert_eq!(c.log_format, LogFormat::Json);
        c.apply_env(|k| (k == "AGORA_LOG_FORMAT").then(|| "Text".to_string())).unwrap();
        assert_eq!(c.log_format, LogFormat::Text);
        let err = c.apply_env(|k| (k == "AGORA_LOG_FORMAT").then(|| "xml".to_string())).unwrap_err();
        assert_eq!(err.to_string(), "AGORA_LOG_FORMAT is `xml`: write `text` (the default) or `json`");
        let err = format!("{:#}", Config::from_yaml("log_format: yaml\n").unwrap_err());
        assert!(err.starts_with("line 1, column 13:"), "{err}");
    }

    #[test]
    fn answers_in_flight_is_a_number_of_at_least_one() {
        assert_eq!(Config::default().answers_in_flight, DEFAULT_ANSWERS_IN_FLIGHT);
        let mut c = Config::from_yaml("answers_in_flight: 64\n").unwrap();
        c.apply_env(|_| None).unwrap();
        assert_eq!(c.answers_in_flight, 64);
        let err = c.apply_env(|k| (k == "AGORA_ANSWERS_IN_FLIGHT").then(|| "lots".to_string())).unwrap_err();
        assert_eq!(err.to_string(), "AGORA_ANSWERS_IN_FLIGHT is `lots`: write a whole number of answers, such as 1024");
        let mut zero = Config::from_yaml("answers_in_flight: 0\n").unwrap();
        let err = zero.apply_env(|_| None).unwrap_err();
        assert!(err.to_string().starts_with("answers_in_flight is 0, which would turn every answer away: write at least 1"), "{err}");
    }

    #[test]
    fn the_class_page_is_off_until_it_has_an_address() {
        let mut c = Config::from_yaml("web_key: sekrit-key\n").unwrap();
        c.apply_env(|_| None).unwrap();
        assert_eq!((c.page_base_url(), c.link_hours), (None, DEFAULT_LINK_HOURS));
        assert!(!format!("{c:?}").contains("sekrit"), "the key never prints");
        c.apply_env(|k| (k == "AGORA_WEB_ADDR").then(|| "127.0.0.1:8080".to_string())).unwrap();
        assert_eq!(c.page_base_url().as_deref(), Some("http://127.0.0.1:8080"));
        c.apply_env(|k| (k == "AGORA_PUBLIC_URL").then(|| "https://agora.example.edu/".to_string())).unwrap();
        assert_eq!(c.page_base_url().as_deref(), Some("https://agora.example.edu"));
        let err = c.apply_env(|k| (k == "AGORA_LINK_HOURS").then(|| "soon".to_string())).unwrap_err();
        assert_eq!(err.to_string(), "AGORA_LINK_HOURS is `soon`: write a whole number of hours, such as 12");
        c.apply_env(|k| (k == "AGORA_WEB_TRUSTED_PROXY").then(|| " 127.0.0.1 ".to_string())).unwrap();
        assert_eq!(c.web_trusted_proxy, Some(IpAddr::from([127, 0, 0, 1])));
        let err = c.apply_env(|k| (k == "AGORA_WEB_TRUSTED_PROXY").then(|| "proxy.local".to_string())).unwrap_err();
        assert!(err.to_string().starts_with("AGORA_WEB_TRUSTED_PROXY is `proxy.local`: write the IP address"), "{err}");
        assert_eq!(Config::from_yaml("web_trusted_proxy: ::1\n").unwrap().web_trusted_proxy, Some("::1".parse().unwrap()));
        let err = Config::from_yaml("public_url: agora.example.edu\n").unwrap().apply_env(|_| None).unwrap_err();
        assert!(err.to_string().contains("starting with https://"), "{err}");
    }

    #[test]
    fn a_value_not_allowed_is_named_with_where_and_the_values_allowed() {
        let err = format!("{:#}", Config::from_yaml("log: info\nlog_format: xml\n").unwrap_err());
        assert_eq!(err, "line 2, column 13: `log_format` is `xml`, which is not one of its values\n    hint: write `text` or `json`");
        // A value that is not a plain word, or that stands on the token's line, is not repeated.
        let err = format!("{:#}", Config::from_yaml("log_format: abc.def-ghi\n").unwrap_err());
        assert!(err.starts_with("line 1, column 13: `log_format` is not one of its values") && !err.contains("abc"), "{err}");
        assert!(err.contains("write `text` or `json`"), "{err}");
        let err = format!("{:#}", Config::from_yaml("discord_token: sekrit\nlog_format: sekrit\n").unwrap_err());
        assert!(!err.contains("sekrit") && err.contains("`text` or `json`"), "{err}");
    }

    #[test]
    fn an_unknown_setting_is_an_error() {
        let message = format!("{:#}", Config::from_yaml("log: info\ndatabse_url: x\n").unwrap_err());
        assert!(message.starts_with("line 2, column 1: unknown setting `databse_url`"), "{message}");
        assert!(message.contains("did you mean `database_url`?"), "{message}");
    }

    /// Every piece of four characters or more of `secret` that `message` contains.
    fn pieces_of(secret: &str, message: &str) -> Vec<String> {
        let chars: Vec<char> = secret.chars().collect();
        let mut found = Vec::new();
        for len in 4..=chars.len() {
            for w in chars.windows(len) {
                let piece: String = w.iter().collect();
                if message.contains(&piece) {
                    found.push(piece);
                }
            }
        }
        found
    }

    /// Broken config files around a token, each with a word its error must contain.
    const BROKEN: &[(&str, &str)] = &[
        // a typo on the next line: serde-saphyr's snippet showed the token's line
        ("discord_token: \"TOKEN\"\ndatabse_url: x\n", "unknown setting `databse_url`"),
        ("databse_url: x\ndiscord_token: \"TOKEN\"\n", "unknown setting `databse_url`"),
        // an unclosed quote on the token's line
        ("discord_token: \"TOKEN\ndatabase_url: x\n", "line 1, column 16: a quote opened here is not closed"),
        ("discord_token: 'TOKEN\n", "line 1, column 16: a quote opened here is not closed"),
        // the token given twice
        ("discord_token: TOKEN\ndiscord_token: TOKEN\n", "`discord_token` is set twice"),
        ("discord_token: TOKEN\nlog: info\ndiscord_token: \"TOKEN\"\n", "`discord_token` is set twice"),
        // a value of the wrong kind, which serde quotes
        ("discord_token: [TOKEN]\n", "`discord_token` must be"),
        ("discord_token: {TOKEN: 1}\n", "`discord_token` must be"),
        // bad indentation, a bad escape, a tag, an alias, a flow mapping
        ("discord_token: TOKEN\n  log: info\n x: 1\n", "line 2, column 6: a `name: value` stands where"),
        ("discord_token: \"TO\\qKEN\"\n", "not a known escape"),
        ("discord_token: !!int TOKEN\n", "the value of `discord_token` is not of the right kind"),
        ("discord_token: *TOKEN\n", "an alias"),
        ("log: [TOKEN\n", "line"),
        ("{discord_token: TOKEN, databse_url: x}\n", "unknown setting"),
        // the token typed as a key, or a .env file given as the config
        ("TOKEN: x\n", "unknown setting"),
        ("TOKEN\n", "not a list of settings"),
        ("DISCORD_TOKEN=TOKEN\n", "not a list of settings"),
        // the token continued on the next line, then a typo
        ("discord_token: TOKEN\n  TOKEN\ndatabse_url: x\n", "unknown setting `databse_url`"),
    ];

    /// A token shaped like Discord's, and one with lowercase words a key could share.
    const TOKENS: &[&str] = &["MTEzNzQ5ODc2NTQzMjEwOTg3.GhX1yZ.abcDEFghiJKLmnoPQRstuVWXyz0123", "SUPERSECRET.TOKEN.abc123"];

    #[test]
    fn no_config_error_shows_any_piece_of_the_token() {
        for token in TOKENS {
            for (template, expected) in BROKEN {
                let text = template.replace("TOKEN", token);
                let err = Config::from_yaml(&text).expect_err(&text);
                for message in [format!("{err}"), format!("{err:#}"), format!("{err:?}"), format!("{err:#?}")] {
                    assert_eq!(pieces_of(token, &message), Vec::<String>::new(), "{text:?} printed {message}");
                    assert!(message.contains(expected), "{text:?} printed {message}, without {expected:?}");
                }
            }
        }
    }
}
