"""Events frames are written straight to the socket with our own header (hub/live/stream.py text_frame_header).

A real WebSocket client's decoder (wsproto, the library simple_websocket uses) must read them
back whole at every length encoding RFC 6455 has: 7-bit, 16-bit and 64-bit. So must the
benchmark's own minimal client (bench/clients.py), whatever pieces the bytes arrive in; it
joins fragmented messages and answers pings with masked pongs.
"""

import base64
import hashlib
import socket

import pytest
from wsproto.connection import Connection, ConnectionType
from wsproto.events import Pong, TextMessage

from bench.clients import WS_GUID, WsConnection, read_loop
from hub.live.frames import text_frame_header


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 300_000])
def test_a_client_reads_the_frame_back_whole(length):
    text = ("é" * (length // 2) + "a" * (length % 2)).encode()  # length bytes, most of them two-byte characters
    assert len(text) == length
    client = Connection(ConnectionType.CLIENT)
    client.receive_data(text_frame_header(len(text)) + text)
    messages = [e for e in client.events() if isinstance(e, TextMessage)]
    assert "".join(m.data for m in messages).encode() == text
    assert messages[-1].message_finished


def upgraded_client(got: list[bytes]) -> tuple[WsConnection, socket.socket]:
    """bench/clients.py's WebSocket client after a server's 101 answer, and the server's end of its socket."""
    client = WsConnection("ws://127.0.0.1:1/ws?type=a", got.append)
    ours, server = socket.socketpair()
    client.open(ours)
    request = server.recv(4096)
    key = request.split(b"Sec-WebSocket-Key: ")[1].split(b"\r\n")[0]
    accept = base64.b64encode(hashlib.sha1(key + WS_GUID).digest())
    feed(client, b"HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
    assert client.upgraded and not client.closed
    return client, server


def feed(client: WsConnection, data: bytes, piece: int = 7777) -> None:
    """Hand ``data`` to the client a piece at a time, as its socket reads may cut it."""
    for start in range(0, len(data), piece):
        client.feed(memoryview(data)[start : start + piece])


@pytest.mark.parametrize("length", [0, 125, 126, 65535, 65536, 300_000])
def test_the_bench_client_reads_server_frames_whole_however_they_arrive(length):
    got: list[bytes] = []
    client, _ = upgraded_client(got)
    text = b"x" * length
    feed(client, text_frame_header(length) + text + text_frame_header(3) + b"end")
    assert got == [b"x" * length, b"end"]


def test_the_bench_client_joins_fragments_and_answers_pings_masked():
    got: list[bytes] = []
    client, server_end = upgraded_client(got)
    feed(client, bytes((0x01, 3)) + b"abc" + bytes((0x89, 4)) + b"ping" + bytes((0x80, 3)) + b"def", piece=2)
    assert got == [b"abcdef"]
    server = Connection(ConnectionType.SERVER)  # a server reads only masked frames
    server.receive_data(server_end.recv(4096))
    pongs = [e for e in server.events() if isinstance(e, Pong)]
    assert [p.payload for p in pongs] == [b"ping"]


def test_the_bench_client_reads_its_socket_and_stops_at_a_close():
    got: list[bytes] = []
    client, server_end = upgraded_client(got)
    server_end.sendall(text_frame_header(5) + b"hello" + bytes((0x88, 2)) + (1001).to_bytes(2, "big"))
    while not client.closed:
        client.read()
    assert got == [b"hello"] and "closed" in client.why
    server = Connection(ConnectionType.SERVER)
    server.receive_data(server_end.recv(4096))
    assert [type(e).__name__ for e in server.events()] == ["CloseConnection"]  # the close answered, masked


def test_the_read_loop_goes_on_past_a_connection_the_server_closes():
    got: list[bytes] = []
    closing, closing_server = upgraded_client(got)
    staying, staying_server = upgraded_client(got)
    closing_server.close()  # the server ends one connection; the other then gets a frame
    staying_server.sendall(text_frame_header(4) + b"late")
    for ws in (closing, staying):
        assert ws.sock is not None
        ws.sock.setblocking(False)
    read_loop([closing, staying], until=lambda: closing.closed and got == [b"late"])
    assert closing.why == "the server closed the connection" and not staying.closed
