"""Tokens, rate limits, connection caps, client frame limits, dead sockets, reset and full disk."""

from __future__ import annotations

import shutil

import pytest
import requests
import websocket

from hub.live.stream import Subscription, reset_reason
from tests.server import wait_until
from tests.wsclient import StreamClient

NOTE = {"type": "notification", "data": {"level": "info", "title": "x"}}


def test_named_producers_get_their_source_and_wrong_tokens_401(server_factory):
    server = server_factory("--no-collector", "--producer", "trainer=tok-trainer-1", "--producer", "etl=tok-etl-22")
    assert server.post(NOTE).status_code == 401
    assert server.post(NOTE, headers={"Authorization": "Bearer tok-trainer-2"}).status_code == 401
    assert server.post(NOTE, headers={"Authorization": "Basic tok-etl-22"}).status_code == 401
    assert server.post(NOTE, headers={"Authorization": "Bearer tok-trainer-1"}).status_code == 202
    assert server.post({**NOTE, "source": "own"}, headers={"Authorization": "Bearer tok-etl-22"}).status_code == 202
    events = server.get("/api/events").json()["events"]
    assert [e["source"] for e in events] == ["trainer", "own"]
    assert "tok-trainer-1" not in server.output() and "tok-etl-22" not in server.output()


def test_rate_limit_is_429_with_retry_after(server_factory):
    server = server_factory("--no-collector", "--producer", "bot=bot-token-1", "--token-rate", "5")
    auth = {"Authorization": "Bearer bot-token-1"}
    assert server.post([NOTE] * 10, headers=auth).status_code == 202  # the burst: twice the rate
    limited = server.post([NOTE] * 5, headers=auth)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1 and "retry in" in limited.json()["error"]
    assert len(server.get("/api/events").json()["events"]) == 10


def test_connection_cap_answers_503(server_factory):
    server = server_factory("--no-collector", "--max-connections", "2")
    StreamClient(server.ws_url)
    StreamClient(server.ws_url)
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(server.ws_url, timeout=5)
    assert refused.value.status_code == 503


def test_client_over_frame_limit_is_throttled(server_factory):
    server = server_factory("--no-collector", "--client-frames-per-minute", "5")
    client = StreamClient(server.ws_url)
    for _ in range(8):
        client.send({"kind": "ping"})
    replies = [client.next()["kind"] for _ in range(6)]
    assert replies == ["pong"] * 5 + ["error"]
    server.post(NOTE)  # the connection stays up and keeps streaming
    assert client.read_events_until(1) == [1]


def test_dead_connection_dropped_within_two_heartbeats(server_factory):
    server = server_factory("--no-collector", "--heartbeat-s", "1")
    silent = websocket.create_connection(server.ws_url, timeout=5)  # never reads, so never answers pings
    wait_until(lambda: server.get("/api/status").json()["clients"] == 1, timeout=5, message="socket registered")
    wait_until(lambda: server.get("/api/status").json()["clients"] == 0, timeout=4, message="dead socket dropped")
    silent.close()


def test_wiped_store_sends_reset_to_a_client_from_before(server_factory, tmp_path):
    data = tmp_path / "wipe"
    server = server_factory("--no-collector", data_dir=data)
    server.post([NOTE] * 3)
    old = StreamClient(server.ws_url, after=0)
    old.read_events_until(3)
    epoch = old.hello["epoch"]
    old.close()
    server.stop()
    shutil.rmtree(data)
    fresh = server_factory("--no-collector", data_dir=data, port=server.port)
    client = StreamClient(fresh.ws_url, after=3, epoch=epoch)
    reset = client.next()
    assert reset["kind"] == "reset" and reset["epoch"] != epoch and "epoch" in reset["reason"]
    fresh.post(NOTE)
    assert client.read_events_until(1) == [1]
    beyond = StreamClient(fresh.ws_url, after=50)
    assert beyond.next()["kind"] == "reset"
    page = fresh.get("/api/events", params={"after": 0}).json()
    assert page["epoch"] == reset["epoch"] and page["first_seq"] == 1


def test_reset_reason_for_positions_lost_to_retention():
    assert reset_reason(Subscription(after=10), "e", first_seq=5, last_seq=20) is None
    assert reset_reason(Subscription(after=4), "e", first_seq=5, last_seq=20) is None
    assert "retention" in reset_reason(Subscription(after=3), "e", first_seq=5, last_seq=20)
    assert reset_reason(Subscription(after=None, epoch="e"), "e", first_seq=5, last_seq=20) is None


def test_full_store_answers_503_degrades_health_and_recovers(server_factory):
    server = server_factory("--no-collector", "--max-db-mb", "1", "--retention-events", "3")
    assert server.post({"type": "system.status", "data": {"state": "healthy"}}).status_code == 202
    client = StreamClient(server.ws_url)
    blob = {"type": "x.blob", "data": {"blob": "z" * 60_000}}
    statuses = []
    for _ in range(40):
        statuses.append(server.post(blob).status_code)
        if statuses[-1] == 503:
            break
    assert statuses[-1] == 503, "a 1 MiB store must fill up"
    full = server.post(blob)
    if full.status_code == 503:  # retention may already have made room
        assert "cannot write" in full.json()["error"] or "could not write" in full.json()["error"]
    acknowledged = statuses.count(202) + (full.status_code == 202)
    frames = []
    while not any(f.get("kind") == "health" and f.get("state") == "degraded" for f in frames):
        frames.append(client.next())
    # retention runs at once after a failed write, so ingest recovers and health with it
    wait_until(lambda: server.post(NOTE).status_code == 202, timeout=10, message="ingest recovers")
    assert server.get("/api/status").json()["health"]["state"] == "healthy"
    stored = server.get("/api/events", params={"limit": 5000}).json()
    assert stored["last_seq"] >= acknowledged, "every 202 got a seq"
    requests.get(server.url + "/api/health", timeout=5).raise_for_status()
