"""Training jobs, latest models, predictions and the selected job's loss curve (assets/client/panel_ml.js)."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input

from callbacks.live import js
from components import ids


def register(app: dash.Dash, settings: Any) -> None:
    app.clientside_callback(js("ml", "update"), Input(ids.panel_events("ml"), "data"), Input(ids.ML_SELECTED, "data"))
