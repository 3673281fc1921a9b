"""The standard grpc.health.v1 service: "" and the engine service report SERVING once loaded."""
import threading
from typing import Dict

import grpc

from .proto import health_pb2 as hpb
from .proto import health_pb2_grpc as hgrpc

ENGINE_SERVICE = "athena.engine.v1.Engine"


class HealthServicer(hgrpc.HealthServicer):
    def __init__(self):
        self._cond = threading.Condition()
        self._status: Dict[str, int] = {"": hpb.HealthCheckResponse.NOT_SERVING,
                                        ENGINE_SERVICE: hpb.HealthCheckResponse.NOT_SERVING}
        self._closed = False

    def set(self, status: int) -> None:
        with self._cond:
            for k in self._status:
                self._status[k] = status
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def Check(self, request, context):
        with self._cond:
            status = self._status.get(request.service)
        if status is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "unknown service %r" % request.service)
        return hpb.HealthCheckResponse(status=status)

    def Watch(self, request, context):
        last = None
        # Bounded by the client (context inactive) and by server shutdown.
        while context.is_active():
            with self._cond:
                status = self._status.get(request.service, hpb.HealthCheckResponse.SERVICE_UNKNOWN)
                if status == last and not self._closed:
                    self._cond.wait(timeout=1.0)
                    continue
                closed = self._closed
            if status != last:
                last = status
                yield hpb.HealthCheckResponse(status=status)
            if closed:
                return
