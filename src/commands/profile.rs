//! `tier profile --id CUSTOMER`: classifies and scores every customer (with the configured
//! cut-offs, tiers and segment map), then renders one card per `--id`: a readable card on a
//! terminal, a JSON object for machines, `customer,field,value` rows for CSV.

use crate::analysis::profile::{self, Card, Inputs};
use crate::analysis::{classify, rfm};
use crate::cli::{InputArgs, OutputArgs, PeriodArgs};
use crate::commands;
use crate::config::Loaded;
use crate::output::Output;
use crate::render::{self, Format};
use crate::settings;
use anyhow::{bail, Context, Result};
use clap::Args;
use polars::prelude::{df, DataFrame, PolarsResult};

const EXAMPLES: &str = "Examples:
  tier profile sales.csv --id C1119                 the card of one customer
  tier profile sales.csv --id C1119 --id C1284      several cards
  tier profile sales.csv --id C1119 --format json   for machines
  tier profile sales.csv --id C1119 --as-of 2025-06-30";

/// Flags of `tier profile`.
#[derive(Debug, Args)]
#[command(after_long_help = EXAMPLES)]
pub struct ProfileArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// The customer id to profile; repeat for several cards. `-` reads the ids from stdin, one
    /// per line or as the `customer` column of CSV (e.g. piped from `tier rfm --segment ...`).
    #[arg(
        long = "id",
        visible_alias = "ids",
        value_name = "CUSTOMER",
        required = true,
        help_heading = "Profile"
    )]
    pub ids: Vec<String>,
}

/// Runs `tier profile`.
pub fn run(args: &ProfileArgs, cfg: &Loaded) -> Result<()> {
    let out = Output::resolve(&args.output)?;
    let ids = ids(args)?;
    let params = settings::classify(None, None, None, false, cfg)?;
    let mut data = commands::load_window(&args.input, &args.period, None, cfg)?;
    let stage = data.customers(false, params.by == classify::Basis::Quantity)?;
    let classified =
        classify::classify(&stage, &params).context("cannot classify the customers")?;
    let rfm_params = settings::rfm(&settings::RfmFlags::default(), cfg, data.as_of())?;
    let scored = rfm::rfm(&stage, &rfm_params).context("cannot score the customers")?;
    let mine = data.seam_of(&stage, &ids)?;
    let inputs = Inputs {
        seam: &mine,
        classified: &classified,
        rfm: &scored.frame,
        as_of: data.as_of(),
    };
    let mut cards = Vec::new();
    for (id, card) in ids.iter().zip(profile::cards(&inputs, &ids)?) {
        match card {
            Some(c) => cards.push(c),
            None => bail!(
                "customer `{id}` is not in the data up to {}; `tier classify` lists the customer ids",
                crate::input::iso_date(data.as_of())
            ),
        }
    }
    out.write(|w, format| match format {
        Format::Table => {
            for (i, c) in cards.iter().enumerate() {
                if i > 0 {
                    writeln!(w)?;
                }
                render::card(
                    &format!("Customer {}", c.customer),
                    &fields(c),
                    &mut months(c)?,
                    w,
                )?;
            }
            Ok(())
        }
        Format::Json | Format::Ndjson => match &cards[..] {
            [one] => render::object(one, &cards, format, w),
            all => render::object(all, all, format, w),
        },
        _ => render::frame(&mut long_rows(&cards)?, format, w),
    })
}

