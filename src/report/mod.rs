//! The monthly bundle of `tier report`: every analysis computed once from one read of the input
//! (the customer days), gathered as one row per customer and one summary document, and turned
//! into the report's files (HTML with inline SVG, Markdown, a workbook). Pure: no files here.

pub mod html;
pub mod markdown;
pub mod svg;

use crate::analysis::churn::{self, Status};
use crate::analysis::classify::{self, Params as ClassParams};
use crate::analysis::clv;
use crate::analysis::clv_model::{self, FitReport, Model};
use crate::analysis::growth::{self, Growth};
use crate::analysis::migrate::{self, Move, Scheme};
use crate::analysis::pareto;
use crate::analysis::periods::{self, Period};
use crate::analysis::retention::{self, Rate};
use crate::analysis::rfm::{self, Params as RfmParams, Rfm};
use crate::analysis::seam::Seam;
use crate::analysis::standing;
use crate::input::{col, iso_date};
use crate::models::bgnbd::Variant;
use polars::prelude::*;
use std::collections::HashMap;

/// The version of `summary.json`'s layout; raised when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

/// What the report is computed with.
pub struct Settings {
    pub period: Period,
    pub classify: ClassParams,
    pub rfm: RfmParams,
    pub churn: churn::Params,
    pub model: bool,
    pub clv: crate::settings::Clv,
}

/// Every analysis of the report.
pub struct Bundle {
    /// What a reader must know about the figures (periods left out, models not fitted), said on
    /// stderr and in the page.
    pub notes: Vec<String>,
    pub as_of: i32,
    pub period: Period,
    /// The last complete period and the one before it.
    pub now: i32,
    pub customers: DataFrame,
    pub pareto: pareto::Summary,
    pub rfm: Rfm,
    pub segments: DataFrame,
    /// The CLV model and its fit, or why there is none.
    pub clv: Result<(Model, FitReport), String>,
    /// The model refitted without the last `seam::VALIDATION_DAYS` and checked against them.
    pub validation: Option<crate::analysis::holdout::Validation>,
    pub churn: Vec<churn::Row>,
    pub rates: Vec<Rate>,
    pub moves: Vec<Move>,
    pub rungs: Vec<String>,
    pub totals: Vec<(i32, Growth)>,
    /// The report this one is compared with (`--previous`).
    pub previous: Option<Previous>,
}

/// What a previous report said: its as-of date, headline numbers, and each customer's class and
/// tier.
#[derive(Debug, Clone, Default)]
pub struct Previous {
    pub as_of: String,
    pub kpis: HashMap<String, f64>,
    pub standing: HashMap<String, (String, String)>,
}

/// A customer whose class or tier changed since the previous report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Change {
    pub customer: String,
    pub abc_before: Option<String>,
    pub abc_now: Option<String>,
    pub tier_before: Option<String>,
    pub tier_now: Option<String>,
}

/// The customers whose ABC class or tier differs from the previous report (new customers and
/// those gone included), sorted by customer id.
pub fn changes(previous: &Previous, customers: &DataFrame) -> PolarsResult<Vec<Change>> {
    let ids = customers.column(col::CUSTOMER)?.str()?;
    let abc = customers.column("abc")?.str()?;
    let tier = customers.column("tier")?.str()?;
    let mut now: HashMap<&str, (&str, &str)> = HashMap::new();
    for i in 0..customers.height() {
        if let (Some(id), Some(a), Some(t)) = (ids.get(i), abc.get(i), tier.get(i)) {
            now.insert(id, (a, t));
        }
    }
    let mut all: Vec<&str> = now.keys().copied().collect();
    all.extend(
        previous
            .standing
            .keys()
            .map(String::as_str)
            .filter(|k| !now.contains_key(k)),
    );
    all.sort_unstable();
    Ok(all
        .into_iter()
        .filter_map(|id| {
            let before = previous.standing.get(id);
            let after = now.get(id);
            let same = matches!((before, after), (Some((a, t)), Some((x, y))) if a == x && t == y);
            (!same).then(|| Change {
                customer: id.to_string(),
                abc_before: before.map(|b| b.0.clone()),
                abc_now: after.map(|a| a.0.to_string()),
                tier_before: before.map(|b| b.1.clone()),
                tier_now: after.map(|a| a.1.to_string()),
            })
        })
        .collect())
}

/// The model fitted on the stage's calibration period (all but its holdout, the last
/// `seam::VALIDATION_DAYS` for a report) and checked against the holdout; none when that fit is
/// impossible (too short a history).
fn validation(
    seam: &Seam,
    set: crate::settings::Clv,
    hint: Option<&Model>,
) -> Option<crate::analysis::holdout::Validation> {
    let cal_end = seam.window.holdout - 1;
    let rows = clv::summarize_holdout(seam, set.unit).ok()?;
    let (model, _) = clv_model::fit_from(&rows, set.model, set.unit, cal_end, hint).ok()?;
    let v = clv_model::valuation(&model, set.horizon, set.margin, set.discount_rate);
    Some(crate::analysis::holdout::validate(
        &v,
        &rows,
        seam.window.as_of - cal_end,
        set.unit,
    ))
}

