"""A small gRPC server: HTTP/2 over cleartext TCP (prior knowledge), for the engine protocol.

Why not grpcio's server: its sync server hands every call between a polling thread and a pool
thread several times (one hand-off per batch of operations, each a futex wake-up and a GIL
transfer). On the 2-core test machine that costs ~400 µs of CPU per call with a handler that does
nothing, more than the digits model itself. Here one I/O thread parses frames and hands a whole
request to a pool thread, which writes the whole answer (headers, message, trailers) in one
`sendall`: ~10x less per call.

What it serves is the subset the engine protocol uses, on the wire exactly as gRPC specifies:
unary calls and server-, client- and bidirectionally streaming calls, uncompressed messages,
`grpc-status`/`grpc-message` trailers (trailers-only answers for errors before any message),
HPACK (the `hpack` package, dynamic table included), flow control in both directions, PING,
SETTINGS, RST_STREAM and GOAWAY. It is registered like a grpcio server
(`add_EngineServicer_to_server(servicer, server)`), and handlers get a context with the
`abort`, `is_active`, `time_remaining` and `invocation_metadata` they use.
Not served: TLS, compression, HTTP/1.1 upgrade (nobody on a pod-local or loopback hop needs them).
"""
import queue
import selectors
import socket
import struct
import threading
import time
import urllib.parse
from concurrent import futures
from typing import Dict, Iterator, List, Optional, Tuple

import grpc
import hpack

from .log import log

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = range(10)
END_STREAM, ACK, END_HEADERS, PADDED, PRIORITY_FLAG = 0x1, 0x1, 0x4, 0x8, 0x20
SETTINGS_MAX_CONCURRENT_STREAMS, SETTINGS_INITIAL_WINDOW_SIZE, SETTINGS_MAX_FRAME_SIZE = 3, 4, 5
MAX_WINDOW = 2 ** 31 - 1


def hpack_int(value: int, prefix_bits: int, first: int) -> bytes:
    """An HPACK integer with an N-bit prefix; `first` holds the representation's flag bits."""
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = bytearray([first | limit])
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack_literal(name: bytes, value: bytes) -> bytes:
    """A header field as 'literal without indexing, new name', no Huffman (RFC 7541 §6.2.2)."""
    return b"\x00" + hpack_int(len(name), 7, 0) + name + hpack_int(len(value), 7, 0) + value


# ":status: 200" is static table entry 8; content-type is entry 31 (literal value, no indexing).
RESPONSE_HEADERS = b"\x88" + hpack_int(31, 4, 0) + hpack_int(16, 7, 0) + b"application/grpc"


def frame(kind: int, flags: int, stream_id: int, payload: bytes = b"") -> bytes:
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream_id) + payload


def status_block(code: int, message: str = "") -> bytes:
    block = hpack_literal(b"grpc-status", str(code).encode())
    if message:
        block += hpack_literal(b"grpc-message", urllib.parse.quote(message, safe=" !\"#$&'()*+,-./:;<=>?@[\\]^_`{|}~").encode())
    return block


def parse_timeout(text: str) -> Optional[float]:
    """`grpc-timeout` (e.g. `40S`, `250m`) in seconds."""
    units = {"H": 3600.0, "M": 60.0, "S": 1.0, "m": 1e-3, "u": 1e-6, "n": 1e-9}
    if len(text) >= 2 and text[:-1].isdigit() and text[-1] in units:
        return int(text[:-1]) * units[text[-1]]
    return None


class Abort(Exception):
    """Raised by `context.abort`: the call ends with this status."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class Context:
    """The part of `grpc.ServicerContext` the engine's servicers use."""

    def __init__(self, stream: "Stream"):
        self._stream = stream

    def abort(self, code, details=""):
        raise Abort(code.value[0] if isinstance(code, grpc.StatusCode) else int(code), details)

    def is_active(self) -> bool:
        return not self._stream.cancelled and not self._stream.connection.closed

    def time_remaining(self) -> Optional[float]:
        return None if self._stream.deadline is None else max(0.0, self._stream.deadline - time.monotonic())

    def invocation_metadata(self) -> List[Tuple[str, str]]:
        return [(k, v) for k, v in self._stream.headers if not k.startswith(":")]

    def set_code(self, code):  # grpcio API; the answer's status comes from abort or the handler
        pass

    def set_details(self, details):
        pass


_END = object()


