"""The host collector in the real server process: system.metrics and system.status over HTTP."""

from __future__ import annotations

from typing import Any

from tests.server import ServerProcess, wait_until


def metrics_events(server: ServerProcess) -> list[dict[str, Any]]:
    response = server.get("/api/events", params={"type": "system.metrics"})
    assert response.status_code == 200, response.text
    return [e for e in response.json()["events"] if "cpu.percent" in e["data"]]


def test_collector_publishes_metrics_and_health(server_factory: Any) -> None:
    server = server_factory("--collector-interval", "0.2")
    events = wait_until(lambda: len(metrics_events(server)) >= 3 and metrics_events(server), timeout=15)
    first = events[0]
    assert first["type"] == "system.metrics" and first["source"].startswith("host/")
    for name in ("cpu.percent", "memory.percent", "memory.used_bytes", "disk.percent", "process.rss_bytes"):
        assert isinstance(first["data"][name], (int, float)), name
    assert 0 <= first["data"]["cpu.percent"] <= 100
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)

    status = server.get("/api/status").json()
    assert status["health"]["state"] in {"healthy", "degraded"}
    assert status["health"]["source"] == first["source"]
    assert set(status["health"]["components"]) == {"cpu", "memory"}
    assert {"cpu.percent", "memory.percent"} <= status["metrics"].keys()

    # published at start, then only on change: a few samples later there is still one
    statuses = server.get("/api/events", params={"type": "system.status"}).json()["events"]
    assert len(statuses) == 1, statuses

    names = {s["name"] for s in server.get("/api/metrics/series").json()["series"]}
    assert {"cpu.percent", "memory.percent", "process.rss_bytes"} <= names
    chart = server.get("/api/metrics", params={"series": "cpu.percent", "since": "60"}).json()
    assert chart["series"][0]["name"] == "cpu.percent" and chart["series"][0]["v"]


def test_no_collector_publishes_nothing_of_its_own(server_factory: Any) -> None:
    server = server_factory("--no-collector")
    # a collector publishes its initial status as soon as the server is up, so with
    # the flag ignored it would (all but always) be stored before our event
    assert server.post({"type": "notification", "data": {"level": "info", "title": "hi"}}).status_code == 202
    events = wait_until(lambda: server.get("/api/events").json()["events"])
    assert [e["type"] for e in events] == ["notification"]
    assert server.get("/api/status").json()["health"]["state"] == "unknown"
