//! Generates `sample-data/sales.csv`: a realistic small shop export (orders over two years, a few
//! hundred customers with very unequal spend, returns as negative credit lines, and two lines
//! without a customer id). Deterministic: a fixed seed and its own small PRNG, so the file is
//! byte-identical on every run. Run: `cargo run --profile ci --example gen_sample`.

#![allow(clippy::print_stderr)]

use std::fmt::Write as _;

/// SplitMix64: tiny, well-known, good enough for sample data.
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
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit().max(1e-12), self.unit());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }
}

const FIRST: [&str; 16] = [
    "Anna", "Ben", "Clara", "David", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kaori",
    "Luis", "Mira", "Noah", "Olga", "Pavel",
];
const LAST: [&str; 12] = [
    "Meyer", "Okafor", "Rossi", "Schmidt", "Nguyen", "Silva", "Kowalski", "Haddad", "Berg", "Lund",
    "Tanaka", "Costa",
];
const REGIONS: [&str; 4] = ["North", "South", "East", "West"];
const SKUS: [(&str, f64, f64); 8] = [
    ("TEA-100", 6.90, 3.10),
    ("TEA-250", 14.50, 6.80),
    ("COF-500", 12.90, 7.40),
    ("COF-1K", 23.50, 13.90),
    ("MUG-01", 9.00, 2.60),
    ("PRS-02", 34.00, 15.50),
    ("GRN-03", 79.00, 41.00),
    ("GFT-BOX", 45.00, 22.00),
];

#[derive(Clone)]
struct Line {
    day: u32,
    order: String,
    customer: String,
    name: String,
    region: &'static str,
    channel: &'static str,
    sku: &'static str,
    qty: i64,
    price: f64,
    cost: f64,
}

fn date(day: u32) -> String {
    // Day 0 is 2024-01-01; 2024 is a leap year.
    let months = [
        31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
        31,
    ];
    let (mut d, mut m) = (day, 0);
    while d >= months[m] {
        d -= months[m];
        m += 1;
    }
    format!("{}-{:02}-{:02}", 2024 + m / 12, m % 12 + 1, d + 1)
}

fn customer_lines(rng: &mut Rng, i: usize, lines: &mut Vec<Line>, next_order: &mut u32) {
    let id = format!("C{}", 1000 + i);
    let name = format!(
        "{} {}",
        FIRST[rng.below(FIRST.len())],
        LAST[rng.below(LAST.len())]
    );
    let region = REGIONS[rng.below(REGIONS.len())];
    let wholesale = rng.unit() < 0.08;
    let channel = if wholesale {
        "Wholesale"
    } else if rng.unit() < 0.7 {
        "Online"
    } else {
        "Retail"
    };
    let start = rng.below(620) as f64;
    let end = (start + rng.exponential(420.0)).min(730.0);
    let mean_gap = (3.6 + 0.9 * rng.normal()).exp().clamp(7.0, 400.0);
    let size = if wholesale { 8.0 } else { 1.0 } * (0.6 * rng.normal()).exp();
    let mut day = start;
    while day <= end {
        let order = format!("SO-{next_order:05}");
        *next_order += 1;
        for _ in 0..1 + rng.below(3) {
            let (sku, price, cost) = SKUS[rng.below(SKUS.len())];
            let qty = (size * (1.0 + rng.exponential(1.0))).round().max(1.0) as i64;
            let line = Line {
                day: day as u32,
                order: order.clone(),
                customer: id.clone(),
                name: name.clone(),
                region,
                channel,
                sku,
                qty,
                price,
                cost,
            };
            if rng.unit() < 0.03 {
                // A credit note a few days later for part of the line.
                let mut credit = line.clone();
                credit.day = (line.day + 3 + rng.below(20) as u32).min(730);
                credit.order = format!("CR-{next_order:05}");
                credit.qty = -(1 + rng.below(qty as usize) as i64);
                lines.push(credit);
            }
            lines.push(line);
        }
        day += rng.exponential(mean_gap);
    }
}

fn main() {
    let mut rng = Rng(20240101);
    let mut lines = Vec::new();
    let mut next_order = 10001;
    for i in 1..=300 {
        customer_lines(&mut rng, i, &mut lines, &mut next_order);
    }
    // Two lines of a walk-in sale nobody recorded a customer for.
    for k in [0usize, 1] {
        let mut l = lines[100 + k * 900].clone();
        l.customer.clear();
        l.name.clear();
        l.order = format!("SO-9000{k}");
        lines.push(l);
    }
    lines.sort_by(|a, b| (a.day, &a.order, a.sku).cmp(&(b.day, &b.order, b.sku)));
    let mut out = String::from("Order ID,Order Date,Customer ID,Customer Name,Region,Channel,SKU,Quantity,Unit Price,Line Total,Unit Cost\n");
    for l in &lines {
        let total = l.qty as f64 * l.price;
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{:.2},{:.2},{:.2}",
            l.order,
            date(l.day),
            l.customer,
            l.name,
            l.region,
            l.channel,
            l.sku,
            l.qty,
            l.price,
            total,
            l.cost
        )
        .unwrap();
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/sales.csv");
    std::fs::write(&path, out).expect("write sample-data/sales.csv");
    eprintln!("wrote {} lines to {}", lines.len(), path.display());
}
