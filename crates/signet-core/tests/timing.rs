//! Timing at production Argon2 parameters: an unknown account, and an imported legacy hash,
//! must cost what a real verification costs, or response times tell which emails exist or
//! were imported (OWASP Authentication Cheat Sheet, "Authentication Responses").

use signet_core::{HashParams, Password, PasswordHasher, PasswordRecord, Pepper};

fn hasher(params: HashParams, peppers: &[&str]) -> PasswordHasher {
    let p = peppers.iter().map(|id| Pepper::new(*id, id.as_bytes().repeat(8))).collect();
    PasswordHasher::new(params, p).expect("valid params")
}

fn cheap() -> HashParams {
    HashParams { memory_kib: 64, iterations: 1, parallelism: 1 }
}

/// The fastest of five runs each of `a` and `b`, taken in turns so both see the same load;
/// the timing tests hold a lock so that they do not run beside each other.
fn min_times(a: &dyn Fn(), b: &dyn Fn()) -> (std::time::Duration, std::time::Duration) {
    static TIMING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = TIMING.lock().unwrap_or_else(|p| p.into_inner());
    let time = |f: &dyn Fn()| {
        let t = std::time::Instant::now();
        f();
        t.elapsed()
    };
    let (mut ta, mut tb) = (std::time::Duration::MAX, std::time::Duration::MAX);
    for _ in 0..5 {
        ta = ta.min(time(a));
        tb = tb.min(time(b));
    }
    (ta, tb)
}

#[test]
fn dummy_hash_work_really_done() {
    // Production parameters: the dummy verification for an unknown account must cost what
    // a real verification costs, or timing tells which accounts exist.
    let h = hasher(HashParams::default(), &["p1"]);
    let real = h.hash(&Password::new("secret")).expect("hash");
    let pw = Password::new("guess");
    let (known, unknown) = min_times(
        &|| {
            let _ = h.verify(&real, &pw);
        },
        &|| {
            h.verify_dummy(&pw);
        },
    );
    // Half is the margin for a loaded machine; a dummy that skips the work takes ~0.
    assert!(unknown * 2 >= known, "dummy {unknown:?} vs real {known:?}");
    assert!(unknown >= std::time::Duration::from_millis(2), "a full Argon2 run: {unknown:?}");
}

#[test]
fn legacy_hash_verification_costs_at_least_dummy() {
    // Production parameters: an unknown account costs one full Argon2 run (the dummy); an
    // imported bcrypt (cost 4) or cheap Argon2 hash must not be measurably faster, or
    // timing tells which emails were imported.
    let h = hasher(HashParams::default(), &["p1"]);
    let pw = Password::new("guess");
    let bcrypt_rec = PasswordRecord { hash: bcrypt::hash("secret", 4).expect("bcrypt"), pepper_id: None };
    let cheap_rec = hasher(cheap(), &["p1"]).hash(&Password::new("secret")).expect("hash");
    for rec in [&bcrypt_rec, &cheap_rec] {
        let (legacy, dummy) = min_times(
            &|| {
                let _ = h.verify(rec, &pw);
            },
            &|| {
                h.verify_dummy(&pw);
            },
        );
        // Without the padding a cost-4 bcrypt check is ~1/20 of the dummy's time.
        assert!(legacy * 2 >= dummy, "{}: {legacy:?} vs dummy {dummy:?}", &rec.hash[..7]);
    }
    // Control: both still verify their own password.
    assert!(h.verify(&bcrypt_rec, &Password::new("secret")).expect("v").is_some());
    assert!(h.verify(&cheap_rec, &Password::new("secret")).expect("v").is_some());
}
