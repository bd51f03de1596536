//! `tier classify` end to end: rows and summary in every format, groups, windows, determinism,
//! exit codes, and a closed pipe.

use super::*;
use std::io::{BufRead, BufReader};

fn tiny() -> String {
    fixture("tiny.csv")
}

#[test]
fn classifies_the_tiny_export() {
    let out = tier(&["classify", &tiny()]).ok().to_string();
    let rows = csv_rows(&out);
    assert_eq!(
        rows[0],
        [
            "customer",
            "value",
            "purchases",
            "share",
            "cum_share",
            "rank",
            "abc",
            "tier",
            "first_purchase",
            "last_purchase"
        ]
    );
    assert_eq!(csv_column(&out, "customer"), ["C1", "C2", "C3", "C4"]);
    assert_eq!(
        csv_column(&out, "value"),
        ["600.00", "200.00", "150.00", "50.00"]
    );
    assert_eq!(csv_column(&out, "abc"), ["A", "A", "B", "C"]);
    assert_eq!(
        csv_column(&out, "purchases"),
        ["2", "1", "1", "1"],
        "the return is not an order"
    );
    assert_eq!(csv_column(&out, "tier"), ["VIP", "Small", "Small", "Small"]);
    assert_eq!(csv_column(&out, "cum_share"), ["0.6", "0.8", "0.95", "1"]);
    assert_eq!(rows[1][8..], ["2024-01-05", "2024-02-01"]);
    assert_eq!(
        rows[2][8..],
        ["2024-01-06", "2024-01-06"],
        "C2's return on 2024-03-01 is no purchase"
    );
}

#[test]
fn every_output_format() {
    let t = tiny();
    let table = tier(&["classify", &t, "--format", "table"])
        .ok()
        .to_string();
    assert!(
        table.contains("│ C1") && table.contains("cum_share"),
        "{table}"
    );
    let tsv = tier(&["classify", &t, "--format", "tsv"]).ok().to_string();
    assert!(tsv.starts_with("customer\tvalue\t"), "{tsv}");
    let json: serde_json::Value =
        serde_json::from_str(tier(&["classify", &t, "--format", "json"]).ok()).unwrap();
    assert_eq!(json[0]["customer"], "C1");
    assert_eq!(json[0]["value"], 600.0);
    assert_eq!(json[3]["abc"], "C");
    let nd = tier(&["classify", &t, "--format", "ndjson"])
        .ok()
        .to_string();
    let lines: Vec<serde_json::Value> = nd
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[1]["customer"], "C2");
}

#[test]
fn parquet_output_round_trips_as_input() {
    let dir = temp_dir();
    let pq = dir.path().join("tiers.parquet").display().to_string();
    tier(&["classify", &tiny(), "-o", &pq]).ok();
    let back = tier(&[
        "classify",
        &pq,
        "--customer",
        "customer",
        "--date",
        "last_purchase",
        "--amount",
        "value",
    ]);
    assert_eq!(
        csv_column(back.ok(), "value"),
        ["600.00", "200.00", "150.00", "50.00"]
    );
    let piped = tier(&["classify", &tiny(), "--format", "parquet"]);
    assert!(piped.ok().starts_with("PAR1"), "parquet may go to a pipe");
}

#[test]
fn output_file_format_from_extension_and_atomic() {
    let dir = temp_dir();
    let json = dir.path().join("out.json");
    tier(&["classify", &tiny(), "-o", &json.display().to_string()]).ok();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 4);
    let bad = dir.path().join("out.xls");
    tier(&["classify", &tiny(), "-o", &bad.display().to_string()]).fails(2, &["--format"]);
    // A failing run leaves no file behind, not even a temporary one.
    let failed = dir.path().join("failed.csv");
    tier(&[
        "classify",
        &fixture("nope.csv"),
        "-o",
        &failed.display().to_string(),
    ])
    .fails(1, &["nope.csv"]);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "only out.json: {left:?}");
}

#[test]
fn summary_as_json_csv_and_table() {
    let v: serde_json::Value =
        serde_json::from_str(tier(&["classify", &tiny(), "--summary", "--format", "json"]).ok())
            .unwrap();
    assert_eq!(v["customers"], 4);
    assert_eq!(v["total_value"], 1000.0);
    assert_eq!(v["customers_for_80pct"], 2);
    assert_eq!(v["gini"], 0.425);
    assert_eq!(v["abc"][0]["customers"], 2);
    assert_eq!(v["abc"][1]["value"], 150.0);
    assert_eq!(v["tiers"][0]["class"], "VIP");
    assert_eq!(v["lorenz"].as_array().unwrap().len(), 11);
    assert_eq!(v["lorenz"][5]["value_share"], 0.2);
    let csv = tier(&["classify", &tiny(), "--summary"]).ok().to_string();
    assert!(
        csv.starts_with("metric,value\n") && csv.contains("\ngini,0.425\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\nabc.A.customers,2\n") && csv.contains("\nlorenz.10.value_share,1\n"),
        "{csv}"
    );
    let table = tier(&["classify", &tiny(), "--summary", "--format", "table"])
        .ok()
        .to_string();
    assert!(
        table.contains("Gini coefficient") && table.contains("Customer pyramid"),
        "{table}"
    );
}

