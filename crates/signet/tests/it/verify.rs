//! `signet-verify` against a real Signet: the attacks a resource server must refuse.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use signet_server::tokens::AccessClaims;
use signet_verify::{Error, Verifier};

use crate::harness::{TestClient, TestServer};

const ISS: &str = "https://signet.test";
const AUD: &str = "https://api.example.com";

fn verifier(s: &TestServer) -> Verifier {
    Verifier::with_jwks_uri(ISS, AUD, &format!("{}/jwks", s.base), reqwest::Client::new())
}

async fn setup() -> (TestServer, TestClient) {
    let s = TestServer::start().await;
    let c = s.client(&["client_credentials"], "read write", &[AUD], false).await;
    (s, c)
}

fn claims(exp_in: i64, nbf_in: i64) -> AccessClaims {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    AccessClaims {
        iss: ISS.into(),
        sub: "user-1".into(),
        aud: AUD.into(),
        exp: now + exp_in,
        iat: now,
        nbf: now + nbf_in,
        jti: AccessClaims::new_jti(),
        client_id: "c".into(),
        scope: "read".into(),
        auth_time: None,
        acr: None,
        amr: None,
        tenant: Default::default(),
    }
}

/// Signs with Signet's real current key, with a header of our choosing.
fn sign_real(s: &TestServer, header_typ: Option<&str>, c: &AccessClaims) -> String {
    let key = s.state.keys.snapshot().signing("ES256").expect("current key");
    let mut h = Header::new(Algorithm::ES256);
    h.kid = Some(key.kid.clone());
    h.typ = header_typ.map(str::to_owned);
    jsonwebtoken::encode(&h, c, &key.key).expect("sign")
}

fn current_kid(s: &TestServer) -> String {
    s.state.keys.snapshot().signing("ES256").expect("current").kid.clone()
}

fn attacker_key() -> (EncodingKey, serde_json::Value) {
    use p256::pkcs8::EncodePrivateKey;
    let sk = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    let der = sk.to_pkcs8_der().expect("der");
    let p = sk.verifying_key().to_encoded_point(false);
    let jwk = serde_json::json!({
        "kty": "EC", "crv": "P-256", "alg": "ES256",
        "x": URL_SAFE_NO_PAD.encode(p.x().expect("x")), "y": URL_SAFE_NO_PAD.encode(p.y().expect("y")),
    });
    (EncodingKey::from_ec_der(der.as_bytes()), jwk)
}

#[tokio::test]
async fn accepts_real_access_token() {
    let (s, c) = setup().await;
    let at = s.client_credentials(&c, Some("read")).await["access_token"].as_str().expect("at").to_owned();
    let got = verifier(&s).verify(&at).await.expect("valid");
    assert_eq!(got.client_id, c.id);
    assert!(got.has_scope("read") && !got.has_scope("write"));
}

/// Claims a real client of `s` could have been issued, on the server's own (frozen) clock, so
/// that a correctly signed token with them is accepted by the verifier and at introspection.
fn server_claims(s: &TestServer, c: &TestClient) -> AccessClaims {
    let now = s.state.now().unix_timestamp();
    AccessClaims { sub: c.id.clone(), client_id: c.id.clone(), exp: now + 600, iat: now, nbf: now, ..claims(600, 0) }
}

fn unsigned(header: serde_json::Value, claims: &AccessClaims) -> String {
    let enc = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.", enc(header), enc(serde_json::to_value(claims).expect("claims")))
}

#[tokio::test]
async fn rejects_alg_none() {
    let (s, c) = setup().await;
    let claims = server_claims(&s, &c);
    for alg in ["none", "None", "NONE"] {
        let token = unsigned(serde_json::json!({"alg": alg, "typ": "at+jwt", "kid": current_kid(&s)}), &claims);
        // An algorithm that is not one of the signature algorithms is not a JWS we read.
        let err = verifier(&s).verify(&token).await.expect_err("alg none must be refused");
        assert!(matches!(err, Error::Malformed), "{alg}: {err:?}");
        assert_eq!(s.introspect(&c, &token).await, serde_json::json!({"active": false}), "{alg}");
    }
    // The control beside it: the same claims, signed with the current key, pass both.
    let real = sign_real(&s, Some("at+jwt"), &claims);
    assert!(verifier(&s).verify(&real).await.is_ok());
    assert_eq!(s.introspect(&c, &real).await["active"], true);
}

