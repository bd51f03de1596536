//! Calendar periods (months, quarters, years) for the analyses over time: a period is numbered
//! by an index that grows by one from each period to the next (`year × 12 + month − 1` for
//! months), labelled `2024-03`, `2024-Q1` or `2024`, and complete when the as-of date is its last
//! day.

use crate::input::iso_date;
use chrono::{Datelike, NaiveDate};
use polars::prelude::*;

/// The length of a period.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    #[default]
    Month,
    Quarter,
    Year,
}

fn date(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day + 719_163).unwrap_or_default()
}

fn day(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - 719_163
}

/// Period indices of the days of a column, looked up in a table over the column's days rather
/// than computed day by day through the calendar.
pub struct Indexer {
    period: Period,
    first: i32,
    table: Vec<i32>,
}

/// The longest span of days given a table (about 2,900 years); longer spans are computed.
const TABLE_DAYS: i64 = 1 << 20;

impl Indexer {
    pub fn new(period: Period, days: &Int32Chunked) -> Indexer {
        let (first, last) = (days.min().unwrap_or(0), days.max().unwrap_or(0));
        let table = match i64::from(last) - i64::from(first) < TABLE_DAYS {
            true => (first..=last).map(|d| period.index(d)).collect(),
            false => Vec::new(),
        };
        Indexer {
            period,
            first,
            table,
        }
    }

    /// `Period::index` of `day`.
    pub fn of(&self, day: i32) -> i32 {
        let at = i64::from(day) - i64::from(self.first);
        match usize::try_from(at).ok().and_then(|at| self.table.get(at)) {
            Some(&index) => index,
            None => self.period.index(day),
        }
    }
}

impl Period {
    /// Periods per year.
    pub fn per_year(self) -> i32 {
        match self {
            Period::Month => 12,
            Period::Quarter => 4,
            Period::Year => 1,
        }
    }

    fn months(self) -> i32 {
        12 / self.per_year()
    }

    /// The index of the period holding `day` (days since the epoch).
    pub fn index(self, day: i32) -> i32 {
        let d = date(day);
        d.year() * self.per_year() + (d.month0() as i32) / self.months()
    }

    /// The same index as a polars expression over a date column.
    pub fn index_expr(self, date: Expr) -> Expr {
        let year = date.clone().dt().year().cast(DataType::Int32);
        let month0 = date.dt().month().cast(DataType::Int32) - lit(1);
        year * lit(self.per_year()) + month0 / lit(self.months())
    }

    /// The index of the period holding month `month` (year × 12 + month − 1).
    pub fn of_month(self, month: i32) -> i32 {
        month.div_euclid(12) * self.per_year() + month.rem_euclid(12) / self.months()
    }

    /// The first day of period `index`.
    pub fn first_day(self, index: i32) -> i32 {
        let year = index.div_euclid(self.per_year());
        let month = index.rem_euclid(self.per_year()) * self.months() + 1;
        day(NaiveDate::from_ymd_opt(year, month as u32, 1).unwrap_or_default())
    }

    /// The last day of period `index`.
    pub fn last_day(self, index: i32) -> i32 {
        self.first_day(index + 1) - 1
    }

    /// `2024-03`, `2024-Q1` or `2024`.
    pub fn label(self, index: i32) -> String {
        let year = index.div_euclid(self.per_year());
        let part = index.rem_euclid(self.per_year());
        match self {
            Period::Month => format!("{year}-{:02}", part + 1),
            Period::Quarter => format!("{year}-Q{}", part + 1),
            Period::Year => format!("{year}"),
        }
    }

