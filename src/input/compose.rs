//! One row's cells composed into a canonical line, written once for the readers that work row
//! by row (the precise reader, and the direct CSV reader the stage uses): which rows are
//! dropped (no customer; returns under `--returns exclude`), the value (the amount, or
//! quantity × unit price, exactly), the cost (per line, per unit times the quantity, or the
//! amount less the margin), the quantity, and the `--explain` counts. A fault names the roles
//! whose cells may be at fault and the value; the reader adds the file, line and column.

use super::cells::{self, Formats};
use super::dates::DateFormat;
use super::numbers::{self, Dec, Decimal};
use super::roles::Role;
use super::Returns;
use std::borrow::Cow;

/// How a number column is read: its separator, and whether that separator was only assumed
/// (no cell of a sample showed it), in which case a cell such as `1.500` is refused: only the
/// whole column's evidence can tell what it means.
#[derive(Debug, Clone, Copy, Default)]
pub struct NumberRule {
    pub decimal: Option<Decimal>,
    pub assumed: bool,
}

/// A number cell by its rule; empty counts as 0.
pub fn number(cell: &str, rule: NumberRule) -> Result<Dec, String> {
    if rule.assumed && numbers::is_ambiguous(cell) {
        return Err(format!(
            "`{}` needs the whole column's evidence",
            cell.trim()
        ));
    }
    cells::number(cell, rule.decimal)
}

/// The product of two numbers in cents, exactly.
pub fn product_cents(a: Dec, b: Dec, left: &str, right: &str) -> Result<i64, String> {
    a.mul(b).map(|d| d.units(2)).ok_or_else(|| {
        format!(
            "`{}` × `{}` is too large to be an amount",
            left.trim(),
            right.trim()
        )
    })
}

/// A row's cells by role (in `Role::ALL` order), `None` for a role that is not mapped.
pub type Cells<'a> = [Option<&'a str>; 10];

fn slot(role: Role) -> usize {
    role.slot()
}

/// One canonical line.
#[derive(Debug, PartialEq)]
pub struct Line<'a> {
    pub customer: Cow<'a, str>,
    pub day: i32,
    pub cents: i64,
    pub cost: Option<i64>,
    pub quantity: Option<f64>,
    pub order: Option<&'a str>,
    pub group: Option<&'a str>,
}

/// What the rows read so far held, for `--explain` and the notes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub rows: usize,
    /// Rows whose cells tier reads are all empty (`,,,,` as spreadsheets save blank rows): not
    /// rows read, never dropped rows.
    pub empty: usize,
    pub no_customer: usize,
    pub returns_dropped: usize,
    pub returns_kept: usize,
    pub blank_amounts: usize,
}

impl Tally {
    pub fn add(&mut self, o: &Tally) {
        self.rows += o.rows;
        self.empty += o.empty;
        self.no_customer += o.no_customer;
        self.returns_dropped += o.returns_dropped;
        self.returns_kept += o.returns_kept;
        self.blank_amounts += o.blank_amounts;
    }
}

/// The one-currency rule: the first non-blank currency cell seen, and a second, different one
/// refused (values in two currencies cannot be added). Cells are compared trimmed.
#[derive(Debug, Default, Clone)]
pub struct OneCurrency(Option<String>);

impl OneCurrency {
    /// Sees one cell; the two currencies when it is a second one.
    pub fn see(&mut self, cell: &str) -> Result<(), (String, String)> {
        let c = cell.trim();
        match &self.0 {
            _ if c.is_empty() => Ok(()),
            None => {
                self.0 = Some(c.to_string());
                Ok(())
            }
            Some(first) if first == c => Ok(()),
            Some(first) => Err((first.clone(), c.to_string())),
        }
    }

