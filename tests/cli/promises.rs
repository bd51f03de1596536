//! The promises a hostile run tested: a replaced report keeps its owner's permissions, the
//! manifest's digests are of the bytes analysed, the workbook never costs the rest of the report,
//! an earlier report of another shape is refused, and no comparison uses a period the data does
//! not cover whole.

use super::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

fn sample() -> String {
    repo_file("sample-data/sales.csv")
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

#[test]
fn a_replaced_report_keeps_its_modes_and_group_and_a_new_one_follows_the_umask() {
    let dir = temp_dir();
    let out = dir.path().join("rep");
    let o = out.to_str().unwrap();
    let data = sample();
    tier(&["report", &data, "--out", o, "--no-model", "-q"]).ok();
    // A new report directory: what `mkdir` gives under the umask the tests run with.
    let umask = {
        let probe = dir.path().join("probe");
        std::fs::create_dir(&probe).unwrap();
        mode(&probe)
    };
    assert_eq!(mode(&out), umask);
    // Its owner locks it down and gives it to a group, setgid.
    let gid = std::fs::metadata(dir.path()).unwrap().gid();
    let other = if unsafe_is_root() { 65534 } else { gid };
    std::os::unix::fs::chown(&out, None, Some(other)).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o2750)).unwrap();
    for f in ["customers.csv", "summary.md"] {
        std::fs::set_permissions(out.join(f), std::fs::Permissions::from_mode(0o600)).unwrap();
        std::os::unix::fs::chown(out.join(f), None, Some(other)).unwrap();
    }
    tier(&["report", &data, "--out", o, "--no-model", "-q"]).ok();
    assert_eq!(mode(&out), 0o2750);
    assert_eq!(std::fs::metadata(&out).unwrap().gid(), other);
    assert_eq!(mode(&out.join("customers.csv")), 0o600);
    assert_eq!(mode(&out.join("summary.md")), 0o600);
    assert_eq!(
        std::fs::metadata(out.join("summary.md")).unwrap().gid(),
        other
    );
    // A file the owner did not touch keeps what it had.
    assert_eq!(mode(&out.join("report.html")), 0o666 & umask);
    assert_eq!(
        std::fs::metadata(out.join("report.html")).unwrap().gid(),
        gid
    );
}

/// Whether the tests run as root (who may give files to any group).
fn unsafe_is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(1)
        == 0
}

