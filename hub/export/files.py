"""Writing an export: its file name, its one time format, and tables streamed as CSV, JSON lines or Parquet.

One time format in every file: ISO 8601 UTC with milliseconds and Z
(2026-11-26T14:00:05.123Z) in CSV and JSON lines (Arrow's own cast to text, then
'T' and 'Z' put in: 0.3 us a row, where strftime costs 2 us), Parquet as
timestamp[ms, UTC]. File names carry the times of the first and last row.
Parquet goes through pyarrow's ParquetWriter, one row group per chunk, into a
sink that hands the bytes on as soon as each row group is written; no CSV
quoting or JSON escaping is written by hand.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hub.export.csvsafe import table_csv


def stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y%m%dT%H%M%SZ")


def filename(kind: str, span: tuple[float, float] | None, fmt: str) -> str:
    """The download's name: the times of its first and last row, or "none" and now when it has no rows."""
    if span is None:
        return f"mova-{kind}-none-{stamp(time.time())}.{fmt}"
    return f"mova-{kind}-{stamp(span[0])}-{stamp(span[1])}.{fmt}"


def timestamps(seconds: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Epoch seconds (float) as UTC timestamps with millisecond precision (no zone attached)."""
    return pc.round(pc.multiply(seconds, 1000.0)).cast(pa.int64()).cast(pa.timestamp("ms"))


def iso_text(times: pa.Array | pa.ChunkedArray) -> pa.Array:
    """timestamp[ms] (UTC) as ISO 8601 text with milliseconds and Z: 2026-11-26T14:00:05.123Z."""
    text = pc.utf8_replace_slice(times.cast(pa.timestamp("ms")).cast(pa.string()), 10, 11, "T")
    return pc.binary_join_element_wise(text, "Z", "")


def with_text_times(table: pa.Table) -> pa.Table:
    index = table.schema.get_field_index("time")
    return table.set_column(index, pa.field("time", pa.string()), iso_text(table.column("time")))


class Sink(io.RawIOBase):
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


def write_tables(tables: Iterator[pa.Table], fmt: str, schema: pa.Schema) -> Iterator[bytes]:
    """Serialize a stream of tables with one schema; yields bytes chunk by chunk."""
    if fmt == "parquet":
        sink = Sink()
        with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
            for table in tables:
                writer.write_table(table)
                yield sink.take()
        yield sink.take()
        return
    header = True
    for table in tables:
        table = with_text_times(table)
        if fmt == "csv":
            yield table_csv(table, header)
            header = False
        else:
            frame = table.to_pandas()
            yield frame.to_json(orient="records", lines=True).encode() + b"\n"
    if header and fmt == "csv":  # nothing matched: still a CSV with its header
        yield table_csv(with_text_times(schema.empty_table()), True)
