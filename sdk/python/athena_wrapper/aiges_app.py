"""Serves an AIGES-style `wrapper.py` (class `Wrapper(WrapperBase)`)."""
import json
import os
import queue
import time
import uuid
from typing import Any, Dict, Iterator, List, Optional

from . import callbacks, errors
from .convert import (CONTINUE, END, ONCE, accept_descriptors, call_flex, from_response_data, is_final,
                      response_items, to_datalist)
from .dto import Response, SessionCreateResponse
from .errors import EngineError
from .user_module import describe_exception, import_user_module
from .log import log
from .proto import engine_pb2 as pb




class AigesApp:
    """Loads `wrapper.py` once and runs its wrapper* methods for each request."""

    kind = pb.DescribeResponse.AIGES

    def __init__(self, app_dir: str, config: Optional[Dict[str, Any]] = None, session_timeout: float = 30.0):
        self.app_dir = os.path.abspath(app_dir)
        self.config = dict(config or {})
        self.session_timeout = session_timeout
        self.wrapper: Any = None
        self.module: Any = None

    # MARK: - Loading

    def import_wrapper(self) -> Any:
        """Imports wrapper.py and builds `Wrapper()` (no wrapperInit): enough for the schema."""
        if self.wrapper is not None:
            return self.wrapper
        path = os.path.join(self.app_dir, "wrapper.py")
        module = import_user_module(self.app_dir, path, "wrapper")
        cls = getattr(module, "Wrapper", None)
        if cls is None or not isinstance(cls, type):
            raise EngineError(errors.INIT_ERROR, "%s defines no class Wrapper" % path)
        try:
            self.wrapper = cls()
        except Exception as e:
            raise EngineError(errors.INIT_ERROR, "Wrapper() failed: %s" % describe_exception(e)) from e
        self.module = module
        return self.wrapper

    def load(self) -> None:
        """Imports the wrapper and runs wrapperInit(config) once."""
        w = self.import_wrapper()
        try:
            ret = call_flex(w.wrapperInit, dict(self.config))
        except Exception as e:
            raise EngineError(errors.USER_INIT_ERROR, "wrapperInit failed: %s" % describe_exception(e)) from e
        if ret not in (0, None):
            raise EngineError(errors.USER_INIT_ERROR, "wrapperInit returned %r: %s" % (ret, self._error_text(ret)))

    def close(self) -> None:
        if self.wrapper is not None:
            try:
                call_flex(self.wrapper.wrapperFini)
            except Exception as e:  # shutting down anyway; say why
                log.warning("wrapperFini failed: %s", describe_exception(e))

    # MARK: - Description

    @property
    def service_id(self) -> str:
        return str(getattr(self.wrapper, "serviceId", "") or "wrapper")

    @property
    def version(self) -> str:
        return str(getattr(self.wrapper, "version", "") or "v1")

    def schema(self) -> Dict[str, Any]:
        return self.import_wrapper().schema_dict() if hasattr(self.import_wrapper(), "schema_dict") else {}

    def supports_session(self) -> bool:
        w = self.import_wrapper()
        fn = getattr(type(w), "supports_session", None)
        return bool(fn()) if callable(fn) else hasattr(w, "wrapperCreate")

    def describe(self) -> pb.DescribeResponse:
        return pb.DescribeResponse(service_id=self.service_id, version=self.version, kind=self.kind,
                                   schema_json=json.dumps(self.schema(), ensure_ascii=False),
                                   supports_session=self.supports_session(),
                                   metadata={"sdk": "athena-wrapper", "app_dir": self.app_dir})

    # MARK: - Once

    def _error_text(self, code: Any) -> str:
        try:
            text = call_flex(self.wrapper.wrapperError, code)
        except Exception as e:
            return "wrapper error %s (wrapperError raised %s)" % (code, describe_exception(e))
        return str(text) if text else "wrapper error %s" % code

    def _to_proto(self, resp: Any, request_id: str, params: Dict[str, str], status: int) -> pb.InferResponse:
        if not isinstance(resp, Response) and not hasattr(resp, "list"):
            raise EngineError(errors.INVALID_RESPONSE, "the wrapper must return a Response, got %s" % type(resp).__name__)
        code = int(getattr(resp, "error_code", 0) or 0)
        if code != 0:
            return pb.InferResponse(code=code, message=self._error_text(code), request_id=request_id, status=status)
        accepts = accept_descriptors(params)
        try:
            # Response() starts with one blank item; a wrapper that never filled it sends nothing.
            data = [from_response_data(i, accepts) for i in response_items(resp)
                    if getattr(i, "key", "") or getattr(i, "data", None)]
        except (TypeError, ValueError) as e:
            raise EngineError(errors.INVALID_RESPONSE, "response data is not serialisable: %s" % e) from e
        return pb.InferResponse(code=0, message="success", data=data, request_id=request_id, status=status)

    def infer(self, req: pb.InferRequest) -> pb.InferResponse:
        params = dict(req.params)
        try:
            resp = call_flex(self.wrapper.wrapperOnceExec, params, to_datalist(req.data), req.request_id)
        except Exception as e:
            log.exception("wrapperOnceExec failed (request %s)", req.request_id)
            raise EngineError(errors.USER_EXEC_ERROR, "wrapperOnceExec failed: %s" % describe_exception(e)) from e
        return self._to_proto(resp, req.request_id, params, ONCE)

    def supports_batch(self) -> bool:
        """The wrapper has the optional `wrapperBatchExec(paramsList, reqDataList[, usrTags])`."""
        return callable(getattr(self.wrapper, "wrapperBatchExec", None))

    def infer_batch(self, reqs: List[pb.InferRequest]) -> Optional[List[pb.InferResponse]]:
        """Several once requests in one `wrapperBatchExec` call (the model can then run them as
        one batch), one response each, in order; `None` when the wrapper has no batch method or
        the batch call failed as a whole, so the caller runs them one by one (one bad input then
        fails alone, not its neighbours)."""
        if not self.supports_batch():
            return None
        params = [dict(r.params) for r in reqs]
        try:
            resps = call_flex(self.wrapper.wrapperBatchExec, params, [to_datalist(r.data) for r in reqs],
                              [r.request_id for r in reqs])
        except Exception as e:
            log.warning("wrapperBatchExec failed (%d requests), running them one by one: %s",
                        len(reqs), describe_exception(e))
            return None
        if not isinstance(resps, (list, tuple)) or len(resps) != len(reqs):
            got = len(resps) if isinstance(resps, (list, tuple)) else type(resps).__name__
            message = "wrapperBatchExec must return one Response per request (%d), got %s" % (len(reqs), got)
            return [pb.InferResponse(code=errors.INVALID_RESPONSE, message=message, request_id=r.request_id, status=ONCE)
                    for r in reqs]
        out = []
        for resp, req, p in zip(resps, reqs, params):
            try:
                out.append(self._to_proto(resp, req.request_id, p, ONCE))
            except EngineError as e:
                out.append(pb.InferResponse(code=e.code, message=e.message, request_id=req.request_id, status=ONCE))
        return out

    # MARK: - Session

    def session(self, requests: Iterator[pb.InferRequest], is_active) -> Iterator[pb.InferResponse]:
        """Runs one streaming session; see engine.proto `Session` for the message rules."""
        first = next(requests, None)
        if first is None:
            return
        sid = first.request_id or uuid.uuid4().hex
        if not self.supports_session():
            yield pb.InferResponse(code=errors.SESSION_NOT_SUPPORTED, message=errors.MESSAGES[errors.SESSION_NOT_SUPPORTED],
                                   request_id=sid, status=END)
            return
        w = self.wrapper
        params = dict(first.params)
        results = callbacks.register(sid)
        handle: Any = None
        try:
            try:
                created = call_flex(w.wrapperCreate, params, sid)
            except Exception as e:
                raise EngineError(errors.SESSION_CREATE_ERROR, "wrapperCreate failed: %s" % describe_exception(e)) from e
            handle, code = self._handle_of(created)
            if code != 0:
                raise EngineError(code, self._error_text(code))
            msg: Optional[pb.InferRequest] = first
            input_done = False
            while msg is not None and is_active():
                if msg.data:
                    try:
                        ret = call_flex(w.wrapperWrite, handle, to_datalist(msg.data), sid)
                    except Exception as e:
                        raise EngineError(errors.SESSION_IO_ERROR, "wrapperWrite failed: %s" % describe_exception(e)) from e
                    if ret not in (0, None):
                        raise EngineError(int(ret), self._error_text(ret))
                    for out in self._collect(handle, sid, results, params):
                        yield out
                        if out.status == END:
                            return
                    input_done = any(d.status in (END, ONCE) for d in msg.data)
                if input_done:
                    break
                msg = next(requests, None)
            # Input finished (END frame or half-close): wait for the last results, bounded.
            deadline = time.monotonic() + self.session_timeout
            while is_active() and time.monotonic() < deadline:
                got = False
                for out in self._collect(handle, sid, results, params, wait=0.05):
                    got = True
                    yield out
                    if out.status == END:
                        return
                if not got and not input_done:
                    # Half-closed without END: nothing more will come; close the session.
                    yield pb.InferResponse(code=0, message="success", request_id=sid, status=END)
                    return
            raise EngineError(errors.SESSION_TIMEOUT,
                              "no final result within %.0f s after the last frame" % self.session_timeout)
        except EngineError as e:
            yield pb.InferResponse(code=e.code, message=e.message, request_id=sid, status=END)
        finally:
            callbacks.unregister(sid)
            if handle is not None:
                try:
                    call_flex(w.wrapperDestroy, handle, sid)
                except Exception as e:
                    log.warning("wrapperDestroy failed (session %s): %s", sid, describe_exception(e))

    @staticmethod
    def _handle_of(created: Any):
        if isinstance(created, SessionCreateResponse) or hasattr(created, "handle"):
            return created.handle, int(getattr(created, "error_code", 0) or 0)
        if isinstance(created, int) and not isinstance(created, bool):
            return None, created
        return created, 0

    def _collect(self, handle: Any, sid: str, results: "queue.Queue", params: Dict[str, str], wait: float = 0.0):
        """Results pushed through `callback` plus what `wrapperRead` returns now."""
        pending = []
        try:
            pending.append(results.get(timeout=wait) if wait > 0 else results.get_nowait())
            while True:
                pending.append(results.get_nowait())
        except queue.Empty:
            pass
        try:
            read = call_flex(self.wrapper.wrapperRead, handle, sid)
        except Exception as e:
            raise EngineError(errors.SESSION_IO_ERROR, "wrapperRead failed: %s" % describe_exception(e)) from e
        if read is not None:
            pending.append(read)
        for resp in pending:
            if not hasattr(resp, "list"):
                raise EngineError(errors.INVALID_RESPONSE, "session results must be Response, got %s" % type(resp).__name__)
            final = is_final(resp)
            items = [i for i in response_items(resp) if getattr(i, "data", None)]
            if int(getattr(resp, "error_code", 0) or 0) == 0 and not items and not final:
                continue  # "nothing yet"
            resp.list = items if not final else response_items(resp)
            yield self._to_proto(resp, sid, params, END if final else CONTINUE)
