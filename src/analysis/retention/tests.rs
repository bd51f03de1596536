//! Retention unit tests: churn rates, cohorts and declines on hand-checkable presences.

use super::*;

fn presence(rows: &[(&str, i32, i64)]) -> Presence {
    let mut p = Presence::new();
    for (c, i, v) in rows {
        p.entry(c.to_string()).or_default().insert(*i, *v);
    }
    p
}

/// Period index k of 2024 as months (2024-01 is k = 0).
fn m(k: i32) -> i32 {
    2024 * 12 + k
}

/// The last day of month k of 2024.
fn end(k: i32) -> i32 {
    Period::Month.last_day(m(k))
}

#[test]
fn rates_count_churned_new_and_returned() {
    // a: Jan, Feb, Apr (returns in Apr). b: Jan only. c: Feb, Mar. d: negative in Mar (not present).
    // No sales at all in May; as of the end of May.
    let p = presence(&[
        ("a", m(0), 100),
        ("a", m(1), 100),
        ("a", m(3), 50),
        ("b", m(0), 70),
        ("c", m(1), 10),
        ("c", m(2), 20),
        ("d", m(2), -5),
    ]);
    let r = rates(&p, Period::Month, end(4), i32::MIN);
    let row = |k: i32| r.iter().find(|x| x.period == m(k)).unwrap();
    assert_eq!(r.len(), 5);
    assert_eq!((row(0).active, row(0).churned, row(0).new), (2, Some(1), 2));
    assert_eq!(row(0).revenue_lost, Some(70));
    assert_eq!((row(1).active, row(1).churned, row(1).new), (2, Some(1), 1));
    assert_eq!((row(2).active, row(2).churned), (1, Some(1)));
    assert_eq!(
        (row(3).active, row(3).returned, row(3).churned),
        (1, 1, Some(1))
    );
    assert_eq!(
        (row(4).active, row(4).churned),
        (0, None),
        "the last period has no next"
    );
    assert!(row(4).complete);
    let f = rates_frame(&r, Period::Month).unwrap();
    assert_eq!(
        f.column("churn_rate").unwrap().f64().unwrap().get(0),
        Some(0.5)
    );
    assert_eq!(f.column("churn_rate").unwrap().f64().unwrap().get(4), None);
    // As of mid-May the last period is partial.
    let partial = rates(&p, Period::Month, end(4) - 10, i32::MIN);
    assert!(!partial.last().unwrap().complete);
    // ... so April's churn is unknown: May has not ended.
    let april = partial.iter().find(|x| x.period == m(3)).unwrap();
    assert_eq!((april.churned, april.revenue_lost), (None, None));
    assert!(unknown_note(&partial, Period::Month)
        .unwrap()
        .contains("2024-04"));
    // A first period cut by --since is not compared with the next.
    let cut = rates(&p, Period::Month, end(4), m(1));
    assert_eq!(cut[0].churned, None);
    assert_eq!(cut[1].churned, Some(1));
    assert!(unknown_note(&r, Period::Month).is_none());
}

#[test]
fn cohorts_share_and_value_retention() {
    let p = presence(&[
        ("a", m(0), 100),
        ("a", m(1), 50),
        ("b", m(0), 100),
        ("b", m(2), 200),
        ("c", m(1), 40),
    ]);
    let cells = cohorts(&p, Period::Month, end(2));
    let cell = |c: i32, k: i32| {
        cells
            .iter()
            .find(|x| x.cohort == m(c) && x.since == k)
            .unwrap()
    };
    assert_eq!(
        (cell(0, 0).size, cell(0, 0).present, cell(0, 0).value),
        (2, 2, 200)
    );
    assert_eq!((cell(0, 1).present, cell(0, 1).value), (1, 50));
    assert_eq!((cell(0, 2).present, cell(0, 2).value), (1, 200));
    assert_eq!((cell(1, 0).size, cell(1, 1).present), (1, 0));
    let long = cohorts_frame(&cells, Period::Month).unwrap();
    let share = long.column("share").unwrap().f64().unwrap();
    assert_eq!(share.get(1), Some(0.5));
    let retention = long.column("value_retention").unwrap().f64().unwrap();
    assert_eq!(retention.get(2), Some(1.0));
    let table = cohorts_table(&cells, Period::Month).unwrap();
    assert_eq!(table.height(), 2);
    assert_eq!(
        table.column("+1").unwrap().str().unwrap().get(0),
        Some("50.0%")
    );
}

#[test]
fn the_decline_before_leaving() {
    let mut v = BTreeMap::new();
    for (k, c) in [(0, 100), (1, 120), (2, 80), (3, 40), (4, 10)] {
        v.insert(m(k), c);
    }
    let d = decline(&v, m(4), 4);
    assert_eq!(d.periods.len(), 4);
    assert_eq!(d.decline_from, Some(m(2)));
    let mut flat = BTreeMap::new();
    flat.insert(m(0), 100);
    flat.insert(m(1), 100);
    assert_eq!(decline(&flat, m(1), 3).decline_from, None);
}