    /// The first currency seen.
    pub fn first(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// A cell that cannot be read: the roles whose cells made the value, and what is wrong.
#[derive(Debug)]
pub struct Fault {
    pub roles: &'static [Role],
    pub message: String,
}

fn fault(roles: &'static [Role]) -> impl Fn(String) -> Fault {
    move |message| Fault { roles, message }
}

/// The last date cell read and its day: exports list many lines of one day together.
#[derive(Default)]
pub struct DateCache {
    cell: String,
    day: Option<i32>,
}

impl DateCache {
    fn day(&mut self, cell: &str, format: &DateFormat) -> Result<i32, String> {
        if let Some(d) = self.day.filter(|_| self.cell == cell) {
            return Ok(d);
        }
        let d = cells::date(cell, format)?;
        self.cell.clear();
        self.cell.push_str(cell);
        self.day = Some(d);
        Ok(d)
    }
}

/// The rules of one reading: the columns' formats, the number rules and the returns rule.
#[derive(Debug, Clone)]
pub struct Rules {
    pub formats: Formats,
    /// Per role, in `Role::ALL` order: whether its separator was only assumed.
    pub assumed: [bool; 10],
    pub returns: Returns,
}

impl Rules {
    /// Rules that know every column's evidence (nothing assumed).
    pub fn new(formats: Formats, returns: Returns) -> Self {
        Rules {
            formats,
            assumed: [false; 10],
            returns,
        }
    }

    pub fn rule(&self, role: Role) -> NumberRule {
        let f = &self.formats;
        let decimal = match role {
            Role::Amount => f.amount,
            Role::Quantity => f.quantity,
            Role::Price => f.price,
            Role::Cost => f.cost,
            _ => f.margin,
        };
        NumberRule {
            decimal,
            assumed: self.assumed[slot(role)],
        }
    }

    /// Composes one row, counting it in `tally`: `None` when it is dropped.
    pub fn row<'a>(
        &self,
        c: &Cells<'a>,
        tally: &mut Tally,
        dates: &mut DateCache,
    ) -> Result<Option<Line<'a>>, Fault> {
        let cell = |r: Role| c[slot(r)];
        if c.iter().all(|v| v.is_none_or(|t| t.trim().is_empty())) {
            tally.empty += 1;
            return Ok(None);
        }
        tally.rows += 1;
        let id = cell(Role::Customer).unwrap_or_default();
        let Some(customer) = cells::customer(id).map_err(fault(&[Role::Customer]))? else {
            tally.no_customer += 1;
            return Ok(None);
        };
        let day = dates
            .day(cell(Role::Date).unwrap_or_default(), &self.formats.date)
            .map_err(fault(&[Role::Date]))?;
        let cents = self
            .amount(cell(Role::Amount), cell(Role::Quantity), cell(Role::Price))
            .map_err(fault(&[Role::Amount, Role::Quantity, Role::Price]))?;
        tally.blank_amounts += usize::from(blank_amount(c));
        if cents < 0 {
            if self.returns == Returns::Exclude {
                tally.returns_dropped += 1;
                return Ok(None);
            }
            tally.returns_kept += 1;
        }
        let order = cell(Role::Order)
            .map(cells::text)
            .transpose()
            .map_err(fault(&[Role::Order]))?;
        let quantity = cell(Role::Quantity)
            .map(|q| number(q, self.rule(Role::Quantity)).map(Dec::to_f64))
            .transpose()
            .map_err(fault(&[Role::Quantity]))?;
        let cost = self
            .cost(
                cell(Role::Cost),
                cell(Role::Margin),
                cell(Role::Quantity),
                cents,
            )
            .map_err(fault(&[Role::Cost, Role::Margin, Role::Quantity]))?;
        let group = cell(Role::Group)
            .map(cells::text)
            .transpose()
            .map_err(fault(&[Role::Group]))?;
        Ok(Some(Line {
            customer,
            day,
            cents,
            cost,
            quantity,
            order,
            group,
        }))
    }

    /// The line's value in cents: the amount cell, or quantity × unit price, exactly.
    pub fn amount(
        &self,
        amount: Option<&str>,
        qty: Option<&str>,
        price: Option<&str>,
    ) -> Result<i64, String> {
        match (amount, qty, price) {
            (Some(a), _, _) => Ok(number(a, self.rule(Role::Amount))?.units(2)),
            (None, Some(q), Some(p)) => product_cents(
                number(q, self.rule(Role::Quantity))?,
                number(p, self.rule(Role::Price))?,
                q,
                p,
            ),
            _ => Err("no amount column".to_string()),
        }
    }

