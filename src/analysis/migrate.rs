//! Tier migration: each customer tiered within each period (ABC or the pyramid, by the same rule
//! as `classify`, among the customers present in that period), and the moves between two periods:
//! from a tier, `new` (present in no earlier period) or `returned` (absent from the first period
//! but present before it) to a tier or `lost` (not present in the second). Pure: from the
//! per-period frame to plain moves and frames.

use super::classify::{self, Params};
use super::customers;
use crate::input::col;
use polars::prelude::*;
use std::collections::BTreeMap;

/// Which ladder customers are placed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Scheme {
    #[default]
    Abc,
    Pyramid,
}

/// Customer → (tier, cents) in each period.
pub type Tiered = BTreeMap<i32, PlHashMap<String, (String, i64)>>;

/// Tiers every customer present (net value above 0) in each period, by `scheme`.
pub fn tier_periods(per: &DataFrame, scheme: Scheme, p: &Params) -> PolarsResult<Tiered> {
    let mut columns = vec![
        col("period").alias("period_index"),
        col("period").cast(DataType::String).alias(col::GROUP),
        col(col::CUSTOMER),
        col("cents").alias(customers::NET),
        lit(0i64).alias(customers::PURCHASES),
        lit(NULL).cast(DataType::Date).alias("first_purchase"),
        lit(NULL).cast(DataType::Date).alias("last_purchase"),
    ];
    // With a cost (or margin), `--by profit` ranks each period's profit.
    if per.schema().contains(col::COST) {
        columns.push(col(col::COST).alias(customers::COST));
    }
    let present = per
        .clone()
        .lazy()
        .filter(col("cents").gt(lit(0i64)))
        .select(columns)
        .collect()?;
    let mut out = Tiered::new();
    if present.height() == 0 {
        return Ok(out);
    }
    let params = Params {
        grouped: true,
        ..p.clone()
    };
    let ranked = classify::classify(&present, &params)?;
    let which = match scheme {
        Scheme::Abc => "abc",
        Scheme::Pyramid => "tier",
    };
    let groups = ranked.column(col::GROUP)?.str()?;
    let ids = ranked.column(col::CUSTOMER)?.str()?;
    let tiers = ranked.column(which)?.str()?;
    let units = ranked.column(classify::UNITS)?.i64()?;
    for i in 0..ranked.height() {
        let index: i32 = groups.get(i).unwrap_or("0").parse().unwrap_or(0);
        out.entry(index).or_default().insert(
            ids.get(i).unwrap_or_default().to_string(),
            (
                tiers.get(i).unwrap_or_default().to_string(),
                units.get(i).unwrap_or(0),
            ),
        );
    }
    Ok(out)
}

/// The ladder's rungs from the top, then the two ends.
pub fn rungs(scheme: Scheme, p: &Params) -> Vec<String> {
    match scheme {
        Scheme::Abc => vec!["A".into(), "B".into(), "C".into()],
        Scheme::Pyramid => p.tiers.iter().map(|t| t.name.clone()).collect(),
    }
}

/// One customer's move between two periods.
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    pub customer: String,
    pub from: String,
    pub to: String,
    pub value_from: i64,
    pub value_to: i64,
}

/// The two starting points of a customer absent from the first period.
pub const ORIGINS: [&str; 2] = ["new", "returned"];

/// Every customer's move from period `a` to period `b`, sorted by customer id.
pub fn moves(t: &Tiered, a: i32, b: i32) -> Vec<Move> {
    let empty = PlHashMap::default();
    let (pa, pb) = (t.get(&a).unwrap_or(&empty), t.get(&b).unwrap_or(&empty));
    let seen_before = |id: &str| t.range(..a).any(|(_, p)| p.contains_key(id));
    let mut ids: Vec<&String> = pa
        .keys()
        .chain(pb.keys().filter(|k| !pa.contains_key(*k)))
        .collect();
    ids.sort();
    ids.into_iter()
        .map(|id| {
            let origin = if seen_before(id) { "returned" } else { "new" };
            let (from, value_from) = pa.get(id).cloned().unwrap_or((origin.into(), 0));
            let (to, value_to) = pb.get(id).cloned().unwrap_or(("lost".into(), 0));
            Move {
                customer: id.clone(),
                from,
                to,
                value_from,
                value_to,
            }
        })
        .collect()
}

