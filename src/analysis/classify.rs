//! ABC classes and the customer pyramid: per-customer value, ranked by value descending with ties
//! broken by customer id ascending (numerically when every id is a number). Values are summed in
//! exact integer units (cents, thousandths) so ranks and class boundaries never depend on float
//! summation order. Customers whose value is 0 or below are not ranked: they follow the ranked
//! ones with class and tier `none`, no rank and no share; shares are of the positive total.

use super::customers;
use crate::input::col;
use polars::prelude::*;

/// What "value" means for ranking.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    Revenue,
    Profit,
    Quantity,
    /// Purchase days (`orders` is accepted for it).
    #[value(alias = "orders")]
    #[serde(alias = "orders")]
    Purchases,
}

impl Basis {
    /// Decimals of a displayed value.
    pub fn decimals(self) -> u32 {
        match self {
            Basis::Revenue | Basis::Profit => 2,
            Basis::Quantity => 3,
            Basis::Purchases => 0,
        }
    }

    /// Integer units per displayed unit.
    pub fn scale(self) -> i64 {
        match self {
            Basis::Revenue | Basis::Profit => 100,
            Basis::Quantity => 1000,
            Basis::Purchases => 1,
        }
    }
}

/// One level of the customer pyramid and its share of customers, in percent.
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    pub name: String,
    pub pct: f64,
}

/// Parameters of `classify`.
#[derive(Debug, Clone)]
pub struct Params {
    pub by: Basis,
    /// A and B cut-offs in percent of value, increasing.
    pub abc: (f64, f64),
    pub tiers: Vec<Tier>,
    /// Rank separately within each value of the canonical `group` column.
    pub grouped: bool,
}

/// Internal column of exact integer value units.
pub const UNITS: &str = "value_units";

/// One row per customer (per group) from the per-customer stage: exact value units, purchases,
/// first and last purchase (empty for a customer whose window holds only returns).
pub fn per_customer(stage: &DataFrame, p: &Params) -> PolarsResult<DataFrame> {
    let units = match p.by {
        Basis::Revenue => col(customers::NET),
        Basis::Purchases => col(customers::PURCHASES),
        Basis::Profit => {
            require(
                stage,
                customers::COST,
                "--by profit needs a cost or margin column; pass --cost COLUMN or --margin-column COLUMN",
            )?;
            col(customers::NET) - col(customers::COST)
        }
        Basis::Quantity => {
            require(
                stage,
                customers::QUANTITY,
                "--by quantity needs a quantity column; pass --quantity COLUMN",
            )?;
            col(customers::QUANTITY)
        }
    };
    let mut cols = customers::keys(p.grouped);
    cols.extend([
        units.alias(UNITS),
        col(customers::PURCHASES),
        col("first_purchase"),
        col("last_purchase"),
    ]);
    stage.clone().lazy().select(cols).collect()
}

fn require(stage: &DataFrame, name: &str, msg: &str) -> PolarsResult<()> {
    if stage.schema().contains(name) {
        Ok(())
    } else {
        Err(polars_err!(ComputeError: "{}", msg))
    }
}

/// Sorts customers by value descending, then id ascending (numerically when all ids are numbers).
pub fn rank_order(df: DataFrame, grouped: bool) -> PolarsResult<DataFrame> {
    if grouped {
        rank_order_by(df, &[(col::GROUP, false), (UNITS, true)])
    } else {
        rank_order_by(df, &[(UNITS, true)])
    }
}

pub use super::rank_sort::rank_order_by;

/// Ranks, shares, ABC classes and tiers, sorted for output, from the per-customer stage. Fails
/// when a group's total value is not positive, because shares of a non-positive total mean
/// nothing.
pub fn classify(stage: &DataFrame, p: &Params) -> PolarsResult<DataFrame> {
    classify_picked(per_customer(stage, p)?, p)
}

/// As [`classify`], letting go of the stage's other columns as soon as its own are picked (a
/// command that needs nothing else of the stage: on 15 million customers they are hundreds of
/// megabytes).
pub fn classify_stage(stage: DataFrame, p: &Params) -> PolarsResult<DataFrame> {
    let picked = per_customer(&stage, p)?;
    drop(stage);
    classify_picked(picked, p)
}

