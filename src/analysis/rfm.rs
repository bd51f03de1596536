//! RFM: per customer recency (days from the last purchase to the as-of date), frequency
//! (purchases, as counted by the per-customer stage) and monetary value (net total, or mean per purchase),
//! scored 1..N and mapped to a named segment.
//!
//! Scoring: thresholds `t_1..t_{N-1}` are the lower quantiles of the measure at k/N (or given by
//! the user); a value's position is `#{k : t_k < v}`, its score `1 + position` (recency: `N −
//! position`). Hence equal values get equal scores, a better value never a worse score, and the
//! score equals `1 + floor(N · share of customers strictly below)`, as balanced as ties allow.

use super::classify::rank_order_by;
use super::customers;
use super::segments::SegmentMap;
use crate::input::col;
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// How the monetary measure is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Monetary {
    /// Net value over the window.
    #[default]
    Total,
    /// Net value per purchase.
    Mean,
}

/// The columns `tier rfm` prints, in order: the customer, the measures, the scores and segment
/// (`COLUMNS[1..9]`, also in the report's customers table), the last purchase.
pub const COLUMNS: [&str; 10] = [
    "customer",
    "recency_days",
    "frequency",
    "monetary",
    "r",
    "f",
    "m",
    "rfm",
    "segment",
    "last_purchase",
];

/// Parameters of `rfm`.
#[derive(Debug, Clone)]
pub struct Params {
    pub as_of: i32,
    pub bins: u32,
    /// User thresholds for recency, frequency, monetary (N−1 increasing values), else quantiles.
    pub custom: [Option<Vec<f64>>; 3],
    pub monetary: Monetary,
    pub map: SegmentMap,
}

/// The thresholds that made one measure's scores.
#[derive(Debug, Clone, Serialize)]
pub struct Thresholds {
    pub measure: &'static str,
    pub source: &'static str,
    pub values: Vec<f64>,
    /// The scores that occur in the data, ascending.
    pub scores_used: Vec<u32>,
}

impl Thresholds {
    /// Whether ties left some scores unused.
    pub fn collapsed(&self, bins: u32) -> bool {
        self.source == "quantiles" && (self.scores_used.len() as u32) < bins
    }
}

/// The scored customers and how they were scored.
pub struct Rfm {
    pub frame: DataFrame,
    pub thresholds: Vec<Thresholds>,
    /// Customers without a purchase of positive value in the window (segment `No purchase`).
    pub without_purchase: usize,
}

/// The stage's columns the scores are made from (a caller may keep only these).
pub const STAGE_COLUMNS: [&str; 5] = [
    col::CUSTOMER,
    customers::NET,
    "first_purchase",
    "last_purchase",
    customers::PURCHASES,
];

/// The three measures, in the order of the scores (r, f, m).
pub const MEASURES: [&str; 3] = ["recency_days", "frequency", "monetary"];

/// The segment of customers without a purchase of positive value in the window.
pub const NO_PURCHASE: &str = "No purchase";

/// Per customer, from the per-customer stage: recency (null without a purchase), frequency,
/// net value in cents.
pub fn measures(stage: &DataFrame, as_of: i32) -> PolarsResult<DataFrame> {
    stage
        .clone()
        .lazy()
        .select([
            col(col::CUSTOMER),
            col(customers::NET),
            col("first_purchase"),
            col("last_purchase"),
            (lit(as_of) - col("last_purchase").cast(DataType::Int32))
                .cast(DataType::Int64)
                .alias("recency_days"),
            col(customers::PURCHASES).alias("frequency"),
        ])
        .collect()
}

/// Lower quantiles at k/N: the smallest value with at least k/N of the values at or below it.
pub fn quantile_thresholds(values: &[f64], bins: u32) -> Vec<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    (1..bins as usize)
        .map(|k| sorted[((k * n).div_ceil(bins as usize)).max(1) - 1])
        .collect()
}

/// The score of `v` against ascending thresholds; `higher_better` false inverts (recency).
pub fn score(v: f64, thresholds: &[f64], bins: u32, higher_better: bool) -> u32 {
    let position = thresholds.partition_point(|&t| t < v) as u32;
    if higher_better {
        1 + position
    } else {
        bins - position
    }
}

