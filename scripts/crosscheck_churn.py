"""Cross-checks `tier churn --rates`, `tier churn --cohorts` and `tier migrate` against an
independent SQL computation in DuckDB.

The rules written a second way: a customer is present in a calendar period when its net value
there is positive. Rates per period from the first with a present customer to the as-of date's:
active = present; churned = present and not present in the next period (none for the last);
revenue lost = their value; new = present for the first time; returned = present, not for the
first time, and not present in the period before. Cohorts: customers by their first present
period; present = how many are present k periods later, with their value. Migration: ABC classes
within each period among the present customers (A while the value before the customer is below
80% of the period's total, B below 95%, else C; ties by customer id), and for each pair of
consecutive periods the moves from a class, `new` (never present before) or `returned` (present
before, not in the first period) to a class or `lost`, with customers and the
values in both periods. Every number is compared exactly with tier's CSV output, for months,
quarters and years.

Usage: python3 scripts/crosscheck_churn.py   (needs `pip install duckdb` and
`cargo build --profile ci`)
"""
import csv
import io
import subprocess
import sys

import duckdb

ROOT = __file__.rsplit("/scripts/", 1)[0]
TIER = f"{ROOT}/target/ci/tier"
CASES = [
    # file, customer column, date expression, amount column, numeric ids
    (f"{ROOT}/sample-data/sales.csv", '"Customer ID"', 'CAST("Order Date" AS DATE)', '"Line Total"', False),
    (f"{ROOT}/sample-data/cdnow/cdnow_master.csv", "customer_id",
     "strptime(CAST(date AS VARCHAR), '%Y%m%d')::DATE", "amount", True),
]
INDEX = {
    "month": "year(day) * 12 + month(day) - 1",
    "quarter": "year(day) * 4 + (month(day) - 1) // 3",
    "year": "year(day)",
}
LABEL = {
    "month": lambda i: f"{i // 12}-{i % 12 + 1:02d}",
    "quarter": lambda i: f"{i // 4}-Q{i % 4 + 1}",
    "year": lambda i: f"{i}",
}

BASE = """
WITH tx AS (
  SELECT CAST({cust} AS VARCHAR) AS customer, {date} AS day,
         CAST(round({amount} * 100) AS BIGINT) AS cents
  FROM read_csv('{path}', header = true) WHERE {cust} IS NOT NULL AND CAST({cust} AS VARCHAR) <> ''
),
per AS (SELECT customer, {index} AS p, sum(cents) AS v FROM tx GROUP BY ALL),
present AS (SELECT * FROM per WHERE v > 0),
firsts AS (SELECT customer, min(p) AS f FROM present GROUP BY customer),
bounds AS (
  SELECT (SELECT min(p) FROM present) AS lo,
         (SELECT {index} FROM (SELECT max(day) AS day FROM tx)) AS hi
)
"""

RATES = BASE + """
, periods AS (SELECT range AS p FROM bounds, range(lo, hi + 1))
SELECT q.p,
  count(x.customer) AS active,
  CASE WHEN q.p < (SELECT hi FROM bounds) THEN count(x.customer) FILTER (WHERE nx.customer IS NULL) END,
  CASE WHEN q.p < (SELECT hi FROM bounds) THEN coalesce(sum(x.v) FILTER (WHERE nx.customer IS NULL), 0) END,
  count(x.customer) FILTER (WHERE fi.f = q.p),
  count(x.customer) FILTER (WHERE fi.f < q.p AND pv.customer IS NULL)
FROM periods q
LEFT JOIN present x ON x.p = q.p
LEFT JOIN present nx ON nx.customer = x.customer AND nx.p = q.p + 1
LEFT JOIN present pv ON pv.customer = x.customer AND pv.p = q.p - 1
LEFT JOIN firsts fi ON fi.customer = x.customer
GROUP BY q.p ORDER BY q.p
"""

COHORTS = BASE + """
, sizes AS (SELECT f, count(*) AS n FROM firsts GROUP BY f)
SELECT s.f, k.range AS since, s.n,
       count(x.customer), coalesce(sum(x.v), 0)
FROM sizes s, bounds, range(0, bounds.hi + 1 - s.f) k
LEFT JOIN firsts fi ON fi.f = s.f
LEFT JOIN present x ON x.customer = fi.customer AND x.p = s.f + k.range
GROUP BY s.f, k.range, s.n ORDER BY s.f, since
"""

