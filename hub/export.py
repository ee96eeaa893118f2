"""Streamed exports of metric samples and events (CSV, JSONL, Parquet).

Rows are read from SQLite in chunks and each chunk becomes a pyarrow table or
pandas frame that writes itself out, so memory stays constant whatever the
range, and no CSV quoting or JSON escaping is written by hand. Parquet goes
through pyarrow's ParquetWriter, one row group per chunk, into a sink that
hands the bytes on as soon as each row group is written.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from hub.errors import InvalidInput
from hub.store import EventFilter, SQLiteStore

CHUNK_ROWS = 100_000
WIDE_BUCKETS_PER_CHUNK = 20_000
METRIC_FORMATS = {"csv": "text/csv", "jsonl": "application/x-ndjson", "parquet": "application/vnd.apache.parquet"}
EVENT_FORMATS = {"csv": "text/csv", "jsonl": "application/x-ndjson"}
LAYOUTS = ("long", "wide")


@dataclass(frozen=True)
class MetricsRequest:
    names: Sequence[str]
    since: float
    until: float
    format: str = "csv"
    layout: str = "long"
    step: float = 1.0
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
        if not self.step > 0:
            raise InvalidInput("step must be a number of seconds > 0, e.g. 60", parameter="step")


def stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y%m%dT%H%M%SZ")


def filename(kind: str, since: float, until: float, fmt: str) -> str:
    return f"mova-{kind}-{stamp(since)}-{stamp(until)}.{fmt}"


def _timestamps(seconds: pa.Array) -> pa.Array:
    """Epoch seconds (float) as UTC timestamps with millisecond precision."""
    millis = pa.compute.round(pa.compute.multiply(seconds, 1000.0))
    return millis.cast(pa.int64()).cast(pa.timestamp("ms", tz="UTC"))


class _Sink(io.RawIOBase):
    """A write-only file that keeps what was written until ``take()`` (for streaming Parquet)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._pos = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._pos += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._pos

    def take(self) -> bytes:
        out, self._parts = b"".join(self._parts), []
        return out


def _write_tables(tables: Iterator[pa.Table], fmt: str, schema: pa.Schema) -> Iterator[bytes]:
    """Serialize a stream of tables with one schema; yields bytes chunk by chunk."""
    if fmt == "parquet":
        sink = _Sink()
        with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
            for table in tables:
                writer.write_table(table)
                yield sink.take()
        yield sink.take()
        return
    header = True
    for table in tables:
        if fmt == "csv":
            out = io.BytesIO()
            pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=header))
            header = False
            yield out.getvalue()
        else:
            frame = table.to_pandas()
            yield frame.to_json(orient="records", lines=True, date_format="iso", date_unit="ms").encode() + b"\n"
    if header and fmt == "csv":  # nothing matched: still a CSV with its header
        out = io.BytesIO()
        pacsv.write_csv(schema.empty_table(), out)
        yield out.getvalue()


def _long_tables(store: SQLiteStore, req: MetricsRequest, ids: dict[str, int]) -> Iterator[pa.Table]:
    names_by_id = {i: n for n, i in ids.items()}
    dictionary = pa.array(list(names_by_id.values()), pa.string())
    position = {series_id: k for k, series_id in enumerate(names_by_id)}
    marks = ",".join("?" * len(ids))
    sql = (
        f"SELECT series_id, ts, value FROM samples WHERE series_id IN ({marks}) AND ts >= ? AND ts <= ? "
        "ORDER BY series_id, ts"
    )
    with store.read_connection() as conn:
        cursor = conn.execute(sql, [*ids.values(), req.since, req.until])
        while rows := cursor.fetchmany(CHUNK_ROWS):
            series_ids, ts, values = zip(*rows, strict=True)
            series = pa.DictionaryArray.from_arrays(pa.array([position[s] for s in series_ids], pa.int32()), dictionary)
            yield pa.table(
                {
                    "time": _timestamps(pa.array(ts, pa.float64())),
                    "series": series.cast(pa.string()),
                    "value": pa.array(values, pa.float64()),
                }
            )


