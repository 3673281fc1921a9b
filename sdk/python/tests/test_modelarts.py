"""ModelArts-style packages (config.json + customize_service.py) through real engine processes."""
import hashlib
import json
import os

import pytest

from athena_wrapper.proto import engine_pb2 as pb
from conftest import APPS, EXAMPLES

G = pb.GeneralData


def json_item(body: bytes, key: str = "body", ctype: str = "application/json"):
    return G(data_id=key, data_type=G.TEXT, status=G.ONCE, desc_args={"content_type": ctype}, data=body)


def file_item(field: str, filename: str, content: bytes):
    return G(data_id=field, data_type=G.IMAGE, status=G.ONCE,
             desc_args={"filename": filename, "content-type": "image/png"}, data=content)


@pytest.fixture(scope="module")
def tf(engine_for):
    return engine_for(os.path.join(APPS, "modelarts_tf"))


@pytest.fixture(scope="module")
def iris(engine_for):
    return engine_for(os.path.join(EXAMPLES, "iris"))


def body_of(r):
    assert r.code == 0, r.message
    assert len(r.data) == 1 and r.data[0].data_id == "body"
    assert r.data[0].desc_args["content_type"] == "application/json"
    return json.loads(r.data[0].data)


def test_multipart_files_arrive_as_field_filename_filelike(tf):
    r = tf.stub.Infer(pb.InferRequest(request_id="m1", data=[
        file_item("image1", "cat.jpg", b"cat-bytes"),
        file_item("images2", "horse.jpg", b"horse-bytes"),
        file_item("images2", "zebra.jpg", b"zebra-bytes"),
        G(data_id="note", data_type=G.TEXT, data=b"plain field"),
    ]), timeout=30)
    out = body_of(r)
    assert out["received"] == {
        "image1": {"cat.jpg": hashlib.md5(b"cat-bytes").hexdigest()},
        "images2": {"horse.jpg": hashlib.md5(b"horse-bytes").hexdigest(),
                    "zebra.jpg": hashlib.md5(b"zebra-bytes").hexdigest()},
        "note": "plain field",
    }
    # TensorFlow services get the model folder and the algorithm as model name; numpy values serialise.
    assert out["model_dir"] == "modelarts_tf"
    assert out["model_name"] == "image_classification"
    assert out["np"] == 7 and out["arr"] == [0, 1, 2]


def test_json_body_arrives_as_dict_for_deep_learning(tf):
    r = tf.stub.Infer(pb.InferRequest(data=[json_item(b'{"images": "aGVsbG8=", "n": 2}')]), timeout=30)
    assert body_of(r)["received"] == {"images": "aGVsbG8=", "n": 2}


def test_bad_json_is_30400(tf):
    r = tf.stub.Infer(pb.InferRequest(data=[json_item(b'{"images": ')]), timeout=30)
    assert r.code == 30400
    assert "not valid JSON" in r.message


def test_user_exception_is_30003(tf):
    r = tf.stub.Infer(pb.InferRequest(data=[json_item(b'{"explode": true}')]), timeout=30)
    assert r.code == 30003
    assert "RuntimeError: inference exploded" in r.message


def test_describe_modelarts(tf, iris):
    d = tf.stub.Describe(pb.DescribeRequest(), timeout=10)
    assert d.kind == pb.DescribeResponse.MODELARTS and d.service_id == "modelarts_tf"
    assert json.loads(d.apis_json)[0]["request"]["Content-type"] == "multipart/form-data"
    d = iris.stub.Describe(pb.DescribeRequest(), timeout=10)
    assert d.service_id == "iris" and d.metadata["model_type"] == "Scikit_Learn"


def test_iris_predict_analysis(iris):
    with open(os.path.join(EXAMPLES, "iris", "testdata", "request.json"), "rb") as f:
        body = f.read()
    r = iris.stub.Infer(pb.InferRequest(request_id="i1", data=[json_item(body)]), timeout=30)
    out = body_of(r)
    assert [x["predict_result"] for x in out["data"]["resp_data"]] == ["setosa", "versicolor", "virginica"]


def test_iris_missing_feature_is_an_error(iris):
    r = iris.stub.Infer(pb.InferRequest(data=[json_item(b'{"data": {"req_data": [{"sepal_length": 1}]}}')]), timeout=30)
    assert r.code == 30003
    assert "missing" in r.message


def test_modelarts_has_no_sessions(iris):
    out = list(iris.stub.Session(iter([pb.InferRequest(data=[json_item(b"{}")])]), timeout=30))
    assert len(out) == 1 and out[0].code == 30401
