//! Churn: each customer's status at the as-of date (`active`, `at_risk`, `lapsed`, `lost`) with
//! the reasons, from three signals: the time since the last purchase against the customer's own
//! typical gap between purchases, its value in the last complete period against the one before
//! and the same period a year earlier, and P(alive) from the CLV model when there is one.
//! Pure: takes the customer days and returns plain rows.

use super::customers::PURCHASES;
use super::periods::Period;
use super::seam::{self, median, Seam};
use crate::input::{col, iso_date};
use polars::prelude::*;

/// How far gone a customer is, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Active,
    AtRisk,
    Lapsed,
    Lost,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Active, Status::AtRisk, Status::Lapsed, Status::Lost];

    pub fn name(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::AtRisk => "at_risk",
            Status::Lapsed => "lapsed",
            Status::Lost => "lost",
        }
    }
}

/// The thresholds (see the README for why these defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub period: Period,
    /// Gap ratios (days since the last purchase ÷ typical gap) beyond which a customer is at
    /// risk, lapsed, lost.
    pub at_risk_gap: f64,
    pub lapsed_gap: f64,
    pub lost_gap: f64,
    /// The typical gap of a one-time buyer, in days; `None`: the median of the repeat buyers'.
    pub one_time_gap: Option<f64>,
    /// A fall in value by at least this share against both the previous period and the same
    /// period a year before (both with value) puts a customer at risk.
    pub drop: f64,
    /// P(alive) below these puts a customer at risk, lapsed.
    pub at_risk_p_alive: f64,
    pub lapsed_p_alive: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            period: Period::Month,
            at_risk_gap: 2.0,
            lapsed_gap: 4.0,
            lost_gap: 8.0,
            one_time_gap: None,
            drop: 0.5,
            at_risk_p_alive: 0.5,
            lapsed_p_alive: 0.2,
        }
    }
}

/// One customer's standing.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub customer: String,
    pub status: Status,
    pub reasons: Vec<String>,
    pub last_purchase: Option<i32>,
    pub purchases: u32,
    pub days_since: Option<i32>,
    /// The customer's median gap between purchases, or the one-time buyers' default.
    pub typical_gap: f64,
    pub value_12m: i64,
    /// Value in the last complete period, the one before, and the same period a year before.
    pub value_now: i64,
    /// Empty when the period is not covered whole by the data.
    pub value_previous: Option<i64>,
    pub value_year_before: Option<i64>,
    pub p_alive: Option<f64>,
    /// Filled by the caller: the ABC class, and CLV when a model valued the customer.
    pub abc: Option<String>,
    pub clv: Option<f64>,
}

/// What the stage gives each customer.
struct History {
    purchases: u32,
    last_purchase: Option<i32>,
    median_gap: Option<f64>,
    value_12m: i64,
    /// Value per period, in period order.
    per_period: Vec<(i32, i64)>,
}

/// The last complete period at `as_of`.
pub fn current_period(period: Period, as_of: i32) -> i32 {
    let here = period.index(as_of);
    if period.complete(here, as_of) {
        here
    } else {
        here - 1
    }
}

fn histories(seam: &Seam, period: Period) -> PolarsResult<Vec<(String, History)>> {
    let c = &seam.customers;
    let ids = c.column(col::CUSTOMER)?.str()?;
    let purchases = c.column(PURCHASES)?.i64()?;
    let last = c.column("last_purchase")?.cast(&DataType::Int32)?;
    let last = last.i32()?;
    let gaps = c.column(seam::MEDIAN_GAP)?.f64()?;
    let rolling = seam::Rolling::new(seam)?;
    let year = rolling.bounds(12, 0);
    let per = seam.customer_periods(period)?;
    let (per_ids, per_at, per_cents) = (
        per.column(col::CUSTOMER)?.str()?,
        per.column("period")?.i32()?,
        per.column("cents")?.i64()?,
    );
    let mut j = 0;
    let mut out = Vec::with_capacity(c.height());
    for (i, id) in ids.iter().enumerate() {
        let mut per_period = Vec::new();
        while j < per.height() && per_ids.get(j) < id {
            j += 1;
        }
        while j < per.height() && per_ids.get(j) == id {
            per_period.push((per_at.get(j).unwrap_or(0), per_cents.get(j).unwrap_or(0)));
            j += 1;
        }
        out.push((
            id.unwrap_or_default().to_string(),
            History {
                purchases: purchases.get(i).unwrap_or(0) as u32,
                last_purchase: last.get(i),
                median_gap: gaps.get(i),
                value_12m: rolling.sum(i, year),
                per_period,
            },
        ));
    }
    Ok(out)
}