    /// The line's cost in cents: the cost cell (times the quantity for a unit cost), or the
    /// amount less the margin; `None` without either column.
    pub fn cost(
        &self,
        cost: Option<&str>,
        margin: Option<&str>,
        qty: Option<&str>,
        amount_cents: i64,
    ) -> Result<Option<i64>, String> {
        let rule = self.rule(Role::Cost);
        match (cost, margin) {
            (Some(c), _) if self.formats.unit_cost => {
                let q = match qty {
                    Some(q) => number(q, self.rule(Role::Quantity))?,
                    None => Dec { mant: 1, scale: 0 },
                };
                product_cents(number(c, rule)?, q, c, qty.unwrap_or("1")).map(Some)
            }
            (Some(c), _) => Ok(Some(number(c, rule)?.units(2))),
            (None, Some(m)) => Ok(Some(
                amount_cents - number(m, self.rule(Role::Margin))?.units(2),
            )),
            (None, None) => Ok(None),
        }
    }
}

/// Whether the row's amount (or its quantity or price) is empty, counted as 0.
fn blank_amount(c: &Cells) -> bool {
    let cell = |r: Role| c[slot(r)];
    match cell(Role::Amount) {
        Some(a) => a.trim().is_empty(),
        None => [Role::Quantity, Role::Price]
            .iter()
            .any(|&r| cell(r).is_some_and(|c| c.trim().is_empty())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::dates::Orders;

    fn rules(returns: Returns) -> Rules {
        let formats = Formats {
            date: DateFormat::Auto(Orders::default()),
            amount: Some(Decimal::Point),
            quantity: Some(Decimal::Point),
            price: Some(Decimal::Point),
            cost: Some(Decimal::Point),
            margin: None,
            unit_cost: true,
        };
        Rules::new(formats, returns)
    }

    fn cells<'a>(pairs: &[(Role, &'a str)]) -> Cells<'a> {
        let mut c: Cells = [None; 10];
        for &(r, v) in pairs {
            c[slot(r)] = Some(v);
        }
        c
    }

    #[test]
    fn money_is_exact() {
        let r = rules(Returns::Net);
        assert_eq!(r.amount(Some("2.675"), None, None).unwrap(), 268);
        assert_eq!(r.amount(None, Some("3"), Some("0.895")).unwrap(), 269);
        assert_eq!(r.amount(Some(""), None, None).unwrap(), 0);
        assert!(r.amount(None, Some("1e12"), Some("1e12")).is_err());
        assert_eq!(r.cost(Some("1.25"), None, Some("3"), 0).unwrap(), Some(375));
    }

    #[test]
    fn rows_are_dropped_and_counted_by_one_rule() {
        let mut t = Tally::default();
        let mut d = DateCache::default();
        let r = rules(Returns::Exclude);
        let blank = cells(&[
            (Role::Customer, " "),
            (Role::Date, "x"),
            (Role::Amount, "x"),
        ]);
        assert!(r.row(&blank, &mut t, &mut d).unwrap().is_none());
        let ret = cells(&[
            (Role::Customer, "17850.0"),
            (Role::Date, "2024-01-02"),
            (Role::Amount, "-5"),
        ]);
        assert!(r.row(&ret, &mut t, &mut d).unwrap().is_none());
        let ok = cells(&[
            (Role::Customer, " 17850.0 "),
            (Role::Date, "2024-01-02"),
            (Role::Amount, ""),
            (Role::Cost, "1.5"),
            (Role::Quantity, "2"),
        ]);
        let line = r.row(&ok, &mut t, &mut d).unwrap().unwrap();
        assert_eq!(line.customer, "17850");
        assert_eq!(
            (line.cents, line.cost, line.quantity),
            (0, Some(300), Some(2.0))
        );
        let empty = cells(&[(Role::Customer, " "), (Role::Date, ""), (Role::Amount, "")]);
        assert!(r.row(&empty, &mut t, &mut d).unwrap().is_none());
        let want = Tally {
            rows: 3,
            empty: 1,
            no_customer: 1,
            returns_dropped: 1,
            returns_kept: 0,
            blank_amounts: 1,
        };
        assert_eq!(t, want);
        let bad = cells(&[(Role::Customer, "A"), (Role::Date, "2024-13-45")]);
        let f = r.row(&bad, &mut t, &mut d).unwrap_err();
        assert_eq!(f.roles, &[Role::Date]);
    }

    #[test]
    fn an_assumed_separator_refuses_what_only_the_column_can_tell() {
        let mut r = rules(Returns::Net);
        r.assumed[slot(Role::Amount)] = true;
        assert!(r.amount(Some("1.500"), None, None).is_err());
        assert_eq!(r.amount(Some("1.50"), None, None).unwrap(), 150);
    }
}
