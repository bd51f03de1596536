//! Churn over time, from each customer's net value per period (a customer is present in a period
//! when that value is positive): churn rates per period, acquisition cohorts, and how lost
//! customers' purchases changed before they left. Pure: plain rows from the per-period frame.

use super::periods::Period;
use crate::input::col;
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Customer → (period → net cents), in customer order.
pub type Presence = BTreeMap<String, BTreeMap<i32, i64>>;

/// Reads the per-period frame (`customer`, `period`, `cents`).
pub fn presence(per: &DataFrame) -> PolarsResult<Presence> {
    let ids = per.column(col::CUSTOMER)?.str()?;
    let period = per.column("period")?.i32()?;
    let cents = per.column("cents")?.i64()?;
    let mut out = Presence::new();
    for i in 0..per.height() {
        out.entry(ids.get(i).unwrap_or_default().to_string())
            .or_default()
            .insert(period.get(i).unwrap_or(0), cents.get(i).unwrap_or(0));
    }
    Ok(out)
}

/// The periods present in `per` from the first to `last` (with periods of no sales in between).
fn span(p: &Presence, last: i32) -> Option<(i32, i32)> {
    let first = p.values().filter_map(|m| m.keys().next()).min()?;
    Some((*first, last))
}

/// One period's churn.
#[derive(Debug, Clone, PartialEq)]
pub struct Rate {
    pub period: i32,
    pub complete: bool,
    pub active: u64,
    /// Present now and not in the next period; `None` for the last period, which has no next.
    pub churned: Option<u64>,
    pub revenue_lost: Option<i64>,
    pub new: u64,
    pub returned: u64,
}

/// Churn rates for every period from the first with sales to the as-of date's period. A
/// period's churn is known only when the period is whole (from `whole`, the first period the data
/// covers whole) and so is the next one: otherwise `churned` and `revenue_lost` are empty (the
/// last period has no next one; a next period cut by the as-of date would count every customer
/// who has not bought yet as lost).
pub fn rates(p: &Presence, period: Period, as_of: i32, whole: i32) -> Vec<Rate> {
    let last = period.index(as_of);
    let Some((first, last)) = span(p, last) else {
        return Vec::new();
    };
    let known = |i: i32| i >= whole && i < last && period.complete(i + 1, as_of);
    let mut out: Vec<Rate> = (first..=last)
        .map(|i| Rate {
            period: i,
            complete: period.complete(i, as_of),
            active: 0,
            churned: known(i).then_some(0),
            revenue_lost: known(i).then_some(0),
            new: 0,
            returned: 0,
        })
        .collect();
    for values in p.values() {
        let present: BTreeSet<i32> = values
            .iter()
            .filter(|(_, &c)| c > 0)
            .map(|(&i, _)| i)
            .collect();
        let Some(&earliest) = present.iter().next() else {
            continue;
        };
        for &i in &present {
            let Some(r) = out.get_mut((i - first) as usize) else {
                continue;
            };
            r.active += 1;
            if i == earliest {
                r.new += 1;
            } else if !present.contains(&(i - 1)) {
                r.returned += 1;
            }
            if r.churned.is_some() && !present.contains(&(i + 1)) {
                r.churned = r.churned.map(|c| c + 1);
                r.revenue_lost = r.revenue_lost.map(|v| v + values[&i]);
            }
        }
    }
    out
}

/// Why some periods' churn is empty, for a note: the periods whose next one is partial or
/// which the data does not cover whole (the last period, which has no next, goes without saying).
pub fn unknown_note(rates: &[Rate], period: Period) -> Option<String> {
    let last = rates.last()?.period;
    let empty: Vec<String> = rates
        .iter()
        .filter(|r| r.churned.is_none() && r.period != last)
        .map(|r| period.label(r.period))
        .collect();
    (!empty.is_empty()).then(|| {
        format!(
            "the churn of {} is left empty: a period's churn is known once it and the next {} are \
             covered whole by the data",
            empty.join(", "),
            period.name()
        )
    })
}

/// Rates as a frame: `period`, `complete`, `active`, `churned`, `churn_rate`, `revenue_lost`,
/// `new`, `returned`.
pub fn rates_frame(rates: &[Rate], period: Period) -> PolarsResult<DataFrame> {
    let rate = |r: &Rate| {
        r.churned
            .filter(|_| r.active > 0)
            .map(|c| (c as f64 / r.active as f64 * 1e6).round() / 1e6)
    };
    df!(
        "period" => rates.iter().map(|r| period.label(r.period)).collect::<Vec<_>>(),
        "complete" => rates.iter().map(|r| r.complete).collect::<Vec<_>>(),
        "active" => rates.iter().map(|r| r.active).collect::<Vec<_>>(),
        "churned" => rates.iter().map(|r| r.churned).collect::<Vec<_>>(),
        "churn_rate" => rates.iter().map(rate).collect::<Vec<_>>(),
        "revenue_lost" => rates.iter().map(|r| r.revenue_lost.map(|c| c as f64 / 100.0)).collect::<Vec<_>>(),
        "new" => rates.iter().map(|r| r.new).collect::<Vec<_>>(),
        "returned" => rates.iter().map(|r| r.returned).collect::<Vec<_>>(),
    )
}

