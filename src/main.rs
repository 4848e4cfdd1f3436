//! The `agora` command line: parse, call the library, print.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

use agora::bank::{self, Source};
use agora::config::Config;

/// Agora teaches one paper — Samoudi (2025), "Relations between China and Russia Following the
/// Outbreak of the Ukraine War in 2022" — with quizzes and debates, on Discord or in the terminal.
#[derive(Parser)]
#[command(name = "agora", version, about, long_about = None)]
struct Cli {
    /// The config file (default: $AGORA_CONFIG, or config/agora.yaml when it exists).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check, count and export the question bank.
    #[command(subcommand)]
    Bank(BankCommand),
}

#[derive(Subcommand)]
enum BankCommand {
    /// Report every problem in the bank with file:line:column; exit 1 if there is any.
    Check {
        /// The folder that holds the bank's .yaml files.
        #[arg(default_value = "questions")]
        dir: PathBuf,
        /// The paper (paper.md): prove every quote stands in the paragraph its passage names.
        #[arg(long, value_name = "FILE")]
        source: Option<PathBuf>,
    },
    /// Items per kind, topic, difficulty and section; passages never cited; gaps.
    Stats {
        #[arg(default_value = "questions")]
        dir: PathBuf,
    },
    /// The whole bank as JSON, or its quiz items as Moodle GIFT.
    Export {
        #[arg(default_value = "questions")]
        dir: PathBuf,
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        /// Write here instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Json,
    Gift,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn init_logs(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::load(cli.config.as_deref())?;
    init_logs(&config);
    match cli.command {
        Command::Bank(cmd) => bank_command(cmd),
    }
}

/// Loads a bank or prints its problems; `None` means the problems were printed.
fn load_or_report(dir: &std::path::Path, source: Option<&Source>) -> Option<bank::Bank> {
    match bank::load(dir, source) {
        Ok(b) => Some(b),
        Err(problems) => {
            eprintln!("{problems}");
            None
        }
    }
}

fn bank_command(cmd: BankCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BankCommand::Check { dir, source } => {
            let source = source.map(|p| Source::read(&p)).transpose()?;
            let Some(bank) = load_or_report(&dir, source.as_ref()) else { return Ok(ExitCode::FAILURE) };
            let written = bank.questions.iter().filter(|q| q.origin == bank::Origin::Written).count();
            println!(
                "ok: {} items ({} written, {} generated), {} motions, {} prompts, {} passages{}",
                bank.questions.len(),
                written,
                bank.questions.len() - written,
                bank.motions.len(),
                bank.prompts.len(),
                bank.passages.len(),
                if source.is_some() { ", every quote found in the paper" } else { "" }
            );
            Ok(ExitCode::SUCCESS)
        }
        BankCommand::Stats { dir } => {
            let Some(bank) = load_or_report(&dir, None) else { return Ok(ExitCode::FAILURE) };
            print!("{}", bank::stats::report(&bank));
            Ok(ExitCode::SUCCESS)
        }
        BankCommand::Export { dir, format, output } => {
            let Some(bank) = load_or_report(&dir, None) else { return Ok(ExitCode::FAILURE) };
            let text = match format {
                ExportFormat::Json => serde_json::to_string_pretty(&bank::export::json(&bank))? + "\n",
                ExportFormat::Gift => bank::export::gift(&bank),
            };
            match output {
                Some(path) => std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?,
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
