"""Cross-checks `tier classify` against an independent SQL computation in DuckDB.

The same rule written a second way: value = sum of line amounts in cents; purchases = days
netting positive, or zero without a return; rank by value descending, ties by customer id
ascending, among the customers with a value above 0 (the others follow, unranked, class and tier
`none`); A while the cumulative value *before* the customer is below 80% of the positive total, B
below 95%, else C; pyramid by (rank - 1) against 1% / 5% / 20% of the ranked customers.

Usage: python3 scripts/crosscheck_classify.py   (needs `pip install duckdb` and `cargo build --profile ci`)
"""
import csv
import io
import subprocess
import sys

import duckdb

ROOT = __file__.rsplit("/scripts/", 1)[0]
TIER = f"{ROOT}/target/ci/tier"

CASES = [
    # file, customer column, date expression, amount column, order expression, numeric ids
    (f"{ROOT}/sample-data/sales.csv", '"Customer ID"', '"Order Date"', '"Line Total"', '"Order ID"', False),
    (f"{ROOT}/sample-data/cdnow/cdnow_master.csv", "customer_id", "date", "amount", "date", True),
]

SQL = """
WITH tx AS (
  SELECT CAST({cust} AS VARCHAR) AS customer, CAST({date} AS VARCHAR) AS day,
         CAST({order} AS VARCHAR) AS ord, CAST(round({amount} * 100) AS BIGINT) AS cents
  FROM read_csv('{path}', all_varchar = false, header = true)
  WHERE {cust} IS NOT NULL AND CAST({cust} AS VARCHAR) <> ''
),
orders AS (
  SELECT customer, count(*) AS orders FROM (
    SELECT customer, day, sum(cents) AS net, min(cents) AS smallest FROM tx GROUP BY customer, day
  ) WHERE net > 0 OR (net = 0 AND smallest >= 0) GROUP BY customer
),
per AS (
  SELECT tx.customer, sum(cents) AS units, coalesce(any_value(o.orders), 0) AS orders
  FROM tx LEFT JOIN orders o USING (customer) GROUP BY tx.customer
),
ranked AS (
  SELECT *, row_number() OVER w AS rank,
         sum(units) OVER w - units AS before,
         sum(units) OVER () AS total,
         count(*) OVER () AS n
  FROM per WHERE units > 0
  WINDOW w AS (ORDER BY units DESC, {idkey} ASC, customer ASC ROWS UNBOUNDED PRECEDING)
)
SELECT customer, units, orders, rank,
       CASE WHEN before * 100 < 80 * total THEN 'A' WHEN before * 100 < 95 * total THEN 'B' ELSE 'C' END AS abc,
       CASE WHEN (rank - 1) * 100 < 1 * n THEN 'VIP' WHEN (rank - 1) * 100 < 5 * n THEN 'Major'
            WHEN (rank - 1) * 100 < 20 * n THEN 'Ordinary' ELSE 'Small' END AS tier
FROM ranked
UNION ALL
SELECT customer, units, orders, NULL, 'none', 'none' FROM per WHERE units <= 0
ORDER BY rank NULLS LAST, units DESC, {idkey} ASC, customer ASC
"""


def check(path, cust, date, amount, order, numeric):
    idkey = "CAST(customer AS UBIGINT)" if numeric else "customer"
    sql = SQL.format(path=path, cust=cust, date=date, amount=amount, order=order, idkey=idkey)
    expected = duckdb.sql(sql).fetchall()
    out = subprocess.run([TIER, "classify", path, "--format", "csv"], check=True, capture_output=True, text=True)
    got = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(got) == len(expected), (len(got), len(expected))
    mismatches = 0
    for (customer, units, orders, rank, abc, tier), row in zip(expected, got):
        rank_ = int(row["rank"]) if row["rank"] else None
        mine = (row["customer"], round(float(row["value"]) * 100), int(row["purchases"]), rank_, row["abc"], row["tier"])
        if mine != (customer, units, orders, rank, abc, tier):
            mismatches += 1
            if mismatches <= 5:
                print("  mismatch:", mine, "vs duckdb", (customer, units, orders, rank, abc, tier))
    counts = {c: sum(1 for r in expected if r[4] == c) for c in "ABC"}
    print(f"{path.rsplit('/', 1)[1]}: {len(expected)} customers, ABC {counts}, "
          f"{len(expected) - mismatches} rows identical (customer, value, purchases, rank, abc, tier), {mismatches} differ")
    return mismatches == 0


if __name__ == "__main__":
    ok = all([check(*case) for case in CASES])
    sys.exit(0 if ok else 1)