def _wide_tables(store: SQLiteStore, req: MetricsRequest, ids: dict[str, int]) -> Iterator[pa.Table]:
    marks = ",".join("?" * len(ids))
    sql = (
        "SELECT CAST((ts - ?) / ? AS INTEGER) AS bucket, series_id, AVG(value) FROM samples "
        f"WHERE series_id IN ({marks}) AND ts >= ? AND ts < ? AND ts <= ? GROUP BY bucket, series_id"
    )
    names_by_id = {i: n for n, i in ids.items()}
    window = req.step * WIDE_BUCKETS_PER_CHUNK
    start = req.since
    with store.read_connection() as conn:
        while start <= req.until:
            rows = conn.execute(sql, [req.since, req.step, *ids.values(), start, start + window, req.until]).fetchall()
            start += window
            if not rows:
                continue
            frame = pd.DataFrame(rows, columns=["bucket", "series_id", "value"])
            wide = frame.pivot(index="bucket", columns="series_id", values="value")
            wide = wide.reindex(columns=list(names_by_id)).rename(columns=names_by_id).sort_index()
            times = pa.array(req.since + wide.index.to_numpy() * req.step, pa.float64())
            table = pa.Table.from_pandas(wide.reset_index(drop=True), preserve_index=False)
            yield table.add_column(0, "time", _timestamps(times))


def _downsampled_tables(store: SQLiteStore, req: MetricsRequest) -> Iterator[pa.Table]:
    assert req.max_points is not None
    series = store.query_series(req.names, req.since, req.until, req.max_points)
    long = pd.concat(
        [pd.DataFrame({"time": s["t"], "series": s["name"], "value": s["v"]}) for s in series], ignore_index=True
    )
    long["time"] = pd.to_datetime(long["time"], utc=True, format="ISO8601")
    if req.layout == "wide":
        wide = long.pivot_table(index="time", columns="series", values="value").reindex(columns=list(req.names))
        yield pa.Table.from_pandas(wide.reset_index(), preserve_index=False)
    else:
        yield pa.Table.from_pandas(long, preserve_index=False)


def metrics_schema(req: MetricsRequest) -> pa.Schema:
    time_field = pa.field("time", pa.timestamp("ms", tz="UTC"))
    if req.layout == "wide":
        return pa.schema([time_field, *(pa.field(n, pa.float64()) for n in req.names)])
    return pa.schema([time_field, pa.field("series", pa.string()), pa.field("value", pa.float64())])


def export_metrics(store: SQLiteStore, req: MetricsRequest) -> Iterator[bytes]:
    """Check the request (raising InvalidInput before anything is sent), then stream the file."""
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
        tables = _long_tables(store, req, ids)
    return _write_tables(tables, req.format, schema)


EVENT_COLUMNS = ["seq", "time", "type", "source", "id", "data"]


def export_events(
    store: SQLiteStore, event_filter: EventFilter, after: int, before: int | None, fmt: str
) -> Iterator[bytes]:
    """Events matching the filter, oldest first, as JSON lines (stored text) or CSV."""
    if fmt not in EVENT_FORMATS:
        raise InvalidInput(f"format must be csv or jsonl, got {fmt!r}", parameter="format")

    def pages() -> Iterator[list[str]]:
        position = after
        while True:
            page = store.read_after(position, event_filter, CHUNK_ROWS // 10)
            page = [e for e in page if before is None or e.seq < before]
            if not page:
                return
            yield [e.body for e in page]
            position = page[-1].seq

    def stream() -> Iterator[bytes]:
        header = True
        for bodies in pages():
            if fmt == "jsonl":
                yield ("\n".join(bodies) + "\n").encode()
                continue
            events = [orjson.loads(b) for b in bodies]
            frame = pd.DataFrame(
                {
                    "seq": [e["seq"] for e in events],
                    "time": [e["time"] for e in events],
                    "type": [e["type"] for e in events],
                    "source": [e["source"] for e in events],
                    "id": [e["id"] for e in events],
                    "data": [orjson.dumps(e["data"]).decode() for e in events],
                }
            )
            yield frame.to_csv(index=False, header=header).encode()
            header = False
        if header and fmt == "csv":
            yield pd.DataFrame(columns=EVENT_COLUMNS).to_csv(index=False).encode()

    return stream()
