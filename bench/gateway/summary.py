"""Medians of alternating benchmark rounds, and each row's ratios to its reference row.

Input: the TSV `run.sh` writes (label, connections, req/s, p50, p99, CPU µs/req), one line per
measurement. Why alternated rounds: the machine is shared, and its speed drifts by more than the
differences being measured within minutes. The ratios are taken pair by pair (round i of a row
against round i of its reference, measured back to back) and their median printed, so a drift
between rounds moves them much less than it moves the medians of each row.
"""
import statistics
import sys

REFERENCE = {
    "gateway ModelArts JSON → HTTP engine": "nginx proxy_pass (keepalive upstream)",
    "gateway ASE → gRPC no-op engine": "nginx proxy_pass (keepalive upstream)",
    "athena serve (gateway + 2 engine workers)": "FastAPI/uvicorn --workers 2",
    "gateway (a) hop, token auth": "gateway (a) hop, no auth",
    "gateway (a) hop, HMAC-signed": "gateway (a) hop, no auth",
}


def micros(text: str) -> float:
    """wrk's latency text (`225.00us`, `1.39ms`, `2.01s`) in µs."""
    for suffix, scale in (("us", 1.0), ("ms", 1e3), ("s", 1e6)):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * scale
    return float("nan")


def main(path: str) -> None:
    rows = {}
    for line in open(path, encoding="utf-8"):
        label, conns, rps, p50, p99, cpu = line.rstrip("\n").split("\t")
        entry = rows.setdefault((label, conns), {"rps": [], "p50": [], "p99": [], "cpu": []})
        entry["rps"].append(float(rps or "nan"))
        entry["p50"].append(micros(p50))
        entry["p99"].append(micros(p99))
        entry["cpu"].append(float(cpu) if cpu not in ("", "n/a") else float("nan"))
    for (label, conns), entry in rows.items():
        m = {k: statistics.median(v) for k, v in entry.items()}
        line = "%-46s c=%-3s %10.0f req/s  p50 %8.0fus  p99 %8.0fus  CPU %7.1f µs/req" % (
            label, conns, m["rps"], m["p50"], m["p99"], m["cpu"])
        ref = rows.get((REFERENCE.get(label, ""), conns))
        if ref:
            def paired(k):
                return statistics.median(a / b for a, b in zip(entry[k], ref[k]))
            line += "   ratio: req/s %.2fx, p99 %.2fx, CPU %.2fx" % (paired("rps"), paired("p99"), paired("cpu"))
        print(line)


if __name__ == "__main__":
    main(sys.argv[1])
