//! Growth: each customer's value in the last complete period against the period before and the
//! same period a year earlier, absolute and in percent, and the trend word of the profile card
//! (`growing` above +10% against a year before, `declining` below −10%, else `steady`; `new` with
//! nothing a year before, `inactive` with nothing in either; `no_history` when the data does not
//! reach back to the period compared). Also the same for the total.

use super::periods::Period;
use super::retention::Presence;
use super::seam::Seam;
use polars::prelude::*;
use std::collections::HashMap;

/// One customer's (or the total's) growth.
#[derive(Debug, Clone, PartialEq)]
pub struct Growth {
    pub customer: String,
    pub now: i64,
    /// `None` when the data does not cover that period.
    pub previous: Option<i64>,
    pub year_before: Option<i64>,
}

impl Growth {
    /// The change in percent against `before`, none when `before` is not positive.
    pub fn pct(now: i64, before: i64) -> Option<f64> {
        (before > 0).then(|| ((now - before) as f64 / before as f64 * 1000.0).round() / 10.0)
    }

    /// The trend word of a total against the same period a year before (a customer's is
    /// [`trend_word`], of 12 months).
    pub fn trend(&self) -> &'static str {
        let Some(before) = self.year_before else {
            return "no_history";
        };
        match Growth::pct(self.now, before) {
            Some(g) if g > 10.0 => "growing",
            Some(g) if g < -10.0 => "declining",
            Some(_) => "steady",
            None if self.now > 0 => "new",
            None => "inactive",
        }
    }

    /// The change in percent against a period, none without it or without value in it.
    fn pct_of(now: i64, before: Option<i64>) -> Option<f64> {
        before.and_then(|b| Growth::pct(now, b))
    }

    /// The change against the year before, 0 where there is nothing to compare (for sorting).
    pub fn rise(&self) -> i64 {
        self.year_before.map_or(0, |b| self.now - b)
    }
}

/// The trend word of a customer, the one rule of the profile, `tier growth` and the report: its
/// value in the last 12 months (`now`) against the 12 before (`before`), in cents, counted by
/// [`months_before`](super::periods::months_before). `growing` above +10%, `declining` below
/// −10%, else `steady`; with nothing in the earlier year, `returning` for a customer who bought
/// before it (a key account back after a gap is not new), `new` for one who did not, and
/// `inactive` with nothing now. A customer whose first purchase falls inside the earlier year
/// (`whole` false) has no full year to compare with: `new` while it buys.
pub fn trend_word(now: i64, before: i64, whole: bool) -> &'static str {
    match Growth::pct(now, before) {
        _ if !whole && now > 0 => "new",
        _ if !whole => "inactive",
        Some(g) if g > 10.0 => "growing",
        Some(g) if g < -10.0 => "declining",
        Some(_) => "steady",
        None if now > 0 => "returning",
        None => "inactive",
    }
}

/// The trend word of every customer of the stage as of its as-of date, by [`trend_word`].
pub fn trends(seam: &Seam) -> PolarsResult<HashMap<String, &'static str>> {
    let c = &seam.customers;
    let ids = c.column(crate::input::col::CUSTOMER)?.str()?;
    let first_purchase = c.column("first_purchase")?.cast(&DataType::Int32)?;
    let first_line = c.column(super::seam::FIRST_LINE)?.cast(&DataType::Int32)?;
    let (first_purchase, first_line) = (first_purchase.i32()?, first_line.i32()?);
    let rolling = super::seam::Rolling::new(seam)?;
    let (year, before) = (rolling.bounds(12, 0), rolling.bounds(24, 12));
    let two = super::periods::months_before(seam.window.as_of, 24);
    let mut out = HashMap::with_capacity(c.height());
    for (i, id) in ids.iter().enumerate() {
        // Buying on or before the earlier year's first day: the year is the customer's.
        let first = first_purchase.get(i).or(first_line.get(i)).unwrap_or(0);
        let (now, then) = (rolling.sum(i, year), rolling.sum(i, before));
        out.insert(
            id.unwrap_or_default().to_string(),
            trend_word(now, then, first <= two + 1),
        );
    }
    Ok(out)
}

/// Growth of every customer in `p` for period `now` (customers with no value in any of the three
/// periods are left out), sorted by the change against a year before, largest rise first, then
/// customer id. Periods before `covered` (the first period the data covers whole) are unknown.
pub fn customers(p: &Presence, period: Period, now: i32, covered: i32) -> Vec<Growth> {
    let back = period.per_year();
    let mut out: Vec<Growth> = p
        .iter()
        .map(|(id, v)| {
            let at = |i: i32| (i >= covered).then(|| v.get(&i).copied().unwrap_or(0));
            Growth {
                customer: id.clone(),
                now: v.get(&now).copied().unwrap_or(0),
                previous: at(now - 1),
                year_before: at(now - back),
            }
        })
        .filter(|g| g.now != 0 || g.previous.unwrap_or(0) != 0 || g.year_before.unwrap_or(0) != 0)
        .collect();
    let ids = super::ids::IdOrder::of(out.iter().map(|g| g.customer.as_str()));
    out.sort_by(|a, b| {
        b.rise()
            .cmp(&a.rise())
            .then_with(|| ids.cmp(&a.customer, &b.customer))
    });
    out
}

/// The total value of every period from `first` (the first the data covers whole) to `last`,
/// with its growth.
pub fn totals(p: &Presence, first: i32, last: i32, back: i32) -> Vec<(i32, Growth)> {
    let mut sums = std::collections::BTreeMap::new();
    for v in p.values() {
        for (&i, &c) in v {
            *sums.entry(i).or_insert(0i64) += c;
        }
    }
    let at = |i: i32| (i >= first).then(|| sums.get(&i).copied().unwrap_or(0));
    (first..=last)
        .map(|i| {
            (
                i,
                Growth {
                    customer: String::new(),
                    now: at(i).unwrap_or(0),
                    previous: at(i - 1),
                    year_before: at(i - back),
                },
            )
        })
        .collect()
}

