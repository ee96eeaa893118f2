"""A real WebSocket client (websocket-client) that reads the hub's frames, for tests."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import requests
import websocket

OPEN: list[StreamClient] = []  # closed by the server fixtures' teardown, before the server stops


class StreamClient:
    def __init__(
        self, ws_url: str, timeout: float = 10.0, origin: str | None = None, sockopt: tuple = (), **params: Any
    ) -> None:
        query = urlencode([(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs])])
        self.ws = websocket.create_connection(
            ws_url + ("?" + query if query else ""),
            timeout=timeout,
            origin=origin,
            sockopt=sockopt,
            skip_utf8_validation=True,  # the pure-Python check costs seconds per MB
        )
        OPEN.append(self)
        self.hello = self.next()
        assert self.hello["kind"] == "hello", self.hello
        self.frames: list[dict] = []
        self.seqs: list[int] = []

    def next(self, timeout: float | None = None) -> dict:
        if timeout is not None:
            self.ws.settimeout(timeout)
        return json.loads(self.ws.recv())

    def read_events_until(self, last_seq: int, timeout: float = 20.0) -> list[int]:
        """Read frames until an event with seq >= last_seq arrives; return every seq seen, in order."""
        deadline = time.monotonic() + timeout
        while not self.seqs or self.seqs[-1] < last_seq:
            if time.monotonic() > deadline:
                raise AssertionError(f"no seq {last_seq} within {timeout}s; last seen {self.seqs[-1:]}")
            frame = self.next()
            self.frames.append(frame)
            if frame["kind"] == "events":
                self.seqs.extend(e["seq"] for e in frame["events"])
        return self.seqs

    def send(self, message: Any) -> None:
        self.ws.send(message if isinstance(message, str) else json.dumps(message))

    def close_code(self) -> int:
        """Read until the server's close frame; return its status code."""
        while True:
            opcode, data = self.ws.recv_data(control_frame=True)
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                return int.from_bytes(data[:2], "big")

    def close(self) -> None:
        self.ws.close()


def backfill(base_url: str, after: int) -> list[int]:
    """What a page does on a gap: page through GET /api/events after its last seq."""
    seqs: list[int] = []
    while True:
        page = requests.get(base_url + "/api/events", params={"after": after, "limit": 5000}, timeout=10).json()
        seqs += [e["seq"] for e in page["events"]]
        if not page["more"]:
            return seqs
        after = seqs[-1]
