//! Draws purchase histories from a BG/NBD process with known parameters, for the parameter
//! recovery test and the fitting benchmark. Its own small PRNG (SplitMix64) keeps it
//! deterministic and dependency-free.

use super::bgnbd::Params;

/// SplitMix64.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on (0, 1).
    pub fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        (-2.0 * self.unit().ln()).sqrt() * (2.0 * std::f64::consts::PI * self.unit()).cos()
    }

    /// Gamma(shape, rate) by Marsaglia and Tsang, with the boost for shape < 1.
    pub fn gamma(&mut self, shape: f64, rate: f64) -> f64 {
        if shape < 1.0 {
            return self.gamma(shape + 1.0, rate) * self.unit().powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let z = self.normal();
            let v = (1.0 + c * z).powi(3);
            if v > 0.0 && self.unit().ln() < 0.5 * z * z + d - d * v + d * v.ln() {
                return d * v / rate;
            }
        }
    }

    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a, 1.0);
        x / (x + self.gamma(b, 1.0))
    }
}

/// One customer observed for `t` units after its first purchase: (x, t_x, T).
pub fn customer(rng: &mut Rng, p: &Params, t: f64) -> (f64, f64, f64) {
    let lambda = p.r.max(1e-12);
    let lambda = rng.gamma(lambda, p.alpha);
    let drop = rng.beta(p.a, p.b);
    let (mut now, mut x, mut t_x) = (0.0, 0.0, 0.0);
    loop {
        now += -rng.unit().ln() / lambda;
        if now > t {
            return (x, t_x, t);
        }
        x += 1.0;
        t_x = now;
        if rng.unit() < drop {
            return (x, t_x, t);
        }
    }
}

/// `n` customers whose ages are spread evenly over `[t_min, t_max]`.
pub fn customers(seed: u64, p: &Params, n: usize, t_min: f64, t_max: f64) -> Vec<(f64, f64, f64)> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|i| {
            let t = t_min + (t_max - t_min) * (i as f64 + 0.5) / n as f64;
            customer(&mut rng, p, t)
        })
        .collect()
}
