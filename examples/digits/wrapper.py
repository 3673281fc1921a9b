#!/usr/bin/env python
# coding:utf-8
"""Digits: an AIGES-style wrapper serving a scikit-learn classifier of handwritten digits.

The model is trained at wrapperInit from scikit-learn's bundled `load_digits` data set (8×8
grey images; no network). Request: payload `image` (PNG/JPEG/BMP, any size, dark or light
background). Response: result `result`, JSON text `{"digit": N, "score": p}` where `score` is the share of
the nine one-vs-one duels (an RBF SVM per pair of digits) that the predicted digit won.
"""
import io
import json
from itertools import combinations

import numpy as np
import sklearn
from PIL import Image, UnidentifiedImageError
from sklearn.datasets import load_digits
from sklearn.svm import SVC

from aiges.dto import DataListCls, Response, ResponseData
from aiges.sdk import ImageBodyField, StringBodyField, WrapperBase
from aiges.types import DataText, Once
from aiges.utils.log import log

# Error codes of this wrapper (reported with wrapperError's text).
ERR_NO_IMAGE = 30400  # 304xx: request errors (HTTP 400 at the gateway)
ERR_BAD_IMAGE = 30402


class UserRequest(object):
    input1 = ImageBodyField(key="image", path="testdata/0_0.png")


class UserResponse(object):
    accept1 = StringBodyField(key="result")


def to_features(data: bytes) -> np.ndarray:
    """Any digit picture → the 64 features of load_digits (8×8, 0..16, ink high)."""
    img = Image.open(io.BytesIO(data)).convert("L")
    pixels = np.asarray(img, dtype=np.float64)
    if pixels.mean() > 127:  # dark ink on a light background: invert
        pixels = 255.0 - pixels
    small = Image.fromarray(pixels.astype(np.uint8)).resize((8, 8), Image.BOX)
    return (np.asarray(small, dtype=np.float64) / 255.0 * 16.0).reshape(1, 64)


class Wrapper(WrapperBase):
    serviceId = "digits"
    version = "v1"
    requestCls = UserRequest()
    responseCls = UserResponse()

    model = None

    def wrapperInit(self, config: {}) -> int:
        digits = load_digits()
        # An RBF SVM: trains in a fraction of a second without BLAS threads and predicts in
        # well under a millisecond, so startup and requests stay cheap on a busy machine.
        self.model = SVC(gamma=0.001, C=10, decision_function_shape="ovo").fit(digits.data, digits.target)
        self.pairs = list(combinations(range(10), 2))
        log.info("digits model trained on %d images", len(digits.target))
        return 0

    def wrapperOnceExec(self, params: {}, reqData: DataListCls) -> Response:
        features = self.features_of(reqData)
        if isinstance(features, Response):
            return features
        return self.result(*self.predict(features))

    def wrapperBatchExec(self, paramsList: list, reqDataList: list) -> list:
        """Optional (Athena): several once requests in one call, one Response each, in order.

        Under load the engine hands over the requests that queued up together; the SVM then
        scores them as one matrix, paying scikit-learn's per-call work once per batch instead of
        once per image. AIGES itself never calls this method; without it every request goes
        through wrapperOnceExec."""
        responses = [self.features_of(req) for req in reqDataList]
        ready = [i for i, r in enumerate(responses) if not isinstance(r, Response)]
        if ready:
            for i, (digit, score) in zip(ready, self.predict_many(np.vstack([responses[i] for i in ready]))):
                responses[i] = self.result(digit, score)
        return responses

    def features_of(self, reqData: DataListCls):
        """The image's 64 features, or the error Response when there is no usable image."""
        node = reqData.get("image")
        if node is None or not node.data:
            return Response().response_err(ERR_NO_IMAGE)
        try:
            return to_features(node.data)
        except (UnidentifiedImageError, OSError, ValueError):
            return Response().response_err(ERR_BAD_IMAGE)

    @staticmethod
    def result(digit: int, score: float) -> Response:
        body = json.dumps({"digit": digit, "score": score})
        r = Response()
        r.list = [ResponseData(key="result", data=body.encode("utf-8"), length=len(body), type=DataText, status=Once)]
        return r

    def predict(self, features: np.ndarray):
        """(digit, share of its nine pairwise duels won)."""
        return self.predict_many(features)[0]

    def predict_many(self, features: np.ndarray):
        """predict for each row of `features`."""
        # The input is built above; skip scikit-learn's per-call checks (most of its overhead).
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            all_margins = self.model.decision_function(features)
        out = []
        for margins in all_margins:
            votes = np.zeros(10)
            for margin, (i, j) in zip(margins, self.pairs):
                votes[i if margin > 0 else j] += 1
            digit = int(np.argmax(votes))
            out.append((digit, round(float(votes[digit]) / 9.0, 4)))
        return out

    def wrapperError(self, ret: int) -> str:
        if ret == ERR_NO_IMAGE:
            return "payload image is missing or empty"
        if ret == ERR_BAD_IMAGE:
            return "payload image is not a PNG/JPEG/BMP picture"
        return ""

    def wrapperFini(self) -> int:
        self.model = None
        return 0


if __name__ == "__main__":
    Wrapper().run()
