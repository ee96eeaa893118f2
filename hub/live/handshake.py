"""The WebSocket's opening and closing handshakes, and the cap on open sockets (RFC 6455 §4, §5.5.1, §7).

flask-sock and simple_websocket accept whatever asks for an upgrade (a bad key
was accepted, version 12 was a 500 page) and end TCP without waiting for the
other side's Close. Here: what is wrong with an opening handshake, checked
before it is accepted (``upgrade_error``); the cap taken as a slot at the
handshake, so concurrent handshakes cannot overshoot it (``ConnectionSlots``);
and the closing handshake both ways (``close_handshake``), which hub.stream
runs when a connection ends.
"""

from __future__ import annotations

import base64
import binascii
import socket
import threading
import time
from collections.abc import Mapping
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from simple_websocket import ConnectionClosed
from wsproto.connection import ConnectionState
from wsproto.events import CloseConnection
from wsproto.utilities import LocalProtocolError

from hub.errors import HubError, InvalidInput, UpgradeRequired

if TYPE_CHECKING:
    from werkzeug.datastructures import Headers

CLOSE_NORMAL = 1000
CLOSE_WAIT_S = 1.0  # how long a closing server waits for the client's answering Close


def close_handshake(ws: Any, code: int = CLOSE_NORMAL, wait_s: float = CLOSE_WAIT_S) -> None:
    """End a connection the RFC 6455 way (§5.5.1, §7.1): both Close frames exchanged, then TCP goes.

    A client's Close is answered by simple_websocket's reader thread: waiting for that thread
    before the route returns keeps gunicorn from dropping TCP before the answer is out. When the
    server closes (shutdown, a frame too big, a missed pong), the client's answering Close is
    awaited for ``wait_s`` at most; a client that never answers has TCP ended under it.
    """
    thread = getattr(ws, "thread", None)
    raw = getattr(getattr(ws, "sock", None), "raw", None)  # hub.stream.SerializedSocket's socket
    if thread is None or not isinstance(raw, socket.socket):
        return  # not a simple_websocket connection (tests' sinks)
    deadline = time.monotonic() + wait_s
    if ws.connected:
        with suppress(ConnectionClosed, LocalProtocolError, OSError):
            ws.close(reason=code)
    thread.join(wait_s)  # it answers the client's Close, or reads the answer to ours
    if not thread.is_alive() and ws.ws.state is ConnectionState.LOCAL_CLOSING:
        _await_close(ws.ws, raw, deadline)  # the library stopped reading after its own Close
    if thread.is_alive():
        with suppress(OSError):  # no answer: end TCP, which also wakes the library's reader
            raw.shutdown(socket.SHUT_RDWR)


def _await_close(conn: Any, raw: socket.socket, deadline: float) -> None:
    """Read the client's answering Close (frames before it are dropped), until ``deadline``."""
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            raw.settimeout(remaining)
            data = raw.recv(4096)
            conn.receive_data(data or None)
            if any(isinstance(event, CloseConnection) for event in conn.events()) or not data:
                return
    except (OSError, LocalProtocolError):
        return


WEBSOCKET_KEY_BYTES = 16


def upgrade_error(method: str, headers: Mapping[str, str] | Headers, protocol: str) -> HubError | None:
    """What is wrong with a WebSocket opening handshake (RFC 6455 §4.2.1), or None; checked before accepting.

    Without an Upgrade header it is not a WebSocket request at all: 426 says what to send. A
    version other than 13 is 426 with the version this server speaks (§4.4); anything else
    malformed is 400.
    """
    if "websocket" not in headers.get("Upgrade", "").lower():
        return UpgradeRequired(
            "/ws is a WebSocket endpoint: open it with a WebSocket client (Upgrade: websocket)",
            upgrade="websocket",
        )
    if method != "GET":
        return InvalidInput(f"a WebSocket handshake is a GET, not {method[:20]}")
    if protocol not in {"HTTP/1.1", "HTTP/2", "HTTP/2.0"}:
        return InvalidInput(f"a WebSocket handshake needs HTTP/1.1, not {protocol[:20]}")
    if "upgrade" not in [t.strip().lower() for t in headers.get("Connection", "").split(",")]:
        return InvalidInput("a WebSocket handshake needs 'Connection: Upgrade'")
    version = headers.get("Sec-WebSocket-Version", "")
    if version.strip() != "13":
        return UpgradeRequired(
            f"Sec-WebSocket-Version {version[:20]!r} is not supported: this server speaks version 13",
            version="13",
        )
    key = headers.get("Sec-WebSocket-Key", "").strip()
    try:
        valid = len(base64.b64decode(key, validate=True)) == WEBSOCKET_KEY_BYTES
    except (binascii.Error, ValueError):
        valid = False
    if not valid:
        return InvalidInput("Sec-WebSocket-Key must be 16 random bytes in base64 (24 characters)")
    return None


class ConnectionSlots:
    """The cap on open sockets, taken at the handshake: concurrent handshakes cannot overshoot it.

    Counting open sessions instead let a burst of handshakes all pass the check before any
    of them was counted. A slot is taken before the upgrade is accepted and given back when
    the request (the socket's whole life) ends.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._used = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._used >= self.limit:
                return False
            self._used += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self._used -= 1

    @property
    def used(self) -> int:
        return self._used
