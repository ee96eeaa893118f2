"""Faults against the real server: SIGKILL mid-ingest many times, network cuts, stalled readers."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import pytest
import requests
import websocket

from tests.server import wait_until
from tests.wsclient import StreamClient, backfill

KILLS = 20


def note(i: int) -> dict:
    return {"type": "notification", "id": f"k-{i}", "source": "fault", "data": {"level": "info", "title": f"#{i}"}}


class Producer(threading.Thread):
    """POSTs batches of 5 until told to stop or the server dies; remembers what got a 202."""

    def __init__(self, url: str, start_at: int) -> None:
        super().__init__(daemon=True)
        self.url, self.next_i = url, start_at
        self.acknowledged: list[int] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            batch = list(range(self.next_i, self.next_i + 5))
            try:
                r = requests.post(self.url + "/api/events", json=[note(i) for i in batch], timeout=5)
            except requests.RequestException:
                return
            if r.status_code == 202:
                self.acknowledged.extend(batch)
            self.next_i += 5


class Reader(threading.Thread):
    """Reads a client's frames until the socket dies."""

    def __init__(self, client: StreamClient) -> None:
        super().__init__(daemon=True)
        self.client = client

    def run(self) -> None:
        with contextlib.suppress(websocket.WebSocketException, OSError, AssertionError):
            self.client.read_events_until(10**12, timeout=120)


def test_sigkill_at_many_points_loses_nothing_acknowledged(server_factory, tmp_path):
    data = tmp_path / "kills"
    server = server_factory("--no-collector", data_dir=data)
    acknowledged: list[int] = []
    client_seqs: list[int] = []
    next_i = 0
    for kill in range(KILLS):
        last = client_seqs[-1] if client_seqs else 0
        client = StreamClient(server.ws_url, after=last)
        reader, producer = Reader(client), Producer(server.url, next_i)
        reader.start()
        producer.start()
        # kill at a different point each round: after 5..100 acknowledged events
        target = len(acknowledged) + 5 + (kill * 37) % 96
        wait_until(
            lambda p=producer, t=target, a=acknowledged: len(a) + len(p.acknowledged) >= t, timeout=30, message="ingest"
        )
        server.kill_hard()
        producer.stopped.set()
        producer.join()
        reader.join()
        acknowledged += producer.acknowledged
        client_seqs += client.seqs
        next_i = producer.next_i + 5  # a batch in flight at the kill may or may not have been stored
        server = server_factory("--no-collector", data_dir=data, port=server.port)

    events = []
    while True:
        page = server.get("/api/events", params={"after": events[-1]["seq"] if events else 0, "limit": 5000}).json()
        events += page["events"]
        if not page["more"]:
            break
    titles = [e["data"]["title"] for e in events]
    assert len(titles) == len(set(titles)), "stored exactly once"
    assert {f"#{i}" for i in acknowledged} <= set(titles), "every 202 survived every kill"
    # the client, resuming after each restart, saw the whole sequence in order, each once
    final = StreamClient(server.ws_url, after=client_seqs[-1] if client_seqs else 0)
    if events and events[-1]["seq"] > (client_seqs[-1] if client_seqs else 0):
        final.read_events_until(events[-1]["seq"])
    assert client_seqs + final.seqs == [e["seq"] for e in events]


def cut(client: StreamClient) -> None:
    """A network cut: the socket goes away without a close frame."""
    client.ws.sock.shutdown(socket.SHUT_RDWR)
    client.ws.sock.close()


@pytest.mark.parametrize(
    "outage_s",
    [
        1.0,
        pytest.param(30.0, marks=pytest.mark.soak),
        pytest.param(300.0, marks=[pytest.mark.soak, pytest.mark.timeout(900)]),
    ],
)
def test_resume_after_network_cut_delivers_missed_once(server, outage_s):
    client = StreamClient(server.ws_url, after=0)
    server.post([note(i) for i in range(10)])
    seen = client.read_events_until(10)
    cut(client)
    wait_until(lambda: server.get("/api/status").json()["clients"] == 0, timeout=70, message="server notices")
    deadline = time.monotonic() + outage_s
    i = 10
    while time.monotonic() < deadline:  # events keep flowing during the outage, about 50 a second
        server.post(note(i))
        i += 1
        time.sleep(0.02)  # pacing the producer, not synchronisation
    back = StreamClient(server.ws_url, after=seen[-1])
    server.post(note(i))
    assert seen + back.read_events_until(i + 1) == list(range(1, i + 2))


def read_like_a_page(client: StreamClient, base_url: str, last: int) -> tuple[list[int], int]:
    """Read frames, backfilling from REST on a gap as the page does; return (seqs, gaps)."""
    seen: list[int] = []
    gaps = 0
    while not seen or seen[-1] < last:
        frame = client.next()
        if frame["kind"] == "gap":
            gaps += 1
            seen += backfill(base_url, seen[-1] if seen else 0)
        elif frame["kind"] == "events":
            seen += [e["seq"] for e in frame["events"] if not seen or e["seq"] > seen[-1]]
    return seen, gaps


def test_stalled_client_does_not_hold_back_50_healthy_ones(server_factory, tmp_path):
    server = server_factory("--no-collector", "--client-queue-mb", "0.25", data_dir=tmp_path / "stall")
    # a tiny receive buffer: the server's send blocks after a few MB instead of tens
    stalled = StreamClient(server.ws_url, timeout=60, sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 4096),))
    healthy = [StreamClient(server.ws_url, timeout=60) for _ in range(50)]
    results: dict[int, tuple[list[int], int]] = {}

    errors: dict[int, str] = {}

    def read(k: int) -> None:
        try:
            results[k] = read_like_a_page(healthy[k], server.url, 200)
        except Exception as exc:  # reported below with the others
            errors[k] = repr(exc)

    readers = [threading.Thread(target=read, args=(k,), daemon=True) for k in range(50)]
    for r in readers:
        r.start()
    blob = "s" * 20_000
    for start in range(0, 200, 10):  # 4 MB: more than the stalled socket's buffers and its 0.25 MiB queue
        batch = [{"type": "x.blob", "data": {"i": i, "blob": blob}} for i in range(start, start + 10)]
        assert server.post(batch).status_code == 202
    for r in readers:
        r.join(timeout=120)
    assert errors == {}
    assert sorted(results) == list(range(50)), "every healthy client finished"
    assert all(seqs == list(range(1, 201)) for seqs, _ in results.values())
    seen, gaps = read_like_a_page(stalled, server.url, 200)
    assert gaps >= 1, "the stalled client was cut off at its queue bound"
    assert seen == list(range(1, 201)), "and recovered everything through the gap and REST"
