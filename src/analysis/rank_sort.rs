//! The rank order of a per-customer frame computed as one permutation: each key column becomes
//! an order-preserving integer, the rows are sorted on (first key, row) pairs in parallel, and
//! ties fall through to the other keys, the id as a number, the id as text and the row. The same
//! order as a stable multi-column sort with nulls last, without encoding every row as bytes.

use crate::input::col;
use polars::prelude::*;
use rayon::slice::ParallelSliceMut;
use std::cmp::Ordering;

/// One key column as order keys: ascending integers (descending already flipped), nulls marked.
struct Key {
    order: Vec<u64>,
    null: Option<Vec<bool>>,
}

impl Key {
    fn cmp(&self, a: usize, b: usize) -> Ordering {
        let nulls = match &self.null {
            Some(n) => n[a].cmp(&n[b]),
            None => Ordering::Equal,
        };
        nulls.then_with(|| self.order[a].cmp(&self.order[b]))
    }
}

/// Sorts `df` by the given `(column, descending)` keys, then by customer id ascending:
/// numerically when every id is a whole number (so `9` comes before `10`), then as text, then in
/// the frame's order. Nulls come last in every key.
pub fn rank_order_by(df: DataFrame, keys: &[(&str, bool)]) -> PolarsResult<DataFrame> {
    let ids = df.column(col::CUSTOMER)?.cast(&DataType::String)?;
    let ids = ids.str()?;
    let mut cols = keys
        .iter()
        .map(|(name, desc)| key_of(df.column(name)?, *desc))
        .collect::<PolarsResult<Vec<_>>>()?;
    if let Ok(n) = df.column(col::CUSTOMER)?.strict_cast(&DataType::UInt64) {
        cols.push(key_of(&n, false)?);
    }
    let perm = permutation(&cols, ids);
    drop(cols);
    let idx = IdxCa::from_vec("".into(), perm.into_iter().map(|i| i as IdxSize).collect());
    // Column by column, each let go of once gathered: the table is not held twice.
    let height = idx.len();
    let gathered = df
        .into_columns()
        .into_iter()
        .map(|c| c.take(&idx))
        .collect::<PolarsResult<Vec<_>>>()?;
    DataFrame::new(height, gathered)
}

/// The row order: the first key's value and the row number sorted together, ties resolved by the
/// remaining keys, then the id text, then the row number (so the order is the stable one).
fn permutation(cols: &[Key], ids: &StringChunked) -> Vec<u32> {
    let n = ids.len();
    let text: Vec<Option<&str>> = ids.iter().collect();
    let first = cols.first();
    let mut rows: Vec<(u64, u32)> = (0..n)
        .map(|i| {
            let k = first.map_or(0, |k| match &k.null {
                Some(null) if null[i] => u64::MAX,
                _ => k.order[i],
            });
            (k, i as u32)
        })
        .collect();
    let rest = |a: usize, b: usize| {
        cols.iter()
            .map(|k| k.cmp(a, b))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
            .then_with(|| match (text[a], text[b]) {
                (Some(x), Some(y)) => x.cmp(y),
                (x, y) => x.is_none().cmp(&y.is_none()),
            })
            .then(a.cmp(&b))
    };
    rows.par_sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| rest(a.1 as usize, b.1 as usize)));
    rows.into_iter().map(|(_, i)| i).collect()
}

/// Order keys of one column: integers and dates by value, floats by value with `-0.0` equal to
/// `0.0` and NaN above every number, text by its rank among the column's distinct values.
fn key_of(c: &Column, desc: bool) -> PolarsResult<Key> {
    let flip = |k: u64| if desc { !k } else { k };
    let dtype = c.dtype();
    let (order, null): (Vec<u64>, Vec<bool>) = if dtype.is_float() {
        let f = c.cast(&DataType::Float64)?;
        f.f64()?
            .iter()
            .map(|v| match v {
                Some(x) => (flip(float_key(x)), false),
                None => (0, true),
            })
            .unzip()
    } else if dtype.is_unsigned_integer() {
        let u = c.cast(&DataType::UInt64)?;
        u.u64()?
            .iter()
            .map(|v| v.map_or((0, true), |x| (flip(x), false)))
            .unzip()
    } else if dtype.is_primitive_numeric() || dtype.is_temporal() || dtype.is_bool() {
        let i = c.cast(&DataType::Int64)?;
        i.i64()?
            .iter()
            .map(|v| v.map_or((0, true), |x| (flip((x as u64) ^ (1 << 63)), false)))
            .unzip()
    } else {
        let s = c.cast(&DataType::String)?;
        text_ranks(s.str()?)
            .into_iter()
            .map(|r| match r {
                Some(r) => (flip(r), false),
                None => (0, true),
            })
            .unzip()
    };
    let null = null.iter().any(|&b| b).then_some(null);
    Ok(Key { order, null })
}

