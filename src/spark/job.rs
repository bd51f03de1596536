//! The stage job as text (CSV is read line by line, so that Spark splits big files; a quoted
//! line break, which a sales export rarely holds, fails the job as a malformed row): a PySpark
//! script (`spark-submit job.py`, or `python job.py` with
//! `SPARK_REMOTE` set for Spark Connect) or a Spark SQL script (`spark-sql -f job.sql`). Both
//! pin the session time zone to UTC and ANSI arithmetic (an overflowing sum fails), run the
//! checks and fail with an example of each kind of unreadable cell, then write the stage as
//! Parquet.

use super::cells::lit;
use super::{describe, Plan, Source};

/// Which kind of job to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Emit {
    Pyspark,
    SparkSql,
}

/// A Python string literal (a raw triple-quoted string holds any SQL tier writes).
fn py(s: &str) -> String {
    if s.contains("'''") || s.ends_with('\\') || s.ends_with('\'') {
        format!("{s:?}")
    } else {
        format!("r'''{s}'''")
    }
}

/// The reader of the source, in PySpark.
fn py_reader(source: &Source) -> String {
    match source {
        Source::Files {
            uri,
            delimiter: Some(c),
        } => format!(
            "spark.read.options(header='true', sep={}, quote='\"', escape='\"', \
             multiLine='false', inferSchema='false', mode='FAILFAST', encoding='UTF-8')\
             .csv({})",
            py(&(*c as char).to_string()),
            py(uri)
        ),
        Source::Files { uri, .. } => format!("spark.read.parquet({})", py(uri)),
        Source::Table(t) => format!("spark.table({})", py(t)),
    }
}

/// The view of the source, in Spark SQL.
fn sql_reader(source: &Source) -> String {
    match source {
        Source::Files {
            uri,
            delimiter: Some(c),
        } => format!(
            "CREATE OR REPLACE TEMPORARY VIEW tier_source USING csv OPTIONS (path {}, \
             header 'true', sep {}, quote '\"', escape '\"', multiLine 'false', \
             inferSchema 'false', mode 'FAILFAST', encoding 'UTF-8')",
            lit(uri),
            lit(&(*c as char).to_string())
        ),
        Source::Files { uri, .. } => format!(
            "CREATE OR REPLACE TEMPORARY VIEW tier_source USING parquet OPTIONS (path {})",
            lit(uri)
        ),
        Source::Table(t) => {
            format!("CREATE OR REPLACE TEMPORARY VIEW tier_source AS SELECT * FROM {t}")
        }
    }
}

/// The one-row query of the checks: per check, its count and an example.
fn check_query(plan: &Plan) -> String {
    let cols: Vec<String> = plan
        .checks
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            [
                format!("{} AS n{i}", c.count),
                format!("{} AS e{i}", c.example),
            ]
        })
        .collect();
    format!("SELECT {} FROM tier_cells", cols.join(", "))
}

/// The job's text; `header` describes where the decisions came from.
pub fn render(plan: &Plan, emit: Emit, out: &str, header: &[String]) -> String {
    match emit {
        Emit::Pyspark => pyspark(plan, out, header),
        Emit::SparkSql => spark_sql(plan, out, header),
    }
}

/// The job's opening comment lines: the header, what it reads and writes, how to run it.
fn comments(mark: &str, plan: &Plan, out: &str, header: &[String], run: &str) -> String {
    let mut lines: Vec<String> = header.to_vec();
    lines.push(format!(
        "Reads {}; writes the stage to {}.",
        describe(&plan.source),
        lit(out)
    ));
    lines.push(format!("Run: {run}"));
    lines.iter().map(|l| format!("{mark} {l}\n")).collect()
}

