"""Peer: polars for Python. `abc` is the ABC query an analyst would write (sum per customer, rank,
cumulative share); `same` computes exactly the columns `tier classify` prints, by its rules:
value in integer cents (half away from zero), purchase days (a customer's day that nets positive,
or to zero without a return), first and last purchase, share, cumulative share, rank, ABC.
Usage: peer_polars.py abc|same FILE.csv|FILE.parquet"""
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
    cents = (pl.col("amount") * 100).round(0, mode="half_away_from_zero").cast(pl.Int64)
    days = lf.group_by("customer_id", "order_date").agg(
        cents.sum().alias("net"), cents.min().alias("smallest")
    )
    purchase = (pl.col("net") > 0) | ((pl.col("net") == 0) & (pl.col("smallest") >= 0))
    per = days.group_by("customer_id").agg(
        pl.col("net").sum().alias("value"),
        purchase.sum().alias("purchases"),
        pl.col("order_date").filter(purchase).min().alias("first_purchase"),
        pl.col("order_date").filter(purchase).max().alias("last_purchase"),
    )
    total = pl.col("value").filter(pl.col("value") > 0).sum()
    q = (
        per.sort(["value", "customer_id"], descending=[True, False])
        .with_columns((pl.col("value") / total).alias("share"))
        .with_columns(pl.col("share").cum_sum().alias("cum_share"), pl.int_range(1, pl.len() + 1).alias("rank"))
        .with_columns(
            pl.when(pl.col("cum_share") - pl.col("share") < 0.8)
            .then(pl.lit("A"))
            .when(pl.col("cum_share") - pl.col("share") < 0.95)
            .then(pl.lit("B"))
            .otherwise(pl.lit("C"))
            .alias("abc"),
            (pl.col("value") / 100).alias("value"),
        )
    )
q.collect(engine="streaming").write_csv(sys.stdout)
