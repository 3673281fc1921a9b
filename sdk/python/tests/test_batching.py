"""InferBatch with a wrapper that has wrapperBatchExec: one call for the batch, one answer per
request; a batch that fails as a whole is run one by one; a wrong count is an error for each."""
import os

import pytest

from athena_wrapper.proto import engine_pb2 as pb

APP = os.path.join(os.path.dirname(__file__), "apps", "batching")


@pytest.fixture(scope="module")
def batching(engine_for):
    return engine_for(APP)


def req(text: str, rid: str, headers=None) -> pb.InferRequest:
    return pb.InferRequest(request_id=rid, service_id="batching", headers=headers or {}, data=[
        pb.GeneralData(data_id="text", data_type=pb.GeneralData.TEXT, status=pb.GeneralData.ONCE, data=text.encode())])


def outs(response: pb.InferBatchResponse):
    return [(r.request_id, r.code, r.data[0].data.decode() if r.data else r.message) for r in response.responses]


def test_batch_goes_through_wrapperBatchExec(batching):
    r = batching.stub.InferBatch(pb.InferBatchRequest(requests=[req("a", "1"), req("bad", "2"), req("c", "3")]), timeout=30)
    assert outs(r) == [("1", 0, "batch:a"), ("2", 30499, "bad text"), ("3", 0, "batch:c")]
    # A single request is an ordinary once call.
    assert batching.stub.Infer(req("solo", "4"), timeout=30).data[0].data == b"once:solo"


def test_a_failed_batch_is_run_one_by_one(batching):
    r = batching.stub.InferBatch(pb.InferBatchRequest(requests=[req("a", "1"), req("raise", "2")]), timeout=30)
    assert outs(r) == [("1", 0, "once:a"), ("2", 0, "once:raise")]


def test_a_wrong_number_of_answers_is_an_error_for_each(batching):
    r = batching.stub.InferBatch(pb.InferBatchRequest(requests=[req("short", "1"), req("b", "2")]), timeout=30)
    assert [x.code for x in r.responses] == [30004, 30004]
    assert "one Response per request (2), got 1" in r.responses[0].message


def test_request_headers_are_the_wrappers_for_the_call(batching):
    """A routing rule's headers (and the ASE header fields) reach the wrapper through
    athena_wrapper.request_headers(): the request's own in a once call, the ones every request
    shares in a batch; nothing is left over for the next call."""
    once = batching.stub.Infer(req("headers", "1", {"run-config": "A", "uid": "zhangsan"}), timeout=30)
    assert once.data[0].data == b"once:run-config=A,uid=zhangsan"
    r = batching.stub.InferBatch(pb.InferBatchRequest(requests=[
        req("headers", "2", {"run-config": "B", "uid": "u1"}), req("x", "3", {"run-config": "B", "uid": "u2"})]), timeout=30)
    assert outs(r) == [("2", 0, "batch:run-config=B"), ("3", 0, "batch:run-config=B")]
    assert batching.stub.Infer(req("headers", "4"), timeout=30).data[0].data == b"once:"
