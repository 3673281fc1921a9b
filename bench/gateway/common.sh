# Shared by bench/gateway/run.sh and bench/gateway/instructions.sh (sourced, not run): the nginx
# backend that plays the plain HTTP engine, the no-op gRPC engine, the routing table and the
# request bodies, so both scripts measure the same hops with the same requests.
# The functions below need WORK (a scratch folder), BIN (the binaries), NGINX and a PIDS array.

# install_missing COMMAND:PACKAGE...: installs from Debian the packages whose command is missing.
install_missing() {
  local need=() pair
  for pair in "$@"; do command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}"); done
  [ ${#need[@]} -eq 0 ] && return 0
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
}

# cleanup: stops what was started (PIDS, the nginx proxy and backend) and removes WORK.
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  [ -f "$WORK/proxy.pid" ] && kill -QUIT "$(cat "$WORK/proxy.pid")" 2>/dev/null || true
  [ -f "$WORK/backend.pid" ] && kill -QUIT "$(cat "$WORK/backend.pid")" 2>/dev/null || true
  sleep 1
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_http() { # url [expected-status]
  for _ in $(seq 1 600); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)
    [ "$code" = "${2:-200}" ] && return 0
    sleep 0.1
  done
  echo "timeout waiting for $1" >&2; return 1
}

lua_post() { # file body-file content-type
  cat > "$1" <<LUA
local f = io.open("$2", "rb"); wrk.body = f:read("*a"); f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "$3"
LUA
}

# The http{} settings every nginx here shares: no logs, temp files in WORK, endless keep-alive.
common_http() {
  echo "access_log off; client_body_temp_path $WORK/tmp/cb; proxy_temp_path $WORK/tmp/px; fastcgi_temp_path $WORK/tmp/fc; uwsgi_temp_path $WORK/tmp/uw; scgi_temp_path $WORK/tmp/sc; keepalive_requests 1000000;"
}

# start_backend: nginx answering every request with a fixed JSON on BACKEND_PORT (set here).
start_backend() {
  BACKEND_PORT=$(free_port)
  mkdir -p "$WORK/tmp"; chmod 777 "$WORK" "$WORK/tmp"
  cat > "$WORK/backend.conf" <<CONF
worker_processes 1; pid $WORK/backend.pid; error_log $WORK/backend.err warn;
events { worker_connections 4096; }
http { $(common_http)
  server { listen 127.0.0.1:$BACKEND_PORT;
    location / { default_type application/json; return 200 '{"label":"ok","score":0.5}'; } } }
CONF
  "$NGINX" -p "$WORK" -c "$WORK/backend.conf"
  wait_http "http://127.0.0.1:$BACKEND_PORT/"
}

# proxy_conf PORT HEAD: an nginx proxy_pass to the backend with a keepalive upstream; HEAD is the
# main-context line (workers, master, pid).
proxy_conf() {
  cat <<CONF
$2
events { worker_connections 4096; }
http { $(common_http)
  upstream backend { server 127.0.0.1:$BACKEND_PORT; keepalive 128; }
  server { listen 127.0.0.1:$1;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
CONF
}

# start_noop_engine: the native no-op gRPC engine; sets NOOP to its host:port.
start_noop_engine() {
  "$BIN/bench-noop-engine" 0 > "$WORK/noop.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do grep -qs "listening on" "$WORK/noop.log" && break; sleep 0.1; done
  NOOP=$(sed -n 's/^listening on //p' "$WORK/noop.log")
}

# write_table: WORK/table.yaml with `passthrough` (the backend as a plain HTTP engine), `noop` and
# `noop-unbatched` (the same engine, one gRPC call per request).
write_table() {
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
  - name: noop-unbatched
    versions:
      - name: v1
        protocol: grpc
        endpoints: {static: ["$NOOP"]}
        batching: {maxBatchSize: 1}
YAML
}

# write_bodies: WORK/json.body + json.lua (ModelArts JSON) and ase.body + ase.lua (ASE JSON with
# the base64 of a digits test image).
PNG=examples/digits/testdata/3_0.png
write_bodies() {
  echo '{"data":{"x":[1,2,3,4],"id":"bench"}}' > "$WORK/json.body"
  lua_post "$WORK/json.lua" "$WORK/json.body" application/json
  python3 - "$PNG" "$WORK/ase.body" <<'PY'
import base64, json, sys
png = open(sys.argv[1], "rb").read()
json.dump({"header": {"app_id": "bench", "status": 3}, "parameter": {},
           "payload": {"image": {"encoding": "png", "status": 3, "image": base64.b64encode(png).decode()}}},
          open(sys.argv[2], "w"))
PY
  lua_post "$WORK/ase.lua" "$WORK/ase.body" application/json
}
