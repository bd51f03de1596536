//! The input layer: the only code that knows about files, delimiters, header aliases, date and
//! number formats. It turns one or more exports into the canonical transactions frame; nothing
//! after it sees a raw column name.
//!
//! Canonical columns (fixed names and types):
//! `customer` str, `date` date, `amount_cents` i64 (net line value in cents; negative = return),
//! and when present `order` str, `quantity` f64, `cost_cents` i64, `group` str; with several
//! inputs, `file` u32 (the input's index).

mod cells;
mod compose;
mod dates;
mod direct;
mod fast;
mod numbers;
pub mod overlap;
mod parse;
mod prescan;
#[cfg(test)]
mod proptests;
mod roles;
mod scan;
mod session;
mod source;
mod staged;
mod table;
mod workbook;

pub use dates::{epoch_days, iso as iso_date, parse_flag as parse_date_flag, DayOrder};
pub use numbers::Decimal;
pub use roles::Role;
pub use session::{Session, SessionOptions};
pub use staged::{read_stage, Data};

use crate::error::UsageError;
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
    /// The input's index (u32), only when several inputs are read together.
    pub const FILE: &str = "file";
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
    /// The decimal separator of every number column, when forced by a flag.
    pub decimal: Option<Decimal>,
    pub delimiter: Option<u8>,
    /// The sheet of a workbook input (the first when none).
    pub sheet: Option<String>,
    pub returns: Returns,
    /// What the layers above lend the input: progress, notes, the output being written.
    pub hooks: Hooks,
}

/// What the input layer needs from the layers above it, passed in rather than imported: whether
/// a file is the output being written, a progress bar over a file read row by row, a spinner
/// around a long query, and where `--explain` and notes go. The default does without them.
#[derive(Clone, Copy)]
pub struct Hooks {
    /// Whether an opened input is the file `-o` writes (it is then refused).
    pub is_output: fn(&std::fs::Metadata) -> bool,
    /// Wraps a file read row by row (a progress bar on a terminal).
    pub wrap_read: fn(std::fs::File, &str) -> Box<dyn std::io::Read>,
    /// Runs work over this many bytes of input (a spinner on a terminal).
    pub busy: fn(u64, &mut dyn FnMut()),
    /// Prints the `--explain` lines.
    pub explain: fn(&[String]),
    /// Prints a note for a person at a terminal (nothing when nobody watches).
    pub terminal_note: fn(&str),
    /// Whether notes reach a person at a terminal.
    pub notes_on_terminal: fn() -> bool,
}

impl Default for Hooks {
    fn default() -> Self {
        Hooks {
            is_output: |_| false,
            wrap_read: |f, _| Box::new(f),
            busy: |_, work| work(),
            explain: |_| {},
            terminal_note: |_| {},
            notes_on_terminal: || false,
        }
    }
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hooks")
    }
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
    /// Rows with nothing in the columns tier reads (blank rows of a spreadsheet).
    pub empty_rows: usize,
    pub no_customer: usize,
    pub returns_dropped: usize,
    pub returns_kept: usize,
    pub blank_amounts: usize,
    pub footer_lines: usize,
    /// Inputs whose text was decoded as Windows-1252.
    pub encodings: Vec<String>,
}

