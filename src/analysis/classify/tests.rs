//! Unit tests of the ABC and pyramid rules on frames of a few rows.

use super::*;
use crate::analysis::testing::{stage, tx};

/// Classifies transactions through the per-customer stage.
fn classify(tx: &DataFrame, p: &Params) -> PolarsResult<DataFrame> {
    super::classify(&stage(tx, p.grouped), p)
}
use crate::input::col;

fn params() -> Params {
    Params {
        by: Basis::Revenue,
        abc: (80.0, 95.0),
        tiers: vec![
            Tier {
                name: "Top".into(),
                pct: 25.0,
            },
            Tier {
                name: "Rest".into(),
                pct: 75.0,
            },
        ],
        grouped: false,
    }
}

fn strs(df: &DataFrame, name: &str) -> Vec<String> {
    df.column(name)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.unwrap().to_string())
        .collect()
}

#[test]
fn a_is_the_smallest_top_group_reaching_the_cut_off() {
    let out = classify(
        &tx(&[
            ("a", 0, 5000),
            ("b", 0, 3000),
            ("c", 0, 1500),
            ("d", 0, 500),
        ]),
        &params(),
    )
    .unwrap();
    assert_eq!(strs(&out, "customer"), ["a", "b", "c", "d"]);
    // cumulative share before each: 0, 0.5, 0.8, 0.95: the cut-offs themselves fall to the next class
    assert_eq!(strs(&out, "abc"), ["A", "A", "B", "C"]);
    let cum: Vec<f64> = out
        .column("cum_share")
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(cum, [0.5, 0.8, 0.95, 1.0]);
    let value: Vec<f64> = out
        .column("value")
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(value, [50.0, 30.0, 15.0, 5.0]);
}

#[test]
fn ties_break_by_numeric_customer_id() {
    let out = classify(
        &tx(&[("10", 0, 100), ("9", 0, 100), ("2", 0, 100), ("1", 0, 50)]),
        &params(),
    )
    .unwrap();
    assert_eq!(strs(&out, "customer"), ["2", "9", "10", "1"]);
    let ranks: Vec<i64> = out
        .column("rank")
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(ranks, [1, 2, 3, 4]);
}

#[test]
fn text_ids_break_ties_alphabetically() {
    let out = classify(
        &tx(&[("b", 0, 100), ("a10", 0, 100), ("a9", 0, 100)]),
        &params(),
    )
    .unwrap();
    assert_eq!(strs(&out, "customer"), ["a10", "a9", "b"]);
}

#[test]
fn one_customer_is_a_and_top() {
    let out = classify(&tx(&[("x", 0, 700), ("x", 3, -200)]), &params()).unwrap();
    assert_eq!(strs(&out, "abc"), ["A"]);
    assert_eq!(strs(&out, "tier"), ["Top"]);
    assert_eq!(
        out.column("value").unwrap().f64().unwrap().get(0),
        Some(5.0)
    );
}

#[test]
fn equal_values_fill_a_up_to_the_cut_off() {
    let out = classify(
        &tx(&[
            ("a", 0, 1),
            ("b", 0, 1),
            ("c", 0, 1),
            ("d", 0, 1),
            ("e", 0, 1),
        ]),
        &params(),
    )
    .unwrap();
    // before: 0, .2, .4, .6, .8 of the total
    assert_eq!(strs(&out, "abc"), ["A", "A", "A", "A", "B"]);
    // pyramid: (rank-1)·100 < 25·5 for ranks 1 and 2
    assert_eq!(strs(&out, "tier"), ["Top", "Top", "Rest", "Rest", "Rest"]);
}

#[test]
fn customers_without_value_are_not_ranked() {
    // b nets to nothing, c is below zero: both follow the ranked customers, unranked.
    let out = classify(
        &tx(&[
            ("a", 0, 100),
            ("d", 0, 300),
            ("b", 0, 50),
            ("b", 1, -50),
            ("c", 0, -20),
        ]),
        &params(),
    )
    .unwrap();
    assert_eq!(strs(&out, "customer"), ["d", "a", "b", "c"]);
    assert_eq!(strs(&out, "abc"), ["A", "A", "none", "none"]);
    let share: Vec<Option<f64>> = out.column("share").unwrap().f64().unwrap().iter().collect();
    assert_eq!(share, [Some(0.75), Some(0.25), None, None]);
    let cum: Vec<Option<f64>> = out
        .column("cum_share")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(cum[1], Some(1.0), "shares of the positive total end at 1");
    let rank: Vec<Option<i64>> = out.column("rank").unwrap().i64().unwrap().iter().collect();
    assert_eq!(rank, [Some(1), Some(2), None, None]);
    let e = classify(&tx(&[("a", 0, -5)]), &params()).unwrap_err();
    assert!(
        e.to_string().contains("no customer has a value above 0"),
        "{e}"
    );
}

