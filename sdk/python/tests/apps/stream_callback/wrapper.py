"""A streaming AIGES wrapper in the asynchronous style of aiges_python's stream mock: a
SessionManager thread pool and results pushed with `callback(response, sid)`."""
try:
    from aiges_embed import ResponseData, Response, DataListNode, DataListCls, SessionCreateResponse, callback  # c++
except:
    from aiges.dto import Response, ResponseData, DataListNode, DataListCls

from aiges.sdk import WrapperBase, StringBodyField
from aiges.stream import StreamHandleThread
from aiges.types import *


class UserRequest(object):
    input1 = StringBodyField(key="text")


class UserResponse(object):
    accept1 = StringBodyField(key="reversed")


class Wrapper(WrapperBase):
    serviceId = "reverse"
    version = "v2"
    requestCls = UserRequest()
    responseCls = UserResponse()

    def wrapperInit(self, config: {}) -> int:
        self.session.init_wrapper_config(config)
        self.session.init_handle_pool("thread", 4, MyReqDataThread)
        return 0

    def wrapperOnceExec(cls, params: {}, reqData: DataListCls, usrTag: str = '') -> Response:
        return None

    def wrapperCreate(self, params: {}, sid: str) -> SessionCreateResponse:
        s = SessionCreateResponse()
        handle = self.session.get_idle_handle()
        if not handle:
            s.error_code = -1
            return s
        _session = self.session.get_session(handle=handle)
        _session.setup_sid(sid)
        _session.setup_params(params)
        _session.setup_callback_fn(callback)
        s.handle = handle
        return s

    def wrapperWrite(self, handle: str, req: DataListCls, sid: str) -> int:
        _session = self.session.get_session(handle=handle)
        if _session is None:
            return -1
        _session.in_q.put(req)
        return 0

    def wrapperRead(self, handle: str, sid: str) -> Response:
        r = Response()
        l = ResponseData()
        l.status = 1
        l.data = b''
        l.key = "reversed"
        r.list = [l]
        return r

    def wrapperDestroy(self, handle: str, sid: str = "") -> int:
        self.session.push_back(handle)
        return 0


class MyReqDataThread(StreamHandleThread):
    def run(self):
        while True:
            req = self.in_q.get()
            r = Response()
            l = ResponseData()
            l.key = "reversed"
            l.status = req.list[0].status
            l.data = req.list[0].data[::-1]
            l.len = len(l.data)
            r.list = [l]
            self.session_thread.callback_fn(r, self.session_thread.sid)
