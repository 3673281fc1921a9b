# -*- coding: utf-8 -*-
"""A ModelArts TensorFlow-style service, using the import spelling of the ModelArts examples.
It reports what `_preprocess` received so the test can check the data shapes of §4.1.3."""
import hashlib
import os

import numpy as np
from model_service.tferving_model_service import TfServingBaseService


class MnistService(TfServingBaseService):

    def _preprocess(self, data):
        if not isinstance(data, dict):
            raise TypeError("expected a dict, got %s" % type(data).__name__)
        preprocessed_data = {}
        for k, v in data.items():
            if isinstance(v, dict):
                preprocessed_data[k] = {}
                for file_name, file_content in v.items():
                    content = file_content.read()
                    preprocessed_data[k][file_name] = hashlib.md5(content).hexdigest()
            else:
                preprocessed_data[k] = v
        return preprocessed_data

    def _inference(self, data):
        if data.get("explode"):
            raise RuntimeError("inference exploded")
        return {"received": data, "model_dir": os.path.basename(self.model_path), "model_name": self.model_name,
                "np": np.int64(7), "arr": np.arange(3)}

    def _postprocess(self, data):
        return data
