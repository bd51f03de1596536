//! The stage as a Spark job: the same definitions as the local stage (`analysis::seam`), as
//! Spark SQL over a source Spark reads. Detection stays tier's: it runs on a local sample, and
//! what it decided (columns, date format, decimal separators, returns) becomes explicit
//! expressions. Cells the job cannot read are counted, and the job fails with an example of each
//! kind, never a silent NULL. `job` prints it as PySpark or as a Spark SQL script.

mod cells;
pub mod job;

use crate::analysis::seam::{Window, VERSION};
use crate::input::{iso_date, Decisions, Returns, Role};
use cells::lit;

/// Where the job reads its rows.
#[derive(Debug, Clone)]
pub enum Source {
    /// Files (a path, directory or glob Spark reads: `s3a://bucket/orders/`), CSV with this
    /// delimiter or Parquet (`None`).
    Files { uri: String, delimiter: Option<u8> },
    /// A table of the catalog (Hive, Delta, Iceberg).
    Table(String),
}

/// A check the job makes before it writes: `count` cells of `what`, e.g. `example`.
#[derive(Debug, Clone)]
pub struct Check {
    pub what: String,
    pub count: String,
    pub example: String,
}

/// The job's SQL: views over `tier_source`, the checks, the stage query.
#[derive(Debug, Clone)]
pub struct Plan {
    pub source: Source,
    pub views: Vec<String>,
    pub checks: Vec<Check>,
    /// One row: the currencies seen (at most one is allowed) and two of them.
    pub currency: Option<String>,
    pub stage: String,
    /// Whether ids go through `tier_nfc` (a Python UDF of the PySpark job).
    pub nfc: bool,
}

/// The date literal of a day.
fn date(day: i32) -> String {
    format!("DATE'{}'", iso_date(day))
}

