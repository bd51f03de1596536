//! Unit tests of RFM binning (ties, inversion, custom thresholds) and scoring on tiny frames.

use super::*;
use crate::analysis::segments::SegmentMap;
use crate::analysis::testing::{stage, tx};

/// Scores transactions through the per-customer stage.
fn rfm(tx: &DataFrame, p: &Params) -> PolarsResult<Rfm> {
    super::rfm(&stage(tx, false), p)
}

#[test]
fn quantile_thresholds_are_data_values() {
    let v: Vec<f64> = (1..=10).map(f64::from).collect();
    assert_eq!(quantile_thresholds(&v, 5), [2.0, 4.0, 6.0, 8.0]);
    assert_eq!(quantile_thresholds(&[7.0], 5), [7.0, 7.0, 7.0, 7.0]);
}

#[test]
fn ties_get_equal_scores_and_bins_collapse() {
    // Half the customers bought once: they must all share one score.
    let v = [1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 5.0, 9.0];
    let t = quantile_thresholds(&v, 5);
    assert_eq!(t, [1.0, 1.0, 2.0, 3.0]);
    let s: Vec<u32> = v.iter().map(|&x| score(x, &t, 5, true)).collect();
    assert_eq!(s, [1, 1, 1, 1, 1, 3, 3, 4, 5, 5]);
    // score = 1 + floor(5 · share strictly below): 2 has 50% below → 3
}

#[test]
fn scores_are_monotone_and_balanced_without_ties() {
    let v: Vec<f64> = (0..100).map(|i| ((i * 37) % 100) as f64).collect();
    let t = quantile_thresholds(&v, 5);
    let mut counts = [0; 6];
    for &x in &v {
        counts[score(x, &t, 5, true) as usize] += 1;
    }
    assert_eq!(counts[1..], [20, 20, 20, 20, 20]);
    let mut sorted = v.clone();
    sorted.sort_by(f64::total_cmp);
    let s: Vec<u32> = sorted.iter().map(|&x| score(x, &t, 5, true)).collect();
    assert!(s.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn recency_is_inverted() {
    let t = [30.0, 90.0, 180.0, 365.0];
    assert_eq!(score(0.0, &t, 5, false), 5);
    assert_eq!(score(30.0, &t, 5, false), 5);
    assert_eq!(score(31.0, &t, 5, false), 4);
    assert_eq!(score(365.0, &t, 5, false), 2);
    assert_eq!(score(366.0, &t, 5, false), 1);
}

fn params(bins: u32) -> Params {
    Params {
        as_of: 100,
        bins,
        custom: [None, None, None],
        monetary: Monetary::Total,
        map: SegmentMap::default_map(),
    }
}

#[test]
fn measures_follow_the_purchase_rules() {
    // a: purchases on days 10 and 90 (two lines on 90), a return on 95; b: one purchase; c: only a return.
    let t = tx(&[
        ("a", 10, 1000),
        ("a", 90, 500),
        ("a", 90, 500),
        ("a", 95, -300),
        ("b", 40, 250),
        ("c", 50, -100),
    ]);
    let out = rfm(&t, &params(5)).unwrap();
    assert_eq!(out.without_purchase, 1, "c has no purchase");
    let f = &out.frame;
    let cust: Vec<&str> = f
        .column("customer")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(cust, ["a", "b", "c"]);
    let rec: Vec<Option<i64>> = f
        .column("recency_days")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(
        rec,
        [Some(10), Some(60), None],
        "the return on day 95 is not the last purchase"
    );
    let freq: Vec<i64> = f
        .column("frequency")
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(freq, [2, 1, 0]);
    let money: Vec<f64> = f
        .column("monetary")
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(money, [17.0, 2.5, -1.0]);
    let seg: Vec<&str> = f
        .column("segment")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(seg[2], NO_PURCHASE);
    assert_eq!(f.column("r").unwrap().null_count(), 1);
    let mut p = params(5);
    p.monetary = Monetary::Mean;
    let mean = rfm(&t, &p).unwrap();
    let money: Vec<f64> = mean
        .frame
        .column("monetary")
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(money, [8.5, 2.5, -1.0]);
}

#[test]
fn custom_thresholds_replace_quantiles() {
    let t = tx(&[("a", 99, 100), ("b", 50, 100), ("c", 1, 100)]);
    let mut p = params(5);
    p.custom[0] = Some(vec![7.0, 30.0, 60.0, 90.0]);
    let out = rfm(&t, &p).unwrap();
    let r: Vec<i32> = out
        .frame
        .column("r")
        .unwrap()
        .i32()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(r, [5, 3, 1]);
    assert_eq!(out.thresholds[0].source, "custom");
    assert!(!out.thresholds[0].collapsed(5));
    assert!(out.thresholds[1].collapsed(5), "every frequency is 1");
}

#[test]
fn every_customer_gets_a_segment_and_summary_adds_up() {
    let rows: Vec<(String, i32, i64)> = (0..40)
        .map(|i| (format!("c{i}"), i * 7 % 100, 100 + (i as i64 * 53) % 900))
        .collect();
    let refs: Vec<(&str, i32, i64)> = rows.iter().map(|(c, d, a)| (c.as_str(), *d, *a)).collect();
    let out = rfm(&tx(&refs), &params(5)).unwrap();
    assert_eq!(out.frame.column("segment").unwrap().null_count(), 0);
    let s = summary(&out.frame, &SegmentMap::default_map()).unwrap();
    assert_eq!(s.height(), 11);
    assert_eq!(
        s.column("customers").unwrap().i64().unwrap().sum(),
        Some(40)
    );
}
