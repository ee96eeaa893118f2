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

# the charts' part of the panels' callback (callbacks/store.py): live points and latest values
STORE_OUTPUTS = [
    *[Output(chart, "extendData") for chart in ids.ALL_CHARTS],
    *[Output(f"{ids.CHART_STATS}-{chart}", "children") for chart in ids.ALL_CHARTS],
    Output(ids.CHART_PAUSE_LABEL, "children"),
    Output(ids.CHART_PAUSE, "className"),
]
STORE_INPUTS = [Input(ids.CHART_PAUSE, "n_clicks")]


def register(app: dash.Dash, settings: Any) -> None:
    app.clientside_callback(
        js("loadHistory"),
        *[Output(chart, "figure") for chart in ids.ALL_CHARTS],
        Input(ids.CHART_RANGE, "value"),
        Input(ids.CHART_SERIES, "value"),
        State(ids.CONFIG, "data"),
    )
