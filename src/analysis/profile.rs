//! The key-customer card: standing (ABC class, tier, rank, share, RFM segment), value to date,
//! purchases, profit, tenure, and value per month for the last 12 months beside the same months a
//! year before, with the trend. Pure: takes already classified and scored frames.
//!
//! Months are rolling months ending at the as-of date: month 0 is (as-of − 1 month, as-of], so a
//! mid-month as-of date compares periods of equal length; as of a month's last day (the 30th of
//! a 30-day month, February's 28th) they are calendar months, labelled `YYYY-MM` as `growth` and
//! `churn` count them; otherwise they are labelled by their dates. Trend rule, on the last 12 months
//! against the 12 before: growth above +10% is `growing`, below −10% `declining`, else `steady`;
//! with nothing in the earlier year it is `new` when there is value now, else `inactive` (the
//! rule of `tier growth`). A customer whose first purchase falls after the start of the earlier
//! year has no full year to compare with: the trend is `new` and no growth is given (a few days
//! of the earlier year against a whole year would read as +100,000%); a month's growth likewise
//! needs the customer's history to cover the same month a year before.

use crate::analysis::seam::Rolling;
use crate::input::{col, iso_date};
use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// One rolling month of the card.
#[derive(Debug, Serialize, PartialEq)]
pub struct MonthRow {
    /// The month the period ends in (`YYYY-MM`).
    pub month: String,
    pub value: f64,
    pub year_before: f64,
    pub growth_pct: Option<f64>,
}

/// A customer's card.
#[derive(Debug, Serialize)]
pub struct Card {
    pub customer: String,
    pub as_of: String,
    pub abc: String,
    pub tier: String,
    /// None for a customer whose value is 0 or below (not ranked).
    pub rank: Option<i64>,
    pub customers: usize,
    pub value_share: Option<f64>,
    pub rfm: Option<String>,
    pub segment: Option<String>,
    pub value_to_date: f64,
    pub purchases: i64,
    pub average_order_value: Option<f64>,
    pub net_profit: Option<f64>,
    pub first_purchase: Option<String>,
    pub last_purchase: Option<String>,
    pub tenure_days: Option<i64>,
    pub recency_days: Option<i64>,
    pub last_12_months: f64,
    pub previous_12_months: f64,
    pub growth_pct: Option<f64>,
    pub trend: String,
    pub months: Vec<MonthRow>,
    /// Whether any of its lines is a return (negative), for the view's words; not printed.
    #[serde(skip)]
    pub has_returns: bool,
}

fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

fn growth(now: i64, before: i64) -> Option<f64> {
    (before > 0).then(|| round((now - before) as f64 / before as f64 * 100.0, 1))
}

/// Period boundaries: `ends[k]` is the last day of rolling month k (k = 0 ends at as-of), by
/// [`months_before`](crate::analysis::periods::months_before): calendar months as of a month's
/// last day.
fn month_ends(as_of: i32, count: u32) -> Vec<NaiveDate> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
    (0..=count)
        .map(|k| {
            epoch + chrono::Duration::days(crate::analysis::periods::months_before(as_of, k) as i64)
        })
        .collect()
}

/// The label of the rolling month (after, end]: its calendar month (`2024-05`) when it is exactly
/// one, else its dates (`2024-04-16..2024-05-15`), so a label never names days it does not hold.
pub fn window_label(after: NaiveDate, end: NaiveDate) -> String {
    let start = after.succ_opt().unwrap_or(after);
    let whole = start.day() == 1
        && end.succ_opt().is_none_or(|n| n.day() == 1)
        && start.month() == end.month();
    if whole {
        end.format("%Y-%m").to_string()
    } else {
        format!("{}..{}", start.format("%Y-%m-%d"), end.format("%Y-%m-%d"))
    }
}

/// Cents per rolling month for `count` months back from `as_of`, from dated lines: the plain
/// reference the stage's rolling months are tested against.
#[cfg(test)]
pub fn monthly_cents(dates: &[i32], cents: &[i64], as_of: i32, count: u32) -> Vec<i64> {
    let ends: Vec<i32> = month_ends(as_of, count)
        .into_iter()
        .map(crate::input::epoch_days)
        .collect();
    let mut out = vec![0i64; count as usize];
    for (&d, &c) in dates.iter().zip(cents) {
        // period k holds ends[k+1] < d <= ends[k]
        if let Some(k) = (0..count as usize).find(|&k| ends[k + 1] < d && d <= ends[k]) {
            out[k] += c;
        }
    }
    out
}

