"""A client process for the latency benchmark: N clients that time every event they get.

Run by bench/latency.py as ``python -m bench.clients MODE URL N [QUERY]``, several at once so that
no client process is the bottleneck. Modes:

- ``ws``: MOVA's /ws (the path under test); QUERY is appended (e.g. ``type=bench.r1&frame_ms=0``);
- ``floor``: the bare websockets broadcast server of bench/floor.py (the floor);
- ``poll``: GET /api/events?after=<last seq> every 1 s per client, as a dcc.Interval would (the ceiling);
- ``dash``: Dash's own websocket callbacks (bench/dash_ws.py): a persistent callback pushing set_props.

Protocol with the parent: the process prints ``ready`` once every client is connected, then reads one
line ``stop PATH DRAIN_S`` where PATH holds the JSON list of acknowledged event ids; it waits up to
DRAIN_S for every client to have them all, then prints one JSON line: a histogram of delays in units of
0.1 ms, the count of lost (acked, never received) events, and its own CPU and wall seconds.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import hashlib
import os
import random
import select
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import msgspec
import orjson

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
RECV_SIZE = 65536


class Client:
    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.errors = 0


# (receive time, the events' send times) per message; turned into a histogram once the run is over,
# so that the per-event arithmetic is not done while the clients compete with the server for the cores
ARRIVALS: list[tuple[float, list[float]]] = []


def arrived(client: Client, ids: list[int], sents: list[float], now: float) -> None:
    client.seen.update(ids)
    ARRIVALS.append((now, sents))


# A socket frame is decoded for each event's data.i and data.sent only: with msgspec the rest of the
# event (id, source, time, ...) is skipped in C rather than built as Python objects, which was most
# of a client's CPU at 5,000 events/s (pyproject's bench extra installs msgspec for this).


def times_decoder(kind: str) -> Callable[[bytes], tuple[list[int], list[float]]]:
    """A function from a frame of server ``kind`` (ws, floor, dash) to its events' (ids, send times)."""
    if kind == "dash":
        messages = msgspec.json.Decoder(list[DashMessage] | DashMessage)
        payload_of = msgspec.json.Decoder(DashPayload)

        def dash(payload: bytes) -> tuple[list[int], list[float]]:
            frame = messages.decode(payload)
            found = [
                e
                for m in (frame if isinstance(frame, list) else [frame])
                if m.type == "set_props"
                for e in payload_of.decode(m.payload).props.data
            ]
            return [e.data.i for e in found], [e.data.sent for e in found]

        return dash
    frames = msgspec.json.Decoder(EventsFrame)

    def events(payload: bytes) -> tuple[list[int], list[float]]:
        datas = [e.data for e in frames.decode(payload).events]  # hello, pong, ...: no events
        return [d.i for d in datas], [d.sent for d in datas]

    return events


def times_of(events: list[dict[str, Any]]) -> tuple[list[int], list[float]]:
    """The (ids, send times) of events decoded as dicts."""
    datas = [event["data"] for event in events]
    return [data["i"] for data in datas], [data["sent"] for data in datas]


class Data(msgspec.Struct):
    i: int
    sent: float


class Event(msgspec.Struct):
    data: Data


class EventsFrame(msgspec.Struct):
    events: list[Event] = []


class DashMessage(msgspec.Struct):
    type: str = ""
    payload: msgspec.Raw = msgspec.Raw(b"null")


class DashProps(msgspec.Struct):
    data: list[Event] = []


class DashPayload(msgspec.Struct):
    props: DashProps = msgspec.field(default_factory=DashProps)


def histogram() -> Counter[int]:
    """Delays of every event received, in units of 0.1 ms."""
    hist: Counter[int] = Counter()
    for now, sents in ARRIVALS:
        hist.update([int((now - sent) * 10_000) for sent in sents])
    return hist