    /// The index a label names (the inverse of `label`), for `--from` and `--to`.
    pub fn parse(self, label: &str) -> Result<i32, String> {
        let bad = || {
            let e = self
                .label(self.index(day(NaiveDate::from_ymd_opt(2024, 3, 1).unwrap_or_default())));
            format!("`{label}` is not a {} like {e}", self.name())
        };
        let (year, part) = match self {
            Period::Year => (label, None),
            Period::Month => label
                .split_once('-')
                .map(|(y, m)| (y, Some(m)))
                .ok_or_else(bad)?,
            Period::Quarter => label
                .split_once("-Q")
                .map(|(y, q)| (y, Some(q)))
                .ok_or_else(bad)?,
        };
        let year: i32 = year.parse().map_err(|_| bad())?;
        let part: i32 = match part {
            Some(p) => p.parse::<i32>().map_err(|_| bad())? - 1,
            None => 0,
        };
        if !(1..=9999).contains(&year) || !(0..self.per_year()).contains(&part) {
            return Err(bad());
        }
        Ok(year * self.per_year() + part)
    }

    pub fn name(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        }
    }

    /// Whether period `index` is over by `as_of` (its last day is on or before it).
    pub fn complete(self, index: i32, as_of: i32) -> bool {
        self.last_day(index) <= as_of
    }

    /// A note for a partial last period, when it is one.
    pub fn partial_note(self, index: i32, as_of: i32) -> Option<String> {
        (!self.complete(index, as_of)).then(|| {
            format!(
                "the last {} {} is partial: the data ends {} ({} of its {} days)",
                self.name(),
                self.label(index),
                iso_date(as_of),
                as_of - self.first_day(index) + 1,
                self.last_day(index) - self.first_day(index) + 1
            )
        })
    }
}

/// The first period the data covers whole, the first one any comparison may use: with
/// `--since`, the period starting on it or else the next one (a period cut by the window's start
/// is never compared with a whole one); without, the period of the first day of data (before it
/// there was nothing, not a smaller business).
pub fn first_whole(period: Period, since: Option<i32>, first_day: i32) -> i32 {
    match since {
        Some(s) => period.index(s) + i32::from(period.first_day(period.index(s)) < s),
        None => period.index(first_day),
    }
}

/// [`first_whole`] of a stage, whose first day of any line stands for the data's start (its
/// as-of date when it has no customers).
pub fn first_whole_of(seam: &super::seam::Seam, period: Period) -> PolarsResult<i32> {
    Ok(first_whole(period, seam.window.since, seam.first_day()?))
}

/// Whether `day` is the last day of its month.
pub fn is_month_end(day: i32) -> bool {
    date(day).succ_opt().is_none_or(|n| n.day() == 1)
}

/// The day of the month of `day` (1-31).
pub fn day_of_month(day: i32) -> u32 {
    date(day).day()
}

