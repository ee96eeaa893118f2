"""Streamed exports of events (GET /api/events/export): CSV or JSON lines, with the feed's filters.

Events are read page by page as the feed reads them (types, ``q``, since/until,
after/before), oldest first; a search walks the history in bounded steps
(hub/storage/search.py) and carries on until it is done. JSON lines are the stored
text as it is; CSV has one row per event with its data as JSON. Times are in the
hub's one format, also where a producer sent its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import orjson
import pandas as pd

from hub.errors import InvalidInput
from hub.events.filter import EventFilter
from hub.events.model import StoredEvent
from hub.events.times import format_time, parse_time
from hub.export.csvsafe import frame_csv
from hub.storage.interface import Store
from hub.storage.search import search_page

EVENTS_PER_CHUNK = 500  # events are up to 64 KiB each: a chunk stays under 32 MiB, and a client that left stops it soon
EVENT_FORMATS = {"csv": "text/csv", "jsonl": "application/x-ndjson"}
EVENT_COLUMNS = ["seq", "time", "type", "source", "id", "data"]
# the hub's own time format; a producer may send any ISO 8601 (an offset, no milliseconds)
NON_CANONICAL_TIME = re.compile(r'"time":"(?!\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")')


def canonical_time(text: str) -> str:
    """An event time as ISO 8601 UTC with milliseconds and Z, the one format of every export."""
    return format_time(parse_time(text))


def _jsonl_body(body: str) -> str:
    # stored text as it is, unless a "time" in it is not in the hub's format (rare: producers' own times)
    if NON_CANONICAL_TIME.search(body) is None:
        return body
    event = orjson.loads(body)
    return orjson.dumps({**event, "time": canonical_time(event["time"])}).decode()


def _event_pages(
    store: Store, event_filter: EventFilter, after: int, before: int | None, size: int
) -> Iterator[list[StoredEvent]]:
    """The matching events after ``after`` and before ``before``, oldest first, page by page."""
    position = after
    while True:
        if event_filter.text:  # a search walks the history in bounded steps; carry on until it is done
            found = search_page(store, event_filter, size, after=position)
            page, cursor = found.events, found.next_cursor
        else:
            page = store.read_after(position, event_filter, size)
            cursor = page[-1].seq if len(page) == size else None
        page = [e for e in page if before is None or e.seq < before]
        if page:
            yield page
        if cursor is None or (before is not None and cursor >= before - 1):
            return
        position = cursor


def _event_span(store: Store, event_filter: EventFilter, after: int, before: int | None) -> tuple[float, float] | None:
    """The times of the first and last matching event (their order is seq order)."""
    first = next(_event_pages(store, event_filter, after, before, 1), None)
    if first is None:
        return None
    end = min(before, store.last_seq + 1) if before is not None else store.last_seq + 1
    if event_filter.text:
        found = search_page(store, event_filter, 1, before=end)
        while not found.events and found.next_cursor is not None:
            found = search_page(store, event_filter, 1, before=found.next_cursor)
        last = found.events
    else:
        last = store.read_before(end, event_filter, 1)
    times = [parse_time(orjson.loads(e.body)["time"]).timestamp() for e in (first[0], *last[-1:])]
    return times[0], times[-1]


def export_events(
    store: Store, event_filter: EventFilter, after: int, before: int | None, fmt: str
) -> tuple[Iterator[bytes], tuple[float, float] | None]:
    """Events matching the filter (as the feed shows them: types, q, since/until, after/before), oldest first,
    as JSON lines (stored text) or CSV; and the times of the first and last of them."""
    if fmt not in EVENT_FORMATS:
        raise InvalidInput(f"format must be csv or jsonl, got {fmt!r}", parameter="format")

    def stream() -> Iterator[bytes]:
        header = True
        for page in _event_pages(store, event_filter, after, before, EVENTS_PER_CHUNK):
            bodies = [_jsonl_body(e.body) for e in page]
            if fmt == "jsonl":
                yield ("\n".join(bodies) + "\n").encode()
                continue
            events = [orjson.loads(b) for b in bodies]
            frame = pd.DataFrame(
                {
                    "seq": [e["seq"] for e in events],
                    "time": [canonical_time(e["time"]) for e in events],
                    "type": [e["type"] for e in events],
                    "source": [e["source"] for e in events],
                    "id": [e["id"] for e in events],
                    "data": [orjson.dumps(e["data"]).decode() for e in events],
                }
            )
            yield frame_csv(frame, header)
            header = False
        if header and fmt == "csv":
            yield frame_csv(pd.DataFrame(columns=EVENT_COLUMNS), True)

    return stream(), _event_span(store, event_filter, after, before)
