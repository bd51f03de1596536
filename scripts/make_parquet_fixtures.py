"""Writes the typed Parquet fixtures of tests/fixtures (as DuckDB, Spark and pandas write them):
a dictionary (categorical) id column, zoned timestamps, decimal128 amounts, an unused decimal
column, float amounts written with an exponent. Run once with polars installed:
    target/bench/venv/bin/python scripts/make_parquet_fixtures.py"""
from datetime import datetime
from decimal import Decimal

import polars as pl

out = "tests/fixtures/"
typed = pl.DataFrame(
    {
        "customer_id": pl.Series(["A", "B", "A", "C"], dtype=pl.Categorical),
        # 23:30 in Berlin on Jan 1 is 22:30 UTC on Jan 1; 00:30 Berlin on Jan 3 is Jan 2 UTC.
        "order_date": pl.Series(
            [datetime(2024, 1, 1, 22, 30), datetime(2024, 1, 2, 23, 30), datetime(2024, 2, 1, 12), datetime(2024, 2, 2, 12)],
        ).dt.replace_time_zone("UTC").dt.convert_time_zone("Europe/Berlin"),
        "amount": pl.Series([Decimal("2.675"), Decimal("10.005"), Decimal("-1.125"), Decimal("7.000")], dtype=pl.Decimal(12, 3)),
        "tax": pl.Series([Decimal("0.1"), Decimal("0.2"), Decimal("0.3"), Decimal("0.4")], dtype=pl.Decimal(38, 10)),
    }
)
typed.write_parquet(out + "typed.parquet")
floats = pl.DataFrame(
    {
        "customer_id": [17850, 17850, 13047],
        "order_date": pl.Series(["2024-03-01", "2024-03-02", "2024-03-02"]).str.to_date(),
        "amount": [2.675, 5.551115123125783e-17, 1e-7],
    }
)
floats.write_parquet(out + "floats.parquet")
print(typed, floats)
# A database's NUMBER(10) id arrives as decimal(10, 0); a decimal(12, 2) id with cents is refused.
decimal_ids = pl.DataFrame(
    {
        "customer_id": pl.Series([Decimal("17850"), Decimal("13047"), Decimal("17850")], dtype=pl.Decimal(10, 0)),
        "order_date": pl.Series(["2024-03-01", "2024-03-02", "2024-03-05"]).str.to_date(),
        "amount": [10.0, 20.0, 5.5],
    }
)
decimal_ids.write_parquet(out + "decimal_ids.parquet")
fractional_ids = pl.DataFrame(
    {
        "customer_id": pl.Series([Decimal("17850.00"), Decimal("13047.50")], dtype=pl.Decimal(12, 2)),
        "order_date": pl.Series(["2024-03-01", "2024-03-02"]).str.to_date(),
        "amount": [10.0, 20.0],
    }
)
fractional_ids.write_parquet(out + "decimal_fraction_ids.parquet")
print(decimal_ids, fractional_ids)
