//! The stage engine: the one step whose cost grows with the export's rows. It streams the
//! canonical transactions out of polars in file order, gives each customer a dense integer code
//! (`keys`) and folds its lines into one running state (`fold`), so that memory grows with the
//! customers, not with the rows or the customer-days. An input whose customers' days come out of
//! order is folded again in general mode, with the same answer. The tables it returns have the
//! schemas documented in `customers` (per customer, and per customer-day under its `DAY*` names).
//!
//! No I/O of its own and no clock: it runs the plan it is given.

mod fold;
mod keys;
#[cfg(test)]
mod tests;

use fold::{Fold, Keep};

use super::customers::{self as schema, COST, NET, PURCHASES, QUANTITY};
use crate::input::col;
use keys::Keys;
use polars::prelude::*;
use std::sync::{Arc, Mutex};

/// What a command needs of the stage.
#[derive(Clone, Copy, Debug, Default)]
pub struct Want {
    /// Key by group and customer (`--group`).
    pub grouped: bool,
    /// Also the customer-day table.
    pub days: bool,
}

/// The stage of one window.
pub struct Staged {
    /// One row per customer (per group and customer when grouped).
    pub customers: DataFrame,
    /// One row per customer and day, when asked for.
    pub days: Option<DataFrame>,
    /// Whether every integer sum is exact (the absolute values add up far inside `i64`).
    pub exact: bool,
}

/// Runs the stage over canonical transactions.
pub fn run(tx: LazyFrame, want: Want) -> PolarsResult<Staged> {
    match pass(tx.clone(), want, false)? {
        Some(staged) => Ok(staged),
        None => Ok(pass(tx, want, true)?.expect("general mode folds any order")),
    }
}

/// The state shared with polars' batch callback.
struct State {
    keys: Keys,
    fold: Fold,
    grouped: bool,
    /// Ordered mode met a day out of order.
    disorder: bool,
    /// The batch's keys, end to end, and where each ends.
    key: Vec<u8>,
    ends: Vec<usize>,
    /// The batch's key hashes and codes.
    hashes: Vec<u64>,
    codes: Vec<u32>,
}

/// One pass over the input; `None` when ordered mode met a customer's days out of order.
fn pass(mut tx: LazyFrame, want: Want, general: bool) -> PolarsResult<Option<Staged>> {
    let schema = tx.collect_schema()?;
    let keep = Keep {
        costs: schema.contains(col::COST),
        quantities: schema.contains(col::QUANTITY),
        days: want.days,
    };
    let mut cols = vec![
        col(col::CUSTOMER),
        col(col::DATE).cast(DataType::Int32),
        col(col::AMOUNT),
    ];
    if want.grouped {
        cols.push(col(col::GROUP));
    }
    if keep.costs {
        cols.push(col(col::COST));
    }
    if keep.quantities {
        cols.push(col(col::QUANTITY));
    }
    let state = Arc::new(Mutex::new(State {
        keys: Keys::default(),
        fold: Fold::new(general, keep),
        grouped: want.grouped,
        disorder: false,
        key: Vec::new(),
        ends: Vec::new(),
        hashes: Vec::new(),
        codes: Vec::new(),
    }));
    let shared = state.clone();
    let callback = PlanCallback::new(move |batch: DataFrame| {
        let mut st = shared
            .lock()
            .map_err(|_| polars_err!(ComputeError: "the stage's state was poisoned"))?;
        st.batch(&batch, keep)?;
        // Returning true stops the query: the input is to be folded again in general mode.
        Ok(st.disorder)
    });
    tx.select(cols)
        .sink_batches(callback, true, None)?
        .collect_with_engine(Engine::Streaming)?;
    let state = Arc::try_unwrap(state)
        .map_err(|_| polars_err!(ComputeError: "the stage's state is still shared"))?
        .into_inner()
        .map_err(|_| polars_err!(ComputeError: "the stage's state was poisoned"))?;
    if state.disorder {
        return Ok(None);
    }
    state.finish(want).map(Some)
}

/// How many rows ahead the memory is asked for the next slots and states.
const AHEAD: usize = 16;

impl State {
    /// Folds one batch in three passes, so that the memory of later rows is on its way while
    /// earlier ones are worked on: the keys' hashes, then their codes, then the fold. The
    /// passes' buffers are kept from batch to batch (freeing them had the allocator hand
    /// their pages back and the kernel zero new ones for every batch).
    fn batch(&mut self, df: &DataFrame, keep: Keep) -> PolarsResult<()> {
        if self.disorder {
            return Ok(());
        }
        let customers = df.column(col::CUSTOMER)?.str()?;
        if customers.null_count() > 0 {
            polars_bail!(ComputeError: "the stage met a line without a customer");
        }
        // The batch's keys end to end: the customer id, or when grouped a flag (0: no group),
        // the group, NUL and the customer id.
        self.key.clear();
        self.ends.clear();
        let groups = match self.grouped {
            true => Some(df.column(col::GROUP)?.str()?),
            false => None,
        };
        let mut group_it = groups.map(|g| g.iter());
        for id in customers.iter() {
            if let Some(g) = group_it.as_mut().map(|it| it.next().flatten()) {
                self.key.push(u8::from(g.is_some()));
                self.key.extend_from_slice(g.unwrap_or_default().as_bytes());
                self.key.push(0);
            }
            self.key
                .extend_from_slice(id.unwrap_or_default().as_bytes());
            self.ends.push(self.key.len());
        }
        let key = |i: usize, ends: &[usize]| (if i == 0 { 0 } else { ends[i - 1] })..ends[i];
        self.hashes.clear();
        for i in 0..self.ends.len() {
            let h = self.keys.hash(&self.key[key(i, &self.ends)]);
            self.hashes.push(h);
        }
        self.codes.clear();
        for i in 0..self.ends.len() {
            if let Some(&h) = self.hashes.get(i + AHEAD) {
                self.keys.prefetch(h);
            }
            let code = self
                .keys
                .code(&self.key[key(i, &self.ends)], self.hashes[i]);
            self.codes.push(code);
        }
        let codes = std::mem::take(&mut self.codes);
        let done = self.fold_rows(df, &codes, keep);
        self.codes = codes;
        done
    }

