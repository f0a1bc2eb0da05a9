#!/usr/bin/env bash
# Issue 20's workload (not a test): the authorization API at size, over HTTP, in one run.
#   ORGS organizations (default 1,000) × about 1,000 tuples each (the same model as the
#   in-process bench, crates/signet-authz/benches/check.rs: users, nested groups, folders,
#   documents, bans), seeded straight into SQLite; one client installed in every organization.
#   - load:      every organization's graph loaded (one check each), total time and the
#                server's memory before and after (RSS), per million tuples
#   - check:     POST /api/v1/authz/check, random document/user pairs of one organization
#   - explain:   POST /api/v1/authz/explain, the same questions
#   - authzen:   POST /access/v1/evaluation, the same questions
#   - batch:     POST /access/v1/evaluations, 100 questions a request (decisions/s = rps × 100)
#   - list:      a complete listing of 10,000 accessible documents (10 pages of 1,000, cursors
#                followed), sequentially, 30 times: p50 / p99 of the whole listing
# Usage: bench/authz_timing.sh [--rounds N] [--duration S] [--backend postgres] [--client wrk].
# Prints a table of medians, with the server's CPU time per request (user + system, from /proc:
# what a request costs the server whatever the load generator takes of the 2 cores). With
# --backend postgres, two instances on PostgreSQL + Redis share the load. With --client wrk
# (Debian's wrk, one thread, bench/wrk_bodies.lua) instead of signet-loadgen: a C load
# generator that leaves more of the machine to the server.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=3 DURATION=10 WARMUP=2 CONC=${CONC:-32} ORGS=${ORGS:-1000} BACKEND=sqlite CLIENT=loadgen
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --backend) BACKEND=$2; shift ;;
    --client) CLIENT=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [ "$CLIENT" = wrk ] && ! command -v wrk > /dev/null; then
  echo "--client wrk needs wrk (Debian: apt-get install wrk)" >&2; exit 2
fi
cargo build --release -q -p signet -p signet-loadgen
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release"
SIGNET="$BIN/signet" LOADGEN="$BIN/signet-loadgen"
WORK=$(mktemp -d); echo "work: $WORK"; RESULTS="$WORK/results.jsonl"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port) BASE="http://127.0.0.1:$PORT"
export SIGNET_DATA_DIR="$WORK/signet" SIGNET_LISTEN="127.0.0.1:$PORT" SIGNET_ISSUER="$BASE" SIGNET_LOG=warn,signet::startup=info
export SIGNET_RATE_LIMIT__AUTH_REQUESTS_PER_IP_PER_MINUTE=100000000 SIGNET_RATE_LIMIT__LOGIN_FAILURES_PER_IP=100000000
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "${PG_DATA:-}" ] && scripts/pg-start --stop "$PG_DATA" > /dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
if [ "$BACKEND" = postgres ]; then
  PG_PORT=$(free_port) PG_DATA="$WORK/pg/data" REDIS_PORT=$(free_port)
  chmod 755 "$WORK" # the server runs as the postgres user when this runs as root
  export SIGNET_DATABASE_URL=$(scripts/pg-start "$PG_PORT" "$PG_DATA")
  redis-server --port "$REDIS_PORT" --save '' --appendonly no --daemonize no > "$WORK/redis.log" 2>&1 &
  PIDS+=($!)
  export SIGNET_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
fi

echo "== seeding: $ORGS organizations"
"$SIGNET" migrate > /dev/null
pep=$("$SIGNET" client create --name pep --grant client_credentials --audience urn:signet:authz --json)
PEP_ID=$(echo "$pep" | python3 -c "import sys,json; print(json.load(sys.stdin)['client_id'])")
PEP_SECRET=$(echo "$pep" | python3 -c "import sys,json; print(json.load(sys.stdin)['client_secret'])")
"$SIGNET" client grant "$PEP_ID" urn:signet:authz authz:check authz:explain > /dev/null
python3 bench/authz_seed.py "$ORGS" "$PEP_ID" "$WORK"

