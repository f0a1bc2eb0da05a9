//! `GET /jwks` and `/.well-known/oauth-authorization-server`.

use reqwest::StatusCode;
use signet_core::client::SigningAlg;

use crate::harness::TestServer;

#[tokio::test]
async fn jwks_publishes_current_and_next_public_keys() {
    let s = TestServer::start().await;
    let r = reqwest::get(format!("{}/jwks", s.base)).await.expect("jwks");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/jwk-set+json");
    assert!(r.headers()["cache-control"].to_str().expect("s").contains("max-age="));
    let v: serde_json::Value = r.json().await.expect("json");
    let keys = v["keys"].as_array().expect("keys");
    // ES256 for access tokens, RS256 for ID tokens (OIDC Core §15.1): current + next of each.
    assert_eq!(keys.len(), 4, "current + next of two algorithms");
    for k in keys {
        let kty = match k["alg"].as_str() {
            Some("ES256") => "EC",
            Some("RS256") => "RSA",
            other => unreachable!("unexpected algorithm {other:?}"),
        };
        assert_eq!(k["use"], "sig");
        assert_eq!(k["kty"], kty);
        assert!(k["kid"].is_string());
        assert!(k.get("d").is_none(), "never private material");
    }
}

#[tokio::test]
async fn extra_algorithms_and_per_client_override() {
    let s = TestServer::with(|c| c.tokens.extra_algs = vec![SigningAlg::EdDsa, SigningAlg::Rs256]).await;
    let v: serde_json::Value =
        reqwest::get(format!("{}/jwks", s.base)).await.expect("jwks").json().await.expect("json");
    let algs: Vec<&str> = v["keys"].as_array().expect("keys").iter().filter_map(|k| k["alg"].as_str()).collect();
    for a in ["ES256", "EdDSA", "RS256"] {
        assert_eq!(algs.iter().filter(|x| **x == a).count(), 2, "{a}");
    }
    // A client created with the CLI to use RS256 gets RS256 tokens; others get the default.
    let env_algs = [("SIGNET_TOKENS__EXTRA_ALGS", "[\"EdDSA\", \"RS256\"]")];
    let mut cmd = crate::harness::signet_cmd(s.dir.path());
    cmd.envs(env_algs).args([
        "client",
        "create",
        "--name",
        "legacy-api",
        "--scope",
        "read",
        "--signing-alg",
        "RS256",
        "--json",
    ]);
    let out = cmd.output().expect("cli");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(created["client_secret"].as_str().expect("secret").starts_with("sgn_cs_"));
    let c = crate::harness::TestClient {
        id: created["client_id"].as_str().expect("id").to_owned(),
        secret: created["client_secret"].as_str().map(str::to_owned),
    };
    let at = s.client_credentials(&c, None).await["access_token"].as_str().expect("at").to_owned();
    assert_eq!(crate::harness::jwt_parts(&at).0["alg"], "RS256");
    let other = s.client(&["client_credentials"], "read", &[], false).await;
    let at = s.client_credentials(&other, None).await["access_token"].as_str().expect("at").to_owned();
    assert_eq!(crate::harness::jwt_parts(&at).0["alg"], "ES256");
    // Private keys are encrypted at rest. A clear PKCS#8 (EC) or PKCS#1 (RSA) encoding would
    // contain the key's public components (x, or the modulus n); the stored blob must not.
    let blobs = crate::harness::db_strings(&s, "SELECT private_enc FROM signing_keys ORDER BY kid").await;
    let jwks = crate::harness::db_strings(&s, "SELECT public_jwk FROM signing_keys ORDER BY kid").await;
    use base64::Engine;
    let mut checked = 0;
    for (blob, jwk) in blobs.iter().zip(&jwks) {
        let jwk: serde_json::Value = serde_json::from_str(jwk).expect("jwk");
        let public = match jwk["kty"].as_str() {
            Some("EC") => jwk["x"].as_str(),
            Some("RSA") => jwk["n"].as_str(),
            _ => None,
        };
        if let Some(p) = public {
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p).expect("b64");
            let hex = hex::encode(bytes);
            assert!(!blob.contains(&hex), "key material stored in the clear");
            checked += 1;
        }
    }
    assert_eq!(checked, 4, "two EC and two RSA keys checked");
}

#[tokio::test]
async fn metadata_points_at_endpoints() {
    let s = TestServer::start().await;
    let v: serde_json::Value = reqwest::get(format!("{}/.well-known/oauth-authorization-server", s.base))
        .await
        .expect("meta")
        .json()
        .await
        .expect("json");
    assert_eq!(v["issuer"], "https://signet.test");
    assert_eq!(v["jwks_uri"], "https://signet.test/jwks");
    assert_eq!(v["token_endpoint"], "https://signet.test/oauth2/token");
}

/// An ID token and access token for a fresh code client whose ID-token algorithm is `id_alg`.
async fn id_and_access_token(s: &TestServer, id_alg: Option<&str>) -> (String, String, String) {
    let c = s.code_client("openid email", false, true).await;
    if let Some(alg) = id_alg {
        // What `signet client create --id-token-alg` stores.
        let url = s.state.config.database_url();
        let sql = format!("UPDATE clients SET id_token_alg = '{alg}' WHERE client_id = '{}'", c.id);
        if url.starts_with("postgres") {
            let pool = sqlx::PgPool::connect(&url).await.expect("db");
            sqlx::query(&sql).execute(&pool).await.expect("update");
        } else {
            let pool = sqlx::SqlitePool::connect(&url).await.expect("db");
            sqlx::query(&sql).execute(&pool).await.expect("update");
        }
    }
    let (code, p) = s.code_for(&c, "ann@example.com", "openid email").await;
    let (_, body) = s.exchange(&c, &code, &p.verifier).await;
    (
        c.id,
        body["id_token"].as_str().expect("id_token").to_owned(),
        body["access_token"].as_str().expect("at").to_owned(),
    )
}

