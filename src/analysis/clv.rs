//! CLV: the per-customer calibration summary (x, t_x, T, mean repeat spend) in an explicit time
//! unit, holdout actuals, and per-customer predictions from fitted BG/NBD and Gamma-Gamma
//! parameters. Conventions are those of the published CDNOW figures: purchases are the purchase
//! days of `customers` (same-day lines merged; a day that nets negative, or to zero by a return,
//! is none);
//! x = purchase days − 1; t_x = (last − first) / unit; T = (calibration end − first) / unit;
//! monetary = mean value of the repeat purchase days.

use crate::input::col;
use crate::models::bgnbd::{self, Variant};
use crate::models::gamma_gamma;
use polars::prelude::*;
use rayon::prelude::*;

/// The time unit of the models.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Day,
    Week,
    /// A twelfth of a year of 365.25 days (30.4375 days).
    Month,
}

impl Unit {
    /// The unit's name, singular.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
        }
    }

    pub fn days(self) -> f64 {
        match self {
            Unit::Day => 1.0,
            Unit::Week => 7.0,
            Unit::Month => 365.25 / 12.0,
        }
    }
}

/// The purchase days among the customer days: `customer`, `day`, `cents` (a plain reference for
/// the tests).
#[cfg(test)]
pub fn purchase_days(days: &DataFrame) -> PolarsResult<DataFrame> {
    days.clone()
        .lazy()
        .filter(super::customers::is_purchase(col("cents"), col("smallest")))
        .select([col(col::CUSTOMER), col("day"), col("cents")])
        .collect()
}

/// One customer's calibration summary (and holdout purchases when there is a holdout).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub customer: String,
    pub x: f64,
    pub t_x: f64,
    pub t: f64,
    /// Mean value of repeat purchase days; `None` when x = 0.
    pub monetary: Option<f64>,
    /// Purchase days after the calibration end, up to the as-of date.
    pub holdout: Option<i64>,
    /// Days after the calibration end of each holdout purchase (for the weekly tracking).
    pub holdout_days: Vec<i32>,
}

/// A customer's purchase days in the calibration period: how many, the first and last (days
/// since the epoch), their value and the first one's value, in cents.
struct Counted {
    n: i64,
    first: i64,
    last: i64,
    cents: i64,
    first_cents: i64,
}

impl Counted {
    /// The counts of every row of a frame with the columns `first`, `last` (dates or days),
    /// `n`, `cal_cents` and `first_cents`, row by row.
    fn read(df: &DataFrame) -> PolarsResult<impl Iterator<Item = Counted>> {
        let ints = |c: &str| -> PolarsResult<Int64Chunked> {
            Ok(df.column(c)?.cast(&DataType::Int64)?.i64()?.clone())
        };
        let (first, last, n) = (ints("first")?, ints("last")?, ints("n")?);
        let (cents, first_cents) = (ints("cal_cents")?, ints("first_cents")?);
        let all = |c: Int64Chunked| c.into_no_null_iter().collect::<Vec<i64>>().into_iter();
        Ok(all(first)
            .zip(all(last))
            .zip(all(n))
            .zip(all(cents))
            .zip(all(first_cents))
            .map(|((((first, last), n), cents), first_cents)| Counted {
                n,
                first,
                last,
                cents,
                first_cents,
            }))
    }

    /// The summary in `unit_days` (without holdout purchases).
    fn summary(&self, customer: &str, cal_end: i32, unit_days: f64) -> Summary {
        let x = (self.n - 1) as f64;
        Summary {
            customer: customer.to_string(),
            x,
            t_x: (self.last - self.first) as f64 / unit_days,
            t: (cal_end as i64 - self.first) as f64 / unit_days,
            monetary: (x > 0.0).then(|| (self.cents - self.first_cents) as f64 / 100.0 / x),
            holdout: None,
            holdout_days: Vec::new(),
        }
    }
}

