#!/usr/bin/env bash
# Operator benchmark (prints figures; not a test). Against kube-testserver --simulate-workloads
# (Deployments report ready after WORKLOAD_DELAY_MS), with athena-operator already running and
# idle, the driver creates APPS AIApplications and SERVICES OnlineServices (2 versions each, over
# the shared applications) as fast as it can, then reports:
#   - seconds from the first create until every OnlineService is Running
#   - the operator's API requests (total, per service, by verb/resource) until then
#   - mutating requests by the operator during STEADY_SECONDS of steady state afterwards
#   - the operator's peak RSS (VmHWM) and CPU time
# The test server tells the operator's requests from the driver's by User-Agent (GET /debug/requests).
#
# Usage: bench/operator/run.sh
#        SERVICES=200 STEADY_SECONDS=10 bench/operator/run.sh
#        BIN=.build/debug bench/operator/run.sh     (skip the release build; figures are then worse)
# Needs: kubectl, python3 (stdlib only), a release build (made here unless BIN is set).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SERVICES=${SERVICES:-1000}
APPS=${APPS:-10}
STEADY_SECONDS=${STEADY_SECONDS:-60}
WORKLOAD_DELAY_MS=${WORKLOAD_DELAY_MS:-200}
TIMEOUT_SECONDS=${TIMEOUT_SECONDS:-300}
OPERATOR_ARGS=${OPERATOR_ARGS:-}
PYTHON=${ATHENA_PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=$(command -v python3 || true)
[ -n "$PYTHON" ] || { echo "bench/operator: python3 not found" >&2; exit 1; }
command -v kubectl >/dev/null || { echo "bench/operator: kubectl not found" >&2; exit 1; }

if [ -z "${BIN:-}" ]; then
  echo "# release build (scripts/build-release.sh --scratch-path .build-release) ..." >&2
  for product in kube-testserver athena-operator; do
    scripts/build-release.sh --scratch-path .build-release --product "$product" 2>&1 | grep -E "error|Compiling|Build" | tail -3 >&2
  done
  BIN=$(swift build -c release --scratch-path .build-release --show-bin-path)
fi
BIN=$(cd "$BIN" && pwd)
for exe in kube-testserver athena-operator; do
  [ -x "$BIN/$exe" ] || { echo "bench/operator: missing $BIN/$exe" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/athena-bench-operator.XXXXXX)
SERVER_PID=""
OPERATOR_PID=""
cleanup() {
  [ -n "$OPERATOR_PID" ] && kill "$OPERATOR_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  for pid in $OPERATOR_PID $SERVER_PID; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# History large enough that no watch resumes into a 410 during the burst (etcd keeps ~5 min).
"$BIN/kube-testserver" --simulate-workloads --workload-delay-ms "$WORKLOAD_DELAY_MS" --history-limit 200000 \
  --kubeconfig "$WORK/kubeconfig" >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 150); do
  PORT=$(head -n1 "$WORK/server.out" 2>/dev/null || true)
  [ -n "$PORT" ] && [ -f "$WORK/kubeconfig" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { echo "bench/operator: kube-testserver did not start: $(cat "$WORK/server.err")" >&2; exit 1; }
KUBECACHEDIR="$WORK/cache" kubectl --kubeconfig "$WORK/kubeconfig" apply -f crds/ >/dev/null

# shellcheck disable=SC2086
"$BIN/athena-operator" --kubeconfig "$WORK/kubeconfig" --health-host 127.0.0.1 --health-port 0 --log-level warning \
  $OPERATOR_ARGS >"$WORK/operator.log" 2>&1 &
OPERATOR_PID=$!

echo "# athena-operator benchmark: $SERVICES OnlineServices x 2 versions over $APPS AIApplications," \
  "workload delay ${WORKLOAD_DELAY_MS} ms, $(nproc) cores, binaries from $BIN"
status=0
"$PYTHON" bench/operator/driver.py --server "http://127.0.0.1:$PORT" --operator-pid "$OPERATOR_PID" --server-pid "$SERVER_PID" \
  --services "$SERVICES" --apps "$APPS" --steady-seconds "$STEADY_SECONDS" --timeout "$TIMEOUT_SECONDS" || status=$?
if [ $status != 0 ]; then
  echo "# operator log (tail):" >&2
  tail -n 30 "$WORK/operator.log" >&2
fi
exit $status
