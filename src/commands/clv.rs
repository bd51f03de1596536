//! `tier clv`: fits BG/NBD (or MBG/NBD) and Gamma-Gamma on a calibration period (or loads saved
//! parameters), values every customer over a horizon, and with `--holdout` validates the
//! purchase predictions against what happened.

use crate::analysis::clv::{self, Summary, Unit, Valuation};
use crate::analysis::holdout::{self, Validation};
use crate::cli::{InputArgs, OutputArgs, PeriodArgs};
use crate::config::Loaded;
use crate::input::iso_date;
use crate::models::bgnbd::{self, Variant};
use crate::models::{fit_bgnbd, fit_gamma_gamma, gamma_gamma, optim::Fitted};
use crate::output::{write_atomically, Output};
use crate::render;
use crate::{commands, progress, UsageError};
use anyhow::{anyhow, Context, Result};
use clap::Args;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "Examples:
  tier clv sales.csv                                   CLV over the next 52 weeks per customer
  tier clv sales.csv --summary                         the fitted parameters and fit report
  tier clv sales.csv --holdout 2025-07-01 --summary    fit before July, check against July onwards
  tier clv sales.csv --margin 0.3 --discount-rate 0.1 --horizon 104
  tier clv sales.csv --save-model model.json           keep the fitted parameters
  tier clv new.csv --load-model model.json             score new data without refitting";

/// Flags of `tier clv`.
#[derive(Debug, Args)]
#[command(after_long_help = EXAMPLES)]
pub struct ClvArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Time unit of frequency, recency, T and the horizon.
    #[arg(long, value_enum, default_value_t = Unit::Week, help_heading = "Model")]
    pub unit: Unit,
    /// Purchase model.
    #[arg(long, value_enum, default_value_t = Variant::Bgnbd, help_heading = "Model")]
    pub model: Variant,
    /// Horizon of the predictions, in units, up to 100 years [default: one year of 365.25 days:
    /// 365.25 days, 52.18 weeks or 12 months].
    #[arg(
        long,
        value_name = "UNITS",
        allow_negative_numbers = true,
        help_heading = "Model"
    )]
    pub horizon: Option<f64>,
    /// Share of revenue that is margin (1 = value revenue).
    #[arg(
        long,
        default_value_t = 1.0,
        allow_negative_numbers = true,
        help_heading = "Model"
    )]
    pub margin: f64,
    /// Annual discount rate from 0 to 1 (0.1 = 10% a year), converted per unit as
    /// (1 + d)^(unit days / 365.25) − 1.
    #[arg(
        long,
        value_name = "RATE",
        default_value_t = 0.0,
        allow_negative_numbers = true,
        help_heading = "Model"
    )]
    pub discount_rate: f64,
    /// Fit on data before this date and compare predictions with purchases from it to the as-of date.
    #[arg(long, value_name = "DATE", value_parser = crate::input::parse_date_flag, help_heading = "Model")]
    pub holdout: Option<i32>,
    /// Print the fit report (and the holdout validation) instead of one row per customer.
    #[arg(long, help_heading = "Model")]
    pub summary: bool,
    /// Write the fitted parameters to this JSON file.
    #[arg(long, value_name = "FILE", help_heading = "Model")]
    pub save_model: Option<PathBuf>,
    /// Score with parameters saved by --save-model instead of fitting.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "save_model",
        help_heading = "Model"
    )]
    pub load_model: Option<PathBuf>,
}

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

const MODEL_FORMAT: &str = "tier-clv-model-1";

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

/// What `--save-model` writes: the parameters (read back by `--load-model`) and the fit report.
#[derive(Serialize)]
struct Saved<'a> {
    #[serde(flatten)]
    model: &'a Model,
    fit: &'a FitReport,
}

/// Everything `--summary` prints.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub model: &'a Model,
    pub fit: &'a FitReport,
    pub horizon: f64,
    pub margin: f64,
    pub discount_rate_per_unit: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<Validation>,
}

