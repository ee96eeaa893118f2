"""Several server processes sharing PostgreSQL (store) and Redis Streams (bus).

Real processes, real sockets, a real redis-server and PostgreSQL (tests/scale/services.py):
events ingested anywhere reach every process's clients in one seq order, a client
resumes on another process after its own dies, and a Redis restart loses nothing
that was acknowledged (it is in PostgreSQL; readers fill the gap from there).
"""

from __future__ import annotations

import threading

import pytest

from tests.scale.services import ScaleUrls
from tests.server import ServerProcess, wait_until
from tests.wsclient import StreamClient, backfill


def _batch(tag: str, i: int, n: int = 5) -> list[dict]:
    return [{"type": "notification", "data": {"level": "info", "title": f"{tag}-{i}-{k}"}} for k in range(n)]


def _post(server: ServerProcess, events: list[dict]) -> dict:
    response = server.post(events)
    assert response.status_code == 202, response.text
    return response.json()


@pytest.fixture
def pair(server_factory, scale_urls: ScaleUrls) -> tuple[ServerProcess, ServerProcess]:
    """Two server processes on their own ports, sharing one store and one bus."""
    return server_factory("--no-collector", *scale_urls.args), server_factory("--no-collector", *scale_urls.args)


def test_scale001_events_from_either_process_reach_both_in_one_order(pair) -> None:
    a, b = pair
    at_a = StreamClient(a.ws_url, frame_ms=0)
    at_b = StreamClient(b.ws_url, frame_ms=0)

    def ingest(server: ServerProcess, tag: str) -> None:
        for i in range(40):
            _post(server, _batch(tag, i))

    writers = [threading.Thread(target=ingest, args=(s, t)) for s, t in ((a, "a"), (b, "b"))]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    total = 2 * 40 * 5
    assert at_a.read_events_until(total) == list(range(1, total + 1))
    assert at_b.read_events_until(total) == list(range(1, total + 1))
    titles_a = [e["data"]["title"] for f in at_a.frames if f["kind"] == "events" for e in f["events"]]
    titles_b = [e["data"]["title"] for f in at_b.frames if f["kind"] == "events" for e in f["events"]]
    assert titles_a == titles_b and {t.split("-")[0] for t in titles_a} == {"a", "b"}
    # the shared counter: both processes report the same position, and REST reads agree
    assert a.get("/api/status").json()["last_seq"] == b.get("/api/status").json()["last_seq"] == total
    assert backfill(b.url, 0) == list(range(1, total + 1))


def test_scale002_client_resumes_on_the_other_process_after_a_crash(pair) -> None:
    a, b = pair
    client = StreamClient(a.ws_url, frame_ms=0)
    for i in range(10):
        _post(b, _batch("before", i))
    seen = list(client.read_events_until(50))
    a.kill_hard()
    for i in range(10):
        _post(b, _batch("after", i))
    again = StreamClient(b.ws_url, frame_ms=0, after=seen[-1])
    assert again.hello["last_seq"] == 100
    rest = again.read_events_until(100)
    assert seen + rest == list(range(1, 101))


def test_scale003_redis_restart_loses_no_acknowledged_event(pair, scale_urls: ScaleUrls) -> None:
    a, b = pair
    client = StreamClient(a.ws_url, frame_ms=0)
    acknowledged = 0
    for i in range(5):
        acknowledged = _post(b, _batch("up", i))["last_seq"]
    assert client.read_events_until(acknowledged)[-1] == acknowledged
    redis = scale_urls.services.redis
    redis.stop()
    for i in range(5):  # Redis is down: ingest still answers 202, the events are in PostgreSQL
        acknowledged = _post(b, _batch("down", i))["last_seq"]
    redis.start()  # empty: the stream it held is gone
    for i in range(5):
        acknowledged = _post(b, _batch("back", i))["last_seq"]
    assert acknowledged == 75
    assert client.read_events_until(acknowledged, timeout=30) == list(range(1, 76))
    fresh = StreamClient(b.ws_url, frame_ms=0, after=0)
    assert fresh.read_events_until(75) == list(range(1, 76))


def test_scale004_workers_share_one_port(server_factory, scale_urls: ScaleUrls) -> None:
    server = server_factory("--no-collector", "--workers", "2", *scale_urls.args)
    clients = [StreamClient(server.ws_url, frame_ms=0) for _ in range(6)]  # spread over both workers
    for i in range(20):
        _post(server, _batch("w", i))
    for number, client in enumerate(clients):
        assert client.read_events_until(100) == list(range(1, 101)), f"client {number}: {client.frames[-3:]}"
    wait_until(lambda: server.get("/api/status").json()["last_seq"] == 100, message="status on any worker")


def test_scale005_workers_without_shared_store_refused(tmp_path) -> None:
    with pytest.raises(AssertionError, match="workers > 1 needs --store-url"):
        ServerProcess(tmp_path / "data", "--no-collector", "--workers", "2").start()


def test_scale006_a_new_database_is_a_new_epoch_and_old_clients_get_reset(
    server_factory, scale_urls: ScaleUrls
) -> None:
    server = server_factory("--no-collector", *scale_urls.args)
    _post(server, _batch("old", 0, 3))
    old = StreamClient(server.ws_url, after=0)
    old.read_events_until(3)
    epoch = old.hello["epoch"]
    old.close()
    server.stop()
    # the PostgreSQL counterpart of wiping the data dir: the same port, an empty database
    fresh_db = scale_urls.services.postgres.create_database()
    fresh = server_factory("--no-collector", "--store-url", fresh_db, "--bus-url", scale_urls.bus_url, port=server.port)
    client = StreamClient(fresh.ws_url, after=3, epoch=epoch)
    reset = client.next()
    assert reset["kind"] == "reset" and reset["epoch"] != epoch and "epoch" in reset["reason"]
    _post(fresh, _batch("new", 0, 1))
    assert client.read_events_until(1) == [1]