/// Summaries of customers whose first purchase is on or before `cal_end` (days since the epoch),
/// sorted by customer id, in one pass over the customer days sorted by customer and day: with a
/// `smallest` column the purchase days are those of the stage's rule (`is_purchase`), without
/// it every day is one (`purchase_days` gives such a frame). `holdout` counts purchase days in
/// (cal_end, as_of]; `days` holds no day after `as_of`. The plain reference the stage table's
/// calibration (`summarize_holdout`) is tested against.
#[cfg(test)]
pub fn summarize(
    days: &DataFrame,
    cal_end: i32,
    as_of: Option<i32>,
    unit: Unit,
) -> PolarsResult<Vec<Summary>> {
    // Sorted by customer and day, each customer's days are one run: one pass makes every
    // summary (a grouped query with per-group filters was most of a report's time).
    let sorted = crate::analysis::stage::days_in_order(days)?;
    let ids = sorted.column(col::CUSTOMER)?.str()?;
    let day: Vec<i32> = sorted
        .column("day")?
        .cast(&DataType::Int32)?
        .i32()?
        .into_no_null_iter()
        .collect();
    let cents: Vec<i64> = sorted
        .column("cents")?
        .cast(&DataType::Int64)?
        .i64()?
        .into_no_null_iter()
        .collect();
    let smallest = match sorted.column("smallest") {
        Ok(c) => Some(c.cast(&DataType::Int64)?),
        Err(_) => None,
    };
    let smallest = smallest.as_ref().map(|c| c.i64()).transpose()?;
    let mut lows = smallest.map(|s| s.iter());
    let u = unit.days();
    let mut out = Vec::new();
    let mut run: Option<(&str, Option<Counted>, Vec<i32>)> = None;
    let finish = |run: Option<(&str, Option<Counted>, Vec<i32>)>, out: &mut Vec<Summary>| {
        if let Some((id, Some(c), holdout_days)) = run {
            out.push(Summary {
                holdout: as_of.map(|_| holdout_days.len() as i64),
                holdout_days: if as_of.is_some() {
                    holdout_days
                } else {
                    Vec::new()
                },
                ..c.summary(id, cal_end, u)
            });
        }
    };
    for (i, id) in ids.iter().enumerate() {
        let low = lows.as_mut().map(|l| l.next().flatten());
        let id = id.unwrap_or_default();
        if run.as_ref().is_none_or(|r| r.0 != id) {
            finish(run.take(), &mut out);
            run = Some((id, None, Vec::new()));
        }
        let (_, counted, holdout) = run.as_mut().expect("a run");
        let (d, c) = (day[i], cents[i]);
        if low.is_some_and(|low| !super::customers::is_purchase_day(Some(c), low)) {
            continue;
        }
        if d > cal_end {
            holdout.push(d - cal_end);
            continue;
        }
        match counted {
            None => {
                *counted = Some(Counted {
                    n: 1,
                    first: i64::from(d),
                    last: i64::from(d),
                    cents: c,
                    first_cents: c,
                })
            }
            Some(k) => {
                k.n += 1;
                k.last = k.last.max(i64::from(d));
                k.cents += c;
                if i64::from(d) == k.first {
                    k.first_cents += c;
                }
            }
        }
    }
    finish(run, &mut out);
    Ok(out)
}

/// The summaries of every customer with a purchase from the per-customer stage, when the whole
/// window is the calibration period (no holdout): the stage's purchase days, first and last
/// purchase and purchase values are exactly what `summarize` derives from the customer days,
/// without holding them. Sorted by customer id.
pub fn summarize_stage(stage: &DataFrame, cal_end: i32, unit: Unit) -> PolarsResult<Vec<Summary>> {
    use super::customers::{FIRST_PURCHASE_CENTS, PURCHASES, PURCHASE_CENTS};
    let df = stage
        .clone()
        .lazy()
        .filter(col(PURCHASES).gt(lit(0i64)))
        .select([
            col(col::CUSTOMER),
            col("first_purchase").alias("first"),
            col("last_purchase").alias("last"),
            col(PURCHASES).alias("n"),
            col(PURCHASE_CENTS).alias("cal_cents"),
            col(FIRST_PURCHASE_CENTS).alias("first_cents"),
        ])
        .sort([col::CUSTOMER], SortMultipleOptions::default())
        .collect()?;
    let u = unit.days();
    let ids = df.column(col::CUSTOMER)?.str()?;
    Ok(ids
        .iter()
        .zip(Counted::read(&df)?)
        .map(|(id, c)| c.summary(id.unwrap_or_default(), cal_end, u))
        .collect())
}