/// Scores and segments every customer with a purchase; the others get no scores and the
/// segment `No purchase`. Quantiles are taken over the purchasing customers only.
pub fn rfm(stage: &DataFrame, p: &Params) -> PolarsResult<Rfm> {
    let m = measures(stage, p.as_of)?;
    let n = m.height();
    let freq: Vec<i64> = m.column("frequency")?.i64()?.into_no_null_iter().collect();
    let cents = m.column("net_cents")?.i64()?;
    let monetary: Vec<f64> = cents
        .into_no_null_iter()
        .zip(&freq)
        .map(|(c, &f)| match p.monetary {
            Monetary::Total => c as f64 / 100.0,
            Monetary::Mean => (c as f64 / f.max(1) as f64).round() / 100.0,
        })
        .collect();
    let buyers: Vec<usize> = (0..n).filter(|&i| freq[i] > 0).collect();
    // One measure at a time, each score column made as soon as it is known: the working
    // vectors of all three at once would cost more than the table on 15 million customers.
    let mut thresholds = Vec::new();
    let mut scored: Vec<Int32Chunked> = Vec::new();
    for k in 0..3 {
        let vals: Vec<f64> = match k {
            0 => {
                let recency: Vec<Option<i64>> = m.column("recency_days")?.i64()?.iter().collect();
                buyers
                    .iter()
                    .map(|&i| recency[i].unwrap_or(0) as f64)
                    .collect()
            }
            1 => buyers.iter().map(|&i| freq[i] as f64).collect(),
            _ => buyers.iter().map(|&i| monetary[i]).collect(),
        };
        let (t, source) = match &p.custom[k] {
            Some(t) => (t.clone(), "custom"),
            None if vals.is_empty() => (Vec::new(), "quantiles"),
            None => (quantile_thresholds(&vals, p.bins), "quantiles"),
        };
        let mut scores: Vec<Option<i32>> = vec![None; n];
        let mut used: Vec<u32> = Vec::new();
        for (&i, &v) in buyers.iter().zip(&vals) {
            let s = score(v, &t, p.bins, k != 0);
            scores[i] = Some(s as i32);
            used.push(s);
        }
        used.sort_unstable();
        used.dedup();
        thresholds.push(Thresholds {
            measure: MEASURES[k],
            source,
            values: t,
            scores_used: used,
        });
        scored.push(Int32Chunked::from_iter_options(
            ["r", "f", "m"][k].into(),
            scores.into_iter(),
        ));
    }
    drop(freq);
    let each = || {
        scored[0]
            .iter()
            .zip(scored[1].iter())
            .zip(scored[2].iter())
            .map(|((r, f), m)| Some((r?, f?, m?)))
    };
    // The code and segment columns are built from borrowed text: one String per customer each
    // would cost more than the rest of the table on 15 million customers.
    let mut digits = String::new();
    let code: StringChunked = each()
        .map(|rfm| {
            let (r, f, m) = rfm?;
            digits.clear();
            write!(digits, "{r}{f}{m}").ok()?;
            Some(digits.clone())
        })
        .collect();
    let segment: StringChunked = each()
        .map(|rfm| match rfm {
            Some((r, f, mm)) => Some(p.map.segment(r as u32, f as u32, mm as u32)),
            None => Some(NO_PURCHASE),
        })
        .collect();
    let mut frame = m.select([
        col::CUSTOMER,
        "recency_days",
        "frequency",
        "net_cents",
        "first_purchase",
        "last_purchase",
    ])?;
    drop(m);
    frame.with_column(Column::new("monetary".into(), monetary))?;
    for s in scored {
        frame.with_column(s.into_column())?;
    }
    frame.with_column(code.with_name("rfm".into()).into_column())?;
    frame.with_column(segment.with_name("segment".into()).into_column())?;
    let sorted = rank_order_by(
        frame,
        &[("r", true), ("f", true), ("m", true), ("monetary", true)],
    )?;
    Ok(Rfm {
        frame: sorted,
        thresholds,
        without_purchase: n - buyers.len(),
    })
}

/// The rows whose `segment` is one of `names`, in their order.
pub fn filter_segments(rows: DataFrame, names: &[String]) -> PolarsResult<DataFrame> {
    let keep = names.iter().fold(lit(false), |acc, n| {
        acc.or(col("segment").eq(lit(n.clone())))
    });
    rows.lazy().filter(keep).collect()
}

/// Per segment (in map order): customers, share, revenue, share of revenue, average order value,
/// average recency. Revenue is the net value over the window.
pub fn summary(scored: &DataFrame, map: &SegmentMap) -> PolarsResult<DataFrame> {
    let mut names = map.names();
    let has_none = scored
        .column("segment")?
        .str()?
        .iter()
        .any(|s| s == Some(NO_PURCHASE));
    if has_none {
        names.push(NO_PURCHASE.to_string());
    }
    let order = Column::new("segment".into(), names.clone());
    let order = DataFrame::new(names.len(), vec![order])?;
    let per = scored.clone().lazy().group_by([col("segment")]).agg([
        len().cast(DataType::Int64).alias("customers"),
        col("net_cents").sum().alias("cents"),
        col("frequency").sum().alias("purchases"),
        col("recency_days")
            .cast(DataType::Float64)
            .mean()
            .alias("avg_recency_days"),
    ]);
    let total_customers = scored.height() as f64;
    let total_cents = scored.column("net_cents")?.i64()?.sum().unwrap_or(0) as f64;
    let money = |e: Expr| e.round(2, RoundMode::HalfAwayFromZero);
    let share = |e: Expr| e.round(6, RoundMode::HalfAwayFromZero);
    order
        .lazy()
        .join(
            per,
            [col("segment")],
            [col("segment")],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            col("customers").fill_null(lit(0i64)),
            col("cents").fill_null(lit(0i64)),
        ])
        .select([
            col("segment"),
            col("customers"),
            share(col("customers").cast(DataType::Float64) / lit(total_customers)).alias("share"),
            money(col("cents").cast(DataType::Float64) / lit(100.0)).alias("revenue"),
            share(col("cents").cast(DataType::Float64) / lit(total_cents)).alias("revenue_share"),
            when(col("purchases").gt(lit(0)))
                .then(money(
                    col("cents").cast(DataType::Float64)
                        / col("purchases").cast(DataType::Float64)
                        / lit(100.0),
                ))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("avg_order_value"),
            col("avg_recency_days").round(1, RoundMode::HalfAwayFromZero),
        ])
        .collect()
}

#[cfg(test)]
mod tests;
