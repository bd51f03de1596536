"""Peer: DuckDB. `abc` is the ABC query; `same` computes exactly the columns `tier classify`
prints, by its rules (see peer_polars.py). Usage: peer_duckdb.py abc|same FILE.csv|FILE.parquet"""
import sys

import duckdb

mode, path = sys.argv[1], sys.argv[2]
src = f"read_parquet('{path}')" if path.endswith(".parquet") else f"read_csv('{path}')"
if mode == "abc":
    sql = f"""
    with v as (select customer_id, sum(amount) as value from {src} group by customer_id),
    r as (select *, sum(value) over (order by value desc, customer_id
                                     rows between unbounded preceding and current row) as cum,
                    sum(value) over () as total from v)
    select customer_id, value, cum / total as cum_share,
           case when (cum - value) < 0.8 * total then 'A'
                when (cum - value) < 0.95 * total then 'B' else 'C' end as abc
    from r order by value desc, customer_id"""
else:
    sql = f"""
    with l as (select customer_id, order_date,
                      cast(round(cast(amount as decimal(18, 3)) * 100) as bigint) as cents
               from {src}),
    d as (select customer_id, order_date, sum(cents) as net, min(cents) as smallest
          from l group by customer_id, order_date),
    p as (select *, (net > 0 or (net = 0 and smallest >= 0)) as purchase from d),
    v as (select customer_id, sum(net) as value, count(*) filter (where purchase) as purchases,
                 min(order_date) filter (where purchase) as first_purchase,
                 max(order_date) filter (where purchase) as last_purchase
          from p group by customer_id),
    r as (select *, row_number() over w as rank,
                 sum(value) over (order by value desc, customer_id
                                  rows between unbounded preceding and current row) as cum,
                 sum(value) filter (where value > 0) over () as total
          from v window w as (order by value desc, customer_id))
    select customer_id, value / 100 as value, purchases, value / total as share,
           cum / total as cum_share, rank,
           case when (cum - value) < 0.8 * total then 'A'
                when (cum - value) < 0.95 * total then 'B' else 'C' end as abc,
           first_purchase, last_purchase
    from r order by value desc, customer_id"""
duckdb.sql(sql).write_csv("/dev/stdout")
