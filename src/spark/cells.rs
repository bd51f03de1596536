//! Spark SQL expressions that read one cell as tier reads it (`input::cells`): trimmed text,
//! customer ids, dates by the decided format, numbers by the decided separator, exact to the
//! cent. Each gives NULL for a cell it cannot read, which the job counts and fails on.

use crate::input::{DateFormat, DayOrder, Decimal};

/// A Spark SQL string literal (backslashes and quotes escaped).
pub fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// A column reference.
pub fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// The trimmed text of a source column ('' for a missing cell); Unicode white space, as Rust's
/// `trim`.
pub fn text(column: &str) -> String {
    let x = format!("coalesce(CAST({} AS STRING), '')", ident(column));
    format!(
        "CASE WHEN {x} RLIKE {} THEN regexp_replace({x}, {}, '') ELSE {x} END",
        lit(r"(?U)^\s|\s$"),
        lit(r"(?U)^\s+|\s+$")
    )
}

/// Whether trimmed text `t` holds a NUL byte (never data).
pub fn has_nul(t: &str) -> String {
    format!("instr({t}, chr(0)) > 0")
}

/// A customer id from trimmed text `t`: NULL when blank, `17850.0` as `17850`, non-ASCII text
/// through `tier_nfc` (Unicode NFC) when `nfc`, else as is (the caller counts it as unreadable).
pub fn customer(t: &str, nfc: bool) -> String {
    let id = format!("regexp_replace({t}, {}, '$1')", lit(r"^([0-9]+)\.0*$"));
    let id = if nfc {
        format!(
            "CASE WHEN {t} RLIKE {} THEN tier_nfc({id}) ELSE {id} END",
            lit(r"[^\x00-\x7F]")
        )
    } else {
        id
    };
    format!("CASE WHEN {t} = '' THEN NULL ELSE {id} END")
}

/// Whether an id needs Unicode normalisation, which Spark SQL lacks.
pub fn non_ascii(t: &str) -> String {
    format!("{t} RLIKE {}", lit(r"[^\x00-\x7F]"))
}

/// A date from a typed (date or timestamp) column.
pub fn typed_date(column: &str) -> String {
    format!("CAST({} AS DATE)", ident(column))
}

/// The date part of trimmed text `t` (before a time of day), for [`date`] as `date_p`.
pub fn date_part(t: &str) -> String {
    format!("regexp_extract({t}, {}, 1)", lit(r"^([^ T]*)"))
}

/// The numbers of a date part `p` split at its separators, for [`date`] as `date_s`.
pub fn date_split(p: &str) -> String {
    format!("split({p}, {})", lit(r"[-/.]"))
}

/// A date from trimmed text `t` by the column's format; NULL when the cell is not one. An
/// automatic format reads the columns `date_p` and `date_s` ([`date_part`], [`date_split`]).
pub fn date(t: &str, format: &DateFormat) -> Result<String, String> {
    match format {
        DateFormat::Forced(f) => Ok(format!(
            "to_date(try_to_timestamp({t}, {}))",
            lit(&java_pattern(f)?)
        )),
        DateFormat::Auto(orders) => {
            let part = "date_p";
            let ymd = |y: &str, m: &str, d: &str| {
                format!(
                    "try_cast(concat(lpad({y}, 4, '0'), '-', lpad({m}, 2, '0'), '-', lpad({d}, 2, '0')) AS DATE)"
                )
            };
            let at = |i: i32| format!("element_at(date_s, {i})");
            let mut arms = vec![
                // The common case first: an ISO date reads as Spark reads it.
                format!(
                    "WHEN {part} RLIKE {} THEN try_cast({part} AS DATE)",
                    lit(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
                ),
                format!(
                    "WHEN {part} RLIKE {} THEN {}",
                    lit(r"^[0-9]{8}$"),
                    ymd(
                        &format!("substr({part}, 1, 4)"),
                        &format!("substr({part}, 5, 2)"),
                        &format!("substr({part}, 7, 2)")
                    )
                ),
                format!(
                    "WHEN {part} RLIKE {} THEN {}",
                    lit(r"^[0-9]{4}([-/.])[0-9]{1,2}\1[0-9]{1,2}$"),
                    ymd(&at(1), &at(2), &at(3))
                ),
            ];
            for (order, sep) in orders.0.iter().zip(crate::input::DATE_SEPARATORS) {
                let Some(order) = order else { continue };
                let shape = format!(r"^[0-9]{{1,2}}\{sep}[0-9]{{1,2}}\{sep}[0-9]{{4}}$");
                let (m, d) = match order {
                    DayOrder::DayFirst => (at(2), at(1)),
                    DayOrder::MonthFirst => (at(1), at(2)),
                };
                arms.push(format!(
                    "WHEN {part} RLIKE {} THEN {}",
                    lit(&shape),
                    ymd(&at(3), &m, &d)
                ));
            }
            Ok(format!("CASE {} ELSE NULL END", arms.join(" ")))
        }
    }
}

/// A chrono date format as a Spark (java.time) pattern; formats with parts Spark reads
/// otherwise are refused.
fn java_pattern(f: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut literal = String::new();
    let flush = |literal: &mut String, out: &mut String| {
        if !literal.is_empty() {
            out.push('\'');
            out.push_str(&literal.replace('\'', "''"));
            out.push('\'');
            literal.clear();
        }
    };
    let mut chars = f.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            literal.push(c);
            continue;
        }
        let spec = chars.next().unwrap_or('%');
        let java = match spec {
            'Y' => "yyyy",
            'm' => "M",
            'd' | 'e' => "d",
            'b' | 'h' => "MMM",
            'B' => "MMMM",
            'H' => "H",
            'M' => "m",
            'S' => "s",
            '%' => {
                literal.push('%');
                continue;
            }
            other => {
                return Err(format!(
                    "the date format `{f}` has `%{other}`, which the Spark job cannot read the \
                     same way (it reads %Y %m %d %e %b %B %H %M %S)"
                ))
            }
        };
        flush(&mut literal, &mut out);
        out.push_str(java);
    }
    flush(&mut literal, &mut out);
    Ok(out)
}

