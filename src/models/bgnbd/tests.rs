//! BG/NBD unit tests: published closed-form values, the analytic gradient, predictions, extreme
//! histories and parameter recovery on simulated data.

use super::*;
use crate::models::{fit_bgnbd, simulate};

const HARDIE: Params = Params {
    r: 0.25,
    alpha: 4.0,
    a: 0.8,
    b: 2.5,
};

#[test]
fn hardies_closed_form_values() {
    // Hardie, note 027: r = 0.25, α = 4, a = 0.8, b = 2.5, T = 40.
    assert!((loglik_one(&HARDIE, Variant::Bgnbd, 0.0, 0.0, 40.0) - -0.59947382).abs() < 1e-8);
    assert!((loglik_one(&HARDIE, Variant::Bgnbd, 200.0, 38.0, 40.0) - 100.7957).abs() < 1e-4);
}

#[test]
fn analytic_gradient_matches_finite_differences() {
    let data = compress([
        (0.0, 0.0, 30.0),
        (3.0, 20.0, 35.0),
        (3.0, 20.0, 35.0),
        (12.0, 30.5, 31.0),
        (1.0, 2.0, 5.0),
    ]);
    for v in [Variant::Bgnbd, Variant::Mbgnbd] {
        let (_, g) = loglik(&HARDIE, v, &data);
        let f = |k: usize, h: f64| {
            let mut t = [HARDIE.r, HARDIE.alpha, HARDIE.a, HARDIE.b];
            t[k] += h;
            loglik(
                &Params {
                    r: t[0],
                    alpha: t[1],
                    a: t[2],
                    b: t[3],
                },
                v,
                &data,
            )
            .0
        };
        for (k, analytic) in g.iter().enumerate() {
            let numeric = (f(k, 1e-6) - f(k, -1e-6)) / 2e-6;
            assert!(
                (numeric - analytic).abs() < 1e-5 * (1.0 + numeric.abs()),
                "{v:?} d{k}: {numeric} vs {analytic}"
            );
        }
    }
}

#[test]
fn predictions_match_the_untransformed_formula() {
    // Direct BG/NBD formula (FHL 2005, eq. 10) for moderate x, where it does not overflow.
    let (x, t_x, t, h) = (4.0, 20.0, 38.0, 52.0);
    let p = HARDIE;
    let z = h / (p.alpha + t + h);
    let direct = (p.a + p.b + x - 1.0) / (p.a - 1.0)
        * (1.0
            - ((p.alpha + t) / (p.alpha + t + h)).powf(p.r + x)
                * hyp2f1(p.r + x, p.b + x, p.a + p.b + x - 1.0, z))
        / (1.0 + p.a / (p.b + x - 1.0) * ((p.alpha + t) / (p.alpha + t_x)).powf(p.r + x));
    let ours = expected_purchases(&p, Variant::Bgnbd, h, x, t_x, t);
    assert!((direct - ours).abs() < 1e-10 * direct, "{direct} vs {ours}");
    assert_eq!(
        p_alive(&p, Variant::Bgnbd, 0.0, 0.0, 40.0),
        1.0,
        "BG/NBD: no repeat, no dropout"
    );
    assert!(
        p_alive(&p, Variant::Mbgnbd, 0.0, 0.0, 40.0) < 1.0,
        "MBG/NBD: may drop at once"
    );
}

#[test]
fn extreme_histories_stay_finite() {
    for (x, t_x, t) in [
        (500.0, 40.0, 40.0),
        (500.0, 1.0, 400.0),
        (0.0, 0.0, 1e-9),
        (1.0, 1e-9, 1e-9),
        (300.0, 39.9999, 40.0),
    ] {
        for v in [Variant::Bgnbd, Variant::Mbgnbd] {
            let ll = loglik_one(&HARDIE, v, x, t_x, t);
            let pa = p_alive(&HARDIE, v, x, t_x, t);
            let e = expected_purchases(&HARDIE, v, 52.0, x, t_x, t);
            assert!(
                ll.is_finite() && pa.is_finite() && e.is_finite() && e >= 0.0,
                "{v:?} {x} {t_x} {t}: {ll} {pa} {e}"
            );
        }
    }
}

#[test]
fn parameters_are_recovered_from_simulated_data() {
    let truth = Params {
        r: 0.5,
        alpha: 6.0,
        a: 0.7,
        b: 3.0,
    };
    let rows = simulate::customers(7, &truth, 40_000, 20.0, 80.0);
    let data = compress(rows);
    let (fit, report) = fit_bgnbd(&data, Variant::Bgnbd).unwrap();
    assert!(report.converged);
    for (got, want) in [
        (fit.r, truth.r),
        (fit.alpha, truth.alpha),
        (fit.a, truth.a),
        (fit.b, truth.b),
    ] {
        assert!((got / want - 1.0).abs() < 0.12, "{fit:?} vs {truth:?}");
    }
}

