"""``Store``: what every part of the hub reads a store through, whichever database holds it.

SQLiteStore and PostgresStore both provide it (hub/storage/base.py). The exports and
the search need two more things than the others: the store's SQL ``dialect`` and
``sample_batches``, a query's rows as Arrow record batches; they never ask which
store they have.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

import pyarrow as pa

from hub.events.filter import EventFilter
from hub.events.model import AppendResult, NewEvent, StoredEvent
from hub.storage.sql import Dialect


class Store(Protocol):
    epoch: str
    write_error: str | None
    dialect: Dialect

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

    def sample_batches(
        self, sql: str, params: Sequence[Any], columns: dict[str, pa.DataType]
    ) -> Iterator[pa.RecordBatch]: ...

    def known_series(self) -> set[str]: ...

    def count_events(self) -> int: ...

    def categories(self) -> list[str]: ...

    def apply_retention_now(self) -> None: ...

    def close(self) -> None: ...
