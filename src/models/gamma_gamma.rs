//! Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"): a customer's mean
//! transaction value m over x repeat transactions, with ν ~ Gamma(q, γ) and spend ~ Gamma(p, ν).
//! Log-likelihood with analytic gradient, conditional expected spend, population mean.

use super::special::{digamma, ln_gamma};
use serde::{Deserialize, Serialize};

/// Model parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Params {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
}

/// Customers with one (x, mean spend) pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spend {
    pub x: f64,
    pub m: f64,
    pub weight: f64,
    /// ln m, computed once rather than at every evaluation of the likelihood.
    pub ln_m: f64,
}

/// Identical (x, m) pairs merged, in a fixed order.
pub fn compress(rows: impl IntoIterator<Item = (f64, f64)>) -> Vec<Spend> {
    let keys: Vec<(u64, u64)> = rows
        .into_iter()
        .map(|(x, m)| (x.to_bits(), m.to_bits()))
        .collect();
    super::tally(keys)
        .into_iter()
        .map(|(k, weight)| Spend {
            x: f64::from_bits(k.0),
            m: f64::from_bits(k.1),
            weight,
            ln_m: f64::from_bits(k.1).ln(),
        })
        .collect()
}

/// Weighted log-likelihood and gradient in (p, q, γ). The gamma functions depend on x only, so
/// they are computed once per run of equal x (`compress` sorts by x).
pub fn loglik(pr: &Params, data: &[Spend]) -> (f64, [f64; 3]) {
    let Params { p, q, gamma } = *pr;
    let (lg_q, psi_q, ln_g) = (ln_gamma(q), digamma(q), gamma.ln());
    let mut total = 0.0;
    let mut g = [0.0; 3];
    let mut start = 0;
    while start < data.len() {
        let x = data[start].x;
        let end = start + data[start..].iter().take_while(|s| s.x == x).count();
        let px = p * x;
        let (psi_pxq, psi_px, ln_x) = (digamma(px + q), digamma(px), x.ln());
        let (lg_pxq, lg_px) = (ln_gamma(px + q), ln_gamma(px));
        for s in &data[start..end] {
            let denom = gamma + s.m * x;
            let ln_denom = denom.ln();
            // The terms in the order of the textbook formula, so results do not depend on caching.
            let ll = lg_pxq - lg_px - lg_q + q * ln_g + (px - 1.0) * s.ln_m + px * ln_x
                - (px + q) * ln_denom;
            total += s.weight * ll;
            g[0] += s.weight * x * (psi_pxq - psi_px + s.ln_m + ln_x - ln_denom);
            g[1] += s.weight * (psi_pxq - psi_q + ln_g - ln_denom);
            g[2] += s.weight * (q / gamma - (px + q) / denom);
        }
        start = end;
    }
    (total, g)
}

/// E[mean spend | x, m]: a weighted average of the population mean and the customer's own mean.
pub fn expected_spend(pr: &Params, x: f64, m: f64) -> f64 {
    pr.p * (pr.gamma + x * m) / (pr.p * x + pr.q - 1.0)
}

/// The population mean spend pγ/(q−1), defined for q > 1.
pub fn population_mean(pr: &Params) -> Option<f64> {
    (pr.q > 1.0).then(|| pr.p * pr.gamma / (pr.q - 1.0))
}
