//! The meaning of one cell, shared by every reader so that all give the same answer: ids, text,
//! dates and exact numbers (`compose` makes lines of them). Pure text to values; errors carry
//! the value, callers add the file, line and column.

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
    let b = cell.as_bytes();
    let bare = |i: Option<&u8>| i.is_some_and(u8::is_ascii_graphic);
    if bare(b.first()) && bare(b.last()) && memchr::memchr(0, b).is_none() {
        return Ok(cell); // nothing to trim
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
