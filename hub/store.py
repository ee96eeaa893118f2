"""The durable store: SQLite in WAL mode with one writer thread.

One thread owns the only write connection and takes batches from a queue
(datasette's pattern): requests that arrive together are written in one
transaction and acknowledged together after COMMIT, so an acknowledged event is
on disk. After each commit the writer hands the new events, in ``seq`` order,
to ``on_commit`` (the bus): nothing reaches a client before it is durable.
Readers use their own connections from a small pool.

Events are kept with their JSON text (``body``, ``seq`` included) so that
reads and the socket send stored text without encoding it again.
"""

from __future__ import annotations

import functools
import logging
import os
import queue
import sqlite3
import string
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from hub.errors import Unavailable
from hub.events import SAMPLE_TYPES, NewEvent, samples_of
from hub.writer import RETENTION_EVERY_S, SingleWriter, WriteRequest

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    source TEXT NOT NULL,
    type TEXT NOT NULL,
    ts REAL NOT NULL,
    body TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_idempotency ON events (id, source);
CREATE INDEX IF NOT EXISTS events_type ON events (type, seq);
CREATE INDEX IF NOT EXISTS events_ts ON events (ts);
CREATE TABLE IF NOT EXISTS series (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    first_ts REAL NOT NULL,
    last_ts REAL NOT NULL,
    last_value REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS samples (
    series_id INTEGER NOT NULL,
    ts REAL NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (series_id, ts)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rollups (
    series_id INTEGER NOT NULL,
    res INTEGER NOT NULL,
    bucket REAL NOT NULL,
    min REAL NOT NULL,
    max REAL NOT NULL,
    sum REAL NOT NULL,
    count INTEGER NOT NULL,
    last REAL NOT NULL,
    last_ts REAL NOT NULL,
    PRIMARY KEY (series_id, res, bucket)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

# rollup resolutions in seconds: a chart reads the coarsest one finer than its bucket
ROLLUP_RESOLUTIONS = (10, 60, 3600)
RAW_RANGE_S = 3600  # up to an hour, grouping raw samples is cheap and exact
UPSERT_ROLLUP = """
INSERT INTO rollups (series_id, res, bucket, min, max, sum, count, last, last_ts)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (series_id, res, bucket) DO UPDATE SET
    min = MIN(min, excluded.min), max = MAX(max, excluded.max),
    sum = sum + excluded.sum, count = count + excluded.count,
    last = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last ELSE last END,
    last_ts = MAX(last_ts, excluded.last_ts)
"""

ISO_MS = "strftime('%Y-%m-%dT%H:%M:%fZ', {col}, 'unixepoch')"


@dataclass(frozen=True)
class Dialect:
    """What differs between SQLite's and PostgreSQL's SQL in the queries both stores share.

    Shared queries (chart series, retention, the metric export) are written once with
    ``?`` placeholders and this object's expressions; ``sql()`` gives them in its dialect.
    """

    placeholder: str
    iso_ms: str  # epoch seconds {col} as ISO 8601 text with milliseconds
    bucket: str  # the whole number of widths from a start to {col}: params (start, width)
    contains: str  # {col} holds the (lowercased) parameter, ASCII letters folded to lower case
    data_contains: str  # a string anywhere under the envelope's data holds the parameter (as contains)

    def sql(self, text: str) -> str:
        return text if self.placeholder == "?" else text.replace("?", self.placeholder)


# CAST truncates, which is floor here: every value read is at or after its start. lower() folds ASCII
# only (SQLite without ICU); PostgreSQL's text search does the same, so both stores find the same events
SQLITE = Dialect(
    "?",
    ISO_MS,
    "CAST(({col} - ?) / ? AS INTEGER)",
    "instr(lower({col}), ?) > 0",
    "EXISTS (SELECT 1 FROM json_tree(body, '$.data') AS j WHERE j.type = 'text' AND instr(lower(j.value), ?) > 0)",
)
ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def text_clause(dialect: Dialect, text: str) -> tuple[str, list[Any]]:
    """SQL matching events whose type, source or a string value in data contains ``text`` (ASCII case folded).

    The stored JSON text is searched first (cheap; the search text JSON-escaped as the body stores it),
    and only the events it contains are walked for the data's string values: keys, ids and times never match.
    """
    needle = text.translate(ASCII_LOWER)
    escaped = orjson.dumps(needle).decode()[1:-1]
    sql = (
        f"({dialect.contains.format(col='type')} OR {dialect.contains.format(col='source')} OR "
        f"({dialect.contains.format(col='body')} AND {dialect.data_contains}))"
    )
    return sql, [needle, needle, escaped, needle]


def series_query(dialect: Dialect, res: int, since: float, until: float, bucket: float) -> tuple[str, tuple[Any, ...]]:
    """One series' points at resolution ``res`` (0: raw samples), in the dialect; params after series_id."""
    if res == 0:
        sql = (
            f"SELECT {dialect.iso_ms.format(col='MIN(ts)')}, AVG(value), MIN(value), MAX(value) FROM samples "
            "WHERE series_id = ? AND ts >= ? AND ts <= ? "
            f"GROUP BY {dialect.bucket.format(col='ts')} ORDER BY MIN(ts)"
        )
        args: tuple[Any, ...] = (since, until, since, bucket)
    elif res >= bucket:
        # the rollup's cells as they are, in primary-key order (no sort)
        sql = (
            f"SELECT {dialect.iso_ms.format(col='bucket')}, sum / count, min, max FROM rollups "
            "WHERE series_id = ? AND res = ? AND bucket >= ? AND bucket <= ? ORDER BY bucket"
        )
        args = (res, since - since % res, until)
    else:
        # past the coarsest rollup: its cells grouped
        sql = (
            f"SELECT {dialect.iso_ms.format(col='MIN(bucket)')}, SUM(sum) / SUM(count), MIN(min), MAX(max) "
            "FROM rollups WHERE series_id = ? AND res = ? AND bucket >= ? AND bucket <= ? "
            f"GROUP BY {dialect.bucket.format(col='bucket')} ORDER BY MIN(bucket)"
        )
        args = (res, since - since % res, until, since, bucket)
    return dialect.sql(sql), args


def resolution_for(retention: Retention, since: float, until: float, bucket: float) -> int:
    """0 for raw samples, else the rollup resolution in seconds to read."""
    raw_covers = since >= time.time() - retention.raw_samples_s
    if raw_covers and (bucket < ROLLUP_RESOLUTIONS[0] or until - since <= RAW_RANGE_S):
        return 0
    fitting = [r for r in ROLLUP_RESOLUTIONS if r >= bucket]
    return fitting[0] if fitting else ROLLUP_RESOLUTIONS[-1]


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
        t, v, lo, hi = (list(col) for col in zip(*rows, strict=True)) if rows else ([], [], [], [])
        out.append({"name": name, "resolution": RESOLUTION_NAMES[res], "t": t, "v": v, "min": lo, "max": hi})
    return out


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


# a full request (the default batch limit) in one statement: 6,000 parameters, under SQLite's
# limit (32,766 since 3.32). 500 rows a statement measured ~15% fewer events/s at 1,000-event batches:
# each statement lets go of the GIL once more
INSERT_ROWS_PER_STATEMENT = 1000
EVENT_COLUMNS = 6


@functools.cache
def insert_events_sql(rows: int) -> str:
    """INSERT of ``rows`` events in one statement (cached: sqlite3 prepares each distinct text once)."""
    return "INSERT INTO events (seq, id, source, type, ts, body) VALUES " + ",".join(["(?, ?, ?, ?, ?, ?)"] * rows)


class StoredEvent(NamedTuple):
    """A committed event: its position, type and JSON text. Immutable, shared by every subscriber.

    A named tuple rather than a frozen dataclass: the writer makes one per event, and a frozen
    dataclass's __init__ (object.__setattr__ per field) cost 0.8 us of it.
    """

    seq: int
    type: str
    body: str


@dataclass(frozen=True)
class AppendResult:
    accepted: int
    duplicates: int
    first_seq: int | None
    last_seq: int | None


@dataclass(frozen=True)
class Retention:
    max_age_s: float
    max_events: int
    raw_samples_s: float = 2 * 86400
    rollups_s: float = 400 * 86400


@dataclass(frozen=True)
class EventFilter:
    """Which events a read wants: type prefixes, a time range (epoch seconds) and a text search."""

    types: Sequence[str] = ()
    since: float | None = None
    until: float | None = None
    text: str = ""

    def sql(self) -> tuple[str, list[Any]]:
        where, params = type_filter_sql(self.types)
        clauses: list[str] = [where]
        if self.since is not None:
            clauses.append("ts >= ?")
            params.append(self.since)
        if self.until is not None:
            clauses.append("ts <= ?")
            params.append(self.until)
        if self.text:
            text, text_params = text_clause(SQLITE, self.text)
            clauses.append(text)
            params += text_params
        return " AND ".join(clauses), params


def type_filter_sql(prefixes: Sequence[str]) -> tuple[str, list[Any]]:
    """SQL matching types equal to a prefix or under it by whole segments ("ml" -> "ml.x.y")."""
    if not prefixes:
        return "1", []
    parts: list[str] = []
    params: list[Any] = []
    for prefix in prefixes:
        # '/' sorts right after '.', so [p., p/) is every type starting "p."
        parts.append("(type = ? OR (type >= ? AND type < ?))")
        params += [prefix, prefix + ".", prefix + "/"]
    return "(" + " OR ".join(parts) + ")", params


def type_matches(type_: str, prefixes: Sequence[str]) -> bool:
    """Whether a type is one of the prefixes or under one by whole segments ("ml" -> "ml.x", not "mlx")."""
    if not prefixes:
        return True
    # a plain loop with no string built: the bus runs this for every event it fans out
    for prefix in prefixes:
        if type_.startswith(prefix) and (len(type_) == len(prefix) or type_[len(prefix)] == "."):
            return True
    return False


RESOLUTION_NAMES = {0: "raw", 10: "10s", 60: "1m", 3600: "1h"}


def as_filter(types: Sequence[str] | EventFilter) -> EventFilter:
    return types if isinstance(types, EventFilter) else EventFilter(tuple(types))


def rollup_rows(samples: list[tuple[int, float, float]]) -> list[tuple[Any, ...]]:
    """Samples (series_id, ts, value) pre-aggregated per rollup bucket, ready for UPSERT_ROLLUP."""
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


class SQLiteStore(SingleWriter):
    """Events and numeric samples in one SQLite file."""

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
        self._writer.executescript(SCHEMA)
        if max_bytes:
            page_size = self._writer.execute("PRAGMA page_size").fetchone()[0]
            self._writer.execute(f"PRAGMA max_page_count = {max(1, max_bytes // page_size)}")
        self.on_write_health = on_write_health
        self.write_error: str | None = None  # why the last write failed, until one succeeds
        self.epoch = self._ensure_epoch()
        self._last_seq = self._read_last_seq()
        self._series_ids: dict[str, int] = dict(self._writer.execute("SELECT name, id FROM series").fetchall())
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
            results, stored = self._insert(group)
            self._writer.execute("COMMIT")
        except Exception as exc:  # the disk, not the input: every request in the group fails alike
            logger.exception("store write failed")
            if self._writer.in_transaction:
                self._writer.execute("ROLLBACK")
            self._series_ids = dict(self._writer.execute("SELECT name, id FROM series").fetchall())
            cause = str(exc)
            if isinstance(exc, sqlite3.Error) and exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_IOERR:
                # SQLite only says "disk I/O error": a write of our own beside the db gets the kernel's reason
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
                    cause = f"{cause}: {err.strerror}"
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
        if stored:
            self._last_seq = stored[-1].seq
        for request, result in zip(group, results, strict=True):
            request.future.set_result(result)
        if stored and self.on_commit is not None:
            try:
                self.on_commit(stored)
            except Exception:
                logger.exception("on_commit subscriber failed")

    def _set_write_error(self, message: str | None) -> None:
        changed = message != self.write_error
        self.write_error = message
        if changed and self.on_write_health is not None:
            try:
                self.on_write_health(message)
            except Exception:
                logger.exception("on_write_health subscriber failed")

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

    def _insert(self, group: list[WriteRequest]) -> tuple[list[AppendResult], list[StoredEvent]]:
        existing = self._existing_keys([e for r in group for e in r.events])
        results: list[AppendResult] = []
        stored: list[StoredEvent] = []
        seq = self._last_seq  # published as last_seq only after COMMIT
        columns: list[Any] = []  # the events' column values one after another, as the INSERTs take them
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
                body = event.body_with_seq(seq)
                columns += (seq, event.id, event.source, event.type, event.ts, body)
                stored.append(StoredEvent(seq, event.type, body))
                if event.type in SAMPLE_TYPES:
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
        self._insert_events(columns)
        if samples:
            self._insert_samples(samples)
        return results, stored

    def _insert_events(self, columns: list[Any]) -> None:
        # Many rows to a statement, not executemany: sqlite3 lets go of the GIL around every
        # statement it steps, and under load taking it back costs the writer up to the switch
        # interval (5 ms) each time while request threads validate; one step per row made the
        # writer the bottleneck of ingest (about half its time at 1,000-event batches)
        step = INSERT_ROWS_PER_STATEMENT * EVENT_COLUMNS
        for start in range(0, len(columns), step):
            chunk = columns[start : start + step]
            self._writer.execute(insert_events_sql(len(chunk) // EVENT_COLUMNS), chunk)

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

    def _insert_samples(self, samples: list[tuple[str, float, float]]) -> None:
        latest: dict[str, tuple[float, float]] = {}
        rows = []
        for name, ts, value in samples:
            rows.append((self._series_id(name, ts, value), ts, value))
            if name not in latest or ts >= latest[name][0]:
                latest[name] = (ts, value)
        self._writer.executemany("INSERT OR REPLACE INTO samples (series_id, ts, value) VALUES (?, ?, ?)", rows)
        self._writer.executemany(UPSERT_ROLLUP, rollup_rows(rows))
        self._writer.executemany(
            "UPDATE series SET last_ts = ?, last_value = ?, first_ts = MIN(first_ts, ?) WHERE name = ? AND last_ts <= ?",
            [(ts, value, ts, name, ts) for name, (ts, value) in latest.items()],
        )

    def _series_id(self, name: str, ts: float, value: float) -> int:
        series_id = self._series_ids.get(name)
        if series_id is None:
            cursor = self._writer.execute(
                "INSERT INTO series (name, first_ts, last_ts, last_value) VALUES (?, ?, ?, ?)", (name, ts, ts, value)
            )
            series_id = int(cursor.lastrowid or 0)
            self._series_ids[name] = series_id
        return series_id

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

    def read_after(self, after: int, types: Sequence[str] | EventFilter = (), limit: int = 500) -> list[StoredEvent]:
        where, params = as_filter(types).sql()
        sql = f"SELECT seq, type, body FROM events WHERE seq > ? AND {where} ORDER BY seq LIMIT ?"
        with self._reader() as conn:
            rows = conn.execute(sql, [after, *params, limit]).fetchall()
        return [StoredEvent(*row) for row in rows]

    def read_before(self, before: int, types: Sequence[str] | EventFilter = (), limit: int = 500) -> list[StoredEvent]:
        """The `limit` events just before `before`, returned oldest first."""
        where, params = as_filter(types).sql()
        sql = f"SELECT seq, type, body FROM events WHERE seq < ? AND {where} ORDER BY seq DESC LIMIT ?"
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
            return dict(conn.execute("SELECT name, last_value FROM series").fetchall())

    def query_series(self, names: Sequence[str], since: float, until: float, max_points: int) -> list[dict[str, Any]]:
        """Each series between since and until in at most max_points points, aggregated in SQL (read_series)."""
        with self._reader() as conn:
            return read_series(SQLITE, conn, names, since, until, max_points, self.resolution_for)

    def resolution_for(self, since: float, until: float, bucket: float) -> int:
        """0 for raw samples, else the rollup resolution in seconds to read."""
        return resolution_for(self.retention, since, until, bucket)

    @contextmanager
    def read_connection(self) -> Iterator[sqlite3.Connection]:
        """A reader connection for streaming exports (held for the whole export)."""
        with self._reader() as conn:
            yield conn

    def series_ids(self, names: Sequence[str]) -> dict[str, int]:
        with self._reader() as conn:
            ids = dict(conn.execute("SELECT name, id FROM series").fetchall())
        return {n: ids[n] for n in names if n in ids}

    def series_span(self, ids: Sequence[int]) -> tuple[float, float] | None:
        """The earliest and latest sample time of these series (None if they have none)."""
        marks = ",".join("?" * len(ids))
        with self._reader() as conn:
            row = conn.execute(
                f"SELECT MIN(first_ts), MAX(last_ts) FROM series WHERE id IN ({marks})", list(ids)
            ).fetchone()
        return None if row is None or row[0] is None else (float(row[0]), float(row[1]))

    def known_series(self) -> set[str]:
        with self._reader() as conn:
            return {row[0] for row in conn.execute("SELECT name FROM series")}

    def count_events(self) -> int:
        with self._reader() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])

    def close(self) -> None:
        """Finish queued writes, then close every connection. Safe to call twice."""
        if not self._stop_writer():
            return
        self._writer.close()
        while not self._readers.empty():
            self._readers.get_nowait().close()