#[tokio::test]
async fn alg_none_control_valid_token_accepted() {
    let (s, c) = setup().await;
    let claims = server_claims(&s, &c);
    let real = sign_real(&s, Some("at+jwt"), &claims);
    let got = verifier(&s).verify(&real).await.expect("a correctly signed token is accepted");
    assert_eq!((got.sub.as_str(), got.client_id.as_str()), (c.id.as_str(), c.id.as_str()));
    assert_eq!(got.jti.as_deref(), Some(claims.jti.as_str()));
    let v = s.introspect(&c, &real).await;
    assert_eq!((v["active"].as_bool(), v["jti"].as_str()), (Some(true), Some(claims.jti.as_str())));
    // Strip the signature of that very token and say "none": refused.
    let mut parts = real.split('.');
    let (_, payload) = (parts.next(), parts.next().expect("payload"));
    let header =
        URL_SAFE_NO_PAD.encode(serde_json::json!({"alg": "none", "typ": "at+jwt", "kid": current_kid(&s)}).to_string());
    let stripped = format!("{header}.{payload}.");
    assert!(matches!(verifier(&s).verify(&stripped).await, Err(Error::Malformed)));
    assert_eq!(s.introspect(&c, &stripped).await["active"], false);
}

#[tokio::test]
async fn rejects_hs256_signed_with_public_key() {
    let (s, c) = setup().await;
    let jwks: serde_json::Value =
        reqwest::get(format!("{}/jwks", s.base)).await.expect("jwks").json().await.expect("json");
    let kid = current_kid(&s);
    let jwk = jwks["keys"].as_array().expect("keys").iter().find(|k| k["kid"] == kid.as_str()).expect("jwk").clone();
    // Classic key-confusion: HMAC keyed with the public key material an attacker can download.
    let secrets = [jwk.to_string().into_bytes(), URL_SAFE_NO_PAD.decode(jwk["x"].as_str().expect("x")).expect("x")];
    for secret in secrets {
        for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
            let mut h = Header::new(alg);
            h.kid = Some(kid.clone());
            h.typ = Some("at+jwt".into());
            let token = jsonwebtoken::encode(&h, &claims(600, 0), &EncodingKey::from_secret(&secret)).expect("sign");
            let err = verifier(&s).verify(&token).await.expect_err("must reject");
            assert!(matches!(err, Error::WrongAlgorithm), "{alg:?}: {err:?}");
            assert_eq!(s.introspect(&c, &token).await["active"], false);
        }
    }
}

#[tokio::test]
async fn rejects_unknown_kid() {
    let (s, c) = setup().await;
    let (key, _) = attacker_key();
    let mut h = Header::new(Algorithm::ES256);
    h.kid = Some("attacker-key".into());
    h.typ = Some("at+jwt".into());
    let token = jsonwebtoken::encode(&h, &claims(600, 0), &key).expect("sign");
    assert!(matches!(verifier(&s).verify(&token).await, Err(Error::UnknownKey)));
    // Our kid, attacker's signature.
    h.kid = Some(current_kid(&s));
    let token = jsonwebtoken::encode(&h, &claims(600, 0), &key).expect("sign");
    assert!(matches!(verifier(&s).verify(&token).await, Err(Error::BadSignature)));
    assert_eq!(s.introspect(&c, &token).await["active"], false);
}

#[tokio::test]
async fn rejects_jku_and_embedded_jwk_headers() {
    let (s, c) = setup().await;
    let (key, jwk) = attacker_key();
    let mut with_jwk = Header::new(Algorithm::ES256);
    with_jwk.typ = Some("at+jwt".into());
    with_jwk.kid = Some(current_kid(&s));
    with_jwk.jwk = Some(serde_json::from_value(jwk).expect("jwk"));
    let mut with_jku = Header::new(Algorithm::ES256);
    with_jku.typ = Some("at+jwt".into());
    with_jku.kid = Some(current_kid(&s));
    with_jku.jku = Some("http://127.0.0.1:9/evil-jwks".into());
    let mut with_x5u = with_jku.clone();
    with_x5u.jku = None;
    with_x5u.x5u = Some("http://127.0.0.1:9/evil.pem".into());
    for h in [with_jwk, with_jku, with_x5u] {
        let token = jsonwebtoken::encode(&h, &claims(600, 0), &key).expect("sign");
        assert!(matches!(verifier(&s).verify(&token).await, Err(Error::ForbiddenHeader)));
        assert_eq!(s.introspect(&c, &token).await["active"], false);
    }
}

