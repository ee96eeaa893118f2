"""The PostgreSQL store: the SQLite store's interface, shared by several server processes.

Chosen with ``--store-url postgresql://...`` (needs the ``scale`` extra: psycopg 3).
Its tables are the SQLite store's in PostgreSQL's types, and the queries both run are
written once (hub/storage/base.py, sql.py, series.py); the schema is created at start-up
under a transaction advisory lock, so processes starting together do not race.

Ordering across processes: every write takes one session advisory lock
(``WRITE_LOCK``) before it reads the shared seq counter and keeps it until
``on_commit`` (the bus's XADD) has returned, after COMMIT. So seqs are assigned
without gaps, they reach the bus in seq order whichever process wrote them, and
nothing reaches the bus before it is durable. A process that dies between COMMIT
and XADD loses only the XADD: the lock goes with its connection, and readers
notice the gap in seq and read those events from here (hub/live/redis_bus.py).

Like SQLiteStore, each process has one writer thread taking batches from a queue
(requests that arrive together share one transaction) and a small pool of
autocommit reader connections; a broken connection is replaced on next use.
"""

from __future__ import annotations

import logging
import queue
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
import pyarrow as pa
from psycopg.pq import TransactionStatus

from hub.errors import Unavailable
from hub.events.model import AppendResult, StoredEvent
from hub.storage.arrow import copy_batches
from hub.storage.base import SQLStore, plan_write
from hub.storage.series import Retention, retention_deletes
from hub.storage.sql import POSTGRES, schema
from hub.storage.writer import RETENTION_EVERY_S, WriteRequest

logger = logging.getLogger(__name__)

WRITE_LOCK = 0x4D4F5641  # "MOVA": the advisory lock every writer holds from seq assignment to XADD
SCHEMA_LOCK = WRITE_LOCK + 1

# beside the tables both stores keep (hub/storage/sql.py): the shared seq counter, advanced in the writing
# transaction, so a rollback leaves no gap
SEQ_COUNTER = """
CREATE TABLE IF NOT EXISTS seq_counter (one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one), last BIGINT NOT NULL);
INSERT INTO seq_counter (one, last) VALUES (TRUE, 0) ON CONFLICT DO NOTHING;
"""


