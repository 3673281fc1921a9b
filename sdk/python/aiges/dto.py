"""`aiges.dto` → athena_wrapper.dto."""
from athena_wrapper.dto import DataListCls, DataListNode, Response, ResponseData, SessionCreateResponse  # noqa: F401
from athena_wrapper.types import *  # noqa: F401,F403
