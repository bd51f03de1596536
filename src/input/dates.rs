//! Date cells of real exports into days: shape detection, day/month order decided by the whole
//! column, and strict parsing. Knows nothing of files or rows; callers add the place to errors.

use chrono::NaiveDate;

/// How the day and month of `a/b/YYYY`-shaped dates are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOrder {
    DayFirst,
    MonthFirst,
}

/// The date format of a column: automatic (with an order for ambiguous `a/b/YYYY` cells) or a
/// chrono format string forced by `--date-format`.
#[derive(Debug, Clone)]
pub enum DateFormat {
    Auto(Option<DayOrder>),
    Forced(String),
}

/// Evidence gathered over a column to decide the day/month order of `a/b/YYYY` cells.
#[derive(Debug, Default, Clone)]
pub struct OrderEvidence {
    /// First cell whose first number is above 12 (so the first number is the day).
    pub day_first: Option<String>,
    /// First cell whose second number is above 12 (so the first number is the month).
    pub month_first: Option<String>,
    /// Whether any `a/b/YYYY` cell was seen, and its separator.
    pub seen_sep: Option<char>,
}

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
            self.seen_sep.get_or_insert(sep);
            if a > 12 && self.day_first.is_none() {
                self.day_first = Some(cell.trim().to_string());
            }
            if b > 12 && self.month_first.is_none() {
                self.month_first = Some(cell.trim().to_string());
            }
        }
    }

    /// The order the column shows, `Ok(None)` when it has no `a/b/YYYY` cells, an error when the
    /// cells contradict each other or cannot tell.
    pub fn decide(&self) -> Result<Option<DayOrder>, String> {
        match (&self.day_first, &self.month_first, self.seen_sep) {
            (_, _, None) => Ok(None),
            (Some(d), Some(m), _) => Err(format!(
                "mixes day-first (`{d}`) and month-first (`{m}`) dates; pass --date-format"
            )),
            (Some(_), None, _) => Ok(Some(DayOrder::DayFirst)),
            (None, Some(_), _) => Ok(Some(DayOrder::MonthFirst)),
            // `31.12.2024` is day-first by universal convention.
            (None, None, Some('.')) => Ok(Some(DayOrder::DayFirst)),
            (None, None, Some(_)) => Err(
                "has dates like `1/2/2024` where day and month cannot be told apart \
                 (no day above 12): pass --dayfirst or --monthfirst"
                    .to_string(),
            ),
        }
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
                "(expected e.g. 2024-01-31, 20240131, 1/31/2024, 31/01/2024 or 31.01.2024; \
                 --date-format sets another)"
                    .to_string()
            }
        };
        format!("cannot read `{}` as a date {hint}", cell.trim())
    })
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

fn parse_auto(cell: &str, order: Option<DayOrder>) -> Option<NaiveDate> {
    let (y, m, d) = match shape(cell)? {
        Shape::Compact(y, m, d) | Shape::YearFirst(y, m, d) => (y, m, d),
        Shape::YearLast(a, b, y, _) => match order? {
            DayOrder::DayFirst => (y, b, a),
            DayOrder::MonthFirst => (y, a, b),
        },
    };
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Human description of the format, for `--explain`.
pub fn describe(format: &DateFormat) -> String {
    match format {
        DateFormat::Forced(f) => format!("`{f}` (from --date-format)"),
        DateFormat::Auto(None) => "ISO or YYYYMMDD (detected)".to_string(),
        DateFormat::Auto(Some(DayOrder::DayFirst)) => "day first, D/M/YYYY (detected)".to_string(),
        DateFormat::Auto(Some(DayOrder::MonthFirst)) => {
            "month first, M/D/YYYY (detected)".to_string()
        }
    }
}

/// Renders days since the epoch as an ISO date.
pub fn iso(days: i32) -> String {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch");
    (epoch + chrono::Duration::days(days as i64))
        .format("%Y-%m-%d")
        .to_string()
}

/// Parses a date given on the command line (`--as-of`, `--since`): ISO or YYYYMMDD.
pub fn parse_flag(s: &str) -> Result<i32, String> {
    parse(s, &DateFormat::Auto(None)).map_err(|_| format!("`{s}` is not a date like 2024-01-31"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auto(cell: &str, order: Option<DayOrder>) -> Option<String> {
        parse(cell, &DateFormat::Auto(order)).ok().map(iso)
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
        assert_eq!(e.decide().unwrap(), Some(DayOrder::DayFirst));
        let mut e = OrderEvidence::default();
        e.observe("1/2/2024");
        assert!(e.decide().unwrap_err().contains("--dayfirst"));
        e.observe("1/13/2024");
        assert_eq!(e.decide().unwrap(), Some(DayOrder::MonthFirst));
        e.observe("13/1/2024");
        assert!(e.decide().is_err());
        let mut e = OrderEvidence::default();
        e.observe("01.02.2024");
        assert_eq!(e.decide().unwrap(), Some(DayOrder::DayFirst));
    }

    #[test]
    fn forced_formats_and_flags() {
        let f = DateFormat::Forced("%d %b %Y".to_string());
        assert_eq!(iso(parse("07 Oct 2025", &f).unwrap()), "2025-10-07");
        assert!(parse_flag("2024-01-31").is_ok());
        assert!(parse_flag("soon").is_err());
    }
}
