//! Number cells of real exports (amounts, quantities, prices, costs): currency symbols and codes,
//! thousands separators, decimal comma decided per column, `(12.50)` and trailing-minus negatives.
//! Pure text to `f64`; callers add the file, row and column to errors.

/// Which character separates the decimals in a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decimal {
    Point,
    Comma,
}

/// Evidence gathered over a column to decide its decimal separator.
#[derive(Debug, Default, Clone)]
pub struct DecimalEvidence {
    pub point: Option<String>,
    pub comma: Option<String>,
}

const CURRENCY_SYMBOLS: &[char] = &[
    '$', '€', '£', '¥', '₹', '₩', '₽', '₺', '₪', '₫', '฿', '₴', '₦', '¢', '₱',
];

/// Strips one currency marker (symbol, `R$`, `kr`, or a three-letter upper-case ISO code) from
/// either end, with the spaces around it.
fn strip_currency(s: &str) -> &str {
    let s = s.trim_matches(is_space);
    let s = s
        .trim_start_matches(CURRENCY_SYMBOLS)
        .trim_end_matches(CURRENCY_SYMBOLS);
    let s = s.trim_matches(is_space);
    let is_code = |t: &str| t.len() == 3 && t.bytes().all(|b| b.is_ascii_uppercase());
    let s = match s.get(..3) {
        Some(p) if is_code(p) => &s[3..],
        _ => s.strip_prefix("kr").unwrap_or(s),
    };
    let s = match s.len().checked_sub(3).and_then(|i| s.get(i..)) {
        Some(p) if is_code(p) => &s[..s.len() - 3],
        _ => s.strip_suffix("kr").unwrap_or(s),
    };
    s.trim_matches(is_space)
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}'
}

/// Splits a cell into its sign and the bare digits-and-separators body.
fn sign_and_body(cell: &str) -> (bool, &str) {
    let mut s = cell.trim_matches(is_space);
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        s = inner;
    }
    s = strip_currency(s);
    for minus in ['-', '−'] {
        if let Some(r) = s.strip_prefix(minus) {
            negative = !negative;
            s = r;
        } else if let Some(r) = s.strip_suffix(minus) {
            negative = !negative;
            s = r;
        }
    }
    if let Some(r) = s.strip_prefix('+') {
        s = r;
    }
    (negative, strip_currency(s))
}

impl DecimalEvidence {
    /// Looks at one cell; ambiguous cells such as `1,234` or `1.234` add nothing, and neither
    /// do malformed ones (`12,5O`), which fail later with their own line.
    pub fn observe(&mut self, cell: &str) {
        let (_, body) = sign_and_body(cell);
        if !body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '\'') || is_space(c))
        {
            return;
        }
        let (commas, points) = (body.matches(',').count(), body.matches('.').count());
        let after = |sep: char| body.rsplit(sep).next().map_or(0, str::len);
        let style = match (commas, points) {
            (0, 0) => None,
            (c, p) if c > 0 && p > 0 => Some(if body.rfind(',') > body.rfind('.') {
                Decimal::Comma
            } else {
                Decimal::Point
            }),
            (1, 0) if after(',') != 3 => Some(Decimal::Comma),
            (0, 1) if after('.') != 3 => Some(Decimal::Point),
            (_, 0) if commas > 1 => Some(Decimal::Point),
            (0, _) if points > 1 => Some(Decimal::Comma),
            _ => None,
        };
        let slot = match style {
            Some(Decimal::Comma) => &mut self.comma,
            Some(Decimal::Point) => &mut self.point,
            None => return,
        };
        slot.get_or_insert_with(|| cell.trim().to_string());
    }

    /// The column's separator: a point unless the cells show a decimal comma.
    pub fn decide(&self) -> Result<Decimal, String> {
        match (&self.point, &self.comma) {
            (Some(p), Some(c)) => Err(format!(
                "mixes a decimal point (`{p}`) and a decimal comma (`{c}`); \
                 fix the export or pass --decimal-comma"
            )),
            (None, Some(_)) => Ok(Decimal::Comma),
            _ => Ok(Decimal::Point),
        }
    }
}

