//! The input layer end to end: real export shapes, several files, stdin, and every bad input
//! with its message and exit code.

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
fn sap_export_with_decimal_comma_and_trailing_minus() {
    let run = tier(&["classify", &fixture("sap.csv"), "--explain"]);
    assert_eq!(
        values(run.ok()),
        pairs(&[
            ("0000300", "2000.00"),
            ("0000100", "1134.50"),
            ("0000200", "99.90")
        ])
    );
    for piece in [
        "`KUNAG`",
        "`FKDAT`",
        "day first",
        "decimal comma",
        "delimiter `;`",
    ] {
        assert!(
            run.stderr.contains(piece),
            "explain lacks {piece}: {}",
            run.stderr
        );
    }
}

#[test]
fn shopify_export_by_email() {
    let out = tier(&["classify", &fixture("shopify.csv")])
        .ok()
        .to_string();
    assert_eq!(
        values(&out),
        pairs(&[("ann@example.com", "1240.00"), ("bob@example.com", "19.50")])
    );
    assert_eq!(csv_column(&out, "first_purchase")[0], "2025-10-07");
}

#[test]
fn uci_export_quantity_times_price() {
    let run = tier(&["classify", &fixture("uci.csv"), "--explain"]);
    assert_eq!(
        values(run.ok()),
        pairs(&[("17850", "46.74"), ("12583", "30.00"), ("13047", "26.58")])
    );
    assert!(
        run.stderr.contains("1 without a customer id"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`Quantity` × `UnitPrice`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("month first"), "{}", run.stderr);
    let excl = tier(&[
        "classify",
        &fixture("uci.csv"),
        "--returns",
        "exclude",
        "--explain",
    ]);
    assert!(values(excl.ok()).contains(&("13047".into(), "54.08".into())));
    assert!(
        excl.stderr.contains("1 negative lines (--returns exclude)"),
        "{}",
        excl.stderr
    );
}

#[test]
fn several_files_read_as_one_and_stdin() {
    let t = fixture("tiny.csv");
    let out = tier(&["classify", &t, &t, "--allow-overlap"])
        .ok()
        .to_string();
    assert_eq!(
        csv_column(&out, "value"),
        ["1200.00", "400.00", "300.00", "100.00"]
    );
    let data = std::fs::read(&t).unwrap();
    let piped = tier_in(&["classify", "-"], Some(&data));
    assert_eq!(
        csv_column(piped.ok(), "value"),
        ["600.00", "200.00", "150.00", "50.00"]
    );
    let implicit = tier_in(&["classify"], Some(&data));
    assert_eq!(
        csv_column(implicit.ok(), "customer"),
        ["C1", "C2", "C3", "C4"]
    );
}

#[test]
fn headers_that_differ_across_files() {
    let dir = temp_dir();
    let other = write(
        dir.path(),
        "feb.csv",
        b"order_id,order_date,client_id,amount\n1,2024-01-05,C1,5\n",
    );
    tier(&["classify", &fixture("tiny.csv"), &other]).fails(
        1,
        &["feb.csv", "missing [`customer_id`]", "extra [`client_id`]"],
    );
}

#[test]
fn delimiters_bom_and_footer_lines() {
    let dir = temp_dir();
    let rows = "customer|date|total\nA|2024-01-01|10\nB|2024-01-02|30\n";
    assert_eq!(
        csv_column(
            tier(&["classify", &write(dir.path(), "p.csv", rows.as_bytes())]).ok(),
            "customer"
        ),
        ["B", "A"]
    );
    let tab = rows.replace('|', "\t");
    let tsv = write(dir.path(), "t.tsv", tab.as_bytes());
    let run = tier(&[
        "classify",
        &tsv,
        "--customer",
        "customer",
        "--date",
        "date",
        "--amount",
        "total",
    ]);
    assert_eq!(csv_column(run.ok(), "value"), ["30.00", "10.00"]);
    let bom = "\u{feff}customer id;date;amount\nA;2024-01-01;1,5\n";
    assert_eq!(
        csv_column(
            tier(&["classify", &write(dir.path(), "b.csv", bom.as_bytes())]).ok(),
            "value"
        ),
        ["1.50"]
    );
    let sf = "Account ID,Close Date,Amount\nA1,2024-01-05,100\nA2,2024-01-06,50\n\"Grand Totals (2 records)\"\n\"Confidential Information - Do Not Distribute\"\n";
    assert_eq!(
        csv_column(
            tier(&["classify", &write(dir.path(), "sf.csv", sf.as_bytes())]).ok(),
            "customer"
        ),
        ["A1", "A2"]
    );
}

#[test]
fn ambiguous_columns_and_dates_ask_for_a_flag() {
    let dir = temp_dir();
    let two = write(
        dir.path(),
        "two.csv",
        b"Customer ID,Account ID,Date,Amount\n1,2,2024-01-01,5\n",
    );
    tier(&["classify", &two]).fails(1, &["`Customer ID`, `Account ID`", "--customer"]);
    tier(&["classify", &two, "--customer", "Account ID"]).ok();
    let dates = write(
        dir.path(),
        "d.csv",
        b"customer,date,amount\nA,1/2/2024,5\nB,3/4/2024,6\n",
    );
    tier(&["classify", &dates]).fails(1, &["--dayfirst", "`date`"]);
    let out = tier(&["classify", &dates, "--dayfirst"]).ok().to_string();
    assert_eq!(
        csv_column(&out, "first_purchase"),
        ["2024-04-03", "2024-02-01"]
    );
    let none = write(dir.path(), "n.csv", b"who,when,how much\nA,2024-01-01,5\n");
    tier(&["classify", &none]).fails(
        1,
        &[
            "no customer column",
            "`who`, `when`, `how much`",
            "--customer",
        ],
    );
}

#[test]
fn every_role_a_message_names_has_its_flag() {
    let dir = temp_dir();
    let two = write(
        dir.path(),
        "cur.csv",
        b"customer,date,amount,currency,ccy\nA,2024-01-01,5,EUR,USD\n",
    );
    tier(&["classify", &two]).fails(1, &["`currency`, `ccy`", "--currency"]);
    assert_eq!(
        csv_column(
            tier(&["classify", &two, "--currency", "currency"]).ok(),
            "value"
        ),
        ["5.00"]
    );
    let margins = write(
        dir.path(),
        "m.csv",
        b"customer,date,amount,margin,gross profit\nA,2024-01-01,5,2,3\nB,2024-01-02,9,1,4\n",
    );
    tier(&["classify", &margins]).fails(1, &["`margin`, `gross profit`", "--margin-column"]);
    let out = tier(&[
        "classify",
        &margins,
        "--margin-col",
        "gross profit",
        "--by",
        "profit",
    ])
    .ok()
    .to_string();
    assert_eq!(csv_column(&out, "value"), ["4.00", "3.00"]);
}

#[test]
fn mixed_currencies_are_refused() {
    let dir = temp_dir();
    let f = write(
        dir.path(),
        "c.csv",
        b"customer,date,amount,currency\nA,2024-01-01,5,EUR\nB,2024-01-01,5,USD\n",
    );
    tier(&["classify", &f]).fails(1, &["mixes currencies", "`EUR`", "`USD`"]);
}

#[test]
fn bad_inputs_name_file_line_column_and_value() {
    let dir = temp_dir();
    let d = dir.path();
    let head = "customer,date,amount\n";
    let cases: Vec<(String, Vec<&str>)> = vec![
        (fixture("missing.csv"), vec!["cannot open", "missing.csv"]),
        (write(d, "empty.csv", b""), vec!["empty.csv` is empty"]),
        (
            write(d, "header.csv", head.as_bytes()),
            vec!["header but no data rows"],
        ),
        (
            write(
                d,
                "date.csv",
                format!("{head}A,2024-01-01,5\nB,2024-02-30,5\n").as_bytes(),
            ),
            vec!["date.csv`: line 3, column `date`", "`2024-02-30`"],
        ),
        (
            write(
                d,
                "amount.csv",
                format!("{head}A,2024-01-01,\"12,5O\"\n").as_bytes(),
            ),
            vec!["line 2, column `amount`", "cannot read `12,5O` as a number"],
        ),
        (
            write(
                d,
                "ragged.csv",
                format!("{head}A,2024-01-01,5\nB,2024-01-02,5,7\n").as_bytes(),
            ),
            vec!["line 3 has 4 fields but the header has 3"],
        ),
        (
            write(
                d,
                "quote.csv",
                format!("{head}A,2024-01-01,5\n\"B,2024-01-02,5\nC,2024-01-03,6\n").as_bytes(),
            ),
            vec!["line 3", "never closed"],
        ),
        (
            write(d, "binary.csv", b"\x00\x01\x02garbage\xff"),
            vec!["looks binary"],
        ),
        (
            write(d, "utf16.csv", b"\xff\xfec\x00u\x00"),
            vec!["UTF-16", "iconv"],
        ),
        (write(d, "zip.csv", b"PK\x03\x04rest"), vec!["Excel"]),
        (
            write(d, "nodate.csv", format!("{head}A,,5\n").as_bytes()),
            vec!["line 2, column `date`: the date is empty"],
        ),
    ];
    for (path, pieces) in cases {
        tier(&["classify", &path]).fails(1, &pieces);
    }
    tier(&["classify", &fixture("tiny.csv"), "--amount", "Betrag"])
        .fails(1, &["--amount `Betrag`", "`customer_id`"]);
    tier(&["classify", d.to_str().unwrap()]).fails(1, &["directory"]);
}

#[test]
fn parquet_column_of_the_wrong_type() {
    let dir = temp_dir();
    let pq = dir.path().join("t.parquet").display().to_string();
    tier(&["classify", &fixture("tiny.csv"), "-o", &pq]).ok();
    tier(&[
        "classify",
        &pq,
        "--customer",
        "customer",
        "--date",
        "first_purchase",
        "--amount",
        "last_purchase",
    ])
    .fails(1, &["column `last_purchase` has type date", "amount"]);
    tier(&[
        "classify",
        &pq,
        "--customer",
        "customer",
        "--date",
        "rank",
        "--amount",
        "value",
    ])
    .fails(1, &["row 1, column `rank`", "cannot read `1` as a date"]);
}

#[test]
fn headers_in_the_languages_of_real_exports() {
    let cases: [(&str, &str, [&str; 3]); 7] = [
        ("de", "Kundennummer;Bestelldatum;Menge;Einzelpreis\nK1;05.01.2024;2;10,50\nK2;06.01.2024;1;3,00\n", ["Kundennummer", "Bestelldatum", "Einzelpreis"]),
        ("fr", "Numéro client;Date de commande;Montant HT\nC1;05/01/2024;12,50\nC2;13/01/2024;3,00\n", ["Numéro client", "Date de commande", "Montant HT"]),
        ("es", "ID Cliente,Fecha de pedido,Importe total\nC1,2024-01-05,12.50\nC2,2024-01-06,3.00\n", ["ID Cliente", "Fecha de pedido", "Importe total"]),
        ("it", "Codice cliente;Data fattura;Importo\nC1;05/01/2024;12,50\nC2;13/01/2024;3,00\n", ["Codice cliente", "Data fattura", "Importo"]),
        ("nl", "Klantnummer;Factuurdatum;Bedrag\nC1;05-01-2024;12,50\nC2;13-01-2024;3,00\n", ["Klantnummer", "Factuurdatum", "Bedrag"]),
        ("pt", "Código do cliente;Data do pedido;Valor total\nC1;05/01/2024;12,50\nC2;13/01/2024;3,00\n", ["Código do cliente", "Data do pedido", "Valor total"]),
        ("zh", "客户编号,订单日期,金额\nC1,2024-01-05,12.50\nC2,2024-01-06,3.00\n", ["客户编号", "订单日期", "金额"]),
    ];
    for (lang, data, [customer, date, amount]) in cases {
        let run = tier_in(&["classify", "-", "--explain"], Some(data.as_bytes()));
        run.ok();
        for (role, col) in [("customer", customer), ("date", date), ("amount", amount)] {
            assert!(
                run.stderr.contains(&format!("{role}: `{col}`"))
                    || run.stderr.contains(&format!("price: `{col}`")),
                "{lang}: {role} should be `{col}`: {}",
                run.stderr
            );
        }
    }
}

#[test]
fn a_header_written_twice_is_never_picked_silently() {
    let dir = temp_dir();
    let f = write(
        dir.path(),
        "twice.csv",
        b"customer,customer,date,amount\nA,B,2024-01-01,10\n",
    );
    for extra in [&[][..], &["--customer", "customer"][..]] {
        let mut args = vec!["classify", f.as_str()];
        args.extend_from_slice(extra);
        tier(&args).fails(1, &["(column 1)", "(column 2)", "rename"]);
    }
}

#[test]
fn rows_without_a_customer_are_counted_whatever_their_amount_holds() {
    let dir = temp_dir();
    let f = write(
        dir.path(),
        "subtotals.csv",
        b"customer,date,amount\nA,2024-01-01,10\nB,2024-01-02,-5\nB,2024-01-03,\n,2024-01-04,Subtotal 5\nC,2024-01-05,7\n",
    );
    let run = tier(&["classify", &f, "--explain", "--returns", "exclude"]);
    run.ok();
    for line in [
        "rows read: 5",
        "dropped: 1 without a customer id",
        "dropped: 1 negative lines (--returns exclude)",
        "1 rows with an empty amount counted as 0",
    ] {
        assert!(run.stderr.contains(line), "{line}: {}", run.stderr);
    }
}

#[test]
fn every_way_of_writing_one_export_gives_one_answer() {
    // The sample export as CSV writers put it: every field quoted, CRLF line ends, a BOM, an
    // unused note column with delimiters and doubled quotes, blank lines (all read directly),
    // and what the direct reader leaves to the other readers: a quoted line break in the note,
    // a footer line.
    let text = std::fs::read_to_string(repo_file("sample-data/sales.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let quoted = |l: &str| {
        l.split(',')
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(",")
    };
    let noted = |note: &str| {
        let mut out = format!("{header},note\n");
        for (i, r) in rows.iter().enumerate() {
            let n = if i == 7 { note } else { "\"a, \"\"b\"\"; c\"" };
            out.push_str(&format!("{r},{n}\n"));
            if i % 50 == 0 {
                out.push('\n');
            }
        }
        out
    };
    let variants: Vec<(&str, String)> = vec![
        (
            "quoted, CRLF, BOM",
            format!(
                "\u{feff}{}\r\n{}\r\n",
                quoted(header),
                rows.iter()
                    .map(|r| quoted(r))
                    .collect::<Vec<_>>()
                    .join("\r\n")
            ),
        ),
        ("a note column, blank lines", noted("plain")),
        ("a quoted line break", noted("\"two\nlines\"")),
        ("a footer", format!("{text}Grand Total\n")),
    ];
    let dir = temp_dir();
    let sample = repo_file("sample-data/sales.csv");
    for cmd in [&["classify"][..], &["rfm"], &["clv"], &["churn", "--rates"]] {
        let run = |input: &str| {
            let mut args: Vec<&str> = cmd.to_vec();
            args.extend([input, "--as-of", "2025-12-31"]);
            tier(&args).ok().to_string()
        };
        let want = run(&sample);
        for (i, (what, content)) in variants.iter().enumerate() {
            let f = write(dir.path(), &format!("v{i}.csv"), content.as_bytes());
            assert_eq!(run(&f), want, "{cmd:?}: {what}");
        }
    }
}

#[test]
fn a_header_longer_than_the_first_read_is_read_whole() {
    // 12,000 columns, `Customer ID` last, past the first 64 KiB: with the header cut there,
    // detection would pick `Customer Name` and merge two customers of one name.
    let dir = temp_dir();
    let mut header: Vec<String> = (0..12_000).map(|i| format!("extra_{i}")).collect();
    header.splice(
        0..0,
        [
            "Customer Name".to_string(),
            "Order Date".into(),
            "Sales".into(),
        ],
    );
    header.push("Customer ID".into());
    let blanks = ",".repeat(12_000);
    let mut csv = header.join(",") + "\n";
    for (name, id, amount) in [("Ann", "C1", 10), ("Ann", "C2", 20), ("Bob", "C3", 5)] {
        csv.push_str(&format!("{name},2024-01-05,{amount}{blanks},{id}\n"));
    }
    let data = write(dir.path(), "wide.csv", csv.as_bytes());
    let out = tier(&["classify", &data, "--format", "csv"]);
    assert_eq!(csv_column(out.ok(), "customer"), ["C2", "C1", "C3"]);
}

#[test]
fn a_cell_longer_than_a_read_block_is_read_as_one() {
    // A 9 MB note (more than two of the direct reader's blocks) in a column tier does not use.
    let dir = temp_dir();
    let mut csv = String::from("customer_id,date,amount,note\nA,2024-01-05,10,x\n");
    csv.push_str(&format!("B,2024-01-06,20,{}\n", "y".repeat(9 << 20)));
    csv.push_str("A,2024-01-07,5,\"quoted, short\"\nC,2024-01-08,1,z\n");
    let data = write(dir.path(), "long.csv", csv.as_bytes());
    let out = tier(&["classify", &data, "--format", "csv"]);
    let text = out.ok();
    assert_eq!(csv_column(text, "customer"), ["B", "A", "C"]);
    assert_eq!(csv_column(text, "value"), ["20.00", "15.00", "1.00"]);
}

#[test]
fn blank_rows_are_empty_rows_not_dropped_ones() {
    // A spreadsheet saves blank rows as `,,,`: they are skipped as empty, never counted as rows
    // without a customer, so they cannot trip --max-dropped.
    let dir = temp_dir();
    let mut csv =
        String::from("customer_id,date,amount,note\nA,2024-01-05,10,x\nB,2024-01-06,5,\n");
    csv.push_str(&",,,\n".repeat(50));
    csv.push_str(" , ,,\n\n");
    let data = write(dir.path(), "blank.csv", csv.as_bytes());
    let out = tier(&[
        "classify",
        &data,
        "--max-dropped",
        "0",
        "--explain",
        "--format",
        "csv",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("rows read: 2"), "{}", out.stderr);
    assert!(
        out.stderr.contains("dropped: 0 without a customer id"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("skipped: 5"), "{}", out.stderr);
    // The share is printed with the digits the comparison needs: 1 of 788 rows is 0.127%.
    let mut csv = String::from("customer_id,date,amount\n");
    for i in 0..787 {
        csv.push_str(&format!("C{i},2024-01-05,1\n"));
    }
    csv.push_str(",2024-01-05,1\n");
    let data = write(dir.path(), "one.csv", csv.as_bytes());
    tier(&["classify", &data, "--max-dropped", "0.1"]).fails(
        1,
        &[
            "0.13% of the rows (1 of 788)",
            "more than --max-dropped 0.1%",
        ],
    );
}

#[test]
fn headers_of_bi_erp_and_shop_samples_need_no_flags() {
    // Headers as the sample data of Tableau (French, Spanish), Power BI, Odoo and a household
    // panel give them.
    let dir = temp_dir();
    for header in [
        "ID client,Date de commande,Ventes,Quantité",
        "ID del cliente,Fecha del pedido,Ventas,Cantidad",
        "CustomerKey,OrderDate,SalesAmount,OrderQuantity",
        "partner_id,date_order,price_subtotal,product_uom_qty",
        "household_key,transaction_timestamp,sales_value,quantity",
        "Nº de cliente,Fecha de compra,Importe de venta,Cantidad",
        "Customer Account,Invoice Date,Line Amount,Qty",
    ] {
        let body = format!("{header}\nA,2024-01-05,10,1\nB,2024-01-06,5,2\nA,2024-02-05,7,1\n");
        let data = write(dir.path(), "h.csv", body.as_bytes());
        let out = tier(&["classify", &data, "--format", "csv"]);
        assert_eq!(csv_column(out.ok(), "value"), ["17.00", "5.00"], "{header}");
    }
}

#[test]
fn every_missing_column_is_named_in_one_error_with_its_closest_headers() {
    let dir = temp_dir();
    let data = write(
        dir.path(),
        "odd.csv",
        b"Household Ref,Buchungszeit Datum,Umsatz Wert,Note\nA,2024-01-05,10,x\n",
    );
    tier(&["classify", &data]).fails(
        1,
        &[
            "no customer column (closest: `Household Ref`)",
            "no date column (closest: `Buchungszeit Datum`)",
            "no amount column, nor a quantity and a unit price (closest: `Umsatz Wert`)",
            "pass --customer COLUMN --date COLUMN --amount COLUMN",
        ],
    );
}

#[test]
fn workbooks_and_compressed_files_are_read_as_they_arrive() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = temp_dir();
    let path = dir.path().join("orders.xlsx");
    let mut book = Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("Notes").unwrap();
    notes.write_string(0, 0, "read me").unwrap();
    let ws = book.add_worksheet();
    ws.set_name("Sales").unwrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (c, h) in ["Customer ID", "Order Date", "Sales"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let rows = [
        ("A", (2024, 1, 5), 10.5),
        ("B", (2024, 2, 3), 5.0),
        ("A", (2024, 3, 9), 7.25),
    ];
    for (r, (id, (y, m, d), v)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, *id).unwrap();
        let when = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
        ws.write_datetime_with_format(r, 1, &when, &date).unwrap();
        ws.write_number(r, 2, *v).unwrap();
    }
    // Blank rows a spreadsheet keeps at the end.
    ws.write_string(10, 0, "").unwrap();
    book.save(&path).unwrap();
    let p = path.to_str().unwrap();
    let out = tier(&["classify", p, "--sheet", "Sales", "--format", "csv"]);
    assert_eq!(csv_column(out.ok(), "value"), ["17.75", "5.00"]);
    assert_eq!(
        csv_column(&out.stdout, "last_purchase"),
        ["2024-03-09", "2024-02-03"]
    );
    tier(&["classify", p, "--sheet", "Nope"]).fails(2, &["no sheet `Nope`", "`Notes`, `Sales`"]);
    // The first sheet by default: here one without the columns, named in the error.
    tier(&["classify", p]).fails(1, &["orders.xlsx [sheet Notes]"]);
    // The workbook through stdin, and a gzip-compressed CSV as a file and through stdin.
    let bytes = std::fs::read(&path).unwrap();
    let piped = tier_in(
        &["classify", "-", "--sheet", "Sales", "--format", "csv"],
        Some(&bytes),
    );
    assert_eq!(csv_column(piped.ok(), "value"), ["17.75", "5.00"]);
    let csv = b"customer_id,date,amount\nA,2024-01-05,10\nB,2024-01-06,5\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, csv).unwrap();
    let gz = gz.finish().unwrap();
    let f = write(dir.path(), "o.csv.gz", &gz);
    assert_eq!(
        csv_column(tier(&["classify", &f, "--format", "csv"]).ok(), "value"),
        ["10.00", "5.00"]
    );
    let piped = tier_in(&["classify", "-", "--format", "csv"], Some(&gz));
    assert_eq!(csv_column(piped.ok(), "value"), ["10.00", "5.00"]);
    let zst = zstd::encode_all(&csv[..], 1).unwrap();
    let f = write(dir.path(), "o.csv.zst", &zst);
    assert_eq!(
        csv_column(tier(&["classify", &f, "--format", "csv"]).ok(), "value"),
        ["10.00", "5.00"]
    );
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    std::io::Write::write_all(&mut bz, csv).unwrap();
    let f = write(dir.path(), "o.csv.bz2", &bz.finish().unwrap());
    assert_eq!(
        csv_column(tier(&["classify", &f, "--format", "csv"]).ok(), "value"),
        ["10.00", "5.00"]
    );
    let mut xz = Vec::new();
    lzma_rs::xz_compress(&mut &csv[..], &mut xz).unwrap();
    let f = write(dir.path(), "o.csv.xz", &xz);
    assert_eq!(
        csv_column(tier(&["classify", &f, "--format", "csv"]).ok(), "value"),
        ["10.00", "5.00"]
    );
    let cut = write(dir.path(), "cut.csv.gz", &gz[..gz.len() / 2]);
    tier(&["classify", &cut]).fails(1, &["cannot decompress", "cut short"]);
}

#[test]
fn a_two_digit_year_is_named_as_the_problem() {
    let dir = temp_dir();
    let data = write(
        dir.path(),
        "y.csv",
        b"customer_id,date,amount\nA,02/04/22,1\n",
    );
    tier(&["classify", &data]).fails(1, &["its year has two digits", "--date-format %d/%m/%y"]);
}

#[test]
fn explain_says_a_parquet_number_column_is_stored_as_numbers() {
    let f = fixture("floats.parquet");
    let out = tier(&["classify", &f, "--explain", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("stored as numbers"), "{}", out.stderr);
    assert!(!out.stderr.contains("decimal point"), "{}", out.stderr);
}

#[test]
fn explain_says_when_text_was_read_as_windows_1252() {
    let dir = temp_dir();
    let data = write(
        dir.path(),
        "w.csv",
        b"customer_id,date,amount\nO\x92Brien,2024-01-05,10\nB,2024-01-06,5\n",
    );
    let out = tier(&["classify", &data, "--explain", "--format", "csv"]);
    assert!(out.ok().contains("O\u{2019}Brien"), "{}", out.stdout);
    assert!(
        out.stderr
            .contains("is not UTF-8: its text was read as Windows-1252"),
        "{}",
        out.stderr
    );
    let utf8 = write(
        dir.path(),
        "u.csv",
        "customer_id,date,amount\nO’Brien,2024-01-05,10\n".as_bytes(),
    );
    let out = tier(&["classify", &utf8, "--explain", "--format", "csv"]);
    assert!(!out.stderr.contains("Windows-1252"), "{}", out.stderr);
}