/// An integer whose order is the float's, with `-0.0` as `0.0` and every NaN above infinity.
fn float_key(x: f64) -> u64 {
    let x = if x == 0.0 {
        0.0
    } else if x.is_nan() {
        f64::NAN
    } else {
        x
    };
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// Each value's rank among the distinct values in byte order.
fn text_ranks(s: &StringChunked) -> Vec<Option<u64>> {
    let mut distinct: Vec<&str> = s.iter().flatten().collect();
    distinct.sort_unstable();
    distinct.dedup();
    let rank: PlHashMap<&str, u64> = distinct
        .iter()
        .enumerate()
        .map(|(r, v)| (*v, r as u64))
        .collect();
    s.iter().map(|v| v.map(|v| rank[v])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(ids: &[&str], units: &[Option<i64>]) -> DataFrame {
        df!(col::CUSTOMER => ids, "units" => units).unwrap()
    }

    fn order(df: &DataFrame) -> Vec<String> {
        let ids = df.column(col::CUSTOMER).unwrap().str().unwrap().clone();
        ids.iter().map(|s| s.unwrap().to_string()).collect()
    }

    #[test]
    fn value_descending_then_numeric_id_then_text_with_nulls_last() {
        let df = frame(
            &["10", "9", "017", "17", "3", "4"],
            &[Some(5), Some(5), Some(7), Some(7), None, Some(-1)],
        );
        let out = rank_order_by(df, &[("units", true)]).unwrap();
        assert_eq!(order(&out), ["017", "17", "9", "10", "4", "3"]);
    }

    #[test]
    fn text_ids_in_byte_order_and_text_keys_by_rank() {
        let df = df!(
            col::CUSTOMER => ["b", "a", "c", "B"],
            "group" => ["y", "x", "x", "y"],
            "units" => [1i64, 1, 2, 1],
        )
        .unwrap();
        let out = rank_order_by(df, &[("group", false), ("units", true)]).unwrap();
        assert_eq!(order(&out), ["c", "a", "B", "b"]);
    }

    #[test]
    fn floats_with_signed_zero_and_nan() {
        let df = df!(
            col::CUSTOMER => ["a", "b", "c", "d", "e"],
            "clv" => [Some(0.0), Some(-0.0), Some(f64::NAN), Some(-2.5), None],
        )
        .unwrap();
        let out = rank_order_by(df, &[("clv", true)]).unwrap();
        assert_eq!(order(&out), ["c", "a", "b", "d", "e"]);
    }

    #[test]
    fn the_same_order_as_polars_stable_sort() {
        let n = 2000usize;
        let ids: Vec<String> = (0..n).map(|i| format!("{}", (i * 7919) % 1000)).collect();
        let units: Vec<Option<i64>> = (0..n)
            .map(|i| (i % 13 != 0).then_some(((i * 31) % 17) as i64 - 5))
            .collect();
        let df = df!(col::CUSTOMER => ids, "units" => units).unwrap();
        let ours = rank_order_by(df.clone(), &[("units", true)]).unwrap();
        let opts = SortMultipleOptions::default()
            .with_order_descending_multi([true, false, false])
            .with_nulls_last(true)
            .with_maintain_order(true);
        let theirs = df
            .lazy()
            .sort_by_exprs(
                [
                    col("units"),
                    col(col::CUSTOMER).cast(DataType::UInt64),
                    col(col::CUSTOMER),
                ],
                opts,
            )
            .collect()
            .unwrap();
        assert!(ours.equals_missing(&theirs));
        let clv: Vec<Option<f64>> = (0..n)
            .map(|i| match i % 11 {
                0 => None,
                1 => Some(f64::NAN),
                2 => Some(-0.0),
                _ => Some(((i * 31) % 17) as f64 / 4.0 - 2.0),
            })
            .collect();
        let ids: Vec<String> = (0..n).map(|i| format!("c{}", (i * 7919) % 1000)).collect();
        let df = df!(col::CUSTOMER => ids, "clv" => clv).unwrap();
        let ours = rank_order_by(df.clone(), &[("clv", true)]).unwrap();
        let opts = SortMultipleOptions::default()
            .with_order_descending_multi([true, false])
            .with_nulls_last(true)
            .with_maintain_order(true);
        let theirs = df
            .lazy()
            .sort_by_exprs([col("clv"), col(col::CUSTOMER)], opts)
            .collect()
            .unwrap();
        assert!(ours.equals_missing(&theirs));
    }
}
