"""The Redis Streams bus: committed events reach the clients of every server process.

Chosen with ``--bus-url redis://...`` (needs the ``scale`` extra: redis-py), with
the PostgreSQL store, whose write lock makes ``publish`` calls arrive in seq order
across processes (hub/storage/postgres.py). ``publish`` XADDs one stream entry per commit,
with the entry id ``<last seq>-0`` (so Redis itself refuses an entry out of seq
order) and ``MAXLEN ~`` trimming. Each process runs one reader thread that XREADs
from the last seq it delivered and hands the events to an ``InProcessBus`` for the
local fan-out: every process, the writer included, delivers the same stream in the
same order.

Redis is a fast path, not the record: the store is. The reader delivers only
contiguous seqs. When an entry skips seqs (a process died between COMMIT and XADD,
Redis was restarted and lost the stream, an XADD failed), or when the stream is
idle or unreachable while the store has moved on, the missing events are read
from the store and delivered first. Seqs at or below the last delivered one are
dropped, so the two paths never duplicate. The stream key carries the store's
epoch, so a recreated store never meets an old stream.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

import redis

from hub.events.model import StoredEvent
from hub.live.bus import InProcessBus, Subscriber

logger = logging.getLogger(__name__)

STREAM_MAXLEN = 100_000  # entries (one per commit); older ones are read from the store
READ_BLOCK_MS = 1000  # an idle reader checks the store this often
BACKFILL_PAGE = 5000
RETRY_S = 0.5


class SeqSource(Protocol):
    """What the bus needs from the store: where it is, and the events after a seq."""

    @property
    def last_seq(self) -> int: ...

    @property
    def epoch(self) -> str: ...

    def read_after(self, after: int, types: tuple[str, ...] = (), limit: int = 500) -> list[StoredEvent]: ...


def encode(events: list[StoredEvent]) -> dict[str, str]:
    # stored bodies are orjson output: never a raw newline, so newline-joined text splits back exactly
    return {
        "seqs": ",".join(str(e.seq) for e in events),
        "types": "\n".join(e.type for e in events),
        "bodies": "\n".join(e.body for e in events),
    }


def decode(fields: dict[str, str]) -> list[StoredEvent]:
    seqs = [int(s) for s in fields["seqs"].split(",")]
    types = fields["types"].split("\n")
    bodies = fields["bodies"].split("\n")
    return [StoredEvent(s, t, b) for s, t, b in zip(seqs, types, bodies, strict=True)]


class RedisBus:
    """Fan-out across processes through one Redis stream, in seq order, with gaps filled from the store."""

    def __init__(self, url: str, store: SeqSource, maxlen: int = STREAM_MAXLEN) -> None:
        self.store = store
        self.maxlen = maxlen
        self.key = f"mova:events:{store.epoch}"
        self.local = InProcessBus()
        # short timeouts: publish runs under the store's write lock and must not hang on a dead Redis
        options: dict[str, Any] = {"decode_responses": True, "socket_connect_timeout": 2, "socket_timeout": 2}
        self._writer = redis.Redis.from_url(url, **options)
        options["socket_timeout"] = READ_BLOCK_MS / 1000 + 5
        self._reader = redis.Redis.from_url(url, **options)
        self._delivered = store.last_seq
        self._closed = threading.Event()
        self._redis_down = False
        self._thread = threading.Thread(target=self._run, name="redis-bus-reader", daemon=True)
        self._thread.start()

    @property
    def subscriber_count(self) -> int:
        return self.local.subscriber_count

    @property
    def delivered_seq(self) -> int:
        return self._delivered

    def publish(self, events: list[StoredEvent]) -> None:
        """XADD one committed batch (called in seq order, after COMMIT); a failure is logged, not raised."""
        if not events:
            return
        try:
            fields: Any = encode(events)  # redis-py's field types are narrower than what it accepts
            self._writer.xadd(self.key, fields, id=f"{events[-1].seq}-0", maxlen=self.maxlen, approximate=True)
        except redis.RedisError as exc:
            # durable in the store: every reader fills the gap from there
            logger.warning(
                "XADD of seq %d..%d failed (%s); readers will read them from the store",
                events[0].seq,
                events[-1].seq,
                exc,
            )

    def subscribe(self, subscriber: Subscriber) -> None:
        self.local.subscribe(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.local.unsubscribe(subscriber)

    # -- the reader thread -------------------------------------------------

    def _run(self) -> None:
        while not self._closed.is_set():
            try:
                answer: Any = self._reader.xread({self.key: f"{self._delivered}-0"}, count=100, block=READ_BLOCK_MS)
                if self._redis_down:
                    logger.warning("Redis answers again; the stream resumes")
                    self._redis_down = False
            except redis.RedisError as exc:
                if self._closed.is_set():
                    return  # close() disconnected the blocking read
                if not self._redis_down:
                    logger.warning("Redis unreachable (%s): delivering from the store until it is back", exc)
                    self._redis_down = True
                self._catch_up()
                self._closed.wait(RETRY_S)
                continue
            except Exception:
                if self._closed.is_set():
                    return  # close() closed the socket under the read
                logger.exception("redis bus reader failed; retrying")
                self._closed.wait(RETRY_S)
                continue
            if not answer:
                self._catch_up()  # idle: something may have committed without reaching Redis
                continue
            for _key, entries in answer:
                for _id, fields in entries:
                    self._deliver(decode(fields))

    def _deliver(self, events: list[StoredEvent]) -> None:
        fresh = [e for e in events if e.seq > self._delivered]
        if not fresh:
            return
        if fresh[0].seq > self._delivered + 1:
            self._catch_up(until=fresh[0].seq - 1)
            fresh = [e for e in fresh if e.seq > self._delivered]
            if not fresh:
                return
        self.local.publish(fresh)
        self._delivered = fresh[-1].seq

    def _catch_up(self, until: int | None = None) -> None:
        """Deliver from the store what was committed after the last delivered seq (up to ``until``)."""
        try:
            while until is None or self._delivered < until:
                page = self.store.read_after(self._delivered, (), BACKFILL_PAGE)
                if until is not None:
                    page = [e for e in page if e.seq <= until]
                if not page:
                    return
                self.local.publish(page)
                self._delivered = page[-1].seq
        except Exception:
            logger.exception("reading missed events from the store failed; retrying on the next round")

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        # cut the reader's blocking XREAD short rather than wait out READ_BLOCK_MS (every shutdown pays it)
        self._reader.connection_pool.disconnect(inuse_connections=True)
        self._thread.join(timeout=READ_BLOCK_MS / 1000 + 3)
        self.local.close()
        for client in (self._writer, self._reader):
            try:
                client.close()
            except redis.RedisError:
                logger.debug("redis client already closed", exc_info=True)
