"""Benchmarks `tier` against the tools an analyst would use instead, side by side on this machine.

    python3 scripts/bench.py [--rows 1m,10m] [--runs 5] [--skip-lifetimes] [--skip-report] [--readme]

Builds the release binary and the data generator, makes synthetic exports
(`examples/gen_bench.rs`) under target/bench/data, installs the peers (polars, duckdb, lifetimes
from PyPI) into target/bench/venv, then times each command. Runs are paired: each round runs
every command of a data size once, in turn, so that a slow moment of the machine falls on all of
them alike; a command's figure is the median wall time of its rounds and the largest peak
resident memory (`/usr/bin/time`). Prints the Markdown table, then each target of the stage's
issue as a ratio with its verdict. `--rows 100m` adds the 4.2 GB export (about 5 GB of disk; one
round there). `--readme` also writes the table into README.md between its bench markers.
TIER_BIN runs another build of tier (e.g. target/ci/tier).
"""
import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
from datetime import date

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "target", "bench")
DATA = os.path.join(BENCH, "data")
VENV = os.path.join(BENCH, "venv")
PY = os.path.join(VENV, "bin", "python")
TIER = os.environ.get("TIER_BIN", os.path.join(ROOT, "target", "release", "tier"))
# How the README names the binary: TIER_BIN_LABEL (say, a copy's origin), else its path.
LABEL = os.environ.get("TIER_BIN_LABEL", os.path.relpath(TIER, ROOT))
PEERS = os.path.join(ROOT, "scripts", "bench")
SIZES = {"1m": 1_000_000, "10m": 10_000_000, "100m": 100_000_000}


def sh(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def setup(sizes):
    if "TIER_BIN" not in os.environ:
        sh(["cargo", "build", "--release", "--bin", "tier"], cwd=ROOT)
    sh(["cargo", "build", "--profile", "ci", "--example", "gen_bench"], cwd=ROOT)
    if not os.path.exists(PY):
        sh([sys.executable, "-m", "venv", VENV])
        sh([PY, "-m", "pip", "install", "-q", "polars", "duckdb", "lifetimes"])
    os.makedirs(DATA, exist_ok=True)
    gen = os.path.join(ROOT, "target", "ci", "examples", "gen_bench")
    for s in sizes:
        csv, pq = os.path.join(DATA, f"{s}.csv"), os.path.join(DATA, f"{s}.parquet")
        if not (os.path.exists(csv) and os.path.exists(pq)):
            sh([gen, str(SIZES[s]), csv, pq])


def once(cmd):
    """Wall seconds and peak RSS (MiB) of one run; output goes to /dev/null."""
    r = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M"] + cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if r.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{r.stderr}")
    wall, kb = r.stderr.strip().splitlines()[-1].split()
    return float(wall), int(kb) / 1024


def cases(size, lifetimes, report):
    csv, pq = os.path.join(DATA, f"{size}.csv"), os.path.join(DATA, f"{size}.parquet")
    peer = lambda name, *a: [PY, os.path.join(PEERS, name), *a]
    out = []
    for kind, f in (("CSV", csv), ("Parquet", pq)):
        data = f"{size} {kind}"
        out += [
            (data, "classify", [TIER, "classify", f]),
            (data, "polars ABC", peer("peer_polars.py", "abc", f)),
            (data, "duckdb ABC", peer("peer_duckdb.py", "abc", f)),
            (data, "polars same columns", peer("peer_polars.py", "same", f)),
            (data, "duckdb same columns", peer("peer_duckdb.py", "same", f)),
        ]
    data = f"{size} CSV"
    out += [
        (data, "rfm", [TIER, "rfm", csv]),
        (data, "clv --unit day", [TIER, "clv", "--unit", "day", csv]),
    ]
    if lifetimes and size != "100m":
        out.append((data, "lifetimes BG/NBD+GG", peer("peer_lifetimes.py", csv)))
    if report and size != "100m":
        rep = os.path.join(BENCH, f"report-{size}")
        out.append((data, "report", ["sh", "-c", f"rm -rf '{rep}' && exec '{TIER}' report '{csv}' --out '{rep}' -q"]))
    return out


