//! Where the time of `tier classify` goes, stage by stage, on one file:
//! `cargo run --profile ci --example stage_timing -- FILE`. Prints the time of the probe, of the
//! direct CSV reader's stage, of the byte check polars' reader needs, of scanning and parsing every row, of the per-customer stage (the engine, and the plain
//! polars plan of the same table),
//! and for comparison of a bare sum per customer (what a hand-written ABC query does).

#![allow(clippy::print_stdout)]

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use polars::prelude::*;
use std::time::Instant;
use tier::analysis::{customers, stage};
use tier::input::{self, col as canon, InputOptions};

fn timed<T>(what: &str, f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    let t = Instant::now();
    let out = f()?;
    println!("{what:<48} {:>8.2?}", t.elapsed());
    Ok(out)
}

fn main() -> anyhow::Result<()> {
    let file = std::env::args().nth(1).expect("usage: stage_timing FILE");
    let opts = InputOptions {
        files: vec![file],
        ..Default::default()
    };
    let mut scanned = timed("probe, header, formats", || input::scan(&opts))?;
    timed("per-customer stage (the direct CSV reader)", || {
        Ok(scanned
            .direct_stage(None, None, stage::Want::default())?
            .map(|s| s.customers))
    })?;
    if std::env::var_os("DIRECT_ONLY").is_some() {
        return Ok(());
    }
    let mut scanned = input::scan(&opts)?;
    let tx = timed("the byte check before polars reads", || scanned.frame())?;
    timed("scan and parse every row", || {
        Ok(customers::run(tx.clone().select([len()]))?)
    })?;
    timed("per-customer stage (the stage engine)", || {
        Ok(stage::run(tx.clone(), stage::Want::default())?.customers)
    })?;
    timed("per-customer stage and customer days", || {
        let want = stage::Want {
            grouped: false,
            days: true,
            quantities: true,
        };
        Ok(stage::run(tx.clone(), want)?.days)
    })?;
    timed(
        "the same as a plain polars plan (days, then customers)",
        || Ok(customers::run(customers::plan(tx.clone(), false)?)?),
    )?;
    timed("for comparison: a bare sum per customer", || {
        Ok(customers::run(
            tx.clone()
                .group_by([col(canon::CUSTOMER)])
                .agg([col(canon::AMOUNT).sum()]),
        )?)
    })?;
    Ok(())
}
