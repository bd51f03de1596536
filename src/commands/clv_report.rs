//! How `tier clv --summary` looks: the fit report and validation as JSON, as `metric,value`
//! rows, or as titled tables for a person at a terminal.

use super::clv::Report;
use crate::analysis::holdout::Validation;
use crate::models::bgnbd::Variant;
use crate::models::optim::Fitted;
use crate::render::Format;
use crate::summary::Summary;
use anyhow::Result;
use polars::prelude::{df, DataFrame, PolarsResult};

/// The fit report in its two forms.
pub fn summary(r: &Report) -> Result<Summary> {
    Ok(Summary::new(serde_json::to_value(r)?, report_sections(r)?))
}

pub fn write_report(r: &Report, format: Format, w: &mut dyn std::io::Write) -> Result<()> {
    summary(r)?.write(format, w)
}

fn kv(rows: &[(&str, String)]) -> PolarsResult<DataFrame> {
    df!(
        "measure" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "value" => rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
    )
}

fn fit_rows(f: &Option<Fitted>) -> Vec<(&'static str, String)> {
    match f {
        Some(f) => vec![
            ("log-likelihood", format!("{:.4}", f.log_likelihood)),
            ("iterations", f.iterations.to_string()),
            (
                "converged",
                format!(
                    "{} ({}; gradient {:.1e})",
                    f.converged, f.termination, f.gradient_norm
                ),
            ),
        ],
        None => vec![("fit", "loaded from --load-model".to_string())],
    }
}

/// The report as a person reads it: purchase model, spend model, valuation, validation.
fn report_sections(r: &Report) -> Result<Vec<(String, DataFrame)>> {
    let (m, f) = (r.model, r.fit);
    let name = match m.model {
        Variant::Bgnbd => "BG/NBD",
        Variant::Mbgnbd => "MBG/NBD",
    };
    let unit = format!("{:?}", m.unit).to_lowercase();
    let mut purchase = vec![
        ("r", format!("{:.6}", m.bgnbd.r)),
        ("alpha", format!("{:.6}", m.bgnbd.alpha)),
        ("a", format!("{:.6}", m.bgnbd.a)),
        ("b", format!("{:.6}", m.bgnbd.b)),
        (
            "degenerate",
            m.degenerate.clone().unwrap_or_else(|| "no".into()),
        ),
    ];
    purchase.extend(fit_rows(&f.bgnbd));
    purchase.extend([
        ("customers", f.customers.to_string()),
        ("distinct histories", f.distinct_histories.to_string()),
        ("repeat purchases", f.repeat_purchases.to_string()),
        (
            "customers without a repeat purchase",
            f.customers_without_repeat.to_string(),
        ),
    ]);
    let mut spend = vec![
        ("p", format!("{:.6}", m.gamma_gamma.p)),
        ("q", format!("{:.6}", m.gamma_gamma.q)),
        ("gamma", format!("{:.6}", m.gamma_gamma.gamma)),
    ];
    spend.extend(fit_rows(&f.gamma_gamma));
    spend.push((
        "customers (repeat purchases of positive value)",
        f.gamma_gamma_customers.to_string(),
    ));
    let valuation = [
        ("horizon", format!("{} {unit}s", short(r.horizon))),
        ("margin", r.margin.to_string()),
        (
            "discount rate per unit",
            format!("{:.6}", r.discount_rate_per_unit),
        ),
        ("population mean spend", format!("{:.2}", m.fallback_spend)),
        (
            "customers valued at the population mean spend",
            f.customers_valued_at_fallback_spend.to_string(),
        ),
    ];
    let mut parts = vec![
        (
            format!(
                "Purchase model: {name}, unit {unit}, fitted on data up to {}",
                m.calibration_end
            ),
            kv(&purchase)?,
        ),
        ("Spend model: Gamma-Gamma".to_string(), kv(&spend)?),
        ("Valuation".to_string(), kv(&valuation)?),
    ];
    if let Some(v) = &r.validation {
        parts.extend(validation_sections(v)?);
    }
    Ok(parts)
}

fn validation_sections(v: &Validation) -> Result<Vec<(String, DataFrame)>> {
    let overall = [
        ("holdout days", v.holdout_days.to_string()),
        ("customers", v.customers.to_string()),
        ("actual purchases", v.actual_purchases.to_string()),
        (
            "predicted purchases",
            format!("{:.1}", v.predicted_purchases),
        ),
        ("MAE per customer", format!("{:.4}", v.mae)),
        ("RMSE per customer", format!("{:.4}", v.rmse)),
        (
            "bias per customer (predicted − actual)",
            format!("{:.4}", v.bias),
        ),
    ];
    let by = &v.by_frequency;
    let freq = df!(
        "calibration_frequency" => by.iter().map(|b| b.frequency.clone()).collect::<Vec<_>>(),
        "customers" => by.iter().map(|b| b.customers as u64).collect::<Vec<_>>(),
        "actual_mean" => by.iter().map(|b| b.actual_mean).collect::<Vec<_>>(),
        "predicted_mean" => by.iter().map(|b| b.predicted_mean).collect::<Vec<_>>(),
    )?;
    let weeks = &v.cumulative_by_week;
    let week = df!(
        "week" => weeks.iter().map(|w| w.week).collect::<Vec<_>>(),
        "actual" => weeks.iter().map(|w| w.actual).collect::<Vec<_>>(),
        "predicted" => weeks.iter().map(|w| (w.predicted * 10.0).round() / 10.0).collect::<Vec<_>>(),
    )?;
    Ok(vec![
        ("Holdout validation".to_string(), kv(&overall)?),
        (
            "Holdout purchases by calibration frequency".to_string(),
            freq,
        ),
        ("Cumulative holdout purchases by week".to_string(), week),
    ])
}

/// A number with at most four decimals and no trailing zeros (`52.1786`, `12`).
fn short(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
