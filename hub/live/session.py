"""One open socket's session: its queue, its filter, its frame counter; live batches, gap, ping/pong.

Each connection is a ``ClientSession`` with its own thread. Live batches come
from the bus's dispatcher thread (``deliver``, which never blocks): a client
that keeps up gets its frame written there and then, with one non-blocking
send of a small per-client head plus the batch's JSON bytes, encoded once for
everybody (no thread wakes per client: with 100 clients, waking 100 threads per
batch cost more than the sends). What cannot go at once waits in the session's
queue for its own thread: the rest of a frame a slow reader's socket did not
take, frames held back by the client's frame interval (20 a second by default,
what the browser's WebSocket component keeps up with; ``frame_ms=0`` for API
clients that want every batch at once; waiting batches are joined into one frame
as text, not encoded again), replies to the client's frames, and gaps. A second
thread reads client frames (ping, subscribe) and queues the replies. Replay
without gap or duplicate (DESIGN.md §4): subscribe to the bus first, read the
store after the client's seq, then skip every queued event the replay already
sent; the dispatcher writes nothing itself until the replay is done. A client
whose queue passes its bound loses the queued batches and is sent a ``gap``
frame instead, so a slow reader never holds memory or slows the others.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections import deque
from contextlib import suppress
from typing import TYPE_CHECKING, Any

import orjson
from simple_websocket import ConnectionClosed

from hub.events.filter import parse_types
from hub.events.times import now_iso
from hub.live.bus import Batch
from hub.live.frames import FrameWriter, Unsent, WebSocket

if TYPE_CHECKING:
    from hub.storage.interface import Store

logger = logging.getLogger(__name__)

REPLAY_PAGE = 1000
RECEIVE_CHECK_S = 2.0  # how often a socket's reader checks that its connection still runs


class Tally:
    """A count bumped from many threads and read by GET /metrics (hub/integrations/prom.py)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def add(self, n: int = 1) -> None:
        with self._lock:
            self.value += n


GAPS_SENT = Tally()  # gap frames sent by this process


