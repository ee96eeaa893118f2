"""The leader election among processes sharing PostgreSQL: the one that runs what must run once.

hub/storage/backends.py ``lead`` chooses it when --store-url is set; imported only then,
so that the default install needs no psycopg.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

import psycopg

from hub.storage.postgres import WRITE_LOCK

logger = logging.getLogger(__name__)


LEAD_LOCK = WRITE_LOCK + 2  # held by the one process that runs the host collector and the demo
LEAD_RETRY_S = 2.0


class AdvisoryLeader:
    """Of the processes sharing one database, exactly one leads: it runs what must run once.

    The leader holds a session advisory lock (``LEAD_LOCK``) on a connection of its
    own, named ``mova-leader-<pid>`` in pg_stat_activity. When the leader dies its
    connection goes, and the lock with it; the others try every ``retry_s`` and the
    first to get it takes over. The leader checks its connection as often: when
    PostgreSQL drops it (a restart), the lock is gone too, so it stops leading
    (``on_loss``) and tries again like the others. The overlap is at most one
    ``retry_s``, and only when PostgreSQL itself goes away.
    """

    def __init__(
        self, url: str, on_gain: Callable[[], None], on_loss: Callable[[], None], retry_s: float = LEAD_RETRY_S
    ) -> None:
        self.url = url
        self.on_gain = on_gain
        self.on_loss = on_loss
        self.retry_s = retry_s
        self.leading = False
        self._conn: psycopg.Connection[Any] | None = None
        self._closed = threading.Event()
        self._try()  # at once: a lone process leads from its start, as with SQLite
        self._thread = threading.Thread(target=self._run, name="pg-leader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._closed.wait(self.retry_s):
            self._try()

    def _try(self) -> None:
        try:
            if self._conn is None or self._conn.closed or self._conn.broken:
                self._conn = psycopg.connect(
                    self.url, autocommit=True, connect_timeout=5, application_name=f"mova-leader-{os.getpid()}"
                )
            if self.leading:
                self._conn.execute("SELECT 1")  # the lock lives as long as this connection
                return
            row = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (LEAD_LOCK,)).fetchone()
        except psycopg.Error as exc:
            if self._conn is not None:
                self._conn.close()
            if self.leading:
                logger.warning("lost the leader lock with PostgreSQL (%s); stopping the collector and demo", exc)
                self._set_leading(False)
            return
        if row and row[0]:
            self._set_leading(True)

    def _set_leading(self, leading: bool) -> None:
        self.leading = leading
        try:
            (self.on_gain if leading else self.on_loss)()
        except Exception:
            logger.exception("leader %s callback failed", "gain" if leading else "loss")

    def close(self) -> None:
        """Stop trying; release the lock by closing the connection. Safe to call twice."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._thread.join(timeout=self.retry_s + 10)
        if self._conn is not None:
            self._conn.close()
