"""The gunicorn worker: gthread, with a front that reads whole requests before a thread takes them.

gunicorn's gthread worker gives a connection a thread as soon as its first
byte arrives, and the thread then reads the rest of the head (and the body)
blocking. A client that trickles its headers a byte at a time holds that
thread for as long as it likes: a thousand of them held every thread, and
/api/health and new sockets waited until they left (bench/slow_clients.py).

``MovaWorker`` keeps gunicorn's threads, its event loop and its parser, and
changes who reads first: the worker's main thread, on its selector, reads each
new request without blocking until its head is complete and its body (of a
declared length up to the ingest limit) has arrived, and only then hands the
connection, with the bytes read, to the thread pool. So a thread only ever
serves a complete request, however slow its client. Around that:

- a head must be complete within ``header_timeout_s`` and its body within
  ``body_timeout_s`` more, else 408 and the connection is closed; reads a
  thread still makes (a chunked body) time out after ``body_timeout_s``
  without data (SO_RCVTIMEO);
- one address may hold ``max_connections_per_address`` connections; the next
  is answered 429 and closed at once;
- gunicorn's own error pages (a request line it cannot parse, 414, 431) are
  JSON with the security headers, and its lingering close runs off the
  accepting thread (hub/server/linger.py).

An asyncio front (uvicorn with a WSGI adapter) and gevent were the other
candidates; this keeps the measured live path (the dispatcher's non-blocking
sends to threads' sockets) exactly as it was. The figures are in
bench/results.md (slow clients).
"""

from __future__ import annotations

import contextlib
import errno
import re
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass
from functools import partial
from typing import Any

import orjson
from gunicorn import util as gunicorn_util
from gunicorn.workers.gthread import TConn, ThreadWorker

from hub.server.guard import STATIC_HEADERS
from hub.server.linger import LingeringCloser

MAX_HEAD_BYTES = 64 * 1024  # past gunicorn's own limits (4094-byte line, 100 fields of 8190): it answers 414/431
_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)
_CHUNKED_OR_EXPECT = re.compile(rb"\r\n(transfer-encoding|expect):", re.IGNORECASE)


@dataclass(frozen=True)
class FrontLimits:
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    max_connections_per_address: int = 1200
    max_body_bytes: int = 1_048_576


LIMITS = FrontLimits()  # set by hub.serve before the worker forks
hub: Any = None  # the worker's hub (hub.serve sets it when the app is loaded), for the 1001 close on SIGTERM


def json_response_bytes(status: int, reason: str, message: str) -> bytes:
    body = orjson.dumps({"error": message})
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in STATIC_HEADERS.items())
        + "\r\n"
    )
    return head.encode("latin1") + body


def write_json_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's page for a request it could not parse, in the JSON error shape (replaces ``util.write_error``)."""
    gunicorn_util.write_nonblock(sock, json_response_bytes(status_int, reason, f"{reason}: {mesg}" if mesg else reason))


def request_ready(data: bytes, max_body: int) -> bool:
    """Whether ``data`` holds a whole request head and the body it declares (up to ``max_body``)."""
    start = len(data) - len(data.lstrip(b"\r\n"))  # RFC 9112 §2.2: empty lines before a request are ignored
    end = data.find(b"\r\n\r\n", start)
    if end < 0:
        return len(data) > MAX_HEAD_BYTES  # too long a head: the parser answers 414/431
    head = data[start:end]
    if _CHUNKED_OR_EXPECT.search(head):
        return True  # a chunked body or a client awaiting 100 Continue: the thread reads it
    length = _LENGTH.search(head)
    if length is None:
        return True
    declared = int(length.group(1))
    return declared > max_body or len(data) >= end + 4 + declared  # over the limit: the app answers 413


class MovaConn(TConn):  # type: ignore[misc]
    """A connection that remembers its address's count and the bytes the front read for it."""

    def __init__(self, worker: MovaWorker, *args: Any) -> None:
        super().__init__(*args)
        self.worker = worker
        self.address = self.client[0] if isinstance(self.client, tuple) else str(self.client)
        self.read_ahead = bytearray()
        self.deadline = 0.0
        self.head_done = False
        self.counted = True

    def close(self, graceful: bool = False) -> None:
        if self.counted:
            self.counted = False
            self.worker.forget(self.address)
        super().close(graceful)


