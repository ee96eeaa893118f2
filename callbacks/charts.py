"""Metric charts: live points through extendData, history on range or series change, pause.

Live figures are never replaced (NOTES.md): live points are appended with
``extendData`` and history is written with a Patch of the traces' x/y, so the
user's zoom and legend choices survive every update.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State

from callbacks.live import js
from components import ids

# the inputs this feature's panel reads in the panels' callback (callbacks/store.py), besides the
# event store; it writes live points (extendData), latest values, the pause button with set_props
STORE_INPUTS = [Input(ids.CHART_PAUSE, "n_clicks")]


def register(app: dash.Dash, settings: Any) -> None:
    app.clientside_callback(
        js("loadHistory"),
        *[Output(chart, "figure") for chart in ids.ALL_CHARTS],
        Input(ids.CHART_RANGE, "value"),
        Input(ids.CHART_SERIES, "value"),
        State(ids.CONFIG, "data"),
    )