/// Runs `tier clv`.
pub fn run(args: &ClvArgs, cfg: &Loaded) -> Result<()> {
    let out = Output::resolve(&args.output)?;
    check_flags(args)?;
    let mut data = commands::load_window(&args.input, &args.period, None, cfg)?;
    let days = clv::purchase_days(&data.customer_days()?)?;
    let cal_end = match args.holdout {
        Some(h) if h > data.as_of || data.since.is_some_and(|s| h <= s) => {
            return Err(UsageError(format!(
                "--holdout {} must fall after the first and on or before the as-of date {}",
                iso_date(h),
                iso_date(data.as_of)
            ))
            .into())
        }
        Some(h) => h - 1,
        None => data.as_of,
    };
    let rows = clv::summarize(&days, cal_end, args.holdout.map(|_| data.as_of), args.unit)?;
    let (model, fit) = match &args.load_model {
        Some(path) => (
            load_model(path, args.unit)?,
            fit_report(&rows, None, None, 0),
        ),
        None => fit(&rows, args.model, args.unit, cal_end)?,
    };
    if let Some(path) = &args.save_model {
        let saved = Saved {
            model: &model,
            fit: &fit,
        };
        write_atomically(path, |w| Ok(serde_json::to_writer_pretty(&mut *w, &saved)?))?;
    }
    if let Some(why) = &model.degenerate {
        progress::note(&format!(
            "tier: warning: the purchase model is degenerate: {why}"
        ));
    }
    let horizon = args.horizon.unwrap_or(YEAR_DAYS / args.unit.days());
    let valuation = Valuation {
        variant: model.model,
        bg: model.bgnbd,
        gg: Some(model.gamma_gamma),
        fallback_spend: model.fallback_spend,
        horizon,
        margin: args.margin,
        discount_per_unit: clv::discount_per_unit(args.discount_rate, args.unit),
    };
    let predictions = clv::predict_all(&valuation, &rows);
    let fallback = predictions.iter().filter(|p| !p.modelled_spend).count();
    let fit = FitReport {
        customers_valued_at_fallback_spend: fallback,
        ..fit
    };
    progress::note(&format!(
        "tier: note: {fallback} of {} customers have no repeat purchase of positive value and are valued at the population mean spend {:.2}",
        rows.len(),
        model.fallback_spend
    ));
    let validation = args
        .holdout
        .map(|h| holdout::validate(&valuation, &rows, data.as_of - h + 1, args.unit));
    if args.summary {
        let report = Report {
            model: &model,
            fit: &fit,
            horizon,
            margin: args.margin,
            discount_rate_per_unit: valuation.discount_per_unit,
            validation,
        };
        return out.write(|w, f| super::clv_report::write_report(&report, f, w));
    }
    let holdout_expected = validation.as_ref().map(|v| v.per_customer.as_slice());
    let mut frame = clv::frame(&rows, &predictions, holdout_expected)?;
    out.write(|w, f| render::frame(&mut frame, f, w))
}

/// A year, the default horizon, in days (the year of the discount rate and of `--unit month`).
const YEAR_DAYS: f64 = 365.25;

/// The longest horizon, in years: beyond it the model says nothing useful, and the work of a
/// discounted valuation grows with it.
const MAX_HORIZON_YEARS: f64 = 100.0;

fn check_flags(args: &ClvArgs) -> Result<()> {
    let bad = |m: String| -> Result<()> { Err(UsageError(m).into()) };
    let max = MAX_HORIZON_YEARS * YEAR_DAYS / args.unit.days();
    if args.horizon.is_some_and(|h| !(h > 0.0 && h <= max)) {
        return bad(format!(
            "--horizon {} must be above 0 and at most {max} {}s (100 years)",
            args.horizon.unwrap_or(0.0),
            args.unit.name()
        ));
    }
    if !(args.margin > 0.0 && args.margin <= 1.0) {
        return bad(format!(
            "--margin {} must be above 0 and at most 1",
            args.margin
        ));
    }
    if !(0.0..=1.0).contains(&args.discount_rate) {
        return bad(format!(
            "--discount-rate {} must be from 0 to 1 (0.1 = 10% a year)",
            args.discount_rate
        ));
    }
    Ok(())
}

fn fit_report(
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

fn fit(rows: &[Summary], variant: Variant, unit: Unit, cal_end: i32) -> Result<(Model, FitReport)> {
    let histories = bgnbd::compress(rows.iter().map(|s| (s.x, s.t_x, s.t)));
    let (bg, bg_fit) = fit_bgnbd(&histories, variant)
        .map_err(|e| anyhow!("cannot fit the purchase model: {e}"))?;
    let spends: Vec<(f64, f64)> = rows
        .iter()
        .filter_map(|s| s.monetary.filter(|&m| m > 0.0).map(|m| (s.x, m)))
        .collect();
    if spends.len() < 2 {
        anyhow::bail!(
            "cannot fit the spend model: {} customers have repeat purchases of positive value, and the \
             Gamma-Gamma model needs at least 2; check the sign of the amounts or use a longer period",
            spends.len()
        );
    }
    let (gg, gg_fit) = fit_gamma_gamma(&gamma_gamma::compress(spends.iter().copied()))
        .map_err(|e| anyhow!("cannot fit the spend model: {e}"))?;
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
        degenerate: bgnbd::degenerate(&bg),
    };
    let report = fit_report(rows, Some(bg_fit), Some(gg_fit), spends.len());
    Ok((model, report))
}

/// Reads a saved model and converts its time scale α to `unit`.
fn load_model(path: &Path, unit: Unit) -> Result<Model> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the model `{}`", path.display()))?;
    let mut m: Model = serde_json::from_str(&text).with_context(|| {
        format!(
            "`{}` is not a model saved by tier clv --save-model",
            path.display()
        )
    })?;
    if m.format != MODEL_FORMAT {
        anyhow::bail!(
            "`{}` has format `{}`; this tier reads `{MODEL_FORMAT}`",
            path.display(),
            m.format
        );
    }
    check_model(&m).map_err(|e| anyhow::anyhow!("`{}`: {e}", path.display()))?;
    m.degenerate = bgnbd::degenerate(&m.bgnbd);
    m.bgnbd.alpha *= m.unit.days() / unit.days();
    m.unit = unit;
    Ok(m)
}

/// What a saved model must hold to be scored with: finite positive parameters (each model's
/// parameters are shape and scale parameters of gamma and beta distributions), a non-negative
/// fallback spend, and a calibration end date.
fn check_model(m: &Model) -> std::result::Result<(), String> {
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