/// The summaries of the customers of a stage table who bought in its calibration period (on or
/// before the day before its holdout), with their holdout purchases: what `summarize` derives
/// from the customer days with `cal_end` the day before the holdout and `as_of` the stage's.
/// Sorted by customer id.
pub fn summarize_holdout(seam: &super::seam::Seam, unit: Unit) -> PolarsResult<Vec<Summary>> {
    use super::customers::FIRST_PURCHASE_CENTS;
    use super::seam::{CAL_CENTS, CAL_LAST, CAL_PURCHASES, HOLDOUT_DAYS};
    let cal_end = seam.window.holdout - 1;
    let df = seam
        .customers
        .clone()
        .lazy()
        .filter(col(CAL_PURCHASES).gt(lit(0i64)))
        .select([
            col(col::CUSTOMER),
            col("first_purchase").alias("first"),
            col(CAL_LAST).alias("last"),
            col(CAL_PURCHASES).alias("n"),
            col(CAL_CENTS).alias("cal_cents"),
            col(FIRST_PURCHASE_CENTS).alias("first_cents"),
            col(HOLDOUT_DAYS),
        ])
        .collect()?;
    let u = unit.days();
    let ids = df.column(col::CUSTOMER)?.str()?;
    let later = df.column(HOLDOUT_DAYS)?.list()?;
    ids.iter()
        .zip(Counted::read(&df)?)
        .zip(later.amortized_iter())
        .map(|((id, c), days)| {
            let days: Vec<i32> = match days {
                Some(d) => d.as_ref().i32()?.into_no_null_iter().collect(),
                None => Vec::new(),
            };
            Ok(Summary {
                holdout: Some(days.len() as i64),
                holdout_days: days,
                ..c.summary(id.unwrap_or_default(), cal_end, u)
            })
        })
        .collect()
}

/// Customers of the stage without a purchase day, sorted by id.
pub fn without_purchase_stage(stage: &DataFrame) -> PolarsResult<Vec<String>> {
    let none = stage
        .clone()
        .lazy()
        .filter(col(super::customers::PURCHASES).eq(lit(0i64)))
        .select([col(col::CUSTOMER)])
        .collect()?;
    sorted_ids(&none)
}

/// The customer ids of a frame, sorted.
fn sorted_ids(df: &DataFrame) -> PolarsResult<Vec<String>> {
    let mut ids: Vec<String> = df
        .column(col::CUSTOMER)?
        .str()?
        .iter()
        .flatten()
        .map(String::from)
        .collect();
    ids.sort();
    Ok(ids)
}

/// The fitted models and how to value a customer.
#[derive(Debug, Clone)]
pub struct Valuation {
    pub variant: Variant,
    pub bg: bgnbd::Params,
    pub gg: Option<gamma_gamma::Params>,
    /// Spend for customers the Gamma-Gamma model cannot value (no repeat purchase).
    pub fallback_spend: f64,
    pub horizon: f64,
    pub margin: f64,
    /// Discount rate per unit, converted from the annual rate.
    pub discount_per_unit: f64,
}

/// Annual discount rate to a rate per unit: (1 + d)^(unit days / 365.25) − 1.
pub fn discount_per_unit(annual: f64, unit: Unit) -> f64 {
    (1.0 + annual).powf(unit.days() / 365.25) - 1.0
}

/// Predictions for one customer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    pub p_alive: f64,
    pub expected_purchases: f64,
    pub expected_spend: f64,
    pub modelled_spend: bool,
    pub clv: f64,
}

/// The most discounting steps per history (100 years in months).
const MAX_STEPS: f64 = 1200.0;

