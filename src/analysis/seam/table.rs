//! The stage table as one frame, as a file holds it (customer rows and segment rows together,
//! the window on every row), and back, checking its version and shape.

use super::{Seam, Window, META_AS_OF, META_HOLDOUT, META_SINCE, META_VERSION, SEGMENT, VERSION};
use crate::analysis::customers::{
    COST, FIRST_PURCHASE_CENTS, LAST_LINE, NET, PURCHASES, PURCHASE_CENTS, QUANTITY,
};
use crate::input::{col, iso_date};
use polars::prelude::*;

/// How a column of the table is typed.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Int,
    Small,
    Date,
    Float,
    Days,
}

impl Kind {
    fn dtype(self) -> DataType {
        match self {
            Kind::Text => DataType::String,
            Kind::Int => DataType::Int64,
            Kind::Small => DataType::Int32,
            Kind::Date => DataType::Date,
            Kind::Float => DataType::Float64,
            Kind::Days => DataType::List(Box::new(DataType::Int32)),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Int | Kind::Small => "an integer",
            Kind::Date => "a date",
            Kind::Float => "a number",
            Kind::Days => "a list of integers",
        }
    }

    /// Whether a column of type `t` can be read as this kind without loss.
    fn accepts(self, t: &DataType) -> bool {
        match self {
            Kind::Text => matches!(t, DataType::String),
            Kind::Int | Kind::Small => t.is_integer(),
            Kind::Date => matches!(t, DataType::Date),
            Kind::Float => t.is_float() || t.is_integer(),
            Kind::Days => matches!(t, DataType::List(inner) if inner.is_integer()),
        }
    }
}

