//! The input session: everything between the command line's input options and the stage. It
//! scans the inputs (stdin too), refuses overlapping ones, cuts the window (`--since`,
//! `--as-of`), runs the stage with the fallback to the precise reader (the one place that
//! choice is made after a failure), fixes the as-of date (refusing one set by a few outlying
//! dates), guards the integer sums and `--max-dropped`, and gives `--explain` and the terminal
//! notes. Commands ask it for what they need: the per-customer table, the customer days, one
//! customer's rows. What it needs from above (progress, notes) comes in `InputOptions::hooks`.

use super::{col, iso_date, overlap, scan, InputOptions, Scanned};
use crate::analysis::seam::{self, Seam};
use crate::analysis::{self, customers, stage};
use crate::error::UsageError;
use anyhow::{bail, Result};
use polars::prelude::*;

/// What a session is opened with, resolved by the command layer.
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    pub input: InputOptions,
    pub since: Option<i32>,
    /// The as-of date given (`--as-of`); by default the last date in the data.
    pub as_of: Option<i32>,
    pub explain: bool,
    pub allow_overlap: bool,
    /// The largest share of rows, in percent, that may be dropped for a missing customer id.
    pub max_dropped: Option<f64>,
    /// Which tier.toml was read and what it sets, for `--explain` and the terminal note.
    pub settings_note: Option<String>,
}

/// The inputs, scanned lazily, and the analysis window. The as-of date is known once the stage
/// has run (by default it is the last date in the data, never the clock).
pub struct Session {
    scanned: Scanned,
    hooks: super::Hooks,
    given_as_of: Option<i32>,
    explain: bool,
    /// The as-of date (days since the epoch); set by the stage.
    pub as_of: i32,
    pub since: Option<i32>,
    settings_note: Option<String>,
    max_dropped: Option<f64>,
}

impl Session {
    /// Scans the inputs; with several, refuses ones that hold the same sales.
    pub fn open(o: SessionOptions) -> Result<Session> {
        if let (Some(s), Some(a)) = (o.since, o.as_of) {
            check_since(s, a)?;
        }
        let several = o.input.files.len() > 1;
        let mut s = Session {
            scanned: scan(&o.input)?,
            hooks: o.input.hooks,
            given_as_of: o.as_of,
            explain: o.explain,
            as_of: o.as_of.unwrap_or(i32::MAX),
            since: o.since,
            settings_note: o.settings_note,
            max_dropped: o.max_dropped,
        };
        if several && !o.allow_overlap {
            s.refuse_overlap()?;
        }
        Ok(s)
    }
}

/// Runs `work` through the busy hook over `bytes` of input (a spinner on a terminal).
fn busy<T>(hook: fn(u64, &mut dyn FnMut()), bytes: u64, mut work: impl FnMut() -> T) -> T {
    let mut out = None;
    hook(bytes, &mut || out = Some(work()));
    out.expect("the hook runs the work")
}

fn check_since(since: i32, as_of: i32) -> Result<()> {
    if since > as_of {
        return Err(UsageError(format!(
            "--since {} is after the as-of date {}",
            iso_date(since),
            iso_date(as_of)
        ))
        .into());
    }
    Ok(())
}

impl Session {
    /// The transactions inside the window, lazily.
    pub fn window(&mut self) -> Result<LazyFrame> {
        let frame = self.scanned.frame()?;
        Ok(analysis::window(frame, self.since, self.given_as_of))
    }

    /// Runs the stage over the window. When the fast reader fails (a bad cell, a footer line),
    /// the inputs are read precisely, which either names the file, line and column, or gives
    /// the transactions to run the stage again. An empty result is checked the same way, so that
    /// an input with no usable rows gets the precise reader's account of why.
    fn run(&mut self, want: stage::Want) -> Result<stage::Staged> {
        let (since, as_of) = (self.since, self.given_as_of);
        let (hook, bytes) = (self.hooks.busy, self.scanned.bytes());
        let direct = busy(hook, bytes, || {
            self.scanned.direct_stage(since, as_of, want)
        })?;
        if let Some(staged) = direct {
            return Ok(staged);
        }
        let window = self.window()?;
        let first = busy(hook, bytes, || stage::run(window.clone(), want));
        match first {
            Ok(s) if s.customers.height() > 0 || self.scanned.precise => Ok(s),
            Err(e) if self.scanned.precise => Err(e.into()),
            _ => {
                self.scanned.read_precisely()?;
                Ok(stage::run(self.window()?, want)?)
            }
        }
    }

