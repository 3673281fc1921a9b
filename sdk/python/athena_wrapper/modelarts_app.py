"""Serves a ModelArts-style package: `config.json` + `customize_service.py` whose class derives
from a `model_service.*` base class (seed 004 §4.1)."""
import inspect
import io
import json
import os
from typing import Any, Dict, List, Optional

from . import errors
from .convert import ONCE, desc_value, json_default
from .errors import EngineError
from .user_module import describe_exception, import_user_module
from .log import log
from .proto import engine_pb2 as pb

# Files in a model folder that are not the model itself.
_NOT_MODEL = {"config.json", "customize_service.py", "requirements.txt", "README.md"}
_MODEL_SUFFIXES = (".m", ".pkl", ".joblib", ".pth", ".pt", ".bst", ".model", ".onnx", ".h5", ".pb", ".json")




class ModelArtsApp:
    """Loads the service class once and runs `_preprocess → _inference → _postprocess` per request."""

    kind = pb.DescribeResponse.MODELARTS

    def __init__(self, app_dir: str, service_id: str = "", version: str = ""):
        self.app_dir = os.path.abspath(app_dir)
        self.config = self._read_config()
        base = os.path.basename(self.app_dir)
        if base == "model":
            base = os.path.basename(os.path.dirname(self.app_dir))
        self._service_id = service_id or base
        self._version = version or str(self.config.get("model_version", "") or "0.0.1")
        self.service: Any = None

    # MARK: - Loading

    def _read_config(self) -> Dict[str, Any]:
        path = os.path.join(self.app_dir, "config.json")
        if not os.path.exists(path):
            return {}
        try:
            with open(path, encoding="utf-8") as f:
                cfg = json.load(f)
        except ValueError as e:
            raise EngineError(errors.INIT_ERROR, "%s is not valid JSON: %s" % (path, e)) from e
        if not isinstance(cfg, dict):
            raise EngineError(errors.INIT_ERROR, "%s must hold a JSON object" % path)
        return cfg

    def _service_class(self, module: Any) -> type:
        from model_service.model_service import BaseService
        found = [c for c in vars(module).values()
                 if isinstance(c, type) and issubclass(c, BaseService) and c.__module__ == module.__name__]
        if not found:
            raise EngineError(errors.INIT_ERROR,
                              "customize_service.py defines no subclass of a model_service base class "
                              "(TfServingBaseService, PTServingBaseService, SingleNodeService, XgSkServingBaseService)")
        # The most derived one, if several build on each other.
        found.sort(key=lambda c: len(c.__mro__), reverse=True)
        return found[0]

    def _model_path(self, cls: type) -> str:
        if not getattr(cls, "MODEL_PATH_IS_FILE", False):
            return self.app_dir
        candidates = sorted(n for n in os.listdir(self.app_dir)
                            if n not in _NOT_MODEL and not n.endswith(".py") and not n.startswith(".")
                            and os.path.isfile(os.path.join(self.app_dir, n)))
        for name in candidates:
            if name.endswith(_MODEL_SUFFIXES):
                return os.path.join(self.app_dir, name)
        return os.path.join(self.app_dir, candidates[0]) if candidates else self.app_dir

    def load(self) -> None:
        path = os.path.join(self.app_dir, "customize_service.py")
        module = import_user_module(self.app_dir, path, "customize_service")
        cls = self._service_class(module)
        model_path = self._model_path(cls)
        model_name = str(self.config.get("model_algorithm", "") or self._service_id)
        try:
            positional = [p for p in inspect.signature(cls.__init__).parameters.values()
                          if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][1:]
            if getattr(cls, "DATA_MODE", "dict") == "raw" and len(positional) <= 1:
                self.service = cls(model_path)
            else:
                self.service = cls(model_name, model_path)
        except Exception as e:
            raise EngineError(errors.USER_INIT_ERROR, "%s() failed: %s" % (cls.__name__, describe_exception(e))) from e
        if not getattr(self.service, "model_path", None):
            self.service.model_path = model_path
        log.info("ModelArts service %s loaded (model_path=%s)", cls.__name__, model_path)

    def close(self) -> None:
        self.service = None

    # MARK: - Description

    @property
    def service_id(self) -> str:
        return self._service_id

    @property
    def version(self) -> str:
        return self._version

    def schema(self) -> Dict[str, Any]:
        return {}

    def supports_session(self) -> bool:
        return False

    def describe(self) -> pb.DescribeResponse:
        meta = {"sdk": "athena-wrapper", "app_dir": self.app_dir}
        for k in ("model_type", "model_algorithm", "runtime"):
            if self.config.get(k):
                meta[k] = str(self.config[k])
        return pb.DescribeResponse(service_id=self.service_id, version=self.version, kind=self.kind,
                                   apis_json=json.dumps(self.config.get("apis", []), ensure_ascii=False),
                                   supports_session=False, metadata=meta)

    # MARK: - Requests

    def request_data(self, items: List[pb.GeneralData]) -> Any:
        """Frames → the `data` ModelArts passes to `_preprocess` (seed 004 §4.1.3)."""
        if not items:
            raise EngineError(errors.INVALID_REQUEST, "the request carries no data")
        raw_mode = getattr(self.service, "DATA_MODE", "dict") == "raw"
        if len(items) == 1 and desc_value(dict(items[0].desc_args), "filename") is None:
            ctype = (desc_value(dict(items[0].desc_args), "content_type") or "application/json").lower()
            if ctype.startswith("application/json") or ctype.endswith("+json"):
                try:
                    text = bytes(items[0].data).decode("utf-8")
                except UnicodeDecodeError as e:
                    raise EngineError(errors.INVALID_REQUEST, "the JSON body is not UTF-8: %s" % e) from e
                if raw_mode:
                    return text
                try:
                    return json.loads(text)
                except ValueError as e:
                    raise EngineError(errors.INVALID_REQUEST, "the body is not valid JSON: %s" % e) from e
        # multipart/form-data: {field: {filename: file-like}}; plain form fields as strings.
        data: Dict[str, Any] = {}
        for d in items:
            desc = dict(d.desc_args)
            filename = desc_value(desc, "filename")
            if filename is None:
                data[d.data_id] = bytes(d.data).decode("utf-8", errors="replace")
                continue
            entry = data.setdefault(d.data_id, {})
            if not isinstance(entry, dict):
                entry = data[d.data_id] = {}
            entry[filename] = io.BytesIO(bytes(d.data))
        return data

    def infer(self, req: pb.InferRequest) -> pb.InferResponse:
        data = self.request_data(list(req.data))
        svc = self.service
        try:
            out = svc._postprocess(svc._inference(svc._preprocess(data)))
        except EngineError:
            raise
        except Exception as e:
            log.exception("inference failed (request %s)", req.request_id)
            raise EngineError(errors.USER_EXEC_ERROR, "%s" % describe_exception(e)) from e
        if isinstance(out, (bytes, bytearray)):
            body, ctype = bytes(out), "application/octet-stream"
        else:
            try:
                body = json.dumps(out, default=json_default, ensure_ascii=False).encode("utf-8")
            except (TypeError, ValueError) as e:
                raise EngineError(errors.INVALID_RESPONSE, "_postprocess returned a value that is not JSON: %s" % e) from e
            ctype = "application/json"
        item = pb.GeneralData(data_id="body", data_type=pb.GeneralData.TEXT, status=ONCE, data=body,
                              desc_args={"content_type": ctype, "encoding": "utf8", "format": "json"})
        return pb.InferResponse(code=0, message="success", data=[item], request_id=req.request_id, status=ONCE)

    def session(self, requests, is_active):
        first = next(requests, None)
        sid = first.request_id if first is not None else ""
        yield pb.InferResponse(code=errors.SESSION_NOT_SUPPORTED, message=errors.MESSAGES[errors.SESSION_NOT_SUPPORTED],
                               request_id=sid, status=pb.GeneralData.END)


def find_app(app_dir: str) -> Optional[str]:
    """The folder that holds the ModelArts package (DIR or DIR/model), or None."""
    for d in (app_dir, os.path.join(app_dir, "model")):
        if os.path.isfile(os.path.join(d, "customize_service.py")):
            return d
    return None