/// One cell of the cohort table.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortCell {
    pub cohort: i32,
    pub since: i32,
    pub size: u64,
    pub present: u64,
    pub value: i64,
    /// The cohort's value in its first period.
    pub first_value: i64,
}

/// Acquisition cohorts: customers by the period of their first presence, and for each later
/// period up to the as-of date's, how many are present and their value.
pub fn cohorts(p: &Presence, period: Period, as_of: i32) -> Vec<CohortCell> {
    let last = period.index(as_of);
    let mut cells: BTreeMap<(i32, i32), (u64, i64)> = BTreeMap::new();
    let mut sizes: BTreeMap<i32, u64> = BTreeMap::new();
    for values in p.values() {
        let mut present = values.iter().filter(|(_, &c)| c > 0);
        let Some((&start, _)) = present.next() else {
            continue;
        };
        *sizes.entry(start).or_default() += 1;
        for (&i, &c) in values.iter().filter(|(_, &c)| c > 0) {
            let cell = cells.entry((start, i - start)).or_default();
            cell.0 += 1;
            cell.1 += c;
        }
    }
    let mut out = Vec::new();
    for (&cohort, &size) in &sizes {
        let first_value = cells.get(&(cohort, 0)).map_or(0, |c| c.1);
        for since in 0..=(last - cohort) {
            let (present, value) = cells.get(&(cohort, since)).copied().unwrap_or((0, 0));
            out.push(CohortCell {
                cohort,
                since,
                size,
                present,
                value,
                first_value,
            });
        }
    }
    out
}

/// Cohorts in long form: `cohort`, `periods_since`, `period`, `customers`, `present`, `share`,
/// `value`, `value_retention`.
pub fn cohorts_frame(cells: &[CohortCell], period: Period) -> PolarsResult<DataFrame> {
    let r6 = |v: f64| (v * 1e6).round() / 1e6;
    df!(
        "cohort" => cells.iter().map(|c| period.label(c.cohort)).collect::<Vec<_>>(),
        "periods_since" => cells.iter().map(|c| c.since).collect::<Vec<_>>(),
        "period" => cells.iter().map(|c| period.label(c.cohort + c.since)).collect::<Vec<_>>(),
        "customers" => cells.iter().map(|c| c.size).collect::<Vec<_>>(),
        "present" => cells.iter().map(|c| c.present).collect::<Vec<_>>(),
        "share" => cells.iter().map(|c| r6(c.present as f64 / c.size as f64)).collect::<Vec<_>>(),
        "value" => cells.iter().map(|c| c.value as f64 / 100.0).collect::<Vec<_>>(),
        "value_retention" => cells.iter().map(|c| r6(c.value as f64 / c.first_value as f64)).collect::<Vec<_>>(),
    )
}

/// Cohorts for a person: one row per cohort, its size, then the share present in each period
/// since acquisition (`+0`, `+1`, ...), in percent with one decimal.
pub fn cohorts_table(cells: &[CohortCell], period: Period) -> PolarsResult<DataFrame> {
    let cohorts: Vec<i32> = cells
        .iter()
        .map(|c| c.cohort)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let width = cells.iter().map(|c| c.since).max().unwrap_or(0);
    let at: std::collections::HashMap<(i32, i32), &CohortCell> =
        cells.iter().map(|c| ((c.cohort, c.since), c)).collect();
    let sizes: std::collections::HashMap<i32, u64> =
        cells.iter().map(|c| (c.cohort, c.size)).collect();
    let mut cols = vec![
        Column::new(
            "cohort".into(),
            cohorts.iter().map(|&c| period.label(c)).collect::<Vec<_>>(),
        ),
        Column::new(
            "customers".into(),
            cohorts
                .iter()
                .map(|c| sizes.get(c).copied().unwrap_or(0))
                .collect::<Vec<_>>(),
        ),
    ];
    for k in 0..=width {
        let shares: Vec<Option<String>> = cohorts
            .iter()
            .map(|&c| {
                at.get(&(c, k))
                    .map(|x| format!("{:.1}%", x.present as f64 / x.size as f64 * 100.0))
            })
            .collect();
        cols.push(Column::new(format!("+{k}").into(), shares));
    }
    DataFrame::new(cohorts.len(), cols)
}

/// How a customer's purchases ended: its value per period over its last `n` periods up to the
/// one of its last purchase, and the period from which the value fell without recovering.
#[derive(Debug, Clone, PartialEq)]
pub struct Decline {
    pub periods: Vec<(i32, i64)>,
    pub decline_from: Option<i32>,
}

/// The last `n` periods of a customer's values ending at `last` (periods without sales count 0),
/// and the start of the final run of falling values, if the run ends at `last`.
pub fn decline(values: &BTreeMap<i32, i64>, last: i32, n: i32) -> Decline {
    let periods: Vec<(i32, i64)> = ((last - n + 1)..=last)
        .map(|i| (i, values.get(&i).copied().unwrap_or(0)))
        .collect();
    let mut from = None;
    for k in (1..periods.len()).rev() {
        if periods[k].1 < periods[k - 1].1 {
            from = Some(periods[k].0);
        } else {
            break;
        }
    }
    Decline {
        periods,
        decline_from: from,
    }
}

#[cfg(test)]
mod tests;
