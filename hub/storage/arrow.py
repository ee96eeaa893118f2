"""Query results as Arrow record batches, for the exports: built in C on both databases.

SQLite is read with the ADBC SQLite driver, which hands results over as Arrow
record batches built in C (Python's sqlite3 makes one tuple per row, which alone
costs more than a second per million rows). PostgreSQL runs the same query as
``COPY (...) TO STDOUT``: the rows come as CSV text in chunks, which pyarrow's
streaming CSV reader parses in C into the same record batches (psycopg's per-row
tuples would cost what sqlite3's do). Either way memory stays constant whatever
the range.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import Any

import adbc_driver_sqlite.dbapi as adbc
import pyarrow as pa
import pyarrow.csv as pacsv

CHUNK_ROWS = 100_000


def sqlite_batches(path: str, sql: str, params: Sequence[Any]) -> Iterator[pa.RecordBatch]:
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


def copy_batches(
    conn: Any, sql: str, params: Sequence[Any], columns: dict[str, pa.DataType]
) -> Iterator[pa.RecordBatch]:
    """Run a query on a psycopg connection as COPY TO STDOUT (CSV) and yield it as Arrow batches of these columns."""
    read = pacsv.ReadOptions(column_names=list(columns), use_threads=False, block_size=4 << 20)
    convert = pacsv.ConvertOptions(column_types=columns)
    copy_sql = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
    with conn.cursor() as cursor, cursor.copy(copy_sql, list(params)) as copy:
        source = io.BufferedReader(_CopyReader(copy), buffer_size=1 << 20)
        if not source.peek(1):  # no rows: pyarrow refuses an empty CSV
            return
        yield from pacsv.open_csv(source, read_options=read, convert_options=convert)