#[test]
fn orders_count_positive_purchase_days_only() {
    let out = classify(
        &tx(&[
            ("a", 0, 100),
            ("a", 0, 50),
            ("a", 1, 100),
            ("a", 2, -30),
            ("b", 5, 10),
        ]),
        &params(),
    )
    .unwrap();
    let orders: Vec<i64> = out
        .column("purchases")
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(orders, [2, 1], "day 2 is a return, not a purchase");
    let last = out
        .column("last_purchase")
        .unwrap()
        .cast(&DataType::Int32)
        .unwrap();
    assert_eq!(
        last.i32().unwrap().get(0),
        Some(1),
        "the last purchase is not the return"
    );
    let mut p = params();
    p.by = Basis::Purchases;
    let by_orders = classify(&tx(&[("a", 0, 100), ("a", 1, 100), ("b", 5, 900)]), &p).unwrap();
    assert_eq!(strs(&by_orders, "customer"), ["a", "b"]);
}

#[test]
fn groups_rank_separately() {
    let mut df = tx(&[("a", 0, 100), ("b", 0, 50), ("a", 0, 10), ("c", 0, 90)]);
    df.with_column(Column::new(col::GROUP.into(), ["N", "N", "S", "S"]))
        .unwrap();
    let mut p = params();
    p.grouped = true;
    let out = classify(&df, &p).unwrap();
    assert_eq!(strs(&out, "customer"), ["a", "b", "c", "a"]);
    let ranks: Vec<i64> = out
        .column("rank")
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(ranks, [1, 2, 1, 2]);
}

#[test]
fn default_pyramid_sizes_on_a_hundred_customers() {
    let rows: Vec<(String, i32, i64)> = (0..100)
        .map(|i| (format!("c{i:03}"), 0, 1000 - i as i64))
        .collect();
    let refs: Vec<(&str, i32, i64)> = rows.iter().map(|(c, d, a)| (c.as_str(), *d, *a)).collect();
    let mut p = params();
    p.tiers = [
        ("VIP", 1.0),
        ("Major", 4.0),
        ("Ordinary", 15.0),
        ("Small", 80.0),
    ]
    .iter()
    .map(|(n, pct)| Tier {
        name: n.to_string(),
        pct: *pct,
    })
    .collect();
    let out = classify(&tx(&refs), &p).unwrap();
    let tiers = strs(&out, "tier");
    let count = |t: &str| tiers.iter().filter(|x| *x == t).count();
    assert_eq!(
        [
            count("VIP"),
            count("Major"),
            count("Ordinary"),
            count("Small")
        ],
        [1, 4, 15, 80]
    );
}

#[test]
fn profit_needs_a_cost_column() {
    let mut p = params();
    p.by = Basis::Profit;
    let err = classify(&tx(&[("a", 0, 100)]), &p).unwrap_err();
    assert!(err.to_string().contains("--cost"), "{err}");
}

#[test]
fn summary_counts_the_80_percent_group() {
    let out = classify(
        &tx(&[
            ("a", 0, 5000),
            ("b", 0, 3000),
            ("c", 0, 1500),
            ("d", 0, 500),
        ]),
        &params(),
    )
    .unwrap();
    let s = &crate::analysis::pareto::summarize(&out, &params()).unwrap()[0];
    assert_eq!((s.customers, s.customers_for_80pct), (4, 2));
    assert_eq!(
        s.abc.iter().map(|c| c.customers).collect::<Vec<_>>(),
        [2, 1, 1]
    );
    assert_eq!(s.total_value, 100.0);
    // Lorenz at 80% of customers = the bottom 3.2 customers = 5+15+30+0.2·50 = 60% → top 20% hold 40%
    assert!((s.top_20pct_value_share - 0.4).abs() < 1e-9);
}