fn pyspark(plan: &Plan, out: &str, header: &[String]) -> String {
    let mut s = String::new();
    s.push_str("#!/usr/bin/env python3\n");
    let run = "spark-submit job.py, or with SPARK_REMOTE=sc://host:port set, python job.py";
    s.push_str(&comments("#", plan, out, header, run));
    s.push_str("import sys\nimport unicodedata\n\nfrom pyspark.sql import SparkSession\n\n");
    s.push_str(&format!("STAGE_OUT = {}\n", py(out)));
    s.push_str("VIEWS = [\n");
    for v in &plan.views {
        s.push_str(&format!("    {},\n", py(v)));
    }
    s.push_str("]\n");
    s.push_str(&format!("CHECK = {}\n", py(&check_query(plan))));
    s.push_str("CHECKS = [\n");
    for c in &plan.checks {
        s.push_str(&format!("    {},\n", py(&c.what)));
    }
    s.push_str("]\n");
    if let Some(c) = &plan.currency {
        s.push_str(&format!("CURRENCY = {}\n", py(c)));
    }
    s.push_str(&format!("STAGE = {}\n\n", py(&plan.stage)));
    s.push_str(
        "spark = SparkSession.builder.appName('tier stage').getOrCreate()\n\
         spark.conf.set('spark.sql.session.timeZone', 'UTC')\n\
         spark.conf.set('spark.sql.ansi.enabled', 'true')\n",
    );
    if plan.nfc {
        s.push_str(
            "spark.udf.register('tier_nfc', lambda t: None if t is None else \
             unicodedata.normalize('NFC', t), 'string')\n",
        );
    }
    s.push_str(&format!(
        "{}.createOrReplaceTempView('tier_source')\n",
        py_reader(&plan.source)
    ));
    s.push_str("for view in VIEWS:\n    spark.sql(view)\n");
    s.push_str(
        "row = spark.sql(CHECK).first()\n\
         bad = [(CHECKS[i], row[2 * i], row[2 * i + 1]) for i in range(len(CHECKS)) if row[2 * i]]\n\
         for what, n, example in bad:\n    \
         print(f'tier stage: {n} {what}, e.g. `{example}`', file=sys.stderr)\n\
         if bad:\n    sys.exit('tier stage: the job stopped before writing: fix the cells above')\n",
    );
    if plan.currency.is_some() {
        s.push_str(
            "cur = spark.sql(CURRENCY).first()\n\
             if cur[0] > 1:\n    \
             sys.exit(f'tier stage: the currency column holds {cur[0]} currencies (e.g. {cur[1]} and {cur[2]}); values in two currencies cannot be added')\n",
        );
    }
    s.push_str(
        "spark.sql(STAGE).write.mode('overwrite').parquet(STAGE_OUT)\n\
         print(f'tier stage: the stage was written to {STAGE_OUT}', file=sys.stderr)\n",
    );
    s
}

fn spark_sql(plan: &Plan, out: &str, header: &[String]) -> String {
    let mut s = String::new();
    s.push_str(&comments("--", plan, out, header, "spark-sql -f job.sql"));
    s.push_str("SET spark.sql.session.timeZone=UTC;\nSET spark.sql.ansi.enabled=true;\n");
    s.push_str(&format!("{};\n", sql_reader(&plan.source)));
    for v in &plan.views {
        s.push_str(&format!("{v};\n"));
    }
    // Each check fails the script with its count and example (raise_error stops it).
    let q = check_query(plan);
    for (i, c) in plan.checks.iter().enumerate() {
        s.push_str(&format!(
            "SELECT raise_error(concat('tier stage: ', n{i}, ' ', {}, ', e.g. `', \
             coalesce(e{i}, ''), '`')) FROM ({q}) WHERE n{i} > 0;\n",
            lit(&c.what)
        ));
    }
    if let Some(c) = &plan.currency {
        s.push_str(&format!(
            "SELECT raise_error(concat('tier stage: the currency column holds ', n, \
             ' currencies (e.g. ', a, ' and ', b, ')')) FROM ({c}) WHERE n > 1;\n"
        ));
    }
    s.push_str(&format!(
        "INSERT OVERWRITE DIRECTORY {} USING parquet\n{};\n",
        lit(out),
        plan.stage
    ));
    s
}
