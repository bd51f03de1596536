//! Every standing of each customer in one row (class, RFM, CLV, churn, growth), joined on the
//! customer id from the analyses' own results: the customers table of `tier report`.

use super::churn;
use super::clv;
use super::customers;
use super::growth::Growth;
use crate::input::col;
use polars::prelude::*;
use std::collections::HashMap;

/// `customer → column` as text, for the customers where both are set.
pub fn text_map(df: &DataFrame, column: &str) -> PolarsResult<HashMap<String, String>> {
    let ids = df.column(col::CUSTOMER)?.str()?;
    let v = df.column(column)?.cast(&DataType::String)?;
    let v = v.str()?;
    Ok(ids
        .iter()
        .zip(v.iter())
        .filter_map(|(i, v)| Some((i?.to_string(), v?.to_string())))
        .collect())
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
    let ids: Vec<String> = classified
        .column(col::CUSTOMER)?
        .str()?
        .iter()
        .map(|s| s.unwrap_or_default().to_string())
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
    let index: PlHashMap<&str, usize> = rfm
        .column(col::CUSTOMER)?
        .str()?
        .iter()
        .enumerate()
        .filter_map(|(i, id)| Some((id?, i)))
        .collect();
    let order: Vec<Option<IdxSize>> = ids
        .iter()
        .map(|id| index.get(id.as_str()).map(|&i| i as IdxSize))
        .collect();
    let take = IdxCa::new("take".into(), order);
    for &name in &super::rfm::COLUMNS[1..9] {
        let c = rfm.column(name)?.as_materialized_series().take(&take)?;
        df.with_column(c.with_name(name.into()).into_column())?;
    }
    let pred: PlHashMap<&str, &clv::Prediction> = match predictions {
        Some(p) => summaries
            .iter()
            .zip(p)
            .map(|(s, p)| (s.customer.as_str(), p))
            .collect(),
        None => PlHashMap::default(),
    };
    let r6 = |v: f64| (v * 1e6).round() / 1e6;
    let pick = |f: &dyn Fn(&clv::Prediction) -> f64| -> Vec<Option<f64>> {
        ids.iter()
            .map(|id| pred.get(id.as_str()).map(|p| f(p)))
            .collect()
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
    let by_id: PlHashMap<&str, &churn::Row> =
        churn.iter().map(|r| (r.customer.as_str(), r)).collect();
    let ch = |f: &dyn Fn(&churn::Row) -> Option<String>| -> Vec<Option<String>> {
        ids.iter()
            .map(|id| by_id.get(id.as_str()).and_then(|r| f(r)))
            .collect()
    };
    df.with_column(Column::new(
        "status".into(),
        ch(&|r| Some(r.status.name().into())),
    ))?;
    df.with_column(Column::new(
        "reasons".into(),
        ch(&|r| Some(r.reasons.join("; "))),
    ))?;
    df.with_column(Column::new(
        "value_12m".into(),
        ids.iter()
            .map(|id| by_id.get(id.as_str()).map(|r| r.value_12m as f64 / 100.0))
            .collect::<Vec<_>>(),
    ))?;
    let g: PlHashMap<&str, &Growth> = growth.iter().map(|g| (g.customer.as_str(), g)).collect();
    let gm = |f: &dyn Fn(&Growth) -> Option<f64>| -> Vec<Option<f64>> {
        ids.iter()
            .map(|id| g.get(id.as_str()).and_then(|x| f(x)))
            .collect()
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
            .map(|id| Some(trends.get(id.as_str()).copied().unwrap_or("inactive")))
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
        assert_eq!(text_map(&classified, "abc").unwrap()["b"], "A");
    }
}
