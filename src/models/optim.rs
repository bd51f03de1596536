//! Maximum likelihood by L-BFGS with a Moré–Thuente line search (argmin), on the logarithms of
//! positive parameters so that the search is unconstrained. The objective is the negative
//! log-likelihood per customer, which keeps gradients of order one whatever the data size.

use argmin::core::{CostFunction, Executor, Gradient, State, TerminationReason, TerminationStatus};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use serde::Serialize;
use std::sync::Mutex;

/// A log-likelihood over positive parameters: value and gradient at θ.
pub trait LogLik {
    fn eval(&self, theta: &[f64]) -> (f64, Vec<f64>);
    /// Customers behind the data (the weights' sum), to scale the objective.
    fn customers(&self) -> f64;
}

/// A cost and its gradient.
type Value = (f64, Vec<f64>);

/// The objective as the optimiser sees it. The line search asks for the cost and then the
/// gradient at the same point; one evaluation gives both, so the last one is kept.
struct Problem<'a, L: LogLik> {
    f: &'a L,
    last: Mutex<Option<(Vec<f64>, Value)>>,
}

impl<'a, L: LogLik> Problem<'a, L> {
    fn new(f: &'a L) -> Self {
        Problem {
            f,
            last: Mutex::new(None),
        }
    }

    /// `evaluate` at `u`, from the last evaluation when it was at `u`.
    fn neg(&self, u: &[f64]) -> (f64, Vec<f64>) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, value)) = last.as_ref().filter(|(at, _)| at.as_slice() == u) {
            return value.clone();
        }
        let value = self.evaluate(u);
        *last = Some((u.to_vec(), value.clone()));
        value
    }

    /// Negative mean log-likelihood and its gradient in u = ln θ; non-finite values become a
    /// wall the line search backs away from.
    fn evaluate(&self, u: &[f64]) -> (f64, Vec<f64>) {
        let theta: Vec<f64> = u.iter().map(|v| v.clamp(-40.0, 40.0).exp()).collect();
        let (ll, g) = self.f.eval(&theta);
        let n = self.f.customers();
        if !ll.is_finite() || g.iter().any(|v| !v.is_finite()) {
            return (1e100, vec![0.0; u.len()]);
        }
        (
            -ll / n,
            g.iter().zip(&theta).map(|(gi, t)| -gi * t / n).collect(),
        )
    }
}

impl<L: LogLik> CostFunction for Problem<'_, L> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, u: &Self::Param) -> Result<f64, argmin::core::Error> {
        Ok(self.neg(u).0)
    }
}

impl<L: LogLik> Gradient for Problem<'_, L> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, u: &Self::Param) -> Result<Vec<f64>, argmin::core::Error> {
        Ok(self.neg(u).1)
    }
}

/// The outcome of a fit.
#[derive(Debug, Clone, Serialize)]
pub struct Fitted {
    #[serde(skip)]
    pub theta: Vec<f64>,
    pub log_likelihood: f64,
    pub iterations: u64,
    pub converged: bool,
    /// The largest gradient component of the mean log-likelihood in ln θ at the end.
    pub gradient_norm: f64,
    pub termination: String,
}

const MAX_ITERS: u64 = 1000;

/// Maximises `f` from `start` (positive values).
pub fn maximise(f: &impl LogLik, start: &[f64]) -> Result<Fitted, String> {
    let problem = Problem::new(f);
    let u0: Vec<f64> = start.iter().map(|v| v.ln()).collect();
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
        .with_tolerance_grad(1e-9)
        .and_then(|s| s.with_tolerance_cost(1e-14))
        .map_err(|e| e.to_string())?;
    let res = Executor::new(problem, solver)
        .configure(|s| s.param(u0).max_iters(MAX_ITERS))
        .run()
        .map_err(|e| format!("the optimiser failed: {e}"))?;
    let state = res.state();
    let u = state
        .get_best_param()
        .cloned()
        .ok_or("the optimiser found no parameters")?;
    let (cost, grad) = Problem::new(f).neg(&u);
    let gradient_norm = grad.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    let termination = match state.get_termination_status() {
        TerminationStatus::Terminated(r) => r.text().to_string(),
        TerminationStatus::NotTerminated => "not terminated".to_string(),
    };
    let stopped_well = matches!(
        state.get_termination_status(),
        TerminationStatus::Terminated(TerminationReason::SolverConverged)
    );
    let converged = cost < 1e99 && (stopped_well || gradient_norm < 1e-5) && gradient_norm < 1e-3;
    // At the optimum the line search can find no better step and says so as an error; the
    // gradient test is then what tells the fit converged, and the report says that instead.
    let termination = if converged && !stopped_well {
        "converged by the gradient test (no better step left at the optimum)".to_string()
    } else {
        termination
    };
    Ok(Fitted {
        theta: u.iter().map(|v| v.exp()).collect(),
        log_likelihood: -cost * f.customers(),
        iterations: state.get_iter(),
        converged,
        gradient_norm,
        termination,
    })
}