fn money(cents: i64) -> String {
    format!("{:.2}", cents as f64 / 100.0)
}

/// The status and reasons of every customer of the stage at its as-of date, with P(alive) per
/// customer when a model gave it. Periods
/// before `first` (the first the data covers whole: [`first_whole`]) are unknown: their values
/// are empty and never compared. Sorted by customer id.
///
/// [`first_whole`]: crate::analysis::periods::first_whole
pub fn standing(
    seam: &Seam,
    p: &Params,
    p_alive: Option<&PlHashMap<String, f64>>,
    first: i32,
) -> PolarsResult<Vec<Row>> {
    let as_of = seam.window.as_of;
    let hist = histories(seam, p.period)?;
    let medians: Vec<Option<f64>> = hist.iter().map(|(_, h)| h.median_gap).collect();
    let mut gaps: Vec<f64> = medians.iter().flatten().copied().collect();
    gaps.sort_by(f64::total_cmp);
    let one_time = p.one_time_gap.or_else(|| median(&gaps)).unwrap_or(365.0);
    let now = current_period(p.period, as_of);
    let (prev, year_before) = (now - 1, now - p.period.per_year());
    Ok(hist
        .into_iter()
        .zip(medians)
        .map(|((customer, h), median)| {
            let value = |i: i32| {
                h.per_period
                    .iter()
                    .rev()
                    .find(|(q, _)| *q == i)
                    .map_or(0, |(_, v)| *v)
            };
            let known = |i: i32| (i >= first).then(|| value(i));
            let last = h.last_purchase;
            let typical = median.unwrap_or(one_time).round().max(1.0);
            let mut row = Row {
                p_alive: p_alive.and_then(|m| m.get(&customer).copied()),
                customer,
                status: Status::Active,
                reasons: Vec::new(),
                last_purchase: last,
                purchases: h.purchases,
                days_since: last.map(|l| as_of - l),
                typical_gap: typical,
                value_12m: h.value_12m,
                value_now: value(now),
                value_previous: known(prev),
                value_year_before: known(year_before),
                abc: None,
                clv: None,
            };
            judge(&mut row, p, now);
            row
        })
        .collect())
}

/// Applies the three signals to a row.
fn judge(row: &mut Row, p: &Params, now: i32) {
    let mut worst = Status::Active;
    let mut raise = |s: Status, why: String, reasons: &mut Vec<String>| {
        worst = worst.max(s);
        reasons.push(why);
    };
    let mut reasons = Vec::new();
    match row.days_since {
        None => raise(
            Status::Lost,
            "no purchase in the window".into(),
            &mut reasons,
        ),
        Some(since) => {
            let ratio = since as f64 / row.typical_gap;
            let level = if ratio > p.lost_gap {
                Some(Status::Lost)
            } else if ratio > p.lapsed_gap {
                Some(Status::Lapsed)
            } else if ratio > p.at_risk_gap {
                Some(Status::AtRisk)
            } else {
                None
            };
            if let Some(level) = level {
                let gap = if row.purchases > 1 {
                    format!("the usual {:.0}-day gap", row.typical_gap)
                } else {
                    format!("the {:.0}-day gap set for one-time buyers", row.typical_gap)
                };
                let why = format!("no purchase for {since} days, {ratio:.1}× {gap}");
                raise(level, why, &mut reasons);
            }
        }
    }
    // Both comparisons must have had value: a month without a purchase is normal for a customer
    // who buys every few months, and a new customer has no year before to fall from.
    let fell = |before: Option<i64>| {
        before.is_some_and(|b| b > 0 && (row.value_now as f64) <= (1.0 - p.drop) * b as f64)
    };
    if let (true, true, Some(previous), Some(year_before)) = (
        fell(row.value_previous),
        fell(row.value_year_before),
        row.value_previous,
        row.value_year_before,
    ) {
        let why = format!(
            "value {} in {} against {} in {} and {} in {}",
            money(row.value_now),
            p.period.label(now),
            money(previous),
            p.period.label(now - 1),
            money(year_before),
            p.period.label(now - p.period.per_year())
        );
        raise(Status::AtRisk, why, &mut reasons);
    }
    if let Some(pa) = row.p_alive {
        if pa < p.lapsed_p_alive {
            raise(Status::Lapsed, format!("P(alive) {pa:.2}"), &mut reasons);
        } else if pa < p.at_risk_p_alive {
            raise(Status::AtRisk, format!("P(alive) {pa:.2}"), &mut reasons);
        }
    }
    row.status = worst;
    row.reasons = reasons;
}

