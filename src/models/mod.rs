//! Buy-till-you-die models as pure numerics on plain slices and structs: no polars, no I/O.
//! `fit_*` maximise the likelihood and report how the fit went; predictions are plain functions.

pub mod bgnbd;
pub mod gamma_gamma;
pub mod optim;
pub mod simulate;
pub mod special;

use bgnbd::{History, Variant};
use gamma_gamma::Spend;
use optim::{maximise, Fitted, LogLik};

/// The distinct keys in order, each with how many times it occurs (as a weight).
fn tally<K: Ord + Copy>(mut keys: Vec<K>) -> Vec<(K, f64)> {
    keys.sort_unstable();
    let mut out: Vec<(K, f64)> = Vec::new();
    for k in keys {
        match out.last_mut() {
            Some((last, n)) if *last == k => *n += 1.0,
            _ => out.push((k, 1.0)),
        }
    }
    out
}

struct BgObjective<'a> {
    variant: Variant,
    data: bgnbd::Indexed<'a>,
    customers: f64,
}

impl LogLik for BgObjective<'_> {
    fn eval(&self, t: &[f64]) -> (f64, Vec<f64>) {
        let p = bgnbd::Params {
            r: t[0],
            alpha: t[1],
            a: t[2],
            b: t[3],
        };
        let (ll, g) = self.data.loglik(&p, self.variant);
        (ll, g.to_vec())
    }
    fn customers(&self) -> f64 {
        self.customers
    }
}

/// Fits BG/NBD or MBG/NBD to weighted histories. Tries starting points in turn until one
/// converges; fails with advice when none does.
pub fn fit_bgnbd(data: &[History], variant: Variant) -> Result<(bgnbd::Params, Fitted), String> {
    fit_bgnbd_from(data, variant, None)
}

/// As [`fit_bgnbd`], trying `hint` first: the parameters of a fit on similar data (the whole
/// window, for the fit without its holdout), from which the optimiser has little way to go.
pub fn fit_bgnbd_from(
    data: &[History],
    variant: Variant,
    hint: Option<bgnbd::Params>,
) -> Result<(bgnbd::Params, Fitted), String> {
    let n: f64 = data.iter().map(|h| h.weight).sum();
    let repeats: f64 = data.iter().map(|h| h.weight * h.x).sum();
    let exposure: f64 = data.iter().map(|h| h.weight * h.t).sum();
    if n < 2.0 {
        return Err("a BG/NBD fit needs at least two customers".into());
    }
    if repeats == 0.0 {
        return Err("no customer made a repeat purchase in the calibration period, so purchase rates cannot be estimated; use a longer period".into());
    }
    if exposure <= 0.0 {
        return Err("every customer made its first purchase on the last calibration day; use a longer period".into());
    }
    let scale = exposure / repeats.max(1.0);
    let mut starts = vec![
        [1.0, scale, 1.0, 1.0],
        [0.5, scale / 4.0, 0.5, 3.0],
        [2.0, scale * 4.0, 2.0, 0.5],
    ];
    if let Some(h) = hint.filter(|h| {
        [h.r, h.alpha, h.a, h.b]
            .iter()
            .all(|v| v.is_finite() && *v > 0.0)
    }) {
        starts.insert(0, [h.r, h.alpha, h.a, h.b]);
    }
    let objective = BgObjective {
        variant,
        data: bgnbd::Indexed::new(data),
        customers: data.iter().map(|h| h.weight).sum(),
    };
    first_converged(&objective, &starts).map(|f| {
        (
            bgnbd::Params {
                r: f.theta[0],
                alpha: f.theta[1],
                a: f.theta[2],
                b: f.theta[3],
            },
            f,
        )
    })
}

struct GgObjective<'a>(&'a [Spend]);

impl LogLik for GgObjective<'_> {
    fn eval(&self, t: &[f64]) -> (f64, Vec<f64>) {
        let (ll, g) = gamma_gamma::loglik(
            &gamma_gamma::Params {
                p: t[0],
                q: t[1],
                gamma: t[2],
            },
            self.0,
        );
        (ll, g.to_vec())
    }
    fn customers(&self) -> f64 {
        self.0.iter().map(|s| s.weight).sum()
    }
}

/// Fits the Gamma-Gamma model to customers with x > 0 and positive mean spend.
pub fn fit_gamma_gamma(data: &[Spend]) -> Result<(gamma_gamma::Params, Fitted), String> {
    let n: f64 = data.iter().map(|s| s.weight).sum();
    if n < 2.0 {
        return Err("a Gamma-Gamma fit needs at least two customers with repeat purchases of positive value".into());
    }
    let mean = data.iter().map(|s| s.weight * s.m).sum::<f64>() / n;
    let starts = [
        [1.0, 2.0, mean],
        [5.0, 3.0, mean * 2.0],
        [0.5, 5.0, mean * 5.0],
    ];
    first_converged(&GgObjective(data), &starts).map(|f| {
        (
            gamma_gamma::Params {
                p: f.theta[0],
                q: f.theta[1],
                gamma: f.theta[2],
            },
            f,
        )
    })
}

fn first_converged<L: LogLik, const K: usize>(
    f: &L,
    starts: &[[f64; K]],
) -> Result<Fitted, String> {
    let mut last_err = String::new();
    for s in starts {
        match maximise(f, s) {
            Ok(fit) if fit.converged => return Ok(fit),
            Ok(fit) => {
                last_err = format!(
                    "stopped after {} iterations ({}; gradient {:.2e})",
                    fit.iterations, fit.termination, fit.gradient_norm
                )
            }
            Err(e) => last_err = e,
        }
    }
    Err(format!(
        "the maximum-likelihood fit did not converge: {last_err}; the data may hold too few repeat \
         purchases or be dominated by a few extreme customers: try a longer calibration period, \
         another --unit, or --returns exclude"
    ))
}