# The targets: (data kind, tier command, peer command, largest ratio).
TARGETS = [
    ("CSV", "classify", "polars same columns", 0.5),
    ("CSV", "classify", "duckdb same columns", 0.5),
    ("CSV", "classify", "polars ABC", 1.0),
    ("Parquet", "classify", "polars same columns", 0.5),
    ("Parquet", "classify", "duckdb same columns", 0.5),
    ("Parquet", "classify", "polars ABC", 1.0),
    ("CSV", "clv --unit day", "lifetimes BG/NBD+GG", 1 / 20),
    ("CSV", "report", "classify", 4.0),
    ("CSV", "classify", "duckdb ABC", 0.8),
    ("CSV", "rfm", "duckdb ABC", 0.8),
    ("CSV", "clv --unit day", "duckdb ABC", 0.8),
]

# Peak memory targets in MiB: classify, rfm and clv on 100m rows; the report on 10m.
MEMORY = [("classify", 2048), ("rfm", 2048), ("clv --unit day", 2048), ("report", 3072)]


def verdicts(results, sizes):
    lines = []
    for size in sizes:
        for kind, tier_cmd, peer, limit in TARGETS:
            a, b = results.get((f"{size} {kind}", tier_cmd)), results.get((f"{size} {kind}", peer))
            if not a or not b:
                continue
            if limit == 0.8 and size != "100m":
                continue
            ratio = a[0] / b[0]
            ok = "met" if ratio <= limit else "not met"
            lines.append(f"| {size} {kind} | {tier_cmd} ÷ {peer} | {ratio:.2f} | ≤ {limit:.2f} | {ok} |")
        for name, limit in MEMORY:
            got = results.get((f"{size} CSV", name))
            if got and (size == "100m") == (name != "report"):
                ok = "met" if got[1] <= limit else "not met"
                lines.append(f"| {size} CSV | {name} peak MiB | {got[1]:.0f} | ≤ {limit} | {ok} |")
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="1m,10m")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-lifetimes", action="store_true")
    ap.add_argument("--skip-report", action="store_true")
    ap.add_argument("--readme", action="store_true")
    args = ap.parse_args()
    sizes = args.rows.split(",")
    setup(sizes)
    results = {}
    head = (
        f"Measured {date.today()} on {platform.machine()}, {os.cpu_count()} cores, "
        f"`{LABEL}`; median of {args.runs} paired rounds "
        "(100m, lifetimes and report: one round)"
    )
    table = ["| data | command | wall s | peak MiB |", "|---|---|---:|---:|"]
    print(head)
    for size in sizes:
        todo = cases(size, not args.skip_lifetimes, not args.skip_report)
        walls = {(d, n): [] for d, n, _ in todo}
        peaks = {(d, n): 0.0 for d, n, _ in todo}
        rounds = 1 if size == "100m" else args.runs
        for r in range(rounds):
            for data, name, cmd in todo:
                slow = "lifetimes" in name or name == "report"
                if r > 0 and slow:
                    continue
                w, p = once(cmd)
                walls[(data, name)].append(w)
                peaks[(data, name)] = max(peaks[(data, name)], p)
                print(f"  round {r + 1}: {data} {name}: {w:.2f} s, {p:.0f} MiB", file=sys.stderr, flush=True)
        for data, name, _ in todo:
            key = (data, name)
            results[key] = (statistics.median(walls[key]), peaks[key])
            table.append(f"| {data} | {name} | {results[key][0]:.2f} | {results[key][1]:.0f} |")
    checks = ["| data | ratio (wall) | measured | target | |", "|---|---|---:|---:|---|"] + verdicts(
        results, sizes
    )
    print("\n".join(table))
    print()
    print("\n".join(checks))
    if args.readme:
        readme = os.path.join(ROOT, "README.md")
        text = open(readme).read()
        block = "\n".join([head + ":", "", *table, "", *checks])
        new, n = re.subn(
            r"(<!-- bench:start -->\n).*?(\n<!-- bench:end -->)",
            lambda m: m.group(1) + block + m.group(2),
            text,
            flags=re.S,
        )
        if n != 1:
            raise SystemExit("README.md has no <!-- bench:start --> ... <!-- bench:end --> block")
        open(readme, "w").write(new)


if __name__ == "__main__":
    main()
