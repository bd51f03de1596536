//! `tier churn`: its flags and their resolution (flags > `[churn]` of tier.toml > defaults), the
//! CLV model as one signal (with the fall-back when it cannot be fitted or is degenerate), and
//! the five views: per customer, `--summary`, `--rates`, `--cohorts`, `--lost`.

use crate::analysis::churn::{self, Row, Status};
use crate::analysis::classify;
use crate::analysis::clv;
use crate::analysis::clv_model;
use crate::analysis::periods::{self, Period};
use crate::analysis::retention;
use crate::analysis::seam::Seam;
use crate::cli::{InputArgs, OutputArgs, PeriodArgs};
use crate::config::Loaded;
use crate::input::iso_date;
use crate::models::bgnbd::Variant;
use crate::output::Output;
use crate::render::{self, Format};
use crate::settings::{self, ChurnFlags};
use crate::summary::Summary;
use crate::{commands, progress};
use anyhow::Result;
use clap::Args;
use polars::prelude::*;

const EXAMPLES: &str = "Examples:
  tier churn sales.csv                          status and reasons per customer, most urgent first
  tier churn sales.csv --summary                customers and value at risk by status and class
  tier churn sales.csv --rates --period quarter churn rate, new and returned customers per quarter
  tier churn sales.csv --cohorts                share of each acquisition cohort still buying
  tier churn sales.csv --lost                   lost customers and how their purchases fell
  tier churn sales.csv --no-model --lost-gap 6  without P(alive), lost beyond 6 usual gaps";

/// Flags of `tier churn`.
#[derive(Debug, Args)]
#[command(after_long_help = EXAMPLES)]
pub struct ChurnArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Calendar period of the value comparisons, rates and cohorts [default: month].
    #[arg(long = "period", value_enum, help_heading = "Churn")]
    pub every: Option<Period>,
    /// Customers and value by status and by ABC class, and the customers at risk by value.
    #[arg(long, group = "view", help_heading = "Churn")]
    pub summary: bool,
    /// One row per period: active, churned, churn rate, revenue lost, new, returned.
    #[arg(long, group = "view", help_heading = "Churn")]
    pub rates: bool,
    /// Acquisition cohorts: share of each cohort present, and value retention, per period since.
    #[arg(long, group = "view", help_heading = "Churn")]
    pub cohorts: bool,
    /// The lost customers: class and tier, value in the last 12 active months, and the decline.
    #[arg(long, group = "view", help_heading = "Churn")]
    pub lost: bool,
    /// At risk beyond this many typical gaps since the last purchase [default: 2].
    #[arg(long, value_name = "RATIO", help_heading = "Thresholds")]
    pub at_risk_gap: Option<f64>,
    /// Lapsed beyond this many typical gaps [default: 4].
    #[arg(long, value_name = "RATIO", help_heading = "Thresholds")]
    pub lapsed_gap: Option<f64>,
    /// Lost beyond this many typical gaps [default: 8].
    #[arg(long, value_name = "RATIO", help_heading = "Thresholds")]
    pub lost_gap: Option<f64>,
    /// The typical gap of one-time buyers, in days [default: the median of the repeat buyers'].
    #[arg(long, value_name = "DAYS", help_heading = "Thresholds")]
    pub one_time_gap: Option<f64>,
    /// At risk when the last complete period's value fell by this share against both the
    /// previous period and the same period a year before [default: 0.5].
    #[arg(long, value_name = "SHARE", help_heading = "Thresholds")]
    pub drop: Option<f64>,
    /// At risk below this P(alive) [default: 0.5].
    #[arg(long, value_name = "P", help_heading = "Thresholds")]
    pub at_risk_p_alive: Option<f64>,
    /// Lapsed below this P(alive) [default: 0.2].
    #[arg(long, value_name = "P", help_heading = "Thresholds")]
    pub lapsed_p_alive: Option<f64>,
    /// Leave out the CLV model (no P(alive), no CLV).
    #[arg(long, help_heading = "Thresholds")]
    pub no_model: bool,
}

impl ChurnArgs {
    /// The churn flags as plain values, for the settings layer.
    pub fn flags(&self) -> ChurnFlags {
        ChurnFlags {
            period: self.every,
            at_risk_gap: self.at_risk_gap,
            lapsed_gap: self.lapsed_gap,
            lost_gap: self.lost_gap,
            one_time_gap: self.one_time_gap,
            drop: self.drop,
            at_risk_p_alive: self.at_risk_p_alive,
            lapsed_p_alive: self.lapsed_p_alive,
        }
    }
}

