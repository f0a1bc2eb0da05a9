"""Authorization code + PKCE with Python authlib, driven over HTTP: a requests session submits
Signet's real HTML forms (CSRF tokens included); PyJWT validates the ID token against /jwks."""
import re
from urllib.parse import parse_qs, urljoin, urlparse

import jwt
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge

REDIRECT = "https://app.example.com/cb"


def hidden(html, name):
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m, f"no {name} field"
    return m.group(1).replace("&#x2f;", "/").replace("&amp;", "&")


def follow_to_client(browser, resp):
    """Follows Signet's own redirects; stops at the redirect to the client."""
    for _ in range(10):
        if resp.status_code in (302, 303) and not resp.headers["location"].startswith(REDIRECT):
            resp = browser.get(urljoin(resp.url, resp.headers["location"]), allow_redirects=False)
        else:
            return resp
    raise AssertionError("too many redirects")


def test_authlib_code_flow_over_html_forms(signet):
    signet.cli("user", "create", "--email", "py@example.com", "--password-stdin", stdin="python passphrase here\n")
    client = signet.create_client(
        "--name", "Python App", "--grant", "authorization_code,refresh_token",
        "--scope", "openid email offline_access", "--redirect-uri", REDIRECT,
    )
    meta = requests.get(f"{signet.issuer}/.well-known/openid-configuration").json()
    oauth = OAuth2Session(
        client["client_id"], client["client_secret"], scope="openid email offline_access",
        redirect_uri=REDIRECT, code_challenge_method="S256",
    )
    verifier = generate_token(48)
    nonce = generate_token(16)
    url, state = oauth.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce)

    browser = requests.Session()
    r = follow_to_client(browser, browser.get(url, allow_redirects=False))
    assert "Sign in" in r.text
    r = browser.post(urljoin(r.url, "/login"), data={
        "email": "py@example.com", "password": "python passphrase here",
        "csrf": hidden(r.text, "csrf"), "return_to": hidden(r.text, "return_to"),
    }, allow_redirects=False)
    r = follow_to_client(browser, r)
    assert "Allow Python App" in r.text
    r = browser.post(urljoin(r.url, "/oauth2/consent"), data={
        "csrf": hidden(r.text, "csrf"), "req": hidden(r.text, "req"), "decision": "allow",
    }, allow_redirects=False)
    callback = r.headers["location"]
    params = parse_qs(urlparse(callback).query)
    assert params["state"] == [state]
    assert params["iss"] == [signet.issuer]  # RFC 9207

    token = oauth.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    assert token["token_type"] == "Bearer" and token["refresh_token"].startswith("sgn_rt_")

    # PyJWT validates the ID token with keys from the JWKS, as a strict relying party does:
    # RS256 only (OIDC Discovery §3 and Core §15.1 make it the one every OP must offer).
    assert "RS256" in meta["id_token_signing_alg_values_supported"]
    assert jwt.get_unverified_header(token["id_token"])["alg"] == "RS256"
    key = jwt.PyJWKClient(meta["jwks_uri"]).get_signing_key_from_jwt(token["id_token"])
    claims = jwt.decode(token["id_token"], key.key, algorithms=["RS256"],
                        audience=client["client_id"], issuer=signet.issuer)
    assert claims["sub"] != "1" and len(claims["sub"]) == 32  # opaque, not a row number
    assert claims["nonce"] == nonce and claims["email"] == "py@example.com"

    info = oauth.get(meta["userinfo_endpoint"]).json()
    assert info["sub"] == claims["sub"] and info["email"] == "py@example.com"

    new = oauth.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])
    assert new["refresh_token"] != token["refresh_token"]
