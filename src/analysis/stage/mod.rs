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

use fold::Fold;
pub use fold::Keep;

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
    /// Also the quantities (`quantity_milli`), when the input has them: only `--by quantity`
    /// reads them, and leaving them out spares a column and 24 bytes per customer.
    pub quantities: bool,
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
    let mut tx = tx;
    let schema = tx.collect_schema()?;
    let keep = Keep {
        costs: schema.contains(col::COST),
        quantities: want.quantities && schema.contains(col::QUANTITY),
        days: want.days,
    };
    let staged = run_fed(want, keep, |folder: &mut Folder| {
        polars_pass(tx.clone(), folder)?;
        Ok::<bool, PolarsError>(true)
    })?;
    Ok(staged.expect("the polars pass always completes"))
}

/// Runs the stage over lines a source feeds: `feed` makes one pass over the whole input into
/// the folder it is given, stopping early when `Folder::add` says so, and returns whether it
/// completed (false: the source gave up, and so does the stage, with `None`). When a
/// customer's days came out of order, the source is asked for a second pass, in general mode.
pub fn run_fed<E: From<PolarsError>>(
    want: Want,
    keep: Keep,
    mut feed: impl FnMut(&mut Folder) -> Result<bool, E>,
) -> Result<Option<Staged>, E> {
    for general in [false, true] {
        let mut folder = Folder::new(want, keep, general);
        if !feed(&mut folder)? {
            return Ok(None);
        }
        if !folder.disorder {
            return Ok(Some(folder.finish(want)?));
        }
    }
    unreachable!("general mode folds any order")
}

/// One batch of canonical lines, column by column, as the stage folds them: each line's key
/// (end to end in `key`, line `i`'s ending at `ends[i]`) and the key's hash, its day, cents,
/// and its cost and quantity in thousandths when the input has them (else left empty).
#[derive(Default)]
pub struct Lines {
    pub key: Vec<u8>,
    pub ends: Vec<usize>,
    pub hashes: Vec<u64>,
    pub day: Vec<i32>,
    pub cents: Vec<i64>,
    pub cost: Vec<i64>,
    pub milli: Vec<i64>,
}

impl Lines {
    pub fn clear(&mut self) {
        self.key.clear();
        self.ends.clear();
        self.hashes.clear();
        self.day.clear();
        self.cents.clear();
        self.cost.clear();
        self.milli.clear();
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Adds a line's key: the customer id, or when grouped (`group` is `Some`) a flag (0: no
    /// group), the group, NUL and the customer id.
    pub fn push_key(&mut self, group: Option<Option<&str>>, id: &str) {
        let start = self.key.len();
        if let Some(g) = group {
            self.key.push(u8::from(g.is_some()));
            self.key.extend_from_slice(g.unwrap_or_default().as_bytes());
            self.key.push(0);
        }
        self.key.extend_from_slice(id.as_bytes());
        self.ends.push(self.key.len());
        self.hashes.push(keys::hash(&self.key[start..]));
    }

    fn key(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.key[start..self.ends[i]]
    }
}

/// The stage's running state, fed batch by batch.
pub struct Folder {
    keys: Keys,
    fold: Fold,
    grouped: bool,
    /// Ordered mode met a day out of order.
    disorder: bool,
    /// The batch's codes (kept from batch to batch: freeing them had the allocator hand their
    /// pages back and the kernel zero new ones for every batch).
    codes: Vec<u32>,
    /// The polars pass's batch, as lines.
    scratch: Lines,
}

/// How many rows ahead the memory is asked for the next slots and states.
const AHEAD: usize = 16;

impl Folder {
    fn new(want: Want, keep: Keep, general: bool) -> Self {
        Folder {
            keys: Keys::default(),
            fold: Fold::new(general, keep),
            grouped: want.grouped,
            disorder: false,
            codes: Vec::new(),
            scratch: Lines::default(),
        }
    }

    /// What the folder keeps: whether lines carry costs and quantities.
    pub fn keep(&self) -> Keep {
        self.fold.keep()
    }

    /// Whether lines are keyed by group and customer.
    pub fn grouped(&self) -> bool {
        self.grouped
    }

    /// Folds one batch in two passes, so that the memory of later rows is on its way while
    /// earlier ones are worked on: the keys' codes, then the fold. Returns false once ordered
    /// mode has met a customer's day out of order: the pass is to stop.
    pub fn add(&mut self, lines: &Lines) -> bool {
        if self.disorder {
            return false;
        }
        self.codes.clear();
        for i in 0..lines.len() {
            if let Some(&h) = lines.hashes.get(i + AHEAD) {
                self.keys.prefetch(h);
            }
            let code = self.keys.code(lines.key(i), lines.hashes[i]);
            self.codes.push(code);
        }
        let keep = self.fold.keep();
        for i in 0..lines.len() {
            if let Some(&ahead) = self.codes.get(i + AHEAD) {
                self.fold.prefetch(ahead);
            }
            let cost = if keep.costs { lines.cost[i] } else { 0 };
            let milli = if keep.quantities { lines.milli[i] } else { 0 };
            if !self
                .fold
                .add(self.codes[i], lines.day[i], lines.cents[i], cost, milli)
            {
                self.disorder = true;
                return false;
            }
        }
        true
    }

