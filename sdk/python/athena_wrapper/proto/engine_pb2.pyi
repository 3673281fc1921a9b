from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GeneralData(_message.Message):
    __slots__ = ("data_id", "frame_id", "data_type", "status", "desc_args", "data")
    class DataType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        TEXT: _ClassVar[GeneralData.DataType]
        AUDIO: _ClassVar[GeneralData.DataType]
        IMAGE: _ClassVar[GeneralData.DataType]
        VIDEO: _ClassVar[GeneralData.DataType]
    TEXT: GeneralData.DataType
    AUDIO: GeneralData.DataType
    IMAGE: GeneralData.DataType
    VIDEO: GeneralData.DataType
    class DataStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        BEGIN: _ClassVar[GeneralData.DataStatus]
        CONTINUE: _ClassVar[GeneralData.DataStatus]
        END: _ClassVar[GeneralData.DataStatus]
        ONCE: _ClassVar[GeneralData.DataStatus]
    BEGIN: GeneralData.DataStatus
    CONTINUE: GeneralData.DataStatus
    END: GeneralData.DataStatus
    ONCE: GeneralData.DataStatus
    class DescArgsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    DATA_ID_FIELD_NUMBER: _ClassVar[int]
    FRAME_ID_FIELD_NUMBER: _ClassVar[int]
    DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DESC_ARGS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    data_id: str
    frame_id: int
    data_type: GeneralData.DataType
    status: GeneralData.DataStatus
    desc_args: _containers.ScalarMap[str, str]
    data: bytes
    def __init__(self, data_id: _Optional[str] = ..., frame_id: _Optional[int] = ..., data_type: _Optional[_Union[GeneralData.DataType, str]] = ..., status: _Optional[_Union[GeneralData.DataStatus, str]] = ..., desc_args: _Optional[_Mapping[str, str]] = ..., data: _Optional[bytes] = ...) -> None: ...

class InferRequest(_message.Message):
    __slots__ = ("request_id", "service_id", "params", "data", "headers")
    class ParamsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class HeadersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    service_id: str
    params: _containers.ScalarMap[str, str]
    data: _containers.RepeatedCompositeFieldContainer[GeneralData]
    headers: _containers.ScalarMap[str, str]
    def __init__(self, request_id: _Optional[str] = ..., service_id: _Optional[str] = ..., params: _Optional[_Mapping[str, str]] = ..., data: _Optional[_Iterable[_Union[GeneralData, _Mapping]]] = ..., headers: _Optional[_Mapping[str, str]] = ...) -> None: ...

class InferResponse(_message.Message):
    __slots__ = ("code", "message", "data", "status", "request_id")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    code: int
    message: str
    data: _containers.RepeatedCompositeFieldContainer[GeneralData]
    status: GeneralData.DataStatus
    request_id: str
    def __init__(self, code: _Optional[int] = ..., message: _Optional[str] = ..., data: _Optional[_Iterable[_Union[GeneralData, _Mapping]]] = ..., status: _Optional[_Union[GeneralData.DataStatus, str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class InferBatchRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[InferRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[InferRequest, _Mapping]]] = ...) -> None: ...

class InferBatchResponse(_message.Message):
    __slots__ = ("responses",)
    RESPONSES_FIELD_NUMBER: _ClassVar[int]
    responses: _containers.RepeatedCompositeFieldContainer[InferResponse]
    def __init__(self, responses: _Optional[_Iterable[_Union[InferResponse, _Mapping]]] = ...) -> None: ...

class DescribeRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DescribeResponse(_message.Message):
    __slots__ = ("service_id", "version", "kind", "schema_json", "apis_json", "supports_session", "metadata")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[DescribeResponse.Kind]
        AIGES: _ClassVar[DescribeResponse.Kind]
        MODELARTS: _ClassVar[DescribeResponse.Kind]
        NATIVE: _ClassVar[DescribeResponse.Kind]
    KIND_UNSPECIFIED: DescribeResponse.Kind
    AIGES: DescribeResponse.Kind
    MODELARTS: DescribeResponse.Kind
    NATIVE: DescribeResponse.Kind
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_JSON_FIELD_NUMBER: _ClassVar[int]
    APIS_JSON_FIELD_NUMBER: _ClassVar[int]
    SUPPORTS_SESSION_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    service_id: str
    version: str
    kind: DescribeResponse.Kind
    schema_json: str
    apis_json: str
    supports_session: bool
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, service_id: _Optional[str] = ..., version: _Optional[str] = ..., kind: _Optional[_Union[DescribeResponse.Kind, str]] = ..., schema_json: _Optional[str] = ..., apis_json: _Optional[str] = ..., supports_session: _Optional[bool] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...
