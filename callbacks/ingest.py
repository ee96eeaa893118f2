"""Ingest rate per source: the window the rates are averaged over (assets/client/panel_ingest.js).

New events need no callback: the client hands them to the panel's JS module (ARCHITECTURE.md).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input

from callbacks.live import js
from components import ids


def register(app: dash.Dash, settings: Any) -> None:
    app.clientside_callback(js("ingest", "window"), Input(ids.INGEST_WINDOW, "value"))
