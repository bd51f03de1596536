//! Date cells of real exports into days: shape detection, day/month order decided by the whole
//! column, and strict parsing. Knows nothing of files or rows; callers add the place to errors.

use chrono::NaiveDate;

/// How the day and month of `a/b/YYYY`-shaped dates are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOrder {
    DayFirst,
    MonthFirst,
}

/// The day/month order of `a/b/YYYY` cells for each separator: `/`, `-`, `.`. A column may mix
/// separators (`01.02.2024` beside `1/13/2024`), and each keeps its own convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Orders(pub [Option<DayOrder>; 3]);

/// The separators of `a/b/YYYY` dates, in the order of `Orders`.
pub const SEPARATORS: [char; 3] = ['/', '-', '.'];

fn sep_index(sep: char) -> usize {
    SEPARATORS.iter().position(|&c| c == sep).unwrap_or(0)
}

impl Orders {
    /// The same order for every separator (from --dayfirst / --monthfirst).
    pub fn all(order: DayOrder) -> Orders {
        Orders([Some(order); 3])
    }
}

/// The date format of a column: automatic (with orders for ambiguous `a/b/YYYY` cells) or a
/// chrono format string forced by `--date-format`.
#[derive(Debug, Clone)]
pub enum DateFormat {
    Auto(Orders),
    Forced(String),
}

/// What the `a/b/YYYY` cells of one separator show about their order.
#[derive(Debug, Default, Clone)]
pub struct SepEvidence {
    /// First cell whose first number is above 12 (so the first number is the day).
    pub day_first: Option<String>,
    /// First cell whose second number is above 12 (so the first number is the month).
    pub month_first: Option<String>,
    /// Whether any cell with this separator was seen.
    pub seen: bool,
}

/// Evidence gathered over a column to decide the day/month order of `a/b/YYYY` cells, kept per
/// separator.
#[derive(Debug, Default, Clone)]
pub struct OrderEvidence(pub [SepEvidence; 3]);

/// The parts of a date cell before any time of day.
enum Shape {
    Compact(i32, u32, u32),
    YearFirst(i32, u32, u32),
    YearLast(u32, u32, i32, char),
}

fn date_part(cell: &str) -> &str {
    let cell = cell.trim();
    // An ISO datetime joins with `T`; others with a space.
    let end = cell.find([' ', 'T']).unwrap_or(cell.len());
    &cell[..end]
}

fn shape(cell: &str) -> Option<Shape> {
    let d = date_part(cell);
    if d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Shape::Compact(
            d[..4].parse().ok()?,
            d[4..6].parse().ok()?,
            d[6..].parse().ok()?,
        ));
    }
    let sep = d.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let parts: Vec<&str> = d.split(sep).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (a, b, c) = (parts[0], parts[1], parts[2]);
    if a.len() == 4 && b.len() <= 2 && c.len() <= 2 {
        return Some(Shape::YearFirst(
            a.parse().ok()?,
            b.parse().ok()?,
            c.parse().ok()?,
        ));
    }
    if c.len() == 4 && a.len() <= 2 && b.len() <= 2 {
        return Some(Shape::YearLast(
            a.parse().ok()?,
            b.parse().ok()?,
            c.parse().ok()?,
            sep,
        ));
    }
    None
}

impl OrderEvidence {
    /// Looks at one cell; cells that are not `a/b/YYYY` add nothing.
    pub fn observe(&mut self, cell: &str) {
        if let Some(Shape::YearLast(a, b, _, sep)) = shape(cell) {
            let e = &mut self.0[sep_index(sep)];
            e.seen = true;
            if a > 12 && e.day_first.is_none() {
                e.day_first = Some(cell.trim().to_string());
            }
            if b > 12 && e.month_first.is_none() {
                e.month_first = Some(cell.trim().to_string());
            }
        }
    }

    /// The orders the column shows per separator (none where it has no `a/b/YYYY` cells), an
    /// error when the cells of one separator contradict each other or cannot tell.
    pub fn decide(&self) -> Result<Orders, String> {
        let mut out = Orders::default();
        for (i, e) in self.0.iter().enumerate() {
            out.0[i] = match (&e.day_first, &e.month_first, e.seen) {
                (_, _, false) => None,
                (Some(d), Some(m), _) => {
                    return Err(format!(
                        "mixes day-first (`{d}`) and month-first (`{m}`) dates; pass --date-format"
                    ))
                }
                (Some(_), None, _) => Some(DayOrder::DayFirst),
                (None, Some(_), _) => Some(DayOrder::MonthFirst),
                // `31.12.2024` is day-first by universal convention.
                (None, None, true) if SEPARATORS[i] == '.' => Some(DayOrder::DayFirst),
                (None, None, true) => {
                    return Err(format!(
                        "has dates like `1{s}2{s}2024` where day and month cannot be told apart \
                         (no day above 12): pass --dayfirst or --monthfirst",
                        s = SEPARATORS[i]
                    ))
                }
            };
        }
        Ok(out)
    }
}