class ClientSession:
    """One open socket: its queue, its filter and its frame counter."""

    def __init__(
        self,
        ws: WebSocket,
        types: tuple[str, ...],
        max_events: int,
        frame_interval_s: float = 0.0,
        frames_per_minute: int = 100,
        max_bytes: int = 16 * 2**20,
    ) -> None:
        self.ws = ws
        self.writer = FrameWriter(ws)
        self.frames_per_minute = frames_per_minute
        self._window_start = time.monotonic()
        self._window_frames = 0
        self.types = types
        self.max_events = max_events
        self.max_bytes = max_bytes
        self._queued_bytes = 0
        self.frame_interval_s = frame_interval_s
        self._last_frame = 0.0
        self._batches: deque[Batch] = deque()
        self._queued_events = 0
        self._control: deque[dict[str, Any]] = deque()
        self._gap = False
        self._closed = False
        self._live = False  # replay done: the dispatcher may send a batch itself
        self._sending = False  # a thread is writing a frame; nobody else may start one
        self._unsent: Unsent | None = None
        self._lock = threading.Lock()  # entered with `with` in C, where the dispatcher passes 1,000 times an event
        self._wake = threading.Condition(self._lock)
        self.frames_sent = 0
        self.last_sent_seq = 0

    # called by the bus dispatcher: must not block
    def deliver(self, batch: Batch) -> None:
        with self._lock:
            if self._closed:
                return
            if self._can_send_now():
                self._sending = True
            else:
                self._queue(batch)
                return
        self._send_now(batch)

    def _can_send_now(self) -> bool:
        """Nothing waiting before this batch and the client's frame interval is over."""
        return (
            self._live
            and not (self._sending or self._batches or self._control or self._gap)
            and (not self.frame_interval_s or time.monotonic() - self._last_frame >= self.frame_interval_s)
        )

    def _queue(self, batch: Batch) -> None:
        over_events = self._queued_events + len(batch.events) > self.max_events
        if over_events or self._queued_bytes + len(batch.json) > self.max_bytes:
            self._batches.clear()
            self._queued_events = self._queued_bytes = 0
            self._gap = True
        else:
            self._batches.append(batch)
            self._queued_events += len(batch.events)
            self._queued_bytes += len(batch.json)
            if len(self._batches) > 1:
                return  # the session's thread was told of the first one and waits for its frame interval
        self._wake.notify()

    def _send_now(self, batch: Batch) -> None:
        """On the dispatcher's thread: write the frame without waiting; the session's thread finishes it if needed.

        This is the common case of a live client keeping up: no thread wakes, one
        non-blocking send. Only a frame the kernel cannot take at once (a slow
        reader) is handed to the session's own thread.
        """
        unsent = None
        try:
            fresh = batch.after(self.last_sent_seq)
            if fresh is not None:
                unsent = self.writer.send_nowait(self._events_head(fresh), fresh.json_bytes)
        except ConnectionClosed:
            self.close()
        except Exception:
            logger.exception("sending to a client failed; closing its session")
            self.close()
        with self._lock:
            if unsent is None:
                self._sending = False
            else:
                self._unsent = unsent
            if unsent is not None or self._batches or self._control or self._gap or self._closed:
                self._wake.notify()  # the session's thread has work; otherwise it sleeps on

    def reply(self, message: dict[str, Any]) -> None:
        with self._lock:
            self._control.append(message)
            self._wake.notify()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._wake.notify()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def queued_events(self) -> int:
        """Events waiting for this client's own thread (a slow reader's backlog)."""
        return self._queued_events

    def _events_head(self, batch: Batch) -> bytes:
        """The head of the next events frame, the only part built per client: the batch's bytes and "}" follow."""
        self._last_frame = time.monotonic()
        self.frames_sent += 1
        self.last_sent_seq = batch.last_seq
        return b'{"kind":"events","n":%d,"events":' % self.frames_sent

    def send_numbered(self, message: dict[str, Any]) -> None:
        """Send a frame other than events with the next frame number: a client sees any frame it lost."""
        self.frames_sent += 1
        self.writer.send(orjson.dumps({**message, "n": self.frames_sent}).decode())

    def send_events(self, batch: Batch) -> None:
        self.writer.send((self._events_head(batch) + batch.json_bytes + b"}").decode())

    def replay(self, store: Store, after: int) -> None:
        """Send everything stored after ``after`` (matching the filter) in pages."""
        self.last_sent_seq = after
        while not self._closed:
            page = store.read_after(self.last_sent_seq, self.types, REPLAY_PAGE)
            if not page:
                return
            self.send_events(Batch.of(page))

    def pump(self) -> None:
        """Send what the dispatcher could not, until the socket or the session closes."""
        with self._lock:
            self._live = True
        try:
            while self._next_turn():
                with self._lock:
                    unsent, self._unsent = self._unsent, None
                if unsent is not None:
                    self.writer.finish(unsent)
                else:
                    self.send_queued()
                with self._lock:
                    self._sending = False
        finally:
            with self._lock:
                unsent, self._unsent = self._unsent, None
            if unsent is not None and unsent.locked and self.writer.sock is not None:
                # a frame cut short on a closing socket: nothing may follow its first part
                with suppress(OSError):
                    self.writer.sock.raw.shutdown(socket.SHUT_RDWR)
                self.writer.sock.lock.release()

    def _next_turn(self) -> bool:
        """Wait until this thread has something to write (True) or the session is closed (False)."""
        with self._lock:
            while not self._closed:
                if self._unsent is not None:
                    return True
                if not self._sending and (self._control or self._gap):
                    self._sending = True
                    return True
                if self._sending or not self._batches:
                    self._wake.wait()
                    continue
                # coalesce: at most one events frame per frame interval for this client
                remaining = self._last_frame + self.frame_interval_s - time.monotonic()
                if remaining <= 0:
                    self._sending = True
                    return True
                self._wake.wait(remaining)
            return False

    def send_queued(self) -> None:
        """Send what is queued now: replies, a gap if one happened, then the events not sent yet."""
        with self._lock:
            control, self._control = list(self._control), deque()
            batches, self._batches = list(self._batches), deque()
            self._queued_events = self._queued_bytes = 0
            gap, self._gap = self._gap, False
        for message in control:
            self.send_numbered(message)
        if gap:
            GAPS_SENT.add()
            self.send_numbered({"kind": "gap", "after": self.last_sent_seq})
        fresh = [b for b in (batch.after(self.last_sent_seq) for batch in batches) if b is not None]
        if fresh:
            # several waiting batches go out as one frame (the browser applies a frame in one go),
            # joined as text: no event is serialized again
            self.send_events(fresh[0] if len(fresh) == 1 else Batch.join(fresh))

    def _over_frame_limit(self) -> bool:
        """Count a client frame; True past frames_per_minute in the current minute."""
        now = time.monotonic()
        if now - self._window_start >= 60:
            self._window_start, self._window_frames = now, 0
        self._window_frames += 1
        return self._window_frames > self.frames_per_minute

    def handle_incoming(self, text: Any) -> None:
        if self._over_frame_limit():
            if self._window_frames == self.frames_per_minute + 1:  # say it once per minute
                self.reply(
                    {
                        "kind": "error",
                        "error": f"too many frames: at most {self.frames_per_minute} a minute; "
                        "frames beyond that are ignored until the minute is over",
                    }
                )
            return
        try:
            message = orjson.loads(text)
        except orjson.JSONDecodeError:
            self.reply({"kind": "error", "error": 'frames must be JSON, e.g. {"kind": "ping"}'})
            return
        kind = message.get("kind") if isinstance(message, dict) else None
        if kind == "ping":
            self.reply({"kind": "pong", "server_time": now_iso()})
        elif kind == "subscribe":
            wanted = message.get("type", [])
            if isinstance(wanted, str):
                wanted = [wanted]
            try:
                if not isinstance(wanted, list) or not all(isinstance(t, str) for t in wanted):
                    raise ValueError('type must be a list of type prefixes, e.g. ["ml", "alert"]')
                self.types = parse_types(wanted)
            except ValueError as exc:
                self.reply({"kind": "error", "error": str(exc)})
                return
            self.reply({"kind": "subscribed", "type": list(self.types)})
        else:
            self.reply(
                {
                    "kind": "error",
                    "error": f'unknown frame kind {kind!r}: send {{"kind": "ping"}} or '
                    '{"kind": "subscribe", "type": [...]}',
                }
            )


def read_client_frames(session: ClientSession) -> None:
    """Reader thread: turn client frames into replies; close the session when the socket ends."""
    thread = getattr(session.ws, "thread", None)
    try:
        while not session.closed:
            # Bounded waits: simple_websocket wakes its reader before marking a connection closed
            # when it refuses a frame over the size limit, so an unbounded wait could miss the end
            # and hold the session (and its thread) forever.
            text = session.ws.receive(timeout=RECEIVE_CHECK_S)
            if text is None:
                if thread is not None and not thread.is_alive():
                    return  # the library's reader has ended: so has the connection
                continue
            session.handle_incoming(text)
    except ConnectionClosed:
        pass
    finally:
        session.close()
