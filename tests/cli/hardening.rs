//! Hostile runs and inputs: a closed stderr, unbounded flags, what `-o` does to links, FIFOs,
//! devices and modes, signals during a run, escape sequences in cells, exit codes and one-line
//! errors, order numbering, outlying dates, overlapping inputs, and a model without drop-out.

use super::*;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::time::{Duration, Instant};

/// Runs tier with stderr connected to a pipe whose reading end is already closed.
fn with_closed_stderr(args: &[&str]) -> (i32, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_tier"))
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(writer)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn a_closed_stderr_never_crashes_and_exit_codes_hold() {
    let t = fixture("tiny.csv");
    let (code, stdout) = with_closed_stderr(&["classify", &t, "--explain"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("customer,"));
    assert_eq!(with_closed_stderr(&["classify", "missing.csv"]).0, 1);
    assert_eq!(with_closed_stderr(&["classify", &t, "--abc", "95,80"]).0, 2);
    assert_eq!(with_closed_stderr(&["classify", "--no-such-flag"]).0, 2);
}

#[test]
fn numeric_flags_have_sane_ranges() {
    let s = repo_file("sample-data/cdnow/cdnow_sample.csv");
    for bad in [
        vec!["--horizon", "1e12"],
        vec!["--horizon", "0"],
        vec!["--horizon", "NaN"],
        vec!["--horizon", "5300", "--unit", "week"],
        vec!["--discount-rate", "-0.5"],
        vec!["--discount-rate", "inf"],
        vec!["--margin", "NaN"],
    ] {
        let mut args = vec!["clv", s.as_str()];
        args.extend(bad.iter().copied());
        tier(&args).fails(2, &[bad[0]]);
    }
    for bins in ["nan,30,90,180", "10,inf,90,180", "1,2,3"] {
        tier(&["rfm", &s, "--recency-bins", bins]).fails(2, &["recency-bins"]);
    }
    // The longest horizon, discounted by the day, still finishes (bounded steps per history).
    let run = tier(&[
        "clv",
        &s,
        "--unit",
        "day",
        "--horizon",
        "36525",
        "--discount-rate",
        "0.1",
        "--summary",
        "--format",
        "json",
    ]);
    run.ok();
}

#[test]
fn saved_models_with_impossible_parameters_are_refused() {
    let dir = temp_dir();
    let s = repo_file("sample-data/cdnow/cdnow_sample.csv");
    let model = dir.path().join("m.json");
    let m = model.display().to_string();
    tier(&["clv", &s, "--save-model", &m, "--summary"]).ok();
    let text = std::fs::read_to_string(&model).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["bgnbd"]["r"] = serde_json::json!(-1.0);
    std::fs::write(&model, v.to_string()).unwrap();
    tier(&["clv", &s, "--load-model", &m]).fails(1, &["m.json", "bgnbd.r", "-1"]);
}

#[test]
fn output_follows_links_and_keeps_fifos_devices_and_modes() {
    let dir = temp_dir();
    let t = fixture("tiny.csv");
    let target = dir.path().join("real.csv");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink("real.csv", &link).unwrap();
    tier(&["classify", &t, "-o", &link.display().to_string()]).ok();
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .starts_with("customer,"));
    // A dangling link creates its target.
    let dangling = dir.path().join("dangling.csv");
    std::os::unix::fs::symlink("made.csv", &dangling).unwrap();
    tier(&["classify", &t, "-o", &dangling.display().to_string()]).ok();
    assert!(dir.path().join("made.csv").is_file());

    // /dev/null stays a device.
    tier(&["classify", &t, "-o", "/dev/null", "--format", "csv"]).ok();
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());

    // A FIFO is written into, not replaced.
    let fifo = dir.path().join("fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    tier(&[
        "classify",
        &t,
        "-o",
        &fifo.display().to_string(),
        "--format",
        "csv",
    ])
    .ok();
    assert!(reader.join().unwrap().starts_with("customer,"));
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());

    // Modes: the umask for new files, the old mode for replaced ones.
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let new = dir.path().join("new.csv");
    let sh = format!(
        "umask 022 && exec '{}' classify '{t}' -o '{}'",
        env!("CARGO_BIN_EXE_tier"),
        new.display()
    );
    assert!(Command::new("sh")
        .args(["-c", &sh])
        .status()
        .unwrap()
        .success());
    assert_eq!(mode(&new), 0o644);
    std::fs::set_permissions(&new, std::fs::Permissions::from_mode(0o640)).unwrap();
    tier(&["classify", &t, "-o", &new.display().to_string()]).ok();
    assert_eq!(mode(&new), 0o640);
    // A directory is refused.
    tier(&[
        "classify",
        &t,
        "-o",
        &dir.path().display().to_string(),
        "--format",
        "csv",
    ])
    .fails(1, &["is a directory"]);
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tier-"))
        .collect()
}