/// What `card` needs.
pub struct Inputs<'a> {
    /// The stage of the customers profiled.
    pub seam: &'a crate::analysis::seam::Seam,
    /// From `classify::classify` (revenue, profit, ... as configured).
    pub classified: &'a DataFrame,
    /// The scored frame of `rfm::rfm`.
    pub rfm: &'a DataFrame,
    pub as_of: i32,
}

/// Where each of the wanted customers' rows are in `df`: one pass over its customer column.
fn positions(
    df: &DataFrame,
    wanted: &HashSet<&str>,
) -> PolarsResult<HashMap<String, Vec<IdxSize>>> {
    let mut at: HashMap<String, Vec<IdxSize>> = HashMap::new();
    for (i, id) in df.column(col::CUSTOMER)?.str()?.iter().enumerate() {
        if let Some(id) = id.filter(|id| wanted.contains(id)) {
            at.entry(id.to_string()).or_default().push(i as IdxSize);
        }
    }
    Ok(at)
}

/// The rows of `df` at `rows`, or `None` without any.
fn take(df: &DataFrame, rows: Option<&Vec<IdxSize>>) -> PolarsResult<Option<DataFrame>> {
    match rows {
        Some(r) if !r.is_empty() => Ok(Some(df.take(&IdxCa::from_vec("i".into(), r.clone()))?)),
        _ => Ok(None),
    }
}

fn text(df: &DataFrame, name: &str) -> PolarsResult<String> {
    Ok(df.column(name)?.get(0)?.str_value().to_string())
}

/// A text cell, `None` when empty (never the word `null`).
fn text_opt(df: &DataFrame, name: &str) -> PolarsResult<Option<String>> {
    let v = df.column(name)?.get(0)?;
    Ok((!v.is_null()).then(|| v.str_value().to_string()))
}

fn day(df: &DataFrame, name: &str) -> PolarsResult<Option<i32>> {
    let v = df.column(name)?.cast(&DataType::Int32)?;
    Ok(v.i32()?.get(0))
}

/// The card of each customer of `ids`, `None` for one without transactions in the window: one
/// pass over each frame for all of them, so a thousand cards cost about what one does.
pub fn cards(inp: &Inputs, ids: &[String]) -> PolarsResult<Vec<Option<Card>>> {
    let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let classes = positions(inp.classified, &wanted)?;
    let scores = positions(inp.rfm, &wanted)?;
    let rows = positions(&inp.seam.customers, &wanted)?;
    let staged = Staged::new(inp.seam)?;
    ids.iter()
        .map(|id| {
            let Some(class) = take(inp.classified, classes.get(id))? else {
                return Ok(None);
            };
            let at = rows.get(id).and_then(|r| r.first()).map(|&i| i as usize);
            let scored = take(inp.rfm, scores.get(id))?;
            card(inp, id, &class, staged.of(at), scored).map(Some)
        })
        .collect()
}

/// What the stage says of the customers profiled.
struct Staged {
    net: Vec<i64>,
    cost: Option<Vec<i64>>,
    first_line: Vec<Option<i32>>,
    smallest: Vec<i64>,
    rolling: Rolling,
    bounds: Vec<(i32, i32)>,
}

/// One customer's part of it (zeros for a customer the stage does not hold).
struct Mine {
    revenue: i64,
    cost: Option<i64>,
    first_line: Option<i32>,
    has_returns: bool,
    months: Vec<i64>,
}

impl Staged {
    fn new(seam: &crate::analysis::seam::Seam) -> PolarsResult<Staged> {
        use crate::analysis::customers::{COST, NET};
        use crate::analysis::seam::{FIRST_LINE, SMALLEST};
        let c = &seam.customers;
        let ints = |name: &str| -> PolarsResult<Vec<i64>> {
            Ok(c.column(name)?
                .i64()?
                .iter()
                .map(|v| v.unwrap_or(0))
                .collect())
        };
        let rolling = Rolling::new(seam)?;
        let bounds = (0..24).map(|k| rolling.bounds(k + 1, k)).collect();
        Ok(Staged {
            net: ints(NET)?,
            cost: seam.has_costs().then(|| ints(COST)).transpose()?,
            first_line: c
                .column(FIRST_LINE)?
                .cast(&DataType::Int32)?
                .i32()?
                .iter()
                .collect(),
            smallest: ints(SMALLEST)?,
            rolling,
            bounds,
        })
    }

    fn of(&self, at: Option<usize>) -> Mine {
        match at {
            Some(i) => Mine {
                revenue: self.net[i],
                cost: self.cost.as_ref().map(|c| c[i]),
                first_line: self.first_line[i],
                has_returns: self.smallest[i] < 0,
                months: self
                    .bounds
                    .iter()
                    .map(|&b| self.rolling.sum(i, b))
                    .collect(),
            },
            None => Mine {
                revenue: 0,
                cost: self.cost.as_ref().map(|_| 0),
                first_line: None,
                has_returns: false,
                months: vec![0; self.bounds.len()],
            },
        }
    }
}

