"""Metric and event exports on the real server, read back with pandas."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

START = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.fixture
def metrics_server(server):
    events = [
        {"type": "metrics.update", "time": iso(START + timedelta(seconds=i)), "data": {"a": float(i), "b": 2.0 * i}}
        for i in range(600)
    ]
    for k in range(0, 600, 200):
        assert server.post(events[k : k + 200]).status_code == 202
    return server


def export(server, **params):
    r = server.get("/api/metrics/export", params=params)
    assert r.status_code == 200, r.text
    return r


def read(r, fmt):
    if fmt == "csv":
        return pd.read_csv(io.BytesIO(r.content))
    if fmt == "jsonl":
        return pd.read_json(io.BytesIO(r.content), lines=True)
    return pd.read_parquet(io.BytesIO(r.content))


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_long_export_round_trips(metrics_server, fmt):
    r = export(
        metrics_server, series=["a", "b"], since=iso(START), until=iso(START + timedelta(seconds=599)), format=fmt
    )
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="mova-metrics-') and disposition.endswith(f'.{fmt}"')
    assert START.strftime("%Y%m%dT%H%M%SZ") in disposition
    frame = read(r, fmt)
    assert list(frame.columns) == ["time", "series", "value"]
    assert len(frame) == 1200
    a = frame[frame.series == "a"]
    assert a.value.tolist() == [float(i) for i in range(600)]
    assert pd.to_datetime(a.time.iloc[0], utc=True) == pd.Timestamp(START)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_wide_export_aligns_series_by_step(metrics_server, fmt):
    r = export(
        metrics_server, since=iso(START), until=iso(START + timedelta(seconds=599)), format=fmt, layout="wide", step=60
    )
    frame = read(r, fmt)
    assert list(frame.columns) == ["time", "a", "b"]
    # buckets on whole minutes (multiples of step since the epoch), each row at its bucket's start
    samples = pd.DataFrame({"a": [float(i) for i in range(600)]})
    minute = (START.timestamp() + samples.index) // 60 * 60
    expected = samples.groupby(minute).a.mean()
    assert frame.a.tolist() == expected.tolist()
    times = pd.to_datetime(frame.time, utc=True)
    assert [t.timestamp() for t in times] == expected.index.tolist()
    assert (frame.b == 2 * frame.a).all()


def test_downsampled_export(metrics_server):
    r = export(metrics_server, series="a", since=iso(START), until=iso(START + timedelta(seconds=600)), max_points=20)
    frame = read(r, "csv")
    assert len(frame) == 20 and frame.value.iloc[0] == 14.5


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"format": "xlsx"}, "format"),
        ({"layout": "tall"}, "layout"),
        ({"since": 60, "until": 120}, "since"),
        ({"series": "nope"}, "series"),
        ({"step": "-1", "layout": "wide"}, "step"),
    ],
)
def test_bad_export_parameters_are_400(metrics_server, params, parameter):
    r = metrics_server.get("/api/metrics/export", params=params)
    assert r.status_code == 400, r.text
    assert r.json()["parameter"] == parameter


def test_events_export_with_filters(server):
    server.post(
        [
            {"type": "notification", "data": {"level": "info", "title": 'build, "quoted"\nline'}},
            {"type": "alert", "data": {"severity": "warning", "title": "disk"}},
            {"type": "notification", "data": {"level": "error", "title": "deploy failed"}},
        ]
    )
    r = server.get("/api/events/export", params={"type": "notification", "format": "csv"})
    assert r.status_code == 200 and "mova-events-" in r.headers["Content-Disposition"]
    frame = pd.read_csv(io.BytesIO(r.content))
    assert frame.seq.tolist() == [1, 3]
    assert frame.data.iloc[0] == '{"level":"info","title":"build, \\"quoted\\"\\nline"}'

    r = server.get("/api/events/export", params={"q": "DEPLOY", "format": "jsonl"})
    lines = pd.read_json(io.BytesIO(r.content), lines=True)
    assert lines.seq.tolist() == [3]

    r = server.get("/api/events/export", params={"after": 1, "before": 3, "format": "jsonl"})
    assert pd.read_json(io.BytesIO(r.content), lines=True).type.tolist() == ["alert"]

    empty = pd.read_csv(io.BytesIO(server.get("/api/events/export", params={"type": "ml"}).content))
    assert list(empty.columns) == ["seq", "time", "type", "source", "id", "data"] and empty.empty

    assert server.get("/api/events/export", params={"format": "xml"}).status_code == 400


def test_events_text_search_and_time_range(server):
    old = iso(datetime.now(UTC) - timedelta(hours=2))
    server.post(
        [
            {"type": "user.activity", "time": old, "data": {"user": "ann", "action": "login"}},
            {"type": "user.activity", "data": {"user": "bob", "action": "login"}},
        ]
    )
    assert [e["data"]["user"] for e in server.get("/api/events", params={"q": "BOB"}).json()["events"]] == ["bob"]
    recent = server.get("/api/events", params={"since": 3600}).json()["events"]
    assert [e["data"]["user"] for e in recent] == ["bob"]


def test_wide_export_of_everything_walks_only_where_samples_are(metrics_server):
    # since defaults to 1970: the export must not walk 56 years of empty windows
    frame = read(export(metrics_server, layout="wide", step=60, series=["a"]), "csv")
    assert 10 <= len(frame) <= 11 and frame.a.notna().all()