    /// A polars batch of canonical columns, as lines.
    fn batch(&mut self, df: &DataFrame) -> PolarsResult<bool> {
        let mut l = std::mem::take(&mut self.scratch);
        l.clear();
        let customers = df.column(col::CUSTOMER)?.str()?;
        if customers.null_count() > 0 {
            polars_bail!(ComputeError: "the stage met a line without a customer");
        }
        let groups = match self.grouped {
            true => Some(df.column(col::GROUP)?.str()?),
            false => None,
        };
        let mut group_it = groups.map(|g| g.iter());
        for id in customers.iter() {
            let g = group_it.as_mut().map(|it| it.next().flatten());
            l.push_key(g, id.unwrap_or_default());
        }
        let days = df.column(col::DATE)?.i32()?;
        if days.null_count() > 0 {
            polars_bail!(ComputeError: "the stage met a line without a date");
        }
        l.day.extend(days.into_no_null_iter());
        l.cents.extend(
            df.column(col::AMOUNT)?
                .i64()?
                .iter()
                .map(|c| c.unwrap_or(0)),
        );
        let keep = self.fold.keep();
        if keep.costs {
            l.cost
                .extend(df.column(col::COST)?.i64()?.iter().map(|c| c.unwrap_or(0)));
        }
        if keep.quantities {
            let q = df.column(col::QUANTITY)?.f64()?;
            l.milli.extend(
                q.iter()
                    .map(|q| q.map_or(0, |q| (q * 1000.0).round() as i64)),
            );
        }
        let go_on = self.add(&l);
        self.scratch = l;
        Ok(go_on)
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

    /// The stage's tables from the finished fold. The per-customer numbers are taken first and
    /// the running state is freed before the ids are made: on 15 million customers the state
    /// and the whole table at once were the command's peak.
    fn finish(mut self, want: Want) -> PolarsResult<Staged> {
        self.fold.finish();
        self.keys.seal();
        let days = match want.days {
            true => Some(self.day_table()?),
            false => None,
        };
        let keep = self.fold.keep();
        let numbers = self.numbers();
        let exact = self.fold.gross_abs < 9_000_000_000_000_000_000;
        drop(std::mem::replace(&mut self.fold, Fold::new(false, keep)));
        let n = self.keys.len() as u32;
        let mut frame: Vec<Column> = Vec::new();
        if want.grouped {
            let groups: StringChunked = (0..n).map(|i| self.parts(i).0).collect();
            frame.push(groups.with_name(col::GROUP.into()).into_column());
        }
        let ids: StringChunked = (0..n).map(|i| Some(self.parts(i).1)).collect();
        frame.push(ids.with_name(col::CUSTOMER.into()).into_column());
        frame.extend(numbers);
        Ok(Staged {
            customers: DataFrame::new_infer_height(frame)?,
            days,
            exact,
        })
    }

    /// The per-customer table's columns after the ids, from the running state.
    fn numbers(&self) -> Vec<Column> {
        let accs = &self.fold.accs;
        let ints = |name: &str, f: &dyn Fn(&fold::Acc) -> i64| {
            Column::new(name.into(), accs.iter().map(f).collect::<Vec<i64>>())
        };
        let dates = |name: &str, f: &dyn Fn(&fold::Acc) -> Option<i32>| {
            Int32Chunked::from_iter_options(name.into(), accs.iter().map(f))
                .into_date()
                .into_column()
        };
        let keep = self.fold.keep();
        let mut out = vec![ints(NET, &|a| a.net)];
        if keep.costs {
            out.push(Column::new(COST.into(), self.fold.costs()));
        }
        if keep.quantities {
            out.push(Column::new(QUANTITY.into(), self.fold.quantities()));
        }
        out.push(ints(PURCHASES, &|a| i64::from(a.purchases)));
        out.push(dates("first_purchase", &|a| {
            a.has_purchase().then_some(a.first_purchase)
        }));
        out.push(dates("last_purchase", &|a| {
            a.has_purchase().then_some(a.last_purchase)
        }));
        out.push(dates(schema::LAST_LINE, &|a| Some(a.last_line)));
        out.push(ints(schema::PURCHASE_CENTS, &|a| a.purchase_cents));
        out.push(ints(schema::FIRST_PURCHASE_CENTS, &|a| {
            a.first_purchase_cents
        }));
        out
    }

    /// The customer-day table: `customer`, `day` (i32), `cents`, `smallest`, and `cost_cents`
    /// when the input has costs, in customer-id then day order (what the analyses over the days
    /// walk customer by customer; [`days_in_order`] checks it rather than sorting again).
    /// The day table is per customer only, grouped or not.
    fn day_table(&mut self) -> PolarsResult<DataFrame> {
        let log = std::mem::take(&mut self.fold.log);
        let at = self.day_order(&log.slot);
        // Each logged column is freed as soon as its ordered copy is made, so the table costs
        // one column more than the log at its peak, not twice the log.
        let pick = |v: Vec<i64>| -> Vec<i64> { at.iter().map(|&i| v[i as usize]).collect() };
        let ids: StringChunked = at
            .iter()
            .map(|&i| Some(self.parts(log.slot[i as usize]).1))
            .collect();
        drop(log.slot);
        let day: Vec<i32> = at.iter().map(|&i| log.day[i as usize]).collect();
        drop(log.day);
        let mut cols = vec![
            ids.with_name(col::CUSTOMER.into()).into_column(),
            Column::new(schema::DAY.into(), day),
            Column::new(schema::DAY_CENTS.into(), pick(log.net)),
            Column::new(schema::DAY_SMALLEST.into(), pick(log.smallest)),
        ];
        if self.fold.keep().costs {
            cols.push(Column::new(COST.into(), pick(log.cost)));
        }
        DataFrame::new_infer_height(cols)
    }

    /// The log's rows in customer-id order, each customer's in the order logged (its days in
    /// order): a counting sort over the customers ranked by id, linear in the days.
    fn day_order(&self, slots: &[u32]) -> Vec<u32> {
        let n = self.keys.len();
        let mut by_id: Vec<u32> = (0..n as u32).collect();
        by_id.sort_unstable_by(|&a, &b| self.parts(a).1.cmp(self.parts(b).1).then(a.cmp(&b)));
        let mut start = vec![0u32; n + 1];
        let mut rank = vec![0u32; n];
        for (r, &slot) in by_id.iter().enumerate() {
            rank[slot as usize] = r as u32;
        }
        for &s in slots {
            start[rank[s as usize] as usize + 1] += 1;
        }
        for r in 0..n {
            start[r + 1] += start[r];
        }
        let mut at = vec![0u32; slots.len()];
        for (i, &s) in slots.iter().enumerate() {
            let r = rank[s as usize] as usize;
            at[start[r] as usize] = i as u32;
            start[r] += 1;
        }
        at
    }
}

/// The customer days in customer-id then day order: as the stage gives them (checked in one
/// linear pass), else sorted.
pub fn days_in_order(days: &DataFrame) -> PolarsResult<std::borrow::Cow<'_, DataFrame>> {
    let ids = days.column(col::CUSTOMER)?.str()?;
    let day = days.column(schema::DAY)?.cast(&DataType::Int32)?;
    let day = day.i32()?;
    let ordered = ids.null_count() == 0
        && day.null_count() == 0
        && ids
            .iter()
            .zip(ids.iter().skip(1))
            .zip(day.iter().zip(day.iter().skip(1)))
            .all(|((a, b), (x, y))| match a.cmp(&b) {
                std::cmp::Ordering::Less => true,
                std::cmp::Ordering::Equal => x <= y,
                std::cmp::Ordering::Greater => false,
            });
    if ordered {
        return Ok(std::borrow::Cow::Borrowed(days));
    }
    Ok(std::borrow::Cow::Owned(days.sort(
        [col::CUSTOMER, schema::DAY],
        SortMultipleOptions::default().with_multithreaded(true),
    )?))
}

/// One pass of polars' streaming engine over the canonical transactions, in file order, into
/// `folder`.
fn polars_pass(tx: LazyFrame, folder: &mut Folder) -> PolarsResult<()> {
    let keep = folder.keep();
    let mut cols = vec![
        col(col::CUSTOMER),
        col(col::DATE).cast(DataType::Int32),
        col(col::AMOUNT),
    ];
    if folder.grouped {
        cols.push(col(col::GROUP));
    }
    if keep.costs {
        cols.push(col(col::COST));
    }
    if keep.quantities {
        cols.push(col(col::QUANTITY));
    }
    let placeholder = Folder::new(Want::default(), keep, false);
    let state = Arc::new(Mutex::new(std::mem::replace(folder, placeholder)));
    let shared = state.clone();
    let callback = PlanCallback::new(move |batch: DataFrame| {
        let mut st = shared
            .lock()
            .map_err(|_| polars_err!(ComputeError: "the stage's state was poisoned"))?;
        // Returning true stops the query: the input is to be folded again in general mode.
        Ok(!st.batch(&batch)?)
    });
    let ran = tx
        .select(cols)
        .sink_batches(callback, true, None)
        .and_then(|lf| lf.collect_with_engine(Engine::Streaming));
    *folder = Arc::try_unwrap(state)
        .map_err(|_| polars_err!(ComputeError: "the stage's state is still shared"))?
        .into_inner()
        .map_err(|_| polars_err!(ComputeError: "the stage's state was poisoned"))?;
    ran.map(|_| ())
}
