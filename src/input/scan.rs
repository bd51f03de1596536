//! The fast reader: each input as a lazy polars scan (the multi-threaded CSV scanner reading only
//! the mapped columns as text, or the Parquet scanner with projection pushdown and native date
//! types), turned into the canonical columns by batch functions that apply the same cell rules
//! as the precise reader (`cells`). A cell that breaks a rule fails the query with its value; the
//! caller then runs the precise reader, which names the line. Nothing here reads rows itself.

use super::cells;
use super::compose::{number, NumberRule, OneCurrency, Rules};
use super::dates::DateFormat;
use super::numbers::Dec;
use super::parse::Mapped;
use super::roles::Role;
use super::source::{Kind, Probe};
use super::{col as canon, Returns};
use anyhow::{bail, Context, Result};
use polars::prelude::*;
// polars' prelude brings its own `PolarsContext`; this name shadows it so that
// `.context(...)` is anyhow's.
#[allow(unused_imports)]
use anyhow::Context as PolarsContext;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The name of mapped column `i` in the raw frame.
pub fn raw(i: usize) -> String {
    format!("_raw{i}")
}

fn pl_path(name: &str, path: &Path) -> Result<PlRefPath> {
    path.to_str()
        .map(PlRefPath::from)
        .with_context(|| format!("`{name}`: the path is not valid UTF-8"))
}

fn scan_parquet(name: &str, path: &Path) -> Result<LazyFrame> {
    LazyFrame::scan_parquet(pl_path(name, path)?, ScanArgsParquet::default())
        .with_context(|| format!("`{name}` is not a readable Parquet file"))
}

/// The column names of a Parquet file, from its schema (no data is read).
pub fn parquet_columns(name: &str, path: &Path) -> Result<Vec<String>> {
    let schema = scan_parquet(name, path)?
        .collect_schema()
        .with_context(|| format!("`{name}` is not a readable Parquet file"))?;
    Ok(schema.iter_names().map(|n| n.to_string()).collect())
}

/// A Parquet column as the raw frame holds it: text, or a date when the type is a date or
/// timestamp (a zoned timestamp falls on its UTC calendar date). Types that cannot hold the
/// role are refused.
fn parquet_expr(name: &str, column: &str, dtype: &DataType, role: Role) -> Result<Expr> {
    let text_like = matches!(
        dtype,
        DataType::String | DataType::Categorical(..) | DataType::Enum(..)
    );
    let numeric = dtype.is_primitive_numeric() || matches!(dtype, DataType::Decimal(..));
    let ok = match role {
        Role::Date => {
            matches!(dtype, DataType::Date | DataType::Datetime(..))
                || dtype.is_integer()
                || text_like
        }
        r if r.is_numeric() => numeric || text_like,
        _ => dtype.is_integer() || dtype.is_float() || text_like || dtype.is_decimal(),
    };
    if !ok {
        bail!("`{name}`: column `{column}` has type {dtype}, which cannot hold a {role}");
    }
    let c = col(column);
    Ok(match dtype {
        DataType::Date | DataType::String => c,
        DataType::Datetime(unit, _) => {
            let per_day: i64 = match unit {
                TimeUnit::Nanoseconds => 86_400_000_000_000,
                TimeUnit::Microseconds => 86_400_000_000,
                TimeUnit::Milliseconds => 86_400_000,
            };
            c.cast(DataType::Int64)
                .floor_div(lit(per_day))
                .cast(DataType::Int32)
                .cast(DataType::Date)
        }
        // A database's NUMBER(10) id arrives as decimal(10, 0): the integer it is. A scale above
        // 0 is accepted while every fractional part is zero (`17850.00`).
        DataType::Decimal(_, scale) if !role.is_numeric() => {
            decimal_id(c.cast(DataType::String), column.to_string(), *scale)
        }
        _ => c.cast(DataType::String),
    })
}

