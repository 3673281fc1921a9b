# coding:utf-8
"""Iris: a ModelArts-style "predict analysis" service (Scikit_Learn).

Request  {"data": {"req_data": [{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}, ...]}}
Response {"data": {"resp_data": [{"predict_result": "setosa"}, ...]}}

As on ModelArts, a machine-learning service receives the raw JSON text in `_preprocess`.
The model is trained from scikit-learn's bundled iris data set when the service is built.
"""
import collections
import json

from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from model_service.python_model_service import XgSkServingBaseService

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


class UserService(XgSkServingBaseService):

    def __init__(self, model_path):
        super(UserService, self).__init__(model_path)
        iris = load_iris()
        self.labels = [str(n) for n in iris.target_names]
        self.model = LogisticRegression(max_iter=1000).fit(iris.data, iris.target)

    # request data preprocess
    def _preprocess(self, data):
        json_data = json.loads(data, object_pairs_hook=collections.OrderedDict)
        rows = json_data["data"]["req_data"]
        if not isinstance(rows, list):
            raise ValueError("data.req_data must be an array of objects")
        list_data = []
        for element in rows:
            missing = [f for f in FEATURES if f not in element]
            if missing:
                raise ValueError("req_data item is missing %s" % ", ".join(missing))
            list_data.append([float(element[f]) for f in FEATURES])
        return list_data

    # predict
    def _inference(self, data):
        if not data:
            return []
        return self.model.predict(data).tolist()

    # predict result process
    def _postprocess(self, data):
        return {"data": {"resp_data": [{"predict_result": self.labels[int(i)]} for i in data]}}
