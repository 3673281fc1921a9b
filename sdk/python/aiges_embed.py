"""`aiges_embed` (the name of AIGES's embedded C++ module): the dto classes plus `callback`,
so wrappers that `from aiges_embed import ..., callback` get asynchronous session results."""
from athena_wrapper.callbacks import callback  # noqa: F401
from athena_wrapper.dto import DataListCls, DataListNode, Response, ResponseData, SessionCreateResponse  # noqa: F401
