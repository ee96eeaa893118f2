"""A client process for the latency benchmark: N asyncio clients that time every event they get.

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
import random
import sys
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import orjson
import websockets


class Client:
    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.errors = 0


HIST: Counter[int] = Counter()


def record(client: Client, events: list[dict[str, Any]], now: float) -> None:
    for event in events:
        data = event["data"]
        HIST[int((now - data["sent"]) * 10_000)] += 1
        client.seen.add(data["i"])


async def ws_client(url: str, client: Client, ready: asyncio.Event, kind: str) -> None:
    origin = "http://" + urlsplit(url).netloc  # as a page of that server would send
    async with websockets.connect(
        url, max_size=None, ping_interval=None, compression=None, origin=websockets.Origin(origin)
    ) as ws:
        if kind == "ws":
            await ws.recv()  # hello
        elif kind == "dash":
            await ws.send(orjson.dumps(DASH_REQUEST).decode())
        ready.set()
        async for text in ws:
            now = time.time()
            frame = orjson.loads(text)
            if kind == "dash":
                for msg in frame if isinstance(frame, list) else [frame]:
                    if msg.get("type") == "set_props":
                        record(client, msg["payload"]["props"]["data"], now)
            elif frame.get("kind") == "events":
                record(client, frame["events"], now)


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
            record(client, page["events"], now)
            after = page["events"][-1]["seq"]
        if page.get("more"):
            continue
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))


async def main(mode: str, url: str, n: int, query: str) -> None:
    if mode == "dash":
        from bench.dash_ws import client_request

        DASH_REQUEST.update(client_request(url))
    clients = [Client() for _ in range(n)]
    tasks = []
    gate = asyncio.Semaphore(50)  # do not open 1,000 connections in one burst

    async def run(client: Client) -> None:
        ready = asyncio.Event()
        async with gate:
            if mode == "poll":
                task = asyncio.create_task(poll_client(url, query, client, ready))
            else:
                full = url + ("?" + query if query else "")
                task = asyncio.create_task(ws_client(full, client, ready, mode))
            tasks.append(task)
            done, _ = await asyncio.wait([task, asyncio.create_task(ready.wait())], return_when="FIRST_COMPLETED")
            if task in done:
                task.result()  # raise the connection error

    await asyncio.gather(*(run(c) for c in clients))
    print("ready", flush=True)
    cpu0, wall0 = time.process_time(), time.monotonic()
    loop = asyncio.get_running_loop()
    line = await loop.run_in_executor(None, sys.stdin.readline)
    _, path, drain_s = line.split()
    with open(path, "rb") as f:
        acked = set(orjson.loads(f.read()))
    deadline = time.monotonic() + float(drain_s)
    while time.monotonic() < deadline and any(not acked <= c.seen for c in clients):
        if all(t.done() for t in tasks):
            break
        await asyncio.sleep(0.05)
    cpu_s, wall_s = time.process_time() - cpu0, time.monotonic() - wall0
    failed = [t for t in tasks if t.done() and not t.cancelled() and t.exception()]
    for t in tasks:
        t.cancel()
    result = {
        "hist": {str(k): v for k, v in HIST.items()},
        "lost": sum(len(acked - c.seen) for c in clients),
        "received": sum(len(c.seen) for c in clients),
        "cpu_s": cpu_s,
        "wall_s": wall_s,
        "failed": [repr(t.exception()) for t in failed][:3],
    }
    sys.stdout.write(orjson.dumps(result).decode() + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else ""))
