//! `tier stage` and `--stage` end to end: every command gives the same bytes from a stage file
//! (and from a directory of parts, as Spark writes one) as from the transactions, and stages that
//! do not fit the command are refused with the reason.

use super::*;

/// The stage of `input` (with extra `tier stage` flags) written into `dir`.
fn make_stage(dir: &Path, input: &str, name: &str, extra: &[&str]) -> String {
    let out = dir.join(name).display().to_string();
    let mut args = vec!["stage", input, "-o", &out];
    args.extend_from_slice(extra);
    let run = tier(&args);
    run.ok();
    assert!(run.stderr.contains("written to"), "{run:#?}");
    out
}

/// Asserts that a command prints the same with the transactions and with the stage, and that
/// it succeeds.
#[track_caller]
fn same(input: &str, stage: &str, command: &[&str]) {
    same_run(input, stage, command, true)
}

/// Asserts that a command prints and exits the same with the transactions and with the stage
/// (an input no model fits fails the same way from both).
#[track_caller]
fn same_run(input: &str, stage: &str, command: &[&str], succeeds: bool) {
    let mut direct: Vec<&str> = command.to_vec();
    direct.push(input);
    let mut staged: Vec<&str> = command.to_vec();
    staged.extend(["--stage", stage]);
    let (a, b) = (tier(&direct), tier(&staged));
    if succeeds {
        assert_eq!(a.code, 0, "{command:?}: {a:#?}");
    }
    assert_eq!(
        a.stdout, b.stdout,
        "{command:?} prints otherwise from the stage"
    );
    assert_eq!(
        a.stderr, b.stderr,
        "{command:?} notes otherwise from the stage"
    );
    assert_eq!(a.code, b.code);
}

/// The first and the last customer `tier classify` ranks.
fn two_ids(input: &str) -> (String, String) {
    let ids = csv_column(tier(&["classify", input]).ok(), "customer");
    (ids[0].clone(), ids[ids.len() - 1].clone())
}

#[test]
fn every_command_reads_the_stage_with_the_same_answer() {
    let dir = temp_dir();
    for (i, input) in [
        repo_file("sample-data/sales.csv"),
        repo_file("sample-data/cdnow/cdnow_master.csv"),
        fixture("churn.csv"),
        fixture("periods.csv"),
    ]
    .iter()
    .enumerate()
    {
        let stage = make_stage(dir.path(), input, &format!("s{i}.parquet"), &[]);
        let (first, last) = two_ids(input);
        let (first, last) = (format!("--id={first}"), format!("--id={last}"));
        for command in [
            &["classify"][..],
            &["classify", "--summary"],
            &["classify", "--format", "json"],
            &["rfm"],
            &["rfm", "--summary"],
            &["profile", &first, &last],
            &["profile", &first, "--format", "json"],
            &["clv"],
            &["clv", "--summary", "--format", "json"],
            &["churn"],
            &["churn", "--rates"],
            &["churn", "--cohorts"],
            &["churn", "--lost"],
            &["churn", "--summary"],
            &["migrate"],
            &["migrate", "--matrix"],
            &["growth"],
            &["growth", "--total"],
            &["growth", "--period", "quarter"],
        ] {
            // The fixtures of a few hand-made customers fit no CLV model.
            same_run(input, &stage, command, i < 2);
        }
    }
}

