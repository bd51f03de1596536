//! Inputs that hold the same sales: the same export given twice, or monthly exports whose periods
//! overlap. Rows that are identical in every canonical column and come from different inputs are
//! counted; rows repeated within one input are left alone (a basket can hold one item twice).

use super::col;
use polars::prelude::*;

/// Rows found in more than one input.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlap {
    /// Distinct rows that appear in two or more inputs.
    pub rows: usize,
    /// Two of the inputs that share them (indices), the first and last shared date.
    pub files: (u32, u32),
    pub dates: (i32, i32),
    /// One shared row's customer.
    pub customer: String,
}

/// Looks for rows shared between inputs in canonical transactions that carry the `file` column:
/// first the days on which several inputs have rows (a cheap reduction), then identical rows
/// on those days only. `run` executes a lazy plan (the streaming engine).
pub fn find(
    tx: LazyFrame,
    run: impl Fn(LazyFrame) -> PolarsResult<DataFrame>,
) -> PolarsResult<Option<Overlap>> {
    let date = || col(col::DATE).cast(DataType::Int32);
    let days = run(tx
        .clone()
        .group_by([date().alias("day")])
        .agg([
            col(col::FILE).min().alias("lo"),
            col(col::FILE).max().alias("hi"),
        ])
        .filter(col("lo").neq(col("hi")))
        .select([col("day")]))?;
    if days.height() == 0 {
        return Ok(None);
    }
    let schema = tx.clone().collect_schema()?;
    let keys: Vec<Expr> = schema
        .iter_names()
        .filter(|n| n.as_str() != col::FILE)
        .map(|n| col(n.clone()))
        .collect();
    let shared = run(tx
        .with_column(date().alias("day"))
        .semi_join(days.lazy(), col("day"), col("day"))
        .group_by(keys)
        .agg([
            col(col::FILE).min().alias("lo"),
            col(col::FILE).max().alias("hi"),
        ])
        .filter(col("lo").neq(col("hi"))))?;
    if shared.height() == 0 {
        return Ok(None);
    }
    let sorted = shared.sort(
        [col::DATE, col::CUSTOMER],
        SortMultipleOptions::default().with_maintain_order(true),
    )?;
    let day = sorted.column(col::DATE)?.cast(&DataType::Int32)?;
    let day = day.i32()?;
    let lo = sorted.column("lo")?.u32()?;
    let hi = sorted.column("hi")?.u32()?;
    Ok(Some(Overlap {
        rows: sorted.height(),
        files: (lo.get(0).unwrap_or(0), hi.get(0).unwrap_or(0)),
        dates: (day.min().unwrap_or(0), day.max().unwrap_or(0)),
        customer: sorted
            .column(col::CUSTOMER)?
            .str()?
            .get(0)
            .unwrap_or("")
            .to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(rows: &[(&str, i32, i64, u32)]) -> LazyFrame {
        let c: Vec<&str> = rows.iter().map(|r| r.0).collect();
        let d: Vec<i32> = rows.iter().map(|r| r.1).collect();
        let a: Vec<i64> = rows.iter().map(|r| r.2).collect();
        let f: Vec<u32> = rows.iter().map(|r| r.3).collect();
        let mut df = df!(col::CUSTOMER => c, col::AMOUNT => a, col::FILE => f).unwrap();
        df.with_column(
            Column::new(col::DATE.into(), d)
                .cast(&DataType::Date)
                .unwrap(),
        )
        .unwrap();
        df.lazy()
    }

    fn run(lf: LazyFrame) -> PolarsResult<DataFrame> {
        lf.collect()
    }

    #[test]
    fn shared_rows_are_found_and_repeats_within_a_file_are_not() {
        let o = find(
            tx(&[
                ("a", 10, 500, 0),
                ("a", 10, 500, 0),
                ("b", 31, 200, 0),
                ("b", 31, 200, 1),
                ("c", 32, 100, 1),
            ]),
            run,
        )
        .unwrap()
        .unwrap();
        assert_eq!(o.rows, 1);
        assert_eq!(o.files, (0, 1));
        assert_eq!(o.dates, (31, 31));
        assert_eq!(o.customer, "b");
    }

    #[test]
    fn a_day_split_between_files_with_different_rows_is_fine() {
        let lf = tx(&[("a", 31, 500, 0), ("b", 31, 200, 1), ("c", 40, 1, 1)]);
        assert_eq!(find(lf, run).unwrap(), None);
    }
}
