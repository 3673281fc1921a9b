#!/usr/bin/env bash
# Gateway benchmarks: prints figures side by side (not a test). All on 127.0.0.1, wrk as client.
#   (a) pass-through hop: gateway (ModelArts JSON → plain HTTP engine) vs nginx proxy_pass
#       (keepalive upstream), both in front of the same nginx backend
#   (b) conversion hop: gateway ASE JSON with a base64 PNG → native no-op gRPC engine
#   (c) digits model: `athena serve` with 2 Python workers vs FastAPI/uvicorn with 2 workers
#   (d) gateway RSS: idle, at 64 connections, after 10 s and after 60 s of load
#   (e) the price of auth: (a)'s gateway hop without auth, with a token, with an HMAC signature
# For each: req/s, p50/p99 latency and CPU µs per request of the proxy process itself
# (utime+stime from /proc/PID/stat; nginx: master + workers).
#
# Usage: bench/gateway/run.sh            (BIN=folder with athena, athena-gateway, bench-noop-engine;
#                                          default .build-release/release, else .build/debug; build
#                                          them as they ship: scripts/build-release.sh --product P
#                                          --scratch-path .build-release for each)
#        DURATION=10 CONNS="64 8" SKIP_C=1 bench/gateway/run.sh
#        ONLY="a d" bench/gateway/run.sh   (run a subset of the scenarios a b c d e; default all)
#        ROUNDS=3 bench/gateway/run.sh     (each pair of rows measured 3 times, alternating, and a
#                                           summary of the medians and their ratios at the end)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIN=${BIN:-}
if [ -z "$BIN" ]; then
  if [ -x .build-release/release/athena-gateway ]; then BIN=.build-release/release; else BIN=.build/debug; fi
