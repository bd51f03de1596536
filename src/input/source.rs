//! Looks at one input (CSV/TSV file, Parquet file, or `-` for stdin, spooled to a file): its kind,
//! delimiter and header, refusing binary, UTF-16 or zip data. Also the precise reader, which
//! yields the cells of the wanted columns as text row by row and reports ragged rows and
//! unterminated quotes with their line. Knows nothing of column meanings beyond a type check.

use super::roles::Role;
use super::table::RawTable;
use anyhow::{bail, Context, Result};
use polars::prelude::DataFrame;
use std::fs::File;
use std::io::{BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use tempfile::TempPath;

/// What an input is, found by looking at its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Csv { delimiter: u8 },
    Parquet,
}

/// An input looked at but not yet read: its name for messages, the file that holds it (stdin
/// is spooled to a temporary file), its kind and header.
pub struct Probe {
    pub name: String,
    pub path: PathBuf,
    pub kind: Kind,
    pub headers: Vec<String>,
    /// The first 64 KiB of a CSV (after any BOM), for sniffing and sampling.
    pub head: Vec<u8>,
}

impl Probe {
    /// How the input is described in `--explain`.
    pub fn describe(&self) -> String {
        match self.kind {
            Kind::Parquet => "Parquet".to_string(),
            Kind::Csv { delimiter: b'\t' } => "CSV, delimiter tab".to_string(),
            Kind::Csv { delimiter } => format!("CSV, delimiter `{}`", delimiter as char),
        }
    }

    pub fn delimiter(&self) -> Option<u8> {
        match self.kind {
            Kind::Csv { delimiter } => Some(delimiter),
            Kind::Parquet => None,
        }
    }
}

/// Looks at `path` (`-` is stdin, spooled into `spool`), refusing what is not a CSV, TSV or
/// Parquet file. `delimiter` overrides sniffing.
pub fn probe(path: &str, opts: &super::InputOptions, spool: &mut Vec<TempPath>) -> Result<Probe> {
    let (delimiter, hooks) = (opts.delimiter, &opts.hooks);
    let (name, real) = if path == "-" {
        let mut tmp = tempfile::NamedTempFile::new().context("cannot spool stdin")?;
        std::io::copy(&mut std::io::stdin().lock(), &mut tmp).context("cannot read `<stdin>`")?;
        let p = tmp.into_temp_path();
        let real = p.to_path_buf();
        spool.push(p);
        ("<stdin>".to_string(), real)
    } else {
        let meta = std::fs::metadata(path).with_context(|| format!("cannot open `{path}`"))?;
        if meta.is_dir() {
            bail!("`{path}` is a directory, not a file");
        }
        if (hooks.is_output)(&meta) {
            return Err(crate::error::UsageError(format!(
                "`{path}` is both an input and the output (-o): the result would replace the \
                 data; write to another file"
            ))
            .into());
        }
        (path.to_string(), PathBuf::from(path))
    };
    let real = decompressed(&name, real, spool)?;
    let (name, real, delimiter) =
        match super::workbook::as_csv(&name, &real, opts.sheet.as_deref())? {
            Some((csv, sheet)) => {
                let p = csv.to_path_buf();
                spool.push(csv);
                (format!("{name} [sheet {sheet}]"), p, Some(b','))
            }
            None => (name, real, delimiter),
        };
    let mut file = File::open(&real).with_context(|| format!("cannot open `{name}`"))?;
    let mut head = Vec::with_capacity(1 << 16);
    (&mut file)
        .take(1 << 16)
        .read_to_end(&mut head)
        .with_context(|| format!("cannot read `{name}`"))?;
    let mut whole = head.len() < 1 << 16;
    let ext = Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if head.starts_with(b"PAR1") || matches!(ext.as_str(), "parquet" | "pq") {
        let headers = super::scan::parquet_columns(&name, &real)?;
        return Ok(Probe {
            name,
            path: real,
            kind: Kind::Parquet,
            headers,
            head: Vec::new(),
        });
    }
    if head.starts_with(b"\xEF\xBB\xBF") {
        head.drain(..3);
    }
    check_text(&name, &head)?;
    let delimiter = delimiter.unwrap_or_else(|| {
        if ext == "tsv" || ext == "tab" {
            b'\t'
        } else {
            sniff(&head)
        }
    });
    let headers = loop {
        match read_header(&name, &head, delimiter, whole)? {
            Some(h) => break h,
            None => whole = grow_head(&name, &mut file, &mut head)?,
        }
    };
    Ok(Probe {
        name,
        path: real,
        kind: Kind::Csv { delimiter },
        headers,
        head,
    })
}

