"""Exports are what the screen shows: the feed's filters, the chart's range and series, real times, one format.

A store contract (SQLite here, PostgreSQL's COPY path with MOVA_TEST_BACKEND=scale): every
file is read back and compared with GET /api/events or with what was posted.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.conftest import SCALE
from tests.server import ServerProcess

ISO_Z_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
# irregular sample times, off any grid: a wide export must keep them as they are
BASE = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)
A_TIMES = [BASE + timedelta(seconds=3 * i, milliseconds=570) for i in range(100)]
EVENT_START = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _events() -> list[dict[str, Any]]:
    out = []
    for i in range(120):
        moment = EVENT_START + timedelta(minutes=i)
        kind = ("alert", "notification", "user.activity")[i % 3]
        data = {
            "alert": {"severity": "warning", "title": f"disk {'full' if i % 2 else 'slow'} {i}"},
            "notification": {"level": "info", "title": f"deploy {i}"},
            "user.activity": {"user": f"u{i}", "action": "open", "target": "disk"},
        }[kind]
        # a producer's own time with an offset and no milliseconds: exports still write ISO UTC with Z
        time = moment.astimezone(pytest.importorskip("zoneinfo").ZoneInfo("Europe/Berlin")).isoformat()
        out.append({"type": kind, "time": time if i % 10 == 0 else iso(moment), "data": data})
    return out


@pytest.fixture(scope="module")
def truth_server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    backend: list[str] = []
    if SCALE:
        services = request.getfixturevalue("scale_services")
        backend = ["--store-url", services.postgres.create_database(), "--bus-url", services.redis.url]
    server = ServerProcess(tmp_path_factory.mktemp("truth") / "data", "--no-collector", *backend).start()
    try:
        assert server.post(_events()).status_code == 202
        samples = [{"type": "metrics.update", "time": iso(t), "data": {"a": float(i)}} for i, t in enumerate(A_TIMES)]
        # b only on every other a time, and once on a time of its own
        samples += [{"type": "metrics.update", "time": iso(t), "data": {"b": -float(i)}} for i, t in enumerate(A_TIMES)]
        samples = [s for k, s in enumerate(samples) if k < 100 or (k - 100) % 2 == 0]
        samples.append({"type": "metrics.update", "time": iso(BASE + timedelta(seconds=1.25)), "data": {"b": 99.0}})
        assert server.post(samples).status_code == 202
        yield server
    finally:
        server.stop()


def _name(r: Any) -> str:
    return re.search(r'filename="([^"]+)"', r.headers["Content-Disposition"]).group(1)


@pytest.mark.parametrize(
    "params",
    [
        {"type": "alert"},
        {"q": "DISK"},
        {"type": "alert", "q": "full"},
        {
            "q": "disk",
            "since": iso(EVENT_START + timedelta(minutes=30)),
            "until": iso(EVENT_START + timedelta(hours=1)),
        },
        {"type": ["alert", "notification"], "after": 20, "before": 90},
        {"type": "nothing"},
    ],
)
def test_truth001_events_export_is_what_the_feed_shows(truth_server, params):
    # the feed pages with after or before; the export takes both (a range of seqs)
    feed_params = {k: v for k, v in params.items() if k != "before"}
    feed = truth_server.get("/api/events", params={**feed_params, "limit": 5000}).json()["events"]
    feed = [e for e in feed if e["type"] != "metrics.update" and e["seq"] < params.get("before", 10**9)]
    for fmt in ("csv", "jsonl"):
        r = truth_server.get("/api/events/export", params={**params, "format": fmt})
        assert r.status_code == 200, r.text
        rows = (pd.read_csv if fmt == "csv" else lambda b: pd.read_json(b, lines=True, dtype=False))(
            io.BytesIO(r.content)
        )
        got = [] if rows.empty else rows.seq.tolist()
        assert got == [e["seq"] for e in feed], (fmt, params)
        name = _name(r)
        assert "1970" not in name
        if not feed:
            assert name.startswith("mova-events-none-")
            continue
        times = rows.time.tolist()
        assert all(ISO_Z_MS.match(t) for t in times), times[:3]
        first, last = (pd.Timestamp(t).to_pydatetime() for t in (times[0], times[-1]))
        assert name == f"mova-events-{stamp(first)}-{stamp(last)}.{fmt}"
        # the producer's +01:00 / +02:00 times are the same instants, written in UTC
        posted = {e["seq"]: pd.Timestamp(e["time"]) for e in feed}
        assert [pd.Timestamp(t) for t in times] == [posted[s] for s in got]


def _metrics(server: ServerProcess, **params: Any) -> tuple[pd.DataFrame, str, Any]:
    r = server.get("/api/metrics/export", params=params)
    assert r.status_code == 200, r.text
    fmt = params.get("format", "csv")
    body = io.BytesIO(r.content)
    frame = {"csv": pd.read_csv, "jsonl": lambda b: pd.read_json(b, lines=True, dtype=False)}.get(fmt, pd.read_parquet)(
        body
    )
    return frame, _name(r), r


def test_truth002_metrics_export_honours_the_charts_range_and_series(truth_server):
    since, until = A_TIMES[10], A_TIMES[29]
    frame, name, _ = _metrics(truth_server, series="a", since=iso(since), until=iso(until))
    assert set(frame.series) == {"a"} and frame.value.tolist() == [float(i) for i in range(10, 30)]
    assert name == f"mova-metrics-{stamp(since)}-{stamp(until)}.csv"
    # "seconds ago" like the chart's range: only what lies inside it; nothing in range gives "none", not 1970
    everything, name, _ = _metrics(truth_server, since=3600)
    assert set(everything.series) == {"a", "b"} and name == f"mova-metrics-{stamp(BASE)}-{stamp(A_TIMES[-1])}.csv"
    empty, name, _ = _metrics(truth_server, since=60)
    assert empty.empty and name.startswith("mova-metrics-none-")


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_truth003_wide_layout_keeps_real_sample_times_or_aligned_buckets(truth_server, fmt):
    frame, name, r = _metrics(truth_server, series=["a", "b"], since=3600, layout="wide", format=fmt)
    times = [pd.Timestamp(t) for t in frame.time]
    real = sorted({*A_TIMES, BASE + timedelta(seconds=1.25)})
    assert times == [pd.Timestamp(t) for t in real]  # every real time once, in order, none shifted
    by_time = dict(zip(times, frame.a.tolist(), strict=True))
    assert [by_time[pd.Timestamp(t)] for t in A_TIMES] == [float(i) for i in range(100)]
    b = dict(zip(times, frame.b.tolist(), strict=True))
    assert [b[pd.Timestamp(t)] for t in A_TIMES[::2]] == [-float(i) for i in range(0, 100, 2)]
    assert pd.isna(b[pd.Timestamp(A_TIMES[1])]) and b[pd.Timestamp(BASE + timedelta(seconds=1.25))] == 99.0
    if fmt == "parquet":
        assert str(pq.read_schema(io.BytesIO(r.content)).field("time").type) == "timestamp[ms, tz=UTC]"
    else:
        assert all(ISO_Z_MS.match(t) for t in frame.time)

    buckets, name, _ = _metrics(truth_server, series=["a"], since=3600, layout="wide", step=30, format=fmt)
    starts = [pd.Timestamp(t) for t in buckets.time]
    assert all(t.timestamp() % 30 == 0 for t in starts), starts[:3]  # on the bucket boundaries
    assert starts == sorted(set(starts)) and len(starts) in (10, 11)
    first = [float(i) for i, t in enumerate(A_TIMES) if t.timestamp() // 30 * 30 == starts[0].timestamp()]
    assert buckets.a.iloc[0] == sum(first) / len(first)
    assert name.endswith(f".{fmt}") and stamp(starts[0].to_pydatetime()) in name


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_truth004_one_time_format_in_long_and_downsampled_text_exports(truth_server, fmt):
    for params in ({}, {"max_points": 7}):
        frame, _, _ = _metrics(truth_server, since=3600, format=fmt, **params)
        assert len(frame) and all(ISO_Z_MS.match(t) for t in frame.time), frame.time.head(3).tolist()