/// The currency symbols tier strips (`input::numbers`).
const SYMBOLS: &str = "$€£¥₹₩₽₺₪₫฿₴₦¢₱";

/// Strips currency markers (symbols, a three-letter code or `kr`) from both ends of `x`.
fn currency(x: &str) -> String {
    let sp = r"[\s\x{a0}\x{202f}]*";
    let sym = format!("[{}]*", regex_class(SYMBOLS));
    let lead = format!("^{sp}{sym}{sp}(?:[A-Z]{{3}}|kr)?{sp}");
    let tail = format!("{sp}(?:[A-Z]{{3}}|kr)?{sp}{sym}{sp}$");
    format!(
        "regexp_replace(regexp_replace({x}, {}, ''), {}, '')",
        lit(&format!("(?U){lead}")),
        lit(&format!("(?U){tail}"))
    )
}

/// Characters for a regex class, with `$` escaped.
fn regex_class(chars: &str) -> String {
    chars.replace('$', r"\$")
}

/// The parts of a number cell as SQL, named after a prefix: `p` its sign markers stripped one
/// by one (as `input::numbers::sign_and_body`), `body` what is left, `signs` how many markers.
pub struct NumberParts {
    /// Columns to select, in order: each may use the ones before (as `prefix_name`).
    pub steps: Vec<(String, String)>,
    /// The number, DECIMAL(38,18), or NULL when the cell is not one; 0 when blank.
    pub value: String,
}

