"""Drives the operator benchmark against a running kube-testserver and athena-operator.

Creates the AIApplications and OnlineServices over HTTP (16 threads, persistent connections),
polls until every OnlineService is Running, then reads the server's request counters
(GET /debug/requests, split by User-Agent) and the operator's /proc figures. Stdlib only.
"""
import argparse
import http.client
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

AGENT = "athena-bench-driver"
GROUP = "/apis/serving.athena.dev/v1alpha1/namespaces/default"
_local = threading.local()


def connection(server):
    conn = getattr(_local, "conn", None)
    if conn is None:
        url = urlparse(server)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        _local.conn = conn
    return conn


def request(server, method, path, body=None):
    for attempt in range(3):
        conn = connection(server)
        try:
            data = json.dumps(body).encode() if body is not None else None
            headers = {"User-Agent": AGENT, "Accept": "application/json"}
            if data is not None:
                headers["Content-Type"] = "application/json"
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            return response.status, (json.loads(payload) if payload else None)
        except (http.client.HTTPException, OSError):
            conn.close()
            _local.conn = None
            if attempt == 2:
                raise
    raise RuntimeError("unreachable")


def application(name):
    return {
        "apiVersion": "serving.athena.dev/v1alpha1", "kind": "AIApplication",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "version": "1.0.0",
            "runtime": {"image": "ghcr.io/athena-serving/example-digits:0.1.0", "protocol": "grpc", "port": 50051},
            "resources": {"cpu": "100m", "memory": "128Mi"},
        },
    }


def service(index, apps):
    first, second = f"app-{index % apps}", f"app-{(index + 1) % apps}"
    return {
        "apiVersion": "serving.athena.dev/v1alpha1", "kind": "OnlineService",
        "metadata": {"name": f"svc-{index:04d}", "namespace": "default"},
        "spec": {"versions": [
            {"application": first, "weight": 90, "replicas": 1},
            {"application": second, "weight": 10, "replicas": 1},
        ]},
    }


def summary(server, agent=""):
    path = "/debug/requests" + (f"?userAgent={agent}" if agent else "")
    status, body = request(server, "GET", path)
    if status != 200:
        raise SystemExit(f"GET {path}: {status} {body}")
    return body


def operator_agents(server):
    agents = summary(server).get("byUserAgent", {})
    return [a for a in agents if not a.startswith(AGENT) and not a.startswith("kubectl")]


def proc_figures(pid):
    figures = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    figures[key] = int(value.split()[0]) / 1024.0
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
            ticks = 100.0
            figures["cpu"] = (int(fields[11]) + int(fields[12])) / ticks
    except OSError as error:
        raise SystemExit(f"operator process {pid} is gone: {error}")
    return figures


def operator_counts(server, agents):
    total, writes, by_resource = 0, 0, {}
    for agent in agents:
        s = summary(server, agent)
        total += s["total"]
        writes += s["writes"]
        for key, count in s["byResource"].items():
            by_resource[key] = by_resource.get(key, 0) + int(count)
    return int(total), int(writes), by_resource


