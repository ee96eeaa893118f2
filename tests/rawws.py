"""A WebSocket client made of raw frames over a plain socket, for tests of the protocol itself (RFC 6455).

websocket-client answers a server's Close by itself and hides when TCP ends;
these helpers do neither, so a test can see exactly which frames arrive, in
which order, and whether the server dropped TCP before its Close.
"""

from __future__ import annotations

import base64
import os
import socket
import struct
import time

OP_TEXT, OP_CLOSE, OP_PING, OP_PONG = 0x1, 0x8, 0x9, 0xA


def open_socket(
    port: int, path: str = "/ws", headers: dict[str, str] | None = None, method: str = "GET"
) -> socket.socket:
    """Connect and send an upgrade request (headers may be changed or removed with None)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    base = {
        "Host": f"127.0.0.1:{port}",
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
        "Sec-WebSocket-Version": "13",
    }
    for name, value in (headers or {}).items():
        if value is None:
            base.pop(name, None)
        else:
            base[name] = value
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in base.items()) + "\r\n"
    sock.sendall(head.encode())
    return sock


def read_response_head(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """The status, headers (lower-case names) and whatever followed the head."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response head: {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, rest


def read_body(sock: socket.socket, headers: dict[str, str], rest: bytes) -> bytes:
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return rest[:length]


def handshake(port: int, path: str = "/ws") -> tuple[socket.socket, bytearray]:
    sock = open_socket(port, path)
    status, _, rest = read_response_head(sock)
    assert status == 101, status
    return sock, bytearray(rest)


def send_frame(sock: socket.socket, opcode: int, payload: bytes = b"") -> None:
    """A client frame: FIN set, masked (RFC 6455 §5.3)."""
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    sock.sendall(header + mask + masked)


def close_payload(code: int, reason: str = "") -> bytes:
    return struct.pack("!H", code) + reason.encode()


class FrameReader:
    """Reads server frames; ``None`` when TCP ended (FIN or reset)."""

    def __init__(self, sock: socket.socket, buffered: bytearray | None = None) -> None:
        self.sock = sock
        self.buf = buffered if buffered is not None else bytearray()

    def _need(self, n: int, deadline: float) -> bool:
        while len(self.buf) < n:
            self.sock.settimeout(max(0.001, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                return False
            if not chunk:
                return False
            self.buf += chunk
        return True

    def next(self, timeout: float = 10.0) -> tuple[int, bytes] | None:
        deadline = time.monotonic() + timeout
        if not self._need(2, deadline):
            return None
        first, second = self.buf[0], self.buf[1]
        length, offset = second & 0x7F, 2
        if length == 126:
            if not self._need(4, deadline):
                return None
            length, offset = struct.unpack("!H", self.buf[2:4])[0], 4
        elif length == 127:
            if not self._need(10, deadline):
                return None
            length, offset = struct.unpack("!Q", self.buf[2:10])[0], 10
        if not self._need(offset + length, deadline):
            return None
        payload = bytes(self.buf[offset : offset + length])
        del self.buf[: offset + length]
        return first & 0x0F, payload

    def until(self, opcode: int, timeout: float = 10.0) -> tuple[int, bytes] | None:
        """Skip frames until one with ``opcode``; None if TCP ended first."""
        deadline = time.monotonic() + timeout
        while True:
            frame = self.next(max(0.001, deadline - time.monotonic()))
            if frame is None or frame[0] == opcode:
                return frame

    def tcp_open(self) -> bool:
        """Whether the server has not ended TCP (no FIN, no reset) and sent nothing more, without waiting."""
        self.sock.settimeout(0)  # a socket timeout would make even MSG_DONTWAIT wait
        try:
            return self.sock.recv(1, socket.MSG_PEEK) != b""
        except (BlockingIOError, TimeoutError):  # nothing to read yet: still open
            return True
        except OSError:
            return False
