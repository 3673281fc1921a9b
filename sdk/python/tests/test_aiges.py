"""AIGES-style wrappers through a real engine process: once calls, errors, schema, lifecycle."""
import hashlib
import json
import os
import signal
import subprocess
import sys

import pytest

from athena_wrapper.proto import engine_pb2 as pb
from athena_wrapper.proto import health_pb2 as hpb
from conftest import APPS, Engine

SCAFFOLD = os.path.join(APPS, "aiges_scaffold")
PNG = open(os.path.join(SCAFFOLD, "test_data", "test.png"), "rb").read()


def once(engine, params, data):
    return engine.stub.Infer(pb.InferRequest(request_id="req-1", service_id="mmocr", params=params, data=data), timeout=30)


@pytest.fixture(scope="module")
def scaffold(engine_for):
    return engine_for(SCAFFOLD, "--config", "greeting=hi")


def items():
    return [pb.GeneralData(data_id="data", data_type=pb.GeneralData.IMAGE, status=pb.GeneralData.ONCE, data=PNG),
            pb.GeneralData(data_id="switch", data_type=pb.GeneralData.TEXT, status=pb.GeneralData.ONCE, data=b"ctrl")]


def test_health_is_serving(scaffold):
    assert scaffold.health.Check(hpb.HealthCheckRequest(service="")).status == hpb.HealthCheckResponse.SERVING
    assert (scaffold.health.Check(hpb.HealthCheckRequest(service="athena.engine.v1.Engine")).status
            == hpb.HealthCheckResponse.SERVING)


def test_once_request_reaches_unmodified_wrapper(scaffold):
    r = once(scaffold, {"p1": "eee", "p2": "x", "result": '{"encoding": "utf8", "format": "json"}'}, items())
    assert r.code == 0, r.message
    assert r.request_id == "req-1"
    assert r.status == pb.GeneralData.ONCE
    by_key = {d.data_id: d for d in r.data}
    assert by_key["boxes"].data.decode() == hashlib.md5(PNG).hexdigest()
    # wrapperInit saw --config greeting=hi; params and both items arrived.
    assert by_key["boxes2"].data == b"hi eee x 2"
    assert by_key["boxes2"].data_type == pb.GeneralData.TEXT
    assert by_key["boxes2"].desc_args["encoding"] == "utf8"


def test_wrapper_error_code_and_message(scaffold):
    r = once(scaffold, {"p2": "fail"}, items())
    assert (r.code, r.message) == (100, "user error defined here")
    assert not r.data


def test_user_exception_becomes_30003(scaffold):
    r = once(scaffold, {"p2": "raise"}, items())
    assert r.code == 30003
    assert "RuntimeError: model exploded" in r.message
    # The engine keeps serving after a failure.
    assert once(scaffold, {"p2": "ok"}, items()).code == 0


def test_infer_batch_answers_each_request_in_order(scaffold):
    reqs = [pb.InferRequest(request_id="b-%d" % i, service_id="mmocr", params={"p1": "e%d" % i, "p2": p2}, data=items())
            for i, p2 in enumerate(["x", "fail", "raise", "none", "y"])]
    r = scaffold.stub.InferBatch(pb.InferBatchRequest(requests=reqs), timeout=30)
    assert [x.request_id for x in r.responses] == ["b-0", "b-1", "b-2", "b-3", "b-4"]
    # One failing request does not fail its neighbours: each has its own code.
    assert [x.code for x in r.responses] == [0, 100, 30003, 30004, 0]
    assert {d.data_id: d.data for d in r.responses[0].data}["boxes2"] == b"hi e0 x 2"
    assert {d.data_id: d.data for d in r.responses[4].data}["boxes2"] == b"hi e4 y 2"
    assert "RuntimeError: model exploded" in r.responses[2].message
    # An empty batch is an empty answer, not an error.
    assert list(scaffold.stub.InferBatch(pb.InferBatchRequest(), timeout=30).responses) == []


def test_returning_none_is_an_invalid_response(scaffold):
    r = once(scaffold, {"p2": "none"}, items())
    assert r.code == 30004
    assert "Response" in r.message


def test_describe_reports_schema(scaffold):
    d = scaffold.stub.Describe(pb.DescribeRequest(), timeout=10)
    assert (d.service_id, d.version, d.kind) == ("mmocr", "backup.0", pb.DescribeResponse.AIGES)
    assert not d.supports_session
    schema = json.loads(d.schema_json)
    params = schema["schemainput"]["properties"]["parameter"]["properties"]["mmocr"]
    assert params["properties"]["p1"] == {"type": "string", "enum": ["3", "eee"]}
    assert params["properties"]["p2"]["maxLength"] == 44
    assert params["required"] == ["p2"]
    payload = schema["schemainput"]["properties"]["payload"]
    assert set(payload["properties"]) == {"data", "data2", "switch"}
    assert "image" in payload["properties"]["data"]["properties"]
    assert "text" in payload["properties"]["switch"]["properties"]
    assert set(schema["schemaoutput"]["properties"]["payload"]["properties"]) == {"boxes", "boxes2"}
    assert schema["meta"]["mmocr"]["input"]["data"] == {"dataType": "image"}
    assert schema["meta"]["route"] == "/v1/private/mmocr"


