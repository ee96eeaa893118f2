"""What absence and rate rules read: when events of a type were last seen, and how many a minute.

A bus subscriber on the leader, asking the bus only for the types some event
rule watches, so the live path pays nothing for types no rule names. It keeps
per (type, source, job) the last time seen and per-second counts for the last
hour, bounded in keys. When the leader starts, ``seed`` reads the same from the
store (newest first, bounded), so a restart or a failover does not forget that a
producer went silent before it, nor fire on a producer that was fine.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

import orjson

from hub.alerts.rules import MAX_RATE_WINDOW_S, Rule
from hub.events.filter import EventFilter, type_matches
from hub.events.model import StoredEvent
from hub.events.times import parse_time
from hub.live.bus import Batch

if TYPE_CHECKING:
    from hub.storage.interface import Store

logger = logging.getLogger(__name__)

Key = tuple[str, str, str]  # type, source, job ("" when the event has none)
MAX_KEYS = 10_000  # sources x types a leader remembers; the least recently seen go first
SEED_MAX_EVENTS = 100_000  # read at most this many stored events when the leader starts


class EventWatch:
    """Bus subscriber: last-seen times and per-second counts of the types event rules watch."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.last_seen: dict[Key, float] = {}
        self.counts: dict[Key, Counter[int]] = {}
        self._types: tuple[str, ...] = ()
        self._first_from_bus: dict[str, int] = {}  # per type, the first seq the bus brought
        self.started = time.time()

    @property
    def types(self) -> tuple[str, ...]:
        return self._types

    def watch(self, rules: list[Rule]) -> tuple[str, ...]:
        """Follow the types these rules watch; returns the ones not followed before (to seed)."""
        prefixes = tuple(sorted({r.type for r in rules if r.kind in ("absence", "rate") and r.enabled}))
        new = tuple(p for p in prefixes if p not in self._types)
        self._types = prefixes
        return new

    def deliver(self, batch: Batch) -> None:
        now = time.time()
        self._record([(e, now) for e in batch.events], from_bus=True)

    def _record(self, events: list[tuple[StoredEvent, float]], from_bus: bool = False) -> None:
        with self._lock:
            for event, ts in events:
                if from_bus:
                    self._first_from_bus.setdefault(event.type, event.seq)
                body = orjson.loads(event.body)
                data = body.get("data")
                job = data.get("job", "") if isinstance(data, dict) else ""
                key = (event.type, str(body.get("source", "")), job if isinstance(job, str) else "")
                if ts > self.last_seen.get(key, 0.0):
                    self.last_seen.pop(key, None)  # re-inserted last: the dict stays in least-recent order
                    self.last_seen[key] = ts
                self.counts.setdefault(key, Counter())[int(ts)] += 1
            while len(self.last_seen) > MAX_KEYS:
                oldest = next(iter(self.last_seen))
                del self.last_seen[oldest]
                self.counts.pop(oldest, None)

    def seed(self, store: Store, types: tuple[str, ...]) -> None:
        """Read the recent events of these types from the store, newest first, bounded: what the
        watch would have seen had it followed them (at the leader's start, or for a new rule)."""
        if not types:
            return
        since = time.time() - MAX_RATE_WINDOW_S
        before, read = store.last_seq + 1, 0
        found: list[tuple[StoredEvent, float]] = []
        while read < SEED_MAX_EVENTS:
            page = store.read_before(before, EventFilter(types, since=since), 5000)
            if not page:
                break
            for event in page:
                try:
                    found.append((event, parse_time(orjson.loads(event.body)["time"]).timestamp()))
                except (KeyError, ValueError):
                    continue
            read += len(page)
            before = page[0].seq
        with self._lock:  # what the bus already brought must not count twice
            first = dict(self._first_from_bus)
        self._record([(e, ts) for e, ts in found if e.seq < first.get(e.type, e.seq + 1)])

    def trim(self, now: float) -> None:
        oldest = int(now - MAX_RATE_WINDOW_S)
        with self._lock:
            for counter in self.counts.values():
                for second in [s for s in counter if s < oldest]:
                    del counter[second]

    def _matching(self, rule: Rule) -> list[Key]:
        return [
            k
            for k in self.last_seen
            if type_matches(k[0], (rule.type,)) and (not rule.source or k[1] == rule.source)
            and (not rule.job or k[2] == rule.job)
        ]  # fmt: skip

    def silence_s(self, rule: Rule, now: float) -> float:
        """Seconds since the last matching event (since the watch started, if none is known)."""
        with self._lock:
            seen = [self.last_seen[k] for k in self._matching(rule)]
        return now - max(seen, default=self.started - MAX_RATE_WINDOW_S)

    def per_minute(self, rule: Rule, now: float) -> float:
        start = int(now - rule.window_s)
        with self._lock:
            total = sum(n for k in self._matching(rule) for s, n in self.counts.get(k, Counter()).items() if s > start)
        return total * 60.0 / rule.window_s


def describe(watch: EventWatch) -> dict[str, Any]:
    return {"keys": len(watch.last_seen), "types": list(watch.types)}
