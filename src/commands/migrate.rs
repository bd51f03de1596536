//! `tier migrate`: its flags, the choice of transitions (consecutive periods, or `--from` and
//! `--to`), and the four views: transition cells (long form), `--matrix`, `--movers`, `--summary`.

use super::classify::{parse_abc, parse_tiers, resolve_params, Tiers};
use crate::analysis::migrate::{self, Move, Scheme, Tiered};
use crate::analysis::periods::{self, Period};
use crate::cli::{InputArgs, OutputArgs, PeriodArgs};
use crate::config::Loaded;
use crate::output::Output;
use crate::render::{self, Format};
use crate::{commands, progress, UsageError};
use anyhow::Result;
use clap::Args;
use polars::prelude::*;

const EXAMPLES: &str = "Examples:
  tier migrate sales.csv                                     moves between consecutive months
  tier migrate sales.csv --period year --from 2024 --to 2025 --matrix
  tier migrate sales.csv --period quarter --summary          upgrades, downgrades, new, lost
  tier migrate sales.csv --movers --scheme pyramid           who changed level last month";

/// Flags of `tier migrate`.
#[derive(Debug, Args)]
#[command(after_long_help = EXAMPLES)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Calendar period in which customers are tiered [default: month].
    #[arg(long = "period", value_enum, default_value_t = Period::Month, help_heading = "Migration")]
    pub every: Period,
    /// Ladder: ABC classes within each period, or the customer pyramid.
    #[arg(long, value_enum, default_value_t = Scheme::Abc, help_heading = "Migration")]
    pub scheme: Scheme,
    /// Compare this period (e.g. 2024, 2024-Q1, 2024-03) ...
    #[arg(
        long,
        value_name = "PERIOD",
        requires = "to",
        help_heading = "Migration"
    )]
    pub from: Option<String>,
    /// ... with this one, instead of every pair of consecutive periods.
    #[arg(
        long,
        value_name = "PERIOD",
        requires = "from",
        help_heading = "Migration"
    )]
    pub to: Option<String>,
    /// The square matrix of customers for one transition (--from/--to, else the last two periods).
    #[arg(long, group = "view", help_heading = "Migration")]
    pub matrix: bool,
    /// The customers that changed tier in one transition (--from/--to, else the last two periods).
    #[arg(long, group = "view", help_heading = "Migration")]
    pub movers: bool,
    /// Upgrades, downgrades, stayed, new and lost per transition, with value.
    #[arg(long, group = "view", help_heading = "Migration")]
    pub summary: bool,
    /// ABC cut-offs in percent of value [default: 80,95].
    #[arg(long, value_name = "A,B", value_parser = parse_abc, help_heading = "Migration")]
    pub abc: Option<(f64, f64)>,
    /// Pyramid levels from the top [default: VIP:1,Major:4,Ordinary:15,Small:80].
    #[arg(long, value_name = "NAME:PCT,...", value_parser = parse_tiers, help_heading = "Migration")]
    pub tiers: Option<Tiers>,
}

/// Runs `tier migrate`.
pub fn run(args: &MigrateArgs, cfg: &Loaded) -> Result<()> {
    let out = Output::resolve(&args.output)?;
    let period = args.every;
    let chosen = match (&args.from, &args.to) {
        (Some(a), Some(b)) => {
            let (a, b) = (period.parse(a), period.parse(b));
            let (a, b) = (a.map_err(UsageError)?, b.map_err(UsageError)?);
            if a >= b {
                return Err(UsageError(format!(
                    "--from {} must come before --to {}",
                    period.label(a),
                    period.label(b)
                ))
                .into());
            }
            Some((a, b))
        }
        _ => None,
    };
    let params = resolve_params(None, args.abc, args.tiers.as_ref(), false, cfg)?;
    let mut data = commands::load_window(&args.input, &args.period, None, cfg)?;
    let seam = data.seam()?;
    let as_of = data.as_of();
    let per = seam.customer_periods(period)?;
    let tiered = migrate::tier_periods(&per, args.scheme, &params)?;
    let last = period.index(as_of);
    // The transitions the data can show: between periods it covers whole, the last complete one
    // the latest (a transition into a period cut by the as-of date calls everyone who has not
    // bought yet lost).
    let whole = periods::first_whole_of(&seam, period)?;
    let first = tiered.keys().next().copied().unwrap_or(last).max(whole);
    let now = crate::analysis::churn::current_period(period, as_of);
    let pairs: Vec<(i32, i32)> = match chosen {
        Some((_, b)) if b > last => {
            return Err(UsageError(format!(
                "--to {} is after the as-of date {}",
                period.label(b),
                crate::input::iso_date(as_of)
            ))
            .into())
        }
        Some((a, _)) if a < whole && data.since().is_some() => {
            return Err(UsageError(format!(
                "--from {} is cut by --since {}: its tiers would rank part of it; choose {} or \
                 later",
                period.label(a),
                data.since().map(crate::input::iso_date).unwrap_or_default(),
                period.label(whole)
            ))
            .into())
        }
        Some(p) => vec![p],
        None if (args.matrix || args.movers) && now > first => {
            progress::note(&format!(
                "tier: note: the transition from {} to {}, the last two complete {}s; --from and \
                 --to choose another",
                period.label(now - 1),
                period.label(now),
                period.name()
            ));
            vec![(now - 1, now)]
        }
        None if args.matrix || args.movers => Vec::new(),
        None => (first..now).map(|i| (i, i + 1)).collect(),
    };
    if pairs.is_empty() {
        return Err(UsageError(format!(
            "the data covers fewer than two complete {}s (as of {}): there is no transition to \
             show; try a shorter --period",
            period.name(),
            crate::input::iso_date(as_of)
        ))
        .into());
    }
    if pairs.iter().any(|&(_, b)| b == last) {
        if let Some(note) = period.partial_note(last, as_of) {
            progress::note(&format!(
                "tier: note: {note}; its tiers rank what it holds so far"
            ));
        }
    }
    let rungs = migrate::rungs(args.scheme, &params);
    if args.matrix {
        let (a, b) = pairs[0];
        let mut m = migrate::matrix(&migrate::moves(&tiered, a, b), &rungs)?;
        let title = format!(
            "Customers by tier, {} (rows) to {} (columns)",
            period.label(a),
            period.label(b)
        );
        return out.write(|w, f| {
            if f == Format::Table {
                render::sections(&mut [(title.clone(), m.clone())], w)
            } else {
                render::frame(&mut m, f, w)
            }
        });
    }
    let mut frame = if args.movers {
        let (a, b) = pairs[0];
        movers(&migrate::moves(&tiered, a, b), period, a, b)?
    } else if args.summary {
        summary(&tiered, &pairs, &rungs, period)?
    } else {
        cells(&tiered, &pairs, &rungs, period)?
    };
    out.write(|w, f| render::frame(&mut frame, f, w))
}

