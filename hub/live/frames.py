"""Putting a session's frames on the wire: whole, one at a time, and without waiting when asked.

simple_websocket writes frames with a single ``sock.send`` from two threads (the
session's, and its own that sends pings). A large frame can be sent in part, and on
Linux another thread's send can land between its parts: the client then reads a
corrupt frame. ``SerializedSocket`` makes every send a ``sendall`` under one lock;
``FrameWriter`` takes the same lock for the dispatcher's non-blocking sends, and a
frame the kernel did not take whole is handed on as ``Unsent`` for the session's own
thread to finish before anything else is written.
"""

from __future__ import annotations

import socket
import struct
import threading
from contextlib import suppress
from typing import Any, Protocol

from simple_websocket import ConnectionClosed
from wsproto.events import TextMessage


class WebSocket(Protocol):
    def send(self, data: str) -> None: ...

    def receive(self, timeout: float | None = None) -> Any: ...

    def close(self, reason: int | None = None, message: str | None = None) -> None: ...


class SerializedSocket:
    """The socket under a simple_websocket connection, with whole, one-at-a-time sends.

    simple_websocket writes frames with a single ``sock.send`` from two threads (ours,
    and its own that sends pings). A large frame can be sent in part, and on Linux
    another thread's send can land between its parts: the client then reads a
    corrupt frame. Here every send is a ``sendall`` under one lock, and ``FrameWriter``
    takes the same lock for its non-blocking sends.
    """

    def __init__(self, sock: socket.socket) -> None:
        self.raw = sock
        self.lock = threading.Lock()

    def send(self, data: bytes) -> int:
        with self.lock:
            self.raw.sendall(data)
        return len(data)

    def close(self) -> None:
        """Left to the HTTP server, after ``close_handshake``: the library's reader thread closes the
        socket as soon as it has sent a Close, which would drop TCP before the client's answer (RFC 6455
        §7.1.1: the server closes TCP after both Close frames); gunicorn closes it when the route returns.
        """

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


class Unsent:
    """The rest of a frame a non-blocking send could not finish: it must go next, whole."""

    __slots__ = ("data", "locked")

    def __init__(self, data: bytes, locked: bool) -> None:
        self.data = data
        self.locked = locked  # the socket lock is still held (a part of the frame is on the wire)


class FrameWriter:
    """Puts a session's frames on the wire, blocking or not.

    ``send`` blocks until the frame is written (the session's own thread).
    ``send_nowait`` is for the bus's dispatcher thread, which must never wait for
    a client: it writes what the kernel takes at once and returns the rest, if any,
    as ``Unsent`` for the session's thread to ``finish``. A socket that is not a
    simple_websocket connection (tests' sinks) is simply written to.
    """

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.sock: SerializedSocket | None = None
        self.plain = False  # frames are a header and the payload: no extension was negotiated
        if hasattr(ws, "sock") and hasattr(ws, "ws"):
            if not isinstance(ws.sock, SerializedSocket):
                ws.sock = SerializedSocket(ws.sock)
            self.sock = ws.sock
            with suppress(AttributeError):  # the handshake is over when the route gets the socket
                self.plain = not ws.ws.connection._proto.extensions

    def send(self, text: str) -> None:
        self.ws.send(text)

    def send_nowait(self, head: bytes, body: bytes) -> Unsent | None:
        """Send the text message ``head + body + "}"`` (UTF-8) without waiting; the rest if the kernel took less.

        The dispatcher calls this for every client of every batch (1,000 clients: 1,000 calls per
        event), so it does the least it can: the frame's header glued to the client's small head,
        and the batch's bytes, shared by every client, passed as they are, never copied.
        """
        sock = self.sock
        if sock is None:
            self.ws.send((head + body + b"}").decode())
            return None
        if not self.ws.connected:  # type: ignore[attr-defined]
            raise ConnectionClosed()
        if self.plain:
            length = len(head) + len(body) + 1
            parts = [text_frame_header(length) + head, body, b"}"]
            total = length + len(parts[0]) - len(head)
        else:  # permessage-deflate: each client's compressor has its own state
            parts = [self.ws.ws.send(TextMessage(data=(head + body + b"}").decode()))]  # type: ignore[attr-defined]
            total = len(parts[0])
        if not sock.lock.acquire(False):  # a ping or a close being written: hand it over whole
            return Unsent(b"".join(parts), locked=False)
        try:
            sent = sock.raw.sendmsg(parts, (), MSG_DONTWAIT)
        except BlockingIOError:
            sent = 0
        except OSError as exc:
            sock.lock.release()
            raise ConnectionClosed() from exc
        if sent == total:
            sock.lock.release()
            return None
        return Unsent(b"".join(parts)[sent:], locked=True)

    def finish(self, unsent: Unsent) -> None:
        """Write the rest of a frame (blocking) and release the socket lock."""
        assert self.sock is not None
        if not unsent.locked:
            self.sock.lock.acquire()
        try:
            self.sock.raw.sendall(unsent.data)
        except OSError as exc:
            raise ConnectionClosed() from exc
        finally:
            self.sock.lock.release()


MSG_DONTWAIT = int(socket.MSG_DONTWAIT)
_SHORT_HEADER = struct.Struct("!BB").pack
_MEDIUM_HEADER = struct.Struct("!BBH").pack
_LONG_HEADER = struct.Struct("!BBQ").pack


def text_frame_header(length: int) -> bytes:
    """RFC 6455 §5.2: FIN and the text opcode, then the payload length (a server's frames are not masked)."""
    if length < 126:
        return _SHORT_HEADER(0x81, length)
    if length < 65536:
        return _MEDIUM_HEADER(0x81, 126, length)
    return _LONG_HEADER(0x81, 127, length)
