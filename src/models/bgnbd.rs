//! BG/NBD (Fader, Hardie & Lee 2005) and the modified BG/NBD (Batislam et al. 2007): the
//! individual log-likelihood in log space with its analytic gradient, P(alive), and the expected
//! number of purchases in (T, T + t]. Pure numerics on plain slices; no I/O.
//!
//! Both likelihoods are `A1 + ln Σ_k exp(term_k)` with
//! `A1 = lnΓ(r+x) − lnΓ(r) + r ln α` and
//! `term = ln B(a+pa, b+x+pb) − ln B(a, b) − (r+x) ln(α+τ)`:
//! BG/NBD has (0, 0, T) and, when x > 0, (1, −1, t_x); MBG/NBD has (0, 1, T) and (1, 0, t_x).
//! Every lnΓ and digamma depends only on x, so they are computed once per distinct x.

use super::special::{digamma, hyp2f1, ln_gamma, log_add_exp, logistic_neg};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Which model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// BG/NBD: a customer may drop out only after a repeat purchase.
    Bgnbd,
    /// Modified BG/NBD: a customer may also drop out right after the first purchase.
    Mbgnbd,
}

/// Model parameters: purchase rates ~ Gamma(r, α), dropout probabilities ~ Beta(a, b).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Params {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

/// Why a fit cannot stand for drop-out, when it lands on the edge of the parameter space: the
/// mean chance of leaving after a purchase, a / (a + b), is (nearly) zero, or a parameter ran off
/// towards 0 or infinity. Then P(alive) is 1 for (nearly) everyone and CLV assumes that nobody
/// leaves: the data could not tell how customers drop out.
pub fn degenerate(p: &Params, v: Variant) -> Option<String> {
    let other = match v {
        Variant::Bgnbd => " or --model mbgnbd",
        Variant::Mbgnbd => "",
    };
    let dropout = p.a / (p.a + p.b);
    let edge = [("r", p.r), ("alpha", p.alpha), ("a", p.a), ("b", p.b)]
        .into_iter()
        .find(|(_, v)| !(1e-4..=1e5).contains(v));
    if dropout < 1e-4 {
        Some(format!(
            "no drop-out could be estimated (a = {:.3e}, b = {:.3e}: a customer leaves after a \
             purchase with probability {dropout:.1e}), so P(alive) is 1 for nearly every customer \
             and CLV assumes that nobody leaves; the data may be too short or too regular for \
             the model (try a longer calibration period{other})",
            p.a, p.b
        ))
    } else {
        edge.map(|(name, v)| {
            format!(
                "{name} = {v:.3e} lies on the edge of the parameter space: the data could not \
                 pin the model down, so P(alive) and CLV are not reliable (try a longer \
                 calibration period{other})"
            )
        })
    }
}

/// Customers with one purchase history, in model time units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct History {
    /// Repeat purchases.
    pub x: f64,
    /// Time of the last purchase since the first.
    pub t_x: f64,
    /// Time from the first purchase to the end of the calibration period.
    pub t: f64,
    /// How many customers share this history.
    pub weight: f64,
}

/// Identical (x, t_x, T) rows merged into weighted histories, in a fixed order.
pub fn compress(rows: impl IntoIterator<Item = (f64, f64, f64)>) -> Vec<History> {
    // Sorting the keys (positive floats order as their bits do) is several times faster than a
    // tree map on a million customers, and gives the same histories in the same order.
    let keys: Vec<(u64, u64, u64)> = rows
        .into_iter()
        .map(|(x, t_x, t)| (x.to_bits(), t_x.to_bits(), t.to_bits()))
        .collect();
    super::tally(keys)
        .into_iter()
        .map(|(k, weight)| History {
            x: f64::from_bits(k.0),
            t_x: f64::from_bits(k.1),
            t: f64::from_bits(k.2),
            weight,
        })
        .collect()
}

/// The two likelihood terms' (pa, pb) offsets, and whether the t_x term applies.
fn offsets(v: Variant, x: f64) -> ((f64, f64), (f64, f64), bool) {
    match v {
        Variant::Bgnbd => ((0.0, 0.0), (1.0, -1.0), x > 0.0),
        Variant::Mbgnbd => ((0.0, 1.0), (1.0, 0.0), true),
    }
}

/// What depends on x only: the Beta-function parts of both terms and A1 (less r ln α), with
/// their derivatives in (r, a, b).
struct PerX {
    lb: [f64; 2],
    dlb_a: [f64; 2],
    dlb_b: [f64; 2],
    a1: f64,
    da1_r: f64,
    second: bool,
}