/// Days since 1970-01-01 of a parsed date.
pub fn epoch_days(d: NaiveDate) -> i32 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch")).num_days() as i32
}

/// Parses one non-empty cell with the column's format into days since the epoch.
pub fn parse(cell: &str, format: &DateFormat) -> Result<i32, String> {
    let date = match format {
        DateFormat::Forced(fmt) => parse_forced(cell.trim(), fmt),
        DateFormat::Auto(order) => parse_auto(cell, *order),
    };
    date.map(epoch_days).ok_or_else(|| {
        let hint = match format {
            DateFormat::Forced(f) => format!("with --date-format `{f}`"),
            DateFormat::Auto(_) => {
                "(expected e.g. 2024-01-31, 20240131, 1/31/2024, 31/01/2024, 31.01.2024 or \
                 Jan 31, 2024; --date-format sets another)"
                    .to_string()
            }
        };
        let cell = cell.trim();
        match two_digit_year(cell) {
            Some(sep) => format!(
                "cannot read `{cell}` as a date: its year has two digits, which could be of any \
                 century; tier reads four-digit years (`02{sep}04{sep}2022`), or give the format, \
                 e.g. --date-format %d{sep}%m{sep}%y"
            ),
            None => format!("cannot read `{cell}` as a date {hint}"),
        }
    })
}

/// The separator of a date like `02/04/22` or `2.4.22`, whose year has two digits.
fn two_digit_year(cell: &str) -> Option<char> {
    let sep = cell.chars().find(|c| matches!(c, '/' | '.' | '-'))?;
    let parts: Vec<&str> = cell.split(sep).collect();
    let digits = |p: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit())
    };
    (parts.len() == 3
        && digits(parts[0], 1..=2)
        && digits(parts[1], 1..=2)
        && digits(parts[2], 2..=2))
    .then_some(sep)
}

fn parse_forced(cell: &str, fmt: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(cell, fmt)
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(cell, fmt)
                .ok()
                .map(|t| t.date())
        })
        .or_else(|| {
            chrono::DateTime::parse_from_str(cell, fmt)
                .ok()
                .map(|t| t.date_naive())
        })
}

