"""Helpers of bench/authz_timing.sh (issue 20's benchmark): seeding, loading, listing, report.

  authz_seed.py ORGS PEP_CLIENT_ID WORK            seed the database named by SIGNET_DATABASE_URL
                                                   (or SIGNET_DATA_DIR/signet.db) and write the
                                                   request bodies into WORK
  authz_seed.py --load BASE ID SECRET ORGS PID WORK  one check per organization (every graph
                                                   loaded): time and the server's RSS
  authz_seed.py --list BASE TOKEN                  complete listings of 10,000 documents
  authz_seed.py --report RESULTS INSTANCES LOAD LIST  the table
"""
import base64
import csv
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.parse

# The model of crates/signet-authz/benches/check.rs (and bench/cedar).
SCHEMA = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "signet-authz", "benches",
                           "model.schema")).read()

LIST_DOCS = 10_000


def tuples_of(o, rng):
    """The in-process bench's organization (crates/signet-authz/benches/check.rs)."""
    u = lambda i: ("user", f"o{o}u{i}", "")
    out = [("organization", f"o{o}", "admin", *u(0))]
    for g in range(10):
        for m in range(10):
            out.append(("group", f"o{o}g{g}", "member", *u(g * 10 + m)))
    for f in range(50):
        out.append(("folder", f"o{o}f{f}", "org", "organization", f"o{o}", ""))
        out.append(("folder", f"o{o}f{f}", "owner", *u(rng.randrange(100))))
        out.append(("folder", f"o{o}f{f}", "viewer", "group", f"o{o}g{rng.randrange(10)}", "member"))
        out.append(("folder", f"o{o}f{f}", "viewer", *u(rng.randrange(100))))
        if f >= 10:
            out.append(("folder", f"o{o}f{f}", "parent", "folder", f"o{o}f{f % 10}", ""))
    for d in range(300):
        out.append(("document", f"o{o}d{d}", "parent", "folder", f"o{o}f{rng.randrange(50)}", ""))
        out.append(("document", f"o{o}d{d}", "editor", *u(rng.randrange(100))))
    for b in range(20):
        out.append(("document", f"o{o}d{b * 15}", "banned", *u(rng.randrange(100))))
    return out


def list_tuples():
    out = [("folder", "lf", "viewer", "user", "lister", "")]
    out += [("document", f"l{d:05d}", "parent", "folder", "lf", "") for d in range(LIST_DOCS)]
    return out


