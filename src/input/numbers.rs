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
    /// A cell such as `1.500` or `1,500`: one separator and three digits after it, which reads
    /// as a thousands group or as decimals.
    pub ambiguous: Option<String>,
}

/// What the rest of the file says about its locale, for columns whose own cells cannot tell.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LocaleHint {
    /// The file is `;`-separated or writes dates as `31.12.2024` (European conventions).
    pub european: bool,
    /// The file is `,`-separated, so an unquoted decimal comma is impossible.
    pub comma_delimited: bool,
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

/// Splits a cell into its sign and the bare digits-and-separators body; `None` when the cell
/// carries two sign markers (`(-12)`, `-12-`), which no export writes on purpose.
fn sign_and_body(cell: &str) -> Option<(bool, &str)> {
    let mut s = cell.trim_matches(is_space);
    let mut signs = 0;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        signs += 1;
        s = inner;
    }
    s = strip_currency(s);
    for minus in ['-', '−'] {
        if let Some(r) = s.strip_prefix(minus) {
            signs += 1;
            s = r;
        }
        if let Some(r) = s.strip_suffix(minus) {
            signs += 1;
            s = r;
        }
    }
    if let Some(r) = s.strip_prefix('+') {
        s = r;
    }
    (signs <= 1).then(|| (signs == 1, strip_currency(s)))
}

impl DecimalEvidence {
    /// Looks at one cell; ambiguous cells such as `1,234` or `1.234` add nothing, and neither
    /// do malformed ones (`12,5O`), which fail later with their own line.
    pub fn observe(&mut self, cell: &str) {
        let Some((_, body)) = sign_and_body(cell) else {
            return;
        };
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
            (1, 0) | (0, 1) => {
                self.ambiguous
                    .get_or_insert_with(|| cell.trim().to_string());
                None
            }
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

    /// The column's separator: what its unambiguous cells show; when every separator-bearing
    /// cell is ambiguous (`1.500`), what the file's locale shows; an error when nothing tells.
    pub fn decide(&self, hint: LocaleHint) -> Result<Decimal, String> {
        match (&self.point, &self.comma, &self.ambiguous) {
            (Some(p), Some(c), _) => Err(format!(
                "mixes a decimal point (`{p}`) and a decimal comma (`{c}`); \
                 fix the export or pass --decimal-comma"
            )),
            (None, Some(_), _) => Ok(Decimal::Comma),
            (Some(_), None, _) | (None, None, None) => Ok(Decimal::Point),
            (None, None, Some(_)) if hint.european && !hint.comma_delimited => Ok(Decimal::Comma),
            (None, None, Some(_)) if hint.comma_delimited && !hint.european => Ok(Decimal::Point),
            (None, None, Some(a)) => Err(format!(
                "has numbers like `{a}` where the separator may be a thousands group or the \
                 decimals, and nothing else in the file tells: pass --decimal-comma if `{a}` \
                 means {} or --decimal-point if it means {}",
                a.replace(['.', ','], ""),
                a.replace(',', ".")
            )),
        }
    }
}

/// An exact decimal number: `mant / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dec {
    pub mant: i128,
    pub scale: u32,
}

/// The largest magnitude accepted for one cell or one product: 10^13 (ten trillion).
const LIMIT: i128 = 10_000_000_000_000;
/// Decimals kept from a cell; more are rounded (half away from zero).
const MAX_SCALE: u32 = 18;

impl Dec {
    fn new(negative: bool, int: &str, frac: &str, exp: i32) -> Option<Dec> {
        let digits = format!("{int}{frac}");
        let mut scale = frac.len() as i64 - exp as i64;
        let mut mant: i128 = 0;
        let mut trailing = digits.as_str();
        // Shift the exponent in by appending zeros or moving the scale.
        let zeros = if scale < 0 { (-scale) as usize } else { 0 };
        if scale < 0 {
            scale = 0;
        }
        let lead = trailing.trim_start_matches('0');
        trailing = if lead.is_empty() { "0" } else { lead };
        let keep_digits = trailing.len() as i64 - (scale - MAX_SCALE as i64).max(0);
        if keep_digits > 38 || zeros > 38 {
            return None;
        }
        if keep_digits >= 0 {
            let (kept, dropped) = trailing.split_at(keep_digits as usize);
            for b in kept.bytes().chain(std::iter::repeat_n(b'0', zeros)) {
                mant = mant.checked_mul(10)?.checked_add((b - b'0') as i128)?;
            }
            if dropped.as_bytes().first().is_some_and(|&d| d >= b'5') {
                mant += 1;
            }
        }
        let d = Dec {
            mant: if negative { -mant } else { mant },
            scale: scale.min(MAX_SCALE as i64) as u32,
        };
        (d.mant.abs() / 10i128.pow(d.scale) <= LIMIT).then_some(d)
    }