fn parse_auto(cell: &str, orders: Orders) -> Option<NaiveDate> {
    let Some(shape) = shape(cell) else {
        let (y, m, d) = named(cell)?;
        return NaiveDate::from_ymd_opt(y, m, d);
    };
    let (y, m, d) = match shape {
        Shape::Compact(y, m, d) | Shape::YearFirst(y, m, d) => (y, m, d),
        Shape::YearLast(a, b, y, sep) => match orders.0[sep_index(sep)]? {
            DayOrder::DayFirst => (y, b, a),
            DayOrder::MonthFirst => (y, a, b),
        },
    };
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Month names (full, in the languages of the exports tier reads); a cell's month word is any
/// unique prefix of three letters or more (`Jan`, `Sept.`, `juil.`, `Dez`), or `mrt`.
const MONTHS: [&[&str]; 12] = [
    &[
        "january", "januar", "jänner", "janvier", "enero", "gennaio", "januari", "janeiro",
    ],
    &[
        "february",
        "februar",
        "février",
        "febrero",
        "febbraio",
        "februari",
        "fevereiro",
    ],
    &["march", "märz", "mars", "marzo", "maart", "mrt", "março"],
    &["april", "avril", "abril", "aprile"],
    &["may", "mai", "mayo", "maggio", "mei", "maio"],
    &["june", "juni", "juin", "junio", "giugno", "junho"],
    &["july", "juli", "juillet", "julio", "luglio", "julho"],
    &["august", "août", "agosto", "augustus"],
    &[
        "september",
        "septembre",
        "septiembre",
        "settembre",
        "setembro",
    ],
    &[
        "october", "oktober", "octobre", "octubre", "ottobre", "outubro",
    ],
    &["november", "novembre", "noviembre", "novembro"],
    &[
        "december",
        "dezember",
        "décembre",
        "diciembre",
        "dicembre",
        "dezembro",
    ],
];

/// The month (1-12) a word names, when exactly one month has a name it starts.
fn month_of(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.chars().count() < 3 || !w.chars().all(char::is_alphabetic) {
        return None;
    }
    let hits: Vec<u32> = (0..12u32)
        .filter(|&m| MONTHS[m as usize].iter().any(|n| n.starts_with(&w)))
        .collect();
    (hits.len() == 1).then(|| hits[0] + 1)
}

/// A date with its month named: `Jan 5, 2024`, `5 Jan 2024`, `05-Jan-2024`, `5. März 2024`,
/// `Fri, 05 Jan 2024 10:00:00 GMT` (a leading weekday and anything after the year are ignored).
/// Four-digit years only: `5-Jan-24` could be any century.
fn named(cell: &str) -> Option<(i32, u32, u32)> {
    let words: Vec<&str> = cell
        .split([' ', '-', ',', '/'])
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty() && !matches!(*w, "de" | "del" | "do" | "da" | "of"))
        .collect();
    let at = words.iter().position(|w| month_of(w).is_some())?;
    let month = month_of(words[at])?;
    let number = |w: &str, max: usize| {
        (w.len() <= max && w.bytes().all(|b| b.is_ascii_digit())).then(|| w.parse::<u32>().ok())?
    };
    let year = |w: &str| (w.len() == 4).then(|| number(w, 4))?;
    // Month first (`Jan 5, 2024`), or day first (`5 Jan 2024`); only a weekday may come before.
    let (day, y) = match (
        at.checked_sub(1).map(|i| words[i]),
        words.get(at + 1),
        words.get(at + 2),
    ) {
        (prev, Some(d), Some(y)) if number(d, 2).is_some() && year(y).is_some() => {
            if prev.is_some_and(|p| at > 1 || p.bytes().any(|b| b.is_ascii_digit())) {
                return None;
            }
            (number(d, 2)?, year(y)?)
        }
        (Some(d), Some(y), _)
            if (at == 1 || (at == 2 && !words[0].bytes().any(|b| b.is_ascii_digit())))
                && number(d, 2).is_some()
                && year(y).is_some() =>
        {
            (number(d, 2)?, year(y)?)
        }
        _ => return None,
    };
    Some((y as i32, month, day))
}

/// Human description of the format, for `--explain`.
pub fn describe(format: &DateFormat) -> String {
    match format {
        DateFormat::Forced(f) => format!("`{f}` (from --date-format)"),
        DateFormat::Auto(orders) => {
            let parts: Vec<String> = orders
                .0
                .iter()
                .zip(SEPARATORS)
                .filter_map(|(o, s)| match o {
                    Some(DayOrder::DayFirst) => Some(format!("day first, D{s}M{s}YYYY")),
                    Some(DayOrder::MonthFirst) => Some(format!("month first, M{s}D{s}YYYY")),
                    None => None,
                })
                .collect();
            if parts.is_empty() {
                "ISO, YYYYMMDD or a named month (detected)".to_string()
            } else {
                format!("{} (detected)", parts.join("; "))
            }
        }
    }
}

