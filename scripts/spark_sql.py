#!/usr/bin/env python3
"""Runs a Spark SQL script, as `tier stage --emit spark-sql` prints one, statement by statement
on the Spark that SPARK_REMOTE names (Spark Connect), or on a local Spark without it: what
`spark-sql -f job.sql` does, without starting a JVM of its own.

    SPARK_REMOTE=sc://127.0.0.1:15002 python3 scripts/spark_sql.py job.sql
"""
import sys

from pyspark.sql import SparkSession


def statements(text):
    """The script's statements: comment lines dropped, split where a line ends with `;`."""
    lines = [l for l in text.splitlines() if not l.lstrip().startswith("--")]
    body = "\n".join(lines)
    return [s.strip() for s in body.split(";\n") if s.strip().rstrip(";").strip()]


def main(path):
    with open(path, encoding="utf-8") as f:
        script = f.read()
    spark = SparkSession.builder.appName("tier spark-sql").getOrCreate()
    for stmt in statements(script):
        try:
            spark.sql(stmt.rstrip(";")).collect()
        except Exception as e:  # Spark's own error, one line with its class
            first = str(e).strip().splitlines()[0] if str(e).strip() else ""
            sys.exit(f"{type(e).__name__}: {first}")


if __name__ == "__main__":
    main(sys.argv[1])