    fn fold_rows(&mut self, df: &DataFrame, codes: &[u32], keep: Keep) -> PolarsResult<()> {
        let days = df.column(col::DATE)?.i32()?;
        let cents = df.column(col::AMOUNT)?.i64()?;
        let mut costs = match keep.costs {
            true => Some(df.column(col::COST)?.i64()?.iter()),
            false => None,
        };
        let mut quantities = match keep.quantities {
            true => Some(df.column(col::QUANTITY)?.f64()?.iter()),
            false => None,
        };
        for (i, (day, c)) in days.iter().zip(cents.iter()).enumerate() {
            if let Some(&ahead) = codes.get(i + AHEAD) {
                self.fold.prefetch(ahead);
            }
            let Some(day) = day else {
                polars_bail!(ComputeError: "the stage met a line without a date");
            };
            let cost = costs.as_mut().and_then(|i| i.next().flatten()).unwrap_or(0);
            let milli = quantities
                .as_mut()
                .and_then(|i| i.next().flatten())
                .map_or(0, |q| (q * 1000.0).round() as i64);
            if !self.fold.add(codes[i], day, c.unwrap_or(0), cost, milli) {
                self.disorder = true;
                return Ok(());
            }
        }
        Ok(())
    }

    /// The group (when grouped and not null) and the customer id of key `i`.
    fn parts(&self, i: u32) -> (Option<&str>, &str) {
        let k = std::str::from_utf8(self.keys.get(i)).expect("keys are text");
        if !self.grouped {
            return (None, k);
        }
        let (g, c) = k[1..].split_once('\0').expect("a grouped key");
        (k.starts_with('\u{1}').then_some(g), c)
    }

    /// The stage's tables from the finished fold.
    fn finish(mut self, want: Want) -> PolarsResult<Staged> {
        self.fold.finish();
        self.keys.seal();
        let n = self.keys.len() as u32;
        let mut frame: Vec<Column> = Vec::new();
        if want.grouped {
            let groups: StringChunked = (0..n).map(|i| self.parts(i).0).collect();
            frame.push(groups.with_name(col::GROUP.into()).into_column());
        }
        let ids: StringChunked = (0..n).map(|i| Some(self.parts(i).1)).collect();
        frame.push(ids.with_name(col::CUSTOMER.into()).into_column());
        let accs = &self.fold.accs;
        let ints = |name: &str, f: &dyn Fn(&fold::Acc) -> i64| {
            Column::new(name.into(), accs.iter().map(f).collect::<Vec<i64>>())
        };
        let dates = |name: &str, f: &dyn Fn(&fold::Acc) -> Option<i32>| {
            Column::new(
                name.into(),
                accs.iter().map(f).collect::<Vec<Option<i32>>>(),
            )
            .cast(&DataType::Date)
        };
        let keep = self.fold.keep();
        frame.push(ints(NET, &|a| a.net));
        if keep.costs {
            frame.push(Column::new(COST.into(), self.fold.costs()));
        }
        if keep.quantities {
            frame.push(Column::new(QUANTITY.into(), self.fold.quantities()));
        }
        frame.push(ints(PURCHASES, &|a| i64::from(a.purchases)));
        frame.push(dates("first_purchase", &|a| {
            a.has_purchase().then_some(a.first_purchase)
        })?);
        frame.push(dates("last_purchase", &|a| {
            a.has_purchase().then_some(a.last_purchase)
        })?);
        frame.push(dates(schema::LAST_LINE, &|a| Some(a.last_line))?);
        frame.push(ints(schema::PURCHASE_CENTS, &|a| a.purchase_cents));
        frame.push(ints(schema::FIRST_PURCHASE_CENTS, &|a| {
            a.first_purchase_cents
        }));
        let customers = DataFrame::new_infer_height(frame)?;
        let days = match want.days {
            true => Some(self.day_table()?),
            false => None,
        };
        Ok(Staged {
            customers,
            days,
            exact: self.fold.gross_abs < 9_000_000_000_000_000_000,
        })
    }

    /// The customer-day table: `customer`, `day` (i32), `cents`, `smallest`, and `cost_cents`
    /// when the input has costs.
    /// The day table is per customer only, grouped or not.
    fn day_table(&mut self) -> PolarsResult<DataFrame> {
        let log = std::mem::take(&mut self.fold.log);
        let ids: StringChunked = log.slot.iter().map(|&s| Some(self.parts(s).1)).collect();
        let mut cols = vec![
            ids.with_name(col::CUSTOMER.into()).into_column(),
            Column::new(schema::DAY.into(), log.day),
            Column::new(schema::DAY_CENTS.into(), log.net),
            Column::new(schema::DAY_SMALLEST.into(), log.smallest),
        ];
        if self.fold.keep().costs {
            cols.push(Column::new(COST.into(), log.cost));
        }
        DataFrame::new_infer_height(cols)
    }
}
