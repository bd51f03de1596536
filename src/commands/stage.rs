//! `tier stage`: writes the stage of a window (one row per customer and per customer and
//! half-month, with what gaps and the CLV holdout need) as Parquet, for `--stage` to read
//! instead of the transactions.

use crate::analysis::clv_model;
use crate::analysis::seam::{self, Seam, Window};
use crate::cli::{InputArgs, OutputArgs, PeriodArgs};
use crate::config::Loaded;
use crate::output::Output;
use crate::render::Format;
use crate::spark::{self, job::Emit};
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
    /// Print a job that computes this stage on Spark instead (FILE is read here only to decide
    /// the columns and formats, as tier does); `-o` writes the job to a file.
    #[arg(
        long,
        value_enum,
        value_name = "KIND",
        help_heading = "Spark",
        requires = "stage_out"
    )]
    pub emit: Option<Emit>,
    /// Where the job writes the stage (a directory URI: `s3a://bucket/stage/`).
    #[arg(long, value_name = "URI", help_heading = "Spark", requires = "emit")]
    pub stage_out: Option<String>,
    /// What the job reads: files Spark reads (a path, directory or glob), of FILE's kind
    /// [default: FILE itself].
    #[arg(
        long,
        value_name = "URI",
        help_heading = "Spark",
        requires = "emit",
        conflicts_with = "table"
    )]
    pub source: Option<String>,
    /// What the job reads: a table of the Spark catalog (`sales.orders`).
    #[arg(long, value_name = "NAME", help_heading = "Spark", requires = "emit")]
    pub table: Option<String>,
}

/// Runs `tier stage`.
pub fn run(args: &StageArgs, cfg: &Loaded) -> Result<()> {
    if args.input.stage.is_some() {
        return Err(UsageError(
            "`tier stage` makes a stage from transactions; --stage reads one (give FILEs)".into(),
        )
        .into());
    }
    if let Some(kind) = args.emit {
        return emit(args, kind, cfg);
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

/// The window of the stage: `--holdout` or the report's.
fn window(args: &StageArgs, as_of: i32, since: Option<i32>) -> Result<Window> {
    Ok(match args.holdout {
        None => Window::new(as_of, since),
        Some(_) => Window {
            as_of,
            since,
            holdout: clv_model::calibration_end(args.holdout, since, as_of).map_err(UsageError)?
                + 1,
        },
    })
}

/// Prints (or writes with `-o`) the Spark job of the stage, from what reading FILE decided.
fn emit(args: &StageArgs, kind: Emit, cfg: &Loaded) -> Result<()> {
    let files = &args.input.files;
    if files.is_empty() || files.iter().any(|f| f == "-") {
        return Err(UsageError(
            "--emit decides the columns and formats from FILE: give a local sample or copy of \
             the data (not stdin)"
                .into(),
        )
        .into());
    }
    let mut data = commands::load_window(&args.input, &args.period, args.group.as_deref(), cfg)?;
    data.customers(args.group.is_some(), false)?;
    let Some(decisions) = data.decisions()? else {
        anyhow::bail!(
            "`{}` needed tier's row-by-row reader (ragged rows, quoted line breaks or text that \
             is not UTF-8), whose rules a Spark job cannot repeat: fix the export, or make the \
             stage locally",
            files[0]
        );
    };
    let source = match (&args.source, &args.table) {
        (_, Some(t)) if !is_table_name(t) => {
            return Err(UsageError(format!(
                "--table `{t}` is not a table name (letters, digits and `_`, parts joined by `.`)"
            ))
            .into())
        }
        (_, Some(t)) => spark::Source::Table(t.clone()),
        (Some(uri), None) => {
            kind_matches(uri, decisions.delimiter.is_some(), &files[0])?;
            spark::Source::Files {
                uri: uri.clone(),
                delimiter: decisions.delimiter,
            }
        }
        (None, None) if files.len() == 1 => spark::Source::Files {
            uri: std::path::absolute(&files[0])?.display().to_string(),
            delimiter: decisions.delimiter,
        },
        (None, None) => {
            return Err(UsageError(
                "with several FILEs, say what the job reads: --source URI or --table NAME".into(),
            )
            .into())
        }
    };
    let w = window(args, data.as_of(), data.since())?;
    if args.period.as_of.is_none() {
        progress::note(&format!(
            "tier: note: the job's as-of date is {}, the last date in `{}`; pass --as-of when \
             FILE is only a sample",
            crate::input::iso_date(w.as_of),
            files[0]
        ));
    }
    let nfc = kind == Emit::Pyspark;
    let plan =
        spark::plan(&decisions, w, source, nfc).map_err(|e| anyhow::anyhow!("--emit: {e}"))?;
    let header = spark::header(&decisions, w, files);
    let text = spark::job::render(
        &plan,
        kind,
        args.stage_out.as_deref().unwrap_or(""),
        &header,
    );
    match &args.output {
        Some(path) => crate::output::write_atomically(path, |w| Ok(w.write_all(text.as_bytes())?)),
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            Ok(out.flush()?)
        }
    }
}

/// Refuses a `--source` whose extension names another kind of file than FILE: the job reads
/// the source as FILE was read (CSV with its delimiter, or Parquet).
fn kind_matches(uri: &str, csv: bool, file: &str) -> Result<()> {
    let ext = uri
        .rsplit('/')
        .next()
        .and_then(|name| name.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    let named_csv = matches!(ext.as_deref(), Some("csv" | "tsv" | "txt"));
    let named_parquet = matches!(ext.as_deref(), Some("parquet" | "pq"));
    if (csv && named_parquet) || (!csv && named_csv) {
        return Err(UsageError(format!(
            "--source `{uri}` is {}, and FILE `{file}` is {}: the job reads the source as FILE \
             was read; give a sample of the source's kind",
            if named_csv { "CSV" } else { "Parquet" },
            if csv { "CSV" } else { "Parquet" }
        ))
        .into());
    }
    Ok(())
}

/// Whether `t` names a table: identifiers of letters, digits and `_`, joined by `.`.
fn is_table_name(t: &str) -> bool {
    !t.is_empty()
        && t.split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'))
}
