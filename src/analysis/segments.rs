//! The RFM segment map: named boxes of score ranges that must cover every possible code exactly
//! once. The default is the classic recency × frequency grid with eleven segments for 5 bins
//! (monetary shown, not used for the segment); a `tier.toml` may replace it.

use polars::prelude::*;

/// One box of the map: a segment name and inclusive score ranges.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub name: String,
    pub r: (u32, u32),
    pub f: (u32, u32),
    pub m: (u32, u32),
}

/// A validated map: every code of `bins`³ has exactly one segment.
#[derive(Debug, Clone)]
pub struct SegmentMap {
    pub bins: u32,
    rules: Vec<Rule>,
    /// Whether this is the built-in map (for messages).
    pub builtin: bool,
}

fn rule(name: &str, r: (u32, u32), f: (u32, u32)) -> Rule {
    Rule {
        name: name.into(),
        r,
        f,
        m: (1, 5),
    }
}

impl SegmentMap {
    /// The classic eleven segments on recency (R) and frequency (F) scores 1..5.
    pub fn default_map() -> SegmentMap {
        let rules = vec![
            rule("Champions", (5, 5), (4, 5)),
            rule("Loyal", (3, 4), (4, 5)),
            rule("Potential loyalist", (4, 5), (2, 3)),
            rule("New", (5, 5), (1, 1)),
            rule("Promising", (4, 4), (1, 1)),
            rule("Need attention", (3, 3), (3, 3)),
            rule("About to sleep", (3, 3), (1, 2)),
            rule("At risk", (1, 2), (3, 4)),
            rule("Cannot lose them", (1, 2), (5, 5)),
            rule("Hibernating", (2, 2), (1, 2)),
            rule("Hibernating", (1, 1), (2, 2)),
            rule("Lost", (1, 1), (1, 1)),
        ];
        SegmentMap::new(rules, 5, true).expect("the built-in map is a partition")
    }

    /// Validates `rules` for scores `1..=bins`: ranges inside the scale, no code without a
    /// segment, no code in two differently named segments.
    pub fn new(rules: Vec<Rule>, bins: u32, builtin: bool) -> Result<SegmentMap, String> {
        if rules.is_empty() {
            return Err("the segment map has no segments".into());
        }
        for r in &rules {
            for (axis, (lo, hi)) in [("r", r.r), ("f", r.f), ("m", r.m)] {
                if lo < 1 || hi > bins || lo > hi {
                    return Err(format!(
                        "segment `{}`: {axis} = {lo}-{hi} is not a range within the scores 1-{bins}",
                        r.name
                    ));
                }
            }
        }
        let map = SegmentMap {
            bins,
            rules,
            builtin,
        };
        let (mut gaps, mut overlaps) = (Vec::new(), Vec::new());
        for code in map.codes() {
            let names = map.names_of(code);
            match names.len() {
                0 => gaps.push(code_text(code)),
                1 => {}
                _ => overlaps.push(format!("{} ({})", code_text(code), names.join(" and "))),
            }
        }
        if !gaps.is_empty() || !overlaps.is_empty() {
            return Err(problems(&gaps, &overlaps));
        }
        Ok(map)
    }