start_signet() { # port
  SIGNET_LISTEN="127.0.0.1:$1" "$SIGNET" serve > "$WORK/signet-$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$1/healthz" > /dev/null && return 0; sleep 0.1; done
  echo "signet did not start" >&2; cat "$WORK/signet-$1.log" >&2; exit 1
}
# An empty server's memory, for the memory per million tuples.
EPORT=$(free_port)
env -u SIGNET_DATABASE_URL -u SIGNET_REDIS_URL SIGNET_DATA_DIR="$WORK/empty" SIGNET_LISTEN="127.0.0.1:$EPORT" \
  SIGNET_ISSUER="http://127.0.0.1:$EPORT" "$SIGNET" serve > /dev/null 2>&1 &
EPID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$EPORT/healthz" > /dev/null && break; sleep 0.1; done
export EMPTY_RSS_KIB=$(awk '/VmRSS/ {print $2}' "/proc/$EPID/status"); kill "$EPID"
start_signet "$PORT"
SPID=${PIDS[-1]}
BASES=("$BASE")
SERVER_PIDS=("$SPID")
if [ "$BACKEND" = postgres ]; then
  PORT2=$(free_port); start_signet "$PORT2"; BASES+=("http://127.0.0.1:$PORT2"); SERVER_PIDS+=("${PIDS[-1]}")
fi

echo "== loading every organization's graph"
for _ in $(seq 1 300); do grep -q "graphs loaded" "$WORK/signet-$PORT.log" && break; sleep 0.1; done
python3 -c "import json,sys; [print('preload at start: {orgs} organizations, {tuples} tuples in {ms} ms'.format(**json.loads(l))) for l in open(sys.argv[1]) if 'graphs loaded' in l]" "$WORK/signet-$PORT.log" | tee "$WORK/preload.txt"
python3 bench/authz_seed.py --load "$BASE" "$PEP_ID" "$PEP_SECRET" "$ORGS" "$SPID" "$WORK" | tee "$WORK/load.txt"
TOKEN=$(cat "$WORK/token")

cpu_ticks() { local t=0; for p in "${SERVER_PIDS[@]}"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
one() { # base path bodies concurrency: one JSON line of results
  if [ "$CLIENT" = wrk ]; then
    BODIES="$WORK/$3" WPATH="$2" TOKEN="$TOKEN" wrk -t1 -c"$4" -d"$WARMUP"s -s bench/wrk_bodies.lua "$1" > /dev/null
    BODIES="$WORK/$3" WPATH="$2" TOKEN="$TOKEN" wrk -t1 -c"$4" -d"$DURATION"s -s bench/wrk_bodies.lua "$1" \
      | sed -n 's/^RESULT //p'
  else
    "$LOADGEN" --workload json --base "$1" --path "$2" --bodies-file "$WORK/$3" --token "$TOKEN" \
      --concurrency "$4" --duration "$DURATION" --warmup "$WARMUP"
  fi
}
run() { # label path bodies: one load generator per instance, sharing the concurrency
  local pids=() before
  before=$(cpu_ticks)
  local i=0
  for base in "${BASES[@]}"; do
    # Each load generator's line to its own file, appended once all are done (two appending
    # at once could interleave).
    (one "$base" "$2" "$3" $((CONC / ${#BASES[@]})) \
      | python3 -c "import sys,json; d=json.loads(sys.stdin.read()); d['label']='$1'; print(json.dumps(d))" > "$RESULTS.$i") &
    pids+=($!)
    i=$((i + 1))
  done
  wait "${pids[@]}"
  for j in $(seq 0 $((i - 1))); do cat "$RESULTS.$j" >> "$RESULTS"; done
  # The server's CPU over the run (the warm-up included: both are the same load).
  echo "{\"label\": \"cpu-$1\", \"ticks\": $(( $(cpu_ticks) - before )), \"hz\": $(getconf CLK_TCK), \"seconds\": $((DURATION + WARMUP))}" >> "$RESULTS"
}
for ROUND in $(seq 1 "$ROUNDS"); do
  echo "== round $ROUND"
  run check /api/v1/authz/check checks.jsonl
  run explain /api/v1/authz/explain checks.jsonl
  run authzen /access/v1/evaluation evaluations.jsonl
  run batch /access/v1/evaluations batches.jsonl
done
python3 bench/authz_seed.py --list "$BASE" "$(cat "$WORK/token-list")" | tee "$WORK/list.txt"
python3 bench/authz_seed.py --report "$RESULTS" "${#BASES[@]}" "$WORK/load.txt" "$WORK/list.txt"
cat "$WORK/preload.txt"
