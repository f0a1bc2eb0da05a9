#!/usr/bin/env python3
"""Enumeration timing (issue 18): 200 `POST /recover` requests for known addresses and 200 for
unknown ones, interleaved, then 200 `POST /signup` for registered and 200 for new addresses,
against one running Signet; prints median and p95 of each.

    python3 bench/recovery_timing.py [path/to/signet]   # default target/release/signet

Starts its own Signet (fresh data dir, trusted loopback proxy so each request can come from its
own X-Forwarded-For address and no per-IP limit is reached), creates the known accounts with
the CLI, and measures wall time per request from this client. Not a test: it asserts nothing.
"""
import os, re, statistics, subprocess, sys, tempfile, time, urllib.parse, urllib.request, http.cookiejar

N = 200
binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/signet"
data = tempfile.mkdtemp(prefix="signet-recovery-bench-")
env = dict(os.environ, SIGNET_DATA_DIR=data, SIGNET_LISTEN="127.0.0.1:0", SIGNET_LOG="warn",
           SIGNET_ISSUER="http://localhost:8080", SIGNET_TRUSTED_PROXIES='["127.0.0.1/32"]',
           SIGNET_RATE_LIMIT__AUTH_REQUESTS_PER_IP_PER_MINUTE="100000",
           SIGNET_PASSWORD__MEMORY_KIB="1024", SIGNET_PASSWORD__ITERATIONS="1",
           SIGNET_PASSWORD__ALLOW_WEAK_PARAMS="true")
lines = "\n".join('{"email":"known%d@example.com","password_hash":"$2b$04$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTIWIwwBsTAC","is_admin":false}' % i for i in range(N))
with open(os.path.join(data, "users.jsonl"), "w") as f:
    f.write(lines + "\n")
subprocess.run([binary, "user", "import", os.path.join(data, "users.jsonl")], env=env, check=True, capture_output=True)
server = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.PIPE, text=True)
base = None
for line in server.stdout:
    m = re.search(r"listening on (http://[\d.:]+)", line)
    if m:
        base = m.group(1)
        break
try:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/recover").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    def post(email, i, path="/recover", extra=None):
        body = urllib.parse.urlencode({"csrf": csrf, "email": email, **(extra or {})}).encode()
        req = urllib.request.Request(base + path, data=body, headers={"X-Forwarded-For": f"10.9.{i // 250}.{i % 250}"})
        t = time.perf_counter()
        with opener.open(req) as r:
            r.read()
            assert r.status == 200, r.status
        return (time.perf_counter() - t) * 1000

    for i in range(20):  # warm-up
        post(f"warm{i}@example.com", 1000 + i)
    known, unknown = [], []
    for i in range(N):
        known.append(post(f"known{i}@example.com", 2 * i))
        unknown.append(post(f"nobody{i}@example.com", 2 * i + 1))

    def p95(xs):
        return sorted(xs)[int(len(xs) * 0.95) - 1]

    # Every known address got its mail (the work really happened, after the answers).
    mails = 0
    for _ in range(300):
        mails = len([f for f in os.listdir(os.path.join(data, "mail")) if f.endswith(".eml")]) if os.path.isdir(os.path.join(data, "mail")) else 0
        if mails >= N:
            break
        time.sleep(0.1)
    print(f"mails written: {mails} (expected {N}: one per known address, none for unknown ones)")
    print(f"| addresses | requests | median ms | p95 ms |")
    print(f"| --- | --- | --- | --- |")
    print(f"| known | {N} | {statistics.median(known):.2f} | {p95(known):.2f} |")
    print(f"| unknown | {N} | {statistics.median(unknown):.2f} | {p95(unknown):.2f} |")

    # Sign-up: the same answer for a registered and a new address, after the same work (the
    # password is hashed either way; creating or telling the owner happens after the answer).
    pw = {"password": "a perfectly fine bench passphrase"}
    existing, new = [], []
    for i in range(N):
        existing.append(post(f"known{i}@example.com", 4000 + 2 * i, "/signup", pw))
        new.append(post(f"fresh{i}@example.com", 4001 + 2 * i, "/signup", pw))
    print()
    print(f"| sign-up address | requests | median ms | p95 ms |")
    print(f"| --- | --- | --- | --- |")
    print(f"| registered | {N} | {statistics.median(existing):.2f} | {p95(existing):.2f} |")
    print(f"| new | {N} | {statistics.median(new):.2f} | {p95(new):.2f} |")
finally:
    server.terminate()
    server.wait()