/// What depends on the purchase history only: P(alive), expected purchases over the horizon, and
/// the same purchases discounted unit step by unit step (each step to its end; on horizons of
/// more than 1,200 units, in 1,200 equal steps).
/// Without discounting, the discounted purchases are the expected ones: one evaluation, not one
/// per unit step (365 with `--unit day`).
fn purchases(v: &Valuation, s: &Summary) -> (f64, f64, f64) {
    let p_alive = bgnbd::p_alive(&v.bg, v.variant, s.x, s.t_x, s.t);
    let e = |h: f64| bgnbd::expected_if_alive(&v.bg, v.variant, h, s.x, s.t) * p_alive;
    if v.discount_per_unit == 0.0 {
        let expected = e(v.horizon);
        return (p_alive, expected, expected);
    }
    // Unit steps, or at most MAX_STEPS equal steps over a long horizon, so that the work per
    // history is bounded whatever the horizon.
    let steps = v.horizon.ceil().min(MAX_STEPS);
    let step = if steps < MAX_STEPS {
        1.0
    } else {
        v.horizon / MAX_STEPS
    };
    let (mut discounted, mut before) = (0.0, 0.0);
    for k in 1..=steps as usize {
        let at = (k as f64 * step).min(v.horizon);
        let now = e(at);
        discounted += (now - before) / (1.0 + v.discount_per_unit).powf(at);
        before = now;
    }
    (p_alive, before, discounted)
}

/// Predictions for every customer; the purchase part is computed once per distinct history.
/// CLV = margin × expected spend × discounted expected purchases. Customers the Gamma-Gamma
/// model cannot value (no repeat purchase, or none of positive value) get the fallback spend.
pub fn predict_all(v: &Valuation, rows: &[Summary]) -> Result<Vec<Prediction>, String> {
    let distinct = Distinct::of(rows);
    let bought: Vec<(f64, f64, f64)> = distinct.map(rows, |s| purchases(v, s));
    rows.iter()
        .zip(&distinct.at)
        .map(|(s, &at)| {
            let (p_alive, expected, discounted) = bought[at as usize];
            let (spend, modelled) = match (v.gg, s.monetary) {
                (Some(gg), Some(m)) if m > 0.0 => (gamma_gamma::expected_spend(&gg, s.x, m), true),
                _ => (v.fallback_spend, false),
            };
            let p = Prediction {
                p_alive,
                expected_purchases: expected,
                expected_spend: spend,
                modelled_spend: modelled,
                clv: v.margin * spend * discounted,
            };
            check_finite(&p, s).map(|()| p)
        })
        .collect()
}

/// The distinct purchase histories (x, t_x, T) of summaries, so that what depends on the history
/// alone is computed once per history: a history's first row, and each row's history.
pub struct Distinct {
    pub first: Vec<usize>,
    pub at: Vec<u32>,
}

impl Distinct {
    pub fn of(rows: &[Summary]) -> Distinct {
        let mut keys: Vec<((u64, u64, u64), u32)> = rows
            .iter()
            .enumerate()
            .map(|(i, s)| ((s.x.to_bits(), s.t_x.to_bits(), s.t.to_bits()), i as u32))
            .collect();
        keys.par_sort_unstable();
        let mut first = Vec::new();
        let mut at = vec![0u32; rows.len()];
        for (k, &(key, row)) in keys.iter().enumerate() {
            if k == 0 || keys[k - 1].0 != key {
                first.push(row as usize);
            }
            at[row as usize] = (first.len() - 1) as u32;
        }
        Distinct { first, at }
    }

    /// `f` of every distinct history, in parallel (each value depends on its history only).
    pub fn map<T: Send>(&self, rows: &[Summary], f: impl Fn(&Summary) -> T + Sync) -> Vec<T> {
        self.first.par_iter().map(|&r| f(&rows[r])).collect()
    }
}

/// Refuses a prediction that is not a number: a degenerate fit can overflow for some
/// histories, and such a model is left out as one that cannot be fitted.
fn check_finite(p: &Prediction, s: &Summary) -> Result<(), String> {
    let values = [
        ("P(alive)", p.p_alive),
        ("expected purchases", p.expected_purchases),
        ("expected spend", p.expected_spend),
        ("CLV", p.clv),
    ];
    match values.iter().find(|(_, v)| !v.is_finite()) {
        None => Ok(()),
        Some((what, _)) => Err(format!(
            "the fitted model gives no finite {what} for customer `{}` (frequency {}, recency {}, T {}): \
             the fit is degenerate; use a longer period or try --model mbgnbd",
            s.customer, s.x, s.t_x, s.t
        )),
    }
}