    fn codes(&self) -> impl Iterator<Item = (u32, u32, u32)> + '_ {
        let n = self.bins;
        (1..=n).flat_map(move |r| (1..=n).flat_map(move |f| (1..=n).map(move |m| (r, f, m))))
    }

    fn names_of(&self, (r, f, m): (u32, u32, u32)) -> Vec<&str> {
        let inside = |v: u32, (lo, hi): (u32, u32)| lo <= v && v <= hi;
        let mut names: Vec<&str> = Vec::new();
        for rule in &self.rules {
            if inside(r, rule.r)
                && inside(f, rule.f)
                && inside(m, rule.m)
                && !names.contains(&rule.name.as_str())
            {
                names.push(&rule.name);
            }
        }
        names
    }

    /// The segment of a code; validation guarantees there is exactly one.
    pub fn segment(&self, r: u32, f: u32, m: u32) -> &str {
        self.names_of((r, f, m))[0]
    }

    /// Segment names in map order, each once.
    pub fn names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in &self.rules {
            if !out.contains(&r.name) {
                out.push(r.name.clone());
            }
        }
        out
    }

    /// The map as a frame (segment, r, f, m), for `--show-map`.
    pub fn frame(&self) -> PolarsResult<DataFrame> {
        let range = |(lo, hi): (u32, u32)| {
            if lo == hi {
                lo.to_string()
            } else {
                format!("{lo}-{hi}")
            }
        };
        df!(
            "segment" => self.rules.iter().map(|r| r.name.clone()).collect::<Vec<_>>(),
            "r" => self.rules.iter().map(|r| range(r.r)).collect::<Vec<_>>(),
            "f" => self.rules.iter().map(|r| range(r.f)).collect::<Vec<_>>(),
            "m" => self.rules.iter().map(|r| range(r.m)).collect::<Vec<_>>(),
        )
    }
}

fn code_text((r, f, m): (u32, u32, u32)) -> String {
    format!("{r}{f}{m}")
}

fn problems(gaps: &[String], overlaps: &[String]) -> String {
    let show = |v: &[String]| {
        let head: Vec<&str> = v.iter().take(12).map(String::as_str).collect();
        let more = if v.len() > 12 {
            format!(" and {} more", v.len() - 12)
        } else {
            String::new()
        };
        format!("{}{more}", head.join(", "))
    };
    let mut parts = Vec::new();
    if !gaps.is_empty() {
        parts.push(format!(
            "{} codes have no segment: {}",
            gaps.len(),
            show(gaps)
        ));
    }
    if !overlaps.is_empty() {
        parts.push(format!(
            "{} codes are in two segments: {}",
            overlaps.len(),
            show(overlaps)
        ));
    }
    format!(
        "the segment map must give every code exactly one segment; {}",
        parts.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_map_is_a_partition_with_eleven_segments() {
        let map = SegmentMap::default_map();
        assert_eq!(map.names().len(), 11);
        assert_eq!(map.segment(5, 5, 5), "Champions");
        assert_eq!(map.segment(5, 1, 3), "New");
        assert_eq!(map.segment(1, 1, 5), "Lost");
        assert_eq!(map.segment(1, 5, 1), "Cannot lose them");
        assert_eq!(map.segment(2, 1, 1), "Hibernating");
    }

    #[test]
    fn gaps_and_overlaps_are_named() {
        let top = Rule {
            name: "Top".into(),
            r: (3, 5),
            f: (1, 5),
            m: (1, 5),
        };
        let err = SegmentMap::new(vec![top.clone()], 5, false).unwrap_err();
        assert!(err.contains("50 codes have no segment: 111, 112"), "{err}");
        let low = Rule {
            name: "Low".into(),
            r: (1, 3),
            f: (1, 5),
            m: (1, 5),
        };
        let err = SegmentMap::new(vec![top.clone(), low], 5, false).unwrap_err();
        assert!(
            err.contains("25 codes are in two segments: 311 (Top and Low)"),
            "{err}"
        );
        let bad = Rule {
            name: "Big".into(),
            r: (1, 6),
            f: (1, 5),
            m: (1, 5),
        };
        assert!(SegmentMap::new(vec![bad], 5, false)
            .unwrap_err()
            .contains("r = 1-6"));
    }

    #[test]
    fn a_name_may_span_several_boxes() {
        let a = Rule {
            name: "Low".into(),
            r: (1, 1),
            f: (1, 2),
            m: (1, 2),
        };
        let b = Rule {
            name: "Low".into(),
            r: (1, 2),
            f: (1, 1),
            m: (1, 2),
        };
        let rest = |r: (u32, u32), f: (u32, u32)| Rule {
            name: "Other".into(),
            r,
            f,
            m: (1, 2),
        };
        let map = SegmentMap::new(vec![a, b, rest((2, 2), (2, 2))], 2, false).unwrap();
        assert_eq!(map.segment(1, 1, 1), "Low");
        assert_eq!(map.names(), ["Low", "Other"]);
    }
}
