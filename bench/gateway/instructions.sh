#!/usr/bin/env bash
# User-space instructions per request of the proxy process, counted by valgrind's callgrind:
# the one figure of the gateway benchmarks that this machine's noise does not move (run it twice,
# it agrees to about 1%). Not a test, and not a speed: it leaves out the kernel (two reads and two
# writes per request, for the gateway as for nginx), the cache misses and the wake-ups that
# bench/gateway/run.sh measures. It says how much work each proxy does in its own code per
# request, side by side:
#   nginx proxy_pass (a)  vs  gateway (a): ModelArts JSON → plain HTTP engine (the same nginx backend)
#   gateway (b): ASE JSON with a base64 PNG → native no-op gRPC engine
# Each proxy runs under callgrind twice, once for 1 s and once for DURATION s of wrk -c8 load; the
# difference in instructions over the difference in requests leaves start-up and shutdown out.
#
# Usage: bench/gateway/instructions.sh   (BIN as for run.sh; DURATION=8 by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-}
if [ -z "$BIN" ]; then
  if [ -x .build-release/release/athena-gateway ]; then BIN=.build-release/release; else BIN=.build/debug; fi
fi
BIN=$(cd "$BIN" && pwd)
DURATION=${DURATION:-8}
for exe in athena-gateway bench-noop-engine; do
  [ -x "$BIN/$exe" ] || { echo "missing $BIN/$exe: scripts/build-release.sh --product $exe --scratch-path .build-release" >&2; exit 1; }
done

need=()
command -v nginx >/dev/null || need+=(nginx-light)
command -v wrk >/dev/null || need+=(wrk)
command -v valgrind >/dev/null || need+=(valgrind)
command -v objcopy >/dev/null || need+=(binutils)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
NGINX=$(command -v nginx)

WORK=$(mktemp -d /tmp/athena-instr.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  [ -f "$WORK/backend.pid" ] && kill -QUIT "$(cat "$WORK/backend.pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() {
  for _ in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)" = 200 ] && return 0
    sleep 0.1
  done
  echo "timeout waiting for $1" >&2; return 1
}
lua_post() {
  cat > "$1" <<LUA
local f = io.open("$2", "rb"); wrk.body = f:read("*a"); f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
LUA
}

# --- the nginx backend (the "plain HTTP engine") and the no-op gRPC engine, outside valgrind ---
BACKEND_PORT=$(free_port)
mkdir -p "$WORK/tmp"; chmod 777 "$WORK" "$WORK/tmp"
common_http="access_log off; client_body_temp_path $WORK/tmp/cb; proxy_temp_path $WORK/tmp/px; fastcgi_temp_path $WORK/tmp/fc; uwsgi_temp_path $WORK/tmp/uw; scgi_temp_path $WORK/tmp/sc; keepalive_requests 1000000;"
cat > "$WORK/backend.conf" <<CONF
worker_processes 1; pid $WORK/backend.pid; error_log $WORK/backend.err warn;
events { worker_connections 4096; }
http { $common_http
  server { listen 127.0.0.1:$BACKEND_PORT;
    location / { default_type application/json; return 200 '{"label":"ok","score":0.5}'; } } }
CONF
"$NGINX" -p "$WORK" -c "$WORK/backend.conf"
wait_http "http://127.0.0.1:$BACKEND_PORT/"
"$BIN/bench-noop-engine" 0 > "$WORK/noop.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do grep -qs "listening on" "$WORK/noop.log" && break; sleep 0.1; done
NOOP=$(sed -n 's/^listening on //p' "$WORK/noop.log")
cat > "$WORK/table.yaml" <<YAML
apiVersion: athena.dev/routing/v1
services:
  - name: passthrough
    versions:
      - name: v1
        protocol: http
        endpoints: {static: ["127.0.0.1:$BACKEND_PORT"]}
        http: {path: /predict, method: POST, contentType: application/json, healthPath: /}
  - name: noop
    versions:
      - name: v1
        protocol: grpc
        endpoints: {static: ["$NOOP"]}
