"""Text search and counts over the whole retained history, bounded in time (GET /api/events ``q``, ``count``).

A search (``q``) cannot use an index: it reads the stored events one by one. So it
walks the history in windows of ``seq`` from the page's cursor (newest first for
``before``, oldest first for ``after``), each window one indexed range query that
stops at the page's size, and stops when the page is full, the history is
exhausted or ``budget_s`` has been spent. When the budget stops it, the page says so
(``partial``) and gives the cursor to carry on from (``next_before`` or
``next_after``): a caller never mistakes "not searched yet" for "not there".

Type prefixes are resolved first to the exact types stored under them (one index
lookup per distinct type), so each window reads only those types' rows through the
(type, seq) index: a rare type is searched over a million events in milliseconds.
Counting (``count=1``) is exact and indexed without ``q``; with ``q`` it is the same
bounded walk over the whole history, ``exact`` false when the budget ran out first.
The SQL is written once with ``?`` placeholders in the store's dialect (hub/storage/sql.py),
so SQLite and PostgreSQL give the same answers.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hub.events.filter import EventFilter, type_matches
from hub.events.model import StoredEvent
from hub.storage.sql import Dialect, filter_sql

if TYPE_CHECKING:
    from hub.storage.interface import Store

MAX_QUERY_CHARS = 200  # a search text longer than this is refused (400), not cut
PAGE_BUDGET_S = 0.25  # a search page stops after this long with what it found and where it stopped
COUNT_BUDGET_S = 0.3  # a count with q walks this long at most; past it the count is a lower bound
FIRST_WINDOW = 20_000  # seqs in the first window; each window doubles while they run fast
MAX_WINDOW = 500_000
MAX_RESOLVED_TYPES = 500  # past this many distinct types under the prefixes, filter by range instead


@dataclass(frozen=True)
class SearchPage:
    """Events of one page (oldest first), and where the walk stopped."""

    events: list[StoredEvent]
    more: bool  # more matching events may lie beyond, in the page's direction
    next_cursor: int | None  # the seq to pass as before= (older pages) or after= (newer pages) to carry on
    partial: bool  # the time budget stopped the walk before the page filled
    scanned_to: int  # the last seq the walk looked at (inclusive)


def _resolve_types(conn: Any, dialect: Dialect, prefixes: Sequence[str]) -> list[str] | None:
    """The distinct stored types under these prefixes (None: too many, filter by prefix ranges instead)."""
    found: list[str] = []
    first = dialect.sql("SELECT MIN(type) FROM events WHERE type >= ? AND type < ?")
    step = dialect.sql("SELECT MIN(type) FROM events WHERE type > ? AND type < ?")
    for prefix in sorted(set(prefixes)):
        # [prefix, prefix + "/") holds every type under it ('/' sorts right after '.'), and the types
        # with '-' after the prefix (the one type character below '.'), which type_matches leaves out
        row = conn.execute(first, (prefix, prefix + "/")).fetchone()
        while row is not None and row[0] is not None:
            current = row[0]
            if type_matches(current, (prefix,)) and current not in found:
                found.append(current)
                if len(found) > MAX_RESOLVED_TYPES:
                    return None
            row = conn.execute(step, (current, prefix + "/")).fetchone()
    return found


class _Walk:
    """The parts of a search's SQL that every window shares."""

    def __init__(self, store: Store, conn: Any, event_filter: EventFilter) -> None:
        self.dialect = store.dialect
        self.conn = conn
        self.empty = False
        types: tuple[str, list[Any]] | None = None
        if event_filter.types:
            resolved = _resolve_types(conn, self.dialect, event_filter.types)
            self.empty = resolved == []  # no such type stored: nothing to walk
            if resolved:  # None: too many, the prefixes' ranges instead
                types = (f"type IN ({','.join('?' * len(resolved))})", list(resolved))
        self.where, self.params = filter_sql(self.dialect, event_filter, types)

    def rows(self, low: int, high: int, newest_first: bool, limit: int) -> list[StoredEvent]:
        """Matching events with low <= seq <= high, at most ``limit`` from the walk's end."""
        order = "DESC" if newest_first else "ASC"
        sql = (
            f"SELECT seq, type, body FROM events WHERE seq >= ? AND seq <= ? AND {self.where} "
            f"ORDER BY seq {order} LIMIT ?"
        )
        return [StoredEvent(*r) for r in self.conn.execute(self.dialect.sql(sql), [low, high, *self.params, limit])]

    def count(self, low: int, high: int) -> int:
        sql = f"SELECT COUNT(*) FROM events WHERE seq >= ? AND seq <= ? AND {self.where}"
        return int(self.conn.execute(self.dialect.sql(sql), [low, high, *self.params]).fetchone()[0])


