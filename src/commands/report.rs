//! `tier report`: the monthly bundle for a cron job. One read of the input, every analysis, and
//! the files written into a temporary directory beside `--out` that replaces the previous report
//! only once complete; a lock file keeps two runs from writing the same report at once.

use crate::analysis::periods::Period;
use crate::cli::{InputArgs, PeriodArgs};
use crate::config::Loaded;
use crate::input::iso_date;
use crate::render::{self, Format};
use crate::report::{self, html, markdown, Settings};
use crate::{commands, progress, settings, UsageError};
use anyhow::{Context, Result};
use clap::Args;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

mod keep;

const EXAMPLES: &str = "Examples:
  tier report sales.csv --out reports/latest          the bundle as of the last date in the data
  tier report sales.csv --as-of 2025-11-30 --out reports/2025-11
  tier report exports/*.csv --out /srv/reports/customers --wait   (in a crontab line)";

/// Flags of `tier report`.
#[derive(Debug, Args)]
#[command(after_long_help = EXAMPLES)]
pub struct ReportArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub period: PeriodArgs,
    /// The report directory: replaced as a whole once the new report is complete [default:
    /// `report.out` in tier.toml].
    #[arg(long, value_name = "DIR", help_heading = "Report")]
    pub out: Option<PathBuf>,
    /// Calendar period of the headline numbers, churn rates and migration [default: month].
    #[arg(long = "period", value_enum, help_heading = "Report")]
    pub every: Option<Period>,
    /// Leave out the CLV model (no P(alive), no CLV).
    #[arg(long, help_heading = "Report")]
    pub no_model: bool,
    /// When another run is writing the same report, wait for it instead of failing.
    #[arg(long, help_heading = "Report")]
    pub wait: bool,
    /// Compare with this earlier report (e.g. last month's): headline changes and the customers
    /// whose class or tier changed. May be the `--out` directory itself.
    #[arg(long, value_name = "DIR", help_heading = "Report")]
    pub previous: Option<PathBuf>,
    /// In `customers.csv`, put a `'` before text that a spreadsheet would run as a formula
    /// (cells starting with `=`, `+`, `-`, `@`); the workbook never runs its text as formulas.
    #[arg(long, help_heading = "Report")]
    pub spreadsheet_safe: bool,
}

/// The files of a report, in the order they are written.
pub const FILES: [&str; 7] = [
    "customers.csv",
    "customers.parquet",
    "customers.xlsx",
    "summary.json",
    "report.html",
    "summary.md",
    "manifest.json",
];

/// Runs `tier report`.
pub fn run(args: &ReportArgs, cfg: &Loaded) -> Result<()> {
    let started = Instant::now();
    render::set_spreadsheet_safe(
        args.spreadsheet_safe || cfg.config.report.spreadsheet_safe == Some(true),
    );
    let out = args
        .out
        .clone()
        .or_else(|| cfg.config.report.out.clone())
        .ok_or_else(|| {
            UsageError(
                "give the report directory with --out DIR (or `out` under [report] in tier.toml)"
                    .into(),
            )
        })?;
    replaceable(&out)?;
    let _lock = lock(&out, args.wait || cfg.config.report.wait == Some(true))?;
    replaceable(&out)?;
    let stale = clean_stale(&out);
    if stale > 0 {
        progress::note(&format!(
            "tier: note: removed {stale} director{} left by killed runs beside `{}`",
            if stale == 1 { "y" } else { "ies" },
            out.display()
        ));
    }
    let period = args.every.or(cfg.config.report.period).unwrap_or_default();
    let previous = match args.previous.as_deref() {
        // The first run of a monthly job: nothing to compare with yet.
        Some(p) if is_missing_or_empty(p) => {
            progress::note(&format!(
                "tier: note: no previous report at `{}` yet: this report has no comparison",
                p.display()
            ));
            None
        }
        p => p.map(|p| read_previous(p, period)).transpose()?,
    };
    let before: Vec<Option<Fingerprint>> =
        args.input.files.iter().map(|f| fingerprint(f)).collect();
    let mut data = commands::load_window(&args.input, &args.period, None, cfg)?;
    if let Some((path, holdout)) = data.other_holdout() {
        return Err(UsageError(format!(
            "the stage `{path}` holds a CLV holdout from {}; the report validates CLV on the \
             last {} days: make the stage without --holdout",
            iso_date(holdout),
            crate::analysis::seam::VALIDATION_DAYS
        ))
        .into());
    }
    let seam = data.seam()?;
    if let Some(p) = previous
        .as_ref()
        .filter(|p| p.as_of > iso_date(data.as_of()))
    {
        return Err(UsageError(format!(
            "--previous is the report as of {}, later than this one (as of {}); give an earlier \
             report, or --as-of",
            p.as_of,
            iso_date(data.as_of())
        ))
        .into());
    }
    let read = started.elapsed();
    let churn = settings::ChurnFlags {
        period: Some(period),
        ..settings::ChurnFlags::default()
    };
    let settings = Settings {
        period,
        classify: settings::classify(None, None, None, false, cfg)?,
        rfm: settings::rfm(&settings::RfmFlags::default(), cfg, data.as_of())?,
        churn: settings::churn(&churn, cfg)?,
        model: !(args.no_model || cfg.config.report.no_model == Some(true)),
        clv: settings::clv(settings::ClvFlags::default(), cfg)?,
    };
    let mut bundle = report::build(&seam, &settings)?;
    let analysed = started.elapsed();
    for n in &bundle.notes {
        progress::note(&format!("tier: note: {n}"));
    }
    bundle.previous = previous;
    let inputs: Vec<String> = match &args.input.stage {
        Some(p) => vec![format!("the stage {}", p.display())],
        None => args.input.files.clone(),
    };
    let dir = Staging::new(&out)?;
    let mut files = FILES.to_vec();
    // The workbook, the slowest file, is written on its own thread beside the others; it has
    // limits of its own, and the other files never depend on it.
    let sheets = workbook_sheets(&bundle)?;
    let book = std::thread::scope(|scope| -> Result<Result<()>> {
        let book = scope.spawn(|| {
            dir.write_file("customers.xlsx", |file| {
                let refs: Vec<(&str, &polars::prelude::DataFrame)> =
                    sheets.iter().map(|(n, d)| (n.as_str(), d)).collect();
                crate::xlsx::write_file(&refs, file)
            })
        });
        write_the_rest(&dir, &bundle, &inputs)?;
        Ok(book
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    })?;
    if let Err(e) = book {
        dir.remove("customers.xlsx");
        files.retain(|f| *f != "customers.xlsx");
        progress::note(&format!(
            "tier: note: no customers.xlsx in the report: {:#}",
            e
        ));
    }
    drop(sheets);
    let manifest = manifest(
        args,
        &before,
        &files,
        &settings,
        &bundle,
        &seam,
        [read, analysed, started.elapsed()],
    )?;
    dir.write("manifest.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &manifest)?;
        Ok(writeln!(w)?)
    })?;
    dir.commit(&out)?;
    progress::note(&format!(
        "tier: report as of {} written to `{}`",
        iso_date(bundle.as_of),
        out.display()
    ));
    Ok(())
}

/// Every file of the report but the workbook and the manifest.
fn write_the_rest(dir: &Staging, bundle: &report::Bundle, inputs: &[String]) -> Result<()> {
    let mut customers = bundle.customers.clone();
    dir.write("customers.csv", |w| {
        render::frame(&mut customers, Format::Csv, w)
    })?;
    dir.write("customers.parquet", |w| {
        render::frame(&mut customers, Format::Parquet, w)
    })?;
    let doc = bundle.summary_doc()?;
    dir.write("summary.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &doc)?;
        Ok(writeln!(w)?)
    })?;
    let page = html::page(bundle, inputs)?;
    dir.write("report.html", |w| Ok(w.write_all(page.as_bytes())?))?;
    dir.write("summary.md", |w| {
        Ok(w.write_all(markdown::text(bundle).as_bytes())?)
    })
}

/// The workbook's sheets: the customers, then the summary tables.
fn workbook_sheets(b: &report::Bundle) -> Result<Vec<(String, polars::prelude::DataFrame)>> {
    let mut sheets = vec![("customers".to_string(), b.customers.clone())];
    sheets.push((
        "abc".into(),
        crate::analysis::pareto::class_frame("class", &b.pareto.abc)?,
    ));
    sheets.push((
        "tiers".into(),
        crate::analysis::pareto::class_frame("tier", &b.pareto.tiers)?,
    ));
    sheets.push(("rfm segments".into(), b.segments.clone()));
    sheets.push((
        "churn rates".into(),
        crate::analysis::retention::rates_frame(&b.rates, b.period)?,
    ));
    sheets.push((
        "migration".into(),
        crate::analysis::migrate::matrix(&b.moves, &b.rungs)?,
    ));
    Ok(sheets)
}

/// Holds the report's lock file (`DIR.lock`) while it lives.
struct Lock {
    _file: std::fs::File,
}

fn lock(out: &Path, wait: bool) -> Result<Lock> {
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    let path = sibling(out, ".lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot create the lock file `{}`", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Lock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) if wait => {
            progress::note(&format!(
                "tier: note: another run is writing `{}`; waiting for it",
                out.display()
            ));
            file.lock()
                .with_context(|| format!("cannot lock `{}`", path.display()))?;
            Ok(Lock { _file: file })
        }
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another tier report is writing `{}` (it holds `{}`); pass --wait to wait for it",
            out.display(),
            path.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock `{}`", path.display()))
        }
    }
}

/// Refuses a `--out` that the report would destroy: it must be new, an empty directory, or a
/// report tier wrote (a directory with tier's `manifest.json`), which is replaced whole.
fn replaceable(out: &Path) -> Result<()> {
    check_name(out)?;
    let Ok(meta) = std::fs::symlink_metadata(out) else {
        return Ok(());
    };
    if is_mount_point(out, &meta) {
        return Err(UsageError(format!(
            "`{}` is a mount point, which cannot be replaced; give a directory inside it",
            out.display()
        ))
        .into());
    }
    if meta.file_type().is_symlink() {
        return Err(UsageError(format!(
            "`{}` is a symbolic link; give the directory itself (the report replaces it whole)",
            out.display()
        ))
        .into());
    }
    if !meta.is_dir() {
        return Err(UsageError(format!(
            "`{}` exists and is not a directory; --out takes the report's directory, which tier \
             replaces whole: choose a new name",
            out.display()
        ))
        .into());
    }
    let mut entries =
        std::fs::read_dir(out).with_context(|| format!("cannot read `{}`", out.display()))?;
    if entries.next().is_none() {
        return Ok(());
    }
    let manifest = std::fs::read_to_string(out.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .filter(|m| m.get("tier_version").is_some());
    let Some(manifest) = manifest else {
        return Err(UsageError(format!(
            "`{}` holds files that are not a tier report (no manifest.json written by tier); \
             the report replaces its directory whole, so choose a new or empty directory",
            out.display()
        ))
        .into());
    };
    // Replacing the directory would delete anything the manifest does not list.
    let listed: Vec<&str> = manifest
        .get("files")
        .and_then(|f| f.as_array())
        .map(|f| f.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let mut foreign: Vec<String> = std::fs::read_dir(out)
        .with_context(|| format!("cannot read `{}`", out.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let file = e.file_type().is_ok_and(|t| t.is_file());
            !(file && (name == "manifest.json" || listed.contains(&name.as_str())))
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    foreign.sort();
    if let Some(first) = foreign.first() {
        return Err(UsageError(format!(
            "`{}` holds `{first}`{}, which the report there did not write; the report replaces \
             its directory whole, so move {} out or choose another directory",
            out.display(),
            match foreign.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            },
            if foreign.len() == 1 { "it" } else { "them" }
        ))
        .into());
    }
    Ok(())
}

/// Refuses, before any work, a report directory whose name cannot be renamed onto (`rep/.`,
/// `..`, `/`) or leaves no room for the names beside it (`DIR.lock`, `DIR.old-PID`).
fn check_name(out: &Path) -> Result<()> {
    use std::path::Component;
    let text = out.to_string_lossy();
    let last = out.components().next_back();
    let Some(Component::Normal(name)) = last.filter(|_| !text.ends_with("/.") && text != ".")
    else {
        return Err(UsageError(format!(
            "`{}` does not name a directory that can be replaced; give its name (e.g. \
             `reports/2026-12`)",
            out.display()
        ))
        .into());
    };
    if name.len() > 255 - 32 {
        return Err(UsageError(format!(
            "`{}`: give the report directory by a plain name of at most 223 bytes",
            out.display()
        ))
        .into());
    }
    Ok(())
}

/// Whether an existing directory is mounted on its own (its parent is on another device).
fn is_mount_point(dir: &Path, meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    meta.is_dir() && std::fs::metadata(parent).is_ok_and(|p| p.dev() != meta.dev())
}

/// Removes what killed runs left beside the report directory's parent: staging directories
/// (`.tier-report-PID-*`) and previous reports moved aside (`*.old-PID`) whose process is gone.
/// Only names tier makes, with a PID that no longer runs, are touched.
fn clean_stale(out: &Path) -> usize {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Ok(entries) = std::fs::read_dir(&parent) else {
        return 0;
    };
    let gone = |pid: &str| {
        pid.parse::<u32>()
            .is_ok_and(|p| p != std::process::id() && !Path::new(&format!("/proc/{p}")).exists())
    };
    let aside = format!(
        "{}.old-",
        out.file_name().unwrap_or_default().to_string_lossy()
    );
    // Holds nothing but the files a report has.
    let report_like = |dir: &Path| {
        std::fs::read_dir(dir).is_ok_and(|d| {
            d.filter_map(|e| e.ok()).all(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                e.file_type().is_ok_and(|t| t.is_file()) && FILES.contains(&n.as_str())
            })
        })
    };
    let mut removed = 0;
    for e in entries.filter_map(|e| e.ok()) {
        let name = e.file_name().to_string_lossy().into_owned();
        let pid = if let Some(rest) = name.strip_prefix(".tier-report-") {
            match rest.split_once('-') {
                Some((pid, random)) if random.len() == 6 => pid.to_string(),
                _ => continue,
            }
        } else if let Some(pid) = name.strip_prefix(&aside) {
            pid.to_string()
        } else {
            continue;
        };
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        let proven = is_dir && Path::new("/proc/self").exists() && gone(&pid);
        if proven && report_like(&e.path()) {
            removed += usize::from(std::fs::remove_dir_all(e.path()).is_ok());
        }
    }
    removed
}

/// `DIR` with `suffix` added to its last component.
fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map_or("report".into(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!("{name}{suffix}"))
}

/// A directory being filled beside the report's, renamed onto it at the end; removed if the run
/// fails or a signal ends it.
struct Staging {
    dir: Option<tempfile::TempDir>,
    /// The report directory being replaced: its mode and group, and its files' modes, are kept.
    previous: Option<PathBuf>,
}

impl Staging {
    fn new(out: &Path) -> Result<Staging> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
        // A new report directory gets the umask's permissions, as `mkdir` gives.
        let prefix = format!(".tier-report-{}-", std::process::id());
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix);
        #[cfg(unix)]
        builder.permissions(keep::new_dir());
        let dir = builder
            .tempdir_in(&parent)
            .with_context(|| format!("cannot create a directory in `{}`", parent.display()))?;
        crate::output::remove_on_signal(dir.path());
        let previous = out.is_dir().then(|| out.to_path_buf());
        if let Some(p) = &previous {
            keep::group(p, dir.path());
        }
        Ok(Staging {
            dir: Some(dir),
            previous,
        })
    }

    fn path(&self) -> &Path {
        self.dir.as_ref().expect("not committed").path()
    }

    fn write(&self, name: &str, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
        self.write_file(name, |file| {
            let mut w = std::io::BufWriter::new(file);
            write(&mut w)?;
            w.flush()?;
            Ok(())
        })
    }

    /// As `write`, given the file itself (a writer that seeks, such as the workbook's).
    fn write_file(&self, name: &str, write: impl FnOnce(&File) -> Result<()>) -> Result<()> {
        let path = self.path().join(name);
        let file = File::create(&path).with_context(|| format!("cannot write `{name}`"))?;
        write(&file).with_context(|| format!("cannot write `{name}`"))?;
        file.sync_all()
            .with_context(|| format!("cannot write `{name}`"))?;
        if let Some(p) = &self.previous {
            keep::file(&p.join(name), self.path(), &path);
        }
        Ok(())
    }

    /// Removes a file that could not be written whole.
    fn remove(&self, name: &str) {
        let _ = std::fs::remove_file(self.path().join(name));
    }

    /// Puts the new report in place of the old one. On Linux the two directories swap names in
    /// one step (`renameat2` with `RENAME_EXCHANGE`), so `--out` always holds a whole report,
    /// even when the process is killed; the old one, now under the staging name, is removed.
    /// Elsewhere (or on a file system without the exchange) the old directory is moved aside,
    /// the new one renamed onto its name, and the old one removed.
    fn commit(mut self, out: &Path) -> Result<()> {
        let dir = self.dir.take().expect("not committed").keep();
        crate::output::keep_on_signal(&dir);
        if let Some(p) = &self.previous {
            keep::mode(p, &dir);
        }
        if out.exists() && exchange(&dir, out)? {
            return std::fs::remove_dir_all(&dir).with_context(|| {
                format!(
                    "cannot remove the previous report (now `{}`)",
                    dir.display()
                )
            });
        }
        let aside = sibling(out, &format!(".old-{}", std::process::id()));
        let had = out.exists();
        if had {
            std::fs::rename(out, &aside).with_context(|| {
                format!("cannot move the previous report `{}` aside", out.display())
            })?;
        }
        if let Err(e) = std::fs::rename(&dir, out) {
            if had {
                let _ = std::fs::rename(&aside, out);
            }
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e)
                .with_context(|| format!("cannot put the report in place at `{}`", out.display()));
        }
        if had {
            std::fs::remove_dir_all(&aside).with_context(|| {
                format!("cannot remove the previous report `{}`", aside.display())
            })?;
        }
        Ok(())
    }
}

/// Swaps two directories' names in one step; false where the system cannot (the caller then
/// renames in two steps).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<bool> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => Ok(false),
        Err(e) => {
            let _ = std::fs::remove_dir_all(a);
            Err(std::io::Error::from(e))
                .with_context(|| format!("cannot put the report in place at `{}`", b.display()))
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> Result<bool> {
    Ok(false)
}

impl Drop for Staging {
    fn drop(&mut self) {
        if let Some(d) = &self.dir {
            crate::output::keep_on_signal(d.path());
        }
    }
}

/// `manifest.json`: inputs with sizes and SHA-256, the as-of date, every parameter, the version,
/// counts and durations (the only part that changes from run to run).
fn manifest(
    args: &ReportArgs,
    before: &[Option<Fingerprint>],
    files: &[&str],
    s: &Settings,
    b: &report::Bundle,
    seam: &crate::analysis::seam::Seam,
    [read, analysed, total]: [std::time::Duration; 3],
) -> Result<serde_json::Value> {
    let seconds = |d: std::time::Duration| (d.as_secs_f64() * 1000.0).round() / 1000.0;
    let mut inputs = Vec::new();
    for (f, seen) in args.input.files.iter().zip(before) {
        let (size, sha) = match seen {
            Some(seen) => {
                let sha = sha256(Path::new(f))?;
                // Hashed after the analysis: the digest is of the bytes analysed only if the
                // file did not change from before it was read until after it was hashed.
                if fingerprint(f).as_ref() != Some(seen) {
                    anyhow::bail!(
                        "`{f}` changed while tier read it: the report would not describe one \
                         version of it; run again once the file is complete"
                    );
                }
                (Some(seen.len), Some(sha))
            }
            None => (None, None),
        };
        inputs.push(serde_json::json!({"path": f, "bytes": size, "sha256": sha}));
    }
    Ok(serde_json::json!({
        "tier_version": env!("CARGO_PKG_VERSION"),
        "as_of": iso_date(b.as_of),
        "since": seam.window.since.map(iso_date),
        "engine": "local",
        "stage": args.input.stage.as_ref().map(|p| p.display().to_string()),
        "inputs": inputs,
        "parameters": {
            "period": s.period.name(),
            "abc": [s.classify.abc.0, s.classify.abc.1],
            "tiers": s.classify.tiers.iter().map(|t| serde_json::json!({"name": t.name, "pct": t.pct})).collect::<Vec<_>>(),
            "rfm_bins": s.rfm.bins,
            "churn": {
                "at_risk_gap": s.churn.at_risk_gap,
                "lapsed_gap": s.churn.lapsed_gap,
                "lost_gap": s.churn.lost_gap,
                "one_time_gap": s.churn.one_time_gap,
                "drop": s.churn.drop,
                "at_risk_p_alive": s.churn.at_risk_p_alive,
                "lapsed_p_alive": s.churn.lapsed_p_alive,
            },
            "clv": if s.model {
                serde_json::json!({
                    "model": s.clv.model,
                    "unit": s.clv.unit,
                    "horizon": s.clv.horizon,
                    "margin": s.clv.margin,
                    "discount_rate": s.clv.discount_rate,
                })
            } else {
                serde_json::Value::Null
            },
        },
        "counts": {
            "customers": b.customers.height(),
            "customer_days": seam.customer_days()?,
        },
        "files": files,
        "durations_seconds": {
            "read": seconds(read),
            "analysis": seconds(analysed - read),
            "total": seconds(total),
        },
    }))
}

/// What shows that a file was not changed: any write changes its size, modification or change
/// time (the change time cannot be set back), a replacement its inode.
#[derive(Debug, PartialEq, Eq)]
struct Fingerprint {
    len: u64,
    identity: (u64, u64),
    times: [i128; 2],
}

/// The fingerprint of a regular file (none for stdin and special files).
fn fingerprint(path: &str) -> Option<Fingerprint> {
    let m = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
    #[cfg(unix)]
    let (identity, changed) = {
        use std::os::unix::fs::MetadataExt;
        (
            (m.dev(), m.ino()),
            i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec()),
        )
    };
    #[cfg(not(unix))]
    let (identity, changed) = ((0, 0), 0);
    let modified = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128);
    Some(Fingerprint {
        len: m.len(),
        identity,
        times: [modified, changed],
    })
}

fn sha256(path: &Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = std::io::Read::read(&mut file, &mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Whether a `--previous` directory does not exist yet, or holds nothing.
fn is_missing_or_empty(dir: &Path) -> bool {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

/// Reads what `--previous DIR` needs from an earlier report: `summary.json` (as-of and headline)
/// and `customers.csv` (class and tier). A report of a newer schema or of another period length
/// cannot be compared with this one and is refused.
fn read_previous(dir: &Path, period: Period) -> Result<report::Previous> {
    let not = |what: &str| {
        format!(
            "--previous `{}` is not a tier report ({what}); give a directory written by tier report",
            dir.display()
        )
    };
    let summary = dir.join("summary.json");
    let text = std::fs::read_to_string(&summary).map_err(|_| UsageError(not("no summary.json")))?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        UsageError(format!(
            "`{}` is not valid JSON ({e}); give a report directory written by tier report",
            summary.display()
        ))
    })?;
    let malformed = |what: &str| {
        UsageError(format!(
            "`{}` is malformed: {what}; give a report directory written by tier report",
            summary.display()
        ))
    };
    match doc["schema_version"].as_u64() {
        Some(v) if v <= u64::from(report::SCHEMA_VERSION) => {}
        Some(v) => {
            return Err(UsageError(format!(
                "--previous `{}` is a report of schema version {v}, newer than this tier's ({}); \
                 compare it with the tier version that wrote it",
                dir.display(),
                report::SCHEMA_VERSION
            ))
            .into())
        }
        None => return Err(malformed("no `schema_version` number").into()),
    }
    let as_of = doc["as_of"]
        .as_str()
        .filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok())
        .ok_or_else(|| malformed("no `as_of` date (YYYY-MM-DD)"))?;
    match doc["period"].as_str() {
        Some(p) if p == period.name() => {}
        Some(p) => {
            return Err(UsageError(format!(
                "--previous `{}` is a report by {p}, this one is by {}: their periods cannot be \
                 compared; give a report by {} (or --period {p})",
                dir.display(),
                period.name(),
                period.name(),
            ))
            .into())
        }
        None => return Err(malformed("no `period`").into()),
    }
    let mut previous = report::Previous {
        as_of: as_of.to_string(),
        ..Default::default()
    };
    for k in doc["headline"].as_array().into_iter().flatten() {
        if let (Some(name), Some(v)) = (k["kpi"].as_str(), k["value"].as_f64()) {
            previous.kpis.insert(name.to_string(), v);
        }
    }
    let mut rows = csv::Reader::from_path(dir.join("customers.csv"))
        .map_err(|_| UsageError(not("no customers.csv")))?;
    let header = rows.headers()?.clone();
    let at = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| UsageError(not(&format!("customers.csv has no `{name}` column"))))
    };
    let (c, a, t) = (at("customer")?, at("abc")?, at("tier")?);
    for row in rows.records() {
        let row =
            row.with_context(|| format!("cannot read `{}`", dir.join("customers.csv").display()))?;
        previous.standing.insert(
            row.get(c).unwrap_or_default().to_string(),
            (
                row.get(a).unwrap_or_default().to_string(),
                row.get(t).unwrap_or_default().to_string(),
            ),
        );
    }
    Ok(previous)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_directory_is_swapped_in_one_step() {
        let root = tempfile::tempdir().unwrap();
        let (new, out) = (root.path().join("new"), root.path().join("out"));
        for (d, mark) in [(&new, "new"), (&out, "old")] {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join("mark"), mark).unwrap();
        }
        // Where the file system cannot swap, nothing has moved and the caller renames.
        if exchange(&new, &out).unwrap() {
            assert_eq!(std::fs::read_to_string(out.join("mark")).unwrap(), "new");
            assert_eq!(std::fs::read_to_string(new.join("mark")).unwrap(), "old");
        }
    }
}