/// Computes every analysis from the stage. Its window's start (`--since`) decides the first
/// period the data covers whole: no period before it is compared with another.
pub fn build(seam: &Seam, s: &Settings) -> anyhow::Result<Bundle> {
    let (period, as_of, stage) = (s.period, seam.window.as_of, &seam.customers);
    let classified = classify::classify(stage, &s.classify)?;
    let pareto = pareto::summarize(&classified, &s.classify)?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no customers to report on"))?;
    let rfm = rfm::rfm(stage, &s.rfm)?;
    let segments = rfm::summary(&rfm.frame, &s.rfm.map)?;
    let rows = clv::summarize_stage(stage, as_of, s.clv.unit)?;
    let (clv, predictions) = if s.model {
        match clv_model::fit(&rows, s.clv.model, s.clv.unit, as_of) {
            // A degenerate fit says that nobody leaves: its P(alive) and CLV are not estimates.
            Ok((model, _)) if model.degenerate.is_some() => (
                Err(format!(
                    "the purchase model is degenerate, so P(alive) and CLV are left out: {}",
                    model.degenerate.as_deref().unwrap_or_default()
                )),
                None,
            ),
            Ok((model, fit)) => {
                let valuation =
                    clv_model::valuation(&model, s.clv.horizon, s.clv.margin, s.clv.discount_rate);
                match clv::predict_all(&valuation, &rows) {
                    Ok(p) => (Ok((model, fit)), Some(p)),
                    Err(e) => (Err(e), None),
                }
            }
            Err(e) => (Err(e), None),
        }
    } else {
        (Err("left out (--no-model)".to_string()), None)
    };
    // The validation refit runs beside the other analyses (it needs nothing of theirs).
    let validating = s.model.then(|| {
        let (seam, set) = (seam.clone(), s.clv);
        let hint = clv.as_ref().ok().map(|(m, _)| m.clone());
        std::thread::spawn(move || validation(&seam, set, hint.as_ref()))
    });
    // One BG/NBD fit serves both CLV and P(alive) when the CLV model is BG/NBD.
    let p_alive = match (&clv, s.clv.model) {
        _ if !s.model => None,
        (Err(e), Variant::Bgnbd) if e.contains("degenerate") => None,
        (Ok((model, _)), Variant::Bgnbd) => clv_model::p_alive_with(&model.bgnbd, &rows).ok(),
        _ => clv_model::p_alive_of_repeaters(&rows).ok(),
    };
    let first = periods::first_whole_of(seam, period)?;
    let mut churn_rows = churn::standing(seam, &s.churn, p_alive.as_ref(), first)?;
    let per_period = seam.customer_periods(period)?;
    let presence = retention::presence(&per_period)?;
    let rates = retention::rates(&presence, period, as_of, first);
    let mut notes: Vec<String> = retention::unknown_note(&rates, period)
        .into_iter()
        .collect();
    if let (true, Err(e)) = (s.model, &clv) {
        notes.insert(0, format!("no CLV in the report: {e}"));
    }
    let now = churn::current_period(period, as_of);
    let growth = growth::customers(&presence, period, now, first);
    let totals = growth::totals(&presence, first.min(now), now.max(first), period.per_year());
    // A migration from a period the data does not cover whole would call its missing customers
    // new.
    let moves = if now > first {
        migrate::moves_between(&per_period, Scheme::Abc, &s.classify, (now - 1, now))?
    } else {
        notes.push(format!(
            "no migration between {} and {}: the data does not cover {} whole",
            period.label(now - 1),
            period.label(now),
            period.label(now - 1)
        ));
        Vec::new()
    };
    // What grows with customers × periods is done with: freed before the customers table is
    // built, the report's peak.
    drop((per_period, presence));
    let rungs = migrate::rungs(Scheme::Abc, &s.classify);
    standing::set_abc(&mut churn_rows, &classified)?;
    let customers = standing::customer_rows(
        &classified,
        &rfm.frame,
        &rows,
        predictions.as_deref(),
        &churn_rows,
        &growth,
        &growth::trends(seam)?,
    )?;
    let validation = validating.and_then(|v| {
        v.join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    Ok(Bundle {
        as_of,
        period,
        now,
        customers,
        pareto,
        rfm,
        segments,
        clv,
        validation,
        churn: churn_rows,
        rates,
        moves,
        rungs,
        totals,
        previous: None,
        notes,
    })
}

/// A headline number and its value in the period before; either is empty when the data does
/// not give it (a period not covered whole, a churn not yet known).
pub struct Kpi {
    pub name: &'static str,
    pub now: Option<f64>,
    pub before: Option<f64>,
    pub money: bool,
}

impl Kpi {
    /// Whether the number is a rate (shown in percent, changes in points).
    pub fn is_rate(&self) -> bool {
        self.name.starts_with("churn rate")
    }

    /// The number as the page and the summary show it (`n/a` when unknown).
    pub fn shown(&self) -> String {
        match self.now {
            None => "n/a".to_string(),
            Some(v) if self.money => format!("{v:.2}"),
            Some(v) if self.is_rate() => format!("{:.1}%", v * 100.0),
            Some(v) => format!("{v:.0}"),
        }
    }

    /// The change on the period before: in points for a rate, else in percent (`None` when
    /// either is unknown, or the period before had nothing).
    pub fn change(&self) -> Option<f64> {
        let (now, before) = (self.now?, self.before?);
        if self.is_rate() {
            Some((now - before) * 100.0)
        } else {
            (before != 0.0).then(|| (now - before) / before.abs() * 100.0)
        }
    }
}

impl Bundle {
    /// The headline numbers of the last complete period, with the period before.
    pub fn kpis(&self) -> Vec<Kpi> {
        let total = |i: i32| {
            self.totals
                .iter()
                .find(|(p, _)| *p == i)
                .map(|(_, g)| g.now as f64 / 100.0)
        };
        // A period the data does not cover whole has no headline numbers.
        let rate = |i: i32| {
            self.rates
                .iter()
                .find(|r| r.period == i && self.totals.iter().any(|(p, _)| *p == i))
        };
        let active = |i: i32| rate(i).map(|r| r.active as f64);
        let new = |i: i32| rate(i).map(|r| r.new as f64);
        let churned = |i: i32| {
            rate(i).and_then(|r| {
                r.churned
                    .filter(|_| r.active > 0)
                    .map(|c| c as f64 / r.active as f64)
            })
        };
        let at_risk: Vec<&churn::Row> = self
            .churn
            .iter()
            .filter(|r| matches!(r.status, Status::AtRisk | Status::Lapsed))
            .collect();
        vec![
            Kpi {
                name: "revenue",
                now: total(self.now),
                before: total(self.now - 1),
                money: true,
            },
            Kpi {
                name: "active customers",
                now: active(self.now),
                before: active(self.now - 1),
                money: false,
            },
            Kpi {
                name: "new customers",
                now: new(self.now),
                before: new(self.now - 1),
                money: false,
            },
            Kpi {
                name: "churn rate (previous period)",
                now: churned(self.now - 1),
                before: churned(self.now - 2),
                money: false,
            },
            Kpi {
                name: "customers at risk or lapsed",
                now: Some(at_risk.len() as f64),
                before: None,
                money: false,
            },
            Kpi {
                name: "their value in the last 12 months",
                now: Some(at_risk.iter().map(|r| r.value_12m).sum::<i64>() as f64 / 100.0),
                before: None,
                money: true,
            },
        ]
    }

    /// Every summary in one document.
    pub fn summary_doc(&self) -> anyhow::Result<serde_json::Value> {
        let churn_summary = crate::commands::churn::summary(&self.churn)?;
        let rates = retention::rates_frame(&self.rates, self.period)?;
        let matrix = migrate::matrix(&self.moves, &self.rungs)?;
        let clv = match &self.clv {
            Ok((model, fit)) => serde_json::json!({
                "model": model,
                "fit": fit,
                "validation": self.validation,
            }),
            Err(e) => serde_json::json!({"error": e}),
        };
        let kpis: Vec<serde_json::Value> = self
            .kpis()
            .iter()
            .map(|k| serde_json::json!({"kpi": k.name, "value": k.now, "previous": k.before}))
            .collect();
        let previous = match &self.previous {
            Some(p) => {
                let deltas: Vec<serde_json::Value> = self
                    .kpis()
                    .iter()
                    .map(|k| serde_json::json!({"kpi": k.name, "value": k.now, "previous_report": p.kpis.get(k.name)}))
                    .collect();
                serde_json::json!({
                    "as_of": p.as_of,
                    "headline": deltas,
                    "changed": changes(p, &self.customers)?,
                })
            }
            None => serde_json::Value::Null,
        };
        Ok(serde_json::json!({
            "schema_version": SCHEMA_VERSION,
            "as_of": iso_date(self.as_of),
            "period": self.period.name(),
            "last_complete_period": self.period.label(self.now),
            "headline": kpis,
            "pareto": self.pareto,
            "rfm": {
                "segments": crate::render::frame_json(&self.segments),
                "thresholds": self.rfm.thresholds,
            },
            "clv": clv,
            "churn": churn_summary.doc,
            "churn_rates": crate::render::frame_json(&rates),
            "migration": {
                "from_period": self.period.label(self.now - 1),
                "to_period": self.period.label(self.now),
                "matrix": crate::render::frame_json(&matrix),
            },
            "previous_report": previous,
        }))
    }
}
