"""Metric charts: live points, pause, and history on a range or series change.

Live points are appended by assets/client/panel_charts.js with Plotly.extendTraces, at most once a
second, straight from the client (no callback: ARCHITECTURE.md, "Cost"); history is written here as
a Patch of the traces' x/y. Live figures are never replaced (NOTES.md), so the user's zoom and
legend choices survive every update.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State

from callbacks.live import js
from components import ids


def register(app: dash.Dash, settings: Any) -> None:
    app.clientside_callback(js("charts", "pause"), Input(ids.CHART_PAUSE, "n_clicks"), prevent_initial_call=True)
    app.clientside_callback(
        js("charts", "history"),
        *[Output(chart, "figure") for chart in ids.ALL_CHARTS],
        Input(ids.CHART_RANGE, "value"),
        Input(ids.CHART_SERIES, "value"),
        State(ids.CONFIG, "data"),
    )
