//! The stage table from the local stage: the per-customer table and the customer days, reduced in
//! one pass over the days (customer by customer) to what the analyses need of them.

use super::{Seam, Window};
use crate::analysis::customers::{is_purchase_day, COST, DAY, DAY_CENTS, DAY_SMALLEST, NET};
use crate::analysis::periods::months_before;
use crate::input::col;
use polars::prelude::*;

/// The median of a sorted slice.
pub fn median(v: &[f64]) -> Option<f64> {
    match v.len() {
        0 => None,
        n if n % 2 == 1 => Some(v[n / 2]),
        n => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// The median gap between consecutive purchase days (in day order).
pub fn median_gap(days: &[i32]) -> Option<f64> {
    let mut gaps: Vec<f64> = days.windows(2).map(|w| (w[1] - w[0]) as f64).collect();
    gaps.sort_by(f64::total_cmp);
    median(&gaps)
}

/// The segment of each day of a span, tabled when the span is short enough.
struct Segments {
    first: i32,
    table: Vec<i32>,
    as_of: i32,
}

impl Segments {
    fn new(first: i32, last: i32, as_of: i32) -> Segments {
        let span = (i64::from(last) - i64::from(first) + 1).clamp(0, 1 << 20) as i32;
        let table = (0..span)
            .map(|i| super::segment_of(first + i, as_of))
            .collect();
        Segments {
            first,
            table,
            as_of,
        }
    }

    fn of(&self, day: i32) -> i32 {
        let at = i64::from(day) - i64::from(self.first);
        match usize::try_from(at).ok().and_then(|at| self.table.get(at)) {
            Some(&s) => s,
            None => super::segment_of(day, self.as_of),
        }
    }
}

/// What the customers' days give, customer by customer.
struct Extras {
    /// The position of each customer's first day.
    starts: Vec<usize>,
    first_line: Vec<i32>,
    line_days: Vec<i64>,
    smallest: Vec<i64>,
    median_gap: Vec<Option<f64>>,
    active_year: Vec<Option<i64>>,
    cal_purchases: Vec<i64>,
    cal_last: Vec<Option<i32>>,
    cal_cents: Vec<i64>,
    holdout: ListPrimitiveChunkedBuilder<Int32Type>,
    /// Buffers reused from one customer to the next.
    bought: Vec<(i32, i64)>,
    later: Vec<i32>,
}

/// The segment rows, in customer then segment order.
#[derive(Default)]
struct SegmentRows<'a> {
    who: Vec<&'a str>,
    at: Vec<i32>,
    cents: Vec<i64>,
    cost: Vec<i64>,
}

/// One customer's days, in day order.
struct Run<'a> {
    day: &'a [i32],
    cents: &'a [i64],
    smallest: &'a [i64],
}

/// A column of the customer days without nulls.
fn values<T: PolarsNumericType>(c: &ChunkedArray<T>) -> Vec<T::Native> {
    c.into_no_null_iter().collect()
}

/// The stage table of a window from the per-customer stage (ungrouped) and its customer days
/// (`customers`' day schema).
pub fn from_days(customers: DataFrame, days: &DataFrame, window: Window) -> PolarsResult<Seam> {
    let days = crate::analysis::stage::days_in_order(days)?;
    let ids = days.column(col::CUSTOMER)?.str()?;
    let day = values(days.column(DAY)?.cast(&DataType::Int32)?.i32()?);
    let cents = values(days.column(DAY_CENTS)?.i64()?);
    let smallest = values(days.column(DAY_SMALLEST)?.i64()?);
    let cost = match days.column(COST) {
        Ok(c) => Some(values(c.i64()?)),
        Err(_) => None,
    };
    let (first, last) = (day.iter().min(), day.iter().max());
    let segments = Segments::new(*first.unwrap_or(&0), *last.unwrap_or(&0), window.as_of);
    let mut x = Extras::new(customers.height());
    let mut seg = SegmentRows::default();
    let (mut start, len) = (0usize, days.height());
    while start < len {
        let id = ids.get(start).unwrap_or_default();
        let mut end = start + 1;
        while end < len && ids.get(end).unwrap_or_default() == id {
            end += 1;
        }
        let run = Run {
            day: &day[start..end],
            cents: &cents[start..end],
            smallest: &smallest[start..end],
        };
        x.push(start, &run, window);
        for i in start..end {
            let (s, c, k) = (
                segments.of(day[i]),
                cents[i],
                cost.as_ref().map_or(0, |k| k[i]),
            );
            if seg.who.last() == Some(&id) && seg.at.last() == Some(&s) {
                *seg.cents.last_mut().expect("a row") += c;
                if let Some(v) = seg.cost.last_mut() {
                    *v += k;
                }
                continue;
            }
            seg.who.push(id);
            seg.at.push(s);
            seg.cents.push(c);
            if cost.is_some() {
                seg.cost.push(k);
            }
        }
        start = end;
    }
    let mut seg_cols = vec![
        Column::new(col::CUSTOMER.into(), seg.who),
        Column::new(super::SEGMENT.into(), seg.at),
        Column::new(NET.into(), seg.cents),
    ];
    if cost.is_some() {
        seg_cols.push(Column::new(COST.into(), seg.cost));
    }
    let segments = DataFrame::new_infer_height(seg_cols)?;
    let customers = x.join(customers, ids)?;
    Ok(Seam {
        customers,
        segments,
        window,
    })
}

