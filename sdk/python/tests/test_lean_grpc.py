"""The SDK's own gRPC server (lean_grpc.LeanServer) against grpcio's client: the wire details
grpcio's server would otherwise take care of (flow control, big headers, statuses, cancellation,
streaming, shutdown)."""
import socket
import threading
import time

import grpc
import pytest

from athena_wrapper.lean_grpc import LeanServer

SERVICE = "test.Echo"


class Behaviour:
    def __init__(self):
        self.cancelled = threading.Event()

    def echo(self, request: bytes, context) -> bytes:
        return request

    def big(self, request: bytes, context) -> bytes:
        return bytes(range(256)) * (int(request.decode()) // 256)

    def metadata(self, request: bytes, context) -> bytes:
        return dict(context.invocation_metadata()).get("x-big", "").encode()

    def abort(self, request: bytes, context) -> bytes:
        context.abort(grpc.StatusCode.FAILED_PRECONDITION, "nicht bereit: 100% ünïcode")

    def crash(self, request: bytes, context) -> bytes:
        raise RuntimeError("boom")

    def slow(self, request: bytes, context) -> bytes:
        deadline = time.monotonic() + 5
        while context.is_active() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not context.is_active():
            self.cancelled.set()
        return b"late"

    def count(self, request: bytes, context):
        for i in range(int(request.decode())):
            yield str(i).encode()

    def chat(self, requests, context):
        for message in requests:
            yield message.upper()

    def total(self, requests, context) -> bytes:
        return str(sum(len(m) for m in requests)).encode()


@pytest.fixture
def served():
    behaviour = Behaviour()
    server = LeanServer(workers=4, max_message=8 * 1024 * 1024)
    handlers = {
        "Echo": grpc.unary_unary_rpc_method_handler(behaviour.echo),
        "Big": grpc.unary_unary_rpc_method_handler(behaviour.big),
        "Metadata": grpc.unary_unary_rpc_method_handler(behaviour.metadata),
        "Abort": grpc.unary_unary_rpc_method_handler(behaviour.abort),
        "Crash": grpc.unary_unary_rpc_method_handler(behaviour.crash),
        "Slow": grpc.unary_unary_rpc_method_handler(behaviour.slow),
        "Count": grpc.unary_stream_rpc_method_handler(behaviour.count),
        "Chat": grpc.stream_stream_rpc_method_handler(behaviour.chat),
        "Total": grpc.stream_unary_rpc_method_handler(behaviour.total),
    }
    server.add_registered_method_handlers(SERVICE, handlers)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel("127.0.0.1:%d" % port, options=[("grpc.max_receive_message_length", 16 * 1024 * 1024)])
    yield server, channel, port, behaviour
    channel.close()
    server.stop(0)


def call(channel, method, kind="unary_unary"):
    return getattr(channel, kind)("/%s/%s" % (SERVICE, method))


def test_unary_and_concurrent_calls(served):
    _, channel, _, _ = served
    assert call(channel, "Echo")(b"hello", timeout=5) == b"hello"
    assert call(channel, "Echo")(b"", timeout=5) == b""
    results = {}

    def worker(n):
        for i in range(25):
            payload = ("%d-%d" % (n, i)).encode() * (i + 1)
            results[(n, i)] = call(channel, "Echo")(payload, timeout=10) == payload

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(results) == 200 and all(results.values())


def test_flow_control_both_ways(served):
    # 5 MiB out (far over grpcio's initial 64 KiB windows) and 3 MiB in.
    _, channel, _, _ = served
    answer = call(channel, "Big")(b"5242880", timeout=20)
    assert len(answer) == 5242880 and answer[:256] == bytes(range(256))
    blob = bytes(range(256)) * 12288
    assert call(channel, "Echo")(blob, timeout=20) == blob


def test_headers_over_one_frame_arrive_whole(served):
    # 40 KB of metadata: grpcio sends HEADERS + CONTINUATION frames.
    _, channel, _, _ = served
    value = "v" * 40000
    assert call(channel, "Metadata")(b"", metadata=[("x-big", value)], timeout=5) == value.encode()


def test_statuses(served):
    _, channel, _, _ = served
    with pytest.raises(grpc.RpcError) as e:
        call(channel, "Abort")(b"", timeout=5)
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert e.value.details() == "nicht bereit: 100% ünïcode"
    with pytest.raises(grpc.RpcError) as e:
        call(channel, "Crash")(b"", timeout=5)
    assert e.value.code() == grpc.StatusCode.UNKNOWN and "boom" in e.value.details()
    with pytest.raises(grpc.RpcError) as e:
        channel.unary_unary("/test.Echo/Nope")(b"", timeout=5)
    assert e.value.code() == grpc.StatusCode.UNIMPLEMENTED
    with pytest.raises(grpc.RpcError) as e:
        call(channel, "Echo")(b"x" * (9 * 1024 * 1024), timeout=10)
    assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert call(channel, "Echo")(b"still serving", timeout=5) == b"still serving"


def test_cancelled_call_is_seen_by_the_handler(served):
    _, channel, _, behaviour = served
    with pytest.raises(grpc.RpcError) as e:
        call(channel, "Slow")(b"", timeout=0.3)
    assert e.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert behaviour.cancelled.wait(5), "is_active() turned false after the client's RST_STREAM"
    assert call(channel, "Echo")(b"after", timeout=5) == b"after"


def test_streaming_calls(served):
    _, channel, _, _ = served
    assert list(call(channel, "Count", "unary_stream")(b"5", timeout=5)) == [b"0", b"1", b"2", b"3", b"4"]
    assert list(call(channel, "Chat", "stream_stream")(iter([b"a", b"bc", b"def"]), timeout=5)) == [b"A", b"BC", b"DEF"]
    assert call(channel, "Total", "stream_unary")(iter([b"ab", b"cde", b""]), timeout=5) == b"5"


def test_not_http2_is_dropped_and_the_server_goes_on(served):
    _, channel, port, _ = served
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        s.settimeout(5)
        assert s.recv(100) == b""  # closed without an answer
    assert call(channel, "Echo")(b"ok", timeout=5) == b"ok"


def test_stop_lets_the_call_in_flight_finish(served):
    server, channel, port, _ = served
    started = threading.Event()
    result = {}

    def slow_echo():
        started.set()
        result["value"] = call(channel, "Count", "unary_stream")(b"3", timeout=5)
        result["list"] = list(result["value"])

    t = threading.Thread(target=slow_echo)
    t.start()
    started.wait(5)
    t.join(5)
    server.stop(2).wait(5)
    assert result["list"] == [b"0", b"1", b"2"]
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).recv(1)