    /// What the input layer decided about the inputs (see `Decisions`), once they are checked.
    pub fn decisions(&mut self) -> Result<Option<super::Decisions>> {
        let _checked = self.scanned.frame()?;
        Ok(self.scanned.decisions())
    }

    /// Refuses inputs that hold the same sales (the same export twice, overlapping periods),
    /// which would count them twice.
    fn refuse_overlap(&mut self) -> Result<()> {
        let found = match overlap::find(self.scanned.frame()?, customers::run) {
            Ok(found) => found,
            Err(_) if !self.scanned.precise => {
                self.scanned.read_precisely()?;
                overlap::find(self.scanned.frame()?, customers::run)?
            }
            Err(e) => return Err(e.into()),
        };
        let Some(o) = found else {
            return Ok(());
        };
        let name = |i: u32| self.scanned.report.files[i as usize].0.clone();
        bail!(
            "`{}` and `{}` hold the same sales: {} row{} identical in every column (the first for \
             customer `{}`), dated {} to {}; reading both would count them twice. Give each \
             export once and cut overlapping periods, or pass --allow-overlap if these are \
             distinct sales",
            name(o.files.0),
            name(o.files.1),
            o.rows,
            if o.rows == 1 { "" } else { "s" },
            o.customer,
            iso_date(o.dates.0),
            iso_date(o.dates.1)
        )
    }

    /// The per-customer stage of the window (with quantities when asked); resolves the as-of
    /// date.
    pub fn customers(&mut self, grouped: bool, quantities: bool) -> Result<DataFrame> {
        let want = stage::Want {
            grouped,
            days: false,
            quantities,
        };
        Ok(self.stage(want)?.customers)
    }

    /// The stage table of the window, with the report's holdout; resolves the as-of date.
    pub fn seam(&mut self) -> Result<Seam> {
        self.seam_with_holdout(|as_of| Ok(seam::Window::new(as_of, None).holdout))
    }

    /// The stage table of the window with the CLV holdout that `holdout` gives for the as-of
    /// date (its first day); resolves the as-of date.
    pub fn seam_with_holdout(&mut self, holdout: impl FnOnce(i32) -> Result<i32>) -> Result<Seam> {
        let want = stage::Want {
            grouped: false,
            days: true,
            quantities: true,
        };
        let staged = self.stage(want)?;
        let window = seam::Window {
            as_of: self.as_of,
            since: self.since,
            holdout: holdout(self.as_of)?,
        };
        let days = staged.days.expect("asked for");
        Ok(seam::from_days(staged.customers, &days, window)?)
    }

    /// The stage of the window, as `want` asks; resolves the as-of date.
    pub fn stage(&mut self, want: stage::Want) -> Result<stage::Staged> {
        let staged = self.run(want)?;
        if !staged.exact {
            bail!(
                "the amounts add up to more than 90 quadrillion cents, beyond exact arithmetic; \
                 check the amount column and its decimal separator"
            );
        }
        let last = staged
            .customers
            .column(customers::LAST_LINE)?
            .cast(&DataType::Int32)?;
        self.settle(last.i32()?)?;
        Ok(staged)
    }

    /// The stage table of the customers `ids` (those of `customers`, the window's per-customer
    /// stage, that it holds), from their rows in one more read of the inputs.
    pub fn seam_of(&mut self, customers: &DataFrame, ids: &[String]) -> Result<Seam> {
        let mut wanted: Vec<&str> = ids.iter().map(String::as_str).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let wanted = DataFrame::new(
            wanted.len(),
            vec![Column::new(col::CUSTOMER.into(), wanted)],
        )?;
        let join = |lf: LazyFrame| {
            lf.join(
                wanted.clone().lazy(),
                [col(col::CUSTOMER)],
                [col(col::CUSTOMER)],
                JoinArgs::new(JoinType::Inner),
            )
        };
        // The inputs have been read once already, so a failure here is not the reader's.
        let mine = customers::run(customers::days(join(self.window()?)))?;
        let theirs = join(customers.clone().lazy()).collect()?;
        let window = seam::Window::new(self.as_of, self.since);
        Ok(seam::from_days(theirs, &mine, window)?)
    }

