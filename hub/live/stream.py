"""The WebSocket stream at /ws: one connection run to its end (DESIGN.md §4).

``serve`` sends hello (the store's position and the hub's health), a reset frame
when the client's position no longer exists, then the replay of what was stored
after the client's seq, then live batches with no gap and no duplicate: the
session subscribes to the bus first, reads the store after the client's seq, then
skips every queued event the replay already sent (hub/live/session.py). The
closing handshake runs both ways when the connection ends (hub/live/handshake.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from simple_websocket import ConnectionClosed

from hub.events.times import now_iso
from hub.live.bus import Bus
from hub.live.frames import WebSocket
from hub.live.handshake import close_handshake
from hub.live.session import ClientSession, read_client_frames

if TYPE_CHECKING:
    from hub.storage.interface import Store

logger = logging.getLogger(__name__)

CLOSE_GOING_AWAY = 1001


@dataclass(frozen=True)
class Subscription:
    """What a client asked for in the /ws query string."""

    after: int | None = None
    epoch: str | None = None
    types: tuple[str, ...] = ()
    frame_interval_s: float = 0.05


@dataclass(frozen=True)
class StreamLimits:
    heartbeat_s: float = 30.0
    max_events: int = 10_000
    frames_per_minute: int = 100
    max_bytes: int = 16 * 2**20


def reset_reason(sub: Subscription, epoch: str, first_seq: int, last_seq: int) -> str | None:
    """Why a client's position no longer exists, if it does not: it must reload, not wait."""
    if sub.epoch and sub.epoch != epoch:
        return "the store was recreated (its epoch changed): reload your state"
    if sub.after is not None and sub.after > last_seq:
        return f"seq {sub.after} is beyond the store's last seq {last_seq}: the store was reset, reload your state"
    if sub.after is not None and sub.after < first_seq - 1:
        return f"events after seq {sub.after} were removed by retention (oldest kept: {first_seq}): reload your state"
    return None


def serve(
    ws: WebSocket,
    store: Store,
    bus: Bus,
    sessions: set[ClientSession],
    sub: Subscription,
    limits: StreamLimits,
    health: Callable[[], dict[str, Any]] | None = None,
) -> None:
    """Run one WebSocket connection to its end.

    ``health`` gives the hub's current health for the hello frame, so that a page
    that missed a health frame while reconnecting is right again at once.
    """
    session = ClientSession(
        ws, sub.types, limits.max_events, sub.frame_interval_s, limits.frames_per_minute, limits.max_bytes
    )
    bus.subscribe(session)  # first, so that nothing committed from now on is missed
    sessions.add(session)
    reader = threading.Thread(target=read_client_frames, args=(session,), name="ws-reader", daemon=True)
    try:
        last_seq, first_seq = store.last_seq, store.first_seq()
        position = {"last_seq": last_seq, "first_seq": first_seq, "epoch": store.epoch}
        hello = {"kind": "hello", **position, "server_time": now_iso(), "heartbeat_s": limits.heartbeat_s}
        if health is not None:
            hello["health"] = health()
        ws.send(orjson.dumps(hello).decode())
        reader.start()
        reason = reset_reason(sub, store.epoch, first_seq, last_seq)
        if reason:
            session.send_numbered({"kind": "reset", "reason": reason, **position})
        session.replay(store, last_seq if sub.after is None or reason else sub.after)
        session.pump()
    except ConnectionClosed:
        pass
    finally:
        bus.unsubscribe(session)
        sessions.discard(session)
        session.close()
        close_handshake(ws)


def shutdown_sessions(sessions: set[ClientSession]) -> None:
    """Close every socket with 1001 (going away) so that clients reconnect at once."""
    for session in list(sessions):
        try:  # the Close first: the session's own thread, once woken, must find it sent (not send 1000)
            session.ws.close(reason=CLOSE_GOING_AWAY, message="server shutting down")
        except Exception:
            logger.debug("socket already closed", exc_info=True)
        session.close()