fi
BIN=$(cd "$BIN" && pwd)
DURATION=${DURATION:-10}
CONNS=${CONNS:-"64 8"}
THREADS=${THREADS:-2}
ONLY=${ONLY:-"a b c d e"}
ROUNDS=${ROUNDS:-1}
[ "${SKIP_C:-0}" = 1 ] && ONLY=${ONLY//c/}
want() { [[ " $ONLY " == *" $1 "* ]]; }
for exe in athena athena-gateway bench-noop-engine; do
  [ -x "$BIN/$exe" ] || { echo "missing $BIN/$exe: scripts/build-release.sh --product $exe --scratch-path .build-release" >&2; exit 1; }
done

source bench/gateway/common.sh
install_missing nginx:nginx-light wrk:wrk
NGINX=$(command -v nginx)
WORK=$(mktemp -d /tmp/athena-bench.XXXXXX)
PIDS=()
trap cleanup EXIT INT TERM

cpu_ticks() { # pids... → utime+stime summed
  local total=0
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    read -r -a f < <(sed 's/^.*) //' "/proc/$pid/stat")
    total=$((total + f[11] + f[12]))
  done
  echo $total
}
rss_mib() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
nginx_pids() { local master; master=$(cat "$1"); echo "$master $(pgrep -P "$master" | tr '\n' ' ')"; }
CLK_TCK=$(getconf CLK_TCK)

RESULTS=$WORK/results.txt
RAW=$WORK/raw.tsv
: > "$RESULTS"; : > "$RAW"
# measure LABEL URL LUA CONNS PIDS...
measure() {
  local label=$1 url=$2 lua=$3 conns=$4; shift 4
  local before after out rps p50 p99 reqs errs cpu
  before=$(cpu_ticks "$@")
  out=$(wrk -t"$THREADS" -c"$conns" -d"${DURATION}s" --latency -s "$lua" "$url")
  after=$(cpu_ticks "$@")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx/ {print $5} /Socket errors/ {print "sock:" $0}' <<<"$out" | tr '\n' ' ')
  cpu=$(awk -v d=$((after - before)) -v n="$reqs" -v hz="$CLK_TCK" 'BEGIN { if (n > 0) printf "%.1f", d * 1e6 / hz / n; else print "n/a" }')
  printf '%-46s c=%-3s %10s req/s  p50 %-9s p99 %-9s CPU %7s µs/req %s\n' "$label" "$conns" "$rps" "$p50" "$p99" "$cpu" "${errs:+errors: $errs}" | tee -a "$RESULTS"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$conns" "$rps" "$p50" "$p99" "$cpu" >> "$RAW"
}
rounds() { seq 1 "$ROUNDS"; }

echo "athena gateway benchmark — $(date -u +%FT%TZ), $(nproc) cores, ${DURATION}s per run, wrk -t$THREADS, binaries $BIN"

# --- nginx backend (the "plain HTTP engine") and nginx proxy ---------------------------------
start_backend
PROXY_PORT=$(free_port)
proxy_conf "$PROXY_PORT" "worker_processes auto; pid $WORK/proxy.pid; error_log $WORK/proxy.err warn;" > "$WORK/proxy.conf"
"$NGINX" -p "$WORK" -c "$WORK/proxy.conf"
wait_http "http://127.0.0.1:$PROXY_PORT/"

# --- no-op gRPC engine and the gateway -------------------------------------------------------
start_noop_engine
GATEWAY_PORT=$(free_port)
write_table
# (e): the pass-through service again, behind a token and behind an HMAC signature
mkdir -p "$WORK/auth"
echo "bench-token" > "$WORK/auth/tokens"
echo "bench-key:bench-secret" > "$WORK/auth/credentials"
for mode in token hmac; do cat >> "$WORK/table.yaml" <<YAML
  - name: passthrough-$mode
    auth: {mode: $mode, secretFile: $WORK/auth}
    versions:
      - name: v1
        protocol: http
        endpoints: {static: ["127.0.0.1:$BACKEND_PORT"]}
        http: {path: /predict, method: POST, contentType: application/json, healthPath: /}
YAML
done
"$BIN/athena-gateway" --config "$WORK/table.yaml" --port "$GATEWAY_PORT" --log-level warning > "$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
PIDS+=($GATEWAY_PID)
wait_http "http://127.0.0.1:$GATEWAY_PORT/readyz"
GATEWAY_IDLE_RSS=$(rss_mib $GATEWAY_PID)

# request bodies
write_bodies
curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/json.body" "http://127.0.0.1:$GATEWAY_PORT/v1/infers/passthrough" >/dev/null \
  || { echo "gateway pass-through check failed:"; curl -s -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/json.body" "http://127.0.0.1:$GATEWAY_PORT/v1/infers/passthrough"; cat "$WORK/gateway.log"; exit 1; }
curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/ase.body" "http://127.0.0.1:$GATEWAY_PORT/v1/private/noop" >/dev/null \
  || { echo "gateway ASE check failed"; cat "$WORK/gateway.log"; exit 1; }

if want a; then
echo
echo "(a) pass-through hop, same nginx backend"
for c in $CONNS; do for _ in $(rounds); do
  measure "nginx proxy_pass (keepalive upstream)" "http://127.0.0.1:$PROXY_PORT/predict" "$WORK/json.lua" "$c" $(nginx_pids "$WORK/proxy.pid")
  measure "gateway ModelArts JSON → HTTP engine" "http://127.0.0.1:$GATEWAY_PORT/v1/infers/passthrough" "$WORK/json.lua" "$c" $GATEWAY_PID
done; done
fi
if want b; then
echo
echo "(b) conversion hop: ASE JSON + base64 PNG ($(stat -c %s "$PNG") bytes) → no-op gRPC engine"
for c in $CONNS; do for _ in $(rounds); do
  # the reference row, unless (a) already printed it in this run
  want a || measure "nginx proxy_pass (keepalive upstream)" "http://127.0.0.1:$PROXY_PORT/predict" "$WORK/json.lua" "$c" $(nginx_pids "$WORK/proxy.pid")
  measure "gateway ASE → gRPC no-op engine" "http://127.0.0.1:$GATEWAY_PORT/v1/private/noop" "$WORK/ase.lua" "$c" $GATEWAY_PID
done; done
fi

if want e; then
echo
echo "(e) the price of auth on (a)'s gateway hop"
# A wrk script for the signed service, signed now (the gateway accepts a Date within 300 s).
hmac_lua() {
  python3 - "$WORK/json.body" "$WORK/hmac.lua" "$WORK/hmac.headers" <<'PY'
import base64, hashlib, hmac, sys
from email.utils import formatdate
body = open(sys.argv[1], "rb").read()
date = formatdate(usegmt=True)
digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
text = "date: %s\nPOST /v1/infers/passthrough-hmac HTTP/1.1\ndigest: %s" % (date, digest)
sig = base64.b64encode(hmac.new(b"bench-secret", text.encode(), hashlib.sha256).digest()).decode()
auth = 'api_key="bench-key", algorithm="hmac-sha256", headers="date request-line digest", signature="%s"' % sig
with open(sys.argv[2], "w") as out:
    out.write('local f = io.open("%s", "rb"); wrk.body = f:read("*a"); f:close()\n' % sys.argv[1])
    out.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n')
    for name, value in (("Date", date), ("Digest", digest), ("Authorization", auth)):
        out.write('wrk.headers["%s"] = [[%s]]\n' % (name, value))
with open(sys.argv[3], "w") as out:
    out.write("Date: %s\nDigest: %s\nAuthorization: %s\n" % (date, digest, auth))
PY
}
{ cat "$WORK/json.lua"; echo 'wrk.headers["X-Auth-Token"] = "bench-token"'; } > "$WORK/token.lua"
hmac_lua
curl -sf -X POST -H 'Content-Type: application/json' -H 'X-Auth-Token: bench-token' --data-binary @"$WORK/json.body" \
  "http://127.0.0.1:$GATEWAY_PORT/v1/infers/passthrough-token" >/dev/null || { echo "(e) token check failed"; exit 1; }
curl -sf -X POST -H 'Content-Type: application/json' -H @"$WORK/hmac.headers" --data-binary @"$WORK/json.body" \
  "http://127.0.0.1:$GATEWAY_PORT/v1/infers/passthrough-hmac" >/dev/null \
  || { echo "(e) HMAC check failed:"; curl -s -X POST -H 'Content-Type: application/json' -H @"$WORK/hmac.headers" \
       --data-binary @"$WORK/json.body" "http://127.0.0.1:$GATEWAY_PORT/v1/infers/passthrough-hmac"; exit 1; }
for _ in $(rounds); do
  measure "gateway (a) hop, no auth" "http://127.0.0.1:$GATEWAY_PORT/v1/infers/passthrough" "$WORK/json.lua" 64 $GATEWAY_PID
  measure "gateway (a) hop, token auth" "http://127.0.0.1:$GATEWAY_PORT/v1/infers/passthrough-token" "$WORK/token.lua" 64 $GATEWAY_PID
  hmac_lua
  measure "gateway (a) hop, HMAC-signed" "http://127.0.0.1:$GATEWAY_PORT/v1/infers/passthrough-hmac" "$WORK/hmac.lua" 64 $GATEWAY_PID
done
fi

if want d; then
echo
echo "(d) gateway memory (RSS)"
echo "  idle after start:            ${GATEWAY_IDLE_RSS} MiB"
wrk -t"$THREADS" -c64 -d60s -s "$WORK/ase.lua" "http://127.0.0.1:$GATEWAY_PORT/v1/private/noop" > "$WORK/long.txt" &
WRK_PID=$!
sleep 5;  echo "  at 64 connections (5 s):     $(rss_mib $GATEWAY_PID) MiB"
sleep 5;  echo "  after 10 s of load:          $(rss_mib $GATEWAY_PID) MiB"
wait $WRK_PID
echo "  after 60 s of load:          $(rss_mib $GATEWAY_PID) MiB   ($(awk '/requests in/ {print $1}' "$WORK/long.txt") requests)"
fi

if want c; then
  echo
  echo "(c) digits model, 2 Python workers each"
  VENV=.build-bench/venv
  if [ ! -x "$VENV/bin/uvicorn" ]; then
    echo "  creating $VENV (fastapi, uvicorn, the SDK and the model's packages)…"
    python3 -m venv "$VENV"
    # uvicorn[standard] (uvloop + httptools): what FastAPI's documented install gives users.
    "$VENV/bin/pip" install -q --disable-pip-version-check fastapi "uvicorn[standard]" numpy scikit-learn pillow grpcio protobuf hpack
    "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps -e sdk/python
  fi
  "$VENV/bin/python" -c 'import hpack' 2>/dev/null || "$VENV/bin/pip" install -q --disable-pip-version-check hpack
  ATHENA_PORT=$(free_port); UVICORN_PORT=$(free_port)
  "$BIN/athena" serve examples/digits --workers 2 --port "$ATHENA_PORT" --python "$ROOT/$VENV/bin/python" --log-level warning > "$WORK/serve.log" 2>&1 &
  ATHENA_PID=$!; PIDS+=($ATHENA_PID)
  (cd bench/gateway && DIGITS_APP="$ROOT/examples/digits" exec "$ROOT/$VENV/bin/uvicorn" fastapi_digits:app --workers 2 \
      --host 127.0.0.1 --port "$UVICORN_PORT" --log-level warning --no-access-log) > "$WORK/uvicorn.log" 2>&1 &
  UVICORN_PID=$!; PIDS+=($UVICORN_PID)
  wait_http "http://127.0.0.1:$ATHENA_PORT/readyz"
  for _ in $(seq 1 300); do
    curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/ase.body" "http://127.0.0.1:$UVICORN_PORT/v1/private/digits" >/dev/null && break
    sleep 0.2
  done
  UVLOOP=$("$VENV/bin/python" -c 'import uvloop, httptools; print("uvloop+httptools")' 2>/dev/null || echo "asyncio+h11")
  echo "  (uvicorn runs on $UVLOOP)"
  for c in $CONNS; do for _ in $(rounds); do
    measure "athena serve (gateway + 2 engine workers)" "http://127.0.0.1:$ATHENA_PORT/v1/private/digits" "$WORK/ase.lua" "$c" $ATHENA_PID $(pgrep -P $ATHENA_PID | tr '\n' ' ')
    measure "FastAPI/uvicorn --workers 2" "http://127.0.0.1:$UVICORN_PORT/v1/private/digits" "$WORK/ase.lua" "$c" $UVICORN_PID $(pgrep -P $UVICORN_PID | tr '\n' ' ')
  done; done
  echo "  (CPU here is the whole stack: gateway + workers, or uvicorn master + workers)"
fi

if [ "$ROUNDS" -gt 1 ]; then
  echo
  echo "medians of $ROUNDS alternating rounds (ratio = row / its reference: nginx for (a) and (b), FastAPI for (c), no auth for (e))"
  python3 "$ROOT/bench/gateway/summary.py" "$RAW"
fi
