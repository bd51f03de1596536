//! Every standing of each customer in one row (class, RFM, CLV, churn, growth), joined on the
//! customer id from the analyses' own results: the customers table of `tier report`.

use super::churn;
use super::clv;
use super::customers;
use super::growth::Growth;
use crate::input::col;
use polars::prelude::*;
use std::collections::HashMap;

/// Gives each churn row the ABC class `classified` has for its customer.
pub fn set_abc(rows: &mut [churn::Row], classified: &DataFrame) -> PolarsResult<()> {
    let abc = classified.column("abc")?.cast(&DataType::String)?;
    let abc: PlHashMap<&str, &str> = classified
        .column(col::CUSTOMER)?
        .str()?
        .iter()
        .zip(abc.str()?.iter())
        .filter_map(|(id, class)| Some((id?, class?)))
        .collect();
    for r in rows {
        r.abc = abc.get(r.customer.as_str()).map(|c| c.to_string());
    }
    Ok(())
}

/// For each of `ids`, the position of the same id among `keys` (the last, should one repeat),
/// or none. Keys already in the order of `ids` are matched without hashing.
fn positions<'a>(ids: &[&str], keys: impl Iterator<Item = &'a str>) -> Vec<Option<usize>> {
    let keys: Vec<&str> = keys.collect();
    if keys.len() == ids.len() && keys.iter().zip(ids).all(|(k, id)| k == id) {
        return (0..ids.len()).map(Some).collect();
    }
    let index: PlHashMap<&str, usize> = keys.iter().enumerate().map(|(i, &k)| (k, i)).collect();
    ids.iter().map(|id| index.get(id).copied()).collect()
}

