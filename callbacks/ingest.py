"""Ingest rate per source: the panel's events store drives its JS module (assets/client/panel_ingest.js)."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input

from callbacks.live import js
from components import ids


def register(app: dash.Dash, settings: Any) -> None:
    app.clientside_callback(js("ingest", "update"), Input(ids.panel_events("ingest"), "data"))