/// P(alive) (repeat buyers only) and CLV (when the spend model fits too) per customer.
type Signals = (PlHashMap<String, f64>, PlHashMap<String, f64>);

/// P(alive) and CLV per customer from BG/NBD (and Gamma-Gamma for CLV) fitted on the whole
/// window, for customers with a repeat purchase (for a one-time buyer BG/NBD says P(alive) = 1,
/// which tells nothing). `None`, with a note naming the reason, when the purchase model cannot
/// be fitted or is degenerate: the other signals decide alone.
fn model_signals(
    stage: &DataFrame,
    as_of: i32,
    set: &crate::settings::Clv,
) -> Result<Option<Signals>> {
    let rows = clv::summarize_stage(stage, as_of, set.unit)?;
    let without = "the status rests on the gaps and the values";
    // One BG/NBD fit serves both P(alive) and CLV when CLV's model is BG/NBD.
    let fitted = clv_model::fit(&rows, set.model, set.unit, as_of);
    let p_alive = match (&fitted, set.model) {
        (Ok((model, _)), Variant::Bgnbd) => clv_model::p_alive_with(&model.bgnbd, &rows),
        _ => clv_model::p_alive_of_repeaters(&rows),
    };
    let p_alive = match p_alive {
        Ok(p) => p,
        Err(e) => {
            progress::note(&format!("tier: note: no P(alive): {e}; {without}"));
            return Ok(None);
        }
    };
    let value = match fitted {
        Ok((model, _)) => {
            let valuation =
                clv_model::valuation(&model, set.horizon, set.margin, set.discount_rate);
            match clv::predict_all(&valuation, &rows) {
                Ok(predictions) => rows
                    .iter()
                    .zip(&predictions)
                    .map(|(s, p)| (s.customer.clone(), p.clv))
                    .collect(),
                Err(e) => {
                    progress::note(&format!("tier: note: no CLV: {e}"));
                    PlHashMap::default()
                }
            }
        }
        Err(e) => {
            progress::note(&format!("tier: note: no CLV: {e}"));
            PlHashMap::default()
        }
    };
    Ok(Some((p_alive, value)))
}

/// Runs `tier churn`.
pub fn run(args: &ChurnArgs, cfg: &Loaded) -> Result<()> {
    let out = Output::resolve(&args.output)?;
    let params = settings::churn(&args.flags(), cfg)?;
    let mut data = commands::load_window(&args.input, &args.period, None, cfg)?;
    let seam = data.seam()?;
    let (as_of, stage) = (data.as_of(), &seam.customers);
    let period = params.period;
    let here = period.index(as_of);
    if let Some(note) = period.partial_note(here, as_of) {
        let compared = if args.rates || args.cohorts {
            "it is marked `complete = false`".to_string()
        } else {
            format!(
                "values compare the last complete {} {}",
                period.name(),
                period.label(here - 1)
            )
        };
        progress::note(&format!("tier: note: {note}; {compared}"));
    }
    // The first period the data covers whole: none before it is compared.
    let first = periods::first_whole_of(&seam, period)?;
    if args.rates || args.cohorts {
        let presence = retention::presence(&seam.customer_periods(period)?)?;
        let mut frame = if args.rates {
            let rates = retention::rates(&presence, period, as_of, first);
            if let Some(note) = retention::unknown_note(&rates, period) {
                progress::note(&format!("tier: note: {note}"));
            }
            retention::rates_frame(&rates, period)?
        } else {
            let cells = retention::cohorts(&presence, period, as_of);
            if out.format == Format::Table {
                retention::cohorts_table(&cells, period)?
            } else {
                retention::cohorts_frame(&cells, period)?
            }
        };
        return out.write(|w, f| render::frame(&mut frame, f, w));
    }
    let class_params = settings::classify(None, None, None, false, cfg)?;
    let classes = classify::classify(stage, &class_params)?;
    let signals = if args.no_model || cfg.config.churn.no_model == Some(true) {
        None
    } else {
        let set = settings::clv(settings::ClvFlags::default(), cfg)?;
        model_signals(stage, as_of, &set)?
    };
    let mut rows = churn::standing(&seam, &params, signals.as_ref().map(|s| &s.0), first)?;
    let abc = lookup(&classes, "abc")?;
    for r in &mut rows {
        r.abc = abc.get(&r.customer).cloned();
        r.clv = signals.as_ref().and_then(|s| s.1.get(&r.customer).copied());
    }
    if args.lost {
        let tiers = lookup(&classes, "tier")?;
        let presence = retention::presence(&seam.customer_periods(period)?)?;
        let mut frame = lost_frame(&rows, &abc, &tiers, &presence, period, &seam)?;
        return out.write(|w, f| render::frame(&mut frame, f, w));
    }
    if args.summary {
        return write_summary(&out, &rows);
    }
    let mut frame = churn::frame(&rows)?;
    match &signals {
        None => frame = frame.drop_many(["p_alive", "clv"]),
        Some((_, clv)) if clv.is_empty() => frame = frame.drop_many(["clv"]),
        Some(_) => {}
    }
    out.write(|w, f| render::frame_keeping(&mut frame, &["status", "abc", "value_12m"], f, w))
}

