"""Athena Serving Python SDK: the AIGES wrapper API, ModelArts compatibility and the engine server."""
from .dto import DataListCls, DataListNode, Response, ResponseData, SessionCreateResponse
from .fields import (AudioBodyField, BooleanParamField, ImageBodyField, IntegerParamField, JsonBodyField,
                     NumberParamField, StringBodyField, StringParamField, VideoBodyField)
from .log import getFileLogger, log
from .request_context import request_headers
from .types import *  # noqa: F401,F403
from .wrapper import WrapperBase

__version__ = "0.1.0"
