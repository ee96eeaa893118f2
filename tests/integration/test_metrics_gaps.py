"""GET /api/metrics is honest: nulls at outages and between training runs, 24 h that fills the chart,
strictly increasing times. A store contract (the series SQL of both dialects): the Makefile runs it on
PostgreSQL too. The JSON is read back as a chart would draw it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import SCALE
from tests.server import ServerProcess

NOW = datetime.now(UTC).replace(microsecond=0)  # taken at import: queries name their range from it, not "ago"
OUTAGE_START = NOW - timedelta(minutes=10)  # svc: 1 s samples for 2 min, 40 s of nothing, 2 min more
DAY_START = NOW - timedelta(hours=23, minutes=50)
RUN_START = NOW - timedelta(minutes=5)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _seed() -> list[dict[str, Any]]:
    svc = [OUTAGE_START - timedelta(seconds=120 - i) for i in range(120)]
    svc += [OUTAGE_START + timedelta(seconds=40 + i) for i in range(120)]
    events = [
        {"type": "metrics.update", "time": iso(t), "data": {"svc.latency": float(i % 7)}} for i, t in enumerate(svc)
    ]
    # two runs of one job back to back, 2 s apart like any two reports: only the progress going down says "new run"
    for run, (first, count) in enumerate([(0.0, 30), (0.0, 20)]):
        for i in range(count):
            at = RUN_START + timedelta(seconds=2 * i + 60 * run)  # run one ends at 58 s, run two starts at 60 s
            progress = first + (i + 1) / 40
            data = {"job": "ft", "progress": progress, "state": "running", "loss": 2.0 - progress - run}
            events.append({"type": "ml.training.progress", "time": iso(at), "data": data})
    # a day of 1-minute samples with a 30-minute outage in the middle, sent out of order and one twice
    day = [DAY_START + timedelta(minutes=m) for m in range(23 * 60 + 40) if not 600 <= m < 630]
    day_events = [
        {"type": "metrics.update", "time": iso(t), "data": {"day.load": float(k % 5)}} for k, t in enumerate(day)
    ]
    random.Random(3).shuffle(day_events)
    return events + day_events + day_events[:1]


@pytest.fixture(scope="module")
def gaps_server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    backend: list[str] = []
    if SCALE:
        services = request.getfixturevalue("scale_services")
        backend = ["--store-url", services.postgres.create_database(), "--bus-url", services.redis.url]
    server = ServerProcess(tmp_path_factory.mktemp("gaps") / "data", "--no-collector", *backend).start()
    try:
        events = _seed()
        for k in range(0, len(events), 1000):
            assert server.post(events[k : k + 1000]).status_code == 202
        yield server
    finally:
        server.stop()


def _series(server: ServerProcess, name: str, **params: Any) -> dict[str, Any]:
    r = server.get("/api/metrics", params={"series": name, **params})
    assert r.status_code == 200, r.text
    [series] = r.json()["series"]
    times = [datetime.fromisoformat(t.replace("Z", "+00:00")) for t in series["t"]]
    assert all(a < b for a, b in zip(times, times[1:], strict=False)), "times strictly increase, none twice"
    assert len(series["t"]) == len(series["v"]) == len(series["min"]) == len(series["max"])
    series["times"] = times
    return series


def _nulls(series: dict[str, Any]) -> list[int]:
    return [i for i, v in enumerate(series["v"]) if v is None]


@pytest.mark.parametrize("max_points", [1000, 100])
def test_gaps001_an_outage_is_a_break_not_a_line(gaps_server, max_points):
    since, until = OUTAGE_START - timedelta(seconds=130), OUTAGE_START + timedelta(seconds=170)
    s = _series(gaps_server, "svc.latency", since=iso(since), until=iso(until), max_points=max_points)
    [gap] = _nulls(s)
    before, after = s["times"][gap - 1], s["times"][gap + 1]
    assert before <= OUTAGE_START and after >= OUTAGE_START + timedelta(seconds=40) - timedelta(seconds=3)
    assert after - before >= timedelta(seconds=40) and s["min"][gap] is None and s["gaps"] == 1
    assert s["step_s"] == pytest.approx(max(1.0, 300 / max_points), rel=0.05)


def test_gaps002_a_new_training_run_is_not_joined_to_the_old_one(gaps_server):
    s = _series(gaps_server, "ml.ft.loss", since=iso(RUN_START - timedelta(minutes=1)), max_points=1000)
    [gap] = _nulls(s)
    values = [v for v in s["v"] if v is not None]
    assert len(values) == 50 and gap == 30  # run one's 30 points, the break, run two's 20
    assert s["v"][gap - 1] == pytest.approx(2.0 - 30 / 40) and s["v"][gap + 1] == pytest.approx(1.0 - 1 / 40)
    progress = _series(gaps_server, "ml.ft.progress", since=iso(RUN_START - timedelta(minutes=1)), max_points=1000)
    assert _nulls(progress) == [30]
    # within one run, no break
    second = _series(gaps_server, "ml.ft.loss", since=iso(RUN_START + timedelta(seconds=59)), max_points=1000)
    assert _nulls(second) == [] and len(second["v"]) == 20


def test_gaps003_a_day_fills_the_chart_with_minute_rollups(gaps_server):
    # the chart's "last 24 h" as of the seeding (NOW): the module may run minutes after it was imported
    s = _series(gaps_server, "day.load", since=iso(NOW - timedelta(hours=24)), until=iso(NOW), max_points=600)
    assert s["resolution"] == "1m"
    points = [v for v in s["v"] if v is not None]
    # 24 h in 600 buckets of 144 s over 23 h 10 min of data: 580 or so points, not 24 hourly ones
    assert 560 <= len(points) <= 600, len(points)
    [gap] = _nulls(s)
    outage = (DAY_START + timedelta(minutes=600), DAY_START + timedelta(minutes=630))
    assert s["times"][gap - 1] < outage[0] and s["times"][gap + 1] >= outage[1] - timedelta(minutes=3)
    raw = _series(
        gaps_server,
        "day.load",
        since=iso(DAY_START + timedelta(minutes=590)),
        until=iso(DAY_START + timedelta(minutes=640)),
    )
    assert raw["resolution"] == "raw" and len(_nulls(raw)) == 1 and len(raw["v"]) == 50 - 30 + 1 + 1
