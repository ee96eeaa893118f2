"""Ingest throughput: events a second accepted through POST /api/events in batches of 1, 100 and 1,000.

Each batch's body is encoded once and re-posted (the hub gives each event a new id, so nothing is a
duplicate) by 4 posting threads with kept-alive sessions, so that the client's own JSON work is not
measured. Each size runs with no socket open and with 100 WebSocket clients (bench/clients.py, default
50 ms frames) receiving every event; server CPU seconds per 1,000 events ingested is reported beside.
"""

from __future__ import annotations

import threading
import time

import orjson
import requests

from bench.common import CpuMeter, header, table
from bench.latency import Clients

SIZES = (1, 100, 1000)
POSTERS = 4


def post_for(url: str, body: bytes, size: int, seconds: float) -> tuple[int, int]:
    """(events accepted, errors) by POSTERS threads posting ``body`` for ``seconds``."""
    accepted = [0] * POSTERS
    errors = [0] * POSTERS
    stop = time.monotonic() + seconds

    def poster(k: int) -> None:
        session = requests.Session()
        headers = {"Content-Type": "application/json"}
        while time.monotonic() < stop:
            r = session.post(url, data=body, headers=headers, timeout=60)
            if r.status_code == 202:
                accepted[k] += size
            else:
                errors[k] += 1

    threads = [threading.Thread(target=poster, args=(k,)) for k in range(POSTERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(accepted), sum(errors)


def run(
    quick: bool = False,
    clients_n: int = 100,
    seconds: float | None = None,
    sizes: tuple[int, ...] = SIZES,
    rows: list[list[object]] | None = None,
) -> str:
    from bench.common import mova_server

    seconds = seconds or (3.0 if quick else 10.0)
    rows = [] if rows is None else rows
    with mova_server("--no-collector") as server:
        url = server.url + "/api/events"
        for with_clients in (False, True):
            for size in sizes:
                type_ = f"bench.t{size}{'c' if with_clients else ''}"
                body = orjson.dumps([{"type": type_, "data": {"i": i, "sent": 0.0}} for i in range(size)])
                group = Clients("ws", server.ws_url, clients_n, f"type={type_}") if with_clients else None
                meter = CpuMeter(server.proc.pid).start()
                t0 = time.monotonic()
                accepted, errors = post_for(url, body, size, seconds)
                elapsed = time.monotonic() - t0
                meter.stop()
                client_cpu = float("nan")
                if group is not None:
                    _, _, client_cpu, _ = group.finish([], 0.1)
                rows.append(
                    [
                        size,
                        clients_n if with_clients else 0,
                        f"{accepted / elapsed:,.0f}",
                        errors,
                        meter.percent,
                        f"{1000 * meter.cpu_s / max(accepted, 1):.3f}",
                        client_cpu,
                    ]
                )
                print(table(["x"] * 7, [rows[-1]]).splitlines()[-1], flush=True)
    cols = [
        "batch",
        "ws clients",
        "events/s accepted",
        "errors",
        "server CPU %",
        "server CPU s / 1k events",
        "client proc CPU %",
    ]
    return (
        header(f"3. Ingest throughput ({POSTERS} posting threads, {seconds:.0f} s per row)")
        + "\n"
        + table(cols, rows)
        + "\n"
    )


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 s per row instead of 10")
    parser.add_argument("--seconds", type=float, help="seconds per row (overrides --quick)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="batch sizes (default 1 100 1000)")
    parser.add_argument("--clients", type=int, default=100, help="WebSocket clients in the rows with clients")
    args = parser.parse_args()
    print(run(quick=args.quick, clients_n=args.clients, seconds=args.seconds, sizes=tuple(args.sizes)))
