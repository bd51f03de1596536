//! `tier.toml`: discovery, precedence (flags > file > defaults) and errors naming key and file.

use super::*;

const GERMAN: &[u8] =
    b"Kunde;Datum;Betrag\nA;01.02.2024;10,00\nB;02.02.2024;30,00\nC;03.02.2024;60,00\n";

#[test]
fn the_working_directory_file_maps_columns_and_cut_offs() {
    let dir = temp_dir();
    let data = write(dir.path(), "de.csv", GERMAN);
    write(dir.path(), "tier.toml", b"[columns]\ncustomer = \"Kunde\"\ndate = \"Datum\"\namount = \"Betrag\"\n[classify]\nabc = \"50,90\"\n");
    let out = tier_at(dir.path(), &["classify", &data], None)
        .ok()
        .to_string();
    // C 60, B 30, A 10: before B is 60% (≥ 50 → B), before A 90% (≥ 90 → C)
    assert_eq!(csv_column(&out, "customer"), ["C", "B", "A"]);
    assert_eq!(csv_column(&out, "abc"), ["A", "B", "C"]);
    let flag = tier_at(dir.path(), &["classify", &data, "--abc", "80,95"], None)
        .ok()
        .to_string();
    assert_eq!(
        csv_column(&flag, "abc"),
        ["A", "A", "B"],
        "the flag wins over the file"
    );
    // Without the file, the German headers are detected and the default cut-offs apply.
    let plain = tier_at(dir.path(), &["classify", &data, "--no-config"], None);
    assert_eq!(csv_column(plain.ok(), "abc"), ["A", "A", "B"]);
}

#[test]
fn an_explicit_file_with_a_segment_map_for_three_bins() {
    let dir = temp_dir();
    let cfg = write(
        dir.path(),
        "three.toml",
        b"[rfm]\nbins = 3\n[[rfm.segments]]\nname = \"Active\"\nr = \"2-3\"\n[[rfm.segments]]\nname = \"Fading\"\nr = 1\n",
    );
    let out = tier(&["rfm", &fixture("tiny.csv"), "--config", &cfg])
        .ok()
        .to_string();
    let segments = csv_column(&out, "segment");
    assert!(
        segments.iter().all(|s| s == "Active" || s == "Fading"),
        "{segments:?}"
    );
    let map = tier(&["rfm", "--show-map", "--config", &cfg])
        .ok()
        .to_string();
    assert_eq!(map, "segment,r,f,m\nActive,2-3,1-3,1-3\nFading,1,1-3,1-3\n");
}

#[test]
fn bad_files_name_the_key_and_the_file() {
    let dir = temp_dir();
    let t = fixture("tiny.csv");
    let unknown = write(
        dir.path(),
        "unknown.toml",
        b"[classify]\ncutoffs = \"80,95\"\n",
    );
    tier(&["classify", &t, "--config", &unknown]).fails(2, &["unknown.toml", "cutoffs"]);
    let wrong = write(dir.path(), "wrong.toml", b"[rfm]\nbins = \"five\"\n");
    tier(&["rfm", &t, "--config", &wrong]).fails(2, &["wrong.toml", "bins"]);
    let abc = write(dir.path(), "abc.toml", b"[classify]\nabc = \"95,80\"\n");
    tier(&["classify", &t, "--config", &abc]).fails(2, &["abc.toml", "classify.abc", "increasing"]);
    let gap = write(
        dir.path(),
        "gap.toml",
        b"[[rfm.segments]]\nname = \"Top\"\nr = \"4-5\"\n",
    );
    tier(&["rfm", &t, "--config", &gap]).fails(2, &["gap.toml", "75 codes have no segment: 111"]);
    let unknown_name = write(
        dir.path(),
        "seg.toml",
        b"[[rfm.segments]]\nname = \"All\"\nq = 1\n",
    );
    tier(&["rfm", &t, "--config", &unknown_name]).fails(2, &["seg.toml", "`q`"]);
    tier(&["classify", &t, "--config", "/nonexistent/tier.toml"])
        .fails(2, &["cannot read the config file"]);
}

#[test]
fn max_dropped_in_tier_toml_is_a_percentage() {
    let dir = temp_dir();
    write(dir.path(), "tier.toml", b"[input]\nmax_dropped = 150\n");
    let data = repo_file("sample-data/sales.csv");
    let run = tier_at(dir.path(), &["classify", &data], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("`input.max_dropped`: 150"),
        "{}",
        run.stderr
    );
}