#[test]
fn signals_leave_no_temporary_file_and_the_target_whole() {
    for signal in ["TERM", "INT", "HUP"] {
        let dir = temp_dir();
        let out = dir.path().join("out.csv");
        std::fs::write(&out, "previous report\n").unwrap();
        // stdin stays open, so tier waits for data while its output file is prepared.
        let mut child = Command::new(env!("CARGO_BIN_EXE_tier"))
            .args(["classify", "-", "-o", &out.display().to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while temp_files(dir.path()).is_empty() && start.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(temp_files(dir.path()).len(), 1, "the output is prepared");
        let pid = child.id().to_string();
        assert!(Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap()
            .success());
        let status = child.wait().unwrap();
        assert!(!status.success(), "SIG{signal} ends the run");
        assert_eq!(temp_files(dir.path()), Vec::<String>::new(), "SIG{signal}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous report\n");
    }
}

#[test]
fn escape_sequences_in_cells_do_not_reach_the_terminal() {
    let data = b"customer_id,order_date,amount\n\x1b]0;pwned\x07,2024-01-05,10\n=HYPERLINK(1),2024-01-06,5\n";
    let table = tier_in(&["classify", "-", "--format", "table"], Some(data));
    let text = table.ok();
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text}"
    );
    assert!(text.contains("\\x1b]0;pwned\\x07"), "{text}");
    // CSV keeps the data as it is, unless spreadsheet-safe text is asked for.
    let csv = tier_in(&["classify", "-", "--format", "csv"], Some(data));
    assert!(csv.ok().contains("\n=HYPERLINK(1),"));
    let safe = tier_in(
        &["classify", "-", "--format", "csv", "--spreadsheet-safe"],
        Some(data),
    );
    assert!(safe.ok().contains("\n'=HYPERLINK(1),"));
    assert!(!safe.stdout.contains(",'"), "numbers are left alone");
    // A bad cell quoted in an error is escaped too.
    let bad = b"customer_id,order_date,amount\nC1,2024-01-05,\x1b[2J12\n";
    let err = tier_in(&["classify", "-"], Some(bad));
    let msg = err.fails(1, &["line 2"]);
    assert!(!msg.contains('\u{1b}'), "{msg}");
}

#[test]
fn usage_mistakes_exit_2_and_every_error_is_one_line() {
    let t = fixture("tiny.csv");
    tier_in(&["classify", "-", "-"], Some(b"")).fails(2, &["stdin"]);
    for f in ["%Q", "%H:%M", "%Y-%m"] {
        tier(&["classify", &t, "--date-format", f]).fails(2, &["--date-format"]);
    }
    let dir = temp_dir();
    let bad = write(
        dir.path(),
        "bad.csv",
        b"customer_id,order_date,amount\nC1,2024-13-45,5\n",
    );
    for run in [
        tier(&["classify", &t, "--abc", "80,NaN"]),
        tier(&["clv", &t, "--bogus"]),
    ] {
        assert_eq!(run.code, 2, "{run:#?}");
        assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");
        assert!(run.stderr.starts_with("tier: error: "));
    }
    for run in [
        tier(&["classify", &bad]),
        tier(&["classify", "nope.csv"]),
        tier(&["classify", &t, "-o", "/nonexistent/dir/out.csv"]),
    ] {
        assert_eq!(run.code, 1, "{run:#?}");
        assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");
        assert!(run.stderr.starts_with("tier: error: "));
    }
}