/// The rows as a frame, the most urgent first: at risk, lapsed, lost, then active; within a
/// status by value in the last 12 months, descending, then customer id.
pub fn frame(rows: &[Row]) -> PolarsResult<DataFrame> {
    let urgency = |s: Status| match s {
        Status::AtRisk => 0,
        Status::Lapsed => 1,
        Status::Lost => 2,
        Status::Active => 3,
    };
    let mut order: Vec<&Row> = rows.iter().collect();
    let ids = super::ids::IdOrder::of(rows.iter().map(|r| r.customer.as_str()));
    order.sort_by(|x, y| {
        urgency(x.status)
            .cmp(&urgency(y.status))
            .then(y.value_12m.cmp(&x.value_12m))
            .then_with(|| ids.cmp(&x.customer, &y.customer))
    });
    let text = |f: &dyn Fn(&Row) -> Option<String>| order.iter().map(|r| f(r)).collect::<Vec<_>>();
    let money = |f: &dyn Fn(&Row) -> i64| {
        order
            .iter()
            .map(|r| f(r) as f64 / 100.0)
            .collect::<Vec<_>>()
    };
    let known = |f: &dyn Fn(&Row) -> Option<i64>| {
        order
            .iter()
            .map(|r| f(r).map(|c| c as f64 / 100.0))
            .collect::<Vec<_>>()
    };
    let round6 = |v: Option<f64>| v.map(|p| (p * 1e6).round() / 1e6);
    let cols: Vec<Column> = vec![
        Column::new(col::CUSTOMER.into(), text(&|r| Some(r.customer.clone()))),
        Column::new("status".into(), text(&|r| Some(r.status.name().into()))),
        Column::new("reasons".into(), text(&|r| Some(r.reasons.join("; ")))),
        Column::new("abc".into(), text(&|r| r.abc.clone())),
        Column::new(
            "last_purchase".into(),
            text(&|r| r.last_purchase.map(iso_date)),
        ),
        Column::new(
            "days_since".into(),
            order.iter().map(|r| r.days_since).collect::<Vec<_>>(),
        ),
        Column::new(
            "typical_gap".into(),
            order
                .iter()
                .map(|r| r.typical_gap.round() as i64)
                .collect::<Vec<_>>(),
        ),
        Column::new("value_12m".into(), money(&|r| r.value_12m)),
        Column::new("value_period".into(), money(&|r| r.value_now)),
        Column::new("value_previous".into(), known(&|r| r.value_previous)),
        Column::new("value_year_before".into(), known(&|r| r.value_year_before)),
        Column::new(
            "p_alive".into(),
            order.iter().map(|r| round6(r.p_alive)).collect::<Vec<_>>(),
        ),
        Column::new(
            "clv".into(),
            order
                .iter()
                .map(|r| r.clv.map(|c| (c * 100.0).round() / 100.0))
                .collect::<Vec<_>>(),
        ),
    ];
    DataFrame::new(rows.len(), cols)
}

/// Each customer's value in the 12 months up to its last purchase (the months of
/// [`months_before`](crate::analysis::periods::months_before), as every "last 12 months"), for
/// the customers with a purchase.
pub fn value_in_last_active_year(seam: &Seam) -> PolarsResult<PlHashMap<String, i64>> {
    let c = &seam.customers;
    let ids = c.column(col::CUSTOMER)?.str()?;
    let value = c.column(seam::ACTIVE_YEAR)?.i64()?;
    Ok(ids
        .iter()
        .zip(value.iter())
        .filter_map(|(id, v)| Some((id?.to_string(), v?)))
        .collect())
}

