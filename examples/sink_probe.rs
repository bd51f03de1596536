//! Peak memory of streaming the canonical transactions through a callback that only counts
//! rows: `cargo run --profile ci --example sink_probe -- FILE` (what polars itself holds while
//! the stage runs).
#![allow(clippy::print_stdout)]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use polars::prelude::*;
use std::sync::{Arc, Mutex};
use tier::input::{self, col as canon, InputOptions};
fn main() -> anyhow::Result<()> {
    let file = std::env::args().nth(1).expect("usage: sink_probe FILE");
    let opts = InputOptions {
        files: vec![file],
        ..Default::default()
    };
    let tx = input::scan(&opts)?.frame()?;
    let rows = Arc::new(Mutex::new(0usize));
    let seen = rows.clone();
    let cb = PlanCallback::new(move |df: DataFrame| {
        *seen.lock().expect("not poisoned") += df.height();
        Ok(false)
    });
    tx.select([col(canon::CUSTOMER), col(canon::DATE), col(canon::AMOUNT)])
        .sink_batches(cb, true, None)?
        .collect_with_engine(Engine::Streaming)?;
    println!("{} rows", rows.lock().expect("not poisoned"));
    Ok(())
}
