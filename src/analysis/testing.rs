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

/// The stage table, as of `as_of` (with the report's holdout), of the `(customer, day, cents)`
/// lines up to `as_of`, through the stage engine.
pub fn seam(rows: &[(&str, i32, i64)], as_of: i32) -> crate::analysis::seam::Seam {
    use crate::analysis::seam;
    let want = crate::analysis::stage::Want {
        grouped: false,
        days: true,
        quantities: true,
    };
    let rows: Vec<_> = rows.iter().copied().filter(|r| r.1 <= as_of).collect();
    let staged = crate::analysis::stage::run(tx(&rows).lazy(), want).unwrap();
    let days = staged.days.unwrap();
    seam::from_days(staged.customers, &days, seam::Window::new(as_of, None)).unwrap()
}
