//! The direct CSV reader, the stage's fast path when every input is a CSV: it reads the bytes in
//! blocks, splits each line into cells itself and composes each row by the shared rules
//! (`compose`) straight into the stage's lines, parsing blocks on every core while the stage
//! folds them in file order. Nothing is built per cell but the values the stage keeps.
//!
//! It vouches only for what it fully checks: UTF-8 text without NUL bytes, every row as wide as
//! the header, quotes only around whole fields and never around a line break, one currency,
//! every cell it reads valid. On anything else it gives up and the usual readers run, which name
//! the file, line and column (or read what this one does not).

use super::compose::{Cells, DateCache, OneCurrency, Rules, Tally};
use super::roles::Role;
use super::source::{Kind, Probe};
use super::Scanned;
use crate::analysis::stage::{self, Folder, Keep, Lines, Staged, Want};
use anyhow::{Context, Result};
use std::collections::VecDeque;
use std::fs::File;
use std::io::Read;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// The size of a block of input handed to a worker (a block ends at a line end).
const BLOCK: usize = 4 << 20;

/// The direct reader does not vouch for the input: the usual readers are to run.
#[derive(Debug)]
struct GiveUp;

/// Where the wanted cells of one input are: its delimiter, its header's width and the header
/// position of each mapped role.
struct Layout {
    delimiter: u8,
    width: usize,
    at: [Option<usize>; 10],
}

/// What every worker reads by.
struct Ctx<'a> {
    rules: &'a Rules,
    layouts: Vec<Layout>,
    since: Option<i32>,
    as_of: Option<i32>,
    grouped: bool,
    keep: Keep,
}

/// A block of one input and, once parsed, its lines and counts. Jobs go to a worker and come
/// back, their buffers kept for the next block.
#[derive(Default)]
struct Job {
    file: usize,
    /// The block starts the input: its first line is the header.
    header: bool,
    bytes: Vec<u8>,
    lines: Lines,
    tally: Tally,
    /// The block's currency (the first it names; a second makes it give up).
    currency: OneCurrency,
    gave_up: bool,
}

/// The stage of the window read directly, with the counts of every row; `None` when the
/// direct reader does not apply or gave up.
pub fn stage(
    s: &Scanned,
    since: Option<i32>,
    as_of: Option<i32>,
    want: Want,
) -> Result<Option<(Staged, Tally)>> {
    let Some((_, plan)) = &s.fast else {
        return Ok(None);
    };
    if s.precise || plan.typed_date || s.probes.iter().any(|p| p.kind == Kind::Parquet) {
        return Ok(None);
    }
    let mapped = |r: Role| s.mapping.iter().any(|m| m.role == r);
    let keep = Keep {
        costs: mapped(Role::Cost) || mapped(Role::Margin),
        quantities: want.quantities && mapped(Role::Quantity),
        days: want.days,
    };
    let ctx = Ctx {
        rules: &plan.rules,
        layouts: s.probes.iter().map(|p| layout(s, p)).collect(),
        since,
        as_of,
        grouped: want.grouped,
        keep,
    };
    let mut tally = Tally::default();
    let staged = stage::run_fed(want, keep, |folder: &mut Folder| {
        tally = Tally::default();
        pass(&ctx, &s.probes, folder, &mut tally)
    })?;
    Ok(staged.map(|st| (st, tally)))
}

fn layout(s: &Scanned, p: &Probe) -> Layout {
    let mut at = [None; 10];
    for (m, name) in s.mapping.iter().zip(&s.names) {
        at[m.role.slot()] = p.headers.iter().position(|h| h == name);
    }
    Layout {
        delimiter: p.delimiter().unwrap_or(b','),
        width: p.headers.len(),
        at,
    }
}

