//! From header and raw cells to the canonical frame: maps roles to columns, decides each column's
//! format from the evidence of its cells, then (the precise reader) parses row by row, naming
//! file, line and column on any error.

use super::cells::Formats;
use super::compose::{DateCache, Fault, OneCurrency, Rules, Tally};
use super::dates::{self, DateFormat, OrderEvidence, Orders};
use super::numbers::{Decimal, DecimalEvidence, LocaleHint};
use super::roles::{self, Role};
use super::table::{Place, RawTable};
use super::{col, InputOptions, LoadReport};
use anyhow::{anyhow, bail, Result};
use polars::prelude::*;

/// A role and the header column that plays it.
#[derive(Debug, Clone)]
pub struct Mapped {
    pub role: Role,
    pub index: usize,
    pub how: String,
}

/// Decides which column plays each role, from flags first and aliases second.
pub fn map_roles(opts: &InputOptions, headers: &[String]) -> Result<Vec<Mapped>, String> {
    let mut out: Vec<Mapped> = Vec::new();
    for role in Role::ALL {
        let found = match opts.columns.get(&role) {
            Some(name) => Some((
                roles::by_flag(role, name, headers)?,
                format!("from {}", role.flag()),
            )),
            None if role == Role::Group => None,
            None if role == Role::Price && out.iter().any(|m| m.role == Role::Amount) => None,
            None => {
                roles::by_alias(role, headers)?.map(|i| (i, "detected from the header".to_string()))
            }
        };
        if let Some((index, mut how)) = found {
            if role == Role::Cost && roles::is_unit_cost(&headers[index]) {
                how.push_str("; a cost per unit, multiplied by the quantity");
            }
            out.push(Mapped { role, index, how });
        }
    }
    let has = |r: Role| out.iter().any(|m| m.role == r);
    let all = headers
        .iter()
        .map(|h| format!("`{h}`"))
        .collect::<Vec<_>>()
        .join(", ");
    // Every missing role in one message, each with the headers closest to its names.
    let taken: Vec<usize> = out.iter().map(|m| m.index).collect();
    let near = |role: Role| match roles::closest(role, headers, &taken)[..] {
        [] => String::new(),
        ref c => format!(
            " (closest: {})",
            c.iter()
                .map(|h| format!("`{h}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut missing: Vec<(String, String)> = [Role::Customer, Role::Date]
        .into_iter()
        .filter(|&r| !has(r))
        .map(|r| {
            (
                format!("no {r} column{}", near(r)),
                format!("{} COLUMN", r.flag()),
            )
        })
        .collect();
    if !(has(Role::Amount) || has(Role::Quantity) && has(Role::Price)) {
        missing.push((
            format!(
                "no amount column, nor a quantity and a unit price{}",
                near(Role::Amount)
            ),
            "--amount COLUMN (or --quantity and --price)".to_string(),
        ));
    }
    if !missing.is_empty() {
        let (what, flags): (Vec<String>, Vec<String>) = missing.into_iter().unzip();
        return Err(format!(
            "{}: none of {all} is a known name; pass {}",
            what.join("; "),
            flags.join(" ")
        ));
    }
    if has(Role::Cost) {
        out.retain(|m| m.role != Role::Margin);
    }
    for (i, a) in out.iter().enumerate() {
        if let Some(b) = out[i + 1..].iter().find(|b| b.index == a.index) {
            return Err(format!(
                "column `{}` would be both the {} and the {}; name the columns with {} and {}",
                headers[a.index],
                a.role,
                b.role,
                a.role.flag(),
                b.role.flag()
            ));
        }
    }
    Ok(out)
}

/// Evidence gathered over one mapped column's cells.
#[derive(Debug, Default, Clone)]
pub struct Evidence {
    pub order: OrderEvidence,
    pub decimal: DecimalEvidence,
    /// The column has a native type in every input (Parquet numbers): its text has a point.
    pub typed: bool,
}

impl Evidence {
    pub fn observe(&mut self, role: Role, cell: &str) {
        match role {
            Role::Date => self.order.observe(cell),
            r if r.is_numeric() => self.decimal.observe(cell),
            _ => {}
        }
    }
}

/// Decides every column's format from its evidence (and the flags), filling the report's
/// description of it. `delimiter` is the CSV delimiter (none for Parquet), a locale hint for
/// numbers whose own cells cannot tell.
pub fn decide_formats(
    opts: &InputOptions,
    mapping: &[Mapped],
    names: &[String],
    evidence: &[Evidence],
    delimiter: Option<u8>,
    report: &mut LoadReport,
) -> Result<Formats> {
    let date_ev = mapping
        .iter()
        .position(|m| m.role == Role::Date)
        .map(|i| &evidence[i].order);
    let hint = LocaleHint {
        european: delimiter == Some(b';')
            || date_ev.is_some_and(|e| e.0[2].seen && opts.date_format.is_none()),
        comma_delimited: delimiter == Some(b','),
    };
    let mut f = Formats {
        date: DateFormat::Auto(Orders::default()),
        amount: None,
        quantity: None,
        price: None,
        cost: None,
        margin: None,
        unit_cost: false,
    };
    report.decimals.clear();
    for ((m, name), ev) in mapping.iter().zip(names).zip(evidence) {
        if m.role == Role::Date {
            f.date = match (&opts.date_format, opts.day_order) {
                (Some(fmt), _) => DateFormat::Forced(fmt.clone()),
                (None, Some(order)) => DateFormat::Auto(Orders::all(order)),
                (None, None) => DateFormat::Auto(
                    ev.order
                        .decide()
                        .map_err(|e| anyhow!("{}: column `{name}` {e}", inputs(report)))?,
                ),
            };
            report.date_format = format!("`{name}`: {}", dates::describe(&f.date));
        } else if m.role.is_numeric() {
            let d = match opts.decimal {
                _ if ev.typed => Decimal::Point,
                Some(d) => d,
                None => ev
                    .decimal
                    .decide(hint)
                    .map_err(|e| anyhow!("{}: column `{name}` {e}", inputs(report)))?,
            };
            let shown = match d {
                _ if ev.typed => "stored as numbers (no text to read)",
                Decimal::Comma => "decimal comma",
                _ => "decimal point",
            };
            report.decimals.push(format!("`{name}`: {shown}"));
            let slot = match m.role {
                Role::Amount => &mut f.amount,
                Role::Quantity => &mut f.quantity,
                Role::Price => &mut f.price,
                Role::Cost => &mut f.cost,
                _ => &mut f.margin,
            };
            *slot = Some(d);
            if m.role == Role::Cost {
                f.unit_cost = roles::is_unit_cost(name);
            }
        }
    }
    let pos = |r: Role| mapping.iter().position(|m| m.role == r).map(|i| &names[i]);
    report.amount_source = match (pos(Role::Amount), pos(Role::Quantity), pos(Role::Price)) {
        (Some(a), _, _) => format!("`{a}`"),
        (None, Some(q), Some(p)) => format!("`{q}` × `{p}`"),
        _ => unreachable!("map_roles requires an amount"),
    };
    Ok(f)
}

/// Parses the raw cells into the canonical frame, filling the counts of `report`.
pub fn canonical(
    opts: &InputOptions,
    mapping: &[Mapped],
    names: &[String],
    raw: &RawTable,
    delimiter: Option<u8>,
    typed: &[bool],
    report: &mut LoadReport,
) -> Result<DataFrame> {
    report.mapping = mapping
        .iter()
        .zip(names)
        .map(|(m, n)| (m.role, n.clone(), m.how.clone()))
        .collect();
    let evidence: Vec<Evidence> = mapping
        .iter()
        .zip(&raw.columns)
        .zip(typed)
        .map(|((m, column), &typed)| {
            let mut ev = Evidence {
                typed,
                ..Default::default()
            };
            column.iter().for_each(|c| ev.observe(m.role, c));
            ev
        })
        .collect();
    let formats = decide_formats(opts, mapping, names, &evidence, delimiter, report)?;
    let pos = |r: Role| mapping.iter().position(|m| m.role == r);
    check_one_currency(pos(Role::Currency).map(|i| (&names[i], &raw.columns[i])))
        .map_err(|e| anyhow!("{}: {e}", inputs(report)))?;
    let rules = Rules::new(formats, opts.returns);
    let ctx = RowCtx {
        raw,
        report_files: &report.files,
        names,
        pos: Role::ALL.map(pos),
    };
    let (mut b, mut tally, mut dates) =
        (Builders::default(), Tally::default(), DateCache::default());
    for row in 0..raw.len() {
        let cells = ctx.pos.map(|c| c.map(|c| raw.columns[c].get(row)));
        let line = rules
            .row(&cells, &mut tally, &mut dates)
            .map_err(|f| ctx.blame(f, row))?;
        let Some(line) = line else { continue };
        b.customer.push(line.customer.into_owned());
        b.date.push(line.day);
        b.amount.push(line.cents);
        b.order.extend(line.order.map(str::to_string));
        b.quantity.extend(line.quantity);
        b.cost.extend(line.cost);
        b.group.extend(line.group.map(str::to_string));
        if report.files.len() > 1 {
            b.file.push(raw.places[row].file);
        }
    }
    report.count(&tally);
    if b.customer.is_empty() {
        bail!(
            "{}: no rows left to analyse: {} rows read, {} without a customer id",
            inputs(report),
            report.rows_read,
            report.no_customer
        );
    }
    b.finish()
}

/// The inputs, for a message about a whole column: "`a.csv`" or "`a.csv` (and 2 more inputs)".
fn inputs(report: &LoadReport) -> String {
    match report.files.as_slice() {
        [] => "the input".into(),
        [(one, _)] => format!("`{one}`"),
        [(first, _), rest @ ..] => format!("`{first}` (and {} more inputs)", rest.len()),
    }
}

fn check_one_currency(column: Option<(&String, &super::table::TextColumn)>) -> Result<()> {
    let Some((name, cells)) = column else {
        return Ok(());
    };
    let mut one = OneCurrency::default();
    for c in cells.iter() {
        if let Err((a, b)) = one.see(c) {
            bail!(
                "column `{name}` mixes currencies (`{a}` and `{b}`); values in different currencies \
                 cannot be added: filter the export to one currency first"
            );
        }
    }
    Ok(())
}

/// What the precise reader needs to name a bad cell's place.
struct RowCtx<'a> {
    raw: &'a RawTable,
    report_files: &'a [(String, String)],
    names: &'a [String],
    /// The mapped column of each role, in `Role::ALL` order.
    pos: [Option<usize>; 10],
}

impl RowCtx<'_> {
    fn place(&self, row: usize, col: usize) -> String {
        let Place { file, line } = self.raw.places[row];
        let (name, kind) = &self.report_files[file as usize];
        let unit = if kind.starts_with("Parquet") {
            "row"
        } else {
            "line"
        };
        format!("`{name}`: {unit} {line}, column `{}`", self.names[col])
    }

    /// The error of a fault, at the column to blame: of the roles whose cells made the value,
    /// the one whose cell the message quotes, else the first mapped.
    fn blame(&self, f: Fault, row: usize) -> anyhow::Error {
        let mapped = || f.roles.iter().filter_map(|&r| self.pos[r.slot()]);
        let col = mapped()
            .find(|&c| {
                f.message
                    .contains(&format!("`{}`", self.raw.columns[c].get(row).trim()))
            })
            .or_else(|| mapped().next())
            .expect("a mapped column");
        anyhow!("{}: {}", self.place(row, col), f.message)
    }
}

#[derive(Default)]
struct Builders {
    customer: Vec<String>,
    date: Vec<i32>,
    amount: Vec<i64>,
    order: Vec<String>,
    quantity: Vec<f64>,
    cost: Vec<i64>,
    group: Vec<String>,
    file: Vec<u32>,
}

impl Builders {
    fn finish(self) -> Result<DataFrame> {
        let n = self.customer.len();
        let mut cols: Vec<Column> = vec![
            Column::new(col::CUSTOMER.into(), self.customer),
            Column::new(col::DATE.into(), self.date).cast(&DataType::Date)?,
            Column::new(col::AMOUNT.into(), self.amount),
        ];
        if self.order.len() == n {
            cols.push(Column::new(col::ORDER.into(), self.order));
        }
        if self.quantity.len() == n {
            cols.push(Column::new(col::QUANTITY.into(), self.quantity));
        }
        if self.cost.len() == n {
            cols.push(Column::new(col::COST.into(), self.cost));
        }
        if self.group.len() == n {
            cols.push(Column::new(col::GROUP.into(), self.group));
        }
        if self.file.len() == n {
            cols.push(Column::new(col::FILE.into(), self.file));
        }
        Ok(DataFrame::new(n, cols)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn maps_quantity_times_price_when_there_is_no_amount() {
        let h = headers(&[
            "InvoiceNo",
            "StockCode",
            "Quantity",
            "InvoiceDate",
            "UnitPrice",
            "CustomerID",
        ]);
        let m = map_roles(&InputOptions::default(), &h).unwrap();
        let roles: Vec<Role> = m.iter().map(|m| m.role).collect();
        assert_eq!(
            roles,
            [
                Role::Customer,
                Role::Date,
                Role::Quantity,
                Role::Price,
                Role::Order
            ]
        );
    }

    #[test]
    fn missing_roles_name_the_flag_and_the_columns() {
        let err = map_roles(
            &InputOptions::default(),
            &headers(&["who", "when", "amount"]),
        )
        .unwrap_err();
        assert!(
            err.contains("--customer") && err.contains("`who`, `when`, `amount`"),
            "{err}"
        );
    }
}