impl LoadReport {
    /// Adds the counts of rows read row by row.
    fn count(&mut self, t: &compose::Tally) {
        self.rows_read += t.rows;
        self.empty_rows += t.empty;
        self.no_customer += t.no_customer;
        self.returns_dropped += t.returns_dropped;
        self.returns_kept += t.returns_kept;
        self.blank_amounts += t.blank_amounts;
    }

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
        out.extend(self.encodings.iter().map(|e| format!(" encoding: {e}")));
        out.push(format!("    dates: {}", self.date_format));
        out.push(format!("   amount: {}", self.amount_source));
        out.extend(self.decimals.iter().map(|d| format!("  numbers: {d}")));
        out.push(format!("rows read: {}", self.rows_read));
        if self.empty_rows > 0 {
            out.push(format!(
                "  skipped: {} empty rows (nothing in the columns used)",
                self.empty_rows
            ));
        }
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

/// The inputs as a lazy canonical transactions frame, with what is needed to re-read them
/// precisely when the fast reader meets something it cannot name the line of.
pub struct Scanned {
    /// Canonical transactions (rows with a customer, returns handled), lazily; read it with
    /// `frame()`, which checks the CSV inputs first.
    frame: LazyFrame,
    /// Whether every CSV input has been checked for what polars' scanner would not report
    /// (`prescan`), or read by a reader that checks it itself.
    checked: bool,
    /// Whether the report's row counts are filled.
    counted: bool,
    pub report: LoadReport,
    /// Whether `frame` came from the precise reader.
    pub precise: bool,
    opts: InputOptions,
    probes: Vec<source::Probe>,
    mapping: Vec<parse::Mapped>,
    names: Vec<String>,
    /// The fast reader's raw frame and plan; `None` once the precise reader has run.
    fast: Option<(LazyFrame, scan::Plan)>,
    _spool: Vec<tempfile::TempPath>,
}

/// Looks at every input, maps the columns, decides the formats and builds the lazy frame;
/// inputs the fast reader cannot vouch for (ragged rows, stray quotes, non-UTF-8 text) are read
/// precisely at once.
pub fn scan(opts: &InputOptions) -> Result<Scanned> {
    if opts.files.iter().filter(|f| *f == "-").count() > 1 {
        return Err(UsageError("`-` (stdin) can be given only once".into()).into());
    }
    let mut spool = Vec::new();
    let probes = opts
        .files
        .iter()
        .map(|f| source::probe(f, opts, &mut spool))
        .collect::<Result<Vec<_>>>()?;
    check_same_headers(&probes)?;
    let first = &probes[0];
    let mapping = parse::map_roles(opts, &first.headers)
        .map_err(|e| anyhow::anyhow!("`{}`: {e}", first.name))?;
    let names: Vec<String> = mapping
        .iter()
        .map(|m| first.headers[m.index].clone())
        .collect();
    let report = LoadReport {
        files: probes
            .iter()
            .map(|p| (p.name.clone(), p.describe()))
            .collect(),
        mapping: mapping
            .iter()
            .zip(&names)
            .map(|(m, n)| (m.role, n.clone(), m.how.clone()))
            .collect(),
        ..Default::default()
    };
    let mut scanned = Scanned {
        frame: LazyFrame::default(),
        checked: false,
        counted: false,
        report,
        precise: false,
        opts: opts.clone(),
        probes,
        mapping,
        names,
        fast: None,
        _spool: spool,
    };
    // The CSV inputs are checked when a reader first needs their frame (the direct reader
    // checks as it reads). Setting up the fast reader reads at most a sample, or whole columns
    // when the sample cannot tell a format: if that fails, the check decides.
    if let Err(e) = fast::build(&mut scanned) {
        if !scanned.check()? {
            return Err(e);
        }
    }
    Ok(scanned)
}

impl Scanned {
    /// Replaces the lazy frame with the precise reader's, which names the file, line and column
    /// of any bad cell (the error is returned) or, for inputs the fast reader only doubted,
    /// gives the same transactions.
    pub fn read_precisely(&mut self) -> Result<()> {
        let mut report = LoadReport {
            files: self.report.files.clone(),
            ..Default::default()
        };
        let frame = precise(self, &mut report)?;
        // Only the precise reader decodes text that is not UTF-8: say which inputs it was.
        for p in &self.probes {
            if matches!(p.kind, source::Kind::Csv { .. }) && !prescan::is_utf8(&p.path, &p.name)? {
                report.encodings.push(format!(
                    "`{}` is not UTF-8: its text was read as Windows-1252",
                    p.name
                ));
            }
        }
        self.frame = frame.lazy();
        self.report = report;
        self.precise = true;
        self.checked = true;
        self.counted = true;
        self.fast = None;
        Ok(())
    }

    /// The inputs' total size in bytes (0 for what cannot be measured).
    pub fn bytes(&self) -> u64 {
        self.probes
            .iter()
            .filter_map(|p| std::fs::metadata(&p.path).ok())
            .map(|m| m.len())
            .sum()
    }

    /// Checks the CSV inputs once (`prescan`), reading them precisely when they need it;
    /// returns whether they did.
    fn check(&mut self) -> Result<bool> {
        if self.checked {
            return Ok(false);
        }
        let mut needs_precise = false;
        for p in &self.probes {
            if let source::Kind::Csv { delimiter } = p.kind {
                needs_precise |=
                    prescan::needs_precise(&p.path, &p.name, delimiter, p.headers.len())?;
            }
        }
        self.checked = true;
        if needs_precise {
            self.read_precisely()?;
        }
        Ok(needs_precise)
    }