/// A decimal id column as the text of its whole numbers; a value with a fractional part fails
/// the query, naming the column and the value.
fn decimal_id(e: Expr, column: String, scale: usize) -> Expr {
    if scale == 0 {
        return e;
    }
    e.map(
        move |c: Column| {
            let ca = c.str()?;
            let out: StringChunked = ca
                .iter()
                .map(|v| match v.map(|v| v.split_once('.').unwrap_or((v, ""))) {
                    Some((int, frac)) if frac.bytes().all(|b| b == b'0') => Ok(Some(int)),
                    Some(_) => Err(polars_err!(ComputeError:
                        "column `{}` holds `{}`, a decimal with a fractional part, which cannot \
                         be a customer or order id; export the id as a whole number or as text",
                        column, v.unwrap_or_default())),
                    None => Ok(None),
                })
                .collect::<PolarsResult<_>>()?;
            Ok(out.with_name(c.name().clone()).into_column())
        },
        output(DataType::String),
    )
}

/// The mapped columns of a Parquet input as text, for the precise reader.
pub fn parquet_text(name: &str, path: &Path, columns: &[(&str, Role)]) -> Result<DataFrame> {
    let mut lf = scan_parquet(name, path)?;
    let schema = lf.collect_schema()?;
    let exprs = columns
        .iter()
        .enumerate()
        .map(|(i, &(c, role))| {
            let dtype = schema.get(c).context("a column of the schema")?;
            Ok(parquet_expr(name, c, dtype, role)?
                .cast(DataType::String)
                .alias(raw(i)))
        })
        .collect::<Result<Vec<_>>>()?;
    lf.select(exprs)
        .collect()
        .with_context(|| format!("cannot read `{name}`"))
}

/// Per wanted column of a Parquet input, whether it has a native (not text) type, whose text
/// form polars writes with a decimal point.
pub fn native_columns(p: &Probe, wanted: &[(usize, Role)]) -> Result<Vec<bool>> {
    if p.kind != Kind::Parquet {
        return Ok(vec![false; wanted.len()]);
    }
    let schema = scan_parquet(&p.name, &p.path)?.collect_schema()?;
    wanted
        .iter()
        .map(|&(i, _)| {
            let (_, dtype) = schema.get_at_index(i).context("a column of the schema")?;
            Ok(!matches!(
                dtype,
                DataType::String | DataType::Categorical(..) | DataType::Enum(..)
            ))
        })
        .collect()
}

