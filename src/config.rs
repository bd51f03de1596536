//! `tier.toml`: column mapping, input formats, cut-offs, tiers, RFM bins and the segment map,
//! the CLV model, churn thresholds, the report.
//! Found at `--config FILE`, else `./tier.toml`, else the user's config directory
//! (`$XDG_CONFIG_HOME/tier/tier.toml` or `~/.config/tier/tier.toml`); `--no-config` skips it.
//! Precedence is applied by the commands: flags > file > defaults. Unknown keys and wrong types
//! are errors naming the key and the file.

use crate::analysis::classify::Basis;
use crate::analysis::rfm::Monetary;
use crate::input::Returns;
use crate::UsageError;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub columns: Columns,
    #[serde(default)]
    pub input: InputConfig,
    #[serde(default)]
    pub classify: ClassifyConfig,
    #[serde(default)]
    pub rfm: RfmConfig,
    #[serde(default)]
    pub clv: ClvConfig,
    #[serde(default)]
    pub churn: ChurnConfig,
    #[serde(default)]
    pub report: ReportConfig,
}

/// `[columns]`: which export column plays which role.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    pub customer: Option<String>,
    pub date: Option<String>,
    pub amount: Option<String>,
    pub quantity: Option<String>,
    pub price: Option<String>,
    pub order: Option<String>,
    pub cost: Option<String>,
    pub margin: Option<String>,
    pub currency: Option<String>,
}

/// `[input]`: how cells are read.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputConfig {
    pub date_format: Option<String>,
    pub dayfirst: Option<bool>,
    pub monthfirst: Option<bool>,
    pub decimal_comma: Option<bool>,
    pub delimiter: Option<String>,
    pub returns: Option<Returns>,
    /// As `--max-dropped`, in percent.
    pub max_dropped: Option<f64>,
}

/// `[classify]`: ranking basis, ABC cut-offs (`"80,95"`) and pyramid (`"VIP:1,..."`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassifyConfig {
    pub by: Option<Basis>,
    pub abc: Option<String>,
    pub tiers: Option<String>,
}

/// `[rfm]`: bins, custom thresholds, monetary mode and the segment map.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmConfig {
    pub bins: Option<u32>,
    pub recency_bins: Option<Vec<f64>>,
    pub frequency_bins: Option<Vec<f64>>,
    pub monetary_bins: Option<Vec<f64>>,
    pub monetary: Option<Monetary>,
    pub segments: Option<Vec<SegmentRule>>,
}

/// `[clv]`: the model, its time unit, and how customers are valued.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClvConfig {
    pub unit: Option<crate::analysis::clv::Unit>,
    pub model: Option<crate::models::bgnbd::Variant>,
    pub horizon: Option<f64>,
    pub margin: Option<f64>,
    pub discount_rate: Option<f64>,
}

/// `[churn]`: the period and the thresholds of the churn status (see `tier churn --help`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChurnConfig {
    pub period: Option<crate::analysis::periods::Period>,
    pub at_risk_gap: Option<f64>,
    pub lapsed_gap: Option<f64>,
    pub lost_gap: Option<f64>,
    pub one_time_gap: Option<f64>,
    pub drop: Option<f64>,
    pub at_risk_p_alive: Option<f64>,
    pub lapsed_p_alive: Option<f64>,
    pub no_model: Option<bool>,
}

/// `[report]`: where `tier report` writes, and how.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    pub out: Option<PathBuf>,
    pub period: Option<crate::analysis::periods::Period>,
    pub wait: Option<bool>,
    pub no_model: Option<bool>,
    pub spreadsheet_safe: Option<bool>,
}

/// One `[[rfm.segments]]` box: a name and score ranges (`"4-5"` or a single score); a missing
/// range means every score. A name may appear in several boxes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentRule {
    pub name: String,
    pub r: Option<ScoreRange>,
    pub f: Option<ScoreRange>,
    pub m: Option<ScoreRange>,
}

/// A score range as written: `3`, `"3"` or `"2-4"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ScoreRange {
    One(u32),
    Text(String),
}

