//! Charts as inline SVG for the self-contained HTML report: bars, lines (with an optional
//! diagonal, for the Lorenz curve) and heat-map cells. Plain text generation, fixed sizes and
//! number formats, so the same data gives the same bytes.

use crate::render::html_escape;

const W: f64 = 560.0;
const H: f64 = 260.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 48.0;

/// A short number for an axis or a bar label: `12.3k`, `4.5M`, `0.25`.
pub fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 10.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn open(label: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\">\n",
        html_escape(label)
    )
}

fn axes(max: f64) -> String {
    let mut s = format!(
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n",
        H - BOTTOM,
        W - RIGHT,
        H - BOTTOM
    );
    for k in 0..=4 {
        let v = max * k as f64 / 4.0;
        let y = H - BOTTOM - (H - TOP - BOTTOM) * k as f64 / 4.0;
        s.push_str(&format!(
            "<line class=\"grid\" x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\"/><text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            short(v)
        ));
    }
    s
}

/// Show every how-many-th of `labels` under an axis with `gap` pixels between points, so that no
/// two shown labels overlap (11 px text is about 6.5 px a character), from 3 points to hundreds.
fn label_step(labels: &[String], gap: f64) -> usize {
    let widest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    let needed = widest * 6.5 + 8.0;
    ((needed / gap.max(1e-9)).ceil() as usize).max(1)
}

/// A vertical bar chart of `values` with a label under each bar (negative values drawn as 0).
pub fn bars(label: &str, labels: &[String], values: &[f64]) -> String {
    let max = values.iter().cloned().fold(0.0, f64::max).max(1e-9);
    let n = values.len().max(1) as f64;
    let slot = (W - LEFT - RIGHT) / n;
    let mut s = open(label);
    s.push_str(&axes(max));
    let step = label_step(labels, slot);
    for (i, (l, v)) in labels.iter().zip(values).enumerate() {
        let h = (H - TOP - BOTTOM) * v.max(0.0) / max;
        let x = LEFT + slot * i as f64 + slot * 0.15;
        s.push_str(&format!(
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\"><title>{}: {}</title></rect>\n",
            H - BOTTOM - h,
            slot * 0.7,
            html_escape(l),
            short(*v)
        ));
        if i % step == 0 {
            s.push_str(&format!(
                "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
                x + slot * 0.35,
                H - BOTTOM + 16.0,
                html_escape(l)
            ));
        }
        if step > 1 {
            continue;
        }
        s.push_str(&format!(
            "<text class=\"value\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
            x + slot * 0.35,
            H - BOTTOM - h - 4.0,
            short(*v)
        ));
    }
    s.push_str("</svg>\n");
    s
}

/// A line through `values` (gaps where a value is missing), labelled every few points; with
/// `diagonal`, x and y run from 0 to 1 and the line of equality is drawn (a Lorenz curve).
pub fn line(label: &str, labels: &[String], values: &[Option<f64>], diagonal: bool) -> String {
    let max = if diagonal {
        1.0
    } else {
        values
            .iter()
            .flatten()
            .cloned()
            .fold(0.0, f64::max)
            .max(1e-9)
    };
    let n = values.len();
    let x = |i: usize| LEFT + (W - LEFT - RIGHT) * i as f64 / (n.max(2) - 1) as f64;
    let y = |v: f64| H - BOTTOM - (H - TOP - BOTTOM) * v / max;
    let mut s = open(label);
    s.push_str(&axes(max));
    if diagonal {
        s.push_str(&format!(
            "<line class=\"diagonal\" x1=\"{LEFT}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{TOP}\"/>\n",
            H - BOTTOM,
            W - RIGHT
        ));
    }
    let mut path = String::new();
    let mut pen_up = true;
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => {
                path.push_str(&format!(
                    "{}{:.1},{:.1} ",
                    if pen_up { "M" } else { "L" },
                    x(i),
                    y(*v)
                ));
                pen_up = false;
            }
            None => pen_up = true,
        }
    }
    s.push_str(&format!(
        "<path class=\"line\" d=\"{}\"/>\n",
        path.trim_end()
    ));
    for (i, v) in values.iter().enumerate() {
        if let Some(v) = v {
            s.push_str(&format!(
                "<circle class=\"dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"><title>{}: {}</title></circle>\n",
                x(i),
                y(*v),
                html_escape(&labels[i]),
                short(*v)
            ));
        }
    }
    let every = label_step(labels, (W - LEFT - RIGHT) / (n.max(2) - 1) as f64);
    for (i, l) in labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
        s.push_str(&format!(
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
            x(i),
            H - BOTTOM + 16.0,
            html_escape(l)
        ));
    }
    s.push_str("</svg>\n");
    s
}

