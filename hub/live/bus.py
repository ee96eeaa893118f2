"""The bus: fans committed events out to subscribers (the WebSocket clients).

The embedded implementation runs one dispatcher thread. An idle stream hands an
event on as soon as it is committed; under load, events that arrive while the
dispatcher is busy (or within ``dispatch_interval_s`` of the last flush) go out
together in the next flush. Each client then coalesces to its own frame rate. At each flush the events are
filtered and serialized once per distinct type filter, and the same ``Batch``
(with its JSON text) is handed to every subscriber with that filter: no
per-client encoding. ``deliver`` must never block: a subscriber queues the
batch and sends it on its own thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from hub.events.filter import type_matches
from hub.events.model import StoredEvent

if TYPE_CHECKING:
    from hub.settings import Settings
    from hub.storage.interface import Store

logger = logging.getLogger(__name__)

DISPATCH_INTERVAL_S = 0.002


@dataclass(frozen=True)
class Batch:
    """Events in seq order and their JSON array text, built once for many clients."""

    events: list[StoredEvent]
    json: str

    @classmethod
    def of(cls, events: list[StoredEvent]) -> Batch:
        return cls(events, "[" + ",".join(e.body for e in events) + "]")

    @classmethod
    def join(cls, batches: list[Batch]) -> Batch:
        """Consecutive batches as one, their JSON arrays joined as text."""
        return cls([e for b in batches for e in b.events], "[" + ",".join(b.json[1:-1] for b in batches) + "]")

    @cached_property
    def json_bytes(self) -> bytes:
        """The JSON text as UTF-8, encoded once for every client that gets this batch."""
        return self.json.encode()

    @property
    def last_seq(self) -> int:
        return self.events[-1].seq

    def after(self, seq: int) -> Batch | None:
        """This batch without the events at or before ``seq`` (None if nothing is left)."""
        if self.events[0].seq > seq:
            return self
        rest = [e for e in self.events if e.seq > seq]
        return Batch.of(rest) if rest else None


class Subscriber(Protocol):
    @property
    def types(self) -> tuple[str, ...]: ...

    def deliver(self, batch: Batch) -> None: ...


class Bus(Protocol):
    def publish(self, events: list[StoredEvent]) -> None: ...

    def subscribe(self, subscriber: Subscriber) -> None: ...

    def unsubscribe(self, subscriber: Subscriber) -> None: ...

    def close(self) -> None: ...


class InProcessBus:
    """Fan-out within one process, coalescing bursts into batches."""

    def __init__(self, dispatch_interval_s: float = DISPATCH_INTERVAL_S) -> None:
        self.dispatch_interval_s = dispatch_interval_s
        self._pending: list[StoredEvent] = []
        self._subscribers: set[Subscriber] = set()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._closed = False
        self._last_flush = 0.0
        self._pending_since = 0.0  # when the oldest pending event was committed
        self.on_flush: Callable[[float], None] | None = None  # seconds from commit to fan-out (GET /metrics)
        self._thread = threading.Thread(target=self._run, name="bus-dispatcher", daemon=True)
        self._thread.start()

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def publish(self, events: list[StoredEvent]) -> None:
        with self._wake:
            if not self._pending:
                self._pending_since = time.monotonic()
            self._pending.extend(events)
            self._wake.notify()

    def subscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.add(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._pending and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
            # coalesce: at most one flush per dispatch interval, bounding per-client work under load
            delay = self._last_flush + self.dispatch_interval_s - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            with self._lock:
                events, self._pending = self._pending, []
                subscribers = list(self._subscribers)
                since = self._pending_since
            self._last_flush = time.monotonic()
            self._flush(events, subscribers)
            if self.on_flush is not None:
                self.on_flush(time.monotonic() - since)

    @staticmethod
    def _flush(events: list[StoredEvent], subscribers: list[Subscriber]) -> None:
        by_filter: dict[tuple[str, ...], list[Subscriber]] = defaultdict(list)
        for subscriber in subscribers:
            by_filter[subscriber.types].append(subscriber)
        for types, group in by_filter.items():
            chosen = [e for e in events if type_matches(e.type, types)] if types else events
            if not chosen:
                continue
            batch = Batch.of(chosen)
            for subscriber in group:
                try:
                    subscriber.deliver(batch)
                except Exception:
                    logger.exception("subscriber %r failed; the others carry on", subscriber)

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()
        self._thread.join(timeout=5)


def open_bus(settings: Settings, store: Store) -> Bus:
    """The in-process bus, or with ``--bus-url`` a Redis stream shared by every process (imported only then,
    so that the default install needs no redis-py)."""
    if settings.bus_url:
        from hub.live.redis_bus import RedisBus

        return RedisBus(settings.bus_url, store)
    return InProcessBus()
