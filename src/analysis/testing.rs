//! Test helpers shared by the analyses' unit tests: canonical transaction frames of a few rows.

use crate::input::col;
use polars::prelude::*;

/// A canonical transactions frame from `(customer, day since the epoch, cents)` rows.
pub fn tx(rows: &[(&str, i32, i64)]) -> DataFrame {
    let days: Vec<i32> = rows.iter().map(|r| r.1).collect();
    let date = Column::new(col::DATE.into(), days)
        .cast(&DataType::Date)
        .unwrap();
    let mut df = df!(
        col::CUSTOMER => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        col::AMOUNT => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
    )
    .unwrap();
    df.with_column(date).unwrap();
    df
}

/// The per-customer stage of a transactions frame.
pub fn stage(tx: &DataFrame, grouped: bool) -> DataFrame {
    let want = crate::analysis::stage::Want {
        grouped,
        days: false,
        quantities: true,
    };
    crate::analysis::stage::run(tx.clone().lazy(), want)
        .unwrap()
        .customers
}