#[tokio::test]
async fn discovery_lists_rs256_and_rs256_id_tokens_verify() {
    let s = TestServer::start().await;
    let meta = s.metadata().await;
    // OpenID Connect Discovery 1.0 §3: the list MUST include RS256; it lists what has keys.
    let algs: Vec<&str> = meta["id_token_signing_alg_values_supported"]
        .as_array()
        .expect("algs")
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    assert!(algs.contains(&"RS256"), "{algs:?}");
    let jwks: serde_json::Value =
        reqwest::get(format!("{}/jwks", s.base)).await.expect("jwks").json().await.expect("json");
    let keys = jwks["keys"].as_array().expect("keys");
    for a in &algs {
        assert!(keys.iter().any(|k| k["alg"] == *a), "{a} is listed but has no key");
    }
    // An RS256 ID token verifies with the published RSA key alone, as a strict RP does it:
    // algorithm pinned to RS256, audience and issuer checked.
    let (client_id, id_token, _) = id_and_access_token(&s, None).await;
    let header = jsonwebtoken::decode_header(&id_token).expect("header");
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let jwk = keys.iter().find(|k| k["kid"] == header.kid.clone().expect("kid").as_str()).expect("published key");
    assert_eq!(jwk["kty"], "RSA");
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwk.clone()).expect("jwk");
    let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).expect("key");
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    v.set_audience(&[&client_id]);
    v.set_issuer(&["https://signet.test"]);
    v.validate_exp = false; // the test clock is not the wall clock
    let claims = jsonwebtoken::decode::<serde_json::Value>(&id_token, &key, &v).expect("RS256 ID token verifies");
    assert_eq!(claims.claims["email"], "ann@example.com");
    // Control: the same token does not verify with the algorithm switched (pinned, RFC 8725).
    let es = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    assert!(jsonwebtoken::decode::<serde_json::Value>(&id_token, &key, &es).is_err());
}

#[tokio::test]
async fn id_tokens_default_to_rs256() {
    let s = TestServer::start().await;
    // No algorithm registered: RS256 ID token (OIDC Core §3.1.3.7), ES256 access token.
    let (_, id_token, at) = id_and_access_token(&s, None).await;
    assert_eq!(jsonwebtoken::decode_header(&id_token).expect("h").alg, jsonwebtoken::Algorithm::RS256);
    assert_eq!(jsonwebtoken::decode_header(&at).expect("h").alg, jsonwebtoken::Algorithm::ES256);
    // A client that registered ES256 for ID tokens gets ES256.
    let (_, id_token, at) = id_and_access_token(&s, Some("ES256")).await;
    assert_eq!(jsonwebtoken::decode_header(&id_token).expect("h").alg, jsonwebtoken::Algorithm::ES256);
    assert_eq!(jsonwebtoken::decode_header(&at).expect("h").alg, jsonwebtoken::Algorithm::ES256);
    // The CLI refuses an algorithm without keys, and stores one that has them.
    let create = |alg: &str| {
        let base = ["client", "create", "--name", "x", "--grant", "authorization_code"];
        let args: Vec<&str> = base
            .iter()
            .copied()
            .chain(["--redirect-uri", "https://x.example/cb", "--id-token-alg", alg, "--json"])
            .collect();
        crate::harness::run_cli(s.dir.path(), &args, "")
    };
    let (code, _, err) = create("EdDSA");
    assert_ne!(code, 0);
    assert!(err.contains("--id-token-alg"), "{err}");
    let (code, out, err) = create("ES256");
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["id_token_alg"], "ES256");
}

/// Revoking the pre-published `next` key and then rotating (by hand or on schedule) must not
/// leave an algorithm without a signing key: the new key signs at once.
#[tokio::test]
async fn revoked_next_key_then_rotation_keeps_signing() {
    let s = TestServer::start().await;
    let c = s.client(&["client_credentials"], "read", &[], false).await;
    s.client_credentials(&c, None).await; // control: signing works
    let next = s
        .state
        .store
        .list_keys()
        .await
        .expect("keys")
        .into_iter()
        .find(|k| k.alg == "ES256" && k.state == signet_store::KeyState::Next)
        .expect("a next key");
    let (code, _, err) = crate::harness::run_cli(s.dir.path(), &["keys", "revoke", &next.kid], "");
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = crate::harness::run_cli(s.dir.path(), &["keys", "rotate", "--alg", "ES256"], "");
    assert_eq!(code, 0, "{err}");
    s.state.keys.reload(s.state.store.as_ref()).await.expect("reload");
    let keys = s.state.store.list_keys().await.expect("keys");
    let current: Vec<_> =
        keys.iter().filter(|k| k.alg == "ES256" && k.state == signet_store::KeyState::Current).collect();
    assert_eq!(current.len(), 1, "exactly one current ES256 key: {keys:?}");
    let at = s.client_credentials(&c, None).await["access_token"].as_str().expect("at").to_owned();
    let (h, _) = crate::harness::jwt_parts(&at);
    assert_eq!(h["kid"], current[0].kid.as_str());
    assert_ne!(h["kid"], next.kid.as_str(), "never the revoked key");
}