/// One pass over every input: blocks go round the workers, results are folded in file order.
/// Returns false when a block gave up.
fn pass(ctx: &Ctx, probes: &[Probe], folder: &mut Folder, tally: &mut Tally) -> Result<bool> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8));
    std::thread::scope(|scope| {
        let mut to: Vec<SyncSender<Job>> = Vec::new();
        let mut from: Vec<Receiver<Job>> = Vec::new();
        for _ in 0..workers {
            let (job_tx, job_rx) = sync_channel::<Job>(2);
            let (done_tx, done_rx) = sync_channel::<Job>(2);
            scope.spawn(move || {
                for mut job in job_rx {
                    job.gave_up = parse_block(ctx, &mut job).is_err();
                    if done_tx.send(job).is_err() {
                        break;
                    }
                }
            });
            to.push(job_tx);
            from.push(done_rx);
        }
        let mut blocks = Blocks::new(probes);
        let mut in_flight: VecDeque<usize> = VecDeque::new();
        let mut seq = 0usize;
        let mut send = |job: Job, in_flight: &mut VecDeque<usize>| -> Result<()> {
            let w = seq % workers;
            seq += 1;
            to[w].send(job).ok().context("a reading thread stopped")?;
            in_flight.push_back(w);
            Ok(())
        };
        for _ in 0..workers * 2 {
            let mut job = Job::default();
            if !blocks.next(&mut job)? {
                break;
            }
            send(job, &mut in_flight)?;
        }
        let (mut going, mut gave_up, mut currency) = (true, false, OneCurrency::default());
        while let Some(w) = in_flight.pop_front() {
            let mut job = from[w].recv().ok().context("a reading thread stopped")?;
            if !going {
                continue;
            }
            let other_currency = job
                .currency
                .first()
                .is_some_and(|c| currency.see(c).is_err());
            if job.gave_up || other_currency {
                (going, gave_up) = (false, true);
                continue;
            }
            tally.add(&job.tally);
            if !folder.add(&job.lines) {
                going = false; // a day out of order: the stage asks for a general pass
                continue;
            }
            if blocks.next(&mut job)? {
                send(job, &mut in_flight)?;
            }
        }
        Ok(!gave_up)
    })
}

/// The inputs cut into blocks that end at a line end, one input after the other.
struct Blocks<'a> {
    probes: &'a [Probe],
    next_file: usize,
    open: Option<(usize, File)>,
    /// The start of a line the last block cut.
    carry: Vec<u8>,
    starts_file: bool,
}

impl<'a> Blocks<'a> {
    fn new(probes: &'a [Probe]) -> Self {
        Blocks {
            probes,
            next_file: 0,
            open: None,
            carry: Vec::new(),
            starts_file: false,
        }
    }

    /// Fills `job` with the next block; false when every input has been read.
    fn next(&mut self, job: &mut Job) -> Result<bool> {
        loop {
            if self.open.is_none() {
                let Some(p) = self.probes.get(self.next_file) else {
                    return Ok(false);
                };
                let f = File::open(&p.path).with_context(|| format!("cannot open `{}`", p.name))?;
                self.open = Some((self.next_file, f));
                self.next_file += 1;
                self.starts_file = true;
                self.carry.clear();
            }
            let (file, f) = self.open.as_mut().expect("opened");
            let file = *file;
            job.bytes.clear();
            job.bytes.append(&mut self.carry);
            let ended = fill(f, &mut job.bytes)
                .with_context(|| format!("cannot read `{}`", self.probes[file].name))?;
            if self.starts_file && job.bytes.starts_with(b"\xEF\xBB\xBF") {
                job.bytes.drain(..3);
            }
            if ended {
                self.open = None;
                if job.bytes.is_empty() {
                    continue;
                }
            } else {
                let cut = memchr::memrchr(b'\n', &job.bytes).map_or(0, |i| i + 1);
                self.carry.extend_from_slice(&job.bytes[cut..]);
                job.bytes.truncate(cut);
                if cut == 0 {
                    continue; // no line end yet: the line goes on into the next read
                }
            }
            job.file = file;
            job.header = std::mem::take(&mut self.starts_file);
            return Ok(true);
        }
    }
}

