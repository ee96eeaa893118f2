"""hub.demo.player.Demo against the real server: every panel's category shows up within seconds."""

from __future__ import annotations

from hub.demo.player import Demo
from tests.server import wait_until

PANELS = {"ml", "file", "user", "plugin", "notification"}


def test_demo_feeds_every_category(server):
    types: set[str] = set()
    after = 0

    def poll() -> bool:
        nonlocal after
        page = server.get("/api/events", params={"after": after, "limit": 5000}).json()
        for event in page["events"]:
            types.add(event["type"])
            after = event["seq"]
        categories = {t.split(".", 1)[0] for t in types}
        return categories >= PANELS and types >= {"ml.training.progress", "ml.prediction.result", "user.presence"}

    demo = Demo(server.url, seed=4, time_scale=20).start()
    try:
        wait_until(poll, timeout=20, interval=0.2, message=f"categories {PANELS}")
    finally:
        demo.stop()
    assert demo.publisher is not None
    stats = demo.publisher.stats
    assert stats.rejected == 0 and stats.dropped == 0 and stats.accepted > 0
    sources = {e["source"] for e in server.get("/api/events", params={"limit": 5000}).json()["events"]}
    assert {"demo/trainer", "demo/storage", "demo/portal", "demo/plugins", "demo/ops"} <= sources


def test_demo_stops_at_once_and_sends_nothing_after(server):
    demo = Demo(server.url, seed=1, time_scale=50).start()
    wait_until(lambda: server.get("/api/status").json()["last_seq"] > 20, timeout=20, message="demo events")
    demo.stop()
    assert demo.publisher is not None and demo.publisher.stats.pending == 0
    last = server.get("/api/status").json()["last_seq"]
    demo.stop()  # idempotent
    # nothing is queued or running any more: the stored count is final
    assert demo._thread is not None and not demo._thread.is_alive()
    assert not demo.publisher.thread.is_alive()
    assert server.get("/api/status").json()["last_seq"] == last