fn growth_columns(rows: &[&Growth], trend: &dyn Fn(&Growth) -> &'static str) -> Vec<Column> {
    let money = |f: &dyn Fn(&Growth) -> Option<i64>| {
        rows.iter()
            .map(|g| f(g).map(|c| c as f64 / 100.0))
            .collect::<Vec<_>>()
    };
    vec![
        Column::new("value".into(), money(&|g| Some(g.now))),
        Column::new("previous".into(), money(&|g| g.previous)),
        Column::new("change".into(), money(&|g| g.previous.map(|p| g.now - p))),
        Column::new(
            "change_pct".into(),
            rows.iter()
                .map(|g| Growth::pct_of(g.now, g.previous))
                .collect::<Vec<_>>(),
        ),
        Column::new("year_before".into(), money(&|g| g.year_before)),
        Column::new(
            "change_yoy".into(),
            money(&|g| g.year_before.map(|p| g.now - p)),
        ),
        Column::new(
            "change_yoy_pct".into(),
            rows.iter()
                .map(|g| Growth::pct_of(g.now, g.year_before))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "trend".into(),
            rows.iter().map(|g| trend(g)).collect::<Vec<_>>(),
        ),
    ]
}

/// Customers' growth as a frame: `customer`, `period`, then the growth columns, with each
/// customer's trend word from `trends` (of the last 12 months, whatever the period).
pub fn customers_frame(
    rows: &[&Growth],
    label: &str,
    trends: &HashMap<String, &'static str>,
) -> PolarsResult<DataFrame> {
    let mut cols = vec![
        Column::new(
            "customer".into(),
            rows.iter().map(|g| g.customer.clone()).collect::<Vec<_>>(),
        ),
        Column::new("period".into(), vec![label.to_string(); rows.len()]),
    ];
    cols.extend(growth_columns(rows, &|g| {
        trends.get(&g.customer).copied().unwrap_or("inactive")
    }));
    DataFrame::new(rows.len(), cols)
}

/// Totals as a frame: `period`, `complete`, then the growth columns.
pub fn totals_frame(rows: &[(i32, Growth)], period: Period, as_of: i32) -> PolarsResult<DataFrame> {
    let g: Vec<&Growth> = rows.iter().map(|(_, g)| g).collect();
    let mut cols = vec![
        Column::new(
            "period".into(),
            rows.iter()
                .map(|(i, _)| period.label(*i))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "complete".into(),
            rows.iter()
                .map(|(i, _)| period.complete(*i, as_of))
                .collect::<Vec<_>>(),
        ),
    ];
    cols.extend(growth_columns(&g, &|g| g.trend()));
    DataFrame::new(rows.len(), cols)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn presence(rows: &[(&str, i32, i64)]) -> Presence {
        let mut p = Presence::new();
        for (c, i, v) in rows {
            p.entry(c.to_string()).or_default().insert(*i, *v);
        }
        p
    }

    #[test]
    fn growth_against_the_previous_period_and_a_year_before() {
        let p = presence(&[
            ("a", 12, 100),
            ("a", 23, 50),
            ("a", 24, 150),
            ("b", 12, 200),
            ("b", 24, 100),
            ("c", 24, 10),
            ("d", 1, 5),
        ]);
        let g = customers(&p, Period::Month, 24, 0);
        let ids: Vec<&str> = g.iter().map(|x| x.customer.as_str()).collect();
        assert_eq!(
            ids,
            ["a", "c", "b"],
            "largest rise first; d has nothing near"
        );
        assert_eq!(g[0].trend(), "growing");
        assert_eq!(Growth::pct(150, 50), Some(200.0));
        assert_eq!(g[1].trend(), "new");
        assert_eq!(g[2].trend(), "declining");
        let t = totals(&p, 1, 24, 12);
        assert_eq!(t[23].1.now, 260);
        assert_eq!(t[23].1.year_before, Some(300));
        assert_eq!(t[0].1.previous, None, "before the data");
        assert_eq!(
            customers(&p, Period::Month, 24, 13)[0].trend(),
            "no_history"
        );
    }

    #[test]
    fn a_customer_back_after_a_gap_is_returning_not_new() {
        assert_eq!(trend_word(500, 0, true), "returning");
        assert_eq!(trend_word(500, 0, false), "new");
        assert_eq!(trend_word(0, 0, true), "inactive");
        assert_eq!(trend_word(0, 300, true), "declining");
        assert_eq!(trend_word(120, 100, true), "growing");
        // 2014 key account: nothing in 2023-12..2024-11, back in the last 12 months.
        let d =
            |y, m, dd| crate::input::epoch_days(chrono::NaiveDate::from_ymd_opt(y, m, dd).unwrap());
        let rows = [
            ("k", d(2014, 3, 1), 100i64),
            ("k", d(2025, 6, 1), 200),
            ("n", d(2025, 6, 1), 50),
        ];
        let t = trends(&crate::analysis::testing::seam(&rows, d(2025, 11, 30))).unwrap();
        assert_eq!((t["k"], t["n"]), ("returning", "new"));
    }

    #[test]
    fn the_rule_matches_the_profile_card() {
        let g = |now, before| Growth {
            customer: String::new(),
            now,
            previous: None,
            year_before: Some(before),
        };
        assert_eq!(g(111, 100).trend(), "growing");
        assert_eq!(g(110, 100).trend(), "steady");
        assert_eq!(g(89, 100).trend(), "declining");
        assert_eq!(g(0, 0).trend(), "inactive");
    }
}
