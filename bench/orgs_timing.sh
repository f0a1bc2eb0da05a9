#!/usr/bin/env bash
# Issue 19's workload (not a test): organizations and roles at size, beside today's plain
# client_credentials and introspection, same run, same load generator.
#   10,000 organizations × 100 members (1,000,000 memberships, from 1,000 users), one API with
#   200 permissions; the bench user is in one organization with 20 roles × 10 permissions.
#   - cc-plain:       client_credentials for an audience that is no registered API
#   - cc-api:         client_credentials for the registered API (the client's grants applied)
#   - introspect-plain: a client_credentials token
#   - introspect-user: the same user's token outside organizations, for a plain audience
#   - introspect-org: the user's token for the organization with 200 permission scopes, whose
#                     organization, roles and permissions introspection resolves every time
#                     (one indexed lookup while the cached roles' generations stand)
#   - refresh-user / refresh-org: refresh-token rotation for those two grants (the org one
#                     resolves the roles again and narrows the 200 scopes)
# Usage: bench/orgs_timing.sh [--rounds N] [--duration S] [--only LABEL]. Prints a table of
# medians (rps, p50). ORGS, MEMBERS, USERS in the environment shrink the data for a quick look.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=3 DURATION=10 WARMUP=2 CONC=${CONC:-32} ORGS=${ORGS:-10000} MEMBERS=${MEMBERS:-100} USERS=${USERS:-1000} ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --only) ONLY=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
cargo build --release -q -p signet -p signet-loadgen
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release"
SIGNET="$BIN/signet" LOADGEN="$BIN/signet-loadgen"
WORK=$(mktemp -d); echo "work: $WORK"; RESULTS="$WORK/results.jsonl"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port) BASE="http://127.0.0.1:$PORT"
export SIGNET_DATA_DIR="$WORK/signet" SIGNET_LISTEN="127.0.0.1:$PORT" SIGNET_ISSUER="$BASE" SIGNET_LOG=warn
export SIGNET_RATE_LIMIT__AUTH_REQUESTS_PER_IP_PER_MINUTE=100000000 SIGNET_RATE_LIMIT__LOGIN_FAILURES_PER_IP=100000000
SPID=""
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
j() { python3 -c "import sys,json; print(json.load(sys.stdin)['$1'])"; }
API=https://api.example.com
PERMS=(read $(seq -f 'p%03g' 1 199))

echo "== seeding: $ORGS organizations × $MEMBERS members, ${#PERMS[@]} permissions, 20 roles"
"$SIGNET" migrate > /dev/null
perm_args=(); for p in "${PERMS[@]}"; do perm_args+=(--permission "$p"); done
"$SIGNET" api create --identifier "$API" "${perm_args[@]}" > /dev/null
echo "bench passphrase 42" | "$SIGNET" user create --email bench@example.com --password-stdin > /dev/null
"$SIGNET" org create bench-org --name "Bench Org" > /dev/null
"$SIGNET" org member add bench-org bench@example.com > /dev/null
for r in $(seq 0 19); do
  role_perms=(); for k in $(seq 0 9); do role_perms+=(--permission "${PERMS[$((r * 10 + k))]}"); done
  "$SIGNET" role create "role$r" --api "$API" --org bench-org "${role_perms[@]}" > /dev/null
  "$SIGNET" role grant "role$r" --user bench@example.com --org bench-org > /dev/null
done
python3 - "$SIGNET_DATA_DIR/signet.db" "$ORGS" "$MEMBERS" "$USERS" <<'EOF'
import random, sqlite3, sys, time
db, orgs, members, users = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
c = sqlite3.connect(db)
now = int(time.time())
c.executemany("INSERT INTO users (email, subject, created_at, updated_at) VALUES (?, ?, ?, ?)",
              [(f"u{i}@bench.example", f"sub-bench-{i}", now, now) for i in range(users)])
first_user = c.execute("SELECT MIN(id) FROM users WHERE email LIKE 'u%@bench.example'").fetchone()[0]
c.executemany("INSERT INTO organizations (public_id, slug, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
              [(f"org_bench{i:08d}", f"org-{i}", f"Org {i}", now, now) for i in range(orgs - 1)])
ids = [r[0] for r in c.execute("SELECT id FROM organizations WHERE slug LIKE 'org-%'")]
rng = random.Random(19)
rows = [(o, first_user + u, "member", now) for o in ids for u in rng.sample(range(users), members)]
bench_org = c.execute("SELECT id FROM organizations WHERE slug = 'bench-org'").fetchone()[0]
rows += [(bench_org, first_user + u, "member", now) for u in range(members - 1)]
c.executemany("INSERT INTO org_members (org_id, user_id, org_role, created_at) VALUES (?, ?, ?, ?)", rows)
c.commit()
print(f"   {c.execute('SELECT COUNT(*) FROM org_members').fetchone()[0]} memberships")
EOF

