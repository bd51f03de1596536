//! `tier rfm`: its flags, the resolution of bins, thresholds and segment map (flags > tier.toml
//! > defaults), and a `run` that scores, notes collapsed bins, and renders rows or the summary.

use crate::analysis::rfm::{self, Monetary, Params, Rfm, Thresholds};
use crate::analysis::segments::SegmentMap;
use crate::cli::{InputArgs, OutputArgs, PeriodArgs};
use crate::config::Loaded;
use crate::output::Output;
use crate::render;
pub use crate::settings::parse_list;
use crate::settings::{self, segment_map, RfmFlags};
use crate::summary::Summary;
use crate::{commands, progress, UsageError};
use anyhow::{Context, Result};
use clap::Args;
use polars::prelude::{df, DataFrame, PolarsResult};

const EXAMPLES: &str = "Examples:
  tier rfm sales.csv                                   scores and segments per customer
  tier rfm sales.csv --summary                         customers and revenue per segment
  tier rfm sales.csv --segment \"At risk\"               only the customers at risk
  tier rfm sales.csv --recency-bins 30,90,180,365      fixed recency bins in days
  tier rfm sales.csv --monetary mean --bins 5          mean spend per purchase
  tier rfm --show-map                                  the segment map in use
  tier rfm sales.csv --as-of 2025-06-30 --format json";

/// Flags of `tier rfm`.
#[derive(Debug, Args, Default)]
#[command(after_long_help = EXAMPLES)]
pub struct RfmArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Number of scores per measure, 2 to 9 [default: 5].
    #[arg(long, value_name = "N", help_heading = "Scoring")]
    pub bins: Option<u32>,
    /// Recency thresholds in days replacing the quantiles (N−1 increasing values).
    #[arg(long, value_name = "DAYS,...", value_parser = parse_cuts, help_heading = "Scoring")]
    pub recency_bins: Option<Cuts>,
    /// Frequency thresholds in purchases replacing the quantiles.
    #[arg(long, value_name = "N,...", value_parser = parse_cuts, help_heading = "Scoring")]
    pub frequency_bins: Option<Cuts>,
    /// Monetary thresholds replacing the quantiles.
    #[arg(long, value_name = "AMOUNT,...", value_parser = parse_cuts, help_heading = "Scoring")]
    pub monetary_bins: Option<Cuts>,
    /// Monetary value: the net total, or the mean per purchase [default: total].
    #[arg(long, value_enum, help_heading = "Scoring")]
    pub monetary: Option<Monetary>,
    /// Print customers and revenue per segment, and the thresholds, instead of the rows.
    #[arg(long, help_heading = "Scoring")]
    pub summary: bool,
    /// Keep only customers in this segment; repeat for several (e.g. --segment "At risk").
    #[arg(long, value_name = "NAME", help_heading = "Scoring")]
    pub segment: Vec<String>,
    /// Print the segment map in use and exit (no input needed).
    #[arg(long, help_heading = "Scoring")]
    pub show_map: bool,
}

/// Thresholds given on the command line.
#[derive(Debug, Clone)]
pub struct Cuts(pub Vec<f64>);

fn parse_cuts(s: &str) -> Result<Cuts, String> {
    settings::parse_list(s).map(Cuts)
}

/// The scoring parameters of these flags (flags > `[rfm]` of tier.toml > defaults).
pub fn resolve_params(args: &RfmArgs, cfg: &Loaded, as_of: i32) -> Result<Params> {
    settings::rfm(&args.flags(), cfg, as_of)
}

impl RfmArgs {
    /// The scoring flags as plain values, for the settings layer.
    pub fn flags(&self) -> RfmFlags {
        RfmFlags {
            bins: self.bins,
            recency_bins: self.recency_bins.as_ref().map(|c| c.0.clone()),
            frequency_bins: self.frequency_bins.as_ref().map(|c| c.0.clone()),
            monetary_bins: self.monetary_bins.as_ref().map(|c| c.0.clone()),
            monetary: self.monetary,
        }
    }
}