/// A compressed input (gzip, zstd, bzip2 or xz; a file or stdin) decompressed as a stream into a
/// spooled temporary file, which is then read as the input (messages keep the input's name);
/// any other input as it is.
fn decompressed(name: &str, path: PathBuf, spool: &mut Vec<TempPath>) -> Result<PathBuf> {
    let mut magic = [0u8; 6];
    let n = read_up_to(
        &mut File::open(&path).with_context(|| format!("cannot open `{name}`"))?,
        &mut magic,
    )?;
    let file = || File::open(&path).with_context(|| format!("cannot open `{name}`"));
    let kind = match &magic[..n] {
        [0x1f, 0x8b, ..] => "gzip",
        [0x28, 0xb5, 0x2f, 0xfd, ..] => "zstd",
        [b'B', b'Z', b'h', ..] => "bzip2",
        [0xfd, b'7', b'z', b'X', b'Z', 0x00] => "xz",
        _ => return Ok(path),
    };
    let mut tmp = tempfile::NamedTempFile::new().context("cannot spool a compressed input")?;
    let damaged =
        || format!("cannot decompress `{name}` ({kind}): the data is damaged or cut short");
    match kind {
        "xz" => {
            let mut out = std::io::BufWriter::new(&mut tmp);
            lzma_rs::xz_decompress(&mut BufReader::new(file()?), &mut out)
                .map_err(|e| anyhow::anyhow!("{}: {e}", damaged()))?;
            std::io::Write::flush(&mut out).with_context(damaged)?;
        }
        _ => {
            let mut reader: Box<dyn Read> = match kind {
                "gzip" => Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(file()?))),
                "zstd" => {
                    Box::new(zstd::stream::read::Decoder::new(file()?).with_context(damaged)?)
                }
                _ => Box::new(bzip2::read::MultiBzDecoder::new(BufReader::new(file()?))),
            };
            std::io::copy(&mut reader, &mut tmp).with_context(damaged)?;
        }
    }
    let p = tmp.into_temp_path();
    let real = p.to_path_buf();
    spool.push(p);
    Ok(real)
}

/// The longest header line read (64 MiB): a header longer than that is refused, never cut.
const HEADER_LIMIT: usize = 64 << 20;

/// The header's cells, or `None` when `head` (all of the file if `whole`) ends inside the header
/// line: the caller reads more, so a column past the first read is never missed.
fn read_header(name: &str, head: &[u8], delimiter: u8, whole: bool) -> Result<Option<Vec<String>>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(head);
    let mut record = csv::ByteRecord::new();
    let got = reader
        .read_byte_record(&mut record)
        .with_context(|| format!("cannot read `{name}`"))?;
    if !got {
        bail!("`{name}` is empty: expected a header line and data rows");
    }
    if !whole && reader.position().byte() as usize >= head.len() {
        return Ok(None);
    }
    Ok(Some(
        record.iter().map(|f| text(f).trim().to_string()).collect(),
    ))
}

/// Reads as much again of a file whose header line did not end in what was read, up to
/// [`HEADER_LIMIT`]; true once the whole file is read.
fn grow_head(name: &str, file: &mut File, head: &mut Vec<u8>) -> Result<bool> {
    if head.len() >= HEADER_LIMIT {
        bail!(
            "the header line of `{name}` is longer than {} MiB: tier reads headers up to that \
             length; keep only the columns needed (e.g. with `xsv select` or `cut`)",
            HEADER_LIMIT >> 20
        );
    }
    let more = head.len().max(1 << 16) as u64;
    let got = file
        .take(more)
        .read_to_end(head)
        .with_context(|| format!("cannot read `{name}`"))?;
    Ok((got as u64) < more)
}

