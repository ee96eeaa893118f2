"""Bounded work: every parameter that sizes work is checked before work starts, and exports end with their client.

Classes, each with several examples: bucket widths and counts, repeat counts
and lengths of ``series`` and ``type``, limits and ranges, each a 400 naming
the parameter within a second; errors that used to surface inside a stream
(an empty store, a series named twice) answered properly; and an export whose
client leaves stops working (the server's CPU, read with psutil, goes quiet).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pytest
import requests
import websocket

from hub.api.limits import MAX_SERIES, MAX_WIDE_ROWS
from hub.events.filter import MAX_TYPE_PREFIXES
from tests.server import ServerProcess, wait_until

NOW = datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.fixture(scope="module")
def bounded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path_factory.mktemp("bounds") / "data", "--no-collector").start()
    # two samples six hours apart: a wide export at step 0.01 s would walk 2.16 million buckets
    samples = [
        {"type": "metrics.update", "time": iso(NOW - timedelta(hours=h)), "data": {"a": 1.0, "b": 2.0}} for h in (6, 0)
    ]
    assert server.post(samples).status_code == 202
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path_factory.mktemp("empty") / "data", "--no-collector").start()
    try:
        yield server
    finally:
        server.stop()


MANY_SERIES = [("series", f"s{i}") for i in range(MAX_SERIES + 1)]
MANY_TYPES = [("type", f"t{i}") for i in range(MAX_TYPE_PREFIXES + 1)]


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        # the export that spun a thread at 100 % forever: a bucket 1e-300 s wide never advanced the walk
        ("/api/metrics/export", [("layout", "wide"), ("step", "1e-300")], "step"),
        ("/api/metrics/export", [("layout", "wide"), ("step", "0.0001")], "step"),
        ("/api/metrics/export", [("layout", "wide"), ("step", "1e12")], "step"),
        ("/api/metrics/export", [("layout", "wide"), ("step", "0.01")], "step"),  # 2.16 M rows over the samples' span
        ("/api/metrics/export", MANY_SERIES, "series"),
        ("/api/metrics/export", [("series", "x" * 201)], "series"),
        ("/api/metrics/export", [("max_points", "10001")], "max_points"),
        ("/api/metrics", MANY_SERIES, "series"),
        ("/api/metrics", [("max_points", "0")], "max_points"),
        ("/api/metrics", [("since", "1e10")], "since"),
        ("/api/events", MANY_TYPES, "type"),
        ("/api/events", [("type", ",".join(f"t{i}" for i in range(MAX_TYPE_PREFIXES + 1)))], "type"),
        ("/api/events", [("type", "a" * 201)], "type"),
        ("/api/events", [("limit", "5001")], "limit"),
        ("/api/events/export", MANY_TYPES, "type"),
        ("/api/events/export", [("until", "-1e10")], "until"),
    ],
)
def test_work_sizing_parameters_are_bounded(bounded: ServerProcess, path: str, params: list, parameter: str) -> None:
    started = time.monotonic()
    response = requests.get(bounded.url + path, params=params, timeout=5)
    assert response.status_code == 400, response.text[:300]
    assert response.json()["parameter"] == parameter
    assert time.monotonic() - started < 1.0


def test_the_socket_bounds_its_type_filters(bounded: ServerProcess) -> None:
    query = "&".join(f"type=t{i}" for i in range(MAX_TYPE_PREFIXES + 1))
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(f"{bounded.ws_url}?{query}", timeout=5)
    assert refused.value.status_code == 400
    ws = websocket.create_connection(bounded.ws_url, timeout=5)
    try:
        ws.recv()  # hello
        ws.send(json.dumps({"kind": "subscribe", "type": [f"t{i}" for i in range(MAX_TYPE_PREFIXES + 1)]}))
        assert '"kind":"error"' in ws.recv()
    finally:
        ws.close()


def test_the_bounds_leave_room_for_real_use(bounded: ServerProcess) -> None:
    at_most = [("series", "a"), ("series", "b"), ("layout", "wide"), ("step", str(6 * 3600 / MAX_WIDE_ROWS * 1.01))]
    assert requests.get(bounded.url + "/api/metrics/export", params=at_most, timeout=30).status_code == 200
    assert bounded.get("/api/events", params=[("type", f"t{i}") for i in range(MAX_TYPE_PREFIXES)]).status_code == 200


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("layout", ["long", "wide"])
def test_downsampled_export_of_an_empty_store_is_an_empty_file(empty: ServerProcess, fmt: str, layout: str) -> None:
    # GET /api/metrics/export?format=csv&layout=long&max_points=1 answered 500 on a store with no series
    response = empty.get("/api/metrics/export", params={"format": fmt, "layout": layout, "max_points": 1})
    assert response.status_code == 200, response.text[:300]


def test_a_series_named_twice_is_one_column(bounded: ServerProcess) -> None:
    # the wide writer raised on the duplicate column after the 200 had gone: a cut download
    wide = bounded.get("/api/metrics/export", params=[("series", "a"), ("series", "a"), ("layout", "wide")])
    assert wide.status_code == 200 and wide.text.splitlines()[0] == '"time","a"'
    long = bounded.get("/api/metrics/export", params=[("series", "a"), ("series", "a")])
    assert long.status_code == 200 and len(long.text.splitlines()) == 1 + 2  # the header and each sample once


def worker_cpu(server: ServerProcess) -> float:
    assert server.proc is not None
    worker = psutil.Process(server.proc.pid).children()[0]
    times = worker.cpu_times()
    return float(times.user + times.system)


def idle_cpu(server: ServerProcess) -> float:
    """The worker's CPU seconds once it has stopped working (less than 20 ms over 250 ms)."""
    last = [worker_cpu(server)]

    def quiet() -> float | None:
        time.sleep(0.25)  # a measuring interval, not a synchronisation
        now = worker_cpu(server)
        done = now - last[0] < 0.02
        last[0] = now
        return now if done else None

    return float(wait_until(quiet, 20, 0, "the server's worker to go quiet"))


def test_an_export_stops_when_its_client_leaves(server_factory, tmp_path: Path) -> None:
    server = server_factory("--no-collector", "--sqlite-synchronous", "NORMAL", data_dir=tmp_path / "big")
    for _ in range(50):  # 2,000 events of ~19 KB: the CSV is ~38 MB, a few seconds of the server's CPU
        batch = [{"type": "custom.blob", "data": {"rows": ["x" * 100] * 180}} for _ in range(40)]
        assert server.post(batch).status_code == 202
    before = idle_cpu(server)
    full = requests.get(server.url + "/api/events/export?format=csv", timeout=60)
    assert full.status_code == 200 and len(full.content) > 30_000_000
    whole = idle_cpu(server) - before

    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(f"GET /api/events/export?format=csv HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
    assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    start = worker_cpu(server)
    sock.close()  # the client leaves after the first bytes
    abandoned = idle_cpu(server) - start
    assert abandoned < whole / 3, f"{abandoned:.2f} CPU s after the client left; the whole export takes {whole:.2f}"
