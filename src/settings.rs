//! Where a setting's value comes from: the flag, else its key in tier.toml, else the default,
//! checked once here so that a command, the report and the config file cannot disagree about a
//! default or a range. Errors name where the bad value came from (`--lost-gap` or
//! `churn.lost_gap in ./tier.toml`) and exit 2.

use crate::analysis::clv::Unit;
use crate::analysis::clv_model::{MAX_HORIZON_YEARS, YEAR_DAYS};
use crate::config::Loaded;
use crate::models::bgnbd::Variant;
use crate::UsageError;
use anyhow::Result;

/// One numeric setting: `flag`, else `file` (`section.key` in tier.toml), else `default`;
/// refused unless `ok`, with `want` saying what is accepted.
#[allow(clippy::too_many_arguments)]
pub fn number(
    cfg: &Loaded,
    section: &str,
    key: &str,
    flag: Option<f64>,
    file: Option<f64>,
    default: f64,
    ok: &dyn Fn(f64) -> bool,
    want: &str,
) -> Result<f64> {
    let (v, from) = match (flag, file) {
        (Some(v), _) => (v, format!("--{}", key.replace('_', "-"))),
        (None, Some(v)) => (v, format!("{section}.{key} in {}", cfg.origin())),
        (None, None) => return Ok(default),
    };
    if ok(v) {
        Ok(v)
    } else {
        Err(UsageError(format!("{from} {v}: {want}")).into())
    }
}

/// The CLV model's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clv {
    pub unit: Unit,
    pub model: Variant,
    /// In units; `None`: one year.
    pub horizon: Option<f64>,
    pub margin: f64,
    pub discount_rate: f64,
}

/// What the command line says about the CLV model (each `None` when not given).
#[derive(Debug, Clone, Copy, Default)]
pub struct ClvFlags {
    pub unit: Option<Unit>,
    pub model: Option<Variant>,
    pub horizon: Option<f64>,
    pub margin: Option<f64>,
    pub discount_rate: Option<f64>,
}

/// The CLV settings from flags, then `[clv]`, then the defaults (weeks, BG/NBD, one year, the
/// whole revenue, no discounting).
pub fn clv(flags: ClvFlags, cfg: &Loaded) -> Result<Clv> {
    let c = &cfg.config.clv;
    let unit = flags.unit.or(c.unit).unwrap_or(Unit::Week);
    let max = MAX_HORIZON_YEARS * YEAR_DAYS / unit.days();
    let horizon = match (flags.horizon, c.horizon) {
        (None, None) => None,
        (f, g) => Some(number(
            cfg,
            "clv",
            "horizon",
            f,
            g,
            0.0,
            &|h| h > 0.0 && h <= max,
            &format!(
                "must be above 0 and at most {max} {}s (100 years)",
                unit.name()
            ),
        )?),
    };
    Ok(Clv {
        unit,
        model: flags.model.or(c.model).unwrap_or(Variant::Bgnbd),
        horizon,
        margin: number(
            cfg,
            "clv",
            "margin",
            flags.margin,
            c.margin,
            1.0,
            &|m| m > 0.0 && m <= 1.0,
            "must be above 0 and at most 1",
        )?,
        discount_rate: number(
            cfg,
            "clv",
            "discount_rate",
            flags.discount_rate,
            c.discount_rate,
            0.0,
            &|d| (0.0..=1.0).contains(&d),
            "must be from 0 to 1 (0.1 = 10% a year)",
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let mut cfg = Loaded::default();
        cfg.config.clv.margin = Some(0.3);
        cfg.config.clv.unit = Some(Unit::Day);
        let s = clv(ClvFlags::default(), &cfg).unwrap();
        assert_eq!((s.margin, s.unit, s.discount_rate), (0.3, Unit::Day, 0.0));
        let flags = ClvFlags {
            margin: Some(0.5),
            ..ClvFlags::default()
        };
        assert_eq!(clv(flags, &cfg).unwrap().margin, 0.5);
        cfg.config.clv.discount_rate = Some(2.0);
        let e = clv(ClvFlags::default(), &cfg).unwrap_err().to_string();
        assert!(e.contains("clv.discount_rate in the defaults"), "{e}");
        let flags = ClvFlags {
            horizon: Some(1e12),
            discount_rate: Some(0.1),
            ..ClvFlags::default()
        };
        assert!(clv(flags, &cfg)
            .unwrap_err()
            .to_string()
            .contains("--horizon"));
    }
}
