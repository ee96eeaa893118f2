"""The peer a Dash user would pick: Dash 4.4's own websocket callbacks (backend='fastapi'), for bench/latency.py.

A Dash app on FastAPI/uvicorn with ``websocket_callbacks=True``. Each page (here each benchmark client)
starts one persistent async callback over /_dash-ws-callback; it awaits its queue and pushes every batch
to the page with ``set_prop('feed', 'data', events)``, which Dash sends as a ``set_props`` message. The
producer POSTs batches to /ingest (a plain FastAPI route on the same server), which hands them to every
open callback's queue: no storage, so this is the transport's cost alone, kinder than MOVA's durable path.
Run as ``python -m bench.dash_ws PORT``; prints ``ready`` when listening.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from fastapi import Request  # at module level: FastAPI resolves the route's annotations here

QUEUES: set[asyncio.Queue[list[Any]]] = set()


def build_app() -> Any:
    import dash
    from dash import Input, callback, ctx, dcc, html

    app = dash.Dash(__name__, backend="fastapi", websocket_callbacks=True)
    app.layout = html.Div([html.Button("start", id="start"), dcc.Store(id="feed")])

    @callback(Input("start", "n_clicks"), persistent=True, prevent_initial_call=True)
    async def stream(_n: int | None) -> None:
        ws = ctx.websocket
        queue: asyncio.Queue[list[Any]] = asyncio.Queue()
        QUEUES.add(queue)
        try:
            while ws is not None and not ws.is_shutdown:
                try:
                    events = await asyncio.wait_for(queue.get(), timeout=1.0)
                except TimeoutError:
                    continue
                while not queue.empty():
                    events = events + queue.get_nowait()
                ws.set_prop_sync("feed", "data", events)
        finally:
            QUEUES.discard(queue)

    return app


def client_request(ws_url: str) -> dict[str, Any]:
    """The callback_request a page sends to start the persistent callback (as the renderer would)."""
    import requests

    base = ws_url.replace("ws", "http", 1).rsplit("/", 1)[0]
    callback_id = requests.get(base + "/_dash-dependencies", timeout=10).json()[0]["output"]
    return {
        "type": "callback_request",
        "requestId": "bench-1",
        "rendererId": "bench",
        "payload": {
            "output": callback_id,
            "outputs": [],
            "inputs": [{"id": "start", "property": "n_clicks", "value": 1}],
            "state": [],
            "changedPropIds": ["start.n_clicks"],
        },
    }


def main(port: int) -> None:
    import uvicorn

    app = build_app()

    @app.server.post("/ingest", status_code=202)
    async def ingest(request: Request) -> dict[str, int]:
        events = await request.json()
        for queue in list(QUEUES):
            queue.put_nowait(events)
        return {"accepted": len(events)}

    config = uvicorn.Config(app.server, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)

    async def serve() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.05)
        print("ready", flush=True)
        await task

    asyncio.run(serve())


if __name__ == "__main__":
    main(int(sys.argv[1]))