    /// Fixes the as-of date from the customers' last dates in the window (unless `--as-of` gave
    /// it), refusing one set by a few outlying dates; checks the window is not empty; prints
    /// `--explain` or the terminal note.
    fn settle(&mut self, last_dates: &Int32Chunked) -> Result<()> {
        let Some(last) = last_dates.max() else {
            return Err(self.empty_window());
        };
        if self.given_as_of.is_none() {
            let dates: Vec<i32> = last_dates.into_no_null_iter().collect();
            if let Some(o) = analysis::outlying_end(dates) {
                bail!(
                    "the latest date, {}, lies {} years after the rest of the data, which ends {} \
                     ({} of {} customers have such late dates): a mistyped date or a placeholder \
                     would set the as-of date and every recency. Correct it, or pass --as-of {} \
                     (later rows are then left out)",
                    iso_date(last),
                    (last - o.rest_end) / 365,
                    iso_date(o.rest_end),
                    o.count,
                    last_dates.len(),
                    iso_date(o.rest_end)
                );
            }
        }
        self.as_of = self.given_as_of.unwrap_or(last);
        if let Some(max) = self.max_dropped {
            self.count_rows()?;
            let r = &self.scanned.report;
            let share = r.no_customer as f64 / r.rows_read.max(1) as f64 * 100.0;
            if share > max {
                bail!(
                    "{} of the rows ({} of {}) have no customer id, more than --max-dropped {max}%; \
                     check the customer column (--explain shows which was used)",
                    share_beyond(share, max),
                    r.no_customer,
                    r.rows_read
                );
            }
        }
        if self.explain {
            self.print_explain()?;
        } else if (self.hooks.notes_on_terminal)() {
            self.count_rows()?;
            let r = &self.scanned.report;
            if r.no_customer + r.returns_dropped > 0 {
                (self.hooks.terminal_note)(&format!(
                    "tier: note: dropped {} rows without a customer id and {} excluded returns (--explain tells more)",
                    r.no_customer, r.returns_dropped
                ));
            }
            if let Some(n) = &self.settings_note {
                (self.hooks.terminal_note)(&format!("tier: note: {n}"));
            }
        }
        Ok(())
    }

    /// Counts the input's rows for `--explain`, `--max-dropped` and the terminal note (a spinner
    /// on a terminal while a large input is counted).
    fn count_rows(&mut self) -> Result<()> {
        let (hook, bytes) = (self.hooks.busy, self.scanned.bytes());
        busy(hook, bytes, || self.scanned.count_rows())
    }

    fn empty_window(&mut self) -> anyhow::Error {
        if self.given_as_of.is_none() {
            if let (Some(since), Ok(last)) = (self.since, self.last_date()) {
                if let Err(e) = check_since(since, last) {
                    return e;
                }
            }
        }
        anyhow::anyhow!(
            "no transactions between {} and {}; check --since and --as-of",
            self.since.map_or("the start".into(), iso_date),
            self.given_as_of.map_or("the end".into(), iso_date)
        )
    }

    fn last_date(&mut self) -> Result<i32> {
        let df = customers::run(
            self.scanned
                .frame()?
                .select([col(col::DATE).cast(DataType::Int32).max()]),
        )?;
        Ok(df.column(col::DATE)?.i32()?.get(0).unwrap_or(i32::MIN))
    }

    fn print_explain(&mut self) -> Result<()> {
        self.count_rows()?;
        let count = |lf: LazyFrame| -> Result<usize> {
            let df = customers::run(lf.select([len().alias("n")]))?;
            Ok(df
                .column("n")?
                .cast(&DataType::UInt64)?
                .u64()?
                .get(0)
                .unwrap_or(0) as usize)
        };
        let total = count(self.scanned.frame()?)?;
        let kept = count(self.window()?)?;
        let mut lines = self.scanned.report.lines();
        lines.insert(
            0,
            self.settings_note
                .clone()
                .unwrap_or_else(|| "settings: no tier.toml (flags and defaults only)".into()),
        );
        let from = self.since.map_or("the first date".to_string(), iso_date);
        lines.push(format!(
            "   window: {from} .. {} (as-of {})",
            iso_date(self.as_of),
            as_of_source(self.given_as_of)
        ));
        lines.push(format!(
            "  dropped: {} rows outside the window",
            total - kept
        ));
        lines.push(format!(" analysed: {kept} rows"));
        (self.hooks.explain)(&lines);
        Ok(())
    }
}

fn as_of_source(as_of: Option<i32>) -> &'static str {
    if as_of.is_some() {
        "from --as-of"
    } else {
        "the last date in the data"
    }
}

/// A share in percent with as many decimals as it takes to show that it exceeds `max` (0.127%
/// against 0.1% reads "0.13%", never "0.1%").
fn share_beyond(share: f64, max: f64) -> String {
    (1..=6)
        .map(|d| format!("{share:.d$}%"))
        .find(|t| {
            t.trim_end_matches('%')
                .parse::<f64>()
                .is_ok_and(|v| v > max)
        })
        .unwrap_or_else(|| format!("{share}%"))
}
