"""Several processes on PostgreSQL + Redis beside the embedded SQLite default: delivery latency and ingest.

The same run measures, on this machine:

- ``sqlite``: the default, one process with the embedded SQLite store and in-process bus;
- ``pg+redis`` with 1, 2 and 4 gunicorn workers behind one port (``--workers N --store-url
  postgresql://... --bus-url redis://...``), each process with its own clients: an event
  ingested by one worker reaches the clients of every worker through Redis.

PostgreSQL and Redis are Debian's, started by tests/scale/services.py on loopback ports of their
own (PostgreSQL with fsync=off: a commit here is a round trip, not a disk flush, unlike SQLite's
synchronous=FULL: read the rows with that in mind). Latency reuses bench/latency.py (producer,
client processes, percentiles; clients ask ``frame_ms=0`` so that frames leave as batches arrive),
throughput reuses bench/throughput.py's posting threads. "mova CPU" is the server's process tree,
"pg+redis CPU" the database's and Redis's, both in percent of one core.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import orjson

from bench.common import ROOT, CpuMeter, header, mova_server, table, tree_cpu_seconds
from bench.latency import COLUMNS, Target, http_sender, measure_target
from bench.throughput import post_for

PROCESSES = (1, 2, 4)
QUICK_PROCESSES = (1, 2)
LATENCY_CASES = [(100, 100), (1000, 100)]  # (events/s, clients)
QUICK_LATENCY_CASES = [(50, 4)]
BATCHES = (1, 100)


@dataclass
class Backend:
    label: str
    processes: int
    args: list[str]
    service_pids: list[int]  # PostgreSQL's postmaster and redis-server (their CPU is reported apart)


class ServiceMeter:
    """CPU seconds of PostgreSQL and Redis (postmaster and its backends, redis-server) over a span."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.start_s = sum(tree_cpu_seconds(p) for p in pids)
        self.t0 = time.monotonic()

    def percent(self) -> float:
        if not self.pids:
            return float("nan")
        used = sum(tree_cpu_seconds(p) for p in self.pids) - self.start_s
        return 100.0 * used / max(time.monotonic() - self.t0, 1e-9)


def backends(found: Any, processes: tuple[int, ...]) -> Iterator[Backend]:
    yield Backend("sqlite (default)", 1, [], [])
    postmaster = int((found.postgres.dir / "data" / "postmaster.pid").read_text().split()[0])
    pids = [postmaster, found.redis.proc.pid]
    for n in processes:
        store = found.postgres.create_database()  # a fresh store per row: same starting point as SQLite's
        yield Backend("pg+redis", n, ["--workers", str(n), "--store-url", store, "--bus-url", found.redis.url], pids)


def measure_backend(
    backend: Backend, cases: list[tuple[int, int]], seconds: float, latency: list[list[Any]], ingest: list[list[Any]]
) -> None:
    with mova_server("--no-collector", *backend.args) as server:
        target = Target(
            "ws", "ws", server.ws_url, lambda: http_sender(server.url + "/api/events"), server.proc.pid, "frame_ms=0"
        )
        for rate, clients in cases:
            around = ServiceMeter(backend.service_pids)
            r = measure_target(target, rate, clients, seconds)
            latency.append(
                [
                    backend.label,
                    backend.processes,
                    rate,
                    clients,
                    r.sent,
                    r.p50_ms,
                    r.p95_ms,
                    r.p99_ms,
                    r.max_ms,
                    r.lost,
                    r.server_cpu,
                    around.percent(),
                    r.note,
                ]
            )
            print(table(["x"] * 13, [latency[-1]]).splitlines()[-1], flush=True)
        for size in BATCHES:
            body = orjson.dumps([{"type": f"bench.s{size}", "data": {"i": i, "sent": 0.0}} for i in range(size)])
            around = ServiceMeter(backend.service_pids)
            meter = CpuMeter(server.proc.pid).start()
            t0 = time.monotonic()
            accepted, errors = post_for(server.url + "/api/events", body, size, seconds)
            elapsed = time.monotonic() - t0
            meter.stop()
            ingest.append(
                [
                    backend.label,
                    backend.processes,
                    size,
                    f"{accepted / elapsed:,.0f}",
                    errors,
                    meter.percent,
                    around.percent(),
                ]
            )
            print(table(["x"] * 7, [ingest[-1]]).splitlines()[-1], flush=True)


# bench/latency.py's columns from rate/s to lost, between which backend and whose CPU
LATENCY_COLUMNS = ["store+bus", "processes", *COLUMNS[1:9], "mova CPU %", "pg+redis CPU %", "note"]
INGEST_COLUMNS = ["store+bus", "processes", "batch", "events/s accepted", "errors", "mova CPU %", "pg+redis CPU %"]


def run(
    quick: bool = False,
    processes: tuple[int, ...] | None = None,
    cases: list[tuple[int, int]] | None = None,
    seconds: float | None = None,
    latency: list[list[Any]] | None = None,
    ingest: list[list[Any]] | None = None,
    found: Any = None,
) -> str:
    """The tables as markdown; ``found``: running services to use (the tests' session pair) instead of new ones."""
    processes = processes or (QUICK_PROCESSES if quick else PROCESSES)
    cases = cases or (QUICK_LATENCY_CASES if quick else LATENCY_CASES)
    seconds = seconds or (1.0 if quick else 8.0)
    latency = [] if latency is None else latency
    ingest = [] if ingest is None else ingest
    title = f"Several processes: PostgreSQL + Redis beside embedded SQLite ({seconds:.0f} s per row)"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.scale.services import Missing, running_services

    try:
        with nullcontext(found) if found is not None else running_services("mova-bench-scale-") as running:
            for backend in backends(running, processes):
                measure_backend(backend, cases, seconds, latency, ingest)
    except Missing as exc:
        return header(title) + f"\nskipped: {exc}\n"
    return (
        header(title)
        + "\nDelivery latency, ingest -> WebSocket client (frame_ms=0), clients spread over the workers:\n\n"
        + table(LATENCY_COLUMNS, latency)
        + f"\n\nIngest throughput (POST /api/events, 4 posting threads, {seconds:.0f} s per row):\n\n"
        + table(INGEST_COLUMNS, ingest)
        + "\n\nmova CPU: the server's process tree (gunicorn master and workers); pg+redis CPU: the postmaster "
        + "with its backends and redis-server; percent of one core. Everything shares this machine's cores.\n"
    )


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv))
