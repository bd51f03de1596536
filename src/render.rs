//! The one renderer: a DataFrame (or serialisable summary) to any writer as a table, CSV, TSV,
//! JSON, NDJSON or Parquet. Machine formats are never localised: `.` decimals, ISO dates, no
//! thousands separators. Knows nothing about which analysis made the frame. Tables show control
//! characters escaped (a cell cannot drive the terminal); CSV keeps cells as they are unless the
//! user asks for spreadsheet-safe text. No frame with a NaN or infinite number is ever written.
//! Money has one text form: exactly two decimals (`86503.30`) in tables, CSV, TSV, HTML and the
//! `metric,value` rows of summaries; JSON and Parquet carry it as a number. A column holds money
//! when its name says so ([`is_money`]), the one naming rule every analysis follows.

use anyhow::{bail, Result};
use comfy_table::{presets, CellAlignment, ContentArrangement, Table};
use polars::prelude::*;
use serde::Serialize;
use std::borrow::Cow;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use unicode_width::UnicodeWidthStr;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Tsv,
    Json,
    Ndjson,
    Parquet,
    /// An Excel workbook (one sheet per table).
    Xlsx,
}

impl Format {
    /// The format a file extension implies.
    pub fn from_extension(ext: &str) -> Option<Format> {
        Some(match ext.to_ascii_lowercase().as_str() {
            "csv" => Format::Csv,
            "tsv" | "tab" => Format::Tsv,
            "json" => Format::Json,
            "ndjson" | "jsonl" => Format::Ndjson,
            "parquet" | "pq" => Format::Parquet,
            "xlsx" => Format::Xlsx,
            "txt" => Format::Table,
            _ => return None,
        })
    }
}

static SPREADSHEET_SAFE: AtomicBool = AtomicBool::new(false);

/// Whether the `value` columns hold money (false when `classify --by` ranks by quantity or
/// purchases).
static VALUE_IS_MONEY: AtomicBool = AtomicBool::new(true);

/// Records, once at start-up, whether this run's `value` columns hold money.
pub fn set_value_is_money(on: bool) {
    VALUE_IS_MONEY.store(on, Ordering::Relaxed);
}

/// Names of money columns that are not `value`-like: spend, revenue, lifetime value, changes.
const MONEY: &[&str] = &[
    "monetary",
    "clv",
    "expected_spend",
    "fallback_spend",
    "revenue",
    "revenue_lost",
    "previous",
    "change",
    "change_yoy",
    "year_before",
    "now",
    "last_12_months",
    "previous_12_months",
    "net_profit",
    "average_order_value",
    "avg_order_value",
    "value_to_date",
];

/// Whether a column (or a summary key) of this name holds money: `value`, `value_*` and
/// `*_value` (but not the shares and rates `value_share`, `value_retention`), and the names in
/// [`MONEY`]. Every analysis names its columns by this rule; a test checks every command's output.
pub fn is_money(name: &str) -> bool {
    if MONEY.contains(&name) {
        return true;
    }
    let value_like = name == "value"
        || (name.starts_with("value_") && !matches!(name, "value_share" | "value_retention"))
        || name.ends_with("_value");
    // A count of customers is a count, whatever it counts (`customers_without_value`).
    let count = name.starts_with("customers");
    value_like && !count && VALUE_IS_MONEY.load(Ordering::Relaxed)
}

/// Money as text: exactly two decimals, and never `-0.00`.
pub fn money_text(x: f64) -> String {
    let cents = (x * 100.0).round();
    if cents == 0.0 {
        "0.00".into()
    } else {
        format!("{:.2}", cents / 100.0)
    }
}

/// The terminal the tables go to (columns, rows), when they go to one, and `--all`.
static TERMINAL: std::sync::Mutex<Option<(u16, u16, bool)>> = std::sync::Mutex::new(None);

/// Records, once at start-up, that tables go to a terminal of this size: they are fitted to its
/// width, and only as many rows as fit are shown (with a count of the rest) unless `all`.
pub fn set_terminal(size: Option<(u16, u16)>, all: bool) {
    *TERMINAL.lock().unwrap_or_else(|e| e.into_inner()) = size.map(|(w, h)| (w, h, all));
}

