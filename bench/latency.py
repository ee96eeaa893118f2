"""Delivery latency ingest -> WebSocket client, measured on real sockets.

A producer POSTs events carrying their send time (``data.sent``, time.time())
at a fixed rate; N websocket-client connections, each read by its own thread,
record the receive time on the same clock. Lost = events acknowledged but
never received by a client.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from dataclasses import dataclass

import requests
import websocket


@dataclass
class Result:
    rate: int
    clients: int
    sent: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    lost: int


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Receiver(threading.Thread):
    def __init__(self, ws_url: str) -> None:
        super().__init__(daemon=True)
        self.ws = websocket.create_connection(ws_url + "?type=bench", timeout=30)
        json.loads(self.ws.recv())  # hello
        self.delays: list[float] = []
        self.ids: set[int] = set()
        self.stop = False

    def run(self) -> None:
        try:
            while not self.stop:
                text = self.ws.recv()
                if not text:  # the close frame
                    return
                frame = json.loads(text)
                now = time.time()
                for event in frame.get("events", ()):
                    self.delays.append(now - event["data"]["sent"])
                    self.ids.add(event["data"]["i"])
        except (websocket.WebSocketException, OSError):
            return


def measure(base_url: str, rate: int, clients: int, seconds: float = 5.0) -> Result:
    ws_url = base_url.replace("http", "ws", 1) + "/ws"
    receivers = [Receiver(ws_url) for _ in range(clients)]
    for r in receivers:
        r.start()
    session = requests.Session()
    # send in ticks of 10 ms so that high rates do not need one POST per event
    per_tick = max(1, rate // 100)
    tick = per_tick / rate
    total = int(rate * seconds)
    acked: list[int] = []
    start = time.perf_counter()
    i = 0
    while i < total:
        due = start + (i / per_tick) * tick
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        batch = [{"type": "bench.tick", "data": {"i": i + k, "sent": time.time()}} for k in range(per_tick)]
        if session.post(base_url + "/api/events", json=batch, timeout=30).status_code == 202:
            acked.extend(range(i, i + per_tick))
        i += per_tick
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(len(r.ids) < len(acked) for r in receivers):
        time.sleep(0.05)
    for r in receivers:
        r.stop = True
        r.ws.close()
    delays = [d * 1000 for r in receivers for d in r.delays]
    lost = sum(len(set(acked) - r.ids) for r in receivers)
    return Result(
        rate,
        clients,
        len(acked),
        percentile(delays, 0.5),
        percentile(delays, 0.95),
        percentile(delays, 0.99),
        max(delays, default=float("nan")),
        lost,
    )


def mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else float("nan")
