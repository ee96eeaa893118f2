"""A small connection for the alert tables: a SQLite file in the data dir, or the PostgreSQL store's database.

The alert tables are few and written rarely (a transition, an acknowledgement,
a delivery attempt), so one connection behind a lock is enough and keeps them
out of the event store's single writer. SQL is written once with ``?``
placeholders; the PostgreSQL side swaps them for ``%s``. A PostgreSQL
connection that breaks is opened again on the next call.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Protocol

from hub.errors import Unavailable

SCHEMA_LOCK = (
    0x4D4F5641 + 3
)  # beside hub/storage/postgres.py's WRITE_LOCK (+0), its SCHEMA_LOCK (+1) and LEAD_LOCK (+2)


class Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...


class AlertDb:
    """One connection, one lock; ``transaction()`` yields an ``execute(sql, params) -> rows`` callable."""

    def __init__(self, sqlite_path: Path | None = None, pg_url: str = "") -> None:
        self.pg_url = pg_url
        self.sqlite_path = sqlite_path
        self._lock = threading.Lock()
        self._conn: Any = None
        self.postgres = bool(pg_url)

    def _connect(self) -> Any:
        if self.postgres:
            import psycopg

            return psycopg.connect(self.pg_url, autocommit=True, connect_timeout=5, application_name="mova-alerts")
        assert self.sqlite_path is not None
        self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.sqlite_path, check_same_thread=False, isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    def _sql(self, text: str) -> str:
        return text.replace("?", "%s") if self.postgres else text

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """All-or-nothing: every statement run through the yielded callable commits together."""
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = self._connect()
                conn = self._conn
                conn.execute("BEGIN" if self.postgres else "BEGIN IMMEDIATE")
            except Exception as exc:
                self._drop()
                raise Unavailable(f"the alert tables cannot be reached ({exc}); retry shortly") from None

            def run(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
                cursor = conn.execute(self._sql(sql), tuple(params))
                return list(cursor.fetchall()) if cursor.description else []

            try:
                yield run
                conn.execute("COMMIT")
            except BaseException:
                try:
                    conn.execute("ROLLBACK")
                except Exception:
                    self._drop()
                raise

    def _drop(self) -> None:
        if self._conn is not None:
            with suppress(Exception):
                self._conn.close()
            self._conn = None

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.transaction() as run:
            rows: list[tuple[Any, ...]] = run(sql, params)
        return rows

    def script(self, statements: str) -> None:
        with self.transaction() as run:
            if self.postgres:
                # processes starting together (--workers N) would race on CREATE TABLE IF NOT EXISTS
                run("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))
            for statement in statements.split(";"):
                if statement.strip():
                    run(statement)

    def close(self) -> None:
        with self._lock:
            self._drop()