/// The day `k` months before `as_of`, where the last `k` months (that day, `as_of`] begin: as of
/// a month's last day, the last day of the month `k` months before (so the months are calendar
/// months whatever their length: 2025-11-30 back one is 2025-10-31); else the same day of the
/// month, or that month's last day when it is shorter (2024-03-15 back one is 2024-02-15).
/// Every "last 12 months" and every rolling month of the analyses is counted from here.
pub fn months_before(as_of: i32, k: u32) -> i32 {
    let d = date(as_of);
    let month_end = is_month_end(as_of);
    let back = d
        .checked_sub_months(chrono::Months::new(k))
        .unwrap_or(NaiveDate::MIN);
    if !month_end {
        return day(back);
    }
    let first = back.with_day(1).unwrap_or(back);
    let last = first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|n| n.pred_opt())
        .unwrap_or(back);
    day(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> i32 {
        day(NaiveDate::from_ymd_opt(y, m, dd).unwrap())
    }

    #[test]
    fn the_indexer_gives_the_calendar_index_of_every_day() {
        let days = Int32Chunked::from_slice("day".into(), &[d(2023, 12, 31), d(2025, 3, 1)]);
        for period in [Period::Month, Period::Quarter, Period::Year] {
            let ix = Indexer::new(period, &days);
            for day in d(2023, 12, 1)..d(2025, 4, 1) {
                assert_eq!(
                    ix.of(day),
                    period.index(day),
                    "{period:?} {}",
                    iso_date(day)
                );
            }
        }
        // Days centuries apart are computed, not tabled.
        let far = Int32Chunked::from_slice("day".into(), &[d(1, 1, 1), d(9999, 12, 31)]);
        let ix = Indexer::new(Period::Quarter, &far);
        assert!(ix.table.is_empty());
        assert_eq!(ix.of(d(2024, 5, 2)), Period::Quarter.index(d(2024, 5, 2)));
    }

    #[test]
    fn indices_labels_and_bounds() {
        let p = Period::Quarter;
        let i = p.index(d(2024, 5, 17));
        assert_eq!(p.label(i), "2024-Q2");
        assert_eq!(p.first_day(i), d(2024, 4, 1));
        assert_eq!(p.last_day(i), d(2024, 6, 30));
        assert_eq!(p.label(i + 3), "2025-Q1");
        assert_eq!(
            Period::Month.label(Period::Month.index(d(2023, 12, 31)) + 1),
            "2024-01"
        );
        assert_eq!(
            Period::Year.label(Period::Year.index(d(2024, 2, 29))),
            "2024"
        );
        assert_eq!(
            Period::Month.last_day(Period::Month.index(d(2024, 2, 3))),
            d(2024, 2, 29)
        );
    }

    #[test]
    fn labels_parse_back() {
        for p in [Period::Month, Period::Quarter, Period::Year] {
            let i = p.index(d(2025, 11, 3));
            assert_eq!(p.parse(&p.label(i)), Ok(i));
        }
        assert!(Period::Month.parse("2024-13").is_err());
        assert!(Period::Quarter.parse("2024-03").is_err());
        assert!(Period::Year.parse("x").is_err());
    }

    #[test]
    fn months_back_are_calendar_months_from_a_month_end() {
        assert_eq!(months_before(d(2025, 11, 30), 1), d(2025, 10, 31));
        assert_eq!(months_before(d(2025, 2, 28), 1), d(2025, 1, 31));
        assert_eq!(months_before(d(2024, 2, 29), 12), d(2023, 2, 28));
        assert_eq!(months_before(d(2025, 2, 28), 12), d(2024, 2, 29));
        assert_eq!(months_before(d(2024, 3, 15), 1), d(2024, 2, 15));
        assert_eq!(months_before(d(2024, 3, 30), 1), d(2024, 2, 29));
        assert_eq!(months_before(d(2024, 6, 10), 12), d(2023, 6, 10));
        assert_eq!(months_before(d(2024, 6, 10), 0), d(2024, 6, 10));
    }

    #[test]
    fn completeness_is_the_last_day() {
        let m = Period::Month;
        let i = m.index(d(2024, 3, 1));
        assert!(m.complete(i, d(2024, 3, 31)));
        assert!(!m.complete(i, d(2024, 3, 30)));
        assert!(m
            .partial_note(i, d(2024, 3, 30))
            .unwrap()
            .contains("30 of its 31 days"));
    }

    #[test]
    fn the_polars_index_matches() {
        let days = [
            d(2023, 12, 31),
            d(2024, 1, 1),
            d(2024, 6, 30),
            d(2024, 7, 1),
        ];
        let s = Series::new("d".into(), days.to_vec())
            .cast(&DataType::Date)
            .unwrap();
        let df = DataFrame::new(4, vec![s.into()]).unwrap();
        for p in [Period::Month, Period::Quarter, Period::Year] {
            let got = df
                .clone()
                .lazy()
                .select([p.index_expr(col("d")).alias("i")])
                .collect()
                .unwrap();
            let got: Vec<i32> = got
                .column("i")
                .unwrap()
                .i32()
                .unwrap()
                .into_no_null_iter()
                .collect();
            let want: Vec<i32> = days.iter().map(|&x| p.index(x)).collect();
            assert_eq!(got, want);
        }
    }
}
