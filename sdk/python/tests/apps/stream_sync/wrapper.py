"""A streaming AIGES wrapper that returns results from wrapperRead (synchronous mode):
every written text chunk comes back upper-cased; the END (or a ONCE) frame ends the session."""
import threading

from aiges.dto import DataListCls, Response, ResponseData, SessionCreateResponse
from aiges.sdk import StringBodyField, WrapperBase
from aiges.types import DataContinue, DataEnd, DataOnce, DataText
from athena_wrapper import request_headers


class Req:
    input1 = StringBodyField(key="text")


class Resp:
    accept1 = StringBodyField(key="upper")


class Wrapper(WrapperBase):
    serviceId = "upper"
    version = "v1"
    requestCls = Req()
    responseCls = Resp()

    def wrapperInit(self, config: {}) -> int:
        self.lock = threading.Lock()
        self.sessions = {}
        self.destroyed = []
        return 0

    def wrapperOnceExec(self, params, reqData):
        r = Response()
        r.list = [ResponseData(key="upper", data=reqData.get("text").data.upper())]
        return r

    def wrapperCreate(self, params: {}, sid: str) -> SessionCreateResponse:
        if params.get("reject") == "1":
            return SessionCreateResponse(handle="", error_code=10)
        with self.lock:
            handle = "h-%s" % sid
            # A routing rule's `run-config` header (request_headers()) can set the prefix too.
            prefix = params.get("prefix", "") or request_headers().get("run-config", "")
            self.sessions[handle] = {"pending": [], "ended": False, "prefix": prefix}
        return SessionCreateResponse(handle=handle)

    def wrapperWrite(self, handle: str, req: DataListCls, sid: str) -> int:
        s = self.sessions.get(handle)
        if s is None:
            return 11
        for node in req.list:
            if node.data == b"boom":
                raise ValueError("cannot write boom")
            s["pending"].append(s["prefix"] + node.data.decode().upper())
            if node.status in (DataEnd, DataOnce):  # a once frame is first and last at once
                s["ended"] = True
        return 0

    def wrapperRead(self, handle: str, sid: str) -> Response:
        s = self.sessions[handle]
        r = Response()
        if not s["pending"]:
            r.list = []
            return r
        text, s["pending"] = "".join(s["pending"]), []
        r.list = [ResponseData(key="upper", data=text, type=DataText,
                               status=DataEnd if s["ended"] else DataContinue)]
        return r

    def wrapperDestroy(self, handle: str, sid: str) -> int:
        self.sessions.pop(handle, None)
        return 0

    def wrapperError(self, ret: int) -> str:
        return {10: "session rejected", 11: "unknown handle"}.get(ret, "")