MIGRATE = BASE + """
, ranked AS (
  SELECT customer, p, v,
         sum(v) OVER (PARTITION BY p ORDER BY v DESC, {idkey} ASC, customer ASC
                      ROWS UNBOUNDED PRECEDING) - v AS before,
         sum(v) OVER (PARTITION BY p) AS total
  FROM present
),
cls AS (
  SELECT customer, p, v,
         CASE WHEN before * 100 < 80 * total THEN 'A' WHEN before * 100 < 95 * total THEN 'B'
              ELSE 'C' END AS c
  FROM ranked
),
moves AS (
  SELECT coalesce(x.p, y.p - 1) AS a,
         coalesce(x.c, CASE WHEN EXISTS (SELECT 1 FROM cls z WHERE z.customer = y.customer
                                          AND z.p < y.p - 1) THEN 'returned' ELSE 'new' END) AS f,
         coalesce(y.c, 'lost') AS t,
         coalesce(x.v, 0) AS vf, coalesce(y.v, 0) AS vt
  FROM (SELECT * FROM cls WHERE p < (SELECT hi FROM bounds)) x
  FULL OUTER JOIN (SELECT * FROM cls WHERE p > (SELECT lo FROM bounds)) y
    ON x.customer = y.customer AND y.p = x.p + 1
)
SELECT a, f, t, count(*), sum(vf), sum(vt) FROM moves GROUP BY ALL
"""


def tier(args):
    out = subprocess.run([TIER] + args + ["--format", "csv", "-q"], check=True,
                         capture_output=True, text=True).stdout
    return list(csv.DictReader(io.StringIO(out)))


def cents(text):
    return 0 if text == "" else round(float(text) * 100)


def check(path, cust, date, amount, numeric, period):
    name = path.rsplit("/", 1)[1]
    idkey = "CAST(customer AS UBIGINT)" if numeric else "customer"
    fmt = dict(path=path, cust=cust, date=date, amount=amount, index=INDEX[period], idkey=idkey)
    label = LABEL[period]
    bad = 0

    want = [(label(p), a, c, r, n, ret) for p, a, c, r, n, ret in duckdb.sql(RATES.format(**fmt)).fetchall()]
    got = [(r["period"], int(r["active"]), int(r["churned"]) if r["churned"] else None,
            cents(r["revenue_lost"]) if r["churned"] else None, int(r["new"]), int(r["returned"]))
           for r in tier(["churn", path, "--rates", "--period", period])]
    bad += got != want
    print(f"{name} {period}: rates {len(got)} periods, {'identical' if got == want else 'DIFFER'}")

    want = [(label(f), k, n, c, v) for f, k, n, c, v in duckdb.sql(COHORTS.format(**fmt)).fetchall()]
    got = [(r["cohort"], int(r["periods_since"]), int(r["customers"]), int(r["present"]), cents(r["value"]))
           for r in tier(["churn", path, "--cohorts", "--period", period])]
    bad += got != want
    print(f"{name} {period}: cohorts {len(got)} cells, {'identical' if got == want else 'DIFFER'}")

    want = {(label(a), label(a + 1), f, t): (n, vf, vt)
            for a, f, t, n, vf, vt in duckdb.sql(MIGRATE.format(**fmt)).fetchall()}
    got = {(r["from_period"], r["to_period"], r["from"], r["to"]):
           (int(r["customers"]), cents(r["value_from"]), cents(r["value_to"]))
           for r in tier(["migrate", path, "--period", period])}
    bad += got != want
    print(f"{name} {period}: migration {len(got)} cells, "
          f"{sum(v[0] for v in got.values())} moves, {'identical' if got == want else 'DIFFER'}")
    if got != want:
        for k in sorted(set(got) | set(want)):
            if got.get(k) != want.get(k):
                print("   ", k, "tier", got.get(k), "duckdb", want.get(k))
                break
    return bad


def main():
    bad = sum(check(*case, period) for case in CASES for period in ["month", "quarter", "year"])
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
