//! `report.html`: one self-contained page (inline CSS and SVG, no scripts, no fonts, no network)
//! with the headline numbers and their change, the Pareto curve, value by class and tier, the
//! RFM grid, the CLV distribution, the migration heat map, churn over time and by class, and the
//! customers at risk. Readable on a laptop and printable.

use super::svg;
use super::Bundle;
use crate::analysis::churn::Status;
use crate::input::iso_date;
use crate::render::{html_escape, html_table};
use polars::prelude::*;

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:1180px;color:#1f2937;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #e5e7eb;padding-bottom:.3rem}
h3{font-size:1rem}.meta{color:#6b7280}.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:.8rem}
.kpi{border:1px solid #e5e7eb;border-radius:8px;padding:.8rem}.kpi .v{font-size:1.5rem;font-weight:600}.kpi .d{font-size:.85rem;color:#6b7280}
.up{color:#047857}.down{color:#b91c1c}.notes{margin-top:1rem;border-left:4px solid #d97706;background:#fffbeb;padding:.4rem .8rem}.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:1.2rem}
figure{margin:0;border:1px solid #e5e7eb;border-radius:8px;padding:.6rem}figcaption{font-weight:600;margin-bottom:.4rem}
svg{width:100%;height:auto}.bar{fill:#2563eb}.line{fill:none;stroke:#2563eb;stroke-width:2}.dot{fill:#2563eb}
.axis{stroke:#9ca3af}.grid{stroke:#f3f4f6}.diagonal{stroke:#d1d5db;stroke-dasharray:4 4}
text{font-size:11px;fill:#4b5563}table{border-collapse:collapse;font-size:.85rem;margin:.4rem 0}
th,td{border:1px solid #e5e7eb;padding:.25rem .5rem;text-align:left}td.num{text-align:right}
@media print{body{margin:0;max-width:none}.charts{grid-template-columns:1fr 1fr}figure{break-inside:avoid}}";

/// What a reader must know about the figures (a model left out, periods not compared).
fn notes(b: &Bundle) -> String {
    if b.notes.is_empty() {
        return String::new();
    }
    let items: String = b
        .notes
        .iter()
        .map(|n| format!("<li>{}</li>\n", html_escape(n)))
        .collect();
    format!("<div class=\"notes\"><p>Notes on these figures:</p>\n<ul>\n{items}</ul></div>\n")
}

fn kpi_cards(b: &Bundle) -> String {
    let mut s = String::from("<div class=\"kpis\">\n");
    for k in b.kpis() {
        let change = match k.change() {
            Some(pts) if k.is_rate() => {
                let class = if pts <= 0.0 { "up" } else { "down" };
                format!("<span class=\"{class}\">{pts:+.1} points</span> on the period before")
            }
            Some(pct) => {
                let class = if pct >= 0.0 { "up" } else { "down" };
                format!("<span class=\"{class}\">{pct:+.1}%</span> on the period before")
            }
            None if k.now.is_none() => "not known from the data".to_string(),
            None if k.before.is_some() => "nothing the period before".to_string(),
            None => "at the as-of date".to_string(),
        };
        let shown = k.shown();
        s.push_str(&format!(
            "<div class=\"kpi\"><div>{}</div><div class=\"v\">{}</div><div class=\"d\">{}</div></div>\n",
            html_escape(k.name),
            shown,
            change
        ));
    }
    s.push_str("</div>\n");
    s
}

fn figure(id: &str, caption: &str, body: &str) -> String {
    format!(
        "<figure class=\"chart\" id=\"{id}\"><figcaption>{}</figcaption>\n{body}</figure>\n",
        html_escape(caption)
    )
}

/// The RFM grid: customers by recency score (rows) and frequency score (columns).
fn rfm_grid(b: &Bundle) -> PolarsResult<String> {
    let bins = b
        .rfm
        .thresholds
        .first()
        .map_or(5, |t| t.scores_used.len().max(1)) as u32;
    let bins = bins.max(
        b.rfm
            .frame
            .column("r")?
            .cast(&DataType::UInt32)?
            .u32()?
            .max()
            .unwrap_or(1),
    );
    let r = b.rfm.frame.column("r")?.cast(&DataType::UInt32)?;
    let f = b.rfm.frame.column("f")?.cast(&DataType::UInt32)?;
    let mut cells = vec![vec![0.0; bins as usize]; bins as usize];
    for (r, f) in r.u32()?.iter().zip(f.u32()?.iter()) {
        if let (Some(r), Some(f)) = (r, f) {
            if (1..=bins).contains(&r) && (1..=bins).contains(&f) {
                cells[(bins - r) as usize][(f - 1) as usize] += 1.0;
            }
        }
    }
    let rows: Vec<String> = (1..=bins).rev().map(|k| format!("R {k}")).collect();
    let cols: Vec<String> = (1..=bins).map(|k| format!("F {k}")).collect();
    Ok(svg::heat_table("customers", &rows, &cols, &cells))
}

/// A histogram of CLV in 12 equal bins up to the 99th percentile (the rest in the last bin).
fn clv_histogram(b: &Bundle) -> PolarsResult<Option<String>> {
    let mut v: Vec<f64> = b.customers.column("clv")?.f64()?.iter().flatten().collect();
    if v.is_empty() {
        return Ok(None);
    }
    v.sort_by(f64::total_cmp);
    let top = v[(v.len() - 1) * 99 / 100].max(1e-9);
    let bins = 12;
    let mut counts = vec![0.0; bins];
    for x in &v {
        let k = ((x / top) * bins as f64)
            .floor()
            .clamp(0.0, (bins - 1) as f64) as usize;
        counts[k] += 1.0;
    }
    let labels: Vec<String> = (0..bins)
        .map(|k| svg::short(top * (k + 1) as f64 / bins as f64))
        .collect();
    Ok(Some(svg::bars("customers by CLV", &labels, &counts)))
}

fn churn_by_class(b: &Bundle) -> String {
    let classes = ["A", "B", "C"];
    let cells: Vec<Vec<f64>> = classes
        .iter()
        .map(|c| {
            Status::ALL
                .iter()
                .map(|s| {
                    b.churn
                        .iter()
                        .filter(|r| r.status == *s && r.abc.as_deref() == Some(*c))
                        .count() as f64
                })
                .collect()
        })
        .collect();
    let rows: Vec<String> = classes.iter().map(|c| c.to_string()).collect();
    let cols: Vec<String> = Status::ALL.iter().map(|s| s.name().to_string()).collect();
    svg::heat_table("class", &rows, &cols, &cells)
}

fn migration(b: &Bundle) -> String {
    let mut froms = b.rungs.clone();
    froms.extend(crate::analysis::migrate::ORIGINS.map(String::from));
    let mut tos = b.rungs.clone();
    tos.push("lost".into());
    let cells: Vec<Vec<f64>> = froms
        .iter()
        .map(|f| {
            tos.iter()
                .map(|t| {
                    b.moves
                        .iter()
                        .filter(|m| &m.from == f && &m.to == t)
                        .count() as f64
                })
                .collect()
        })
        .collect();
    svg::heat_table("from \\ to", &froms, &tos, &cells)
}

fn at_risk(b: &Bundle) -> PolarsResult<String> {
    let (_, _, top) = crate::analysis::churn::summary_frames(&b.churn)?;
    Ok(html_table(&top))
}

/// How the report compares with `--previous`: headline numbers then and now, and the customers
/// whose class or tier changed (the 30 most valuable now; all of them are in summary.json).
fn previous_section(b: &Bundle) -> anyhow::Result<String> {
    let Some(p) = &b.previous else {
        return Ok(String::new());
    };
    let kpis = b.kpis();
    let k = DataFrame::new(
        kpis.len(),
        vec![
            Column::new(
                "headline".into(),
                kpis.iter().map(|k| k.name).collect::<Vec<_>>(),
            ),
            Column::new(
                "previous report".into(),
                kpis.iter()
                    .map(|k| p.kpis.get(k.name).copied())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "now".into(),
                kpis.iter()
                    .map(|k| k.now.map(|v| (v * 1e4).round() / 1e4))
                    .collect::<Vec<_>>(),
            ),
        ],
    )?;
    let changes = super::changes(p, &b.customers)?;
    let value: std::collections::HashMap<&str, f64> = b
        .customers
        .column("customer")?
        .str()?
        .iter()
        .zip(b.customers.column("value")?.f64()?.iter())
        .filter_map(|(c, v)| Some((c?, v?)))
        .collect();
    let mut shown: Vec<&super::Change> = changes.iter().collect();
    let ids = crate::analysis::ids::IdOrder::of(changes.iter().map(|c| c.customer.as_str()));
    shown.sort_by(|x, y| {
        let v = |c: &super::Change| value.get(c.customer.as_str()).copied().unwrap_or(0.0);
        v(y).total_cmp(&v(x))
            .then_with(|| ids.cmp(&x.customer, &y.customer))
    });
    shown.truncate(30);
    let text = |f: &dyn Fn(&super::Change) -> Option<String>| {
        shown.iter().map(|c| f(c)).collect::<Vec<_>>()
    };
    let c = DataFrame::new(
        shown.len(),
        vec![
            Column::new("customer".into(), text(&|c| Some(c.customer.clone()))),
            Column::new("class then".into(), text(&|c| c.abc_before.clone())),
            Column::new("class now".into(), text(&|c| c.abc_now.clone())),
            Column::new("tier then".into(), text(&|c| c.tier_before.clone())),
            Column::new("tier now".into(), text(&|c| c.tier_now.clone())),
        ],
    )?;
    Ok(format!(
        "<h2>Since the previous report (as of {})</h2>\n{}<p>{} customers changed class or tier; the most valuable:</p>\n{}",
        html_escape(&p.as_of),
        html_table(&k),
        changes.len(),
        html_table(&c)
    ))
}

/// The page.
pub fn page(b: &Bundle, inputs: &[String]) -> anyhow::Result<String> {
    let p = &b.pareto;
    let lorenz_labels: Vec<String> = p
        .lorenz
        .iter()
        .map(|l| format!("{:.0}%", l.customer_share * 100.0))
        .collect();
    let lorenz_values: Vec<Option<f64>> = p.lorenz.iter().map(|l| Some(l.value_share)).collect();
    let class_labels: Vec<String> = p.abc.iter().map(|c| c.class.clone()).collect();
    let class_values: Vec<f64> = p.abc.iter().map(|c| c.value).collect();
    let tier_labels: Vec<String> = p.tiers.iter().map(|c| c.class.clone()).collect();
    let tier_values: Vec<f64> = p.tiers.iter().map(|c| c.value).collect();
    let rate_labels: Vec<String> = b.rates.iter().map(|r| b.period.label(r.period)).collect();
    let rate_values: Vec<Option<f64>> = b
        .rates
        .iter()
        .map(|r| {
            r.churned
                .filter(|_| r.active > 0)
                .map(|c| c as f64 / r.active as f64)
        })
        .collect();
    let mut charts = String::new();
    charts.push_str(&figure(
        "pareto",
        &format!(
            "Pareto curve: {} of {} customers ({:.1}%) make 80% of the value",
            p.customers_for_80pct,
            p.customers,
            p.customers_for_80pct_share * 100.0
        ),
        &svg::line("Lorenz curve", &lorenz_labels, &lorenz_values, true),
    ));
    charts.push_str(&figure(
        "abc",
        "Value by ABC class",
        &svg::bars("value by class", &class_labels, &class_values),
    ));
    charts.push_str(&figure(
        "tiers",
        "Value by pyramid tier",
        &svg::bars("value by tier", &tier_labels, &tier_values),
    ));
    charts.push_str(&figure(
        "rfm",
        "RFM grid: customers by recency and frequency score",
        &rfm_grid(b)?,
    ));
    match clv_histogram(b)? {
        Some(h) => {
            let check = b.validation.as_ref().map_or(String::new(), |v| {
                format!(
                    "<p class=\"meta\">The model refitted without the last {} days predicted {:.1} purchases in them; customers made {} (mean absolute error {:.2} per customer).</p>\n",
                    v.holdout_days, v.predicted_purchases, v.actual_purchases, v.mae
                )
            });
            charts.push_str(&figure(
                "clv",
                "CLV over the next year: customers per band",
                &format!("{h}{check}"),
            ))
        }
        None => charts.push_str(&figure(
            "clv",
            "CLV",
            &format!(
                "<p>No CLV: {}</p>",
                html_escape(b.clv.as_ref().err().map_or("", String::as_str))
            ),
        )),
    }
    charts.push_str(&figure(
        "migration",
        &format!(
            "Migration {} → {} (customers)",
            b.period.label(b.now - 1),
            b.period.label(b.now)
        ),
        &migration(b),
    ));
    charts.push_str(&figure(
        "churn-rate",
        &format!("Churn rate per {}", b.period.name()),
        &svg::line("churn rate", &rate_labels, &rate_values, false),
    ));
    charts.push_str(&figure(
        "churn-class",
        "Churn status by ABC class (customers)",
        &churn_by_class(b),
    ));
    let title = format!("Customer report as of {}", iso_date(b.as_of));
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{t}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n<h1>{t}</h1>\n<p class=\"meta\">{inputs}; {n} customers; periods are {period}s, the last complete one {last}. Made by tier {v}.</p>\n<h2>Headline</h2>\n{kpis}{notes}<h2>Charts</h2>\n<div class=\"charts\">\n{charts}</div>\n<h2>The most valuable customers at risk or lapsed</h2>\n{risk}{previous}</body>\n</html>\n",
        t = html_escape(&title),
        inputs = html_escape(&inputs.join(", ")),
        n = p.customers,
        period = b.period.name(),
        last = b.period.label(b.now),
        v = env!("CARGO_PKG_VERSION"),
        kpis = kpi_cards(b),
        notes = notes(b),
        risk = at_risk(b)?,
        previous = previous_section(b)?,
    ))
}