#[tokio::test]
async fn rejects_expired_and_not_yet_valid() {
    let (s, _) = setup().await;
    let v = verifier(&s);
    let expired = sign_real(&s, Some("at+jwt"), &claims(-60, -700));
    assert!(matches!(v.verify(&expired).await, Err(Error::Expired)));
    let future = sign_real(&s, Some("at+jwt"), &claims(1200, 600));
    assert!(matches!(v.verify(&future).await, Err(Error::NotYetValid)));
    // Within the 5 s leeway is accepted.
    let just = sign_real(&s, Some("at+jwt"), &claims(-2, -600));
    assert!(v.verify(&just).await.is_ok());
}

#[tokio::test]
async fn rejects_wrong_audience() {
    let (s, _) = setup().await;
    let mut c = claims(600, 0);
    c.aud = "https://other-api.example.com".into();
    let token = sign_real(&s, Some("at+jwt"), &c);
    assert!(matches!(verifier(&s).verify(&token).await, Err(Error::WrongAudience)));
}

#[tokio::test]
async fn rejects_wrong_issuer() {
    let (s, _) = setup().await;
    let mut c = claims(600, 0);
    c.iss = "https://evil.example".into();
    let token = sign_real(&s, Some("at+jwt"), &c);
    assert!(matches!(verifier(&s).verify(&token).await, Err(Error::WrongIssuer)));
}

#[tokio::test]
async fn rejects_id_token_used_as_access_token() {
    let (s, c) = setup().await;
    // Same key, same claims, but typ JWT as ID tokens carry (or no typ at all).
    for typ in [Some("JWT"), None] {
        let token = sign_real(&s, typ, &claims(600, 0));
        assert!(matches!(verifier(&s).verify(&token).await, Err(Error::WrongType)), "{typ:?}");
        assert_eq!(s.introspect(&c, &token).await["active"], false);
    }
}

#[tokio::test]
async fn key_rotation_no_failed_verification() {
    let (s, c) = setup().await;
    let v = verifier(&s).min_refetch(std::time::Duration::ZERO);
    let mut tokens = Vec::new();
    let publish = signet_server::key_publish_time(&s.state.config);
    for round in 0..3 {
        // What a resource server cached before this rotation, with no refetch: the token signed
        // after it must verify against that alone (the new key was published before it signed).
        let cached = Verifier::from_jwks(ISS, AUD, &jwks_text(&s).await).expect("jwks");
        if round > 0 {
            let now = s.state.now();
            s.state.keys.rotate(s.state.store.as_ref(), "ES256", now, publish).await.expect("rotate");
        }
        tokens.push(s.client_credentials(&c, None).await["access_token"].as_str().expect("at").to_owned());
        let newest = tokens.last().expect("token");
        assert!(cached.verify(newest).await.is_ok(), "round {round}: signed with a key the cache already had");
        // Every token issued so far still verifies: new keys were published before they signed,
        // retired ones stay published until their tokens expire.
        for t in &tokens {
            let res = v.verify(t).await;
            assert!(res.is_ok(), "round {round}: {res:?}");
        }
    }
    let kids: std::collections::HashSet<String> =
        tokens.iter().map(|t| crate::harness::jwt_parts(t).0["kid"].as_str().expect("kid").to_owned()).collect();
    assert_eq!(kids.len(), 3, "three different signing keys were used");
}

async fn jwks_text(s: &TestServer) -> String {
    reqwest::get(format!("{}/jwks", s.base)).await.expect("jwks").text().await.expect("body")
}

