//! The CLV model as every command uses it (`clv`, `churn`): the calibration/holdout split, fitting
//! BG/NBD (or MBG/NBD) and Gamma-Gamma on calibration summaries, the saved-model format and its
//! checks and unit conversion, and the valuation settings. Pure: no files, no printing.

use super::clv::{self, Summary, Unit, Valuation};
use crate::input::iso_date;
use crate::models::bgnbd::{self, Variant};
use crate::models::{fit_gamma_gamma, gamma_gamma, optim::Fitted};
use polars::prelude::PlHashMap;
use serde::{Deserialize, Serialize};

/// A fitted model as saved by `--save-model`, and the core of the fit report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    pub format: String,
    pub model: Variant,
    pub unit: Unit,
    pub calibration_end: String,
    pub bgnbd: bgnbd::Params,
    pub gamma_gamma: gamma_gamma::Params,
    /// Spend given to customers the Gamma-Gamma model cannot value.
    pub fallback_spend: f64,
    /// Why the purchase model cannot stand for drop-out (a fit on the edge of the parameter
    /// space), when it cannot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degenerate: Option<String>,
}

pub const MODEL_FORMAT: &str = "tier-clv-model-1";

/// How a fit went.
#[derive(Debug, Serialize)]
pub struct FitReport {
    pub customers: usize,
    pub distinct_histories: usize,
    pub repeat_purchases: f64,
    pub customers_without_repeat: usize,
    pub bgnbd: Option<Fitted>,
    pub gamma_gamma_customers: usize,
    pub gamma_gamma: Option<Fitted>,
    pub customers_valued_at_fallback_spend: usize,
}

/// A year, the default horizon, in days (the year of the discount rate and of `--unit month`).
pub const YEAR_DAYS: f64 = 365.25;

/// The longest horizon, in years: beyond it the model says nothing useful.
pub const MAX_HORIZON_YEARS: f64 = 100.0;

/// The last calibration day: the day before `holdout`, or the as-of date without one. The
/// holdout must leave at least one calibration day after `since` and fall on or before the as-of
/// date.
pub fn calibration_end(
    holdout: Option<i32>,
    since: Option<i32>,
    as_of: i32,
) -> Result<i32, String> {
    match holdout {
        Some(h) if h > as_of || since.is_some_and(|s| h <= s) => Err(format!(
            "--holdout {} must fall after the first and on or before the as-of date {}",
            iso_date(h),
            iso_date(as_of)
        )),
        Some(h) => Ok(h - 1),
        None => Ok(as_of),
    }
}

/// The fit report's counts for `rows`, with the fits when there were any.
pub fn fit_report(
    rows: &[Summary],
    bg: Option<Fitted>,
    gg: Option<Fitted>,
    gg_customers: usize,
) -> FitReport {
    FitReport {
        customers: rows.len(),
        distinct_histories: bgnbd::compress(rows.iter().map(|s| (s.x, s.t_x, s.t))).len(),
        repeat_purchases: rows.iter().map(|s| s.x).sum(),
        customers_without_repeat: rows.iter().filter(|s| s.x == 0.0).count(),
        bgnbd: bg,
        gamma_gamma_customers: gg_customers,
        gamma_gamma: gg,
        customers_valued_at_fallback_spend: 0,
    }
}

/// Fits the purchase model (BG/NBD or MBG/NBD) alone, for P(alive).
pub fn fit_purchases(
    rows: &[Summary],
    variant: Variant,
) -> Result<(bgnbd::Params, Fitted), String> {
    fit_purchases_from(rows, variant, None)
}

/// As [`fit_purchases`], starting from `hint` (see [`crate::models::fit_bgnbd_from`]).
fn fit_purchases_from(
    rows: &[Summary],
    variant: Variant,
    hint: Option<bgnbd::Params>,
) -> Result<(bgnbd::Params, Fitted), String> {
    let histories = bgnbd::compress(rows.iter().map(|s| (s.x, s.t_x, s.t)));
    crate::models::fit_bgnbd_from(&histories, variant, hint)
        .map_err(|e| format!("cannot fit the purchase model: {e}"))
}

