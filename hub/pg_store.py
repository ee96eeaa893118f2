"""The PostgreSQL store: the SQLite store's interface, shared by several server processes.

Chosen with ``--store-url postgresql://...`` (needs the ``scale`` extra: psycopg 3).
Tables and queries mirror hub/store.py; the schema is created at start-up under a
transaction advisory lock, so processes starting together do not race.

Ordering across processes: every write takes one session advisory lock
(``WRITE_LOCK``) before it reads the shared seq counter and keeps it until
``on_commit`` (the bus's XADD) has returned, after COMMIT. So seqs are assigned
without gaps, they reach the bus in seq order whichever process wrote them, and
nothing reaches the bus before it is durable. A process that dies between COMMIT
and XADD loses only the XADD: the lock goes with its connection, and readers
notice the gap in seq and read those events from here (hub/redis_bus.py).

Like SQLiteStore, each process has one writer thread taking batches from a queue
(requests that arrive together share one transaction) and a small pool of
autocommit reader connections; a broken connection is replaced on next use.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
import psycopg
from psycopg.pq import TransactionStatus

from hub.errors import Unavailable
from hub.events import samples_of
from hub.store import (
    AppendResult,
    Dialect,
    EventFilter,
    Retention,
    StoredEvent,
    as_filter,
    read_series,
    resolution_for,
    retention_deletes,
    rollup_rows,
    text_clause,
    type_filter_sql,
)
from hub.writer import RETENTION_EVERY_S, SingleWriter, WriteRequest

logger = logging.getLogger(__name__)

WRITE_LOCK = 0x4D4F5641  # "MOVA": the advisory lock every writer holds from seq assignment to XADD
SCHEMA_LOCK = WRITE_LOCK + 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq BIGINT PRIMARY KEY,
    id TEXT NOT NULL,
    source TEXT NOT NULL,
    type TEXT COLLATE "C" NOT NULL,
    ts DOUBLE PRECISION NOT NULL,
    body TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_idempotency ON events (id, source);
CREATE INDEX IF NOT EXISTS events_type ON events (type, seq);
CREATE INDEX IF NOT EXISTS events_ts ON events (ts);
CREATE TABLE IF NOT EXISTS series (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    first_ts DOUBLE PRECISION NOT NULL,
    last_ts DOUBLE PRECISION NOT NULL,
    last_value DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS samples (
    series_id BIGINT NOT NULL,
    ts DOUBLE PRECISION NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (series_id, ts)
);
CREATE TABLE IF NOT EXISTS rollups (
    series_id BIGINT NOT NULL,
    res INTEGER NOT NULL,
    bucket DOUBLE PRECISION NOT NULL,
    min DOUBLE PRECISION NOT NULL,
    max DOUBLE PRECISION NOT NULL,
    sum DOUBLE PRECISION NOT NULL,
    count BIGINT NOT NULL,
    last DOUBLE PRECISION NOT NULL,
    last_ts DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (series_id, res, bucket)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- the shared seq counter: advanced in the writing transaction, so a rollback leaves no gap
CREATE TABLE IF NOT EXISTS seq_counter (one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one), last BIGINT NOT NULL);
INSERT INTO seq_counter (one, last) VALUES (TRUE, 0) ON CONFLICT DO NOTHING;
"""

UPSERT_ROLLUP = """
INSERT INTO rollups (series_id, res, bucket, min, max, sum, count, last, last_ts)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (series_id, res, bucket) DO UPDATE SET
    min = LEAST(rollups.min, excluded.min), max = GREATEST(rollups.max, excluded.max),
    sum = rollups.sum + excluded.sum, count = rollups.count + excluded.count,
    last = CASE WHEN excluded.last_ts >= rollups.last_ts THEN excluded.last ELSE rollups.last END,
    last_ts = GREATEST(rollups.last_ts, excluded.last_ts)
"""

ISO_MS = "to_char(to_timestamp({col}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
# floor, not CAST: PostgreSQL's cast to an integer rounds. translate(), not lower(): ASCII folding
# only, like SQLite's lower(), so that both stores find the same events whatever the database's locale
LOWER = "translate({col}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
POSTGRES = Dialect(
    "%s",
    ISO_MS,
    "floor(({col} - ?) / ?)::bigint",
    f"strpos({LOWER}, ?) > 0",
    "EXISTS (SELECT 1 FROM jsonb_path_query(body::jsonb, 'strict $.data.**') AS j(v) "
    "WHERE jsonb_typeof(j.v) = 'string' AND strpos(" + LOWER.format(col="j.v #>> '{}'") + ", ?) > 0)",
)


def filter_sql(event_filter: EventFilter) -> tuple[str, list[Any]]:
    """EventFilter.sql() in PostgreSQL's dialect (placeholders, text search)."""
    where, params = type_filter_sql(event_filter.types)
    clauses = ["TRUE" if where == "1" else where.replace("?", "%s")]
    if event_filter.since is not None:
        clauses.append("ts >= %s")
        params.append(event_filter.since)
    if event_filter.until is not None:
        clauses.append("ts <= %s")
        params.append(event_filter.until)
    if event_filter.text:
        text, text_params = text_clause(POSTGRES, event_filter.text)
        clauses.append(POSTGRES.sql(text))
        params += text_params
    return " AND ".join(clauses), params


