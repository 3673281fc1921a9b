"""Asynchronous session results: AIGES streaming wrappers push results with
`callback(response, sid)` (from `aiges_embed`) instead of returning them from `wrapperRead`.
The engine registers one queue per live session id; `callback` drops results for unknown ids."""
import queue
import threading
from typing import Any, Dict

_lock = threading.Lock()
_queues: Dict[str, "queue.Queue"] = {}


def register(sid: str) -> "queue.Queue":
    q: "queue.Queue" = queue.Queue()
    with _lock:
        _queues[sid] = q
    return q


def unregister(sid: str) -> None:
    with _lock:
        _queues.pop(sid, None)


def callback(response: Any, sid: str) -> int:
    """Delivers `response` to session `sid`; returns 0, or -1 when the session is gone."""
    with _lock:
        q = _queues.get(sid)
    if q is None:
        return -1
    q.put(response)
    return 0
