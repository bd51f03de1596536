//! Generates synthetic sales exports for the benchmarks: `cargo run --profile ci --example gen_bench
//! -- ROWS OUT.csv [OUT.parquet]`. Columns `order_id, customer_id, order_date, amount, quantity,
//! region`, one line per order, sorted by date as real exports are. Customers follow a
//! buy-till-you-die process: each arrives on a uniform day of three years, buys at a
//! Gamma-distributed daily rate and, after each purchase, drops out with a Beta-distributed
//! probability; spend per customer is log-normal (heavy-tailed), per order log-normal around it;
//! about 1% of lines are returns. About 6.5 lines per customer (10M rows: about 1.5M customers).
//! Deterministic: a fixed seed, so the same ROWS give the same file.

#![allow(clippy::print_stderr)]

use polars::prelude::*;
use std::fs::File;
use std::io::{BufWriter, Write};

const DAYS: u32 = 1096; // 2022-01-01 .. 2024-12-31
const EPOCH_2022: i32 = 18993; // 2022-01-01 in days since 1970-01-01

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit(), self.unit());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
    /// Gamma(shape, 1) by Marsaglia and Tsang.
    fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            return self.gamma(shape + 1.0) * self.unit().powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v > 0.0 && self.unit().ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }
    fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        x / (x + self.gamma(b))
    }
}

/// One order line before it is written.
#[derive(Clone, Copy)]
struct Line {
    customer: u32,
    day: u16,
    cents: i32,
    quantity: u8,
}

/// Lines of one customer: purchases from its arrival until it drops out or time ends.
fn customer(rng: &mut Rng, id: u32, out: &mut Vec<Line>) {
    let arrival = (rng.unit() * DAYS as f64) as u32;
    let rate = rng.gamma(0.9) / 25.0; // purchases per day, mean 0.036
    let drop = rng.beta(1.0, 4.8);
    let spend = (3.6 + 1.1 * rng.normal()).exp(); // mean spend per order, heavy-tailed
    let mut day = arrival as f64;
    loop {
        let cents = (spend * (0.5 * rng.normal()).exp() * 100.0)
            .round()
            .min(1e8) as i32;
        let quantity = 1 + (rng.unit() * 5.0) as u8;
        let sign = if rng.unit() < 0.01 { -1 } else { 1 };
        out.push(Line {
            customer: id,
            day: day as u16,
            cents: sign * cents.max(1),
            quantity,
        });
        if rng.unit() < drop {
            return;
        }
        day += -rng.unit().ln() / rate.max(1e-6);
        if day >= DAYS as f64 {
            return;
        }
    }
}

fn generate(rows: usize) -> Vec<Line> {
    let mut rng = Rng(20_261_123);
    let mut lines = Vec::with_capacity(rows + 64);
    let mut id = 0u32;
    while lines.len() < rows {
        customer(&mut rng, id, &mut lines);
        id += 1;
    }
    lines.truncate(rows);
    // Sorted by date as exports are; a stable sort keeps each day's lines in customer order,
    // which is then shuffled within the day by a hash so that a day is not grouped by customer.
    lines.sort_by_key(|l| {
        (
            l.day,
            (l.customer as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40,
        )
    });
    lines
}

const REGIONS: [&str; 5] = ["North", "South", "East", "West", "Central"];

fn iso(day: u16) -> String {
    let d = chrono::NaiveDate::from_num_days_from_ce_opt(719_163 + EPOCH_2022 + day as i32)
        .expect("valid date");
    d.format("%Y-%m-%d").to_string()
}

fn write_csv(lines: &[Line], path: &str) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    writeln!(w, "order_id,customer_id,order_date,amount,quantity,region")?;
    let days: Vec<String> = (0..DAYS as u16).map(iso).collect();
    for (i, l) in lines.iter().enumerate() {
        let sign = if l.cents < 0 { "-" } else { "" };
        let c = l.cents.unsigned_abs();
        writeln!(
            w,
            "{},{},{},{sign}{}.{:02},{},{}",
            10_000_000 + i,
            100_000 + l.customer,
            days[l.day as usize],
            c / 100,
            c % 100,
            l.quantity,
            REGIONS[(l.customer % 5) as usize]
        )?;
    }
    w.flush()
}

fn write_parquet(lines: &[Line], path: &str) -> PolarsResult<()> {
    let file = File::create(path)?;
    let mut writer: Option<polars::io::parquet::write::BatchedWriter<File>> = None;
    let mut file = Some(file);
    for (k, chunk) in lines.chunks(1 << 20).enumerate() {
        let base = k << 20;
        let mut df = df!(
            "order_id" => (0..chunk.len()).map(|i| (10_000_000 + base + i) as i64).collect::<Vec<_>>(),
            "customer_id" => chunk.iter().map(|l| 100_000 + l.customer as i64).collect::<Vec<_>>(),
            "order_date" => chunk.iter().map(|l| EPOCH_2022 + l.day as i32).collect::<Vec<_>>(),
            "amount" => chunk.iter().map(|l| l.cents as f64 / 100.0).collect::<Vec<_>>(),
            "quantity" => chunk.iter().map(|l| l.quantity as i64).collect::<Vec<_>>(),
            "region" => chunk.iter().map(|l| REGIONS[(l.customer % 5) as usize]).collect::<Vec<_>>(),
        )?;
        df.apply("order_date", |c| {
            c.cast(&DataType::Date).expect("days cast to dates")
        })?;
        if writer.is_none() {
            let f = file.take().expect("one file");
            writer = Some(ParquetWriter::new(f).batched(df.schema())?);
        }
        writer.as_mut().expect("writer").write_batch(&df)?;
    }
    writer.expect("at least one batch").finish()?;
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: gen_bench ROWS OUT.csv [OUT.parquet]");
        std::process::exit(2);
    }
    let rows: usize = args[1].replace('_', "").parse().expect("ROWS is a number");
    let lines = generate(rows);
    let customers = lines.iter().map(|l| l.customer).max().map_or(0, |m| m + 1);
    eprintln!("{} rows, about {customers} customers", lines.len());
    write_csv(&lines, &args[2]).expect("CSV written");
    if let Some(p) = args.get(3) {
        write_parquet(&lines, p).expect("Parquet written");
    }
}
