//! The meaning of one row's cells, shared by the fast (polars batch) and the precise (row by row)
//! readers so that both give the same answer: ids, dates, exact money in cents, quantities and
//! costs. Pure text to values; errors carry the value, callers add the file, line and column.

use super::dates::{self, DateFormat};
use super::numbers::{self, Dec, Decimal};
use std::borrow::Cow;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// How the columns of one input are to be read, decided once from the evidence of their cells.
#[derive(Debug, Clone)]
pub struct Formats {
    pub date: DateFormat,
    pub amount: Option<Decimal>,
    pub quantity: Option<Decimal>,
    pub price: Option<Decimal>,
    pub cost: Option<Decimal>,
    pub margin: Option<Decimal>,
    /// The cost column holds a cost per unit, to be multiplied by the quantity.
    pub unit_cost: bool,
}

/// A customer id: trimmed, `17850.0` (a spreadsheet's float) as `17850`, in Unicode NFC (so
/// `René` typed as one code point or as `e` + accent is one customer); `None` when blank.
pub fn customer(cell: &str) -> Result<Option<Cow<'_, str>>, String> {
    let id = text(cell)?;
    if id.is_empty() {
        return Ok(None);
    }
    let id = normalise_id(id);
    if id.is_ascii() || is_nfc_quick(id.chars()) == IsNormalized::Yes {
        return Ok(Some(Cow::Borrowed(id)));
    }
    Ok(Some(Cow::Owned(id.nfc().collect())))
}

/// A text cell (order id, group): trimmed; a NUL byte is refused, as it is never data.
pub fn text(cell: &str) -> Result<&str, String> {
    if cell.contains('\0') {
        return Err(format!(
            "`{}` holds a NUL byte; the file is damaged or not text",
            cell.escape_debug()
        ));
    }
    Ok(cell.trim())
}

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

/// A date cell in days since the epoch.
pub fn date(cell: &str, format: &DateFormat) -> Result<i32, String> {
    let cell = text(cell)?;
    if cell.is_empty() {
        return Err("the date is empty".to_string());
    }
    dates::parse(cell, format)
}

/// A number cell; empty counts as 0.
pub fn number(cell: &str, decimal: Option<Decimal>) -> Result<Dec, String> {
    let cell = text(cell)?;
    if cell.is_empty() {
        return Ok(Dec { mant: 0, scale: 0 });
    }
    numbers::parse(cell, decimal.unwrap_or(Decimal::Point))
}

/// The line's value in cents: the amount cell, or quantity × unit price, exactly.
pub fn amount(
    f: &Formats,
    amount: Option<&str>,
    qty: Option<&str>,
    price: Option<&str>,
) -> Result<i64, String> {
    match (amount, qty, price) {
        (Some(a), _, _) => Ok(number(a, f.amount)?.units(2)),
        (None, Some(q), Some(p)) => product(number(q, f.quantity)?, number(p, f.price)?, q, p),
        _ => Err("no amount column".to_string()),
    }
}

fn product(a: Dec, b: Dec, left: &str, right: &str) -> Result<i64, String> {
    a.mul(b).map(|d| d.units(2)).ok_or_else(|| {
        format!(
            "`{}` × `{}` is too large to be an amount",
            left.trim(),
            right.trim()
        )
    })
}

/// A quantity as a float (for `--by quantity`, summed in thousandths).
pub fn quantity(cell: &str, f: &Formats) -> Result<f64, String> {
    number(cell, f.quantity).map(Dec::to_f64)
}

/// The line's cost in cents: the cost cell (times the quantity for a unit cost), or the amount
/// less the margin.
pub fn cost(
    f: &Formats,
    cost: Option<&str>,
    margin: Option<&str>,
    qty: Option<&str>,
    amount_cents: i64,
) -> Result<Option<i64>, String> {
    match (cost, margin) {
        (Some(c), _) if f.unit_cost => {
            let q = qty.map_or(Ok(Dec { mant: 1, scale: 0 }), |q| number(q, f.quantity))?;
            product(number(c, f.cost)?, q, c, qty.unwrap_or("1")).map(Some)
        }
        (Some(c), _) => Ok(Some(number(c, f.cost)?.units(2))),
        (None, Some(m)) => Ok(Some(amount_cents - number(m, f.margin)?.units(2))),
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::dates::Orders;

    fn formats() -> Formats {
        Formats {
            date: DateFormat::Auto(Orders::default()),
            amount: Some(Decimal::Point),
            quantity: Some(Decimal::Point),
            price: Some(Decimal::Point),
            cost: Some(Decimal::Point),
            margin: None,
            unit_cost: true,
        }
    }

    #[test]
    fn ids_lose_a_spreadsheet_fraction_only() {
        let id = |c: &str| customer(c).unwrap().map(|s| s.into_owned());
        assert_eq!(id("17850.0").as_deref(), Some("17850"));
        assert_eq!(id(" A-17.0 ").as_deref(), Some("A-17.0"));
        assert_eq!(id("0042").as_deref(), Some("0042"));
        assert_eq!(id("12.5").as_deref(), Some("12.5"));
        assert_eq!(id("  "), None);
        assert_eq!(id("Rene\u{301} Mu\u{308}ller"), id("René Müller"));
        assert!(customer("C1\0").is_err());
    }

    #[test]
    fn money_is_exact() {
        let f = formats();
        assert_eq!(amount(&f, Some("2.675"), None, None).unwrap(), 268);
        assert_eq!(amount(&f, None, Some("3"), Some("0.895")).unwrap(), 269);
        assert_eq!(amount(&f, Some(""), None, None).unwrap(), 0);
        assert!(amount(&f, None, Some("1e12"), Some("1e12")).is_err());
        assert_eq!(
            cost(&f, Some("1.25"), None, Some("3"), 0).unwrap(),
            Some(375)
        );
    }
}
