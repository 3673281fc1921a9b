"""The headers of the request a wrapper method runs for: `request_headers()`.

Why: a routing rule can add headers to the requests it matches (ModelArts' personalised run
configuration: "user zhangsan gets configuration A" arrives as a header), and the wrapper API of
AIGES (`wrapperOnceExec(params, reqData)`) and of ModelArts (`_preprocess(data)`) has no place
for them. The engine server sets them here, on the thread that runs the user's method, for the
duration of the call.

In `wrapperBatchExec` they are the headers every request of the batch has with the same value
(the gateway never batches requests that a rule gave different headers); in a session, those of
its first message.
"""
import threading
from contextlib import contextmanager
from typing import Dict, Iterable, Iterator, Mapping

_local = threading.local()


def request_headers() -> Dict[str, str]:
    """The current request's headers (lower-case names: ASE `header` fields, selected HTTP headers
    and those a routing rule added); empty outside a request."""
    return dict(getattr(_local, "headers", None) or {})


@contextmanager
def headers_set(headers: Mapping[str, str]) -> Iterator[None]:
    """Makes `headers` the current request's for the `with` block (restores the previous ones)."""
    previous = getattr(_local, "headers", None)
    _local.headers = headers
    try:
        yield
    finally:
        _local.headers = previous


def common_headers(all_headers: Iterable[Mapping[str, str]]) -> Dict[str, str]:
    """The headers present with the same value in every mapping."""
    it = iter(all_headers)
    first = next(it, None)
    if first is None:
        return {}
    common = dict(first)
    for headers in it:
        for key in [k for k, v in common.items() if headers.get(k) != v]:
            del common[key]
    return common