#[test]
fn the_report_from_a_stage_writes_the_same_files() {
    let dir = temp_dir();
    let input = repo_file("sample-data/sales.csv");
    let stage = make_stage(dir.path(), &input, "s.parquet", &[]);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let a_out = a.display().to_string();
    let b_out = b.display().to_string();
    tier(&["report", &input, "--out", &a_out]).ok();
    tier(&["report", "--stage", &stage, "--out", &b_out]).ok();
    for f in [
        "customers.csv",
        "customers.parquet",
        "summary.json",
        "summary.md",
    ] {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(x == y, "{f} differs");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(b.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["engine"], "local");
    assert_eq!(manifest["stage"], stage.as_str());
    let html = std::fs::read_to_string(b.join("report.html")).unwrap();
    assert!(html.contains(&format!("the stage {stage}")));
}

#[test]
fn a_directory_of_parts_is_read_as_one_stage() {
    let dir = temp_dir();
    let input = repo_file("sample-data/sales.csv");
    let stage = make_stage(dir.path(), &input, "s.parquet", &[]);
    let parts = dir.path().join("parts");
    std::fs::create_dir(&parts).unwrap();
    std::fs::copy(&stage, parts.join("part-00000-x.snappy.parquet")).unwrap();
    std::fs::write(parts.join("_SUCCESS"), "").unwrap();
    std::fs::write(parts.join(".part-00000-x.snappy.parquet.crc"), "crc").unwrap();
    let parts = parts.display().to_string();
    same(&input, &parts, &["classify"]);
    same(&input, &parts, &["churn"]);
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    tier(&["classify", "--stage", &empty.display().to_string()])
        .fails(1, &["holds no Parquet parts"]);
}

#[test]
fn grouped_and_holdout_stages_serve_their_commands() {
    let dir = temp_dir();
    let input = repo_file("sample-data/sales.csv");
    let grouped = make_stage(dir.path(), &input, "g.parquet", &["--group", "Region"]);
    same(&input, &grouped, &["classify", "--group", "Region"]);
    tier(&["rfm", "--stage", &grouped]).fails(2, &["was made with --group"]);
    tier(&["classify", "--stage", &grouped]).fails(2, &["was made with --group"]);
    let plain = make_stage(dir.path(), &input, "p.parquet", &[]);
    tier(&["classify", "--stage", &plain, "--group", "Region"]).fails(2, &["not grouped"]);
    let held = make_stage(
        dir.path(),
        &input,
        "h.parquet",
        &["--holdout", "2025-10-01"],
    );
    same(
        &input,
        &held,
        &[
            "clv",
            "--holdout",
            "2025-10-01",
            "--summary",
            "--format",
            "json",
        ],
    );
    same(&input, &held, &["clv", "--holdout", "2025-10-01"]);
    tier(&["clv", "--stage", &plain, "--holdout", "2025-10-01"])
        .fails(2, &["make the stage with `--holdout 2025-10-01`"]);
    let out = dir.path().join("r").display().to_string();
    tier(&["report", "--stage", &held, "--out", &out])
        .fails(2, &["validates CLV on the last 91 days"]);
}

#[test]
fn a_stage_holds_its_window() {
    let dir = temp_dir();
    let input = repo_file("sample-data/sales.csv");
    let args = ["--as-of", "2025-06-30", "--since", "2024-03-01"];
    let stage = make_stage(dir.path(), &input, "w.parquet", &args);
    let mut direct = vec!["churn", &input];
    direct.extend(args);
    let a = tier(&direct);
    let b = tier(&["churn", "--stage", &stage]);
    assert_eq!(a.ok(), b.ok());
    same(
        &input,
        &stage,
        &["classify", "--as-of", "2025-06-30", "--since", "2024-03-01"],
    );
    tier(&["classify", "--stage", &stage, "--as-of", "2025-07-31"]).fails(
        2,
        &["--as-of 2025-07-31 differs from the stage's as-of date 2025-06-30"],
    );
    tier(&["classify", "--stage", &stage, "--since", "2024-01-01"]).fails(2, &["--since"]);
    let explained = tier(&["classify", "--stage", &stage, "--explain"]);
    explained.ok();
    assert!(
        explained.stderr.contains("stage table version 1"),
        "{explained:#?}"
    );
    assert!(
        explained.stderr.contains("2024-03-01 .. 2025-06-30"),
        "{explained:#?}"
    );
}

#[test]
fn what_is_not_a_stage_is_refused() {
    let dir = temp_dir();
    let input = repo_file("sample-data/sales.csv");
    tier(&["classify", &input, "--stage", &input]).fails(2, &["--stage"]);
    tier(&["classify", "--stage", &input]).fails(1, &["is not a Parquet file"]);
    let missing = dir.path().join("none.parquet").display().to_string();
    tier(&["classify", "--stage", &missing]).fails(1, &["cannot read the stage"]);
    // A Parquet file that is not a stage (classify's own output) names what it lacks.
    let other = dir.path().join("c.parquet").display().to_string();
    tier(&["classify", &input, "-o", &other]).ok();
    tier(&["classify", "--stage", &other])
        .fails(1, &["is not a stage table", "no column `segment`"]);
    tier(&["stage", "--stage", &other, "-o", &missing]).fails(2, &["--stage reads one"]);
    // Without -o the stage goes to stdout (not a terminal here) as Parquet.
    assert!(tier(&["stage", &input]).ok().starts_with("PAR1"));
}

#[test]
fn what_a_spark_job_cannot_express_is_refused_when_emitted() {
    let input = repo_file("sample-data/sales.csv");
    let emit = |extra: &[&str]| {
        let mut args = vec![
            "stage",
            input.as_str(),
            "--emit",
            "pyspark",
            "--stage-out",
            "/x",
        ];
        args.extend_from_slice(extra);
        tier(&args)
    };
    assert!(emit(&["--group", "Region"])
        .ok()
        .contains("GROUP BY grp, customer"));
    emit(&["--table", "sales; DROP"]).fails(2, &["is not a table name"]);
    emit(&["--source", "s3a://b/orders.parquet"]).fails(2, &["is Parquet", "is CSV"]);
    emit(&["--date-format", "%F"]).fails(1, &["`%F`"]);
    tier(&["stage", &input, "--emit", "pyspark"]).fails(2, &["--stage-out"]);
    let twice = [
        "stage",
        &input,
        &input,
        "--allow-overlap",
        "--emit",
        "pyspark",
        "--stage-out",
        "x",
    ];
    tier(&twice).fails(2, &["--source URI or --table NAME"]);
    let job = emit(&["--as-of", "2025-12-31", "--table", "sales.orders"]);
    let text = job.ok();
    assert!(
        text.contains("spark.table(") && text.contains("sales.orders"),
        "{text}"
    );
    assert!(text.contains("spark.sql.session.timeZone"));
    let sql = tier(&[
        "stage",
        &input,
        "--emit",
        "spark-sql",
        "--stage-out",
        "s3a://b/stage/",
    ]);
    let sql = sql.ok();
    assert!(sql.contains("INSERT OVERWRITE DIRECTORY 's3a://b/stage/' USING parquet"));
    assert!(sql.contains("raise_error"));
}
