"""Slow clients: does the server keep answering while thousands of connections trickle their headers? (issue 17)

A slowloris: N connections, each sending a request line and then one header
byte at a time (one byte per connection every ``--interval`` seconds, never the
blank line that ends the head). They come from 8 loopback addresses
(127.0.0.2-9, as several hosts would), and a connection the server closes is
opened again, so that N stay open as far as the server lets them. Meanwhile a
well-behaved client measures GET /api/health on a new connection each time,
and the time from opening a new WebSocket to its hello frame. Rows: nothing
open, then N slow connections open.

    python -m bench.slow_clients [--slow 2000] [--seconds 20] [--interval 1.0] [--gevent] [-- server args...]

``--gevent`` measures the same app under gunicorn's gevent worker instead
(bench/gevent_server.py), the alternative serving model considered.
"""

from __future__ import annotations

import argparse
import errno
import http.client
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import requests
import websocket

from bench.common import ROOT, header, mova_server, percentile, table

ADDRESSES = [f"127.0.0.{i}" for i in range(2, 10)]


class Slowloris(threading.Thread):
    """Holds ``count`` connections open, each trickling one header byte per ``interval``."""

    def __init__(self, port: int, count: int, interval: float) -> None:
        super().__init__(daemon=True, name="slowloris")
        self.port, self.count, self.interval = port, count, interval
        self.stop = threading.Event()
        self.open: dict[socket.socket, int] = {}  # socket -> bytes sent
        self.reopened = 0
        self.refused = 0
        self._next = 0

    def _connect(self) -> None:
        source = ADDRESSES[self._next % len(ADDRESSES)]
        self._next += 1
        sock = socket.socket()
        sock.setblocking(False)
        try:
            sock.bind((source, 0))
            sock.connect_ex(("127.0.0.1", self.port))
        except OSError:
            sock.close()
            self.refused += 1
            return
        self.open[sock] = -1  # -1: the request line is not sent yet

    def _trickle(self, sock: socket.socket) -> bool:
        """Send the next byte; False when the server closed the connection."""
        sent = self.open[sock]
        try:
            if sent < 0:
                sock.send(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                self.open[sock] = 0
                return True
            if sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                return False
        except BlockingIOError:
            pass
        except OSError as exc:
            return exc.errno in (errno.EAGAIN, errno.ENOTCONN)
        try:
            sock.send(b"x")  # a header line that never ends
            self.open[sock] = sent + 1
            return True
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            return False

    def run(self) -> None:
        while len(self.open) < self.count:
            self._connect()
        while not self.stop.is_set():
            started = time.monotonic()
            for sock in list(self.open):
                if not self._trickle(sock):
                    sock.close()
                    del self.open[sock]
                    self.reopened += 1
                    self._connect()
            self.stop.wait(max(0.0, self.interval - (time.monotonic() - started)))
        for sock in self.open:
            sock.close()

    def established(self) -> int:
        """Connections connected to the server now (from our side)."""
        count = 0
        for sock in list(self.open):
            try:
                sock.getpeername()
                count += 1
            except OSError:
                pass
        return count


def health_times(port: int, seconds: float, timeout: float = 5.0) -> tuple[list[float], int]:
    """GET /api/health on a fresh connection, again and again for ``seconds``: times in ms, and failures."""
    times, failures = [], 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            conn.request("GET", "/api/health")
            ok = conn.getresponse().status == 200
        except OSError:
            ok = False
        finally:
            conn.close()
        if ok:
            times.append((time.perf_counter() - started) * 1000)
        else:
            failures += 1
        time.sleep(0.02)
    return times, failures


def hello_times(ws_url: str, count: int, timeout: float = 5.0) -> tuple[list[float], int]:
    """Open a new socket and wait for its hello frame, ``count`` times: ms, and failures."""
    times, failures = [], 0
    for _ in range(count):
        started = time.perf_counter()
        try:
            ws = websocket.create_connection(ws_url, timeout=timeout)
            ws.recv()
            times.append((time.perf_counter() - started) * 1000)
            ws.close()
        except (OSError, websocket.WebSocketException):
            failures += 1
    return times, failures


def row(label: str, health: tuple[list[float], int], hello: tuple[list[float], int], held: Any) -> list[Any]:
    h, hf = health
    w, wf = hello

    def ms(values: list[float], q: float) -> str:
        return f"{percentile(values, q / 100):.1f}" if values else "-"

    return [
        label,
        held,
        len(h) + hf,
        ms(h, 50),
        ms(h, 99),
        hf,
        len(w) + wf,
        ms(w, 50),
        ms(w, 99),
        wf,
    ]


@contextmanager
def gevent_server(*args: str) -> Iterator[Any]:
    """bench/gevent_server.py on a free port, as a ServerProcess."""
    from tests.server import ServerProcess

    with tempfile.TemporaryDirectory(prefix="mova-bench-") as tmp:
        server = ServerProcess(Path(tmp), *args)
        server.start = partial(_start_module, server)  # type: ignore[method-assign]
        server.start()
        try:
            yield server
        finally:
            server.stop()


def _start_module(server: Any, timeout: float = 30.0) -> Any:
    cmd = [sys.executable, "-m", "bench.gevent_server", "--port", str(server.port), "--data-dir", str(server.data_dir)]
    server.proc = subprocess.Popen(
        cmd + server.args, cwd=ROOT, stdout=server.log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(server.url + "/api/health", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"the gevent server did not start:\n{server.output()}")


def run(slow: int, seconds: float, interval: float, server_args: list[str], gevent: bool = False) -> str:
    rows = []
    start = gevent_server if gevent else mova_server
    with start("--no-collector", *server_args) as server:
        rows.append(row("nothing open", health_times(server.port, seconds / 2), hello_times(server.ws_url, 30), 0))
        loris = Slowloris(server.port, slow, interval)
        loris.start()
        time.sleep(min(10.0, interval * 5))  # let them all connect and start trickling
        health = health_times(server.port, seconds)
        hello = hello_times(server.ws_url, 30)
        held = loris.established()
        loris.stop.set()
        loris.join(30)
        rows.append(row(f"{slow:,} slow connections", health, hello, f"{held:,} ({loris.reopened:,} reopened)"))
    columns = [
        "while",
        "slow conns open",
        "health reqs",
        "health p50 ms",
        "health p99 ms",
        "health failed (5 s)",
        "ws opens",
        "hello p50 ms",
        "hello p99 ms",
        "ws failed (5 s)",
    ]
    extra = " ".join(server_args) or "(defaults)"
    model = "gunicorn gevent worker (bench/gevent_server.py)" if gevent else "python app.py"
    return header(f"Slow clients: {slow:,} trickling connections, {model}, args {extra}") + table(columns, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slow", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--gevent", action="store_true", help="the gevent worker instead (bench/gevent_server.py)")
    parser.add_argument("server_args", nargs="*")
    args = parser.parse_args()
    print(run(args.slow, args.seconds, args.interval, args.server_args, args.gevent))


if __name__ == "__main__":
    main()
