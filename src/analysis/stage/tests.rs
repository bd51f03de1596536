//! The stage engine against the plain polars plan of the same tables, on random small
//! transaction sets in date order and shuffled (days out of order, customers interleaved, the
//! same day in pieces far apart), grouped and not.

use super::{run, Want};
use crate::analysis::customers::{self, plan, COST, DAY, DAY_CENTS, DAY_SMALLEST, NET};
use crate::input::col;
use polars::prelude::*;
use proptest::prelude::*;

/// One line: customer, group, day, cents, cost, quantity.
type Line = (u8, u8, i32, i64, i64, f64);

fn frame(lines: &[Line]) -> DataFrame {
    let date = Column::new(
        col::DATE.into(),
        lines.iter().map(|l| l.2).collect::<Vec<_>>(),
    )
    .cast(&DataType::Date)
    .unwrap();
    let mut df = df!(
        col::CUSTOMER => lines.iter().map(|l| format!("c{}", l.0)).collect::<Vec<_>>(),
        col::GROUP => lines.iter().map(|l| (l.1 > 0).then(|| format!("g{}", l.1))).collect::<Vec<_>>(),
        col::AMOUNT => lines.iter().map(|l| l.3).collect::<Vec<_>>(),
        col::COST => lines.iter().map(|l| l.4).collect::<Vec<_>>(),
        col::QUANTITY => lines.iter().map(|l| l.5).collect::<Vec<_>>(),
    )
    .unwrap();
    df.with_column(date).unwrap();
    df
}

/// A frame sorted by its key columns, with the columns both sides have, in one order.
fn canonical(df: DataFrame, keys: &[&str], columns: &[&str]) -> DataFrame {
    df.select(columns.iter().copied())
        .unwrap()
        .sort(keys.to_vec(), SortMultipleOptions::default())
        .unwrap()
}

const PER_CUSTOMER: [&str; 7] = [
    col::CUSTOMER,
    NET,
    COST,
    customers::QUANTITY,
    customers::PURCHASES,
    "first_purchase",
    "last_purchase",
];

fn check(lines: &[Line], grouped: bool) {
    let tx = frame(lines);
    let got = run(
        tx.clone().lazy(),
        Want {
            grouped,
            days: !grouped,
            quantities: true,
        },
    )
    .unwrap();
    let want = customers::run(plan(tx.clone().lazy(), grouped).unwrap()).unwrap();
    let mut cols: Vec<&str> = PER_CUSTOMER.to_vec();
    cols.push(customers::LAST_LINE);
    let mut keys = vec![col::CUSTOMER];
    if grouped {
        cols.insert(0, col::GROUP);
        keys.insert(0, col::GROUP);
    }
    let a = canonical(got.customers.clone(), &keys, &cols);
    let b = canonical(want, &keys, &cols);
    assert!(a.equals_missing(&b), "stage\n{a}\nplan\n{b}");
    if let Some(days) = got.days {
        // In customer-id then day order, whatever order the input came in.
        assert!(
            matches!(
                super::days_in_order(&days).unwrap(),
                std::borrow::Cow::Borrowed(_)
            ),
            "days out of order\n{days}"
        );
        let want = tx
            .lazy()
            .group_by([
                col(col::CUSTOMER),
                col(col::DATE).cast(DataType::Int32).alias(DAY),
            ])
            .agg([
                col(col::AMOUNT).sum().alias(DAY_CENTS),
                col(col::AMOUNT).min().alias(DAY_SMALLEST),
                col(col::COST).sum(),
            ])
            .collect()
            .unwrap();
        let cols = [col::CUSTOMER, DAY, DAY_CENTS, DAY_SMALLEST, COST];
        let a = canonical(days, &[col::CUSTOMER, DAY], &cols);
        let b = canonical(want, &[col::CUSTOMER, DAY], &cols);
        assert!(a.equals_missing(&b), "days\n{a}\nplan\n{b}");
    }
}

fn lines() -> impl Strategy<Value = Vec<Line>> {
    let line = (
        0u8..6,
        0u8..3,
        0i32..12,
        prop_oneof![Just(0i64), -900i64..1500],
        -300i64..300,
        prop_oneof![Just(0.0), -3.0f64..9.0],
    );
    proptest::collection::vec(line, 1..60)
}

proptest! {
    #[test]
    fn the_stage_equals_the_plain_plan_in_any_order(mut lines in lines(), grouped: bool) {
        check(&lines, grouped);
        lines.sort_by_key(|l| l.2);
        check(&lines, grouped);
        lines.sort_by_key(|l| (l.0, l.2));
        check(&lines, grouped);
    }
}

#[test]
fn shuffled_input_gives_the_in_order_result() {
    let ordered: Vec<Line> = vec![
        (1, 0, 3, 500, 10, 1.0),
        (2, 0, 3, -50, 0, 1.0),
        (1, 0, 3, -500, -10, -1.0),
        (1, 0, 4, 0, 0, 1.0),
        (2, 0, 5, 70, 7, 2.5),
        (1, 0, 5, 300, 30, 1.0),
        (3, 0, 6, 100, 1, 1.0),
    ];
    let mut shuffled = ordered.clone();
    shuffled.reverse();
    shuffled.swap(1, 4);
    let want = Want {
        quantities: true,
        ..Want::default()
    };
    let a = run(frame(&ordered).lazy(), want).unwrap();
    let b = run(frame(&shuffled).lazy(), want).unwrap();
    let a = canonical(a.customers, &[col::CUSTOMER], &PER_CUSTOMER);
    let b = canonical(b.customers, &[col::CUSTOMER], &PER_CUSTOMER);
    assert!(a.equals_missing(&b));
    check(&shuffled, false);
}