fn terminal() -> Option<(u16, u16, bool)> {
    *TERMINAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Records `--spreadsheet-safe` once, at start-up: text cells of CSV/TSV output that a spreadsheet
/// would run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) get a `'`
/// in front.
pub fn set_spreadsheet_safe(on: bool) {
    SPREADSHEET_SAFE.store(on, Ordering::Relaxed);
}

/// Text with control characters (C0, DEL, C1) and bidirectional overrides shown as escapes
/// (`\x1b`, `\u{202e}`), so that a cell or a message cannot move the cursor, retitle the window or
/// reorder what a person reads.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    let bad = |c: char| {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            c if !bad(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// Whether a text cell starts like a spreadsheet formula.
fn formula_like(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A text cell for a spreadsheet: a formula-like start is defused with a leading `'`.
#[cfg(test)]
fn spreadsheet_text(s: String) -> String {
    if formula_like(&s) {
        format!("'{s}")
    } else {
        s
    }
}

/// Refuses a frame with NaN or infinite numbers: such a number is never a result.
fn check_finite(df: &DataFrame) -> Result<()> {
    for c in df.columns() {
        let bad = match c.dtype() {
            DataType::Float64 => c
                .f64()?
                .iter()
                .position(|v| v.is_some_and(|f| !f.is_finite())),
            DataType::Float32 => c
                .f32()?
                .iter()
                .position(|v| v.is_some_and(|f| !f.is_finite())),
            _ => None,
        };
        if let Some(row) = bad {
            let who = df
                .column(crate::input::col::CUSTOMER)
                .ok()
                .and_then(|k| k.get(row).ok())
                .map(|v| format!(" (customer {})", cell_text(&v)))
                .unwrap_or_default();
            bail!(
                "column `{}` has no finite value in row {}{who}: nothing was written; please report this input",
                c.name(),
                row + 1
            );
        }
    }
    Ok(())
}

/// A cell as display text: empty for null, ISO for dates, shortest round-trip for floats.
fn cell_text(v: &AnyValue) -> String {
    match v {
        AnyValue::Null => String::new(),
        AnyValue::String(s) => s.to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        AnyValue::Date(d) => crate::input::iso_date(*d),
        AnyValue::Float64(f) => f.to_string(),
        AnyValue::Float32(f) => f.to_string(),
        other => other.to_string(),
    }
}

/// A cell of column `name` as display text: money with two decimals, the rest as [`cell_text`].
fn cell_text_of(name: &str, v: &AnyValue) -> String {
    cell_text_as(v.is_primitive_numeric() && is_money(name), v)
}

/// The text of a cell of a column known to hold money, or not.
fn cell_text_as(money: bool, v: &AnyValue) -> String {
    if money && v.is_primitive_numeric() {
        if let Some(x) = v.extract::<f64>() {
            return money_text(x);
        }
    }
    cell_text(v)
}

/// The text of cell `row` of column `c`.
fn column_text(c: &Column, row: usize) -> String {
    cell_text_of(c.name(), &c.get(row).unwrap_or(AnyValue::Null))
}

fn cell_json(v: &AnyValue) -> serde_json::Value {
    use serde_json::Value;
    match v {
        AnyValue::Null => Value::Null,
        AnyValue::Boolean(b) => Value::Bool(*b),
        AnyValue::Float64(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        AnyValue::Float32(f) => {
            serde_json::Number::from_f64(*f as f64).map_or(Value::Null, Value::Number)
        }
        v if v.is_integer() => v
            .extract::<i64>()
            .map_or(Value::Null, |i| Value::Number(i.into())),
        v => Value::String(cell_text(v)),
    }
}

/// Writes a frame in `format`.
pub fn frame(df: &mut DataFrame, format: Format, w: &mut dyn Write) -> Result<()> {
    frame_keeping(df, &[], format, w)
}

/// Writes a frame in `format`; a table too wide for the terminal keeps the `keep` columns (the
/// answer of the command) before the others.
pub fn frame_keeping(
    df: &mut DataFrame,
    keep: &[&str],
    format: Format,
    w: &mut dyn Write,
) -> Result<()> {
    df.rechunk_mut();
    check_finite(df)?;
    match format {
        Format::Table => table(df, keep, w),
        Format::Csv => delimited(df, b',', w),
        Format::Tsv => delimited(df, b'\t', w),
        Format::Json => json_rows(df, w),
        Format::Ndjson => ndjson_rows(df, w),
        Format::Parquet => {
            ParquetWriter::new(w).finish(df)?;
            Ok(())
        }
        Format::Xlsx => crate::xlsx::write(&[("data", df)], w),
    }
}

/// The cells of `rows` rows as display text, per column (header first).
fn texts(df: &DataFrame, rows: usize) -> Vec<Vec<String>> {
    df.columns()
        .iter()
        .map(|c| {
            std::iter::once(escape_controls(c.name()).into_owned())
                .chain((0..rows).map(|r| escape_controls(&column_text(c, r)).into_owned()))
                .collect()
        })
        .collect()
}

/// Which columns fit in `width` characters of table (borders and padding included), in frame
/// order: the first (the id) always, then the `keep` columns that fit, then the others that fit,
/// in order.
fn columns_that_fit(cells: &[Vec<String>], width: usize, keep: &[&str]) -> Vec<usize> {
    let widths: Vec<usize> = cells
        .iter()
        .map(|col| col.iter().map(|t| t.width()).max().unwrap_or(0) + 3)
        .collect();
    let Some(&first) = widths.first() else {
        return Vec::new();
    };
    let mut chosen = vec![0];
    let mut used = 1 + first;
    let kept = keep
        .iter()
        .filter_map(|k| cells.iter().position(|c| c[0] == *k));
    for i in kept.chain(1..cells.len()) {
        if !chosen.contains(&i) && used + widths[i] <= width {
            used += widths[i];
            chosen.push(i);
        }
    }
    chosen.sort_unstable();
    chosen
}

/// `text` broken at spaces into lines of at most `width` characters (a longer word stays whole),
/// lines after the first indented by two spaces.
pub fn wrap(text: &str, width: usize) -> String {
    wrap_after(text, width, 0, 2)
}

/// [`wrap`] for text that starts at column `start`, continuation lines indented by `indent`.
fn wrap_after(text: &str, width: usize, start: usize, indent: usize) -> String {
    let mut out = String::new();
    let mut line = start;
    for (i, word) in text.split(' ').enumerate() {
        let n = word.width();
        if i > 0 && line + 1 + n > width {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            line = indent;
        } else if i > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += n;
    }
    out
}

fn table(df: &DataFrame, keep: &[&str], w: &mut dyn Write) -> Result<()> {
    let screen = terminal();
    let rows = match screen {
        // Room for the header, the borders, the lines that count what is hidden and a few notes.
        Some((_, height, false)) => df.height().min((height as usize).saturating_sub(12).max(5)),
        _ => df.height(),
    };
    let cells = texts(df, rows);
    let cols = match screen {
        Some((width, _, _)) => columns_that_fit(&cells, width as usize, keep),
        None => (0..cells.len()).collect(),
    };
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    t.force_no_tty();
    t.set_header(cols.iter().map(|&c| cells[c][0].clone()));
    (1..=rows).for_each(|r| {
        t.add_row(cols.iter().map(|&c| cells[c][r].clone()));
    });
    for (shown, &i) in cols.iter().enumerate() {
        if df.columns()[i].dtype().is_primitive_numeric() {
            if let Some(column) = t.column_mut(shown) {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    writeln!(w, "{t}")?;
    let fit = |text: String| match screen {
        Some((width, _, _)) => wrap(&text, width as usize),
        None => text,
    };
    if rows < df.height() {
        writeln!(
            w,
            "{}",
            fit(format!(
                "… {} more rows (--all shows every row; a pipe or -o gets them all)",
                df.height() - rows
            ))
        )?;
    }
    if cols.len() < cells.len() {
        let hidden: Vec<&str> = (0..cells.len())
            .filter(|i| !cols.contains(i))
            .map(|i| cells[i][0].as_str())
            .collect();
        writeln!(
            w,
            "{}",
            fit(format!(
                "… {} more column{}: {} (a wider terminal, a pipe or -o shows {})",
                hidden.len(),
                if hidden.len() == 1 { "" } else { "s" },
                hidden.join(", "),
                if hidden.len() == 1 { "it" } else { "them" }
            ))
        )?;
    }
    Ok(())
}

fn delimited(df: &DataFrame, delimiter: u8, w: &mut dyn Write) -> Result<()> {
    let mut out = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(w);
    out.write_record(df.get_column_names().iter().map(|s| s.as_str()))?;
    let safe = SPREADSHEET_SAFE.load(Ordering::Relaxed);
    // Each column's reader and whether it holds money, decided once rather than for every cell.
    let columns = df
        .columns()
        .iter()
        .map(|c| Typed::of(c, is_money(c.name())))
        .collect::<Result<Vec<_>>>()?;
    let mut text = String::new();
    for row in 0..df.height() {
        for c in &columns {
            text.clear();
            c.write(row, &mut text);
            if safe && c.is_text() && formula_like(&text) {
                text.insert(0, '\'');
            }
            out.write_field(text.as_bytes())?;
        }
        out.write_record(None::<&[u8]>)?;
    }
    out.flush()?;
    Ok(())
}

/// One column read by its type for writing text: the common types straight from their arrays
/// (on a million rows, going through `AnyValue` for every cell was most of the writing), any
/// other through `cell_text_as`. The text is the same either way.
enum Typed {
    Text(StringChunked),
    Int(Int64Chunked, bool),
    Float(Float64Chunked, bool),
    Date(Int32Chunked),
    Other(Column, bool),
}

impl Typed {
    fn of(c: &Column, money: bool) -> Result<Typed> {
        let s = c.as_materialized_series().rechunk();
        Ok(match s.dtype() {
            DataType::String => Typed::Text(s.str()?.clone()),
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32 => Typed::Int(s.cast(&DataType::Int64)?.i64()?.clone(), money),
            DataType::Float64 => Typed::Float(s.f64()?.clone(), money),
            DataType::Date => Typed::Date(s.date()?.physical().clone()),
            _ => Typed::Other(s.into_column(), money),
        })
    }

    fn is_text(&self) -> bool {
        matches!(self, Typed::Text(_))
    }

    fn write(&self, row: usize, out: &mut String) {
        use std::fmt::Write as _;
        match self {
            Typed::Text(ca) => out.push_str(ca.get(row).unwrap_or("")),
            Typed::Int(ca, money) => match ca.get(row) {
                Some(v) if *money => out.push_str(&money_text(v as f64)),
                Some(v) => {
                    let _ = write!(out, "{v}");
                }
                None => {}
            },
            Typed::Float(ca, money) => match ca.get(row) {
                Some(v) if *money => out.push_str(&money_text(v)),
                Some(v) => {
                    let _ = write!(out, "{v}");
                }
                None => {}
            },
            Typed::Date(ca) => {
                if let Some(d) = ca.get(row) {
                    out.push_str(&crate::input::iso_date(d));
                }
            }
            Typed::Other(c, money) => {
                out.push_str(&cell_text_as(*money, &c.get(row).unwrap_or(AnyValue::Null)))
            }
        }
    }
}

fn row_object(df: &DataFrame, row: usize) -> serde_json::Map<String, serde_json::Value> {
    df.columns()
        .iter()
        .map(|c| {
            (
                c.name().to_string(),
                cell_json(&c.get(row).unwrap_or(AnyValue::Null)),
            )
        })
        .collect()
}

/// A frame as a JSON array of row objects, for embedding in a larger document.
pub fn frame_json(df: &DataFrame) -> serde_json::Value {
    serde_json::Value::Array(
        (0..df.height())
            .map(|r| serde_json::Value::Object(row_object(df, r)))
            .collect(),
    )
}

fn json_rows(df: &DataFrame, w: &mut dyn Write) -> Result<()> {
    write!(w, "[")?;
    for row in 0..df.height() {
        let sep = if row == 0 { "\n  " } else { ",\n  " };
        write!(w, "{sep}{}", serde_json::Value::Object(row_object(df, row)))?;
    }
    writeln!(w, "{}]", if df.height() == 0 { "" } else { "\n" })?;
    Ok(())
}

fn ndjson_rows(df: &DataFrame, w: &mut dyn Write) -> Result<()> {
    for row in 0..df.height() {
        writeln!(w, "{}", serde_json::Value::Object(row_object(df, row)))?;
    }
    Ok(())
}

/// Writes a serialisable value: pretty JSON, or one compact line per item for NDJSON.
pub fn object<T: Serialize + ?Sized>(
    value: &T,
    items: &[impl Serialize],
    format: Format,
    w: &mut dyn Write,
) -> Result<()> {
    if format == Format::Ndjson {
        for item in items {
            writeln!(w, "{}", serde_json::to_string(item)?)?;
        }
    } else {
        serde_json::to_writer_pretty(&mut *w, value)?;
        writeln!(w)?;
    }
    Ok(())
}

/// Text for HTML: `&`, `<`, `>`, `"` and `'` escaped, control characters shown as escapes.
pub fn html_escape(s: &str) -> String {
    escape_controls(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A frame as an HTML table (numbers right-aligned by the `num` class).
pub fn html_table(df: &DataFrame) -> String {
    let mut out = String::from("<table>\n<thead><tr>");
    for name in df.get_column_names() {
        out.push_str(&format!("<th>{}</th>", html_escape(name)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in 0..df.height() {
        out.push_str("<tr>");
        for c in df.columns() {
            let class = if c.dtype().is_primitive_numeric() {
                " class=\"num\""
            } else {
                ""
            };
            let text = column_text(c, row);
            out.push_str(&format!("<td{class}>{}</td>", html_escape(&text)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// Writes a card: a title, aligned `label  value` lines, then a table.
pub fn card(
    title: &str,
    fields: &[(String, String)],
    table: &mut DataFrame,
    w: &mut dyn Write,
) -> Result<()> {
    writeln!(w, "{}", escape_controls(title))?;
    let width = fields
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    for (k, v) in fields {
        let v = escape_controls(v);
        let v = match terminal() {
            Some((cols, _, _)) => wrap_after(&v, cols as usize, width + 4, width + 4),
            None => v.into_owned(),
        };
        writeln!(w, "  {k:<width$}  {v}")?;
    }
    writeln!(w)?;
    frame(table, Format::Table, w)
}

/// A JSON leaf as text for a `key,value` row, as a table cell would show it: money (by the last
/// segment of its dotted key) with two decimals, other floats shortest (`1000`, not `1000.0`),
/// text as it is, null as empty.
pub fn leaf_text(key: &str, v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Number(n) if is_money(key.rsplit('.').next().unwrap_or(key)) => {
            n.as_f64().map_or(n.to_string(), money_text)
        }
        Value::Number(n) if n.is_f64() => n.as_f64().map_or(n.to_string(), |f| f.to_string()),
        other => other.to_string(),
    }
}

/// Writes titled frames one after another, for a human reading a terminal.
pub fn sections(parts: &mut [(String, DataFrame)], w: &mut dyn Write) -> Result<()> {
    for (i, (title, df)) in parts.iter_mut().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        writeln!(w, "{title}")?;
        frame(df, Format::Table, w)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> DataFrame {
        let d = Column::new("d".into(), [0i32, 365])
            .cast(&DataType::Date)
            .unwrap();
        let mut df =
            df!("c" => ["a,b", "x"], "v" => [1.5f64, 2.0], "n" => [Some(1i64), None]).unwrap();
        df.with_column(d).unwrap();
        df
    }

    fn render(format: Format) -> String {
        let mut buf = Vec::new();
        frame(&mut sample(), format, &mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn csv_quotes_and_formats_cells() {
        assert_eq!(
            render(Format::Csv),
            "c,v,n,d\n\"a,b\",1.5,1,1970-01-01\nx,2,,1971-01-01\n"
        );
        assert!(render(Format::Tsv).starts_with("c\tv\tn\td\n"));
    }

    #[test]
    fn json_is_typed_data() {
        let v: serde_json::Value = serde_json::from_str(&render(Format::Json)).unwrap();
        assert_eq!(v[0]["v"], 1.5);
        assert_eq!(v[1]["n"], serde_json::Value::Null);
        assert_eq!(v[1]["d"], "1971-01-01");
        assert_eq!(render(Format::Ndjson).lines().count(), 2);
    }

    #[test]
    fn table_has_header_and_rows() {
        let t = render(Format::Table);
        assert!(t.contains("a,b") && t.contains("1971-01-01"), "{t}");
    }

    #[test]
    fn money_has_two_decimals_in_text_and_stays_a_number_in_json() {
        assert_eq!(money_text(1134.5), "1134.50");
        assert_eq!(money_text(-0.001), "0.00");
        assert_eq!(money_text(2.675), "2.68");
        assert_eq!(money_text(-50.0), "-50.00");
        assert!(is_money("value") && is_money("value_12m") && is_money("total_value"));
        assert!(is_money("clv") && !is_money("value_share") && !is_money("p_alive"));
        let mut df =
            df!("customer" => ["a"], "value" => [43465.0f64], "share" => [0.5f64]).unwrap();
        let mut buf = Vec::new();
        frame(&mut df, Format::Csv, &mut buf).unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "customer,value,share\na,43465.00,0.5\n"
        );
        assert_eq!(frame_json(&df)[0]["value"], 43465.0);
    }

    #[test]
    fn a_narrow_terminal_keeps_the_id_and_the_answer() {
        let cells: Vec<Vec<String>> = ["customer", "aaaaaaaaaa", "bbbbbbbbbb", "answer"]
            .iter()
            .map(|h| vec![h.to_string()])
            .collect();
        assert_eq!(columns_that_fit(&cells, 40, &[]), [0, 1, 2]);
        assert_eq!(columns_that_fit(&cells, 40, &["answer"]), [0, 1, 3]);
        assert_eq!(columns_that_fit(&cells, 5, &["answer"]), [0]);
        assert_eq!(wrap("aa bb cc", 5), "aa bb\n  cc");
        assert_eq!(wrap("averylongword x", 5), "averylongword\n  x");
        assert_eq!(wrap_after("aa bb cc", 10, 4, 4), "aa bb\n    cc");
        // Wide characters take two columns each.
        let wide: Vec<Vec<String>> = vec![vec!["客户编号客户编号".into()], vec!["x".into()]];
        assert_eq!(columns_that_fit(&wide, 22, &[]), [0]);
        assert_eq!(columns_that_fit(&wide, 24, &[]), [0, 1]);
    }

    #[test]
    fn formats_follow_extensions() {
        assert_eq!(Format::from_extension("PARQUET"), Some(Format::Parquet));
        assert_eq!(Format::from_extension("xlsx"), Some(Format::Xlsx));
        assert_eq!(Format::from_extension("xls"), None);
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(escape_controls("plain é"), "plain é");
        assert_eq!(
            escape_controls("a\u{1b}]0;x\u{7}b\u{202e}c\u{9b}"),
            "a\\x1b]0;x\\x07b\\u{202e}c\\u{9b}"
        );
        let mut df = df!("customer" => ["\u{1b}[2J"], "v" => [1i64]).unwrap();
        let mut buf = Vec::new();
        frame(&mut df, Format::Table, &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(text.contains("\\x1b[2J") && !text.contains('\u{1b}'));
    }

    #[test]
    fn formula_like_text_is_defused_only_on_request() {
        assert_eq!(spreadsheet_text("=1+2".into()), "'=1+2");
        assert_eq!(spreadsheet_text("@SUM(A1)".into()), "'@SUM(A1)");
        assert_eq!(spreadsheet_text("C1".into()), "C1");
    }

    #[test]
    fn a_frame_with_nan_is_never_written() {
        let mut df = df!("customer" => ["a", "b"], "p" => [0.5f64, f64::NAN]).unwrap();
        let mut buf = Vec::new();
        let err = frame(&mut df, Format::Csv, &mut buf)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`p`") && err.contains("customer b"), "{err}");
        assert!(buf.is_empty());
    }
}
