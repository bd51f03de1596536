//! `summary.md`: the headline numbers and their change, the Pareto figures and the customers at
//! risk, short enough for a chat message or an e-mail.

use super::Bundle;
use crate::analysis::churn::Status;
use crate::input::iso_date;

/// A value from the data as Markdown text: control characters shown, and every character that
/// could start markup inside a line (emphasis, links, images, code, raw HTML, tables) escaped
/// with a backslash, so an id prints as itself and never as a link, an image or a script.
fn md(value: &str) -> String {
    let mut out = String::new();
    for c in crate::render::escape_controls(value).chars() {
        if "\\`*_[](){}<>&!#|~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The Markdown text.
pub fn text(b: &Bundle) -> String {
    let mut s = format!(
        "# Customers as of {} (last complete {} {})\n\n",
        iso_date(b.as_of),
        b.period.name(),
        b.period.label(b.now)
    );
    for k in b.kpis() {
        let shown = k.shown();
        let change = match k.change() {
            Some(pts) if k.is_rate() => format!(" ({pts:+.1} points on the period before)"),
            Some(pct) => format!(" ({pct:+.1}% on the period before)"),
            None => String::new(),
        };
        s.push_str(&format!("- **{}**: {shown}{change}\n", k.name));
    }
    if !b.notes.is_empty() {
        s.push_str("\nNotes on these figures:\n\n");
        for n in &b.notes {
            s.push_str(&format!("- {}\n", md(n)));
        }
    }
    if let Some(prev) = &b.previous {
        let changed = super::changes(prev, &b.customers).map_or(0, |c| c.len());
        s.push_str(&format!(
            "\nSince the report as of {}: {changed} customers changed ABC class or tier.\n",
            md(&prev.as_of)
        ));
    }
    let p = &b.pareto;
    s.push_str(&format!(
        "\n{} of {} customers ({:.1}%) make 80% of the value; the top 20% bring {:.1}%.\n",
        p.customers_for_80pct,
        p.customers,
        p.customers_for_80pct_share * 100.0,
        p.top_20pct_value_share * 100.0
    ));
    let mut risk: Vec<_> = b
        .churn
        .iter()
        .filter(|r| matches!(r.status, Status::AtRisk | Status::Lapsed))
        .collect();
    let ids = crate::analysis::ids::IdOrder::of(b.churn.iter().map(|r| r.customer.as_str()));
    risk.sort_by(|a, c| {
        c.value_12m
            .cmp(&a.value_12m)
            .then_with(|| ids.cmp(&a.customer, &c.customer))
    });
    if !risk.is_empty() {
        s.push_str("\nMost valuable customers at risk:\n\n");
        for r in risk.iter().take(5) {
            s.push_str(&format!(
                "- {} ({}, {:.2} in 12 months): {}\n",
                md(&r.customer),
                r.status.name(),
                r.value_12m as f64 / 100.0,
                r.reasons.join("; ")
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::md;

    #[test]
    fn values_cannot_become_markup() {
        assert_eq!(md("C-17.5"), "C-17.5");
        assert_eq!(
            md("![x](http://e/a.png)<script>"),
            "\\!\\[x\\]\\(http://e/a.png\\)\\<script\\>"
        );
        assert_eq!(md("a*b_c`d"), "a\\*b\\_c\\`d");
    }
}
