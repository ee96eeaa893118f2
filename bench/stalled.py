"""A stalled reader beside 50 healthy clients: does it cost them latency? (issue 7, point 3)

Two phases on one server, the same traffic in both: 50 healthy clients time
100 events/s while a producer also posts ~1 MB/s of large events. In the second
phase one more client connects, subscribes to everything and never reads (a
4 KiB receive buffer), so its queue fills and it is cut off with a gap. The
healthy clients' p50/p95/p99 are printed for both phases side by side.

    python -m bench.stalled [--seconds 10]
"""

from __future__ import annotations

import argparse
import socket
import threading
import time

import requests
import websocket

from bench.common import header, mova_server, table
from bench.latency import measure


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    rows = []
    with mova_server("--no-collector", "--client-queue-mb", "1") as server:
        blobs = Blobs(server.url)
        blobs.start()
        try:
            alone = measure(server.url, 100, 50, args.seconds, "frame_ms=0", server.proc.pid)
            stalled = websocket.create_connection(
                server.ws_url, timeout=10, sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 4096),)
            )
            time.sleep(2)  # let the stalled socket fill and overflow before measuring (a warm-up, not a wait)
            beside = measure(server.url, 100, 50, args.seconds, "frame_ms=0", server.proc.pid)
            stalled.close()
        finally:
            blobs.stop.set()
        for label, r in (("50 healthy clients alone", alone), ("50 healthy + 1 stalled", beside)):
            rows.append([label, r.sent, f"{r.p50_ms:.1f}", f"{r.p95_ms:.1f}", f"{r.p99_ms:.1f}", r.lost])
    print(header("Stalled client beside 50 healthy ones (100 events/s + 1 MB/s of 20 KB events)"))
    print(table(["clients", "events", "p50 ms", "p95 ms", "p99 ms", "lost"], rows))


if __name__ == "__main__":
    main()