#[test]
fn purchases_do_not_depend_on_how_orders_are_numbered() {
    // Blank order ids, and invoice numbers that restart each year.
    let data = b"invoice,customer_id,order_date,amount\n\
        ,A,2024-01-10,10\n,A,2024-02-10,10\n,A,2024-03-10,10\n\
        1,B,2023-03-10,50\n1,B,2024-03-10,50\n";
    let out = tier_in(&["classify", "-", "--format", "csv"], Some(data));
    let rows = csv_rows(out.ok());
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let a = rows.iter().find(|r| r[0] == "A").unwrap();
    let b = rows.iter().find(|r| r[0] == "B").unwrap();
    assert_eq!(a[col("purchases")], "3");
    assert_eq!(a[col("last_purchase")], "2024-03-10");
    assert_eq!(b[col("purchases")], "2");
    assert_eq!(b[col("last_purchase")], "2024-03-10");
    let rfm = tier_in(&["rfm", "-", "--format", "csv"], Some(data));
    let rows = csv_rows(rfm.ok());
    let b = rows.iter().find(|r| r[0] == "B").unwrap();
    assert_eq!(
        b[1], "0",
        "recency of a customer who bought on the as-of date"
    );
}

#[test]
fn one_purchase_definition_in_every_command() {
    // Day 1: bought and fully cancelled. Day 2: a return larger than the purchase. Day 3: a
    // zero-priced item. Days 4 and 5: purchases.
    let data = b"customer_id,order_date,amount\n\
        A,2024-01-01,30\nA,2024-01-01,-30\nA,2024-01-02,10\nA,2024-01-02,-40\n\
        A,2024-01-03,0\nA,2024-01-04,20\nA,2024-01-05,20\nB,2024-01-01,5\nB,2024-01-05,5\n";
    let classify = csv_rows(tier_in(&["classify", "-", "--format", "csv"], Some(data)).ok());
    let a = classify.iter().find(|r| r[0] == "A").unwrap();
    let p = classify[0].iter().position(|h| h == "purchases").unwrap();
    assert_eq!(a[p], "3");
    let rfm = csv_rows(tier_in(&["rfm", "-", "--format", "csv"], Some(data)).ok());
    let a = rfm.iter().find(|r| r[0] == "A").unwrap();
    assert_eq!(a[2], "3", "rfm frequency");
    let clv = csv_rows(tier_in(&["clv", "-", "--format", "csv", "-q"], Some(data)).ok());
    let a = clv.iter().find(|r| r[0] == "A").unwrap();
    assert_eq!(a[1], "2", "clv frequency = purchases − 1");
}

#[test]
fn an_outlying_latest_date_is_refused_and_as_of_overrides_it() {
    let sales = std::fs::read_to_string(repo_file("sample-data/sales.csv")).unwrap();
    let mut lines: Vec<String> = sales.lines().map(str::to_string).collect();
    for (bad, at) in [("2204-01-05", 10), ("9999-12-31", 20)] {
        let fields: Vec<&str> = lines[at].split(',').collect();
        let mut f: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
        f[1] = bad.to_string();
        lines[at] = f.join(",");
    }
    let data = lines.join("\n") + "\n";
    for cmd in ["classify", "rfm", "clv"] {
        tier_in(&[cmd, "-"], Some(data.as_bytes())).fails(1, &["2025-12-31", "--as-of"]);
    }
    let ok = tier_in(
        &["clv", "-", "--as-of", "2025-12-31", "-q"],
        Some(data.as_bytes()),
    );
    assert!(!ok.ok().contains("NaN"));
    let rfm = tier_in(
        &["rfm", "-", "--as-of", "2025-12-31"],
        Some(data.as_bytes()),
    );
    assert!(rfm.ok().lines().count() > 100);
}