/// The plan of the stage of `w` over rows read as `d` decided.
pub fn plan(d: &Decisions, w: Window, source: Source, nfc: bool) -> Result<Plan, String> {
    let grouped = d.columns.iter().any(|(r, _)| *r == Role::Group);
    let column = |r: Role| {
        d.columns
            .iter()
            .find(|(x, _)| *x == r)
            .map(|(_, c)| c.as_str())
    };
    let mut select = Vec::new();
    let mut checks = Vec::new();
    // The order id and the group are not part of the stage: their cells are not read.
    for (role, name) in d.columns.iter().filter(|(r, _)| *r != Role::Order) {
        select.push(format!("{} AS {}_t", cells::text(name), role_name(*role)));
    }
    // The customer id.
    let cust = column(Role::Customer).ok_or("no customer column")?;
    select.push(format!(
        "{} AS customer",
        cells::customer("customer_t", nfc)
    ));
    let mut bad_id = cells::has_nul("customer_t");
    let mut what = format!("ids of column `{cust}` that hold a NUL byte");
    if !nfc {
        bad_id = format!("({bad_id} OR {})", cells::non_ascii("customer_t"));
        what = format!(
            "ids of column `{cust}` with non-ASCII letters (Spark SQL has no Unicode \
             normalisation: use --emit pyspark) or a NUL byte"
        );
    }
    checks.push(check(&what, &bad_id, "customer_t"));
    // The date.
    let date_col = column(Role::Date).ok_or("no date column")?;
    let day = if d.typed_date {
        cells::typed_date(date_col)
    } else {
        if matches!(d.formats.date, crate::input::DateFormat::Auto(_)) {
            select.push(format!("{} AS date_p", cells::date_part("date_t")));
            select.push(format!("{} AS date_s", cells::date_split("date_p")));
        }
        cells::date("date_t", &d.formats.date)?
    };
    select.push(format!("{day} AS day_date"));
    checks.push(check(
        &format!("cells of column `{date_col}` that are not dates tier reads"),
        "customer IS NOT NULL AND day_date IS NULL",
        "date_t",
    ));
    // The numbers.
    let rule = |r: Role| match r {
        Role::Amount => d.formats.amount,
        Role::Quantity => d.formats.quantity,
        Role::Price => d.formats.price,
        Role::Cost => d.formats.cost,
        _ => d.formats.margin,
    };
    for role in [
        Role::Amount,
        Role::Quantity,
        Role::Price,
        Role::Cost,
        Role::Margin,
    ] {
        let Some(name) = column(role) else { continue };
        let r = role_name(role);
        let parts = cells::number(r, &format!("{r}_t"), rule(role), d.assumed.contains(&role));
        for (alias, sql) in parts.steps {
            select.push(format!("{sql} AS {alias}"));
        }
        select.push(format!("{} AS {r}_v", parts.value));
        checks.push(check(
            &format!(
                "cells of column `{name}` that are not numbers tier reads (or read either way, \
                 like `1.500`: pass --decimal-point or --decimal-comma)"
            ),
            &format!("customer IS NOT NULL AND {r}_v IS NULL"),
            &format!("{r}_t"),
        ));
    }
    let (cents, exact) = match column(Role::Amount) {
        Some(_) => (cells::cents("amount_v"), None),
        None => {
            let (c, ok) = cells::product_cents("quantity_v", "price_v");
            (c, Some(ok))
        }
    };
    select.push(format!("{cents} AS cents"));
    if let Some(ok) = exact {
        checks.push(check(
            "quantities and prices beyond a trillion or with more than 6 decimals (the job \
             multiplies them exactly up to that)",
            &format!("customer IS NOT NULL AND quantity_v IS NOT NULL AND price_v IS NOT NULL AND NOT {ok}"),
            "concat(quantity_t, ' × ', price_t)",
        ));
    }
    let has_cost = column(Role::Cost).is_some() || column(Role::Margin).is_some();
    if column(Role::Cost).is_some() {
        if d.formats.unit_cost {
            let q = if column(Role::Quantity).is_some() {
                "quantity_v"
            } else {
                "CAST(1 AS DECIMAL(38,18))"
            };
            let (c, ok) = cells::product_cents("cost_v", q);
            select.push(format!("{c} AS cost"));
            checks.push(check(
                "unit costs and quantities beyond a trillion or with more than 6 decimals",
                &format!("customer IS NOT NULL AND cost_v IS NOT NULL AND NOT {ok}"),
                "cost_t",
            ));
        } else {
            select.push(format!("{} AS cost", cells::cents("cost_v")));
        }
    } else if column(Role::Margin).is_some() {
        select.push(format!("{cents} - {} AS cost", cells::cents("margin_v")));
    }
    let has_qty = column(Role::Quantity).is_some();
    if has_qty {
        select.push(
            "CAST(round(CAST(quantity_v AS DOUBLE) * 1000D, 0) AS BIGINT) AS qty".to_string(),
        );
    }
    let mut views = vec![format!(
        "CREATE OR REPLACE TEMPORARY VIEW tier_cells AS SELECT\n  {}\nFROM tier_source",
        select.join(",\n  ")
    )];
    views.extend(stage_views(d, w, has_cost, has_qty, grouped));
    let currency = column(Role::Currency).map(|_| {
        "SELECT count(DISTINCT nullif(currency_t, '')) AS n, min(nullif(currency_t, '')) AS a, \
         max(nullif(currency_t, '')) AS b FROM tier_cells"
            .to_string()
    });
    Ok(Plan {
        source,
        views,
        checks,
        currency,
        stage: if grouped {
            grouped_query(w, has_cost, has_qty)
        } else {
            stage_query(w, has_cost, has_qty)
        },
        nfc,
    })
}

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Customer => "customer",
        Role::Date => "date",
        Role::Amount => "amount",
        Role::Quantity => "quantity",
        Role::Price => "price",
        Role::Cost => "cost",
        Role::Margin => "margin",
        Role::Order => "ord",
        Role::Currency => "currency",
        Role::Group => "grp",
    }
}

fn check(what: &str, bad: &str, shown: &str) -> Check {
    Check {
        what: what.to_string(),
        count: format!("count_if({bad})"),
        example: format!("min(CASE WHEN {bad} THEN {shown} END)"),
    }
}

