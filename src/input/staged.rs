//! What a command reads: the input session over transactions, or a stage table made before (by
//! `tier stage`, or by the Spark job it emits), from a Parquet file or a directory of Parquet
//! parts. Either gives the same per-customer table and stage table, so every analysis after it
//! is the same code.

use super::{iso_date, Session};
use crate::analysis::seam::{self, Seam, Window};
use crate::error::UsageError;
use anyhow::{anyhow, bail, Context, Result};
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// The Parquet files of a stage: the file itself, or a directory's parts in name order (files
/// starting with `_` or `.`, such as Spark's `_SUCCESS` and checksums, are not parts).
fn parts(path: &Path) -> Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path)
        .with_context(|| format!("cannot read the stage `{}`", path.display()))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    for entry in std::fs::read_dir(path)
        .with_context(|| format!("cannot read the stage directory `{}`", path.display()))?
    {
        let p = entry?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let hidden = name.starts_with('_') || name.starts_with('.');
        if !hidden && name.ends_with(".parquet") && p.is_file() {
            found.push(p);
        }
    }
    found.sort();
    if found.is_empty() {
        bail!(
            "the stage directory `{}` holds no Parquet parts (`*.parquet`); give the file or \
             directory that `tier stage` or its Spark job wrote",
            path.display()
        );
    }
    Ok(found)
}

/// The rows of a stage table to read: the customer rows alone serve `classify`, `rfm`, `profile`
/// and `clv` (without `--holdout`), which then never hold the segment rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    Customers,
    Segments,
    All,
}

