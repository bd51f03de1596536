//! `tier profile` end to end: a card checked against a hand computation (tests/fixtures/README.md),
//! several cards, formats and an unknown customer.

use super::*;

fn card_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["profile", "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(tier(&all).ok()).unwrap()
}

#[test]
fn the_card_matches_a_hand_computation() {
    let c = card_json(&[&fixture("card.csv"), "--id", "K1"]);
    assert_eq!(c["customer"], "K1");
    assert_eq!(c["as_of"], "2024-05-31");
    assert_eq!(
        (c["abc"].as_str(), c["tier"].as_str()),
        (Some("A"), Some("Small"))
    );
    assert_eq!(
        (c["rank"].as_i64(), c["customers"].as_i64()),
        (Some(2), Some(3))
    );
    assert_eq!(c["value_share"], 0.303448);
    assert_eq!(
        (c["rfm"].as_str(), c["segment"].as_str()),
        (Some("442"), Some("Loyal"))
    );
    assert_eq!(c["value_to_date"], 440.0);
    assert_eq!(c["purchases"], 4);
    assert_eq!(c["average_order_value"], 110.0);
    assert_eq!(c["net_profit"], 178.0);
    assert_eq!(
        (c["first_purchase"].as_str(), c["last_purchase"].as_str()),
        (Some("2023-03-10"), Some("2024-05-15"))
    );
    assert_eq!(
        (c["tenure_days"].as_i64(), c["recency_days"].as_i64()),
        (Some(448), Some(16))
    );
    assert_eq!(
        (
            c["last_12_months"].as_f64(),
            c["previous_12_months"].as_f64()
        ),
        (Some(340.0), Some(100.0))
    );
    // K1's first purchase (2023-03-10) is after the start of the earlier year (2022-06-01): no
    // full year to compare, so no growth figure and the trend is `new`.
    assert_eq!(c["growth_pct"], serde_json::Value::Null);
    assert_eq!(c["trend"], "new");
    let months = c["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[0]["month"], "2023-06");
    assert_eq!(
        (
            months[0]["value"].as_f64(),
            months[0]["growth_pct"].is_null()
        ),
        (Some(50.0), true)
    );
    let march = months.iter().find(|m| m["month"] == "2024-03").unwrap();
    assert_eq!(
        (march["value"].as_f64(), march["year_before"].as_f64()),
        (Some(170.0), Some(100.0))
    );
    assert_eq!(
        march["growth_pct"],
        serde_json::Value::Null,
        "2023-03 is partly before K1"
    );
    assert_eq!(months[11]["month"], "2024-05");
    // As of 2025-03-09 both years are K1's: 90 (−30 + 120) against 350 (100 + 50 + 200).
    let later = card_json(&[&fixture("card.csv"), "--id", "K1", "--as-of", "2025-03-09"]);
    assert_eq!(
        (
            later["last_12_months"].as_f64(),
            later["previous_12_months"].as_f64()
        ),
        (Some(90.0), Some(350.0))
    );
    assert_eq!(later["growth_pct"], -74.3);
    assert_eq!(later["trend"], "declining");
    let months = later["months"].as_array().unwrap();
    let return_month = months
        .iter()
        .find(|m| m["month"] == "2024-03-10..2024-04-09")
        .unwrap();
    assert_eq!(
        (
            return_month["value"].as_f64(),
            return_month["year_before"].as_f64(),
            return_month["growth_pct"].as_f64()
        ),
        (Some(-30.0), Some(100.0), Some(-130.0)),
        "the year-before month starts on K1's first purchase"
    );
}

#[test]
fn several_ids_and_formats() {
    let both = card_json(&[&fixture("card.csv"), "--id", "K1", "--id", "K3"]);
    assert_eq!(both.as_array().unwrap().len(), 2);
    assert_eq!(both[1]["trend"], "new", "nothing in the 12 months before");
    let table = tier(&[
        "profile",
        &fixture("card.csv"),
        "--id",
        "K1",
        "--format",
        "table",
    ])
    .ok()
    .to_string();
    for piece in [
        "Customer K1",
        "class A · Small · rank 2 of 3",
        "442 Loyal",
        "net profit",
        "2024-03",
    ] {
        assert!(table.contains(piece), "{piece}: {table}");
    }
    let csv = tier(&["profile", &fixture("card.csv"), "--id", "K1"])
        .ok()
        .to_string();
    assert!(csv.starts_with("customer,field,value\n"), "{csv}");
    assert!(
        csv.contains("K1,value_to_date,440.00\n")
            && csv.contains("K1,month.2024-03.year_before,100.00\n"),
        "{csv}"
    );
}

#[test]
fn unknown_customers_are_an_error() {
    tier(&["profile", &fixture("card.csv"), "--id", "K9"])
        .fails(1, &["customer `K9` is not in the data"]);
    tier(&["profile", &fixture("card.csv")]).fails(2, &["--id"]);
}

#[test]
fn ids_come_from_stdin_so_commands_chain() {
    let sample = repo_file("sample-data/sales.csv");
    let at_risk = tier(&["rfm", &sample, "--segment", "At risk", "--format", "csv"]);
    let ids = at_risk.ok().lines().count() - 1;
    let cards = tier_in(
        &["profile", &sample, "--ids", "-", "--format", "json"],
        Some(at_risk.stdout.as_bytes()),
    );
    let v: serde_json::Value = serde_json::from_str(cards.ok()).unwrap();
    assert_eq!(v.as_array().unwrap().len(), ids);
    let plain = tier_in(
        &["profile", &sample, "--id", "-", "--format", "json"],
        Some(b"C1119\n\nC1284\n"),
    );
    let v: serde_json::Value = serde_json::from_str(plain.ok()).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    tier_in(&["profile", "--id", "-"], Some(b"C1\n")).fails(2, &["stdin"]);
}

#[test]
fn rolling_months_are_labelled_by_their_dates_mid_month() {
    let sample = repo_file("sample-data/sales.csv");
    let card = tier(&[
        "profile",
        &sample,
        "--id",
        "C1119",
        "--as-of",
        "2025-12-15",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(card.ok()).unwrap();
    let months = v["months"].as_array().unwrap();
    assert_eq!(months[11]["month"], "2025-11-16..2025-12-15");
    let end = tier(&["profile", &sample, "--id", "C1119", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(end.ok()).unwrap();
    assert_eq!(v["months"][11]["month"], "2025-12");
}

#[test]
fn the_card_prints_money_as_the_tables_do() {
    let sample = repo_file("sample-data/sales.csv");
    let rows = tier(&["classify", &sample, "--format", "csv"]);
    let value = csv_column(rows.ok(), "value")[0].clone();
    let card = tier(&["profile", &sample, "--id", "C1119", "--format", "table"]);
    assert!(
        card.ok()
            .contains(&format!("value to date          {value}\n")),
        "{value}: {}",
        card.stdout
    );
}

#[test]
fn months_as_of_a_short_months_last_day_are_calendar_months() {
    // 10.00 on 31 October, 100.00 on 15 November: as of 30 November the last row is November
    // (100.00) as `growth` counts it, not 31 October to 30 November (110.00).
    let dir = temp_dir();
    let data = write(
        dir.path(),
        "d.csv",
        b"customer_id,date,amount\nA,2025-10-31,10\nA,2025-11-15,100\nA,2025-02-28,7\n\
          A,2025-03-01,5\n",
    );
    let card = |as_of: &str| -> serde_json::Value {
        let run = tier(&[
            "profile", &data, "--id", "A", "--as-of", as_of, "--format", "json",
        ]);
        serde_json::from_str(run.ok()).unwrap()
    };
    let nov = card("2025-11-30");
    let months = nov["months"].as_array().unwrap();
    assert_eq!(months[11]["month"], "2025-11");
    assert_eq!(months[11]["value"], 100.0);
    assert_eq!(months[10]["month"], "2025-10");
    assert_eq!(months[10]["value"], 10.0);
    let growth = tier(&[
        "growth",
        &data,
        "--as-of",
        "2025-11-30",
        "--total",
        "--format",
        "csv",
    ]);
    assert!(growth.ok().contains("2025-11,"), "{}", growth.stdout);
    // February's last day: February and March are two calendar months.
    let feb = card("2025-02-28");
    assert_eq!(feb["months"][11]["month"], "2025-02");
    assert_eq!(feb["months"][11]["value"], 7.0);
    let mar = card("2025-03-31");
    assert_eq!(mar["months"][11]["month"], "2025-03");
    assert_eq!(mar["months"][11]["value"], 5.0);
}

#[test]
fn a_thousand_cards_come_from_one_read() {
    // Every id of the sample in one run, as `classify | profile --id -` would give them: the
    // same cards as one at a time.
    let sample = repo_file("sample-data/sales.csv");
    let ids = csv_column(
        tier(&["classify", &sample, "--format", "csv"]).ok(),
        "customer",
    );
    let stdin = ids.join("\n");
    let all = tier_in(
        &["profile", &sample, "--id", "-", "--format", "ndjson"],
        Some(stdin.as_bytes()),
    );
    let lines: Vec<&str> = all.ok().lines().collect();
    assert_eq!(lines.len(), ids.len());
    for (i, id) in ids.iter().enumerate().step_by(ids.len() / 5 + 1) {
        let one = tier(&["profile", &sample, "--id", id, "--format", "ndjson"]);
        assert_eq!(one.ok().trim_end(), lines[i], "{id}");
    }
}

#[test]
fn an_unranked_card_says_why_by_what_its_lines_hold() {
    let dir = temp_dir();
    let data = write(
        dir.path(),
        "z.csv",
        b"customer_id,date,amount\nA,2025-01-05,10\nFREE,2025-01-06,0\nFREE,2025-02-06,0\n\
          BACK,2025-01-07,20\nBACK,2025-01-20,-20\n",
    );
    let card = |id: &str| {
        tier(&["profile", &data, "--id", id, "--format", "table"])
            .ok()
            .to_string()
    };
    let free = card("FREE");
    assert!(
        free.contains("zero-priced") && !free.contains("returns"),
        "{free}"
    );
    assert!(card("BACK").contains("returns cancel its purchases"));
}

#[test]
fn a_key_account_back_after_a_gap_is_returning_in_the_card_growth_and_the_report() {
    let dir = temp_dir();
    let data = write(
        dir.path(),
        "k.csv",
        b"customer_id,date,amount\nKEY,2014-03-01,900\nKEY,2014-09-01,900\nKEY,2025-06-01,500\n\
          KEY,2025-11-10,400\nNEW,2025-05-01,50\nNEW,2025-11-20,60\n",
    );
    let asof = ["--as-of", "2025-11-30"];
    let card = tier(&[
        "profile", &data, "--id", "KEY", "--format", "json", asof[0], asof[1],
    ]);
    let v: serde_json::Value = serde_json::from_str(card.ok()).unwrap();
    assert_eq!(v["trend"], "returning");
    let growth = tier(&["growth", &data, "--format", "csv", asof[0], asof[1]]);
    let rows = csv_rows(growth.ok());
    let at = rows[0].iter().position(|h| h == "trend").unwrap();
    let key = rows.iter().find(|r| r[0] == "KEY").unwrap();
    assert_eq!(key[at], "returning");
    let new = rows.iter().find(|r| r[0] == "NEW").unwrap();
    assert_eq!(new[at], "new");
    let out = dir.path().join("rep");
    let o = out.to_str().unwrap();
    tier(&[
        "report",
        &data,
        "--out",
        o,
        "--no-model",
        "-q",
        asof[0],
        asof[1],
    ])
    .ok();
    let customers = std::fs::read_to_string(out.join("customers.csv")).unwrap();
    let rows = csv_rows(&customers);
    let at = rows[0].iter().position(|h| h == "trend").unwrap();
    assert_eq!(
        rows.iter().find(|r| r[0] == "KEY").unwrap()[at],
        "returning"
    );
}
