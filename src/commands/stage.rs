//! `tier stage`: writes the stage of a window (one row per customer and per customer and
//! half-month, with what gaps and the CLV holdout need) as Parquet, for `--stage` to read
//! instead of the transactions.

use crate::analysis::clv_model;
use crate::analysis::seam::{self, Seam, Window};
use crate::cli::{InputArgs, OutputArgs, PeriodArgs};
use crate::config::Loaded;
use crate::output::Output;
use crate::render::Format;
use crate::{commands, progress, UsageError};
use anyhow::Result;
use clap::Args;
use polars::prelude::*;
use std::path::PathBuf;

const EXAMPLES: &str = "Examples:
  tier stage sales.csv -o stage.parquet                the stage of every sale
  tier classify --stage stage.parquet                  the same answer as `tier classify sales.csv`
  tier stage sales.csv --as-of 2025-12-31 --holdout 2025-10-01 -o q4.parquet
                                                       for `tier clv --stage q4.parquet --holdout 2025-10-01`
  tier stage sales.csv --group region -o regions.parquet
                                                       for `tier classify --stage regions.parquet --group region`";

/// Flags of `tier stage`.
#[derive(Debug, Args)]
#[command(after_long_help = EXAMPLES)]
pub struct StageArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub period: PeriodArgs,
    /// Write the stage to this Parquet file (atomically) [default: stdout, when it is not a
    /// terminal].
    #[arg(short, long, value_name = "FILE", help_heading = "Stage")]
    pub output: Option<PathBuf>,
    /// The first day of the CLV holdout the stage holds, as `tier clv --holdout` takes it
    /// [default: the report's, the last 91 days].
    #[arg(long, value_name = "DATE", value_parser = crate::input::parse_date_flag, help_heading = "Stage")]
    pub holdout: Option<i32>,
    /// Key the customers by this column too, for `tier classify --group` (such a stage serves
    /// no other command).
    #[arg(long, value_name = "COLUMN", help_heading = "Stage")]
    pub group: Option<String>,
}

/// Runs `tier stage`.
pub fn run(args: &StageArgs, cfg: &Loaded) -> Result<()> {
    if args.input.stage.is_some() {
        return Err(UsageError(
            "`tier stage` makes a stage from transactions; --stage reads one (give FILEs)".into(),
        )
        .into());
    }
    let out = Output::resolve(&OutputArgs {
        format: Some(Format::Parquet),
        output: args.output.clone(),
        ..OutputArgs::default()
    })?;
    let mut data = commands::load_window(&args.input, &args.period, args.group.as_deref(), cfg)?;
    let seam = match &args.group {
        Some(_) => {
            let customers = data.customers(true, true)?;
            Seam {
                customers,
                segments: DataFrame::empty(),
                window: Window::new(data.as_of(), data.since()),
            }
        }
        None => {
            let (holdout, since) = (args.holdout, data.since());
            data.seam_with_holdout(|as_of| match holdout {
                None => Ok(Window::new(as_of, since).holdout),
                Some(_) => {
                    Ok(clv_model::calibration_end(holdout, since, as_of).map_err(UsageError)? + 1)
                }
            })?
        }
    };
    let mut table = seam::to_table(&seam)?;
    out.write(|w, _| {
        ParquetWriter::new(w).finish(&mut table)?;
        Ok(())
    })?;
    if let Some(path) = &args.output {
        progress::note(&format!(
            "tier: note: the stage as of {} ({} customers, {} segment rows) written to `{}`",
            crate::input::iso_date(seam.window.as_of),
            seam.customers.height(),
            seam.segments.height(),
            path.display()
        ));
    }
    Ok(())
}