def wait(what, timeout, check, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise SystemExit(f"timed out after {timeout} s waiting for {what}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--operator-pid", type=int, required=True)
    parser.add_argument("--server-pid", type=int, default=0)
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--apps", type=int, default=10)
    parser.add_argument("--steady-seconds", type=int, default=60)
    parser.add_argument("--timeout", type=int, default=300)
    args = parser.parse_args()
    server = args.server

    # The operator is up once it watches OnlineServices; count from a clean log after that.
    def watching():
        for agent in operator_agents(server):
            if summary(server, agent)["byResource"].get("watch onlineservices", 0) > 0:
                return True
        return False
    wait("the operator to watch OnlineServices", 60, watching)
    startup_total, _, _ = operator_counts(server, operator_agents(server))
    idle = proc_figures(args.operator_pid)
    server_idle = proc_figures(args.server_pid)["cpu"] if args.server_pid else 0.0
    request(server, "DELETE", "/debug/requests")

    start = time.monotonic()
    for i in range(args.apps):
        status, body = request(server, "POST", f"{GROUP}/aiapplications", application(f"app-{i}"))
        if status != 201:
            raise SystemExit(f"create app-{i}: {status} {body}")

    def create(i):
        status, body = request(server, "POST", f"{GROUP}/onlineservices", service(i, args.apps))
        if status != 201:
            raise SystemExit(f"create svc-{i}: {status} {body}")

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(create, range(args.services)))
    created = time.monotonic() - start

    running = 0
    phases = {}

    def all_running():
        nonlocal running, phases
        status, body = request(server, "GET", f"{GROUP}/onlineservices")
        items = body.get("items", []) if status == 200 else []
        phases = {}
        for item in items:
            phase = item.get("status", {}).get("phase", "")
            phases[phase] = phases.get(phase, 0) + 1
        running = phases.get("Running", 0)
        return running == args.services
    try:
        wait(f"{args.services} OnlineServices Running", args.timeout, all_running, interval=0.25)
    except SystemExit as error:
        print(f"# FAILED: {error}; phases: {phases}", file=sys.stderr)
        raise
    converged = time.monotonic() - start
    agents = operator_agents(server)
    # Trailing requests (the last Events, AIApplication status) still belong to converging:
    # wait until the operator's count has not moved for 2 s (at most 30 s).
    total, _, _ = operator_counts(server, agents)
    quiet_since, settle_deadline = time.monotonic(), time.monotonic() + 30
    while time.monotonic() < settle_deadline and time.monotonic() - quiet_since < 2:
        time.sleep(0.25)
        now_total, _, _ = operator_counts(server, agents)
        if now_total != total:
            total, quiet_since = now_total, time.monotonic()
    settled = time.monotonic() - start
    total, writes, by_resource = operator_counts(server, agents)
    busy = proc_figures(args.operator_pid)
    server_busy = proc_figures(args.server_pid)["cpu"] if args.server_pid else 0.0

    request(server, "DELETE", "/debug/requests")
    time.sleep(args.steady_seconds)
    steady_total, steady_writes, steady_by_resource = operator_counts(server, operator_agents(server))
    after = proc_figures(args.operator_pid)

    per_service = total / args.services
    print(f"operator User-Agent(s):                  {', '.join(agents)}")
    print(f"startup requests (list/watch/discovery): {startup_total}")
    print(f"all {args.services} created after:             {created:6.1f} s")
    print(f"all {args.services} Running after:             {converged:6.1f} s   (target <= 30 s)")
    print(f"operator quiet again after:              {settled:6.1f} s   (no request for 2 s)")
    print(f"operator API requests to converge:       {total}  ({writes} mutating)")
    print(f"API requests per service:                {per_service:6.2f}   (target <= 12)")
    for key, count in sorted(by_resource.items(), key=lambda kv: -kv[1]):
        print(f"    {count:7d}  {key}  ({count / args.services:.2f}/service)")
    print(f"steady state {args.steady_seconds} s: requests {steady_total}, mutating {steady_writes}   (target 0 mutating)")
    for key, count in sorted(steady_by_resource.items(), key=lambda kv: -kv[1]):
        print(f"    {count:7d}  {key}")
    print(f"operator peak RSS (VmHWM):               {after['VmHWM']:6.1f} MiB   (target <= 150 MiB; idle {idle['VmHWM']:.1f} MiB, now {after['VmRSS']:.1f} MiB)")
    print(f"operator CPU time:                       {busy['cpu'] - idle['cpu']:6.1f} s to converge, {after['cpu'] - busy['cpu']:.1f} s in steady state")
    if args.server_pid:
        print(f"kube-testserver CPU time:                {server_busy - server_idle:6.1f} s to converge")
    ok = converged <= 30 and per_service <= 12 and steady_writes == 0 and after["VmHWM"] <= 150
    print("targets: " + ("all met" if ok else "MISSED"))


if __name__ == "__main__":
    main()
