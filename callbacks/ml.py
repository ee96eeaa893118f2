"""Training jobs: a click on a job row selects it (the ml-selected store), and its loss curve shows.

The lists themselves are painted by assets/client/panel_ml.js as events arrive (ARCHITECTURE.md).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input

from callbacks.live import js
from components import ids


def register(app: dash.Dash, settings: Any) -> None:
    app.clientside_callback(js("ml", "select"), Input(ids.ML_SELECTED, "data"), prevent_initial_call=True)