YAML
echo '{"data":{"x":[1,2,3,4],"id":"bench"}}' > "$WORK/json.body"
lua_post "$WORK/json.lua" "$WORK/json.body"
python3 - examples/digits/testdata/3_0.png "$WORK/ase.body" <<'PY'
import base64, json, sys
png = open(sys.argv[1], "rb").read()
json.dump({"header": {"app_id": "bench", "status": 3}, "parameter": {},
           "payload": {"image": {"encoding": "png", "status": 3, "image": base64.b64encode(png).decode()}}},
          open(sys.argv[2], "w"))
PY
lua_post "$WORK/ase.lua" "$WORK/ase.body"

# valgrind 3.19 (Debian 12) cannot read the DWARF 5 that Swift writes: count on a copy without it.
objcopy --strip-debug "$BIN/athena-gateway" "$WORK/athena-gateway"

# The proxy under test, single-process: nginx without master (one worker), or the gateway.
PROXY_PORT=$(free_port)
cat > "$WORK/proxy.conf" <<CONF
daemon off; master_process off; worker_processes 1; pid $WORK/proxy.pid; error_log $WORK/proxy.err warn;
events { worker_connections 4096; }
http { $common_http
  upstream backend { server 127.0.0.1:$BACKEND_PORT; keepalive 128; }
  server { listen 127.0.0.1:$PROXY_PORT;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
CONF

# one_run SECONDS KIND URL LUA → "requests instructions"
one_run() {
  local seconds=$1 kind=$2 url=$3 lua=$4 pid n=0 out=$WORK/callgrind.out
  rm -f "$out"
  if [ "$kind" = nginx ]; then
    valgrind --tool=callgrind --callgrind-out-file="$out" "$NGINX" -p "$WORK" -c "$WORK/proxy.conf" > "$WORK/valgrind.log" 2>&1 &
  else
    valgrind --tool=callgrind --callgrind-out-file="$out" "$WORK/athena-gateway" --config "$WORK/table.yaml" \
      --port "$PROXY_PORT" --log-level warning > "$WORK/valgrind.log" 2>&1 &
  fi
  pid=$!
  if [ "$kind" = nginx ]; then wait_http "http://127.0.0.1:$PROXY_PORT/"; else wait_http "http://127.0.0.1:$PROXY_PORT/readyz"; fi
  n=$(wrk -t1 -c8 -d"${seconds}s" -s "$lua" "$url" | awk '/requests in/ {print $1}')
  # nginx ends on QUIT (graceful), the gateway on TERM; callgrind writes its totals at exit.
  if [ "$kind" = nginx ]; then kill -QUIT "$pid"; else kill -TERM "$pid"; fi
  wait "$pid" || true
  [ -s "$out" ] || { echo "callgrind wrote nothing:" >&2; tail -20 "$WORK/valgrind.log" >&2; exit 1; }
  echo "$n $(awk '/^summary:/ {print $2; exit}' "$out")"
}

# row LABEL KIND PATH LUA → prints and sets LAST to the instructions per request
row() {
  local label=$1 kind=$2 url="http://127.0.0.1:$PROXY_PORT$3" lua=$4 n0 i0 n1 i1
  read -r n0 i0 < <(one_run 1 "$kind" "$url" "$lua")
  read -r n1 i1 < <(one_run "$DURATION" "$kind" "$url" "$lua")
  [ "$n1" -gt "$n0" ] || { echo "$label: too few requests ($n0, $n1)" >&2; exit 1; }
  LAST=$(( (i1 - i0) / (n1 - n0) ))
  printf '%-48s %8d instructions/request  (%d and %d requests)\n' "$label" "$LAST" "$n0" "$n1"
}

echo "athena gateway: user-space instructions per request under callgrind — $(date -u +%FT%TZ), binaries $BIN"
row "nginx proxy_pass (keepalive upstream)" nginx /predict "$WORK/json.lua"; NGINX_I=$LAST
row "(a) gateway, ModelArts JSON → HTTP engine" gateway /v1/infers/passthrough "$WORK/json.lua"; A_I=$LAST
row "(b) gateway, ASE JSON + base64 PNG → gRPC engine" gateway /v1/private/noop "$WORK/ase.lua"; B_I=$LAST
awk -v n="$NGINX_I" -v a="$A_I" -v b="$B_I" 'BEGIN { printf "ratios to nginx: (a) %.2fx, (b) %.2fx\n", a / n, b / n }'
