//! The Pareto summary of a classified frame: customers making 80% of value, value share of the
//! top 20%, Gini coefficient, the Lorenz curve, and counts and value per ABC class and tier.
//! Plain numerics on exact integer value units; the Lorenz curve is the piecewise-linear one
//! (customers sorted by ascending value), read at fractional positions by interpolation.

use super::classify::{Basis, Params, UNITS};
use crate::input::col;
use polars::prelude::*;
use serde::Serialize;

/// Customers and value of one ABC class or tier.
#[derive(Debug, Serialize, PartialEq)]
pub struct ClassRow {
    pub class: String,
    pub customers: usize,
    pub customer_share: f64,
    pub value: f64,
    pub value_share: f64,
}

/// One point of the Lorenz curve.
#[derive(Debug, Serialize, PartialEq)]
pub struct LorenzPoint {
    pub customer_share: f64,
    pub value_share: f64,
}

/// The Pareto summary of one group (or of all customers).
#[derive(Debug, Serialize)]
pub struct Summary {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub by: Basis,
    pub customers: usize,
    /// Customers whose value is 0 or below: not ranked, not in the shares.
    pub customers_without_value: usize,
    pub total_value: f64,
    pub customers_for_80pct: usize,
    pub customers_for_80pct_share: f64,
    pub top_20pct_value_share: f64,
    pub gini: f64,
    pub abc: Vec<ClassRow>,
    pub tiers: Vec<ClassRow>,
    pub lorenz: Vec<LorenzPoint>,
}

fn r6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Summaries of a frame made by `classify::classify`, one per group in group order.
pub fn summarize(all: &DataFrame, p: &Params) -> PolarsResult<Vec<Summary>> {
    let classified = &all
        .clone()
        .lazy()
        .filter(col("rank").is_not_null())
        .collect()?;
    let unranked = all.height() - classified.height();
    let units: Vec<i64> = classified
        .column(UNITS)?
        .i64()?
        .into_no_null_iter()
        .collect();
    let text = |name: &str| -> PolarsResult<Vec<String>> {
        Ok(classified
            .column(name)?
            .str()?
            .iter()
            .map(|s| s.unwrap_or("").to_string())
            .collect())
    };
    let (abc, tier) = (text("abc")?, text("tier")?);
    let groups = if p.grouped {
        Some(text(col::GROUP)?)
    } else {
        None
    };
    let mut out = Vec::new();
    let mut start = 0;
    while start < units.len() {
        let end = match &groups {
            Some(g) => (start..units.len())
                .find(|&i| g[i] != g[start])
                .unwrap_or(units.len()),
            None => units.len(),
        };
        let range = start..end;
        let mut s = one(&units[range.clone()], &abc[range.clone()], &tier[range], p);
        s.group = groups.as_ref().map(|g| g[start].clone());
        s.customers_without_value = match &groups {
            Some(g) => {
                let col_g = all.column(col::GROUP)?.str()?;
                col_g
                    .iter()
                    .filter(|x| *x == Some(g[start].as_str()))
                    .count()
                    - (end - start)
            }
            None => unranked,
        };
        out.push(s);
        start = end;
    }
    Ok(out)
}

/// The summary of one group; `units` sorted by value descending, labels aligned with it.
fn one(units: &[i64], abc: &[String], tier: &[String], p: &Params) -> Summary {
    let n = units.len();
    let total: i128 = units.iter().map(|&u| u as i128).sum();
    let scale = p.by.scale() as f64;
    let mut cum: i128 = 0;
    let mut top80 = (0usize, 0i128);
    for &u in units {
        if cum * 100 < 80 * total {
            top80 = (top80.0 + 1, top80.1 + u as i128);
        }
        cum += u as i128;
    }
    let ascending: Vec<i64> = units.iter().rev().copied().collect();
    let lorenz = |q: f64| lorenz_at(&ascending, total, q);
    let classes = |labels: &[String], names: &[String]| -> Vec<ClassRow> {
        names
            .iter()
            .map(|name| {
                let members: Vec<usize> = (0..n).filter(|&i| &labels[i] == name).collect();
                let value: i128 = members.iter().map(|&i| units[i] as i128).sum();
                ClassRow {
                    class: name.clone(),
                    customers: members.len(),
                    customer_share: r6(members.len() as f64 / n as f64),
                    value: value as f64 / scale,
                    value_share: r6(value as f64 / total as f64),
                }
            })
            .collect()
    };
    let abc_names: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
    let tier_names: Vec<String> = p.tiers.iter().map(|t| t.name.clone()).collect();
    Summary {
        customers_without_value: 0,
        group: None,
        by: p.by,
        customers: n,
        total_value: total as f64 / scale,
        customers_for_80pct: top80.0,
        customers_for_80pct_share: r6(top80.0 as f64 / n as f64),
        top_20pct_value_share: r6(1.0 - lorenz(0.8)),
        gini: r6(gini(&ascending, total)),
        abc: classes(abc, &abc_names),
        tiers: classes(tier, &tier_names),
        lorenz: (0..=10)
            .map(|k| LorenzPoint {
                customer_share: k as f64 / 10.0,
                value_share: r6(lorenz(k as f64 / 10.0)),
            })
            .collect(),
    }
}

