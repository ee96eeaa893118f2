"""What both stores do alike: the reads, the seq assignment of a write, the samples' SQL, write health.

``SQLStore`` is the base of SQLiteStore and PostgresStore. A subclass gives its
``dialect``, a pool of reader connections (``_reader``), the write transaction and
its failure handling (``_write_group``), retention, ``first_seq``/``last_seq`` and
``sample_batches``; everything written here runs the same SQL on both (sqlite3 and
psycopg connections both have ``execute``/``fetchall`` and cursors with
``executemany``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from hub.events.filter import EventFilter, as_filter
from hub.events.model import AppendResult, StoredEvent, category
from hub.events.validate import SAMPLE_TYPES, samples_of
from hub.storage.series import Retention, read_series, resolution_for, rollup_rows
from hub.storage.sql import Dialect, filter_sql, insert_series, update_series, upsert_rollup, upsert_sample
from hub.storage.writer import SingleWriter, WriteRequest

logger = logging.getLogger(__name__)


@dataclass
class Planned:
    """One write group's outcome before it is written: a result per request, the rows, the samples."""

    results: list[AppendResult] = field(default_factory=list)
    stored: list[StoredEvent] = field(default_factory=list)
    rows: list[tuple[int, str, str, str, float, str]] = field(default_factory=list)  # seq, id, source, type, ts, body
    samples: list[tuple[str, float, float]] = field(default_factory=list)  # series name, ts, value
    last_seq: int = 0


def plan_write(group: list[WriteRequest], existing: set[tuple[str, str]], last_seq: int) -> Planned:
    """Give each new event the next seq and its stored text; skip (id, source) pairs already stored or repeated."""
    plan = Planned(last_seq=last_seq)
    rows, stored, samples = plan.rows, plan.stored, plan.samples  # locals: this loop runs once per event
    seq = last_seq
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
            rows.append((seq, event.id, event.source, event.type, event.ts, body))
            stored.append(StoredEvent(seq, event.type, body))
            if event.type in SAMPLE_TYPES:
                samples.extend(samples_of(event))
        mine = stored[first:]
        plan.results.append(
            AppendResult(
                accepted=len(mine),
                duplicates=duplicates,
                first_seq=mine[0].seq if mine else None,
                last_seq=mine[-1].seq if mine else None,
            )
        )
    plan.last_seq = seq
    return plan


MAX_CATEGORIES = 200  # categories answered by categories(): the feed's chips, not a report
MAX_CATEGORY_SEEKS = 2000  # index seeks one categories() may make (many distinct types without a dot)


