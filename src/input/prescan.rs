//! One fast pass over a CSV's bytes that finds what polars' scanner would not report with a
//! line: rows whose field count differs from the header (ragged rows, footer notes), a quote
//! never closed, a NUL byte, text that is not UTF-8. Any of them sends the input to the precise
//! reader, which names the line. A file without quotes is checked by totals (delimiters against
//! lines × header width, counted with vectorised byte counts; polars itself refuses a row with
//! too many fields, so a short row cannot hide behind a long one); a file with quotes, or whose
//! totals do not add up, line by line with a small state machine.

use anyhow::{Context, Result};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// The state carried from one line (or chunk) to the next.
struct Counter {
    delimiter: u8,
    width: usize,
    fields: usize,
    in_quote: bool,
    /// The header line has not been passed yet.
    header: bool,
    bad: bool,
}

impl Counter {
    /// One line without its `\n`; a quoted field may continue to the next line.
    fn line(&mut self, line: &[u8]) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !self.in_quote && memchr::memchr(b'"', line).is_none() {
            if !line.is_empty() {
                let n = 1 + line.iter().filter(|&&b| b == self.delimiter).count();
                self.end_record(n);
            }
            return;
        }
        for &b in line {
            if b == b'"' {
                self.in_quote = !self.in_quote;
            } else if b == self.delimiter && !self.in_quote {
                self.fields += 1;
            }
        }
        if !self.in_quote {
            self.end_record(self.fields + 1);
            self.fields = 0;
        }
    }

    fn end_record(&mut self, n: usize) {
        if self.header {
            self.header = false;
        } else if n != self.width {
            self.bad = true;
        }
    }
}

/// Whether the whole file at `path` is UTF-8 text (read in blocks, a character cut by a block's
/// end carried to the next).
pub fn is_utf8(path: &Path, name: &str) -> Result<bool> {
    let mut file = File::open(path).with_context(|| format!("cannot open `{name}`"))?;
    let mut buf = vec![0u8; 4 << 20];
    let mut pending = 0;
    loop {
        let n = file
            .read(&mut buf[pending..])
            .with_context(|| format!("cannot read `{name}`"))?;
        if n == 0 {
            return Ok(pending == 0);
        }
        match utf8_carry(&mut buf, pending + n) {
            Some(p) => pending = p,
            None => return Ok(false),
        }
    }
}

/// Checks the first `filled` bytes of `buf` as UTF-8: `None` when they are not, else how many
/// bytes of a character cut by the end were moved to the front for the next read.
fn utf8_carry(buf: &mut [u8], filled: usize) -> Option<usize> {
    match std::str::from_utf8(&buf[..filled]) {
        Ok(_) => Some(0),
        Err(e) if e.error_len().is_none() => {
            let valid = e.valid_up_to();
            buf.copy_within(valid..filled, 0);
            Some(filled - valid)
        }
        Err(_) => None,
    }
}

/// Whether the CSV at `path` (header of `width` fields) needs the precise reader.
pub fn needs_precise(path: &Path, name: &str, delimiter: u8, width: usize) -> Result<bool> {
    match totals(path, name, delimiter, width)? {
        Totals::Clean => Ok(false),
        Totals::Bad => Ok(true),
        Totals::Unsure => by_line(path, name, delimiter, width),
    }
}

enum Totals {
    Clean,
    Bad,
    /// Quotes, or counts that do not add up: look line by line.
    Unsure,
}

/// One read of the file: NUL bytes, UTF-8, and delimiter and line totals.
fn totals(path: &Path, name: &str, delimiter: u8, width: usize) -> Result<Totals> {
    let mut file = File::open(path).with_context(|| format!("cannot open `{name}`"))?;
    let mut buf = vec![0u8; 4 << 20];
    let (mut pending, mut delims, mut lines, mut quotes, mut last) =
        (0, 0usize, 0usize, false, b'\n');
    loop {
        let n = file
            .read(&mut buf[pending..])
            .with_context(|| format!("cannot read `{name}`"))?;
        if n == 0 {
            break;
        }
        let chunk = &buf[pending..pending + n];
        if memchr::memchr(0, chunk).is_some() {
            return Ok(Totals::Bad);
        }
        quotes |= memchr::memchr(b'"', chunk).is_some();
        delims += chunk.iter().filter(|&&b| b == delimiter).count();
        lines += memchr::memchr_iter(b'\n', chunk).count();
        last = chunk[n - 1];
        match utf8_carry(&mut buf, pending + n) {
            Some(p) => pending = p,
            None => return Ok(Totals::Bad),
        }
    }
    if pending > 0 {
        return Ok(Totals::Bad);
    }
    let records = lines + usize::from(last != b'\n');
    Ok(if !quotes && delims == records * (width - 1) {
        Totals::Clean
    } else {
        Totals::Unsure
    })
}

/// The exact check, line by line.
fn by_line(path: &Path, name: &str, delimiter: u8, width: usize) -> Result<bool> {
    let mut file = File::open(path).with_context(|| format!("cannot open `{name}`"))?;
    let mut c = Counter {
        delimiter,
        width,
        fields: 0,
        in_quote: false,
        header: true,
        bad: false,
    };
    let mut buf = vec![0u8; 4 << 20];
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let n = file
            .read(&mut buf)
            .with_context(|| format!("cannot read `{name}`"))?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', chunk) {
            if carry.is_empty() {
                c.line(&chunk[start..end]);
            } else {
                carry.extend_from_slice(&chunk[start..end]);
                let line = std::mem::take(&mut carry);
                c.line(&line);
            }
            start = end + 1;
        }
        carry.extend_from_slice(&chunk[start..]);
        if c.bad {
            return Ok(true);
        }
    }
    if !carry.is_empty() {
        let line = std::mem::take(&mut carry);
        c.line(&line);
    }
    Ok(c.bad || c.in_quote)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn check(text: &str) -> bool {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        needs_precise(f.path(), "t", b',', 3).unwrap()
    }

    #[test]
    fn clean_files_pass() {
        assert!(!check("a,b,c\n1,2,3\n4,5,6\n"));
        assert!(!check("a,b,c\r\n1,\"x,y\",3\r\n4,\"multi\nline\",6"));
        assert!(!check("a,b,c\n1,\"say \"\"hi\"\"\",3\n\n"));
    }

    #[test]
    fn anomalies_are_caught() {
        assert!(check("a,b,c\n1,2\n"), "short row");
        assert!(check("a,b,c\n1,2,3,4\n"), "long row");
        assert!(check("a,b,c\n1,2,3\nGrand Totals\n"), "footer");
        // Totals add up; polars refuses the long row itself (tested end to end).
        assert!(!check("a,b,c\n1,2\n3,4,5,6\n"));
        assert!(
            !check("a,b,c\n1,2,3\n\n4,5,6"),
            "an empty line, no final newline"
        );
        assert!(check("a,b,c\n1,\"open,3\n"), "unterminated quote");
        assert!(check("a,b,c\n1,2,C1\0\n"), "NUL");
        assert!(!check("a,b,c\n1,2,O\u{2019}Brien\n"), "UTF-8 text");
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(b"a,b,c\n1,2,O\x92Brien\n").unwrap();
        assert!(
            needs_precise(f.path(), "t", b',', 3).unwrap(),
            "Windows-1252"
        );
    }
}
