"""The WebSocket under hostile or careless peers, in raw frames over plain sockets (tests/rawws.py).

- close handshake both ways (RFC 6455 §5.5.1, §7.1): a client's Close is
  answered with a Close before TCP ends, every time; when the server closes
  (a frame too big, shutdown) it waits for the client's Close, and ends TCP
  itself when none comes;
- malformed or unsupported upgrades get 400/426 in the JSON error shape;
- the connection cap is exact under 200 concurrent handshakes;
- the server's own error pages (gunicorn's 400/414/431) are JSON too.
"""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from hub.live.handshake import CLOSE_WAIT_S
from tests.rawws import (
    OP_CLOSE,
    OP_TEXT,
    FrameReader,
    close_payload,
    handshake,
    open_socket,
    read_body,
    read_response_head,
    send_frame,
)
from tests.server import ServerProcess, wait_until

MAX_CONNECTIONS = 40


@pytest.fixture(scope="module")
def ws_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = ServerProcess(
        tmp_path_factory.mktemp("ws") / "data", "--no-collector", "--max-connections", str(MAX_CONNECTIONS)
    ).start()
    try:
        yield server
    finally:
        server.stop()


def assert_tcp_ends(reader: FrameReader, within: float) -> None:
    """Nothing but the end of TCP comes within ``within`` seconds."""
    frame = reader.next(within)
    assert frame is None, f"a frame after the close handshake: {frame}"


@pytest.mark.parametrize(
    ("read_hello", "code", "reason"),
    [(True, 1000, ""), (False, 1000, ""), (True, 1001, "tab hidden"), (True, 4000, "app code"), (False, 3001, "x")],
)
def test_client_close_is_answered_before_tcp_ends(
    ws_server: ServerProcess, read_hello: bool, code: int, reason: str
) -> None:
    # gunicorn used to end TCP when the route returned, racing the library's answer: 1 in 50 lost it
    for _ in range(30):
        sock, buffered = handshake(ws_server.port)
        reader = FrameReader(sock, buffered)
        if read_hello:
            assert reader.next()[0] == OP_TEXT
        send_frame(sock, OP_CLOSE, close_payload(code, reason))
        answer = reader.until(OP_CLOSE, 5)
        assert answer is not None, "TCP ended without the server's Close"
        assert int.from_bytes(answer[1][:2], "big") == code  # the status echoed (RFC 6455 §5.5.1)
        assert_tcp_ends(reader, 5)
        sock.close()


def too_big_frame(sock: socket.socket) -> None:
    send_frame(sock, OP_TEXT, b"x" * (65 * 1024))  # over the 64 KiB limit: the server closes with 1009


def test_server_close_waits_for_the_clients_close(ws_server: ServerProcess) -> None:
    for _ in range(3):
        sock, buffered = handshake(ws_server.port)
        reader = FrameReader(sock, buffered)
        assert reader.next()[0] == OP_TEXT
        too_big_frame(sock)
        closing = reader.until(OP_CLOSE, 5)
        assert closing is not None and int.from_bytes(closing[1][:2], "big") == 1009
        # the client takes a while to answer: TCP must stay up meanwhile (it used to end at once)
        answer_at = time.monotonic() + CLOSE_WAIT_S / 3
        while time.monotonic() < answer_at:
            assert reader.tcp_open(), "TCP ended before the client's Close"
            time.sleep(0.01)
        send_frame(sock, OP_CLOSE, close_payload(1009))
        assert_tcp_ends(reader, 5)
        sock.close()


def test_unanswered_server_close_ends_tcp_after_the_wait(ws_server: ServerProcess) -> None:
    sock, buffered = handshake(ws_server.port)
    reader = FrameReader(sock, buffered)
    assert reader.next()[0] == OP_TEXT
    too_big_frame(sock)
    assert reader.until(OP_CLOSE, 5) is not None
    started = time.monotonic()
    assert_tcp_ends(reader, CLOSE_WAIT_S + 5)  # the client never answers
    assert time.monotonic() - started < CLOSE_WAIT_S + 3
    sock.close()