/// Renders days since the epoch as an ISO date.
pub fn iso(days: i32) -> String {
    // The civil calendar by arithmetic (H. Hinnant's days-to-date algorithm): the same text as
    // chrono's `%Y-%m-%d`, without parsing a format for each of a million dates in an output.
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if !(0..=9999).contains(&year) {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch");
        return (epoch + chrono::Duration::days(days as i64))
            .format("%Y-%m-%d")
            .to_string();
    }
    let mut b = *b"0000-00-00";
    let digits = |b: &mut [u8], mut v: i64| {
        for c in b.iter_mut().rev() {
            *c = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    digits(&mut b[0..4], year);
    digits(&mut b[5..7], month);
    digits(&mut b[8..10], day);
    String::from_utf8(b.to_vec()).expect("ASCII digits")
}

/// Parses a date given on the command line (`--as-of`, `--since`): ISO or YYYYMMDD.
pub fn parse_flag(s: &str) -> Result<i32, String> {
    parse(s, &DateFormat::Auto(Orders::default()))
        .map_err(|_| format!("`{s}` is not a date like 2024-01-31"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auto(cell: &str, order: Option<DayOrder>) -> Option<String> {
        let orders = order.map_or(Orders::default(), Orders::all);
        parse(cell, &DateFormat::Auto(orders)).ok().map(iso)
    }

    #[test]
    fn reads_the_common_shapes() {
        assert_eq!(auto("2025-10-07", None).unwrap(), "2025-10-07");
        assert_eq!(
            auto("2025-10-07 09:50:26 +0200", None).unwrap(),
            "2025-10-07"
        );
        assert_eq!(auto("2025-10-07T09:50:26Z", None).unwrap(), "2025-10-07");
        assert_eq!(auto("19970101", None).unwrap(), "1997-01-01");
        assert_eq!(
            auto("12/1/2010 8:26", Some(DayOrder::MonthFirst)).unwrap(),
            "2010-12-01"
        );
        assert_eq!(
            auto("12/1/2010", Some(DayOrder::DayFirst)).unwrap(),
            "2010-01-12"
        );
        assert_eq!(
            auto("31.12.2024", Some(DayOrder::DayFirst)).unwrap(),
            "2024-12-31"
        );
    }

    #[test]
    fn rejects_impossible_and_garbled_dates() {
        assert!(auto("2024-02-30", None).is_none());
        assert!(auto("2024-13-01", None).is_none());
        assert!(auto("yesterday", None).is_none());
        assert!(
            auto("1/2/2024", None).is_none(),
            "ambiguous without an order"
        );
    }

    #[test]
    fn the_column_decides_the_order() {
        let mut e = OrderEvidence::default();
        for c in ["1/2/2024", "3/4/2024", "13/4/2024"] {
            e.observe(c);
        }
        let slash = |o: Orders| o.0[0];
        assert_eq!(slash(e.decide().unwrap()), Some(DayOrder::DayFirst));
        let mut e = OrderEvidence::default();
        e.observe("1/2/2024");
        assert!(e.decide().unwrap_err().contains("--dayfirst"));
        e.observe("1/13/2024");
        assert_eq!(slash(e.decide().unwrap()), Some(DayOrder::MonthFirst));
        e.observe("13/1/2024");
        assert!(e.decide().is_err());
        let mut e = OrderEvidence::default();
        e.observe("01.02.2024");
        assert_eq!(e.decide().unwrap().0[2], Some(DayOrder::DayFirst));
    }

    #[test]
    fn each_separator_keeps_its_own_order() {
        let mut e = OrderEvidence::default();
        e.observe("01.02.2024");
        e.observe("1/13/2024");
        let f = DateFormat::Auto(e.decide().unwrap());
        assert_eq!(iso(parse("01.02.2024", &f).unwrap()), "2024-02-01");
        assert_eq!(iso(parse("1/13/2024", &f).unwrap()), "2024-01-13");
        assert_eq!(iso(parse("2/3/2024", &f).unwrap()), "2024-02-03");
    }

    #[test]
    fn forced_formats_and_flags() {
        let f = DateFormat::Forced("%d %b %Y".to_string());
        assert_eq!(iso(parse("07 Oct 2025", &f).unwrap()), "2025-10-07");
        for (cell, want) in [
            ("Jan 5, 2024", "2024-01-05"),
            ("January 5, 2024 10:00 AM", "2024-01-05"),
            ("5-Jan-2024", "2024-01-05"),
            ("Fri, 05 Jan 2024 10:00:00 GMT", "2024-01-05"),
            ("5. März 2024", "2024-03-05"),
            ("12 juil. 2024", "2024-07-12"),
            ("3 de mayo de 2024", "2024-05-03"),
            ("Sept. 30, 2024", "2024-09-30"),
        ] {
            let auto = DateFormat::Auto(Orders::default());
            assert_eq!(parse(cell, &auto).map(iso), Ok(want.to_string()), "{cell}");
        }
        for cell in [
            "5-Jan-24",
            "Jan 2024",
            "jui 5 2024",
            "Feb 30, 2024",
            "2024 Jan 5 6",
        ] {
            assert!(
                parse(cell, &DateFormat::Auto(Orders::default())).is_err(),
                "{cell}"
            );
        }
        assert!(parse_flag("2024-01-31").is_ok());
        assert!(parse_flag("soon").is_err());
    }

    #[test]
    fn iso_dates_are_chronos_text() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        let days = (-800_000..800_000)
            .step_by(997)
            .chain([-719_528, -719_529, 0, 2_932_896]);
        for d in days {
            let want = (epoch + chrono::Duration::days(d as i64))
                .format("%Y-%m-%d")
                .to_string();
            assert_eq!(iso(d), want, "{d}");
        }
    }
}
