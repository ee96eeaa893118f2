"""The publishing client's core: ``Publisher`` sends events to a MOVA Live hub without blocking.

``Publisher.publish()`` stamps each event with its id, source and time and
queues it; one background thread posts the queue in batches (in order) and
retries network errors, 5xx and 429 with exponential backoff and jitter,
honouring ``Retry-After``. Because the (source, id) pair is fixed before the
first attempt, a retried POST whose first attempt was in fact stored is
reported by the hub as a duplicate, never stored twice. The buffer is bounded:
when it is full the *oldest* queued event is dropped (and counted) so that a
hub outage never blocks or grows the service that publishes; a dashboard wants
the newest state more than the oldest.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import orjson
import requests

logger = logging.getLogger(__name__)

DEFAULT_URL = "http://127.0.0.1:8050"
MAX_BODY_BYTES = 900_000  # under the hub's default 1 MiB body limit, with room for the brackets
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class PublisherStats:
    """Counters of one Publisher; every published event ends up in exactly one of the last five."""

    published: int = 0  # publish() calls
    pending: int = 0  # queued or in flight
    accepted: int = 0  # stored by the hub
    duplicates: int = 0  # the hub already had them (a retry of a POST that had succeeded)
    rejected: int = 0  # refused with a 4xx other than 429; never retried
    dropped: int = 0  # pushed out of the full buffer before they were sent
    abandoned: int = 0  # still unsent when close() gave up waiting
    batches: int = 0  # POSTs answered 202
    retries: int = 0  # attempts repeated after a network error, 5xx or 429
    last_error: str = ""


@dataclass
class _Pending:
    n: int  # publish order, for flush()
    body: bytes  # the event serialized once, at publish() time


def _format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def error_of(response: requests.Response) -> dict[str, Any]:
    """The hub's error body ({"error": ..., ...}) or a stand-in when the body is not one."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "error" in body:
        return body
    return {"error": f"HTTP {response.status_code}: {response.text[:200]}"}


