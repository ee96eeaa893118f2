"""Acknowledged events survive SIGKILL; SIGTERM closes sockets cleanly and stops the server."""

from __future__ import annotations

import contextlib
import signal
import threading

import requests
import websocket

from tests.server import wait_until
from tests.wsclient import StreamClient


def note(i: int) -> dict:
    return {"type": "notification", "id": f"n-{i}", "source": "test", "data": {"level": "info", "title": f"#{i}"}}


def test_acknowledged_events_survive_kill_9_and_client_resumes(server_factory, tmp_path):
    data_dir = tmp_path / "data"
    server = server_factory("--no-collector", data_dir=data_dir)
    client = StreamClient(server.ws_url, after=0)
    acknowledged: list[int] = []
    stop = threading.Event()

    def ingest() -> None:
        i = 0
        while not stop.is_set():
            try:
                r = requests.post(server.url + "/api/events", json=[note(i), note(i + 1)], timeout=5)
            except requests.RequestException:
                return
            if r.status_code == 202:
                acknowledged.extend([i, i + 1])
            i += 2

    def read_until_cut() -> None:
        with contextlib.suppress(websocket.WebSocketException, OSError):  # the server dies under it
            client.read_events_until(10**9, timeout=60)

    producer = threading.Thread(target=ingest)
    reader = threading.Thread(target=read_until_cut)
    producer.start()
    reader.start()
    wait_until(lambda: len(acknowledged) >= 200 and len(client.seqs) >= 100, timeout=30, message="ingest and delivery")
    server.kill_hard()  # mid-ingest
    stop.set()
    producer.join()
    reader.join()
    seen = client.seqs
    assert seen == list(range(1, len(seen) + 1))

    restarted = server_factory("--no-collector", data_dir=data_dir, port=server.port)
    events = []
    after = 0
    while True:
        page = restarted.get("/api/events", params={"after": after, "limit": 5000}).json()
        events += page["events"]
        if not page["more"]:
            break
        after = events[-1]["seq"]
    titles = [e["data"]["title"] for e in events]
    assert len(titles) == len(set(titles)), "each event stored exactly once"
    assert {f"#{i}" for i in acknowledged} <= set(titles), "every acknowledged event survived"

    # the client resumes from its last seq: nothing lost, nothing twice
    resumed = StreamClient(restarted.ws_url, after=seen[-1] if seen else 0)
    final = restarted.get("/api/status").json()["last_seq"]
    if final > (seen[-1] if seen else 0):
        resumed.read_events_until(final)
    assert seen + resumed.seqs == [e["seq"] for e in events]


def test_sigterm_closes_sockets_with_1001_and_exits(server):
    client = StreamClient(server.ws_url)
    server.post(note(1))
    client.read_events_until(1)
    server.proc.send_signal(signal.SIGTERM)
    assert client.close_code() == 1001
    assert server.stop(timeout=15) == 0
    assert "Traceback" not in server.output()


def test_ctrl_c_stops_cleanly(server):
    server.post(note(1))
    assert server.stop(signal.SIGINT, timeout=15) == 0
    assert "Traceback" not in server.output()
