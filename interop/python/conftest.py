"""Starts a real `signet serve` (the binary the tests just built) for the interop tests."""
import json
import os
import socket
import subprocess
import tempfile
import time

import pytest
import requests

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SIGNET_TEST_BIN = os.environ.get("SIGNET_TEST_BIN", os.path.join(REPO, "target", "debug", "signet"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Signet:
    def __init__(self, extra_env=None):
        self.data = tempfile.mkdtemp(prefix="signet-py-")
        port = free_port()
        self.issuer = f"http://127.0.0.1:{port}"
        self.env = dict(os.environ)
        self.env.update({
            "SIGNET_DATA_DIR": self.data,
            "SIGNET_LISTEN": f"127.0.0.1:{port}",
            "SIGNET_ISSUER": self.issuer,
            "SIGNET_PASSWORD__MEMORY_KIB": "1024",
            "SIGNET_PASSWORD__ITERATIONS": "1",
            "SIGNET_PASSWORD__ALLOW_WEAK_PARAMS": "true",
            "SIGNET_LOG": "warn",
        })
        self.env.update(extra_env or {})
        self.proc = subprocess.Popen([SIGNET_TEST_BIN, "serve"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                if requests.get(f"{self.issuer}/readyz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.05)
        else:
            self.stop()
            raise RuntimeError("signet did not become ready")
        self.metadata = requests.get(f"{self.issuer}/.well-known/oauth-authorization-server").json()

    def cli(self, *args, stdin=""):
        r = subprocess.run([SIGNET_TEST_BIN, *args], env=self.env, input=stdin, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return r.stdout

    def create_client(self, *args):
        return json.loads(self.cli("client", "create", "--json", *args))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def signet():
    s = Signet({"SIGNET_TOKENS__EXTRA_ALGS": '["EdDSA", "RS256"]'})
    yield s
    s.stop()
