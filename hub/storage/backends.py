"""The store chosen by URL (SQLite by default, PostgreSQL to scale out), and which process leads.

``open_store`` reads ``--store-url``; ``lead`` picks the one process that runs the
host collector, the demo and alert evaluation. The PostgreSQL modules are imported
only when asked for, so the default install needs no psycopg (the ``scale`` extra).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from hub.events.model import StoredEvent
from hub.settings import Settings
from hub.storage.interface import Store
from hub.storage.series import Retention
from hub.storage.sqlite import SQLiteStore


def open_store(
    settings: Settings,
    on_commit: Callable[[list[StoredEvent]], None],
    on_write_health: Callable[[str | None], None],
) -> Store:
    retention = Retention(settings.retention_days * 86400, settings.retention_events)
    if settings.store_url:
        from hub.storage.postgres import PostgresStore

        return PostgresStore(settings.store_url, retention, on_commit=on_commit, on_write_health=on_write_health)
    return SQLiteStore(
        settings.db_path,
        retention,
        synchronous=settings.sqlite_synchronous,
        on_commit=on_commit,
        max_bytes=settings.max_db_mb * 2**20,
        on_write_health=on_write_health,
    )


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
    (--workers N, or several machines) elect one by an advisory lock (hub/storage/leader.py).
    """
    if settings.store_url:
        from hub.storage.leader import AdvisoryLeader

        return AdvisoryLeader(settings.store_url, on_gain, on_loss)
    on_gain()
    return _Alone()