def masked_frame(opcode: int, payload: bytes) -> bytes:
    """A client's frame (RFC 6455 §5.2: a client masks what it sends)."""
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    key = os.urandom(4)
    mask = (key * (n // 4 + 1))[:n]
    body = (int.from_bytes(payload, "big") ^ int.from_bytes(mask, "big")).to_bytes(n, "big") if n else b""
    return head + key + body


class WsConnection:
    """A minimal WebSocket client on a socket: the handshake, then whole messages handed to ``on_message``.

    The process's clients are read by one plain ``epoll`` loop (``read_loop``), not asyncio: the
    measuring clients share the 2 cores with the server under test, and asyncio's transport and
    protocol callbacks cost ~20 us per message read, so with 250 sockets per process the clients'
    own CPU was half of what the machine spent per event at 1,000 clients, and it set the spread
    of their receive times. Here one ``recv_into`` per ready socket into a buffer kept for the
    connection, then the frames are parsed in place. It answers pings and closes; the servers it
    talks to never mask and never compress (no extension is offered).
    """

    def __init__(self, url: str, on_message: Callable[[bytes], None]) -> None:
        split = urlsplit(url)
        self.address = (split.hostname or "127.0.0.1", split.port or 80)
        self.key = base64.b64encode(os.urandom(16))
        path = (split.path or "/") + ("?" + split.query if split.query else "")
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {split.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {self.key.decode()}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: http://{split.netloc}\r\n\r\n"  # as a page of that server would send
        ).encode()
        self.on_message = on_message
        self.buf = bytearray()  # bytes received and not parsed yet
        self.area = memoryview(bytearray(RECV_SIZE))  # where the socket is read into
        self.upgraded = False
        self.closed = False
        self.why = ""  # why it closed
        self.fragments: list[bytes] = []
        self.sock: socket.socket | None = None

    def open(self, sock: socket.socket) -> None:
        """Send the upgrade request on a connected socket; ``read`` takes the answer."""
        self.sock = sock
        sock.sendall(self.request)

    def read(self) -> None:
        """Read what the socket has (one read: epoll reports it again if more is waiting)."""
        assert self.sock is not None
        try:
            n = self.sock.recv_into(self.area)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            n = 0
        if n == 0:
            return self.fail("the server closed the connection")
        self.feed(self.area[:n])

    def send(self, opcode: int, payload: bytes) -> None:
        assert self.sock is not None
        self.sock.sendall(masked_frame(opcode, payload))

    def fail(self, why: str) -> None:
        if not self.closed:
            self.closed = True
            self.why = why
            assert self.sock is not None
            self.sock.close()

    def feed(self, data: bytes | memoryview) -> None:
        buf = self.buf
        buf += data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buf[:end]).decode("latin-1").split("\r\n")
            accept = base64.b64encode(hashlib.sha1(self.key + WS_GUID).digest()).decode()
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
            if not head[0].startswith("HTTP/1.1 101") or headers.get("sec-websocket-accept") != accept:
                return self.fail(f"no WebSocket upgrade: {head[0]!r}")
            del buf[: end + 4]
            self.upgraded = True
        pos, size = 0, len(buf)
        while size - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            length, start = b1 & 0x7F, pos + 2
            if length == 126:
                length, start = int.from_bytes(buf[pos + 2 : pos + 4], "big"), pos + 4
            elif length == 127:
                length, start = int.from_bytes(buf[pos + 2 : pos + 10], "big"), pos + 10
            if b1 & 0x80:
                return self.fail("the server masked a frame")
            if size < start + length:
                break
            payload = bytes(buf[start : start + length])
            pos = start + length
            self.frame(b0 & 0x80, b0 & 0x0F, payload)
        del buf[:pos]

    def frame(self, fin: int, opcode: int, payload: bytes) -> None:
        if opcode in (0, 1, 2):  # continuation, text, binary
            if not fin:
                self.fragments.append(payload)
                return
            if self.fragments:
                payload, self.fragments = b"".join([*self.fragments, payload]), []
            self.on_message(payload)
        elif opcode == 9:  # ping
            self.send(0xA, payload)
        elif opcode == 8:  # close: answer it, the server then ends the TCP connection
            self.send(0x8, payload[:2])
            self.fail("the server closed the WebSocket")


def ws_client(url: str, client: Client, kind: str) -> WsConnection:
    """One connected client of server ``kind`` (ws, floor, dash), ready to be read by ``read_loop``.

    Connected and upgraded while blocking; MOVA's clients also wait for its hello (the subscription
    is live from then on), Dash's send the request that starts their persistent callback.
    """
    decode = times_decoder(kind)
    hello: list[bytes] = []

    def on_message(payload: bytes) -> None:
        now = time.time()
        ids, sents = decode(payload)
        if ids:
            arrived(client, ids, sents, now)
        elif not hello:
            hello.append(payload)  # MOVA's hello comes first

    ws = WsConnection(url, on_message)
    ws.open(socket.create_connection(ws.address, timeout=30))
    while not ws.upgraded or (kind == "ws" and not hello):
        ws.read()
        if ws.closed:
            raise ConnectionError(f"{url}: {ws.why}")
    if kind == "dash":
        ws.send(0x1, orjson.dumps(DASH_REQUEST))
    assert ws.sock is not None
    ws.sock.setblocking(False)
    return ws


def read_loop(connections: list[WsConnection], until: Callable[[], bool]) -> None:
    """Read every connection as data arrives (level-triggered epoll) until ``until()`` is true."""
    poller = select.epoll()
    by_fd = {}
    for ws in connections:
        assert ws.sock is not None
        by_fd[ws.sock.fileno()] = ws
        poller.register(ws.sock.fileno(), select.EPOLLIN)
    try:
        while not until():
            for fd, _ in poller.poll(0.05):
                by_fd[fd].read()  # a connection that closes closes its socket: epoll forgets it by itself
    finally:
        poller.close()


DASH_REQUEST: dict[str, Any] = {}  # filled from bench.dash_ws when the mode is dash


async def http_get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, path: str) -> bytes:
    """One GET on a kept-alive HTTP/1.1 connection; the body (Content-Length or chunked)."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    headers = {
        k.strip().lower(): v.strip()
        for k, _, v in (line.partition(":") for line in head.decode().split("\r\n")[1:] if line)
    }
    if "content-length" in headers:
        return await reader.readexactly(int(headers["content-length"]))
    body = b""
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return body
        body += chunk[:-2]


async def poll_client(url: str, query: str, client: Client, ready: asyncio.Event, interval: float = 1.0) -> None:
    split = urlsplit(url)
    reader, writer = await asyncio.open_connection(split.hostname, split.port)
    host = split.netloc
    after = 0
    ready.set()
    await asyncio.sleep(random.random() * interval)  # dcc.Interval phases differ per page
    next_at = time.monotonic()
    while True:
        path = f"/api/events?after={after}&limit=5000&{query}"
        try:
            body = await http_get(reader, writer, host, path)
        except (asyncio.IncompleteReadError, ConnectionError):  # the server closed the kept-alive connection
            client.errors += 1
            writer.close()
            reader, writer = await asyncio.open_connection(split.hostname, split.port)
            body = await http_get(reader, writer, host, path)
        now = time.time()
        page = orjson.loads(body)
        if page["events"]:
            arrived(client, *times_of(page["events"]), now)
            after = page["events"][-1]["seq"]
        if page.get("more"):
            continue
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))


class Stop:
    """The parent's ``stop PATH DRAIN_S`` line, read on its own thread, and when to stop after it."""

    def __init__(self, clients: list[Client]) -> None:
        self.clients = clients
        self.acked: set[int] | None = None
        self.deadline = float("inf")
        self.next_check = 0.0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        _, path, drain_s = sys.stdin.readline().split()
        with open(path, "rb") as f:
            acked = set(orjson.loads(f.read()))
        self.deadline = time.monotonic() + float(drain_s)
        self.acked = acked

    def due(self) -> bool:
        """True once the stop line came and every client has every acked event, or the drain time is over."""
        if self.acked is None:
            return False
        now = time.monotonic()
        if now >= self.deadline:
            return True
        if now < self.next_check:  # comparing the sets is O(events x clients): every 50 ms at most
            return False
        self.next_check = now + 0.05
        return all(self.acked <= c.seen for c in self.clients)


