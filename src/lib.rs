//! `tier`: customer tiering from sales exports. `run` dispatches one subcommand; the layers are
//! `input` (files to canonical transactions), `analysis` (pure polars), `render` and `output`.

pub mod analysis;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod input;
pub mod models;
pub mod output;
pub mod progress;
pub mod render;
pub mod report;
pub mod settings;
pub mod spark;
pub mod summary;
pub mod xlsx;

use anyhow::Result;
use cli::{Cli, Command};
pub use error::{one_line, UsageError};

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
        Command::Stage(args) => commands::stage::run(&args, &cfg),
        Command::Completions { shell } => commands::help::completions(shell),
        Command::Man => commands::help::man(),
    }
}
