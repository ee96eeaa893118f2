"""Store and bus chosen by URL: SQLite and the in-process bus by default, PostgreSQL and Redis to scale out.

``Store`` is the interface the hub, the REST API and the stream use (what
SQLiteStore and PostgresStore both provide). ``open_store`` and ``open_bus``
read ``--store-url`` and ``--bus-url``; ``lead`` picks the one process that runs
the host collector and the demo. The PostgreSQL and Redis modules are
imported only when asked for, so the default install needs neither psycopg nor
redis-py (they are the ``scale`` extra).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from hub.bus import Bus, InProcessBus
from hub.events import NewEvent
from hub.settings import Settings
from hub.store import AppendResult, EventFilter, Retention, SQLiteStore, StoredEvent


class Store(Protocol):
    epoch: str
    write_error: str | None

    @property
    def last_seq(self) -> int: ...

    def append(self, events: list[NewEvent], timeout: float = 30.0) -> AppendResult: ...

    def first_seq(self) -> int: ...

    def read_after(
        self, after: int, types: Sequence[str] | EventFilter = (), limit: int = 500
    ) -> list[StoredEvent]: ...

    def read_before(
        self, before: int, types: Sequence[str] | EventFilter = (), limit: int = 500
    ) -> list[StoredEvent]: ...

    def series(self) -> list[dict[str, Any]]: ...

    def latest_values(self) -> dict[str, float]: ...

    def query_series(
        self, names: Sequence[str], since: float, until: float, max_points: int
    ) -> list[dict[str, Any]]: ...

    def series_ids(self, names: Sequence[str]) -> dict[str, int]: ...

    def series_span(self, ids: Sequence[int]) -> tuple[float, float] | None: ...

    def read_connection(self) -> AbstractContextManager[Any]: ...

    def known_series(self) -> set[str]: ...

    def count_events(self) -> int: ...

    def apply_retention_now(self) -> None: ...

    def close(self) -> None: ...


def open_store(
    settings: Settings,
    on_commit: Callable[[list[StoredEvent]], None],
    on_write_health: Callable[[str | None], None],
) -> Store:
    retention = Retention(settings.retention_days * 86400, settings.retention_events)
    if settings.store_url:
        from hub.pg_store import PostgresStore

        return PostgresStore(settings.store_url, retention, on_commit=on_commit, on_write_health=on_write_health)
    return SQLiteStore(
        settings.db_path,
        retention,
        synchronous=settings.sqlite_synchronous,
        on_commit=on_commit,
        max_bytes=settings.max_db_mb * 2**20,
        on_write_health=on_write_health,
    )


def open_bus(settings: Settings, store: Store) -> Bus:
    if settings.bus_url:
        from hub.redis_bus import RedisBus

        return RedisBus(settings.bus_url, store)
    return InProcessBus()


class Leadership(Protocol):
    leading: bool

    def close(self) -> None: ...


class _Alone:
    """One process with its own store: it always leads."""

    leading = True

    def close(self) -> None:
        pass


def lead(settings: Settings, on_gain: Callable[[], None], on_loss: Callable[[], None]) -> Leadership:
    """Call ``on_gain`` in one process only of those sharing a store (``on_loss`` if it stops leading).

    With SQLite there is one process: it leads at once. With PostgreSQL the processes
    (--workers N, or several machines) elect one by an advisory lock (hub/pg_store.py).
    """
    if settings.store_url:
        from hub.pg_store import AdvisoryLeader

        return AdvisoryLeader(settings.store_url, on_gain, on_loss)
    on_gain()
    return _Alone()