async def run_polls(url: str, query: str, clients: list[Client], stop: Stop, ready: Callable[[], None]) -> list[str]:
    """The polling ceiling: one asyncio task per client; their errors."""
    gate = asyncio.Semaphore(50)  # do not open 1,000 connections in one burst
    tasks = []

    async def start(client: Client) -> None:
        ready = asyncio.Event()
        async with gate:
            task = asyncio.create_task(poll_client(url, query, client, ready))
            tasks.append(task)
            done, _ = await asyncio.wait([task, asyncio.create_task(ready.wait())], return_when="FIRST_COMPLETED")
            if task in done:
                task.result()  # raise the connection error

    await asyncio.gather(*(start(c) for c in clients))
    ready()
    while not stop.due() and not all(t.done() for t in tasks):
        await asyncio.sleep(0.05)
    failed = [repr(t.exception()) for t in tasks if t.done() and not t.cancelled() and t.exception()]
    for t in tasks:
        t.cancel()
    return failed


def main(mode: str, url: str, n: int, query: str) -> None:
    # no cyclic garbage collection: this process makes no cycles, and the collector's passes over
    # the growing ARRIVALS (tens of thousands of lists) paused every client of the process at once
    gc.disable()
    if mode == "dash":
        from bench.dash_ws import client_request

        DASH_REQUEST.update(client_request(url))
    clients = [Client() for _ in range(n)]
    stop = Stop(clients)
    started: list[float] = []

    def ready() -> None:  # every client connected: tell the parent, and count CPU from here
        print("ready", flush=True)
        started.extend((time.process_time(), time.monotonic()))

    if mode == "poll":
        failed = asyncio.run(run_polls(url, query, clients, stop, ready))
    else:
        full = url + ("?" + query if query else "")
        connections = [ws_client(full, client, mode) for client in clients]
        ready()
        read_loop(connections, lambda: stop.due() or all(ws.closed for ws in connections))
        failed = [ws.why for ws in connections if ws.closed]
    cpu_s, wall_s = time.process_time() - started[0], time.monotonic() - started[1]
    assert stop.acked is not None or failed, "stopped before the stop line"
    acked = stop.acked or set()
    result = {
        "hist": {str(k): v for k, v in histogram().items()},
        "lost": sum(len(acked - c.seen) for c in clients),
        "received": sum(len(c.seen) for c in clients),
        "cpu_s": cpu_s,
        "wall_s": wall_s,
        "failed": failed[:3],
    }
    sys.stdout.write(orjson.dumps(result).decode() + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "")
