"""The gRPC engine server: `athena.engine.v1.Engine` over an application adapter, plus health."""
import gc
import itertools
import os
import threading
from concurrent import futures
from typing import Optional, Tuple

import grpc

from . import errors
from .errors import EngineError
from .health import HealthServicer
from .lean_grpc import LeanServer
from .log import log
from .request_context import common_headers, headers_set
from .proto import engine_pb2 as pb
from .proto import engine_pb2_grpc as egrpc
from .proto import health_pb2 as hpb
from .proto import health_pb2_grpc as hgrpc

MAX_MESSAGE_BYTES = 64 * 1024 * 1024


class EngineServicer(egrpc.EngineServicer):
    """Answers every call with a well-formed response: user failures become a code, never a hang
    or a bare gRPC error."""

    def __init__(self, app):
        self.app = app
        self.ready = threading.Event()

    def _not_ready(self, request_id: str) -> pb.InferResponse:
        return pb.InferResponse(code=errors.NOT_READY, message=errors.MESSAGES[errors.NOT_READY],
                                request_id=request_id, status=pb.GeneralData.ONCE)

    def Infer(self, request, context):
        if not self.ready.is_set():
            return self._not_ready(request.request_id)
        try:
            with headers_set(request.headers):
                return self.app.infer(request)
        except EngineError as e:
            return pb.InferResponse(code=e.code, message=e.message, request_id=request.request_id,
                                    status=pb.GeneralData.ONCE)
        except Exception as e:  # a bug in the adapter itself: still answer
            log.exception("engine failure")
            return pb.InferResponse(code=errors.USER_EXEC_ERROR, message="%s: %s" % (type(e).__name__, e),
                                    request_id=request.request_id, status=pb.GeneralData.ONCE)

    def InferBatch(self, request, context):
        """Several once requests in one call: each answered as `Infer` would, in order.

        The gateway batches only requests that queued up behind calls already in flight, so
        running them together here costs no latency they were not already waiting; what it saves
        is one call's overhead per request and, when the wrapper has `wrapperBatchExec`, the
        model's per-call overhead (it sees the whole batch at once)."""
        requests = list(request.requests)
        batch = getattr(self.app, "infer_batch", None)
        if len(requests) > 1 and batch is not None and self.ready.is_set():
            try:
                with headers_set(common_headers(r.headers for r in requests)):
                    responses = batch(requests)
            except Exception:  # a bug in the adapter itself: fall back to one by one
                log.exception("batch failure")
                responses = None
            if responses is not None:
                return pb.InferBatchResponse(responses=responses)
        infer = self.Infer
        return pb.InferBatchResponse(responses=[infer(r, context) for r in requests])

    def Session(self, request_iterator, context):
        if not self.ready.is_set():
            resp = self._not_ready("")
            resp.status = pb.GeneralData.END
            yield resp
            return
        try:
            requests = iter(request_iterator)
            first = next(requests, None)
            if first is None:
                return
            # The session's headers are its first message's, for its whole life (this thread).
            with headers_set(first.headers):
                yield from self.app.session(itertools.chain([first], requests), context.is_active)
        except EngineError as e:
            yield pb.InferResponse(code=e.code, message=e.message, status=pb.GeneralData.END)
        except Exception as e:
            log.exception("session failure")
            yield pb.InferResponse(code=errors.SESSION_IO_ERROR, message="%s: %s" % (type(e).__name__, e),
                                   status=pb.GeneralData.END)

    def Describe(self, request, context):
        try:
            return self.app.describe()
        except EngineError as e:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, e.message)


class EngineServer:
    """Owns the gRPC server, the engine and health servicers.

    `server` is `lean` (default: `lean_grpc.LeanServer`, a small gRPC server with ~10x less
    overhead per call than grpcio's) or `grpcio` (grpcio's own server); `$ATHENA_GRPC_SERVER`
    sets the default."""

    SERVERS = ("lean", "grpcio")

    def __init__(self, app, listen: str = "127.0.0.1:0", workers: int = 4, server: str = ""):
        self.app = app
        self.engine = EngineServicer(app)
        self.health = HealthServicer()
        self.kind = server or os.environ.get("ATHENA_GRPC_SERVER", "lean")
        if self.kind not in self.SERVERS:
            raise EngineError(errors.INIT_ERROR, "unknown gRPC server %r (use %s)" % (self.kind, " or ".join(self.SERVERS)))
        if self.kind == "lean":
            self.server = LeanServer(workers=workers, max_message=MAX_MESSAGE_BYTES)
        else:
            self.server = grpc.server(
                futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="engine"),
                options=[("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                         ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
                         ("grpc.so_reuseport", 0),
                         # No BDP probing: a PING per burst of DATA costs a wake-up on both sides for
                         # nothing on a local or pod link, where the gateway opens wide windows anyway.
                         ("grpc.http2.bdp_probe", 0)],
            )
        egrpc.add_EngineServicer_to_server(self.engine, self.server)
        hgrpc.add_HealthServicer_to_server(self.health, self.server)
        try:
            self.port = self.server.add_insecure_port(listen)
        except RuntimeError as e:
            raise EngineError(errors.INIT_ERROR, "cannot listen on %s: %s" % (listen, e)) from e
        if self.port == 0:
            raise EngineError(errors.INIT_ERROR, "cannot listen on %s" % listen)
        self.host = listen.rsplit(":", 1)[0]

    @property
    def address(self) -> str:
        return "%s:%d" % (self.host, self.port)

    def start(self) -> None:
        self.server.start()

    def load(self) -> None:
        """Loads the application, then reports SERVING."""
        self.app.load()
        # Everything the model allocated while loading lives as long as the process: take it out
        # of the collector's sight so full collections (pauses of tens of ms with a large model
        # in memory) stop showing up in request latency.
        gc.collect()
        gc.freeze()
        self.engine.ready.set()
        self.health.set(hpb.HealthCheckResponse.SERVING)

    def stop(self, grace: float = 5.0) -> None:
        self.health.set(hpb.HealthCheckResponse.NOT_SERVING)
        self.health.close()
        self.server.stop(grace).wait(grace + 1)
        if self.engine.ready.is_set():
            self.app.close()
        self.engine.ready.clear()
