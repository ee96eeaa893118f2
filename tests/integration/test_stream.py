"""The WebSocket stream at /ws on the real server, with a real client."""

from __future__ import annotations

import threading
import time

import pytest
import websocket

from tests.wsclient import StreamClient, backfill


def activity(i: int) -> dict:
    return {"type": "user.activity", "data": {"user": f"u{i}", "action": "click"}}


def test_hello_then_live_events(server):
    client = StreamClient(server.ws_url)
    assert client.hello["last_seq"] == 0 and client.hello["heartbeat_s"] == 30 and client.hello["epoch"]
    server.post([activity(1), activity(2)])
    assert client.read_events_until(2) == [1, 2]
    assert client.frames[0]["n"] == 1


def test_every_frame_after_hello_is_numbered(server):
    """pong, error and events share one count, so a client notices any frame it lost (DESIGN.md §4)."""
    client = StreamClient(server.ws_url)
    server.post([activity(1)])
    client.read_events_until(1)
    client.send({"kind": "ping"})
    client.send({"kind": "nonsense"})
    server.post([activity(2)])
    client.read_events_until(2)
    while len(client.frames) < 4:
        client.frames.append(client.next(timeout=10))
    assert sorted(f["kind"] for f in client.frames) == ["error", "events", "events", "pong"]
    assert [f["n"] for f in client.frames] == [1, 2, 3, 4]


def test_replay_then_live_without_gap_or_duplicate(server):
    for start in range(0, 3000, 500):
        server.post([activity(i) for i in range(start, start + 500)])
    stop = threading.Event()

    def publish_during_replay() -> None:
        i = 0
        while not stop.is_set() and i < 100:
            server.post([activity(i)] * 1 + [activity(i + 1)])
            i += 2

    writer = threading.Thread(target=publish_during_replay)
    writer.start()
    client = StreamClient(server.ws_url, after=0)
    writer.join()
    final = server.get("/api/status").json()["last_seq"]
    seqs = client.read_events_until(final)
    assert seqs == list(range(1, final + 1))
    assert [f["n"] for f in client.frames] == list(range(1, len(client.frames) + 1))


def test_resume_after_seq_and_type_filter(server):
    server.post([activity(0), {"type": "alert", "data": {"severity": "info", "title": "a"}}, activity(1)])
    client = StreamClient(server.ws_url, after=1, type="user")
    server.post([{"type": "alert", "data": {"severity": "info", "title": "b"}}, activity(2)])
    assert client.read_events_until(5) == [3, 5]
    assert all(e["type"] == "user.activity" for f in client.frames for e in f["events"])


def test_subscribe_changes_filter_and_ping_gets_pong(server):
    client = StreamClient(server.ws_url)
    client.send({"kind": "subscribe", "type": ["alert"]})
    assert client.next() == {"kind": "subscribed", "type": ["alert"], "n": 1}
    client.send({"kind": "ping"})
    assert client.next()["kind"] == "pong"
    server.post([activity(0), {"type": "alert", "data": {"severity": "warning", "title": "hot"}}])
    assert client.read_events_until(2) == [2]


@pytest.mark.parametrize(
    "frame", ["not json", '{"kind": "dance"}', "[1, 2]", '{"kind": "subscribe", "type": ["Bad Prefix"]}']
)
def test_malformed_client_frame_gets_error_and_connection_stays(server, frame):
    client = StreamClient(server.ws_url)
    client.send(frame)
    reply = client.next()
    assert reply["kind"] == "error" and reply["error"]
    client.send({"kind": "ping"})
    assert client.next()["kind"] == "pong"


def test_frame_over_64k_closes_with_1009(server):
    client = StreamClient(server.ws_url)
    client.send("x" * (65 * 1024))
    assert client.close_code() == 1009


def test_foreign_origin_is_rejected_and_own_origin_allowed(server):
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        StreamClient(server.ws_url, origin="http://evil.example")
    assert refused.value.status_code == 403
    client = StreamClient(server.ws_url, origin=server.url)
    assert client.hello["kind"] == "hello"


def test_configured_origin_is_allowed(server_factory, tmp_path):
    server = server_factory("--no-collector", "--allowed-origin", "https://ops.example", data_dir=tmp_path / "o")
    assert StreamClient(server.ws_url, origin="https://ops.example").hello["kind"] == "hello"


def test_bad_query_parameters_are_400(server):
    for query in ("?after=x", "?type=Bad!"):
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            websocket.create_connection(server.ws_url + query, timeout=5)
        assert refused.value.status_code == 400


def test_burst_coalesces_to_at_most_20_frames_a_second(server):
    clients = [StreamClient(server.ws_url) for _ in range(3)]
    eager = StreamClient(server.ws_url, frame_ms=0)
    started = time.monotonic()
    for start in range(0, 2000, 20):
        server.post([activity(i) for i in range(start, start + 20)])
    for client in clients:
        assert client.read_events_until(2000) == list(range(1, 2001))
    elapsed = time.monotonic() - started
    for client in clients:
        # 100 POSTs arrive as at most one frame per 50 ms: events coalesce under load
        assert len(client.frames) <= elapsed / 0.05 + 2
    assert eager.read_events_until(2000) == list(range(1, 2001))
    assert len(eager.frames) > max(len(c.frames) for c in clients), "frame_ms=0 takes batches as they come"


def test_frame_ms_out_of_range_is_400(server):
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(server.ws_url + "?frame_ms=-1", timeout=5)
    assert refused.value.status_code == 400


def test_stalled_client_gets_gap_and_recovers_by_rest(server_factory, tmp_path):
    server = server_factory("--no-collector", "--client-queue-events", "20", data_dir=tmp_path / "q")
    stalled = StreamClient(server.ws_url, timeout=60)
    healthy = StreamClient(server.ws_url, timeout=60)
    blob = "b" * 60_000
    # the healthy client reads all along, as healthy clients do (a client that does not read is the stalled one)
    healthy_reader = threading.Thread(target=healthy.read_events_until, args=(300, 120), daemon=True)
    healthy_reader.start()
    for i in range(300):  # ~18 MB: more than loopback socket buffers, so the stalled sender blocks
        server.post({"type": "x.blob", "data": {"i": i, "blob": blob}})
    healthy_reader.join(timeout=120)
    assert healthy.seqs == list(range(1, 301)), "the healthy client gets every event, beside the stalled one"
    assert [f["kind"] for f in healthy.frames if f["kind"] != "events"] == [], "and is never cut off"

    seen: list[int] = []
    gap_after = None
    while not seen or seen[-1] < 300:
        frame = stalled.next()
        if frame["kind"] == "gap":
            gap_after = frame["after"]
            seen += [s for s in backfill(server.url, seen[-1] if seen else 0) if not seen or s > seen[-1]]
        elif frame["kind"] == "events":
            seen += [e["seq"] for e in frame["events"] if not seen or e["seq"] > seen[-1]]
    assert gap_after is not None, "the stalled client must be told about the gap"
    assert seen == list(range(1, 301))


def test_hello_carries_current_health(server):
    assert StreamClient(server.ws_url).hello["health"]["state"] == "unknown"
    server.post({"type": "system.status", "data": {"state": "degraded", "message": "slow disk"}})
    health = StreamClient(server.ws_url).hello["health"]
    assert health["state"] == "degraded" and health["message"] == "slow disk"