/// One row per customer, in the order of `classified` (rank order), with every standing: the
/// class columns, the RFM scores, the CLV prediction, the churn status and the period growth.
/// Customers an analysis does not cover get empty cells (growth: trend `inactive`).
pub fn customer_rows(
    classified: &DataFrame,
    rfm: &DataFrame,
    summaries: &[clv::Summary],
    predictions: Option<&[clv::Prediction]>,
    churn: &[churn::Row],
    growth: &[Growth],
    trends: &HashMap<String, &'static str>,
) -> anyhow::Result<DataFrame> {
    let ids: Vec<&str> = classified
        .column(col::CUSTOMER)?
        .str()?
        .iter()
        .map(Option::unwrap_or_default)
        .collect();
    let mut df = classified
        .clone()
        .lazy()
        .select([
            col(col::CUSTOMER),
            col("value"),
            col(customers::PURCHASES),
            col("share"),
            col("rank"),
            col("abc"),
            col("tier"),
            col("first_purchase"),
            col("last_purchase"),
        ])
        .collect()?;
    let rfm_ids = rfm.column(col::CUSTOMER)?.str()?;
    let order: Vec<Option<IdxSize>> =
        positions(&ids, rfm_ids.iter().map(Option::unwrap_or_default))
            .into_iter()
            .map(|at| {
                at.filter(|&i| rfm_ids.get(i).is_some())
                    .map(|i| i as IdxSize)
            })
            .collect();
    let take = IdxCa::new("take".into(), order);
    for &name in &super::rfm::COLUMNS[1..9] {
        let c = rfm.column(name)?.as_materialized_series().take(&take)?;
        df.with_column(c.with_name(name.into()).into_column())?;
    }
    // Each analysis's row of every customer, found once.
    let pred: Vec<Option<&clv::Prediction>> = match predictions {
        Some(p) => positions(&ids, summaries.iter().map(|s| s.customer.as_str()))
            .into_iter()
            .map(|at| at.map(|i| &p[i]))
            .collect(),
        None => vec![None; ids.len()],
    };
    let r6 = |v: f64| (v * 1e6).round() / 1e6;
    let pick = |f: &dyn Fn(&clv::Prediction) -> f64| -> Vec<Option<f64>> {
        pred.iter().map(|p| p.map(f)).collect()
    };
    df.with_column(Column::new("p_alive".into(), pick(&|p| r6(p.p_alive))))?;
    df.with_column(Column::new(
        "expected_purchases".into(),
        pick(&|p| r6(p.expected_purchases)),
    ))?;
    df.with_column(Column::new(
        "clv".into(),
        pick(&|p| (p.clv * 100.0).round() / 100.0),
    ))?;
    let by_id: Vec<Option<&churn::Row>> =
        positions(&ids, churn.iter().map(|r| r.customer.as_str()))
            .into_iter()
            .map(|at| at.map(|i| &churn[i]))
            .collect();
    df.with_column(Column::new(
        "status".into(),
        by_id
            .iter()
            .map(|r| r.map(|r| r.status.name()))
            .collect::<Vec<_>>(),
    ))?;
    df.with_column(Column::new(
        "reasons".into(),
        by_id
            .iter()
            .map(|r| r.map(|r| r.reasons.join("; ")))
            .collect::<Vec<_>>(),
    ))?;
    df.with_column(Column::new(
        "value_12m".into(),
        by_id
            .iter()
            .map(|r| r.map(|r| r.value_12m as f64 / 100.0))
            .collect::<Vec<_>>(),
    ))?;
    let g: Vec<Option<&Growth>> = positions(&ids, growth.iter().map(|g| g.customer.as_str()))
        .into_iter()
        .map(|at| at.map(|i| &growth[i]))
        .collect();
    let gm = |f: &dyn Fn(&Growth) -> Option<f64>| -> Vec<Option<f64>> {
        g.iter().map(|x| x.and_then(f)).collect()
    };
    df.with_column(Column::new(
        "value_period".into(),
        gm(&|x| Some(x.now as f64 / 100.0)),
    ))?;
    df.with_column(Column::new(
        "change_pct".into(),
        gm(&|x| x.previous.and_then(|p| Growth::pct(x.now, p))),
    ))?;
    df.with_column(Column::new(
        "change_yoy_pct".into(),
        gm(&|x| x.year_before.and_then(|p| Growth::pct(x.now, p))),
    ))?;
    df.with_column(Column::new(
        "trend".into(),
        ids.iter()
            .map(|id| Some(trends.get(*id).copied().unwrap_or("inactive")))
            .collect::<Vec<_>>(),
    ))?;
    Ok(df)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::classify::{self, Basis, Params, Tier};
    use crate::analysis::testing::{stage, tx};

    #[test]
    fn one_row_per_customer_in_rank_order_with_gaps_left_empty() {
        let t = tx(&[("a", 0, 100), ("b", 1, 500), ("b", 30, 200)]);
        let params = Params {
            by: Basis::Revenue,
            abc: (80.0, 95.0),
            tiers: vec![Tier {
                name: "All".into(),
                pct: 100.0,
            }],
            grouped: false,
        };
        let classified = classify::classify(&stage(&t, false), &params).unwrap();
        let rfm_params = crate::analysis::rfm::Params {
            as_of: 30,
            bins: 5,
            custom: [None, None, None],
            monetary: Default::default(),
            map: crate::analysis::segments::SegmentMap::default_map(),
        };
        let rfm = crate::analysis::rfm::rfm(&stage(&t, false), &rfm_params)
            .unwrap()
            .frame;
        let rows = customer_rows(&classified, &rfm, &[], None, &[], &[], &HashMap::new()).unwrap();
        let ids: Vec<&str> = rows
            .column("customer")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(ids, ["b", "a"]);
        assert_eq!(
            rows.column("value").unwrap().f64().unwrap().get(0),
            Some(7.0)
        );
        assert_eq!(
            rows.column("frequency").unwrap().null_count(),
            0,
            "RFM joined by id"
        );
        assert_eq!(
            rows.column("clv").unwrap().null_count(),
            2,
            "no model, no CLV"
        );
        assert_eq!(
            rows.column("trend").unwrap().str().unwrap().get(1),
            Some("inactive")
        );
    }
}