impl ScoreRange {
    /// The inclusive range, or a message saying what is wrong.
    pub fn bounds(&self) -> Result<(u32, u32), String> {
        match self {
            ScoreRange::One(n) => Ok((*n, *n)),
            ScoreRange::Text(s) => {
                let (lo, hi) = s.split_once('-').unwrap_or((s, s));
                match (lo.trim().parse(), hi.trim().parse()) {
                    (Ok(lo), Ok(hi)) => Ok((lo, hi)),
                    _ => Err(format!("`{s}` is not a score range like \"4-5\" or \"3\"")),
                }
            }
        }
    }
}

/// A loaded configuration and where it came from.
#[derive(Debug, Default)]
pub struct Loaded {
    pub path: Option<PathBuf>,
    pub config: Config,
    /// The settings the file sets, as dotted keys (`classify.abc`), in file order.
    pub keys: Vec<String>,
}

impl Loaded {
    /// Names the file for messages.
    pub fn origin(&self) -> String {
        self.path
            .as_ref()
            .map_or("the defaults".into(), |p| format!("`{}`", p.display()))
    }

    /// One line for `--explain` and the terminal note: which file was read and what it sets.
    pub fn describe(&self) -> Option<String> {
        let path = self.path.as_ref()?;
        Some(if self.keys.is_empty() {
            format!("settings: `{}` (sets nothing)", path.display())
        } else {
            format!(
                "settings: `{}` sets {}",
                path.display(),
                self.keys.join(", ")
            )
        })
    }

    /// A usage error about a key of this file.
    pub fn error(&self, key: &str, msg: &str) -> anyhow::Error {
        UsageError(format!("{}: `{key}`: {msg}", self.origin())).into()
    }
}

/// Finds and reads the configuration.
pub fn load(explicit: Option<&Path>, disabled: bool) -> anyhow::Result<Loaded> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None if disabled => None,
        None => candidates().into_iter().find(|p| p.is_file()),
    };
    let Some(path) = path else {
        return Ok(Loaded::default());
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        UsageError(format!(
            "cannot read the config file `{}`: {e}",
            path.display()
        ))
    })?;
    let config: Config = toml::from_str(&text).map_err(|e| {
        UsageError(format!(
            "`{}` is not a valid tier config: {e}",
            path.display()
        ))
    })?;
    let mut keys = Vec::new();
    if let Ok(table) = toml::from_str::<toml::Table>(&text) {
        for (section, v) in &table {
            match v.as_table() {
                Some(t) => keys.extend(t.keys().map(|k| format!("{section}.{k}"))),
                None => keys.push(section.clone()),
            }
        }
    }
    Ok(Loaded {
        path: Some(path),
        config,
        keys,
    })
}

fn candidates() -> Vec<PathBuf> {
    let mut out = vec![PathBuf::from("tier.toml")];
    let user_dir = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
    if let Some(dir) = user_dir {
        out.push(dir.join("tier").join("tier.toml"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_section() {
        let c: Config = toml::from_str(
            r#"
            [columns]
            customer = "Kunde"
            [input]
            dayfirst = true
            returns = "exclude"
            [classify]
            by = "profit"
            abc = "70,90"
            [rfm]
            bins = 4
            recency_bins = [30, 90, 365]
            monetary = "mean"
            [churn]
            period = "quarter"
            lost_gap = 10
            [[rfm.segments]]
            name = "All"
            r = "1-4"
            f = 2
            "#,
        )
        .unwrap();
        assert_eq!(c.columns.customer.as_deref(), Some("Kunde"));
        assert_eq!(c.input.returns, Some(Returns::Exclude));
        assert_eq!(c.classify.by, Some(Basis::Profit));
        assert_eq!(c.churn.lost_gap, Some(10.0));
        let seg = &c.rfm.segments.unwrap()[0];
        assert_eq!(seg.r.as_ref().unwrap().bounds().unwrap(), (1, 4));
        assert_eq!(seg.f.as_ref().unwrap().bounds().unwrap(), (2, 2));
    }

    #[test]
    fn unknown_keys_and_wrong_types_name_the_key() {
        let e = toml::from_str::<Config>("[classify]\ncutoffs = 3\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("cutoffs"), "{e}");
        let e = toml::from_str::<Config>("[rfm]\nbins = \"five\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("bins") || e.contains("line 2"), "{e}");
        assert!(ScoreRange::Text("4 to 5".into()).bounds().is_err());
    }
}
