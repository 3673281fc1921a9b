"""Request and response objects of the AIGES wrapper API (`aiges.dto`).

`DataListCls` is what `wrapperOnceExec`/`wrapperWrite` receive; `Response` is what they return.
"""
import json
from typing import Any, List, Optional

from .types import DataText, Once


class DataListNode:
    """One input data item: the ASE payload key, its raw bytes and descriptors."""

    def __init__(self, key: str = "", data: bytes = b"", type: int = DataText, status: int = Once,
                 desc: Optional[dict] = None):
        self.key = key
        self.data = data
        self.len = len(data) if data is not None else 0
        self.type = type
        self.status = status
        # ASE descriptors (encoding, format, sample_rate, filename, content_type...), all strings.
        self.desc = dict(desc or {})

    def __repr__(self) -> str:
        return "DataListNode(key=%r, len=%d, type=%d, status=%d)" % (self.key, self.len, self.type, self.status)


class DataListCls:
    """The list of input items of one request, with lookup by key."""

    def __init__(self, items: Optional[List[DataListNode]] = None):
        self.list: List[DataListNode] = list(items or [])

    def get(self, key: str) -> Optional[DataListNode]:
        for node in self.list:
            if node.key == key:
                return node
        return None

    def __len__(self) -> int:
        return len(self.list)

    def __iter__(self):
        return iter(self.list)


class ResponseData:
    """One output item: its result key, data (bytes or str), type and status."""

    def __init__(self, key: str = "", data: Any = "", length: int = 0, type: int = DataText, status: int = Once):
        self.key = key
        self.data = data
        self.len = length
        self.type = type
        self.status = status

    def toJSON(self) -> str:
        return json.dumps(self, default=_jsonable, sort_keys=True, indent=4)

    def __repr__(self) -> str:
        return "ResponseData(key=%r, type=%d, status=%d)" % (self.key, self.type, self.status)


class Response:
    """What a wrapper returns: result items, or a non-zero `error_code` (see `response_err`)."""

    def __init__(self):
        self.list: List[ResponseData] = [ResponseData()]
        self.error_code = 0

    def response_err(self, error_code: int) -> "Response":
        """Marks the response failed; the engine answers with this code and `wrapperError(code)`."""
        self.error_code = error_code
        return self

    def toJSON(self) -> str:
        return json.dumps(self, default=_jsonable, sort_keys=True, indent=4)


class SessionCreateResponse:
    """What `wrapperCreate` returns: the session handle, or a non-zero `error_code`."""

    def __init__(self, handle: str = "", error_code: int = 0):
        self.handle = handle
        self.error_code = error_code

    def toJSON(self) -> str:
        return json.dumps(self, default=_jsonable, sort_keys=True, indent=4)


def _jsonable(o: Any) -> Any:
    if isinstance(o, (bytes, bytearray)):
        return "<%d bytes>" % len(o)
    return o.__dict__


__all__ = ["DataListNode", "DataListCls", "ResponseData", "Response", "SessionCreateResponse"]