/// A column of the table: name, kind, whether it may be absent.
type Spec = (&'static str, Kind, bool);

/// The per-customer stage's columns (`customers`' schema), in both shapes of table.
const STAGE: [Spec; 9] = [
    (NET, Kind::Int, false),
    (COST, Kind::Int, true),
    (QUANTITY, Kind::Int, true),
    (PURCHASES, Kind::Int, false),
    ("first_purchase", Kind::Date, false),
    ("last_purchase", Kind::Date, false),
    (LAST_LINE, Kind::Date, false),
    (PURCHASE_CENTS, Kind::Int, false),
    (FIRST_PURCHASE_CENTS, Kind::Int, false),
];

/// What an ungrouped table adds for the analyses of gaps and holdouts.
const EXTRAS: [Spec; 9] = [
    (super::FIRST_LINE, Kind::Date, false),
    (super::LINE_DAYS, Kind::Int, false),
    (super::SMALLEST, Kind::Int, false),
    (super::MEDIAN_GAP, Kind::Float, false),
    (super::ACTIVE_YEAR, Kind::Int, false),
    (super::CAL_PURCHASES, Kind::Int, false),
    (super::CAL_LAST, Kind::Date, false),
    (super::CAL_CENTS, Kind::Int, false),
    (super::HOLDOUT_DAYS, Kind::Days, false),
];

/// The window, on every row.
const META: [Spec; 4] = [
    (META_VERSION, Kind::Small, false),
    (META_AS_OF, Kind::Date, false),
    (META_SINCE, Kind::Date, false),
    (META_HOLDOUT, Kind::Date, false),
];

/// The columns a table of this shape holds, in order: keys (and the segment), the stage, the
/// extras of an ungrouped table, the window. A grouped table (`--group`) has customer
/// rows only, keyed by group and customer.
fn layout(grouped: bool) -> Vec<Spec> {
    let keys: &[Spec] = if grouped {
        &[
            (col::GROUP, Kind::Text, false),
            (col::CUSTOMER, Kind::Text, false),
        ]
    } else {
        &[
            (col::CUSTOMER, Kind::Text, false),
            (SEGMENT, Kind::Small, false),
        ]
    };
    let extras: &[Spec] = if grouped { &[] } else { &EXTRAS };
    [keys, &STAGE, extras, &META].concat()
}

/// The window's columns, `rows` long.
fn meta(w: &Window, rows: usize) -> PolarsResult<Vec<Column>> {
    let date = |name: &str, v: Option<i32>| -> PolarsResult<Column> {
        Column::new_scalar(name.into(), Scalar::new(DataType::Int32, v.into()), rows)
            .cast(&DataType::Date)
    };
    Ok(vec![
        Column::new_scalar(META_VERSION.into(), Scalar::from(VERSION), rows),
        date(META_AS_OF, Some(w.as_of))?,
        date(META_SINCE, w.since)?,
        date(META_HOLDOUT, Some(w.holdout))?,
    ])
}

/// The stage as one frame: its customer rows (`segment` null), then its segment rows, with the
/// window on every row; a grouped stage (customers keyed by `group`) has customer rows only.
pub fn to_table(seam: &Seam) -> PolarsResult<DataFrame> {
    let c = &seam.customers;
    let grouped = c.column(col::GROUP).is_ok();
    let columns = layout(grouped);
    let present: Vec<&str> = columns
        .iter()
        .map(|&(n, _, _)| n)
        .filter(|n| c.column(n).is_ok() || *n == SEGMENT)
        .filter(|n| !n.starts_with("stage_"))
        .collect();
    let fill = |df: &DataFrame| -> PolarsResult<DataFrame> {
        let mut cols = Vec::with_capacity(present.len() + 4);
        for &(name, kind, _) in &columns {
            if !present.contains(&name) {
                continue;
            }
            cols.push(match df.column(name) {
                Ok(c) => c.cast(&kind.dtype())?,
                Err(_) => Column::full_null(name.into(), df.height(), &kind.dtype()),
            });
        }
        cols.extend(meta(&seam.window, df.height())?);
        DataFrame::new(df.height(), cols)
    };
    let mut table = fill(c)?;
    if !grouped {
        table.vstack_mut_owned(fill(&seam.segments)?)?;
        table.rechunk_mut();
    }
    Ok(table)
}

/// The stage held in `table` (as [`to_table`] writes it, in any row order, as Spark writes
/// it): the shape and version are checked, naming a column that is missing or mistyped.
pub fn from_table(table: DataFrame) -> Result<Seam, String> {
    let grouped = table.column(col::GROUP).is_ok();
    let mut cols = Vec::new();
    for (name, kind, optional) in layout(grouped) {
        let Ok(c) = table.column(name) else {
            if optional {
                continue;
            }
            return Err(format!(
                "it has no column `{name}`: it is not a stage table of version {VERSION} \
                 (`tier stage` writes one)"
            ));
        };
        if !kind.accepts(c.dtype()) {
            return Err(format!(
                "column `{name}` has type {}, where the stage holds {}",
                c.dtype(),
                kind.name()
            ));
        }
        cols.push(
            c.cast(&kind.dtype())
                .map_err(|e| format!("column `{name}`: {e}"))?,
        );
    }
    let table = DataFrame::new(table.height(), cols).map_err(|e| e.to_string())?;
    let window = window(&table)?;
    let ids = table.column(col::CUSTOMER).map_err(|e| e.to_string())?;
    if ids.null_count() > 0 {
        return Err(format!(
            "column `{}` has an empty customer id",
            col::CUSTOMER
        ));
    }
    let keys: Vec<&str> = if grouped {
        vec![col::GROUP, col::CUSTOMER]
    } else {
        vec![col::CUSTOMER]
    };
    let err = |e: PolarsError| e.to_string();
    let meta = [META_VERSION, META_AS_OF, META_SINCE, META_HOLDOUT];
    let table = table.drop_many(meta);
    let (customers, segments) = if grouped {
        (table, DataFrame::empty())
    } else {
        let at = table.column(SEGMENT).map_err(err)?;
        let is_customer = at.is_null();
        let customers = table
            .filter(&is_customer)
            .map_err(err)?
            .drop(SEGMENT)
            .map_err(err)?;
        let keep: Vec<&str> = [col::CUSTOMER, SEGMENT, NET, COST]
            .into_iter()
            .filter(|n| table.column(n).is_ok())
            .collect();
        let segments = table
            .filter(&!&is_customer)
            .and_then(|s| s.select(keep))
            .and_then(|s| s.sort([col::CUSTOMER, SEGMENT], SortMultipleOptions::default()))
            .map_err(err)?;
        (customers, segments)
    };
    let customers = customers
        .sort(keys.clone(), SortMultipleOptions::default())
        .map_err(err)?;
    twice(&customers, &keys)?;
    Ok(Seam {
        customers,
        segments,
        window,
    })
}

/// Refuses a table with two customer rows of one customer (of one group).
fn twice(customers: &DataFrame, keys: &[&str]) -> Result<(), String> {
    let text = |name: &str| -> Result<Vec<Option<&str>>, String> {
        let c = customers.column(name).map_err(|e| e.to_string())?;
        Ok(c.str().map_err(|e| e.to_string())?.iter().collect())
    };
    let cols: Vec<Vec<Option<&str>>> = keys.iter().map(|k| text(k)).collect::<Result<_, _>>()?;
    let key = |i: usize| cols.iter().map(|c| c[i]).collect::<Vec<_>>();
    for i in 1..customers.height() {
        if key(i) == key(i - 1) {
            return Err(format!(
                "customer `{}` has two customer rows",
                key(i).last().copied().flatten().unwrap_or_default()
            ));
        }
    }
    Ok(())
}

/// The window the table was made for: the same on every row.
fn window(table: &DataFrame) -> Result<Window, String> {
    let one = |name: &str| -> Result<Option<i32>, String> {
        let c = table
            .column(name)
            .and_then(|c| c.cast(&DataType::Int32))
            .map_err(|e| e.to_string())?;
        let c = c.i32().map_err(|e| e.to_string())?;
        let (lo, hi) = (c.min(), c.max());
        let mixed = lo != hi || (c.null_count() > 0 && c.null_count() < c.len());
        if mixed {
            return Err(format!(
                "column `{name}` differs between rows: the table mixes stages of different windows"
            ));
        }
        Ok(lo)
    };
    let version = one(META_VERSION)?;
    if version != Some(VERSION) && table.height() > 0 {
        return Err(format!(
            "it is a stage table of version {}, and this tier reads version {VERSION}: make it \
             again with this tier (`tier stage`, or the job `tier stage --emit` prints)",
            version.map_or("?".into(), |v| v.to_string())
        ));
    }
    let as_of = one(META_AS_OF)?.ok_or("the table holds no rows")?;
    let holdout = one(META_HOLDOUT)?.ok_or("column `stage_holdout` is empty")?;
    let since = one(META_SINCE)?;
    if since.is_some_and(|s| s > as_of) {
        return Err(format!(
            "its window starts after its as-of date {}",
            iso_date(as_of)
        ));
    }
    Ok(Window {
        as_of,
        since,
        holdout,
    })
}
