"""Streamed exports of metric samples and events (CSV, JSONL, Parquet).

Samples are read from SQLite with the ADBC SQLite driver, which hands query
results over as Arrow record batches built in C (Python's sqlite3 makes one
tuple per row, which alone costs more than a second per million rows). Each
batch is written out as it comes, so memory stays constant whatever the range,
and no CSV quoting or JSON escaping is written by hand. One time format in every
file: ISO 8601 UTC with milliseconds and Z (2026-11-26T14:00:05.123Z) in CSV and
JSON lines (Arrow's own cast to text, then 'T' and 'Z' put in: 0.3 us a row, where
strftime costs 2 us), Parquet as timestamp[ms, UTC]. The wide layout keeps the
real sample times (one row per distinct time), or with ``step`` averages into
buckets aligned on multiples of ``step`` since the epoch, each row at its bucket's
start. File names carry the times of the first and last row. Parquet goes
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
import re
import time
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
from hub.events import format_time, parse_time
from hub.search import search_page
from hub.store import SQLITE, Dialect, EventFilter, SQLiteStore, StoredEvent

if TYPE_CHECKING:
    from hub.backends import Store

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


def stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y%m%dT%H%M%SZ")


def filename(kind: str, span: tuple[float, float] | None, fmt: str) -> str:
    """The download's name: the times of its first and last row, or "none" and now when it has no rows."""
    if span is None:
        return f"mova-{kind}-none-{stamp(time.time())}.{fmt}"
    return f"mova-{kind}-{stamp(span[0])}-{stamp(span[1])}.{fmt}"


def _timestamps(seconds: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Epoch seconds (float) as UTC timestamps with millisecond precision (no zone attached)."""
    return pc.round(pc.multiply(seconds, 1000.0)).cast(pa.int64()).cast(pa.timestamp("ms"))


def iso_text(times: pa.Array | pa.ChunkedArray) -> pa.Array:
    """timestamp[ms] (UTC) as ISO 8601 text with milliseconds and Z: 2026-11-26T14:00:05.123Z."""
    text = pc.utf8_replace_slice(times.cast(pa.timestamp("ms")).cast(pa.string()), 10, 11, "T")
    return pc.binary_join_element_wise(text, "Z", "")


def _with_text_times(table: pa.Table) -> pa.Table:
    index = table.schema.get_field_index("time")
    return table.set_column(index, pa.field("time", pa.string()), iso_text(table.column("time")))


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
        table = _with_text_times(table)
        if fmt == "csv":
            yield table_csv(table, header)
            header = False
        else:
            frame = table.to_pandas()
            yield frame.to_json(orient="records", lines=True).encode() + b"\n"
    if header and fmt == "csv":  # nothing matched: still a CSV with its header
        yield table_csv(_with_text_times(schema.empty_table()), True)


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
    """One row per real sample time (no step), or per bucket of ``step`` seconds aligned on the epoch."""
    marks = ",".join("?" * len(ids))
    step = req.step
    # a bucket's number is floor(ts / step): bucket k starts at k * step, whatever since was
    key = "ts" if step is None else _dialect(store).bucket.format(col="ts")
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
        frames = [b.to_pandas() for b in _sample_batches(store, sql, params, columns) if b.num_rows]
        if not frames:
            continue
        frame = pd.concat(frames, ignore_index=True)
        wide = frame.pivot_table(index="bucket", columns="series_id", values="value", aggfunc="mean")
        wide = wide.reindex(columns=list(names_by_id)).rename(columns=names_by_id).sort_index()
        seconds = wide.index.to_numpy(dtype="float64") * (step or 1.0)
        table = pa.Table.from_pandas(wide.reset_index(drop=True), preserve_index=False)
        yield table.add_column(0, "time", _timestamps(pa.array(seconds, pa.float64())))


def _downsampled_tables(store: Store, req: MetricsRequest) -> Iterator[pa.Table]:
    assert req.max_points is not None
    series = store.query_series(req.names, req.since, req.until, req.max_points)
    long = pd.concat(
        [pd.DataFrame({"time": s["t"], "series": s["name"], "value": s["v"]}) for s in series], ignore_index=True
    )
    long = long[long["value"].notna()]  # the chart's gap markers (hub.gaps) are not samples
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
        row = conn.execute(_dialect(store).sql(sql), [*ids.values(), since, until]).fetchone()
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
    return _write_tables(tables, req.format, schema), span


EVENT_COLUMNS = ["seq", "time", "type", "source", "id", "data"]
# the hub's own time format; a producer may send any ISO 8601 (an offset, no milliseconds)
NON_CANONICAL_TIME = re.compile(r'"time":"(?!\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")')


def canonical_time(text: str) -> str:
    """An event time as ISO 8601 UTC with milliseconds and Z, the one format of every export."""
    return format_time(parse_time(text))


def _jsonl_body(body: str) -> str:
    # stored text as it is, unless a "time" in it is not in the hub's format (rare: producers' own times)
    if NON_CANONICAL_TIME.search(body) is None:
        return body
    event = orjson.loads(body)
    return orjson.dumps({**event, "time": canonical_time(event["time"])}).decode()


def _event_pages(
    store: Store, event_filter: EventFilter, after: int, before: int | None, size: int
) -> Iterator[list[StoredEvent]]:
    """The matching events after ``after`` and before ``before``, oldest first, page by page."""
    position = after
    while True:
        if event_filter.text:  # a search walks the history in bounded steps; carry on until it is done
            found = search_page(store, event_filter, size, after=position)
            page, cursor = found.events, found.next_cursor
        else:
            page = store.read_after(position, event_filter, size)
            cursor = page[-1].seq if len(page) == size else None
        page = [e for e in page if before is None or e.seq < before]
        if page:
            yield page
        if cursor is None or (before is not None and cursor >= before - 1):
            return
        position = cursor


def _event_span(store: Store, event_filter: EventFilter, after: int, before: int | None) -> tuple[float, float] | None:
    """The times of the first and last matching event (their order is seq order)."""
    first = next(_event_pages(store, event_filter, after, before, 1), None)
    if first is None:
        return None
    end = min(before, store.last_seq + 1) if before is not None else store.last_seq + 1
    if event_filter.text:
        found = search_page(store, event_filter, 1, before=end)
        while not found.events and found.next_cursor is not None:
            found = search_page(store, event_filter, 1, before=found.next_cursor)
        last = found.events
    else:
        last = store.read_before(end, event_filter, 1)
    times = [parse_time(orjson.loads(e.body)["time"]).timestamp() for e in (first[0], *last[-1:])]
    return times[0], times[-1]


def export_events(
    store: Store, event_filter: EventFilter, after: int, before: int | None, fmt: str
) -> tuple[Iterator[bytes], tuple[float, float] | None]:
    """Events matching the filter (as the feed shows them: types, q, since/until, after/before), oldest first,
    as JSON lines (stored text) or CSV; and the times of the first and last of them."""
    if fmt not in EVENT_FORMATS:
        raise InvalidInput(f"format must be csv or jsonl, got {fmt!r}", parameter="format")

    def stream() -> Iterator[bytes]:
        header = True
        for page in _event_pages(store, event_filter, after, before, CHUNK_ROWS // 10):
            bodies = [_jsonl_body(e.body) for e in page]
            if fmt == "jsonl":
                yield ("\n".join(bodies) + "\n").encode()
                continue
            events = [orjson.loads(b) for b in bodies]
            frame = pd.DataFrame(
                {
                    "seq": [e["seq"] for e in events],
                    "time": [canonical_time(e["time"]) for e in events],
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

    return stream(), _event_span(store, event_filter, after, before)
