"""Lingering close off the server's main thread: a peer that never closes cannot stall accepting.

gunicorn closes a connection it will not keep alive "gracefully" (RFC 9112
§9.6): it half-closes, then reads and discards what the client still sends
until the client closes or 2 seconds pass, so that unread request bytes do not
make the kernel answer with a reset that could cut the response short. It does
that on the worker's main thread, the one that also accepts connections: every
client that does not close its end stopped accepting for 2 seconds (200
concurrent handshakes refused at once with 503 took 34 s to be answered).

``LingeringCloser`` does the same half-close and drain for every such socket
from one thread and one selector, so the main thread only hands the socket
over. ``hub.serve`` installs it in place of ``gunicorn.util.close_graceful``.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import selectors
import socket
import threading
import time

logger = logging.getLogger(__name__)

LINGER_S = 2.0  # gunicorn's own bound for draining a closing connection
MAX_DRAIN = 65536  # bytes read from one closing connection before it is closed regardless


class LingeringCloser:
    def __init__(self, linger_s: float = LINGER_S) -> None:
        self.linger_s = linger_s
        self._incoming: queue.SimpleQueue[socket.socket] = queue.SimpleQueue()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._thread = threading.Thread(target=self._run, name="lingering-close", daemon=True)
        self._thread.start()

    def close(self, sock: socket.socket) -> None:
        """Half-close now (the client sees the end of the response at once); drain and close later."""
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            sock.close()
            return
        self._incoming.put(sock)
        with contextlib.suppress(OSError):  # the wake-up pipe is full: the thread is awake anyway
            self._wake_w.send(b"\0")

    def _run(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self._wake_r, selectors.EVENT_READ, None)
        deadlines: dict[socket.socket, tuple[float, int]] = {}
        while True:
            now = time.monotonic()
            soonest = min((d for d, _ in deadlines.values()), default=now + 1.0)
            for key, _ in selector.select(max(0.0, soonest - now)):
                if key.data is None:
                    self._take_new(selector, deadlines)
                    continue
                sock: socket.socket = key.fileobj  # type: ignore[assignment]
                deadline, drained = deadlines[sock]
                try:
                    data = sock.recv(4096)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if not data or drained + len(data) >= MAX_DRAIN:
                    self._finish(selector, deadlines, sock)
                else:
                    deadlines[sock] = (deadline, drained + len(data))
            now = time.monotonic()
            for sock in [s for s, (d, _) in deadlines.items() if d <= now]:
                self._finish(selector, deadlines, sock)

    def _take_new(self, selector: selectors.BaseSelector, deadlines: dict[socket.socket, tuple[float, int]]) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except BlockingIOError:
            pass
        while True:
            try:
                sock = self._incoming.get_nowait()
            except queue.Empty:
                return
            try:
                sock.setblocking(False)
                selector.register(sock, selectors.EVENT_READ, True)
            except (OSError, ValueError):
                sock.close()
                continue
            deadlines[sock] = (time.monotonic() + self.linger_s, 0)

    @staticmethod
    def _finish(
        selector: selectors.BaseSelector, deadlines: dict[socket.socket, tuple[float, int]], sock: socket.socket
    ) -> None:
        deadlines.pop(sock, None)
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(sock)
        sock.close()