    /// The canonical transactions, lazily, once the inputs are checked.
    pub fn frame(&mut self) -> Result<LazyFrame> {
        self.check()?;
        Ok(self.frame.clone())
    }

    /// The stage of the window by the direct CSV reader, which checks the inputs as it reads
    /// and counts their rows; `None` when it does not apply or does not vouch for them.
    pub fn direct_stage(
        &mut self,
        since: Option<i32>,
        as_of: Option<i32>,
        want: crate::analysis::stage::Want,
    ) -> Result<Option<crate::analysis::stage::Staged>> {
        let Some((staged, t)) = direct::stage(self, since, as_of, want)? else {
            return Ok(None);
        };
        if staged.customers.height() == 0 {
            return Ok(None);
        }
        self.checked = true;
        if !self.counted {
            let r = &mut self.report;
            (r.rows_read, r.empty_rows, r.no_customer, r.blank_amounts) =
                (t.rows, t.empty, t.no_customer, t.blank_amounts);
            (r.returns_dropped, r.returns_kept) = (t.returns_dropped, t.returns_kept);
            self.counted = true;
        }
        Ok(Some(staged))
    }

    /// Fills the row counts of the report (`--explain`, the terminal note). The precise and the
    /// direct reader count as they read; the fast one runs a counting query.
    pub fn count_rows(&mut self) -> Result<()> {
        if self.counted {
            return Ok(());
        }
        self.check()?;
        if let Some((raw, plan)) = &self.fast {
            fast::count(raw, plan, &mut self.report)?;
        }
        self.counted = true;
        Ok(())
    }
}

/// The precise reader: every input row by row through the `csv` crate (or Parquet as text).
fn precise(s: &Scanned, report: &mut LoadReport) -> Result<DataFrame> {
    let mut raw = table::RawTable::with_columns(s.mapping.len());
    for (file_no, probe) in s.probes.iter().enumerate() {
        let src = source::open(probe, &s.opts.hooks)?;
        let wanted: Vec<(usize, Role)> = s
            .mapping
            .iter()
            .zip(&s.names)
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
    let delimiter = s.probes[0].delimiter();
    let typed = fast::native(s)?;
    parse::canonical(
        &s.opts, &s.mapping, &s.names, &raw, delimiter, &typed, report,
    )
}

fn check_same_headers(sources: &[source::Probe]) -> Result<()> {
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

/// What the input layer decided about the inputs, for a job that reads the same data elsewhere
/// (the Spark emitter): which column plays each role, how its cells are read, the returns rule
/// and the kind of the first input.
#[derive(Debug, Clone)]
pub struct Decisions {
    pub columns: Vec<(Role, String)>,
    pub formats: cells::Formats,
    /// The roles whose decimal separator no cell showed (only assumed).
    pub assumed: Vec<Role>,
    pub returns: Returns,
    /// `Some(delimiter)` for CSV, `None` for Parquet.
    pub delimiter: Option<u8>,
    /// The date column is typed (a Parquet date or timestamp).
    pub typed_date: bool,
}

pub use cells::Formats;
pub use dates::{DateFormat, SEPARATORS as DATE_SEPARATORS};

impl Scanned {
    /// The decisions of the fast reader; `None` when the inputs needed the precise reader (its
    /// rules hold line by line, not as one plan).
    pub fn decisions(&self) -> Option<Decisions> {
        let (_, plan) = self.fast.as_ref()?;
        let columns = plan
            .mapping
            .iter()
            .zip(&self.names)
            .map(|(m, n)| (m.role, n.clone()))
            .collect();
        let assumed = Role::ALL
            .into_iter()
            .filter(|r| plan.rules.assumed[r.slot()])
            .collect();
        Some(Decisions {
            columns,
            formats: plan.rules.formats.clone(),
            assumed,
            returns: plan.rules.returns,
            delimiter: match self.probes[0].kind {
                source::Kind::Csv { delimiter } => Some(delimiter),
                source::Kind::Parquet => None,
            },
            typed_date: plan.typed_date,
        })
    }
}
