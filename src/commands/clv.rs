//! `tier clv`: fits BG/NBD (or MBG/NBD) and Gamma-Gamma on a calibration period (or loads saved
//! parameters), values every customer over a horizon, and with `--holdout` validates the
//! purchase predictions against what happened.

use crate::analysis::clv::{self, Unit};
use crate::analysis::clv_model::{self, FitReport, Model};
use crate::analysis::holdout::{self, Validation};
use crate::cli::{InputArgs, OutputArgs, PeriodArgs};
use crate::config::Loaded;
use crate::models::bgnbd::Variant;
use crate::output::{write_atomically, Output};
use crate::render;
use crate::{commands, progress, settings, UsageError};
use anyhow::{anyhow, Context, Result};
use clap::Args;
use serde::Serialize;
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
    /// Time unit of frequency, recency, T and the horizon [default: week].
    #[arg(long, value_enum, help_heading = "Model")]
    pub unit: Option<Unit>,
    /// Purchase model [default: bgnbd].
    #[arg(long, value_enum, help_heading = "Model")]
    pub model: Option<Variant>,
    /// Horizon of the predictions, in units, up to 100 years [default: one year of 365.25 days:
    /// 365.25 days, 52.18 weeks or 12 months].
    #[arg(
        long,
        value_name = "UNITS",
        allow_negative_numbers = true,
        help_heading = "Model"
    )]
    pub horizon: Option<f64>,
    /// Share of revenue that is margin, above 0 and at most 1 [default: 1, the whole revenue].
    #[arg(long, allow_negative_numbers = true, help_heading = "Model")]
    pub margin: Option<f64>,
    /// Annual discount rate from 0 to 1 (0.1 = 10% a year), converted per unit as
    /// (1 + d)^(unit days / 365.25) − 1 [default: 0].
    #[arg(
        long,
        value_name = "RATE",
        allow_negative_numbers = true,
        help_heading = "Model"
    )]
    pub discount_rate: Option<f64>,
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
    let set = settings::clv(
        settings::ClvFlags {
            unit: args.unit,
            model: args.model,
            horizon: args.horizon,
            margin: args.margin,
            discount_rate: args.discount_rate,
        },
        cfg,
    )?;
    let mut data = commands::load_window(&args.input, &args.period, None, cfg)?;
    // Without a holdout the per-customer stage holds all the models need; with one, the stage
    // table holds each customer's calibration and holdout purchases.
    let (rows, unvalued, cal_end) = match args.holdout {
        None => {
            let stage = data.customers(false, false)?;
            let rows = clv::summarize_stage(&stage, data.as_of(), set.unit)?;
            (rows, clv::without_purchase_stage(&stage)?, data.as_of())
        }
        Some(_) => {
            let since = data.since();
            let seam = data.seam_with_holdout(|as_of| {
                let cal_end =
                    clv_model::calibration_end(args.holdout, since, as_of).map_err(UsageError)?;
                Ok(cal_end + 1)
            })?;
            let rows = clv::summarize_holdout(&seam, set.unit)?;
            let cal_end = seam.window.holdout - 1;
            (rows, clv::without_purchase_stage(&seam.customers)?, cal_end)
        }
    };
    if !unvalued.is_empty() {
        progress::note(&format!(
            "tier: note: {} customers have no purchase in the window (only returns, or purchases cancelled the same day): listed last with no CLV (spend_source `no purchase`)",
            unvalued.len()
        ));
    }
    let (model, fit) = match &args.load_model {
        Some(path) => (
            load_model(path, set.unit)?,
            clv_model::fit_report(&rows, None, None, 0),
        ),
        None => clv_model::fit(&rows, set.model, set.unit, cal_end).map_err(|e| anyhow!(e))?,
    };
    // Predictions before anything is saved: a model that predicts no number is not kept.
    let valuation = clv_model::valuation(&model, set.horizon, set.margin, set.discount_rate);
    let predictions = clv::predict_all(&valuation, &rows).map_err(|e| anyhow!(e))?;
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
    let once = rows.iter().filter(|s| s.x == 0.0).count();
    if set.model == Variant::Bgnbd && once * 2 > rows.len() {
        progress::note(&format!(
            "tier: note: {once} of {} customers bought only once; BG/NBD assumes such customers are still alive (P(alive) 1) however long ago they bought: --model mbgnbd lets them drop out",
            rows.len()
        ));
    }
    let validation = args
        .holdout
        .map(|h| holdout::validate(&valuation, &rows, data.as_of() - h + 1, set.unit));
    if args.summary {
        let report = Report {
            model: &model,
            fit: &fit,
            horizon: valuation.horizon,
            margin: set.margin,
            discount_rate_per_unit: valuation.discount_per_unit,
            validation,
        };
        return out.write(|w, f| super::clv_report::write_report(&report, f, w));
    }
    let holdout_expected = validation.as_ref().map(|v| v.per_customer.as_slice());
    let mut frame =
        clv::with_unvalued(clv::frame(rows, predictions, holdout_expected)?, &unvalued)?;
    out.write(|w, f| {
        render::frame_keeping(&mut frame, &["clv", "p_alive", "expected_purchases"], f, w)
    })
}

/// Reads a saved model and converts its time scale α to `unit`.
fn load_model(path: &Path, unit: Unit) -> Result<Model> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the model `{}`", path.display()))?;
    clv_model::from_json(&text, unit).map_err(|e| {
        anyhow!(
            "`{}`: {e}; a model file is what tier clv --save-model writes",
            path.display()
        )
    })
}
