//! `tier classify`: its flags, and a `run` that loads, classifies and renders either the
//! per-customer rows or the Pareto summary.

use crate::analysis::classify::{self, Basis, UNITS};
use crate::analysis::pareto::{self, Summary};
use crate::cli::{InputArgs, OutputArgs, PeriodArgs};
use crate::config::Loaded;
use crate::output::Output;
use crate::render;
pub use crate::settings::{classify as resolve_params, parse_abc, parse_tiers, Tiers};
use crate::{commands, progress};
use anyhow::{Context, Result};
use clap::Args;
use polars::prelude::{df, DataFrame, PolarsResult};

const EXAMPLES: &str = "Examples:
  tier classify sales.csv                          ABC classes and tiers per customer
  tier classify sales.csv --summary                the 80/20 summary, Gini and Lorenz curve
  tier classify jan.csv feb.csv mar.csv            several monthly exports as one table
  tier classify sales.csv --by profit --cost Cost  rank by profit
  tier classify sales.csv --group Region           rank within each region
  tier classify sales.csv --since 2024-01-01 --as-of 2024-12-31 -o tiers.parquet
  tier classify sales.csv --abc 70,90 --tiers Gold:10,Silver:30,Bronze:60
  tier classify sales.csv --explain --format json | jq '.[0]'";

/// Flags of `tier classify`.
#[derive(Debug, Args)]
#[command(after_long_help = EXAMPLES)]
pub struct ClassifyArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// What to rank customers by [default: revenue].
    #[arg(long, value_enum, help_heading = "Classification")]
    pub by: Option<Basis>,
    /// ABC cut-offs in percent of cumulative value: A up to the first, B up to the second
    /// [default: 80,95].
    #[arg(long, value_name = "A,B", value_parser = parse_abc, help_heading = "Classification")]
    pub abc: Option<(f64, f64)>,
    /// Customer pyramid from the top, NAME:PERCENT of customers, adding up to 100
    /// [default: VIP:1,Major:4,Ordinary:15,Small:80].
    #[arg(long, value_name = "NAME:PCT,...", value_parser = parse_tiers, help_heading = "Classification")]
    pub tiers: Option<Tiers>,
    /// Rank separately within each value of this column (region, channel, sales rep).
    #[arg(long, value_name = "COLUMN", help_heading = "Classification")]
    pub group: Option<String>,
    /// Print the Pareto summary instead of one row per customer.
    #[arg(long, help_heading = "Classification")]
    pub summary: bool,
}

/// Runs `tier classify`.
pub fn run(args: &ClassifyArgs, cfg: &Loaded) -> Result<()> {
    let out = Output::resolve(&args.output)?;
    let params = resolve_params(
        args.by,
        args.abc,
        args.tiers.as_ref(),
        args.group.is_some(),
        cfg,
    )?;
    render::set_value_is_money(matches!(params.by, Basis::Revenue | Basis::Profit));
    let mut data = commands::load_window(&args.input, &args.period, args.group.as_deref(), cfg)?;
    let stage = data.customers(params.grouped, params.by == Basis::Quantity)?;
    let classified =
        classify::classify_stage(stage, &params).context("cannot classify the customers")?;
    if args.summary {
        let summaries = pareto::summarize(&classified, &params)?;
        return write_summary(&out, &summaries, args.group.as_deref());
    }
    let mut rows = classified.drop(UNITS)?;
    if let Some(g) = &args.group {
        rows.rename(crate::input::col::GROUP, g.as_str().into())?;
    }
    out.write(|w, f| render::frame_keeping(&mut rows, &["value", "abc", "tier", "share"], f, w))?;
    if out.to_terminal() {
        let summaries = pareto::summarize(&classified, &params)?;
        summaries
            .iter()
            .for_each(|s| progress::note(&short_summary(s)));
    }
    Ok(())
}

/// The JSON shape of a grouped summary.
#[derive(serde::Serialize)]
struct Grouped<'a> {
    group_column: Option<&'a str>,
    groups: &'a [Summary],
}

