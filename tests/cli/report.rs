//! `tier report` end to end: the bundle's files and columns, determinism, a failing run that
//! leaves the previous report intact, the lock between overlapping runs, the workbook read back
//! with its types, the self-contained HTML, and `-o FILE.xlsx` for the other commands.

use super::*;
use calamine::{open_workbook, Data, Reader, Xlsx};

const FILES: [&str; 7] = [
    "customers.csv",
    "customers.parquet",
    "customers.xlsx",
    "summary.json",
    "report.html",
    "summary.md",
    "manifest.json",
];

fn sample() -> String {
    repo_file("sample-data/sales.csv")
}

fn report(out: &Path, extra: &[&str]) -> Run {
    let o = out.display().to_string();
    let s = sample();
    let mut args = vec!["report", s.as_str(), "--out", o.as_str(), "-q"];
    args.extend(extra);
    tier(&args)
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tier-report-") || n.contains(".old-"))
        .collect()
}

#[test]
fn the_bundle_has_every_file_and_column() {
    let dir = temp_dir();
    let out = dir.path().join("latest");
    report(&out, &[]).ok();
    for f in FILES {
        assert!(out.join(f).is_file(), "{f}");
    }
    let csv = std::fs::read_to_string(out.join("customers.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    for c in [
        "customer",
        "value",
        "abc",
        "tier",
        "rfm",
        "segment",
        "p_alive",
        "expected_purchases",
        "clv",
        "status",
        "reasons",
        "change_pct",
        "change_yoy_pct",
        "trend",
    ] {
        assert!(header.split(',').any(|h| h == c), "{c} in {header}");
    }
    assert_eq!(csv.lines().count(), 301, "a row per customer");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(doc["schema_version"], 1);
    for k in [
        "headline",
        "pareto",
        "rfm",
        "clv",
        "churn",
        "churn_rates",
        "migration",
    ] {
        assert!(!doc[k].is_null(), "{k}");
    }
    assert_eq!(doc["pareto"]["customers"], 300);
    assert_eq!(doc["clv"]["validation"]["holdout_days"], 91);
    assert!(doc["clv"]["fit"]["bgnbd"]["converged"].as_bool().unwrap());
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(md.starts_with("# Customers as of 2025-12-31"), "{md}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for id in [
        "pareto",
        "abc",
        "tiers",
        "rfm",
        "clv",
        "migration",
        "churn-rate",
        "churn-class",
    ] {
        let at = html
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("chart {id}"));
        let chart = &html[at..at + html[at..].find("</figure>").unwrap()];
        assert!(
            chart.contains("<rect") || chart.contains("<path") || chart.contains("<td"),
            "chart {id} is empty"
        );
    }
    // Self-contained: no scripts, no external resources.
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("<link"));
    assert!(
        !html.contains("http://")
            || html.matches("http://").count()
                == html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(manifest["as_of"], "2025-12-31");
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

#[test]
fn two_runs_give_identical_files() {
    let dir = temp_dir();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    report(&a, &["--as-of", "2025-11-30"]).ok();
    report(&b, &["--as-of", "2025-11-30"]).ok();
    for f in FILES {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        if f == "manifest.json" {
            let strip = |bytes: &[u8]| {
                let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
                v["durations_seconds"] = serde_json::Value::Null;
                v
            };
            assert_eq!(strip(&x), strip(&y));
        } else {
            assert!(x == y, "{f} differs between two runs");
        }
    }
}

#[test]
fn a_failing_run_leaves_the_previous_report_as_it_was() {
    let dir = temp_dir();
    let out = dir.path().join("latest");
    report(&out, &[]).ok();
    let before: Vec<Vec<u8>> = FILES
        .iter()
        .map(|f| std::fs::read(out.join(f)).unwrap())
        .collect();
    let o = out.display().to_string();
    let missing = tier(&["report", "nope.csv", "--out", &o]);
    assert_eq!(missing.code, 1);
    assert_eq!(missing.stderr.lines().count(), 1, "{}", missing.stderr);
    let bad = write(
        dir.path(),
        "bad.csv",
        b"customer_id,order_date,amount\nC1,2024-01-05,12x\n",
    );
    tier(&["report", &bad, "--out", &o]).fails(1, &["line 2"]);
    let after: Vec<Vec<u8>> = FILES
        .iter()
        .map(|f| std::fs::read(out.join(f)).unwrap())
        .collect();
    assert!(before == after, "the previous report is intact");
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

#[test]
fn overlapping_runs_wait_or_fail_clearly() {
    let dir = temp_dir();
    let out = dir.path().join("latest");
    let lock_path = dir.path().join("latest.lock");
    let held = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .unwrap();
    held.lock().unwrap();
    report(&out, &[]).fails(1, &["another tier report", "--wait"]);
    assert!(!out.exists());
    let o = out.display().to_string();
    let s = sample();
    let child = Command::new(env!("CARGO_BIN_EXE_tier"))
        .args(["report", &s, "--out", &o, "--wait", "-q"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    held.unlock().unwrap();
    let done = child.wait_with_output().unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(out.join("report.html").is_file());
}

#[test]
fn the_workbook_reads_back_with_its_types() {
    let dir = temp_dir();
    let out = dir.path().join("r");
    report(&out, &[]).ok();
    let mut wb: Xlsx<_> = open_workbook(out.join("customers.xlsx")).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names[0], "customers");
    assert!(names.iter().any(|n| n == "churn rates"));
    let sheet = wb.worksheet_range("customers").unwrap();
    let header: Vec<String> = (0..sheet.width())
        .map(|c| sheet.get((0, c)).unwrap().to_string())
        .collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(
        sheet.get((1, at("customer"))),
        Some(&Data::String("C1119".into()))
    );
    assert_eq!(sheet.get((1, at("value"))), Some(&Data::Float(86503.3)));
    assert!(matches!(
        sheet.get((1, at("first_purchase"))),
        Some(Data::DateTime(_))
    ));
    assert_eq!(sheet.height(), 301);
    // The other commands write workbooks too.
    let x = dir.path().join("classify.xlsx");
    tier(&["classify", &sample(), "-o", &x.display().to_string()]).ok();
    let mut wb: Xlsx<_> = open_workbook(&x).unwrap();
    let data = wb.worksheet_range("data").unwrap();
    assert_eq!(data.get((0, 0)), Some(&Data::String("customer".into())));
}

#[test]
fn settings_come_from_tier_toml() {
    let dir = temp_dir();
    write(
        dir.path(),
        "tier.toml",
        b"[report]\nout = \"monthly\"\nperiod = \"quarter\"\nno_model = true\n",
    );
    let run = tier_at(dir.path(), &["report", &sample(), "-q"], None);
    run.ok();
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("monthly/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(doc["period"], "quarter");
    assert!(doc["clv"]["error"].as_str().unwrap().contains("no-model"));
    tier(&["report", &sample()]).fails(2, &["--out"]);
}

/// The browser for the rendering test: `TIER_BROWSER` (which `.ci/run` sets after installing
/// Debian's chromium), else `chromium` on the PATH.
fn browser() -> Option<String> {
    if let Some(b) = std::env::var_os("TIER_BROWSER") {
        return Some(b.to_string_lossy().into_owned());
    }
    let found = Command::new("sh")
        .args(["-c", "command -v chromium"])
        .output()
        .ok()?;
    let path = String::from_utf8_lossy(&found.stdout).trim().to_string();
    (!path.is_empty()).then_some(path)
}

#[test]
#[allow(clippy::print_stderr)]
fn the_page_renders_in_a_real_browser() {
    let Some(browser) = browser() else {
        eprintln!("skipped: no chromium (install Debian's `chromium`, as .ci/run does)");
        return;
    };
    let dir = temp_dir();
    let out = dir.path().join("r");
    report(&out, &[]).ok();
    let url = format!("file://{}", out.join("report.html").display());
    let headless = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--enable-logging=stderr",
        "--v=0",
    ];
    let dom = Command::new(&browser)
        .args(headless)
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&dom.stdout);
    for id in [
        "pareto",
        "abc",
        "tiers",
        "rfm",
        "clv",
        "migration",
        "churn-rate",
        "churn-class",
    ] {
        assert!(
            text.contains(&format!("id=\"{id}\"")),
            "chart {id} in the rendered page"
        );
    }
    assert!(
        text.matches("<svg").count() >= 5,
        "the SVG charts are in the DOM"
    );
    let log = String::from_utf8_lossy(&dom.stderr);
    assert!(
        !log.contains("CONSOLE") && !log.contains("Uncaught"),
        "console errors: {log}"
    );
    let shot = dir.path().join("page.png");
    let png = Command::new(&browser)
        .args(headless)
        .args(["--hide-scrollbars", "--window-size=1280,3000"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        png.status.success(),
        "{}",
        String::from_utf8_lossy(&png.stderr)
    );
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 50_000,
        "a screenshot with content"
    );
    // Histories of 14 and 60 months: the churn chart's labels, as the browser has them, never
    // run into each other.
    for months in [14, 60] {
        let mut csv = String::from("customer_id,date,amount\n");
        for m in 0..months {
            for c in 0..(5 + m % 7) {
                csv.push_str(&format!(
                    "C{c},{}-{:02}-10,{}\n",
                    2020 + m / 12,
                    m % 12 + 1,
                    10 + c
                ));
            }
        }
        let data = write(dir.path(), "long.csv", csv.as_bytes());
        let long = dir.path().join(format!("long{months}"));
        tier(&[
            "report",
            &data,
            "--out",
            long.to_str().unwrap(),
            "--no-model",
            "-q",
        ])
        .ok();
        let dom = Command::new(&browser)
            .args(headless)
            .arg("--dump-dom")
            .arg(format!("file://{}", long.join("report.html").display()))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&dom.stdout);
        let chart = &text[text.find("id=\"churn-rate\"").expect("the churn chart")..];
        let chart = &chart[..chart.find("</svg>").unwrap()];
        let xs: Vec<f64> = chart
            .split("<text class=\"label\"")
            .skip(1)
            .map(|t| {
                let at = t.find("x=\"").unwrap() + 3;
                t[at..].split('"').next().unwrap().parse().unwrap()
            })
            .collect();
        assert!(xs.len() >= 4, "{months}: {xs:?}");
        // `2024-12` is 7 characters of 11 px text, about 45 px.
        assert!(
            xs.windows(2).all(|w| w[1] - w[0] >= 45.0),
            "{months}: {xs:?}"
        );
    }
}

#[test]
fn completions_and_the_man_page_come_from_the_flags() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = tier(&["completions", shell]);
        assert!(
            out.ok().contains("report") && out.stdout.contains("spreadsheet-safe"),
            "{shell}"
        );
    }
    tier(&["completions", "tcsh"]).fails(2, &["tcsh"]);
    let man = tier(&["man"]);
    let text = man.ok();
    assert!(text.starts_with(".ie") || text.contains(".TH tier 1"));
    for sub in [
        "classify", "rfm", "profile", "clv", "churn", "migrate", "growth", "report",
    ] {
        assert!(text.contains(&format!(".TH tier-{sub} 1")), "{sub}");
    }
}