/// One input opened for the precise, row-by-row reader.
pub struct Source {
    pub name: String,
    pub headers: Vec<String>,
    body: Body,
}

enum Body {
    Csv {
        reader: csv::Reader<Box<dyn Read>>,
        /// The file and the offset of the header in it (after a BOM), to look at the raw
        /// bytes of the last record.
        path: PathBuf,
        start: u64,
        delimiter: u8,
    },
    Parquet(PathBuf),
}

/// Opens a probed input for the precise reader.
pub fn open(probe: &Probe, hooks: &super::Hooks) -> Result<Source> {
    let name = probe.name.clone();
    let file = File::open(&probe.path).with_context(|| format!("cannot open `{name}`"))?;
    match probe.kind {
        Kind::Parquet => Ok(Source {
            name,
            headers: probe.headers.clone(),
            body: Body::Parquet(probe.path.clone()),
        }),
        Kind::Csv { delimiter } => {
            let mut reader: Box<dyn Read> = (hooks.wrap_read)(file, &name);
            let mut bom = [0u8; 3];
            let n = read_up_to(&mut reader, &mut bom)?;
            let has_bom = bom[..n] == *b"\xEF\xBB\xBF";
            let input: Box<dyn Read> = if has_bom {
                reader
            } else {
                Box::new(Cursor::new(bom[..n].to_vec()).chain(reader))
            };
            let at = Place {
                path: probe.path.clone(),
                start: if has_bom { 3 } else { 0 },
                delimiter,
            };
            open_csv(name, input, at)
        }
    }
}

fn read_up_to(r: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
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
    let compressed = [
        (&b"BZh"[..], "bzip2", "bzip2 -dc"),
        (&b"\xfd7zXZ\x00"[..], "xz", "xz -dc"),
    ];
    for (magic, kind, cat) in compressed {
        if head.starts_with(magic) {
            bail!(
                "`{name}` is {kind}-compressed; decompress it first, or pipe it: \
                 `{cat} '{name}' | tier ... -`"
            );
        }
    }
    let first = head
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .copied()
        .unwrap_or(b' ');
    if first == b'{' || (first == b'[' && head.contains(&b'{')) {
        bail!("`{name}` looks like JSON, not a CSV, TSV or Parquet file; export a table (CSV) instead");
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

/// Where a CSV's bytes are, for the check of its last record.
struct Place {
    path: PathBuf,
    start: u64,
    delimiter: u8,
}

fn open_csv(name: String, input: Box<dyn Read>, at: Place) -> Result<Source> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(at.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut record = csv::ByteRecord::new();
    let got = reader
        .read_byte_record(&mut record)
        .with_context(|| format!("cannot read `{name}`"))?;
    if !got {
        bail!("`{name}` is empty: expected a header line and data rows");
    }
    let headers: Vec<String> = record.iter().map(|f| text(f).trim().to_string()).collect();
    Ok(Source {
        name,
        headers,
        body: Body::Csv {
            reader,
            path: at.path,
            start: at.start,
            delimiter: at.delimiter,
        },
    })
}

/// Whether the bytes of `path` from `offset` to the end leave a quoted field open. As in RFC
/// 4180 and the `csv` crate, a quote opens a quoted field only at the start of a field (so the
/// inch mark of `5" screen` is text), and `""` inside a quoted field is a literal quote.
fn open_quote_at_end(path: &Path, offset: u64, delimiter: u8) -> std::io::Result<bool> {
    use std::io::{Seek, SeekFrom};
    #[derive(PartialEq)]
    enum S {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(offset))?;
    let mut state = S::FieldStart;
    for b in BufReader::new(f).bytes() {
        let b = b?;
        let end = b == delimiter || b == b'\n' || b == b'\r';
        state = match (state, b) {
            (S::Quoted, b'"') => S::QuoteInQuoted,
            (S::Quoted, _) => S::Quoted,
            (S::QuoteInQuoted, b'"') => S::Quoted,
            (S::FieldStart, b'"') => S::Quoted,
            (_, _) if end => S::FieldStart,
            _ => S::Unquoted,
        };
    }
    Ok(state == S::Quoted)
}

/// A cell as text: UTF-8, or Windows-1252 (the encoding of legacy Windows exports) for a cell
/// that is not valid UTF-8.
pub fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.into(),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
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
            Body::Csv {
                reader,
                path,
                start,
                delimiter,
            } => read_csv(
                &name,
                reader,
                &Place {
                    path,
                    start,
                    delimiter,
                },
                self.headers.len(),
                wanted,
                file_no,
                table,
            ),
            Body::Parquet(path) => {
                let columns: Vec<(&str, Role)> = wanted
                    .iter()
                    .map(|&(i, role)| (self.headers[i].as_str(), role))
                    .collect();
                let df = super::scan::parquet_text(&name, &path, &columns)?;
                read_parquet(&name, &df, file_no, table)
            }
        }
    }
}

