"""Numeric series in SQL: chart reads from samples or rollups, the rollups' rows, and retention.

Samples are kept raw for ``Retention.raw_samples_s`` and pre-aggregated into rollups of
10 s, 1 min and 1 h cells (min, max, sum, count, last) for ``Retention.rollups_s``. A chart
reads raw samples grouped into buckets for short ranges, else the coarsest rollup no wider
than its bucket, grouped; every query is written once in a ``Dialect`` (hub/storage/sql.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hub.storage.gaps import job_of, with_breaks
from hub.storage.sql import Dialect

# rollup resolutions in seconds: a chart reads the coarsest one finer than its bucket
ROLLUP_RESOLUTIONS = (10, 60, 3600)
RESOLUTION_NAMES = {0: "raw", 10: "10s", 60: "1m", 3600: "1h"}
RAW_RANGE_S = 3600  # up to an hour, grouping raw samples is cheap and exact


@dataclass(frozen=True)
class Retention:
    max_age_s: float
    max_events: int
    raw_samples_s: float = 2 * 86400
    rollups_s: float = 400 * 86400


def series_query(dialect: Dialect, res: int, since: float, until: float, bucket: float) -> tuple[str, tuple[Any, ...]]:
    """One series' points at resolution ``res`` (0: raw samples), in the dialect; params after series_id."""
    # each row: time text, average, min, max, and the time in epoch seconds (for hub.storage.gaps)
    if res == 0:
        sql = (
            f"SELECT {dialect.iso_ms.format(col='MIN(ts)')}, AVG(value), MIN(value), MAX(value), MIN(ts) FROM samples "
            "WHERE series_id = ? AND ts >= ? AND ts <= ? "
            f"GROUP BY {dialect.bucket.format(col='ts')} ORDER BY MIN(ts)"
        )
        args: tuple[Any, ...] = (since, until, since, bucket)
    elif res >= bucket:
        # the rollup's cells as they are, in primary-key order (no sort)
        sql = (
            f"SELECT {dialect.iso_ms.format(col='bucket')}, sum / count, min, max, bucket FROM rollups "
            "WHERE series_id = ? AND res = ? AND bucket >= ? AND bucket <= ? ORDER BY bucket"
        )
        args = (res, since - since % res, until)
    else:
        # past the coarsest rollup: its cells grouped
        sql = (
            f"SELECT {dialect.iso_ms.format(col='MIN(bucket)')}, SUM(sum) / SUM(count), MIN(min), MAX(max), MIN(bucket) "
            "FROM rollups WHERE series_id = ? AND res = ? AND bucket >= ? AND bucket <= ? "
            f"GROUP BY {dialect.bucket.format(col='bucket')} ORDER BY MIN(bucket)"
        )
        aligned = since - since % res  # cells start at or after it: the bucket number is never negative
        args = (res, aligned, until, aligned, bucket)
    return dialect.sql(sql), args


def resolution_for(retention: Retention, since: float, until: float, bucket: float) -> int:
    """0 for raw samples, else the rollup resolution in seconds to read.

    The coarsest rollup no wider than the chart's bucket, its cells grouped into buckets: a chart gets
    its max_points (24 h in 500 points reads 1-minute cells, never 24 hourly ones). The finest rollup
    when even it is wider than the bucket and raw samples are gone.
    """
    raw_covers = since >= time.time() - retention.raw_samples_s
    if raw_covers and (bucket < ROLLUP_RESOLUTIONS[0] or until - since <= RAW_RANGE_S):
        return 0
    fitting = [r for r in ROLLUP_RESOLUTIONS if r <= bucket]
    return fitting[-1] if fitting else ROLLUP_RESOLUTIONS[0]


def read_series(
    dialect: Dialect,
    conn: Any,
    names: Sequence[str],
    since: float,
    until: float,
    max_points: int,
    resolve: Callable[[float, float, float], int],
) -> list[dict[str, Any]]:
    """Each series between since and until in at most max_points points, aggregated in SQL.

    Short ranges group raw samples into time buckets. Longer ones read the finest
    rollup with at most max_points cells in the range (``resolve``: the store's
    resolution_for); past the coarsest rollup, its cells are grouped. ``conn`` is a
    reader connection, sqlite3 or psycopg: both have execute/fetchall.
    """
    bucket = max((until - since) / max_points, 1e-6)
    res = resolve(since, until, bucket)
    sql, args = series_query(dialect, res, since, until, bucket)
    ids = {n: i for n, i in conn.execute("SELECT name, id FROM series").fetchall()}
    out = []
    for name in names:
        series_id = ids.get(name)
        rows = conn.execute(sql, (series_id, *args)).fetchall() if series_id else []
        job = job_of(name)
        progress = ids.get(f"ml.{job}.progress") if job is not None else None
        starts = run_starts(dialect, conn, progress, since, until) if progress and rows else []
        out.append({"resolution": RESOLUTION_NAMES[res], **with_breaks(name, rows, bucket, starts)})
    return out


def run_starts(dialect: Dialect, conn: Any, progress_id: int, since: float, until: float) -> list[float]:
    """When a job's new runs began between since and until: its progress went back down (raw samples only)."""
    sql = (
        "SELECT ts FROM (SELECT ts, value, LAG(value) OVER (ORDER BY ts) AS previous FROM samples "
        "WHERE series_id = ? AND ts >= ? AND ts <= ?) AS p WHERE value < previous"
    )
    return [float(r[0]) for r in conn.execute(dialect.sql(sql), (progress_id, since, until)).fetchall()]


def retention_deletes(dialect: Dialect, retention: Retention, last_seq: int) -> list[tuple[str, tuple[float, ...]]]:
    """The DELETEs one retention pass runs in one transaction, oldest events and samples first."""
    now = time.time()
    deletes = [
        ("DELETE FROM events WHERE ts < ?", now - retention.max_age_s),
        ("DELETE FROM events WHERE seq <= ?", last_seq - retention.max_events),
        ("DELETE FROM samples WHERE ts < ?", now - retention.raw_samples_s),
        ("DELETE FROM rollups WHERE bucket < ?", now - retention.rollups_s),
    ]
    return [(dialect.sql(sql), (limit,)) for sql, limit in deletes]


def rollup_rows(samples: list[tuple[int, float, float]]) -> list[tuple[Any, ...]]:
    """Samples (series_id, ts, value) pre-aggregated per rollup bucket, ready for sql.upsert_rollup."""
    buckets: dict[tuple[int, int, float], list[float]] = {}
    for series_id, ts, value in samples:
        for res in ROLLUP_RESOLUTIONS:
            key = (series_id, res, ts - ts % res)
            agg = buckets.get(key)
            if agg is None:
                buckets[key] = [value, value, value, 1, value, ts]
            else:
                agg[0] = min(agg[0], value)
                agg[1] = max(agg[1], value)
                agg[2] += value
                agg[3] += 1
                if ts >= agg[5]:
                    agg[4], agg[5] = value, ts
    return [(*key, *agg) for key, agg in buckets.items()]
