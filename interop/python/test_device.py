"""Device authorization grant (RFC 8628) with authlib polling the token endpoint while the user
approves on Signet's /device pages (driven over HTTP with the real forms)."""
import re
import time
from urllib.parse import urljoin

import pytest
import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session

GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def hidden(html, name):
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def test_authlib_device_flow_with_polling(signet):
    signet.cli("user", "create", "--email", "tv@example.com", "--password-stdin", stdin="television passphrase\n")
    client = signet.create_client("--name", "Living Room TV", "--public", "--grant", f"{GRANT},refresh_token", "--scope", "tv offline_access")
    meta = requests.get(f"{signet.issuer}/.well-known/openid-configuration").json()
    start = requests.post(meta["device_authorization_endpoint"], data={"client_id": client["client_id"], "scope": "tv"}).json()
    assert re.fullmatch(r"[A-Z]{4}-[A-Z]{4}", start["user_code"])

    oauth = OAuth2Session(client["client_id"], token_endpoint_auth_method="none")
    with pytest.raises(OAuthError) as e:
        oauth.fetch_token(meta["token_endpoint"], grant_type=GRANT, device_code=start["device_code"])
    assert e.value.error == "authorization_pending"

    # The user signs in and approves on another device.
    b = requests.Session()
    r = b.get(start["verification_uri_complete"])
    b.post(urljoin(r.url, "/login"), data={"email": "tv@example.com", "password": "television passphrase",
                                          "csrf": hidden(r.text, "csrf"), "return_to": hidden(r.text, "return_to").replace("&#x2f;", "/").replace("&amp;", "&")})
    page = b.get(start["verification_uri_complete"])
    confirm = b.post(f"{signet.issuer}/device", data={"csrf": hidden(page.text, "csrf"), "user_code": start["user_code"]})
    assert "Connect Living Room TV?" in confirm.text
    done = b.post(f"{signet.issuer}/device", data={"csrf": hidden(confirm.text, "csrf"), "user_code": start["user_code"], "decision": "allow"})
    assert "is now connected" in done.text

    # Poll as RFC 8628 §3.5 says: wait `interval`, slow down when told.
    interval = start["interval"]
    deadline = time.time() + 30
    while True:
        time.sleep(interval)
        try:
            token = oauth.fetch_token(meta["token_endpoint"], grant_type=GRANT, device_code=start["device_code"])
            break
        except OAuthError as err:
            assert err.error in ("authorization_pending", "slow_down"), err.error
            if err.error == "slow_down":
                interval += 5
            assert time.time() < deadline
    assert token["token_type"] == "Bearer" and token["scope"] == "tv" and token["refresh_token"]