def seed(orgs, pep, work):
    now = int(time.time())
    rng = random.Random(20)
    org_rows = [(f"org_bench{o:06d}", f"bo-{o}", f"Bench {o}") for o in range(orgs)]
    org_rows.append(("org_benchlist", "bo-list", "Bench list"))
    url = os.environ.get("SIGNET_DATABASE_URL", "")
    files = {name: open(os.path.join(work, f"{name}.csv"), "w", newline="") for name in ("orgs", "tuples")}
    w = {k: csv.writer(f, quoting=csv.QUOTE_NONNUMERIC) for k, f in files.items()}
    for pub, slug, name in org_rows:
        w["orgs"].writerow([pub, slug, name, now, now])
    files["orgs"].close()
    # Tuples refer to organizations by row id, known once they are inserted.
    if url.startswith("postgres"):
        psql = lambda sql: subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True)
        psql(f"\\copy organizations (public_id, slug, name, created_at, updated_at) FROM '{work}/orgs.csv' CSV")
        ids = subprocess.run(["psql", url, "-At", "-c", "SELECT public_id, id FROM organizations WHERE slug LIKE 'bo-%'"],
                             check=True, capture_output=True, text=True).stdout
        ids = dict(line.split("|") for line in ids.split())
    else:
        import sqlite3
        c = sqlite3.connect(os.path.join(os.environ["SIGNET_DATA_DIR"], "signet.db"))
        c.executemany("INSERT INTO organizations (public_id, slug, name, created_at, updated_at) VALUES (?,?,?,?,?)",
                      [(p, s, n, now, now) for p, s, n in org_rows])
        ids = dict(c.execute("SELECT public_id, id FROM organizations WHERE slug LIKE 'bo-%'").fetchall())
    count = 0
    for o in range(orgs):
        oid = ids[f"org_bench{o:06d}"]
        for t in tuples_of(o, rng):
            w["tuples"].writerow([oid, *t, "", 1])
            count += 1
    for t in list_tuples():
        w["tuples"].writerow([ids["org_benchlist"], *t, "", 1])
    files["tuples"].close()
    schemas = [(oid, SCHEMA, 1, now) for oid in ids.values()]
    clients = [(oid, pep, now) for oid in ids.values()]
    cols = "org_id, object_type, object_id, relation, subject_type, subject_id, subject_relation, condition, rev"
    if url.startswith("postgres"):
        psql(f"\\copy authz_tuples ({cols}) FROM '{work}/tuples.csv' CSV")
        with open(os.path.join(work, "schemas.csv"), "w", newline="") as f:
            csv.writer(f).writerows(schemas)
        with open(os.path.join(work, "clients.csv"), "w", newline="") as f:
            csv.writer(f).writerows(clients)
        psql(f"\\copy authz_schemas (org_id, source, rev, updated_at) FROM '{work}/schemas.csv' CSV")
        psql(f"\\copy org_clients (org_id, client_id, created_at) FROM '{work}/clients.csv' CSV")
        psql("UPDATE authz_revision SET rev = rev + 1")
    else:
        with open(os.path.join(work, "tuples.csv"), newline="") as f:
            c.executemany(f"INSERT INTO authz_tuples ({cols}) VALUES (?,?,?,?,?,?,?,?,?)", csv.reader(f))
        c.executemany("INSERT INTO authz_schemas (org_id, source, rev, updated_at) VALUES (?,?,?,?)", schemas)
        c.executemany("INSERT INTO org_clients (org_id, client_id, created_at) VALUES (?,?,?)", clients)
        c.execute("UPDATE authz_revision SET rev = rev + 1")
        c.commit()
    print(f"   {count} tuples in {orgs} organizations, and {LIST_DOCS} documents in bo-list")
    # Request bodies: questions within organization 0.
    q = [(f"document:o0d{rng.randrange(300)}", f"user:o0u{rng.randrange(100)}") for _ in range(2000)]
    with open(os.path.join(work, "checks.jsonl"), "w") as f:
        for obj, sub in q:
            f.write(json.dumps({"object": obj, "permission": "view", "subject": sub}) + "\n")
    ev = lambda obj, sub: {"subject": {"type": "user", "id": sub[5:]}, "action": {"name": "view"},
                           "resource": {"type": "document", "id": obj[9:]}}
    with open(os.path.join(work, "evaluations.jsonl"), "w") as f:
        for obj, sub in q:
            f.write(json.dumps(ev(obj, sub)) + "\n")
    with open(os.path.join(work, "batches.jsonl"), "w") as f:
        for i in range(0, 2000, 100):
            f.write(json.dumps({"evaluations": [ev(o, s) for o, s in q[i:i + 100]]}) + "\n")


def post(conn, path, body, headers):
    conn.request("POST", path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    return r.status, data


def token_for(conn, client, secret, org):
    basic = base64.b64encode(f"{client}:{secret}".encode()).decode()
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "resource": "urn:signet:authz",
                                   "organization": org})
    status, data = post(conn, "/oauth2/token", form, {"Authorization": f"Basic {basic}",
                                                      "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200, data
    return json.loads(data)["access_token"]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))