/// The moves from period `a` to `b`, tiering only those two periods (each period is ranked on
/// its own, so their tiers are those `tier_periods` gives); the customers present in any earlier
/// period, which tell `returned` from `new`, stand in one period before `a`. The same moves as
/// `moves(&tier_periods(per, ..)?, a, b)` at a fraction of the cost on a long history.
pub fn moves_between(
    per: &DataFrame,
    scheme: Scheme,
    p: &Params,
    (a, b): (i32, i32),
) -> PolarsResult<Vec<Move>> {
    let period = || col("period");
    let two = per
        .clone()
        .lazy()
        .filter(period().eq(lit(a)).or(period().eq(lit(b))))
        .collect()?;
    let Ok(mut tiered) = tier_periods(&two, scheme, p) else {
        // Two periods without any positive value, where the whole history has some: rank it all.
        return Ok(moves(&tier_periods(per, scheme, p)?, a, b));
    };
    let earlier = per
        .clone()
        .lazy()
        .filter(period().lt(lit(a)).and(col("cents").gt(lit(0i64))))
        .select([col(col::CUSTOMER)])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()?;
    let ids = earlier.column(col::CUSTOMER)?.str()?;
    let seen: PlHashMap<String, (String, i64)> = ids
        .iter()
        .flatten()
        .map(|id| (id.to_string(), (String::new(), 0)))
        .collect();
    if !seen.is_empty() {
        tiered.insert(a - 1, seen);
    }
    Ok(moves(&tiered, a, b))
}

/// A cell of the transition matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub from: String,
    pub to: String,
    pub customers: u64,
    pub value_from: i64,
    pub value_to: i64,
}

/// The non-empty cells, rows in ladder order then `new` and `returned`, columns in ladder order
/// then `lost`.
pub fn cells(moves: &[Move], rungs: &[String]) -> Vec<Cell> {
    let mut froms: Vec<String> = rungs.to_vec();
    froms.extend(ORIGINS.map(String::from));
    let mut tos: Vec<String> = rungs.to_vec();
    tos.push("lost".into());
    let mut out = Vec::new();
    for f in &froms {
        for t in &tos {
            let these: Vec<&Move> = moves
                .iter()
                .filter(|m| &m.from == f && &m.to == t)
                .collect();
            if !these.is_empty() {
                out.push(Cell {
                    from: f.clone(),
                    to: t.clone(),
                    customers: these.len() as u64,
                    value_from: these.iter().map(|m| m.value_from).sum(),
                    value_to: these.iter().map(|m| m.value_to).sum(),
                });
            }
        }
    }
    out
}

/// The kind of a move: `upgrade`, `downgrade`, `stayed`, `new`, `returned` or `lost`.
pub fn kind(m: &Move, rungs: &[String]) -> &'static str {
    let pos = |t: &str| rungs.iter().position(|r| r == t);
    match (pos(&m.from), pos(&m.to)) {
        (None, _) if m.from == "returned" => "returned",
        (None, _) => "new",
        (_, None) => "lost",
        (Some(a), Some(b)) if b < a => "upgrade",
        (Some(a), Some(b)) if b > a => "downgrade",
        _ => "stayed",
    }
}

