"""Slow and idle clients against the real server (hub/server/worker.py's front).

- hundreds of connections trickling their headers a byte at a time, from
  several addresses, hold no thread: health still answers at once and a new
  socket still opens (the server runs with only 64 threads, so that the old
  one-thread-per-connection reading starved at 64);
- a head or a body that does not arrive in time is answered 408 and closed;
- one address may hold only so many connections: the next gets 429, other
  addresses are served.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator

import pytest
import websocket

from bench.slow_clients import Slowloris
from tests.rawws import read_body, read_response_head
from tests.server import ServerProcess, wait_until

SLOW = 300


def health_ms(port: int, timeout: float = 5.0) -> float:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/api/health")
        assert conn.getresponse().status == 200
    finally:
        conn.close()
    return (time.perf_counter() - started) * 1000


def test_slow001_trickling_connections_do_not_starve_the_server(server_factory, tmp_path) -> None:
    server = server_factory("--no-collector", "--threads", "64", data_dir=tmp_path / "slow")
    loris = Slowloris(server.port, SLOW, interval=0.5)
    loris.start()
    try:
        wait_until(
            lambda: loris.established() >= SLOW and all(v > 0 for v in loris.open.values()),
            20,
            0.1,
            f"{SLOW} connections trickling",
        )
        times = [health_ms(server.port) for _ in range(20)]
        assert max(times) < 1000, times
        started = time.perf_counter()
        ws = websocket.create_connection(server.ws_url, timeout=5)
        try:
            assert json.loads(ws.recv())["kind"] == "hello"
        finally:
            ws.close()
        assert time.perf_counter() - started < 2
        assert loris.established() >= SLOW * 0.9  # they were still open while we were served
    finally:
        loris.stop.set()
        loris.join(10)


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = ServerProcess(
        tmp_path_factory.mktemp("strict") / "data",
        "--no-collector",
        "--header-timeout-s",
        "1",
        "--body-timeout-s",
        "1",
        "--max-connections-per-address",
        "20",
    ).start()
    try:
        yield server
    finally:
        server.stop()


def answer(sock: socket.socket) -> tuple[int, dict]:
    status, headers, rest = read_response_head(sock)
    return status, json.loads(read_body(sock, headers, rest))


@pytest.mark.parametrize(
    ("sent", "part"),
    [
        (b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1", "head"),  # headers never end
        (b"GET /api/hea", "head"),  # the request line never ends
        (
            b"POST /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"type": ',
            "body",
        ),  # a body 10 bytes of 100
    ],
)
def test_slow002_late_head_or_body_gets_408(strict: ServerProcess, sent: bytes, part: str) -> None:
    sock = socket.create_connection(("127.0.0.1", strict.port), timeout=10)
    try:
        sock.sendall(sent)
        started = time.monotonic()
        status, body = answer(sock)
        assert status == 408 and part in body["error"]
        assert time.monotonic() - started < 4
        assert sock.recv(1) == b""  # and closed
    finally:
        sock.close()


def test_slow003_one_address_holds_only_its_share(strict: ServerProcess) -> None:
    held = []
    try:
        for _ in range(20):
            sock = socket.socket()
            sock.bind(("127.0.0.5", 0))
            sock.connect(("127.0.0.1", strict.port))
            sock.sendall(b"GET /api/health HTTP/1.1\r\n")  # idle mid-head
            held.append(sock)
        extra = socket.socket()
        extra.bind(("127.0.0.5", 0))
        extra.settimeout(5)
        extra.connect(("127.0.0.1", strict.port))
        status, body = answer(extra)
        extra.close()
        assert status == 429 and "127.0.0.5" in body["error"]
        other = socket.socket()  # another address is served meanwhile
        other.bind(("127.0.0.6", 0))
        other.settimeout(5)
        other.connect(("127.0.0.1", strict.port))
        other.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert answer(other)[0] == 200
        other.close()
    finally:
        for sock in held:
            sock.close()

    # the share comes back when they close (or time out)
    def served() -> bool:
        probe = socket.socket()
        probe.bind(("127.0.0.5", 0))
        probe.settimeout(5)
        try:
            probe.connect(("127.0.0.1", strict.port))
            probe.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            return answer(probe)[0] == 200
        finally:
            probe.close()

    wait_until(served, 10, 0.1, "127.0.0.5 to be served again")