def load(base, client, secret, orgs, pid, work):
    u = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    tokens = [token_for(conn, client, secret, f"bo-{o}") for o in range(orgs)]
    started = time.perf_counter()
    for o, t in enumerate(tokens):
        body = json.dumps({"object": f"document:o{o}d1", "permission": "view", "subject": f"user:o{o}u1"})
        status, data = post(conn, "/api/v1/authz/check", body,
                            {"Authorization": f"Bearer {t}", "Content-Type": "application/json"})
        assert status == 200, data
    took = time.perf_counter() - started
    after = rss_kib(pid)
    with open(os.path.join(work, "token"), "w") as f:
        f.write(tokens[0])
    with open(os.path.join(work, "token-list"), "w") as f:
        f.write(token_for(conn, client, secret, "bo-list"))
    empty = int(os.environ.get("EMPTY_RSS_KIB", "0"))
    tuples = orgs * 961 + LIST_DOCS + 1
    print(f"first check in each of {orgs} organizations: {took:.2f} s in all; server RSS {after / 1024:.0f} MiB "
          f"(an empty server {empty / 1024:.0f} MiB): {(after - empty) / 1024 / (tuples / 1e6):.0f} MiB per million tuples")


def listing(base, token):
    u = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    times = []
    for i in range(33):
        started = time.perf_counter()
        ids, cursor = [], None
        while True:
            body = {"type": "document", "permission": "view", "subject": "user:lister", "limit": 1000}
            if cursor:
                body["cursor"] = cursor
            status, data = post(conn, "/api/v1/authz/list-objects", json.dumps(body), headers)
            assert status == 200, data
            page = json.loads(data)
            ids += page["objects"]
            cursor = page["next_cursor"]
            if not cursor:
                break
        if i >= 3:  # warm-up
            times.append((time.perf_counter() - started) * 1000)
        assert len(ids) == LIST_DOCS, len(ids)
    times.sort()
    print(f"list: {LIST_DOCS} documents complete in 10 pages: p50 {statistics.median(times):.1f} ms, "
          f"p99 {times[int(len(times) * 0.99) - 1]:.1f} ms ({len(times)} listings)")


def report(results, instances, load_file, list_file):
    rows = [json.loads(line) for line in open(results)]
    by = {}
    for r in rows:
        by.setdefault(r["label"], []).append(r)
    # With several instances, one result per instance per round: sum rps, worst p99.
    def rounds(label):
        rs = by.get(label, [])
        grouped = [rs[i:i + instances] for i in range(0, len(rs), instances)]
        return [(sum(g["rps"] for g in grp), max(g["p50_ms"] for g in grp), max(g["p99_ms"] for g in grp),
                 sum(g["errors"] for g in grp)) for grp in grouped]
    med = lambda xs: statistics.median(xs) if xs else 0
    # The servers' CPU per request: their CPU seconds over the run (warm-up included) against
    # the requests of the run at its measured rate.
    def cpu_us(label, rps_rounds):
        cpus = by.get("cpu-" + label, [])
        per = [c["ticks"] / c["hz"] * 1e6 / max(rps * c["seconds"], 1) for c, rps in zip(cpus, rps_rounds)]
        return f"{med(per):.1f}" if per else "-"
    print("| workload | rps | decisions/s | p50 ms | p99 ms | errors | server CPU µs/request |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    base = {}
    for label, per in [("check", 1), ("explain", 1), ("authzen", 1), ("batch", 100)]:
        r = rounds(label)
        rps = med([x[0] for x in r])
        base[label] = rps
        print(f"| {label} | {rps:.0f} | {rps * per:.0f} | {med([x[1] for x in r]):.2f} | "
              f"{med([x[2] for x in r]):.2f} | {sum(x[3] for x in r)} | {cpu_us(label, [x[0] for x in r])} |")
    if base.get("check"):
        print(f"\nexplain: {base['check'] / max(base['explain'], 1):.2f}× the time of a check")
    print(open(load_file).read().strip())
    print(open(list_file).read().strip())


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "--load":
        load(a[1], a[2], a[3], int(a[4]), int(a[5]), a[6])
    elif a[0] == "--list":
        listing(a[1], a[2])
    elif a[0] == "--report":
        report(a[1], int(a[2]), a[3], a[4])
    else:
        seed(int(a[0]), a[1], a[2])