#[test]
fn a_report_compares_with_the_previous_one() {
    let dir = temp_dir();
    let out = dir.path().join("latest");
    report(&out, &["--as-of", "2025-11-30"]).ok();
    let o = out.display().to_string();
    report(&out, &["--previous", &o]).ok();
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let prev = &doc["previous_report"];
    assert_eq!(prev["as_of"], "2025-11-30");
    assert_eq!(prev["headline"][0]["kpi"], "revenue");
    assert!(prev["headline"][0]["previous_report"].as_f64().unwrap() > 0.0);
    let changed = prev["changed"].as_array().unwrap();
    assert!(!changed.is_empty());
    assert!(changed
        .iter()
        .all(|c| c["abc_before"] != c["abc_now"] || c["tier_before"] != c["tier_now"]));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Since the previous report (as of 2025-11-30)"));
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(md.contains("Since the report as of 2025-11-30:"), "{md}");
    // An empty directory is a first run (a note); one holding other files is not a report.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    write(&other, "notes.txt", b"mine");
    report(&out, &["--previous", &other.display().to_string()]).fails(2, &["not a tier report"]);
}

#[test]
fn clv_settings_in_tier_toml_reach_the_command_and_the_report() {
    let dir = temp_dir();
    let s = sample();
    let plain = tier(&["clv", &s, "--summary", "--format", "json", "-q"]);
    let base: serde_json::Value = serde_json::from_str(plain.ok()).unwrap();
    write(
        dir.path(),
        "tier.toml",
        b"[clv]\nmargin = 0.3\nunit = \"day\"\n",
    );
    let run = tier_at(
        dir.path(),
        &["clv", &s, "--summary", "--format", "json", "-q"],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(v["margin"], 0.3);
    assert_eq!(v["model"]["unit"], "day");
    assert_ne!(v["horizon"], base["horizon"]);
    let flag = tier_at(
        dir.path(),
        &[
            "clv",
            &s,
            "--margin",
            "0.5",
            "--summary",
            "--format",
            "json",
            "-q",
        ],
        None,
    );
    let f: serde_json::Value = serde_json::from_str(flag.ok()).unwrap();
    assert_eq!(f["margin"], 0.5, "the flag wins over the file");
    tier_at(dir.path(), &["report", &s, "--out", "r", "-q"], None).ok();
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(m["parameters"]["clv"]["margin"], 0.3);
    write(dir.path(), "tier.toml", b"[clv]\ndiscount_rate = 5\n");
    tier_at(dir.path(), &["clv", &s], None).fails(2, &["clv.discount_rate in", "tier.toml"]);
}

#[test]
fn a_killed_run_leaves_the_previous_report_as_it_was() {
    let dir = temp_dir();
    let out = dir.path().join("latest");
    report(&out, &[]).ok();
    let before = std::fs::read(out.join("summary.json")).unwrap();
    let o = out.display().to_string();
    // stdin stays open: the run holds the lock and waits for data when it is killed.
    let mut child = Command::new(env!("CARGO_BIN_EXE_tier"))
        .args(["report", "-", "--out", &o])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    assert!(!child.wait().unwrap().success());
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), before);
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    // The lock went with the killed run: the next one goes ahead.
    report(&out, &[]).ok();
}

