//! Where a setting's value comes from: the flag, else its key in tier.toml, else the default,
//! checked once here so that a command, the report and the config file cannot disagree about a
//! default or a range. Errors name where the bad value came from (`--lost-gap` or
//! `churn.lost_gap in ./tier.toml`) and exit 2. Classification, RFM scoring and the CLV model
//! are resolved here for every command and the report.

use crate::analysis::churn::Params as ChurnParams;
use crate::analysis::classify::{Basis, Params, Tier};
use crate::analysis::clv::Unit;
use crate::analysis::clv_model::{MAX_HORIZON_YEARS, YEAR_DAYS};
use crate::analysis::periods::Period;
use crate::analysis::rfm::{Monetary, Params as RfmParams};
use crate::analysis::segments::{Rule, SegmentMap};
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

/// The pyramid levels, as parsed from `--tiers`.
#[derive(Debug, Clone)]
pub struct Tiers(pub Vec<Tier>);

/// Parses `80,95`: two increasing percentages, the first above 0, the second at most 100.
pub fn parse_abc(s: &str) -> Result<(f64, f64), String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let nums: Vec<f64> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    match nums[..] {
        [a, b] if parts.len() == 2 && a > 0.0 && a < b && b <= 100.0 => Ok((a, b)),
        _ => Err(format!(
            "`{s}`: expected two increasing percentages A,B with 0 < A < B <= 100, e.g. 80,95"
        )),
    }
}

/// Words `classify` and `migrate` give customers outside the tiers, which no tier may be named.
const RESERVED_TIER_NAMES: [&str; 4] = ["new", "lost", "returned", "none"];

/// Parses `VIP:1,Major:4,...`: distinct names (none of the reserved words), positive percentages
/// adding up to 100.
pub fn parse_tiers(s: &str) -> Result<Tiers, String> {
    let mut tiers: Vec<Tier> = Vec::new();
    for part in s.split(',') {
        let (name, pct) = part
            .rsplit_once(':')
            .ok_or_else(|| format!("`{part}`: expected NAME:PERCENT, e.g. VIP:1"))?;
        let name = name.trim().to_string();
        let pct: f64 = pct
            .trim()
            .parse()
            .map_err(|_| format!("`{part}`: `{pct}` is not a percentage"))?;
        if name.is_empty() || !(pct > 0.0 && pct <= 100.0) {
            return Err(format!(
                "`{part}`: a tier needs a name and a percentage above 0"
            ));
        }
        if tiers.iter().any(|t| t.name == name) {
            return Err(format!("tier `{name}` is named twice"));
        }
        if RESERVED_TIER_NAMES.contains(&name.to_lowercase().as_str()) {
            return Err(format!(
                "tier `{name}` takes a word tier uses for customers outside the tiers ({}); \
                 choose another name",
                RESERVED_TIER_NAMES.join(", ")
            ));
        }
        tiers.push(Tier { name, pct });
    }
    let sum: f64 = tiers.iter().map(|t| t.pct).sum();
    if (sum - 100.0).abs() > 1e-9 {
        return Err(format!("the tier percentages add up to {sum}, not 100"));
    }
    Ok(Tiers(tiers))
}

pub const DEFAULT_TIERS: &str = "VIP:1,Major:4,Ordinary:15,Small:80";

/// Classification parameters: flags first, then `[classify]` of the config, then the defaults.
pub fn classify(
    by: Option<Basis>,
    abc: Option<(f64, f64)>,
    tiers: Option<&Tiers>,
    grouped: bool,
    cfg: &Loaded,
) -> Result<Params> {
    let c = &cfg.config.classify;
    let abc = match (abc, &c.abc) {
        (Some(a), _) => a,
        (None, Some(text)) => parse_abc(text).map_err(|e| cfg.error("classify.abc", &e))?,
        (None, None) => (80.0, 95.0),
    };
    let tiers = match (tiers, &c.tiers) {
        (Some(t), _) => t.0.clone(),
        (None, Some(text)) => {
            parse_tiers(text)
                .map_err(|e| cfg.error("classify.tiers", &e))?
                .0
        }
        (None, None) => parse_tiers(DEFAULT_TIERS).expect("valid default tiers").0,
    };
    Ok(Params {
        by: by.or(c.by).unwrap_or(Basis::Revenue),
        abc,
        tiers,
        grouped,
    })
}

