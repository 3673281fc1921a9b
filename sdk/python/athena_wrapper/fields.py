"""Schema field classes (`aiges.sdk`): declared on a wrapper's request/response classes, they
produce the application's JSON schema (ASE `parameter` and `payload`, and the response payload).
"""
import base64
import os
from typing import Any, Dict, List, Optional

from .log import log
from .types import AUDIO, IMAGE, STRING, VIDEO


class Field:
    """Base of every field: a key and a data type."""

    def __init__(self, key: str, data_type: Any):
        self.key = key
        self.data_type = data_type

    def __str__(self) -> str:
        return "<%s:%s>" % (self.__class__.__name__, self.key)

    def _check_path(self, path: str) -> str:
        # A missing test file only matters for local debugging (`Wrapper().run()`): warn, go on.
        if path and not os.path.exists(path):
            log.warning("%s %r: test file %s does not exist", self.__class__.__name__, self.key, path)
        return path

    @property
    def test_value(self) -> Any:
        return None


class ParamField(Field):
    """A field of ASE `parameter.{service}` (engine switches)."""

    required = False

    def _schema(self) -> Dict[str, Any]:
        raise NotImplementedError


class PayloadField(Field):
    """A field of ASE `payload` (request data) or of the response payload."""

    encodings: List[str] = []

    def _payload_schema(self) -> Dict[str, Any]:
        return payload_schema(self.data_type, self.encodings)


def payload_schema(data_type: int, encodings: Optional[List[str]] = None) -> Dict[str, Any]:
    """JSON schema of one ASE payload object of the given data type."""
    props: Dict[str, Any] = {
        "encoding": {"type": "string"},
        "status": {"type": "integer", "enum": [0, 1, 2, 3]},
        "seq": {"type": "integer"},
    }
    if encodings:
        props["encoding"]["enum"] = list(encodings)
    if data_type == IMAGE:
        props["image"] = {"type": "string", "minLength": 1, "maxLength": 10485760}
        content = "image"
    elif data_type == AUDIO:
        props.update({
            "sample_rate": {"type": "integer"},
            "channels": {"type": "integer"},
            "bit_depth": {"type": "integer"},
            "audio": {"type": "string"},
        })
        content = "audio"
    elif data_type == VIDEO:
        props["video"] = {"type": "string"}
        content = "video"
    else:
        props.update({"compress": {"type": "string"}, "format": {"type": "string"}, "text": {"type": "string"}})
        content = "text"
    return {"type": "object", "properties": props, "required": [content]}


class StringBodyField(PayloadField):
    """Text data (UTF-8), e.g. a JSON result."""

    encodings = ["utf8", "gb2312"]

    def __init__(self, key: str, value: Any = "", need_base64: bool = False):
        super().__init__(key, STRING)
        self.value = value
        self.need_base64 = need_base64

    @property
    def test_value(self) -> Any:
        v = self.value.encode() if isinstance(self.value, str) else self.value
        return base64.b64encode(v) if self.need_base64 else v


class JsonBodyField(StringBodyField):
    """Text data that holds a JSON document."""


class AudioBodyField(PayloadField):
    """Audio data (raw PCM, opus, speex...)."""

    encodings = ["raw", "lame", "speex", "opus", "speex-wb", "opus-wb"]

    def __init__(self, key: str, path: str = ""):
        super().__init__(key, AUDIO)
        self.path = self._check_path(path)

    @property
    def test_value(self) -> Any:
        with open(self.path, "rb") as f:
            return f.read()


class ImageBodyField(PayloadField):
    """Image data (png, jpg, bmp...)."""

    encodings = ["jpg", "jpeg", "png", "bmp"]

    def __init__(self, key: str, path: str = "", need_base64: bool = False):
        super().__init__(key, IMAGE)
        self.need_base64 = need_base64
        self.path = self._check_path(path)

    @property
    def test_value(self) -> Any:
        with open(self.path, "rb") as f:
            content = f.read()
        return base64.b64encode(content) if self.need_base64 else content


class VideoBodyField(PayloadField):
    """Video data."""

    def __init__(self, key: str, path: str = ""):
        super().__init__(key, VIDEO)
        self.path = self._check_path(path)

    @property
    def test_value(self) -> Any:
        with open(self.path, "rb") as f:
            return f.read()


class StringParamField(ParamField):
    """A string switch, bounded by length or an enum."""

    def __init__(self, key: str, minLength: int = 0, maxLength: int = 50, enums: Optional[list] = None,
                 required: bool = False, value: str = ""):
        super().__init__(key, "string")
        self.min_length = minLength
        self.max_length = maxLength
        self.enums = list(enums or [])
        self.required = required
        self.value = value

    def _schema(self) -> Dict[str, Any]:
        s: Dict[str, Any] = {"type": "string"}
        if self.enums:
            s["enum"] = self.enums
        else:
            s["minLength"] = self.min_length
            s["maxLength"] = self.max_length
        return {self.key: s}

    @property
    def test_value(self) -> Any:
        return self.value


class NumberParamField(ParamField):
    """A number switch, bounded by minimum/maximum or an enum."""

    json_type = "number"

    def __init__(self, key: str, minimum: float = 0, maximum: float = 100, enums: Optional[list] = None,
                 required: bool = False, value: float = 0):
        super().__init__(key, self.json_type)
        self.minimum = minimum
        self.maximum = maximum
        self.enums = list(enums or [])
        self.required = required
        self.value = value

    def _schema(self) -> Dict[str, Any]:
        s: Dict[str, Any] = {"type": self.json_type}
        if self.enums:
            s["enum"] = self.enums
        else:
            s["minimum"] = self.minimum
            s["maximum"] = self.maximum
        return {self.key: s}

    @property
    def test_value(self) -> Any:
        return self.value


class IntegerParamField(NumberParamField):
    """An integer switch, bounded by minimum/maximum or an enum."""

    json_type = "integer"


class BooleanParamField(ParamField):
    """A boolean switch."""

    def __init__(self, key: str, default: bool = False, required: bool = False):
        super().__init__(key, "boolean")
        self.default = default
        self.required = required

    def _schema(self) -> Dict[str, Any]:
        return {self.key: {"type": "boolean", "default": self.default}}

    @property
    def test_value(self) -> Any:
        return self.default


__all__ = [
    "Field", "ParamField", "PayloadField", "payload_schema",
    "StringBodyField", "JsonBodyField", "AudioBodyField", "ImageBodyField", "VideoBodyField",
    "StringParamField", "NumberParamField", "IntegerParamField", "BooleanParamField",
]