#[test]
fn the_report_never_replaces_what_it_did_not_write() {
    let dir = temp_dir();
    let data = repo_file("sample-data/sales.csv");
    let file = write(dir.path(), "notes.txt", b"mine");
    tier(&["report", &data, "--out", &file, "--no-model"]).fails(2, &["not a directory"]);
    assert_eq!(std::fs::read(&file).unwrap(), b"mine");
    let mine = dir.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    let precious = write(&mine, "precious.txt", b"keep");
    let m = mine.to_str().unwrap();
    tier(&["report", &data, "--out", m, "--no-model"]).fails(2, &["not a tier report"]);
    assert_eq!(std::fs::read(&precious).unwrap(), b"keep");
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 2, "nothing left beside them");
    // An empty directory, and then the report in it, are replaced.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let e = empty.to_str().unwrap();
    tier(&["report", &data, "--out", e, "--no-model", "-q"]).ok();
    tier(&["report", &data, "--out", e, "--no-model", "-q"]).ok();
    assert!(empty.join("manifest.json").exists());
    // A report directory holding anything its manifest does not list (a note, an archive
    // folder) is refused and left as it is; so is a foreign directory with a look-alike manifest.
    let note = write(&empty, "my notes.txt", b"mine");
    std::fs::create_dir(empty.join("archive")).unwrap();
    tier(&["report", &data, "--out", e, "--no-model", "-q"])
        .fails(2, &["`archive` and 1 more", "did not write"]);
    assert_eq!(std::fs::read(&note).unwrap(), b"mine");
    assert!(empty.join("archive").is_dir() && empty.join("customers.csv").is_file());
    let fake = dir.path().join("fake");
    std::fs::create_dir(&fake).unwrap();
    write(&fake, "manifest.json", br#"{"tier_version": "0.1.0"}"#);
    write(&fake, "thesis.docx", b"years of work");
    tier(&[
        "report",
        &data,
        "--out",
        fake.to_str().unwrap(),
        "--no-model",
        "-q",
    ])
    .fails(2, &["`thesis.docx`"]);
    assert!(fake.join("thesis.docx").is_file());
}

