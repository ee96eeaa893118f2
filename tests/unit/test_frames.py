"""Events frames are written straight to the socket with our own header (hub/stream.py text_frame_header).

A real WebSocket client's decoder (wsproto, the library simple_websocket uses) must read them
back whole at every length encoding RFC 6455 has: 7-bit, 16-bit and 64-bit. So must the
benchmark's own minimal client (bench/clients.py), whatever pieces the bytes arrive in; it
joins fragmented messages and answers pings with masked pongs.
"""

import asyncio
import base64
import hashlib

import pytest
from wsproto.connection import Connection, ConnectionType
from wsproto.events import Pong, TextMessage

from bench.clients import WS_GUID, WsProtocol
from hub.stream import text_frame_header


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 300_000])
def test_a_client_reads_the_frame_back_whole(length):
    text = ("é" * (length // 2) + "a" * (length % 2)).encode()  # length bytes, most of them two-byte characters
    assert len(text) == length
    client = Connection(ConnectionType.CLIENT)
    client.receive_data(text_frame_header(len(text)) + text)
    messages = [e for e in client.events() if isinstance(e, TextMessage)]
    assert "".join(m.data for m in messages).encode() == text
    assert messages[-1].message_finished


class Transport:
    """What the benchmark client writes, kept (asyncio.Transport's write and close)."""

    def __init__(self) -> None:
        self.written = b""
        self.closed = False

    def write(self, data: bytes) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True


def upgraded_client(got: list[bytes]) -> tuple[WsProtocol, Transport]:
    """bench/clients.py's WebSocket client after a server's 101 answer (it needs a running loop)."""
    client = WsProtocol("ws://127.0.0.1:1/ws?type=a", got.append)
    transport = Transport()
    client.connection_made(transport)  # type: ignore[arg-type]
    key = transport.written.split(b"Sec-WebSocket-Key: ")[1].split(b"\r\n")[0]
    accept = base64.b64encode(hashlib.sha1(key + WS_GUID).digest())
    feed(client, b"HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
    assert client.opened.done() and client.opened.exception() is None
    return client, transport


def feed(client: WsProtocol, data: bytes, piece: int = 7777) -> None:
    """Hand ``data`` to the client the way asyncio does: read into its buffer, a piece at a time."""
    for start in range(0, len(data), piece):
        chunk = data[start : start + piece]
        buffer = client.get_buffer(-1)
        buffer[: len(chunk)] = chunk
        client.buffer_updated(len(chunk))


@pytest.mark.parametrize("length", [0, 125, 126, 65535, 65536, 300_000])
def test_the_bench_client_reads_server_frames_whole_however_they_arrive(length):
    async def run() -> list[bytes]:
        got: list[bytes] = []
        client, _ = upgraded_client(got)
        text = b"x" * length
        feed(client, text_frame_header(length) + text + text_frame_header(3) + b"end")
        return got

    assert asyncio.run(run()) == [b"x" * length, b"end"]


def test_the_bench_client_joins_fragments_and_answers_pings_masked():
    async def run() -> tuple[list[bytes], bytes]:
        got: list[bytes] = []
        client, transport = upgraded_client(got)
        transport.written = b""
        feed(client, bytes((0x01, 3)) + b"abc" + bytes((0x89, 4)) + b"ping" + bytes((0x80, 3)) + b"def", piece=2)
        return got, transport.written

    got, written = asyncio.run(run())
    assert got == [b"abcdef"]
    server = Connection(ConnectionType.SERVER)  # a server reads only masked frames
    server.receive_data(written)
    pongs = [e for e in server.events() if isinstance(e, Pong)]
    assert [p.payload for p in pongs] == [b"ping"]