#[test]
fn groups_rank_within_each_value() {
    let out = tier(&[
        "classify",
        &repo_file("sample-data/sales.csv"),
        "--group",
        "Region",
    ])
    .ok()
    .to_string();
    let rows = csv_rows(&out);
    assert_eq!(rows[0][0], "Region");
    let groups = csv_column(&out, "Region");
    let ranks = csv_column(&out, "rank");
    for (i, g) in groups.iter().enumerate() {
        if i == 0 || groups[i - 1] != *g {
            assert_eq!(ranks[i], "1", "rank restarts in group {g}");
        }
    }
    let s: serde_json::Value = serde_json::from_str(
        tier(&[
            "classify",
            &repo_file("sample-data/sales.csv"),
            "--group",
            "Region",
            "--summary",
            "--format",
            "json",
        ])
        .ok(),
    )
    .unwrap();
    assert_eq!(s["group_column"], "Region");
    assert_eq!(s["groups"].as_array().unwrap().len(), 4);
}

#[test]
fn as_of_and_since_cut_the_window() {
    let out = tier(&["classify", &tiny(), "--as-of", "2024-02-05"])
        .ok()
        .to_string();
    assert_eq!(csv_column(&out, "customer"), ["C1", "C2", "C3"]);
    let out = tier(&["classify", &tiny(), "--since", "2024-02-01"])
        .ok()
        .to_string();
    assert_eq!(
        csv_column(&out, "value"),
        ["150.00", "100.00", "50.00", "-50.00"]
    );
    tier(&[
        "classify",
        &tiny(),
        "--since",
        "2025-01-01",
        "--as-of",
        "2024-01-01",
    ])
    .fails(2, &["--since"]);
    tier(&["classify", &tiny(), "--as-of", "2020-01-01"]).fails(1, &["no transactions"]);
    tier(&["classify", &tiny(), "--as-of", "someday"]).fails(2, &["someday"]);
}

#[test]
fn value_bases() {
    let sample = repo_file("sample-data/sales.csv");
    for by in ["revenue", "profit", "quantity", "purchases"] {
        let out = tier(&["classify", &sample, "--by", by]).ok().to_string();
        assert!(
            csv_column(&out, "abc").contains(&"C".to_string()),
            "--by {by}"
        );
    }
    tier(&["classify", &tiny(), "--by", "profit"]).fails(1, &["--cost"]);
    tier(&["classify", &tiny(), "--by", "quantity"]).fails(1, &["--quantity"]);
}

#[test]
fn bad_flag_values_are_usage_errors() {
    let t = tiny();
    tier(&["classify", &t, "--abc", "95,80"]).fails(2, &["increasing"]);
    tier(&["classify", &t, "--tiers", "A:50,B:40"]).fails(2, &["100"]);
    tier(&["classify", &t, "--format", "xml"]).fails(2, &["xml"]);
    tier(&["classify", &t, "--bogus"]).fails(2, &["--bogus"]);
    tier(&["classify", &t, "--returns", "maybe"]).fails(2, &["maybe"]);
}

#[test]
fn custom_cut_offs_and_tiers() {
    let out = tier(&[
        "classify",
        &tiny(),
        "--abc",
        "50,70",
        "--tiers",
        "Gold:50,Lead:50",
    ])
    .ok()
    .to_string();
    assert_eq!(csv_column(&out, "abc"), ["A", "B", "C", "C"]);
    assert_eq!(csv_column(&out, "tier"), ["Gold", "Gold", "Lead", "Lead"]);
}

#[test]
fn output_is_identical_across_runs_and_thread_counts() {
    let sample = repo_file("sample-data/sales.csv");
    let run = |threads: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_tier"))
            .args(["classify", &sample, "--by", "profit"])
            .env("POLARS_MAX_THREADS", threads)
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("2"));
}