/// `classify` of the columns `per_customer` picked.
fn classify_picked(picked: DataFrame, p: &Params) -> PolarsResult<DataFrame> {
    let all = rank_order(picked, p.grouped)?;
    // Split eagerly and let go of the whole, so that a large base is held twice at most.
    let ranked = all.column(UNITS)?.i64()?.gt(0);
    let sorted = all.filter(&ranked)?;
    let unranked = all.filter(&!&ranked)?;
    drop(all);
    if sorted.height() == 0 {
        polars_bail!(ComputeError:
            "no customer has a value above 0, so there is nothing to rank; check the sign of \
             the amounts, or use --returns exclude or another --by");
    }
    let g = |e: Expr| {
        if p.grouped {
            e.over([col(col::GROUP)])
        } else {
            Ok(e)
        }
    };
    let units = col(UNITS).cast(DataType::Float64);
    let total = g(units.clone().sum())?;
    let cum = g(units.clone().cum_sum(false))?;
    let rank = g(col(UNITS).cum_count(false))?.cast(DataType::Int64);
    let n = g(len())?.cast(DataType::Float64);
    let scale = p.by.scale() as f64;
    let out = sorted.lazy().with_columns([
        // Rounded because polars may divide by multiplying with the reciprocal (26.580000000000002).
        (units.clone() / lit(scale))
            .round(p.by.decimals(), RoundMode::HalfAwayFromZero)
            .alias("value"),
        (units.clone() / total.clone())
            .round(6, RoundMode::HalfAwayFromZero)
            .alias("share"),
        (cum.clone() / total.clone())
            .round(6, RoundMode::HalfAwayFromZero)
            .alias("cum_share"),
        rank.clone().alias("rank"),
        abc_expr(cum - units, total, p.abc).alias("abc"),
        tier_expr(rank, n, &p.tiers).alias("tier"),
    ]);
    let mut cols = vec![
        col(col::CUSTOMER),
        col("value"),
        col(customers::PURCHASES),
        col("share"),
        col("cum_share"),
    ];
    cols.extend([
        col("rank"),
        col("abc"),
        col("tier"),
        col("first_purchase"),
        col("last_purchase"),
        col(UNITS),
    ]);
    if p.grouped {
        cols.insert(0, col(col::GROUP));
    }
    let ranked = out.select(cols.clone());
    if unranked.height() == 0 {
        return ranked.collect();
    }
    // Customers without a positive value: listed after the ranked ones with class and tier
    // `none`, no rank and no share (shares are of the positive total).
    let rest = unranked
        .lazy()
        .with_columns([
            (col(UNITS).cast(DataType::Float64) / lit(scale))
                .round(p.by.decimals(), RoundMode::HalfAwayFromZero)
                .alias("value"),
            lit(NULL).cast(DataType::Float64).alias("share"),
            lit(NULL).cast(DataType::Float64).alias("cum_share"),
            lit(NULL).cast(DataType::Int64).alias("rank"),
            lit(NONE).alias("abc"),
            lit(NONE).alias("tier"),
        ])
        .select(cols);
    let both = concat([ranked, rest], UnionArgs::default())?;
    if p.grouped {
        both.sort(
            [col::GROUP],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .collect()
    } else {
        both.collect()
    }
}

/// The class and tier of a customer whose value is 0 or below: not ranked.
pub const NONE: &str = "none";

/// A while the cumulative value before the customer is below the A cut-off, B below B, else C.
/// Compared as `before·100 < cut·total` on exact integers held in f64.
fn abc_expr(before: Expr, total: Expr, (a, b): (f64, f64)) -> Expr {
    let below = |cut: f64| (before.clone() * lit(100.0)).lt(lit(cut) * total.clone());
    when(below(a))
        .then(lit("A"))
        .otherwise(when(below(b)).then(lit("B")).otherwise(lit("C")))
}

/// A customer joins the first tier whose cumulative share of customers it starts below:
/// `(rank−1)·100 < cumulative_pct·n`; the last tier takes the rest.
fn tier_expr(rank: Expr, n: Expr, tiers: &[Tier]) -> Expr {
    let position = (rank.cast(DataType::Float64) - lit(1.0)) * lit(100.0);
    let (last, upper) = tiers.split_last().expect("at least one tier");
    let mut bounds = Vec::with_capacity(upper.len());
    let mut cum = 0.0;
    for t in upper {
        cum += t.pct;
        bounds.push((cum, t.name.clone()));
    }
    bounds
        .into_iter()
        .rev()
        .fold(lit(last.name.clone()), |rest, (cum, name)| {
            when(position.clone().lt(lit(cum) * n.clone()))
                .then(lit(name))
                .otherwise(rest)
        })
}

#[cfg(test)]
mod tests;