fn per_x(p: &Params, v: Variant, x: f64) -> PerX {
    let (o1, o2, second) = offsets(v, x);
    let (a, b, r) = (p.a, p.b, p.r);
    let lnb_ab = ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b);
    let (psi_a, psi_b, psi_ab) = (digamma(a), digamma(b), digamma(a + b));
    let mut out = PerX {
        lb: [0.0; 2],
        dlb_a: [0.0; 2],
        dlb_b: [0.0; 2],
        a1: 0.0,
        da1_r: 0.0,
        second,
    };
    for (k, (pa, pb)) in [o1, o2].into_iter().enumerate() {
        if k == 1 && !second {
            continue;
        }
        let (aa, bb) = (a + pa, b + x + pb);
        out.lb[k] = ln_gamma(aa) + ln_gamma(bb) - ln_gamma(aa + bb) - lnb_ab;
        let psi_sum = digamma(aa + bb);
        out.dlb_a[k] = digamma(aa) - psi_sum - psi_a + psi_ab;
        out.dlb_b[k] = digamma(bb) - psi_sum - psi_b + psi_ab;
    }
    out.a1 = ln_gamma(r + x) - ln_gamma(r);
    out.da1_r = digamma(r + x) - digamma(r);
    out
}

/// The logarithms a history's likelihood needs: ln(α + T), ln(α + t_x), ln α.
struct Logs {
    l_t: f64,
    l_tx: f64,
    l_alpha: f64,
}

/// The log-likelihood of one history, and its gradient in (r, α, a, b) when asked, with its
/// logarithms given, so that a fit computes each once per distinct time.
fn one_with(
    p: &Params,
    c: &PerX,
    x: f64,
    (t_x, t): (f64, f64),
    logs: &Logs,
    grad: Option<&mut [f64; 4]>,
) -> f64 {
    let (l_t, l_tx) = (logs.l_t, logs.l_tx);
    let rx = p.r + x;
    let t1 = c.lb[0] - rx * l_t;
    let t2 = if c.second {
        c.lb[1] - rx * l_tx
    } else {
        f64::NEG_INFINITY
    };
    let (sum, w2) = mix(t1, t2, c.second);
    let ll = c.a1 + p.r * logs.l_alpha + sum;
    if let Some(g) = grad {
        let w1 = 1.0 - w2;
        g[0] += c.da1_r + logs.l_alpha - w1 * l_t - w2 * l_tx;
        g[1] += p.r / p.alpha - rx * (w1 / (p.alpha + t) + w2 / (p.alpha + t_x));
        g[2] += w1 * c.dlb_a[0] + w2 * c.dlb_a[1];
        g[3] += w1 * c.dlb_b[0] + w2 * c.dlb_b[1];
    }
    ll
}

/// ln(e^t1 + e^t2) and the weight of the second term, e^t2 / (e^t1 + e^t2) (0 without it), with
/// one exponential: the same numbers, bit for bit, as `log_add_exp` and `logistic_neg(t1 − t2)`
/// (one of their exponentials is exp(0) = 1 exactly, and the other two are of one argument).
fn mix(t1: f64, t2: f64, second: bool) -> (f64, f64) {
    if !second {
        return (log_add_exp(t1, t2), 0.0);
    }
    if !(t1.is_finite() && t2.is_finite()) {
        return (log_add_exp(t1, t2), logistic_neg(t1 - t2));
    }
    let (m, d) = if t1 >= t2 {
        (t1, t2 - t1)
    } else {
        (t2, t1 - t2)
    };
    let e = d.exp();
    let w2 = if t1 - t2 > 0.0 {
        e / (1.0 + e)
    } else {
        1.0 / (1.0 + e)
    };
    (m + (1.0 + e).ln(), w2)
}

/// The log-likelihood of one customer.
pub fn loglik_one(p: &Params, v: Variant, x: f64, t_x: f64, t: f64) -> f64 {
    let logs = Logs {
        l_t: (p.alpha + t).ln(),
        l_tx: (p.alpha + t_x).ln(),
        l_alpha: p.alpha.ln(),
    };
    one_with(p, &per_x(p, v, x), x, (t_x, t), &logs, None)
}

/// Weighted log-likelihood of all histories and its gradient in (r, α, a, b). `data` must be
/// sorted by x (as `compress` leaves it) so that per-x work is shared.
pub fn loglik(p: &Params, v: Variant, data: &[History]) -> (f64, [f64; 4]) {
    Indexed::new(data).loglik(p, v)
}

/// Histories with their times indexed: a fit evaluates ln(α + time) once per distinct time
/// (a few thousand) instead of twice per history (about a million).
pub struct Indexed<'a> {
    data: &'a [History],
    times: Vec<f64>,
    /// Per history, the positions of t_x and T in `times`.
    at: Vec<(u32, u32)>,
}

