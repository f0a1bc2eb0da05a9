//! A software FIDO2 authenticator plus the browser's part of WebAuthn, for driving Signet's
//! passkey ceremonies over HTTP: a P-256 key per credential, "none" attestation, CBOR through
//! serde_cbor_2, signatures through the p256 crate. It signs whatever origin and RP id it is
//! told, so tests can play a phishing site.

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{DerSignature, SigningKey};
use serde_cbor_2::Value as Cbor;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub struct SoftAuthenticator {
    key: SigningKey,
    pub credential_id: Vec<u8>,
    pub user_handle: Vec<u8>,
    /// The signature counter; the next signature uses `counter + 1`.
    pub counter: u32,
    /// What the "browser" puts in clientDataJSON.
    pub origin: String,
    /// Whose RP id hash goes into authenticator data.
    pub rp_id: String,
    /// The user-verification flag (PIN or biometric checked).
    pub user_verified: bool,
    /// The authenticator model's AAGUID in attested credential data.
    pub aaguid: [u8; 16],
}

fn b64(b: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(b)
}

impl SoftAuthenticator {
    pub fn new(origin: &str, rp_id: &str) -> Self {
        Self {
            key: SigningKey::random(&mut rand_core::OsRng),
            credential_id: signet_core::secret::random_bytes::<32>().to_vec(),
            user_handle: Vec::new(),
            counter: 0,
            origin: origin.to_owned(),
            rp_id: rp_id.to_owned(),
            user_verified: true,
            // 01020304-0506-0708-090a-0b0c0d0e0f10: a model no table knows.
            aaguid: std::array::from_fn(|i| i as u8 + 1),
        }
    }

    fn client_data(&self, kind: &str, options: &Value) -> Vec<u8> {
        let challenge = options["publicKey"]["challenge"].as_str().expect("challenge");
        json!({ "type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": false })
            .to_string()
            .into_bytes()
    }

    fn auth_data(&mut self, attested: Option<Vec<u8>>) -> Vec<u8> {
        self.counter += 1;
        // UP, UV, backup eligible + backed up (a synced passkey), AT when attesting.
        let mut flags = 0x01 | 0x08 | 0x10;
        if self.user_verified {
            flags |= 0x04;
        }
        if attested.is_some() {
            flags |= 0x40;
        }
        let mut d = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        d.push(flags);
        d.extend_from_slice(&self.counter.to_be_bytes());
        if let Some(a) = attested {
            d.extend_from_slice(&a);
        }
        d
    }

    /// `navigator.credentials.create()` for the options Signet sent; returns the JSON the
    /// page script posts back.
    pub fn register(&mut self, options: &Value) -> Value {
        let handle = options["publicKey"]["user"]["id"].as_str().expect("user.id");
        self.user_handle = URL_SAFE_NO_PAD.decode(handle.trim_end_matches('=')).expect("user handle");
        let point = self.key.verifying_key().to_encoded_point(false);
        let mut cose = BTreeMap::new();
        cose.insert(Cbor::Integer(1), Cbor::Integer(2)); // kty: EC2
        cose.insert(Cbor::Integer(3), Cbor::Integer(-7)); // alg: ES256
        cose.insert(Cbor::Integer(-1), Cbor::Integer(1)); // crv: P-256
        cose.insert(Cbor::Integer(-2), Cbor::Bytes(point.x().expect("x").to_vec()));
        cose.insert(Cbor::Integer(-3), Cbor::Bytes(point.y().expect("y").to_vec()));
        let mut attested: Vec<u8> = self.aaguid.to_vec();
        attested.extend_from_slice(&(self.credential_id.len() as u16).to_be_bytes());
        attested.extend_from_slice(&self.credential_id);
        attested.extend_from_slice(&serde_cbor_2::to_vec(&Cbor::Map(cose)).expect("cose"));
        let auth_data = self.auth_data(Some(attested));
        let mut att = BTreeMap::new();
        att.insert(Cbor::Text("fmt".into()), Cbor::Text("none".into()));
        att.insert(Cbor::Text("attStmt".into()), Cbor::Map(BTreeMap::new()));
        att.insert(Cbor::Text("authData".into()), Cbor::Bytes(auth_data));
        let client_data = self.client_data("webauthn.create", options);
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "attestationObject": b64(&serde_cbor_2::to_vec(&Cbor::Map(att)).expect("cbor")),
                "clientDataJSON": b64(&client_data),
                "transports": ["internal"],
            },
            "extensions": {},
        })
    }

    /// `navigator.credentials.get()`: an assertion over the challenge in `options`.
    pub fn assert(&mut self, options: &Value) -> Value {
        let auth_data = self.auth_data(None);
        let client_data = self.client_data("webauthn.get", options);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        let sig: DerSignature = self.key.sign(&signed);
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(&client_data),
                "signature": b64(sig.as_bytes()),
                "userHandle": b64(&self.user_handle),
            },
            "extensions": {},
        })
    }
}
