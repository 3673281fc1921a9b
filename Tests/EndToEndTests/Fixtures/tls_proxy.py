"""A TLS-terminating proxy standing in for the in-cluster API endpoint (https://KUBERNETES_SERVICE_HOST).

Serves TLS with the given certificate, checks that the first request of every connection carries
`Authorization: Bearer <token>` (else answers 401 and closes), then pipes bytes both ways to the
plain-HTTP test API server. Prints its port on stdout. Stdlib only.

usage: tls_proxy.py CERT KEY TOKEN UPSTREAM_PORT
"""
import asyncio
import signal
import ssl
import sys


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
        pass
    finally:
        try:
            writer.close()
        except Exception:  # noqa: BLE001 - already closed
            pass


def handler(token, upstream_port):
    expected = f"authorization: bearer {token}\r\n".lower().encode()

    async def handle(client_reader, client_writer):
        try:
            head = await client_reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ssl.SSLError):
            client_writer.close()
            return
        if expected not in head.lower():
            body = b'{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Unauthorized","code":401,"message":"no or wrong bearer token"}'
            client_writer.write(
                b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            await client_writer.drain()
            client_writer.close()
            return
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", upstream_port)
        upstream_writer.write(head)
        await asyncio.gather(pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer))

    return handle


async def main():
    # Started through Foundation's Process, which passes on the test runner's blocked signals:
    # without this, the test's terminate() (SIGTERM) never arrives and the proxy outlives the run.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    cert, key, token, upstream_port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = await asyncio.start_server(handler(token, upstream_port), "127.0.0.1", 0, ssl=context)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
