//! Excel workbooks: one sheet per frame with a bold header row, frozen panes below it, typed
//! cells (numbers as numbers, dates as dates, booleans as booleans, text as text) and columns wide
//! enough for their header; money shows two decimals. The creation date is fixed, so the same
//! frames give the same bytes.
//!
//! Written as a stream (the writer's constant-memory mode: each row goes to a temporary file as
//! it is written), so a workbook costs little memory at any size. Excel's limits are kept rather
//! than failing the file: a frame longer than a sheet continues on `NAME 2`, `NAME 3`, ... (with
//! a note), text longer than a cell holds is cut with a marker, and dates outside Excel's
//! calendar (before 1900) are written as ISO text.

use anyhow::{Context, Result};
use polars::prelude::*;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet};
use std::io::Write;

/// Data rows one worksheet holds below its header (Excel: 1,048,576 rows in all).
pub const SHEET_ROWS: usize = 1_048_575;
/// Characters one cell holds.
const CELL_CHARS: usize = 32_767;
const CUT: &str = "… [cut: longer than an Excel cell holds]";

/// Writes a workbook of `(sheet name, frame)` pairs to `w`.
pub fn write(sheets: &[(&str, &DataFrame)], w: &mut dyn Write) -> Result<()> {
    let (bytes, notes) = workbook(sheets, SHEET_ROWS)?;
    give(notes);
    Ok(w.write_all(&bytes)?)
}

/// As [`write`], into a file: the workbook's bytes go to the file as they are compressed, never
/// all in memory at once.
pub fn write_file(sheets: &[(&str, &DataFrame)], file: &std::fs::File) -> Result<()> {
    let (mut wb, notes) = build(sheets, SHEET_ROWS)?;
    wb.save_to_writer(std::io::BufWriter::new(file))?;
    give(notes);
    Ok(())
}

fn give(notes: Vec<String>) {
    for n in notes {
        crate::progress::note(&format!("tier: note: {n}"));
    }
}

/// The workbook as bytes, with sheets of at most `limit` data rows, and the notes to give.
pub fn workbook(sheets: &[(&str, &DataFrame)], limit: usize) -> Result<(Vec<u8>, Vec<String>)> {
    let (mut wb, notes) = build(sheets, limit)?;
    Ok((wb.save_to_buffer()?, notes))
}

/// The workbook with every sheet written (to its temporary file), and the notes to give. The
/// sheets are filled in parallel: each is its own stream.
fn build(sheets: &[(&str, &DataFrame)], limit: usize) -> Result<(Workbook, Vec<String>)> {
    let mut wb = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&fixed));
    // The fastest compression: on a million customers the default level took most of the
    // report's writing time for a file a fifth smaller.
    wb.set_zip_compression_level(1);
    let styles = Styles {
        bold: Format::new().set_bold(),
        date: Format::new().set_num_format("yyyy-mm-dd"),
        money: Format::new().set_num_format("0.00"),
    };
    let mut notes = Vec::new();
    // Each worksheet in order, with the frame and the rows it holds.
    let mut parts: Vec<(DataFrame, std::ops::Range<usize>)> = Vec::new();
    for (name, df) in sheets {
        let mut df = (*df).clone();
        df.rechunk_mut();
        let count = df.height().div_ceil(limit).max(1);
        for part in 0..count {
            let ws = wb
                .add_worksheet_with_constant_memory()
                .context("cannot create a temporary file for the workbook")?;
            let title = match part {
                0 => sheet_name(name, ""),
                p => sheet_name(name, &format!(" {}", p + 1)),
            };
            ws.set_name(&title)?;
            parts.push((
                df.clone(),
                part * limit..((part + 1) * limit).min(df.height()),
            ));
        }
        if count > 1 {
            notes.push(format!(
                "`{name}` has {} rows, more than one worksheet holds ({limit}): the workbook \
                 continues it on {} more sheet{} (`{}`, ...); the CSV and Parquet files hold \
                 every row in one table",
                df.height(),
                count - 1,
                if count == 2 { "" } else { "s" },
                sheet_name(name, " 2")
            ));
        }
    }
    let styles = &styles;
    std::thread::scope(|scope| {
        let filling: Vec<_> = wb
            .worksheets_mut()
            .iter_mut()
            .zip(&parts)
            .map(|(ws, (df, rows))| scope.spawn(move || sheet(ws, df, rows.clone(), styles)))
            .collect();
        filling
            .into_iter()
            .try_for_each(|f| f.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
    })?;
    Ok((wb, notes))
}

struct Styles {
    bold: Format,
    date: Format,
    money: Format,
}