/// The per-customer output, sorted by CLV descending then customer id: `customer`, `frequency`,
/// `recency`, `T`, `monetary`, `p_alive`, `expected_purchases`, `expected_spend`, `spend_source`,
/// `clv`, and with a holdout `holdout_actual` and `holdout_predicted`. The summaries and
/// predictions are freed once their columns are made, before the sort copies the table.
pub fn frame(
    rows: Vec<Summary>,
    pred: Vec<Prediction>,
    holdout: Option<&[f64]>,
) -> PolarsResult<DataFrame> {
    let r = |v: f64, d: i32| {
        let f = 10f64.powi(d);
        (v * f).round() / f
    };
    let mut cols = vec![
        StringChunked::from_iter_values(
            col::CUSTOMER.into(),
            rows.iter().map(|s| s.customer.as_str()),
        )
        .into_column(),
        Column::new(
            "frequency".into(),
            rows.iter().map(|s| s.x as i64).collect::<Vec<_>>(),
        ),
        Column::new(
            "recency".into(),
            rows.iter().map(|s| r(s.t_x, 6)).collect::<Vec<_>>(),
        ),
        Column::new(
            "T".into(),
            rows.iter().map(|s| r(s.t, 6)).collect::<Vec<_>>(),
        ),
        Column::new(
            "monetary".into(),
            rows.iter()
                .map(|s| s.monetary.map(|m| r(m, 2)))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "p_alive".into(),
            pred.iter().map(|p| r(p.p_alive, 6)).collect::<Vec<_>>(),
        ),
        Column::new(
            "expected_purchases".into(),
            pred.iter()
                .map(|p| r(p.expected_purchases, 6))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "expected_spend".into(),
            pred.iter()
                .map(|p| r(p.expected_spend, 2))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "spend_source".into(),
            pred.iter()
                .map(|p| {
                    if p.modelled_spend {
                        "gamma-gamma"
                    } else {
                        "population mean"
                    }
                })
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "clv".into(),
            pred.iter().map(|p| r(p.clv, 2)).collect::<Vec<_>>(),
        ),
    ];
    if let Some(h) = holdout {
        cols.push(Column::new(
            "holdout_actual".into(),
            rows.iter()
                .map(|s| s.holdout.unwrap_or(0))
                .collect::<Vec<_>>(),
        ));
        cols.push(Column::new(
            "holdout_predicted".into(),
            h.iter().map(|v| r(*v, 6)).collect::<Vec<_>>(),
        ));
    }
    let table = DataFrame::new(rows.len(), cols)?;
    drop((rows, pred));
    super::classify::rank_order_by(table, &[("clv", true)])
}

/// Customers of `all_days` without a purchase day (only returns, or purchases cancelled the same
/// day), sorted by id: they have no purchase history for a model to value (a plain reference for
/// the tests; the commands read it from the stage, `without_purchase_stage`).
#[cfg(test)]
pub fn without_purchase(all_days: &DataFrame, purchases: &DataFrame) -> PolarsResult<Vec<String>> {
    let ids = all_days
        .clone()
        .lazy()
        .select([col(col::CUSTOMER)])
        .unique(None, UniqueKeepStrategy::First)
        .join(
            purchases.clone().lazy().select([col(col::CUSTOMER)]),
            [col(col::CUSTOMER)],
            [col(col::CUSTOMER)],
            JoinArgs::new(JoinType::Anti),
        )
        .collect()?;
    sorted_ids(&ids)
}