def test_sigterm_closes_with_1001_and_waits_for_the_answer(server_factory, tmp_path) -> None:
    server = server_factory("--no-collector", data_dir=tmp_path / "term")
    clients = []
    for _ in range(3):
        sock, buffered = handshake(server.port)
        reader = FrameReader(sock, buffered)
        assert reader.next()[0] == OP_TEXT
        clients.append((sock, reader))
    server.proc.send_signal(signal.SIGTERM)
    for _sock, reader in clients:
        closing = reader.until(OP_CLOSE, 10)
        assert closing is not None and int.from_bytes(closing[1][:2], "big") == 1001
    answer_at = time.monotonic() + CLOSE_WAIT_S / 3
    while time.monotonic() < answer_at:
        assert all(reader.tcp_open() for _, reader in clients), "TCP ended before the clients' Close"
        time.sleep(0.01)
    for sock, reader in clients:
        send_frame(sock, OP_CLOSE, close_payload(1001))
        assert_tcp_ends(reader, 5)
        sock.close()
    assert server.stop() == 0


@pytest.mark.parametrize(
    ("headers", "method", "status", "header"),
    [
        ({"Sec-WebSocket-Key": "bad"}, "GET", 400, None),
        ({"Sec-WebSocket-Key": "c2hvcnQ="}, "GET", 400, None),  # base64, but 5 bytes
        ({"Sec-WebSocket-Key": None}, "GET", 400, None),
        ({"Sec-WebSocket-Version": "12"}, "GET", 426, ("sec-websocket-version", "13")),
        ({"Sec-WebSocket-Version": None}, "GET", 426, ("sec-websocket-version", "13")),
        ({"Upgrade": None}, "GET", 426, ("upgrade", "websocket")),
        ({"Upgrade": "h2c"}, "GET", 426, ("upgrade", "websocket")),
        ({"Connection": "keep-alive"}, "GET", 400, None),
        ({}, "POST", 400, None),
        ({}, "PUT", 400, None),
    ],
)
def test_malformed_upgrades_are_refused_in_json(
    ws_server: ServerProcess, headers: dict, method: str, status: int, header: tuple[str, str] | None
) -> None:
    sock = open_socket(ws_server.port, headers=headers, method=method)
    try:
        got, response_headers, rest = read_response_head(sock)
        assert got == status
        assert response_headers["content-type"] == "application/json"
        assert json.loads(read_body(sock, response_headers, rest))["error"]
        if header:
            assert response_headers[header[0]] == header[1]
    finally:
        sock.close()


def test_connection_cap_is_exact_under_200_concurrent_handshakes(ws_server: ServerProcess) -> None:
    start = threading.Barrier(200)
    results: list[tuple[int, socket.socket]] = []
    lock = threading.Lock()

    def attempt() -> None:
        start.wait()
        sock = open_socket(ws_server.port)
        status, _, _ = read_response_head(sock)
        with lock:
            results.append((status, sock))

    threads = [threading.Thread(target=attempt) for _ in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    try:
        statuses = sorted(s for s, _ in results)
        assert statuses.count(101) == MAX_CONNECTIONS, statuses
        assert statuses.count(503) == 200 - MAX_CONNECTIONS
        assert ws_server.get("/api/status").json()["clients"] == MAX_CONNECTIONS
    finally:
        for _, sock in results:
            sock.close()
    # every slot comes back when its socket ends
    wait_until(lambda: ws_server.get("/api/status").json()["clients"] == 0, 10, 0.05, "the sockets to be gone")
    opened = [handshake(ws_server.port)[0] for _ in range(MAX_CONNECTIONS)]
    for sock in opened:
        sock.close()


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /api/events?x=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414),
        (b"GET /ws?x=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414),
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431),
    ],
)
def test_the_http_servers_own_errors_are_json(ws_server: ServerProcess, request_bytes: bytes, status: int) -> None:
    sock = socket.create_connection(("127.0.0.1", ws_server.port), timeout=10)
    try:
        sock.sendall(request_bytes)
        got, headers, rest = read_response_head(sock)
        assert got == status
        assert headers["content-type"] == "application/json" and headers["x-content-type-options"] == "nosniff"
        assert json.loads(read_body(sock, headers, rest))["error"]
    finally:
        sock.close()
