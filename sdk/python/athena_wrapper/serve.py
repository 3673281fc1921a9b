"""`python -m athena_wrapper.serve --app DIR --listen 127.0.0.1:PORT`: the engine process.

Prints `athena-wrapper: listening on HOST:PORT` once the port is bound (PORT 0 picks one) and
`athena-wrapper: ready SERVICE VERSION` once the model is loaded (health turns SERVING).
SIGTERM/SIGINT → health NOT_SERVING, in-flight calls finish (5 s grace), wrapperFini, exit 0.
With `ATHENA_PARENT_PID` set, the same happens when that process is no longer the parent.
Exit 1 when the application cannot load, 2 on bad arguments.
"""
import argparse
import os
import signal
import sys
import time
from typing import Dict, List, Optional

from .app import open_app
from .errors import EngineError
from .log import log
from .server import EngineServer


def _parse_config(pairs: List[str]) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for p in pairs:
        if "=" not in p:
            raise SystemExit("athena-wrapper: --config expects KEY=VALUE, got %r" % p)
        k, v = p.split("=", 1)
        out[k] = v
    return out


def _parent_pid() -> Optional[int]:
    """`ATHENA_PARENT_PID` (set by `athena serve`): the engine exits when that parent dies,
    even if it was SIGKILLed and could not stop its workers."""
    value = os.environ.get("ATHENA_PARENT_PID", "")
    try:
        return int(value) if value else None
    except ValueError:
        log.warning("ignoring ATHENA_PARENT_PID=%r: not a pid", value)
        return None


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m athena_wrapper.serve",
                                 description="Serve an AIGES wrapper.py or a ModelArts package over gRPC.")
    ap.add_argument("--app", required=True, help="application folder (wrapper.py, or config.json + customize_service.py)")
    ap.add_argument("--listen", default=os.environ.get("ATHENA_ENGINE_LISTEN", "127.0.0.1:50051"),
                    help="HOST:PORT to listen on (PORT 0 = any free port)")
    ap.add_argument("--workers", type=int, default=int(os.environ.get("ATHENA_ENGINE_THREADS", "4")),
                    help="request threads (concurrent calls into the user code; default 4: Python runs one "
                         "thread at a time, more threads only help wrappers that wait on I/O)")
    ap.add_argument("--grpc-server", choices=["lean", "grpcio"], default=os.environ.get("ATHENA_GRPC_SERVER", "lean"),
                    help="gRPC server implementation: lean (default; the SDK's own, ~10x less CPU per call) "
                         "or grpcio ($ATHENA_GRPC_SERVER)")
    ap.add_argument("--config", action="append", default=[], metavar="KEY=VALUE",
                    help="entry of the config dict passed to wrapperInit (repeatable)")
    ap.add_argument("--service", default="", help="service id for ModelArts packages (default: folder name)")
    ap.add_argument("--version", default="", help="version for ModelArts packages")
    ap.add_argument("--session-timeout", type=float, default=30.0,
                    help="seconds a session may wait for its last result after the last frame")
    args = ap.parse_args(argv)

    try:
        app = open_app(args.app, config=_parse_config(args.config), service_id=args.service, version=args.version,
                       session_timeout=args.session_timeout)
        os.chdir(app.app_dir)  # AIGES wrappers open test_data/... relative to their folder
        server = EngineServer(app, listen=args.listen, workers=max(1, args.workers), server=args.grpc_server)
    except EngineError as e:
        print("athena-wrapper: %s" % e.message, file=sys.stderr, flush=True)
        return 1

    switch = os.environ.get("ATHENA_SWITCH_INTERVAL")
    if switch:
        sys.setswitchinterval(float(switch))

    # Filled by the signal handler, polled by the loop below. Not a threading.Event: the handler
    # runs on the main thread between any two bytecodes, and Event.set() takes the lock that the
    # main thread may already hold (inside Event.wait, or inside the first handler's set() when a
    # second signal arrives). That deadlocked an engine for good: a worker left running an hour
    # after its `athena serve` sent it SIGTERM and was killed. list.append takes no lock.
    stopping: List[int] = []

    def on_signal(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    server.start()
    print("athena-wrapper: listening on %s" % server.address, flush=True)
    try:
        server.load()
    except EngineError as e:
        print("athena-wrapper: %s (code %d)" % (e.message, e.code), file=sys.stderr, flush=True)
        server.stop(grace=0)
        return 1
    print("athena-wrapper: ready %s %s" % (app.service_id, app.version), flush=True)
    log.info("engine %s %s serving on %s", app.service_id, app.version, server.address)
    parent = _parent_pid()
    while not stopping:
        if parent is not None and os.getppid() != parent:
            log.warning("parent process %d is gone; shutting down", parent)
            break
        time.sleep(0.2)
    log.info("shutting down")
    server.stop(grace=5.0)
    try:
        print("athena-wrapper: stopped", flush=True)
    except OSError:  # stdout gone with the parent
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
