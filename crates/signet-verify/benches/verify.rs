//! `cargo bench -p signet-verify`: access-token verification per algorithm on one core, through
//! the full `Verifier::verify` path (header checks, key lookup, signature, claims).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rand_core::OsRng;
use serde_json::json;
use signet_verify::Verifier;

fn keys() -> Vec<(&'static str, Algorithm, EncodingKey, serde_json::Value)> {
    let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
    let es = {
        use p256::pkcs8::EncodePrivateKey;
        let sk = p256::ecdsa::SigningKey::random(&mut OsRng);
        let p = sk.verifying_key().to_encoded_point(false);
        let jwk = json!({"kty": "EC", "crv": "P-256", "x": b64(p.x().expect("x")), "y": b64(p.y().expect("y"))});
        (EncodingKey::from_ec_der(sk.to_pkcs8_der().expect("der").as_bytes()), jwk)
    };
    let ed = {
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        let sk = ed25519_dalek::SigningKey::generate(&mut OsRng);
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": b64(sk.verifying_key().as_bytes())});
        (EncodingKey::from_ed_der(sk.to_pkcs8_der().expect("der").as_bytes()), jwk)
    };
    let rs = {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        use rsa::traits::PublicKeyParts;
        let sk = rsa::RsaPrivateKey::new(&mut OsRng, 2048).expect("rsa");
        let jwk = json!({"kty": "RSA", "n": b64(&sk.n().to_bytes_be()), "e": b64(&sk.e().to_bytes_be())});
        (EncodingKey::from_rsa_der(sk.to_pkcs1_der().expect("der").as_bytes()), jwk)
    };
    vec![
        ("ES256", Algorithm::ES256, es.0, es.1),
        ("EdDSA", Algorithm::EdDSA, ed.0, ed.1),
        ("RS256", Algorithm::RS256, rs.0, rs.1),
    ]
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("time").as_secs() as i64;
    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    for (name, alg, key, mut jwk) in keys() {
        jwk["kid"] = json!(name);
        jwk["alg"] = json!(name);
        jwk["use"] = json!("sig");
        let verifier =
            Verifier::from_jwks("https://id.example", "https://api.example", &json!({ "keys": [jwk] }).to_string())
                .expect("jwks");
        let mut header = Header::new(alg);
        header.kid = Some(name.into());
        header.typ = Some("at+jwt".into());
        let claims = json!({
            "iss": "https://id.example", "sub": "42", "aud": "https://api.example", "exp": now + 3600, "iat": now,
            "nbf": now, "jti": "j", "client_id": "c", "scope": "read",
        });
        let token = jsonwebtoken::encode(&header, &claims, &key).expect("sign");
        assert!(rt.block_on(verifier.verify(&token)).is_ok());
        group.bench_function(name, |b| b.iter(|| rt.block_on(verifier.verify(&token)).expect("valid")));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
