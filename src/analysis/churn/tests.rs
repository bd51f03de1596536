//! Churn status unit tests: one hand-checkable customer per status and per signal.

use super::*;
use crate::analysis::testing::seam;
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> i32 {
    (NaiveDate::from_ymd_opt(y, m, day).unwrap() - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap())
        .num_days() as i32
}

/// Purchases of 100 every `gap` days from `from` to `to`.
fn every(id: &'static str, from: i32, to: i32, gap: i32) -> Vec<(&'static str, i32, i64)> {
    (0..)
        .map(|k| from + k * gap)
        .take_while(|&x| x <= to)
        .map(|x| (id, x, 100))
        .collect()
}

fn status_of(rows: &[Row], id: &str) -> (Status, String) {
    let r = rows.iter().find(|r| r.customer == id).unwrap();
    (r.status, r.reasons.join("; "))
}

#[test]
fn every_status_from_the_gap_rule() {
    let as_of = d(2024, 6, 30);
    let start = d(2024, 1, 1);
    let mut rows = Vec::new();
    rows.extend(every("active", start, d(2024, 6, 25), 10));
    rows.extend(every("at_risk", start, d(2024, 6, 5), 10));
    rows.extend(every("lapsed", start, d(2024, 5, 20), 10));
    rows.extend(every("lost", start, d(2024, 3, 1), 10));
    rows.push(("one_time", d(2024, 6, 1), 500));
    rows.push(("returns_only", d(2024, 6, 1), -500));
    let out = standing(&seam(&rows, as_of), &Params::default(), None, i32::MIN).unwrap();
    assert_eq!(status_of(&out, "active").0, Status::Active);
    let (s, why) = status_of(&out, "at_risk");
    assert_eq!(s, Status::AtRisk);
    assert!(
        why.contains("no purchase for 31 days, 3.1× the usual 10-day gap"),
        "{why}"
    );
    assert_eq!(status_of(&out, "lapsed").0, Status::Lapsed);
    assert_eq!(status_of(&out, "lost").0, Status::Lost);
    // One-time buyers get the repeat buyers' median gap (10 days): 29 days is 2.9×.
    let (s, why) = status_of(&out, "one_time");
    assert_eq!(s, Status::AtRisk);
    assert!(why.contains("one-time buyers"), "{why}");
    assert_eq!(
        status_of(&out, "returns_only"),
        (Status::Lost, "no purchase in the window".into())
    );
    let fixed = Params {
        one_time_gap: Some(30.0),
        ..Params::default()
    };
    let out = standing(&seam(&rows, as_of), &fixed, None, i32::MIN).unwrap();
    assert_eq!(status_of(&out, "one_time").0, Status::Active);
}

#[test]
fn a_fall_in_value_and_a_low_p_alive_raise_the_status() {
    let as_of = d(2024, 6, 30);
    let mut rows = Vec::new();
    // Buys every 5 days all along, but June's purchases are small.
    for x in every("falling", d(2023, 6, 1), as_of, 5) {
        let small = x.1 >= d(2024, 6, 1);
        rows.push((x.0, x.1, if small { 10 } else { 100 }));
    }
    rows.extend(every("steady", d(2023, 6, 1), as_of, 5));
    let mut p_alive = PlHashMap::default();
    p_alive.insert("steady".to_string(), 0.1);
    let out = standing(
        &seam(&rows, as_of),
        &Params::default(),
        Some(&p_alive),
        i32::MIN,
    )
    .unwrap();
    let (s, why) = status_of(&out, "falling");
    assert_eq!(s, Status::AtRisk);
    assert!(
        why.contains("value 0.60 in 2024-06 against 7.00 in 2024-05 and 6.00 in 2023-06"),
        "{why}"
    );
    let (s, why) = status_of(&out, "steady");
    assert_eq!(s, Status::Lapsed);
    assert_eq!(why, "P(alive) 0.10");
    // With the data covering only June whole (--since 2024-05-20), May and June 2023 are
    // unknown: nothing to fall from.
    let june = Period::Month.index(d(2024, 6, 1));
    let out = standing(&seam(&rows, as_of), &Params::default(), None, june).unwrap();
    assert_eq!(status_of(&out, "falling").0, Status::Active);
    let r = out.iter().find(|r| r.customer == "falling").unwrap();
    assert_eq!((r.value_previous, r.value_year_before), (None, None));
}

#[test]
fn a_partial_period_is_never_compared_with_a_full_one() {
    // As of 15 June: June is partial, so May is compared with April and May a year before.
    let as_of = d(2024, 6, 15);
    assert_eq!(
        Period::Month.label(current_period(Period::Month, as_of)),
        "2024-05"
    );
    let rows = every("x", d(2023, 1, 1), as_of, 5);
    let out = standing(&seam(&rows, as_of), &Params::default(), None, i32::MIN).unwrap();
    assert_eq!(
        Period::Month.label(current_period(Period::Month, as_of)),
        "2024-05"
    );
    assert!(out[0].value_now > 0);
    let frame = frame(&out).unwrap();
    assert_eq!(frame.height(), 1);
    assert_eq!(
        frame.column("status").unwrap().str().unwrap().get(0),
        Some("active")
    );
}