/// A heat-map table: rows × columns of counts, each cell shaded by its share of the largest.
pub fn heat_table(corner: &str, rows: &[String], cols: &[String], cells: &[Vec<f64>]) -> String {
    let max = cells
        .iter()
        .flatten()
        .cloned()
        .fold(0.0, f64::max)
        .max(1e-9);
    let mut s = format!(
        "<table class=\"heat\">\n<thead><tr><th>{}</th>",
        html_escape(corner)
    );
    for c in cols {
        s.push_str(&format!("<th>{}</th>", html_escape(c)));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for (r, row) in rows.iter().zip(cells) {
        s.push_str(&format!("<tr><th>{}</th>", html_escape(r)));
        for v in row {
            let alpha = 0.08 + 0.8 * v / max;
            s.push_str(&format!(
                "<td class=\"num\" style=\"background: rgba(37, 99, 235, {alpha:.2})\">{}</td>",
                short(*v)
            ));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>\n");
    s
}

#[cfg(test)]
mod tests {
    /// The x positions of the axis labels drawn.
    fn label_xs(svg: &str) -> Vec<f64> {
        svg.lines()
            .filter(|l| l.starts_with("<text class=\"label\""))
            .map(|l| {
                let at = l.find("x=\"").unwrap() + 3;
                l[at..].split('"').next().unwrap().parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn period_labels_never_overlap_from_3_to_60_periods() {
        for n in [3usize, 12, 13, 24, 36, 60, 200] {
            let labels: Vec<String> = (0..n)
                .map(|i| format!("{}-{:02}", 2010 + i / 12, i % 12 + 1))
                .collect();
            let values: Vec<Option<f64>> = (0..n).map(|i| Some(i as f64)).collect();
            let bars: Vec<f64> = (0..n).map(|i| i as f64).collect();
            for svg in [
                line("c", &labels, &values, false),
                super::bars("b", &labels, &bars),
            ] {
                let xs = label_xs(&svg);
                assert!(xs.len() >= 2.min(n), "{n}: {xs:?}");
                assert!(
                    xs.windows(2).all(|w| w[1] - w[0] >= 7.0 * 6.5),
                    "{n}: {xs:?}"
                );
            }
        }
    }

    use super::*;

    #[test]
    fn charts_are_svg_with_their_marks() {
        let b = bars("v", &["A".into(), "B".into()], &[3.0, 1.0]);
        assert!(b.starts_with("<svg") && b.matches("<rect").count() == 2);
        let l = line(
            "c",
            &["x".into(), "y".into(), "z".into()],
            &[Some(0.1), None, Some(0.3)],
            false,
        );
        assert_eq!(l.matches("<circle").count(), 2);
        assert!(
            l.contains("M") && l.matches(" L").count() == 0,
            "a gap lifts the pen"
        );
        let h = heat_table(
            "from",
            &["A".into()],
            &["A".into(), "lost".into()],
            &[vec![2.0, 0.0]],
        );
        assert!(h.contains("rgba(37, 99, 235, 0.88)"));
        assert_eq!(short(12345.0), "12k");
        assert_eq!(short(0.25), "0.25");
    }
}
