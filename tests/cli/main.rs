//! End-to-end tests of the `tier` binary: one test binary (polars links slowly), one module per
//! subcommand. The harness runs the built binary with piped stdio and captures everything.

mod churn;
mod classify;
mod clv;
mod config;
mod exports;
mod hardening;
mod input;
mod money;
mod profile;
mod promises;
mod report;
mod rfm;
mod spark;
mod stage;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What one run of `tier` did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success, got {self:#?}");
        &self.stdout
    }

    /// Asserts the exit code and that stderr mentions every piece; returns stderr.
    #[track_caller]
    pub fn fails(&self, code: i32, pieces: &[&str]) -> &str {
        assert_eq!(self.code, code, "wrong exit code: {self:#?}");
        for p in pieces {
            assert!(self.stderr.contains(p), "stderr lacks {p:?}: {self:#?}");
        }
        assert!(!self.stderr.contains("panicked"), "panic: {}", self.stderr);
        &self.stderr
    }
}

pub fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

pub fn repo_file(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .display()
        .to_string()
}

/// Runs tier with `args` and the given stdin (none = an empty, non-terminal stdin).
pub fn tier_in(args: &[&str], stdin: Option<&[u8]>) -> Run {
    tier_at(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests")
            .as_path(),
        args,
        stdin,
    )
}

/// Runs tier in the working directory `dir`, with no user config directory.
pub fn tier_at(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    tier_env(dir, args, stdin, &[])
}

/// Runs tier in `dir` with extra environment variables.
pub fn tier_env(dir: &Path, args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tier"))
        .args(args)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", dir.join("no-user-config"))
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove("TIER_CONFIG")
        .spawn()
        .expect("run tier");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.unwrap_or(b"").to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait for tier");
    feeder.join().expect("stdin feeder");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn tier(args: &[&str]) -> Run {
    tier_in(args, None)
}

/// A fresh temporary directory for files a test writes.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Writes `content` to `name` inside `dir`, returning its path.
pub fn write(dir: &Path, name: &str, content: &[u8]) -> String {
    let p: PathBuf = dir.join(name);
    std::fs::write(&p, content).expect("write fixture");
    p.display().to_string()
}

/// Parses CSV output into rows of strings, header first.
pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.expect("valid CSV").iter().map(str::to_string).collect())
        .collect()
}

/// The values of one named column of CSV output.
pub fn csv_column(text: &str, name: &str) -> Vec<String> {
    let rows = csv_rows(text);
    let i = rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", rows[0]));
    rows[1..].iter().map(|r| r[i].clone()).collect()
}

/// 2024-01-01 plus `d` days, as YYYY-MM-DD (2024 is a leap year).
pub fn day_of_2024(d: usize) -> String {
    let months = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut rest = d;
    for (m, len) in months.iter().enumerate() {
        if rest < *len {
            return format!("2024-{:02}-{:02}", m + 1, rest + 1);
        }
        rest -= len;
    }
    panic!("beyond 2024")
}
