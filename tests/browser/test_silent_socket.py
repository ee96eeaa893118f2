"""A WebSocket that opens but never says anything counts as failed: the page polls and keeps trying.

The proxy here is a plain TCP relay in front of the real server. In its silent mode it answers the
WebSocket upgrade itself (a correct 101) and then sends nothing, as a proxy or middlebox that swallows
the stream does; everything else is relayed byte for byte. Without a hello timeout the page stayed on
"Connecting" for ever and never polled (issue 15, point 5).
"""

from __future__ import annotations

import base64
import hashlib
import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import (
    EXPECTED_NETWORK_ERRORS,
    console_errors,
    feed_seqs,
    open_page,
    pipe,
    read_head,
    text_of,
    wait_badge,
)
from tests.server import wait_until

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 §1.3


class SilentSocketProxy:
    """Relays TCP to ``upstream``; while ``silent``, accepts WebSocket upgrades itself and sends nothing."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.silent = True
        self.swallowed = 0  # upgrades accepted and left silent
        self.passed = 0  # upgrades relayed to the server
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, name="silent-proxy", daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.open.append(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        head = read_head(client)
        if head is None:
            return
        lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        if headers.get("upgrade", "").lower() == "websocket":
            if self.silent:
                self.swallowed += 1
                accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + WS_GUID).encode()).digest())
                client.sendall(
                    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
                )
                while client.recv(65536):  # read the page's frames (pings) and answer none
                    pass
                client.close()
                return
            self.passed += 1
        upstream = socket.create_connection(self.upstream)
        self.open.append(upstream)
        upstream.sendall(head)
        threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
        pipe(client, upstream)

    def close(self) -> None:
        self.listener.close()
        for s in self.open:
            s.close()


@pytest.fixture
def silent_proxy(server: Any) -> Iterator[SilentSocketProxy]:
    split = urlsplit(server.url)
    proxy = SilentSocketProxy((split.hostname or "127.0.0.1", split.port or 80))
    yield proxy
    proxy.close()


def test_live005_a_silent_socket_falls_back_to_polling_and_is_retried(
    dash_br: Any, server: Any, silent_proxy: SilentSocketProxy
) -> None:
    open_page(dash_br, f"http://127.0.0.1:{silent_proxy.port}")
    snapshot = "return window.movaLive.snapshot()"
    wait_until(lambda: silent_proxy.swallowed >= 1, 20, 0.05, "the page's socket to open (and hear nothing)")
    assert text_of(dash_br, "status-badge") == "Connecting"

    # no hello within the timeout: the socket counts as failed, and REST polls deliver meanwhile
    wait_badge(dash_br, "Polling", timeout=25)
    state = dash_br.driver.execute_script(snapshot)
    assert state["reason"] in ("timeout", "retry"), state["reason"]
    assert state["timeouts"] >= 1 and not state["socketLive"]
    posted = server.post([{"type": "user.activity", "data": {"user": f"u{i}", "action": "login"}} for i in range(3)])
    wanted = set(range(posted.json()["first_seq"], posted.json()["last_seq"] + 1))
    wait_until(lambda: wanted <= set(feed_seqs(dash_br)), 15, 0.05, "the polled events in the feed")

    # the socket is tried again (with backoff): once the proxy passes it, the page goes live
    wait_until(lambda: silent_proxy.swallowed >= 2, 25, 0.05, "a second try of the socket")
    silent_proxy.silent = False
    wait_badge(dash_br, "Live", timeout=30)
    assert silent_proxy.passed >= 1
    live = server.post({"type": "user.activity", "data": {"user": "late", "action": "login"}}).json()
    wait_until(lambda: live["last_seq"] in feed_seqs(dash_br), 10, 0.05, "a live event over the socket")
    seqs = feed_seqs(dash_br)
    assert len(seqs) == len(set(seqs)), f"an event shows twice: {seqs}"
    assert console_errors(dash_br, EXPECTED_NETWORK_ERRORS) == []