/// The Pareto summary (one per group when grouped) in its two forms.
pub fn summary(summaries: &[Summary], group: Option<&str>) -> Result<crate::summary::Summary> {
    let sections = summary_sections(summaries)?;
    Ok(match (summaries, group) {
        ([one], None) => crate::summary::Summary::new(serde_json::to_value(one)?, sections),
        (all, _) => {
            let doc = serde_json::to_value(Grouped {
                group_column: group,
                groups: all,
            })?;
            crate::summary::Summary {
                doc,
                lines: all
                    .iter()
                    .map(serde_json::to_value)
                    .collect::<Result<_, _>>()?,
                sections,
            }
        }
    })
}

fn write_summary(out: &Output, summaries: &[Summary], group: Option<&str>) -> Result<()> {
    let s = summary(summaries, group)?;
    out.write(|w, format| s.write(format, w))
}

fn summary_sections(summaries: &[Summary]) -> Result<Vec<(String, DataFrame)>> {
    let mut parts = Vec::new();
    for s in summaries {
        let title = s
            .group
            .as_ref()
            .map_or(String::new(), |g| format!(" — {g}"));
        let lorenz = df!(
            "customer_share" => s.lorenz.iter().map(|p| p.customer_share).collect::<Vec<_>>(),
            "value_share" => s.lorenz.iter().map(|p| p.value_share).collect::<Vec<_>>(),
        )?;
        parts.push((format!("Pareto summary{title}"), overview(s)?));
        parts.push((
            "ABC classes".to_string(),
            pareto::class_frame("class", &s.abc)?,
        ));
        parts.push((
            "Customer pyramid".to_string(),
            pareto::class_frame("tier", &s.tiers)?,
        ));
        parts.push((
            "Lorenz curve (customers sorted by ascending value)".to_string(),
            lorenz,
        ));
    }
    Ok(parts)
}

fn overview(s: &Summary) -> PolarsResult<DataFrame> {
    let basis = format!("{:?}", s.by).to_lowercase();
    df!(
        "measure" => ["value basis", "customers", "customers without value (not ranked)", "total value",
                      "customers making 80% of value", "share of customers making 80%",
                      "value share of the top 20% of customers", "Gini coefficient"],
        "value" => [basis, s.customers.to_string(), s.customers_without_value.to_string(), total(s),
                    s.customers_for_80pct.to_string(), pct(s.customers_for_80pct_share),
                    pct(s.top_20pct_value_share), format!("{:.3}", s.gini)],
    )
}

/// The total value as the tables print it: money with two decimals, a count or quantity as is.
fn total(s: &Summary) -> String {
    if render::is_money("total_value") {
        render::money_text(s.total_value)
    } else {
        s.total_value.to_string()
    }
}

fn pct(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// The one-paragraph version shown on stderr after the table on a terminal.
fn short_summary(s: &Summary) -> String {
    let group = s
        .group
        .as_ref()
        .map_or(String::new(), |g| format!("[{g}] "));
    let classes: Vec<String> = s
        .abc
        .iter()
        .map(|c| format!("{} {}", c.class, c.customers))
        .collect();
    let without = match s.customers_without_value {
        0 => String::new(),
        n => format!(" (and {n} without value, not ranked)"),
    };
    format!(
        "{group}{} customers{without}, total {}: {} customers ({}) make 80% of value; the top 20% bring {}; Gini {:.3}; {}",
        s.customers,
        total(s),
        s.customers_for_80pct,
        pct(s.customers_for_80pct_share),
        pct(s.top_20pct_value_share),
        s.gini,
        classes.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abc_cut_offs_must_increase() {
        assert_eq!(parse_abc("80,95").unwrap(), (80.0, 95.0));
        assert!(parse_abc("95,80").is_err());
        assert!(parse_abc("0,50").is_err());
        assert!(parse_abc("80,101").is_err());
        assert!(parse_abc("80").is_err());
    }

    #[test]
    fn tiers_must_add_up_to_100() {
        assert_eq!(
            parse_tiers("VIP:1,Major:4,Ordinary:15,Small:80")
                .unwrap()
                .0
                .len(),
            4
        );
        assert!(parse_tiers("A:50,B:40").unwrap_err().contains("90"));
        assert!(parse_tiers("A:50,A:50").is_err());
        assert!(parse_tiers("A50,B50").is_err());
    }
}
