//! Every pattern of docs/ODD.md section 9 on the built-in scenario (optionally with overrides),
//! with the numbers behind each verdict:
//! `cargo run --release -p xietong-sim --example patterns -- [RUNS] [SEED] [PATH=VALUE]...`

use xietong_sim::patterns::Probe;

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    let runs: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(40);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let base: Vec<String> = args.collect();
    let probe = Probe::new(base, seed, runs);
    let only = std::env::var("PATTERNS").ok();
    let all = [
        "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "P11", "P12", "P13",
    ];
    for id in all {
        if only
            .as_deref()
            .is_some_and(|o| !o.split(',').any(|x| x == id))
        {
            continue;
        }
        let v = match id {
            "P1" => probe.p1(),
            "P2" => probe.p2(),
            "P3" => probe.p3(),
            "P4" => probe.p4(),
            "P5" => probe.p5(),
            "P6" => probe.p6(),
            "P7" => probe.p7(),
            "P8" => probe.p8(),
            "P9" => probe.p9(),
            "P11" => probe.p11(),
            "P12" => probe.p12(),
            _ => probe.p13(),
        };
        println!("{} {}", v.id, if v.holds { "holds" } else { "FAILS" });
        for (name, value) in &v.measured {
            println!("    {name} = {value:.4}");
        }
        for f in &v.failed {
            println!("    failed: {f}");
        }
    }
}
