//! The stage's schema: the one step whose input grows with the export's rows reduces the
//! canonical transactions to one row per customer (per group and customer with `--group`) and,
//! for the analyses of periods and gaps, one row per customer and day. `stage` computes them
//! (one pass, memory growing with customers); this file names their columns, defines a purchase,
//! and keeps the plain polars plan of the same table (`plan`) that the stage is tested against.
//!
//! What a purchase is, in every command: a day on which a customer's lines net to a positive value,
//! or to exactly zero with no return among them (zero-priced items, as CDNOW's $0.00 lines). A day
//! whose returns cancel or exceed its purchases is no purchase, and several orders on one day are
//! one purchase, so counts and dates never depend on how an export numbers its orders.
//!
//! Output schema:
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `group` | str | only when grouped |
//! | `customer` | str | the customer id |
//! | `net_cents` | i64 | sum of every line's value (returns netted) |
//! | `cost_cents` | i64 | sum of line costs, when the input has a cost or margin |
//! | `quantity_milli` | i64 | sum of quantities in thousandths, when the input has a quantity |
//! | `purchases` | i64 | purchase days |
//! | `first_purchase`, `last_purchase` | date | null without a purchase |
//! | `last_line` | date | the customer's last line of any kind |
//! | `purchase_cents` | i64 | sum of the purchase days' values |
//! | `first_purchase_cents` | i64 | the value of the first purchase day (0 without a purchase) |
//!
//! Customer-day schema (`DAY*` constants; ungrouped):
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `customer` | str | the customer id |
//! | `day` | i32 | days since 1970-01-01 |
//! | `cents` | i64 | the day's net value |
//! | `smallest` | i64 | the day's smallest line (negative when a return is among them) |
//! | `cost_cents` | i64 | the day's cost, when the input has a cost or margin |

use crate::input::col;
use polars::prelude::*;

pub const NET: &str = "net_cents";
pub const COST: &str = "cost_cents";
pub const QUANTITY: &str = "quantity_milli";
pub const PURCHASES: &str = "purchases";
pub const LAST_LINE: &str = "last_line";
pub const GROSS_ABS: &str = "gross_abs";
pub const PURCHASE_CENTS: &str = "purchase_cents";
pub const FIRST_PURCHASE_CENTS: &str = "first_purchase_cents";
pub const DAY: &str = "day";
pub const DAY_CENTS: &str = "cents";
pub const DAY_SMALLEST: &str = "smallest";

/// The grouping keys: the customer, after the group when grouped.
pub fn keys(grouped: bool) -> Vec<Expr> {
    let mut k = vec![col(col::CUSTOMER)];
    if grouped {
        k.insert(0, col(col::GROUP));
    }
    k
}

/// Whether a customer's day is a purchase, from its net value and its smallest line: it nets
/// positive, or to zero without a return. `is_purchase_day` is the same rule on one day.
pub fn is_purchase(net: Expr, smallest: Expr) -> Expr {
    net.clone()
        .gt(lit(0i64))
        .or(net.eq(lit(0i64)).and(smallest.gt_eq(lit(0i64))))
}

/// `is_purchase` of one day; a day without a net value or a smallest line is none.
pub fn is_purchase_day(net: Option<i64>, smallest: Option<i64>) -> bool {
    match (net, smallest) {
        (Some(n), _) if n > 0 => true,
        (Some(0), Some(low)) => low >= 0,
        _ => false,
    }
}

/// The per-customer table as a plain polars plan over canonical transactions (two hash
/// aggregations: by customer and day, then by customer), with `gross_abs`, the sum of the lines'
/// absolute values. The reference the stage engine is tested against.
pub fn plan(mut tx: LazyFrame, grouped: bool) -> PolarsResult<LazyFrame> {
    let schema = tx.collect_schema()?;
    let has = |c: &str| schema.contains(c);
    let keys = keys(grouped);
    let mut by = keys.clone();
    by.push(col(col::DATE).alias("day"));
    let mut per_day = vec![
        col(col::AMOUNT).sum().alias("net"),
        col(col::AMOUNT).min().alias("smallest"),
        col(col::AMOUNT)
            .abs()
            .cast(DataType::Float64)
            .sum()
            .alias("abs"),
    ];
    // Plain reductions only (no filters inside the aggregation), so that the streaming engine
    // runs them natively: a purchase's day, null for other days.
    let purchase = is_purchase(col("net"), col("smallest"));
    let marks = [
        purchase.clone().cast(DataType::Int64).alias("purchase"),
        when(purchase)
            .then(col("day"))
            .otherwise(lit(NULL).cast(DataType::Date))
            .alias("purchase_day"),
    ];
    let mut per_customer = vec![
        col("net").sum().alias(NET),
        col("purchase").sum().alias(PURCHASES),
        col("purchase_day").min().alias("first_purchase"),
        col("purchase_day").max().alias("last_purchase"),
        col("day").max().alias(LAST_LINE),
        col("abs").sum().alias(GROSS_ABS),
    ];
    if has(col::COST) {
        per_day.push(col(col::COST).sum().alias("cost"));
        per_customer.push(col("cost").sum().alias(COST));
    }
    if has(col::QUANTITY) {
        per_day.push(
            (col(col::QUANTITY) * lit(1000.0))
                .round(0, RoundMode::HalfAwayFromZero)
                .cast(DataType::Int64)
                .sum()
                .alias("qty"),
        );
        per_customer.push(col("qty").sum().alias(QUANTITY));
    }
    Ok(tx
        .group_by(by)
        .agg(per_day)
        .with_columns(marks)
        .group_by(keys)
        .agg(per_customer))
}