/// Share of value held by the poorest fraction `q` of customers (linear between customers).
fn lorenz_at(ascending: &[i64], total: i128, q: f64) -> f64 {
    let pos = q * ascending.len() as f64;
    let whole = (pos.floor() as usize).min(ascending.len());
    let below: i128 = ascending[..whole].iter().map(|&u| u as i128).sum();
    let part = ascending
        .get(whole)
        .map_or(0.0, |&u| (pos - whole as f64) * u as f64);
    (below as f64 + part) / total as f64
}

/// Gini coefficient: one minus twice the area under the Lorenz curve (trapezoids per customer).
fn gini(ascending: &[i64], total: i128) -> f64 {
    let n = ascending.len() as f64;
    let mut cum: i128 = 0;
    let mut area2 = 0.0;
    for &u in ascending {
        let before = cum as f64 / total as f64;
        cum += u as i128;
        area2 += (before + cum as f64 / total as f64) / n;
    }
    1.0 - area2
}

/// The summary as `metric,value` rows (with the group first when grouped), for CSV and Parquet.
pub fn metrics_frame(summaries: &[Summary]) -> PolarsResult<DataFrame> {
    let (mut groups, mut names, mut values) = (Vec::new(), Vec::new(), Vec::new());
    for s in summaries {
        let mut push = |name: String, v: f64| {
            groups.push(s.group.clone().unwrap_or_default());
            names.push(name);
            values.push(v);
        };
        push("customers".into(), s.customers as f64);
        push("total_value".into(), s.total_value);
        push("customers_for_80pct".into(), s.customers_for_80pct as f64);
        push(
            "customers_for_80pct_share".into(),
            s.customers_for_80pct_share,
        );
        push("top_20pct_value_share".into(), s.top_20pct_value_share);
        push("gini".into(), s.gini);
        for (kind, rows) in [("abc", &s.abc), ("tier", &s.tiers)] {
            for r in rows {
                push(format!("{kind}.{}.customers", r.class), r.customers as f64);
                push(
                    format!("{kind}.{}.customer_share", r.class),
                    r.customer_share,
                );
                push(format!("{kind}.{}.value", r.class), r.value);
                push(format!("{kind}.{}.value_share", r.class), r.value_share);
            }
        }
        for pt in &s.lorenz {
            push(
                format!("lorenz.{:.0}", pt.customer_share * 100.0),
                pt.value_share,
            );
        }
    }
    let mut cols = vec![
        Column::new("metric".into(), names),
        Column::new("value".into(), values),
    ];
    if summaries.iter().any(|s| s.group.is_some()) {
        cols.insert(0, Column::new(col::GROUP.into(), groups));
    }
    DataFrame::new_infer_height(cols)
}

/// Class rows as a frame, for the terminal view of the summary.
pub fn class_frame(label: &str, rows: &[ClassRow]) -> PolarsResult<DataFrame> {
    df!(
        label => rows.iter().map(|r| r.class.clone()).collect::<Vec<_>>(),
        "customers" => rows.iter().map(|r| r.customers as u64).collect::<Vec<_>>(),
        "customer_share" => rows.iter().map(|r| r.customer_share).collect::<Vec<_>>(),
        "value" => rows.iter().map(|r| r.value).collect::<Vec<_>>(),
        "value_share" => rows.iter().map(|r| r.value_share).collect::<Vec<_>>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_have_no_inequality() {
        let asc = [5, 5, 5, 5];
        assert!(gini(&asc, 20).abs() < 1e-12);
        assert!((lorenz_at(&asc, 20, 0.5) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn one_customer_with_everything() {
        let asc = [0, 0, 0, 100];
        assert!((gini(&asc, 100) - 0.75).abs() < 1e-12, "(n-1)/n for n = 4");
        assert_eq!(lorenz_at(&asc, 100, 0.75), 0.0);
        assert!(
            (lorenz_at(&asc, 100, 0.875) - 0.5).abs() < 1e-12,
            "interpolated inside the top customer"
        );
        assert_eq!(lorenz_at(&asc, 100, 1.0), 1.0);
    }
}
