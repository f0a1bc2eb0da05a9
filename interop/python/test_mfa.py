"""Two-step verification with real client software: pyotp plays the authenticator app (it reads
the setup key Signet shows and computes RFC 6238 codes), authlib runs the authorization-code
flow, and PyJWT checks that the ID token says how the user signed in (amr, acr)."""
import re
import time
from urllib.parse import urljoin

import jwt
import pyotp
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from test_authorize import REDIRECT, follow_to_client, hidden


def unescape(s):
    return s.replace("&#x2f;", "/").replace("&amp;", "&").replace("&#x3d;", "=")


def next_step_code(totp):
    """A time step is accepted once (RFC 6238 §5.2) and enrolment used the current one; the
    next step's code is within the accepted drift window, so no waiting is needed."""
    return totp.at(time.time() + 30)


def test_authlib_code_flow_with_totp(signet):
    email, password = "otp@example.com", "one time password passphrase"
    signet.cli("user", "create", "--email", email, "--password-stdin", stdin=password + "\n")
    browser = requests.Session()
    r = browser.get(f"{signet.issuer}/login")
    r = browser.post(f"{signet.issuer}/login", data={
        "email": email, "password": password, "csrf": hidden(r.text, "csrf"), "return_to": "",
    })
    assert r.url.endswith("/account")

    # Enrol: the setup page shows a QR code and the key; the otpauth:// URI parses in pyotp.
    r = browser.get(f"{signet.issuer}/account/security")
    r = browser.post(f"{signet.issuer}/account/security/totp", data={"csrf": hidden(r.text, "csrf"), "return_to": ""})
    assert r.url.endswith("/account/security/totp")
    uri = unescape(re.search(r'id="otpauth-uri" href="([^"]+)"', r.text).group(1))
    totp = pyotp.parse_uri(uri)
    key = re.search(r'<code id="totp-secret">([^<]+)</code>', r.text).group(1).replace(" ", "")
    assert totp.secret == key and totp.digits == 6 and totp.interval == 30
    r = browser.post(f"{signet.issuer}/account/security/totp/confirm",
                     data={"csrf": hidden(r.text, "csrf"), "code": totp.now(), "return_to": ""})
    codes = re.findall(r"<li><code>([0-9a-z-]+)</code></li>", r.text)
    assert len(codes) == 10

    # The OAuth flow now takes the password and a code from the app.
    client = signet.create_client(
        "--name", "OTP App", "--grant", "authorization_code", "--scope", "openid", "--redirect-uri", REDIRECT,
        "--skip-consent", "--require-mfa",
    )
    meta = requests.get(f"{signet.issuer}/.well-known/openid-configuration").json()
    assert "urn:signet:acr:mfa" in meta["acr_values_supported"]
    oauth = OAuth2Session(client["client_id"], client["client_secret"], scope="openid",
                          redirect_uri=REDIRECT, code_challenge_method="S256")
    verifier = generate_token(48)
    url, _ = oauth.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier,
                                            nonce=generate_token(16), acr_values="urn:signet:acr:mfa")
    fresh = requests.Session()
    r = follow_to_client(fresh, fresh.get(url, allow_redirects=False))
    r = fresh.post(urljoin(r.url, "/login"), data={
        "email": email, "password": password, "csrf": hidden(r.text, "csrf"), "return_to": hidden(r.text, "return_to"),
    }, allow_redirects=False)
    assert r.headers["location"] == "/login/second-factor"
    r = fresh.get(urljoin(r.url, "/login/second-factor"))
    assert "Two-step verification" in r.text
    code = next_step_code(totp)
    r = fresh.post(urljoin(r.url, "/login/second-factor"),
                   data={"csrf": hidden(r.text, "csrf"), "method": "totp", "code": code}, allow_redirects=False)
    callback = follow_to_client(fresh, r).headers["location"]
    token = oauth.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    key = jwt.PyJWKClient(meta["jwks_uri"]).get_signing_key_from_jwt(token["id_token"])
    claims = jwt.decode(token["id_token"], key.key, algorithms=meta["id_token_signing_alg_values_supported"],
                        audience=client["client_id"], issuer=signet.issuer)
    assert claims["amr"] == ["pwd", "otp"] and claims["acr"] == "urn:signet:acr:mfa"

    # The same code again (a replay within its window) is refused.
    again = requests.Session()
    r = again.get(f"{signet.issuer}/login")
    r = again.post(f"{signet.issuer}/login", data={
        "email": email, "password": password, "csrf": hidden(r.text, "csrf"), "return_to": "",
    })
    r = again.post(f"{signet.issuer}/login/second-factor",
                   data={"csrf": hidden(r.text, "csrf"), "method": "totp", "code": code})
    assert r.status_code == 400 and "already used" in r.text
    # A backup code works once.
    r = again.post(f"{signet.issuer}/login/second-factor",
                   data={"csrf": hidden(r.text, "csrf"), "method": "backup", "code": codes[0]})
    assert r.url.endswith("/account")