#[tokio::test]
async fn rotation_verifies_against_prepublished_jwks() {
    let (s, c) = setup().await;
    let publish = signet_server::key_publish_time(&s.state.config);
    let snapshot = Verifier::from_jwks(ISS, AUD, &jwks_text(&s).await).expect("jwks");
    let token = || async { s.client_credentials(&c, None).await["access_token"].as_str().expect("at").to_owned() };
    let before = token().await;
    s.state.keys.rotate(s.state.store.as_ref(), "ES256", s.state.now(), publish).await.expect("rotate");
    let after_one = token().await;
    // The key that signs after one rotation was `next` in the snapshot: it verifies without a
    // refetch, and so does the token of the now retired key.
    assert!(snapshot.verify(&after_one).await.is_ok());
    assert!(snapshot.verify(&before).await.is_ok());
    // Control: after a second rotation the signing key was created after the snapshot, so a
    // verifier that cannot refetch refuses it — the snapshot really is all it knows.
    s.state.keys.rotate(s.state.store.as_ref(), "ES256", s.state.now(), publish).await.expect("rotate");
    let after_two = token().await;
    assert!(matches!(snapshot.verify(&after_two).await, Err(Error::UnknownKey)));
    assert!(verifier(&s).verify(&after_two).await.is_ok(), "a verifier that fetches JWKS accepts it");
}

#[tokio::test]
async fn discovery_finds_jwks_and_checks_issuer() {
    let s = TestServer::with(|c| c.issuer = "auto".into()).await;
    let c = s.client(&["client_credentials"], "read", &[AUD], false).await;
    let v = Verifier::discover(&s.base, AUD).await.expect("discover");
    let at = s.client_credentials(&c, None).await["access_token"].as_str().expect("at").to_owned();
    assert!(v.verify(&at).await.is_ok());
    // A metadata document for a different issuer is refused (RFC 8414 §3.3).
    let err = Verifier::discover(&format!("{}/", s.base), AUD).await.expect_err("issuer mismatch");
    assert!(err.to_string().contains("does not match"));
}

/// A small resource server using the layer, on port 0.
async fn resource_server(v: Verifier) -> String {
    use axum::routing::get;
    use signet_verify::layer::{require_scope, Bearer};
    let app = axum::Router::new()
        .route("/read", get(|Bearer(c): Bearer| async move { c.sub }))
        .layer(require_scope(Arc::new(v), "read"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn bearer_in_query_rejected() {
    let (s, c) = setup().await;
    let base = resource_server(verifier(&s)).await;
    let at = s.client_credentials(&c, Some("read")).await["access_token"].as_str().expect("at").to_owned();
    let http = reqwest::Client::new();
    let r = http.get(format!("{base}/read?access_token={at}")).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let challenge = r.headers()["www-authenticate"].to_str().expect("str").to_owned();
    assert!(challenge.contains("error=\"invalid_request\""), "{challenge}");
    // Even together with a valid header, the query token is refused.
    let r = http.get(format!("{base}/read?access_token=x")).bearer_auth(&at).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = http.get(format!("{base}/read")).bearer_auth(&at).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.expect("text"), c.id);
}

#[tokio::test]
async fn layer_answers_per_rfc6750() {
    let (s, c) = setup().await;
    let base = resource_server(verifier(&s)).await;
    let http = reqwest::Client::new();
    let r = http.get(format!("{base}/read")).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["www-authenticate"], "Bearer realm=\"api\"");
    let r = http.get(format!("{base}/read")).bearer_auth("garbage").send().await.expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers()["www-authenticate"].to_str().expect("s").contains("error=\"invalid_token\""));
    let write_only = s.client(&["client_credentials"], "write", &[AUD], false).await;
    let at = s.client_credentials(&write_only, None).await["access_token"].as_str().expect("at").to_owned();
    let r = http.get(format!("{base}/read")).bearer_auth(&at).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let ch = r.headers()["www-authenticate"].to_str().expect("s").to_owned();
    assert!(ch.contains("error=\"insufficient_scope\"") && ch.contains("scope=\"read\""), "{ch}");
    let at = s.client_credentials(&c, Some("read")).await["access_token"].as_str().expect("at").to_owned();
    assert_eq!(http.get(format!("{base}/read")).bearer_auth(&at).send().await.expect("send").status(), StatusCode::OK);
}
