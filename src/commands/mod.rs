//! One file per subcommand (its clap args and a short `run`), plus what every subcommand
//! shares: opening the input session from the command line and tier.toml.

pub mod churn;
pub mod classify;
pub mod clv;
mod clv_report;
pub mod growth;
pub mod help;
pub mod migrate;
pub mod profile;
pub mod report;
pub mod rfm;
pub mod stage;

use crate::cli::{InputArgs, PeriodArgs};
use crate::config::Loaded;
use crate::input::{Data, Hooks, Session, SessionOptions};
use crate::{output, progress, UsageError};
use anyhow::Result;
use std::io::IsTerminal;

/// What the input layer borrows from this one: progress, notes, the output being written.
pub fn hooks() -> Hooks {
    Hooks {
        is_output: output::is_output,
        wrap_read: |file, name| Box::new(progress::wrap_read(file, name)),
        busy: |bytes, work| progress::while_busy(bytes, work),
        explain: progress::explain,
        terminal_note: progress::terminal_note,
        notes_on_terminal: progress::notes_on_terminal,
    }
}

/// Opens what a command reads: the stage of `--stage`, or the input session over its inputs (or
/// stdin when none is given and it is not a terminal), window and input settings resolved from
/// flags and tier.toml.
pub fn load_window(
    args: &InputArgs,
    period: &PeriodArgs,
    group: Option<&str>,
    cfg: &Loaded,
) -> Result<Data> {
    if let Some(path) = &args.stage {
        let data = Data::stage(path, period.as_of, period.since)?;
        if args.explain {
            progress::explain(&data.stage_lines());
        }
        return Ok(data);
    }
    let mut input = args.options(group, cfg)?;
    if input.files.is_empty() {
        if std::io::stdin().is_terminal() {
            return Err(UsageError(
                "no input: give one or more FILEs, or `-` and pipe data in (see --help)".into(),
            )
            .into());
        }
        input.files.push("-".into());
    }
    input.hooks = hooks();
    if let Some(v) = cfg.config.input.max_dropped {
        if !(0.0..=100.0).contains(&v) {
            return Err(UsageError(format!(
                "`tier.toml`: `input.max_dropped`: {v} is not a percentage from 0 to 100 (e.g. 5)"
            ))
            .into());
        }
    }
    let session = Session::open(SessionOptions {
        input,
        since: period.since,
        as_of: period.as_of,
        explain: args.explain,
        allow_overlap: args.allow_overlap,
        max_dropped: args.max_dropped.or(cfg.config.input.max_dropped),
        settings_note: cfg.describe(),
    })?;
    Ok(Data::Read(Box::new(session)))
}