/// The raw frame of one input: its mapped columns (by header position) as `_raw{i}`.
pub fn raw_frame(p: &Probe, wanted: &[(usize, Role)]) -> Result<LazyFrame> {
    match p.kind {
        Kind::Parquet => {
            let mut lf = scan_parquet(&p.name, &p.path)?;
            let schema = lf.collect_schema()?;
            let exprs = wanted
                .iter()
                .enumerate()
                .map(|(k, &(i, role))| {
                    let (c, dtype) = schema.get_at_index(i).context("a column of the schema")?;
                    Ok(parquet_expr(&p.name, c, dtype, role)?.alias(raw(k)))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(lf.select(exprs))
        }
        Kind::Csv { delimiter } => {
            let mut lf = LazyCsvReader::new(pl_path(&p.name, &p.path)?)
                .with_has_header(true)
                .with_separator(delimiter)
                .with_infer_schema_length(Some(0))
                .with_missing_is_null(false)
                .with_quote_char(Some(b'"'))
                .finish()
                .with_context(|| format!("cannot read `{}`", p.name))?;
            let schema = lf
                .collect_schema()
                .with_context(|| format!("cannot read `{}`", p.name))?;
            if schema.len() != p.headers.len() {
                bail!("`{}`: the header was read differently", p.name);
            }
            let exprs: Vec<Expr> = wanted
                .iter()
                .enumerate()
                .map(|(k, &(i, _))| {
                    col(schema.get_at_index(i).expect("in range").0.clone()).alias(raw(k))
                })
                .collect();
            Ok(lf.select(exprs))
        }
    }
}

/// Runs `f` over every cell of a text column, failing the batch on the first bad cell. A null
/// cell (a blank in a typed file) reads as empty text.
fn each_cell<T>(c: &Column, mut f: impl FnMut(&str) -> Result<T, String>) -> PolarsResult<Vec<T>> {
    let ca = c.str()?;
    let mut out = Vec::with_capacity(ca.len());
    for v in ca.iter() {
        out.push(f(v.unwrap_or("")).map_err(|e| polars_err!(ComputeError: "{}", e))?);
    }
    Ok(out)
}

fn output(dtype: DataType) -> impl Fn(&Schema, &Field) -> PolarsResult<Field> + Send + Sync {
    move |_, f| Ok(Field::new(f.name().clone(), dtype.clone()))
}

fn output_many(dtype: DataType) -> impl Fn(&Schema, &[Field]) -> PolarsResult<Field> + Send + Sync {
    move |_, f| Ok(Field::new(f[0].name().clone(), dtype.clone()))
}

/// Customer ids (`None` when blank) by the rules of `cells::customer`. With a currency column,
/// also fails when a second currency appears (in any batch: the first one seen is shared).
fn customer_expr(e: Expr, currency: Option<Expr>) -> Expr {
    let seen: Arc<Mutex<OneCurrency>> = Arc::default();
    let inputs: Vec<Expr> = currency.into_iter().collect();
    e.map_many(
        move |cols: &mut [Column]| {
            if let Some(cur) = cols.get(1) {
                one_currency(cur, &seen)?;
            }
            let ca = cols[0].str()?;
            let mut bad = None;
            let out: StringChunked = ca
                .iter()
                .map(|v| match cells::customer(v.unwrap_or("")) {
                    Ok(id) => id,
                    Err(e) => {
                        bad.get_or_insert(e);
                        None
                    }
                })
                .collect();
            if let Some(e) = bad {
                polars_bail!(ComputeError: "{}", e);
            }
            Ok(out.with_name(cols[0].name().clone()).into_column())
        },
        &inputs,
        output_many(DataType::String),
    )
}

fn one_currency(c: &Column, seen: &Mutex<OneCurrency>) -> PolarsResult<()> {
    let ca = c.str()?;
    let mut one = seen
        .lock()
        .map_err(|_| polars_err!(ComputeError: "poisoned"))?;
    for v in ca.iter().flatten() {
        if let Err((a, b)) = one.see(v) {
            polars_bail!(ComputeError: "mixes currencies (`{}` and `{}`)", a, b);
        }
    }
    Ok(())
}

/// Order ids and group values: trimmed text.
fn text_expr(e: Expr) -> Expr {
    e.map(
        |c: Column| {
            let ca = c.str()?;
            let mut bad = None;
            let out: StringChunked = ca
                .iter()
                .map(|v| match cells::text(v.unwrap_or("")) {
                    Ok(t) => Some(t),
                    Err(e) => {
                        bad.get_or_insert(e);
                        None
                    }
                })
                .collect();
            if let Some(e) = bad {
                polars_bail!(ComputeError: "{}", e);
            }
            Ok(out.with_name(c.name().clone()).into_column())
        },
        output(DataType::String),
    )
}

/// Dates by the column's format, each distinct cell parsed once per batch.
fn date_expr(e: Expr, format: Arc<DateFormat>) -> Expr {
    e.map(
        move |c: Column| {
            let mut seen: PlHashMap<String, i32> = PlHashMap::new();
            let days = each_cell(&c, |cell| match seen.get(cell) {
                Some(&d) => Ok(d),
                None => {
                    let d = cells::date(cell, &format)?;
                    seen.insert(cell.to_string(), d);
                    Ok(d)
                }
            })?;
            Ok(Int32Chunked::from_vec(c.name().clone(), days).into_column())
        },
        output(DataType::Int32),
    )
}

/// Money in cents from one column, or from quantity × price.
fn cents_expr(inputs: Vec<Expr>, rules: Vec<NumberRule>) -> Expr {
    let (first, rest) = inputs.split_first().expect("one input");
    first.clone().map_many(
        move |cols: &mut [Column]| {
            let name = cols[0].name().clone();
            let out = if cols.len() == 1 {
                each_cell(&cols[0], |a| number(a, rules[0]).map(|d| d.units(2)))?
            } else {
                let q = each_cell(&cols[0], |q| number(q, rules[0]))?;
                let p = each_cell(&cols[1], |p| number(p, rules[1]))?;
                q.iter()
                    .zip(p)
                    .map(|(q, p)| {
                        q.mul(p).map(|d| d.units(2)).ok_or_else(
                            || polars_err!(ComputeError: "a quantity × price is too large"),
                        )
                    })
                    .collect::<PolarsResult<Vec<i64>>>()?
            };
            Ok(Int64Chunked::from_vec(name, out).into_column())
        },
        rest,
        output_many(DataType::Int64),
    )
}

fn quantity_expr(e: Expr, rule: NumberRule) -> Expr {
    e.map(
        move |c: Column| {
            let q = each_cell(&c, |q| number(q, rule).map(Dec::to_f64))?;
            Ok(Float64Chunked::from_vec(c.name().clone(), q).into_column())
        },
        output(DataType::Float64),
    )
}

/// Everything the canonical columns are made from, per role.
pub struct Plan {
    pub mapping: Vec<Mapped>,
    /// The formats, number rules and returns rule (those of the row-by-row readers).
    pub rules: Rules,
    /// The date column is typed (Parquet dates), not text.
    pub typed_date: bool,
    /// How many inputs are read together (with several, rows keep their input's index).
    pub files: usize,
}

impl Plan {
    fn pos(&self, role: Role) -> Option<usize> {
        self.mapping.iter().position(|m| m.role == role)
    }

    fn raw(&self, role: Role) -> Option<Expr> {
        self.pos(role).map(|i| col(raw(i)))
    }

    fn rule(&self, role: Role) -> NumberRule {
        self.rules.rule(role)
    }

    /// The raw frame with a parsed `customer` column (null when blank), all rows kept.
    pub fn with_customer(&self, raw: LazyFrame) -> LazyFrame {
        let id = self.raw(Role::Customer).expect("mapped");
        raw.with_column(customer_expr(id, self.raw(Role::Currency)).alias(canon::CUSTOMER))
    }

    /// The line value in cents.
    pub fn amount(&self) -> Expr {
        match self.raw(Role::Amount) {
            Some(a) => cents_expr(vec![a], vec![self.rule(Role::Amount)]),
            None => cents_expr(
                vec![
                    self.raw(Role::Quantity).expect("mapped"),
                    self.raw(Role::Price).expect("mapped"),
                ],
                vec![self.rule(Role::Quantity), self.rule(Role::Price)],
            ),
        }
    }

    /// The canonical transactions of rows with a customer, before returns are handled.
    pub fn lines(&self, raw: LazyFrame) -> LazyFrame {
        let date = self.raw(Role::Date).expect("mapped");
        let date = if self.typed_date {
            date
        } else {
            date_expr(date, Arc::new(self.rules.formats.date.clone())).cast(DataType::Date)
        };
        let mut exprs = vec![
            col(canon::CUSTOMER),
            date.alias(canon::DATE),
            self.amount().alias(canon::AMOUNT),
        ];
        if let Some(o) = self.raw(Role::Order) {
            exprs.push(text_expr(o).alias(canon::ORDER));
        }
        if let Some(q) = self.raw(Role::Quantity) {
            exprs.push(quantity_expr(q, self.rule(Role::Quantity)).alias(canon::QUANTITY));
        }
        if let Some(g) = self.raw(Role::Group) {
            exprs.push(text_expr(g).alias(canon::GROUP));
        }
        if let Some(cost) = self.cost() {
            exprs.push(cost.alias(canon::COST));
        }
        if self.files > 1 {
            exprs.push(col(canon::FILE));
        }
        self.with_customer(raw)
            .filter(col(canon::CUSTOMER).is_not_null())
            .select(exprs)
    }

    /// The cost in cents, from a cost column (per line or per unit) or a margin column.
    fn cost(&self) -> Option<Expr> {
        if let Some(c) = self.raw(Role::Cost) {
            let rule = self.rule(Role::Cost);
            return Some(
                match (self.rules.formats.unit_cost, self.raw(Role::Quantity)) {
                    (true, Some(q)) => {
                        cents_expr(vec![c, q], vec![rule, self.rule(Role::Quantity)])
                    }
                    _ => cents_expr(vec![c], vec![rule]),
                },
            );
        }
        let m = self.raw(Role::Margin)?;
        Some(self.amount() - cents_expr(vec![m], vec![self.rule(Role::Margin)]))
    }

    /// The canonical transactions: rows with a customer, returns handled.
    pub fn transactions(&self, raw: LazyFrame) -> LazyFrame {
        let lf = self.lines(raw);
        match self.rules.returns {
            Returns::Exclude => lf.filter(col(canon::AMOUNT).gt_eq(lit(0i64))),
            Returns::Net => lf,
        }
    }
}