fn money(v: i64) -> f64 {
    v as f64 / 100.0
}

/// One row per non-empty transition cell of every pair.
fn cells(t: &Tiered, pairs: &[(i32, i32)], rungs: &[String], period: Period) -> Result<DataFrame> {
    let mut rows: Vec<(String, String, migrate::Cell)> = Vec::new();
    for &(a, b) in pairs {
        for c in migrate::cells(&migrate::moves(t, a, b), rungs) {
            rows.push((period.label(a), period.label(b), c));
        }
    }
    Ok(df!(
        "from_period" => rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        "to_period" => rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
        "from" => rows.iter().map(|r| r.2.from.clone()).collect::<Vec<_>>(),
        "to" => rows.iter().map(|r| r.2.to.clone()).collect::<Vec<_>>(),
        "customers" => rows.iter().map(|r| r.2.customers).collect::<Vec<_>>(),
        "value_from" => rows.iter().map(|r| money(r.2.value_from)).collect::<Vec<_>>(),
        "value_to" => rows.iter().map(|r| money(r.2.value_to)).collect::<Vec<_>>(),
    )?)
}

/// The customers whose tier changed (including new and lost), most valuable after first.
fn movers(moves: &[Move], period: Period, a: i32, b: i32) -> Result<DataFrame> {
    let mut m: Vec<&Move> = moves.iter().filter(|m| m.from != m.to).collect();
    let ids = crate::analysis::ids::IdOrder::of(moves.iter().map(|m| m.customer.as_str()));
    m.sort_by(|x, y| {
        y.value_to
            .max(y.value_from)
            .cmp(&x.value_to.max(x.value_from))
            .then_with(|| ids.cmp(&x.customer, &y.customer))
    });
    Ok(df!(
        "customer" => m.iter().map(|x| x.customer.clone()).collect::<Vec<_>>(),
        "from_period" => vec![period.label(a); m.len()],
        "to_period" => vec![period.label(b); m.len()],
        "from" => m.iter().map(|x| x.from.clone()).collect::<Vec<_>>(),
        "to" => m.iter().map(|x| x.to.clone()).collect::<Vec<_>>(),
        "value_from" => m.iter().map(|x| money(x.value_from)).collect::<Vec<_>>(),
        "value_to" => m.iter().map(|x| money(x.value_to)).collect::<Vec<_>>(),
    )?)
}

const KINDS: [&str; 6] = ["upgrade", "downgrade", "stayed", "new", "returned", "lost"];

/// Per transition and kind of move: customers and value in both periods.
fn summary(
    t: &Tiered,
    pairs: &[(i32, i32)],
    rungs: &[String],
    period: Period,
) -> Result<DataFrame> {
    let mut rows: Vec<(String, String, &str, u64, i64, i64)> = Vec::new();
    for &(a, b) in pairs {
        let moves = migrate::moves(t, a, b);
        for kind in KINDS {
            let these: Vec<&Move> = moves
                .iter()
                .filter(|m| migrate::kind(m, rungs) == kind)
                .collect();
            rows.push((
                period.label(a),
                period.label(b),
                kind,
                these.len() as u64,
                these.iter().map(|m| m.value_from).sum(),
                these.iter().map(|m| m.value_to).sum(),
            ));
        }
    }
    Ok(df!(
        "from_period" => rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        "to_period" => rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
        "kind" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        "customers" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        "value_from" => rows.iter().map(|r| money(r.4)).collect::<Vec<_>>(),
        "value_to" => rows.iter().map(|r| money(r.5)).collect::<Vec<_>>(),
    )?)
}