scope_all="openid ${PERMS[*]}"
cc_plain=$("$SIGNET" client create --name cc-plain --scope read --audience https://other.example.com --json)
cc_api=$("$SIGNET" client create --name cc-api --scope read --audience "$API" --json)
"$SIGNET" client grant "$(echo "$cc_api" | j client_id)" "$API" "${PERMS[@]}" > /dev/null
rs=$("$SIGNET" client create --name rs --json)
app=$("$SIGNET" client create --name app --public --skip-consent --grant authorization_code --grant refresh_token \
  --scope "offline_access $scope_all" --audience "$API" --redirect-uri https://app.example.com/cb --json)
# The same user's tokens outside any organization, for an audience that is no registered API:
# the baseline an organization token's extra work is measured against.
app2=$("$SIGNET" client create --name app2 --public --skip-consent --grant authorization_code --grant refresh_token \
  --scope "openid offline_access read" --audience https://other.example.com --redirect-uri https://app.example.com/cb --json)

"$SIGNET" serve > "$WORK/out" 2> "$WORK/err" &
SPID=$!
until curl -sf "$BASE/readyz" > /dev/null; do sleep 0.05; done

plain_token=$(curl -s -u "$(echo "$cc_plain" | j client_id):$(echo "$cc_plain" | j client_secret)" \
  -d grant_type=client_credentials -d scope=read "$BASE/oauth2/token" | j access_token)
# The user's tokens: sign in, authorize (with organization=bench-org or without), exchange; one
# access token and CONC refresh chains per kind.
cat > "$WORK/tokens.py" <<'EOF'
import base64, hashlib, http.cookiejar, json, re, secrets, sys, urllib.parse, urllib.request
base, client_id, scope, org, n, expect, out = sys.argv[1:8]
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None
jar = http.cookiejar.CookieJar()
op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
def call(url, data=None):
    try:
        r = op.open(urllib.request.Request(url, data=urllib.parse.urlencode(data).encode() if data else None))
        return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()
_, _, page = call(base + "/login")
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
call(base + "/login", {"csrf": csrf, "email": "bench@example.com", "password": "bench passphrase 42", "return_to": ""})
tokens = []
for _ in range(int(n)):
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    q = {"response_type": "code", "client_id": client_id, "redirect_uri": "https://app.example.com/cb", "scope": scope,
         "code_challenge": challenge, "code_challenge_method": "S256"}
    if org:
        q["organization"] = org
    status, headers, body = call(base + "/oauth2/authorize?" + urllib.parse.urlencode(q))
    code = urllib.parse.parse_qs(urllib.parse.urlparse(headers["Location"]).query)["code"][0]
    _, _, tok = call(base + "/oauth2/token", {"grant_type": "authorization_code", "code": code, "client_id": client_id,
                                             "redirect_uri": "https://app.example.com/cb", "code_verifier": verifier})
    t = json.loads(tok)
    assert len(t["scope"].split()) == int(expect), t["scope"]
    tokens.append(t)
open(out, "w").write("".join(t["refresh_token"] + "\n" for t in tokens))
print(tokens[0]["access_token"])
EOF
APP_ID=$(echo "$app" | j client_id) APP2_ID=$(echo "$app2" | j client_id)
# openid, offline_access, organization:…, 200 permissions
org_token=$(python3 "$WORK/tokens.py" "$BASE" "$APP_ID" "offline_access $scope_all" bench-org "$CONC" 203 "$WORK/org-chains")
user_token=$(python3 "$WORK/tokens.py" "$BASE" "$APP2_ID" "openid offline_access read" "" "$CONC" 3 "$WORK/user-chains")
# Refresh chains rotate as they run: each round starts from fresh ones (a used token is reuse).
new_chains() {
  python3 "$WORK/tokens.py" "$BASE" "$APP_ID" "offline_access $scope_all" bench-org "$CONC" 203 "$WORK/org-chains" > /dev/null
  python3 "$WORK/tokens.py" "$BASE" "$APP2_ID" "openid offline_access read" "" "$CONC" 3 "$WORK/user-chains" > /dev/null
}
RS_ID=$(echo "$rs" | j client_id) RS_SECRET=$(echo "$rs" | j client_secret)
echo "== the org token introspects as: $(curl -s -u "$RS_ID:$RS_SECRET" -d token="$org_token" "$BASE/oauth2/introspect" \
  | python3 -c "import sys,json; d=json.load(sys.stdin); print(d['active'], d['org_slug'], len(d['roles']), 'roles', len(d['scope'].split()), 'scopes')")"

run() { # label workload args...
  local label=$1 wl=$2; shift 2
  [ -n "$ONLY" ] && [ "$ONLY" != "$label" ] && return 0
  "$LOADGEN" --workload "$wl" --base "$BASE" --concurrency "$CONC" --duration "$DURATION" --warmup "$WARMUP" "$@" \
    | python3 -c "import sys,json; d=json.loads(sys.stdin.read()); d['label']='$label'; print(json.dumps(d))" >> "$RESULTS"
  tail -n 1 "$RESULTS"
}
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round"
  run cc-plain cc --client-id="$(echo "$cc_plain" | j client_id)" --client-secret="$(echo "$cc_plain" | j client_secret)"
  run cc-api cc --client-id="$(echo "$cc_api" | j client_id)" --client-secret="$(echo "$cc_api" | j client_secret)"
  run introspect-plain introspect --rs-id="$RS_ID" --rs-secret="$RS_SECRET" --token="$plain_token"
  run introspect-user introspect --rs-id="$RS_ID" --rs-secret="$RS_SECRET" --token="$user_token"
  run introspect-org introspect --rs-id="$RS_ID" --rs-secret="$RS_SECRET" --token="$org_token"
  [ "$round" = 1 ] || new_chains
  run refresh-user refresh --client-id="$APP2_ID" --tokens-file="$WORK/user-chains"
  run refresh-org refresh --client-id="$APP_ID" --tokens-file="$WORK/org-chains"
done
python3 - "$RESULTS" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| workload | rps (median) | p50 ms | p99 ms | errors |")
print("| --- | --- | --- | --- | --- |")
for label in ["cc-plain", "cc-api", "introspect-plain", "introspect-user", "introspect-org", "refresh-user", "refresh-org"]:
    r = [x for x in rows if x["label"] == label]
    if not r:
        continue
    print(f"| {label} | {statistics.median(x['rps'] for x in r):.0f} | {statistics.median(x['p50_ms'] for x in r):.2f} | "
          f"{statistics.median(x['p99_ms'] for x in r):.2f} | {sum(x['errors'] for x in r)} |")
EOF
