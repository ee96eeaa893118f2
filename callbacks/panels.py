"""Issue 5 panels: ML jobs and loss curve, models, predictions, transfers, presence, plugins.

All clientside (assets/mova_live.js): each panel is a callback of the one event
store, seeded at boot from GET /api/status ``state``; the tick refreshes ETAs,
the prediction window, "last seen" times and the fading of finished transfers.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output

from callbacks.live import js
from components import ids


def register(app: dash.Dash, settings: Any) -> None:
    app.clientside_callback(
        js("mlPanel"),
        Output(ids.ML_JOBS, "children"),
        Output(ids.ML_MODELS, "children"),
        Output(ids.ML_PREDICTIONS, "children"),
        Output(ids.ML_JOBS_COUNT, "children"),
        Input(ids.EVENTS, "data"),
        Input(ids.TICK, "n_intervals"),
        Input(ids.ML_SELECTED, "data"),
    )
    app.clientside_callback(
        js("mlLoss"),
        Output(ids.ML_LOSS, "figure"),
        Output(ids.ML_LOSS_TITLE, "children"),
        Input(ids.ML_SELECTED, "data"),
        Input(ids.EVENTS, "data"),
    )
    app.clientside_callback(
        js("transfersPanel"),
        Output(ids.TRANSFERS, "children"),
        Output(ids.TRANSFERS_COUNT, "children"),
        Input(ids.EVENTS, "data"),
        Input(ids.TICK, "n_intervals"),
    )
    app.clientside_callback(
        js("presencePanel"),
        Output(ids.PRESENCE, "children"),
        Output(ids.PRESENCE_COUNT, "children"),
        Input(ids.EVENTS, "data"),
        Input(ids.TICK, "n_intervals"),
    )
    app.clientside_callback(
        js("pluginsPanel"),
        Output(ids.PLUGINS, "children"),
        Output(ids.PLUGINS_COUNT, "children"),
        Input(ids.EVENTS, "data"),
        Input(ids.TICK, "n_intervals"),
    )
