"""`model_service.model_service`: the common base and `SingleNodeService` (MindSpore)."""
from typing import Any


class BaseService:
    """Base of every ModelArts service class.

    `DATA_MODE` says what `_preprocess` receives for a JSON request: "dict" (deep-learning
    engines: `json.loads` of the body) or "raw" (machine-learning engines: the JSON text).
    Multipart requests always arrive as `{field: {filename: file-like}}`.
    `MODEL_PATH_IS_FILE` says whether `self.model_path` names the model file (PyTorch,
    Scikit_Learn, XGBoost) or the model folder (TensorFlow, MindSpore...).
    """

    DATA_MODE = "dict"
    MODEL_PATH_IS_FILE = False

    def __init__(self, model_name: str = "", model_path: str = ""):
        self.model_name = model_name
        self.model_path = model_path

    def _preprocess(self, data: Any) -> Any:
        """Turns the request data into the model's input; the default passes it on."""
        return data

    def _inference(self, data: Any) -> Any:
        """Runs the model; override it (there is no built-in model server here)."""
        raise NotImplementedError(
            "%s must override _inference(self, data): Athena has no built-in %s runtime"
            % (type(self).__name__, type(self).__mro__[1].__name__))

    def _postprocess(self, data: Any) -> Any:
        """Turns the model output into the response body; the default passes it on."""
        return data

    def inference(self, data: Any) -> Any:
        """The whole pipeline for one request."""
        return self._postprocess(self._inference(self._preprocess(data)))


class SingleNodeService(BaseService):
    """MindSpore services (`from model_service.model_service import SingleNodeService`)."""
