"""The durable store: SQLite in WAL mode with one writer thread.

One thread owns the only write connection and takes batches from a queue
(datasette's pattern): requests that arrive together are written in one
transaction and acknowledged together after COMMIT, so an acknowledged event is
on disk. After each commit the writer hands the new events, in ``seq`` order,
to ``on_commit`` (the bus): nothing reaches a client before it is durable.
Readers use their own connections from a small pool. The reads and the SQL
shared with PostgreSQL are in hub/storage/base.py.

Events are kept with their JSON text (``body``, ``seq`` included) so that
reads and the socket send stored text without encoding it again.
"""

from __future__ import annotations

import functools
import itertools
import logging
import os
import queue
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa

from hub.errors import Unavailable
from hub.events.model import NewEvent, StoredEvent
from hub.storage.arrow import sqlite_batches
from hub.storage.base import SQLStore, plan_write
from hub.storage.series import Retention, retention_deletes
from hub.storage.sql import SQLITE, schema
from hub.storage.writer import RETENTION_EVERY_S, WriteRequest

logger = logging.getLogger(__name__)

# a full request (the default batch limit) in one statement: 6,000 parameters, under SQLite's
# limit (32,766 since 3.32). 500 rows a statement measured ~15% fewer events/s at 1,000-event batches:
# each statement lets go of the GIL once more
INSERT_ROWS_PER_STATEMENT = 1000


@functools.cache
def insert_events_sql(rows: int) -> str:
    """INSERT of ``rows`` events in one statement (cached: sqlite3 prepares each distinct text once)."""
    return "INSERT INTO events (seq, id, source, type, ts, body) VALUES " + ",".join(["(?, ?, ?, ?, ?, ?)"] * rows)