fn fields(c: &Card) -> Vec<(String, String)> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let growth = c
        .growth_pct
        .map_or(String::new(), |g| format!(" ({g:+.1}%)"));
    let mut f = vec![
        ("as of".into(), c.as_of.clone()),
        (
            "standing".into(),
            match (c.rank, c.value_share) {
                (Some(rank), Some(share)) => format!(
                    "class {} · {} · rank {rank} of {} · {:.2}% of value",
                    c.abc,
                    c.tier,
                    c.customers,
                    share * 100.0
                ),
                _ if c.has_returns && c.value_to_date <= 0.0 => {
                    "not ranked: its value is 0 or below (returns cancel its purchases)".into()
                }
                _ if c.value_to_date == 0.0 => {
                    "not ranked: its value is 0 (its lines are zero-priced)".into()
                }
                _ => "not ranked: its value by the chosen basis (--by) is 0 or below".into(),
            },
        ),
        (
            "RFM".into(),
            match &c.rfm {
                Some(code) => format!("{code} {}", opt(&c.segment)),
                None => opt(&c.segment),
            },
        ),
        ("value to date".into(), render::money_text(c.value_to_date)),
        (
            "purchases".into(),
            format!(
                "{}, average order {}",
                c.purchases,
                c.average_order_value.map_or("-".into(), render::money_text)
            ),
        ),
        (
            "first / last purchase".into(),
            format!("{} / {}", opt(&c.first_purchase), opt(&c.last_purchase)),
        ),
        (
            "tenure".into(),
            c.tenure_days.map_or("-".into(), |d| {
                format!("{d} days ({:.1} years)", d as f64 / 365.25)
            }),
        ),
        (
            "recency".into(),
            c.recency_days.map_or("-".into(), |d| format!("{d} days")),
        ),
        (
            "trend".into(),
            if c.trend == "new" && c.previous_12_months > 0.0 {
                format!(
                    "new: last 12 months {}; first purchase {}, no full year before to compare",
                    render::money_text(c.last_12_months),
                    c.first_purchase.as_deref().unwrap_or("-")
                )
            } else if c.trend == "new" {
                format!(
                    "new: last 12 months {}, nothing in the 12 before",
                    render::money_text(c.last_12_months)
                )
            } else {
                format!(
                    "{}: last 12 months {} vs {} the 12 before{growth}",
                    c.trend,
                    render::money_text(c.last_12_months),
                    render::money_text(c.previous_12_months)
                )
            },
        ),
    ];
    if let Some(p) = c.net_profit {
        f.insert(4, ("net profit".into(), render::money_text(p)));
    }
    f
}

fn months(c: &Card) -> PolarsResult<DataFrame> {
    df!(
        "month" => c.months.iter().map(|m| m.month.clone()).collect::<Vec<_>>(),
        "value" => c.months.iter().map(|m| m.value).collect::<Vec<_>>(),
        "year_before" => c.months.iter().map(|m| m.year_before).collect::<Vec<_>>(),
        "growth_pct" => c.months.iter().map(|m| m.growth_pct).collect::<Vec<_>>(),
    )
}

/// Cards as `customer,field,value` rows: every scalar, then `month.YYYY-MM.*` per month.
fn long_rows(cards: &[Card]) -> Result<DataFrame> {
    let (mut who, mut field, mut value) = (Vec::new(), Vec::new(), Vec::new());
    for c in cards {
        let serde_json::Value::Object(map) = serde_json::to_value(c)? else {
            unreachable!("a card is an object")
        };
        for (k, v) in &map {
            let mut push = |f: String, v: &serde_json::Value| {
                who.push(c.customer.clone());
                value.push(render::leaf_text(&f, v));
                field.push(f);
            };
            match v {
                serde_json::Value::Array(rows) => {
                    for row in rows {
                        let month = row["month"].as_str().unwrap_or_default().to_string();
                        for key in ["value", "year_before", "growth_pct"] {
                            push(format!("month.{month}.{key}"), &row[key]);
                        }
                    }
                }
                v => push(k.clone(), v),
            }
        }
    }
    Ok(df!("customer" => who, "field" => field, "value" => value)?)
}

/// The ids to profile: as given, with `-` replaced by the ids read from stdin.
fn ids(args: &ProfileArgs) -> Result<Vec<String>> {
    if !args.ids.iter().any(|i| i == "-") {
        return Ok(args.ids.clone());
    }
    if args.input.files.is_empty() || args.input.files.iter().any(|f| f == "-") {
        return Err(crate::UsageError(
            "the ids come from stdin (--id -), so the data must come from a FILE".into(),
        )
        .into());
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)
        .map_err(|e| anyhow::anyhow!("cannot read the ids from stdin: {e}"))?;
    let mut out: Vec<String> = args.ids.iter().filter(|i| *i != "-").cloned().collect();
    out.extend(stdin_ids(&text)?);
    if out.is_empty() {
        bail!("no customer ids on stdin");
    }
    Ok(out)
}

/// Ids from text: the `customer` column when the first line is a CSV header naming it, else one
/// id per non-empty line.
pub fn stdin_ids(text: &str) -> Result<Vec<String>> {
    // A file saved by a Windows editor starts with a byte-order mark, which is not the id.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or_default();
    if first.split(',').any(|h| h.trim() == "customer") {
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let at = r
            .headers()?
            .iter()
            .position(|h| h.trim() == "customer")
            .unwrap_or(0);
        return r
            .records()
            .map(|rec| Ok(rec?.get(at).unwrap_or_default().trim().to_string()))
            .collect();
    }
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::stdin_ids;

    #[test]
    fn ids_from_stdin_lose_a_byte_order_mark() {
        assert_eq!(stdin_ids("\u{feff}C1\r\nC2\n").unwrap(), ["C1", "C2"]);
        assert_eq!(stdin_ids("\u{feff}customer,abc\nC3,A\n").unwrap(), ["C3"]);
    }
}
