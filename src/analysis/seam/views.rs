//! What the analyses read of the stage table: values per calendar period, sums over rolling
//! months ending at the as-of date, a customer's segments.

use super::{segment_back, Seam, SEGMENT};
use crate::analysis::customers::{COST, NET};
use crate::analysis::periods::Period;
use crate::input::col;
use polars::prelude::*;
use std::ops::Range;

impl Seam {
    /// Each customer's net value per period: `customer`, `period` (i32 index), `cents` (and
    /// `cost_cents`), sorted by customer and period; a period appears when the customer has a
    /// line in it.
    pub fn customer_periods(&self, period: Period) -> PolarsResult<DataFrame> {
        let s = &self.segments;
        let ids = s.column(col::CUSTOMER)?.str()?;
        let at = s.column(SEGMENT)?.i32()?;
        let cents = s.column(NET)?.i64()?;
        let cost = s.column(COST).ok().map(|c| c.i64()).transpose()?;
        let (mut who, mut per, mut sums, mut costs): (Vec<&str>, Vec<i32>, Vec<i64>, Vec<i64>) =
            Default::default();
        for i in 0..s.height() {
            let id = ids.get(i).unwrap_or_default();
            let p = period.of_month(at.get(i).unwrap_or(0).div_euclid(2));
            let (c, k) = (
                cents.get(i).unwrap_or(0),
                cost.and_then(|k| k.get(i)).unwrap_or(0),
            );
            if who.last() == Some(&id) && per.last() == Some(&p) {
                *sums.last_mut().expect("a row") += c;
                if let Some(x) = costs.last_mut() {
                    *x += k;
                }
                continue;
            }
            who.push(id);
            per.push(p);
            sums.push(c);
            if cost.is_some() {
                costs.push(k);
            }
        }
        let mut cols = vec![
            Column::new(col::CUSTOMER.into(), who),
            Column::new("period".into(), per),
            Column::new("cents".into(), sums),
        ];
        if cost.is_some() {
            cols.push(Column::new(COST.into(), costs));
        }
        DataFrame::new_infer_height(cols)
    }
}

/// Sums of each customer's value over rolling months ending at the as-of date.
pub struct Rolling {
    /// Each customer's segment rows (customers in the customer rows' order).
    ranges: Vec<Range<usize>>,
    at: Vec<i32>,
    cents: Vec<i64>,
    as_of: i32,
}

impl Rolling {
    pub fn new(seam: &Seam) -> PolarsResult<Rolling> {
        let s = &seam.segments;
        let seg_ids = s.column(col::CUSTOMER)?.str()?;
        let at: Vec<i32> = s.column(SEGMENT)?.i32()?.into_no_null_iter().collect();
        let cents: Vec<i64> = s.column(NET)?.i64()?.into_no_null_iter().collect();
        let mut ranges = Vec::with_capacity(seam.customers.height());
        let mut i = 0;
        for id in seam.customers.column(col::CUSTOMER)?.str()?.iter() {
            // Both tables are sorted by customer id: skip segments of ids without a customer row.
            while i < at.len() && seg_ids.get(i) < id {
                i += 1;
            }
            let start = i;
            while i < at.len() && seg_ids.get(i) == id {
                i += 1;
            }
            ranges.push(start..i);
        }
        Ok(Rolling {
            ranges,
            at,
            cents,
            as_of: seam.window.as_of,
        })
    }

    /// The segments of the rolling months from `k` back to `j` back (k > j): the window
    /// (`months_before(as_of, k)`, `months_before(as_of, j)`].
    pub fn bounds(&self, k: u32, j: u32) -> (i32, i32) {
        (segment_back(self.as_of, k), segment_back(self.as_of, j))
    }

    /// Customer `i`'s value within `bounds` (from [`Rolling::bounds`]).
    pub fn sum(&self, i: usize, (after, upto): (i32, i32)) -> i64 {
        let r = self.ranges[i].clone();
        self.at[r.clone()]
            .iter()
            .zip(&self.cents[r])
            .filter(|(&s, _)| s > after && s <= upto)
            .map(|(_, &c)| c)
            .sum()
    }
}
