//! In-process check latency (issue 20's bar: 1M tuples across 1,000 organizations, depth ≤ 4,
//! warm: p50 ≤ 5 µs, p99 ≤ 25 µs). `cargo bench -p signet-authz --bench check [-- ORGS]`.
//!
//! Each organization: 100 users, 10 groups of 10, 50 folders (10 top, 40 nested under them),
//! 300 documents in those folders with an editor each, a few bans — about 1,000 tuples. Checks
//! ask `document:…#view` for users of the same organization (allowed and denied mixed, through
//! editors, groups, parent folders and the organization's admins).

use std::time::{Duration, Instant};

use signet_authz::{Context, Decision, Engine, Object, Schema, Subject, Tuple};

/// The model, shared with `bench/cedar` and `bench/authz_seed.py`.
const SCHEMA: &str = include_str!("model.schema");

/// xorshift64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn t(s: String) -> Tuple {
    Tuple::parse(&s).unwrap_or_else(|e| unreachable(&format!("{s}: {e}")))
}

fn unreachable(msg: &str) -> ! {
    eprintln!("{msg}");
    std::process::exit(1)
}

fn load(orgs: usize, rng: &mut Rng) -> Vec<Tuple> {
    let mut out = Vec::with_capacity(orgs * 1_050);
    for o in 0..orgs {
        let u = |i: usize| format!("user:o{o}u{i}");
        out.push(t(format!("organization:o{o}#admin@{}", u(0))));
        for g in 0..10 {
            for m in 0..10 {
                out.push(t(format!("group:o{o}g{g}#member@{}", u(g * 10 + m))));
            }
        }
        for f in 0..50 {
            out.push(t(format!("folder:o{o}f{f}#org@organization:o{o}")));
            out.push(t(format!("folder:o{o}f{f}#owner@{}", u(rng.below(100)))));
            out.push(t(format!("folder:o{o}f{f}#viewer@group:o{o}g{}#member", rng.below(10))));
            out.push(t(format!("folder:o{o}f{f}#viewer@{}", u(rng.below(100)))));
            if f >= 10 {
                out.push(t(format!("folder:o{o}f{f}#parent@folder:o{o}f{}", f % 10)));
            }
        }
        for d in 0..300 {
            out.push(t(format!("document:o{o}d{d}#parent@folder:o{o}f{}", rng.below(50))));
            out.push(t(format!("document:o{o}d{d}#editor@{}", u(rng.below(100)))));
        }
        for b in 0..20 {
            out.push(t(format!("document:o{o}d{}#banned@{}", b * 15, u(rng.below(100)))));
        }
    }
    out
}

fn main() {
    let orgs: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000);
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let schema = Schema::parse(SCHEMA).unwrap_or_else(|e| unreachable(&e.to_string()));
    let tuples = load(orgs, &mut rng);
    let mut engine = Engine::new(schema);
    let started = Instant::now();
    for tu in tuples {
        engine.write(tu).unwrap_or_else(|e| unreachable(&e.to_string()));
    }
    let load_time = started.elapsed();
    let queries: Vec<(Object, Subject)> = (0..100_000)
        .map(|_| {
            let o = rng.below(orgs);
            let object = Object { typ: "document".into(), id: format!("o{o}d{}", rng.below(300)) };
            let subject = Subject { typ: "user".into(), id: format!("o{o}u{}", rng.below(100)), relation: None };
            (object, subject)
        })
        .collect();
    let ctx = Context::at(0);
    // Warm up, then time every check.
    let mut allowed = 0usize;
    for (o, s) in &queries {
        if engine.check(o, "view", s, &ctx) == Ok(Decision::Allow) {
            allowed += 1;
        }
    }
    let mut times: Vec<Duration> = Vec::with_capacity(queries.len());
    for (o, s) in &queries {
        let t0 = Instant::now();
        let d = engine.check(o, "view", s, &ctx);
        times.push(t0.elapsed());
        std::hint::black_box(d).ok();
    }
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    let total: Duration = times.iter().sum();
    println!(
        "tuples {} (orgs {orgs}) · load {:.2} s · checks {} ({:.0}% allowed) · p50 {:.2} µs · p99 {:.2} µs · mean {:.2} µs · {:.0} checks/s on one core",
        engine.len(),
        load_time.as_secs_f64(),
        times.len(),
        100.0 * allowed as f64 / queries.len() as f64,
        pct(0.50).as_nanos() as f64 / 1000.0,
        pct(0.99).as_nanos() as f64 / 1000.0,
        total.as_nanos() as f64 / times.len() as f64 / 1000.0,
        times.len() as f64 / total.as_secs_f64(),
    );
}
