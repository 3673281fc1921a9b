"""Fixtures: real engine processes (`python -m athena_wrapper.serve`) on 127.0.0.1:0."""
import os
import queue
import signal
import subprocess
import sys
import threading
import time

import grpc
import pytest

from athena_wrapper.proto import engine_pb2_grpc, health_pb2_grpc

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
APPS = os.path.join(HERE, "apps")
EXAMPLES = os.path.join(ROOT, "examples")
START_TIMEOUT = 60.0


class Engine:
    """A running engine process and stubs to call it."""

    def __init__(self, app_dir: str, extra_args=()):
        self.app_dir = app_dir
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "athena_wrapper.serve", "--app", app_dir, "--listen", "127.0.0.1:0", *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: "queue.Queue[str]" = queue.Queue()
        self.stderr: list = []
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines.put), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr.append), daemon=True).start()
        self.address = None
        self.ready = False

    @staticmethod
    def _pump(stream, sink):
        for line in stream:
            sink(line.rstrip("\n"))

    def wait_line(self, prefix: str, timeout: float = START_TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    time.sleep(0.2)  # let the stderr pump finish
                    raise AssertionError("engine exited with %s before %r; stderr:\n%s"
                                         % (self.proc.returncode, prefix, "\n".join(self.stderr[-20:])))
                continue
            if line.startswith(prefix):
                return line
        raise AssertionError("no %r line within %.0f s; stderr:\n%s" % (prefix, timeout, "\n".join(self.stderr[-20:])))

    def start(self) -> "Engine":
        line = self.wait_line("athena-wrapper: listening on ")
        self.address = line.rsplit(" ", 1)[1]
        self.channel = grpc.insecure_channel(self.address)
        self.stub = engine_pb2_grpc.EngineStub(self.channel)
        self.health = health_pb2_grpc.HealthStub(self.channel)
        self.wait_line("athena-wrapper: ready")
        self.ready = True
        return self

    def stop(self, timeout: float = 15.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if getattr(self, "channel", None) is not None:
            self.channel.close()
        return self.proc.returncode


@pytest.fixture(scope="module")
def engine_for():
    started = []

    def start(app_dir: str, *extra_args) -> Engine:
        e = Engine(app_dir, extra_args)
        started.append(e)
        return e.start()

    yield start
    for e in started:
        e.stop()