def search_page(
    store: Store,
    event_filter: EventFilter,
    limit: int,
    after: int | None = None,
    before: int | None = None,
    budget_s: float = PAGE_BUDGET_S,
) -> SearchPage:
    """One page of matching events after ``after`` (oldest first) or before ``before`` (newest first),
    walking windows of seq until the page is full, the history ends or ``budget_s`` is spent."""
    first, last = store.first_seq(), store.last_seq
    newest_first = before is not None
    # the seqs still to walk, inclusive; the walk moves from `edge` towards `end`
    edge, end = (min(before, last + 1) - 1, first) if before is not None else (max(after or 0, first - 1) + 1, last)
    found: list[StoredEvent] = []
    deadline = time.monotonic() + budget_s
    window = FIRST_WINDOW
    with store.read_connection() as conn:
        walk = _Walk(store, conn, event_filter)
        remaining = (edge >= end) if newest_first else (edge <= end)
        while remaining and not walk.empty and len(found) <= limit:
            started = time.monotonic()
            if newest_first:
                low, high = max(end, edge - window + 1), edge
                found += walk.rows(low, high, True, limit + 1 - len(found))
                edge = low - 1
                remaining = edge >= end
            else:
                low, high = edge, min(end, edge + window - 1)
                found += walk.rows(low, high, False, limit + 1 - len(found))
                edge = high + 1
                remaining = edge <= end
            if time.monotonic() >= deadline:
                break
            if time.monotonic() - started < budget_s / 20:
                window = min(MAX_WINDOW, window * 2)
    full = len(found) > limit
    page = found[:limit]
    scanned_to = edge + 1 if newest_first else edge - 1
    if full:
        cursor: int | None = page[-1].seq
    elif remaining and not walk.empty:
        cursor = edge + 1 if newest_first else edge - 1  # the budget ran out: carry on from where it stopped
    else:
        cursor = None
    partial = not full and remaining and not walk.empty
    if newest_first:
        page.reverse()
    return SearchPage(page, full or partial, cursor, partial, scanned_to)


def count_matching(store: Store, event_filter: EventFilter, budget_s: float = COUNT_BUDGET_S) -> dict[str, Any]:
    """``matching`` events of the whole retained history and the ``total`` retained; ``exact`` false when
    a text search ran out of ``budget_s`` (then ``matching`` counts seqs from ``counted_from`` on)."""
    total = store.count_events()
    first, last = store.first_seq(), store.last_seq
    with store.read_connection() as conn:
        walk = _Walk(store, conn, event_filter)
        if walk.empty:
            return {"matching": 0, "total": total, "exact": True, "counted_from": first}
        if not event_filter.text:  # indexed: one query whatever the size
            return {"matching": walk.count(first, last), "total": total, "exact": True, "counted_from": first}
        matching, edge, window = 0, last, FIRST_WINDOW
        deadline = time.monotonic() + budget_s
        while edge >= first:
            started = time.monotonic()
            low = max(first, edge - window + 1)
            matching += walk.count(low, edge)
            edge = low - 1
            if time.monotonic() >= deadline:
                break
            if time.monotonic() - started < budget_s / 20:
                window = min(MAX_WINDOW, window * 2)
    return {"matching": matching, "total": total, "exact": edge < first, "counted_from": edge + 1}