class SQLiteStore(SQLStore):
    """Events and numeric samples in one SQLite file."""

    dialect = SQLITE

    def __init__(
        self,
        path: Path,
        retention: Retention,
        synchronous: str = "FULL",
        on_commit: Callable[[list[StoredEvent]], None] | None = None,
        readers: int = 8,
        max_bytes: int = 0,
        on_write_health: Callable[[str | None], None] | None = None,
    ) -> None:
        self.path = path
        self.retention = retention
        self.on_commit = on_commit
        path.parent.mkdir(parents=True, exist_ok=True)
        self._synchronous = synchronous.upper()
        self._writer = self._connect()
        self._writer.executescript(schema(SQLITE))
        if max_bytes:
            page_size = self._writer.execute("PRAGMA page_size").fetchone()[0]
            self._writer.execute(f"PRAGMA max_page_count = {max(1, max_bytes // page_size)}")
        self.on_write_health = on_write_health
        self.write_error: str | None = None  # why the last write failed, until one succeeds
        self.epoch = self._ensure_epoch()
        self._last_seq = self._read_last_seq()
        self._series_ids = dict(self._writer.execute("SELECT name, id FROM series").fetchall())
        self._readers: queue.Queue[sqlite3.Connection] = queue.Queue()
        for _ in range(readers):
            self._readers.put(self._connect())
        self._start_writer("store-writer")

    # -- connections -------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self._synchronous}")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        conn = self._readers.get()
        try:
            yield conn
        finally:
            self._readers.put(conn)

    def _ensure_epoch(self) -> str:
        row = self._writer.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()
        if row:
            return str(row[0])
        epoch = uuid.uuid4().hex[:12]
        self._writer.execute("INSERT INTO meta (key, value) VALUES ('epoch', ?)", (epoch,))
        return epoch

    def _read_last_seq(self) -> int:
        row = self._writer.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
        return int(row[0]) if row else 0

    # -- writing -----------------------------------------------------------

    def _write_group(self, group: list[WriteRequest]) -> None:
        try:
            self._writer.execute("BEGIN IMMEDIATE")
            plan = plan_write(group, self._existing_keys([e for r in group for e in r.events]), self._last_seq)
            self._insert_events(plan.rows)
            if plan.samples:
                self._insert_samples(self._writer, plan.samples)
            self._writer.execute("COMMIT")
        except Exception as exc:  # the disk, not the input: every request in the group fails alike
            logger.exception("store write failed")
            if self._writer.in_transaction:
                self._writer.execute("ROLLBACK")
            self._series_ids = dict(self._writer.execute("SELECT name, id FROM series").fetchall())
            cause = str(exc)
            if isinstance(exc, sqlite3.Error) and exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_IOERR:
                cause = f"{cause}{self._write_probe_error()}"
            # health first, so that whoever gets the 503 and then asks /api/status sees it degraded
            self._set_write_error(
                f"the store cannot write to its data dir ({cause}): free disk space or make the data dir "
                "writable; ingest answers 503 until then"
            )
            error = Unavailable(
                f"the store could not write to its data dir ({cause}); nothing was stored: "
                "retry once the disk is writable again (events with an id are never stored twice)"
            )
            for request in group:
                request.future.set_exception(error)
            self._next_retention = 0.0  # a full store may have room again once retention has run
            return
        if self.write_error is not None:
            self._set_write_error(None)
        if plan.stored:
            self._last_seq = plan.last_seq
        for request, result in zip(group, plan.results, strict=True):
            request.future.set_result(result)
        self._publish(plan.stored)

    def _write_probe_error(self) -> str:
        """SQLite only says "disk I/O error": a write of our own beside the db gets the kernel's reason."""
        probe = self.path.with_name(".mova-write-probe")
        try:
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.pwrite(fd, b"ok", 0)
                os.fsync(fd)
            finally:
                os.close(fd)
                probe.unlink(missing_ok=True)
        except OSError as err:
            return f": {err.strerror}"
        return ""

    def _probe_write(self) -> None:
        # a new page's worth, written durably and removed: fails alike on a read-only or a full disk (or store)
        try:
            self._writer.execute("BEGIN IMMEDIATE")
            self._writer.execute("INSERT INTO meta (key, value) VALUES ('write-probe', randomblob(8192))")
            self._writer.execute("DELETE FROM meta WHERE key = 'write-probe'")
            self._writer.execute("COMMIT")
        except sqlite3.Error:
            if self._writer.in_transaction:
                self._writer.execute("ROLLBACK")
            return
        self._set_write_error(None)

    def _insert_events(self, rows: list[tuple[int, str, str, str, float, str]]) -> None:
        # Many rows to a statement, not executemany: sqlite3 lets go of the GIL around every
        # statement it steps, and under load taking it back costs the writer up to the switch
        # interval (5 ms) each time while request threads validate; one step per row made the
        # writer the bottleneck of ingest (about half its time at 1,000-event batches)
        for start in range(0, len(rows), INSERT_ROWS_PER_STATEMENT):
            chunk = rows[start : start + INSERT_ROWS_PER_STATEMENT]
            self._writer.execute(insert_events_sql(len(chunk)), list(itertools.chain.from_iterable(chunk)))

    def _existing_keys(self, events: list[NewEvent]) -> set[tuple[str, str]]:
        """The (id, source) pairs of these events already stored."""
        found: set[tuple[str, str]] = set()
        # Ids the hub assigned are new, but a producer could have sent one as its own: one range
        # read between their least and greatest finds any such event (almost always none), where
        # looking each up cost a tenth of the writer's time
        assigned = [e.id for e in events if e.assigned_id]
        if assigned:
            found.update(
                self._writer.execute(
                    "SELECT id, source FROM events WHERE id BETWEEN ? AND ?", (min(assigned), max(assigned))
                ).fetchall()
            )
        ids = list({e.id for e in events if not e.assigned_id})
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self._writer.execute(f"SELECT id, source FROM events WHERE id IN ({marks})", chunk).fetchall())
        return found

    def _apply_retention(self) -> None:
        self._next_retention = time.monotonic() + RETENTION_EVERY_S
        try:
            self._writer.execute("BEGIN IMMEDIATE")
            for sql, params in retention_deletes(SQLITE, self.retention, self._last_seq):
                self._writer.execute(sql, params)
            self._writer.execute("COMMIT")
        except sqlite3.Error:
            logger.exception("retention failed; will retry")
            if self._writer.in_transaction:
                self._writer.execute("ROLLBACK")

    # -- reading -----------------------------------------------------------

    @property
    def last_seq(self) -> int:
        return self._last_seq

    def first_seq(self) -> int:
        with self._reader() as conn:
            row = conn.execute("SELECT MIN(seq) FROM events").fetchone()
        return int(row[0]) if row and row[0] is not None else self._last_seq + 1

    def sample_batches(
        self, sql: str, params: Sequence[Any], columns: dict[str, pa.DataType]
    ) -> Iterator[pa.RecordBatch]:
        """Read-only, on a connection of its own (ADBC's, which builds the Arrow batches in C)."""
        return sqlite_batches(str(self.path), sql, params)

    def close(self) -> None:
        """Finish queued writes, then close every connection. Safe to call twice."""
        if not self._stop_writer():
            return
        self._writer.close()
        while not self._readers.empty():
            self._readers.get_nowait().close()