/// The card of customer `id` from its rows of the classified frame, the stage and the RFM
/// scores.
fn card(
    inp: &Inputs,
    id: &str,
    class: &DataFrame,
    mine: Mine,
    scored: Option<DataFrame>,
) -> PolarsResult<Card> {
    let (revenue, cost, months) = (mine.revenue, mine.cost, mine.months);
    let purchases = class.column("purchases")?.i64()?.get(0).unwrap_or(0);
    let (first, last) = (day(class, "first_purchase")?, day(class, "last_purchase")?);
    let (now, before): (i64, i64) = (months[..12].iter().sum(), months[12..].iter().sum());
    let labels = month_ends(inp.as_of, 24);
    // Whether the customer was already buying on the first day of the window after `ends[k]`.
    let since = first.or(mine.first_line);
    let covers = |k: usize| since.is_some_and(|f| f <= crate::input::epoch_days(labels[k]) + 1);
    let full_year = covers(24);
    Ok(Card {
        customer: id.to_string(),
        as_of: iso_date(inp.as_of),
        abc: text(class, "abc")?,
        tier: text(class, "tier")?,
        rank: class.column("rank")?.i64()?.get(0),
        customers: inp
            .classified
            .column("rank")?
            .i64()?
            .iter()
            .flatten()
            .count(),
        value_share: class.column("share")?.f64()?.get(0),
        rfm: scored
            .as_ref()
            .map(|s| text_opt(s, "rfm"))
            .transpose()?
            .flatten(),
        segment: scored
            .as_ref()
            .map(|s| text_opt(s, "segment"))
            .transpose()?
            .flatten(),
        value_to_date: revenue as f64 / 100.0,
        purchases,
        average_order_value: (purchases > 0)
            .then(|| round(revenue as f64 / purchases as f64 / 100.0, 2)),
        net_profit: cost.map(|c| (revenue - c) as f64 / 100.0),
        first_purchase: first.map(iso_date),
        last_purchase: last.map(iso_date),
        tenure_days: first.map(|f| (inp.as_of - f) as i64),
        recency_days: last.map(|l| (inp.as_of - l) as i64),
        last_12_months: now as f64 / 100.0,
        previous_12_months: before as f64 / 100.0,
        growth_pct: growth(now, before).filter(|_| full_year),
        trend: super::growth::trend_word(now, before, full_year).to_string(),
        months: (0..12)
            .rev()
            .map(|k| MonthRow {
                month: window_label(labels[k + 1], labels[k]),
                value: months[k] as f64 / 100.0,
                year_before: months[k + 12] as f64 / 100.0,
                growth_pct: growth(months[k], months[k + 12]).filter(|_| covers(k + 13)),
            })
            .collect(),
        has_returns: mine.has_returns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::epoch_days;

    fn d(s: &str) -> i32 {
        epoch_days(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
    }

    #[test]
    fn rolling_months_end_at_the_as_of_date() {
        let as_of = d("2025-03-15");
        let dates = [
            d("2025-03-15"),
            d("2025-02-16"),
            d("2025-02-15"),
            d("2024-03-15"),
            d("2023-03-15"),
        ];
        let cents = [100, 200, 400, 800, 1600];
        let m = monthly_cents(&dates, &cents, as_of, 24);
        assert_eq!(m[0], 300, "Feb 16 .. Mar 15");
        assert_eq!(m[1], 400, "Jan 16 .. Feb 15");
        assert_eq!(m[12], 800, "a year before month 0");
        assert_eq!(m.iter().sum::<i64>(), 1500, "two years back is outside");
    }

    #[test]
    fn trend_rule() {
        use crate::analysis::growth::trend_word as trend;
        assert_eq!(trend(111, 100, true), "growing");
        assert_eq!(trend(110, 100, true), "steady");
        assert_eq!(trend(89, 100, true), "declining");
        assert_eq!(trend(50, 0, false), "new");
        assert_eq!(trend(50, 0, true), "returning");
        assert_eq!(trend(0, 0, true), "inactive");
        assert_eq!(growth(150, 100), Some(50.0));
    }

    #[test]
    fn windows_are_labelled_by_what_they_hold() {
        let p = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(window_label(p("2024-04-30"), p("2024-05-31")), "2024-05");
        assert_eq!(window_label(p("2024-01-31"), p("2024-02-29")), "2024-02");
        assert_eq!(
            window_label(p("2024-04-15"), p("2024-05-15")),
            "2024-04-16..2024-05-15"
        );
    }
}
