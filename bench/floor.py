"""The floor: a bare asyncio ``websockets`` server that broadcasts every frame its producer sends.

No storage, no validation, no HTTP: the producer holds a socket on /pub and each text frame it sends
goes as is to every other connected socket (``websockets.broadcast``). Nothing Python can serve over
a WebSocket on loopback is much cheaper, so MOVA's numbers are read against it.
Run as ``python -m bench.floor PORT``; prints ``ready`` when listening.
"""

from __future__ import annotations

import asyncio
import sys

from websockets.asyncio.server import ServerConnection, broadcast, serve

SUBSCRIBERS: set[ServerConnection] = set()


async def handler(ws: ServerConnection) -> None:
    if ws.request is not None and ws.request.path.startswith("/pub"):
        async for text in ws:
            broadcast(SUBSCRIBERS, text)
            await ws.send("ok")  # the producer's acknowledgement, like a 202
        return
    SUBSCRIBERS.add(ws)
    try:
        await ws.wait_closed()
    finally:
        SUBSCRIBERS.discard(ws)


async def main(port: int) -> None:
    async with serve(handler, "127.0.0.1", port, max_size=None, ping_interval=None, compression=None):
        print("ready", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
