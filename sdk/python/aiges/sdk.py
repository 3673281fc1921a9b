"""`aiges.sdk` → athena_wrapper (WrapperBase and the schema field classes)."""
from athena_wrapper.dto import DataListCls, DataListNode, Response, ResponseData, SessionCreateResponse  # noqa: F401
from athena_wrapper.fields import (  # noqa: F401
    AudioBodyField, BooleanParamField, Field, ImageBodyField, IntegerParamField, JsonBodyField, NumberParamField,
    ParamField, PayloadField, StringBodyField, StringParamField, VideoBodyField,
)
from athena_wrapper.types import *  # noqa: F401,F403
from athena_wrapper.types import TYPE_BY_NAME as type_map  # noqa: F401
from athena_wrapper.wrapper import WrapperBase  # noqa: F401
