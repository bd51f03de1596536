//! Special functions the models need beyond statrs' lnΓ and digamma: ln B, the Gauss
//! hypergeometric series, and a stable logistic.

pub use statrs::function::gamma::{digamma, ln_gamma};

/// ln B(a, b).
pub fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// ₂F₁(a, b; c; z) for 0 ≤ z < 1 by its power series, summed until terms stop mattering.
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let (mut term, mut sum) = (1.0f64, 1.0f64);
    for k in 0..1_000_000 {
        let k = k as f64;
        term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        sum += term;
        if term.abs() <= 1e-16 * sum.abs() {
            break;
        }
    }
    sum
}

/// 1 / (1 + e^u), without overflow for large |u|.
pub fn logistic_neg(u: f64) -> f64 {
    if u > 0.0 {
        let e = (-u).exp();
        e / (1.0 + e)
    } else {
        1.0 / (1.0 + u.exp())
    }
}

/// ln(e^a + e^b) without overflow.
pub fn log_add_exp(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m == f64::NEG_INFINITY {
        m
    } else {
        m + ((a - m).exp() + (b - m).exp()).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypergeometric_matches_closed_forms() {
        // ₂F₁(1, 1; 2; z) = −ln(1 − z) / z
        let z: f64 = 0.6;
        assert!((hyp2f1(1.0, 1.0, 2.0, z) - (-(1.0 - z).ln() / z)).abs() < 1e-12);
        // ₂F₁(a, b; b; z) = (1 − z)^−a
        assert!((hyp2f1(2.5, 3.0, 3.0, 0.3) - 0.7f64.powf(-2.5)).abs() < 1e-12);
    }

    #[test]
    fn stable_helpers() {
        assert_eq!(logistic_neg(1000.0), 0.0);
        assert_eq!(logistic_neg(-1000.0), 1.0);
        assert!((log_add_exp(1000.0, 1000.0) - (1000.0 + 2f64.ln())).abs() < 1e-9);
        assert!((ln_beta(2.0, 3.0) - (1.0f64 / 12.0).ln()).abs() < 1e-12);
    }
}