/// One worksheet: the header, then `rows` of `df`, row by row as the stream needs.
fn sheet(
    ws: &mut Worksheet,
    df: &DataFrame,
    rows: std::ops::Range<usize>,
    s: &Styles,
) -> Result<()> {
    let money: Vec<bool> = df
        .columns()
        .iter()
        .map(|c| crate::render::is_money(c.name()))
        .collect();
    for (c, column) in df.columns().iter().enumerate() {
        let c = u16::try_from(c)?;
        ws.set_column_width(c, (column.name().len() as f64 + 2.0).max(10.0))?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (c, column) in df.columns().iter().enumerate() {
        ws.write_string_with_format(0, u16::try_from(c)?, column.name().as_str(), &s.bold)?;
    }
    let access = df
        .columns()
        .iter()
        .map(Access::of)
        .collect::<PolarsResult<Vec<_>>>()?;
    let first = rows.start;
    for r in rows {
        let row = u32::try_from(r - first + 1)?;
        for (c, a) in access.iter().enumerate() {
            let c = u16::try_from(c)?;
            match a {
                Access::Number(ca) => {
                    if let Some(x) = ca.get(r).filter(|x| x.is_finite()) {
                        match money[c as usize] {
                            true => ws.write_number_with_format(row, c, x, &s.money)?,
                            false => ws.write_number(row, c, x)?,
                        };
                    }
                }
                Access::Text(ca) => {
                    if let Some(t) = ca.get(r) {
                        text(ws, row, c, t)?;
                    }
                }
                Access::Any(column) => cell(ws, row, c, column.get(r)?, s)?,
            }
        }
    }
    Ok(())
}

/// How a column's cells are read: numbers (every integer and float type, as `f64`) and text
/// straight from their arrays, anything else (dates, booleans) cell by cell.
enum Access<'a> {
    Number(Float64Chunked),
    Text(&'a StringChunked),
    Any(&'a Column),
}

impl<'a> Access<'a> {
    fn of(c: &'a Column) -> PolarsResult<Self> {
        Ok(match c.dtype() {
            DataType::String => Access::Text(c.str()?),
            d if d.is_primitive_numeric() => {
                Access::Number(c.cast(&DataType::Float64)?.f64()?.rechunk().into_owned())
            }
            _ => Access::Any(c),
        })
    }
}

/// A cell of a column that is neither numbers nor text (those go straight from their arrays).
fn cell(ws: &mut Worksheet, row: u32, c: u16, value: AnyValue, s: &Styles) -> Result<()> {
    match value {
        AnyValue::Null => {}
        AnyValue::Boolean(b) => {
            ws.write_boolean(row, c, b)?;
        }
        AnyValue::Date(d) => match ymd(d) {
            Some((y, m, dd)) => {
                ws.write_datetime_with_format(row, c, ExcelDateTime::from_ymd(y, m, dd)?, &s.date)?;
            }
            None => {
                ws.write_string(row, c, crate::input::iso_date(d))?;
            }
        },
        other => text(ws, row, c, &other.to_string())?,
    }
    Ok(())
}

/// A text cell, control characters escaped, cut with a marker beyond what a cell holds.
fn text(ws: &mut Worksheet, row: u32, c: u16, t: &str) -> Result<()> {
    let t = crate::render::escape_controls(t);
    if t.chars().count() <= CELL_CHARS {
        ws.write_string(row, c, t.as_ref())?;
        return Ok(());
    }
    let keep: String = t.chars().take(CELL_CHARS - CUT.chars().count()).collect();
    ws.write_string(row, c, format!("{keep}{CUT}"))?;
    Ok(())
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`; `suffix` is kept.
fn sheet_name(name: &str, suffix: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31 - suffix.chars().count())
        .collect();
    let clean = if clean.is_empty() {
        "sheet".into()
    } else {
        clean
    };
    format!("{clean}{suffix}")
}

/// A date's year, month and day when Excel's calendar holds it (1900-01-01 .. 9999-12-31).
fn ymd(days: i32) -> Option<(u16, u8, u8)> {
    use chrono::Datelike;
    let d = chrono::NaiveDate::from_num_days_from_ce_opt(days.checked_add(719_163)?)?;
    (1900..=9999)
        .contains(&d.year())
        .then(|| (d.year() as u16, d.month() as u8, d.day() as u8))
}

#[cfg(test)]
mod tests {
    use super::*;

    use calamine::{Data, Reader, Xlsx};

    fn read(bytes: Vec<u8>) -> Xlsx<std::io::Cursor<Vec<u8>>> {
        Xlsx::new(std::io::Cursor::new(bytes)).unwrap()
    }

    #[test]
    fn a_long_frame_continues_on_further_sheets() {
        let df = df!("customer" => ["a", "b", "c", "d", "e"], "value" => [5.0, 4.0, 3.0, 2.0, 1.0])
            .unwrap();
        let small = df!("metric" => ["n"]).unwrap();
        let (bytes, notes) = workbook(&[("customers", &df), ("summary", &small)], 2).unwrap();
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("`customers 2`"), "{}", notes[0]);
        let mut wb = read(bytes);
        assert_eq!(
            wb.sheet_names(),
            ["customers", "customers 2", "customers 3", "summary"]
        );
        let third = wb.worksheet_range("customers 3").unwrap();
        assert_eq!(third.get((0, 0)), Some(&Data::String("customer".into())));
        assert_eq!(third.get((1, 0)), Some(&Data::String("e".into())));
        assert_eq!(third.height(), 2);
        let (_, none) = workbook(&[("customers", &df)], 5).unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn excel_limits_become_text_not_failures() {
        let long = "x".repeat(40_000);
        let days = Column::new("day".into(), [-30_000i32, 0])
            .cast(&DataType::Date)
            .unwrap();
        let mut df = df!("note" => [long.as_str(), "short"]).unwrap();
        df.with_column(days).unwrap();
        let (bytes, _) = workbook(&[("data", &df)], SHEET_ROWS).unwrap();
        let data = read(bytes).worksheet_range("data").unwrap();
        let cut = data.get((1, 0)).unwrap().to_string();
        assert_eq!(cut.chars().count(), CELL_CHARS);
        assert!(cut.ends_with(CUT));
        assert_eq!(data.get((1, 1)), Some(&Data::String("1887-11-12".into())));
        assert_eq!(ymd(-30_000), None);
        assert_eq!(ymd(0), Some((1970, 1, 1)));
        assert_eq!(sheet_name(&"n".repeat(40), " 12").chars().count(), 31);
    }
}
