"""Where accounts, sessions, API tokens and the audit outbox are kept: SQLite or PostgreSQL.

The SQL is written once (``?`` placeholders, turned into ``%s`` for psycopg);
only the column types of the schema differ. SQLite keeps its own file beside
the event store (``access.sqlite3`` in the data dir, WAL, so the CLI can write
while a server reads); PostgreSQL uses the ``--store-url`` database, so that
every process sees the same sessions and tokens. One connection per process,
under a lock: these queries are small and the access layer caches their
answers for a second or two (hub/access/service.py).

The audit outbox: a change and its ``auth.*`` event are written in one
transaction; a server process later publishes the event into the event stream
with the id ``audit-<row id>``, so that two processes publishing the same row
store it once (the store's (source, id) idempotency).
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from hub.errors import Unavailable

SCHEMA = """
CREATE TABLE IF NOT EXISTS access_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS access_users (
    id {serial}, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL, password TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0, created {real} NOT NULL, last_login {real}
);
CREATE TABLE IF NOT EXISTS access_sessions (
    id TEXT PRIMARY KEY, user_id BIGINT NOT NULL, created {real} NOT NULL, last_seen {real} NOT NULL,
    expires {real} NOT NULL, address TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS access_sessions_user ON access_sessions (user_id);
CREATE TABLE IF NOT EXISTS access_tokens (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, scopes TEXT NOT NULL, digest TEXT NOT NULL,
    created {real} NOT NULL, created_by TEXT NOT NULL, last_used {real}, revoked {real}
);
CREATE UNIQUE INDEX IF NOT EXISTS access_tokens_live_name ON access_tokens (name) WHERE revoked IS NULL;
CREATE TABLE IF NOT EXISTS access_audit (
    id {serial}, type TEXT NOT NULL, data TEXT NOT NULL, time {real} NOT NULL, published INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS access_audit_pending ON access_audit (published, id)
"""
SQLITE_TYPES = {"serial": "INTEGER PRIMARY KEY AUTOINCREMENT", "real": "REAL"}
PG_TYPES = {"serial": "BIGSERIAL PRIMARY KEY", "real": "DOUBLE PRECISION"}
PG_SCHEMA_LOCK = 0x4D4F5641 + 16  # beside hub/storage/postgres.py's locks


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    password: str
    disabled: bool
    created: float
    last_login: float | None


@dataclass(frozen=True)
class SessionRow:
    id: str
    user: User
    created: float
    last_seen: float
    expires: float


@dataclass(frozen=True)
class TokenRow:
    id: str
    name: str
    scopes: tuple[str, ...]
    digest: str
    created: float
    created_by: str
    last_used: float | None
    revoked: float | None


class Tx(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...


class Taken(Exception):
    """A name already taken (a user or a live token)."""


_USER_COLUMNS = "u.id, u.name, u.role, u.password, u.disabled, u.created, u.last_login"


def _user(row: Sequence[Any]) -> User:
    return User(int(row[0]), row[1], row[2], row[3], bool(row[4]), float(row[5]), row[6])


def _token(row: Sequence[Any]) -> TokenRow:
    scopes = tuple(s for s in str(row[2]).split(",") if s)
    return TokenRow(row[0], row[1], scopes, row[3], float(row[4]), row[5], row[6], row[7])


class AccessRepo:
    """The access tables on one connection. ``open_repo`` picks the backend."""

    def __init__(self, conn: Any, postgres: bool) -> None:
        self._conn = conn
        self.postgres = postgres
        self._lock = threading.Lock()

    # -- plumbing ----------------------------------------------------------

    def _sql(self, text: str) -> str:
        return text.replace("?", "%s") if self.postgres else text

    def _reconnect(self) -> None:
        raise NotImplementedError

    @contextmanager
    def tx(self) -> Iterator[Tx]:
        """One transaction; a lost database is Unavailable (503) and the next call reconnects."""
        with self._lock:
            try:
                if self.postgres:
                    if self._conn.broken or self._conn.closed:
                        self._reconnect()
                    with self._conn.transaction():
                        yield _Cursor(self._conn, self._sql)
                else:
                    self._conn.execute("BEGIN IMMEDIATE")
                    try:
                        yield _Cursor(self._conn, self._sql)
                    except BaseException:
                        self._conn.execute("ROLLBACK")
                        raise
                    self._conn.execute("COMMIT")
            except sqlite3.IntegrityError as exc:
                raise Taken(str(exc)) from exc
            except sqlite3.OperationalError as exc:
                raise Unavailable(f"the access store cannot be used ({exc}); retry in a moment") from exc
            except Exception as exc:
                if type(exc).__name__ == "UniqueViolation":
                    raise Taken(str(exc)) from exc
                if type(exc).__module__.startswith("psycopg"):
                    raise Unavailable(f"PostgreSQL (--store-url) cannot be used ({exc}); retry in a moment") from exc
                raise

    def create_schema(self) -> None:
        types = PG_TYPES if self.postgres else SQLITE_TYPES
        with self.tx() as tx:
            if self.postgres:
                tx.execute("SELECT pg_advisory_xact_lock(?)", (PG_SCHEMA_LOCK,))
            for statement in SCHEMA.format(**types).split(";"):
                if statement.strip():
                    tx.execute(statement)
            tx.execute(
                "INSERT INTO access_meta (key, value) VALUES ('hmac_key', ?) ON CONFLICT DO NOTHING",
                (secrets.token_hex(32),),
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- meta --------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        with self.tx() as tx:
            row = tx.execute("SELECT value FROM access_meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str | None) -> None:
        with self.tx() as tx:
            tx.execute("DELETE FROM access_meta WHERE key = ?", (key,))
            if value is not None:
                tx.execute("INSERT INTO access_meta (key, value) VALUES (?, ?)", (key, value))

    # -- users -------------------------------------------------------------

    def user(self, name: str) -> User | None:
        with self.tx() as tx:
            row = tx.execute(f"SELECT {_USER_COLUMNS} FROM access_users u WHERE u.name = ?", (name,)).fetchone()
        return None if row is None else _user(row)

    def users(self) -> list[User]:
        with self.tx() as tx:
            rows = tx.execute(f"SELECT {_USER_COLUMNS} FROM access_users u ORDER BY u.name").fetchall()
        return [_user(r) for r in rows]

    def count_users(self) -> int:
        with self.tx() as tx:
            return int(tx.execute("SELECT COUNT(*) FROM access_users WHERE disabled = 0").fetchone()[0])

    def count_admins(self, tx: Tx) -> int:
        sql = "SELECT COUNT(*) FROM access_users WHERE role = 'admin' AND disabled = 0"
        return int(tx.execute(sql).fetchone()[0])

    def add_user(self, tx: Tx, name: str, role: str, password: str, now: float) -> None:
        tx.execute(
            "INSERT INTO access_users (name, role, password, disabled, created) VALUES (?, ?, ?, 0, ?)",
            (name, role, password, now),
        )

    def update_user(self, tx: Tx, name: str, **changes: Any) -> None:
        columns = ", ".join(f"{column} = ?" for column in changes)
        tx.execute(f"UPDATE access_users SET {columns} WHERE name = ?", (*changes.values(), name))

    # -- sessions ----------------------------------------------------------

    def add_session(self, tx: Tx, sid: str, user_id: int, now: float, expires: float, address: str) -> None:
        tx.execute(
            "INSERT INTO access_sessions (id, user_id, created, last_seen, expires, address) VALUES (?, ?, ?, ?, ?, ?)",
            (sid, user_id, now, now, expires, address),
        )

    def session(self, sid: str) -> SessionRow | None:
        sql = (
            f"SELECT s.id, s.created, s.last_seen, s.expires, {_USER_COLUMNS} "
            "FROM access_sessions s JOIN access_users u ON u.id = s.user_id WHERE s.id = ?"
        )
        with self.tx() as tx:
            row = tx.execute(sql, (sid,)).fetchone()
        if row is None:
            return None
        return SessionRow(row[0], _user(row[4:]), float(row[1]), float(row[2]), float(row[3]))

    def live_sessions(self, sids: Sequence[str], now: float, idle_s: float) -> set[str]:
        """Which of ``sids`` are still good: not expired, not idle too long, their user enabled."""
        if not sids:
            return set()
        marks = ",".join("?" * len(sids))
        sql = (
            "SELECT s.id FROM access_sessions s JOIN access_users u ON u.id = s.user_id "
            f"WHERE s.id IN ({marks}) AND s.expires > ? AND s.last_seen > ? AND u.disabled = 0"
        )
        with self.tx() as tx:
            return {r[0] for r in tx.execute(sql, (*sids, now, now - idle_s)).fetchall()}

    def touch_sessions(self, sids: Sequence[str], now: float) -> None:
        if sids:
            marks = ",".join("?" * len(sids))
            with self.tx() as tx:
                tx.execute(f"UPDATE access_sessions SET last_seen = ? WHERE id IN ({marks})", (now, *sids))

    def end_session(self, tx: Tx, sid: str) -> None:
        tx.execute("DELETE FROM access_sessions WHERE id = ?", (sid,))

    def end_user_sessions(self, tx: Tx, user_id: int) -> int:
        return int(tx.execute("DELETE FROM access_sessions WHERE user_id = ?", (user_id,)).rowcount or 0)

    def purge_sessions(self, now: float, idle_s: float) -> None:
        with self.tx() as tx:
            tx.execute("DELETE FROM access_sessions WHERE expires <= ? OR last_seen <= ?", (now, now - idle_s))

    # -- API tokens --------------------------------------------------------

    def add_token(self, tx: Tx, row: TokenRow) -> None:
        tx.execute(
            "INSERT INTO access_tokens (id, name, scopes, digest, created, created_by) VALUES (?, ?, ?, ?, ?, ?)",
            (row.id, row.name, ",".join(row.scopes), row.digest, row.created, row.created_by),
        )

    def token(self, token_id: str) -> TokenRow | None:
        with self.tx() as tx:
            row = tx.execute(
                "SELECT id, name, scopes, digest, created, created_by, last_used, revoked FROM access_tokens "
                "WHERE id = ?",
                (token_id,),
            ).fetchone()
        return None if row is None else _token(row)

    def tokens(self) -> list[TokenRow]:
        with self.tx() as tx:
            rows = tx.execute(
                "SELECT id, name, scopes, digest, created, created_by, last_used, revoked FROM access_tokens "
                "ORDER BY revoked IS NOT NULL, name"
            ).fetchall()
        return [_token(r) for r in rows]

    def revoke_token(self, tx: Tx, name_or_id: str, now: float) -> TokenRow | None:
        row = tx.execute(
            "SELECT id, name, scopes, digest, created, created_by, last_used, revoked FROM access_tokens "
            "WHERE (name = ? OR id = ?) AND revoked IS NULL",
            (name_or_id, name_or_id),
        ).fetchone()
        if row is None:
            return None
        tx.execute("UPDATE access_tokens SET revoked = ? WHERE id = ?", (now, row[0]))
        return _token(row)

    def live_tokens(self, ids: Sequence[str]) -> set[str]:
        if not ids:
            return set()
        marks = ",".join("?" * len(ids))
        with self.tx() as tx:
            sql = f"SELECT id FROM access_tokens WHERE id IN ({marks}) AND revoked IS NULL"
            return {r[0] for r in tx.execute(sql, tuple(ids)).fetchall()}

    def touch_token(self, token_id: str, now: float) -> None:
        with self.tx() as tx:
            tx.execute("UPDATE access_tokens SET last_used = ? WHERE id = ?", (now, token_id))

    # -- audit outbox ------------------------------------------------------

    def audit(self, tx: Tx, type_: str, data: str, now: float) -> None:
        tx.execute("INSERT INTO access_audit (type, data, time, published) VALUES (?, ?, ?, 0)", (type_, data, now))

    def pending_audit(self, limit: int = 500) -> list[tuple[int, str, str, float]]:
        with self.tx() as tx:
            rows = tx.execute(
                "SELECT id, type, data, time FROM access_audit WHERE published = 0 ORDER BY id LIMIT ?", (limit,)
            ).fetchall()
        return [(int(r[0]), r[1], r[2], float(r[3])) for r in rows]

    def mark_published(self, ids: Sequence[int], older_than: float) -> None:
        """Mark rows published, and drop published rows older than ``older_than`` (they are in the store)."""
        with self.tx() as tx:
            if ids:
                marks = ",".join("?" * len(ids))
                tx.execute(f"UPDATE access_audit SET published = 1 WHERE id IN ({marks})", tuple(ids))
            tx.execute("DELETE FROM access_audit WHERE published = 1 AND time < ?", (older_than,))


class _Cursor:
    """Runs SQL written with ``?`` on either backend."""

    def __init__(self, conn: Any, translate: Any) -> None:
        self._conn = conn
        self._translate = translate

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._conn.execute(self._translate(sql), tuple(params))


class _SQLiteRepo(AccessRepo):
    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(self._open(), postgres=False)

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        return conn


class _PostgresRepo(AccessRepo):
    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(self._open(), postgres=True)

    def _open(self) -> Any:
        import psycopg

        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise Unavailable(f"cannot connect to PostgreSQL at --store-url: {exc}") from exc

    def _reconnect(self) -> None:
        self._conn = self._open()


def open_repo(data_dir: Path, store_url: str) -> AccessRepo:
    """The access tables: in the PostgreSQL store when there is one, else in data_dir/access.sqlite3."""
    repo: AccessRepo = _PostgresRepo(store_url) if store_url else _SQLiteRepo(data_dir / "access.sqlite3")
    repo.create_schema()
    return repo