#[test]
fn a_closed_pipe_is_a_quiet_success() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tier"))
        .args(["classify", &repo_file("sample-data/cdnow/cdnow_master.csv")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("customer,value"));
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn cdnow_master_is_classified() {
    let path = repo_file("sample-data/cdnow/cdnow_master.csv");
    let v: serde_json::Value =
        serde_json::from_str(tier(&["classify", &path, "--summary", "--format", "json"]).ok())
            .unwrap();
    // 68 customers bought only $0.00 items: not ranked, counted apart.
    assert_eq!(v["customers"], 23502);
    assert_eq!(v["customers_without_value"], 68);
    let classes: u64 = v["abc"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["customers"].as_u64().unwrap())
        .sum();
    assert_eq!(classes, 23502);
    let head = tier(&["classify", &fixture("cdnow_master_head.csv")])
        .ok()
        .to_string();
    assert_eq!(csv_rows(&head)[0][0], "customer");
}

#[test]
fn help_has_examples_and_exit_codes() {
    let help = tier(&["classify", "--help"]).ok().to_string();
    assert!(
        help.contains("Examples:") && help.contains("--summary"),
        "{help}"
    );
    assert!(tier(&["--help"]).ok().contains("Exit codes:"));
}

#[test]
fn customers_without_value_are_listed_unranked_everywhere() {
    let data = b"customer_id,order_date,amount\nA,2024-01-05,100\nB,2024-01-06,50\nB,2024-01-07,-50\nC,2024-01-08,-20\nD,2024-01-08,300\n";
    let rows = csv_rows(tier_in(&["classify", "-"], Some(data)).ok());
    assert_eq!(
        rows[3],
        [
            "B",
            "0.00",
            "1",
            "",
            "",
            "",
            "none",
            "none",
            "2024-01-06",
            "2024-01-06"
        ]
    );
    assert_eq!(rows[4][0], "C");
    assert_eq!(
        rows[2][4], "1",
        "the cumulative share of the ranked ends at 1"
    );
    let summary: serde_json::Value = serde_json::from_str(
        tier_in(
            &["classify", "-", "--summary", "--format", "json"],
            Some(data),
        )
        .ok(),
    )
    .unwrap();
    assert_eq!(
        (
            summary["customers"].as_u64(),
            summary["customers_without_value"].as_u64()
        ),
        (Some(2), Some(2))
    );
    for p in summary["lorenz"].as_array().unwrap() {
        let v = p["value_share"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&v), "{v}");
    }
    let card = tier_in(
        &["profile", "-", "--id", "B", "--format", "table"],
        Some(data),
    );
    assert!(card.ok().contains("not ranked"));
    // Only returns: no RFM code, and never the word null.
    let returns_only = tier_in(
        &["profile", "-", "--id", "C", "--format", "table"],
        Some(data),
    );
    let text = returns_only.ok();
    assert!(
        text.contains("No purchase") && !text.contains("null"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(
        tier_in(
            &["profile", "-", "--id", "C", "--format", "json"],
            Some(data),
        )
        .ok(),
    )
    .unwrap();
    assert_eq!(json["rfm"], serde_json::Value::Null);
    let mut sales = std::fs::read(repo_file("sample-data/sales.csv")).unwrap();
    sales.extend_from_slice(b"SO-1,2025-06-01,ZZ9,Zed,North,Online,TEA-250,1,10.00,-10.00,1.00\n");
    let clv = tier_in(&["clv", "-", "--summary", "--format", "json"], Some(&sales));
    clv.ok();
    assert!(
        clv.stderr
            .contains("1 customers have no purchase in the window"),
        "{}",
        clv.stderr
    );
    // clv lists every customer classify does, the unvalued last with empty cells.
    let listed = tier_in(&["clv", "-", "--format", "csv"], Some(&sales));
    let clv_rows = csv_rows(listed.ok());
    let classified = csv_rows(tier_in(&["classify", "-"], Some(&sales)).ok());
    assert_eq!(clv_rows.len(), classified.len());
    let last = clv_rows.last().unwrap();
    assert_eq!(
        (last[0].as_str(), last[8].as_str(), last[9].as_str()),
        ("ZZ9", "no purchase", "")
    );
}

#[test]
fn shuffled_and_split_inputs_give_the_in_order_answer() {
    // The sample export in date order, then its lines reversed (dates out of order, customers
    // interleaved), then cut in two files with one day's lines in both.
    let text = std::fs::read_to_string(repo_file("sample-data/sales.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    let dir = temp_dir();
    let joined = |rows: &[&str]| format!("{header}\n{}\n", rows.join("\n"));
    let mut reversed = lines.clone();
    reversed.reverse();
    let shuffled = write(dir.path(), "shuffled.csv", joined(&reversed).as_bytes());
    // Every second line of the day 2025-06-02 goes to the second file, with the later lines.
    let (mut first, mut second) = (Vec::new(), Vec::new());
    for (i, l) in lines.iter().enumerate() {
        let date = l.split(',').nth(1).unwrap_or_default();
        if date > "2025-06-02" || (date == "2025-06-02" && i % 2 == 0) {
            second.push(*l);
        } else {
            first.push(*l);
        }
    }
    let a = write(dir.path(), "a.csv", joined(&first).as_bytes());
    let b = write(dir.path(), "b.csv", joined(&second).as_bytes());
    let sample = repo_file("sample-data/sales.csv");
    for cmd in [
        &["classify"][..],
        &["rfm"],
        &["clv"],
        &["churn"],
        &["growth"],
    ] {
        let run = |inputs: &[&str]| {
            let mut args: Vec<&str> = cmd.to_vec();
            args.extend(inputs);
            args.extend(["--as-of", "2025-12-31"]);
            tier(&args).ok().to_string()
        };
        let want = run(&[&sample]);
        assert_eq!(run(&[&shuffled]), want, "{cmd:?} shuffled");
        // The day's lines include two identical ones, which split apart look like overlap.
        assert_eq!(
            run(&[&a, &b, "--allow-overlap"]),
            want,
            "{cmd:?} split across files"
        );
    }
}