/// Reads until `buf` holds a block (or more, when it already did); true at the end of the file.
fn fill(f: &mut File, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    let target = buf.len().max(BLOCK / 2) + BLOCK / 2;
    while buf.len() < target {
        let start = buf.len();
        buf.resize(target, 0);
        match f.read(&mut buf[start..]) {
            Ok(0) => {
                buf.truncate(start);
                return Ok(true);
            }
            Ok(n) => buf.truncate(start + n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => buf.truncate(start),
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}

/// One field of a line: its byte range, and whether it was quoted with doubled quotes inside.
#[derive(Clone, Copy)]
struct Field {
    start: usize,
    end: usize,
    doubled: bool,
}

/// Splits a line with a quote into fields as RFC 4180 and the `csv` crate do (a line without
/// one is split as it is found), giving up on what the other readers must judge: a quote inside an unquoted field, text after a closing quote, a quoted
/// field that does not close on this line.
fn split(line: &[u8], d: u8, out: &mut Vec<Field>) -> Result<(), GiveUp> {
    out.clear();
    let mut pos = 0;
    loop {
        if line.get(pos) == Some(&b'"') {
            let (mut i, mut doubled) = (pos + 1, false);
            let end = loop {
                let q = i + memchr::memchr(b'"', &line[i..]).ok_or(GiveUp)?;
                if line.get(q + 1) == Some(&b'"') {
                    (i, doubled) = (q + 2, true);
                } else {
                    break q;
                }
            };
            out.push(Field {
                start: pos + 1,
                end,
                doubled,
            });
            match line.get(end + 1) {
                None => return Ok(()),
                Some(&b) if b == d => pos = end + 2,
                Some(_) => return Err(GiveUp),
            }
        } else {
            let end = memchr::memchr(d, &line[pos..]).map_or(line.len(), |i| pos + i);
            if memchr::memchr(b'"', &line[pos..end]).is_some() {
                return Err(GiveUp);
            }
            out.push(Field {
                start: pos,
                end,
                doubled: false,
            });
            if end == line.len() {
                return Ok(());
            }
            pos = end + 1;
        }
    }
}

/// Parses one block into its lines and counts.
fn parse_block(ctx: &Ctx, job: &mut Job) -> Result<(), GiveUp> {
    job.lines.clear();
    job.tally = Tally::default();
    job.currency = OneCurrency::default();
    let bytes = std::mem::take(&mut job.bytes);
    let done = parse_text(ctx, job, &bytes);
    job.bytes = bytes;
    done
}

fn parse_text(ctx: &Ctx, job: &mut Job, bytes: &[u8]) -> Result<(), GiveUp> {
    if memchr::memchr(0, bytes).is_some() {
        return Err(GiveUp);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| GiveUp)?;
    let layout = &ctx.layouts[job.file];
    let d = layout.delimiter;
    let mut rows = Rows {
        fields: Vec::with_capacity(layout.width + 1),
        owned: Default::default(),
        dates: DateCache::default(),
        header: job.header,
    };
    // One vectorised search for delimiters, line ends and quotes: a line without quotes is
    // split as it is found; a line with one is split again by the quote-aware `split`.
    let (mut pos, mut line, mut field) = (0, 0, 0);
    'block: while pos < bytes.len() {
        for i in memchr::memchr3_iter(d, b'\n', b'"', &bytes[pos..]) {
            let i = pos + i;
            match bytes[i] {
                b'\n' => {
                    rows.end_field(field, i);
                    rows.line(ctx, job, text, line, i, true)?;
                    (line, field) = (i + 1, i + 1);
                }
                b'"' => {
                    let end = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |k| i + k);
                    rows.quoted_line(ctx, job, text, line, end)?;
                    (line, field, pos) = (end + 1, end + 1, end + 1);
                    continue 'block;
                }
                _ => {
                    rows.end_field(field, i);
                    field = i + 1;
                }
            }
        }
        if line < bytes.len() {
            rows.end_field(field, bytes.len());
            rows.line(ctx, job, text, line, bytes.len(), true)?;
        }
        break;
    }
    Ok(())
}

/// The state of splitting one block's rows.
struct Rows {
    fields: Vec<Field>,
    owned: [String; 10],
    dates: DateCache,
    /// The next line is the input's header.
    header: bool,
}

impl Rows {
    fn end_field(&mut self, start: usize, end: usize) {
        self.fields.push(Field {
            start,
            end,
            doubled: false,
        });
    }

    /// A line with a quote: split again, quote-aware.
    fn quoted_line(
        &mut self,
        ctx: &Ctx,
        job: &mut Job,
        text: &str,
        start: usize,
        end: usize,
    ) -> Result<(), GiveUp> {
        let line = &text.as_bytes()[start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        split(line, ctx.layouts[job.file].delimiter, &mut self.fields)?;
        for f in &mut self.fields {
            (f.start, f.end) = (f.start + start, f.end + start);
        }
        self.line(ctx, job, text, start, start + line.len(), false)
    }

    /// One line (`text[start..end]`, split into `fields`), then ready for the next. A plain
    /// line's last field may still end in the `\r` of a CRLF line end.
    fn line(
        &mut self,
        ctx: &Ctx,
        job: &mut Job,
        text: &str,
        start: usize,
        end: usize,
        plain: bool,
    ) -> Result<(), GiveUp> {
        let bytes = text.as_bytes();
        if plain && end > start && bytes[end - 1] == b'\r' {
            self.fields.last_mut().expect("a field").end -= 1;
        }
        let empty = self.fields.len() == 1 && self.fields[0].start == self.fields[0].end;
        let done = self.row(ctx, job, text, empty);
        self.fields.clear();
        done
    }

    fn row(&mut self, ctx: &Ctx, job: &mut Job, text: &str, empty: bool) -> Result<(), GiveUp> {
        let layout = &ctx.layouts[job.file];
        if empty {
            if self.header {
                return Err(GiveUp);
            }
            // An empty line holds nothing tier reads: an empty row, as `,,,,` is.
            job.tally.empty += 1;
            return Ok(());
        }
        if self.fields.len() != layout.width {
            return Err(GiveUp);
        }
        if std::mem::take(&mut self.header) {
            return Ok(());
        }
        for (k, at) in layout.at.iter().enumerate() {
            if let Some(f) = at.map(|i| self.fields[i]).filter(|f| f.doubled) {
                self.owned[k] = text[f.start..f.end].replace("\"\"", "\"");
            }
        }
        let mut cells: Cells = [None; 10];
        for (k, at) in layout.at.iter().enumerate() {
            if let Some(f) = at.map(|i| self.fields[i]) {
                cells[k] = Some(match f.doubled {
                    true => self.owned[k].as_str(),
                    false => &text[f.start..f.end],
                });
            }
        }
        add_row(ctx, job, &cells, &mut self.dates)
    }
}

/// Composes one row into the block's lines, when it is kept and falls inside the window.
fn add_row(ctx: &Ctx, job: &mut Job, cells: &Cells, dates: &mut DateCache) -> Result<(), GiveUp> {
    if let Some(c) = cells[Role::Currency.slot()] {
        job.currency.see(c).map_err(|_| GiveUp)?;
    }
    let line = ctx
        .rules
        .row(cells, &mut job.tally, dates)
        .map_err(|_| GiveUp)?;
    let Some(line) = line else {
        return Ok(());
    };
    if ctx.since.is_some_and(|s| line.day < s) || ctx.as_of.is_some_and(|a| line.day > a) {
        return Ok(());
    }
    let l = &mut job.lines;
    l.push_key(ctx.grouped.then_some(line.group), &line.customer);
    l.day.push(line.day);
    l.cents.push(line.cents);
    if ctx.keep.costs {
        l.cost.push(line.cost.unwrap_or(0));
    }
    if ctx.keep.quantities {
        l.milli
            .push(line.quantity.map_or(0, |q| (q * 1000.0).round() as i64));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(line: &str) -> Result<Vec<String>, GiveUp> {
        let mut out = Vec::new();
        split(line.as_bytes(), b',', &mut out)?;
        Ok(out
            .iter()
            .map(|f| {
                let s = &line[f.start..f.end];
                if f.doubled {
                    s.replace("\"\"", "\"")
                } else {
                    s.to_string()
                }
            })
            .collect())
    }

    #[test]
    fn lines_split_as_rfc_4180_has_them() {
        assert_eq!(fields("a,b,c").unwrap(), ["a", "b", "c"]);
        assert_eq!(fields("a,,").unwrap(), ["a", "", ""]);
        assert_eq!(fields("\"x,y\",\"\",z").unwrap(), ["x,y", "", "z"]);
        assert_eq!(fields("\"say \"\"hi\"\"\",2").unwrap(), ["say \"hi\"", "2"]);
        assert_eq!(fields("1,\"a\"").unwrap(), ["1", "a"]);
        assert_eq!(fields("1,\"a\",").unwrap(), ["1", "a", ""]);
    }

    #[test]
    fn what_other_readers_must_judge_is_given_up() {
        assert!(fields("5\" screen,2").is_err(), "a quote inside a field");
        assert!(fields("\"a\"b,2").is_err(), "text after a closing quote");
        assert!(
            fields("\"open,2").is_err(),
            "a quoted line break or no close"
        );
    }
}
