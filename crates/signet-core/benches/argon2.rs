//! `cargo bench -p signet-core`: Argon2id at the default cost (m=19456 KiB, t=2, p=1), as one
//! hashing worker computes it (reused working memory).

use criterion::{criterion_group, criterion_main, Criterion};
use signet_core::{HashMemory, HashParams, Password, PasswordHasher, Pepper};

fn bench(c: &mut Criterion) {
    let hasher = PasswordHasher::new(HashParams::default(), vec![Pepper::new("p1", vec![7; 32])]).expect("hasher");
    let password = Password::new("correct horse battery staple");
    let mut mem = HashMemory::new();
    let record = hasher.hash_with(&password, &mut mem).expect("hash");
    let mut group = c.benchmark_group("argon2id_default");
    group.sample_size(20);
    group.bench_function("hash", |b| b.iter(|| hasher.hash_with(&password, &mut mem).expect("hash")));
    group.bench_function("verify", |b| b.iter(|| hasher.verify_with(&record, &password, &mut mem).expect("verify")));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