/// What the command line says about RFM scoring (each `None` when not given).
#[derive(Debug, Clone, Default)]
pub struct RfmFlags {
    pub bins: Option<u32>,
    pub recency_bins: Option<Vec<f64>>,
    pub frequency_bins: Option<Vec<f64>>,
    pub monetary_bins: Option<Vec<f64>>,
    pub monetary: Option<Monetary>,
}

/// Parses `30,90,180`: numbers, strictly increasing.
pub fn parse_list(s: &str) -> Result<Vec<f64>, String> {
    let v: Vec<f64> = s
        .split(',')
        .map(|p| {
            p.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("`{p}` is not a number"))
        })
        .collect::<Result<_, _>>()?;
    if v.windows(2).any(|w| w[0] >= w[1]) {
        return Err(format!("`{s}`: thresholds must be strictly increasing"));
    }
    Ok(v)
}

/// Bins, thresholds, monetary mode and map from flags, then `[rfm]` of the config, then defaults.
pub fn rfm(args: &RfmFlags, cfg: &Loaded, as_of: i32) -> Result<RfmParams> {
    let c = &cfg.config.rfm;
    let bins = args.bins.or(c.bins).unwrap_or(5);
    if !(2..=9).contains(&bins) {
        let from = if args.bins.is_some() {
            "--bins".to_string()
        } else {
            format!("rfm.bins in {}", cfg.origin())
        };
        return Err(UsageError(format!(
            "{from}: {bins} bins; use 2 to 9 (scores are single digits)"
        ))
        .into());
    }
    let flags = [
        &args.recency_bins,
        &args.frequency_bins,
        &args.monetary_bins,
    ];
    let files = [&c.recency_bins, &c.frequency_bins, &c.monetary_bins];
    let names = ["recency-bins", "frequency-bins", "monetary-bins"];
    let mut custom: [Option<Vec<f64>>; 3] = [None, None, None];
    for i in 0..3 {
        custom[i] = match (flags[i], files[i]) {
            (Some(v), _) => Some(check_count(v, bins, &format!("--{}", names[i]))?),
            (None, Some(v)) => {
                let key = format!("rfm.{}", names[i].replace('-', "_"));
                parse_list(&v.iter().map(f64::to_string).collect::<Vec<_>>().join(","))
                    .map_err(|e| cfg.error(&key, &e))?;
                Some(check_count(v, bins, &format!("{key} in {}", cfg.origin()))?)
            }
            (None, None) => None,
        };
    }
    Ok(RfmParams {
        as_of,
        bins,
        custom,
        monetary: args.monetary.or(c.monetary).unwrap_or_default(),
        map: segment_map(cfg, bins)?,
    })
}

fn check_count(v: &[f64], bins: u32, from: &str) -> Result<Vec<f64>> {
    if v.len() as u32 != bins - 1 {
        return Err(UsageError(format!(
            "{from}: {} thresholds make {} scores, but there are {bins} bins; give {}",
            v.len(),
            v.len() + 1,
            bins - 1
        ))
        .into());
    }
    Ok(v.to_vec())
}

/// The segment map of the config, validated for `bins`, else the built-in one (5 bins only).
pub fn segment_map(cfg: &Loaded, bins: u32) -> Result<SegmentMap> {
    let Some(rules) = &cfg.config.rfm.segments else {
        if bins != 5 {
            return Err(UsageError(format!(
                "the built-in segment map is for 5 bins; with {bins} bins define [[rfm.segments]] in tier.toml"
            ))
            .into());
        }
        return Ok(SegmentMap::default_map());
    };
    let mut out = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        let range = |axis: &str, v: &Option<crate::config::ScoreRange>| -> Result<(u32, u32)> {
            v.as_ref()
                .map_or(Ok((1, bins)), |s| s.bounds())
                .map_err(|e| cfg.error(&format!("rfm.segments[{}].{axis}", i + 1), &e))
        };
        out.push(Rule {
            name: r.name.clone(),
            r: range("r", &r.r)?,
            f: range("f", &r.f)?,
            m: range("m", &r.m)?,
        });
    }
    SegmentMap::new(out, bins, false).map_err(|e| cfg.error("rfm.segments", &e))
}

