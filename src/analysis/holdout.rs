//! Validation of the purchase model on a holdout period: per-customer predicted against actual
//! purchases, MAE, RMSE and bias, the comparison by calibration frequency (0..7+), and cumulative
//! repeat purchases week by week through the holdout (conditional expectations given each
//! customer's calibration history). Predictions are computed once per distinct history.

use super::clv::{Distinct, Summary, Unit, Valuation};
use crate::models::bgnbd;
use serde::Serialize;

/// Expected purchases of every summary over any horizon, with P(alive) and each expectation
/// computed once per distinct history.
pub struct Expected<'a> {
    v: &'a Valuation,
    rows: &'a [Summary],
    distinct: Distinct,
    alive: Vec<f64>,
}

impl<'a> Expected<'a> {
    pub fn new(v: &'a Valuation, rows: &'a [Summary]) -> Self {
        let distinct = Distinct::of(rows);
        let alive = distinct.map(rows, |s| bgnbd::p_alive(&v.bg, v.variant, s.x, s.t_x, s.t));
        Expected {
            v,
            rows,
            distinct,
            alive,
        }
    }

    /// Per summary, the expected purchases over `horizon` units (as `bgnbd::expected_purchases`).
    pub fn over(&self, horizon: f64) -> Vec<f64> {
        if horizon <= 0.0 {
            return vec![0.0; self.rows.len()];
        }
        let (bg, variant) = (&self.v.bg, self.v.variant);
        let if_alive = self.distinct.map(self.rows, |s| {
            bgnbd::expected_if_alive(bg, variant, horizon, s.x, s.t)
        });
        self.distinct
            .at
            .iter()
            .map(|&at| if_alive[at as usize] * self.alive[at as usize])
            .collect()
    }
}

/// Customers and mean actual and predicted holdout purchases for one calibration frequency.
#[derive(Debug, Serialize, PartialEq)]
pub struct FrequencyRow {
    pub frequency: String,
    pub customers: usize,
    pub actual_mean: f64,
    pub predicted_mean: f64,
}

/// Cumulative holdout purchases at the end of a holdout week.
#[derive(Debug, Serialize, PartialEq)]
pub struct WeekRow {
    pub week: u32,
    pub actual: i64,
    pub predicted: f64,
}

/// The holdout comparison.
#[derive(Debug, Serialize)]
pub struct Validation {
    pub holdout_days: i32,
    pub customers: usize,
    pub actual_purchases: i64,
    pub predicted_purchases: f64,
    pub mae: f64,
    pub rmse: f64,
    /// Mean of predicted − actual per customer.
    pub bias: f64,
    pub by_frequency: Vec<FrequencyRow>,
    pub cumulative_by_week: Vec<WeekRow>,
    /// Predicted holdout purchases per customer, aligned with the summaries (for the rows).
    #[serde(skip)]
    pub per_customer: Vec<f64>,
}

fn r4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// Compares predictions over a holdout of `days` days with what happened.
pub fn validate(v: &Valuation, rows: &[Summary], days: i32, unit: Unit) -> Validation {
    let expected = Expected::new(v, rows);
    let predicted = expected.over(days as f64 / unit.days());
    let actual: Vec<i64> = rows.iter().map(|s| s.holdout.unwrap_or(0)).collect();
    let n = rows.len() as f64;
    let errors: Vec<f64> = predicted
        .iter()
        .zip(&actual)
        .map(|(p, &a)| p - a as f64)
        .collect();
    let mut by_frequency = Vec::new();
    for f in 0..=7 {
        let members: Vec<usize> = (0..rows.len())
            .filter(|&i| (rows[i].x as usize).min(7) == f)
            .collect();
        let mean = |vals: &dyn Fn(usize) -> f64| {
            members.iter().map(|&i| vals(i)).sum::<f64>() / members.len().max(1) as f64
        };
        by_frequency.push(FrequencyRow {
            frequency: if f == 7 {
                "7+".to_string()
            } else {
                f.to_string()
            },
            customers: members.len(),
            actual_mean: r4(mean(&|i| actual[i] as f64)),
            predicted_mean: r4(mean(&|i| predicted[i])),
        });
    }
    let weeks = (days as u32).div_ceil(7);
    let cumulative_by_week = (1..=weeks)
        .map(|w| {
            let end = (7 * w as i32).min(days);
            let bought = rows
                .iter()
                .map(|s| s.holdout_days.iter().filter(|&&d| d <= end).count() as i64)
                .sum();
            let expected: f64 = expected.over(end as f64 / unit.days()).iter().sum();
            WeekRow {
                week: w,
                actual: bought,
                predicted: r4(expected),
            }
        })
        .collect();
    Validation {
        holdout_days: days,
        customers: rows.len(),
        actual_purchases: actual.iter().sum(),
        predicted_purchases: r4(predicted.iter().sum()),
        mae: r4(errors.iter().map(|e| e.abs()).sum::<f64>() / n),
        rmse: r4((errors.iter().map(|e| e * e).sum::<f64>() / n).sqrt()),
        bias: r4(errors.iter().sum::<f64>() / n),
        by_frequency,
        cumulative_by_week,
        per_customer: predicted,
    }
}
