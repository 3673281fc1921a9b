"""Session helpers for streaming wrappers (`aiges.stream`).

AIGES streaming wrappers keep per-session state in a `SessionManager` (`self.session`): a pool of
worker threads, each bound to one handle, fed through an input queue; results go out either
through `callback(response, sid)` or through the worker's output queue read by `wrapperRead`.
This is a small, bounded re-implementation of that API.
"""
import queue
import threading
from typing import Callable, Dict, Optional, Tuple

from .types import PROCESS_MODE, THREAD_MODE


class StreamHandleThread(threading.Thread):
    """Per-session processing thread; subclass it and override `run` (read `self.in_q`)."""

    def __init__(self, session_thread: "WorkerThread", in_q: "queue.Queue", out_q: "queue.Queue"):
        super().__init__(daemon=True)
        self.session_thread = session_thread
        self.in_q = in_q
        self.out_q = out_q

    def run(self) -> None:  # pragma: no cover - meant to be overridden
        self.session_thread.stopped.wait()


class WorkerThread:
    """One session slot: its handle, sid, params, queues and callback."""

    def __init__(self, handle: str):
        self.handle = handle
        self.sid = ""
        self.params: Dict[str, str] = {}
        self.in_q: "queue.Queue" = queue.Queue()
        self.out_q: "queue.Queue" = queue.Queue()
        self.is_idle = True
        self.callback_fn: Optional[Callable] = None
        self.stopped = threading.Event()
        self.StreamHandleThreadClass = StreamHandleThread
        self._thread: Optional[threading.Thread] = None

    @property
    def idle(self) -> bool:
        return self.is_idle

    def setup_sid(self, sid: str) -> None:
        self.sid = sid

    def setup_params(self, params: Dict[str, str]) -> None:
        self.params = params
        self.is_idle = False

    def setup_callback_fn(self, callback: Optional[Callable]) -> None:
        self.callback_fn = callback

    def setStreamHandleThreadClass(self, cls) -> None:
        self.StreamHandleThreadClass = cls

    def start(self) -> None:
        self._thread = self.StreamHandleThreadClass(self, self.in_q, self.out_q)
        self._thread.daemon = True
        self._thread.start()

    def reset(self) -> None:
        self.sid = ""
        self.params = {}
        for q in (self.in_q, self.out_q):
            with q.mutex:
                q.queue.clear()
        self.is_idle = True


class Pool:
    """Handles bound to worker slots."""

    def __init__(self):
        self.workers: Dict[str, WorkerThread] = {}
        self._lock = threading.Lock()

    def get_thread(self, handle: str) -> Optional[WorkerThread]:
        return self.workers.get(handle)

    def get_idle_thread_handle(self) -> Tuple[Optional[str], Optional[WorkerThread]]:
        with self._lock:
            for h, w in self.workers.items():
                if w.is_idle:
                    w.is_idle = False
                    return h, w
        return None, None

    def reset_thread(self, handle: str) -> None:
        w = self.workers.get(handle)
        if w:
            w.reset()

    def set_idle(self, handle: str) -> None:
        w = self.workers.get(handle)
        if w:
            w.is_idle = True


class ThreadPool(Pool):
    """`nums` worker slots, each running a `StreamHandleThread` subclass."""

    def __init__(self, reqDataThreadCls, processs_no: int = 0, nums: int = 10):
        super().__init__()
        for i in range(nums):
            handle = "Process-{}-Thread-{}".format(processs_no, i)
            w = WorkerThread(handle)
            w.setStreamHandleThreadClass(reqDataThreadCls)
            w.start()
            self.workers[handle] = w


class SessionManager:
    """Per-wrapper session bookkeeping (`self.session` on every `WrapperBase`)."""

    def __init__(self, config: Optional[dict] = None, mode: str = THREAD_MODE, nums: int = 0):
        self.initialized = False
        self.code = 0
        self.wrapperConfig = dict(config or {})
        self.handle_pool: Pool = Pool()
        self.lock = threading.Lock()

    def init_wrapper_config(self, config: Optional[dict] = None) -> None:
        self.wrapperConfig = dict(config or {})

    def init_handle_pool(self, mode: str, nums: int, ReqThreadCls) -> None:
        if mode == PROCESS_MODE:
            # Process mode was never usable in AIGES either; threads it is.
            mode = THREAD_MODE
        self.handle_pool = ThreadPool(ReqThreadCls, 0, nums)
        self.initialized = True

    def get_session(self, handle: str) -> Optional[WorkerThread]:
        return self.handle_pool.get_thread(handle)

    def get_idle_handle(self) -> Optional[str]:
        handle, _ = self.handle_pool.get_idle_thread_handle()
        return handle

    def set_idle_session(self, handle: str) -> None:
        self.handle_pool.set_idle(handle)

    def reset_session(self, handle: str) -> None:
        self.handle_pool.reset_thread(handle)

    def push_back(self, handle: str) -> None:
        self.reset_session(handle)


__all__ = ["StreamHandleThread", "WorkerThread", "Pool", "ThreadPool", "SessionManager"]
