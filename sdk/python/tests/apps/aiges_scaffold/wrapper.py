#!/usr/bin/env python
# coding:utf-8
"""
An AIGES-style wrapper written like the `python -m aiges create` scaffold (wrapper.py.j2):
the same imports, request/response classes and method signatures. It must run unchanged.
"""

import sys
import hashlib
try:
    from aiges_embed import ResponseData, Response, DataListNode, DataListCls  # c++
except:
    from aiges.dto import Response, ResponseData, DataListNode, DataListCls

from aiges.sdk import WrapperBase, \
    StringParamField, \
    ImageBodyField, \
    StringBodyField
from aiges.utils.log import log
from aiges.types import *
from aiges.core.types import DataText as CoreDataText


class UserRequest(object):
    params1 = StringParamField(key="p1", enums=["3", "eee"], value='3')
    params2 = StringParamField(key="p2", maxLength=44, required=True)
    params3 = StringParamField(key="p3", maxLength=44, required=False)

    input1 = ImageBodyField(key="data", path="test_data/test.png")
    input3 = ImageBodyField(key="data2", path="test_data/test.png")
    input2 = StringBodyField(key="switch", value="ctrl")


class UserResponse(object):
    accept1 = StringBodyField(key="boxes")
    accept2 = StringBodyField(key="boxes2")


class Wrapper(WrapperBase):
    serviceId = "mmocr"
    version = "backup.0"
    requestCls = UserRequest()
    responseCls = UserResponse()

    def wrapperInit(cls, config: {}) -> int:
        log.info(config)
        log.info("Initializing ...")
        cls.greeting = config.get("greeting", "hello")
        return 0

    def wrapperOnceExec(cls, params: {}, reqData: DataListCls) -> Response:
        for req in reqData.list:
            log.info("reqData key: %s , size is %d" % (req.key, len(req.data)))
        if params.get("p2") == "fail":
            return Response().response_err(100)
        if params.get("p2") == "raise":
            raise RuntimeError("model exploded")
        if params.get("p2") == "none":
            return None
        rg = reqData.get("data")
        n = reqData.get("dd")
        if not n:
            log.error("reqData not has this key %s" % "dd")
        r = Response()
        l = ResponseData()
        l.key = "boxes"
        l.status = 3
        d = hashlib.md5(rg.data).hexdigest()
        l.data = d
        l.len = len(d)
        l.type = 0
        l2 = ResponseData()
        l2.key = "boxes2"
        l2.data = ("%s %s %s %d" % (cls.greeting, params.get("p1", ""), params.get("p2", ""),
                                    len(reqData.list))).encode()
        l2.len = len(l2.data)
        l2.type = CoreDataText
        l2.status = Once
        r.list = [l, l2]
        return r

    def wrapperFini(cls) -> int:
        return 0

    def wrapperError(cls, ret: int) -> str:
        if ret == 100:
            return "user error defined here"
        return ""


if __name__ == '__main__':
    m = Wrapper()
    m.run()