#[test]
fn the_same_sales_in_two_inputs_are_refused() {
    let t = fixture("tiny.csv");
    let dir = temp_dir();
    let copy = write(dir.path(), "copy.csv", &std::fs::read(&t).unwrap());
    tier(&["classify", &t, &copy]).fails(1, &["tiny.csv", "copy.csv", "--allow-overlap"]);
    let jan = write(
        dir.path(),
        "jan.csv",
        b"order_id,order_date,customer_id,amount\n1,2024-01-05,C1,5\n2,2024-01-31,C2,7\n",
    );
    let feb = write(
        dir.path(),
        "feb.csv",
        b"order_id,order_date,customer_id,amount\n2,2024-01-31,C2,7\n3,2024-02-02,C1,9\n",
    );
    tier(&["classify", &jan, &feb]).fails(1, &["jan.csv", "feb.csv", "2024-01-31"]);
    let out = tier(&["classify", &jan, &feb, "--allow-overlap"]);
    assert!(out.ok().contains("C2,14"));
    // Adjacent months, a day split between them with different sales: fine.
    let feb2 = write(
        dir.path(),
        "feb2.csv",
        b"order_id,order_date,customer_id,amount\n4,2024-01-31,C3,7\n3,2024-02-02,C1,9\n",
    );
    tier(&["classify", &jan, &feb2]).ok();
}

#[test]
fn a_model_without_drop_out_says_so() {
    // Everyone buys every week for a year and nobody leaves: drop-out cannot be estimated.
    let mut data = String::from("customer_id,order_date,amount\n");
    for c in 0..200 {
        let start = c % 60;
        for d in (start..364).step_by(7 + (c % 3)) {
            let date = day_of_2024(d);
            data.push_str(&format!("C{c},{date},{}\n", 10 + c % 7));
        }
    }
    let dir = temp_dir();
    let model = dir.path().join("m.json");
    let run = tier_in(
        &[
            "clv",
            "-",
            "--summary",
            "--format",
            "json",
            "--save-model",
            &model.display().to_string(),
        ],
        Some(data.as_bytes()),
    );
    let v: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    let why = v["model"]["degenerate"].as_str().unwrap_or("");
    assert!(why.contains("drop-out"), "{v:#}");
    assert!(run.stderr.contains("degenerate"), "{}", run.stderr);
    let saved = std::fs::read_to_string(&model).unwrap();
    assert!(saved.contains("\"degenerate\""));
}

#[test]
fn small_things_a_newcomer_meets() {
    // Every command's version says tier's name.
    for cmd in ["classify", "report", "churn"] {
        assert_eq!(
            tier(&[cmd, "-V"]).ok(),
            format!("tier {}\n", env!("CARGO_PKG_VERSION"))
        );
    }
    // The profile's --id has its own heading.
    let help = tier(&["profile", "--help"]);
    assert!(
        help.ok().contains("Profile:\n      --id <CUSTOMER>"),
        "{}",
        help.stdout
    );
    // Relative as-of dates for cron lines, resolved by the clock.
    let t = fixture("tiny.csv");
    for word in ["today", "yesterday", "end-of-last-month"] {
        tier(&["classify", &t, "--as-of", word]).ok();
    }
    tier(&["classify", &t, "--as-of", "tomorrow"]).fails(2, &["tomorrow"]);
    // The licence Cargo.toml names is there, and the minimum Rust version is declared.
    assert!(std::path::Path::new(&repo_file("LICENSE")).is_file());
    let manifest = std::fs::read_to_string(repo_file("Cargo.toml")).unwrap();
    assert!(manifest.contains("license = \"MIT\"") && manifest.contains("rust-version"));
}