    /// The value in integer units of `10^-digits` (cents for 2), rounded half away from zero.
    /// Exact for up to 5 digits, given the range limit of a cell.
    pub fn units(self, digits: u32) -> i64 {
        self.scaled(digits) as i64
    }

    fn scaled(self, digits: u32) -> i128 {
        if self.scale <= digits {
            self.mant * 10i128.pow(digits - self.scale)
        } else {
            let div = 10i128.pow(self.scale - digits);
            let (q, r) = (self.mant / div, self.mant % div);
            q + (2 * r.abs() >= div) as i128 * self.mant.signum()
        }
    }

    /// The exact product, `None` when it is out of range.
    pub fn mul(self, other: Dec) -> Option<Dec> {
        let (mut a, mut b) = (self, other);
        loop {
            if let Some(mant) = a.mant.checked_mul(b.mant) {
                let d = Dec {
                    mant,
                    scale: a.scale + b.scale,
                };
                return (d.mant.abs() / 10i128.pow(d.scale.min(38)) <= LIMIT).then_some(d);
            }
            if a.scale <= 6 && b.scale <= 6 {
                return None;
            }
            a = a.rounded(a.scale.min(6));
            b = b.rounded(b.scale.min(6));
        }
    }

    fn rounded(self, scale: u32) -> Dec {
        Dec {
            mant: self.scaled(scale),
            scale,
        }
    }

    pub fn to_f64(self) -> f64 {
        self.mant as f64 / 10f64.powi(self.scale as i32)
    }
}

/// Whether a cell reads both as a thousands group and as decimals (`1.500`, `1,500`).
pub fn is_ambiguous(cell: &str) -> bool {
    if memchr::memchr2(b'.', b',', cell.as_bytes()).is_none() {
        return false;
    }
    let mut e = DecimalEvidence::default();
    e.observe(cell);
    e.ambiguous.is_some()
}

/// The common case without allocation: optional `-`, digits, optional separator and digits.
fn plain(cell: &str, decimal: Decimal) -> Option<Dec> {
    let b = cell.as_bytes();
    let (negative, b) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    let dec = if decimal == Decimal::Point {
        b'.'
    } else {
        b','
    };
    let (int, frac) = match memchr::memchr(dec, b) {
        Some(at) => (&b[..at], &b[at + 1..]),
        None => (b, &b[..0]),
    };
    if int.is_empty() || int.len() > 13 || frac.len() > MAX_SCALE as usize {
        return None;
    }
    if b.len() > int.len() && frac.is_empty() {
        return None;
    }
    let mut mant: i128 = 0;
    for &d in int.iter().chain(frac) {
        if !d.is_ascii_digit() {
            return None;
        }
        mant = mant * 10 + (d - b'0') as i128;
    }
    if int.len() == 13 && mant / 10i128.pow(frac.len() as u32) > LIMIT {
        return None;
    }
    Some(Dec {
        mant: if negative { -mant } else { mant },
        scale: frac.len() as u32,
    })
}