/// P(alive) of the customers with a repeat purchase (for a one-time buyer BG/NBD always says 1,
/// which tells nothing), from a BG/NBD fit; or why there is none: the fit failed, or it is
/// degenerate (no drop-out could be estimated).
pub fn p_alive_of_repeaters(rows: &[Summary]) -> Result<PlHashMap<String, f64>, String> {
    let (bg, _) = fit_purchases(rows, Variant::Bgnbd)?;
    p_alive_with(&bg, rows)
}

/// `p_alive_of_repeaters` from BG/NBD parameters already fitted on `rows` (a command that fits
/// BG/NBD for CLV need not fit it again for P(alive)).
pub fn p_alive_with(
    bg: &bgnbd::Params,
    rows: &[Summary],
) -> Result<PlHashMap<String, f64>, String> {
    let bg = *bg;
    if let Some(why) = bgnbd::degenerate(&bg, Variant::Bgnbd) {
        return Err(format!("the purchase model is degenerate: {why}"));
    }
    Ok(rows
        .iter()
        .filter(|s| s.x > 0.0)
        .map(|s| {
            let p = bgnbd::p_alive(&bg, Variant::Bgnbd, s.x, s.t_x, s.t);
            (s.customer.clone(), p)
        })
        .collect())
}

/// Fits the purchase and spend models on calibration summaries.
pub fn fit(
    rows: &[Summary],
    variant: Variant,
    unit: Unit,
    cal_end: i32,
) -> Result<(Model, FitReport), String> {
    fit_from(rows, variant, unit, cal_end, None)
}

/// As [`fit`], the purchase model starting from the parameters of `hint`, a model fitted on
/// similar data (the report's validation refits the whole window's model without its holdout).
pub fn fit_from(
    rows: &[Summary],
    variant: Variant,
    unit: Unit,
    cal_end: i32,
    hint: Option<&Model>,
) -> Result<(Model, FitReport), String> {
    let (bg, bg_fit) = fit_purchases_from(rows, variant, hint.map(|m| m.bgnbd))?;
    let spends: Vec<(f64, f64)> = rows
        .iter()
        .filter_map(|s| s.monetary.filter(|&m| m > 0.0).map(|m| (s.x, m)))
        .collect();
    if spends.len() < 2 {
        return Err(format!(
            "cannot fit the spend model: {} customers have repeat purchases of positive value, and the \
             Gamma-Gamma model needs at least 2; check the sign of the amounts or use a longer period",
            spends.len()
        ));
    }
    let (gg, gg_fit) = fit_gamma_gamma(&gamma_gamma::compress(spends.iter().copied()))
        .map_err(|e| format!("cannot fit the spend model: {e}"))?;
    let fallback = gamma_gamma::population_mean(&gg)
        .unwrap_or_else(|| spends.iter().map(|s| s.1).sum::<f64>() / spends.len() as f64);
    let model = Model {
        format: MODEL_FORMAT.into(),
        model: variant,
        unit,
        calibration_end: iso_date(cal_end),
        bgnbd: bg,
        gamma_gamma: gg,
        fallback_spend: fallback,
        degenerate: bgnbd::degenerate(&bg, variant),
    };
    let report = fit_report(rows, Some(bg_fit), Some(gg_fit), spends.len());
    Ok((model, report))
}

/// A saved model from its JSON text, checked, with its time scale α converted to `unit`.
pub fn from_json(text: &str, unit: Unit) -> Result<Model, String> {
    let mut m: Model = serde_json::from_str(text)
        .map_err(|e| format!("not a model saved by tier clv --save-model ({e})"))?;
    if m.format != MODEL_FORMAT {
        return Err(format!(
            "has format `{}`; this tier reads `{MODEL_FORMAT}`",
            m.format
        ));
    }
    check(&m)?;
    m.degenerate = bgnbd::degenerate(&m.bgnbd, m.model);
    m.bgnbd.alpha *= m.unit.days() / unit.days();
    m.unit = unit;
    Ok(m)
}

