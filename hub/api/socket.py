"""The /ws route: the upgrade's checks, the cap on open sockets, then the stream (hub/live/stream.py).

Before a socket is accepted: its Origin must be this server's (or an
``--allowed-origin``), the handshake well formed (hub/live/handshake.py), its query
valid, and a connection slot free; each refusal is an HTTP error in the JSON shape.
Whoever signed in at the upgrade (hub/access/web.py) is watched while it is open.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, request
from flask_sock import Sock

from hub.api.interface import SocketHub
from hub.api.params import subscription
from hub.errors import Forbidden, InvalidInput, Unavailable
from hub.live.handshake import ConnectionSlots, upgrade_error
from hub.live.stream import StreamLimits, serve
from hub.server import guard
from hub.server.hostpolicy import HostPolicy


def register_socket(server: Flask, hub: SocketHub, policy: HostPolicy) -> None:
    settings = hub.settings

    # the server pings every heartbeat and closes a socket whose pong did not come by the
    # next one: a dead connection is dropped within two heartbeats
    server.config["SOCK_SERVER_OPTIONS"] = {"ping_interval": settings.heartbeat_s, "max_message_size": 65536}
    stream_limits = StreamLimits(
        settings.heartbeat_s,
        settings.client_queue_events,
        settings.client_frames_per_minute,
        int(settings.client_queue_mb * 2**20),
    )
    sock = Sock()
    sock.init_app(server)

    slots = ConnectionSlots(settings.max_connections)

    @server.before_request
    def check_ws_upgrade() -> Response | None:
        if request.path != "/ws":
            return None
        if not policy.allows_origin(request.headers.get("Origin"), request.host):
            return guard.error_response(
                Forbidden(f"Origin {request.headers.get('Origin')!r} may not open /ws: add it with --allowed-origin")
            )
        malformed = upgrade_error(request.method, request.headers, request.environ.get("SERVER_PROTOCOL", ""))
        if malformed is not None:
            return guard.error_response(malformed)
        try:
            subscription(settings.frame_interval_s)
        except InvalidInput as exc:
            return guard.error_response(exc)
        if not slots.take():  # last: a slot taken is given back when the request ends (below)
            full = Unavailable(f"this server holds its maximum of {settings.max_connections} sockets: retry later")
            return guard.error_response(full)
        g.mova_ws_slot = True
        return None

    @server.teardown_request
    def give_back_ws_slot(_exc: BaseException | None) -> None:
        if g.pop("mova_ws_slot", False):
            slots.give_back()

    @sock.route("/ws")  # type: ignore[untyped-decorator]
    def websocket(ws: Any) -> None:
        # signed in at the upgrade (hub/access/web.py); closed with 4401 when the session or token ends
        with hub.socket_watch.hold(ws, g.get("mova_principal")) as admitted:
            if admitted:
                serve(
                    ws,
                    hub.store,
                    hub.bus,
                    hub.sessions,
                    subscription(settings.frame_interval_s),
                    stream_limits,
                    hub.current_health,
                )
