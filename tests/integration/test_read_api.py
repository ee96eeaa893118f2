"""GET /api/events paging, /api/status, /api/health and the metrics endpoints, on the real server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_events_paging_after_before_type_limit(server):
    kinds = ["ml.training.progress", "file.operation", "ml.model.update"]
    data = {
        "ml.training.progress": {"job": "j", "progress": 0.5, "state": "running"},
        "file.operation": {"op": "put", "path": "/a", "status": "ok"},
        "ml.model.update": {"model": "m", "version": "1"},
    }
    server.post([{"type": kinds[i % 3], "data": data[kinds[i % 3]]} for i in range(30)])

    page = server.get("/api/events", params={"after": 0, "limit": 10}).json()
    assert [e["seq"] for e in page["events"]] == list(range(1, 11))
    assert page["more"] is True and page["last_seq"] == 30
    page = server.get("/api/events", params={"after": 25, "limit": 10}).json()
    assert [e["seq"] for e in page["events"]] == [26, 27, 28, 29, 30] and page["more"] is False

    older = server.get("/api/events", params={"before": 21, "limit": 5}).json()
    assert [e["seq"] for e in older["events"]] == [16, 17, 18, 19, 20] and older["more"] is True

    ml = server.get("/api/events", params={"type": "ml"}).json()["events"]
    assert {e["type"] for e in ml} == {"ml.training.progress", "ml.model.update"} and len(ml) == 20
    both = server.get("/api/events", params=[("type", "file"), ("type", "ml.model")]).json()["events"]
    assert {e["type"] for e in both} == {"file.operation", "ml.model.update"}
    assert server.get("/api/events", params={"type": "ml.train"}).json()["events"] == [], (
        "prefixes match whole segments"
    )


def test_events_bad_parameters_are_400(server):
    for params in ({"after": "x"}, {"limit": 0}, {"limit": 5001}, {"type": "Bad!"}, {"after": 1, "before": 2}):
        r = server.get("/api/events", params=params)
        assert r.status_code == 400, params
        assert r.json()["error"]


def test_health_and_status(server):
    assert server.get("/api/health").json() == {"ok": True}
    server.post({"type": "system.status", "data": {"state": "degraded", "message": "disk slow"}})
    server.post({"type": "system.metrics", "data": {"cpu.percent": 42.5}})
    status = server.get("/api/status").json()
    assert status["health"]["state"] == "degraded" and status["health"]["message"] == "disk slow"
    assert status["metrics"]["cpu.percent"] == 42.5
    assert status["last_seq"] == 2 and status["uptime_s"] > 0 and status["clients"] == 0
    assert status["categories"] == ["system"]


def test_status_names_every_stored_category_once(server):
    """The feed offers a chip per category the store holds (auth.* history included), in type order. The walk
    skips a category's types in one seek, and a bare "ab" is followed by "ab-c.x", another category."""
    types = ["ml.custom.step", "auth.login.failed", "ab", "ab.x.y", "ab-c.x", "ab.z", "auth.token", "ml", "z"]
    server.post([{"type": t, "data": {}} for t in types * 3])
    assert server.get("/api/status").json()["categories"] == ["ab", "ab-c", "auth", "ml", "z"]


def test_metrics_downsampled_by_time_buckets(server):
    start = datetime.now(UTC) - timedelta(minutes=10)
    events = [
        {
            "type": "system.metrics",
            "time": iso(start + timedelta(seconds=i)),
            "data": {"cpu.percent": i % 10, "mem": 1.0},
        }
        for i in range(600)
    ]
    for chunk in range(0, 600, 200):
        assert server.post(events[chunk : chunk + 200]).status_code == 202
    series = server.get("/api/metrics/series").json()["series"]
    assert {s["name"] for s in series} == {"cpu.percent", "mem"}
    cpu = next(s for s in series if s["name"] == "cpu.percent")
    assert cpu["first"] == iso(start) and cpu["last"] == iso(start + timedelta(seconds=599))

    body = server.get(
        "/api/metrics",
        params={
            "series": "cpu.percent",
            "since": iso(start),
            "until": iso(start + timedelta(seconds=600)),
            "max_points": 60,
        },
    ).json()
    [cpu] = body["series"]
    assert len(cpu["t"]) == 60 and len(cpu["v"]) == 60
    # each 10 s bucket holds 0..9: mean 4.5, min 0, max 9
    assert set(cpu["v"]) == {4.5} and set(cpu["min"]) == {0} and set(cpu["max"]) == {9}

    raw = server.get("/api/metrics", params={"series": "cpu.percent", "since": 900, "max_points": 10000}).json()
    assert len(raw["series"][0]["v"]) == 600


def test_metrics_bad_parameters_are_400(server):
    server.post({"type": "metrics.update", "data": {"q": 1}})
    cases = [
        {"series": "nope"},
        {"since": "yesterday"},
        {"since": 10, "until": 20},
        {"max_points": 0},
    ]
    for params in cases:
        r = server.get("/api/metrics", params=params)
        assert r.status_code == 400, params
        assert r.json()["error"]