/// Parses one non-empty cell with the column's decimal separator.
pub fn parse(cell: &str, decimal: Decimal) -> Result<f64, String> {
    let bad = || format!("cannot read `{}` as a number", cell.trim());
    let (negative, body) = sign_and_body(cell);
    let (dec, group) = match decimal {
        Decimal::Point => ('.', ','),
        Decimal::Comma => (',', '.'),
    };
    let mut parts = body.splitn(2, dec);
    let int_part = parts.next().unwrap_or("");
    let frac = parts.next();
    let groups: Vec<&str> = int_part
        .split(|c| c == group || c == '\'' || is_space(c))
        .collect();
    let grouping_ok = groups.len() == 1
        || (!groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let frac_ok = frac.is_none_or(|f| !f.is_empty() && digits(f));
    if !grouping_ok
        || !frac_ok
        || !groups.iter().all(|g| digits(g))
        || (int_part.is_empty() && frac.is_none())
    {
        return Err(bad());
    }
    let text = format!("{}.{}", groups.concat(), frac.unwrap_or("0"));
    let value: f64 = text.parse().map_err(|_| bad())?;
    if !value.is_finite() || value.abs() > 1e13 {
        return Err(format!("`{}` is too large to be an amount", cell.trim()));
    }
    Ok(if negative { -value } else { value })
}

/// Rounds a money value to whole cents.
pub fn to_cents(value: f64) -> i64 {
    (value * 100.0).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(cell: &str) -> f64 {
        parse(cell, Decimal::Point).unwrap()
    }
    fn c(cell: &str) -> f64 {
        parse(cell, Decimal::Comma).unwrap()
    }

    #[test]
    fn reads_plain_and_decorated_numbers() {
        assert_eq!(p("12.5"), 12.5);
        assert_eq!(p("$1,234.56"), 1234.56);
        assert_eq!(p("-$0.95"), -0.95);
        assert_eq!(p("$-0.95"), -0.95);
        assert_eq!(p("(12.50)"), -12.5);
        assert_eq!(p("USD 99"), 99.0);
        assert_eq!(p("1'234.50"), 1234.5);
        assert_eq!(p(".5"), 0.5);
        assert_eq!(c("1.234,56"), 1234.56);
        assert_eq!(c("100,00-"), -100.0);
        assert_eq!(c("12,5 €"), 12.5);
        assert_eq!(c("EUR 1 234,5"), 1234.5);
    }

    #[test]
    fn rejects_garbage_with_the_value() {
        assert!(parse("12,5O", Decimal::Comma)
            .unwrap_err()
            .contains("`12,5O`"));
        assert!(
            parse("12,5", Decimal::Point).is_err(),
            "decimal comma in a point column"
        );
        assert!(parse("1,2,3", Decimal::Point).is_err());
        assert!(parse("abc", Decimal::Point).is_err());
        assert!(parse("-", Decimal::Point).is_err());
        assert!(parse("1e400", Decimal::Point).is_err());
    }

    #[test]
    fn the_column_decides_the_separator() {
        let mut e = DecimalEvidence::default();
        for cell in ["1,234", "12", "7,5"] {
            e.observe(cell);
        }
        assert_eq!(e.decide().unwrap(), Decimal::Comma);
        let mut e = DecimalEvidence::default();
        e.observe("1,234.50");
        e.observe("1.234");
        assert_eq!(e.decide().unwrap(), Decimal::Point);
        e.observe("12,5O");
        assert_eq!(e.decide().unwrap(), Decimal::Point, "garbage does not vote");
        e.observe("3,25");
        assert!(e.decide().is_err());
    }

    #[test]
    fn cents_are_exact_for_two_decimals() {
        assert_eq!(to_cents(29.33), 2933);
        assert_eq!(to_cents(-0.95), -95);
    }
}