class PostgresStore(SQLStore):
    """Events and numeric samples in PostgreSQL, written by one thread per process."""

    dialect = POSTGRES

    def __init__(
        self,
        url: str,
        retention: Retention,
        on_commit: Callable[[list[StoredEvent]], None] | None = None,
        readers: int = 8,
        on_write_health: Callable[[str | None], None] | None = None,
    ) -> None:
        self.url = url
        self.retention = retention
        self.on_commit = on_commit
        self.on_write_health = on_write_health
        self.write_error: str | None = None
        self._writer = self._connect()
        with self._writer.transaction():
            self._writer.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            for statement in (schema(POSTGRES) + SEQ_COUNTER).split(";"):
                if statement.strip():
                    self._writer.execute(statement)
            self._writer.execute(
                "INSERT INTO meta (key, value) VALUES ('epoch', %s) ON CONFLICT DO NOTHING", (uuid.uuid4().hex[:12],)
            )
        self.epoch = str(self._one(self._writer, "SELECT value FROM meta WHERE key = 'epoch'"))
        self._series_ids = {}
        # (generation, connection): connections older than a lost one are replaced before use (_reader)
        self._generation = 0
        self._readers: queue.Queue[tuple[int, psycopg.Connection[Any]]] = queue.Queue()
        for _ in range(readers):
            self._readers.put((0, self._connect()))
        self._start_writer("pg-store-writer")

    # -- connections -------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise Unavailable(f"cannot connect to PostgreSQL at --store-url: {exc}") from exc

    @staticmethod
    def _one(conn: psycopg.Connection[Any], sql: str, params: Sequence[Any] = ()) -> Any:
        row = conn.execute(sql, params).fetchone()
        return row[0] if row else None

    @contextmanager
    def _reader(self) -> Iterator[psycopg.Connection[Any]]:
        """A pooled reader; PostgreSQL unreachable is Unavailable (503), not a 500."""
        born, conn = self._readers.get()
        try:
            stale = born < self._generation or conn.broken or conn.closed
            if stale or conn.info.transaction_status != TransactionStatus.IDLE:
                # from before PostgreSQL went away, or left mid-COPY by an abandoned export: start afresh
                conn.close()
                born, conn = self._generation, self._connect()
            try:
                yield conn
            except psycopg.OperationalError as exc:
                self._lost(conn)
                raise Unavailable(f"PostgreSQL (--store-url) is unreachable ({exc}); retry in a moment") from exc
        finally:
            self._readers.put((born, conn))

    def _lost(self, conn: psycopg.Connection[Any]) -> None:
        """A connection broke: PostgreSQL restarted or went away, so every older connection is replaced on use."""
        if conn.broken:
            self._generation += 1

    def _fresh_writer(self) -> psycopg.Connection[Any]:
        """The write connection, reconnected if it broke (Unavailable while PostgreSQL is unreachable)."""
        if self._writer.broken or self._writer.closed:
            self._writer = self._connect()
        return self._writer

    # -- writing -----------------------------------------------------------

    def _write_group(self, group: list[WriteRequest]) -> None:
        conn = self._writer
        locked = False
        try:
            conn = self._fresh_writer()
            conn.execute("SELECT pg_advisory_lock(%s)", (WRITE_LOCK,))
            locked = True
            with conn.transaction():
                results, stored = self._insert(conn, group)
        except Exception as exc:  # the database, not the input: every request in the group fails alike
            self._series_ids = {}
            self._unlock(conn, locked)
            if isinstance(exc, psycopg.OperationalError | Unavailable):
                reason = str(exc.__cause__ or exc).strip().splitlines()[0]
                logger.warning("store write failed: PostgreSQL unreachable (%s)", reason)
                self._lost(conn)
                problem = f"PostgreSQL (--store-url) is unreachable ({reason})"
            else:
                logger.exception("store write failed")
                problem = f"the store could not write ({exc})"
            error = Unavailable(f"{problem}; nothing was stored, retry later")
            for request in group:
                request.future.set_exception(error)
            self._set_write_error(f"the store cannot write: {problem}")
            return
        try:
            if self.write_error is not None:
                self._set_write_error(None)
            for request, result in zip(group, results, strict=True):
                request.future.set_result(result)
            self._publish(stored)  # the XADD, still under the lock: bus order is seq order
        finally:
            self._unlock(conn, locked)

    @staticmethod
    def _unlock(conn: psycopg.Connection[Any], locked: bool) -> None:
        if locked and not conn.broken and not conn.closed:
            try:
                conn.execute("SELECT pg_advisory_unlock(%s)", (WRITE_LOCK,))
            except psycopg.Error as exc:
                logger.warning("could not release the write lock (%s); closing the connection releases it", exc)
                conn.close()

    def _probe_write(self) -> None:
        """Idle after a failed write (hub/storage/writer.py): clear the error once PostgreSQL answers again."""
        try:
            self._fresh_writer().execute("SELECT 1")
        except (psycopg.Error, Unavailable):
            return
        self._set_write_error(None)

    def _insert(
        self, conn: psycopg.Connection[Any], group: list[WriteRequest]
    ) -> tuple[list[AppendResult], list[StoredEvent]]:
        everything = [e for r in group for e in r.events]
        existing: set[tuple[str, str]] = set()
        if everything:
            ids = list({e.id for e in everything})
            existing = {(i, s) for i, s in conn.execute("SELECT id, source FROM events WHERE id = ANY(%s)", (ids,))}
        plan = plan_write(group, existing, int(self._one(conn, "SELECT last FROM seq_counter FOR UPDATE")))
        if plan.rows:
            with conn.cursor() as cur, cur.copy("COPY events (seq, id, source, type, ts, body) FROM STDIN") as copy:
                for row in plan.rows:
                    copy.write_row(row)
            conn.execute("UPDATE seq_counter SET last = %s", (plan.last_seq,))
        if plan.samples:
            self._insert_samples(conn, plan.samples)
        return plan.results, plan.stored

    def _apply_retention(self) -> None:
        self._next_retention = time.monotonic() + RETENTION_EVERY_S
        try:
            conn = self._fresh_writer()
            with conn.transaction():
                last = int(self._one(conn, "SELECT last FROM seq_counter"))
                for sql, params in retention_deletes(POSTGRES, self.retention, last):
                    conn.execute(sql, params)
        except Unavailable as exc:
            logger.warning("retention skipped: %s", exc)
        except psycopg.Error:
            logger.exception("retention failed; will retry")

    # -- reading -----------------------------------------------------------

    @property
    def last_seq(self) -> int:
        """The last seq committed by any process (the shared counter)."""
        with self._reader() as conn:
            return int(self._one(conn, "SELECT last FROM seq_counter"))

    def first_seq(self) -> int:
        with self._reader() as conn:
            row = conn.execute("SELECT MIN(seq), (SELECT last FROM seq_counter) FROM events").fetchone()
        assert row is not None
        return int(row[0]) if row[0] is not None else int(row[1]) + 1

    def sample_batches(
        self, sql: str, params: Sequence[Any], columns: dict[str, pa.DataType]
    ) -> Iterator[pa.RecordBatch]:
        """On one of the reader connections, as COPY TO STDOUT (CSV) parsed by pyarrow."""
        with self._reader() as conn:
            yield from copy_batches(conn, POSTGRES.sql(sql), params, columns)

    def close(self) -> None:
        """Finish queued writes, then close every connection. Safe to call twice."""
        if not self._stop_writer():
            return
        self._writer.close()
        while not self._readers.empty():
            self._readers.get_nowait()[1].close()