impl Extras {
    fn new(n: usize) -> Extras {
        Extras {
            starts: Vec::with_capacity(n),
            first_line: Vec::with_capacity(n),
            line_days: Vec::with_capacity(n),
            smallest: Vec::with_capacity(n),
            median_gap: Vec::with_capacity(n),
            active_year: Vec::with_capacity(n),
            cal_purchases: Vec::with_capacity(n),
            cal_last: Vec::with_capacity(n),
            cal_cents: Vec::with_capacity(n),
            holdout: ListPrimitiveChunkedBuilder::new(
                super::HOLDOUT_DAYS.into(),
                n,
                n,
                DataType::Int32,
            ),
            bought: Vec::new(),
            later: Vec::new(),
        }
    }

    /// Adds the customer whose days begin at `start`.
    fn push(&mut self, start: usize, run: &Run, w: Window) {
        self.bought.clear();
        for i in 0..run.day.len() {
            if is_purchase_day(Some(run.cents[i]), Some(run.smallest[i])) {
                self.bought.push((run.day[i], run.cents[i]));
            }
        }
        let bought = &self.bought;
        self.starts.push(start);
        self.first_line.push(run.day[0]);
        self.line_days.push(run.day.len() as i64);
        self.smallest
            .push(run.smallest.iter().copied().min().unwrap_or(0));
        self.median_gap.push(match bought.len() {
            0 | 1 => None,
            _ => median_gap(&bought.iter().map(|b| b.0).collect::<Vec<_>>()),
        });
        self.active_year.push(bought.last().map(|&(last, _)| {
            let from = months_before(last, 12);
            let days = run.day.iter().zip(run.cents);
            days.filter(|(&d, _)| d > from && d <= last)
                .map(|(_, &c)| c)
                .sum()
        }));
        let cal_end = w.holdout - 1;
        let cal = bought.partition_point(|b| b.0 <= cal_end);
        self.cal_purchases.push(cal as i64);
        self.cal_last.push(cal.checked_sub(1).map(|i| bought[i].0));
        self.cal_cents.push(bought[..cal].iter().map(|b| b.1).sum());
        self.later.clear();
        self.later
            .extend(bought[cal..].iter().map(|b| b.0 - cal_end));
        self.holdout.append_slice(&self.later);
    }

    /// The per-customer stage, sorted by id, with these columns beside it.
    fn join(mut self, customers: DataFrame, ids: &StringChunked) -> PolarsResult<DataFrame> {
        let mut sorted = customers.sort([col::CUSTOMER], SortMultipleOptions::default())?;
        let same = sorted
            .column(col::CUSTOMER)?
            .str()?
            .iter()
            .eq(self.starts.iter().map(|&i| ids.get(i)));
        polars_ensure!(
            same,
            ComputeError: "the customer days and the per-customer stage hold different customers"
        );
        let date = |name: &str, v: Vec<Option<i32>>| {
            Int32Chunked::from_iter_options(name.into(), v.into_iter())
                .into_date()
                .into_column()
        };
        let first_line = std::mem::take(&mut self.first_line);
        let cols = [
            date(
                super::FIRST_LINE,
                first_line.into_iter().map(Some).collect(),
            ),
            Column::new(super::LINE_DAYS.into(), std::mem::take(&mut self.line_days)),
            Column::new(super::SMALLEST.into(), std::mem::take(&mut self.smallest)),
            Column::new(
                super::MEDIAN_GAP.into(),
                std::mem::take(&mut self.median_gap),
            ),
            Column::new(
                super::ACTIVE_YEAR.into(),
                std::mem::take(&mut self.active_year),
            ),
            Column::new(
                super::CAL_PURCHASES.into(),
                std::mem::take(&mut self.cal_purchases),
            ),
            date(super::CAL_LAST, std::mem::take(&mut self.cal_last)),
            Column::new(super::CAL_CENTS.into(), std::mem::take(&mut self.cal_cents)),
            self.holdout.finish().into_column(),
        ];
        for c in cols {
            sorted.with_column(c)?;
        }
        Ok(sorted)
    }
}
