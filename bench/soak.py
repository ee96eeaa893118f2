"""Soak: hours of steady traffic compressed into `make soak` (30 minutes by default).

The real server (host collector on) takes 100 events/s from a producer while 50
WebSocket clients read them. Every minute it prints the server's RSS and open
file descriptors (gunicorn master and worker together); at the end it checks
that every client received every acknowledged event exactly once (backfilling
through REST on a gap, as the page does) and prints start/end figures.

    python -m bench.soak [--minutes 30] [--rate 100] [--clients 50]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from pathlib import Path

import psutil
import requests
import websocket

from tests.server import ServerProcess


def server_usage(server: ServerProcess) -> tuple[float, int]:
    """RSS in MiB and open file descriptors of the server's processes."""
    assert server.proc is not None
    root = psutil.Process(server.proc.pid)
    procs = [root, *root.children(recursive=True)]
    rss = sum(p.memory_info().rss for p in procs) / 2**20
    fds = sum(p.num_fds() for p in procs)
    return rss, fds


class Client(threading.Thread):
    def __init__(self, server: ServerProcess) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.ws = websocket.create_connection(server.ws_url + "?type=soak", timeout=30, skip_utf8_validation=True)
        json.loads(self.ws.recv())
        self.seen: list[int] = []
        self.gaps = 0
        self.duplicates = 0
        self.stop = threading.Event()

    def _add(self, seqs: list[int]) -> None:
        for seq in seqs:
            if self.seen and seq <= self.seen[-1]:
                self.duplicates += 1
            else:
                self.seen.append(seq)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                text = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            except (websocket.WebSocketException, OSError):
                return
            if not text:
                return
            frame = json.loads(text)
            if frame["kind"] == "events":
                # a frame overlapping a backfill is expected: count only true repeats within the stream
                fresh = [e["seq"] for e in frame["events"] if not self.seen or e["seq"] > self.seen[-1]]
                self._add(fresh)
            elif frame["kind"] == "gap":
                self.gaps += 1
                after = self.seen[-1] if self.seen else 0
                page = requests.get(
                    self.server.url + "/api/events", params={"after": after, "type": "soak", "limit": 5000}, timeout=10
                ).json()
                self._add([e["seq"] for e in page["events"]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "data").start()
        try:
            clients = [Client(server) for _ in range(args.clients)]
            for c in clients:
                c.start()
            start_rss, start_fds = server_usage(server)
            print(f"soak: {args.minutes:g} min at {args.rate} events/s, {args.clients} clients, collector on")
            print(f"{'minute':>6} {'sent':>9} {'RSS MiB':>8} {'fds':>5}")
            print(f"{0:>6} {0:>9} {start_rss:>8.1f} {start_fds:>5}")
            acknowledged: list[int] = []
            session = requests.Session()
            t0 = time.monotonic()
            next_report = 60.0
            i = 0
            while (elapsed := time.monotonic() - t0) < args.minutes * 60:
                wait = t0 + i / args.rate - time.monotonic()
                if wait > 0:
                    time.sleep(wait)  # pacing the producer, not synchronisation
                r = session.post(server.url + "/api/events", json={"type": "soak.tick", "data": {"i": i}}, timeout=10)
                if r.status_code == 202:
                    acknowledged.append(r.json()["last_seq"])
                i += 1
                if elapsed >= next_report:
                    rss, fds = server_usage(server)
                    print(f"{int(elapsed // 60):>6} {i:>9} {rss:>8.1f} {fds:>5}", flush=True)
                    next_report += 60
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and any(len(c.seen) < len(acknowledged) for c in clients):
                time.sleep(0.1)
            end_rss, end_fds = server_usage(server)
            lost = sum(len(set(acknowledged) - set(c.seen)) for c in clients)
            duplicates = sum(c.duplicates for c in clients)
            gaps = sum(c.gaps for c in clients)
            for c in clients:
                c.stop.set()
                c.ws.close()
            print()
            print("| measure | start | end |")
            print("|---|---|---|")
            print(f"| server RSS (MiB) | {start_rss:.1f} | {end_rss:.1f} |")
            print(f"| open file descriptors | {start_fds} | {end_fds} |")
            print(
                f"\nevents acknowledged: {len(acknowledged)}; clients: {len(clients)}; "
                f"lost: {lost}; duplicates: {duplicates}; gaps (recovered by REST): {gaps}"
            )
            if lost or duplicates:
                raise SystemExit(1)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
