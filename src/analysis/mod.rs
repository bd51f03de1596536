//! Pure analyses over the canonical transactions frame: no I/O, no printing, no clock. Each takes a
//! frame and a params struct and returns result frames or plain structs.

pub mod churn;
pub mod classify;
pub mod clv;
pub mod clv_model;
pub mod customers;
pub mod growth;
pub mod holdout;
pub mod ids;
pub mod migrate;
pub mod outliers;
pub mod pareto;
pub mod periods;
pub mod profile;
pub mod rank_sort;
pub mod retention;
pub mod rfm;
pub mod seam;
pub mod segments;
pub mod stage;
pub mod standing;
#[cfg(test)]
mod testing;

use crate::input::col;
pub use outliers::outlying_end;
use polars::prelude::*;

/// Keeps the transactions dated within `[since, as_of]` (days since the epoch, both inclusive;
/// either bound may be open).
pub fn window(tx: LazyFrame, since: Option<i32>, as_of: Option<i32>) -> LazyFrame {
    let date = col(col::DATE).cast(DataType::Int32);
    let keep = match (since, as_of) {
        (None, None) => return tx,
        (Some(s), None) => date.gt_eq(lit(s)),
        (None, Some(a)) => date.lt_eq(lit(a)),
        (Some(s), Some(a)) => date.clone().gt_eq(lit(s)).and(date.lt_eq(lit(a))),
    };
    tx.filter(keep)
}