#[test]
fn the_manifest_hashes_the_bytes_that_were_analysed() {
    let dir = temp_dir();
    let data = write(
        dir.path(),
        "d.csv",
        b"customer_id,date,amount\nA,2024-01-05,10\nB,2024-02-05,20\nA,2024-03-05,5\n",
    );
    let out = dir.path().join("rep");
    tier(&[
        "report",
        &data,
        "--out",
        out.to_str().unwrap(),
        "--no-model",
        "-q",
    ])
    .ok();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    use sha2::Digest;
    let want: String = sha2::Sha256::digest(std::fs::read(&data).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(manifest["inputs"][0]["sha256"], want.as_str());
    assert_eq!(
        manifest["inputs"][0]["bytes"],
        std::fs::metadata(&data).unwrap().len()
    );
}

#[test]
fn a_workbook_that_cannot_be_written_is_left_out_with_a_note() {
    // The workbook streams its sheets through temporary files: with no usable temporary
    // directory it cannot be written, and every other file still is.
    let dir = temp_dir();
    let out = dir.path().join("rep");
    let data = sample();
    let run = tier_env(
        dir.path(),
        &[
            "report",
            &data,
            "--out",
            out.to_str().unwrap(),
            "--no-model",
        ],
        None,
        &[("TMPDIR", "/nonexistent/tmp")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("no customers.xlsx in the report"),
        "{}",
        run.stderr
    );
    assert!(!out.join("customers.xlsx").exists());
    for f in [
        "customers.csv",
        "customers.parquet",
        "summary.json",
        "report.html",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(!manifest.contains("customers.xlsx"), "{manifest}");
    // The next run, with the workbook, replaces it as a report tier wrote.
    tier(&[
        "report",
        &data,
        "--out",
        out.to_str().unwrap(),
        "--no-model",
        "-q",
    ])
    .ok();
    assert!(out.join("customers.xlsx").exists());
}

#[test]
fn a_previous_report_of_another_shape_is_refused_with_the_reason() {
    let dir = temp_dir();
    let data = sample();
    let prev = dir.path().join("prev");
    let p = prev.to_str().unwrap();
    tier(&[
        "report",
        &data,
        "--out",
        p,
        "--no-model",
        "-q",
        "--as-of",
        "2025-06-30",
    ])
    .ok();
    let out = dir.path().join("now").display().to_string();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "report",
            data.as_str(),
            "--out",
            out.as_str(),
            "--no-model",
            "-q",
        ];
        args.extend(extra);
        args.extend(["--previous", p]);
        tier(&args)
    };
    run(&["--period", "quarter"]).fails(2, &["is a report by month, this one is by quarter"]);
    let summary = prev.join("summary.json");
    let text = std::fs::read_to_string(&summary).unwrap();
    std::fs::write(
        &summary,
        text.replace("\"schema_version\": 1", "\"schema_version\": 9"),
    )
    .unwrap();
    run(&[]).fails(2, &["schema version 9, newer than this tier's"]);
    std::fs::write(&summary, "{\"schema_version\": 1, \"period\": \"month\"}").unwrap();
    run(&[]).fails(2, &["summary.json` is malformed", "as_of"]);
    std::fs::write(&summary, "{not json").unwrap();
    run(&[]).fails(2, &["summary.json` is not valid JSON"]);
    assert!(!Path::new(&out).exists(), "nothing written on a refusal");
}

#[test]
fn a_report_from_mid_month_never_compares_the_cut_month() {
    // Since the 15th of February: February is cut, so March is compared with nothing (A bought
    // 10 in the cut February and 100 in March: not +900%).
    let dir = temp_dir();
    let data = write(
        dir.path(),
        "d.csv",
        b"customer_id,date,amount\nA,2024-02-20,10\nA,2024-03-10,100\nB,2024-03-12,50\n\
          B,2024-03-30,40\n",
    );
    let out = dir.path().join("rep");
    let window = ["--since", "2024-02-15", "--as-of", "2024-03-31"];
    let mut args = vec![
        "report",
        data.as_str(),
        "--out",
        out.to_str().unwrap(),
        "--no-model",
    ];
    args.extend(window);
    let run = tier(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("no migration between 2024-02 and 2024-03"),
        "{}",
        run.stderr
    );
    let customers = std::fs::read_to_string(out.join("customers.csv")).unwrap();
    assert!(
        csv_column(&customers, "change_pct")
            .iter()
            .all(String::is_empty),
        "{customers}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for k in summary["headline"].as_array().unwrap() {
        assert!(k["previous"].is_null(), "{k}");
    }
    let feb = summary["churn_rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["period"] == "2024-02")
        .unwrap();
    assert!(feb["churn_rate"].is_null(), "{feb}");
    // The commands follow the same rule.
    let mut args = vec!["churn", data.as_str(), "--format", "csv"];
    args.extend(window);
    let churn = tier(&args);
    let prev = csv_column(churn.ok(), "value_previous");
    assert!(prev.iter().all(String::is_empty), "{}", churn.stdout);
    let mut args = vec!["growth", data.as_str(), "--format", "csv"];
    args.extend(window);
    let growth = tier(&args);
    assert!(
        csv_column(growth.ok(), "change_pct")
            .iter()
            .all(String::is_empty),
        "{}",
        growth.stdout
    );
}

/// Forty customers buying like clockwork all year: the purchase model finds no drop-out.
fn clockwork(dir: &Path) -> String {
    let mut csv = String::from("customer_id,date,amount\n");
    for c in 0..40 {
        let mut k = c % 7;
        while k < 360 + c % 7 {
            csv.push_str(&format!("C{c},{},{}\n", day_of_2024(k), 10 + c));
            k += 7 + c % 5;
        }
    }
    write(dir, "clockwork.csv", csv.as_bytes())
}

#[test]
fn a_degenerate_model_is_said_where_a_reader_looks_and_its_figures_left_out() {
    let dir = temp_dir();
    let data = clockwork(dir.path());
    let out = dir.path().join("rep");
    let run = tier(&["report", &data, "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("purchase model is degenerate"),
        "{}",
        run.stderr
    );
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(
        md.contains("Notes on these figures") && md.contains("degenerate"),
        "{md}"
    );
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains("class=\"notes\"") && page.contains("degenerate"));
    assert!(page.contains("<p>No CLV: the purchase model is degenerate"));
    let customers = std::fs::read_to_string(out.join("customers.csv")).unwrap();
    for c in ["p_alive", "clv"] {
        assert!(
            csv_column(&customers, c).iter().all(String::is_empty),
            "{c}"
        );
    }
    // `tier clv` on MBG/NBD never suggests the model it is on.
    let mb = tier(&["clv", &data, "--model", "mbgnbd"]);
    assert!(!mb.stderr.contains("--model mbgnbd"), "{}", mb.stderr);
}
