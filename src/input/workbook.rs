//! Workbook inputs (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`): one sheet (the first, or
//! `--sheet NAME`) written out as a CSV into a spooled temporary file, which is then read as
//! any CSV, with the same detection and errors. Typed cells are written as what they hold:
//! numbers as plain decimals, dates as ISO dates (with the time when there is one), so no
//! locale guessing is needed; blank rows at the end are left out.

use anyhow::{bail, Context, Result};
use calamine::{Data, Reader};
use std::io::{Read, Write};
use std::path::Path;
use tempfile::TempPath;

/// Whether the bytes start like a workbook: a zip container (xlsx, xlsm, xlsb, ods) or an OLE
/// compound file (the legacy xls).
fn looks_like_workbook(magic: &[u8]) -> bool {
    magic.starts_with(b"PK\x03\x04") || magic.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
}

/// The sheet of the workbook at `path` as a CSV file, with the sheet's name; `None` when the
/// file is not a workbook.
pub fn as_csv(name: &str, path: &Path, sheet: Option<&str>) -> Result<Option<(TempPath, String)>> {
    let mut magic = [0u8; 8];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut magic))
        .with_context(|| format!("cannot open `{name}`"))?;
    if !looks_like_workbook(&magic[..n]) {
        return Ok(None);
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read `{name}`"))?;
    let Ok(mut book) = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)) else {
        bail!(
            "`{name}` is a zip or Office file but not an Excel or OpenDocument workbook tier can read (xlsx, xlsm, xlsb, \
             xls, ods); export the sheet as CSV"
        );
    };
    let names = book.sheet_names();
    let chosen = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| {
                crate::error::UsageError(format!(
                    "`{name}` has no sheet `{s}`; its sheets are {}",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("`{name}` holds no sheet"))?,
    };
    let range = book
        .worksheet_range(&chosen)
        .with_context(|| format!("cannot read sheet `{chosen}` of `{name}`"))?;
    let mut tmp = tempfile::NamedTempFile::new().context("cannot spool a workbook")?;
    {
        let mut w = csv::WriterBuilder::new().from_writer(std::io::BufWriter::new(&mut tmp));
        let rows: Vec<&[Data]> = range.rows().collect();
        let used = rows
            .iter()
            .rposition(|r| r.iter().any(|c| !matches!(c, Data::Empty)))
            .map_or(0, |i| i + 1);
        for row in &rows[..used] {
            w.write_record(row.iter().map(text))
                .with_context(|| format!("cannot spool `{name}`"))?;
        }
        w.flush()
            .with_context(|| format!("cannot spool `{name}`"))?;
    }
    tmp.flush()?;
    Ok(Some((tmp.into_temp_path(), chosen)))
}

/// A cell as CSV text: what it holds, in the forms the readers detect without guessing.
fn text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, h, min, s, _) = d.to_ymd_hms_milli();
            if (h, min, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02} {h:02}:{min:02}:{s:02}")
            }
        }
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::Error(e) => format!("#{e:?}"),
    }
}
