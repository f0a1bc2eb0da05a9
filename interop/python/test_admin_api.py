"""The admin API against real tools: its OpenAPI document validated by openapi-spec-validator,
and schemathesis fuzzing every operation with a signet:admin token (zero 5xx, zero responses
outside the document)."""
import os
import subprocess
import sys

import requests
from openapi_spec_validator import validate

ADMIN_API = "urn:signet:admin"
CHECKS = os.environ.get("ST_CHECKS") or ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
])


def admin_token(signet, scope="signet:admin"):
    c = signet.create_client("--name", "fuzzer", "--scope", scope, "--audience", ADMIN_API)
    r = requests.post(f"{signet.issuer}/oauth2/token", data={"grant_type": "client_credentials"},
                      auth=(c["client_id"], c["client_secret"]))
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def test_openapi_document_validates(signet):
    doc = requests.get(f"{signet.issuer}/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    validate(doc)


def test_schemathesis_admin_api_no_5xx(signet):
    token = admin_token(signet)
    st = os.path.join(os.path.dirname(sys.executable), "st")
    examples = os.environ.get("SIGNET_FUZZ_EXAMPLES", "25")
    r = subprocess.run(
        [st, "run", f"{signet.issuer}/api/v1/openapi.json", "--url", signet.issuer,
         "-H", f"Authorization: Bearer {token}", "--checks", CHECKS, "-n", examples,
         "--seed", "22", "--generation-deterministic", "--no-color", "--warnings", "off"],
        capture_output=True, text=True, timeout=900,
    )
    print(r.stdout[-6000:])
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]
    # The server said nothing of panics meanwhile.
    assert signet.proc.poll() is None
