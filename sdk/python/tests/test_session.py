"""Streaming sessions (Engine.Session) through real engine processes."""
import os
import queue

import pytest

from athena_wrapper.proto import engine_pb2 as pb
from conftest import APPS

G = pb.GeneralData


def frame(text: bytes, status: int, key: str = "text", seq: int = 0):
    return G(data_id=key, frame_id=seq, data_type=G.TEXT, status=status, data=text)


def run_session(engine, messages, timeout=30):
    return list(engine.stub.Session(iter(messages), timeout=timeout))


@pytest.fixture(scope="module")
def sync_engine(engine_for):
    return engine_for(os.path.join(APPS, "stream_sync"))


@pytest.fixture(scope="module")
def callback_engine(engine_for):
    return engine_for(os.path.join(APPS, "stream_callback"))


def test_sync_session_streams_results_and_ends(sync_engine):
    msgs = [pb.InferRequest(request_id="s1", params={"prefix": ">"}, data=[frame(b"ab", G.BEGIN, seq=0)]),
            pb.InferRequest(data=[frame(b"cd", G.CONTINUE, seq=1)]),
            pb.InferRequest(data=[frame(b"ef", G.END, seq=2)])]
    out = run_session(sync_engine, msgs)
    assert all(r.code == 0 for r in out), [r.message for r in out]
    assert [r.data[0].data for r in out] == [b">AB", b">CD", b">EF"]
    assert [r.status for r in out] == [G.CONTINUE, G.CONTINUE, G.END]
    assert all(r.request_id == "s1" for r in out)


def test_sync_session_paced_by_client(sync_engine):
    """Each result arrives before the next frame is sent: a real bidirectional stream."""
    outbox: "queue.Queue" = queue.Queue()
    outbox.put(pb.InferRequest(request_id="s2", data=[frame(b"one", G.BEGIN)]))

    def requests():
        for _ in range(3):
            msg = outbox.get(timeout=10)
            if msg is None:
                return
            yield msg

    results = []
    for r in sync_engine.stub.Session(requests(), timeout=30):
        results.append(r.data[0].data)
        if len(results) == 1:
            outbox.put(pb.InferRequest(data=[frame(b"two", G.END)]))
    assert results == [b"ONE", b"TWO"]


def test_session_create_error(sync_engine):
    out = run_session(sync_engine, [pb.InferRequest(request_id="s3", params={"reject": "1"}, data=[frame(b"x", G.BEGIN)])])
    assert len(out) == 1
    assert (out[0].code, out[0].message, out[0].status) == (10, "session rejected", G.END)


def test_session_write_exception(sync_engine):
    out = run_session(sync_engine, [pb.InferRequest(request_id="s4", data=[frame(b"ok", G.BEGIN)]),
                                    pb.InferRequest(data=[frame(b"boom", G.CONTINUE)])])
    assert out[0].code == 0
    assert out[-1].code == 30006
    assert "ValueError: cannot write boom" in out[-1].message


def test_half_close_without_end_finishes(sync_engine):
    out = run_session(sync_engine, [pb.InferRequest(request_id="s5", data=[frame(b"abc", G.BEGIN)])])
    assert out[0].data[0].data == b"ABC"
    assert out[-1].status == G.END and out[-1].code == 0


def test_callback_session(callback_engine):
    d = callback_engine.stub.Describe(pb.DescribeRequest(), timeout=10)
    assert d.supports_session and d.service_id == "reverse"
    msgs = [pb.InferRequest(request_id="c1", data=[frame(b"abc", G.BEGIN)]),
            pb.InferRequest(data=[frame(b"def", G.CONTINUE)]),
            pb.InferRequest(data=[frame(b"xyz", G.END)])]
    out = run_session(callback_engine, msgs)
    assert all(r.code == 0 for r in out), [r.message for r in out]
    assert b"".join(r.data[0].data for r in out) == b"cbafedzyx"
    assert out[-1].status == G.END


def test_session_on_once_only_wrapper_is_refused(engine_for):
    e = engine_for(os.path.join(APPS, "aiges_scaffold"))
    out = run_session(e, [pb.InferRequest(request_id="n1", data=[frame(b"x", G.BEGIN)])])
    assert len(out) == 1 and out[0].code == 30401 and out[0].status == G.END


def test_session_sees_the_first_messages_headers(sync_engine):
    """request_headers() in wrapperCreate/Write/Read: the session's first message's headers."""
    msgs = [pb.InferRequest(request_id="h1", headers={"run-config": "B:"}, data=[frame(b"ab", G.BEGIN, seq=0)]),
            pb.InferRequest(data=[frame(b"cd", G.END, seq=1)])]
    out = run_session(sync_engine, msgs)
    assert [r.data[0].data for r in out] == [b"B:AB", b"B:CD"]
