"""Cross-checks `tier rfm` against an independent SQL computation in DuckDB.

Recomputes per customer: recency = days from the last purchase to the as-of date (the last date in
the data); frequency = purchase days (days netting positive, or zero without a return); monetary =
net value. Compares them exactly with tier's output, then checks that every customer has a
segment, that each score is a non-decreasing function of its measure (recency: non-increasing),
and prints how many customers fall in each score.

Usage: python3 scripts/crosscheck_rfm.py   (needs `pip install duckdb` and `cargo build --profile ci`)
"""
import csv
import io
import subprocess
import sys
from collections import Counter

import duckdb

ROOT = __file__.rsplit("/scripts/", 1)[0]
TIER = f"{ROOT}/target/ci/tier"
CASES = [
    (f"{ROOT}/sample-data/sales.csv", '"Customer ID"', 'CAST("Order Date" AS DATE)', '"Line Total"', '"Order ID"'),
    (f"{ROOT}/sample-data/cdnow/cdnow_master.csv", "customer_id",
     "strptime(CAST(date AS VARCHAR), '%Y%m%d')::DATE", "amount", "date"),
]
SQL = """
WITH tx AS (
  SELECT CAST({cust} AS VARCHAR) AS customer, {date} AS day, CAST({order} AS VARCHAR) AS ord,
         CAST(round({amount} * 100) AS BIGINT) AS cents
  FROM read_csv('{path}', header = true) WHERE {cust} IS NOT NULL AND CAST({cust} AS VARCHAR) <> ''
),
as_of_day AS (SELECT max(day) AS d FROM tx),
purchases AS (
  SELECT customer, count(*) AS frequency, max(first_day) AS last_purchase FROM (
    SELECT customer, day AS first_day, sum(cents) AS net, min(cents) AS smallest
    FROM tx GROUP BY customer, day
  ) WHERE net > 0 OR (net = 0 AND smallest >= 0) GROUP BY customer
)
SELECT t.customer, (SELECT d FROM as_of_day) - p.last_purchase AS recency, coalesce(p.frequency, 0), sum(t.cents)
FROM tx t LEFT JOIN purchases p USING (customer)
GROUP BY t.customer, p.last_purchase, p.frequency
"""


def check(path, cust, date, amount, order):
    expected = {row[0]: row[1:] for row in duckdb.sql(SQL.format(path=path, cust=cust, date=date, amount=amount, order=order)).fetchall()}
    out = subprocess.run([TIER, "rfm", path, "--quiet"], check=True, capture_output=True, text=True).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(expected), (len(rows), len(expected))
    same = 0
    for r in rows:
        rec = int(r["recency_days"]) if r["recency_days"] else None
        mine = (rec, int(r["frequency"]), round(float(r["monetary"]) * 100))
        if mine == tuple(expected[r["customer"]]):
            same += 1
        elif same + 5 > len(rows):
            print("  differs:", r["customer"], mine, expected[r["customer"]])
    assert all(r["segment"] for r in rows), "a customer without a segment"
    scored = [r for r in rows if r["r"]]
    ok = True
    for measure, key, sign in [("recency_days", "r", -1), ("frequency", "f", 1), ("monetary", "m", 1)]:
        pairs = sorted((sign * float(r[measure]), int(r[key])) for r in scored)
        monotone = all(a[1] <= b[1] for a, b in zip(pairs, pairs[1:]))
        ties_equal = all(a[1] == b[1] for a, b in zip(pairs, pairs[1:]) if a[0] == b[0])
        ok &= monotone and ties_equal
        counts = Counter(s for _, s in pairs)
        print(f"  {key}: monotone={monotone} equal-values-equal-scores={ties_equal} "
              f"customers per score {dict(sorted(counts.items()))}")
    print(f"{path.rsplit('/', 1)[1]}: {len(rows)} customers, recency/frequency/monetary identical for {same}, "
          f"{len(rows) - same} differ; {len(rows) - len(scored)} in `No purchase`")
    return ok and same == len(rows)


if __name__ == "__main__":
    sys.exit(0 if all([check(*c) for c in CASES]) else 1)