/// Customer → a text column of the classification.
fn lookup(classes: &DataFrame, column: &str) -> Result<PlHashMap<String, String>> {
    let ids = classes.column("customer")?.str()?;
    let values = classes.column(column)?.str()?;
    Ok(ids
        .iter()
        .zip(values.iter())
        .filter_map(|(i, v)| Some((i?.to_string(), v?.to_string())))
        .collect())
}

/// How many periods `--lost` shows before each customer left.
const LOST_PERIODS: i32 = 6;

fn lost_frame(
    rows: &[Row],
    abc: &PlHashMap<String, String>,
    tiers: &PlHashMap<String, String>,
    presence: &retention::Presence,
    period: Period,
    seam: &Seam,
) -> Result<DataFrame> {
    let mut lost: Vec<&Row> = rows.iter().filter(|r| r.status == Status::Lost).collect();
    let active_12m = churn::value_in_last_active_year(seam)?;
    let ids = crate::analysis::ids::IdOrder::of(rows.iter().map(|r| r.customer.as_str()));
    lost.sort_by(|a, b| {
        let v = |r: &Row| active_12m.get(&r.customer).copied().unwrap_or(0);
        v(b).cmp(&v(a))
            .then_with(|| ids.cmp(&a.customer, &b.customer))
    });
    let empty = Default::default();
    let mut trail = Vec::new();
    let mut from = Vec::new();
    for r in &lost {
        let values = presence.get(&r.customer).unwrap_or(&empty);
        match r.last_purchase {
            Some(day) => {
                let d = retention::decline(values, period.index(day), LOST_PERIODS);
                trail.push(Some(
                    d.periods
                        .iter()
                        .map(|(i, c)| format!("{} {:.2}", period.label(*i), *c as f64 / 100.0))
                        .collect::<Vec<_>>()
                        .join(" · "),
                ));
                from.push(d.decline_from.map(|i| period.label(i)));
            }
            None => {
                trail.push(None);
                from.push(None);
            }
        }
    }
    let text = |m: &PlHashMap<String, String>| {
        lost.iter()
            .map(|r| m.get(&r.customer).cloned())
            .collect::<Vec<_>>()
    };
    Ok(df!(
        "customer" => lost.iter().map(|r| r.customer.clone()).collect::<Vec<_>>(),
        "abc" => text(abc),
        "tier" => text(tiers),
        "value_last_active_12m" => lost.iter().map(|r| active_12m.get(&r.customer).copied().unwrap_or(0) as f64 / 100.0).collect::<Vec<_>>(),
        "last_purchase" => lost.iter().map(|r| r.last_purchase.map(iso_date)).collect::<Vec<_>>(),
        "days_since" => lost.iter().map(|r| r.days_since).collect::<Vec<_>>(),
        "last_periods" => trail,
        "decline_from" => from,
    )?)
}

/// The churn summary in its two forms.
pub fn summary(rows: &[Row]) -> Result<Summary> {
    let (status, classes, top) = churn::summary_frames(rows)?;
    let doc = serde_json::json!({
        "by_status": render::frame_json(&status),
        "by_class": render::frame_json(&classes),
        "top_at_risk": render::frame_json(&top),
    });
    Ok(Summary::new(
        doc,
        vec![
            (
                "Customers and value of the last 12 months by status".to_string(),
                status,
            ),
            ("By ABC class".to_string(), classes),
            (
                format!(
                    "The {} most valuable customers at risk or lapsed",
                    churn::TOP_AT_RISK
                ),
                top,
            ),
        ],
    ))
}

fn write_summary(out: &Output, rows: &[Row]) -> Result<()> {
    let s = summary(rows)?;
    out.write(|w, format| s.write(format, w))
}
