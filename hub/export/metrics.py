"""Streamed exports of metric samples (GET /api/metrics/export): CSV, JSON lines or Parquet, long or wide.

Samples are read as Arrow record batches (the store's ``sample_batches``: built in
C on both databases, hub/storage/arrow.py) and each batch is written out as it
comes (hub/export/files.py), so memory stays constant whatever the range. The
wide layout keeps the real sample times (one row per distinct time), or with
``step`` averages into buckets aligned on multiples of ``step`` since the epoch,
each row at its bucket's start. The SQL is written once in the store's dialect.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hub.errors import InvalidInput
from hub.export.files import timestamps, write_tables
from hub.storage.interface import Store

WIDE_BUCKETS_PER_CHUNK = 20_000
METRIC_FORMATS = {"csv": "text/csv", "jsonl": "application/x-ndjson", "parquet": "application/vnd.apache.parquet"}
LAYOUTS = ("long", "wide")


@dataclass(frozen=True)
class MetricsRequest:
    names: Sequence[str]
    since: float
    until: float
    format: str = "csv"
    layout: str = "long"
    step: float | None = None  # wide layout: None keeps the real sample times, else aligned buckets
    max_points: int | None = None

    def check(self) -> None:
        if self.format not in METRIC_FORMATS:
            raise InvalidInput(
                f"format must be one of {', '.join(METRIC_FORMATS)}, got {self.format!r}", parameter="format"
            )
        if self.layout not in LAYOUTS:
            raise InvalidInput(f"layout must be long or wide, got {self.layout!r}", parameter="layout")
        if self.since >= self.until:
            raise InvalidInput("since must be before until", parameter="since")
        if self.step is not None and not self.step > 0:
            raise InvalidInput("step must be a number of seconds > 0, e.g. 60", parameter="step")


def _long_tables(store: Store, req: MetricsRequest, ids: dict[str, int]) -> Iterator[pa.Table]:
    # series ids become positions in a dictionary of names: no per-row Python work
    order = list(ids.values())
    lookup = pa.array(order, pa.int64())
    names = pa.array(list(ids), pa.string())
    marks = ",".join("?" * len(ids))
    sql = (
        f"SELECT series_id, ts, value FROM samples WHERE series_id IN ({marks}) AND ts >= ? AND ts <= ? "
        "ORDER BY series_id, ts"
    )
    columns = {"series_id": pa.int64(), "ts": pa.float64(), "value": pa.float64()}
    for batch in store.sample_batches(sql, [*order, req.since, req.until], columns):
        if batch.num_rows == 0:
            continue
        positions = pc.index_in(batch.column("series_id"), value_set=lookup).cast(pa.int32())
        yield pa.table(
            {
                "time": timestamps(batch.column("ts")),
                "series": pa.DictionaryArray.from_arrays(positions, names).cast(pa.string()),
                "value": batch.column("value").cast(pa.float64()),
            }
        )


def _wide_tables(store: Store, req: MetricsRequest, ids: dict[str, int]) -> Iterator[pa.Table]:
    """One row per real sample time (no step), or per bucket of ``step`` seconds aligned on the epoch."""
    marks = ",".join("?" * len(ids))
    step = req.step
    # a bucket's number is floor(ts / step): bucket k starts at k * step, whatever since was
    key = "ts" if step is None else store.dialect.bucket.format(col="ts")
    value = "value" if step is None else "AVG(value)"
    grouping = "" if step is None else " GROUP BY bucket, series_id"
    sql = (
        f"SELECT {key} AS bucket, series_id, {value} AS value FROM samples "
        f"WHERE series_id IN ({marks}) AND ts >= ? AND ts < ? AND ts >= ? AND ts <= ?{grouping}"
    )
    names_by_id = {i: n for n, i in ids.items()}
    # one time window at a time, aligned on multiples of the window (so of step): a bucket is never split
    window = (step or 1.0) * WIDE_BUCKETS_PER_CHUNK
    span = store.series_span(list(ids.values()))
    if span is None:
        return
    start = max(req.since, span[0]) // window * window  # only the windows that can hold samples
    end = min(req.until, span[1])
    columns = {"bucket": pa.float64() if step is None else pa.int64(), "series_id": pa.int64(), "value": pa.float64()}
    while start <= end:
        head = [] if step is None else [0.0, step]
        params = [*head, *ids.values(), start, start + window, req.since, req.until]
        start += window
        frames = [b.to_pandas() for b in store.sample_batches(sql, params, columns) if b.num_rows]
        if not frames:
            continue
        frame = pd.concat(frames, ignore_index=True)
        wide = frame.pivot_table(index="bucket", columns="series_id", values="value", aggfunc="mean")
        wide = wide.reindex(columns=list(names_by_id)).rename(columns=names_by_id).sort_index()
        seconds = wide.index.to_numpy(dtype="float64") * (step or 1.0)
        table = pa.Table.from_pandas(wide.reset_index(drop=True), preserve_index=False)
        yield table.add_column(0, "time", timestamps(pa.array(seconds, pa.float64())))


def _downsampled_tables(store: Store, req: MetricsRequest) -> Iterator[pa.Table]:
    assert req.max_points is not None
    series = store.query_series(req.names, req.since, req.until, req.max_points)
    if not series:  # no series at all (an empty store): the file is its header
        return
    long = pd.concat(
        [pd.DataFrame({"time": s["t"], "series": s["name"], "value": s["v"]}) for s in series], ignore_index=True
    )
    long = long[long["value"].notna()]  # the chart's gap markers (hub/storage/gaps.py) are not samples
    long["time"] = pd.to_datetime(long["time"], utc=True, format="ISO8601").dt.tz_localize(None)
    if req.layout == "wide":
        wide = long.pivot_table(index="time", columns="series", values="value").reindex(columns=list(req.names))
        yield pa.Table.from_pandas(wide.reset_index(), preserve_index=False)
    else:
        yield pa.Table.from_pandas(long, preserve_index=False)


def metrics_schema(req: MetricsRequest) -> pa.Schema:
    # Parquet records the zone in the type; text formats get ISO text with Z as they are written
    time_field = pa.field("time", pa.timestamp("ms", tz="UTC" if req.format == "parquet" else None))
    if req.layout == "wide":
        return pa.schema([time_field, *(pa.field(n, pa.float64()) for n in req.names)])
    return pa.schema([time_field, pa.field("series", pa.string()), pa.field("value", pa.float64())])


def _sample_span(store: Store, ids: dict[str, int], since: float, until: float) -> tuple[float, float] | None:
    """The first and last sample time of these series in [since, until] (None: no sample there)."""
    marks = ",".join("?" * len(ids))
    sql = f"SELECT MIN(ts), MAX(ts) FROM samples WHERE series_id IN ({marks}) AND ts >= ? AND ts <= ?"
    with store.read_connection() as conn:
        row = conn.execute(store.dialect.sql(sql), [*ids.values(), since, until]).fetchone()
    return None if row is None or row[0] is None else (float(row[0]), float(row[1]))


def export_metrics(store: Store, req: MetricsRequest) -> tuple[Iterator[bytes], tuple[float, float] | None]:
    """Check the request (raising InvalidInput before anything is sent); the file's chunks and its rows' span."""
    req.check()
    ids = store.series_ids(req.names)
    unknown = [n for n in req.names if n not in ids]
    if unknown:
        raise InvalidInput(
            f"unknown series {unknown[:5]}: see GET /api/metrics/series for the names", parameter="series"
        )
    schema = metrics_schema(req)
    tables: Iterator[pa.Table]
    if req.max_points is not None:
        tables = (t.cast(schema) for t in _downsampled_tables(store, req))
    elif req.layout == "wide":
        tables = (t.cast(schema) for t in _wide_tables(store, req, ids))
    else:
        tables = (t.cast(schema) for t in _long_tables(store, req, ids))
    span = _sample_span(store, ids, req.since, req.until) if ids else None
    if span is not None and req.layout == "wide" and req.step is not None and req.max_points is None:
        span = (span[0] // req.step * req.step, span[1] // req.step * req.step)  # the rows are bucket starts
    return write_tables(tables, req.format, schema), span
