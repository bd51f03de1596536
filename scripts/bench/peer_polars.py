"""Peer: polars for Python. `abc` is the ABC query an analyst would write (sum per customer, rank,
cumulative share); `same` computes what `tier classify` prints (value, purchases with positive net,
first and last purchase). Usage: peer_polars.py abc|same FILE.csv|FILE.parquet"""
import sys

import polars as pl

mode, path = sys.argv[1], sys.argv[2]
lf = pl.scan_parquet(path) if path.endswith(".parquet") else pl.scan_csv(path)
if mode == "abc":
    q = (
        lf.group_by("customer_id")
        .agg(pl.col("amount").sum().alias("value"))
        .sort(["value", "customer_id"], descending=[True, False])
        .with_columns((pl.col("value").cum_sum() / pl.col("value").sum()).alias("cum_share"))
        .with_columns(
            pl.when(pl.col("cum_share") - pl.col("value") / pl.col("value").sum() < 0.8)
            .then(pl.lit("A"))
            .when(pl.col("cum_share") - pl.col("value") / pl.col("value").sum() < 0.95)
            .then(pl.lit("B"))
            .otherwise(pl.lit("C"))
            .alias("abc")
        )
    )
else:
    q = (
        lf.group_by("customer_id", "order_id")
        .agg(pl.col("amount").sum().alias("net"), pl.col("order_date").min().alias("day"))
        .group_by("customer_id")
        .agg(
            pl.col("net").sum().alias("value"),
            (pl.col("net") > 0).sum().alias("orders"),
            pl.col("day").filter(pl.col("net") > 0).min().alias("first_purchase"),
            pl.col("day").filter(pl.col("net") > 0).max().alias("last_purchase"),
        )
        .sort(["value", "customer_id"], descending=[True, False])
        .with_columns((pl.col("value").cum_sum() / pl.col("value").sum()).alias("cum_share"))
    )
q.collect(engine="streaming").write_csv(sys.stdout)