/// What a saved model must hold to be scored with: finite positive parameters (each model's
/// parameters are shape and scale parameters of gamma and beta distributions), a non-negative
/// fallback spend, and a calibration end date.
pub fn check(m: &Model) -> Result<(), String> {
    let b = &m.bgnbd;
    let g = &m.gamma_gamma;
    let named = [
        ("bgnbd.r", b.r),
        ("bgnbd.alpha", b.alpha),
        ("bgnbd.a", b.a),
        ("bgnbd.b", b.b),
        ("gamma_gamma.p", g.p),
        ("gamma_gamma.q", g.q),
        ("gamma_gamma.gamma", g.gamma),
    ];
    for (name, v) in named {
        if !(v > 0.0 && v.is_finite()) {
            return Err(format!(
                "{name} = {v} is not a model parameter (each must be a positive number); refit with --save-model"
            ));
        }
    }
    if !(m.fallback_spend >= 0.0 && m.fallback_spend.is_finite()) {
        return Err(format!(
            "fallback_spend = {} must be a non-negative amount",
            m.fallback_spend
        ));
    }
    crate::input::parse_date_flag(&m.calibration_end)
        .map(|_| ())
        .map_err(|e| format!("calibration_end: {e}"))
}

/// How to value customers with `model`: over `horizon` units (default one year), a margin, an
/// annual discount rate.
pub fn valuation(
    model: &Model,
    horizon: Option<f64>,
    margin: f64,
    discount_rate: f64,
) -> Valuation {
    Valuation {
        variant: model.model,
        bg: model.bgnbd,
        gg: Some(model.gamma_gamma),
        fallback_spend: model.fallback_spend,
        horizon: horizon.unwrap_or(YEAR_DAYS / model.unit.days()),
        margin,
        discount_per_unit: clv::discount_per_unit(discount_rate, model.unit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(id: &str, x: f64, t_x: f64, t: f64, m: Option<f64>) -> Summary {
        Summary {
            customer: id.into(),
            x,
            t_x,
            t,
            monetary: m,
            holdout: None,
            holdout_days: Vec::new(),
        }
    }

    #[test]
    fn the_holdout_splits_calibration_from_validation() {
        assert_eq!(calibration_end(None, None, 100), Ok(100));
        assert_eq!(calibration_end(Some(50), None, 100), Ok(49));
        assert!(calibration_end(Some(101), None, 100).is_err());
        assert!(calibration_end(Some(50), Some(50), 100).is_err());
    }

    #[test]
    fn a_fit_is_saved_and_loaded_in_another_unit() {
        let rows: Vec<Summary> = (0..60)
            .map(|i| {
                let x = (i % 5) as f64;
                let m = (x > 0.0).then_some(10.0 + (i % 7) as f64);
                summary(&format!("c{i}"), x, x * 3.0, 30.0 + (i % 9) as f64, m)
            })
            .collect();
        let (model, report) = fit(&rows, Variant::Bgnbd, Unit::Week, 1000).unwrap();
        assert_eq!(report.customers, 60);
        let text = serde_json::to_string(&model).unwrap();
        let days = from_json(&text, Unit::Day).unwrap();
        assert!((days.bgnbd.alpha - model.bgnbd.alpha * 7.0).abs() < 1e-9);
        assert_eq!(days.unit, Unit::Day);
        let v = valuation(&days, None, 1.0, 0.0);
        assert_eq!(v.horizon, 365.25);
    }

    #[test]
    fn impossible_saved_models_are_refused() {
        let rows = vec![summary("a", 0.0, 0.0, 1.0, None)];
        assert!(fit(&rows, Variant::Bgnbd, Unit::Week, 0).is_err());
        let bad = r#"{"format":"tier-clv-model-1","model":"bgnbd","unit":"week","calibration_end":"2024-01-01","bgnbd":{"r":-1,"alpha":1,"a":1,"b":1},"gamma_gamma":{"p":1,"q":2,"gamma":1},"fallback_spend":1}"#;
        assert!(from_json(bad, Unit::Week).unwrap_err().contains("bgnbd.r"));
        assert!(from_json("{}", Unit::Week).is_err());
    }
}
