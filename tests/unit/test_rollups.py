"""Rollups: maintained as samples arrive, and chosen by GET /api/metrics for long ranges."""

from __future__ import annotations

import time

import pytest

from hub.events.model import Limits
from hub.events.validate import validate_batch
from hub.storage.series import Retention, rollup_rows
from hub.storage.sqlite import SQLiteStore


def iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}Z"


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "r.sqlite3", Retention(86400 * 30, 10**7, raw_samples_s=3600))
    yield s
    s.close()


def test_rollup_rows_aggregate_per_bucket():
    rows = {(r[1], r[2]): r[3:] for r in rollup_rows([(1, 100.0, 5.0), (1, 105.0, 1.0), (1, 119.0, 3.0)])}
    assert rows[(10, 100.0)] == (1.0, 5.0, 6.0, 2, 1.0, 105.0)  # min, max, sum, count, last, last_ts
    assert rows[(10, 110.0)] == (3.0, 3.0, 3.0, 1, 3.0, 119.0)
    assert rows[(60, 60.0)] == (1.0, 5.0, 9.0, 3, 3.0, 119.0)


def test_rollups_follow_writes_across_batches(store):
    base = 1_800_000_000.0  # a multiple of 3600
    for chunk in range(3):
        store.append(
            validate_batch(
                [
                    {"type": "metrics.update", "time": iso(base + chunk * 20 + i), "data": {"x": float(i)}}
                    for i in range(20)
                ],
                "api",
                Limits(),
            )
        )
    with store.read_connection() as conn:
        hour = conn.execute("SELECT min, max, sum, count FROM rollups WHERE res = 3600").fetchall()
    assert hour == [(0.0, 19.0, 3 * sum(range(20)), 60)]


def test_long_range_reads_rollups_and_old_range_never_reads_missing_raw(store):
    now = time.time()
    start = now - 6 * 3600
    events = [{"type": "metrics.update", "time": iso(start + i * 10), "data": {"x": 1.0}} for i in range(6 * 360)]
    for k in range(0, len(events), 1000):
        store.append(validate_batch(events[k : k + 1000], "api", Limits()))
    [day] = store.query_series(["x"], now - 86400, now, 100)
    # 864 s buckets: 1-minute cells grouped, so the 6 h of data fill a quarter of the 100 points (not 7 hourly ones)
    assert day["resolution"] == "1m"
    assert len(day["v"]) in (25, 26) and set(day["v"]) == {1.0}
    [recent] = store.query_series(["x"], now - 600, now, 600)
    assert recent["resolution"] == "raw"
    [old] = store.query_series(["x"], start, start + 600, 600)  # older than raw retention (1 h)
    assert old["resolution"] == "10s" and old["v"] and set(old["v"]) == {1.0}
    assert store.resolution_for(now - 30 * 86400, now, 30 * 86400 / 100) == 3600
    [month] = store.query_series(["x"], now - 30 * 86400, now, 100)  # 1 h cells grouped into 7.2 h buckets
    assert 1 <= len(month["v"]) <= 2 and set(month["v"]) == {1.0}
    [six_hours] = store.query_series(["x"], now - 6 * 3600, now, 2000)  # 10.8 s buckets: 10 s cells grouped
    assert six_hours["resolution"] == "10s" and 1990 <= len(six_hours["v"]) <= 2000  # to max_points
    assert six_hours["gaps"] == 0 and None not in six_hours["v"]
