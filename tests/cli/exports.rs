//! Exports as they really come, through the fast reader and the precise one: typed Parquet
//! (categorical ids, zoned timestamps, decimals, floats with exponents), decimal separators that
//! only the rest of the file can explain, Windows-1252, NUL bytes, money at the edges of
//! arithmetic, mixed date styles, stray quotes, Unicode forms. Each case also checks that a
//! file sent to the precise reader gives the same answer as the fast one.

use super::*;

fn values(out: &str) -> Vec<(String, String)> {
    csv_column(out, "customer")
        .into_iter()
        .zip(csv_column(out, "value"))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn typed_parquet_is_read_natively() {
    // customer_id categorical, order_date zoned (Europe/Berlin), amount decimal(12,3), and an
    // unused decimal(38,10) column.
    let out = tier(&["classify", &fixture("typed.parquet")])
        .ok()
        .to_string();
    assert_eq!(
        values(&out),
        pairs(&[("B", "10.01"), ("C", "7.00"), ("A", "1.55")]),
        "decimals round half away from zero: 2.675 → 2.68, −1.125 → −1.13"
    );
    // 2024-01-02 23:30 in Berlin is 22:30 UTC the same day: the UTC calendar date.
    assert_eq!(csv_column(&out, "first_purchase")[0], "2024-01-02");
    let floats = tier(&["classify", &fixture("floats.parquet")])
        .ok()
        .to_string();
    assert_eq!(
        values(&floats),
        pairs(&[("17850", "2.68"), ("13047", "0.00")]),
        "float 2.675 is 2.68, 5.55e-17 and 1e-7 are 0 cents"
    );
}

#[test]
fn whole_euro_amounts_follow_the_file_locale() {
    let dir = temp_dir();
    let text = "Kunde;Datum;Betrag\nA;05.01.2024;1.500\nB;06.01.2024;2.300\nC;07.01.2024;12.000\nD;08.01.2024;800\n";
    let f = write(dir.path(), "eu.csv", text.as_bytes());
    let out = tier(&[
        "classify",
        &f,
        "--customer",
        "Kunde",
        "--date",
        "Datum",
        "--amount",
        "Betrag",
    ])
    .ok()
    .to_string();
    assert_eq!(
        values(&out),
        pairs(&[
            ("C", "12000.00"),
            ("B", "2300.00"),
            ("A", "1500.00"),
            ("D", "800.00")
        ])
    );
    // Nothing in a tab-separated file with ISO dates tells: an error naming both flags.
    let tsv = "customer\tdate\tamount\nA\t2024-01-05\t1.500\nB\t2024-01-06\t800\n";
    let t = write(dir.path(), "amb.tsv", tsv.as_bytes());
    tier(&["classify", &t]).fails(1, &["`1.500`", "--decimal-comma", "--decimal-point"]);
    let point = tier(&["classify", &t, "--decimal-point"]).ok().to_string();
    assert_eq!(values(&point), pairs(&[("B", "800.00"), ("A", "1.50")]));
    // A decisive cell further down overrules the locale of the sample.
    let mut long = String::from("Kunde;Datum;Betrag\n");
    for i in 0..5000 {
        long.push_str(&format!("K{i};05.01.2024;1.500\n"));
    }
    long.push_str("Z;06.01.2024;12.50\n");
    let l = write(dir.path(), "late.csv", long.as_bytes());
    let out = tier(&[
        "classify",
        &l,
        "--customer",
        "Kunde",
        "--date",
        "Datum",
        "--amount",
        "Betrag",
    ])
    .ok()
    .to_string();
    assert_eq!(values(&out)[0], ("Z".to_string(), "12.50".to_string()));
}

#[test]
fn windows_1252_is_decoded() {
    let dir = temp_dir();
    let f = write(
        dir.path(),
        "w.csv",
        b"customer;date;amount\nO\x92Brien;2024-01-01;\x8012,50\nM\xfcller;2024-01-02;3,00\n",
    );
    let out = tier(&["classify", &f]).ok().to_string();
    assert_eq!(
        values(&out),
        pairs(&[("O\u{2019}Brien", "12.50"), ("M\u{fc}ller", "3.00")])
    );
}

#[test]
fn nul_bytes_anywhere_are_refused_with_their_line() {
    let dir = temp_dir();
    let mut text = String::from("customer,date,amount\n");
    for i in 0..4000 {
        text.push_str(&format!("C{i},2024-01-01,1.00\n"));
    }
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(b"C1\0,2024-01-02,2.00\n");
    assert!(bytes.len() > 1 << 16);
    let f = write(dir.path(), "nul.csv", &bytes);
    tier(&["classify", &f]).fails(1, &["line 4002", "column `customer`", "NUL"]);
}

#[test]
fn money_is_exact_and_never_wraps() {
    let dir = temp_dir();
    let f = write(
        dir.path(),
        "r.csv",
        b"customer,date,quantity,price\nA,2024-01-01,1,2.675\nB,2024-01-01,3,0.895\n",
    );
    let out = tier(&["classify", &f]).ok().to_string();
    assert_eq!(values(&out), pairs(&[("B", "2.69"), ("A", "2.68")]));
    let big = write(
        dir.path(),
        "big.csv",
        b"customer,date,quantity,price\nA,2024-01-01,9999999999999,9999999999999\n",
    );
    tier(&["classify", &big]).fails(1, &["line 2", "too large"]);
    let mut many = String::from("customer,date,amount\n");
    // 10,000 × 10^13 is 10^19 cents, past the largest 64-bit integer: refused, not wrapped.
    for _ in 0..10_000 {
        many.push_str("A,2024-01-01,9999999999999\n");
    }
    let m = write(dir.path(), "many.csv", many.as_bytes());
    tier(&["classify", &m]).fails(1, &["beyond exact arithmetic"]);
    let two = write(
        dir.path(),
        "two.csv",
        b"customer,date,amount\nA,2024-01-01,(-12)\n",
    );
    tier(&["classify", &two]).fails(1, &["line 2", "`(-12)`"]);
}

#[test]
fn each_date_separator_keeps_its_convention() {
    let dir = temp_dir();
    let f = write(
        dir.path(),
        "d.csv",
        b"customer,date,amount\nA,01.02.2024,1\nB,1/13/2024,1\n",
    );
    let out = tier(&["classify", &f]).ok().to_string();
    let firsts: Vec<(String, String)> = csv_column(&out, "customer")
        .into_iter()
        .zip(csv_column(&out, "first_purchase"))
        .collect();
    assert_eq!(firsts, pairs(&[("A", "2024-02-01"), ("B", "2024-01-13")]));
}

#[test]
fn an_inch_mark_is_text_and_a_real_open_quote_is_named() {
    let dir = temp_dir();
    let f = write(
        dir.path(),
        "inch.csv",
        b"customer,item,date,amount\nA,5\" screen,2024-01-01,1\nB,\"two\nlines\",2024-01-02,2\n",
    );
    let out = tier(&["classify", &f]).ok().to_string();
    assert_eq!(values(&out), pairs(&[("B", "2.00"), ("A", "1.00")]));
    let open = write(
        dir.path(),
        "open.csv",
        b"customer,item,date,amount\nA,5\" screen,2024-01-01,1\nB,\"never closed,2024-01-02,2\nC,x,2024-01-03,3\n",
    );
    tier(&["classify", &open]).fails(1, &["line 3", "never closed"]);
}

#[test]
fn one_customer_whatever_the_unicode_form() {
    let dir = temp_dir();
    let f = write(
        dir.path(),
        "u.csv",
        "customer,date,amount\nRen\u{e9} M\u{fc}ller,2024-01-01,1\nRene\u{301} Mu\u{308}ller,2024-01-02,2\n"
            .as_bytes(),
    );
    let out = tier(&["classify", &f]).ok().to_string();
    assert_eq!(values(&out), pairs(&[("Ren\u{e9} M\u{fc}ller", "3.00")]));
}

#[test]
fn the_precise_reader_agrees_with_the_fast_one() {
    // A footer line sends the file to the precise reader; without it the fast one reads it.
    let body = std::fs::read_to_string(repo_file("sample-data/sales.csv")).unwrap();
    let dir = temp_dir();
    let plain = write(dir.path(), "plain.csv", body.as_bytes());
    let footed = write(
        dir.path(),
        "footed.csv",
        format!("{body}Grand Totals\n").as_bytes(),
    );
    for args in [vec!["classify", "--by", "profit"], vec!["rfm"], vec!["clv"]] {
        let run = |f: &str| {
            let mut a = args.clone();
            a.push(f);
            tier(&a).ok().to_string()
        };
        assert_eq!(run(&plain), run(&footed), "{args:?}");
    }
}

#[test]
fn stdin_parquet_takes_the_same_path() {
    let bytes = std::fs::read(fixture("typed.parquet")).unwrap();
    let out = tier_in(&["classify", "-"], Some(&bytes)).ok().to_string();
    assert_eq!(values(&out)[0], ("B".to_string(), "10.01".to_string()));
}

#[test]
fn a_short_row_cannot_hide_behind_a_long_one() {
    let dir = temp_dir();
    let f = write(
        dir.path(),
        "rag.csv",
        b"customer,date,amount\nA,2024-01-01\nB,2024-01-02,5,7\n",
    );
    tier(&["classify", &f]).fails(1, &["line 2 has 2 fields but the header has 3"]);
}

#[test]
fn dates_with_a_named_month_are_read_by_both_readers() {
    let dir = temp_dir();
    let f = write(
        dir.path(),
        "named.csv",
        "Customer,Date,Amount\nA,\"Jan 5, 2024\",10\nB,5-Feb-2024,20\nA,\"Fri, 01 Mar 2024 10:00:00 GMT\",5\nC,5. März 2024,1\n"
            .as_bytes(),
    );
    let out = tier(&["classify", &f, "--format", "csv"]);
    let rows = csv_rows(out.ok());
    let a = rows.iter().find(|r| r[0] == "A").unwrap();
    assert_eq!((a[8].as_str(), a[9].as_str()), ("2024-01-05", "2024-03-01"));
    // A footer line sends the file to the precise reader, which reads the same dates.
    let body = std::fs::read_to_string(&f).unwrap();
    let footed = write(
        dir.path(),
        "footed.csv",
        format!("{body}Total\n").as_bytes(),
    );
    let precise = tier(&["classify", &footed, "--format", "csv"]);
    assert_eq!(precise.ok(), out.stdout);
    // A two-digit year could be any century: refused, with the place.
    let g = write(
        dir.path(),
        "yy.csv",
        b"Customer,Date,Amount\nA,5-Jan-24,10\n",
    );
    tier(&["classify", &g]).fails(1, &["line 2", "5-Jan-24"]);
}

#[test]
fn decimal_parquet_ids_are_the_integers_they_hold() {
    // customer_id decimal(10,0), as a database's NUMBER(10) column arrives.
    let out = tier(&["classify", &fixture("decimal_ids.parquet")])
        .ok()
        .to_string();
    assert_eq!(
        values(&out),
        pairs(&[("13047", "20.00"), ("17850", "15.50")])
    );
    // decimal(12,2) ids: 17850.00 would be 17850, but 13047.50 is no id.
    tier(&["classify", &fixture("decimal_fraction_ids.parquet")]).fails(
        1,
        &["column `customer_id`", "`13047.50`", "fractional part"],
    );
}

/// Tableau's Superstore shape: a `Profit` per line and no cost column.
const SUPERSTORE: &[u8] = b"Customer ID,Order Date,Sales,Profit\nA,2024-01-05,100.00,30.00\nB,2024-01-06,200.00,-10.00\nA,2024-02-05,50.00,5.00\nC,2024-03-01,80.00,40.00\n";

#[test]
fn a_profit_column_is_the_margin_for_by_profit() {
    let dir = temp_dir();
    let f = write(dir.path(), "superstore.csv", SUPERSTORE);
    let out = tier(&["classify", &f, "--by", "profit"]).ok().to_string();
    assert_eq!(
        values(&out),
        pairs(&[("C", "40.00"), ("A", "35.00"), ("B", "-10.00")])
    );
    for (header, lang) in [
        ("Bénéfice", "fr"),
        ("Beneficio", "es"),
        ("Gewinn", "de"),
        ("利润", "zh"),
    ] {
        let text = String::from_utf8_lossy(SUPERSTORE).replace("Profit", header);
        let f = write(dir.path(), &format!("{lang}.csv"), text.as_bytes());
        let out = tier(&["classify", &f, "--by", "profit"]).ok().to_string();
        assert_eq!(csv_column(&out, "value")[0], "40.00", "{header}");
    }
    // Without a cost or margin, the error names both flags.
    let plain = write(
        dir.path(),
        "plain.csv",
        b"customer,date,amount\nA,2024-01-05,10\n",
    );
    tier(&["classify", &plain, "--by", "profit"])
        .fails(1, &["--cost COLUMN", "--margin-column COLUMN"]);
}

#[test]
fn by_profit_in_tier_toml_works_in_every_command() {
    let dir = temp_dir();
    let data = repo_file("sample-data/sales.csv");
    write(dir.path(), "tier.toml", b"[classify]\nby = \"profit\"\n");
    let commands: [&[&str]; 8] = [
        &["classify"],
        &["rfm"],
        &["profile", "--id", "C1119"],
        &["clv"],
        &["churn"],
        &["migrate"],
        &["growth"],
        &["report", "--out", "rep", "-q"],
    ];
    for args in commands {
        let mut all = vec![args[0], data.as_str()];
        all.extend(&args[1..]);
        let run = tier_at(dir.path(), &all, None);
        assert_eq!(run.code, 0, "{args:?}: {run:#?}");
    }
    // Ranked by profit, not revenue: the classify values are below the revenue values.
    let profit = tier_at(dir.path(), &["classify", &data], None)
        .ok()
        .to_string();
    let revenue = tier_at(dir.path(), &["classify", &data, "--by", "revenue"], None)
        .ok()
        .to_string();
    assert_ne!(csv_column(&profit, "value"), csv_column(&revenue, "value"));
    let report = std::fs::read_to_string(dir.path().join("rep/customers.csv")).unwrap();
    assert!(report.lines().count() > 300, "every customer in the report");
}
