//! Money has one text form per output format: two decimals in CSV, tables and summaries, a number
//! in JSON; every float column of every command is either money or named as not money.

use crate::{csv_rows, repo_file, temp_dir, tier, write};
use std::collections::BTreeSet;

/// Every command's outputs on the sample data (CSV and JSON of the same run).
const RUNS: &[&[&str]] = &[
    &["classify"],
    &["rfm"],
    &["rfm", "--summary"],
    &["classify", "--summary"],
    &["clv", "--summary"],
    &["churn", "--summary"],
    &["clv"],
    &["churn"],
    &["churn", "--rates"],
    &["churn", "--cohorts"],
    &["churn", "--lost"],
    &["migrate"],
    &["migrate", "--movers"],
    &["growth"],
    &["growth", "--total"],
];

/// Float columns that are not money: shares, rates, probabilities, counts in model units.
const NOT_MONEY: &[&str] = &[
    "share",
    "cum_share",
    "revenue_share",
    "value_share",
    "value_retention",
    "churn_rate",
    "p_alive",
    "expected_purchases",
    "recency",
    "T",
    "change_pct",
    "change_yoy_pct",
    "avg_recency_days",
    "values",
    "customer_share",
    "customers_for_80pct_share",
    "top_20pct_value_share",
    "gini",
    "r",
    "alpha",
    "a",
    "b",
    "p",
    "q",
    "gamma",
    "log_likelihood",
    "gradient_norm",
    "horizon",
    "margin",
    "discount_rate_per_unit",
    "repeat_purchases",
];

fn float_columns(args: &[&str]) -> BTreeSet<String> {
    let mut a = args.to_vec();
    let data = repo_file("sample-data/sales.csv");
    a.insert(1, &data);
    a.extend(["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(tier(&a).ok()).unwrap();
    fn walk(v: &serde_json::Value, key: &str, out: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, key, out)),
            serde_json::Value::Object(m) => m.iter().for_each(|(k, x)| walk(x, k, out)),
            x if x.is_f64() => {
                out.insert(key.to_string());
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(&doc, "", &mut out);
    out
}

/// The cells of `name` in CSV output: a column, or the `metric,value` rows whose dotted key ends
/// in it.
fn cells(rows: &[Vec<String>], name: &str) -> Vec<String> {
    if rows[0] == ["metric", "value"] {
        let tail = format!(".{name}");
        return rows[1..]
            .iter()
            .filter(|r| r[0] == name || r[0].ends_with(&tail))
            .map(|r| r[1].clone())
            .collect();
    }
    let i = rows[0].iter().position(|h| h == name).unwrap();
    rows[1..].iter().map(|r| r[i].clone()).collect()
}

#[test]
fn every_float_column_is_money_or_named_as_not_money() {
    for args in RUNS {
        let floats = float_columns(args);
        let mut a = args.to_vec();
        let data = repo_file("sample-data/sales.csv");
        a.insert(1, &data);
        a.extend(["--format", "csv"]);
        let rows = csv_rows(tier(&a).ok());
        for name in &floats {
            let money = tier::render::is_money(name);
            assert!(
                money != NOT_MONEY.contains(&name.as_str()),
                "`{name}` of `tier {}`: name it as money (render::is_money) or add it to NOT_MONEY",
                args.join(" ")
            );
            for cell in cells(&rows, name) {
                let two = cell.split_once('.').is_some_and(|(_, d)| d.len() == 2);
                assert!(
                    cell.is_empty() || two || !money,
                    "`{name}` of `tier {}`: {cell}",
                    args.join(" ")
                );
            }
        }
    }
}

#[test]
fn one_customer_value_reads_the_same_in_every_command_and_format() {
    let data = repo_file("sample-data/sales.csv");
    let csv = tier(&["classify", &data, "--format", "csv"]);
    let row = &csv_rows(csv.ok())[1];
    assert_eq!((row[0].as_str(), row[1].as_str()), ("C1119", "86503.30"));
    let rfm = tier(&["rfm", &data, "--format", "csv"]);
    assert!(rfm.ok().contains("C1119,49,55,86503.30,"), "{}", rfm.stdout);
    let card = tier(&["profile", &data, "--id", "C1119", "--format", "table"]);
    assert!(card.ok().contains("86503.30"), "{}", card.stdout);
    let long = tier(&["profile", &data, "--id", "C1119", "--format", "csv"]);
    assert!(long.ok().contains("C1119,value_to_date,86503.30\n"));
    let summary = tier(&["classify", &data, "--summary", "--format", "csv"]);
    assert!(summary.ok().contains("total_value,748545.10\n"));
    let json = tier(&["classify", &data, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(json.ok()).unwrap();
    assert_eq!(v[0]["value"], 86503.3, "JSON carries the number");
    // Ranked by quantity, `value` is a count of units, not money.
    let qty = tier(&["classify", &data, "--by", "quantity", "--format", "csv"]);
    assert_eq!(csv_rows(qty.ok())[1][1], "2884");
}

#[test]
fn every_summary_prints_counts_as_counts() {
    // A key that counts customers (or purchases, iterations, days) is a whole number in every
    // summary, whatever the value basis; `customers_without_value` once came out as `127.00`.
    let dir = temp_dir();
    let data = write(
        dir.path(),
        "loss.csv",
        b"customer_id,date,amount,cost\nA,2024-01-05,10,2\nB,2024-01-06,5,9\nC,2024-01-07,8,1\n\
          A,2024-02-05,10,2\nC,2024-03-07,8,1\n",
    );
    let sample = repo_file("sample-data/sales.csv");
    let runs: Vec<Vec<&str>> = vec![
        vec!["classify", &data, "--by", "profit", "--summary"],
        vec!["classify", &sample, "--summary"],
        vec!["rfm", &sample, "--summary"],
        vec!["clv", &sample, "--summary"],
        vec!["churn", &sample, "--summary"],
    ];
    for mut args in runs {
        args.extend(["--format", "csv"]);
        let out = tier(&args);
        for row in csv_rows(out.ok()).iter().skip(1) {
            let last = row[0].rsplit('.').next().unwrap();
            let counts = [
                "customers",
                "purchases",
                "iterations",
                "customers_without_value",
            ];
            if counts.contains(&last) || last.starts_with("customers_") && !last.ends_with("share")
            {
                assert!(
                    row[1].parse::<i64>().is_ok(),
                    "{:?}: {} = {}",
                    args,
                    row[0],
                    row[1]
                );
            }
        }
    }
}
