//! Benchmark: 1,000,000 respondents × 50 five-point items through descriptives, Student/Welch
//! t-tests with Levene (2 provinces), one-way ANOVA with Welch, Brown-Forsythe, Levene and Tukey
//! HSD (7 zones), and Cronbach's α / ω over all 50 items.
//!
//!     cargo run --release -p xietong-survey --example bench_survey -- [respondents] [items]
//!
//! Items are analysed in parallel (rayon, results in item order). Data generation is not timed.

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use xietong_survey::stats::{anova, describe, reliability, ttest};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let k: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(50);
    let t0 = Instant::now();
    let mut rng = Pcg64::seed_from_u64(7);
    let zone: Vec<u8> = (0..n).map(|_| rng.random_range(0..7u8)).collect();
    let province: Vec<u8> = zone.iter().map(|&z| u8::from(z >= 3)).collect();
    let latent: Vec<f64> = (0..n).map(|_| rng.random::<f64>() * 2.0 - 1.0).collect();
    let items: Vec<Vec<f64>> = (0..k)
        .map(|_| {
            latent
                .iter()
                .zip(&zone)
                .map(|(l, z)| {
                    let v = 3.0 + 1.2 * l + 0.1 * *z as f64 + (rng.random::<f64>() - 0.5) * 2.0;
                    v.round().clamp(1.0, 5.0)
                })
                .collect()
        })
        .collect();
    let generation = t0.elapsed();
    eprintln!(
        "generated {n} × {k} in {:.2} s (not timed below)",
        generation.as_secs_f64()
    );

    let t = Instant::now();
    let desc: Vec<_> = items
        .par_iter()
        .map(|x| describe::describe(x, 0.95).unwrap())
        .collect();
    let t_desc = t.elapsed();

    let t = Instant::now();
    let tt: Vec<_> = items
        .par_iter()
        .map(|x| {
            let (mut a, mut b) = (Vec::with_capacity(n / 2), Vec::with_capacity(n / 2));
            for (v, p) in x.iter().zip(&province) {
                if *p == 0 { a.push(*v) } else { b.push(*v) }
            }
            ttest::ttest_ind(&a, &b, 0.95, false).unwrap()
        })
        .collect();
    let t_tt = t.elapsed();

    let t = Instant::now();
    let labels: Vec<String> = (1..=7).map(|z| format!("z{z}")).collect();
    let tukey_ns = AtomicU64::new(0);
    let an: Vec<_> = items
        .par_iter()
        .map(|x| {
            let mut g: Vec<Vec<f64>> = vec![Vec::with_capacity(n / 6); 7];
            for (v, z) in x.iter().zip(&zone) {
                g[*z as usize].push(*v);
            }
            let r: Vec<&[f64]> = g.iter().map(|v| v.as_slice()).collect();
            (
                anova::oneway(&r).unwrap(),
                anova::welch(&r).unwrap(),
                anova::brown_forsythe(&r).unwrap(),
                ttest::levene(&r, false).unwrap(),
                {
                    let t = Instant::now();
                    let tk = anova::tukey(&r, &labels).unwrap();
                    tukey_ns.fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
                    tk
                },
            )
        })
        .collect();
    let t_an = t.elapsed();

    let t = Instant::now();
    let names: Vec<String> = (1..=k).map(|i| format!("item{i}")).collect();
    let cols: Vec<&[f64]> = items.iter().map(|c| c.as_slice()).collect();
    let rel = reliability::reliability_columns(&names, &cols).unwrap();
    let t_rel = t.elapsed();

    let total = t_desc + t_tt + t_an + t_rel;
    println!(
        "respondents {n}, items {k}, threads {}",
        rayon::current_num_threads()
    );
    println!(
        "descriptives (n, mean, SD, SE, CI, median)     {:8.3} s",
        t_desc.as_secs_f64()
    );
    println!(
        "t-tests (Student, Welch, Levene, d, g)         {:8.3} s",
        t_tt.as_secs_f64()
    );
    println!(
        "ANOVA (F, η², Welch, B-F, Levene, Tukey 7 grp) {:8.3} s",
        t_an.as_secs_f64()
    );
    println!(
        "  of which Tukey HSD (21 studentized-range p per item), summed over threads {:8.3} s",
        tukey_ns.load(Ordering::Relaxed) as f64 * 1e-9
    );
    println!(
        "reliability (α, std α, α-if-deleted, r, ω)    {:8.3} s",
        t_rel.as_secs_f64()
    );
    println!(
        "total                                          {:8.3} s",
        total.as_secs_f64()
    );
    println!(
        "check: mean[0] {:.4}, t[0] {:.3}, F[0] {:.1}, tukey p[0] {:.3e}, alpha {:.4}, omega {:.4}",
        desc[0].mean,
        tt[0].student.t,
        an[0].0.f,
        an[0].4[0].p,
        rel.alpha,
        rel.omega.unwrap_or(f64::NAN)
    );
}