/// Parses one non-empty cell with the column's decimal separator into an exact decimal.
pub fn parse(cell: &str, decimal: Decimal) -> Result<Dec, String> {
    if let Some(d) = plain(cell, decimal) {
        return Ok(d);
    }
    let bad = || format!("cannot read `{}` as a number", cell.trim());
    let (negative, body) = sign_and_body(cell).ok_or_else(bad)?;
    let (dec, group) = match decimal {
        Decimal::Point => ('.', ','),
        Decimal::Comma => (',', '.'),
    };
    let (body, exp) = split_exponent(body, dec).ok_or_else(bad)?;
    let mut parts = body.splitn(2, dec);
    let int_part = parts.next().unwrap_or("");
    let frac = parts.next();
    let groups: Vec<&str> = int_part
        .split(|c| c == group || c == '\'' || is_space(c))
        .collect();
    let grouping_ok = groups.len() == 1
        || (exp == 0
            && !groups[0].is_empty()
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
    Dec::new(negative, &groups.concat(), frac.unwrap_or(""), exp)
        .ok_or_else(|| format!("`{}` is too large to be an amount", cell.trim()))
}

/// Splits `1.5e3` into `1.5` and 3; a body without an exponent has 0.
fn split_exponent(body: &str, dec: char) -> Option<(&str, i32)> {
    let Some(at) = body.find(['e', 'E']) else {
        return Some((body, 0));
    };
    let (mant, exp) = (&body[..at], &body[at + 1..]);
    let plain = mant.bytes().all(|b| b.is_ascii_digit() || b as char == dec);
    let exp: i32 = exp.parse().ok()?;
    (plain && !mant.is_empty()).then_some((mant, exp))
}

/// A cell in cents (or other integer units), exactly.
#[cfg(test)]
pub fn units(cell: &str, decimal: Decimal, digits: u32) -> Result<i64, String> {
    parse(cell, decimal).map(|d| d.units(digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(cell: &str) -> f64 {
        parse(cell, Decimal::Point).unwrap().to_f64()
    }
    fn c(cell: &str) -> f64 {
        parse(cell, Decimal::Comma).unwrap().to_f64()
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
        assert!(parse("(-12)", Decimal::Point).is_err(), "two signs");
        assert!(parse("-12-", Decimal::Point).is_err(), "two signs");
        assert!(parse("1,000e3", Decimal::Point).is_err());
    }

    #[test]
    fn exponents_and_exact_rounding() {
        assert_eq!(units("2.675", Decimal::Point, 2).unwrap(), 268);
        assert_eq!(units("-2.675", Decimal::Point, 2).unwrap(), -268);
        assert_eq!(units("2.67499999", Decimal::Point, 2).unwrap(), 267);
        assert_eq!(
            units("5.551115123125783e-17", Decimal::Point, 2).unwrap(),
            0
        );
        assert_eq!(units("1.5E3", Decimal::Point, 2).unwrap(), 150_000);
        assert!(units("1e300", Decimal::Point, 2)
            .unwrap_err()
            .contains("too large"));
        assert_eq!(units("1e-300", Decimal::Point, 2).unwrap(), 0);
        assert_eq!(units("-2.5e-3", Decimal::Point, 2).unwrap(), 0);
        assert_eq!(units("1,5e2", Decimal::Comma, 2).unwrap(), 15_000);
        assert!(
            parse("99999999999999", Decimal::Point).is_err(),
            "above 10^13"
        );
    }

    #[test]
    fn the_plain_path_agrees_with_the_general_one() {
        for cell in [
            "0",
            "12",
            "-12.50",
            "1.234",
            "007.10",
            "9999999999999",
            "-0.5",
        ] {
            let fast = plain(cell, Decimal::Point).unwrap();
            let (neg, body) = sign_and_body(cell).unwrap();
            let (int, frac) = body.split_once('.').unwrap_or((body, ""));
            let slow = Dec::new(neg, int, frac, 0).unwrap();
            assert_eq!(fast.units(2), slow.units(2), "{cell}");
        }
        assert!(plain("12.", Decimal::Point).is_none());
        assert!(plain("1,5", Decimal::Point).is_none());
        assert_eq!(plain("1,5", Decimal::Comma).unwrap().units(2), 150);
    }

    #[test]
    fn products_are_exact_and_range_checked() {
        let q = parse("3", Decimal::Point).unwrap();
        let p = parse("0.895", Decimal::Point).unwrap();
        assert_eq!(q.mul(p).unwrap().units(2), 269);
        let big = parse("9999999999999", Decimal::Point).unwrap();
        assert!(big.mul(big).is_none());
    }

    #[test]
    fn the_column_decides_the_separator() {
        let mut e = DecimalEvidence::default();
        for cell in ["1,234", "12", "7,5"] {
            e.observe(cell);
        }
        let none = LocaleHint::default();
        assert_eq!(e.decide(none).unwrap(), Decimal::Comma);
        let mut e = DecimalEvidence::default();
        e.observe("1,234.50");
        e.observe("1.234");
        assert_eq!(e.decide(none).unwrap(), Decimal::Point);
        e.observe("12,5O");
        assert_eq!(
            e.decide(none).unwrap(),
            Decimal::Point,
            "garbage does not vote"
        );
        e.observe("3,25");
        assert!(e.decide(none).is_err());
    }

    #[test]
    fn ambiguous_groups_follow_the_locale_or_stop() {
        let mut e = DecimalEvidence::default();
        for cell in ["1.500", "2.300", "12.000", "800"] {
            e.observe(cell);
        }
        let european = LocaleHint {
            european: true,
            comma_delimited: false,
        };
        assert_eq!(e.decide(european).unwrap(), Decimal::Comma);
        let us = LocaleHint {
            european: false,
            comma_delimited: true,
        };
        assert_eq!(e.decide(us).unwrap(), Decimal::Point);
        let err = e.decide(LocaleHint::default()).unwrap_err();
        assert!(
            err.contains("--decimal-comma") && err.contains("`1.500`"),
            "{err}"
        );
    }

    #[test]
    fn cents_are_exact_for_two_decimals() {
        assert_eq!(units("29.33", Decimal::Point, 2).unwrap(), 2933);
        assert_eq!(units("-0.95", Decimal::Point, 2).unwrap(), -95);
    }
}