class Stream:
    """One call: its request headers, the request bytes so far, its send window."""

    def __init__(self, connection: "Connection", stream_id: int, headers: List[Tuple[str, str]], window: int):
        self.connection = connection
        self.id = stream_id
        self.headers = headers
        self.path = next((v for k, v in headers if k == ":path"), "")
        timeout = next((v for k, v in headers if k == "grpc-timeout"), None)
        seconds = parse_timeout(timeout) if timeout else None
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.data = bytearray()
        self.send_window = window
        self.cancelled = False
        self.ended = False  # the client sent END_STREAM
        self.messages: Optional["queue.Queue"] = None  # streaming requests: messages as they arrive
        self.headers_sent = False
        self.handler = None
        self.running = False  # a thread runs its handler
        self.done = False  # counted out of the server's calls in flight

    def take_messages(self, limit: int) -> List[bytes]:
        """Complete length-prefixed messages at the front of `data` (removed from it)."""
        out = []
        while len(self.data) >= 5:
            if self.data[0] != 0:
                raise Abort(grpc.StatusCode.UNIMPLEMENTED.value[0], "compressed messages are not supported")
            length = int.from_bytes(self.data[1:5], "big")
            if length > limit:
                raise Abort(grpc.StatusCode.RESOURCE_EXHAUSTED.value[0], "message of %d bytes exceeds %d" % (length, limit))
            if len(self.data) < 5 + length:
                break
            out.append(bytes(self.data[5:5 + length]))
            del self.data[:5 + length]
        return out


