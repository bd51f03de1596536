//! Where results go: the output format decided once (flag, then `-o` extension, then table on a
//! terminal and CSV otherwise), stdout or a file that appears whole or not at all, and the
//! refusal to send Parquet to a terminal.
//!
//! A file is written through a temporary file beside its target, created when the command starts
//! (so an unwritable directory fails before the work) and synced and renamed into place at the
//! end; a signal that ends the run removes it. Links are followed to their target, FIFOs and
//! devices are written directly, new files get the umask's permissions and replaced files keep
//! their mode. `tier report` registers its staging directory the same way.

use crate::cli::OutputArgs;
use crate::render::Format;
use crate::UsageError;
use anyhow::{Context, Result};
use std::cell::RefCell;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A resolved destination.
pub struct Output {
    pub format: Format,
    file: RefCell<Option<FileOut>>,
    to_file: bool,
}

impl Output {
    /// Decides the format and destination from the flags, and opens the destination file.
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
        let binary = matches!(format, Format::Parquet | Format::Xlsx);
        if binary && args.output.is_none() && std::io::stdout().is_terminal() {
            return Err(UsageError(format!(
                "refusing to write {} to a terminal; use -o FILE or a pipe",
                if format == Format::Xlsx {
                    "a workbook"
                } else {
                    "Parquet"
                }
            ))
            .into());
        }
        crate::render::set_spreadsheet_safe(args.spreadsheet_safe);
        if format == Format::Table && args.output.is_none() && std::io::stdout().is_terminal() {
            let size = terminal_size::terminal_size().map(|(w, h)| (w.0, h.0));
            crate::render::set_terminal(size, args.all);
        }
        let file = args.output.as_deref().map(FileOut::create).transpose()?;
        Ok(Output {
            format,
            to_file: file.is_some(),
            file: RefCell::new(file),
        })
    }

    /// Whether the result goes to a person at a terminal.
    pub fn to_terminal(&self) -> bool {
        !self.to_file && self.format == Format::Table && std::io::stdout().is_terminal()
    }

    /// Runs `write` against the destination; a file appears only once it is complete.
    pub fn write(&self, write: impl FnOnce(&mut dyn Write, Format) -> Result<()>) -> Result<()> {
        match self.file.borrow_mut().take() {
            Some(file) => file.commit(|w| write(w, self.format)),
            None if self.to_file => anyhow::bail!("the output file was already written"),
            None => {
                let stdout = std::io::stdout();
                let mut w = BufWriter::new(stdout.lock());
                write(&mut w, self.format)?;
                w.flush().context("cannot write to stdout")
            }
        }
    }
}

/// Writes `path` so that it appears whole or not at all (see the module documentation).
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    FileOut::create(path)?.commit(write)
}

/// The existing file `-o` replaces (device, inode), so that the input layer can refuse to read it:
/// `tier classify sales.csv -o sales.csv` would replace the data with the result.
static OUTPUT_FILE: std::sync::Mutex<Option<(u64, u64)>> = std::sync::Mutex::new(None);

/// Whether a file is the one `-o` is about to replace.
pub fn is_output(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    *OUTPUT_FILE.lock().unwrap_or_else(|e| e.into_inner()) == Some((meta.dev(), meta.ino()))
}

/// An output file being prepared.
pub struct FileOut {
    shown: String,
    kind: Kind,
}

enum Kind {
    /// A FIFO, device or socket: written in place (it cannot be replaced, and must not be).
    Direct(PathBuf),
    /// Our own standard output or error named as a path (`/dev/stdout`, `/proc/self/fd/2`):
    /// written through the descriptor the shell opened, truncated or appending as it chose.
    Std(i32),
    /// A regular file (new or existing): a temporary file to rename onto `target`.
    Replace { tmp: Pending, target: PathBuf },
}

impl FileOut {
    /// Resolves links, refuses directories, and creates the temporary file beside the target
    /// with the permissions the file will have.
    pub fn create(path: &Path) -> Result<FileOut> {
        use std::os::unix::fs::PermissionsExt;
        let shown = path.display().to_string();
        let existing = std::fs::metadata(path).ok();
        if let Some(m) = &existing {
            if m.is_dir() {
                anyhow::bail!("cannot write `{shown}`: it is a directory");
            }
            // Decided by what the path is, not by where it is: `/dev/shm/x.csv` is a file
            // like any other. A path naming our standard output or error is written through it.
            if let Some(fd) = own_descriptor(path).filter(|fd| matches!(fd, 1 | 2)) {
                if m.is_file() {
                    use std::os::unix::fs::MetadataExt;
                    *OUTPUT_FILE.lock().unwrap_or_else(|e| e.into_inner()) =
                        Some((m.dev(), m.ino()));
                }
                return Ok(FileOut {
                    shown,
                    kind: Kind::Std(fd),
                });
            }
            if !m.is_file() {
                return Ok(FileOut {
                    shown,
                    kind: Kind::Direct(path.to_path_buf()),
                });
            }
        }
        if let Some(m) = &existing {
            use std::os::unix::fs::MetadataExt;
            *OUTPUT_FILE.lock().unwrap_or_else(|e| e.into_inner()) = Some((m.dev(), m.ino()));
        }
        let target = final_target(path)?;
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // Created with 0666 less the umask, as a new file would be; a replaced file's mode is
        // copied onto it.
        let tmp = tempfile::Builder::new()
            .prefix(".tier-")
            .permissions(std::fs::Permissions::from_mode(0o666))
            .tempfile_in(&dir)
            .with_context(|| format!("cannot create a file in `{}`", dir.display()))?;
        let tmp = Pending::new(tmp);
        if let Some(m) = &existing {
            std::fs::set_permissions(tmp.path(), m.permissions())
                .with_context(|| format!("cannot write `{shown}`"))?;
        }
        Ok(FileOut {
            shown,
            kind: Kind::Replace { tmp, target },
        })
    }

