//! One file per subcommand (its clap args and a short `run`), plus the steps every subcommand
//! shares: resolve the inputs, load, fix the as-of date, explain, and cut the time window.

pub mod classify;
pub mod clv;
mod clv_report;
pub mod profile;
pub mod rfm;

use crate::analysis;
use crate::cli::{InputArgs, PeriodArgs};
use crate::config::Loaded;
use crate::input::{self, iso_date};
use crate::{progress, UsageError};
use anyhow::{Context, Result};
use polars::prelude::{DataFrame, IntoLazy};
use std::io::IsTerminal;

/// Transactions inside the analysis window, with the window's bounds (days since the epoch).
pub struct Windowed {
    pub tx: DataFrame,
    pub as_of: i32,
    pub since: Option<i32>,
}

/// Loads the inputs, resolves `--as-of` (default: last transaction date, never the clock) and
/// `--since`, prints `--explain`, and keeps the transactions inside the window.
pub fn load_window(
    args: &InputArgs,
    period: &PeriodArgs,
    group: Option<&str>,
    cfg: &Loaded,
) -> Result<Windowed> {
    let mut opts = args.options(group, cfg)?;
    if opts.files.is_empty() {
        if std::io::stdin().is_terminal() {
            return Err(UsageError(
                "no input: give one or more FILEs, or `-` and pipe data in (see --help)".into(),
            )
            .into());
        }
        opts.files.push("-".into());
    }
    let loaded = input::load(&opts)?;
    let tx = loaded.frame;
    let as_of = match period.as_of {
        Some(d) => d,
        None => analysis::last_date(&tx)?,
    };
    if let Some(s) = period.since.filter(|&s| s > as_of) {
        return Err(UsageError(format!(
            "--since {} is after the as-of date {}",
            iso_date(s),
            iso_date(as_of)
        ))
        .into());
    }
    let total = tx.height();
    let kept = analysis::window(tx.lazy(), period.since, as_of)
        .collect()
        .context("cannot select the window")?;
    if args.explain {
        let mut lines = loaded.report.lines();
        let from = period.since.map_or("the first date".to_string(), iso_date);
        lines.push(format!(
            "   window: {from} .. {} (as-of {})",
            iso_date(as_of),
            as_of_source(period)
        ));
        lines.push(format!(
            "  dropped: {} rows outside the window",
            total - kept.height()
        ));
        lines.push(format!(" analysed: {} rows", kept.height()));
        progress::explain(&lines);
    } else {
        let r = &loaded.report;
        if r.no_customer + r.returns_dropped > 0 {
            progress::terminal_note(&format!(
                "tier: note: dropped {} rows without a customer id and {} excluded returns (--explain tells more)",
                r.no_customer, r.returns_dropped
            ));
        }
    }
    if kept.height() == 0 {
        anyhow::bail!(
            "no transactions between {} and {}; check --since and --as-of",
            period.since.map_or("the start".into(), iso_date),
            iso_date(as_of)
        );
    }
    Ok(Windowed {
        tx: kept,
        as_of,
        since: period.since,
    })
}

fn as_of_source(period: &PeriodArgs) -> &'static str {
    if period.as_of.is_some() {
        "from --as-of"
    } else {
        "the last date in the data"
    }
}