class PostgresStore(SingleWriter):
    """Events and numeric samples in PostgreSQL, written by one thread per process."""

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
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self._writer.execute(statement)
            self._writer.execute(
                "INSERT INTO meta (key, value) VALUES ('epoch', %s) ON CONFLICT DO NOTHING", (uuid.uuid4().hex[:12],)
            )
        self.epoch = str(self._one(self._writer, "SELECT value FROM meta WHERE key = 'epoch'"))
        self._series_ids: dict[str, int] = {}
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
            if stored and self.on_commit is not None:
                try:
                    self.on_commit(stored)  # the XADD, still under the lock: bus order is seq order
                except Exception:
                    logger.exception("on_commit subscriber failed")
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
        """Idle after a failed write (hub.writer): clear the error once PostgreSQL answers again."""
        try:
            self._fresh_writer().execute("SELECT 1")
        except (psycopg.Error, Unavailable):
            return
        self._set_write_error(None)

    def _set_write_error(self, message: str | None) -> None:
        changed = message != self.write_error
        self.write_error = message
        if changed and self.on_write_health is not None:
            try:
                self.on_write_health(message)
            except Exception:
                logger.exception("on_write_health subscriber failed")

    def _insert(
        self, conn: psycopg.Connection[Any], group: list[WriteRequest]
    ) -> tuple[list[AppendResult], list[StoredEvent]]:
        everything = [e for r in group for e in r.events]
        existing: set[tuple[str, str]] = set()
        if everything:
            ids = list({e.id for e in everything})
            existing = {(i, s) for i, s in conn.execute("SELECT id, source FROM events WHERE id = ANY(%s)", (ids,))}
        seq = int(self._one(conn, "SELECT last FROM seq_counter FOR UPDATE"))
        results: list[AppendResult] = []
        stored: list[StoredEvent] = []
        rows: list[tuple[int, str, str, str, float, str]] = []
        samples: list[tuple[str, float, float]] = []
        for request in group:
            first = len(stored)
            duplicates = 0
            for event in request.events:
                key = (event.id, event.source)
                if key in existing:
                    duplicates += 1
                    continue
                existing.add(key)
                seq += 1
                body = orjson.dumps({**event.envelope, "seq": seq}).decode()
                rows.append((seq, event.id, event.source, event.type, event.ts, body))
                stored.append(StoredEvent(seq, event.type, body))
                samples.extend(samples_of(event))
            mine = stored[first:]
            results.append(
                AppendResult(
                    accepted=len(mine),
                    duplicates=duplicates,
                    first_seq=mine[0].seq if mine else None,
                    last_seq=mine[-1].seq if mine else None,
                )
            )
        if rows:
            with conn.cursor() as cur, cur.copy("COPY events (seq, id, source, type, ts, body) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            conn.execute("UPDATE seq_counter SET last = %s", (seq,))
        if samples:
            self._insert_samples(conn, samples)
        return results, stored

    def _insert_samples(self, conn: psycopg.Connection[Any], samples: list[tuple[str, float, float]]) -> None:
        latest: dict[str, tuple[float, float]] = {}
        rows = []
        for name, ts, value in samples:
            rows.append((self._series_id(conn, name, ts, value), ts, value))
            if name not in latest or ts >= latest[name][0]:
                latest[name] = (ts, value)
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO samples (series_id, ts, value) VALUES (%s, %s, %s) "
                "ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value",
                rows,
            )
            cur.executemany(UPSERT_ROLLUP, rollup_rows(rows))
            cur.executemany(
                "UPDATE series SET last_ts = %s, last_value = %s, first_ts = LEAST(first_ts, %s) "
                "WHERE name = %s AND last_ts <= %s",
                [(ts, value, ts, name, ts) for name, (ts, value) in latest.items()],
            )

    def _series_id(self, conn: psycopg.Connection[Any], name: str, ts: float, value: float) -> int:
        series_id = self._series_ids.get(name)
        if series_id is None:
            # another process may have created it: the no-op update makes RETURNING answer either way
            series_id = int(
                self._one(
                    conn,
                    "INSERT INTO series (name, first_ts, last_ts, last_value) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id",
                    (name, ts, ts, value),
                )
            )
            self._series_ids[name] = series_id
        return series_id

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

    def read_after(self, after: int, types: Sequence[str] | EventFilter = (), limit: int = 500) -> list[StoredEvent]:
        where, params = filter_sql(as_filter(types))
        sql = f"SELECT seq, type, body FROM events WHERE seq > %s AND {where} ORDER BY seq LIMIT %s"
        with self._reader() as conn:
            rows = conn.execute(sql, [after, *params, limit]).fetchall()
        return [StoredEvent(*row) for row in rows]

    def read_before(self, before: int, types: Sequence[str] | EventFilter = (), limit: int = 500) -> list[StoredEvent]:
        """The `limit` events just before `before`, returned oldest first."""
        where, params = filter_sql(as_filter(types))
        sql = f"SELECT seq, type, body FROM events WHERE seq < %s AND {where} ORDER BY seq DESC LIMIT %s"
        with self._reader() as conn:
            rows = conn.execute(sql, [before, *params, limit]).fetchall()
        return [StoredEvent(*row) for row in reversed(rows)]

    def series(self) -> list[dict[str, Any]]:
        sql = (
            f"SELECT name, {ISO_MS.format(col='first_ts')}, {ISO_MS.format(col='last_ts')}, last_value "
            "FROM series ORDER BY name"
        )
        with self._reader() as conn:
            rows = conn.execute(sql).fetchall()
        return [{"name": n, "first": f, "last": t, "last_value": v} for n, f, t, v in rows]

    def latest_values(self) -> dict[str, float]:
        with self._reader() as conn:
            return {n: v for n, v in conn.execute("SELECT name, last_value FROM series")}

    def query_series(self, names: Sequence[str], since: float, until: float, max_points: int) -> list[dict[str, Any]]:
        """Each series between since and until in at most max_points points (hub.store.read_series)."""
        with self._reader() as conn:
            return read_series(POSTGRES, conn, names, since, until, max_points, self.resolution_for)

    def resolution_for(self, since: float, until: float, bucket: float) -> int:
        """0 for raw samples, else the rollup resolution in seconds to read."""
        return resolution_for(self.retention, since, until, bucket)

    @contextmanager
    def read_connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A reader connection for streaming exports (held for the whole export)."""
        with self._reader() as conn:
            yield conn

    def series_span(self, ids: Sequence[int]) -> tuple[float, float] | None:
        """The earliest and latest sample time of these series (None if they have none)."""
        with self._reader() as conn:
            row = conn.execute(
                "SELECT MIN(first_ts), MAX(last_ts) FROM series WHERE id = ANY(%s)", (list(ids),)
            ).fetchone()
        return None if row is None or row[0] is None else (float(row[0]), float(row[1]))

    def series_ids(self, names: Sequence[str]) -> dict[str, int]:
        with self._reader() as conn:
            ids = {n: i for n, i in conn.execute("SELECT name, id FROM series")}
        return {n: ids[n] for n in names if n in ids}

    def known_series(self) -> set[str]:
        with self._reader() as conn:
            return {row[0] for row in conn.execute("SELECT name FROM series")}

    def count_events(self) -> int:
        with self._reader() as conn:
            return int(self._one(conn, "SELECT COUNT(*) FROM events"))

    def close(self) -> None:
        """Finish queued writes, then close every connection. Safe to call twice."""
        if not self._stop_writer():
            return
        self._writer.close()
        while not self._readers.empty():
            self._readers.get_nowait()[1].close()


LEAD_LOCK = WRITE_LOCK + 2  # held by the one process that runs the host collector and the demo
LEAD_RETRY_S = 2.0


class AdvisoryLeader:
    """Of the processes sharing one database, exactly one leads: it runs what must run once.

    The leader holds a session advisory lock (``LEAD_LOCK``) on a connection of its
    own, named ``mova-leader-<pid>`` in pg_stat_activity. When the leader dies its
    connection goes, and the lock with it; the others try every ``retry_s`` and the
    first to get it takes over. The leader checks its connection as often: when
    PostgreSQL drops it (a restart), the lock is gone too, so it stops leading
    (``on_loss``) and tries again like the others. The overlap is at most one
    ``retry_s``, and only when PostgreSQL itself goes away.
    """

    def __init__(
        self, url: str, on_gain: Callable[[], None], on_loss: Callable[[], None], retry_s: float = LEAD_RETRY_S
    ) -> None:
        self.url = url
        self.on_gain = on_gain
        self.on_loss = on_loss
        self.retry_s = retry_s
        self.leading = False
        self._conn: psycopg.Connection[Any] | None = None
        self._closed = threading.Event()
        self._try()  # at once: a lone process leads from its start, as with SQLite
        self._thread = threading.Thread(target=self._run, name="pg-leader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._closed.wait(self.retry_s):
            self._try()

    def _try(self) -> None:
        try:
            if self._conn is None or self._conn.closed or self._conn.broken:
                self._conn = psycopg.connect(
                    self.url, autocommit=True, connect_timeout=5, application_name=f"mova-leader-{os.getpid()}"
                )
            if self.leading:
                self._conn.execute("SELECT 1")  # the lock lives as long as this connection
                return
            row = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (LEAD_LOCK,)).fetchone()
        except psycopg.Error as exc:
            if self._conn is not None:
                self._conn.close()
            if self.leading:
                logger.warning("lost the leader lock with PostgreSQL (%s); stopping the collector and demo", exc)
                self._set_leading(False)
            return
        if row and row[0]:
            self._set_leading(True)

    def _set_leading(self, leading: bool) -> None:
        self.leading = leading
        try:
            (self.on_gain if leading else self.on_loss)()
        except Exception:
            logger.exception("leader %s callback failed", "gain" if leading else "loss")

    def close(self) -> None:
        """Stop trying; release the lock by closing the connection. Safe to call twice."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._thread.join(timeout=self.retry_s + 10)
        if self._conn is not None:
            self._conn.close()