def _leader_pid(store_url: str) -> int | None:
    """The pid of the process holding the leader lock, from its connection's application_name."""
    import psycopg

    from hub.storage.leader import LEAD_LOCK

    with psycopg.connect(store_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.objid = %s AND l.granted",
            (LEAD_LOCK,),
        ).fetchone()
    return int(row[0].rsplit("-", 1)[1]) if row else None


def _metric_times(client: StreamClient, count: int) -> list[float]:
    """Receive times (the hub's `time`) of the next ``count`` system.metrics events."""
    from datetime import datetime

    times: list[float] = []
    while len(times) < count:
        frame = client.next(timeout=20)
        if frame["kind"] == "events":
            times += [datetime.fromisoformat(e["time"]).timestamp() for e in frame["events"]]
    return times


def test_scale007_workers_run_one_host_collector_and_it_moves_when_its_process_dies(
    server_factory, scale_urls: ScaleUrls
) -> None:
    import os
    import signal

    import psutil

    interval = 0.4
    server = server_factory("--collector-interval", str(interval), "--workers", "2", *scale_urls.args)
    workers = {p.pid for p in psutil.Process(server.proc.pid).children()}
    leader = wait_until(lambda: _leader_pid(scale_urls.store_url), timeout=15, message="a leader")
    assert leader in workers
    client = StreamClient(server.ws_url, type="system.metrics")
    # one collector: 9 samples span 8 intervals; one per worker would fit them in 4
    times = _metric_times(client, 9)
    assert times[-1] - times[0] >= 6 * interval, f"samples {interval} s apart came faster: {times}"
    os.kill(leader, signal.SIGKILL)  # the lock goes with its connection: another worker takes over
    wait_until(lambda: _leader_pid(scale_urls.store_url) not in (None, leader), timeout=20, message="a new leader")
    client = StreamClient(server.ws_url, type="system.metrics")  # the old one may have been on the dead worker
    times = _metric_times(client, 9)
    assert times[-1] - times[0] >= 6 * interval, f"after the takeover samples came faster: {times}"


def test_scale008_postgres_restart_mid_ingest_503_then_every_202_stored_once(
    server_factory, scale_urls: ScaleUrls
) -> None:
    server = server_factory("--no-collector", *scale_urls.args)
    client = StreamClient(server.ws_url, frame_ms=0)
    postgres = scale_urls.services.postgres
    accepted: dict[str, int] = {}  # event id -> seq, for every 202
    refused: list[list[dict]] = []  # batches answered 503
    others: list[tuple[int, str]] = []
    messages: list[str] = []
    down = threading.Event()
    stop = threading.Event()

    def ingest() -> None:
        i = 0
        while not stop.is_set():
            batch = [
                {"id": f"r{i}-{k}", "type": "notification", "data": {"level": "info", "title": f"{i}-{k}"}}
                for k in range(5)
            ]
            i += 1
            response = server.post(batch)
            if response.status_code == 202:
                first = response.json()["first_seq"]
                accepted.update({e["id"]: first + k for k, e in enumerate(batch)})
            elif response.status_code == 503:
                refused.append(batch)
                messages.append(response.json()["error"])
                down.set()
            else:
                others.append((response.status_code, response.text))

    poster = threading.Thread(target=ingest)
    poster.start()
    try:
        wait_until(lambda: len(accepted) >= 50, timeout=30, message="ingest under way")
        postgres.stop()  # mid-ingest, like a crash
        wait_until(down.is_set, timeout=30, message="a 503 while PostgreSQL is down")
        outage = len(refused)
        wait_until(lambda: len(refused) >= outage + 3, timeout=30, message="more 503s during the outage")
        postgres.start()
        before = len(accepted)
        wait_until(lambda: len(accepted) >= before + 50, timeout=60, message="202s again once PostgreSQL is back")
    finally:
        stop.set()
        poster.join(timeout=30)
    assert others == [], f"only 202 or 503 during a PostgreSQL restart: {others[:3]}"
    assert all("PostgreSQL (--store-url) is unreachable" in m and "retry" in m for m in messages), messages[:3]
    for batch in refused:  # the producer retries what was refused: stored once, never twice
        assert server.post(batch).status_code == 202
    events = backfill(server.url, 0)
    page = server.get("/api/events", params={"after": 0, "limit": 5000}).json()["events"]
    ids = [e["id"] for e in page]
    assert len(ids) == len(set(ids)), "an event stored twice"
    stored = {e["id"]: e["seq"] for e in page}
    assert all(stored.get(i) == seq for i, seq in accepted.items()), "a 202'd event is missing or moved"
    assert set(stored) == set(accepted) | {e["id"] for b in refused for e in b}
    assert events == list(range(1, len(stored) + 1)), "seqs have a gap"
    # the client connected throughout resumes in order, with nothing missing or twice
    assert client.read_events_until(len(stored), timeout=30) == events
    assert server.get("/api/status").json()["health"]["state"] != "degraded"