/// How many customers at risk the summary ranks.
pub const TOP_AT_RISK: usize = 20;

/// The summary's tables: customers and value of the last 12 months by status, by ABC class and
/// status, and the `TOP_AT_RISK` most valuable customers at risk or lapsed. A status's
/// `value_share` is its customers' positive value over all customers' positive value, as
/// classify's shares are: with losses (`--by profit`) the shares stay in [0, 1] and add up to 1.
pub fn summary_frames(rows: &[Row]) -> PolarsResult<(DataFrame, DataFrame, DataFrame)> {
    let n = rows.len().max(1) as f64;
    let total: i64 = rows.iter().map(|r| r.value_12m.max(0)).sum();
    let by = |keep: &dyn Fn(&Row) -> bool| {
        let these: Vec<&Row> = rows.iter().filter(|r| keep(r)).collect();
        (
            these.len() as u64,
            these.iter().map(|r| r.value_12m).sum::<i64>(),
            these.iter().map(|r| r.value_12m.max(0)).sum::<i64>(),
        )
    };
    let statuses: Vec<(Status, (u64, i64, i64))> = Status::ALL
        .iter()
        .map(|&s| (s, by(&|r| r.status == s)))
        .collect();
    let share = |v: i64| {
        if total > 0 {
            (v as f64 / total as f64 * 1e6).round() / 1e6
        } else {
            0.0
        }
    };
    let status = df!(
        "status" => statuses.iter().map(|(s, _)| s.name()).collect::<Vec<_>>(),
        "customers" => statuses.iter().map(|(_, c)| c.0).collect::<Vec<_>>(),
        "share" => statuses.iter().map(|(_, c)| (c.0 as f64 / n * 1e6).round() / 1e6).collect::<Vec<_>>(),
        "value_12m" => statuses.iter().map(|(_, c)| c.1 as f64 / 100.0).collect::<Vec<_>>(),
        "value_share" => statuses.iter().map(|(_, c)| share(c.2)).collect::<Vec<_>>(),
    )?;
    let mut cls: Vec<String> = rows.iter().filter_map(|r| r.abc.clone()).collect();
    cls.sort();
    cls.dedup();
    let mut k = Vec::new();
    for c in &cls {
        for s in Status::ALL {
            let (count, value, _) = by(&|r| r.status == s && r.abc.as_deref() == Some(c.as_str()));
            k.push((c.clone(), s.name(), count, value));
        }
    }
    let classes = df!(
        "abc" => k.iter().map(|x| x.0.clone()).collect::<Vec<_>>(),
        "status" => k.iter().map(|x| x.1).collect::<Vec<_>>(),
        "customers" => k.iter().map(|x| x.2).collect::<Vec<_>>(),
        "value_12m" => k.iter().map(|x| x.3 as f64 / 100.0).collect::<Vec<_>>(),
    )?;
    let mut risk: Vec<&Row> = rows
        .iter()
        .filter(|r| matches!(r.status, Status::AtRisk | Status::Lapsed))
        .collect();
    let ids = super::ids::IdOrder::of(rows.iter().map(|r| r.customer.as_str()));
    risk.sort_by(|a, b| {
        b.value_12m
            .cmp(&a.value_12m)
            .then_with(|| ids.cmp(&a.customer, &b.customer))
    });
    risk.truncate(TOP_AT_RISK);
    let top = df!(
        "customer" => risk.iter().map(|r| r.customer.clone()).collect::<Vec<_>>(),
        "status" => risk.iter().map(|r| r.status.name()).collect::<Vec<_>>(),
        "abc" => risk.iter().map(|r| r.abc.clone()).collect::<Vec<_>>(),
        "value_12m" => risk.iter().map(|r| r.value_12m as f64 / 100.0).collect::<Vec<_>>(),
        "reasons" => risk.iter().map(|r| r.reasons.join("; ")).collect::<Vec<_>>(),
    )?;
    Ok((status, classes, top))
}

#[cfg(test)]
mod tests;
