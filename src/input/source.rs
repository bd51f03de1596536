//! Opens one input (CSV/TSV file, Parquet file, or `-` for stdin) and yields its header and the
//! cells of the wanted columns as text. The only place that builds readers. Sniffs the delimiter,
//! strips a BOM, refuses binary or UTF-16 data, and reports ragged rows and unterminated quotes
//! with their line. Knows nothing of column meanings beyond a Parquet type check.

use super::roles::Role;
use super::table::RawTable;
use anyhow::{bail, Context, Result};
use polars::prelude::{DataFrame, DataType, ParquetReader, SerReader};
use std::cell::Cell;
use std::fs::File;
use std::io::{BufReader, Cursor, Read};
use std::path::Path;
use std::rc::Rc;

/// One opened input with its header read.
pub struct Source {
    pub name: String,
    pub headers: Vec<String>,
    pub kind: String,
    body: Body,
}

enum Body {
    Csv {
        reader: csv::Reader<Box<dyn Read>>,
        quotes: Rc<Cell<u64>>,
    },
    Parquet(DataFrame),
}

/// Counts quote bytes as they stream past: an odd total means a quote was never closed.
struct QuoteCounter<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for QuoteCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let q = buf[..n].iter().filter(|&&b| b == b'"').count() as u64;
        self.count.set(self.count.get() + q);
        Ok(n)
    }
}

/// Opens `path` (`-` is stdin). `delimiter` overrides sniffing.
pub fn open(path: &str, delimiter: Option<u8>) -> Result<Source> {
    let name = if path == "-" {
        "<stdin>".to_string()
    } else {
        path.to_string()
    };
    let reader: Box<dyn Read> = if path == "-" {
        Box::new(std::io::stdin())
    } else {
        let file = File::open(path).with_context(|| format!("cannot open `{path}`"))?;
        if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
            bail!("`{path}` is a directory, not a file");
        }
        Box::new(crate::progress::wrap_read(file, path))
    };
    let ext = Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (head, rest) = read_sample(reader).with_context(|| format!("cannot read `{name}`"))?;
    let skip = if head.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let whole: Box<dyn Read> = Box::new(Cursor::new(head[skip..].to_vec()).chain(rest));
    if head.starts_with(b"PAR1") || matches!(ext.as_str(), "parquet" | "pq") {
        return open_parquet(name, whole);
    }
    check_text(&name, &head)?;
    let delimiter = delimiter.unwrap_or_else(|| {
        if ext == "tsv" || ext == "tab" {
            b'\t'
        } else {
            sniff(&head)
        }
    });
    open_csv(name, whole, delimiter)
}

/// Reads the first 64 KiB (or all of a shorter input) to look at, and hands back the rest.
fn read_sample(mut reader: Box<dyn Read>) -> std::io::Result<(Vec<u8>, Box<dyn Read>)> {
    let mut head = Vec::with_capacity(1 << 16);
    (&mut reader).take(1 << 16).read_to_end(&mut head)?;
    Ok((head, reader))
}

fn check_text(name: &str, head: &[u8]) -> Result<()> {
    if head.is_empty() {
        bail!("`{name}` is empty: expected a header line and data rows");
    }
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        bail!(
            "`{name}` is UTF-16 text; convert it to UTF-8 first, e.g. `iconv -f UTF-16 -t UTF-8`"
        );
    }
    if head.starts_with(b"PK\x03\x04") {
        bail!("`{name}` is a zip or Excel workbook, not a CSV; export the sheet as CSV");
    }
    if let Some(at) = head.iter().position(|&b| b == 0) {
        bail!("`{name}` looks binary (a NUL byte at offset {at}), not a CSV, TSV or Parquet file");
    }
    Ok(())
}

/// Picks the delimiter among `,` `;` tab `|` that splits the first lines most consistently.
pub fn sniff(sample: &[u8]) -> u8 {
    let text = String::from_utf8_lossy(sample);
    let mut lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(30)
        .collect();
    if lines.len() > 1 && !sample.ends_with(b"\n") {
        lines.pop(); // the last line may be cut off
    }
    let count = |line: &str, d: char| {
        let mut quoted = false;
        line.chars()
            .filter(|&c| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == d && !quoted
            })
            .count()
    };
    let mut best = (b',', 0usize, false);
    for d in [',', ';', '\t', '|'] {
        let first = lines.first().map_or(0, |l| count(l, d));
        let steady = lines.iter().all(|l| count(l, d) == first);
        if first > 0 && ((steady && !best.2) || (steady == best.2 && first > best.1)) {
            best = (d as u8, first, steady);
        }
    }
    best.0
}

