//! The input layer: the only code that knows about files, delimiters, header aliases, date and
//! number formats. It turns one or more exports into the canonical transactions frame; nothing
//! after it sees a raw column name.
//!
//! Canonical columns (fixed names and types):
//! `customer` str, `date` date, `amount_cents` i64 (net line value in cents; negative = return),
//! and when present `order` str, `quantity` f64, `cost_cents` i64, `group` str.

mod dates;
mod numbers;
mod parse;
mod roles;
mod source;
mod table;

pub use dates::{epoch_days, iso as iso_date, parse_flag as parse_date_flag, DayOrder};
pub use roles::Role;

use anyhow::{bail, Result};
use polars::prelude::*;
use std::collections::BTreeMap;

/// Names of the canonical columns.
pub mod col {
    pub const CUSTOMER: &str = "customer";
    pub const DATE: &str = "date";
    pub const AMOUNT: &str = "amount_cents";
    pub const ORDER: &str = "order";
    pub const QUANTITY: &str = "quantity";
    pub const COST: &str = "cost_cents";
    pub const GROUP: &str = "group";
}

/// What to do with negative lines (returns, credit notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Returns {
    /// Net them against the customer's value.
    #[default]
    Net,
    /// Drop them.
    Exclude,
}

/// Everything the input layer needs to know, resolved from flags and config.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    pub files: Vec<String>,
    /// Columns named by flags, by role.
    pub columns: BTreeMap<Role, String>,
    pub date_format: Option<String>,
    pub day_order: Option<DayOrder>,
    pub decimal_comma: bool,
    pub delimiter: Option<u8>,
    pub returns: Returns,
}

/// The canonical frame and the account of how it was made.
pub struct Transactions {
    pub frame: DataFrame,
    pub report: LoadReport,
}

/// How the inputs were read, for `--explain` and for honest counts.
#[derive(Debug, Default)]
pub struct LoadReport {
    pub files: Vec<(String, String)>,
    pub mapping: Vec<(Role, String, String)>,
    pub date_format: String,
    pub amount_source: String,
    pub decimals: Vec<String>,
    pub rows_read: usize,
    pub no_customer: usize,
    pub returns_dropped: usize,
    pub returns_kept: usize,
    pub blank_amounts: usize,
    pub footer_lines: usize,
}

impl LoadReport {
    /// One line per fact, for `--explain`.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .files
            .iter()
            .map(|(n, k)| format!("input: `{n}` ({k})"))
            .collect();
        for (role, column, how) in &self.mapping {
            out.push(format!("{role:>9}: `{column}` ({how})"));
        }
        out.push(format!("    dates: {}", self.date_format));
        out.push(format!("   amount: {}", self.amount_source));
        out.extend(self.decimals.iter().map(|d| format!("  numbers: {d}")));
        out.push(format!("rows read: {}", self.rows_read));
        out.push(format!(
            "  dropped: {} without a customer id",
            self.no_customer
        ));
        if self.returns_dropped > 0 {
            out.push(format!(
                "  dropped: {} negative lines (--returns exclude)",
                self.returns_dropped
            ));
        } else {
            out.push(format!(
                "  returns: {} negative lines netted against their customer",
                self.returns_kept
            ));
        }
        if self.blank_amounts > 0 {
            out.push(format!(
                "     note: {} rows with an empty amount counted as 0",
                self.blank_amounts
            ));
        }
        if self.footer_lines > 0 {
            out.push(format!(
                "     note: skipped trailing note lines in {} input(s)",
                self.footer_lines
            ));
        }
        out
    }
}

/// Reads every input into the canonical transactions frame.
pub fn load(opts: &InputOptions) -> Result<Transactions> {
    if opts.files.iter().filter(|f| *f == "-").count() > 1 {
        bail!("`-` (stdin) can be given only once");
    }
    let mut sources = opts
        .files
        .iter()
        .map(|f| source::open(f, opts.delimiter))
        .collect::<Result<Vec<_>>>()?;
    check_same_headers(&sources)?;
    let first = &sources[0];
    let mapping = parse::map_roles(opts, &first.headers)
        .map_err(|e| anyhow::anyhow!("`{}`: {e}", first.name))?;
    let mut report = LoadReport {
        files: sources
            .iter()
            .map(|s| (s.name.clone(), s.kind.clone()))
            .collect(),
        ..Default::default()
    };
    let names: Vec<String> = mapping
        .iter()
        .map(|m| first.headers[m.index].clone())
        .collect();
    let mut raw = table::RawTable::with_columns(mapping.len());
    for (file_no, src) in sources.drain(..).enumerate() {
        let wanted: Vec<(usize, Role)> = mapping
            .iter()
            .zip(&names)
            .map(|(m, n)| {
                (
                    src.headers
                        .iter()
                        .position(|h| h == n)
                        .expect("headers checked equal"),
                    m.role,
                )
            })
            .collect();
        src.read_rows(&wanted, file_no, &mut raw)?;
    }
    report.footer_lines = raw.footer_lines;
    let frame = parse::canonical(opts, &mapping, &names, &raw, &mut report)?;
    Ok(Transactions { frame, report })
}

fn check_same_headers(sources: &[source::Source]) -> Result<()> {
    let first = &sources[0];
    for other in &sources[1..] {
        let missing: Vec<&String> = first
            .headers
            .iter()
            .filter(|h| !other.headers.contains(h))
            .collect();
        let extra: Vec<&String> = other
            .headers
            .iter()
            .filter(|h| !first.headers.contains(h))
            .collect();
        if !missing.is_empty() || !extra.is_empty() {
            let show = |v: &[&String]| {
                v.iter()
                    .map(|h| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            bail!(
                "`{}` does not have the same columns as `{}`: missing [{}], extra [{}]; \
                 inputs read together must share one header",
                other.name,
                first.name,
                show(&missing),
                show(&extra)
            );
        }
    }
    Ok(())
}