/// What the command line says about the churn status (each `None` when not given).
#[derive(Debug, Clone, Copy, Default)]
pub struct ChurnFlags {
    pub period: Option<Period>,
    pub at_risk_gap: Option<f64>,
    pub lapsed_gap: Option<f64>,
    pub lost_gap: Option<f64>,
    pub one_time_gap: Option<f64>,
    pub drop: Option<f64>,
    pub at_risk_p_alive: Option<f64>,
    pub lapsed_p_alive: Option<f64>,
}

/// The thresholds from flags, then `[churn]`, then defaults, checked.
pub fn churn(args: &ChurnFlags, cfg: &Loaded) -> Result<ChurnParams> {
    let c = &cfg.config.churn;
    let d = ChurnParams::default();
    let pick = |flag, file, default, name, ok: &dyn Fn(f64) -> bool, want| {
        number(cfg, "churn", name, flag, file, default, ok, want)
    };
    let ratio = |v: f64| v.is_finite() && v > 0.0 && v <= 1000.0;
    let share = |v: f64| v > 0.0 && v < 1.0;
    let p = ChurnParams {
        period: args.period.or(c.period).unwrap_or_default(),
        at_risk_gap: pick(
            args.at_risk_gap,
            c.at_risk_gap,
            d.at_risk_gap,
            "at_risk_gap",
            &ratio,
            "must be a ratio above 0 (at most 1000)",
        )?,
        lapsed_gap: pick(
            args.lapsed_gap,
            c.lapsed_gap,
            d.lapsed_gap,
            "lapsed_gap",
            &ratio,
            "must be a ratio above 0 (at most 1000)",
        )?,
        lost_gap: pick(
            args.lost_gap,
            c.lost_gap,
            d.lost_gap,
            "lost_gap",
            &ratio,
            "must be a ratio above 0 (at most 1000)",
        )?,
        one_time_gap: match (args.one_time_gap, c.one_time_gap) {
            (None, None) => None,
            (f, g) => Some(pick(
                f,
                g,
                0.0,
                "one_time_gap",
                &|v| v.is_finite() && (1.0..=36525.0).contains(&v),
                "must be a number of days from 1 to 36525",
            )?),
        },
        drop: pick(
            args.drop,
            c.drop,
            d.drop,
            "drop",
            &share,
            "must be a share between 0 and 1",
        )?,
        at_risk_p_alive: pick(
            args.at_risk_p_alive,
            c.at_risk_p_alive,
            d.at_risk_p_alive,
            "at_risk_p_alive",
            &share,
            "must be a probability between 0 and 1",
        )?,
        lapsed_p_alive: pick(
            args.lapsed_p_alive,
            c.lapsed_p_alive,
            d.lapsed_p_alive,
            "lapsed_p_alive",
            &share,
            "must be a probability between 0 and 1",
        )?,
    };
    if !(p.at_risk_gap < p.lapsed_gap && p.lapsed_gap < p.lost_gap) {
        return Err(UsageError(format!(
            "the gap ratios must increase: at risk {} < lapsed {} < lost {}",
            p.at_risk_gap, p.lapsed_gap, p.lost_gap
        ))
        .into());
    }
    if p.lapsed_p_alive >= p.at_risk_p_alive {
        return Err(UsageError(format!(
            "--lapsed-p-alive {} must be below --at-risk-p-alive {}",
            p.lapsed_p_alive, p.at_risk_p_alive
        ))
        .into());
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_cannot_take_the_words_for_customers_outside_them() {
        for bad in [
            "VIP:5,new:95",
            "Lost:100",
            "A:50,None:50",
            "x:1,RETURNED:99",
        ] {
            assert!(
                parse_tiers(bad).unwrap_err().contains("outside the tiers"),
                "{bad}"
            );
        }
        assert!(parse_tiers("Newcomer:100").is_ok());
    }

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