/// Reads the stage table at `path` (its `rows`), checking its version and shape.
pub fn read_stage(path: &Path, rows: Rows) -> Result<Seam> {
    let shown = path.display().to_string();
    let scans = parts(path)?
        .into_iter()
        .map(|p| {
            let mut magic = [0u8; 4];
            let read = std::fs::File::open(&p).and_then(|mut f| {
                use std::io::Read;
                f.read_exact(&mut magic)
            });
            if read.is_err() || &magic != b"PAR1" {
                bail!(
                    "`{}` is not a Parquet file: --stage reads the file (or the directory of \
                     Parquet parts) that `tier stage` or its Spark job wrote",
                    p.display()
                );
            }
            let text = p
                .to_str()
                .ok_or_else(|| anyhow!("`{shown}`: the path is not UTF-8"))?;
            LazyFrame::scan_parquet(PlRefPath::from(text), ScanArgsParquet::default())
                .map_err(|e| anyhow!("`{}` is not a readable Parquet file: {e}", p.display()))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut lf = concat(scans, UnionArgs::default())
        .map_err(|e| anyhow!("cannot read the stage `{shown}`: {e}"))?;
    let has_segments = lf
        .collect_schema()
        .map_err(|e| anyhow!("cannot read the stage `{shown}`: {e}"))?
        .contains(seam::SEGMENT);
    if has_segments {
        let is_customer = col(seam::SEGMENT).is_null();
        lf = match rows {
            Rows::Customers => lf.filter(is_customer),
            Rows::Segments => lf.filter(is_customer.not()),
            Rows::All => lf,
        };
    }
    let table = lf
        .collect()
        .map_err(|e| anyhow!("cannot read the stage `{shown}`: {e}"))?;
    seam::from_table(table)
        .map_err(|e| anyhow!("`{shown}` is not a stage table tier can read: {e}"))
}

/// What a command's data comes from.
pub enum Data {
    /// Transactions, read by the input session.
    Read(Box<Session>),
    /// A stage table made before: its customer rows, and its segment rows once asked for.
    Stage {
        seam: Seam,
        path: String,
        segments: bool,
    },
}

impl Data {
    /// A stage read from `path`, refusing an `--as-of` or `--since` other than its own.
    pub fn stage(path: &Path, as_of: Option<i32>, since: Option<i32>) -> Result<Data> {
        let seam = read_stage(path, Rows::Customers)?;
        let w = seam.window;
        let shown = path.display().to_string();
        if let Some(a) = as_of.filter(|&a| a != w.as_of) {
            return Err(UsageError(format!(
                "--as-of {} differs from the stage's as-of date {} (`{shown}`): a stage holds one \
                 window; leave --as-of out, or make the stage again with it",
                iso_date(a),
                iso_date(w.as_of)
            ))
            .into());
        }
        if since.is_some() && since != w.since {
            return Err(UsageError(format!(
                "--since {} differs from the stage's ({}, `{shown}`): a stage holds one window; \
                 leave --since out, or make the stage again with it",
                since.map_or("-".into(), iso_date),
                w.since.map_or("none".into(), iso_date)
            ))
            .into());
        }
        Ok(Data::Stage {
            seam,
            path: shown,
            segments: false,
        })
    }

    /// What the input layer decided about the inputs read (none for a stage, or for inputs
    /// that needed the precise reader).
    pub fn decisions(&mut self) -> Result<Option<super::Decisions>> {
        match self {
            Data::Read(s) => s.decisions(),
            Data::Stage { .. } => Ok(None),
        }
    }

    /// What `--explain` says of a stage read: its path, version, window and customers.
    pub fn stage_lines(&self) -> Vec<String> {
        let Data::Stage { seam, path, .. } = self else {
            return Vec::new();
        };
        let w = seam.window;
        vec![
            format!(
                "    stage: `{path}` (stage table version {})",
                seam::VERSION
            ),
            format!(
                "   window: {} .. {} (as-of from the stage), CLV holdout from {}",
                w.since.map_or("the first date".into(), iso_date),
                iso_date(w.as_of),
                iso_date(w.holdout)
            ),
            format!(
                "customers: {}{}",
                seam.customers.height(),
                if seam.customers.column(super::col::GROUP).is_ok() {
                    " (keyed by group)"
                } else {
                    ""
                }
            ),
        ]
    }

    pub fn as_of(&self) -> i32 {
        match self {
            Data::Read(s) => s.as_of,
            Data::Stage { seam, .. } => seam.window.as_of,
        }
    }

    pub fn since(&self) -> Option<i32> {
        match self {
            Data::Read(s) => s.since,
            Data::Stage { seam, .. } => seam.window.since,
        }
    }

    /// The per-customer stage (keyed by group when `grouped`); resolves the as-of date.
    pub fn customers(&mut self, grouped: bool, quantities: bool) -> Result<DataFrame> {
        match self {
            Data::Read(s) => s.customers(grouped, quantities),
            Data::Stage { seam, path, .. } => {
                let has_group = seam.customers.column(super::col::GROUP).is_ok();
                if grouped != has_group {
                    return Err(grouping(path, has_group));
                }
                Ok(seam.customers.clone())
            }
        }
    }

    /// The stage table with the report's holdout (a stage's own holdout when read); resolves
    /// the as-of date.
    pub fn seam(&mut self) -> Result<Seam> {
        match self {
            Data::Read(s) => s.seam(),
            Data::Stage { .. } => self.whole().cloned(),
        }
    }

    /// The stage table with the CLV holdout `holdout` gives for the as-of date.
    pub fn seam_with_holdout(&mut self, holdout: impl FnOnce(i32) -> Result<i32>) -> Result<Seam> {
        match self {
            Data::Read(s) => s.seam_with_holdout(holdout),
            Data::Stage { seam, path, .. } => {
                let wanted = holdout(seam.window.as_of)?;
                if wanted != seam.window.holdout {
                    return Err(UsageError(format!(
                        "the stage `{path}` holds a CLV holdout from {}, not from {}: make the \
                         stage with `--holdout {}`",
                        iso_date(seam.window.holdout),
                        iso_date(wanted),
                        iso_date(wanted)
                    ))
                    .into());
                }
                self.whole().cloned()
            }
        }
    }

    /// The stage table of the customers `ids` (of `customers`, the per-customer stage).
    pub fn seam_of(&mut self, customers: &DataFrame, ids: &[String]) -> Result<Seam> {
        match self {
            Data::Read(s) => s.seam_of(customers, ids),
            Data::Stage { .. } => Ok(self.whole()?.of(ids)?),
        }
    }

    /// A stage read whose CLV holdout is not the report's (the last `VALIDATION_DAYS`): its
    /// path and the holdout's first day.
    pub fn other_holdout(&self) -> Option<(String, i32)> {
        match self {
            Data::Stage { seam, path, .. } => {
                let w = seam.window;
                (w.holdout != Window::new(w.as_of, w.since).holdout)
                    .then(|| (path.clone(), w.holdout))
            }
            Data::Read(_) => None,
        }
    }
}

impl Data {
    /// The whole stage read (its segment rows read on first use); an ungrouped one only.
    fn whole(&mut self) -> Result<&Seam> {
        let Data::Stage {
            seam,
            path,
            segments,
        } = self
        else {
            unreachable!("only a stage read is whole");
        };
        ungrouped(seam, path)?;
        if !*segments {
            let rest = read_stage(Path::new(path.as_str()), Rows::Segments)?;
            if rest.window != seam.window {
                bail!("`{path}` is not a stage table tier can read: its rows mix stages of different windows");
            }
            seam.segments = rest.segments;
            *segments = true;
        }
        Ok(seam)
    }
}

fn ungrouped<'a>(seam: &'a Seam, path: &str) -> Result<&'a Seam> {
    if seam.customers.column(super::col::GROUP).is_ok() {
        return Err(grouping(path, true));
    }
    Ok(seam)
}

fn grouping(path: &str, has_group: bool) -> anyhow::Error {
    let why = if has_group {
        format!(
            "the stage `{path}` was made with --group: only `tier classify --group` reads it; \
             make a stage without --group for this command"
        )
    } else {
        format!("the stage `{path}` is not grouped: make it with `tier stage --group COLUMN`")
    };
    UsageError(why).into()
}
