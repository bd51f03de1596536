//! Where results go: the output format decided once (flag, then `-o` extension, then table on a
//! terminal and CSV otherwise), stdout or an atomically written file (temp file in the target
//! directory, fsync, rename), and the refusal to send Parquet to a terminal.

use crate::cli::OutputArgs;
use crate::render::Format;
use crate::UsageError;
use anyhow::{Context, Result};
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// A resolved destination.
pub struct Output {
    pub format: Format,
    path: Option<PathBuf>,
}

impl Output {
    /// Decides the format and destination from the flags.
    pub fn resolve(args: &OutputArgs) -> Result<Output> {
        let from_ext = args.output.as_ref().map(|p| {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            Format::from_extension(ext).ok_or_else(|| {
                UsageError(format!(
                    "cannot tell the format of `{}` from its extension; pass --format",
                    p.display()
                ))
            })
        });
        let format = match (args.format, from_ext) {
            (Some(f), _) => f,
            (None, Some(f)) => f?,
            (None, None) if std::io::stdout().is_terminal() => Format::Table,
            (None, None) => Format::Csv,
        };
        if format == Format::Parquet && args.output.is_none() && std::io::stdout().is_terminal() {
            return Err(UsageError(
                "refusing to write Parquet to a terminal; use -o FILE or a pipe".into(),
            )
            .into());
        }
        Ok(Output {
            format,
            path: args.output.clone(),
        })
    }

    /// Whether the result goes to a person at a terminal.
    pub fn to_terminal(&self) -> bool {
        self.path.is_none() && self.format == Format::Table && std::io::stdout().is_terminal()
    }

    /// Runs `write` against the destination; a file appears only once it is complete.
    pub fn write(&self, write: impl FnOnce(&mut dyn Write, Format) -> Result<()>) -> Result<()> {
        let Some(path) = &self.path else {
            let stdout = std::io::stdout();
            let mut w = BufWriter::new(stdout.lock());
            write(&mut w, self.format)?;
            return w.flush().context("cannot write to stdout");
        };
        write_atomically(path, |w| write(w, self.format))
    }
}

/// Writes `path` through a temporary file in the same directory that is synced and renamed into
/// place, so the file appears whole or not at all.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let shown = path.display();
    let tmp = tempfile::Builder::new()
        .prefix(".tier-")
        .tempfile_in(&dir)
        .with_context(|| format!("cannot create a file in `{}`", dir.display()))?;
    let mut w = BufWriter::new(tmp);
    write(&mut w).with_context(|| format!("cannot write `{shown}`"))?;
    let tmp = w
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("cannot write `{shown}`"))?;
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("cannot write `{shown}`"))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write `{shown}`"))?;
    Ok(())
}
