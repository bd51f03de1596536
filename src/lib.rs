//! `tier`: customer tiering from sales exports. `run` dispatches one subcommand; the layers are
//! `input` (files to canonical transactions), `analysis` (pure polars), `render` and `output`.

pub mod analysis;
pub mod cli;
pub mod commands;
pub mod config;
pub mod input;
pub mod models;
pub mod output;
pub mod progress;
pub mod render;
pub mod report;
pub mod settings;
pub mod summary;
pub mod xlsx;

use anyhow::Result;
use cli::{Cli, Command};

/// An error in how tier was called (a flag value, a missing input): exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// An error and its causes as one line: `outer: cause: root cause`, without repeating a cause
/// that the message before it already contains, and with line breaks inside messages flattened.
pub fn one_line(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        let text = text.lines().map(str::trim).collect::<Vec<_>>().join(" ");
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    progress::init(cli.quiet);
    let cfg = config::load(cli.config.as_deref(), cli.no_config)?;
    match cli.command {
        Command::Classify(args) => commands::classify::run(&args, &cfg),
        Command::Rfm(args) => commands::rfm::run(&args, &cfg),
        Command::Profile(args) => commands::profile::run(&args, &cfg),
        Command::Clv(args) => commands::clv::run(&args, &cfg),
        Command::Churn(args) => commands::churn::run(&args, &cfg),
        Command::Migrate(args) => commands::migrate::run(&args, &cfg),
        Command::Growth(args) => commands::growth::run(&args, &cfg),
        Command::Report(args) => commands::report::run(&args, &cfg),
        Command::Completions { shell } => commands::help::completions(shell),
        Command::Man => commands::help::man(),
    }
}
