#!/usr/bin/env python
# coding:utf-8
"""
An AIGES-style wrapper written against the AIGES SDK exactly as the aiges_python scaffold does
(same imports, same class shape). Athena's end-to-end tests serve it unchanged.

Echoes its text input; `delay_ms` makes it slow and `marker` names a file it creates once the
request is being processed (so a test can kill the worker mid-request without guessing timings).
"""

import json
import os
import time

try:
    from aiges_embed import ResponseData, Response, DataListNode, DataListCls  # c++
except:
    from aiges.dto import Response, ResponseData, DataListNode, DataListCls

from aiges.sdk import WrapperBase, \
    StringParamField, \
    IntegerParamField, \
    StringBodyField
from aiges.utils.log import log


class UserRequest(object):
    params1 = IntegerParamField(key="delay_ms", minimum=0, maximum=60000, value=0)
    params2 = StringParamField(key="marker", maxLength=500, required=False)
    input1 = StringBodyField(key="text", value="hello")


class UserResponse(object):
    accept1 = StringBodyField(key="echo")


class Wrapper(WrapperBase):
    serviceId = "echo"
    version = "v1"
    requestCls = UserRequest()
    responseCls = UserResponse()

    def wrapperInit(cls, config: {}) -> int:
        log.info("echo wrapper init")
        return 0

    def wrapperOnceExec(cls, params: {}, reqData: DataListCls) -> Response:
        marker = params.get("marker", "")
        if marker:
            with open(marker, "w") as f:
                f.write(str(os.getpid()))
        delay = int(params.get("delay_ms", "0") or 0)
        if delay > 0:
            time.sleep(delay / 1000.0)
        item = reqData.get("text")
        if item is None:
            return Response().response_err(30400)
        text = item.data.decode("utf-8")
        result = json.dumps({"echo": text, "reversed": text[::-1], "pid": os.getpid()})
        r = Response()
        l = ResponseData()
        l.key = "echo"
        l.status = 3
        l.data = result.encode("utf-8")
        l.len = len(l.data)
        l.type = 0
        r.list = [l]
        return r

    def wrapperFini(cls) -> int:
        return 0

    def wrapperError(cls, ret: int) -> str:
        if ret == 30400:
            return "payload text is missing"
        return ""


if __name__ == '__main__':
    m = Wrapper()
    m.run()