fn read_csv(
    name: &str,
    mut reader: csv::Reader<Box<dyn Read>>,
    at: &Place,
    width: usize,
    wanted: &[(usize, Role)],
    file_no: usize,
    table: &mut RawTable,
) -> Result<()> {
    let mut record = csv::ByteRecord::new();
    let mut footer: Option<u64> = None;
    let mut last_multiline: Option<(u64, u64)> = None;
    let start_rows = table.len();
    loop {
        let got = reader
            .read_byte_record(&mut record)
            .with_context(|| format!("`{name}`: cannot read the CSV"))?;
        if !got {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        let byte = record.position().map_or(0, |p| p.byte());
        last_multiline = record
            .iter()
            .any(|f| f.contains(&b'\n'))
            .then_some((line, byte));
        if record.len() != width
            && last_multiline.is_some()
            && open_quote_at_end(&at.path, at.start + byte, at.delimiter)
                .with_context(|| format!("cannot read `{name}`"))?
        {
            bail!("`{name}`: the quoted field that starts on line {line} is never closed (unterminated quote)");
        }
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
    if let Some((line, byte)) = last_multiline {
        if open_quote_at_end(&at.path, at.start + byte, at.delimiter)
            .with_context(|| format!("cannot read `{name}`"))?
        {
            bail!("`{name}`: the quoted field that starts on line {line} is never closed (unterminated quote)");
        }
    }
    if table.len() == start_rows {
        bail!("`{name}` has a header but no data rows");
    }
    table.footer_lines += footer.is_some() as usize;
    Ok(())
}

fn read_parquet(name: &str, df: &DataFrame, file_no: usize, table: &mut RawTable) -> Result<()> {
    if df.height() == 0 {
        bail!("`{name}` has a schema but no data rows");
    }
    let mut cols = Vec::with_capacity(df.width());
    for c in df.columns() {
        cols.push(c.str()?.clone());
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

#[cfg(test)]
mod tests {
    use super::check_text;

    #[test]
    fn files_that_are_not_tables_are_named_for_what_they_are() {
        let err = |head: &[u8]| check_text("f", head).unwrap_err().to_string();
        // gzip and zstd are decompressed before this check; bzip2 and xz are not read.
        assert!(err(b"BZh91AY").contains("bzip2 -dc 'f' | tier"));
        assert!(err(b"\xfd7zXZ\x00").contains("xz"));
        assert!(err(b"  {\"a\": 1}").contains("JSON"));
        assert!(err(b"[{\"a\": 1}]").contains("JSON"));
        assert!(err(b"PK\x03\x04").contains("Excel"));
        assert!(check_text("f", b"[Customer],[Date],[Amount]\nA,2024-01-01,1\n").is_ok());
    }
}