/// The valued customers' frame followed by the `ids` no model can value, with empty cells and
/// `spend_source` `no purchase`, so that `tier clv` lists every customer `classify` does.
pub fn with_unvalued(frame: DataFrame, ids: &[String]) -> PolarsResult<DataFrame> {
    if ids.is_empty() {
        return Ok(frame);
    }
    let cols: Vec<Column> = frame
        .columns()
        .iter()
        .map(|c| match c.name().as_str() {
            col::CUSTOMER => Column::new(c.name().clone(), ids),
            "spend_source" => Column::new(c.name().clone(), vec!["no purchase"; ids.len()]),
            _ => Column::full_null(c.name().clone(), ids.len(), c.dtype()),
        })
        .collect();
    frame.vstack(&DataFrame::new(ids.len(), cols)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customers_without_a_purchase_are_listed_last_and_unvalued() {
        let all = df!(col::CUSTOMER => ["a", "z", "b"], "cents" => [10i64, -5, 0]).unwrap();
        let bought = df!(col::CUSTOMER => ["a"], "cents" => [10i64]).unwrap();
        let ids = without_purchase(&all, &bought).unwrap();
        assert_eq!(ids, ["b", "z"]);
        let frame =
            df!(col::CUSTOMER => ["a"], "spend_source" => ["gamma-gamma"], "clv" => [1.5f64])
                .unwrap();
        let out = with_unvalued(frame, &ids).unwrap();
        assert_eq!(out.height(), 3);
        assert_eq!(out.column("clv").unwrap().null_count(), 2);
        assert_eq!(
            out.column("spend_source").unwrap().str().unwrap().get(2),
            Some("no purchase")
        );
    }

    fn days(rows: &[(&str, i32, i64)]) -> DataFrame {
        df!(
            col::CUSTOMER => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "day" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "cents" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        )
        .unwrap()
    }

    #[test]
    fn summary_follows_the_cdnow_conventions() {
        let d = days(&[
            ("1", 0, 2933),
            ("1", 17, 2973),
            ("1", 213, 1496),
            ("1", 345, 2648),
            ("2", 100, 500),
        ]);
        let s = summarize(&d, 272, Some(545), Unit::Week).unwrap();
        assert_eq!(s[0].x, 2.0);
        assert!(
            (s[0].t - 272.0 / 7.0).abs() < 1e-12,
            "customer 1 of CDNOW: T = 38.857"
        );
        assert!((s[0].t_x - 213.0 / 7.0).abs() < 1e-12);
        assert_eq!(s[0].monetary, Some((29.73 + 14.96) / 2.0));
        assert_eq!(s[0].holdout, Some(1));
        assert_eq!((s[1].x, s[1].monetary), (0.0, None));
    }

    #[test]
    fn customer_days_summarize_as_their_purchase_days() {
        // Returns (net negative), a day cancelled to zero (smallest line negative) and a
        // zero-priced day (no return): only the last is a purchase day among them.
        let all = df!(
            col::CUSTOMER => ["a", "a", "a", "a", "a", "b", "b", "c"],
            "day" => [0i32, 3, 5, 9, 300, 1, 2, 4],
            "cents" => [100i64, -40, 0, 0, 70, -5, 900, 0],
            "smallest" => [100i64, -40, -10, 0, 70, -5, 900, -1],
        )
        .unwrap();
        let direct = summarize(&all, 200, Some(400), Unit::Day).unwrap();
        let filtered = summarize(&purchase_days(&all).unwrap(), 200, Some(400), Unit::Day).unwrap();
        assert_eq!(direct, filtered);
        assert_eq!(direct.len(), 2, "c has no purchase day");
        assert_eq!((direct[0].x, direct[0].t_x), (1.0, 9.0));
        assert_eq!(direct[0].holdout_days, vec![100]);
    }

    #[test]
    fn same_day_lines_merge_and_returns_are_no_purchase() {
        let date = Column::new(col::DATE.into(), [0i32, 0, 5, 9])
            .cast(&DataType::Date)
            .unwrap();
        let mut tx =
            df!(col::CUSTOMER => ["a", "a", "a", "a"], col::AMOUNT => [100i64, 50, -30, 0])
                .unwrap();
        tx.with_column(date).unwrap();
        let d = purchase_days(
            &crate::analysis::customers::days(tx.lazy())
                .collect()
                .unwrap(),
        )
        .unwrap()
        .sort(["day"], Default::default())
        .unwrap();
        let kept: Vec<i32> = d
            .column("day")
            .unwrap()
            .i32()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(
            kept,
            [0, 9],
            "day 5 holds only a return; a zero-value day is a purchase"
        );
        assert_eq!(d.column("cents").unwrap().i64().unwrap().get(0), Some(150));
    }

    #[test]
    fn discounting_is_converted_per_unit() {
        assert!(
            (discount_per_unit(0.10, Unit::Week) - (1.1f64.powf(7.0 / 365.25) - 1.0)).abs() < 1e-15
        );
        let yearly = (1.0 + discount_per_unit(0.10, Unit::Day)).powf(365.25);
        assert!((yearly - 1.1).abs() < 1e-12);
    }
}
