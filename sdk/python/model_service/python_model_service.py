"""`model_service.python_model_service`: machine-learning services (Scikit_Learn, XGBoost)."""
import pickle
import threading
from typing import Any

from .model_service import BaseService


class XgSkServingBaseService(BaseService):
    """Scikit-learn / XGBoost services: `__init__(self, model_path)`, `self.model_path` is the
    model file, and `_preprocess` receives the raw JSON text of the request (as on ModelArts).

    The default `_inference` loads the pickled/joblib model once and calls `predict`.
    """

    DATA_MODE = "raw"
    MODEL_PATH_IS_FILE = True

    def __init__(self, model_path: str = "", *args: Any):
        # ModelArts passes (model_path); tolerate the deep-learning (model_name, model_path) order.
        if args:
            model_path = args[0]
        super().__init__("", model_path)

    def _inference(self, data: Any) -> Any:
        model = self.__dict__.get("_athena_model")
        if model is None:
            with _load_lock:
                model = self.__dict__.get("_athena_model")
                if model is None:
                    model = _load_model(self.model_path)
                    self._athena_model = model
        result = model.predict(data)
        return result.tolist() if hasattr(result, "tolist") else result


# The name in some ModelArts pages.
XgSkIServingBaseService = XgSkServingBaseService

_load_lock = threading.Lock()


def _load_model(path: str) -> Any:
    try:
        import joblib  # scikit-learn's own dependency
        return joblib.load(path)
    except ImportError:
        with open(path, "rb") as f:
            return pickle.load(f)
