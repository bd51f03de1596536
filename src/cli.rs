//! The command line: the `Cli` root, the subcommand enum and the argument groups shared by every
//! subcommand (input, period, output). Value parsers here turn bad flag values into usage errors.

use crate::commands::churn::ChurnArgs;
use crate::commands::classify::ClassifyArgs;
use crate::commands::clv::ClvArgs;
use crate::commands::growth::GrowthArgs;
use crate::commands::migrate::MigrateArgs;
use crate::commands::profile::ProfileArgs;
use crate::commands::report::ReportArgs;
use crate::commands::rfm::RfmArgs;
use crate::commands::stage::StageArgs;
use crate::config::Loaded;
use crate::input::{DayOrder, Decimal, InputOptions, Returns, Role};
use crate::render::Format;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

const EXIT_CODES: &str = "Examples:
  tier classify sales.csv                      ABC classes, pyramid tiers (--summary: 80/20)
  tier rfm sales.csv --summary                 RFM segments
  tier profile sales.csv --id C1119            the card of one customer
  tier clv sales.csv --holdout 2025-07-01 --summary
  tier churn sales.csv --summary               who is slipping away
  tier migrate sales.csv --period quarter --matrix
  tier growth sales.csv --top 10
  tier report sales.csv --out reports/latest   the monthly bundle

Exit codes:
  0  success (also when a reader such as `head` closes the pipe early)
  1  a data or runtime error: unreadable file, bad value, missing column
  2  a usage error: unknown flag, invalid flag value";

/// Customer tiering from sales exports: ABC, 80/20, the customer pyramid, RFM, key-customer cards,
/// CLV, churn, migration and growth.
#[derive(Debug, Parser)]
#[command(name = "tier", version, after_help = EXIT_CODES, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Show no progress bar and no notes on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Read settings from this file [default: ./tier.toml, then ~/.config/tier/tier.toml].
    #[arg(long, global = true, value_name = "FILE", env = "TIER_CONFIG")]
    pub config: Option<PathBuf>,
    /// Ignore every tier.toml.
    #[arg(long, global = true, conflicts_with = "config")]
    pub no_config: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Rank customers by value: ABC classes, the customer pyramid and the 80/20 summary.
    Classify(ClassifyArgs),
    /// Recency, frequency and monetary scores with named segments.
    Rfm(RfmArgs),
    /// The key-customer card: standing, value, purchases, trend.
    Profile(ProfileArgs),
    /// Customer lifetime value from BG/NBD and Gamma-Gamma, with holdout validation.
    Clv(ClvArgs),
    /// Who is slipping: status and reasons per customer, churn rates, cohorts, lost customers.
    Churn(ChurnArgs),
    /// Who moved between tiers from one period to the next.
    Migrate(MigrateArgs),
    /// Who grows and who declines: value against the previous period and a year before.
    Growth(GrowthArgs),
    /// The monthly bundle: customers.csv/.parquet/.xlsx, summary.json, report.html, summary.md.
    Report(ReportArgs),
    /// Write the stage (per customer and per half-month) as Parquet, for `--stage` to read.
    Stage(StageArgs),
    /// Print a shell completion script (e.g. `tier completions bash > ~/.local/share/bash-completion/completions/tier`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `tier man > ~/.local/share/man/man1/tier.1`.
    Man,
}

/// Parses the command line. Every subcommand's `--version` says `tier 0.1.0`, as the top level.
pub fn parse() -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let mut cmd = Cli::command();
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, |s| s.display_name("tier"));
    }
    let matches = cmd.try_get_matches()?;
    Cli::from_arg_matches(&matches)
}

