"""The top bar: the connection badge (and its details popover) and the system health badge.

Both are panels with an events store: the client writes the status store when the connection
changes state, the health store when a health report arrives (assets/client/panel_status.js,
panel_health.js); each writes only the props that changed.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input

from callbacks.live import js
from components import ids


def register(app: dash.Dash, settings: Any) -> None:
    app.clientside_callback(js("status", "update"), Input(ids.panel_events("status"), "data"))
    app.clientside_callback(js("health", "update"), Input(ids.panel_events("health"), "data"))