#[test]
fn compress_merges_identical_histories() {
    let h = compress([(1.0, 2.0, 3.0), (0.0, 0.0, 3.0), (1.0, 2.0, 3.0)]);
    assert_eq!(h.len(), 2);
    assert_eq!((h[0].x, h[0].weight), (0.0, 1.0));
    assert_eq!((h[1].x, h[1].weight), (1.0, 2.0));
}

#[test]
fn a_fit_without_drop_out_is_degenerate() {
    let cdnow = Params {
        r: 0.2426,
        alpha: 4.4136,
        a: 0.7929,
        b: 2.4259,
    };
    assert_eq!(degenerate(&cdnow, Variant::Bgnbd), None);
    let uci = Params {
        a: 1.7e-7,
        b: 29442.0,
        ..cdnow
    };
    assert!(degenerate(&uci, Variant::Bgnbd)
        .unwrap()
        .contains("no drop-out"));
    // The advice never names the model the user is already on.
    assert!(degenerate(&uci, Variant::Bgnbd)
        .unwrap()
        .contains("--model mbgnbd"));
    assert!(!degenerate(&uci, Variant::Mbgnbd)
        .unwrap()
        .contains("mbgnbd"));
    let runaway = Params {
        alpha: 3e7,
        ..cdnow
    };
    assert!(degenerate(&runaway, Variant::Bgnbd)
        .unwrap()
        .starts_with("alpha"));
}

#[test]
fn the_one_exponential_mix_is_bit_for_bit_the_two_helpers() {
    let values = [
        -1e6, -700.0, -40.5, -3.25, -1e-9, 0.0, 1e-12, 0.5, 2.0, 37.0, 710.0, 1e7,
    ];
    for &t1 in &values {
        for &t2 in &values {
            let (sum, w2) = mix(t1, t2, true);
            assert_eq!(sum.to_bits(), log_add_exp(t1, t2).to_bits(), "{t1} {t2}");
            assert_eq!(w2.to_bits(), logistic_neg(t1 - t2).to_bits(), "{t1} {t2}");
        }
        let (sum, w2) = mix(t1, f64::NEG_INFINITY, false);
        assert_eq!(sum.to_bits(), log_add_exp(t1, f64::NEG_INFINITY).to_bits());
        assert_eq!(w2, 0.0);
    }
}

#[test]
fn the_indexed_likelihood_is_the_sum_of_the_histories() {
    let p = Params {
        r: 0.3,
        alpha: 5.0,
        a: 0.9,
        b: 2.1,
    };
    let h = compress([
        (0.0, 0.0, 10.0),
        (2.0, 4.0, 10.0),
        (2.0, 4.0, 12.0),
        (2.0, 4.0, 10.0),
        (5.0, 9.5, 12.0),
    ]);
    for v in [Variant::Bgnbd, Variant::Mbgnbd] {
        let (ll, _) = loglik(&p, v, &h);
        let one_by_one: f64 = h
            .iter()
            .map(|h| h.weight * loglik_one(&p, v, h.x, h.t_x, h.t))
            .sum();
        assert!(
            (ll - one_by_one).abs() < 1e-12 * one_by_one.abs(),
            "{ll} {one_by_one}"
        );
    }
}

#[test]
fn the_parallel_likelihood_is_the_sum_over_customers_whatever_the_threads() {
    // More histories than several runs hold, with x changing inside runs and across their edges.
    let rows: Vec<(f64, f64, f64)> = (0..(3 * RUN + 123))
        .map(|i| {
            let x = (i % 7) as f64;
            let t = 10.0 + i as f64 / 64.0;
            (x, if x > 0.0 { t * 0.6 } else { 0.0 }, t)
        })
        .collect();
    let data = compress(rows.iter().copied());
    assert!(data.len() > 2 * RUN);
    for v in [Variant::Bgnbd, Variant::Mbgnbd] {
        let (ll, _) = loglik(&HARDIE, v, &data);
        let direct: f64 = rows
            .iter()
            .map(|&(x, t_x, t)| loglik_one(&HARDIE, v, x, t_x, t))
            .sum();
        assert!(
            (ll - direct).abs() < 1e-9 * direct.abs(),
            "{v:?}: {ll} vs {direct}"
        );
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let alone = one.install(|| loglik(&HARDIE, v, &data));
        assert_eq!(alone.0.to_bits(), ll.to_bits());
        assert_eq!(
            alone.1.map(f64::to_bits),
            loglik(&HARDIE, v, &data).1.map(f64::to_bits)
        );
    }
}