/// The square matrix for a person: rows `from` (rungs, `new`, `returned`), columns `to` (rungs,
/// `lost`), customer counts, and a `total` column.
pub fn matrix(moves: &[Move], rungs: &[String]) -> PolarsResult<DataFrame> {
    let mut froms: Vec<String> = rungs.to_vec();
    froms.extend(ORIGINS.map(String::from));
    let mut tos: Vec<String> = rungs.to_vec();
    tos.push("lost".into());
    let mut cols = vec![Column::new("from \\ to".into(), froms.clone())];
    for t in &tos {
        let counts: Vec<u64> = froms
            .iter()
            .map(|f| moves.iter().filter(|m| &m.from == f && &m.to == t).count() as u64)
            .collect();
        cols.push(Column::new(t.as_str().into(), counts));
    }
    let totals: Vec<u64> = froms
        .iter()
        .map(|f| moves.iter().filter(|m| &m.from == f).count() as u64)
        .collect();
    cols.push(Column::new("total".into(), totals));
    DataFrame::new(froms.len(), cols)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::classify::{Basis, Tier};

    fn params() -> Params {
        Params {
            by: Basis::Revenue,
            abc: (80.0, 95.0),
            tiers: vec![
                Tier {
                    name: "Top".into(),
                    pct: 50.0,
                },
                Tier {
                    name: "Rest".into(),
                    pct: 50.0,
                },
            ],
            grouped: false,
        }
    }

    fn per(rows: &[(&str, i32, i64)]) -> DataFrame {
        df!(
            col::CUSTOMER => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "period" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "cents" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        )
        .unwrap()
    }

    #[test]
    fn moves_between_two_periods() {
        // Period 1: a 800 (A), b 150 (B), c 50 (C). Period 2: b 900 (A), c 100 (B), d 5 (C).
        let t = tier_periods(
            &per(&[
                ("a", 1, 800),
                ("b", 1, 150),
                ("c", 1, 50),
                ("b", 2, 900),
                ("c", 2, 95),
                ("d", 2, 5),
                ("e", 2, -10),
            ]),
            Scheme::Abc,
            &params(),
        )
        .unwrap();
        let m = moves(&t, 1, 2);
        let got: Vec<(&str, &str, &str)> = m
            .iter()
            .map(|x| (x.customer.as_str(), x.from.as_str(), x.to.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("a", "A", "lost"),
                ("b", "B", "A"),
                ("c", "C", "B"),
                ("d", "new", "C")
            ]
        );
        let r = rungs(Scheme::Abc, &params());
        let kinds: Vec<&str> = m.iter().map(|x| kind(x, &r)).collect();
        assert_eq!(kinds, ["lost", "upgrade", "upgrade", "new"]);
        let c = cells(&m, &r);
        assert_eq!(c.iter().map(|x| x.customers).sum::<u64>(), 4);
        let mx = matrix(&m, &r).unwrap();
        let total: u64 = mx.column("total").unwrap().u64().unwrap().sum().unwrap();
        assert_eq!(total, 4);
    }

    #[test]
    fn a_customer_back_after_a_gap_is_returned_not_new() {
        let t = tier_periods(
            &per(&[("a", 1, 100), ("b", 1, 50), ("a", 3, 80), ("c", 3, 20)]),
            Scheme::Abc,
            &params(),
        )
        .unwrap();
        let m = moves(&t, 2, 3);
        let got: Vec<(&str, &str)> = m
            .iter()
            .map(|x| (x.customer.as_str(), x.from.as_str()))
            .collect();
        assert_eq!(got, [("a", "returned"), ("c", "new")]);
        let r = rungs(Scheme::Abc, &params());
        assert_eq!(kind(&m[0], &r), "returned");
        let mx = matrix(&m, &r).unwrap();
        assert_eq!(mx.height(), 5, "A, B, C, new, returned");
    }

    #[test]
    fn the_pyramid_is_a_ladder_too() {
        let t = tier_periods(
            &per(&[("a", 1, 800), ("b", 1, 150), ("a", 2, 10), ("b", 2, 900)]),
            Scheme::Pyramid,
            &params(),
        )
        .unwrap();
        let m = moves(&t, 1, 2);
        assert_eq!((m[0].from.as_str(), m[0].to.as_str()), ("Top", "Rest"));
        assert_eq!(kind(&m[0], &rungs(Scheme::Pyramid, &params())), "downgrade");
    }

    #[test]
    fn moves_between_equals_the_moves_of_the_whole_history() {
        // `r` bought in period 1, not in 2, again in 3 and 4: returned, not new, into period 3.
        let p = per(&[
            ("a", 1, 800),
            ("r", 1, 100),
            ("b", 2, 150),
            ("a", 3, 60),
            ("r", 3, 500),
            ("n", 3, 40),
            ("b", 4, 900),
            ("r", 4, 100),
            ("z", 4, -5),
        ]);
        let whole = tier_periods(&p, Scheme::Abc, &params()).unwrap();
        for pair in [(1, 2), (2, 3), (3, 4)] {
            let want = moves(&whole, pair.0, pair.1);
            let got = moves_between(&p, Scheme::Abc, &params(), pair).unwrap();
            assert_eq!(got, want, "{pair:?}");
        }
        let into_3 = moves_between(&p, Scheme::Abc, &params(), (2, 3)).unwrap();
        let r = into_3.iter().find(|m| m.customer == "r").unwrap();
        assert_eq!(r.from, "returned");
    }
}
