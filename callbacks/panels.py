"""Issue 5 panels: ML jobs and loss curve, models, predictions, transfers, presence, plugins.

All clientside (assets/mova_live.js): each panel is part of the one callback of the event
store (callbacks/store.py), seeded at boot from GET /api/status ``state``; the tick refreshes ETAs,
the prediction window, "last seen" times and the fading of finished transfers.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output

from components import ids

# the panels' part of the panels' callback (callbacks/store.py)
STORE_OUTPUTS = [
    Output(ids.ML_JOBS, "children"),
    Output(ids.ML_MODELS, "children"),
    Output(ids.ML_PREDICTIONS, "children"),
    Output(ids.ML_JOBS_COUNT, "children"),
    Output(ids.ML_LOSS, "figure"),
    Output(ids.ML_LOSS_TITLE, "children"),
    Output(ids.TRANSFERS, "children"),
    Output(ids.TRANSFERS_COUNT, "children"),
    Output(ids.PRESENCE, "children"),
    Output(ids.PRESENCE_COUNT, "children"),
    Output(ids.PLUGINS, "children"),
    Output(ids.PLUGINS_COUNT, "children"),
]
STORE_INPUTS = [Input(ids.TICK, "n_intervals"), Input(ids.ML_SELECTED, "data")]


def register(app: dash.Dash, settings: Any) -> None:
    """Nothing of its own: every output is part of the panels' callback (callbacks/store.py)."""