/// Where the transactions come from and how to read them.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Input")]
pub struct InputArgs {
    /// Sales exports (CSV, TSV or Parquet); `-` reads stdin. Several files are read as one table.
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,
    /// Column with the customer id [default: detected from the header].
    #[arg(long, value_name = "COLUMN")]
    pub customer: Option<String>,
    /// Column with the transaction date [default: detected].
    #[arg(long, value_name = "COLUMN")]
    pub date: Option<String>,
    /// Column with the line or order amount [default: detected].
    #[arg(long, value_name = "COLUMN")]
    pub amount: Option<String>,
    /// Column with the quantity (amount = quantity × price when there is no amount column).
    #[arg(long, value_name = "COLUMN")]
    pub quantity: Option<String>,
    /// Column with the unit price.
    #[arg(long, value_name = "COLUMN")]
    pub price: Option<String>,
    /// Column with the order or invoice id (kept with the rows; purchases are counted by day,
    /// whatever the numbering).
    #[arg(long, value_name = "COLUMN")]
    pub order: Option<String>,
    /// Column with the cost (needed for --by profit): a line total, or per unit when named so
    /// (`Unit Cost`, `Cost per item`), then multiplied by the quantity.
    #[arg(long, value_name = "COLUMN")]
    pub cost: Option<String>,
    /// Column with the margin (gross profit) of the line, when there is no cost column (not to
    /// be confused with `tier clv --margin`, a share).
    #[arg(long = "margin-column", alias = "margin-col", value_name = "COLUMN")]
    pub margin_col: Option<String>,
    /// Column with the currency code (several currencies in it are refused).
    #[arg(long, value_name = "COLUMN")]
    pub currency: Option<String>,
    /// Force a date format, in chrono's syntax, e.g. `%d %b %Y`.
    #[arg(long, value_name = "FORMAT", value_parser = parse_date_format)]
    pub date_format: Option<String>,
    /// Read `a/b/YYYY` dates as day first.
    #[arg(long, conflicts_with = "monthfirst")]
    pub dayfirst: bool,
    /// Read `a/b/YYYY` dates as month first.
    #[arg(long)]
    pub monthfirst: bool,
    /// Read numbers with a decimal comma (`1.234,56`) [default: detected per column].
    #[arg(long, conflicts_with = "decimal_point")]
    pub decimal_comma: bool,
    /// Read numbers with a decimal point (`1,234.56`; `1.500` is one and a half) [default:
    /// detected per column].
    #[arg(long)]
    pub decimal_point: bool,
    /// The sheet of a workbook input (.xlsx, .xlsm, .xls, .ods) to read [default: the first].
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Field delimiter of CSV input [default: sniffed among , ; tab |].
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Negative lines (returns, credit notes): net them against the customer (default), or drop them.
    #[arg(long, value_enum)]
    pub returns: Option<Returns>,
    /// Fail when more than this percentage of the rows has no customer id (e.g. `5` or `5%`),
    /// instead of dropping them with a note.
    #[arg(long, value_name = "PCT", value_parser = parse_percent)]
    pub max_dropped: Option<f64>,
    /// Read several inputs even when they share identical rows (by default refused: the same
    /// export twice, or overlapping periods, would count those sales twice).
    #[arg(long)]
    pub allow_overlap: bool,
    /// Print on stderr how the input was read: files, columns, formats, rows dropped and why.
    #[arg(long)]
    pub explain: bool,
    /// Read a stage made before (`tier stage -o FILE`, or a Spark job's directory of Parquet
    /// parts) instead of transactions: the same answers, without reading the rows again.
    #[arg(
        long,
        value_name = "PATH",
        conflicts_with_all = [
            "files", "customer", "date", "amount", "quantity", "price", "order", "cost",
            "margin_col", "currency", "date_format", "dayfirst", "monthfirst", "decimal_comma",
            "decimal_point", "sheet", "delimiter", "returns", "max_dropped", "allow_overlap",
        ]
    )]
    pub stage: Option<PathBuf>,
}

impl InputArgs {
    /// The input layer's options: flags first, then `[columns]` and `[input]` of the config,
    /// with an extra grouping column when the analysis wants one.
    pub fn options(&self, group: Option<&str>, cfg: &Loaded) -> anyhow::Result<InputOptions> {
        let c = &cfg.config.columns;
        let named = [
            (Role::Customer, &self.customer, &c.customer),
            (Role::Date, &self.date, &c.date),
            (Role::Amount, &self.amount, &c.amount),
            (Role::Quantity, &self.quantity, &c.quantity),
            (Role::Price, &self.price, &c.price),
            (Role::Order, &self.order, &c.order),
            (Role::Cost, &self.cost, &c.cost),
            (Role::Margin, &self.margin_col, &c.margin),
            (Role::Currency, &self.currency, &c.currency),
        ];
        let mut columns = std::collections::BTreeMap::new();
        for (role, flag, file) in named {
            if let Some(n) = flag.as_ref().or(file.as_ref()) {
                columns.insert(role, n.clone());
            }
        }
        if let Some(g) = group {
            columns.insert(Role::Group, g.to_string());
        }
        let i = &cfg.config.input;
        let day_order = match (self.dayfirst, self.monthfirst) {
            (true, _) => Some(DayOrder::DayFirst),
            (_, true) => Some(DayOrder::MonthFirst),
            _ => match (i.dayfirst, i.monthfirst) {
                (Some(true), Some(true)) => {
                    return Err(cfg.error("input", "dayfirst and monthfirst are both true"))
                }
                (Some(true), _) => Some(DayOrder::DayFirst),
                (_, Some(true)) => Some(DayOrder::MonthFirst),
                _ => None,
            },
        };
        let delimiter = match (self.delimiter, &i.delimiter) {
            (Some(d), _) => Some(d),
            (None, Some(d)) => {
                Some(parse_delimiter(d).map_err(|e| cfg.error("input.delimiter", &e))?)
            }
            (None, None) => None,
        };
        Ok(InputOptions {
            files: self.files.clone(),
            columns,
            date_format: match (&self.date_format, &i.date_format) {
                (Some(f), _) => Some(f.clone()),
                (None, Some(f)) => {
                    Some(parse_date_format(f).map_err(|e| cfg.error("input.date_format", &e))?)
                }
                (None, None) => None,
            },
            day_order,
            decimal: match (self.decimal_comma, self.decimal_point, i.decimal_comma) {
                (true, _, _) => Some(Decimal::Comma),
                (_, true, _) => Some(Decimal::Point),
                (_, _, Some(true)) => Some(Decimal::Comma),
                (_, _, Some(false)) => Some(Decimal::Point),
                _ => None,
            },
            delimiter,
            sheet: self.sheet.clone(),
            returns: self.returns.or(i.returns).unwrap_or_default(),
            hooks: Default::default(),
        })
    }
}

