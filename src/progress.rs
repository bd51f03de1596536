//! Everything on stderr: the one place that decides whether a progress bar is drawn (only on a
//! terminal, never with `--quiet` or `TERM=dumb`), that prints notes and errors, and that keeps a
//! closed or full stderr from ever stopping the program (what could not be said is dropped).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fs::File;
use std::io::{IsTerminal, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static QUIET: AtomicBool = AtomicBool::new(false);

/// Records `--quiet` once, at start-up.
pub fn init(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether notes go to stderr.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

fn bars_allowed() -> bool {
    !quiet()
        && std::io::stderr().is_terminal()
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// Inputs smaller than this read too fast for a bar to help.
const BAR_MIN_BYTES: u64 = 32 << 20;

/// Runs `work` with, on a terminal and for an input of at least 32 MB, a spinner and the elapsed
/// time (polars' progress cannot be followed byte by byte); the spinner is cleared after.
pub fn while_busy<T>(bytes: u64, work: impl FnOnce() -> T) -> T {
    if !bars_allowed() || bytes < BAR_MIN_BYTES {
        return work();
    }
    let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10));
    b.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("valid template"));
    b.set_message(format!("analysing {} MB", bytes >> 20));
    b.enable_steady_tick(std::time::Duration::from_millis(200));
    let out = work();
    b.finish_and_clear();
    out
}

/// A file reader that draws a byte-count bar on a terminal while it is read.
pub struct Tracked {
    inner: indicatif::ProgressBarIter<File>,
}

impl Read for Tracked {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.inner.progress.finish_and_clear();
    }
}

/// Wraps a file so that reading it shows progress when that is wanted.
pub fn wrap_read(file: File, name: &str) -> Tracked {
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = if bars_allowed() && size >= BAR_MIN_BYTES {
        let b = ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr_with_hz(10));
        // `wide_bar` takes the width that is left, so the line never wraps on a narrow terminal.
        let style = ProgressStyle::with_template("{msg} [{wide_bar}] {bytes}/{total_bytes} {eta}")
            .expect("valid template")
            .progress_chars("=> ");
        b.set_style(style);
        let short: String = name
            .chars()
            .rev()
            .take(24)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        b.set_message(format!("reading {short}"));
        b
    } else {
        ProgressBar::hidden()
    };
    Tracked {
        inner: bar.wrap_read(file),
    }
}

/// A note for a person (e.g. the short summary after a table); dropped with `--quiet`.
pub fn note(text: &str) {
    if !quiet() {
        say(text);
    }
}

/// Writes one message line to stderr, with control characters shown escaped and, on a terminal,
/// broken at spaces to its width; errors writing it (a closed stderr) are ignored.
pub fn say(text: &str) {
    let mut line = crate::render::escape_controls(text).into_owned();
    if let Some((width, _)) = terminal_size::terminal_size_of(std::io::stderr()) {
        line = crate::render::wrap(&line, width.0 as usize);
    }
    line.push('\n');
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Whether `terminal_note` would print (so that its facts are worth counting).
pub fn notes_on_terminal() -> bool {
    !quiet() && std::io::stderr().is_terminal()
}

/// A note for a person watching a terminal; silent when stderr is a file or pipe, or `--quiet`.
pub fn terminal_note(text: &str) {
    if notes_on_terminal() {
        say(text);
    }
}

/// Lines the user asked for explicitly (`--explain`): printed even with `--quiet`.
pub fn explain(lines: &[String]) {
    for l in lines {
        say(&format!("tier: {l}"));
    }
}