#[test]
fn settings_and_dropped_rows_are_visible() {
    let t = fixture("tiny.csv");
    // One row of seven has no customer id.
    tier(&["classify", &t, "--max-dropped", "5%"])
        .fails(1, &["14.3% of the rows (1 of 7)", "--max-dropped"]);
    tier(&["classify", &t, "--max-dropped", "20"]).ok();
    tier(&["classify", &t, "--max-dropped", "120%"]).fails(2, &["percentage"]);
    let dir = temp_dir();
    write(
        dir.path(),
        "tier.toml",
        b"[classify]\nabc = \"50,90\"\n[input]\nmax_dropped = 1\n",
    );
    let run = tier_at(
        dir.path(),
        &["classify", &t, "--explain", "--max-dropped", "50"],
        None,
    );
    run.ok();
    assert!(
        run.stderr
            .starts_with("tier: settings: `tier.toml` sets classify.abc, input.max_dropped\n"),
        "{}",
        run.stderr
    );
    tier_at(dir.path(), &["classify", &t], None).fails(1, &["more than --max-dropped 1%"]);
}

#[test]
fn one_time_buyers_point_at_the_modified_model() {
    let s = repo_file("sample-data/cdnow/cdnow_sample.csv");
    let bg = tier(&["clv", &s]);
    assert!(
        !bg.ok().is_empty() && bg.stderr.contains("--model mbgnbd lets them drop out"),
        "{}",
        bg.stderr
    );
    let mbg = tier(&["clv", &s, "--model", "mbgnbd"]);
    assert!(
        !mbg.ok().is_empty() && !mbg.stderr.contains("--model mbgnbd"),
        "{}",
        mbg.stderr
    );
}

/// Runs tier in a pseudo-terminal of `cols` × `rows` (util-linux `script`), returning what the
/// terminal shows.
fn on_terminal(args: &str, cols: u16, rows: u16) -> String {
    let cmd = format!(
        "stty cols {cols} rows {rows}; '{}' {args}",
        env!("CARGO_BIN_EXE_tier")
    );
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .output()
        .expect("script (util-linux) runs");
    String::from_utf8_lossy(&out.stdout).replace('\r', "")
}

#[test]
fn tables_fit_a_60_column_terminal_and_say_what_is_hidden() {
    // Each command keeps its answer (the id and the columns after it) when columns must go.
    for (cmd, answer) in [
        (
            "classify sample-data/sales.csv",
            &["value", "abc", "tier"][..],
        ),
        ("rfm sample-data/sales.csv", &["segment", "rfm"]),
        ("clv sample-data/sales.csv", &["clv", "p_alive"]),
        ("churn sample-data/sales.csv", &["status", "abc"]),
        ("growth sample-data/sales.csv", &["value", "trend"]),
    ] {
        let screen = on_terminal(cmd, 60, 24);
        let header = screen
            .lines()
            .find(|l| l.starts_with("│ customer"))
            .unwrap_or_else(|| panic!("{cmd}: {screen}"));
        for column in answer {
            assert!(header.contains(&format!(" {column} ")), "{cmd}: {header}");
        }
        // Every line, notes and counts included, is broken to the width.
        for l in screen.lines() {
            assert!(
                l.chars().count() <= 60,
                "{cmd}: a line of {}: {l}",
                l.chars().count()
            );
        }
        let rows = screen.lines().filter(|l| l.starts_with("│ C")).count();
        assert_eq!(rows, 12, "{cmd}: 24 lines leave room for 12 rows: {screen}");
        assert!(screen.contains("more rows (--all"), "{cmd}: {screen}");
        assert!(screen.contains("more columns:"), "{cmd}: {screen}");
    }
    let all = on_terminal("classify sample-data/sales.csv --all -q", 200, 24);
    assert_eq!(all.lines().filter(|l| l.starts_with("│ C")).count(), 300);
    assert!(!all.contains("more rows"));
}