/// The time window of an analysis.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Period")]
pub struct PeriodArgs {
    /// Analyse transactions up to this date (YYYY-MM-DD, or `today`, `yesterday`,
    /// `end-of-last-month` by the clock, for cron lines) [default: the last date in the data].
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<i32>,
    /// Analyse transactions from this date on (YYYY-MM-DD), e.g. the last 12 months.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub since: Option<i32>,
}

/// Where and how results are written.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Output format [default: table on a terminal, CSV otherwise, or from the -o extension].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write to this file instead of stdout (atomically: it appears whole or not at all).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// In CSV and TSV, put a `'` before text that a spreadsheet would run as a formula (cells
    /// starting with `=`, `+`, `-`, `@`); without it, cells are written as they are.
    #[arg(long)]
    pub spreadsheet_safe: bool,
    /// On a terminal, show every row of a table (by default: as many as fit, and how many more).
    #[arg(long)]
    pub all: bool,
}

fn parse_date(s: &str) -> Result<i32, String> {
    let today = chrono::Local::now().date_naive();
    relative_date(s, today).map_or_else(|| crate::input::parse_date_flag(s), Ok)
}

/// `today`, `yesterday` and `end-of-last-month` relative to `today`, in days since the epoch.
pub fn relative_date(s: &str, today: chrono::NaiveDate) -> Option<i32> {
    use chrono::Datelike;
    let day = match s {
        "today" => today,
        "yesterday" => today.pred_opt()?,
        "end-of-last-month" => today.with_day(1)?.pred_opt()?,
        _ => return None,
    };
    Some(crate::input::epoch_days(day))
}

/// Accepts a chrono format that names a whole date: it must write 2024-03-05 and read it back.
pub fn parse_date_format(s: &str) -> Result<String, String> {
    use chrono::format::{Item, StrftimeItems};
    use std::fmt::Write;
    let bad =
        || format!("`{s}` is not a date format that names year, month and day (e.g. `%d %b %Y`)");
    if StrftimeItems::new(s).any(|i| matches!(i, Item::Error)) {
        return Err(bad());
    }
    let date = chrono::NaiveDate::from_ymd_opt(2024, 3, 5).ok_or_else(bad)?;
    let mut text = String::new();
    write!(text, "{}", date.format(s)).map_err(|_| bad())?;
    match chrono::NaiveDate::parse_from_str(&text, s) {
        Ok(d) if d == date => Ok(s.to_string()),
        _ => Err(bad()),
    }
}

/// A percentage from 0 to 100, with or without `%`.
pub fn parse_percent(s: &str) -> Result<f64, String> {
    s.trim()
        .trim_end_matches('%')
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| (0.0..=100.0).contains(v))
        .ok_or_else(|| format!("`{s}` is not a percentage from 0 to 100 (e.g. 5%)"))
}

pub fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        s if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!("`{s}` is not a one-character delimiter (or `tab`)")),
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn relative_dates_for_cron_lines() {
        use super::relative_date as r;
        let d = chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let iso = |x: Option<i32>| x.map(crate::input::iso_date);
        assert_eq!(iso(r("today", d)).as_deref(), Some("2024-03-01"));
        assert_eq!(iso(r("yesterday", d)).as_deref(), Some("2024-02-29"));
        assert_eq!(
            iso(r("end-of-last-month", d)).as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(r("2024-01-01", d), None);
    }

    #[test]
    fn a_date_format_must_name_a_whole_date() {
        use super::parse_date_format as p;
        assert!(p("%d %b %Y").is_ok());
        assert!(p("%Y%m%d").is_ok());
        assert!(p("%Q").is_err(), "unknown specifier");
        assert!(p("%H:%M").is_err(), "no date in it");
        assert!(p("%Y-%m").is_err(), "no day");
        assert!(p("%").is_err());
    }
}
