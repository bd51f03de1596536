//! `tier growth`: each customer's value in the last complete period against the period before and
//! the same period a year earlier, the growers and decliners (`--top N`), and the totals per
//! period (`--total`).

use crate::analysis::growth::{self, Growth};
use crate::analysis::periods::{self, Period};
use crate::analysis::{churn, retention};
use crate::cli::{InputArgs, OutputArgs, PeriodArgs};
use crate::config::Loaded;
use crate::output::Output;
use crate::{commands, progress, render};
use anyhow::Result;
use clap::Args;
use polars::prelude::*;

const EXAMPLES: &str = "Examples:
  tier growth sales.csv                         every customer's last month against the month
                                                before and the same month a year earlier
  tier growth sales.csv --period quarter --top 10
  tier growth sales.csv --total --period year   the business as a whole, year by year";

/// Flags of `tier growth`.
#[derive(Debug, Args)]
#[command(after_long_help = EXAMPLES)]
pub struct GrowthArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Calendar period compared [default: month].
    #[arg(long = "period", value_enum, default_value_t = Period::Month, help_heading = "Growth")]
    pub every: Period,
    /// Only the N largest growers and the N largest decliners (by change against a year before).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000), conflicts_with = "total", help_heading = "Growth")]
    pub top: Option<u32>,
    /// The total value per period, with its changes, instead of the customers.
    #[arg(long, help_heading = "Growth")]
    pub total: bool,
}

/// Runs `tier growth`.
pub fn run(args: &GrowthArgs, cfg: &Loaded) -> Result<()> {
    let out = Output::resolve(&args.output)?;
    let period = args.every;
    let mut data = commands::load_window(&args.input, &args.period, None, cfg)?;
    let seam = data.seam()?;
    let as_of = data.as_of();
    let presence = retention::presence(&seam.customer_periods(period)?)?;
    let last = period.index(as_of);
    // The first period of the data (or the first whole one after --since): earlier ones are
    // unknown, not zero.
    let first = periods::first_whole_of(&seam, period)?;
    if args.total {
        if let Some(note) = period.partial_note(last, as_of) {
            progress::note(&format!(
                "tier: note: {note}; its row has `complete = false`"
            ));
        }
        let rows = growth::totals(&presence, first.min(last), last, period.per_year());
        let mut frame = growth::totals_frame(&rows, period, as_of)?;
        return out.write(|w, f| render::frame(&mut frame, f, w));
    }
    let now = churn::current_period(period, as_of);
    if let Some(note) = period.partial_note(last, as_of) {
        progress::note(&format!(
            "tier: note: {note}; the last complete {} {} is compared",
            period.name(),
            period.label(now)
        ));
    }
    if now < first {
        progress::note(&format!(
            "tier: note: the data holds no complete {} before {}: there is nothing to compare yet",
            period.name(),
            crate::input::iso_date(as_of)
        ));
    }
    let all = growth::customers(&presence, period, now, first);
    let trends = growth::trends(&seam)?;
    let mut frame = match args.top {
        None => {
            growth::customers_frame(&all.iter().collect::<Vec<_>>(), &period.label(now), &trends)?
        }
        Some(n) => {
            if all.iter().all(|g| g.year_before.is_none()) {
                progress::note(&format!(
                    "tier: note: no growers or decliners: --top compares {} with {}, a year \
                     before, which the data does not cover (it starts in {})",
                    period.label(now),
                    period.label(now - period.per_year()),
                    period.label(first)
                ));
            }
            top(&all, n as usize, &period.label(now), &trends)?
        }
    };
    out.write(|w, f| render::frame_keeping(&mut frame, &["value", "change_pct", "trend"], f, w))
}

/// The N largest growers and N largest decliners against a year before, with a `direction`.
fn top(
    all: &[Growth],
    n: usize,
    label: &str,
    trends: &std::collections::HashMap<String, &'static str>,
) -> Result<DataFrame> {
    let up: Vec<&Growth> = all.iter().filter(|g| g.rise() > 0).take(n).collect();
    let down: Vec<&Growth> = all.iter().rev().filter(|g| g.rise() < 0).take(n).collect();
    let mut frame = growth::customers_frame(&up, label, trends)?;
    frame.vstack_mut(&growth::customers_frame(&down, label, trends)?)?;
    let direction: Vec<&str> = std::iter::repeat_n("grower", up.len())
        .chain(std::iter::repeat_n("decliner", down.len()))
        .collect();
    frame.insert_column(0, Column::new("direction".into(), direction))?;
    Ok(frame)
}
