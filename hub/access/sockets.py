"""Open sockets and the sign-ins they stand on: closed with 4401 when a session or token ends.

A socket is authenticated once, at the upgrade (hub/access/web.py), and its
principal is remembered here. One thread per process (``access-watch``) checks,
every ``CHECK_S``, the sessions and tokens of all open sockets with one query
each, and closes the sockets whose sign-in has expired, was signed out
(anywhere: the sessions are in the shared store), whose user was disabled or
changed role, or whose token was revoked: close code ``CLOSE_SESSION_ENDED``
(4401, "session ended"), on which the page goes to the login page. An open
page counts as activity: its session's idle clock is reset while it is open.
The same thread publishes the audit outbox and purges dead sessions.

Nothing here runs on the send path: the dispatcher never looks at principals.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hub.access.principal import Principal
    from hub.access.service import Access
    from hub.live.session import ClientSession

logger = logging.getLogger(__name__)

CLOSE_SESSION_ENDED = 4401
CHECK_S = 1.0
PURGE_EVERY_S = 600.0


class SocketWatch:
    def __init__(self, access: Access, sessions: set[ClientSession]) -> None:
        self.access = access
        self.sessions = sessions  # the hub's open stream sessions, to stop the one of a closed socket
        self._held: dict[Any, Principal] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._touched = 0.0
        self._purged = 0.0
        self._thread = threading.Thread(target=self._run, name="access-watch", daemon=True)
        self._thread.start()

    @contextmanager
    def hold(self, ws: Any, principal: Principal | None) -> Iterator[bool]:
        """Around one socket's life; yields False (and closes it) if its session has already ended."""
        if principal is None:
            self._close(ws, "your session ended: sign in again")
            yield False
            return
        watched = principal.kind != "anonymous"
        if watched:
            with self._lock:
                self._held[ws] = principal
        try:
            yield True
        finally:
            if watched:
                with self._lock:
                    self._held.pop(ws, None)

    def _run(self) -> None:
        while not self._stop.wait(CHECK_S):
            try:
                self.check()
                self.access.flush_audit()
                now = time.monotonic()
                if now - self._purged > PURGE_EVERY_S:
                    self._purged = now
                    self.access.repo.purge_sessions(time.time(), self.access.idle_s)
            except Exception:
                logger.exception("the access watcher failed a round; it tries again in %s s", CHECK_S)

    def check(self) -> int:
        """Close every socket whose session or token is no longer good; returns how many."""
        with self._lock:
            held = list(self._held.items())
        if not held:
            return 0
        session_keys = sorted({p.session for _, p in held if p.session})
        token_ids = sorted({p.token_id for _, p in held if p.token_id})
        live_sessions = self.access.live_sessions(session_keys)
        live_tokens = self.access.live_tokens(token_ids)
        ended = [
            ws
            for ws, p in held
            if (p.session and p.session not in live_sessions) or (p.token_id and p.token_id not in live_tokens)
        ]
        for ws in ended:
            with self._lock:
                self._held.pop(ws, None)
            self._close(ws, "your session ended: sign in again")
        now = time.time()
        if live_sessions and now - self._touched > min(60.0, self.access.idle_s / 4):
            self._touched = now
            self.access.repo.touch_sessions(sorted(live_sessions), now)
        return len(ended)

    def _close(self, ws: Any, message: str) -> None:
        # the close frame first: stopping the stream session first lets its route return and close
        # the socket itself (1000), racing this close frame
        with suppress(Exception):  # already closed by the client: nothing to tell
            ws.close(reason=CLOSE_SESSION_ENDED, message=message)
        for session in list(self.sessions):
            if session.ws is ws:
                session.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
