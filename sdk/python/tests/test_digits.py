"""The digits example (AIGES-style, scikit-learn) through a real engine process."""
import concurrent.futures
import glob
import json
import os

import pytest

from athena_wrapper.proto import engine_pb2 as pb
from conftest import EXAMPLES

DIGITS = os.path.join(EXAMPLES, "digits")
IMAGES = sorted(glob.glob(os.path.join(DIGITS, "testdata", "*.png")))


def truth(path: str) -> int:
    return int(os.path.basename(path).split("_")[0])


def predict(engine, content: bytes, rid: str = ""):
    r = engine.stub.Infer(pb.InferRequest(request_id=rid, service_id="digits", data=[
        pb.GeneralData(data_id="image", data_type=pb.GeneralData.IMAGE, status=pb.GeneralData.ONCE,
                       desc_args={"encoding": "png"}, data=content)]), timeout=60)
    return r


@pytest.fixture(scope="module")
def digits(engine_for):
    return engine_for(DIGITS)


def test_testdata_present():
    assert len(IMAGES) == 20
    assert sorted({truth(p) for p in IMAGES}) == list(range(10))


@pytest.mark.parametrize("path", IMAGES, ids=os.path.basename)
def test_predicts_bundled_images(digits, path):
    with open(path, "rb") as f:
        r = predict(digits, f.read())
    assert r.code == 0, r.message
    assert r.data[0].data_id == "result"
    out = json.loads(r.data[0].data)
    assert out["digit"] == truth(path)
    assert 0.5 <= out["score"] <= 1.0


def test_dark_ink_on_light_background(digits):
    from PIL import Image, ImageOps
    import io
    path = [p for p in IMAGES if truth(p) == 4][0]
    img = ImageOps.invert(Image.open(path).convert("L")).resize((64, 64))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=95)
    out = json.loads(predict(digits, buf.getvalue()).data[0].data)
    assert out["digit"] == 4


def test_not_an_image(digits):
    r = predict(digits, b"definitely not a png")
    assert (r.code, r.message) == (30402, "payload image is not a PNG/JPEG/BMP picture")


def test_missing_image(digits):
    r = digits.stub.Infer(pb.InferRequest(data=[]), timeout=30)
    assert r.code == 30400


def test_50_concurrent_requests(digits):
    jobs = [(IMAGES[i % len(IMAGES)], "c%d" % i) for i in range(50)]
    contents = {p: open(p, "rb").read() for p in IMAGES}
    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(lambda j: (j, predict(digits, contents[j[0]], j[1])), jobs))
    for (path, rid), r in results:
        assert r.code == 0, r.message
        assert r.request_id == rid
        assert json.loads(r.data[0].data)["digit"] == truth(path)


def test_batch_answers_equal_single_answers(digits):
    """The example's wrapperBatchExec scores a batch as one matrix: same digits and scores as one
    by one, errors kept per request."""
    items = [open(p, "rb").read() for p in IMAGES] + [b"not an image", b""]
    batch = digits.stub.InferBatch(pb.InferBatchRequest(requests=[
        pb.InferRequest(request_id="b%d" % i, service_id="digits", data=[
            pb.GeneralData(data_id="image", data_type=pb.GeneralData.IMAGE, status=pb.GeneralData.ONCE, data=content)])
        for i, content in enumerate(items)]), timeout=60)
    assert [r.request_id for r in batch.responses] == ["b%d" % i for i in range(len(items))]
    for content, got in zip(items[:-2], batch.responses[:-2]):
        single = predict(digits, content)
        assert got.code == 0 and got.data[0].data == single.data[0].data
    assert [r.code for r in batch.responses[-2:]] == [30402, 30400]