class SQLStore(SingleWriter):
    """Events and numeric samples in SQL; a subclass per database."""

    dialect: Dialect
    retention: Retention
    epoch: str
    on_commit: Callable[[list[StoredEvent]], None] | None = None
    on_write_health: Callable[[str | None], None] | None = None
    _series_ids: dict[str, int]

    def _reader(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    @property
    def last_seq(self) -> int:
        raise NotImplementedError

    def first_seq(self) -> int:
        raise NotImplementedError

    def sample_batches(
        self, sql: str, params: Sequence[Any], columns: dict[str, pa.DataType]
    ) -> Iterator[pa.RecordBatch]:
        """A read-only query written with ``?`` placeholders, its rows as Arrow batches of these columns."""
        raise NotImplementedError

    # -- writing -----------------------------------------------------------

    def _set_write_error(self, message: str | None) -> None:
        changed = message != self.write_error
        self.write_error = message
        if changed and self.on_write_health is not None:
            try:
                self.on_write_health(message)
            except Exception:
                logger.exception("on_write_health subscriber failed")

    def _publish(self, stored: list[StoredEvent]) -> None:
        """Hand committed events to on_commit (the bus); a failing subscriber is logged, the writer carries on."""
        if stored and self.on_commit is not None:
            try:
                self.on_commit(stored)
            except Exception:
                logger.exception("on_commit subscriber failed")

    def _insert_samples(self, conn: Any, samples: list[tuple[str, float, float]]) -> None:
        latest: dict[str, tuple[float, float]] = {}
        rows = []
        for name, ts, value in samples:
            rows.append((self._series_id(conn, name, ts, value), ts, value))
            if name not in latest or ts >= latest[name][0]:
                latest[name] = (ts, value)
        with closing(conn.cursor()) as cur:
            cur.executemany(upsert_sample(self.dialect), rows)
            cur.executemany(upsert_rollup(self.dialect), rollup_rows(rows))
            cur.executemany(
                update_series(self.dialect), [(ts, value, ts, name, ts) for name, (ts, value) in latest.items()]
            )

    def _series_id(self, conn: Any, name: str, ts: float, value: float) -> int:
        series_id = self._series_ids.get(name)
        if series_id is None:
            series_id = int(conn.execute(insert_series(self.dialect), (name, ts, ts, value)).fetchall()[0][0])
            self._series_ids[name] = series_id
        return series_id

    # -- reading -----------------------------------------------------------

    def read_after(self, after: int, types: Sequence[str] | EventFilter = (), limit: int = 500) -> list[StoredEvent]:
        where, params = filter_sql(self.dialect, as_filter(types))
        sql = f"SELECT seq, type, body FROM events WHERE seq > ? AND {where} ORDER BY seq LIMIT ?"
        with self._reader() as conn:
            rows = conn.execute(self.dialect.sql(sql), [after, *params, limit]).fetchall()
        return [StoredEvent(*row) for row in rows]

    def read_before(self, before: int, types: Sequence[str] | EventFilter = (), limit: int = 500) -> list[StoredEvent]:
        """The `limit` events just before `before`, returned oldest first."""
        where, params = filter_sql(self.dialect, as_filter(types))
        sql = f"SELECT seq, type, body FROM events WHERE seq < ? AND {where} ORDER BY seq DESC LIMIT ?"
        with self._reader() as conn:
            rows = conn.execute(self.dialect.sql(sql), [before, *params, limit]).fetchall()
        return [StoredEvent(*row) for row in reversed(rows)]

    def series(self) -> list[dict[str, Any]]:
        iso = self.dialect.iso_ms
        sql = f"SELECT name, {iso.format(col='first_ts')}, {iso.format(col='last_ts')}, last_value FROM series ORDER BY name"
        with self._reader() as conn:
            rows = conn.execute(sql).fetchall()
        return [{"name": n, "first": f, "last": t, "last_value": v} for n, f, t, v in rows]

    def latest_values(self) -> dict[str, float]:
        with self._reader() as conn:
            return {n: v for n, v in conn.execute("SELECT name, last_value FROM series")}

    def query_series(self, names: Sequence[str], since: float, until: float, max_points: int) -> list[dict[str, Any]]:
        """Each series between since and until in at most max_points points, aggregated in SQL (read_series)."""
        with self._reader() as conn:
            return read_series(self.dialect, conn, names, since, until, max_points, self.resolution_for)

    def resolution_for(self, since: float, until: float, bucket: float) -> int:
        """0 for raw samples, else the rollup resolution in seconds to read."""
        return resolution_for(self.retention, since, until, bucket)

    @contextmanager
    def read_connection(self) -> Iterator[Any]:
        """A reader connection for streaming exports and searches (held for the whole walk)."""
        with self._reader() as conn:
            yield conn

    def series_ids(self, names: Sequence[str]) -> dict[str, int]:
        with self._reader() as conn:
            ids = {n: i for n, i in conn.execute("SELECT name, id FROM series")}
        return {n: ids[n] for n in names if n in ids}

    def series_span(self, ids: Sequence[int]) -> tuple[float, float] | None:
        """The earliest and latest sample time of these series (None if they have none)."""
        if not ids:
            return None
        sql = f"SELECT MIN(first_ts), MAX(last_ts) FROM series WHERE id IN ({','.join('?' * len(ids))})"
        with self._reader() as conn:
            row = conn.execute(self.dialect.sql(sql), list(ids)).fetchone()
        return None if row is None or row[0] is None else (float(row[0]), float(row[1]))

    def known_series(self) -> set[str]:
        with self._reader() as conn:
            return {row[0] for row in conn.execute("SELECT name FROM series")}

    def categories(self) -> list[str]:
        """The categories (a type's first segment) of the stored events, in order: a loose scan of the type
        index, one seek per distinct type without a dot and one per category, however many events."""
        step = self.dialect.sql("SELECT MIN(type) FROM events WHERE type > ?")
        past = self.dialect.sql("SELECT MIN(type) FROM events WHERE type >= ?")
        found: list[str] = []
        with self._reader() as conn:
            row = conn.execute(step, ("",)).fetchone()
            for _ in range(MAX_CATEGORY_SEEKS):  # each seek moves strictly forward in the index
                if row is None or row[0] is None or len(found) >= MAX_CATEGORIES:
                    break
                type_ = row[0]
                name = category(type_)
                if name not in found:
                    found.append(name)
                # from "c.x" on, everything below "c/" is "c.<something>" ('/' sorts right after '.'): skip it;
                # after a bare "c" come "c-d..." types of another category, so only step
                row = (conn.execute(past, (name + "/",)) if name != type_ else conn.execute(step, (type_,))).fetchone()
        return found

    def count_events(self) -> int:
        with self._reader() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])