/// The views from the read cells to the customer days and the purchase gaps.
/// With `grouped`, the days are a group's customer's (`grp`, as the local stage keys them).
fn stage_views(d: &Decisions, w: Window, cost: bool, qty: bool, grouped: bool) -> Vec<String> {
    let (keys, grp) = if grouped {
        ("grp, customer", "grp_t AS grp, ")
    } else {
        ("customer", "")
    };
    let mut keep = vec![
        "customer IS NOT NULL".to_string(),
        format!("day_date <= {}", date(w.as_of)),
    ];
    if let Some(s) = w.since {
        keep.push(format!("day_date >= {}", date(s)));
    }
    if d.returns == Returns::Exclude {
        keep.push("cents >= 0".into());
    }
    fn extra(c: bool, sql: &'static str) -> &'static str {
        if c {
            sql
        } else {
            ""
        }
    }
    let lines = format!(
        "CREATE OR REPLACE TEMPORARY VIEW tier_lines AS SELECT {grp}customer, \
         datediff(day_date, DATE'1970-01-01') AS day, cents{}{} FROM tier_cells WHERE {}",
        extra(cost, ", cost"),
        extra(qty, ", qty"),
        keep.join(" AND ")
    );
    let days = format!(
        "CREATE OR REPLACE TEMPORARY VIEW tier_days AS SELECT *, \
         datediff(CASE WHEN lpd = last_day(lpd) THEN last_day(add_months(lpd, -12)) \
         ELSE add_months(lpd, -12) END, DATE'1970-01-01') AS ly FROM (SELECT *, \
         date_add(DATE'1970-01-01', lp) AS lpd FROM (SELECT *, \
         min(CASE WHEN bought THEN day END) OVER (PARTITION BY {keys}) AS fp, \
         max(CASE WHEN bought THEN day END) OVER (PARTITION BY {keys}) AS lp FROM (\
         SELECT {keys}, day, sum(cents) AS cents, min(cents) AS smallest{}{}, \
         sum(cents) > 0 OR (sum(cents) = 0 AND min(cents) >= 0) AS bought \
         FROM tier_lines GROUP BY {keys}, day)))",
        extra(cost, ", sum(cost) AS cost"),
        extra(qty, ", sum(qty) AS qty"),
    );
    let gaps = "CREATE OR REPLACE TEMPORARY VIEW tier_gaps AS SELECT customer, \
         percentile(gap, 0.5) AS median_gap FROM (SELECT customer, \
         day - lag(day) OVER (PARTITION BY customer ORDER BY day) AS gap \
         FROM tier_days WHERE bought) WHERE gap IS NOT NULL GROUP BY customer"
        .to_string();
    vec![lines, days, gaps]
}

/// The grouped stage table: one customer row per group and customer (what `classify --group`
/// reads), with the window on every row.
fn grouped_query(w: Window, cost: bool, qty: bool) -> String {
    let epoch = "DATE'1970-01-01'";
    let mut cols = vec![
        "grp AS `group`".to_string(),
        "customer".into(),
        "sum(cents) AS net_cents".into(),
    ];
    if cost {
        cols.push("sum(cost) AS cost_cents".into());
    }
    if qty {
        cols.push("sum(qty) AS quantity_milli".into());
    }
    cols.extend([
        "count_if(bought) AS purchases".to_string(),
        format!("date_add({epoch}, min(fp)) AS first_purchase"),
        format!("date_add({epoch}, min(lp)) AS last_purchase"),
        format!("date_add({epoch}, max(day)) AS last_line"),
        "coalesce(sum(CASE WHEN bought THEN cents END), 0) AS purchase_cents".into(),
        "coalesce(sum(CASE WHEN day = fp THEN cents END), 0) AS first_purchase_cents".into(),
        format!(
            "{VERSION} AS stage_version, {} AS stage_as_of, {} AS stage_since, {} AS stage_holdout",
            date(w.as_of),
            w.since.map_or("CAST(NULL AS DATE)".into(), date),
            date(w.holdout)
        ),
    ]);
    format!(
        "SELECT {}\nFROM tier_days GROUP BY grp, customer",
        cols.join(",\n  ")
    )
}

/// The stage table: customer rows, then segment rows, with the window on every row.
fn stage_query(w: Window, cost: bool, qty: bool) -> String {
    let cal_end = w.holdout - 1;
    let epoch = "DATE'1970-01-01'";
    let meta = format!(
        "{VERSION} AS stage_version, {} AS stage_as_of, {} AS stage_since, {} AS stage_holdout",
        date(w.as_of),
        w.since.map_or("CAST(NULL AS DATE)".into(), date),
        date(w.holdout)
    );
    let mut customer = vec![
        "d.customer AS customer".to_string(),
        "CAST(NULL AS INT) AS segment".into(),
        "sum(d.cents) AS net_cents".into(),
    ];
    let mut segment = vec![
        "customer".to_string(),
        "segment".into(),
        "sum(cents) AS net_cents".into(),
    ];
    if cost {
        customer.push("sum(d.cost) AS cost_cents".into());
        segment.push("sum(cost) AS cost_cents".into());
    }
    if qty {
        customer.push("sum(d.qty) AS quantity_milli".into());
        segment.push("CAST(NULL AS BIGINT) AS quantity_milli".into());
    }
    let rest: [(&str, String, &str); 15] = [
        ("purchases", "count_if(bought)".into(), "BIGINT"),
        (
            "first_purchase",
            format!("date_add({epoch}, min(fp))"),
            "DATE",
        ),
        (
            "last_purchase",
            format!("date_add({epoch}, min(lp))"),
            "DATE",
        ),
        ("first_line", format!("date_add({epoch}, min(day))"), "DATE"),
        ("last_line", format!("date_add({epoch}, max(day))"), "DATE"),
        (
            "purchase_cents",
            "coalesce(sum(CASE WHEN bought THEN d.cents END), 0)".into(),
            "BIGINT",
        ),
        (
            "first_purchase_cents",
            "coalesce(sum(CASE WHEN day = fp THEN d.cents END), 0)".into(),
            "BIGINT",
        ),
        ("line_days", "count(*)".into(), "BIGINT"),
        ("smallest", "min(smallest)".into(), "BIGINT"),
        ("median_gap", "min(g.median_gap)".into(), "DOUBLE"),
        (
            "active_year_cents",
            "CASE WHEN min(lp) IS NULL THEN NULL ELSE \
             sum(CASE WHEN day > ly AND day <= lp THEN d.cents ELSE 0 END) END"
                .into(),
            "BIGINT",
        ),
        (
            "calibration_purchases",
            format!("count_if(bought AND day <= {cal_end})"),
            "BIGINT",
        ),
        (
            "calibration_last_purchase",
            format!("date_add({epoch}, max(CASE WHEN bought AND day <= {cal_end} THEN day END))"),
            "DATE",
        ),
        (
            "calibration_purchase_cents",
            format!("coalesce(sum(CASE WHEN bought AND day <= {cal_end} THEN d.cents END), 0)"),
            "BIGINT",
        ),
        (
            "holdout_days",
            format!(
                "array_sort(collect_list(CASE WHEN bought AND day > {cal_end} \
                 THEN day - {cal_end} END))"
            ),
            "ARRAY<INT>",
        ),
    ];
    for (name, sql, kind) in &rest {
        customer.push(format!("{sql} AS {name}"));
        segment.push(format!("CAST(NULL AS {kind}) AS {name}"));
    }
    customer.push(meta.clone());
    segment.push(meta);
    let months = "CAST(2 * (year(date_add(DATE'1970-01-01', day)) * 12 \
                  + month(date_add(DATE'1970-01-01', day)) - 1) AS INT)";
    let half = half_sql(w.as_of);
    format!(
        "SELECT {}\nFROM tier_days d LEFT JOIN tier_gaps g ON d.customer = g.customer \
         GROUP BY d.customer\nUNION ALL\nSELECT {}\nFROM (SELECT *, {months} + {half} AS segment \
         FROM tier_days) GROUP BY customer, segment",
        customer.join(",\n  "),
        segment.join(",\n  ")
    )
}

/// The half-month of a day (`analysis::seam::half`): 1 after the as-of date's day of the
/// month, never as of a month's last day.
fn half_sql(as_of: i32) -> String {
    use crate::analysis::periods::{day_of_month, is_month_end};
    if is_month_end(as_of) {
        "0".into()
    } else {
        format!(
            "CASE WHEN dayofmonth(date_add(DATE'1970-01-01', day)) > {} THEN 1 ELSE 0 END",
            day_of_month(as_of)
        )
    }
}

/// How the source is read, for the job's header comment and `--explain`.
pub fn describe(source: &Source) -> String {
    match source {
        Source::Files {
            uri,
            delimiter: Some(c),
        } => format!(
            "CSV files {} (delimiter {})",
            lit(uri),
            lit(&(*c as char).to_string())
        ),
        Source::Files { uri, .. } => format!("Parquet files {}", lit(uri)),
        Source::Table(t) => format!("the table {t}"),
    }
}

/// The job's header: what tier decided from the sample, and the window.
pub fn header(d: &Decisions, w: Window, files: &[String]) -> Vec<String> {
    let mut out = vec![format!(
        "The stage of tier {} (stage table version {VERSION}), as decided from {}:",
        env!("CARGO_PKG_VERSION"),
        files
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )];
    for (role, name) in &d.columns {
        out.push(format!("  {role}: `{name}`"));
    }
    out.push(format!("  dates: {}", dates_read(d)));
    out.push(format!(
        "  window: {} .. {}, CLV holdout from {}; returns: {}",
        w.since.map_or("the first date".into(), iso_date),
        iso_date(w.as_of),
        iso_date(w.holdout),
        match d.returns {
            Returns::Net => "netted",
            Returns::Exclude => "excluded",
        }
    ));
    out
}

/// What the job reads as dates (a subset of what tier reads: no month names).
fn dates_read(d: &Decisions) -> String {
    use crate::input::{DateFormat, DayOrder, DATE_SEPARATORS};
    if d.typed_date {
        return "typed (a date, or a timestamp's UTC date)".into();
    }
    match &d.formats.date {
        DateFormat::Forced(f) => format!("`{f}` (from --date-format)"),
        DateFormat::Auto(orders) => {
            let mut forms = vec!["YYYY-MM-DD (or / or .)".to_string(), "YYYYMMDD".into()];
            for (o, sep) in orders.0.iter().zip(DATE_SEPARATORS) {
                match o {
                    Some(DayOrder::DayFirst) => forms.push(format!("D{sep}M{sep}YYYY")),
                    Some(DayOrder::MonthFirst) => forms.push(format!("M{sep}D{sep}YYYY")),
                    None => {}
                }
            }
            format!(
                "{}, a time after the date ignored (dates with month names fail the job)",
                forms.join(", ")
            )
        }
    }
}
