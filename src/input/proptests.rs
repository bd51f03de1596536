//! Property tests of the input layer: generated exports with random cells, delimiters, quoting,
//! line endings and byte-order marks never panic the reader, every error names a line the file
//! has, and an amount written in any supported notation is read as the same cents, by the fast
//! reader and by the precise one alike.

use super::{scan, InputOptions};
use crate::input::{col, Decimal};
use polars::prelude::*;
use proptest::prelude::*;
use std::io::Write;

/// Reads the canonical transactions as a command does: the fast reader, and on its failure the
/// precise one.
fn read(opts: &InputOptions) -> anyhow::Result<DataFrame> {
    let mut s = scan(opts)?;
    match s.frame.clone().collect() {
        Ok(df) => Ok(df),
        Err(_) if !s.precise => {
            s.read_precisely()?;
            Ok(s.frame.clone().collect()?)
        }
        Err(e) => Err(e.into()),
    }
}

fn write_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    f.write_all(bytes).unwrap();
    f.flush().unwrap();
    f
}

/// Any cell text: printable ASCII, separators, quotes, line breaks, accents, controls, NUL.
fn cell() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[ -~,;|\"\\t\\r\\néü€\\x00\\x1b]{0,12}").unwrap()
}

/// A cell as a CSV writer would put it: quoted when it must be (or always), quotes doubled.
fn field(text: &str, delimiter: char, always: bool) -> String {
    let needs = text.contains([delimiter, '"', '\n', '\r']);
    if always || needs {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn export(rows: &[Vec<String>], delimiter: char, crlf: bool, bom: bool, quote: bool) -> Vec<u8> {
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut text = String::new();
    if bom {
        text.push('\u{feff}');
    }
    let header = ["customer_id", "order_date", "amount"];
    for row in std::iter::once(header.map(String::from).to_vec()).chain(rows.iter().cloned()) {
        let cells: Vec<String> = row.iter().map(|c| field(c, delimiter, quote)).collect();
        text.push_str(&cells.join(&delimiter.to_string()));
        text.push_str(eol);
    }
    text.into_bytes()
}

/// The line numbers an error message names must exist in the file.
fn lines_named_exist(message: &str, bytes: &[u8]) {
    let lines = bytes.split(|&b| b == b'\n').count() as u64;
    for part in message.split("line ").skip(1) {
        let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(n) = digits.parse::<u64>() {
            assert!(
                n >= 1 && n <= lines,
                "error names line {n} of a {lines}-line file: {message}"
            );
        }
    }
}

/// Writes `cents` in one notation; the decimal separator it needs.
fn notation(cents: i64, style: u8) -> (String, Decimal) {
    let neg = cents < 0;
    let units = cents.unsigned_abs() / 100;
    let frac = cents.unsigned_abs() % 100;
    let grouped = |sep: char| {
        let digits = units.to_string();
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(ch);
        }
        out
    };
    let sign = if neg { "-" } else { "" };
    match style % 7 {
        0 => (format!("{sign}{units}.{frac:02}"), Decimal::Point),
        1 => (format!("{sign}{}.{frac:02}", grouped(',')), Decimal::Point),
        2 => (format!("{sign}{},{frac:02}", grouped('.')), Decimal::Comma),
        3 => (format!("{sign}${}.{frac:02}", grouped(',')), Decimal::Point),
        4 => (format!("{sign}{units}.{frac:02} EUR"), Decimal::Point),
        5 if neg => (format!("({}.{frac:02})", grouped(',')), Decimal::Point),
        5 => (format!("{}.{frac:02}", grouped(',')), Decimal::Point),
        _ if neg => (format!("{},{frac:02}-", grouped('.')), Decimal::Comma),
        _ => (format!("{},{frac:02}", grouped('.')), Decimal::Comma),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_exports_never_panic_and_errors_name_real_lines(
        rows in proptest::collection::vec(proptest::collection::vec(cell(), 1..5), 1..8),
        delimiter in prop::sample::select(vec![',', ';', '\t', '|']),
        crlf: bool,
        bom: bool,
        quote: bool,
    ) {
        let bytes = export(&rows, delimiter, crlf, bom, quote);
        let file = write_file(&bytes);
        let opts = InputOptions {
            files: vec![file.path().display().to_string()],
            ..Default::default()
        };
        if let Err(e) = read(&opts) {
            lines_named_exist(&crate::error::one_line(&e), &bytes);
        }
    }

    #[test]
    fn amounts_read_as_the_same_cents_in_every_notation(
        values in proptest::collection::vec(-99_999_999_999i64..99_999_999_999, 1..20),
        style in 0u8..7,
        delimiter in prop::sample::select(vec![',', ';', '\t']),
        crlf: bool,
        quote: bool,
    ) {
        let mut decimal = Decimal::Point;
        let rows: Vec<Vec<String>> = values
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let (text, d) = notation(c, style);
                decimal = d;
                vec![format!("C{i}"), "2024-03-05".to_string(), text]
            })
            .collect();
        let bytes = export(&rows, delimiter, crlf, false, quote);
        let file = write_file(&bytes);
        let opts = InputOptions {
            files: vec![file.path().display().to_string()],
            decimal: Some(decimal),
            ..Default::default()
        };
        let df = read(&opts).unwrap();
        let got: Vec<i64> = df.column(col::AMOUNT).unwrap().i64().unwrap().into_no_null_iter().collect();
        prop_assert_eq!(got, values);
    }
}
