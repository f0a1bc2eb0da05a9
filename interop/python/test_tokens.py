"""Token service with real Python clients: authlib (client credentials, introspection,
revocation), PyJWT's PyJWKClient and jwcrypto (signature checks against /jwks)."""
import json

import jwt
import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jwt as jwcrypto_jwt

AUD = "https://api.example.com"


def session(signet, client, method="client_secret_basic"):
    return OAuth2Session(
        client["client_id"], client["client_secret"], token_endpoint_auth_method=method, scope="read",
    )


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_authlib_client_credentials_introspect_revoke(signet, method):
    client = signet.create_client("--name", "authlib", "--scope", "read write", "--audience", AUD)
    s = session(signet, client, method)
    token = s.fetch_token(signet.metadata["token_endpoint"], grant_type="client_credentials")
    assert token["token_type"] == "Bearer" and token["scope"] == "read"
    at = token["access_token"]

    info = s.introspect_token(signet.metadata["introspection_endpoint"], token=at).json()
    assert info["active"] is True and info["client_id"] == client["client_id"] and info["aud"] == AUD

    r = s.revoke_token(signet.metadata["revocation_endpoint"], token=at)
    assert r.status_code == 200
    assert s.introspect_token(signet.metadata["introspection_endpoint"], token=at).json() == {"active": False}


def test_authlib_wrong_secret_is_invalid_client(signet):
    client = signet.create_client("--name", "bad", "--scope", "read")
    client["client_secret"] = "sgn_cs_wrong"
    s = session(signet, client)
    with pytest.raises(Exception) as e:
        s.fetch_token(signet.metadata["token_endpoint"], grant_type="client_credentials")
    assert "invalid_client" in str(e.value)


@pytest.mark.parametrize("alg", ["ES256", "EdDSA", "RS256"])
def test_pyjwt_and_jwcrypto_verify_access_tokens(signet, alg):
    client = signet.create_client("--name", f"jwt-{alg}", "--scope", "read", "--audience", AUD, "--signing-alg", alg)
    s = session(signet, client)
    at = s.fetch_token(signet.metadata["token_endpoint"], grant_type="client_credentials")["access_token"]

    # PyJWT, keys from the JWKS URL; the algorithm list is pinned, as a resource server should.
    jwks_client = jwt.PyJWKClient(signet.metadata["jwks_uri"])
    key = jwks_client.get_signing_key_from_jwt(at)
    claims = jwt.decode(at, key.key, algorithms=[alg], audience=AUD, issuer=signet.issuer)
    assert claims["client_id"] == client["client_id"] and claims["scope"] == "read"
    assert jwt.get_unverified_header(at)["typ"] == "at+jwt"

    # jwcrypto, the whole key set.
    keyset = jwcrypto_jwk.JWKSet.from_json(requests.get(signet.metadata["jwks_uri"]).text)
    tok = jwcrypto_jwt.JWT(jwt=at, key=keyset, expected_type="JWS", algs=[alg])
    assert json.loads(tok.claims)["aud"] == AUD

    # A tampered token fails both.
    head, body, sig = at.split(".")
    forged_body = jwt.utils.base64url_encode(json.dumps({**claims, "scope": "admin"}).encode()).decode()
    forged = f"{head}.{forged_body}.{sig}"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, key.key, algorithms=[alg], audience=AUD, issuer=signet.issuer)
    with pytest.raises(Exception):
        jwcrypto_jwt.JWT(jwt=forged, key=keyset, expected_type="JWS", algs=[alg])


def test_jwks_has_no_private_material(signet):
    keys = requests.get(signet.metadata["jwks_uri"]).json()["keys"]
    assert {k["alg"] for k in keys} == {"ES256", "EdDSA", "RS256"}
    for k in keys:
        assert not ({"d", "p", "q", "dp", "dq", "qi", "k"} & set(k)), k
