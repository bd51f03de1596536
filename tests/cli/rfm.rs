//! `tier rfm` end to end: rows, summary, the map, custom bins, collapsed-bin notes, bad flags.

use super::*;

fn sample() -> String {
    repo_file("sample-data/sales.csv")
}

#[test]
fn scores_every_customer() {
    let out = tier(&["rfm", &sample()]).ok().to_string();
    let rows = csv_rows(&out);
    assert_eq!(
        rows[0][..9],
        [
            "customer",
            "recency_days",
            "frequency",
            "monetary",
            "r",
            "f",
            "m",
            "rfm",
            "segment"
        ]
    );
    assert_eq!(rows.len(), 301);
    assert!(csv_column(&out, "segment").iter().all(|s| !s.is_empty()));
    for (code, (r, f)) in csv_column(&out, "rfm")
        .iter()
        .zip(csv_column(&out, "r").iter().zip(csv_column(&out, "f")))
    {
        assert_eq!(code[..2], format!("{r}{f}"));
    }
}

#[test]
fn summary_per_segment_with_thresholds() {
    let v: serde_json::Value =
        serde_json::from_str(tier(&["rfm", &sample(), "--summary", "--format", "json"]).ok())
            .unwrap();
    let segments = v["segments"].as_array().unwrap();
    assert_eq!(segments.len(), 11);
    assert_eq!(segments[0]["segment"], "Champions");
    let total: u64 = segments
        .iter()
        .map(|s| s["customers"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 300);
    assert_eq!(v["thresholds"][0]["measure"], "recency_days");
    assert_eq!(v["thresholds"][0]["values"].as_array().unwrap().len(), 4);
    // CSV: the document as `metric,value` rows, as every summary.
    let csv = tier(&["rfm", &sample(), "--summary"]);
    assert!(csv
        .ok()
        .starts_with("metric,value\nsegments.Champions.segment,Champions\n"));
    assert!(
        csv.stdout.contains("\nsegments.Champions.customers,44\n"),
        "{}",
        csv.stdout
    );
    assert!(csv
        .stdout
        .contains("\nthresholds.recency_days.source,quantiles\n"));
    let table = tier(&["rfm", &sample(), "--summary", "--format", "table"])
        .ok()
        .to_string();
    assert!(table.contains("Score thresholds"), "{table}");
}

#[test]
fn segments_filter_the_rows() {
    let out = tier(&[
        "rfm",
        &sample(),
        "--segment",
        "At risk",
        "--segment",
        "Cannot lose them",
    ])
    .ok()
    .to_string();
    let segments = csv_column(&out, "segment");
    assert!(
        !segments.is_empty()
            && segments
                .iter()
                .all(|s| s == "At risk" || s == "Cannot lose them"),
        "{segments:?}"
    );
    tier(&["rfm", &sample(), "--segment", "VIPs"])
        .fails(2, &["--segment `VIPs`", "`Champions`", "`No purchase`"]);
}

#[test]
fn show_map_needs_no_input() {
    let out = tier(&["rfm", "--show-map"]).ok().to_string();
    assert!(
        out.starts_with("segment,r,f,m\nChampions,5,4-5,1-5\n"),
        "{out}"
    );
    assert_eq!(csv_rows(&out).len(), 13);
}

#[test]
fn custom_thresholds_and_mean_monetary() {
    let out = tier(&[
        "rfm",
        &fixture("tiny.csv"),
        "--recency-bins",
        "7,30,60,90",
        "--monetary",
        "mean",
    ])
    .ok()
    .to_string();
    // as of 2024-03-01 (C2's return is the last dated row with a customer); last purchases:
    // C1 02-01 (29 days), C3 02-03 (27), C4 02-10 (20), C2 01-06 (55: its return is no purchase)
    assert_eq!(csv_column(&out, "customer"), ["C1", "C3", "C4", "C2"]);
    assert_eq!(csv_column(&out, "recency_days"), ["29", "27", "20", "55"]);
    assert_eq!(csv_column(&out, "r"), ["4", "4", "4", "3"]);
    assert_eq!(
        csv_column(&out, "monetary"),
        ["300.00", "150.00", "50.00", "200.00"],
        "net value per purchase"
    );
}

#[test]
fn collapsed_bins_are_said_on_stderr() {
    let run = tier(&["rfm", &fixture("tiny.csv")]);
    run.ok();
    assert!(
        run.stderr.contains("frequency: ties leave only scores"),
        "{}",
        run.stderr
    );
    assert!(tier(&["rfm", &fixture("tiny.csv"), "-q"]).stderr.is_empty());
}

#[test]
fn bad_scoring_flags_are_usage_errors() {
    let t = fixture("tiny.csv");
    tier(&["rfm", &t, "--bins", "1"]).fails(2, &["--bins", "2 to 9"]);
    tier(&["rfm", &t, "--bins", "4"]).fails(2, &["built-in segment map is for 5 bins"]);
    tier(&["rfm", &t, "--recency-bins", "90,30,10,5"]).fails(2, &["strictly increasing"]);
    tier(&["rfm", &t, "--recency-bins", "30,90"])
        .fails(2, &["2 thresholds make 3 scores", "give 4"]);
    tier(&["rfm", &t, "--monetary", "median"]).fails(2, &["median"]);
}
