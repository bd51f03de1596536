//! Excel workbooks: one sheet per frame with a bold header row, frozen panes below it, typed
//! cells (numbers as numbers, dates as dates, booleans as booleans, text as text) and columns wide
//! enough for their header; money shows two decimals. The creation date is fixed, so the same
//! frames give the same bytes.

use anyhow::Result;
use polars::prelude::*;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

/// A workbook of `(sheet name, frame)` pairs, as bytes.
pub fn workbook(sheets: &[(&str, &DataFrame)]) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&fixed));
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let money = Format::new().set_num_format("0.00");
    for (name, df) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(name))?;
        for (c, column) in df.columns().iter().enumerate() {
            let c = u16::try_from(c)?;
            ws.write_string_with_format(0, c, column.name().as_str(), &bold)?;
            ws.set_column_width(c, (column.name().len() as f64 + 2.0).max(10.0))?;
            for r in 0..df.height() {
                let row = u32::try_from(r + 1)?;
                match column.get(r)? {
                    AnyValue::Null => {}
                    AnyValue::Boolean(b) => {
                        ws.write_boolean(row, c, b)?;
                    }
                    AnyValue::Date(d) => {
                        let (y, m, dd) = ymd(d);
                        ws.write_datetime_with_format(
                            row,
                            c,
                            ExcelDateTime::from_ymd(y, m, dd)?,
                            &date,
                        )?;
                    }
                    AnyValue::String(s) => {
                        ws.write_string(row, c, crate::render::escape_controls(s).as_ref())?;
                    }
                    AnyValue::StringOwned(s) => {
                        ws.write_string(
                            row,
                            c,
                            crate::render::escape_controls(s.as_str()).as_ref(),
                        )?;
                    }
                    v if v.is_primitive_numeric() => {
                        let x: f64 = v.extract().unwrap_or(f64::NAN);
                        if x.is_finite() && crate::render::is_money(column.name()) {
                            ws.write_number_with_format(row, c, x, &money)?;
                        } else if x.is_finite() {
                            ws.write_number(row, c, x)?;
                        }
                    }
                    other => {
                        ws.write_string(row, c, other.to_string())?;
                    }
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    Ok(wb.save_to_buffer()?)
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    if clean.is_empty() {
        "sheet".into()
    } else {
        clean
    }
}

fn ymd(days: i32) -> (u16, u8, u8) {
    use chrono::Datelike;
    let d = chrono::NaiveDate::from_num_days_from_ce_opt(days + 719_163).unwrap_or_default();
    (d.year() as u16, d.month() as u8, d.day() as u8)
}
