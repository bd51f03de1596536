//! Benchmark of the BG/NBD and Gamma-Gamma fits and of scoring, on customers simulated from known
//! parameters: `cargo run --profile ci --example bench_fit -- [CUSTOMERS]` (default 1,000,000).
//! Purchase days are whole days over two years, expressed in weeks, as real exports give them.

#![allow(clippy::print_stdout)]

use std::time::Instant;
use tier::models::bgnbd::{self, Params, Variant};
use tier::models::{fit_bgnbd, fit_gamma_gamma, gamma_gamma, simulate};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let truth = Params {
        r: 0.25,
        alpha: 4.4,
        a: 0.8,
        b: 2.4,
    };
    let t0 = Instant::now();
    let mut rng = simulate::Rng(42);
    let rows: Vec<(f64, f64, f64)> = (0..n)
        .map(|i| {
            let age_days = 1 + (i % 730) as u32;
            let (x, t_x, t) = simulate::customer(&mut rng, &truth, age_days as f64 / 7.0);
            (x, (t_x * 7.0).floor() / 7.0, t)
        })
        .collect();
    let simulated = t0.elapsed();
    let t1 = Instant::now();
    let histories = bgnbd::compress(rows.iter().copied());
    let compressed = t1.elapsed();
    let t2 = Instant::now();
    let (fit, report) = fit_bgnbd(&histories, Variant::Bgnbd).expect("fit");
    let fitted = t2.elapsed();
    let spends = gamma_gamma::compress(
        rows.iter()
            .filter(|r| r.0 > 0.0)
            .map(|r| (r.0, 20.0 + (r.1 * 13.0) % 40.0)),
    );
    let t3 = Instant::now();
    let (_, gg_report) = fit_gamma_gamma(&spends).expect("gamma-gamma fit");
    let gg_time = t3.elapsed();
    let t4 = Instant::now();
    let total: f64 = histories
        .iter()
        .map(|h| h.weight * bgnbd::expected_purchases(&fit, Variant::Bgnbd, 52.0, h.x, h.t_x, h.t))
        .sum();
    let scored = t4.elapsed();
    println!("customers                 {n}");
    println!("simulation                {:.2} s", simulated.as_secs_f64());
    println!(
        "distinct histories        {} (compressed in {:.2} s)",
        histories.len(),
        compressed.as_secs_f64()
    );
    println!(
        "BG/NBD fit                {:.3} s, {} iterations, converged {}",
        fitted.as_secs_f64(),
        report.iterations,
        report.converged
    );
    println!(
        "  r {:.4} alpha {:.4} a {:.4} b {:.4} (truth 0.25, 4.4, 0.8, 2.4)",
        fit.r, fit.alpha, fit.a, fit.b
    );
    println!(
        "Gamma-Gamma fit           {:.3} s on {} distinct (x, m), {} iterations",
        gg_time.as_secs_f64(),
        spends.len(),
        gg_report.iterations
    );
    println!(
        "52-week predictions       {:.3} s for all histories (total {:.0} purchases)",
        scored.as_secs_f64(),
        total
    );
}