class Connection:
    """One HTTP/2 connection. Frames are read on the I/O thread; answers are written by the
    threads that produce them, under `lock` (flow control waits on `window_changed`)."""

    def __init__(self, server: "LeanServer", sock: socket.socket):
        self.server = server
        self.sock = sock
        self.buffer = bytearray()
        self.preface = False
        self.decoder = hpack.Decoder()
        self.decoder.max_allowed_table_size = 65536
        self.streams: Dict[int, Stream] = {}
        self.pending_headers: Optional[Tuple[int, int, bytearray]] = None  # (stream, flags, block)
        self.peer_initial_window = 65535
        self.peer_max_frame = 16384
        self.send_window = 65535
        self.received = 0  # DATA bytes taken from our connection window since the last update
        self.lock = threading.Lock()
        self.window_changed = threading.Condition(self.lock)
        self.closed = False
        self.last_stream = 0
        # Header blocks that only referred to table entries, and what they decoded to: a client
        # repeating the same calls sends the same bytes, and such a block leaves the dynamic
        # table as it was, so it decodes the same again (HPACK in Python costs more than the
        # rest of the frame handling). Emptied whenever another block may have changed the table.
        self.indexed_blocks: Dict[bytes, List[Tuple[str, str]]] = {}

    # -- writing (any thread) --

    def write(self, data: bytes) -> None:
        with self.lock:
            self._write_locked(data)

    def _write_locked(self, data: bytes) -> None:
        if self.closed:
            return
        try:
            self.sock.sendall(data)
        except OSError:
            self.closed = True
            self.window_changed.notify_all()

    def send_message_frames(self, stream: Stream, head: bytes, message: bytes, tail: bytes) -> None:
        """Writes `head` (headers, if any), `message` as DATA within the peer's windows, then `tail`."""
        with self.lock:
            out = [head] if head else []
            offset = 0
            while offset < len(message):
                while not self.closed and not stream.cancelled and min(self.send_window, stream.send_window) <= 0:
                    if out:
                        self._write_locked(b"".join(out))
                        out = []
                    self.window_changed.wait(1.0)
                if self.closed or stream.cancelled:
                    return
                size = min(len(message) - offset, self.send_window, stream.send_window, self.peer_max_frame)
                out.append(frame(DATA, 0, stream.id, message[offset:offset + size]))
                self.send_window -= size
                stream.send_window -= size
                offset += size
            if tail:
                out.append(tail)
            self._write_locked(b"".join(out))

    def send_headers(self, stream: Stream) -> bytes:
        """The response HEADERS frame, once per stream (b"" afterwards)."""
        if stream.headers_sent:
            return b""
        stream.headers_sent = True
        return frame(HEADERS, END_HEADERS, stream.id, RESPONSE_HEADERS)

    def finish(self, stream: Stream, code: int = 0, message: str = "") -> None:
        """Trailers (or a trailers-only answer when nothing was sent) and the end of the stream."""
        if stream.cancelled:
            self.server.stream_done(self, stream)
            return
        if stream.headers_sent:
            block = status_block(code, message)
        else:
            stream.headers_sent = True
            block = RESPONSE_HEADERS + status_block(code, message)
        self.write(frame(HEADERS, END_HEADERS | END_STREAM, stream.id, block))
        self.server.stream_done(self, stream)

    def reply(self, stream: Stream, payload: bytes) -> None:
        """A unary answer: headers, one message, trailers."""
        if stream.cancelled:
            self.server.stream_done(self, stream)
            return
        message = b"\x00" + len(payload).to_bytes(4, "big") + payload
        head = self.send_headers(stream)
        tail = frame(HEADERS, END_HEADERS | END_STREAM, stream.id, status_block(0))
        self.send_message_frames(stream, head, message, tail)
        self.server.stream_done(self, stream)

    def send_message(self, stream: Stream, payload: bytes) -> None:
        """One message of a streaming answer."""
        message = b"\x00" + len(payload).to_bytes(4, "big") + payload
        self.send_message_frames(stream, self.send_headers(stream), message, b"")

    # -- reading (I/O thread) --

    def feed(self, data: bytes) -> None:
        self.buffer += data
        if not self.preface:
            if len(self.buffer) < len(PREFACE):
                if not PREFACE.startswith(bytes(self.buffer)):
                    raise ConnectionError("not an HTTP/2 prior-knowledge connection")
                return
            if not self.buffer.startswith(PREFACE):
                raise ConnectionError("not an HTTP/2 prior-knowledge connection")
            del self.buffer[:len(PREFACE)]
            self.preface = True
            self.write(frame(SETTINGS, 0, 0, struct.pack(">HIHIHI", SETTINGS_MAX_CONCURRENT_STREAMS, 1000,
                                                         SETTINGS_INITIAL_WINDOW_SIZE, MAX_WINDOW,
                                                         SETTINGS_MAX_FRAME_SIZE, 1 << 20))
                       + frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", MAX_WINDOW - 65535)))
        buffer = self.buffer
        offset = 0
        while len(buffer) - offset >= 9:
            length = int.from_bytes(buffer[offset:offset + 3], "big")
            if length > (1 << 20):
                raise ConnectionError("frame of %d bytes exceeds the advertised maximum" % length)
            if len(buffer) - offset < 9 + length:
                break
            kind = buffer[offset + 3]
            flags = buffer[offset + 4]
            stream_id = int.from_bytes(buffer[offset + 5:offset + 9], "big") & 0x7FFFFFFF
            payload = bytes(buffer[offset + 9:offset + 9 + length])
            offset += 9 + length
            self.on_frame(kind, flags, stream_id, payload)
        del buffer[:offset]
        if self.received > MAX_WINDOW // 2:
            self.write(frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", self.received)))
            self.received = 0

    def on_frame(self, kind: int, flags: int, stream_id: int, payload: bytes) -> None:
        if self.pending_headers is not None and kind != CONTINUATION:
            raise ConnectionError("header block interrupted")
        if kind == DATA:
            self.on_data(flags, stream_id, payload)
        elif kind == HEADERS:
            if flags & PADDED:
                pad = payload[0]
                payload = payload[1:len(payload) - pad]
            if flags & PRIORITY_FLAG:
                payload = payload[5:]
            self.pending_headers = (stream_id, flags, bytearray(payload))
            if flags & END_HEADERS:
                self.on_header_block()
        elif kind == CONTINUATION:
            if self.pending_headers is None or self.pending_headers[0] != stream_id:
                raise ConnectionError("unexpected CONTINUATION")
            self.pending_headers[2].extend(payload)
            if flags & END_HEADERS:
                self.on_header_block()
        elif kind == SETTINGS:
            if not flags & ACK:
                self.on_settings(payload)
                self.write(frame(SETTINGS, ACK, 0))
        elif kind == PING:
            if not flags & ACK:
                self.write(frame(PING, ACK, 0, payload))
        elif kind == WINDOW_UPDATE:
            increment = int.from_bytes(payload[:4], "big") & 0x7FFFFFFF
            with self.lock:
                if stream_id == 0:
                    self.send_window += increment
                elif stream_id in self.streams:
                    self.streams[stream_id].send_window += increment
                self.window_changed.notify_all()
        elif kind == RST_STREAM:
            stream = self.streams.pop(stream_id, None)
            if stream is not None:
                self.cancel(stream)
        # GOAWAY (the client closes when its calls are done), PRIORITY, PUSH_PROMISE (never sent to
        # a server) and unknown frames need nothing from a server that only answers.

    def on_settings(self, payload: bytes) -> None:
        with self.lock:
            for i in range(0, len(payload) - len(payload) % 6, 6):
                key, value = struct.unpack(">HI", payload[i:i + 6])
                if key == SETTINGS_INITIAL_WINDOW_SIZE:
                    delta = value - self.peer_initial_window
                    self.peer_initial_window = value
                    for stream in list(self.streams.values()):
                        stream.send_window += delta
                elif key == SETTINGS_MAX_FRAME_SIZE:
                    self.peer_max_frame = value
                # SETTINGS_HEADER_TABLE_SIZE needs nothing: we never index what we send.
            self.window_changed.notify_all()

    def on_header_block(self) -> None:
        stream_id, flags, block = self.pending_headers
        self.pending_headers = None
        block = bytes(block)
        headers = self.indexed_blocks.get(block)
        if headers is None:
            headers = [(k if isinstance(k, str) else k.decode(), v if isinstance(v, str) else v.decode())
                       for k, v in self.decoder.decode(block)]
            # Every byte with the high bit set: only one-byte "indexed field" representations,
            # which leave the table as it is. Any other block may have changed the table, and
            # with it what the cached blocks' indexes mean.
            if block and all(b & 0x80 for b in block):
                if len(self.indexed_blocks) >= 16:
                    self.indexed_blocks.clear()
                self.indexed_blocks[block] = headers
            else:
                self.indexed_blocks.clear()
        stream = self.streams.get(stream_id)
        if stream is None:
            if stream_id % 2 == 0 or stream_id <= self.last_stream:
                return  # trailers of a stream we already answered, or a reused id: ignore
            self.last_stream = stream_id
            with self.lock:
                stream = Stream(self, stream_id, headers, self.peer_initial_window)
                self.streams[stream_id] = stream
            self.server.start_call(self, stream)
        if flags & END_STREAM:
            self.end_of_request(stream)

    def on_data(self, flags: int, stream_id: int, payload: bytes) -> None:
        self.received += len(payload)
        if flags & PADDED:
            pad = payload[0]
            payload = payload[1:len(payload) - pad]
        stream = self.streams.get(stream_id)
        if stream is None or stream.ended or stream.cancelled:
            return
        stream.data += payload
        if len(stream.data) > self.server.max_message + 5 and stream.messages is None:
            self.streams.pop(stream_id, None)
            self.finish(stream, grpc.StatusCode.RESOURCE_EXHAUSTED.value[0],
                        "request larger than %d bytes" % self.server.max_message)
            stream.cancelled = True
            return
        if stream.messages is not None:
            try:
                for message in stream.take_messages(self.server.max_message):
                    stream.messages.put(message)
            except Abort as e:
                self.finish(stream, e.code, e.message)
                stream.cancelled = True
                stream.messages.put(_END)
                return
        if flags & END_STREAM:
            self.end_of_request(stream)

    def end_of_request(self, stream: Stream) -> None:
        stream.ended = True
        if stream.messages is not None:
            stream.messages.put(_END)
        else:
            self.server.run_unary(self, stream)

    def cancel(self, stream: Stream) -> None:
        """The client reset the stream (or the connection went): a running handler sees
        `is_active()` turn false and its answer is dropped; a call not started is counted out."""
        stream.cancelled = True
        if stream.messages is not None:
            stream.messages.put(_END)
        with self.lock:
            self.window_changed.notify_all()
        if not stream.running:
            self.server.stream_done(self, stream)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            self.window_changed.notify_all()
        for stream in list(self.streams.values()):
            self.cancel(stream)
        try:
            self.sock.close()
        except OSError:
            pass


class _CallDetails:
    def __init__(self, method: str, headers):
        self.method = method
        self.invocation_metadata = headers


class LeanServer:
    """The server: one I/O thread for every connection, `workers` threads for unary calls, a
    thread per streaming call. Same registration API as a grpcio server."""

    def __init__(self, workers: int = 4, max_message: int = 64 * 1024 * 1024):
        self.max_message = max_message
        self.pool = futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="engine")
        self.handlers: Dict[str, grpc.RpcMethodHandler] = {}
        # Recent duration of each unary method, seconds (decides where its calls run).
        self.durations: Dict[str, float] = {}
        self.generic: List[grpc.GenericRpcHandler] = []
        self.selector = selectors.DefaultSelector()
        self.listener: Optional[socket.socket] = None
        self.connections: Dict[int, Connection] = {}
        self.thread: Optional[threading.Thread] = None
        self.stopping = False
        self.closing = False
        self.inflight = 0
        self.idle = threading.Condition()
        self.wake_r, self.wake_w = socket.socketpair()

    # -- registration (what the generated add_*_to_server functions call) --

    def add_generic_rpc_handlers(self, handlers) -> None:
        self.generic.extend(handlers)

    def add_registered_method_handlers(self, service_name: str, method_handlers) -> None:
        for method, handler in method_handlers.items():
            self.handlers["/%s/%s" % (service_name, method)] = handler

    def add_insecure_port(self, address: str) -> int:
        host, _, port = address.rpartition(":")
        host = host.strip("[]") or "0.0.0.0"
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, int(port)))
        except OSError as e:
            sock.close()
            raise RuntimeError("cannot bind %s: %s" % (address, e)) from e
        sock.listen(128)
        sock.setblocking(False)
        self.listener = sock
        return sock.getsockname()[1]

    # -- lifecycle --

    def start(self) -> None:
        self.selector.register(self.listener, selectors.EVENT_READ, None)
        self.selector.register(self.wake_r, selectors.EVENT_READ, "wake")
        self.thread = threading.Thread(target=self._loop, name="grpc-io", daemon=True)
        self.thread.start()

    def stop(self, grace: Optional[float] = None) -> threading.Event:
        """Stops accepting, tells clients (GOAWAY), lets calls in flight finish for `grace`
        seconds, then closes everything. Returns an event set once stopped (grpcio's shape)."""
        done = threading.Event()
        self.stopping = True
        for connection in list(self.connections.values()):
            connection.write(frame(GOAWAY, 0, 0, struct.pack(">II", connection.last_stream, 0)))
        with self.idle:
            self.idle.wait_for(lambda: self.inflight == 0, timeout=grace or 0)
        self.closing = True
        self.wake_w.send(b"x")
        if self.thread is not None:
            self.thread.join(5)
        self.pool.shutdown(wait=False)
        done.set()
        return done

    def wait_for_termination(self, timeout: Optional[float] = None) -> bool:
        if self.thread is not None:
            self.thread.join(timeout)
        return self.thread is None or not self.thread.is_alive()

    # -- the I/O thread --

    def _loop(self) -> None:
        while not self.closing:
            for key, _ in self.selector.select(timeout=1.0):
                if key.data == "wake":
                    self._woken()
                elif key.data is None:
                    self._accept()
                else:
                    self._read(key.data)
        for connection in list(self.connections.values()):
            connection.close()
        self.connections.clear()
        try:
            self.listener.close()
        except OSError:
            pass

    def _woken(self) -> None:
        try:
            self.wake_r.setblocking(False)
            self.wake_r.recv(64)
        except OSError:
            pass

    def _accept(self) -> None:
        try:
            sock, _ = self.listener.accept()
        except OSError:
            return
        if self.stopping:
            sock.close()
            return
        sock.setblocking(True)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = Connection(self, sock)
        self.connections[sock.fileno()] = connection
        self.selector.register(sock, selectors.EVENT_READ, connection)

    def _read(self, connection: Connection) -> None:
        try:
            data = connection.sock.recv(1 << 18)
            if not data:
                raise ConnectionError("closed by the peer")
            connection.feed(data)
        except (OSError, ConnectionError, hpack.HPACKError, ValueError, IndexError) as e:
            if not isinstance(e, ConnectionError) or str(e) != "closed by the peer":
                log.debug("grpc connection dropped: %s", e)
            self._drop(connection)

    def _drop(self, connection: Connection) -> None:
        try:
            self.selector.unregister(connection.sock)
        except (KeyError, ValueError, OSError):
            pass
        self.connections = {k: c for k, c in self.connections.items() if c is not connection}
        connection.close()

    # -- calls --

    def _handler(self, stream: Stream) -> Optional[grpc.RpcMethodHandler]:
        handler = self.handlers.get(stream.path)
        if handler is None:
            details = _CallDetails(stream.path, stream.headers)
            for generic in self.generic:
                handler = generic.service(details)
                if handler is not None:
                    break
        return handler

    def start_call(self, connection: Connection, stream: Stream) -> None:
        """New stream: streaming-request calls start at once, on a thread of their own."""
        with self.idle:
            self.inflight += 1
        if self.stopping:
            connection.finish(stream, grpc.StatusCode.UNAVAILABLE.value[0], "server is shutting down")
            return
        handler = self._handler(stream)
        stream.handler = handler
        if handler is None:
            connection.finish(stream, grpc.StatusCode.UNIMPLEMENTED.value[0], "Method not found!")
            return
        if handler.request_streaming:
            stream.messages = queue.Queue()
            stream.running = True
            threading.Thread(target=self._run_streaming, args=(connection, stream, handler),
                             name="grpc-stream-%d" % stream.id, daemon=True).start()

    def stream_done(self, connection: Connection, stream: Stream) -> None:
        with connection.lock:  # the I/O thread walks `streams` under this lock (SETTINGS)
            connection.streams.pop(stream.id, None)
        with self.idle:
            if stream.done:
                return
            stream.done = True
            self.inflight -= 1
            self.idle.notify_all()

    # A unary call whose method has recently taken less than this runs right on the I/O thread:
    # no hand-off to a pool thread (a futex wake-up, a GIL transfer and a context switch, ~50 µs
    # of CPU per call on the test machine), and other connections wait at most about this long.
    INLINE_BUDGET = 0.010

    def run_unary(self, connection: Connection, stream: Stream) -> None:
        """The whole request is in: run it here when its method is known to be quick, else on
        the pool."""
        handler = stream.handler
        if handler is None or stream.cancelled or stream.running:
            return
        stream.running = True
        if handler.response_streaming:
            # Long-lived (health Watch): a thread of its own, not one of the pool's.
            threading.Thread(target=self._run_unary_request, args=(connection, stream, handler),
                             name="grpc-stream-%d" % stream.id, daemon=True).start()
        elif self.durations.get(stream.path, self.INLINE_BUDGET) < self.INLINE_BUDGET:
            self._run_unary_request(connection, stream, handler)
        else:
            self.pool.submit(self._run_unary_request, connection, stream, handler)

    def _run_unary_request(self, connection: Connection, stream: Stream, handler) -> None:
        started = time.perf_counter()
        try:
            self._run_unary_call(connection, stream, handler)
        finally:
            # A moving average per method (a dict write is atomic under the GIL).
            took = time.perf_counter() - started
            previous = self.durations.get(stream.path)
            self.durations[stream.path] = took if previous is None else 0.8 * previous + 0.2 * took

    def _run_unary_call(self, connection: Connection, stream: Stream, handler) -> None:
        context = Context(stream)
        try:
            messages = stream.take_messages(self.max_message)
            if len(messages) != 1 or stream.data:
                raise Abort(grpc.StatusCode.INTERNAL.value[0], "expected exactly one request message")
            request = handler.request_deserializer(messages[0]) if handler.request_deserializer else messages[0]
            if handler.response_streaming:
                self._stream_out(connection, stream, handler, handler.unary_stream(request, context))
                return
            response = handler.unary_unary(request, context)
            payload = handler.response_serializer(response) if handler.response_serializer else response
            connection.reply(stream, payload)
        except Abort as e:
            connection.finish(stream, e.code, e.message)
        except Exception as e:  # noqa: BLE001 — the call fails, the server goes on (as grpcio)
            log.exception("unexpected error in %s", stream.path)
            connection.finish(stream, grpc.StatusCode.UNKNOWN.value[0], "Exception calling application: %s" % e)

    def _run_streaming(self, connection: Connection, stream: Stream, handler) -> None:
        context = Context(stream)

        def requests() -> Iterator:
            while True:
                item = stream.messages.get()
                if item is _END:
                    return
                yield handler.request_deserializer(item) if handler.request_deserializer else item

        try:
            if handler.response_streaming:
                self._stream_out(connection, stream, handler, handler.stream_stream(requests(), context))
            else:
                response = handler.stream_unary(requests(), context)
                payload = handler.response_serializer(response) if handler.response_serializer else response
                connection.reply(stream, payload)
        except Abort as e:
            connection.finish(stream, e.code, e.message)
        except Exception as e:  # noqa: BLE001
            log.exception("unexpected error in %s", stream.path)
            connection.finish(stream, grpc.StatusCode.UNKNOWN.value[0], "Exception iterating responses: %s" % e)

    def _stream_out(self, connection: Connection, stream: Stream, handler, responses) -> None:
        try:
            for response in responses:
                if stream.cancelled or connection.closed:
                    break
                payload = handler.response_serializer(response) if handler.response_serializer else response
                connection.send_message(stream, payload)
        finally:
            close = getattr(responses, "close", None)
            if close is not None:
                close()
        if stream.cancelled or connection.closed:
            self.stream_done(connection, stream)
        else:
            connection.finish(stream, 0)
