"""Delivery latency ingest -> WebSocket client, on real sockets, beside its baselines in the same run.

A producer sends events carrying their send time (``data.sent``, time.time()) and index (``data.i``)
at a fixed rate, in ticks of 10 ms (one POST per tick, so that 5,000/s is 100 POSTs of 50). N clients
in separate processes (bench/clients.py, one epoll loop each, several so that none saturates; their CPU
is reported) record the receive time on the same clock. Lost = acknowledged but never received.

Rows, for each (rate, clients):
- ``mova /ws`` : the default per-client frame interval (at most one frame per 50 ms, what the page uses);
- ``mova /ws frame_ms=0`` : batches as they come (API clients);
- ``floor`` : bare websockets broadcast server (bench/floor.py) fed over a socket: no HTTP, no storage;
- ``poll 1 s`` : each client GETs /api/events?after= every second (dcc.Interval, the ceiling we replace);
- ``dash ws callbacks`` : Dash 4.4's own websocket callbacks (backend='fastapi'), a persistent
  callback per client pushing set_props (bench/dash_ws.py).
Each case uses its own event type (``bench.r<k>``) so that clients of one case never see another's.
"""

from __future__ import annotations

import http.client
import itertools
import os
import signal
import sqlite3
import subprocess
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import orjson
import websocket

from bench.common import PY, ROOT, CpuMeter, header, percentile, table

CASES = [(100, 10), (100, 100), (1000, 100), (5000, 100), (10, 1000)]
QUICK_CASES = [(100, 10), (100, 100), (1000, 100), (5000, 100), (10, 1000)]
_RUN = itertools.count(1)


@dataclass
class Result:
    label: str
    rate: int
    clients: int
    sent: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    lost: int
    client_cpu: float  # busiest client process, percent of one core
    server_cpu: float  # server process tree, percent of one core
    cpu_per_k: float  # server CPU seconds per 1,000 events delivered to each client
    steal: float = float("nan")  # percent of the machine's CPU time taken by other guests of the hypervisor
    note: str = ""

    def row(self) -> list[object]:
        return [
            self.label,
            self.rate,
            self.clients,
            self.sent,
            self.p50_ms,
            self.p95_ms,
            self.p99_ms,
            self.max_ms,
            self.lost,
            self.client_cpu,
            self.server_cpu,
            f"{self.cpu_per_k:.3f}",
            self.steal,
            self.note,
        ]


COLUMNS = [
    "path",
    "rate/s",
    "clients",
    "sent",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "max ms",
    "lost",
    "client proc CPU %",
    "server CPU %",
    "server CPU s / 1k ev / client",
    "steal %",
    "note",
]


def hist_percentile(hist: Counter[int], q: float) -> float:
    """Percentile in ms of a histogram counted in units of 0.1 ms."""
    total = sum(hist.values())
    if not total:
        return float("nan")
    rank = min(total - 1, int(q * total))
    seen = 0
    for bucket in sorted(hist):
        seen += hist[bucket]
        if seen > rank:
            return bucket / 10
    return max(hist) / 10


def client_procs(clients: int) -> int:
    return 1 if clients <= 10 else 2 if clients <= 100 else 4


