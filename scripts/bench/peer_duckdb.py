"""Peer: DuckDB. `abc` is the ABC query; `same` computes what `tier classify` prints.
Usage: peer_duckdb.py abc|same FILE.csv|FILE.parquet"""
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
    with o as (select customer_id, order_id, sum(amount) as net, min(order_date) as day
               from {src} group by customer_id, order_id),
    v as (select customer_id, sum(net) as value, count(*) filter (where net > 0) as orders,
                 min(day) filter (where net > 0) as first_purchase,
                 max(day) filter (where net > 0) as last_purchase
          from o group by customer_id),
    r as (select *, sum(value) over (order by value desc, customer_id
                                     rows between unbounded preceding and current row) as cum,
                    sum(value) over () as total from v)
    select * from r order by value desc, customer_id"""
duckdb.sql(sql).write_csv("/dev/stdout")
