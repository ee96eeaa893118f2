"""The single writer both stores share: one thread owns the write connection.

Requests queue up; the thread takes every request waiting (up to a cap) and
hands the group to the store's ``_write_group`` as one transaction, so that
writers arriving together share one commit (datasette's pattern). Retention
runs on the same thread between groups, every ``RETENTION_EVERY_S`` or at once
when a store asks for it (after a failed write, or from tests). After a failed
write, an idle writer probes every ``PROBE_EVERY_S`` so that health recovers
without waiting for the next producer.
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future

from hub.errors import Unavailable
from hub.events.model import AppendResult, NewEvent

RETENTION_EVERY_S = 30.0
PROBE_EVERY_S = 2.0  # after a failed write, how often an idle writer checks whether the disk takes writes again
MAX_EVENTS_PER_TRANSACTION = 20_000


class WriteRequest:
    __slots__ = ("events", "future")

    def __init__(self, events: list[NewEvent]) -> None:
        self.events = events
        self.future: Future[AppendResult] = Future()


class SingleWriter:
    """Base of a store: ``append`` from any thread, writes on the store's own thread."""

    def _start_writer(self, name: str) -> None:
        self._requests: queue.Queue[WriteRequest | None] = queue.Queue()
        self._closed = threading.Event()
        self._next_retention = time.monotonic()
        self._thread = threading.Thread(target=self._write_loop, name=name, daemon=True)
        self._thread.start()

    def _stop_writer(self) -> bool:
        """Finish queued writes and stop the thread; False if it was already stopped."""
        if self._closed.is_set():
            return False
        self._closed.set()
        self._requests.put(None)
        self._thread.join(timeout=30)
        return True

    def _write_group(self, group: list[WriteRequest]) -> None:
        raise NotImplementedError

    def _apply_retention(self) -> None:
        raise NotImplementedError

    write_error: str | None = None

    def _probe_write(self) -> None:
        """With nothing to write after a failed write: clear ``write_error`` once the store can write again.

        Without it, health would stay degraded until the next producer happened to post.
        """

    def append(self, events: list[NewEvent], timeout: float = 30.0) -> AppendResult:
        """Store events durably (all or none); duplicates by (source, id) are skipped."""
        if self._closed.is_set():
            raise Unavailable("the store is shutting down; retry in a moment")
        request = WriteRequest(events)
        self._requests.put(request)
        return request.future.result(timeout=timeout)

    def apply_retention_now(self) -> None:
        """Run retention on the writer thread and wait for it (tests, admin)."""
        self._next_retention = 0.0
        self.append([])

    def _write_loop(self) -> None:
        while True:
            wait = max(0.0, self._next_retention - time.monotonic())
            if self.write_error is not None:
                wait = min(wait, PROBE_EVERY_S)
            try:
                first = self._requests.get(timeout=wait)
            except queue.Empty:
                if time.monotonic() >= self._next_retention:
                    self._apply_retention()
                if self.write_error is not None:
                    self._probe_write()
                continue
            if first is None:
                return
            group, count = [first], len(first.events)
            while count < MAX_EVENTS_PER_TRANSACTION:
                try:
                    more = self._requests.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._requests.put(None)
                    break
                group.append(more)
                count += len(more.events)
            if time.monotonic() >= self._next_retention:
                self._apply_retention()
            self._write_group(group)
