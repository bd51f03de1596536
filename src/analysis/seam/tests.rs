//! The stage table against plain computations over the same lines: values per period, rolling
//! months, gaps and the CLV calibration.

use super::*;
use crate::analysis::clv::{self, Unit};
use crate::analysis::profile::monthly_cents;
use crate::analysis::testing::{seam, tx};
use crate::input::epoch_days;
use chrono::NaiveDate;

fn d(s: &str) -> i32 {
    epoch_days(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
}

/// A spread of lines over three years: a few customers, returns, same-day lines.
fn lines() -> Vec<(&'static str, i32, i64)> {
    let ids = ["a", "b", "c", "d"];
    let start = d("2022-01-01");
    (0..400)
        .map(|i: i32| {
            let id = ids[(i * 7 % 4) as usize];
            let day = start + (i * 37 + i * i) % 1100;
            let cents = if i % 9 == 0 {
                -300
            } else {
                100 + (i as i64 * 13) % 900
            };
            (id, day, cents)
        })
        .collect()
}

#[test]
fn values_per_period_in_any_order_of_days() {
    let rows = [
        ("b", d("2024-02-03"), 5),
        ("a", d("2024-01-31"), 7),
        ("b", d("2024-02-01"), 11),
        ("a", d("2024-01-02"), 13),
        ("a", d("2024-03-01"), 17),
    ];
    let per = seam(&rows, d("2024-03-15"))
        .customer_periods(Period::Month)
        .unwrap();
    let ids: Vec<&str> = per
        .column(col::CUSTOMER)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    let cents: Vec<i64> = per
        .column("cents")
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    let at: Vec<String> = per
        .column("period")
        .unwrap()
        .i32()
        .unwrap()
        .into_no_null_iter()
        .map(|i| Period::Month.label(i))
        .collect();
    assert_eq!(ids, ["a", "a", "b"]);
    assert_eq!(at, ["2024-01", "2024-03", "2024-02"]);
    assert_eq!(cents, [20, 17, 16]);
}

use crate::analysis::periods::Period;

#[test]
fn calendar_periods_are_whole_segments() {
    let rows = lines();
    for as_of in [
        d("2024-12-31"),
        d("2024-12-15"),
        d("2025-01-30"),
        d("2024-03-29"),
    ] {
        let s = seam(&rows, as_of);
        for period in [Period::Month, Period::Quarter, Period::Year] {
            let per = s.customer_periods(period).unwrap();
            let got: std::collections::BTreeMap<(String, i32), i64> = per
                .column(col::CUSTOMER)
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .zip(per.column("period").unwrap().i32().unwrap().iter())
                .zip(per.column("cents").unwrap().i64().unwrap().iter())
                .map(|((id, p), c)| ((id.unwrap().to_string(), p.unwrap()), c.unwrap()))
                .collect();
            let mut want = std::collections::BTreeMap::new();
            for &(id, day, c) in rows.iter().filter(|r| r.1 <= as_of) {
                *want.entry((id.to_string(), period.index(day))).or_insert(0) += c;
            }
            assert_eq!(
                got,
                want,
                "{period:?} as of {}",
                crate::input::iso_date(as_of)
            );
        }
    }
}

#[test]
fn rolling_months_are_whole_segments() {
    let rows = lines();
    for as_of in [
        d("2024-12-31"),
        d("2024-12-15"),
        d("2025-01-30"),
        d("2024-03-31"),
        d("2024-02-29"),
        d("2024-05-31"),
    ] {
        let s = seam(&rows, as_of);
        let rolling = Rolling::new(&s).unwrap();
        let ids: Vec<String> = s
            .customers
            .column(col::CUSTOMER)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap().to_string())
            .collect();
        for (i, id) in ids.iter().enumerate() {
            let mine: Vec<_> = rows.iter().filter(|r| r.0 == id && r.1 <= as_of).collect();
            let dates: Vec<i32> = mine.iter().map(|r| r.1).collect();
            let cents: Vec<i64> = mine.iter().map(|r| r.2).collect();
            let want = monthly_cents(&dates, &cents, as_of, 24);
            let got: Vec<i64> = (0..24)
                .map(|k| rolling.sum(i, rolling.bounds(k + 1, k)))
                .collect();
            assert_eq!(got, want, "{id} as of {}", crate::input::iso_date(as_of));
        }
    }
}

#[test]
fn a_month_end_as_of_date_keeps_whole_months() {
    let as_of = d("2024-04-30");
    assert_eq!(half(d("2024-03-31"), as_of), 0);
    assert_eq!(half(d("2024-01-31"), d("2024-04-15")), 1);
    assert_eq!(half(d("2024-01-15"), d("2024-04-15")), 0);
    assert_eq!(
        segment_of(d("2024-01-16"), d("2024-04-15")),
        2 * (2024 * 12) + 1
    );
}

