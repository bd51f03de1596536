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
    match s.frame()?.collect() {
        Ok(df) => Ok(df),
        Err(_) if !s.precise => {
            s.read_precisely()?;
            Ok(s.frame()?.collect()?)
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

/// One generated row: customer (0: blank), day offset, cents, a note for an unused column.
type Row = (u8, u8, i64, String);

/// A clean export the direct reader must accept: quoted where needed (or always), quotes
/// doubled, optional empty lines, CRLF and BOM, an unused note column full of delimiters.
fn clean_export(rows: &[Row], crlf: bool, bom: bool, quote_all: bool, blanks: &[bool]) -> Vec<u8> {
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut text = String::from(if bom { "\u{feff}" } else { "" });
    text.push_str("Customer ID,Note,Order Date,Amount");
    text.push_str(eol);
    for (i, (c, d, cents, note)) in rows.iter().enumerate() {
        let id = match c {
            0 => "  ".to_string(),
            c if c % 3 == 0 => format!(" C{c}.0 "),
            c => format!("C{c}"),
        };
        let amount = format!(
            "{}{}.{:02}",
            if *cents < 0 { "-" } else { "" },
            cents.abs() / 100,
            cents.abs() % 100
        );
        let date = format!("2024-03-{:02}", 1 + d % 28);
        let cells = [id, note.clone(), date, amount];
        let cells: Vec<String> = cells.iter().map(|c| field(c, ',', quote_all)).collect();
        text.push_str(&cells.join(","));
        text.push_str(eol);
        if blanks.get(i).copied().unwrap_or(false) {
            text.push_str(eol);
        }
    }
    text.into_bytes()
}

fn note() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-z ,;\"]{0,8}").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn the_direct_reader_equals_polars_and_counts_the_same(
        rows in proptest::collection::vec((0u8..6, 0u8..40, -5_000i64..50_000, note()), 1..40),
        blanks in proptest::collection::vec(any::<bool>(), 0..40),
        crlf: bool,
        bom: bool,
        quote_all: bool,
        exclude: bool,
        days: bool,
        grouped: bool,
    ) {
        let bytes = clean_export(&rows, crlf, bom, quote_all, &blanks);
        let file = write_file(&bytes);
        let mut opts = InputOptions {
            files: vec![file.path().display().to_string()],
            returns: if exclude { super::Returns::Exclude } else { super::Returns::Net },
            ..Default::default()
        };
        if grouped {
            opts.columns.insert(super::Role::Group, "Note".into());
        }
        let want = crate::analysis::stage::Want { grouped, days: days && !grouped, quantities: true };
        let polars = scan(&opts).and_then(|mut s| {
            let staged = crate::analysis::stage::run(s.frame()?, want)?;
            s.count_rows()?;
            Ok((staged, s.report))
        });
        let mut s = scan(&opts).unwrap();
        let direct = s.direct_stage(None, None, want).unwrap();
        let Ok((polars, report)) = polars else {
            // Nothing to compare: no customer at all.
            prop_assert!(direct.is_none());
            return Ok(());
        };
        if polars.customers.height() == 0 {
            prop_assert!(direct.is_none());
            return Ok(());
        }
        let direct = direct.expect("a clean export is read directly");
        prop_assert!(direct.customers.equals_missing(&polars.customers), "{:?}\n{:?}", direct.customers, polars.customers);
        if want.days {
            let (a, b) = (direct.days.unwrap(), polars.days.unwrap());
            prop_assert!(a.equals_missing(&b), "{:?}\n{:?}", a, b);
        }
        let counts = |r: &super::LoadReport| (r.rows_read, r.no_customer, r.returns_dropped, r.returns_kept, r.blank_amounts);
        prop_assert_eq!(counts(&s.report), counts(&report));
    }
}