/// The customer days of canonical transactions as a plain plan (the stage's day schema), in
/// customer and day order.
pub fn days(tx: LazyFrame) -> LazyFrame {
    let mut tx = tx;
    let costs = tx.collect_schema().is_ok_and(|s| s.contains(col::COST));
    let mut agg = vec![
        col(col::AMOUNT).sum().alias(DAY_CENTS),
        col(col::AMOUNT).min().alias(DAY_SMALLEST),
    ];
    if costs {
        agg.push(col(col::COST).sum().alias(COST));
    }
    tx.group_by([
        col(col::CUSTOMER),
        col(col::DATE).cast(DataType::Int32).alias(DAY),
    ])
    .agg(agg)
    .sort([col::CUSTOMER, DAY], SortMultipleOptions::default())
}

/// Runs a plan with the streaming engine.
pub fn run(plan: LazyFrame) -> PolarsResult<DataFrame> {
    Ok(plan.collect_with_engine(Engine::Streaming)?.unwrap_single())
}

/// Whether a plan's integer sums are exact: every sum of cents stays far inside `i64`.
pub fn sums_are_exact(stage: &DataFrame) -> PolarsResult<bool> {
    let total = stage.column(GROSS_ABS)?.f64()?.sum().unwrap_or(0.0);
    Ok(total < 9.0e18)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::tx;

    #[test]
    fn one_row_per_customer_with_purchases_and_returns() {
        let t = tx(&[
            ("a", 10, 500),
            ("a", 10, 200),
            ("a", 20, -700),
            ("a", 30, 100),
            ("b", 15, -50),
        ]);
        let out = run(plan(t.lazy(), false).unwrap())
            .unwrap()
            .sort([col::CUSTOMER], Default::default())
            .unwrap();
        let i64s = |c: &str| -> Vec<Option<i64>> {
            out.column(c).unwrap().i64().unwrap().iter().collect()
        };
        assert_eq!(i64s(NET), [Some(100), Some(-50)]);
        assert_eq!(i64s(PURCHASES), [Some(2), Some(0)]);
        let days = out
            .column("last_purchase")
            .unwrap()
            .cast(&DataType::Int32)
            .unwrap();
        assert_eq!(
            days.i32().unwrap().iter().collect::<Vec<_>>(),
            [Some(30), None]
        );
        let last = out
            .column(LAST_LINE)
            .unwrap()
            .cast(&DataType::Int32)
            .unwrap();
        assert_eq!(
            last.i32().unwrap().iter().collect::<Vec<_>>(),
            [Some(30), Some(15)]
        );
        assert!(sums_are_exact(&out).unwrap());
    }

    #[test]
    fn a_purchase_is_a_day_that_nets_positive_or_zero_without_returns() {
        let t = tx(&[
            ("a", 1, 500),
            ("a", 1, -500), // cancelled the same day: no purchase
            ("a", 2, 300),
            ("a", 2, -1000), // nets negative: no purchase
            ("a", 3, 0),     // a zero-priced item, nothing returned: a purchase
            ("a", 4, 200),
            ("a", 4, 100), // two orders on one day: one purchase
        ]);
        let out = run(plan(t.lazy(), false).unwrap()).unwrap();
        let get = |c: &str| out.column(c).unwrap().cast(&DataType::Int64).unwrap();
        assert_eq!(get(PURCHASES).i64().unwrap().get(0), Some(2));
        assert_eq!(get("first_purchase").i64().unwrap().get(0), Some(3));
        assert_eq!(get(NET).i64().unwrap().get(0), Some(-400));
    }
}
