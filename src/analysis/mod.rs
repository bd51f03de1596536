//! Pure analyses over the canonical transactions frame: no I/O, no printing, no clock. Each takes a
//! frame and a params struct and returns result frames or plain structs.

pub mod classify;
pub mod clv;
pub mod holdout;
pub mod pareto;
pub mod profile;
pub mod rfm;
pub mod segments;
#[cfg(test)]
mod testing;

use crate::input::col;
use polars::prelude::*;

/// Keeps the transactions dated within `[since, as_of]` (days since the epoch, both inclusive).
pub fn window(tx: LazyFrame, since: Option<i32>, as_of: i32) -> LazyFrame {
    let date = col(col::DATE).cast(DataType::Int32);
    let mut keep = date.clone().lt_eq(lit(as_of));
    if let Some(s) = since {
        keep = keep.and(date.gt_eq(lit(s)));
    }
    tx.filter(keep)
}

/// The last transaction date (days since the epoch): the default as-of date.
pub fn last_date(tx: &DataFrame) -> PolarsResult<i32> {
    let days = tx.column(col::DATE)?.cast(&DataType::Int32)?;
    days.i32()?
        .max()
        .ok_or_else(|| polars_err!(ComputeError: "no transactions"))
}

/// Whether the frame has a canonical optional column.
pub fn has(tx: &DataFrame, name: &str) -> bool {
    tx.schema().contains(name)
}
