"""Conversions between protocol messages and the user-facing objects, shared by the adapters."""
import inspect
import json
from typing import Any, Callable, Dict, Iterable, List, Optional

from .dto import DataListCls, DataListNode, Response, ResponseData
from .proto import engine_pb2 as pb
from .types import DataAudio, DataEnd, DataImage, DataOnce, DataText

END = pb.GeneralData.END
ONCE = pb.GeneralData.ONCE
CONTINUE = pb.GeneralData.CONTINUE


# How many positional arguments a user function takes (None: any number), by function object.
# `inspect.signature` costs tens of microseconds: once per method, not once per request.
_ARITY: Dict[Any, Optional[int]] = {}


def _arity(fn: Callable) -> Optional[int]:
    key = getattr(fn, "__func__", fn)  # bound methods: the function behind them
    try:
        return _ARITY[key]
    except (KeyError, TypeError):
        pass
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        n: Optional[int] = None
    else:
        n = 0
        for p in sig.parameters.values():
            if p.kind == p.VAR_POSITIONAL:
                n = None
                break
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                n += 1
    try:
        _ARITY[key] = n
    except TypeError:  # unhashable callable: just do not cache
        pass
    return n


def call_flex(fn: Callable, *args: Any) -> Any:
    """Calls a user method with as many leading positional arguments as it accepts: AIGES
    signatures grew over time (`wrapperOnceExec(params, reqData[, usrTag])`...)."""
    n = _arity(fn)
    return fn(*args) if n is None else fn(*args[:n])


def desc_value(desc: Dict[str, str], *names: str) -> Optional[str]:
    """A descriptor by any of its spellings (`content_type` / `content-type`), case-insensitive."""
    lowered = {k.lower().replace("-", "_"): v for k, v in desc.items()}
    for n in names:
        v = lowered.get(n.lower().replace("-", "_"))
        if v is not None:
            return v
    return None


def to_datalist(items: Iterable[pb.GeneralData]) -> DataListCls:
    """Request frames → the AIGES `DataListCls` (raw bytes, no base64)."""
    return DataListCls([DataListNode(key=d.data_id, data=bytes(d.data), type=int(d.data_type),
                                     status=int(d.status), desc=dict(d.desc_args)) for d in items])


def _sniff_image(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"\xff\xd8"):
        return "jpg"
    if data.startswith(b"BM"):
        return "bmp"
    return "raw"


def to_bytes(value: Any) -> bytes:
    """Result data as bytes: bytes as is, str as UTF-8, anything else as JSON."""
    if value is None:
        return b""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value, default=json_default, ensure_ascii=False).encode("utf-8")


def json_default(o: Any) -> Any:
    """JSON for numpy values and other common non-JSON types."""
    if hasattr(o, "tolist"):
        return o.tolist()
    if hasattr(o, "item"):
        return o.item()
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    if isinstance(o, (bytes, bytearray)):
        return o.decode("utf-8", errors="replace")
    raise TypeError("%s is not JSON serialisable" % type(o).__name__)


def accept_descriptors(params: Dict[str, str]) -> Dict[str, Dict[str, str]]:
    """ASE accept descriptors passed as JSON objects in params (`"result": {"encoding": ...}`)."""
    out: Dict[str, Dict[str, str]] = {}
    for k, v in params.items():
        if v.startswith("{"):
            try:
                obj = json.loads(v)
            except ValueError:
                continue
            if isinstance(obj, dict):
                out[k] = {str(a): str(b) for a, b in obj.items() if not isinstance(b, (dict, list))}
    return out


def from_response_data(item: ResponseData, accepts: Dict[str, Dict[str, str]]) -> pb.GeneralData:
    """One AIGES result item → a response frame with sensible descriptors."""
    data = to_bytes(getattr(item, "data", b""))
    dtype = int(getattr(item, "type", DataText) or 0)
    if dtype not in (0, 1, 2, 3):
        dtype = DataText
    status = int(getattr(item, "status", DataOnce) or 0)
    if status not in (0, 1, 2, 3):
        status = DataOnce
    key = str(getattr(item, "key", "") or "")
    if dtype == DataImage:
        desc = {"encoding": _sniff_image(data)}
    elif dtype == DataAudio:
        desc = {"encoding": "raw"}
    elif dtype == DataText:
        desc = {"encoding": "utf8", "compress": "raw", "format": "plain"}
    else:
        desc = {"encoding": "raw"}
    desc.update(accepts.get(key, {}))
    return pb.GeneralData(data_id=key, frame_id=0, data_type=dtype, status=status, desc_args=desc, data=data)


def response_items(resp: Response) -> List[ResponseData]:
    items = getattr(resp, "list", None) or []
    return [i for i in items if i is not None]


def is_final(resp: Response) -> bool:
    return any(int(getattr(i, "status", 0) or 0) in (DataEnd, DataOnce) for i in response_items(resp))
