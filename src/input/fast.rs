//! Sets up the fast reader: the raw frame of all inputs, the evidence for each column's format
//! (the first 64 KiB of each CSV; the distinct values of the whole column when that sample
//! cannot tell, and for text columns of Parquet files), and the counting query of `--explain`.

use super::compose::Rules;
use super::parse::{self, Evidence};
use super::roles::Role;
use super::scan::{self, raw, Plan};
use super::source::{self, Kind, Probe};
use super::{col as canon, LoadReport, Returns, Scanned};
use anyhow::{Context, Result};
use polars::prelude::*;
// polars' prelude brings its own `PolarsContext`; this name shadows it so that
// `.context(...)` is anyhow's.
#[allow(unused_imports)]
use anyhow::Context as PolarsContext;

/// Per mapped column, whether every input holds it with a native (not text) type.
pub fn native(s: &Scanned) -> Result<Vec<bool>> {
    let mut typed = vec![true; s.mapping.len()];
    for p in &s.probes {
        let native = scan::native_columns(p, &wanted(s, p))?;
        for (t, n) in typed.iter_mut().zip(native) {
            *t &= n;
        }
    }
    Ok(typed)
}

/// Builds `s.frame` from the fast reader.
pub fn build(s: &mut Scanned) -> Result<()> {
    let mut frames = Vec::new();
    let typed = native(s)?;
    let date = s
        .mapping
        .iter()
        .position(|m| m.role == Role::Date)
        .expect("mapped");
    // Dates are typed when every input has them as a date or timestamp.
    let mut typed_date = true;
    let several = s.probes.len() > 1;
    for (i, p) in s.probes.iter().enumerate() {
        let mut lf = scan::raw_frame(p, &wanted(s, p))?;
        if several {
            lf = lf.with_column(lit(i as u32).alias(canon::FILE));
        }
        typed_date &= lf.collect_schema()?.get(&raw(date)) == Some(&DataType::Date);
        frames.push(lf);
    }
    let frames: Vec<LazyFrame> = if typed_date {
        frames
    } else {
        // Some input has its dates as text: read every input's dates as text.
        let as_text = col(raw(date)).cast(DataType::String);
        frames
            .into_iter()
            .map(|f| f.with_column(as_text.clone()))
            .collect()
    };
    let raw_frame = if frames.len() == 1 {
        frames.pop_single()
    } else {
        concat(frames, UnionArgs::default())?
    };
    let (formats, assumed) = decide(s, &raw_frame, &typed)?;
    if typed_date {
        s.report.date_format = format!(
            "`{}`: a Parquet date or timestamp (a timestamp's UTC calendar date)",
            s.names[date]
        );
    }
    let mut rules = Rules::new(formats, s.opts.returns);
    for (m, a) in s.mapping.iter().zip(assumed) {
        rules.assumed[m.role.slot()] = a;
    }
    let plan = Plan {
        mapping: s.mapping.clone(),
        rules,
        typed_date,
        files: s.probes.len(),
    };
    s.frame = plan.transactions(raw_frame.clone());
    s.fast = Some((raw_frame, plan));
    Ok(())
}

trait PopSingle {
    fn pop_single(self) -> LazyFrame;
}

impl PopSingle for Vec<LazyFrame> {
    fn pop_single(mut self) -> LazyFrame {
        self.pop().expect("one frame")
    }
}

/// The header positions and roles of the mapped columns in one input.
fn wanted(s: &Scanned, p: &Probe) -> Vec<(usize, Role)> {
    s.mapping
        .iter()
        .zip(&s.names)
        .map(|(m, n)| {
            let i = p
                .headers
                .iter()
                .position(|h| h == n)
                .expect("headers checked equal");
            (i, m.role)
        })
        .collect()
}

/// Decides the formats from the CSV samples, falling back to the whole columns when the
/// samples cannot tell. Returns the formats and, per column, whether its decimal separator was
/// only assumed.
fn decide(
    s: &mut Scanned,
    raw_frame: &LazyFrame,
    typed: &[bool],
) -> Result<(super::cells::Formats, Vec<bool>)> {
    let fresh = || -> Vec<Evidence> {
        typed
            .iter()
            .map(|&t| Evidence {
                typed: t,
                ..Default::default()
            })
            .collect()
    };
    let mut ev = fresh();
    let mut whole = s.probes.iter().any(|p| p.kind == Kind::Parquet);
    for p in s.probes.iter().filter(|p| p.kind != Kind::Parquet) {
        sample(p, &wanted(s, p), &mut ev);
    }
    let delimiter = s.probes[0].delimiter();
    let from_sample =
        parse::decide_formats(&s.opts, &s.mapping, &s.names, &ev, delimiter, &mut s.report);
    let formats = match from_sample {
        Ok(f) if !whole => f,
        _ => {
            whole = true;
            ev = fresh();
            whole_columns(s, raw_frame, typed, &mut ev)?;
            parse::decide_formats(&s.opts, &s.mapping, &s.names, &ev, delimiter, &mut s.report)?
        }
    };
    let assumed = s
        .mapping
        .iter()
        .zip(&ev)
        .zip(typed)
        .map(|((m, e), &t)| {
            let d = &e.decimal;
            m.role.is_numeric()
                && !whole
                && !t
                && s.opts.decimal.is_none()
                && d.point.is_none()
                && d.comma.is_none()
                && d.ambiguous.is_none()
        })
        .collect();
    Ok((formats, assumed))
}

