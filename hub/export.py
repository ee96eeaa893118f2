"""Streamed exports of metric samples and events (CSV, JSONL, Parquet).

Samples are read from SQLite with the ADBC SQLite driver, which hands query
results over as Arrow record batches built in C (Python's sqlite3 makes one
tuple per row, which alone costs more than a second per million rows). Each
batch is written out as it comes, so memory stays constant whatever the range,
and no CSV quoting or JSON escaping is written by hand. Times are UTC: CSV and
JSON lines carry them without a zone suffix (formatting zone-aware timestamps
costs ten times more in Arrow), Parquet as timestamp[ms, UTC]. Parquet goes
through pyarrow's ParquetWriter, one row group per chunk, into a sink that
hands the bytes on as soon as each row group is written.

On PostgreSQL (--store-url) the same queries run as ``COPY (...) TO STDOUT`` on
one of the store's reader connections: the rows come as CSV text in chunks,
which pyarrow's streaming CSV reader parses in C into the same record batches
(psycopg's per-row tuples would cost what sqlite3's do), so nothing new is
installed and memory stays constant here too.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import adbc_driver_sqlite.dbapi as adbc
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from hub.csvsafe import frame_csv, table_csv
from hub.errors import InvalidInput
from hub.store import SQLITE, Dialect, EventFilter, SQLiteStore

if TYPE_CHECKING:
    from hub.backends import Store

CHUNK_ROWS = 100_000
EVENTS_PER_CHUNK = 500  # events are up to 64 KiB each: a chunk stays under 32 MiB, and a client that left stops it soon
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


def _timestamps(seconds: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Epoch seconds (float) as UTC timestamps with millisecond precision (no zone attached)."""
    return pc.round(pc.multiply(seconds, 1000.0)).cast(pa.int64()).cast(pa.timestamp("ms"))


def _arrow_batches(path: str, sql: str, params: Sequence[Any]) -> Iterator[pa.RecordBatch]:
    """Run a read-only query and yield its result as Arrow record batches of CHUNK_ROWS rows."""
    with adbc.connect(f"file:{path}?mode=ro") as conn, conn.cursor() as cursor:
        cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(CHUNK_ROWS)})
        cursor.execute(sql, list(params))
        yield from cursor.fetch_record_batch()


class _CopyReader(io.RawIOBase):
    """A read-only file over the chunks of a psycopg ``COPY ... TO STDOUT``."""

    def __init__(self, copy: Any) -> None:
        self._copy = copy
        self._chunk = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._chunk:
            data = self._copy.read()
            if not data:
                return 0
            self._chunk = memoryview(bytes(data))
        n = min(len(buffer), len(self._chunk))
        buffer[:n] = self._chunk[:n]
        self._chunk = self._chunk[n:]
        return n


def _postgres_batches(
    store: Store, sql: str, params: Sequence[Any], columns: dict[str, pa.DataType]
) -> Iterator[pa.RecordBatch]:
    """Run a query on PostgreSQL as COPY TO STDOUT (CSV) and yield it as Arrow batches of these columns."""
    read = pacsv.ReadOptions(column_names=list(columns), use_threads=False, block_size=4 << 20)
    convert = pacsv.ConvertOptions(column_types=columns)
    copy_sql = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
    with store.read_connection() as conn, conn.cursor() as cursor, cursor.copy(copy_sql, list(params)) as copy:
        source = io.BufferedReader(_CopyReader(copy), buffer_size=1 << 20)
        if not source.peek(1):  # no rows: pyarrow refuses an empty CSV
            return
        yield from pacsv.open_csv(source, read_options=read, convert_options=convert)


def _dialect(store: Store) -> Dialect:
    if isinstance(store, SQLiteStore):
        return SQLITE
    from hub.pg_store import POSTGRES

    return POSTGRES


def _sample_batches(
    store: Store, sql: str, params: Sequence[Any], columns: dict[str, pa.DataType]
) -> Iterator[pa.RecordBatch]:
    """A query written with ``?`` placeholders, its rows as Arrow batches from whichever store this is."""
    if isinstance(store, SQLiteStore):
        yield from _arrow_batches(str(store.path), sql, params)
    else:
        yield from _postgres_batches(store, _dialect(store).sql(sql), params, columns)


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
            yield table_csv(table, header)
            header = False
        else:
            frame = table.to_pandas()
            yield frame.to_json(orient="records", lines=True, date_format="iso", date_unit="ms").encode() + b"\n"
    if header and fmt == "csv":  # nothing matched: still a CSV with its header
        yield table_csv(schema.empty_table(), True)


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
    for batch in _sample_batches(store, sql, [*order, req.since, req.until], columns):
        if batch.num_rows == 0:
            continue
        positions = pc.index_in(batch.column("series_id"), value_set=lookup).cast(pa.int32())
        yield pa.table(
            {
                "time": _timestamps(batch.column("ts")),
                "series": pa.DictionaryArray.from_arrays(positions, names).cast(pa.string()),
                "value": batch.column("value").cast(pa.float64()),
            }
        )


