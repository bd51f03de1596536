//! `tier churn`, `tier migrate` and `tier growth` end to end on hand-checkable fixtures:
//! `churn.csv` (one customer per status, as of 2024-06-30) and `periods.csv` (a: Jan 100, Feb 100,
//! Apr 50; b: Jan 70; c: Feb 10, Apr 20; d: a return in Apr; e: May 30; no sales in March).

use super::*;

/// CSV output as one map per row, by column name.
fn rows_by(out: &str) -> Vec<std::collections::HashMap<String, String>> {
    let rows = csv_rows(out);
    let header = rows[0].clone();
    rows[1..]
        .iter()
        .map(|r| header.iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

fn churn_csv(extra: &[&str]) -> Vec<std::collections::HashMap<String, String>> {
    let mut args = vec!["churn", "", "--as-of", "2024-06-30", "--format", "csv"];
    let f = fixture("churn.csv");
    args[1] = &f;
    args.extend(extra);
    rows_by(tier(&args).ok())
}

fn status(rows: &[std::collections::HashMap<String, String>], id: &str) -> String {
    rows.iter().find(|r| r["customer"] == id).unwrap()["status"].clone()
}

#[test]
fn every_status_with_its_reason() {
    let rows = churn_csv(&[]);
    let want = [
        ("ACTIVE", "active"),
        ("ONCE", "active"),
        ("RISK", "at_risk"),
        ("LAPSED", "lapsed"),
        ("LOST", "lost"),
        ("RETURNS", "lost"),
    ];
    for (id, s) in want {
        assert_eq!(status(&rows, id), s, "{id}");
    }
    let risk = rows.iter().find(|r| r["customer"] == "RISK").unwrap();
    assert_eq!(
        risk["reasons"],
        "no purchase for 31 days, 3.1× the usual 10-day gap"
    );
    assert_eq!(risk["typical_gap"], "10");
    assert_eq!(risk["value_previous"], "300.00");
    // The most urgent first: at risk, lapsed, lost, then active.
    let order: Vec<&str> = rows.iter().map(|r| r["status"].as_str()).collect();
    assert_eq!(
        order,
        ["at_risk", "lapsed", "lost", "lost", "active", "active"]
    );
}

#[test]
fn thresholds_come_from_flags_and_tier_toml() {
    // A stricter at-risk ratio makes ACTIVE (11 days, 1.1×) at risk.
    let rows = churn_csv(&["--at-risk-gap", "1.05"]);
    assert_eq!(status(&rows, "ACTIVE"), "at_risk");
    // A one-time buyer's gap of 1 day makes ONCE (10 days ago, 10×) lost.
    let rows = churn_csv(&["--one-time-gap", "1"]);
    assert_eq!(status(&rows, "ONCE"), "lost");
    let dir = temp_dir();
    write(
        dir.path(),
        "tier.toml",
        b"[churn]\nlapsed_gap = 3\nlost_gap = 3.5\n",
    );
    let f = fixture("churn.csv");
    let run = tier_at(
        dir.path(),
        &["churn", &f, "--as-of", "2024-06-30", "--format", "csv"],
        None,
    );
    let rows = rows_by(run.ok());
    assert_eq!(status(&rows, "LAPSED"), "lost");
    for bad in [
        vec!["--at-risk-gap", "5"],
        vec!["--drop", "1.5"],
        vec!["--lapsed-p-alive", "0.9"],
        vec!["--one-time-gap", "0"],
    ] {
        let mut args = vec!["churn", f.as_str()];
        args.extend(bad.iter().copied());
        tier(&args).fails(2, &[]);
    }
}

#[test]
fn the_summary_counts_statuses_and_classes() {
    let f = fixture("churn.csv");
    let out = tier(&[
        "churn",
        &f,
        "--as-of",
        "2024-06-30",
        "--summary",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(out.ok()).unwrap();
    let by_status = v["by_status"].as_array().unwrap();
    let count = |s: &str| {
        by_status.iter().find(|r| r["status"] == s).unwrap()["customers"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        (
            count("active"),
            count("at_risk"),
            count("lapsed"),
            count("lost")
        ),
        (2, 1, 1, 2)
    );
    let top = v["top_at_risk"].as_array().unwrap();
    assert_eq!(top[0]["customer"], "RISK");
    assert_eq!(top[1]["customer"], "LAPSED");
    let csv = tier(&[
        "churn",
        &f,
        "--as-of",
        "2024-06-30",
        "--summary",
        "--format",
        "csv",
    ]);
    let rows = csv_rows(csv.ok());
    assert_eq!(rows[0], ["metric", "value"]);
    assert!(rows
        .iter()
        .any(|r| r[0] == "by_status.lost.customers" && r[1] == "2"));
}

#[test]
fn churn_rates_with_an_empty_period_and_a_return() {
    let f = fixture("periods.csv");
    let out = tier(&["churn", &f, "--rates", "--format", "csv"]);
    assert_eq!(
        out.ok(),
        "period,complete,active,churned,churn_rate,revenue_lost,new,returned\n\
         2024-01,true,2,1,0.5,70.00,2,0\n\
         2024-02,true,2,2,1,110.00,1,0\n\
         2024-03,true,0,0,,0.00,0,0\n\
         2024-04,true,2,2,1,70.00,0,2\n\
         2024-05,true,1,,,,1,0\n"
    );
    // As of a day inside May, the last period is partial and says so.
    let inside = tier(&[
        "churn",
        &f,
        "--rates",
        "--as-of",
        "2024-05-15",
        "--format",
        "csv",
    ]);
    // ... and April's churn is unknown until May has ended (everyone not back yet would count).
    assert!(
        inside
            .ok()
            .ends_with("2024-04,true,2,,,,0,2\n2024-05,false,0,,,,0,0\n"),
        "{}",
        inside.stdout
    );
    assert!(
        inside.stderr.contains("2024-05 is partial"),
        "{}",
        inside.stderr
    );
    assert!(
        inside.stderr.contains("the churn of 2024-04 is left empty"),
        "{}",
        inside.stderr
    );
    // A first period cut by --since is not compared with the next one.
    let cut = tier(&[
        "churn",
        &f,
        "--rates",
        "--since",
        "2024-01-10",
        "--format",
        "csv",
    ]);
    assert!(cut.ok().contains("\n2024-01,true,"), "{}", cut.stdout);
    let jan = cut.stdout.lines().nth(1).unwrap();
    assert!(
        jan.starts_with("2024-01,true,") && jan.contains(",,,"),
        "{jan}"
    );
    assert!(
        cut.stderr.contains("the churn of 2024-01 is left empty"),
        "{}",
        cut.stderr
    );
    let quarters = tier(&[
        "churn", &f, "--rates", "--period", "quarter", "--format", "csv",
    ]);
    // The data ends in May: the second quarter is partial, so the first one's churn is unknown.
    assert!(
        quarters.ok().contains("2024-Q1,true,3,,,,"),
        "{}",
        quarters.stdout
    );
    assert!(quarters
        .stderr
        .contains("the churn of 2024-Q1 is left empty"));
    let year_end = tier(&[
        "churn",
        &f,
        "--rates",
        "--period",
        "quarter",
        "--as-of",
        "2024-06-30",
        "--format",
        "csv",
    ]);
    assert!(year_end.ok().contains("2024-Q1,true,3,1,"));
}

#[test]
fn cohorts_in_long_form_and_as_a_table() {
    let f = fixture("periods.csv");
    let rows = rows_by(tier(&["churn", &f, "--cohorts", "--format", "csv"]).ok());
    let cell = |c: &str, k: &str| {
        rows.iter()
            .find(|r| r["cohort"] == c && r["periods_since"] == k)
            .unwrap()
    };
    assert_eq!(cell("2024-01", "0")["customers"], "2");
    assert_eq!(cell("2024-01", "1")["share"], "0.5");
    assert_eq!(cell("2024-01", "3")["value"], "50.00");
    assert_eq!(cell("2024-01", "3")["value_retention"], "0.294118");
    assert_eq!(cell("2024-02", "2")["present"], "1");
    let table = tier(&["churn", &f, "--cohorts", "--format", "table"]);
    assert!(table.ok().contains("50.0%"));
}

#[test]
fn lost_customers_and_their_decline() {
    let f = fixture("churn.csv");
    let out = tier(&[
        "churn",
        &f,
        "--as-of",
        "2024-06-30",
        "--lost",
        "--format",
        "csv",
    ]);
    let rows = rows_by(out.ok());
    assert_eq!(rows[0]["customer"], "LOST");
    assert_eq!(rows[0]["value_last_active_12m"], "700.00");
    assert_eq!(rows[0]["last_purchase"], "2024-03-01");
    assert!(rows[0]["last_periods"].ends_with("2024-01 400.00 · 2024-02 200.00 · 2024-03 100.00"));
    assert_eq!(rows[0]["decline_from"], "2024-02");
}

#[test]
fn migration_cells_matrix_movers_and_summary() {
    let f = fixture("periods.csv");
    // The data ends on 31 May: as of then the second quarter is partial and no transition
    // into it is shown by default; as of 30 June it is complete.
    tier(&["migrate", &f, "--period", "quarter"])
        .fails(2, &["fewer than two complete quarters (as of 2024-05-31)"]);
    let monthly = tier(&["migrate", &f, "--matrix", "--format", "csv"]);
    assert!(
        monthly
            .stderr
            .contains("the transition from 2024-04 to 2024-05"),
        "{}",
        monthly.stderr
    );
    let q = [
        "--period",
        "quarter",
        "--as-of",
        "2024-06-30",
        "--format",
        "csv",
    ];
    let mut args = vec!["migrate", f.as_str()];
    args.extend(q);
    assert_eq!(
        tier(&args).ok(),
        "from_period,to_period,from,to,customers,value_from,value_to\n\
         2024-Q1,2024-Q2,A,A,1,200.00,50.00\n\
         2024-Q1,2024-Q2,A,lost,1,70.00,0.00\n\
         2024-Q1,2024-Q2,C,B,1,10.00,20.00\n\
         2024-Q1,2024-Q2,new,A,1,0.00,30.00\n"
    );
    let mut m = args.clone();
    m.push("--matrix");
    let rows = csv_rows(tier(&m).ok());
    assert_eq!(rows[0], ["from \\ to", "A", "B", "C", "lost", "total"]);
    let total: u64 = rows[1..].iter().map(|r| r[5].parse::<u64>().unwrap()).sum();
    assert_eq!(total, 4, "every customer present in either quarter, once");
    let mut s = args.clone();
    s.push("--summary");
    let kinds = csv_rows(tier(&s).ok());
    let counts: Vec<(&str, &str)> = kinds[1..]
        .iter()
        .map(|r| (r[2].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        counts,
        [
            ("upgrade", "1"),
            ("downgrade", "0"),
            ("stayed", "1"),
            ("new", "1"),
            ("returned", "0"),
            ("lost", "1")
        ]
    );
    let mut mv = args.clone();
    mv.push("--movers");
    let movers = csv_rows(tier(&mv).ok());
    assert_eq!(movers.len(), 4, "a stayed, so three movers and the header");
    // Months: consecutive pairs, an empty March in between.
    let months = tier(&["migrate", &f, "--format", "csv"]);
    assert!(months
        .ok()
        .contains("2024-02,2024-03,A,lost,1,100.00,0.00\n2024-02,2024-03,B,lost,1,10.00,0.00\n"));
    // Back after an empty March: returned, not new; new is a first appearance.
    assert!(months
        .stdout
        .contains("2024-03,2024-04,returned,A,2,0.00,70.00"));
    assert!(months.stdout.contains("2024-04,2024-05,new,A,1,0.00,30.00"));
    let years = tier(&[
        "migrate", &f, "--period", "year", "--from", "2023", "--to", "2024", "--format", "csv",
    ]);
    assert!(years.ok().contains("2023,2024,new,A,"));
    tier(&["migrate", &f, "--from", "2024-04", "--to", "2024-02"]).fails(2, &["--from"]);
    tier(&[
        "migrate",
        &f,
        "--since",
        "2024-01-15",
        "--from",
        "2024-01",
        "--to",
        "2024-02",
    ])
    .fails(
        2,
        &[
            "--from 2024-01 is cut by --since 2024-01-15",
            "choose 2024-02",
        ],
    );
    tier(&["migrate", &f, "--from", "2024-13", "--to", "2024-14"]).fails(2, &["2024-13"]);
    tier(&["migrate", &f, "--from", "2024-01"]).fails(2, &["--to"]);
    let pyramid = tier(&[
        "migrate",
        &f,
        "--scheme",
        "pyramid",
        "--period",
        "quarter",
        "--matrix",
        "--as-of",
        "2024-06-30",
        "--format",
        "csv",
    ]);
    assert!(pyramid
        .ok()
        .starts_with("from \\ to,VIP,Major,Ordinary,Small,lost,total\n"));
}

#[test]
fn growth_per_customer_and_in_total() {
    let f = fixture("periods.csv");
    let out = tier(&["growth", &f, "--period", "quarter", "--format", "csv"]);
    let rows = rows_by(out.ok());
    // As of 2024-05-31 the second quarter is partial, so Q1 is the period compared; the data
    // does not reach back a year.
    assert!(out.stderr.contains("2024-Q2 is partial"), "{}", out.stderr);
    let a = rows.iter().find(|r| r["customer"] == "a").unwrap();
    assert_eq!(
        (a["period"].as_str(), a["value"].as_str()),
        ("2024-Q1", "200.00")
    );
    // The trend word is the customer's, of the last 12 months (as the profile and the report
    // give it): a first purchase in January is new.
    assert_eq!(a["trend"], "new");
    let nobody = tier(&["growth", &f, "--top", "2", "--format", "csv"]);
    assert!(
        nobody
            .stderr
            .contains("no growers or decliners: --top compares 2024-05 with 2023-05"),
        "{}",
        nobody.stderr
    );
    let total = tier(&["growth", &f, "--total", "--format", "csv"]);
    assert_eq!(
        total.ok(),
        "period,complete,value,previous,change,change_pct,year_before,change_yoy,change_yoy_pct,trend\n\
         2024-01,true,170.00,,,,,,,no_history\n\
         2024-02,true,110.00,170.00,-60.00,-35.3,,,,no_history\n\
         2024-03,true,0.00,110.00,-110.00,-100,,,,no_history\n\
         2024-04,true,65.00,0.00,65.00,,,,,no_history\n\
         2024-05,true,30.00,65.00,-35.00,-53.8,,,,no_history\n"
    );
    let top = tier(&[
        "growth",
        &fixture("churn.csv"),
        "--top",
        "1",
        "--format",
        "csv",
        "--as-of",
        "2024-06-30",
    ]);
    assert!(top.ok().starts_with("direction,customer,"));
}

#[test]
fn without_a_usable_model_churn_says_why_and_uses_the_other_signals() {
    // Everyone buys every week and nobody leaves: the fit is degenerate.
    let mut data = String::from("customer_id,order_date,amount\n");
    for c in 0..200 {
        for d in ((c % 60)..364).step_by(7 + (c % 3)) {
            let date = day_of_2024(d);
            data.push_str(&format!("C{c},{date},{}\n", 10 + c % 7));
        }
    }
    let run = tier_in(&["churn", "-", "--format", "csv"], Some(data.as_bytes()));
    let out = run.ok();
    assert!(run.stderr.contains("no P(alive)"), "{}", run.stderr);
    assert!(!out.lines().next().unwrap().contains("p_alive"));
    let no_model = tier_in(
        &["churn", "-", "--no-model", "--format", "csv"],
        Some(data.as_bytes()),
    );
    assert!(!no_model.ok().contains("p_alive"));
    assert!(!no_model.stderr.contains("P(alive)"));
    // With a usable model (the sample data), P(alive) and CLV are there.
    let sample = tier(&[
        "churn",
        &repo_file("sample-data/sales.csv"),
        "--format",
        "csv",
    ]);
    assert!(sample
        .ok()
        .lines()
        .next()
        .unwrap()
        .ends_with(",p_alive,clv"));
}

#[test]
fn every_view_parses_as_json_and_csv() {
    let f = repo_file("sample-data/sales.csv");
    let views: [&[&str]; 11] = [
        &["churn"],
        &["churn", "--summary"],
        &["churn", "--rates"],
        &["churn", "--cohorts"],
        &["churn", "--lost"],
        &["migrate"],
        &["migrate", "--matrix"],
        &["migrate", "--movers"],
        &["migrate", "--summary"],
        &["growth"],
        &["growth", "--total"],
    ];
    for v in views {
        let mut args: Vec<&str> = v.to_vec();
        args.insert(1, &f);
        let mut json = args.clone();
        json.extend(["--format", "json", "-q"]);
        let out = tier(&json);
        serde_json::from_str::<serde_json::Value>(out.ok())
            .unwrap_or_else(|e| panic!("{v:?}: {e}"));
        let mut csv = args.clone();
        csv.extend(["--format", "csv", "-q"]);
        assert!(csv_rows(tier(&csv).ok()).len() > 1, "{v:?}");
    }
}

#[test]
fn summary_value_shares_stay_shares_with_net_returns() {
    // R returned more than it bought in the last 12 months: its status's share of value is of
    // the positive total, never below 0 or above 1.
    let dir = temp_dir();
    let data = write(
        dir.path(),
        "net.csv",
        b"customer_id,date,amount\nA,2024-01-05,100\nA,2024-05-05,100\nA,2024-06-20,100\n\
          R,2023-01-05,500\nR,2024-03-05,-400\nR,2024-03-06,20\n",
    );
    let out = tier(&[
        "churn",
        &data,
        "--as-of",
        "2024-06-30",
        "--summary",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(out.ok()).unwrap();
    let shares: Vec<f64> = v["by_status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value_share"].as_f64().unwrap())
        .collect();
    assert!(shares.iter().all(|s| (0.0..=1.0).contains(s)), "{shares:?}");
    assert!(
        (shares.iter().sum::<f64>() - 1.0).abs() < 1e-9,
        "{shares:?}"
    );
}

#[test]
fn tied_numeric_ids_come_in_number_order_as_classify_ranks_them() {
    let dir = temp_dir();
    let data = write(
        dir.path(),
        "n.csv",
        b"customer_id,date,amount\n2,2024-01-05,10\n10,2024-01-05,10\n1,2024-01-05,10\n\
          100,2024-01-05,10\n",
    );
    let want = ["1", "2", "10", "100"];
    let classify = tier(&["classify", &data, "--format", "csv"]);
    assert_eq!(csv_column(classify.ok(), "customer"), want);
    let growth = tier(&["growth", &data, "--as-of", "2024-01-31", "--format", "csv"]);
    assert_eq!(csv_column(growth.ok(), "customer"), want);
    let churn = tier(&["churn", &data, "--as-of", "2024-01-31", "--format", "csv"]);
    assert_eq!(csv_column(churn.ok(), "customer"), want);
}
