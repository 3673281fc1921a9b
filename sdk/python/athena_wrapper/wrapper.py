"""`WrapperBase`: the AIGES user API (`aiges.sdk.WrapperBase`).

A user writes `class Wrapper(WrapperBase)` with `serviceId`, `version`, `requestCls`,
`responseCls` and overrides `wrapperInit`, `wrapperOnceExec` (and for streaming
`wrapperCreate/wrapperWrite/wrapperRead/wrapperDestroy`), `wrapperFini`, `wrapperError`.
The engine server (`athena_wrapper.serve`) calls these; `schema()` describes the API.
"""
import json
from typing import Any, Dict, List, Tuple

from .dto import DataListCls, DataListNode, Response, SessionCreateResponse
from .fields import ParamField, PayloadField
from .log import log
from .stream import SessionManager
from .types import TYPE_NAMES

# Standard ASE header fields (all optional strings).
_HEADER_FIELDS = ["appid", "app_id", "uid", "did", "request_id", "sid", "device_id", "imei", "imsi", "mac",
                  "net_type", "net_isp", "res_id"]


def _declared(obj: Any, kind: type) -> List[Any]:
    """Fields of type `kind` declared on a request/response class or instance, in declaration order."""
    if obj is None:
        return []
    cls = obj if isinstance(obj, type) else obj.__class__
    seen: Dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, kind):
                seen[name] = value
    if not isinstance(obj, type):
        for name, value in vars(obj).items():
            if isinstance(value, kind):
                seen[name] = value
    return list(seen.values())


class WrapperBase:
    """Base class of every AIGES-style wrapper."""

    serviceId = "wrapper"
    version = "v1"
    requestCls: Any = None
    responseCls: Any = None
    config: Dict[str, Any] = {}
    session = SessionManager()

    def __init__(self):
        self.inputs_test_values: Dict[str, Any] = {}
        self.params_test_values: Dict[str, Any] = {}
        self.respData: List[Any] = []
        # One session manager per wrapper instance (the class attribute only serves old code).
        self.session = SessionManager()

    # MARK: - User API (override)

    def wrapperInit(self, config: dict) -> int:
        """Loads the model; called once before any request. Return 0 on success."""
        return 0

    def wrapperFini(self) -> int:
        """Releases resources; called once at shutdown."""
        return 0

    def wrapperOnceExec(self, params: dict, reqData: DataListCls, *args: Any, **kwargs: Any) -> Response:
        """Runs one non-streaming request; may be called concurrently from several threads."""
        raise NotImplementedError("Please implement Wrapper.wrapperOnceExec(self, params, reqData)")

    def wrapperError(self, ret: int) -> str:
        """The message for an error code returned by the wrapper."""
        return ""

    def wrapperCreate(self, params: dict, sid: str, *args: Any, **kwargs: Any) -> SessionCreateResponse:
        """Opens a streaming session; returns its handle."""
        return SessionCreateResponse(handle="", error_code=0)

    def wrapperWrite(self, handle: str, req: DataListCls, *args: Any, **kwargs: Any) -> int:
        """Writes one batch of session data."""
        return 0

    def wrapperRead(self, handle: str, *args: Any, **kwargs: Any) -> Response:
        """Reads the session's available results (synchronous mode)."""
        r = Response()
        r.list = []
        return r

    def wrapperDestroy(self, handle: str, *args: Any, **kwargs: Any) -> int:
        """Closes a streaming session."""
        return 0

    # MARK: - Schema

    @classmethod
    def supports_session(cls) -> bool:
        """True when the wrapper overrides the streaming entry points."""
        return cls.wrapperCreate is not WrapperBase.wrapperCreate and cls.wrapperWrite is not WrapperBase.wrapperWrite

    def _fields(self) -> Tuple[List[ParamField], List[PayloadField], List[PayloadField]]:
        return (_declared(self.requestCls, ParamField), _declared(self.requestCls, PayloadField),
                _declared(self.responseCls, PayloadField))

    def schema_dict(self) -> Dict[str, Any]:
        """The AIGES-style schema: `meta`, `schemainput` (header, parameter, payload), `schemaoutput`."""
        params, inputs, accepts = self._fields()
        service = str(self.serviceId)
        param_props: Dict[str, Any] = {}
        required = []
        for p in params:
            param_props.update(p._schema())
            if p.required:
                required.append(p.key)
        parameter_service: Dict[str, Any] = {"type": "object", "properties": param_props}
        if required:
            parameter_service["required"] = required
        payload_props = {f.key: f._payload_schema() for f in inputs}
        payload: Dict[str, Any] = {"type": "object", "properties": payload_props}
        if payload_props:
            payload["required"] = list(payload_props)
        return {
            "meta": {
                "serviceId": service,
                "version": str(self.version),
                "route": getattr(self, "route", "/v1/private/%s" % service),
                "sub": getattr(self, "sub", "ase"),
                "call": getattr(self, "call", "atmos"),
                "call_type": getattr(self, "call_type", 0),
                "service": [service],
                "routeKey": [],
                service: {
                    "input": {f.key: {"dataType": TYPE_NAMES.get(f.data_type, "text")} for f in inputs},
                    "accept": {f.key: {"dataType": TYPE_NAMES.get(f.data_type, "text")} for f in accepts},
                },
            },
            "schemainput": {
                "type": "object",
                "properties": {
                    "header": {"type": "object",
                               "properties": {h: {"type": "string", "maxLength": 128} for h in _HEADER_FIELDS}},
                    "parameter": {"type": "object", "properties": {service: parameter_service}},
                    "payload": payload,
                },
            },
            "schemaoutput": {
                "type": "object",
                "properties": {"payload": {"type": "object",
                                           "properties": {f.key: f._payload_schema() for f in accepts}}},
            },
        }

    def schema(self) -> Dict[str, Any]:
        """Prints and returns the schema (AIGES printed it)."""
        s = self.schema_dict()
        print(json.dumps(s, indent=4, ensure_ascii=False))
        return s

    # MARK: - Local debugging

    def run(self) -> Response:
        """Runs wrapperInit and one wrapperOnceExec with the fields' test values, as AIGES did."""
        self.wrapperInit(dict(self.config))
        params, inputs, _ = self._fields()
        req = DataListCls([DataListNode(key=f.key, data=f.test_value, type=f.data_type) for f in inputs])
        self.params_test_values = {p.key: p.test_value for p in params}
        resp = self.wrapperOnceExec(dict(self.params_test_values), req)
        if not isinstance(resp, Response):
            log.error("wrapperOnceExec must return a Response, got %r", type(resp).__name__)
        else:
            keys = [r.key for r in resp.list]
            if len(keys) != len(set(keys)):
                log.error("response keys must be unique: %s", keys)
            log.info("response: code=%d keys=%s", resp.error_code, keys)
        return resp


__all__ = ["WrapperBase"]