class Publisher:
    """Queue events and post them to ``{url}/api/events`` in batches from a background thread."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        token: str | None = None,
        source: str = "publisher",
        batch_size: int = 100,
        flush_interval: float = 0.2,
        max_buffer: int = 10_000,
        *,
        timeout: float = 10.0,
        backoff_initial: float = 0.1,
        backoff_max: float = 30.0,
    ) -> None:
        if batch_size < 1 or max_buffer < 1:
            raise ValueError("batch_size and max_buffer must be >= 1")
        self.url = url.rstrip("/") + "/api/events"
        self.source = source
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_buffer = max_buffer
        self.timeout = timeout
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self._session = requests.Session()
        self._session.headers["Content-Type"] = "application/json"
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"
        self._cond = threading.Condition()
        self._buffer: deque[_Pending] = deque()
        self._inflight: list[_Pending] = []
        self._stats = PublisherStats()
        self._next_n = 0
        self._flush_wanted = 0  # publish number a flush() waits for; makes the sender skip its batching delay
        self._closing = False
        self._abort = threading.Event()  # set when close() gives up: stop retrying at once
        self._rng = random.Random()
        self._thread = threading.Thread(target=self._run, name=f"publisher-{source}", daemon=True)
        self._thread.start()

    # -- the caller's side ----------------------------------------------------

    def publish(
        self,
        type: str,  # the CloudEvents attribute names read best here, shadowing or not
        data: dict[str, Any],
        *,
        source: str | None = None,
        id: str | None = None,
        time: str | datetime | None = None,
    ) -> str:
        """Queue one event and return its id; never waits for the network.

        Raises TypeError for data that is not a JSON object (a programming error is
        better reported here than as a rejected batch later) and RuntimeError after close().
        """
        if not isinstance(type, str) or not isinstance(data, dict):
            raise TypeError("publish(type, data) needs a str type and a dict data")
        event_id = id or uuid.uuid4().hex
        when = time if isinstance(time, str) else _format_time(time or datetime.now(UTC))
        envelope = {
            "specversion": "1.0",
            "id": event_id,
            "source": source or self.source,
            "type": type,
            "time": when,
            "data": data,
        }
        body = orjson.dumps(envelope)  # serialized now: later changes to data by the caller do not leak in
        with self._cond:
            if self._closing:
                raise RuntimeError("this Publisher is closed")
            self._next_n += 1
            self._buffer.append(_Pending(self._next_n, body))
            dropped = 0
            while len(self._buffer) > self.max_buffer:
                self._buffer.popleft()
                dropped += 1
            self._stats = replace(
                self._stats,
                published=self._stats.published + 1,
                dropped=self._stats.dropped + dropped,
            )
            self._cond.notify_all()
        if dropped:
            logger.warning("publisher buffer full (%d events): dropped the oldest", self.max_buffer)
        return event_id

    @property
    def stats(self) -> PublisherStats:
        with self._cond:
            return replace(self._stats, pending=len(self._buffer) + len(self._inflight))

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every event published so far is settled (stored, duplicate, rejected or dropped).

        Returns False if that did not happen within ``timeout`` seconds.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            target = self._next_n
            self._flush_wanted = max(self._flush_wanted, target)
            self._cond.notify_all()
            while self._oldest_unsettled() <= target:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                if not self._thread.is_alive():
                    return False
                self._cond.wait(remaining if remaining is not None else 1.0)
            return True

    def close(self, timeout: float | None = 10.0) -> bool:
        """Flush (up to ``timeout`` seconds), then stop the thread. Safe to call twice.

        Returns True if everything was settled; what was left is counted as abandoned.
        """
        with self._cond:
            if self._closing and not self._thread.is_alive():
                return self.stats.pending == 0
            self._closing = True
            self._cond.notify_all()
        done = self.flush(timeout)
        self._abort.set()
        with self._cond:
            self._cond.notify_all()
        self._thread.join(timeout=self.timeout + 5)
        with self._cond:
            left = len(self._buffer) + len(self._inflight)
            if left:
                self._buffer.clear()
                self._inflight = []
                self._stats = replace(self._stats, abandoned=self._stats.abandoned + left)
                logger.warning("publisher closed with %d unsent events", left)
        self._session.close()
        return done

    def __enter__(self) -> Publisher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    # -- the sender thread ------------------------------------------------------

    def _oldest_unsettled(self) -> int:
        """Publish number of the oldest event not yet settled (a number past the last one if none)."""
        if self._inflight:
            return self._inflight[0].n
        if self._buffer:
            return self._buffer[0].n
        return self._next_n + 1

    def _next_batch(self) -> bool:
        """Wait for events (up to flush_interval for a full batch) and move a batch in flight."""
        with self._cond:
            while not self._buffer and not self._abort.is_set():
                if self._closing:
                    return False
                self._cond.wait()
            # batching: wait a little for more unless the batch is full or someone waits for it
            deadline = time.monotonic() + self.flush_interval
            while (
                len(self._buffer) < self.batch_size
                and not self._closing
                and not self._abort.is_set()
                and self._flush_wanted < self._buffer[-1].n
            ):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            if self._abort.is_set():
                return False
            size, batch = 0, list[_Pending]()
            while self._buffer and len(batch) < self.batch_size:
                size += len(self._buffer[0].body) + 1
                if batch and size > MAX_BODY_BYTES:
                    break
                batch.append(self._buffer.popleft())
            self._inflight = batch
            return True

    def _run(self) -> None:
        try:
            while self._next_batch():
                left = self._deliver(list(self._inflight))
                with self._cond:
                    self._inflight = []
                    if left:
                        self._stats = replace(self._stats, abandoned=self._stats.abandoned + len(left))
                    self._cond.notify_all()
        except Exception:  # a bug here must not leave flush() waiting forever
            logger.exception("publisher thread failed")
        finally:
            with self._cond:
                self._cond.notify_all()

    def _count(self, **changes: int | str) -> None:
        with self._cond:
            values: dict[str, Any] = {}
            for name, value in changes.items():
                values[name] = value if isinstance(value, str) else getattr(self._stats, name) + value
            self._stats = replace(self._stats, **values)

    def _deliver(self, batch: list[_Pending]) -> list[_Pending]:
        """Post one batch until the hub answers for every event in it; return what close() gave up on."""
        attempt = 0
        while batch:
            if self._abort.is_set():
                return batch
            body = b"[" + b",".join(p.body for p in batch) + b"]"
            try:
                response = self._session.post(self.url, data=body, timeout=self.timeout)
            except requests.RequestException as exc:
                self._count(last_error=f"cannot reach {self.url}: {exc}")
                attempt = self._wait_to_retry(attempt, None)
                continue
            status = response.status_code
            if status == 202:
                answer = response.json()
                self._count(
                    accepted=int(answer.get("accepted", 0)), duplicates=int(answer.get("duplicates", 0)), batches=1
                )
                return []
            error = error_of(response)
            if status in RETRY_STATUSES:
                self._count(last_error=f"HTTP {status}: {error['error']}")
                attempt = self._wait_to_retry(attempt, retry_after_seconds(response.headers.get("Retry-After")))
                continue
            index = error.get("index")
            if status in (400, 413) and isinstance(index, int) and 0 <= index < len(batch):
                # all-or-nothing ingest: take out the one bad event and send the rest again
                logger.error("hub rejected an event: %s", error["error"])
                self._count(rejected=1, last_error=f"HTTP {status}: {error['error']}")
                batch = batch[:index] + batch[index + 1 :]
                continue
            if status == 413 and len(batch) > 1:
                half = len(batch) // 2  # the body is too big for this hub's limits: halve it
                left = self._deliver(batch[:half])
                if left:
                    return left + batch[half:]
                batch = batch[half:]
                continue
            logger.error("hub refused %d events (HTTP %d): %s", len(batch), status, error["error"])
            self._count(rejected=len(batch), last_error=f"HTTP {status}: {error['error']}")
            return []
        return []

    def _wait_to_retry(self, attempt: int, retry_after: float | None) -> int:
        # exponential backoff with jitter, so that many publishers do not return in step
        ceiling = min(self.backoff_max, self.backoff_initial * 2**attempt)
        delay = ceiling / 2 + self._rng.uniform(0, ceiling / 2)
        if retry_after is not None:
            delay = max(delay, min(retry_after, max(self.backoff_max, 60.0)))
        self._count(retries=1)
        self._abort.wait(delay)
        return attempt + 1