/// A number from trimmed text `t` (a column named `{prefix}_t`), by its decimal separator;
/// when the separator was only `assumed`, a cell that reads either way (`1.500`) is none, as
/// tier refuses it.
pub fn number(prefix: &str, t: &str, decimal: Option<Decimal>, assumed: bool) -> NumberParts {
    let n = |s: &str| format!("{prefix}_{s}");
    let comma = decimal == Some(Decimal::Comma);
    // The common case in one test: an optional `-`, digits, and decimals after the separator
    // (as `input::numbers::plain`); the steps below are computed for the other cells only.
    let plain_re = if comma {
        r"^-?[0-9]{1,13}(?:,[0-9]{1,18})?$"
    } else {
        r"^-?[0-9]{1,13}(?:\.[0-9]{1,18})?$"
    };
    let is_plain = n("plain");
    let mut steps = vec![(is_plain.clone(), format!("{t} RLIKE {}", lit(plain_re)))];
    let mut step = |name: &str, sql: String| {
        steps.push((
            n(name),
            format!("CASE WHEN {is_plain} THEN NULL ELSE {sql} END"),
        ));
        n(name)
    };
    let paren = format!("{t} RLIKE {}", lit(r"^\(.*\)$"));
    let s1 = step(
        "s1",
        format!("CASE WHEN {paren} THEN substr({t}, 2, length({t}) - 2) ELSE {t} END"),
    );
    let s2 = step("s2", currency(&s1));
    let strip = |x: &str, re: &str| format!("regexp_replace({x}, {}, '')", lit(re));
    let has = |x: &str, re: &str| format!("CAST({x} RLIKE {} AS INT)", lit(re));
    let a = step("a", strip(&s2, "^-"));
    let b = step("b", strip(&a, "-$"));
    let c = step("c", strip(&b, "^\u{2212}"));
    let d = step("d", strip(&c, "\u{2212}$"));
    let signs = step(
        "signs",
        format!(
            "CAST({paren} AS INT) + {} + {} + {} + {}",
            has(&s2, "^-"),
            has(&a, "-$"),
            has(&b, "^\u{2212}"),
            has(&c, "\u{2212}$")
        ),
    );
    let body = step("body", currency(&strip(&d, r"^\+")));
    let (dec, group) = match decimal.unwrap_or(Decimal::Point) {
        Decimal::Point => (r"\.", ","),
        Decimal::Comma => (",", r"\."),
    };
    let grouped = format!(
        r"^(?:[0-9]{{1,3}}(?:[{group}'\s\x{{a0}}\x{{202f}}][0-9]{{3}})+|[0-9]*)(?:{dec}[0-9]+)?$"
    );
    let exponent = format!(r"^(?:[0-9]+(?:{dec}[0-9]+)?|{dec}[0-9]+)[eE][+-]?[0-9]{{1,9}}$");
    let plain = format!(
        "regexp_replace(regexp_replace({body}, {}, ''), {}, '.')",
        lit(&format!(r"(?U)[{group}'\s\x{{a0}}\x{{202f}}]")),
        lit(dec)
    );
    let magnitude = format!("try_cast({plain} AS DECIMAL(38,18))");
    // Before the plain case, as tier refuses `1.500` before reading it (`compose::number`).
    let either = if assumed {
        format!(
            "WHEN coalesce({body}, {t}) RLIKE {} THEN NULL ",
            lit(r"(?U)^-?[0-9'\s\x{a0}\x{202f}]*[.,][0-9]{3}$")
        )
    } else {
        String::new()
    };
    let fast = if comma {
        format!("try_cast(replace({t}, ',', '.') AS DECIMAL(38,18))")
    } else {
        format!("try_cast({t} AS DECIMAL(38,18))")
    };
    let value = format!(
        "CASE WHEN {t} = '' THEN CAST(0 AS DECIMAL(38,18)) {either}WHEN {is_plain} THEN {fast} \
         WHEN {signs} > 1 THEN NULL \
         WHEN NOT ({body} RLIKE '[0-9]') THEN NULL \
         WHEN NOT ((({body} RLIKE {}) OR ({body} RLIKE {}))) THEN NULL \
         WHEN abs({magnitude}) > 10000000000000 THEN NULL \
         WHEN {signs} = 1 THEN -{magnitude} ELSE {magnitude} END",
        lit(&format!("(?U){grouped}")),
        lit(&exponent)
    );
    NumberParts { steps, value }
}

/// Cents of a number (DECIMAL), rounded half away from zero.
pub fn cents(value: &str) -> String {
    format!("CAST(round({value}, 2) * 100 AS BIGINT)")
}

/// Cents of a product of two numbers, and whether it is exact: each factor must fit
/// DECIMAL(18,6) (below a trillion, at most 6 decimals), so that the product's 12 decimals are
/// all kept before it is rounded to the cent.
pub fn product_cents(a: &str, b: &str) -> (String, String) {
    let narrow = |x: &str| format!("try_cast({x} AS DECIMAL(18,6))");
    let fits = |x: &str| format!("coalesce({x} = {}, false)", narrow(x));
    (
        cents(&format!("({} * {})", narrow(a), narrow(b))),
        format!("({} AND {})", fits(a), fits(b)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_names_are_escaped() {
        assert_eq!(lit(r"it's a \d"), r"'it\'s a \\d'");
        assert_eq!(ident("Order `Date`"), "`Order ``Date```");
    }

    #[test]
    fn chrono_formats_become_java_patterns_or_are_refused() {
        assert_eq!(java_pattern("%d.%m.%Y").unwrap(), "d'.'M'.'yyyy");
        assert_eq!(
            java_pattern("%d %b %Y %H:%M").unwrap(),
            "d' 'MMM' 'yyyy' 'H':'m"
        );
        assert_eq!(
            java_pattern("%Y-%m-%dT%H:%M:%S").unwrap(),
            "yyyy'-'M'-'d'T'H':'m':'s"
        );
        let err = java_pattern("%d/%m/%y").unwrap_err();
        assert!(err.contains("`%y`"), "{err}");
    }

    #[test]
    fn a_number_takes_its_steps_in_order() {
        let n = number("amount", "amount_t", Some(Decimal::Comma), true);
        let names: Vec<&str> = n.steps.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(
            names,
            [
                "amount_plain",
                "amount_s1",
                "amount_s2",
                "amount_a",
                "amount_b",
                "amount_c",
                "amount_d",
                "amount_signs",
                "amount_body"
            ]
        );
        // Each step uses only the ones before it.
        for (i, (_, sql)) in n.steps.iter().enumerate() {
            for (later, _) in &n.steps[i + 1..] {
                assert!(!sql.contains(later.as_str()), "{sql} uses {later}");
            }
        }
        assert!(n.value.contains("THEN NULL"), "an ambiguous cell is none");
    }
}
