//! The raw cells of the mapped columns of every input, kept as text until each column's format
//! (date order, decimal separator) has been decided from all of its cells.

use std::borrow::Cow;

/// Text cells of one column, stored end to end to keep millions of rows compact.
#[derive(Default)]
pub struct TextColumn {
    buf: String,
    ends: Vec<usize>,
}

impl TextColumn {
    pub fn get(&self, row: usize) -> &str {
        let start = if row == 0 { 0 } else { self.ends[row - 1] };
        &self.buf[start..self.ends[row]]
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len()).map(|i| self.get(i))
    }
}

/// Where a row came from: the input's index and its line (CSV) or row (Parquet) number.
#[derive(Clone, Copy)]
pub struct Place {
    pub file: u32,
    pub line: u64,
}

/// The wanted columns of all inputs, row-aligned, with each row's place.
#[derive(Default)]
pub struct RawTable {
    pub columns: Vec<TextColumn>,
    pub places: Vec<Place>,
    /// Inputs that ended in note lines ("Grand Totals", "Confidential") that were skipped.
    pub footer_lines: usize,
}

impl RawTable {
    pub fn with_columns(n: usize) -> Self {
        RawTable {
            columns: (0..n).map(|_| TextColumn::default()).collect(),
            ..Default::default()
        }
    }

    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn push_row<'a>(
        &mut self,
        file: usize,
        line: u64,
        cells: impl Iterator<Item = Cow<'a, str>>,
    ) {
        for (col, cell) in self.columns.iter_mut().zip(cells) {
            col.buf.push_str(cell.trim());
            col.ends.push(col.buf.len());
        }
        self.places.push(Place {
            file: file as u32,
            line,
        });
    }
}