#[test]
fn gaps_and_the_year_to_the_last_purchase() {
    let rows = [
        ("a", d("2024-01-01"), 100),
        ("a", d("2024-01-11"), 100),
        ("a", d("2024-01-31"), 100),
        ("a", d("2024-02-01"), -50),
        ("a", d("2024-03-01"), 100),
        ("b", d("2023-01-01"), 200),
        ("c", d("2024-02-01"), -10),
    ];
    let s = seam(&rows, d("2024-06-30"));
    let c = &s.customers;
    let gaps: Vec<Option<f64>> = c
        .column(MEDIAN_GAP)
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .collect();
    // a: purchase days 1, 11, 31 January and 1 March: gaps 10, 20, 30.
    assert_eq!(gaps, [Some(20.0), None, None]);
    let year: Vec<Option<i64>> = c
        .column(ACTIVE_YEAR)
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(year, [Some(350), Some(200), None]);
    let low: Vec<Option<i64>> = c.column(SMALLEST).unwrap().i64().unwrap().iter().collect();
    assert_eq!(low, [Some(-50), Some(200), Some(-10)]);
    assert_eq!(s.customer_days().unwrap(), 7);
    assert_eq!(s.first_day().unwrap(), d("2023-01-01"));
}

#[test]
fn the_calibration_is_what_the_customer_days_give() {
    let rows = lines();
    let as_of = d("2024-12-31");
    let s = seam(&rows, as_of);
    let rows: Vec<_> = rows.into_iter().filter(|r| r.1 <= as_of).collect();
    let staged = crate::analysis::stage::run(
        tx(&rows).lazy(),
        crate::analysis::stage::Want {
            grouped: false,
            days: true,
            quantities: false,
        },
    )
    .unwrap();
    let days = staged.days.unwrap();
    for unit in [Unit::Day, Unit::Week] {
        let want = clv::summarize(&days, s.window.holdout - 1, Some(as_of), unit).unwrap();
        let got = clv::summarize_holdout(&s, unit).unwrap();
        assert_eq!(got, want);
        assert!(got.iter().any(|g| !g.holdout_days.is_empty()));
    }
}

#[test]
fn a_subset_of_customers_keeps_their_rows() {
    let s = seam(&lines(), d("2024-12-31"));
    let one = s.of(&["b".to_string(), "zz".to_string()]).unwrap();
    assert_eq!(one.customers.height(), 1);
    let ids = one.segments.column(col::CUSTOMER).unwrap().str().unwrap();
    assert!(ids.iter().all(|id| id == Some("b")));
    assert!(one.segments.height() > 1);
}

/// Whether two frames hold the same columns (in any order) with the same values.
fn same_frame(a: &DataFrame, b: &DataFrame) {
    let mut names: Vec<_> = a.get_column_names_owned();
    let mut theirs: Vec<_> = b.get_column_names_owned();
    names.sort();
    theirs.sort();
    assert_eq!(names, theirs);
    for n in &names {
        let (x, y) = (a.column(n).unwrap(), b.column(n).unwrap());
        assert_eq!(x.dtype(), y.dtype(), "{n}");
        assert!(
            x.as_materialized_series()
                .equals_missing(y.as_materialized_series()),
            "{n}"
        );
    }
}

/// Two stages hold the same window and rows.
fn same_seam(a: &Seam, b: &Seam) {
    assert_eq!(a.window, b.window);
    same_frame(&a.customers, &b.customers);
    same_frame(&a.segments, &b.segments);
}

#[test]
fn the_table_round_trips_in_any_row_order() {
    let s = seam(&lines(), d("2024-12-31"));
    let table = to_table(&s).unwrap();
    assert_eq!(table.height(), s.customers.height() + s.segments.height());
    same_seam(&from_table(table.clone()).unwrap(), &s);
    // Spark writes parts in any order: the rows reversed read the same.
    let back: Vec<IdxSize> = (0..table.height() as IdxSize).rev().collect();
    let reversed = table.take(&IdxCa::from_vec("i".into(), back)).unwrap();
    same_seam(&from_table(reversed).unwrap(), &s);
}

#[test]
fn a_table_of_another_shape_or_version_is_refused() {
    let s = seam(&lines(), d("2024-12-31"));
    let table = to_table(&s).unwrap();
    let err = |t: DataFrame| from_table(t).expect_err("refused");
    let mut old = table.clone();
    old.with_column(Column::new_scalar(
        META_VERSION.into(),
        Scalar::from(0i32),
        table.height(),
    ))
    .unwrap();
    assert!(err(old).contains("version 0"), "version");
    assert!(err(table.drop(MEDIAN_GAP).unwrap()).contains("no column `median_gap`"));
    let mut text = table.clone();
    text.with_column(
        table
            .column(NET_NAME)
            .unwrap()
            .cast(&DataType::String)
            .unwrap(),
    )
    .unwrap();
    assert!(
        err(text).contains("column `net_cents` has type str"),
        "type"
    );
    let mut mixed = table.clone();
    let days: Vec<i32> = (0..table.height() as i32)
        .map(|i| d("2024-12-31") - i % 2)
        .collect();
    mixed
        .with_column(
            Column::new(META_AS_OF.into(), days)
                .cast(&DataType::Date)
                .unwrap(),
        )
        .unwrap();
    assert!(err(mixed).contains("mixes stages"), "windows");
    let first = table.slice(0, 1);
    let mut twice = table.clone();
    twice.vstack_mut(&first).unwrap();
    assert!(err(twice).contains("two customer rows"), "twice");
}

const NET_NAME: &str = crate::analysis::customers::NET;