#[test]
fn leftovers_of_killed_runs_are_removed_and_doomed_names_refused_first() {
    let dir = temp_dir();
    let data = repo_file("sample-data/sales.csv");
    // What killed runs left (their PIDs gone), and look-alikes that are not tier's.
    let stale = dir.path().join(".tier-report-999999-abcdef");
    let aside = dir.path().join("rep.old-999998");
    let photos = dir.path().join("photos.old-2019");
    let odd = dir.path().join(".tier-report-999999-notours");
    for d in [&stale, &aside, &photos, &odd] {
        std::fs::create_dir(d).unwrap();
    }
    write(&stale, "customers.csv", b"half");
    write(&aside, "manifest.json", b"{}");
    write(&photos, "summary.md", b"mine");
    let rep = dir.path().join("rep").display().to_string();
    let run = tier(&["report", &data, "--out", &rep, "--no-model"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("removed 2 directories left by killed runs"),
        "{}",
        run.stderr
    );
    assert!(!stale.exists() && !aside.exists());
    assert!(photos.is_dir() && odd.is_dir());
    // Names a report cannot be renamed onto fail before any work.
    for bad in [format!("{rep}/."), "..".to_string(), "/".to_string()] {
        tier(&["report", &data, "--out", &bad, "--no-model"]).fails(2, &["can be replaced"]);
    }
    let long = dir.path().join("r".repeat(240)).display().to_string();
    tier(&["report", &data, "--out", &long, "--no-model"]).fails(2, &["at most 223 bytes"]);
}

#[test]
fn the_cron_line_works_from_its_first_run() {
    let dir = temp_dir();
    let data = repo_file("sample-data/sales.csv");
    let latest = dir.path().join("latest");
    std::fs::create_dir(&latest).unwrap();
    let l = latest.to_str().unwrap();
    let first = tier(&["report", &data, "--out", l, "--previous", l, "--no-model"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        first.stderr.contains("no previous report"),
        "{}",
        first.stderr
    );
    let missing = dir.path().join("never").display().to_string();
    let out2 = dir.path().join("b").display().to_string();
    tier(&[
        "report",
        &data,
        "--out",
        &out2,
        "--previous",
        &missing,
        "--no-model",
        "-q",
    ])
    .ok();
    // The next month compares; a previous report later than this one is refused.
    tier(&[
        "report",
        &data,
        "--out",
        l,
        "--previous",
        l,
        "--no-model",
        "-q",
    ])
    .ok();
    let earlier = dir.path().join("earlier").display().to_string();
    tier(&[
        "report",
        &data,
        "--out",
        &earlier,
        "--previous",
        l,
        "--as-of",
        "2025-03-31",
        "--no-model",
    ])
    .fails(2, &["later than this one"]);
}

#[test]
fn the_report_csv_can_be_made_spreadsheet_safe() {
    let dir = temp_dir();
    let data = write(
        dir.path(),
        "inj.csv",
        b"Customer ID,Order Date,Amount\n=HYPERLINK(\"x\"),2024-01-01,10\nB,2024-01-02,5\n",
    );
    let csv_of = |args: &[&str], name: &str| {
        let out = dir.path().join(name);
        let mut all = vec![
            "report",
            data.as_str(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ];
        all.extend(args);
        tier(&all).ok();
        std::fs::read_to_string(out.join("customers.csv")).unwrap()
    };
    assert!(csv_of(&["--no-model"], "plain").contains("\n\"=HYPERLINK"));
    assert!(csv_of(&["--no-model", "--spreadsheet-safe"], "safe").contains("\n\"'=HYPERLINK"));
}
