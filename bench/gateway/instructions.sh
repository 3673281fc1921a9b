#!/usr/bin/env bash
# User-space instructions per request of the proxy process, counted by valgrind's callgrind:
# the one figure of the gateway benchmarks that this machine's noise does not move (run it twice,
# it agrees to about 1%). Not a test, and not a speed: it leaves out the kernel (two reads and two
# writes per request, for the gateway as for nginx), the cache misses and the wake-ups that
# bench/gateway/run.sh measures. It says how much work each proxy does in its own code per
# request, side by side:
#   nginx proxy_pass (a)  vs  gateway (a): ModelArts JSON → plain HTTP engine (the same nginx backend)
#   gateway (b): ASE JSON with a base64 PNG → native no-op gRPC engine, batched as by default
#   (its figure moves with the batch sizes timing gives), and again with one call per request
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

source bench/gateway/common.sh
install_missing nginx:nginx-light wrk:wrk valgrind:valgrind objcopy:binutils
NGINX=$(command -v nginx)
WORK=$(mktemp -d /tmp/athena-instr.XXXXXX)
PIDS=()
trap cleanup EXIT INT TERM

# --- the nginx backend (the "plain HTTP engine") and the no-op gRPC engine, outside valgrind ---
start_backend
start_noop_engine
write_table
write_bodies

# valgrind 3.19 (Debian 12) cannot read the DWARF 5 that Swift writes: count on a copy without it.
objcopy --strip-debug "$BIN/athena-gateway" "$WORK/athena-gateway"

# The proxy under test, single-process: nginx without master (one worker), or the gateway.
PROXY_PORT=$(free_port)
proxy_conf "$PROXY_PORT" "daemon off; master_process off; worker_processes 1; pid $WORK/proxy.pid; error_log $WORK/proxy.err warn;" > "$WORK/proxy.conf"

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
  rm -f "$WORK/proxy.pid"
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
# (b)'s figure depends on how many requests share an InferBatch call, which timing decides; this
# row has one call per request, so it moves only when the code does.
row "(b) with batching off (one call per request)" gateway /v1/private/noop-unbatched "$WORK/ase.lua"
awk -v n="$NGINX_I" -v a="$A_I" -v b="$B_I" 'BEGIN { printf "ratios to nginx: (a) %.2fx, (b) %.2fx\n", a / n, b / n }'