/// Evidence from the first 64 KiB of a CSV (its last, possibly cut, line left out).
fn sample(p: &Probe, wanted: &[(usize, Role)], ev: &mut [Evidence]) {
    let Kind::Csv { delimiter } = p.kind else {
        return;
    };
    let cut = p.head.len() >= 1 << 16;
    let body = match (cut, p.head.iter().rposition(|&b| b == b'\n')) {
        (true, Some(end)) => &p.head[..end],
        (true, None) => return,
        (false, _) => &p.head[..],
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(body);
    let mut record = csv::ByteRecord::new();
    while let Ok(true) = reader.read_byte_record(&mut record) {
        for (k, &(i, role)) in wanted.iter().enumerate() {
            if let Some(cell) = record.get(i) {
                ev[k].observe(role, &source::text(cell));
            }
        }
    }
}

/// Evidence from the distinct values of every text date and number column.
fn whole_columns(
    s: &Scanned,
    raw_frame: &LazyFrame,
    typed: &[bool],
    ev: &mut [Evidence],
) -> Result<()> {
    for (i, m) in s.mapping.iter().enumerate() {
        if typed[i] || !(m.role == Role::Date || m.role.is_numeric()) {
            continue;
        }
        let values = raw_frame
            .clone()
            .select([col(raw(i)).unique()])
            .collect()
            .with_context(|| format!("cannot read column `{}`", s.names[i]))?;
        let column = values.column(&raw(i))?.cast(&DataType::String)?;
        for cell in column.str()?.iter().flatten() {
            ev[i].observe(m.role, cell);
        }
    }
    Ok(())
}

/// Fills the row counts of `report` with one counting query over the inputs.
pub fn count(raw_frame: &LazyFrame, plan: &Plan, report: &mut LoadReport) -> Result<()> {
    // Whether raw cell `i` holds only spaces (null when the cell is missing).
    let blank_cell = |i: usize| {
        col(raw(i))
            .cast(DataType::String)
            .str()
            .strip_chars(lit(NULL))
            .str()
            .len_bytes()
            .eq(lit(0u32))
    };
    let blank = |role: Role| {
        plan.mapping
            .iter()
            .position(|m| m.role == role)
            .map(blank_cell)
    };
    let blank_amount = blank(Role::Amount)
        .or_else(|| Some(blank(Role::Quantity)?.or(blank(Role::Price)?)))
        .unwrap_or(lit(false));
    // One streaming pass. Amount cells of rows without a customer are masked before parsing: such
    // rows are dropped, and may hold anything (a footer's "Total").
    let has = col(canon::CUSTOMER).is_not_null();
    let amount_cells: Vec<usize> = plan
        .mapping
        .iter()
        .enumerate()
        .filter(|(_, m)| matches!(m.role, Role::Amount | Role::Quantity | Role::Price))
        .map(|(i, _)| i)
        .collect();
    let masked: Vec<Expr> = amount_cells
        .iter()
        .map(|&i| {
            when(has.clone())
                .then(col(raw(i)))
                .otherwise(lit(NULL))
                .alias(raw(i))
        })
        .collect();
    // A row with nothing in any column read is empty, not a row without a customer.
    let empty = (0..plan.mapping.len())
        .map(|i| blank_cell(i).fill_null(lit(true)))
        .reduce(|a, b| a.and(b))
        .unwrap_or(lit(false));
    let counts = plan
        .with_customer(raw_frame.clone())
        .with_columns(masked)
        .select([
            (len() - empty.clone().sum()).alias("rows"),
            empty.clone().sum().alias("empty"),
            col(canon::CUSTOMER)
                .is_null()
                .and(empty.not())
                .sum()
                .alias("none"),
            plan.amount().lt(lit(0i64)).sum().alias("neg"),
            has.and(blank_amount).sum().alias("blank"),
        ])
        .collect_with_engine(Engine::Streaming)?
        .unwrap_single();
    let get = |df: &DataFrame, c: &str| -> Result<usize> {
        Ok(df
            .column(c)?
            .cast(&DataType::UInt64)?
            .u64()?
            .get(0)
            .unwrap_or(0) as usize)
    };
    report.rows_read = get(&counts, "rows")?;
    report.empty_rows = get(&counts, "empty")?;
    report.no_customer = get(&counts, "none")?;
    let negative = get(&counts, "neg")?;
    match plan.rules.returns {
        Returns::Exclude => report.returns_dropped = negative,
        Returns::Net => report.returns_kept = negative,
    }
    report.blank_amounts = get(&counts, "blank")?;
    Ok(())
}