class Clients:
    """Client processes (bench/clients.py) holding ``n`` connections between them."""

    def __init__(self, mode: str, url: str, n: int, query: str = "") -> None:
        procs = client_procs(n)
        sizes = [n // procs + (1 if k < n % procs else 0) for k in range(procs)]
        self.procs = [
            subprocess.Popen(
                [PY, "-m", "bench.clients", mode, url, str(size), query],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for size in sizes
        ]
        for p in self.procs:
            assert p.stdout is not None
            line = p.stdout.readline()
            if line.strip() != "ready":
                self.kill()
                raise RuntimeError(f"{mode} clients did not connect to {url}: {line!r}")

    def finish(self, acked: list[int], drain_s: float) -> tuple[Counter[int], int, float, list[str]]:
        with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as f:
            f.write(orjson.dumps(acked))
        try:
            for p in self.procs:
                assert p.stdin is not None
                p.stdin.write(f"stop {f.name} {drain_s}\n")
                p.stdin.flush()
            hist: Counter[int] = Counter()
            lost, cpu, failed = 0, 0.0, []
            for p in self.procs:
                assert p.stdout is not None
                out = orjson.loads(p.stdout.readline())
                hist.update({int(k): v for k, v in out["hist"].items()})
                lost += out["lost"]
                cpu = max(cpu, 100 * out["cpu_s"] / max(out["wall_s"], 1e-9))
                failed += out["failed"]
                p.wait(timeout=10)
            return hist, lost, cpu, failed
        finally:
            os.unlink(f.name)
            self.kill()

    def kill(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()


def produce(send: Callable[[list[dict[str, object]]], bool], rate: int, seconds: float, type_: str) -> list[int]:
    """Send ``rate`` events a second for ``seconds`` in 10 ms ticks; the indexes acknowledged."""
    per_tick = max(1, rate // 100)
    tick = per_tick / rate
    total = int(rate * seconds)
    acked: list[int] = []
    start = time.perf_counter()
    i = 0
    while i < total:
        delay = start + (i / per_tick) * tick - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        n = min(per_tick, total - i)
        sent = time.time()
        if send([{"type": type_, "data": {"i": i + k, "sent": sent}} for k in range(n)]):
            acked.extend(range(i, i + n))
        i += n
    return acked


def http_sender(url: str) -> Callable[[list[dict[str, object]]], bool]:
    """POSTs on one kept-alive connection, the body encoded by orjson (as the floor's sender does).

    requests with ``json=`` spent about a millisecond per POST in the producer, inside the
    measured time and on the cores the server and clients share.
    """
    split = urlsplit(url)
    conn = http.client.HTTPConnection(split.hostname or "127.0.0.1", split.port or 80, timeout=30)
    headers = {"Content-Type": "application/json"}

    def send(batch: list[dict[str, object]]) -> bool:
        try:
            conn.request("POST", split.path, orjson.dumps(batch), headers)
            response = conn.getresponse()
            response.read()
            return response.status in (200, 202)
        except (OSError, http.client.HTTPException):
            conn.close()  # the next request reconnects
            return False

    return send


def floor_sender(ws_url: str) -> Callable[[list[dict[str, object]]], bool]:
    ws = websocket.create_connection(ws_url + "/pub", timeout=30)

    def send(batch: list[dict[str, object]]) -> bool:
        ws.send(orjson.dumps({"kind": "events", "events": batch}).decode())
        return bool(ws.recv() == "ok")

    return send


@dataclass
class Target:
    """A server under test: how clients reach it and how the producer feeds it."""

    label: str
    mode: str  # clients.py mode
    client_url: str
    sender: Callable[[], Callable[[list[dict[str, object]]], bool]]
    pid: int
    query: str = ""
    type_query: bool = True  # whether clients filter by the run's type


def measure_target(target: Target, rate: int, clients: int, seconds: float) -> Result:
    type_ = f"bench.r{next(_RUN)}"
    query = "&".join(q for q in (f"type={type_}" if target.type_query else "", target.query) if q)
    group = Clients(target.mode, target.client_url, clients, query)
    send = target.sender()
    meter = CpuMeter(target.pid).start()
    acked = produce(send, rate, seconds, type_)
    # the polling ceiling needs its interval to drain; the others a moment
    hist, lost, client_cpu, failed = group.finish(acked, 3.0 if target.mode == "poll" else 2.0)
    meter.stop()
    deliveries = max(1, len(acked) * clients)
    return Result(
        target.label,
        rate,
        clients,
        len(acked),
        hist_percentile(hist, 0.50),
        hist_percentile(hist, 0.95),
        hist_percentile(hist, 0.99),
        max(hist, default=0) / 10 if hist else float("nan"),
        lost,
        client_cpu,
        meter.percent,
        meter.cpu_s / (deliveries / 1000),
        meter.steal_percent,
        "; ".join(failed)[:80],
    )


def measure(base_url: str, rate: int, clients: int, seconds: float = 5.0, query: str = "", pid: int = 0) -> Result:
    """MOVA's /ws at one (rate, clients), for bench/serve_choice.py and the smoke test."""
    target = Target(
        "mova /ws" + (f" {query}" if query else ""),
        "ws",
        base_url.replace("http", "ws", 1) + "/ws",
        lambda: http_sender(base_url + "/api/events"),
        pid or os.getpid(),
        query,
    )
    return measure_target(target, rate, clients, seconds)


def wait_until_no_sockets(base_url: str, timeout: float = 60.0) -> None:
    """Wait until MOVA has closed every socket of the row before: closing 1,000 of them takes the
    server 2-5 s of CPU, which would otherwise fall into the next row's measurement."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(base_url + "/api/status", timeout=10) as response:
            if orjson.loads(response.read())["clients"] == 0:
                return
        time.sleep(0.1)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def helper_server(module: str) -> Iterator[tuple[int, int]]:
    """A baseline server (bench.floor or bench.dash_ws) in its own process: (port, pid)."""
    port = free_port()
    proc = subprocess.Popen([PY, "-m", module, str(port)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"{module} did not start: {line!r}")
        yield port, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run(
    quick: bool = False,
    cases: list[tuple[int, int]] | None = None,
    dash: bool = True,
    seconds: float | None = None,
    results: list[Result] | None = None,
) -> str:
    from bench.common import mova_server

    seconds = seconds or (3.0 if quick else 10.0)
    cases = cases or (QUICK_CASES if quick else CASES)
    results = [] if results is None else results
    with (
        mova_server("--no-collector") as server,
        helper_server("bench.floor") as (floor_port, floor_pid),
        helper_server("bench.dash_ws") if dash else _nothing() as dash_srv,
    ):
        pid = server.proc.pid
        ws_url = server.ws_url
        targets = [
            Target(
                "mova /ws (default, 50 ms frames)", "ws", ws_url, lambda: http_sender(server.url + "/api/events"), pid
            ),
            Target(
                "mova /ws?frame_ms=0",
                "ws",
                ws_url,
                lambda: http_sender(server.url + "/api/events"),
                pid,
                "frame_ms=0",
            ),
            Target(
                "floor: bare websockets broadcast",
                "floor",
                f"ws://127.0.0.1:{floor_port}/ws",
                lambda: floor_sender(f"ws://127.0.0.1:{floor_port}"),
                floor_pid,
                type_query=False,
            ),
            Target(
                "ceiling: 1 s poll of GET /api/events",
                "poll",
                server.url,
                lambda: http_sender(server.url + "/api/events"),
                pid,
            ),
        ]
        if dash_srv is not None:
            dash_port, dash_pid = dash_srv
            targets.append(
                Target(
                    "dash 4.4 ws callbacks (fastapi)",
                    "dash",
                    f"ws://127.0.0.1:{dash_port}/_dash-ws-callback",
                    lambda: http_sender(f"http://127.0.0.1:{dash_port}/ingest"),
                    dash_pid,
                    type_query=False,
                )
            )
        for rate, clients in cases:
            for target in targets:
                try:
                    results.append(measure_target(target, rate, clients, seconds))
                except Exception as exc:  # a baseline that cannot hold the load is a result, not a crash
                    nan = float("nan")
                    failed = Result(
                        target.label, rate, clients, 0, nan, nan, nan, nan, -1, 0, 0, 0, note=repr(exc)[:80]
                    )
                    results.append(failed)
                print(table(COLUMNS, [results[-1].row()]).splitlines()[-1], flush=True)
                wait_until_no_sockets(server.url)
    return (
        header(f"1. Delivery latency ingest -> WebSocket client ({seconds:.0f} s per row)")
        + "\n"
        + table(COLUMNS, [r.row() for r in results])
        + "\n\nclient proc CPU: the busiest client process (clients are split over "
        + "1/2/4 processes for 10/100/1000 clients), percent of one core.\n"
        + "durable commit on this disk (SQLite WAL, synchronous=FULL, one row; part of every MOVA row, "
        + "of no baseline): p50 {:.1f} ms, p95 {:.1f} ms, p99 {:.1f} ms.\n".format(*durable_commit_ms())
    )


def durable_commit_ms(commits: int = 300) -> tuple[float, float, float]:
    """p50/p95/p99 of one-row commits in SQLite (WAL, synchronous=FULL, as the hub writes) on this disk.

    Every event is durable before any client sees it (DESIGN.md §4), so this fsync is
    part of MOVA's latency and of no baseline's: it is printed beside them.
    """
    with tempfile.TemporaryDirectory(prefix="mova-fsync-") as tmp:
        conn = sqlite3.connect(os.path.join(tmp, "probe.db"), isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE t (x)")
        took = []
        for i in range(commits):
            start = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t VALUES (?)", (i,))
            conn.execute("COMMIT")
            took.append((time.perf_counter() - start) * 1000)
        conn.close()
    return percentile(took, 0.50), percentile(took, 0.95), percentile(took, 0.99)


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    import sys

    print(run(quick="--quick" in sys.argv, dash="--no-dash" not in sys.argv))