fn open_csv(name: String, input: Box<dyn Read>, delimiter: u8) -> Result<Source> {
    let quotes = Rc::new(Cell::new(0));
    let counted: Box<dyn Read> = Box::new(QuoteCounter {
        inner: BufReader::with_capacity(1 << 16, input),
        count: quotes.clone(),
    });
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(counted);
    let mut record = csv::ByteRecord::new();
    let got = reader
        .read_byte_record(&mut record)
        .with_context(|| format!("cannot read `{name}`"))?;
    if !got {
        bail!("`{name}` is empty: expected a header line and data rows");
    }
    let headers: Vec<String> = record.iter().map(|f| text(f).trim().to_string()).collect();
    let shown = match delimiter {
        b'\t' => "tab".to_string(),
        d => format!("`{}`", d as char),
    };
    let kind = format!("CSV, delimiter {shown}");
    Ok(Source {
        name,
        headers,
        kind,
        body: Body::Csv { reader, quotes },
    })
}

fn open_parquet(name: String, mut input: Box<dyn Read>) -> Result<Source> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read `{name}`"))?;
    let df = ParquetReader::new(Cursor::new(bytes))
        .finish()
        .with_context(|| format!("`{name}` is not a readable Parquet file"))?;
    let headers = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    Ok(Source {
        name,
        headers,
        kind: "Parquet".to_string(),
        body: Body::Parquet(df),
    })
}

/// A cell as text: UTF-8, or Latin-1 for the odd legacy byte (Windows exports).
fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.into(),
        Err(_) => bytes.iter().map(|&b| b as char).collect::<String>().into(),
    }
}

impl Source {
    /// Appends the cells of the wanted columns (index in this file, role) to `table`.
    pub fn read_rows(
        self,
        wanted: &[(usize, Role)],
        file_no: usize,
        table: &mut RawTable,
    ) -> Result<()> {
        let name = self.name.clone();
        match self.body {
            Body::Csv { reader, quotes } => read_csv(
                &name,
                reader,
                &quotes,
                self.headers.len(),
                wanted,
                file_no,
                table,
            ),
            Body::Parquet(df) => read_parquet(&name, &df, wanted, file_no, table),
        }
    }
}

fn read_csv(
    name: &str,
    mut reader: csv::Reader<Box<dyn Read>>,
    quotes: &Cell<u64>,
    width: usize,
    wanted: &[(usize, Role)],
    file_no: usize,
    table: &mut RawTable,
) -> Result<()> {
    let mut record = csv::ByteRecord::new();
    let mut footer: Option<u64> = None;
    let mut last_multiline: Option<u64> = None;
    let start_rows = table.len();
    loop {
        let got = reader
            .read_byte_record(&mut record)
            .with_context(|| format!("`{name}`: cannot read the CSV"))?;
        if !got {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        last_multiline = record.iter().any(|f| f.contains(&b'\n')).then_some(line);
        if record.len() != width {
            let filled = record
                .iter()
                .filter(|f| !f.iter().all(u8::is_ascii_whitespace))
                .count();
            if filled <= 1 {
                footer.get_or_insert(line); // a note line such as "Grand Totals": allowed only at the end
                continue;
            }
            bail!("`{name}`: line {line} has {} fields but the header has {width}; check for a stray delimiter or quote", record.len());
        }
        if let Some(at) = footer {
            bail!("`{name}`: line {at} has 1 field but the header has {width}; check for a stray delimiter or quote");
        }
        table.push_row(file_no, line, wanted.iter().map(|&(i, _)| text(&record[i])));
    }
    if quotes.get() % 2 == 1 {
        if let Some(line) = last_multiline {
            bail!("`{name}`: the quoted field that starts on line {line} is never closed (unterminated quote)");
        }
    }
    if table.len() == start_rows {
        bail!("`{name}` has a header but no data rows");
    }
    table.footer_lines += footer.is_some() as usize;
    Ok(())
}

fn read_parquet(
    name: &str,
    df: &DataFrame,
    wanted: &[(usize, Role)],
    file_no: usize,
    table: &mut RawTable,
) -> Result<()> {
    if df.height() == 0 {
        bail!("`{name}` has a schema but no data rows");
    }
    let mut cols = Vec::with_capacity(wanted.len());
    for &(i, role) in wanted {
        let column = &df.columns()[i];
        check_parquet_type(name, column.name(), column.dtype(), role)?;
        let as_text = column
            .cast(&DataType::String)
            .with_context(|| format!("`{name}`: column `{}`", column.name()))?;
        cols.push(as_text.str()?.clone());
    }
    for row in 0..df.height() {
        table.push_row(
            file_no,
            row as u64 + 1,
            cols.iter().map(|c| c.get(row).unwrap_or("").into()),
        );
    }
    Ok(())
}

fn check_parquet_type(name: &str, column: &str, dtype: &DataType, role: Role) -> Result<()> {
    let ok = match role {
        Role::Date => dtype.is_temporal() || dtype.is_integer() || dtype == &DataType::String,
        Role::Amount | Role::Quantity | Role::Price | Role::Cost | Role::Margin => {
            dtype.is_primitive_numeric() || dtype == &DataType::String
        }
        _ => dtype.is_primitive_numeric() || dtype == &DataType::String,
    };
    if !ok {
        bail!("`{name}`: column `{column}` has type {dtype}, which cannot hold a {role}");
    }
    Ok(())
}
