"""An AIGES-style wrapper with the optional wrapperBatchExec, which can misbehave on request:
a batch containing `text` "raise" raises, one containing "short" returns too few responses."""
from aiges.dto import DataListCls, Response, ResponseData
from aiges.sdk import StringBodyField, WrapperBase
from aiges.types import DataText, Once
from athena_wrapper import request_headers


class UserRequest(object):
    input1 = StringBodyField(key="text", value="hi")


class UserResponse(object):
    accept1 = StringBodyField(key="out")


def answer(text: str, how: str) -> Response:
    r = Response()
    r.list = [ResponseData(key="out", data=("%s:%s" % (how, text)).encode(), type=DataText, status=Once)]
    return r


class Wrapper(WrapperBase):
    serviceId = "batching"
    version = "v1"
    requestCls = UserRequest()
    responseCls = UserResponse()

    def wrapperInit(self, config: {}) -> int:
        return 0

    def wrapperOnceExec(self, params: {}, reqData: DataListCls) -> Response:
        text = reqData.get("text").data.decode()
        if text == "bad":
            return Response().response_err(30499)
        if text == "headers":  # the request's headers, as the wrapper sees them
            return answer(",".join("%s=%s" % kv for kv in sorted(request_headers().items())), "once")
        return answer(text, "once")

    def wrapperBatchExec(self, paramsList: list, reqDataList: list) -> list:
        texts = [req.get("text").data.decode() for req in reqDataList]
        if "headers" in texts:
            common = ",".join("%s=%s" % kv for kv in sorted(request_headers().items()))
            return [answer(common, "batch") for _ in texts]
        if "raise" in texts:
            raise RuntimeError("the batch exploded")
        if "short" in texts:
            return [answer(t, "batch") for t in texts[1:]]
        return [Response().response_err(30499) if t == "bad" else answer(t, "batch") for t in texts]

    def wrapperError(self, ret: int) -> str:
        return "bad text" if ret == 30499 else ""
