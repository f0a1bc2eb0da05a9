"""Turns the load generator's JSON lines into bench/results/latest.{md,json}: per workload the
median over rounds for each server, the spread (min–max), and Signet/peer ratios."""
import json
import platform
import statistics
import subprocess
import os
import sys
from collections import defaultdict

(results, md_path, json_path, ready_ms, idle_rss, peak_rss, loaded_rss, binary, rounds, duration, conc, peer) = sys.argv[1:13]
rows = [json.loads(l) for l in open(results) if l.strip()]
by = defaultdict(list)
for r in rows:
    by[(r["workload"], r["server"])].append(r)

NAMES = {
    "cc": "client_credentials token (client_secret_basic)",
    "introspect": "introspection of a valid access token",
    "jwks": "discovery + JWKS GET (alternating)",
    "refresh": "refresh-token rotation (one chain per client)",
    "authcode": "authorize → code → token, signed-in session",
    "login": "password login, default Argon2 cost, 200 clients",
}
NOTES = {
    "introspect": "peer introspects opaque tokens (it refuses to introspect its JWT access tokens)",
    "refresh": "chains from real code flows, no `openid` (no ID token on refresh on either side); "
               "the peer keeps tokens in memory, Signet commits each rotation to its database",
    "authcode": "public client, PKCE S256, `openid` (ID token + JWT access token), consent remembered; "
                "the peer's one sign-in is finished by bench/peer without a form",
    "login": "Signet only; 503 beyond hashing capacity is the intended answer",
}


def summary(rs):
    rps = [r["rps"] for r in rs]
    return {
        "rps_median": statistics.median(rps), "rps_min": min(rps), "rps_max": max(rps),
        "p50_ms": statistics.median(r["p50_ms"] for r in rs), "p99_ms": statistics.median(r["p99_ms"] for r in rs),
        "errors": sum(r["errors"] for r in rs), "runs": len(rs),
    }


BACKEND_TEXT = {
    "sqlite": "embedded SQLite (WAL, synchronous=NORMAL), in-process rate limits and denylist (the default)",
    "postgres": "PostgreSQL 15 (Debian package, default durable settings: fsync, synchronous_commit on) + Redis, "
                "both on loopback — what several instances share",
}
out = {"machine": {"cores": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(), "platform": platform.platform()},
       "settings": {"rounds": int(rounds), "duration_s": int(duration), "concurrency": int(conc),
                    "backend": os.environ.get("BENCH_BACKEND", "sqlite")},
       "signet": {"ready_ms": int(ready_ms), "idle_rss_kb": int(idle_rss), "login_flood_peak_rss_kb": int(peak_rss),
                  "rss_after_load_kb": int(loaded_rss), "binary_bytes": int(binary)},
       "workloads": {}}
lines = [
    "# Signet vs node-oidc-provider (same machine, same run)", "",
    f"Signet backend: {BACKEND_TEXT[out['settings']['backend']]}.", "",
    f"{out['machine']['cores']} cores; {rounds} round(s) × {duration} s per workload after warm-up; concurrency {conc} "
    "(login: 200); Signet and the peer alternate. Figures are medians over rounds; spread is min–max req/s.", "",
    "| workload | Signet req/s (spread) | p50 / p99 ms | peer req/s (spread) | p50 / p99 ms | ratio | notes |",
    "| --- | --- | --- | --- | --- | --- | --- |",
]
for wl in ["cc", "introspect", "jwks", "refresh", "authcode", "login"]:
    s = by.get((wl, "signet"))
    p = by.get((wl, "peer"))
    if not s:
        continue
    ss = summary(s)
    ps = summary(p) if p else None
    ratio = round(ss["rps_median"] / ps["rps_median"], 1) if ps and ps["rps_median"] else None
    out["workloads"][wl] = {"signet": ss, "peer": ps, "ratio": ratio}
    peer_cells = (f"{ps['rps_median']:.0f} ({ps['rps_min']:.0f}–{ps['rps_max']:.0f}) | {ps['p50_ms']:.2f} / {ps['p99_ms']:.2f}" if ps else "– | –")
    note = NOTES.get(wl, "")
    if ss["errors"]:
        note += f"; Signet: {ss['errors']} non-2xx"
    if ps and ps["errors"]:
        note += f"; peer: {ps['errors']} non-2xx"
    ratio_cell = f"{ratio:.1f}×" if ratio else "–"
    lines.append(f"| {NAMES[wl]} | {ss['rps_median']:.0f} ({ss['rps_min']:.0f}–{ss['rps_max']:.0f}) | {ss['p50_ms']:.2f} / {ss['p99_ms']:.2f} | "
                 f"{peer_cells} | {ratio_cell} | {note} |")
s = out["signet"]
lines += ["", "Signet process:", "",
          f"- ready (process start → first successful `/readyz`): {s['ready_ms']} ms",
          f"- idle RSS after start: {s['idle_rss_kb'] / 1024:.1f} MiB",
          f"- peak RSS during the 200-client login flood: {s['login_flood_peak_rss_kb'] / 1024:.1f} MiB; after all load: {s['rss_after_load_kb'] / 1024:.1f} MiB",
          f"- release binary: {s['binary_bytes'] / 1e6:.1f} MB"]
if peer == "0":
    lines += ["", "Quick run: Signet only, no peer; figures are a smoke test, not a measurement."]
open(md_path, "w").write("\n".join(lines) + "\n")
json.dump(out, open(json_path, "w"), indent=2)
