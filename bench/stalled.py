"""A stalled reader beside 50 healthy clients: does it cost them latency? (issue 7, point 3)

One server, the same traffic throughout: 50 healthy clients time 100 events/s
while a producer also posts ~1 MB/s of 20 KB events. Rounds alternate: the 50
clients alone, then the same 50 beside one more client that subscribes to
everything and never reads (a 4 KiB receive buffer), so that its socket fills,
its queue passes its bound and it is cut off with a gap. Alternating rounds
(ABAB...) and comparing the medians keeps a noisy machine from deciding the
result. After each stalled round the stalled client reads again, to show it was
really cut off (it finds a ``gap`` frame) rather than quietly keeping up.

    python -m bench.stalled [--seconds 5] [--rounds 4]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import threading

import orjson
import requests
import websocket

from bench.common import header, mova_server, table
from bench.latency import Result, measure

STALLED_RCVBUF = 4096


class Blobs(threading.Thread):
    """About 1 MB/s of 20 KB events, so that a stalled socket fills within a second or two."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()

    def run(self) -> None:
        session = requests.Session()
        blob = "b" * 20_000
        while not self.stop.is_set():
            session.post(self.url + "/api/events", json=[{"type": "x.blob", "data": {"blob": blob}}] * 5, timeout=10)
            self.stop.wait(0.1)


def read_until_gap(ws: websocket.WebSocket, limit: int = 10_000) -> bool:
    """Read the stalled client's backlog: True once a gap frame shows it was cut off."""
    ws.settimeout(10)
    for _ in range(limit):
        frame = orjson.loads(ws.recv())
        if frame.get("kind") == "gap":
            return True
    return False


def run(seconds: float = 5.0, rounds: int = 4) -> str:
    alone: list[Result] = []
    beside: list[Result] = []
    gaps = 0
    with mova_server("--no-collector", "--client-queue-mb", "1") as server:
        blobs = Blobs(server.url)
        blobs.start()
        try:
            for _ in range(rounds):
                alone.append(measure(server.url, 100, 50, seconds, "frame_ms=0", server.proc.pid))
                stalled = websocket.create_connection(
                    server.ws_url, timeout=10, sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, STALLED_RCVBUF),)
                )
                beside.append(measure(server.url, 100, 50, seconds, "frame_ms=0", server.proc.pid))
                gaps += read_until_gap(stalled)
                stalled.close()
        finally:
            blobs.stop.set()
    rows = []
    for label, results in (("50 healthy clients alone", alone), ("50 healthy + 1 stalled reader", beside)):
        rows.append(
            [
                label,
                sum(r.sent for r in results),
                f"{statistics.median(r.p50_ms for r in results):.1f}",
                f"{statistics.median(r.p95_ms for r in results):.1f}",
                f"{statistics.median(r.p99_ms for r in results):.1f}",
                ", ".join(f"{r.p99_ms:.0f}" for r in results),
                sum(r.lost for r in results),
            ]
        )
    return (
        header(
            f"Stalled client beside 50 healthy ones (100 events/s + 1 MB/s of 20 KB events; "
            f"{rounds} alternating rounds of {seconds:.0f} s)"
        )
        + "\n"
        + table(["clients", "events", "median p50 ms", "median p95 ms", "median p99 ms", "p99 per round", "lost"], rows)
        + f"\n\nThe stalled reader was cut off (found a gap frame when it read again) in {gaps} of {rounds} rounds.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    print(run(args.seconds, args.rounds))


if __name__ == "__main__":
    main()
