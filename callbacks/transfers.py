"""File transfers: the panel's events store drives assets/client/panel_transfers.js."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input

from callbacks.live import js
from components import ids


def register(app: dash.Dash, settings: Any) -> None:
    app.clientside_callback(js("transfers", "update"), Input(ids.panel_events("transfers"), "data"))