#[test]
fn the_top_level_help_names_every_command_with_examples() {
    let help = tier(&["--help"]);
    let text = help.ok();
    for cmd in [
        "classify",
        "rfm",
        "profile",
        "clv",
        "churn",
        "migrate",
        "growth",
        "report",
        "completions",
        "man",
    ] {
        assert!(text.contains(&format!("\n  {cmd} ")), "{cmd} in {text}");
        assert!(
            cmd == "completions" || cmd == "man" || text.contains(&format!("  tier {cmd} ")),
            "example of {cmd}"
        );
    }
    assert!(text.contains("CLV") && text.contains("Exit codes:"));
}

#[test]
fn a_large_input_shows_a_spinner_that_fits_a_narrow_terminal() {
    let dir = temp_dir();
    let mut body = String::from("customer,date,amount\n");
    let mut i = 0u64;
    while body.len() < 33 << 20 {
        body.push_str(&format!(
            "C{},2024-01-{:02},{}.50\n",
            i % 50_000,
            i % 28 + 1,
            i % 997
        ));
        i += 1;
    }
    let f = write(dir.path(), "large.csv", body.as_bytes());
    let cmd = format!(
        "stty cols 60 rows 24; '{}' classify '{f}' > /dev/null",
        env!("CARGO_BIN_EXE_tier")
    );
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .output()
        .expect("script (util-linux) runs");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("analysing 33 MB"), "{screen}");
    // Each redraw (between carriage returns), terminal escapes left out, fits 60 columns.
    for part in screen.split(['\r', '\n']) {
        let (mut visible, mut escape) = (0, false);
        for c in part.chars() {
            match c {
                '\u{1b}' => escape = true,
                c if escape => escape = !c.is_ascii_alphabetic(),
                _ => visible += 1,
            }
        }
        assert!(visible <= 60, "{part:?}");
    }
}

#[test]
fn the_output_never_replaces_an_input() {
    let dir = temp_dir();
    let body = std::fs::read(repo_file("sample-data/sales.csv")).unwrap();
    let f = write(dir.path(), "sales.csv", &body);
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&f, &link).unwrap();
    for input in [f.as_str(), link.to_str().unwrap()] {
        tier(&["classify", input, "-o", &f]).fails(2, &["both an input and the output"]);
        assert_eq!(std::fs::read(&f).unwrap(), body, "the data is intact");
    }
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 2, "no temporary file left");
}

#[test]
fn output_is_decided_by_what_the_path_is_not_where_it_is() {
    let t = fixture("tiny.csv");
    let want = tier(&["classify", &t]).ok().to_string();
    // A regular file under /dev (tmpfs /dev/shm) is replaced whole, not written over in place.
    if Path::new("/dev/shm").is_dir() {
        let shm = tempfile::tempdir_in("/dev/shm").unwrap();
        let out = shm.path().join("out.csv");
        std::fs::write(&out, "x".repeat(100_000)).unwrap();
        tier(&["classify", &t, "-o", &out.display().to_string()]).ok();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), want);
    }
    // The input reached through /proc is still the input: refused, and left as it was.
    let dir = temp_dir();
    let input = write(dir.path(), "c.csv", &std::fs::read(&t).unwrap());
    let before = std::fs::read(&input).unwrap();
    let run = tier_at(
        dir.path(),
        &["classify", "c.csv", "-o", "/proc/self/cwd/c.csv"],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("both an input and the output"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(&input).unwrap(), before);
    // Standard output named as a path goes through the descriptor the shell opened: appended
    // to with `>>`, whatever was there before.
    let log = dir.path().join("log.csv");
    std::fs::write(&log, "kept\n").unwrap();
    for target in ["/dev/stdout", "/proc/self/fd/1"] {
        let sh = format!(
            "exec '{}' classify '{t}' -o {target} --format csv >> '{}'",
            env!("CARGO_BIN_EXE_tier"),
            log.display()
        );
        assert!(Command::new("sh")
            .args(["-c", &sh])
            .status()
            .unwrap()
            .success());
    }
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        format!("kept\n{want}{want}")
    );
}
