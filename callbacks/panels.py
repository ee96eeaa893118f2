"""Issue 5 panels: ML jobs and loss curve, models, predictions, transfers, presence, plugins.

All clientside (assets/mova_live.js): each panel is part of the one callback of the event
store (callbacks/store.py), seeded at boot from GET /api/status ``state``; the tick refreshes ETAs,
the prediction window, "last seen" times and the fading of finished transfers.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input

from components import ids

# the inputs this feature's panel reads in the panels' callback (callbacks/store.py), besides the
# event store; it writes jobs, models, predictions, loss curve, transfers, presence, plugins with set_props
STORE_INPUTS = [Input(ids.TICK, "n_intervals"), Input(ids.ML_SELECTED, "data")]


def register(app: dash.Dash, settings: Any) -> None:
    """Nothing of its own: every output is part of the panels' callback (callbacks/store.py)."""
