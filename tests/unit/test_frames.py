"""Events frames are written straight to the socket with our own header (hub/stream.py text_frame_header).

A real WebSocket client's decoder (wsproto, the library simple_websocket uses) must read them
back whole at every length encoding RFC 6455 has: 7-bit, 16-bit and 64-bit.
"""

import pytest
from wsproto.connection import Connection, ConnectionType
from wsproto.events import TextMessage

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