    /// Writes the content and puts the file in place.
    pub fn commit(self, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
        let shown = self.shown;
        let result = match self.kind {
            Kind::Std(fd) => (|| -> Result<()> {
                let mut w: Box<dyn Write> = match fd {
                    1 => Box::new(BufWriter::new(std::io::stdout().lock())),
                    _ => Box::new(BufWriter::new(std::io::stderr().lock())),
                };
                write(&mut w)?;
                Ok(w.flush()?)
            })(),
            Kind::Direct(target) => (|| -> Result<()> {
                let file = std::fs::OpenOptions::new().write(true).open(&target)?;
                let mut w = BufWriter::new(file);
                write(&mut w)?;
                Ok(w.flush()?)
            })(),
            Kind::Replace { mut tmp, target } => (|| -> Result<()> {
                let file = tmp.file.take().expect("not yet written");
                let mut w = BufWriter::new(file);
                write(&mut w)?;
                let file = w.into_inner().map_err(|e| e.into_error())?;
                file.as_file().sync_all()?;
                file.persist(&target).map_err(|e| e.error)?;
                Ok(())
            })(),
        };
        result.with_context(|| format!("cannot write `{shown}`"))
    }
}

/// The descriptor of this process that `path` names through its links, if it names one:
/// `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`, `/proc/<our pid>/fd/N`.
fn own_descriptor(path: &Path) -> Option<i32> {
    let me = std::process::id().to_string();
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        let text = p.to_string_lossy().into_owned();
        let parts: Vec<&str> = text.split('/').collect();
        let fd = match parts.as_slice() {
            ["", "dev", "stdout"] => Some(1),
            ["", "dev", "stderr"] => Some(2),
            ["", "dev", "stdin"] => Some(0),
            ["", "dev", "fd", n] => n.parse().ok(),
            ["", "proc", who, "fd", n] if *who == "self" || *who == "thread-self" || *who == me => {
                n.parse().ok()
            }
            _ => None,
        };
        if fd.is_some() {
            return fd;
        }
        let link = std::fs::read_link(&p).ok()?;
        p = match p.parent() {
            Some(dir) if link.is_relative() => dir.join(link),
            _ => link,
        };
    }
    None
}

/// Where a write to `path` really goes: through symbolic links to their final target (which
/// need not exist yet), so that writing a link updates what it points to.
fn final_target(path: &Path) -> Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&p)
                    .with_context(|| format!("cannot read the link `{}`", p.display()))?;
                p = match p.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(p),
        }
    }
    anyhow::bail!("`{}`: too many levels of symbolic links", path.display())
}

/// Temporary files being written, removed if a signal ends the program.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes the temporary files of unfinished writes when SIGINT, SIGTERM or SIGHUP arrives, then
/// ends the program as that signal would (so the shell sees the signal). Call once, at start-up.
pub fn cleanup_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            for p in pending().iter() {
                if p.is_dir() {
                    let _ = std::fs::remove_dir_all(p);
                } else {
                    let _ = std::fs::remove_file(p);
                }
            }
            let _ = signal_hook::low_level::emulate_default_handler(signal);
        }
    });
}

/// Registers a temporary file or directory for removal if a signal ends the program.
pub fn remove_on_signal(path: &Path) {
    pending().push(path.to_path_buf());
}

/// Unregisters what `remove_on_signal` registered (it was put in place or removed).
pub fn keep_on_signal(path: &Path) {
    pending().retain(|p| p != path);
}

/// A temporary file registered for removal on a signal; unregistered (and, unless persisted,
/// deleted) when dropped.
struct Pending {
    path: PathBuf,
    file: Option<tempfile::NamedTempFile>,
}

impl Pending {
    fn new(file: tempfile::NamedTempFile) -> Pending {
        let path = file.path().to_path_buf();
        pending().push(path.clone());
        Pending {
            path,
            file: Some(file),
        }
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        pending().retain(|p| p != &self.path);
    }
}
