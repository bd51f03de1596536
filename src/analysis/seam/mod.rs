//! The stage as it crosses engines: what `tier stage` writes, `--stage` reads and a Spark job
//! computes, and what every analysis after the stage takes. It grows with the customers (and
//! customers × half-months), never with the rows or the customer-days. One table, two kinds of
//! row, under the names below:
//!
//! - a **customer row** (`segment` null): the per-customer stage (`customers`' schema:
//!   `net_cents`, `cost_cents`, `quantity_milli`, `purchases`, `first_purchase`,
//!   `last_purchase`, `last_line`, `purchase_cents`, `first_purchase_cents`) and what the
//!   analyses of gaps and holdouts need of the days: `first_line`, `line_days`, `smallest`,
//!   `median_gap`, `active_year_cents`, and the CLV calibration before `holdout`
//!   (`calibration_purchases`, `calibration_last_purchase`, `calibration_purchase_cents`,
//!   `holdout_days`);
//! - a **segment row** (`segment` set): a customer's `net_cents` (and `cost_cents`) in one
//!   half-month. Segment `2 × month + half`, with `month` = year × 12 + month − 1, and `half` 1
//!   for the days after the as-of date's day of the month (never, as of a month's last day). So a
//!   calendar period is whole segments, and so is every rolling month ending at the as-of date
//!   (`periods::months_before`): the profile's months, "the last 12 months".
//!
//! Every row also holds the window it was made for: `stage_version`, `stage_as_of`,
//! `stage_since` (null without `--since`) and `stage_holdout` (the first day of the CLV holdout).

mod build;
mod table;
#[cfg(test)]
mod tests;
mod views;

pub use build::{from_days, median, median_gap};
pub use table::{from_table, to_table};
pub use views::Rolling;

use crate::input::col;
use polars::prelude::*;

/// The version of the stage table; a table of another version is refused.
pub const VERSION: i32 = 1;

pub const SEGMENT: &str = "segment";
pub const FIRST_LINE: &str = "first_line";
pub const LINE_DAYS: &str = "line_days";
pub const SMALLEST: &str = "smallest";
pub const MEDIAN_GAP: &str = "median_gap";
pub const ACTIVE_YEAR: &str = "active_year_cents";
pub const CAL_PURCHASES: &str = "calibration_purchases";
pub const CAL_LAST: &str = "calibration_last_purchase";
pub const CAL_CENTS: &str = "calibration_purchase_cents";
pub const HOLDOUT_DAYS: &str = "holdout_days";
pub const META_VERSION: &str = "stage_version";
pub const META_AS_OF: &str = "stage_as_of";
pub const META_SINCE: &str = "stage_since";
pub const META_HOLDOUT: &str = "stage_holdout";

/// The holdout of the report's CLV validation, in days: the last 13 weeks.
pub const VALIDATION_DAYS: i32 = 91;

/// The window a stage was made for (days since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub as_of: i32,
    pub since: Option<i32>,
    /// The first day of the CLV holdout: the calibration ends the day before.
    pub holdout: i32,
}

impl Window {
    /// The window with the report's holdout (the last `VALIDATION_DAYS`).
    pub fn new(as_of: i32, since: Option<i32>) -> Window {
        Window {
            as_of,
            since,
            holdout: as_of - VALIDATION_DAYS + 1,
        }
    }
}

/// The stage of one window: the customer rows and the segment rows, apart.
#[derive(Debug, Clone)]
pub struct Seam {
    /// One row per customer, sorted by id.
    pub customers: DataFrame,
    /// `customer`, `segment`, `net_cents` (and `cost_cents`), sorted by customer and segment.
    pub segments: DataFrame,
    pub window: Window,
}

/// Whether `day` falls after the as-of date's day of its month (the second half-month); never
/// as of a month's last day.
pub fn half(day: i32, as_of: i32) -> i32 {
    use super::periods::{day_of_month, is_month_end};
    i32::from(!is_month_end(as_of) && day_of_month(day) > day_of_month(as_of))
}

/// The segment of `day` for a stage as of `as_of`.
pub fn segment_of(day: i32, as_of: i32) -> i32 {
    2 * super::periods::Period::Month.index(day) + half(day, as_of)
}

/// The segment holding the end of the rolling window `k` months before `as_of`: the last one
/// of the `k`-th month back (`months_before(as_of, k)` is its last day).
pub fn segment_back(as_of: i32, k: u32) -> i32 {
    segment_of(super::periods::months_before(as_of, k), as_of)
}

impl Seam {
    /// Whether the stage holds costs.
    pub fn has_costs(&self) -> bool {
        self.customers.column(col::COST).is_ok()
    }

    /// The stage of the customers `ids` only (those it has).
    pub fn of(&self, ids: &[String]) -> PolarsResult<Seam> {
        let wanted: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
        let keep = |df: &DataFrame| -> PolarsResult<DataFrame> {
            let ids = df.column(col::CUSTOMER)?.str()?;
            let mask: BooleanChunked = ids
                .iter()
                .map(|id| Some(id.is_some_and(|id| wanted.contains(id))))
                .collect();
            df.filter(&mask)
        };
        Ok(Seam {
            customers: keep(&self.customers)?,
            segments: keep(&self.segments)?,
            window: self.window,
        })
    }

    /// The first day of any line, the data's start (`as_of` without customers).
    pub fn first_day(&self) -> PolarsResult<i32> {
        let first = self.customers.column(FIRST_LINE)?.cast(&DataType::Int32)?;
        Ok(first.i32()?.min().unwrap_or(self.window.as_of))
    }

    /// How many customer-days the stage was made from.
    pub fn customer_days(&self) -> PolarsResult<i64> {
        Ok(self.customers.column(LINE_DAYS)?.i64()?.sum().unwrap_or(0))
    }
}