class MovaWorker(ThreadWorker):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.per_address: Counter[str] = Counter()
        self.reading: set[MovaConn] = set()
        self.address_lock = threading.Lock()  # connections are closed on pool threads too
        self.next_expiry_scan = 0.0

    def init_process(self) -> None:
        gunicorn_util.write_error = write_json_error
        gunicorn_util.close_graceful = LingeringCloser().close  # never on the accepting thread (hub/server/linger.py)
        super().init_process()

    def handle_exit(self, sig: int, frame: Any) -> None:
        if hub is not None:
            threading.Thread(target=hub.shutdown_sockets, name="close-sockets", daemon=True).start()
        super().handle_exit(sig, frame)

    def forget(self, address: str) -> None:
        with self.address_lock:
            self.per_address[address] -= 1
            if self.per_address[address] <= 0:
                del self.per_address[address]

    # -- accepting: a connection goes to the front, not to a thread ----------------------------

    def accept(self, listener: socket.socket) -> None:
        try:
            sock, client = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        address = client[0] if isinstance(client, tuple) else str(client)
        with self.address_lock:
            over = self.per_address[address] >= LIMITS.max_connections_per_address
            if not over:
                self.per_address[address] += 1
        if over:
            limit = LIMITS.max_connections_per_address
            refusal = json_response_bytes(
                429, "Too Many Requests", f"{address} holds {limit} connections to this server: close some first"
            )
            sock.setblocking(False)
            with contextlib.suppress(OSError):
                sock.send(refusal)
            gunicorn_util.close_graceful(sock)
            return
        self.nr_conns += 1
        # a thread's blocking read gives up after this long without data (a chunked body trickled)
        timeout = struct.pack("ll", int(LIMITS.body_timeout_s), int(LIMITS.body_timeout_s % 1 * 1e6))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeout)
        conn = MovaConn(self, self.cfg, sock, client, listener.getsockname())
        self._read_request(conn)

    def on_client_socket_readable(self, conn: MovaConn, client: socket.socket) -> None:
        """A kept-alive connection's next request: read it in the front too."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._read_request(conn)

    def _read_request(self, conn: MovaConn) -> None:
        conn.read_ahead = bytearray()
        conn.head_done = False
        conn.deadline = time.monotonic() + LIMITS.header_timeout_s
        conn.sock.setblocking(False)
        self.reading.add(conn)
        self.poller.register(conn.sock, 1, partial(self._on_readable, conn))  # 1: selectors.EVENT_READ
        # read at once: a kept-alive connection is readable already, and a new client usually sends
        # with its handshake; waiting for the next turn of the loop cost a GIL hand-over (~5 ms at p99)
        self._on_readable(conn, conn.sock)

    def _on_readable(self, conn: MovaConn, _sock: socket.socket) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client left before its request was whole
            self._drop(conn)
            return
        conn.read_ahead += data
        if not conn.head_done and b"\r\n\r\n" in conn.read_ahead:
            conn.head_done = True
            conn.deadline = time.monotonic() + LIMITS.body_timeout_s
        if request_ready(bytes(conn.read_ahead), LIMITS.max_body_bytes):
            self.poller.unregister(conn.sock)
            self.reading.discard(conn)
            conn.data_ready = True
            self.enqueue_req(conn)

    def _drop(self, conn: MovaConn, answer: bytes | None = None) -> None:
        self.reading.discard(conn)
        with contextlib.suppress(KeyError, ValueError):
            self.poller.unregister(conn.sock)
        if answer is not None:
            with contextlib.suppress(OSError):
                conn.sock.send(answer)
        self.nr_conns -= 1
        conn.close(graceful=answer is not None)

    def murder_pending(self) -> None:
        """Every loop turn: also close the requests that did not arrive in time (or all, when stopping)."""
        super().murder_pending()
        now = time.monotonic()
        if now < self.next_expiry_scan and self.alive:
            return  # the loop turns for every request: look at thousands of slow ones 4 times a second at most
        self.next_expiry_scan = now + 0.25
        for conn in [c for c in self.reading if c.deadline <= now or not self.alive]:
            part = "body" if conn.head_done else "head"
            limit = LIMITS.body_timeout_s if conn.head_done else LIMITS.header_timeout_s
            late = json_response_bytes(408, "Request Timeout", f"the request's {part} took over {limit:g} s to arrive")
            self._drop(conn, late if self.alive else None)

    # -- a thread takes a whole request ---------------------------------------------------------

    def handle(self, conn: MovaConn) -> Any:
        if conn.read_ahead:
            data, conn.read_ahead = bytes(conn.read_ahead), bytearray()
            conn.sock.setblocking(True)
            conn.init()
            conn.parser.unreader.unread(data)
        return super().handle(conn)