impl<'a> Indexed<'a> {
    pub fn new(data: &'a [History]) -> Self {
        let mut bits: Vec<u64> = data
            .iter()
            .flat_map(|h| [h.t_x.to_bits(), h.t.to_bits()])
            .collect();
        bits.sort_unstable();
        bits.dedup();
        let pos = |v: f64| bits.binary_search(&v.to_bits()).expect("indexed") as u32;
        let at = data.iter().map(|h| (pos(h.t_x), pos(h.t))).collect();
        let times = bits.iter().map(|&b| f64::from_bits(b)).collect();
        Indexed { data, times, at }
    }

    /// As `loglik`. Fixed runs of histories are summed in parallel and their sums added in
    /// order, so the result does not depend on the number of threads.
    pub fn loglik(&self, p: &Params, v: Variant) -> (f64, [f64; 4]) {
        let logs: Vec<f64> = self.times.iter().map(|&t| (p.alpha + t).ln()).collect();
        let runs: Vec<(f64, [f64; 4])> = (0..self.data.len().div_ceil(RUN))
            .into_par_iter()
            .map(|k| self.run(k * RUN..((k + 1) * RUN).min(self.data.len()), p, v, &logs))
            .collect();
        let mut total = 0.0;
        let mut grad = [0.0; 4];
        for (ll, g) in runs {
            total += ll;
            for k in 0..4 {
                grad[k] += g[k];
            }
        }
        (total, grad)
    }

    /// The weighted log-likelihood and gradient of the histories in `range`, with `logs` the
    /// ln(α + time) of every indexed time.
    fn run(
        &self,
        range: std::ops::Range<usize>,
        p: &Params,
        v: Variant,
        logs: &[f64],
    ) -> (f64, [f64; 4]) {
        let l_alpha = p.alpha.ln();
        let (data, at) = (&self.data[range.clone()], &self.at[range]);
        let mut total = 0.0;
        let mut grad = [0.0; 4];
        let mut i = 0;
        while i < data.len() {
            let x = data[i].x;
            let c = per_x(p, v, x);
            while i < data.len() && data[i].x == x {
                let h = &data[i];
                let (tx_at, t_at) = at[i];
                let l = Logs {
                    l_t: logs[t_at as usize],
                    l_tx: logs[tx_at as usize],
                    l_alpha,
                };
                let mut g = [0.0; 4];
                total += h.weight * one_with(p, &c, x, (h.t_x, h.t), &l, Some(&mut g));
                for k in 0..4 {
                    grad[k] += h.weight * g[k];
                }
                i += 1;
            }
        }
        (total, grad)
    }
}

/// Histories summed as one run of a parallel log-likelihood: fewer than this many histories
/// are summed in one run, in order, as a sequential sum would.
const RUN: usize = 1 << 15;

/// ln of the odds that the customer has dropped out.
fn dead_log_odds(p: &Params, v: Variant, x: f64, t_x: f64, t: f64) -> Option<f64> {
    let ratio = (p.r + x) * ((p.alpha + t).ln() - (p.alpha + t_x).ln());
    match v {
        Variant::Bgnbd if x == 0.0 => None,
        Variant::Bgnbd => Some(p.a.ln() - (p.b + x - 1.0).ln() + ratio),
        Variant::Mbgnbd => Some(p.a.ln() - (p.b + x).ln() + ratio),
    }
}

/// P(alive | x, t_x, T).
pub fn p_alive(p: &Params, v: Variant, x: f64, t_x: f64, t: f64) -> f64 {
    dead_log_odds(p, v, x, t_x, t).map_or(1.0, logistic_neg)
}

/// Expected purchases in (T, T + horizon] given the history.
pub fn expected_purchases(p: &Params, v: Variant, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
    if horizon <= 0.0 {
        return 0.0;
    }
    expected_if_alive(p, v, horizon, x, t) * p_alive(p, v, x, t_x, t)
}

/// Expected purchases in (T, T + horizon] of a customer still alive at T (`expected_purchases`
/// is this times P(alive)). Uses Euler's transformation of ₂F₁ so that no power of (r + x) is
/// ever formed: since 1 − z = (α+T)/(α+T+t),
/// ((α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x+k; c; z) = (1−z)^(a−1) · ₂F₁(c−r−x, a−1; c; z).
pub fn expected_if_alive(p: &Params, v: Variant, horizon: f64, x: f64, t: f64) -> f64 {
    if horizon <= 0.0 {
        return 0.0;
    }
    let z = horizon / (p.alpha + t + horizon);
    let c = match v {
        Variant::Bgnbd => p.a + p.b + x - 1.0,
        Variant::Mbgnbd => p.a + p.b + x,
    };
    let tail = (1.0 - z).powf(p.a - 1.0) * hyp2f1(c - p.r - x, p.a - 1.0, c, z);
    c / (p.a - 1.0) * (1.0 - tail)
}

#[cfg(test)]
mod tests;
