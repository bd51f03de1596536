//! From header and raw cells to the canonical frame: maps roles to columns, decides each column's
//! format from all its cells, then parses row by row, naming file, line and column on any error.

use super::dates::{self, DateFormat, OrderEvidence};
use super::numbers::{self, Decimal, DecimalEvidence};
use super::roles::{self, Role};
use super::table::{Place, RawTable};
use super::{col, InputOptions, LoadReport, Returns};
use anyhow::{anyhow, bail, Result};
use polars::prelude::*;

/// A role and the header column that plays it.
#[derive(Debug)]
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
    for role in [Role::Customer, Role::Date] {
        if !has(role) {
            return Err(format!(
                "no {role} column: none of {all} is a known {role} name; pass {} COLUMN",
                role.flag()
            ));
        }
    }
    let priced = has(Role::Quantity) && has(Role::Price);
    if !(has(Role::Amount) || priced) {
        return Err(format!(
            "no amount column: none of {all} is a known amount name (nor a quantity and a unit price); \
             pass --amount COLUMN, or --quantity and --price"
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

/// Per-column parsing decisions.
struct Formats {
    date: DateFormat,
    decimal: Vec<Option<Decimal>>,
}

/// Parses the raw cells into the canonical frame, filling the counts of `report`.
pub fn canonical(
    opts: &InputOptions,
    mapping: &[Mapped],
    names: &[String],
    raw: &RawTable,
    report: &mut LoadReport,
) -> Result<DataFrame> {
    let pos = |r: Role| mapping.iter().position(|m| m.role == r);
    report.mapping = mapping
        .iter()
        .zip(names)
        .map(|(m, n)| (m.role, n.clone(), m.how.clone()))
        .collect();
    let formats = decide_formats(opts, mapping, names, raw, report)?;
    check_one_currency(pos(Role::Currency).map(|i| (&names[i], &raw.columns[i])))?;
    let ctx = RowCtx {
        raw,
        report_files: &report.files,
        names,
        formats: &formats,
    };
    let mut b = Builders::default();
    let cust = pos(Role::Customer).expect("mapped");
    for row in 0..raw.len() {
        report.rows_read += 1;
        let customer = normalise_id(raw.columns[cust].get(row));
        if customer.is_empty() {
            report.no_customer += 1;
            continue;
        }
        let date = ctx.date(row, pos(Role::Date).expect("mapped"))?;
        let (amount, blank) = ctx.amount(
            row,
            pos(Role::Amount),
            pos(Role::Quantity),
            pos(Role::Price),
        )?;
        report.blank_amounts += blank as usize;
        if amount < 0 {
            if opts.returns == Returns::Exclude {
                report.returns_dropped += 1;
                continue;
            }
            report.returns_kept += 1;
        }
        b.customer.push(customer.to_string());
        b.date.push(date);
        b.amount.push(amount);
        if let Some(i) = pos(Role::Order) {
            b.order.push(raw.columns[i].get(row).to_string());
        }
        let qty = pos(Role::Quantity)
            .map(|i| ctx.number(row, i))
            .transpose()?;
        if let Some(q) = qty {
            b.quantity.push(q);
        }
        if let Some(i) = pos(Role::Cost) {
            let unit = roles::is_unit_cost(&names[i]);
            let c = ctx.number(row, i)?;
            b.cost.push(numbers::to_cents(if unit {
                c * qty.unwrap_or(1.0)
            } else {
                c
            }));
        } else if let Some(i) = pos(Role::Margin) {
            b.cost.push(amount - numbers::to_cents(ctx.number(row, i)?));
        }
        if let Some(i) = pos(Role::Group) {
            b.group.push(raw.columns[i].get(row).to_string());
        }
    }
    if b.customer.is_empty() {
        bail!(
            "no rows left to analyse: {} rows read, {} without a customer id",
            report.rows_read,
            report.no_customer
        );
    }
    b.finish()
}

fn decide_formats(
    opts: &InputOptions,
    mapping: &[Mapped],
    names: &[String],
    raw: &RawTable,
    report: &mut LoadReport,
) -> Result<Formats> {
    let mut date = DateFormat::Auto(None);
    let mut decimal = vec![None; mapping.len()];
    for (i, m) in mapping.iter().enumerate() {
        let column = &raw.columns[i];
        let name = &names[i];
        match m.role {
            Role::Date => {
                date = match (&opts.date_format, opts.day_order) {
                    (Some(f), _) => DateFormat::Forced(f.clone()),
                    (None, Some(order)) => DateFormat::Auto(Some(order)),
                    (None, None) => {
                        let mut ev = OrderEvidence::default();
                        column.iter().for_each(|c| ev.observe(c));
                        DateFormat::Auto(ev.decide().map_err(|e| anyhow!("column `{name}` {e}"))?)
                    }
                };
                report.date_format = format!("`{name}`: {}", dates::describe(&date));
            }
            Role::Amount | Role::Quantity | Role::Price | Role::Cost | Role::Margin => {
                let d = if opts.decimal_comma {
                    Decimal::Comma
                } else {
                    let mut ev = DecimalEvidence::default();
                    column.iter().for_each(|c| ev.observe(c));
                    ev.decide().map_err(|e| anyhow!("column `{name}` {e}"))?
                };
                report.decimals.push(format!(
                    "`{name}`: decimal {}",
                    if d == Decimal::Comma {
                        "comma"
                    } else {
                        "point"
                    }
                ));
                decimal[i] = Some(d);
            }
            _ => {}
        }
    }
    let pos = |r: Role| mapping.iter().position(|m| m.role == r).map(|i| &names[i]);
    report.amount_source = match (pos(Role::Amount), pos(Role::Quantity), pos(Role::Price)) {
        (Some(a), _, _) => format!("`{a}`"),
        (None, Some(q), Some(p)) => format!("`{q}` × `{p}`"),
        _ => unreachable!("map_roles requires an amount"),
    };
    Ok(Formats { date, decimal })
}

fn check_one_currency(column: Option<(&String, &super::table::TextColumn)>) -> Result<()> {
    let Some((name, cells)) = column else {
        return Ok(());
    };
    let mut seen: Vec<&str> = Vec::new();
    for c in cells.iter().filter(|c| !c.is_empty()) {
        if !seen.contains(&c) {
            seen.push(c);
            if seen.len() > 1 {
                bail!(
                    "column `{name}` mixes currencies (`{}` and `{}`); values in different currencies \
                     cannot be added: filter the export to one currency first",
                    seen[0],
                    seen[1]
                );
            }
        }
    }
    Ok(())
}

/// Customer ids as text; `17850.0` (a spreadsheet's float) becomes `17850`.
fn normalise_id(id: &str) -> &str {
    match id.split_once('.') {
        Some((int, frac))
            if !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b == b'0') =>
        {
            int
        }
        _ => id,
    }
}

/// What row-level parsing needs to parse a cell and to name its place on error.
struct RowCtx<'a> {
    raw: &'a RawTable,
    report_files: &'a [(String, String)],
    names: &'a [String],
    formats: &'a Formats,
}

impl RowCtx<'_> {
    fn place(&self, row: usize, col: usize) -> String {
        let Place { file, line } = self.raw.places[row];
        let (name, kind) = &self.report_files[file as usize];
        let unit = if kind == "Parquet" { "row" } else { "line" };
        format!("`{name}`: {unit} {line}, column `{}`", self.names[col])
    }

    fn date(&self, row: usize, col: usize) -> Result<i32> {
        let cell = self.raw.columns[col].get(row);
        if cell.is_empty() {
            bail!("{}: the date is empty", self.place(row, col));
        }
        dates::parse(cell, &self.formats.date).map_err(|e| anyhow!("{}: {e}", self.place(row, col)))
    }

    /// A number cell; empty counts as 0.
    fn number(&self, row: usize, col: usize) -> Result<f64> {
        let cell = self.raw.columns[col].get(row);
        if cell.is_empty() {
            return Ok(0.0);
        }
        let decimal = self.formats.decimal[col].expect("numeric column has a decimal");
        numbers::parse(cell, decimal).map_err(|e| anyhow!("{}: {e}", self.place(row, col)))
    }

    /// The line's value in cents, and whether it was blank.
    fn amount(
        &self,
        row: usize,
        amount: Option<usize>,
        qty: Option<usize>,
        price: Option<usize>,
    ) -> Result<(i64, bool)> {
        let blank = |c: usize| self.raw.columns[c].get(row).is_empty();
        match (amount, qty, price) {
            (Some(a), _, _) => Ok((numbers::to_cents(self.number(row, a)?), blank(a))),
            (None, Some(q), Some(p)) => Ok((
                numbers::to_cents(self.number(row, q)? * self.number(row, p)?),
                blank(q) || blank(p),
            )),
            _ => unreachable!("map_roles requires an amount"),
        }
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
        Ok(DataFrame::new(n, cols)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_lose_a_spreadsheet_fraction_only() {
        assert_eq!(normalise_id("17850.0"), "17850");
        assert_eq!(normalise_id("A-17.0"), "A-17.0");
        assert_eq!(normalise_id("0042"), "0042");
        assert_eq!(normalise_id("12.5"), "12.5");
    }

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