def _wide_tables(store: Store, req: MetricsRequest, ids: dict[str, int]) -> Iterator[pa.Table]:
    # one time window at a time, so that a bucket is never split across two chunks
    marks = ",".join("?" * len(ids))
    sql = (
        f"SELECT {_dialect(store).bucket.format(col='ts')} AS bucket, series_id, AVG(value) AS value FROM samples "
        f"WHERE series_id IN ({marks}) AND ts >= ? AND ts < ? AND ts <= ? GROUP BY bucket, series_id"
    )
    names_by_id = {i: n for n, i in ids.items()}
    window = req.step * WIDE_BUCKETS_PER_CHUNK
    span = store.series_span(list(ids.values()))
    if span is None:
        return
    # walk only the windows that can hold samples (since may be 1970), aligned to since's buckets
    start = req.since + max(0.0, (span[0] - req.since) // window) * window
    end = min(req.until, span[1])
    while start <= end:
        params = [req.since, req.step, *ids.values(), start, start + window, req.until]
        start += window
        columns = {"bucket": pa.int64(), "series_id": pa.int64(), "value": pa.float64()}
        frames = [b.to_pandas() for b in _sample_batches(store, sql, params, columns) if b.num_rows]
        if not frames:
            continue
        frame = pd.concat(frames, ignore_index=True)
        wide = frame.pivot(index="bucket", columns="series_id", values="value")
        wide = wide.reindex(columns=list(names_by_id)).rename(columns=names_by_id).sort_index()
        times = pa.array(req.since + wide.index.to_numpy() * req.step, pa.float64())
        table = pa.Table.from_pandas(wide.reset_index(drop=True), preserve_index=False)
        yield table.add_column(0, "time", _timestamps(times))


def _downsampled_tables(store: Store, req: MetricsRequest) -> Iterator[pa.Table]:
    assert req.max_points is not None
    series = store.query_series(req.names, req.since, req.until, req.max_points)
    if not series:  # no series at all (an empty store): the file is its header
        return
    long = pd.concat(
        [pd.DataFrame({"time": s["t"], "series": s["name"], "value": s["v"]}) for s in series], ignore_index=True
    )
    long["time"] = pd.to_datetime(long["time"], utc=True, format="ISO8601").dt.tz_localize(None)
    if req.layout == "wide":
        wide = long.pivot_table(index="time", columns="series", values="value").reindex(columns=list(req.names))
        yield pa.Table.from_pandas(wide.reset_index(), preserve_index=False)
    else:
        yield pa.Table.from_pandas(long, preserve_index=False)


def metrics_schema(req: MetricsRequest) -> pa.Schema:
    # Parquet records the zone in the type at no cost; text formats carry UTC without a suffix
    time_field = pa.field("time", pa.timestamp("ms", tz="UTC" if req.format == "parquet" else None))
    if req.layout == "wide":
        return pa.schema([time_field, *(pa.field(n, pa.float64()) for n in req.names)])
    return pa.schema([time_field, pa.field("series", pa.string()), pa.field("value", pa.float64())])


def export_metrics(store: Store, req: MetricsRequest) -> Iterator[bytes]:
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
        tables = (t.cast(schema) for t in _long_tables(store, req, ids))
    return _write_tables(tables, req.format, schema)


EVENT_COLUMNS = ["seq", "time", "type", "source", "id", "data"]


def export_events(store: Store, event_filter: EventFilter, after: int, before: int | None, fmt: str) -> Iterator[bytes]:
    """Events matching the filter, oldest first, as JSON lines (stored text) or CSV."""
    if fmt not in EVENT_FORMATS:
        raise InvalidInput(f"format must be csv or jsonl, got {fmt!r}", parameter="format")

    def pages() -> Iterator[list[str]]:
        position = after
        while True:
            page = store.read_after(position, event_filter, EVENTS_PER_CHUNK)
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
            yield frame_csv(frame, header)
            header = False
        if header and fmt == "csv":
            yield frame_csv(pd.DataFrame(columns=EVENT_COLUMNS), True)

    return stream()