def test_schema_command_prints_routing_schema():
    out = subprocess.run([sys.executable, "-m", "athena_wrapper.schema", "--app", SCAFFOLD],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert (doc["service_id"], doc["version"], doc["kind"]) == ("mmocr", "backup.0", "aiges")
    assert doc["routing"]["parameter"]["properties"]["mmocr"]["required"] == ["p2"]
    assert doc["routing"]["payload"]["required"] == ["data", "data2", "switch"]
    assert "boxes" in doc["routing"]["response"]["properties"]


def test_aiges_module_aliases_are_the_sdk():
    import aiges.core.types
    import aiges.dto
    import aiges.sdk
    import aiges.stream
    import aiges.types
    import aiges.utils.log
    import aiges_embed
    import athena_wrapper
    assert aiges.sdk.WrapperBase is athena_wrapper.WrapperBase
    assert aiges.dto.Response is athena_wrapper.Response is aiges_embed.Response
    assert aiges.sdk.ImageBodyField is athena_wrapper.ImageBodyField
    assert aiges.types.DataEnd == aiges.core.types.DataEnd == pb.GeneralData.END
    assert aiges.types.DataImage == pb.GeneralData.IMAGE
    assert callable(aiges.utils.log.getFileLogger) and hasattr(aiges.utils.log.log, "info")
    assert aiges.stream.SessionManager is not None
    assert aiges_embed.callback({}, "no-such-session") == -1


def test_local_run_like_aiges(monkeypatch, capsys):
    monkeypatch.chdir(SCAFFOLD)
    sys.path.insert(0, SCAFFOLD)
    try:
        import importlib
        mod = importlib.import_module("wrapper")
        resp = mod.Wrapper().run()
    finally:
        sys.path.remove(SCAFFOLD)
        sys.modules.pop("wrapper", None)
    assert resp.error_code == 0
    assert [d.key for d in resp.list] == ["boxes", "boxes2"]


def test_failed_init_exits_1_with_message():
    e = Engine(os.path.join(APPS, "bad_init"))
    try:
        rc = e.proc.wait(60)
    finally:
        e.stop()
    assert rc == 1
    assert any("wrapperInit returned 7: license missing" in line for line in e.stderr), e.stderr


def test_missing_app_exits_1(tmp_path):
    out = subprocess.run([sys.executable, "-m", "athena_wrapper.serve", "--app", str(tmp_path), "--listen", "127.0.0.1:0"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert "neither wrapper.py" in out.stderr


def test_port_in_use_exits_1():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "athena_wrapper.serve", "--app", SCAFFOLD,
                              "--listen", "127.0.0.1:%d" % port], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert "cannot listen on 127.0.0.1:%d" % port in out.stderr


def test_sigterm_exits_cleanly():
    e = Engine(SCAFFOLD).start()
    assert once(e, {"p2": "x"}, items()).code == 0
    e.proc.send_signal(signal.SIGTERM)
    assert e.proc.wait(15) == 0
    e.wait_line("athena-wrapper: stopped", timeout=5)
    e.stop()


def test_signal_burst_exits_cleanly():
    """Signals arriving back to back (athena serve forwarding SIGTERM as the shell sends SIGINT, or a
    supervisor repeating itself) used to be able to deadlock the engine inside Event.set()."""
    for _ in range(3):
        e = Engine(SCAFFOLD).start()
        for _ in range(50):
            e.proc.send_signal(signal.SIGTERM)
            e.proc.send_signal(signal.SIGINT)
        assert e.proc.wait(15) == 0
        e.wait_line("athena-wrapper: stopped", timeout=5)
        e.stop()


def test_exits_when_parent_dies():
    """ATHENA_PARENT_PID: a worker orphaned by a SIGKILLed `athena serve` stops by itself."""
    import time
    launcher = subprocess.Popen(
        [sys.executable, "-c", (
            "import os, subprocess, sys, time\n"
            "env = dict(os.environ, ATHENA_PARENT_PID=str(os.getpid()))\n"
            "p = subprocess.Popen([sys.executable, '-m', 'athena_wrapper.serve', '--app', sys.argv[1],"
            " '--listen', '127.0.0.1:0'], env=env, stdout=subprocess.PIPE, text=True)\n"
            "line = ''\n"
            "while not line.startswith('athena-wrapper: ready'):\n"
            "    line = p.stdout.readline()\n"
            "    if not line: sys.exit(3)\n"
            "print(p.pid, flush=True)\n"
            "time.sleep(60)\n"), SCAFFOLD],
        stdout=subprocess.PIPE, text=True)
    child = int(launcher.stdout.readline())
    launcher.kill()
    launcher.wait(10)
    deadline = time.monotonic() + 15
    alive = True
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            alive = False
            break
        time.sleep(0.1)
    if alive:
        os.kill(child, signal.SIGKILL)
    assert not alive, "engine kept running after its parent died"