/// Runs `tier rfm`.
pub fn run(args: &RfmArgs, cfg: &Loaded) -> Result<()> {
    let out = Output::resolve(&args.output)?;
    if args.show_map {
        let bins = args.bins.or(cfg.config.rfm.bins).unwrap_or(5);
        let mut map = segment_map(cfg, bins)?.frame()?;
        return out.write(|w, f| render::frame(&mut map, f, w));
    }
    let mut data = commands::load_window(&args.input, &args.period, None, cfg)?;
    // Only what the scores are made from is kept: the rest of the stage is freed first.
    let stage = data.customers(false, false)?.select(rfm::STAGE_COLUMNS)?;
    let params = resolve_params(args, cfg, data.as_of())?;
    let scored = rfm::rfm(&stage, &params).context("cannot score the customers")?;
    note_scoring(&scored, params.bins);
    if args.summary {
        let segments = rfm::summary(&scored.frame, &params.map)?;
        return write_summary(&out, &segments, &scored.thresholds);
    }
    let mut rows = keep_segments(
        scored.frame.select(rfm::COLUMNS)?,
        &args.segment,
        &params.map,
    )?;
    out.write(|w, f| render::frame_keeping(&mut rows, &["segment", "rfm", "monetary"], f, w))
}

/// Keeps the rows of the named segments; a name the map does not have is a usage error.
fn keep_segments(rows: DataFrame, wanted: &[String], map: &SegmentMap) -> Result<DataFrame> {
    if wanted.is_empty() {
        return Ok(rows);
    }
    let mut known = map.names();
    known.push(rfm::NO_PURCHASE.to_string());
    if let Some(bad) = wanted.iter().find(|w| !known.contains(w)) {
        let list = known
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(UsageError(format!(
            "--segment `{bad}` is not a segment of the map; the segments are {list}"
        ))
        .into());
    }
    Ok(rfm::filter_segments(rows, wanted)?)
}

fn note_scoring(scored: &Rfm, bins: u32) {
    for t in scored.thresholds.iter().filter(|t| t.collapsed(bins)) {
        progress::note(&format!(
            "tier: note: {}: ties leave only scores {} of 1-{bins}; thresholds {} (score = 1 + thresholds below the value{})",
            t.measure,
            join(&t.scores_used),
            join(&t.values),
            if t.measure == "recency_days" { ", inverted" } else { "" }
        ));
    }
    if scored.without_purchase > 0 {
        progress::note(&format!(
            "tier: note: {} customers have no purchase of positive value in the window (only returns or \
             zero amounts): no scores, segment `No purchase`",
            scored.without_purchase
        ));
    }
}

fn join<T: ToString>(v: &[T]) -> String {
    v.iter().map(T::to_string).collect::<Vec<_>>().join(", ")
}

/// A measure's thresholds as a list, money (the monetary ones) with two decimals.
fn threshold_text(t: &Thresholds) -> String {
    if render::is_money(t.measure) {
        join(
            &t.values
                .iter()
                .map(|&v| render::money_text(v))
                .collect::<Vec<_>>(),
        )
    } else {
        join(&t.values)
    }
}

fn thresholds_frame(ts: &[Thresholds]) -> PolarsResult<DataFrame> {
    df!(
        "measure" => ts.iter().map(|t| t.measure).collect::<Vec<_>>(),
        "source" => ts.iter().map(|t| t.source).collect::<Vec<_>>(),
        "thresholds" => ts.iter().map(threshold_text).collect::<Vec<_>>(),
        "scores_used" => ts.iter().map(|t| join(&t.scores_used)).collect::<Vec<_>>(),
    )
}

/// The segment summary and the thresholds in their two forms.
pub fn summary(segments: &DataFrame, thresholds: &[Thresholds]) -> Result<Summary> {
    let doc = serde_json::json!({
        "segments": render::frame_json(segments),
        "thresholds": thresholds,
    });
    Ok(Summary::new(
        doc,
        vec![
            ("RFM segments".to_string(), segments.clone()),
            (
                "Score thresholds (score = 1 + thresholds below the value; recency inverted)"
                    .to_string(),
                thresholds_frame(thresholds)?,
            ),
        ],
    ))
}

fn write_summary(out: &Output, segments: &DataFrame, thresholds: &[Thresholds]) -> Result<()> {
    let s = summary(segments, thresholds)?;
    out.write(|w, format| s.write(format, w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_lists_must_increase() {
        assert_eq!(parse_list("30, 90,180").unwrap(), [30.0, 90.0, 180.0]);
        assert!(parse_list("30,30").is_err());
        assert!(parse_list("90,30").is_err());
        assert!(parse_list("a,b").is_err());
    }
}