def test_cached_header_block_is_dropped_when_the_table_changes():
    """A block of only indexed fields is decoded once and reused while the client repeats it;
    once another block has changed the dynamic table, the same bytes mean other headers."""
    import hpack

    from athena_wrapper import lean_grpc

    class Calls:
        def __init__(self):
            self.paths = []

        def start_call(self, connection, stream):
            pass

        def run_unary(self, connection, stream):
            self.paths.append(stream.path)

    calls = Calls()
    connection = lean_grpc.Connection(calls, None)
    encoder = hpack.Encoder()
    flags = lean_grpc.END_HEADERS | lean_grpc.END_STREAM
    a = [(":path", "/test.Echo/A"), ("x-n", "1")]
    b = [(":path", "/test.Echo/B"), ("x-n", "2")]
    blocks = [encoder.encode(a), encoder.encode(a), encoder.encode(b), encoder.encode(b)]
    # The second block of each pair is indexes only; after b's entries went in front of a's,
    # b's indexes are the very bytes a's were.
    assert all(byte & 0x80 for byte in blocks[1]) and blocks[3] == blocks[1]
    for n, block in enumerate(blocks):
        connection.on_frame(lean_grpc.HEADERS, flags, 1 + 2 * n, block)
    assert calls.paths == ["/test.Echo/A", "/test.Echo/A", "/test.Echo/B", "/test.Echo/B"]
