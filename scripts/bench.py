"""Benchmarks `tier` against the tools an analyst would use instead, side by side on this machine.

    python3 scripts/bench.py [--rows 1m,10m] [--runs 3] [--skip-lifetimes]

Builds the release binary and the data generator, makes synthetic exports
(`examples/gen_bench.rs`) under target/bench/data, installs the peers (polars, duckdb, lifetimes
from PyPI) into target/bench/venv, then times each command: the median wall time of --runs runs
and the largest peak resident memory (`/usr/bin/time`). Prints a Markdown table with each tier
row's ratio to its peers. `--rows 100m` adds the 4.8 GB export (needs about 6 GB of disk).
"""
import argparse
import os
import platform
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


def measure(cmd, runs):
    """Median wall seconds and peak RSS (MiB) over `runs` runs; output goes to /dev/null."""
    walls, peaks = [], []
    for _ in range(runs):
        r = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M"] + cmd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if r.returncode != 0:
            raise SystemExit(f"failed: {' '.join(cmd)}\n{r.stderr}")
        wall, kb = r.stderr.strip().splitlines()[-1].split()
        walls.append(float(wall))
        peaks.append(int(kb) / 1024)
    return statistics.median(walls), max(peaks)


def cases(size, lifetimes):
    csv, pq = os.path.join(DATA, f"{size}.csv"), os.path.join(DATA, f"{size}.parquet")
    peer = lambda name, *a: [PY, os.path.join(PEERS, name), *a]
    out = [
        (f"{size} CSV", "classify", [TIER, "classify", csv]),
        (f"{size} CSV", "polars ABC", peer("peer_polars.py", "abc", csv)),
        (f"{size} CSV", "duckdb ABC", peer("peer_duckdb.py", "abc", csv)),
        (f"{size} CSV", "polars same columns", peer("peer_polars.py", "same", csv)),
        (f"{size} CSV", "duckdb same columns", peer("peer_duckdb.py", "same", csv)),
        (f"{size} CSV", "rfm", [TIER, "rfm", csv]),
        (f"{size} Parquet", "classify", [TIER, "classify", pq]),
        (f"{size} Parquet", "polars ABC", peer("peer_polars.py", "abc", pq)),
        (f"{size} Parquet", "duckdb ABC", peer("peer_duckdb.py", "abc", pq)),
        (f"{size} CSV", "clv --unit day", [TIER, "clv", "--unit", "day", csv]),
    ]
    if lifetimes and size != "100m":
        out.append((f"{size} CSV", "lifetimes BG/NBD+GG", peer("peer_lifetimes.py", csv)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="1m,10m")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-lifetimes", action="store_true")
    args = ap.parse_args()
    sizes = args.rows.split(",")
    setup(sizes)
    results = {}
    print(f"# {date.today()} on {platform.machine()}, {os.cpu_count()} cores; median of {args.runs} runs")
    print("| data | command | wall s | peak MiB |")
    print("|---|---|---:|---:|")
    for size in sizes:
        for data, name, cmd in cases(size, not args.skip_lifetimes):
            runs = 1 if "lifetimes" in name or size == "100m" else args.runs
            wall, peak = measure(cmd, runs)
            results[(data, name)] = wall
            print(f"| {data} | {name} | {wall:.2f} | {peak:.0f} |", flush=True)
    print()
    print("Ratios (wall time, same data):")
    tier_rows = ("classify", "rfm", "clv --unit day")
    for (data, name), wall in results.items():
        if name == "rfm":
            print(f"  {data}: tier rfm ÷ tier classify = {wall / results[(data, 'classify')]:.2f}")
            continue
        if name not in tier_rows:
            continue
        for (d2, peer), pw in results.items():
            if d2 == data and peer not in tier_rows:
                if (name == "clv --unit day") == ("lifetimes" in peer):
                    print(f"  {data}: tier {name} ÷ {peer} = {wall / pw:.2f}")


if __name__ == "__main__":
    main()
